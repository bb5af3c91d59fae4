-- corgi 0.6.0 -> 0.7.0. Built into corgi--0.6.0--0.7.0.sql by scripts/build-upgrade.py:
-- each @function or @view line stands for that object's definition in sql/corgi.sql
-- (CREATE OR REPLACE).
\echo Use "ALTER EXTENSION corgi UPDATE TO '0.7.0'" to load this file. \quit

-- Fused visits: the configs of corgi.fit_multiple that see the same rows in the same
-- order share each read of a segment (configs_per_visit, FusedVisitPlan.swift); the
-- epoch loop plans their offsets and returns them.
DROP FUNCTION corgi._fit(corgi.training_plan[], text, integer, boolean, bytea[], text[], integer, integer[], name[], text, text, bytea[], integer[], text, text);
CREATE OR REPLACE FUNCTION corgi._fit(plans corgi.training_plan[], call text, workers integer, verbose boolean,
                           group_states bytea[] DEFAULT NULL, group_keys text[] DEFAULT NULL,
                           key_count integer DEFAULT NULL, batches integer[] DEFAULT NULL,
                           group_columns name[] DEFAULT NULL, key_exprs text DEFAULT NULL,
                           val_key_sql text DEFAULT NULL, bundles bytea[] DEFAULT NULL,
                           config_ids integer[] DEFAULT NULL, schedule text DEFAULT 'grid',
                           schedule_params text DEFAULT '', configs_per_visit integer DEFAULT 0,
                           OUT final_states bytea[], OUT epoch_loss float8[], OUT epoch_seconds float8[],
                           OUT epoch_rows bigint[], OUT epoch_skipped bigint[], OUT val_loss float8[],
                           OUT val_metric float8[], OUT val_seconds float8[], OUT workers_launched integer[],
                           OUT wall_seconds float8[], OUT diverged_in integer[], OUT diverged_loss float8[],
                           OUT val_loss_all float8[], OUT val_metric_all float8[], OUT servers integer,
                           OUT bytes_moved bigint, OUT remote_jobs integer, OUT round_trip_seconds float8,
                           OUT left_config integer[], OUT left_group bigint[], OUT left_state bytea[],
                           OUT left_epoch integer[], OUT scored_config integer[], OUT scored_group bigint[],
                           OUT scored_loss float8[], OUT scored_metric float8[], OUT stopped_in integer[],
                           OUT best_epoch integer[], OUT rung integer[], OUT bracket integer[],
                           OUT left_rung integer[], OUT segment_offsets integer[])
    AS 'MODULE_PATHNAME', 'corgi_fit'
    LANGUAGE C STABLE PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION corgi._fit(corgi.training_plan[], text, integer, boolean, bytea[], text[], integer, integer[], name[], text, text, bytea[], integer[], text, text, integer) IS
    'internal: the one epoch loop of corgi.train and corgi.fit_multiple, grouped or not (corgi_fit.c): every epoch of a job of plans, of one plan''s groups, or of the configs'' bundles of groups, all on the snapshot of the calling statement; per-epoch figures flat, epochs x tasks';
CREATE OR REPLACE FUNCTION corgi.fit_multiple(
    source_table text,
    out_table text,
    dependent_varname text,
    independent_varname text,
    configs text,
    epochs integer DEFAULT 10,
    shuffle text DEFAULT 'corgipile',
    params text DEFAULT '',
    validation_table text DEFAULT NULL,
    verbose boolean DEFAULT false,
    grouping_cols text DEFAULT NULL,
    schedule text DEFAULT 'grid',
    schedule_params text DEFAULT '',
    caller_search_path text DEFAULT pg_catalog.current_setting('search_path'))
RETURNS TABLE (configs_trained integer, configs_diverged integer, workers_launched integer, segments integer,
               training_seconds float8)
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET synchronize_seqscans = off
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_variable
DECLARE
    cfg regclass;
    src regclass;
    n_partitions integer;
    ids integer[];
    models text[];
    cfg_params text[];
    n bigint;
    n_ids bigint;
    n_null bigint;
    bad text;
    shared text := coalesce(params, '');
    seed bigint;
    n_segments integer;
    n_workers integer;
    n_per_visit integer;
    plans corgi.training_plan[] := '{}';
    plan corgi.training_plan;
    msg text; det text; hnt text; st text;
    run record;
    t0 timestamptz := clock_timestamp();
    out_names record;
    info_name text;
    info record;
    orders integer[];
    last_epoch integer;
    k integer;
    e integer;
    wall float8;
BEGIN
    IF source_table IS NULL OR out_table IS NULL OR dependent_varname IS NULL OR independent_varname IS NULL
       OR configs IS NULL OR epochs IS NULL OR shuffle IS NULL THEN
        RAISE EXCEPTION 'corgi.fit_multiple arguments must not be NULL (params, validation_table and verbose excepted)'
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    PERFORM corgi._check_offered('fit_multiple', source_table, shuffle => shuffle, grouped => grouping_cols IS NOT NULL,
                                 schedule => schedule);

    -- The configs: any table with (config_id, model, params), corgi.config_grid's shape.
    cfg := corgi._resolve_table(configs, caller_search_path);
    IF cfg IS NULL THEN
        RAISE EXCEPTION 'configs table "%" does not exist', configs
            USING ERRCODE = 'undefined_table', HINT = 'Make one with CREATE TABLE ... AS SELECT * FROM corgi.config_grid(...).';
    END IF;
    IF NOT has_table_privilege(cfg, 'SELECT') THEN
        RAISE EXCEPTION 'permission denied for table %', configs USING ERRCODE = 'insufficient_privilege';
    END IF;
    PERFORM corgi._stored_table(cfg, 'configs table', NULL, '{}', '{}');
    IF (SELECT count(*) FROM pg_attribute a
         WHERE a.attrelid = cfg AND a.attnum > 0 AND NOT a.attisdropped
           AND ((a.attname = 'config_id' AND a.atttypid IN ('int2'::regtype, 'int4'::regtype, 'int8'::regtype))
                OR (a.attname IN ('model', 'params') AND a.atttypid IN ('text'::regtype, 'varchar'::regtype)))) <> 3 THEN
        RAISE EXCEPTION 'configs table "%" needs columns config_id (integer), model (text) and params (text)', configs
            USING ERRCODE = 'undefined_column', HINT = 'corgi.config_grid returns that shape.';
    END IF;
    -- Plain column values, used as data (never as SQL): model names are checked against
    -- corgi.model_names() and params by corgi's parser.
    EXECUTE format('SELECT array_agg(config_id::integer ORDER BY config_id), array_agg(model::text ORDER BY config_id),
                           array_agg(coalesce(params::text, %L) ORDER BY config_id), count(*),
                           count(DISTINCT config_id), count(*) - count(config_id) + count(*) - count(model)
                    FROM %s', '', cfg)
        INTO ids, models, cfg_params, n, n_ids, n_null;
    IF n = 0 THEN
        RAISE EXCEPTION 'configs table "%" is empty', configs USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF n > 1000 THEN
        RAISE EXCEPTION 'corgi.fit_multiple trains at most 1000 configs at once, "%" has %', configs, n
            USING ERRCODE = 'program_limit_exceeded', HINT = 'Split the configs over several calls.';
    END IF;
    IF n_null > 0 THEN
        RAISE EXCEPTION 'configs table "%" has a NULL config_id or model', configs USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF n_ids <> n THEN
        RAISE EXCEPTION 'configs table "%" repeats a config_id', configs
            USING ERRCODE = 'unique_violation', HINT = 'Give every config its own config_id.';
    END IF;
    FOR k IN 1..n LOOP
        bad := substring(cfg_params[k] from '(?i)(?:^|,)\s*(segments|segment_offset|segment_seed|workers|validation_table|configs_per_visit)\s*=');
        IF bad IS NOT NULL THEN
            RAISE EXCEPTION 'config %: parameter "%" belongs in fit_multiple''s params, not in a config', ids[k], lower(bad)
                USING ERRCODE = 'invalid_parameter_value', HINT = 'All configs share the segments, the workers and the validation table.';
        END IF;
    END LOOP;
    IF coalesce(lower(corgi._shared_param(shared, 'solver')), 'sgd') <> 'sgd'
       OR EXISTS (SELECT FROM unnest(cfg_params) c WHERE c ~* '(?:^|,)\s*solver\s*=\s*(exact|irls)') THEN
        RAISE EXCEPTION 'corgi.fit_multiple trains by SGD: solver applies to corgi.train'
            USING ERRCODE = 'feature_not_supported',
                  HINT = 'Fit one model exactly with corgi.train(..., params => ''solver=exact''), or leave solver out.';
    END IF;

    -- Shared settings: seed (of the segments and the schedule), segments, workers.
    IF validation_table IS NOT NULL THEN
        shared := corgi._merge_params(shared, 'validation_table=' || validation_table);
    END IF;
    seed := coalesce(corgi._shared_param(shared, 'seed'), corgi._param(corgi.normalize_params(''), 'seed'))::bigint;
    n_segments := coalesce(corgi._shared_param(shared, 'segments'), '8')::integer;
    n_workers := coalesce(corgi._shared_param(shared, 'workers'), '-1')::integer;
    n_per_visit := coalesce(corgi._shared_param(shared, 'configs_per_visit'), '8')::integer;
    IF n_segments < 1 THEN
        RAISE EXCEPTION 'segments must be at least 1 for corgi.fit_multiple, got %', n_segments
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Leave it out for the default (8).';
    END IF;
    -- A partitioned source: its leaf partitions are the segments (local or foreign: the
    -- data's placement decides), so segments, if given, must count them.
    src := corgi._resolve_table(source_table, caller_search_path);
    IF src IS NOT NULL AND (SELECT c.relkind FROM pg_class c WHERE c.oid = src) = 'p' THEN
        n_partitions := cardinality(corgi._segment_tables(src));
        IF corgi._shared_param(shared, 'segments') IS NOT NULL AND n_segments <> n_partitions THEN
            RAISE EXCEPTION 'the segments of partitioned table % are its % partitions, got segments=%',
                            source_table, n_partitions, n_segments
                USING ERRCODE = 'invalid_parameter_value', HINT = 'Leave segments out.';
        END IF;
        IF n_partitions = 0 THEN
            RAISE EXCEPTION 'partitioned table % has no partitions', source_table USING ERRCODE = 'invalid_parameter_value';
        END IF;
        n_segments := n_partitions;
    END IF;
    IF src IS NOT NULL THEN
        PERFORM corgi._progress_begin('fit_multiple', src, out_table, epochs, n::integer);
    END IF;

    -- One snapshot for the call: the first config's counting pass pins it (with
    -- grouping, the groups' counting pass: the call begins after the preparation).
    IF grouping_cols IS NULL THEN
        PERFORM corgi._begin_call();
    END IF;
    -- One plan per config: corgi.train's checks and initial state, with the config's
    -- place in the hopping schedule in its params (so its params replay it alone). The
    -- table's facts (rows, classes, moments) are read once for all configs.
    PERFORM corgi._facts_begin();
    FOR k IN 1..n LOOP
        BEGIN
            plan := corgi._train_prepare(source_table, out_table, dependent_varname, independent_varname, models[k],
                epochs, shuffle,
                corgi._merge_params(corgi._merge_params(shared, cfg_params[k]),
                                    format('segments=%s, segment_offset=%s, segment_seed=%s', n_segments, (k - 1) % n_segments, seed)),
                caller_search_path, grouping_cols IS NULL);
        EXCEPTION WHEN OTHERS THEN
            GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT, det = PG_EXCEPTION_DETAIL, hnt = PG_EXCEPTION_HINT, st = RETURNED_SQLSTATE;
            -- The same error, naming the config (an empty DETAIL or HINT stays absent).
            IF det <> '' AND hnt <> '' THEN
                RAISE EXCEPTION 'config %: %', ids[k], msg USING ERRCODE = st, DETAIL = det, HINT = hnt;
            ELSIF hnt <> '' THEN
                RAISE EXCEPTION 'config %: %', ids[k], msg USING ERRCODE = st, HINT = hnt;
            ELSIF det <> '' THEN
                RAISE EXCEPTION 'config %: %', ids[k], msg USING ERRCODE = st, DETAIL = det;
            ELSE
                RAISE EXCEPTION 'config %: %', ids[k], msg USING ERRCODE = st;
            END IF;
        END;
        plans := plans || plan;
    END LOOP;
    PERFORM corgi._facts_end();
    out_names := corgi._output_names(out_table, caller_search_path);
    info_name := quote_ident(out_names.schema) || '.'
                 || quote_ident((parse_ident(out_table))[cardinality(parse_ident(out_table))] || '_info');
    IF to_regclass(info_name) IS NOT NULL THEN
        RAISE EXCEPTION 'output table % already exists', info_name
            USING ERRCODE = 'duplicate_table', HINT = 'Drop it first, or choose another out_table.';
    END IF;
    PERFORM corgi._reserve_outputs(ARRAY[out_names.main, info_name, out_names.summary]);

    -- Grouped: every config trains a model per group, its groups hopping together.
    IF grouping_cols IS NOT NULL THEN
        PERFORM corgi._begin_call();
        RETURN QUERY SELECT * FROM corgi._fit_grouped(plans, ids, src, grouping_cols, n_segments, seed, n_workers,
                                                      fit_multiple.verbose, info_name, cfg::text, shared,
                                                      coalesce(fit_multiple.schedule, 'grid'),
                                                      coalesce(fit_multiple.schedule_params, ''));
        PERFORM corgi._end_call();
        RETURN;
    END IF;

    -- Epochs: one statement, one snapshot.
    SELECT * INTO run FROM corgi._fit(plans, 'fit_multiple', n_workers, fit_multiple.verbose,
                                      schedule => coalesce(fit_multiple.schedule, 'grid'),
                                      schedule_params => coalesce(fit_multiple.schedule_params, ''),
                                      configs_per_visit => n_per_visit);
    wall := extract(epoch FROM clock_timestamp() - t0);

    -- Output, only now that every epoch succeeded ------------------------------------
    PERFORM corgi._progress_set(phase => 'writing', tasks_done => n::integer);
    PERFORM corgi._release_outputs(ARRAY[out_names.main, info_name, out_names.summary]);
    EXECUTE format('CREATE TABLE %s (config_id integer, model_type text, params text, coef float8[],
                    intercept float8[], model bytea, loss float8, num_rows_processed bigint, num_rows_skipped bigint,
                    num_epochs integer, classes text[], layers integer[], training_seconds float8,
                    validation_loss float8, validation_metric float8, validation_metric_name text, status text)',
                   out_names.main);
    EXECUTE format('CREATE TABLE %s (config_id integer, model_type text, params text, epoch_loss float8[],
                    epoch_seconds float8[], epoch_rows bigint[], validation_loss float8[], validation_metric float8[],
                    segment_order integer[])', info_name);
    FOR k IN 1..n LOOP
        plan := plans[k];
        -- The offset the configs' visits were planned with (shared visits): it replays them.
        plan.norm := corgi._merge_params(plan.norm, 'segment_offset=' || run.segment_offsets[k]);
        info := corgi.sgd_state_info(run.final_states[k]);
        last_epoch := coalesce(run.diverged_in[k], run.stopped_in[k], epochs);
        EXECUTE format('INSERT INTO %s VALUES ($1, $2, $3, corgi.sgd_coef($4), corgi.sgd_intercept($4), $4, $5, $6, $7,
                        $8, $9, $10, $11, $12, $13, $14, $15)', out_names.main)
            USING ids[k], plan.model, plan.norm, run.final_states[k], info.loss, info.rows, info.skipped,
                  coalesce(run.best_epoch[k], last_epoch), plan.class_texts, corgi._layers(plan),
                  (SELECT sum(run.epoch_seconds[(i - 1) * n + k]) FROM generate_series(1, last_epoch) i),
                  CASE WHEN run.diverged_in[k] IS NULL THEN run.val_loss[(coalesce(run.best_epoch[k], epochs) - 1) * n + k] END,
                  CASE WHEN run.diverged_in[k] IS NULL THEN run.val_metric[(coalesce(run.best_epoch[k], epochs) - 1) * n + k] END,
                  CASE WHEN plan.val_table IS NOT NULL THEN (corgi.model_traits(plan.model)).metric END,
                  CASE WHEN run.diverged_in[k] IS NOT NULL
                       THEN format('diverged in epoch %s (loss %s)', run.diverged_in[k], run.diverged_loss[k])
                       WHEN run.rung[k] IS NOT NULL AND fit_multiple.schedule = 'hyperband'
                       THEN format('stopped at rung %s of bracket %s', run.rung[k], run.bracket[k])
                       WHEN run.rung[k] IS NOT NULL THEN format('stopped at rung %s', run.rung[k])
                       WHEN run.stopped_in[k] IS NOT NULL
                       THEN format('stopped early in epoch %s (best epoch %s)', run.stopped_in[k], run.best_epoch[k])
                       ELSE 'ok' END;
        orders := '{}';
        FOR e IN 1..last_epoch LOOP
            orders := orders || (corgi.hop_order(run.segment_offsets[k] + 1, n_segments, seed, e - 1))
                                  [run.segment_offsets[k] + 1:run.segment_offsets[k] + 1][1:n_segments];
        END LOOP;
        EXECUTE format('INSERT INTO %s VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)', info_name)
            USING ids[k], plan.model, plan.norm,
                  ARRAY(SELECT run.epoch_loss[(i - 1) * n + k] FROM generate_series(1, last_epoch) i),
                  ARRAY(SELECT run.epoch_seconds[(i - 1) * n + k] FROM generate_series(1, last_epoch) i),
                  ARRAY(SELECT run.epoch_rows[(i - 1) * n + k] FROM generate_series(1, last_epoch) i),
                  CASE WHEN plan.val_table IS NOT NULL THEN
                       ARRAY(SELECT run.val_loss[(i - 1) * n + k] FROM generate_series(1, last_epoch) i) END,
                  CASE WHEN plan.val_table IS NOT NULL THEN
                       ARRAY(SELECT run.val_metric[(i - 1) * n + k] FROM generate_series(1, last_epoch) i) END,
                  orders;
    END LOOP;
    EXECUTE format($f$CREATE TABLE %s AS SELECT
            %L::text AS source_table, %L::text AS out_table, %L::text AS dependent_varname,
            %L::text AS independent_varname, %L::text AS configs_table, $1::integer AS num_configs,
            $2::text[] AS model_types, %L::text AS shuffle, %L::text AS params, $3::bigint AS seed,
            $4::integer AS segments, $5::integer AS epochs, $6::integer AS workers_requested,
            $7::integer[] AS workers_launched, $8::bigint AS block_pages, $9::float8[] AS epoch_wall_seconds,
            $10::float8 AS training_seconds, $11::float8 AS model_seconds, $12::text AS validation_table,
            $13::integer AS num_diverged, $14::text AS path, $15::integer AS servers,
            $16::bigint AS state_bytes_moved, $17::integer AS remote_jobs, $18::float8 AS round_trip_seconds$f$,
            out_names.summary, source_table, out_table, dependent_varname, independent_varname, cfg::text, shuffle,
            shared)
        USING n, ARRAY(SELECT DISTINCT x FROM unnest(models) x ORDER BY 1), seed, n_segments, epochs,
              nullif(n_workers, -1), run.workers_launched, (corgi.sgd_state_info(run.final_states[1])).block_pages,
              run.wall_seconds, wall, (SELECT sum(x) FROM unnest(run.epoch_seconds) x), validation_table,
              (SELECT count(*) FROM unnest(run.diverged_in) d WHERE d IS NOT NULL),
              plans[1].path, run.servers, run.bytes_moved, run.remote_jobs, run.round_trip_seconds;

    PERFORM corgi._end_call();
    RETURN QUERY SELECT (n - (SELECT count(*) FROM unnest(run.diverged_in) d WHERE d IS NOT NULL))::integer,
                        (SELECT count(*) FROM unnest(run.diverged_in) d WHERE d IS NOT NULL)::integer,
                        (SELECT max(x) FROM unnest(run.workers_launched) x), n_segments, wall;
END $$;
COMMENT ON FUNCTION corgi.fit_multiple(text, text, text, text, text, integer, text, text, text, boolean, text, text, text, text) IS
    'trains every config of a configs table (config_id, model, params; see corgi.config_grid) at once by Model Hopper Parallelism on parallel workers: out_table (one model per config, or per config and group with grouping_cols: a config''s groups hop together), out_table_info (per-epoch arrays) and out_table_summary; params are shared (seed, segments, workers, and defaults under each config''s own)';
DROP FUNCTION corgi._hop_epoch(regclass, name, name, bytea[], integer[], integer, bigint, boolean, integer);
CREATE OR REPLACE FUNCTION corgi._hop_epoch(source regclass, features name, label name, states bytea[], offsets integer[],
                                 segments integer, segment_seed bigint, block_shuffle boolean, workers integer,
                                 configs_per_visit integer DEFAULT 1,
                                 OUT states bytea[], OUT seconds float8[], OUT workers_launched integer)
    AS 'MODULE_PATHNAME', 'corgi_hop_epoch'
    LANGUAGE C STABLE STRICT PARALLEL UNSAFE;
COMMENT ON FUNCTION corgi._hop_epoch(regclass, name, name, bytea[], integer[], integer, bigint, boolean, integer, integer) IS
    'internal: one model-hopping epoch of the states over the table''s segments, on parallel workers (models of one offset that see the same rows share each read, up to configs_per_visit at a time); returns the new states, each model''s training seconds and the workers launched';
CREATE OR REPLACE FUNCTION corgi._fit_grouped(plans corgi.training_plan[], ids integer[], src regclass, grouping_cols text,
                                   n_segments integer, seed bigint, n_workers integer, verbose boolean,
                                   info_name text, configs_name text, shared text, schedule text DEFAULT 'grid',
                                   schedule_params text DEFAULT '')
RETURNS TABLE (configs_trained integer, configs_diverged integer, workers_launched integer, segments integer,
               training_seconds float8)
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_variable
DECLARE
    p corgi.training_plan := plans[1];
    n integer := cardinality(plans);
    items text[] := corgi._split_grouping_cols(grouping_cols);
    item text;
    col name;
    names text[] := '{}';
    gtab text := format('pg_temp.%I', 'corgi_fit_groups_' || pg_backend_pid());
    ftab text := format('pg_temp.%I', 'corgi_fit_states_' || pg_backend_pid());
    ctab text := format('pg_temp.%I', 'corgi_fit_configs_' || pg_backend_pid());
    g_all integer;
    keys text[];
    gids bigint[];
    any_standardize boolean;
    classifier boolean;
    bundle bytea;
    bundles bytea[] := '{}';
    run record;
    unb record;
    k integer;
    t0 timestamptz := clock_timestamp();
    wall float8;
    epoch_loss float8[] := array_fill(NULL::float8, ARRAY[n * p.epochs]);
    epoch_rows bigint[] := array_fill(NULL::bigint, ARRAY[n * p.epochs]);
    epoch_seconds float8[] := array_fill(NULL::float8, ARRAY[n * p.epochs]);
    last_epoch integer[] := array_fill(p.epochs, ARRAY[n]);
    wall_seconds float8[] := '{}';
    launched integer[] := '{}';
    n_diverged integer := 0;
    n_failed integer;
    vtab text := format('pg_temp.%I', 'corgi_fit_validation_' || pg_backend_pid());
    val_feat text;
    val_lab text;
    val_keys text;
    val_loss float8[] := array_fill(NULL::float8, ARRAY[n * p.epochs]);
    val_metric float8[] := array_fill(NULL::float8, ARRAY[n * p.epochs]);
    held float8;
    budget float8;
BEGIN
    IF grouping_cols ~ '^\s*$' THEN
        RAISE EXCEPTION 'grouping_cols must name at least one column'
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Write grouping_cols => ''store_id'' or ''store_id, region''.';
    END IF;
    PERFORM corgi._check_offered('fit_multiple', p.source_table, grouped => true, partitions => p.path = 'partitions',
                                 early_stopping => EXISTS (SELECT FROM unnest(plans) x WHERE corgi._param((x).norm, 'patience') IS NOT NULL));
    -- The grouping columns: plain columns of the table (a job reads its pages directly).
    FOREACH item IN ARRAY items LOOP
        col := corgi._grouping_column(src, item);
        PERFORM corgi._check_offered('fit_multiple', p.source_table, grouped => true,
                                     grouping_expression => CASE WHEN col IS NULL THEN item END);
        IF col::text = ANY (names) THEN
            RAISE EXCEPTION 'grouping_cols "%" names column "%" twice', grouping_cols, col USING ERRCODE = 'invalid_parameter_value';
        END IF;
        IF col IN ('config_id', 'model_type', 'params', 'coef', 'intercept', 'model', 'loss', 'num_rows_processed',
                   'num_rows_skipped', 'num_epochs', 'classes', 'layers', 'status') THEN
            RAISE EXCEPTION 'grouping column "%" has the name of an output column', col
                USING ERRCODE = 'duplicate_column', HINT = 'Rename it in a copy of the table.';
        END IF;
        names := names || col::text;
        col := NULL;
    END LOOP;
    IF cardinality(names) > 32 THEN
        RAISE EXCEPTION 'grouping_cols has % items, at most 32 are allowed', cardinality(names)
            USING ERRCODE = 'program_limit_exceeded';
    END IF;
    -- A validation table: each epoch, every config's groups score its rows by group.
    IF p.val_table IS NOT NULL THEN
        FOREACH item IN ARRAY names LOOP
            IF NOT EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = p.val_table AND a.attname = item AND a.attnum > 0
                                                        AND NOT a.attisdropped) THEN
                RAISE EXCEPTION 'validation table % has no grouping column "%"', p.val_table, item
                    USING ERRCODE = 'undefined_column', HINT = 'Validation rows find their group by the grouping columns.';
            END IF;
        END LOOP;
        val_feat := corgi._variable(p.val_table, p.independent_varname, false, 'independent_varname');
        val_lab := corgi._variable(p.val_table, p.dependent_varname, false, 'dependent_varname');
        val_keys := (SELECT string_agg(quote_ident(x), ', ') FROM unnest(names) x);   -- the keys' SQL on its rows
    END IF;

    -- The groups: one counting pass (and each group's feature moments, with standardize).
    any_standardize := EXISTS (SELECT FROM unnest(plans) x WHERE corgi._param((x).norm, 'standardize') = 'true');
    FOREACH item IN ARRAY ARRAY[ftab, ctab, vtab] LOOP
        IF to_regclass(item) IS NOT NULL THEN
            EXECUTE format('DROP TABLE %s', item);
        END IF;
    END LOOP;
    g_all := corgi._count_groups(gtab, src::text, ARRAY(SELECT quote_ident(x) FROM unnest(names) x), names,
                                 p.feat_expr, p.label_code, any_standardize, grouping_cols);
    PERFORM corgi._progress_set(tasks => n * g_all);
    EXECUTE format($q$SELECT array_agg(u.k ORDER BY g."?gid", u.o) FROM %s g,
                          unnest(ARRAY[%s]) WITH ORDINALITY AS u(k, o)$q$,
                   gtab, (SELECT string_agg(format('g.%I::text', x), ', ') FROM unnest(names) x))
        INTO keys;

    -- Every config's groups are held for the whole call (corgi._group_held_mb: the
    -- bundles), beside the trainers one visit opens (checked where they open): too many
    -- for the budget is an error before any state is made.
    held := (SELECT sum(corgi._group_held_mb(g_all, octet_length((x).state), p.epochs)) FROM unnest(plans) x);
    budget := least((SELECT min(corgi._param((x).norm, 'max_buffer_mb')::float8) FROM unnest(plans) x),
                    pg_size_bytes(current_setting('corgi.max_buffer_mb')) / 1048576.0);
    IF held > budget THEN
        RAISE EXCEPTION 'the % groups of grouping_cols "%" need % MB for the states of % configs, more than the % MB budget',
                        g_all, grouping_cols, round(held::numeric, 1), n, budget
            USING ERRCODE = 'program_limit_exceeded',
                  DETAIL = 'A grouped call holds every config''s group states, keys and per-epoch figures for the whole call.',
                  HINT = 'Group by fewer keys, train fewer configs per call, or ask a superuser to raise corgi.max_buffer_mb.';
    END IF;

    -- Each config's bundle: a state per trainable group (no usable row, or a single class
    -- for a classifier: failed), its buffer sized from the group's own rows.
    FOR k IN 1..n LOOP
        classifier := (corgi.model_traits(plans[k].model)).classifier;
        EXECUTE format('SELECT array_agg("?gid" ORDER BY "?gid") FROM %s WHERE "?usable" > 0 AND (NOT $1 OR "?labels" > 1)',
                       gtab)
            INTO gids USING classifier;
        bundle := corgi._bundle(ARRAY(SELECT (g - 1)::integer FROM unnest(gids) g), corgi._group_states(gtab, plans[k], gids));
        IF bundle IS NULL THEN
            RAISE EXCEPTION 'config %: every one of the % groups of grouping_cols "%" failed before training', ids[k], g_all,
                            grouping_cols
                USING ERRCODE = 'invalid_parameter_value', HINT = 'A classifier needs two classes in a group.';
        END IF;
        bundles := bundles || bundle;
    END LOOP;

    -- Epochs (corgi._fit, one statement, one snapshot): the bundles hop; after each, every
    -- group's epoch closes, and a group that diverged leaves its bundle with its last
    -- state (failed, as corgi.train marks it); a config with no group left is set aside.
    EXECUTE format('CREATE TEMP TABLE %s (k integer, gid bigint, state bytea, diverged integer, rung integer, stopped integer)',
                   ftab);
    EXECUTE format('CREATE TEMP TABLE %s (k integer, gid bigint, loss float8, metric float8)', vtab);
    SELECT * INTO run FROM corgi._fit(plans, 'fit_multiple', n_workers, _fit_grouped.verbose, NULL, keys,
        cardinality(names), NULL, names::name[], NULL, val_keys, bundles, ids, _fit_grouped.schedule,
        _fit_grouped.schedule_params);
    -- The groups that left their bundles: diverged (rung 0), or stopped after a rung.
    EXECUTE format($q$INSERT INTO %s SELECT c, g, s, CASE WHEN r = 0 THEN e END, nullif(r, 0), CASE WHEN r > 0 THEN e END
                      FROM unnest($1::integer[], $2::bigint[], $3::bytea[], $4::integer[], $5::integer[]) x(c, g, s, e, r)$q$,
                   ftab)
        USING run.left_config, run.left_group, run.left_state, run.left_epoch, run.left_rung;
    EXECUTE format('INSERT INTO %s SELECT * FROM unnest($1::integer[], $2::bigint[], $3::float8[], $4::float8[])', vtab)
        USING run.scored_config, run.scored_group, run.scored_loss, run.scored_metric;
    bundles := run.final_states;
    epoch_loss := run.epoch_loss; epoch_rows := run.epoch_rows; epoch_seconds := run.epoch_seconds;
    val_loss := run.val_loss; val_metric := run.val_metric;
    launched := run.workers_launched; wall_seconds := run.wall_seconds;
    last_epoch := ARRAY(SELECT coalesce(d, st, p.epochs) FROM unnest(run.diverged_in, run.stopped_in) x(d, st));
    n_diverged := (SELECT count(d) FROM unnest(run.diverged_in) d);
    FOR k IN 1..n LOOP
        CONTINUE WHEN bundles[k] IS NULL;
        unb := corgi._unbundle(bundles[k]);
        EXECUTE format('INSERT INTO %s SELECT $1, g + 1, s, NULL, NULL, NULL FROM unnest($2::integer[], $3::bytea[]) x(g, s)', ftab)
            USING k, unb.groups, unb.states;
    END LOOP;
    wall := extract(epoch FROM clock_timestamp() - t0);

    -- Outputs, only now that every epoch succeeded ------------------------------------
    PERFORM corgi._progress_set(phase => 'writing', tasks_done => n * g_all);
    PERFORM corgi._release_outputs(ARRAY[p.out_main, info_name, p.out_summary]);
    -- Each config's params carry the offset its visits were planned with (they replay it).
    EXECUTE format($f$CREATE TEMP TABLE %s AS
        SELECT k, ($2::integer[])[k] AS config_id, (($1::corgi.training_plan[])[k]).model AS model,
               corgi._merge_params((($1::corgi.training_plan[])[k]).norm, 'segment_offset=' || ($4::integer[])[k]) AS norm,
               (($1::corgi.training_plan[])[k]).class_texts AS classes,
               corgi._layers(($1::corgi.training_plan[])[k]) AS layers, ($4::integer[])[k] AS segment_offset
        FROM generate_series(1, $3) AS k$f$, ctab)
        USING plans, ids, n, run.segment_offsets;
    EXECUTE format($f$CREATE TABLE %s AS
        SELECT c.config_id, %s, c.model AS model_type, c.norm AS params,
               CASE WHEN f.diverged IS NULL THEN corgi.sgd_coef(f.state) END AS coef,
               CASE WHEN f.diverged IS NULL THEN corgi.sgd_intercept(f.state) END AS intercept,
               CASE WHEN f.diverged IS NULL THEN f.state END AS model,
               CASE WHEN f.diverged IS NULL THEN (corgi.sgd_state_info(f.state)).loss END AS loss,
               CASE WHEN f.diverged IS NULL THEN (corgi.sgd_state_info(f.state)).rows END AS num_rows_processed,
               CASE WHEN f.diverged IS NULL THEN (corgi.sgd_state_info(f.state)).skipped END AS num_rows_skipped,
               CASE WHEN f.k IS NOT NULL THEN coalesce(f.diverged, f.stopped, $1) END AS num_epochs,
               c.classes, c.layers,
               CASE WHEN f.diverged IS NULL THEN v.loss END AS validation_loss,
               CASE WHEN f.diverged IS NULL THEN v.metric END AS validation_metric,
               CASE WHEN $2 THEN (corgi.model_traits(c.model)).metric END AS validation_metric_name,
               CASE WHEN f.k IS NULL AND g."?usable" = 0 THEN 'failed: no rows with non-NULL features and label'
                    WHEN f.k IS NULL THEN 'failed: a single class'
                    WHEN f.diverged IS NOT NULL THEN format('failed: diverged in epoch %%s', f.diverged)
                    WHEN f.rung IS NOT NULL THEN format('stopped at rung %%s', f.rung)
                    ELSE 'ok' END AS status
        FROM %s c CROSS JOIN %s g LEFT JOIN %s f ON f.k = c.k AND f.gid = g."?gid"
             LEFT JOIN %s v ON v.k = c.k AND v.gid = g."?gid"
        ORDER BY c.config_id, g."?gid"$f$,
        p.out_main, (SELECT string_agg(format('g.%I', x), ', ') FROM unnest(names) x), ctab, gtab, ftab, vtab)
        USING p.epochs, p.val_table IS NOT NULL;
    EXECUTE format('SELECT count(*) FROM %s WHERE status <> %L AND status NOT LIKE %L', p.out_main, 'ok', 'stopped%')
        INTO n_failed;
    EXECUTE format($f$CREATE TABLE %s AS
        SELECT c.config_id, c.model AS model_type, c.norm AS params,
               ARRAY(SELECT $1[(i - 1) * $4 + c.k] FROM generate_series(1, $5[c.k]) i) AS epoch_loss,
               ARRAY(SELECT $2[(i - 1) * $4 + c.k] FROM generate_series(1, $5[c.k]) i) AS epoch_seconds,
               ARRAY(SELECT $3[(i - 1) * $4 + c.k] FROM generate_series(1, $5[c.k]) i) AS epoch_rows,
               CASE WHEN $9 THEN ARRAY(SELECT $10[(i - 1) * $4 + c.k] FROM generate_series(1, $5[c.k]) i) END AS validation_loss,
               CASE WHEN $9 THEN ARRAY(SELECT $11[(i - 1) * $4 + c.k] FROM generate_series(1, $5[c.k]) i) END AS validation_metric,
               (SELECT count(*) FROM %s f WHERE f.k = c.k AND f.diverged IS NULL)::integer AS num_groups_trained,
               $6 - (SELECT count(*) FROM %s f WHERE f.k = c.k AND f.diverged IS NULL)::integer AS num_failed_groups,
               ARRAY(SELECT ARRAY(SELECT unnest((corgi.hop_order(c.segment_offset + 1, $7, $8, i - 1))
                                                [c.segment_offset + 1:c.segment_offset + 1][1:$7]))
                     FROM generate_series(1, $5[c.k]) i) AS segment_order
        FROM %s c ORDER BY c.config_id$f$, info_name, ftab, ftab, ctab)
        USING epoch_loss, epoch_seconds, epoch_rows, n, last_epoch, g_all, n_segments, seed, p.val_table IS NOT NULL,
              val_loss, val_metric;
    EXECUTE format($f$CREATE TABLE %s AS SELECT
            %L::text AS source_table, %L::text AS out_table, %L::text AS dependent_varname,
            %L::text AS independent_varname, %L::text AS configs_table, $1::integer AS num_configs,
            $2::text[] AS model_types, %L::text AS shuffle, %L::text AS params, $3::bigint AS seed,
            $4::integer AS segments, $5::integer AS epochs, $6::integer AS workers_requested,
            $7::integer[] AS workers_launched, $8::bigint AS block_pages, $9::float8[] AS epoch_wall_seconds,
            $10::float8 AS training_seconds, $11::float8 AS model_seconds, $16::text AS validation_table,
            $12::integer AS num_diverged, 'fast'::text AS path, %L::text AS grouping_cols,
            $13::text[] AS grouping_columns, $14::integer AS num_all_groups, $15::integer AS num_failed_groups$f$,
            p.out_summary, p.source_table, p.out_table, p.dependent_varname, p.independent_varname, configs_name,
            p.shuffle, shared, grouping_cols)
        USING n, ARRAY(SELECT DISTINCT (x).model FROM unnest(plans) x ORDER BY 1), seed, n_segments, p.epochs,
              nullif(n_workers, -1), launched, (corgi.sgd_state_info(p.state)).block_pages, wall_seconds, wall,
              (SELECT sum(x) FROM unnest(epoch_seconds) x), n_diverged, names, g_all, n_failed,
              p.val_table::text;
    EXECUTE format('DROP TABLE %s, %s, %s, %s', gtab, ftab, ctab, vtab);
    RETURN QUERY SELECT n - n_diverged, n_diverged, (SELECT max(x) FROM unnest(launched) x), n_segments, wall;
END $$;
COMMENT ON FUNCTION corgi._fit_grouped(corgi.training_plan[], integer[], regclass, text, integer, bigint, integer, boolean, text, text, text, text, text) IS
    'internal: corgi.fit_multiple with grouping_cols after its plans: groups, a bundle of group states per config, the hopping epochs, and out_table (config x group), out_table_info and out_table_summary';

-- Exact linear regression (MADlib's linregr): the aggregate, the Breusch-Pagan pass,
-- predict, and linregr_train with its helpers.
CREATE TYPE corgi.linregr_result AS (
    coef float8[],
    r2 float8,
    std_err float8[],
    t_stats float8[],
    p_values float8[],
    condition_no float8,
    num_rows_processed bigint,
    num_missing_rows_skipped bigint,
    variance_covariance float8[]
);
COMMENT ON TYPE corgi.linregr_result IS
    'what corgi.linregr returns (MADlib''s linregr_result): coefficients, r2, standard errors, t statistics, two-sided p-values (Student t, n - k degrees of freedom), the condition number of X, rows used and skipped, and the k x k variance-covariance matrix';
CREATE OR REPLACE FUNCTION corgi._linregr_transition(internal, float8, float8[]) RETURNS internal
    AS 'MODULE_PATHNAME', 'corgi_linregr_transition'
    LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION corgi._linregr_transition(internal, float8, float8[]) IS
    'internal: transition of corgi.linregr (adds a row to X^T X and X^T y; skips and counts a row with a NULL)';
CREATE OR REPLACE FUNCTION corgi._linregr_final(internal) RETURNS corgi.linregr_result
    AS 'MODULE_PATHNAME', 'corgi_linregr_final'
    LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION corgi._linregr_final(internal) IS
    'internal: final of corgi.linregr (the pseudo-inverse solve and the statistics)';
CREATE AGGREGATE corgi.linregr(dependent float8, independent float8[]) (
    SFUNC = corgi._linregr_transition,
    STYPE = internal,
    FINALFUNC = corgi._linregr_final,
    PARALLEL = UNSAFE
);
COMMENT ON AGGREGATE corgi.linregr(float8, float8[]) IS
    'exact least squares of dependent on independent (write 1 as a feature for an intercept, as in MADlib''s linregr); rows with a NULL are skipped and counted; at most 500 features';
CREATE OR REPLACE FUNCTION corgi._linregr_bp_transition(internal, float8, float8[], float8[], integer) RETURNS internal
    AS 'MODULE_PATHNAME', 'corgi_linregr_bp_transition'
    LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION corgi._linregr_bp_transition(internal, float8, float8[], float8[], integer) IS
    'internal: transition of corgi._linregr_bp (adds a row''s squared residual under its group''s fit)';
CREATE OR REPLACE FUNCTION corgi._linregr_bp_final(internal) RETURNS float8[]
    AS 'MODULE_PATHNAME', 'corgi_linregr_bp_final'
    LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION corgi._linregr_bp_final(internal) IS
    'internal: final of corgi._linregr_bp';
CREATE AGGREGATE corgi._linregr_bp(dependent float8, independent float8[], coefs float8[], "group" integer) (
    SFUNC = corgi._linregr_bp_transition,
    STYPE = internal,
    FINALFUNC = corgi._linregr_bp_final,
    PARALLEL = UNSAFE
);
COMMENT ON AGGREGATE corgi._linregr_bp(float8, float8[], float8[], integer) IS
    'internal: {bp_stats, bp_p_value}: the Breusch-Pagan test of the fit in row "group" of coefs (one row per group): Koenker''s n R^2 of the squared residuals on the features, chi-squared with k - 1 degrees of freedom';
CREATE OR REPLACE FUNCTION corgi.linregr_predict(coef float8[], independent float8[]) RETURNS float8
    AS 'MODULE_PATHNAME', 'corgi_linregr_predict'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION corgi.linregr_predict(float8[], float8[]) IS
    'the prediction coef . independent of a linear model (MADlib''s linregr_predict); NULL when a feature is NULL';
CREATE OR REPLACE FUNCTION corgi._writable_outputs(call text, out_table text, caller_path text,
                                        OUT main text, OUT summary text, OUT schema text)
LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    SELECT o.main, o.summary, o.schema INTO main, summary, schema FROM corgi._output_names(out_table, caller_path) o;
    IF to_regclass(main) IS NOT NULL OR to_regclass(summary) IS NOT NULL THEN
        RAISE EXCEPTION 'output table % already exists', CASE WHEN to_regclass(main) IS NOT NULL THEN main ELSE summary END
            USING ERRCODE = 'duplicate_table', HINT = 'Drop it first, or choose another out_table.';
    END IF;
    IF current_setting('transaction_read_only')::boolean THEN
        RAISE EXCEPTION '% cannot write % in a read-only transaction', call, main USING ERRCODE = 'read_only_sql_transaction';
    END IF;
    IF NOT has_schema_privilege(schema, 'CREATE') THEN
        RAISE EXCEPTION 'permission denied to create % in schema %', main, schema
            USING ERRCODE = 'insufficient_privilege', HINT = 'Choose an out_table in a schema where you can create tables.';
    END IF;
END $$;
COMMENT ON FUNCTION corgi._writable_outputs(text, text, text) IS
    'internal: quoted qualified names of a call''s output table and its summary, refused when one exists, the transaction is read-only or the schema is not writable';
CREATE OR REPLACE FUNCTION corgi._readable_source(call text, source_table text, caller_path text) RETURNS regclass
LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    src regclass := corgi._resolve_table(source_table, caller_path);
BEGIN
    IF src IS NULL THEN
        RAISE EXCEPTION 'source table "%" does not exist', source_table
            USING ERRCODE = 'undefined_table', HINT = 'Check the name and your search_path.';
    END IF;
    IF NOT has_table_privilege(src, 'SELECT') AND NOT has_any_column_privilege(src, 'SELECT') THEN
        RAISE EXCEPTION 'permission denied for table %', source_table USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN src;
END $$;
COMMENT ON FUNCTION corgi._readable_source(text, text, text) IS
    'internal: the source table a call names, refused when it does not exist or the caller may not read it';
CREATE OR REPLACE FUNCTION corgi._column_or_expression(src regclass, source_table text, argument text, value text) RETURNS text
LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    col name;
BEGIN
    SELECT a.attname INTO col FROM pg_attribute a
     WHERE a.attrelid = src AND a.attname = value AND a.attnum > 0 AND NOT a.attisdropped;
    IF col IS NOT NULL THEN
        RETURN quote_ident(col);
    END IF;
    IF value ~ '^[A-Za-z_][A-Za-z0-9_$]*$' OR value ~ '^\s*$' THEN
        RAISE EXCEPTION '% "%" is not a column of %', argument, value, source_table
            USING ERRCODE = 'undefined_column', HINT = 'Name a column, or write an expression such as ARRAY[1, x1, x2].';
    END IF;
    RETURN '(' || value || ')';
END $$;
COMMENT ON FUNCTION corgi._column_or_expression(regclass, text, text, text) IS
    'internal: a quoted column of src, or the parenthesized expression; a bare name that is not a column is an error';
CREATE OR REPLACE FUNCTION corgi._grouping_keys(src regclass, source_table text, grouping_cols text, reserved text[],
                                     OUT exprs text[], OUT names text[])
LANGUAGE plpgsql VOLATILE STRICT PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    item text;
    col name;
    key_name text;
BEGIN
    exprs := '{}';
    names := '{}';
    IF grouping_cols ~ '^\s*$' THEN
        RAISE EXCEPTION 'grouping_cols must name at least one column or expression'
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Write grouping_cols => ''store_id'' or ''store_id, region''.';
    END IF;
    FOREACH item IN ARRAY corgi._split_grouping_cols(grouping_cols) LOOP
        IF item = '' THEN
            RAISE EXCEPTION 'grouping_cols "%" has an empty item', grouping_cols USING ERRCODE = 'invalid_parameter_value';
        END IF;
        col := corgi._grouping_column(src, item);
        IF col IS NULL AND item ~ '^([A-Za-z_][A-Za-z0-9_$]*|".+")$' THEN
            RAISE EXCEPTION 'grouping column "%" is not a column of %', item, source_table
                USING ERRCODE = 'undefined_column', HINT = 'Name columns of the source, or write expressions.';
        END IF;
        IF col IS NOT NULL AND quote_ident(col) = ANY (exprs) THEN
            RAISE EXCEPTION 'grouping_cols "%" names column "%" twice', grouping_cols, col
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
        IF col IS NOT NULL THEN
            exprs := exprs || quote_ident(col)::text;
            key_name := col;
        ELSE
            PERFORM corgi._check_grouping_expression(src, item, grouping_cols);
            exprs := exprs || ('(' || item || ')');
            key_name := coalesce(nullif(left(btrim(regexp_replace(lower(item), '[^a-z0-9_]+', '_', 'g'), '_'), 60), ''),
                                 'group_' || cardinality(exprs));
        END IF;
        IF key_name = ANY (names) THEN
            key_name := left(key_name, 55) || '_' || cardinality(exprs);
        END IF;
        IF key_name = ANY (reserved) THEN
            RAISE EXCEPTION 'grouping column "%" has the name of an output column', key_name
                USING ERRCODE = 'duplicate_column', HINT = 'Group by an expression of it instead, e.g. (coef)::text.';
        END IF;
        names := names || key_name;
    END LOOP;
    IF cardinality(exprs) > 32 THEN
        RAISE EXCEPTION 'grouping_cols has % items, at most 32 are allowed', cardinality(exprs) USING ERRCODE = 'program_limit_exceeded';
    END IF;
END $$;
COMMENT ON FUNCTION corgi._grouping_keys(regclass, text, text, text[]) IS
    'internal: the key expressions of grouping_cols (quoted columns or parenthesized expressions, checked) and their output column names';
CREATE OR REPLACE FUNCTION corgi._regression_variables(src regclass, dependent_varname text, independent_varname text, task text,
                                            source_table text, OUT dep text, OUT indep text)
LANGUAGE plpgsql VOLATILE STRICT PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    types record;
BEGIN
    dep := corgi._column_or_expression(src, source_table, 'dependent_varname', dependent_varname);
    indep := corgi._column_or_expression(src, source_table, 'independent_varname', independent_varname);
    EXECUTE format('SELECT pg_typeof(%s)::text AS dep, pg_typeof(%s)::text AS indep FROM %s LIMIT 1', dep, indep, src) INTO types;
    IF types.indep IS NOT NULL AND types.indep NOT IN ('double precision[]', 'real[]', 'numeric[]', 'integer[]', 'bigint[]', 'smallint[]') THEN
        RAISE EXCEPTION 'independent_varname "%" has type %, expected a numeric array', independent_varname, types.indep
            USING ERRCODE = 'datatype_mismatch', HINT = 'Write an array expression such as ARRAY[1, x1, x2] (1 for the intercept).';
    END IF;
    IF task = 'regression' AND types.dep IS NOT NULL AND types.dep NOT IN ('double precision', 'real', 'numeric', 'integer', 'bigint', 'smallint') THEN
        RAISE EXCEPTION 'dependent_varname "%" has type %, expected a number', dependent_varname, types.dep
            USING ERRCODE = 'datatype_mismatch', HINT = 'Regress a numeric column or expression.';
    END IF;
    IF task = 'binary' AND types.dep IS NOT NULL AND types.dep NOT IN ('boolean', 'integer', 'smallint', 'bigint') THEN
        RAISE EXCEPTION 'dependent_varname "%" has type %, expected boolean or an integer 0/1', dependent_varname, types.dep
            USING ERRCODE = 'datatype_mismatch', HINT = 'Write a condition such as ''crimerat >= 110''; it is cast ::boolean as in MADlib.';
    END IF;
END $$;
COMMENT ON FUNCTION corgi._regression_variables(regclass, text, text, text, text) IS
    'internal: the dependent and independent variables of an exact regression as SQL text, their types checked for the task (regression or binary)';
CREATE OR REPLACE FUNCTION corgi.linregr_train(
    source_table text,
    out_table text,
    dependent_varname text,
    independent_varname text,
    grouping_cols text DEFAULT NULL,
    heteroskedasticity_option boolean DEFAULT false,
    -- Evaluated in the caller's context before the SET below applies: the path table
    -- names are resolved against.
    caller_search_path text DEFAULT pg_catalog.current_setting('search_path'))
RETURNS void
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    src regclass;
    outs record;
    dep text;
    indep text;
    keys record;
    key_select text := '';
    key_group text := '';
    key_cols text := '';
    key_texts text;
    key_row text;
    bp_with text := '';
    bp_join text := '';
    fits text := format('pg_temp.%I', 'corgi_linregr_' || pg_backend_pid());
    totals record;
BEGIN
    IF source_table IS NULL OR out_table IS NULL OR dependent_varname IS NULL OR independent_varname IS NULL
       OR heteroskedasticity_option IS NULL OR caller_search_path IS NULL THEN
        RAISE EXCEPTION 'corgi.linregr_train arguments must not be NULL (grouping_cols excepted)'
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    src := corgi._readable_source('corgi.linregr_train', source_table, caller_search_path);
    outs := corgi._writable_outputs('corgi.linregr_train', out_table, caller_search_path);
    SELECT v.dep, v.indep INTO dep, indep FROM corgi._regression_variables(src, dependent_varname, independent_varname, 'regression', source_table) v;
    IF grouping_cols IS NOT NULL THEN
        keys := corgi._grouping_keys(src, source_table, grouping_cols,
                                     ARRAY['coef', 'r2', 'std_err', 't_stats', 'p_values', 'condition_no', 'bp_stats',
                                           'bp_p_value', 'num_rows_processed', 'num_missing_rows_skipped', 'variance_covariance']);
        SELECT string_agg(format('%s AS %I, ', e, n), ''), 'GROUP BY ' || string_agg(e, ', '),
               string_agg(format('%I, ', n), ''), string_agg(format('f.%I::text', n), ', '), string_agg(e, ', ')
          INTO key_select, key_group, key_cols, key_texts, key_row
          FROM unnest(keys.exprs, keys.names) u(e, n);
    END IF;
    IF heteroskedasticity_option THEN
        -- The second pass finds each row's group among the first pass's (GROUP BY's
        -- equality, NULL keys included) and regresses its squared residual under the
        -- group's fit: one row of coefs per group, padded with NULLs to the widest.
        bp_join := format($q$ LEFT JOIN (SELECT s."?g", corgi._linregr_bp(s.d, s.x, (SELECT coefs FROM c), s."?g") AS bp
                                          FROM (SELECT %1$s AS "?g", (%2$s)::float8 AS d, (%3$s)::float8[] AS x FROM %4$s) s
                                         GROUP BY s."?g") b ON b."?g" = f."?g"$q$,
                          CASE WHEN grouping_cols IS NULL THEN '1'
                               ELSE format('corgi._group_index(ROW(%s), (SELECT keys FROM c))', key_row) END,
                          dep, indep, src);
        bp_with := format($q$, w AS (SELECT coalesce(max(cardinality((r).coef)), 1) AS k FROM f),
                               c AS (SELECT (SELECT array_agg(coalesce((f.r).coef, '{}') || array_fill(NULL::float8, ARRAY[w.k - coalesce(cardinality((f.r).coef), 0)])
                                                           ORDER BY f."?g") FROM f, w) AS coefs,
                                     (SELECT array_agg(u.k ORDER BY f."?g", u.o) FROM f, unnest(ARRAY[%s]) WITH ORDINALITY u(k, o)) AS keys)$q$,
                          coalesce(key_texts, 'NULL::text'));
    END IF;
    -- Both passes in one statement: one snapshot.
    IF to_regclass(fits) IS NOT NULL THEN
        EXECUTE format('DROP TABLE %s', fits);
    END IF;
    EXECUTE format($q$CREATE TEMP TABLE %1$s AS
                      WITH f AS MATERIALIZED (SELECT row_number() OVER () AS "?g", q.*
                                               FROM (SELECT %2$s corgi.linregr((%3$s)::float8, (%4$s)::float8[]) AS r FROM %5$s %6$s) q) %7$s
                      SELECT f.* %8$s FROM f %9$s$q$,
                   fits, key_select, dep, indep, src, key_group, bp_with,
                   CASE WHEN heteroskedasticity_option THEN ', b.bp' ELSE '' END, bp_join);
    EXECUTE format('SELECT count(*) FILTER (WHERE (r).coef IS NOT NULL) AS fitted, coalesce(sum((r).num_rows_processed), 0) AS processed,
                           coalesce(sum((r).num_missing_rows_skipped), 0) AS skipped FROM %s', fits) INTO totals;
    IF totals.fitted = 0 THEN
        RAISE EXCEPTION 'source table % has no rows with non-NULL dependent and independent values (% rows skipped)', source_table, totals.skipped
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Regress a table with data.';
    END IF;
    EXECUTE format('CREATE TABLE %1$s AS SELECT %2$s (r).coef, (r).r2, (r).std_err, (r).t_stats, (r).p_values, (r).condition_no, %3$s
                           (r).num_rows_processed, (r).num_missing_rows_skipped, (r).variance_covariance
                    FROM %4$s WHERE (r).coef IS NOT NULL ORDER BY %2$s 1',
                   outs.main, key_cols, CASE WHEN heteroskedasticity_option THEN 'bp[1] AS bp_stats, bp[2] AS bp_p_value,' ELSE '' END, fits);
    EXECUTE format('CREATE TABLE %s AS SELECT %L::text AS method, %L::text AS source_table, %L::text AS out_table,
                           %L::text AS dependent_varname, %L::text AS independent_varname, %s::bigint AS num_rows_processed,
                           %s::bigint AS num_missing_rows_skipped, %L::text AS grouping_col',
                   outs.summary, 'linregr', source_table, out_table, dependent_varname, independent_varname,
                   totals.processed, totals.skipped, grouping_cols);
    EXECUTE format('DROP TABLE %s', fits);
END $$;
COMMENT ON FUNCTION corgi.linregr_train(text, text, text, text, text, boolean, text) IS
    'exact linear regression (MADlib''s linregr_train): out_table gets per group coef, r2, std_err, t_stats, p_values, condition_no, with heteroskedasticity_option the Breusch-Pagan bp_stats and bp_p_value, rows processed and skipped and variance_covariance; out_table_summary the call; caller_search_path (leave it out) is the path the names are resolved against';
REVOKE EXECUTE ON FUNCTION corgi._linregr_transition(internal, float8, float8[]),
                           corgi._linregr_final(internal),
                           corgi._linregr_bp_transition(internal, float8, float8[], float8[], integer),
                           corgi._linregr_bp_final(internal)
    FROM PUBLIC;

-- Logistic regression by IRLS (MADlib's logregr).
CREATE OR REPLACE FUNCTION corgi._logregr_irls(row_query text, groups integer, max_iter integer, tolerance float8, verbose boolean,
                                    intercept boolean DEFAULT false)
    RETURNS TABLE (g integer, coef float8[], log_likelihood float8, std_err float8[], z_stats float8[],
                   p_values float8[], odds_ratios float8[], condition_no float8, num_rows_processed bigint,
                   num_missing_rows_skipped bigint, num_iterations integer, variance_covariance float8[], status text)
    AS 'MODULE_PATHNAME', 'corgi_logregr_irls'
    LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION corgi._logregr_irls(text, integer, integer, float8, boolean, boolean) IS
    'internal: logistic regression by IRLS of the rows of row_query ((group 1..groups, dependent boolean, independent float8[]), run with the caller''s rights, one pass per iteration under one snapshot; intercept: a 1 after each row''s features), one row per group';
CREATE OR REPLACE FUNCTION corgi.logregr_predict(coef float8[], independent float8[]) RETURNS boolean
    AS 'MODULE_PATHNAME', 'corgi_logregr_predict'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION corgi.logregr_predict(float8[], float8[]) IS
    'the class a logistic model predicts: coef . independent > 0 (MADlib''s logregr_predict); NULL when a feature is NULL';
CREATE OR REPLACE FUNCTION corgi.logregr_predict_prob(coef float8[], independent float8[]) RETURNS float8
    AS 'MODULE_PATHNAME', 'corgi_logregr_predict_prob'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION corgi.logregr_predict_prob(float8[], float8[]) IS
    'the probability of true a logistic model gives: 1 / (1 + exp(-coef . independent)) (MADlib''s logregr_predict_prob); NULL when a feature is NULL';
CREATE OR REPLACE FUNCTION corgi.logregr_train(
    source_table text,
    out_table text,
    dependent_varname text,
    independent_varname text,
    grouping_cols text DEFAULT NULL,
    max_iter integer DEFAULT 20,
    optimizer text DEFAULT 'irls',
    tolerance float8 DEFAULT 0.0001,
    verbose boolean DEFAULT false,
    -- Evaluated in the caller's context before the SET below applies: the path table
    -- names are resolved against.
    caller_search_path text DEFAULT pg_catalog.current_setting('search_path'))
RETURNS void
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    src regclass;
    outs record;
    dep text;
    indep text;
    keys record;
    gtab text := format('pg_temp.%I', 'corgi_logregr_groups_' || pg_backend_pid());
    key_texts text[];
    n_groups integer := 1;
    group_expr text := '1';
    key_cols text := '';
    key_join text := '';
    totals record;
BEGIN
    IF source_table IS NULL OR out_table IS NULL OR dependent_varname IS NULL OR independent_varname IS NULL
       OR max_iter IS NULL OR optimizer IS NULL OR tolerance IS NULL OR logregr_train.verbose IS NULL OR caller_search_path IS NULL THEN
        RAISE EXCEPTION 'corgi.logregr_train arguments must not be NULL (grouping_cols excepted)'
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF lower(optimizer) NOT IN ('irls', 'newton') THEN
        RAISE EXCEPTION 'optimizer "%" is not offered by corgi.logregr_train', optimizer
            USING ERRCODE = 'feature_not_supported',
                  HINT = 'Use ''irls'' (or ''newton'', the same). For stochastic gradient descent use corgi.train(..., ''logistic'').';
    END IF;
    -- One snapshot for the call: ungrouped, pinned now, before the first read of the
    -- source; grouped, by the query that finds the groups (the passes must see them all).
    PERFORM corgi._begin_call();
    IF grouping_cols IS NULL THEN
        PERFORM corgi._pin_snapshot();
    END IF;
    src := corgi._readable_source('corgi.logregr_train', source_table, caller_search_path);
    outs := corgi._writable_outputs('corgi.logregr_train', out_table, caller_search_path);
    SELECT v.dep, v.indep INTO dep, indep FROM corgi._regression_variables(src, dependent_varname, independent_varname, 'binary', source_table) v;
    IF grouping_cols IS NOT NULL THEN
        keys := corgi._grouping_keys(src, source_table, grouping_cols,
                                     ARRAY['coef', 'log_likelihood', 'std_err', 'z_stats', 'p_values', 'odds_ratios', 'condition_no',
                                           'num_rows_processed', 'num_missing_rows_skipped', 'num_iterations', 'variance_covariance']);
        -- The groups, counted under the snapshot the call pins: every pass reads it.
        IF to_regclass(gtab) IS NOT NULL THEN
            EXECUTE format('DROP TABLE %s', gtab);
        END IF;
        EXECUTE format('CREATE TEMP TABLE %s AS SELECT row_number() OVER () AS "?g", %s FROM %s WHERE (SELECT corgi._pin_snapshot()) IS NOT NULL GROUP BY %s',
                       gtab, (SELECT string_agg(format('%s AS %I', e, n), ', ') FROM unnest(keys.exprs, keys.names) u(e, n)),
                       src, array_to_string(keys.exprs, ', '));
        EXECUTE format('SELECT count(*), array_agg(u.k ORDER BY t."?g", u.o) FROM %s t, unnest(ARRAY[%s]) WITH ORDINALITY u(k, o)',
                       gtab, (SELECT string_agg(format('t.%I::text', n), ', ') FROM unnest(keys.names) n))
            INTO n_groups, key_texts;
        EXECUTE format('SELECT count(*) FROM %s', gtab) INTO n_groups;
        IF n_groups = 0 THEN
            RAISE EXCEPTION 'source table % has no rows', source_table USING ERRCODE = 'invalid_parameter_value', HINT = 'Regress a table with data.';
        END IF;
        group_expr := format('corgi._group_index(ROW(%s), %L::text[])', array_to_string(keys.exprs, ', '), key_texts);
        key_cols := (SELECT string_agg(format('t.%I, ', n), '') FROM unnest(keys.names) n);
        key_join := format('JOIN %s t ON t."?g" = f.g ORDER BY %s', gtab,
                           (SELECT string_agg(format('t.%I', n), ', ') FROM unnest(keys.names) n));
    END IF;
    IF to_regclass('pg_temp.corgi_logregr_fits') IS NOT NULL THEN
        DROP TABLE pg_temp.corgi_logregr_fits;
    END IF;
    EXECUTE format('CREATE TEMP TABLE corgi_logregr_fits AS SELECT * FROM corgi._logregr_irls($1, $2, $3, $4, $5)')
        USING format('SELECT (%s)::integer, (%s)::boolean, (%s)::float8[] FROM %s', group_expr, dep, indep, src),
              n_groups, max_iter, tolerance, logregr_train.verbose;
    -- Separated: a mean log-likelihood above -1e-4 per row (every row fitted with
    -- probability near 1): the maximum-likelihood estimate does not exist.
    SELECT count(*) FILTER (WHERE f.coef IS NULL) AS failed, count(*) FILTER (WHERE f.status = 'max_iter reached') AS at_limit,
           count(*) FILTER (WHERE f.log_likelihood > -1e-4 * f.num_rows_processed) AS separated,
           coalesce(sum(f.num_rows_processed), 0) AS processed, coalesce(sum(f.num_missing_rows_skipped), 0) AS skipped
      INTO totals FROM pg_temp.corgi_logregr_fits f;
    IF totals.processed = 0 THEN
        RAISE EXCEPTION 'source table % has no rows with non-NULL dependent and independent values (% rows skipped)', source_table, totals.skipped
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Regress a table with data.';
    END IF;
    IF totals.at_limit > 0 THEN
        RAISE NOTICE '% of % groups reached max_iter (%) before the log-likelihood changed by less than %', totals.at_limit, n_groups, max_iter, tolerance
            USING HINT = 'Their statistics are at the last coefficients; raise max_iter to go on.';
    END IF;
    IF totals.separated > 0 THEN
        RAISE NOTICE '% of % groups have separated classes (or one class): the maximum-likelihood estimate does not exist', totals.separated, n_groups
            USING DETAIL = 'Their coefficients grow with every iteration; their standard errors, z statistics and p-values are not meaningful.',
                  HINT = 'Drop the feature that separates the classes, or fit with a penalty: corgi.train(..., ''logistic'', params => ''l2=0.01'').';
    END IF;
    EXECUTE format('CREATE TABLE %1$s AS SELECT %2$s f.coef, f.log_likelihood, f.std_err, f.z_stats, f.p_values, f.odds_ratios,
                           f.condition_no, f.num_rows_processed, f.num_missing_rows_skipped, f.num_iterations, f.variance_covariance
                    FROM pg_temp.corgi_logregr_fits f %3$s',
                   outs.main, key_cols,
                   key_join);
    EXECUTE format('CREATE TABLE %s AS SELECT %L::text AS method, %L::text AS source_table, %L::text AS out_table,
                           %L::text AS dependent_varname, %L::text AS independent_varname, %L::text AS optimizer_params,
                           %s::integer AS num_all_groups, %s::integer AS num_failed_groups, %s::bigint AS num_rows_processed,
                           %s::bigint AS num_missing_rows_skipped, %L::text AS grouping_col',
                   outs.summary, 'logregr', source_table, out_table, dependent_varname, independent_varname,
                   format('optimizer=%s, max_iter=%s, tolerance=%s', lower(optimizer), max_iter, tolerance),
                   n_groups, totals.failed, totals.processed, totals.skipped, grouping_cols);
    DROP TABLE pg_temp.corgi_logregr_fits;
    IF grouping_cols IS NOT NULL THEN
        EXECUTE format('DROP TABLE %s', gtab);
    END IF;
    PERFORM corgi._end_call();
END $$;
COMMENT ON FUNCTION corgi.logregr_train(text, text, text, text, text, integer, text, float8, boolean, text) IS
    'logistic regression by IRLS (MADlib''s logregr_train): out_table gets per group coef, log_likelihood, std_err, z_stats, p_values, odds_ratios, condition_no, rows processed and skipped, num_iterations and variance_covariance (NULL statistics for a failed group); out_table_summary the call; caller_search_path (leave it out) is the path the names are resolved against';

-- corgi.train with an exact solver (params solver=exact for linear, solver=irls for logistic).
CREATE OR REPLACE FUNCTION corgi._linregr_fit_transition(internal, float8, float8[], boolean) RETURNS internal
    AS 'MODULE_PATHNAME', 'corgi_linregr_fit_transition'
    LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION corgi._linregr_fit_transition(internal, float8, float8[], boolean) IS
    'internal: transition of corgi._linregr_fit (corgi.linregr''s, with a 1 after the features when intercept)';
CREATE OR REPLACE FUNCTION corgi._linregr_fit_final(internal) RETURNS float8[]
    AS 'MODULE_PATHNAME', 'corgi_linregr_fit_final'
    LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION corgi._linregr_fit_final(internal) IS
    'internal: final of corgi._linregr_fit';
CREATE AGGREGATE corgi._linregr_fit(dependent float8, independent float8[], intercept boolean) (
    SFUNC = corgi._linregr_fit_transition,
    STYPE = internal,
    FINALFUNC = corgi._linregr_fit_final,
    PARALLEL = UNSAFE
);
COMMENT ON AGGREGATE corgi._linregr_fit(float8, float8[], boolean) IS
    'internal: {coef..., residual sum of squares, rows, skipped rows} of least squares (corgi.train''s solver=exact)';
REVOKE EXECUTE ON FUNCTION corgi._linregr_fit_transition(internal, float8, float8[], boolean),
                           corgi._linregr_fit_final(internal)
    FROM PUBLIC;
CREATE OR REPLACE FUNCTION corgi._sgd_state_exact(state bytea, weights float8[], intercept float8, rows bigint, skipped bigint,
                                       loss_sum float8, passes integer) RETURNS bytea
    AS 'MODULE_PATHNAME', 'corgi_sgd_state_exact'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION corgi._sgd_state_exact(bytea, float8[], float8, bigint, bigint, float8, integer) IS
    'internal: a fresh linear or logistic state set to an exact solution (weights, intercept) after passes passes over rows rows with summed loss loss_sum';
CREATE OR REPLACE FUNCTION corgi._default_solver(model text, params text, n_features integer) RETURNS text
    AS 'MODULE_PATHNAME', 'corgi_default_solver_sql'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION corgi._default_solver(text, text, integer) IS
    'internal: how corgi.train fits a model whose params name no solver: exact (a linear model whose params only set intercept, seed, max_buffer_mb or average, with at most 500 features and the intercept) or sgd';
CREATE OR REPLACE FUNCTION corgi._train_exact(plan corgi.training_plan, solver text, verbose boolean)
RETURNS TABLE (epochs_run integer, rows_per_epoch bigint, final_loss float8, training_seconds float8)
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_variable
DECLARE
    with_intercept boolean := corgi._param(plan.norm, 'intercept') = 'true';
    x text := format('(%s)::float8[]', plan.feat_expr);
    k integer := plan.n_features;
    t0 timestamptz := clock_timestamp();
    fit record;
    bad float8;
    state bytea;
    loss_sum float8;
    passes integer;
    key text;
BEGIN
    IF NOT ((plan.model = 'linear' AND solver = 'exact') OR (plan.model = 'logistic' AND solver = 'irls')) THEN
        RAISE EXCEPTION 'solver=% does not fit % models', solver, plan.model
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'solver=exact fits linear models (least squares), solver=irls logistic ones; leave solver out for SGD.';
    END IF;
    IF corgi._param(plan.norm, 'l1')::float8 <> 0 OR corgi._param(plan.norm, 'l2')::float8 <> 0 THEN
        RAISE EXCEPTION 'solver=% fits without regularization, got l1=% and l2=%', solver,
                        corgi._param(plan.norm, 'l1'), corgi._param(plan.norm, 'l2')
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Leave l1 and l2 out, or leave solver out for SGD.';
    END IF;
    FOREACH key IN ARRAY ARRAY['segments', 'patience', 'validation_table'] LOOP
        IF corgi._param(plan.norm, key) IS NOT NULL THEN
            RAISE EXCEPTION 'solver=% does not take %', solver, key
                USING ERRCODE = 'feature_not_supported', HINT = 'Leave ' || key || ' out, or leave solver out for SGD.';
        END IF;
    END LOOP;
    PERFORM corgi._reserve_outputs(ARRAY[plan.out_main, plan.out_summary]);
    PERFORM corgi._progress_set(phase => 'training', epoch => 1);
    IF solver = 'exact' THEN
        -- One pass: the fit, its residual sum of squares and the row counts.
        EXECUTE format('SELECT f[1:%1$s] AS coef, f[%1$s + 1] / 2 AS loss_sum, f[%1$s + 2]::bigint AS rows, f[%1$s + 3]::bigint AS skipped
                        FROM (SELECT corgi._linregr_fit((%2$s)::float8, %3$s, %4$L) AS f FROM %5$s) q',
                       k + with_intercept::int, plan.label_code, x, with_intercept, plan.read_from)
            INTO fit;
        passes := 1;
        loss_sum := fit.loss_sum;
    ELSE
        EXECUTE format('SELECT min(l), max(l) FROM (SELECT (%s)::float8 AS l FROM %s) q WHERE l NOT IN (0, 1, -1)',
                       plan.label_code, plan.read_from) INTO bad;
        IF bad IS NOT NULL THEN
            RAISE EXCEPTION 'dependent_varname "%" has the label %', plan.dependent_varname, bad
                USING ERRCODE = 'data_exception', HINT = 'logistic labels must be boolean, 0/1 or -1/+1.';
        END IF;
        -- epochs is IRLS's max_iter; MADlib's tolerance (a change of the log-likelihood).
        SELECT f.coef, f.num_rows_processed AS rows, f.num_missing_rows_skipped AS skipped, f.log_likelihood, f.num_iterations, f.status
          INTO fit
          FROM corgi._logregr_irls(format('SELECT 1, (%s) > 0, %s FROM %s', plan.label_code, x, plan.read_from),
                                   1, plan.epochs, 0.0001, _train_exact.verbose, with_intercept) f;
        IF fit.coef IS NULL THEN
            RAISE EXCEPTION 'the IRLS fit failed (%)', fit.status
                USING ERRCODE = 'data_exception', HINT = 'Check the features for rows that make the Hessian infinite, or leave solver out for SGD.';
        END IF;
        passes := fit.num_iterations + 1;
        loss_sum := -fit.log_likelihood;
        IF fit.log_likelihood > -1e-4 * fit.rows THEN
            RAISE NOTICE 'the classes are separated (or one class only): the maximum-likelihood estimate does not exist'
                USING DETAIL = 'The coefficients grow with every iteration; the model is the last iteration''s.',
                      HINT = 'Drop the feature that separates the classes, or leave solver out (SGD) and add l2.';
        END IF;
    END IF;
    IF fit.coef IS NULL OR fit.rows = 0 THEN
        RAISE EXCEPTION 'source table % has no rows with non-NULL features and label', plan.source_table
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Train on a table with data.';
    END IF;
    state := corgi._sgd_state_exact(plan.state, fit.coef[1:k], CASE WHEN with_intercept THEN fit.coef[k + 1] ELSE 0 END,
                                    fit.rows, fit.skipped, loss_sum, passes);
    plan.path := solver;
    plan.shuffle := 'none';
    plan.epochs := passes;
    RETURN QUERY SELECT * FROM corgi._train_write(plan, state, array_fill(NULL::float8, ARRAY[passes - 1]) || (loss_sum / fit.rows),
                                                  array_fill(NULL::float8, ARRAY[passes - 1]) || extract(epoch FROM clock_timestamp() - t0)::float8,
                                                  array_fill(NULL::bigint, ARRAY[passes - 1]) || fit.rows, NULL, NULL, NULL);
END $$;
COMMENT ON FUNCTION corgi._train_exact(corgi.training_plan, text, boolean) IS
    'internal: corgi.train with solver=exact (linear, one pass of corgi.linregr) or solver=irls (logistic, corgi._logregr_irls with epochs as max_iter), written as a corgi.train model';
CREATE OR REPLACE FUNCTION corgi.train(
    source_table text,
    out_table text,
    dependent_varname text,
    independent_varname text,
    model text DEFAULT 'logistic',
    epochs integer DEFAULT 10,
    shuffle text DEFAULT 'corgipile',
    params text DEFAULT '',
    verbose boolean DEFAULT false,
    grouping_cols text DEFAULT NULL,
    -- Evaluated in the caller's context before the SET below applies (defaults are
    -- parsed at CREATE EXTENSION): the path table names are resolved against.
    caller_search_path text DEFAULT pg_catalog.current_setting('search_path'))
RETURNS TABLE (epochs_run integer, rows_per_epoch bigint, final_loss float8, training_seconds float8)
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET synchronize_seqscans = off
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_variable
DECLARE
    plan corgi.training_plan;
    run record;
    solver text;
BEGIN
    -- corgi.train trains one model: one job at a time, nothing for workers to share.
    IF corgi._shared_param(coalesce(params, ''), 'workers') IS NOT NULL THEN
        RAISE EXCEPTION 'corgi.train does not take workers'
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'One model trains one job at a time; parallel workers train several models at once.',
                  HINT = 'Leave workers out, or train several configs with corgi.fit_multiple(..., params => ''workers=2'').';
    END IF;
    -- An exact solver (solver=exact, solver=irls): one fit, no epochs of SGD. Without a
    -- solver, a linear model whose params ask nothing of SGD is fitted exactly too
    -- (corgi._default_solver: the rule is the Swift core's), unless grouped or shuffled
    -- otherwise than by default.
    solver := lower(corgi._shared_param(coalesce(params, ''), 'solver'));
    IF solver IN ('exact', 'irls') OR (solver IS NULL AND grouping_cols IS NULL AND shuffle = 'corgipile'
                                       AND corgi._default_solver(model, coalesce(params, ''), 1) = 'exact') THEN
        IF grouping_cols IS NOT NULL THEN
            RAISE EXCEPTION 'solver=% does not take grouping_cols', solver
                USING ERRCODE = 'feature_not_supported',
                      HINT = 'corgi.linregr_train and corgi.logregr_train fit one model per group exactly.';
        END IF;
        PERFORM corgi._begin_call();
        plan := corgi._train_prepare(source_table, out_table, dependent_varname, independent_varname, model, epochs,
                                     'none', params, caller_search_path, false);
        IF solver IS NOT NULL OR corgi._default_solver(model, coalesce(params, ''), plan.n_features) = 'exact' THEN
            RETURN QUERY SELECT * FROM corgi._train_exact(plan, coalesce(solver, 'exact'), train.verbose);
            PERFORM corgi._end_call();
            RETURN;
        END IF;
        -- Too wide for the exact solver: SGD, prepared for it below.
        PERFORM corgi._end_call();
    END IF;
    -- One snapshot for the call: its counting pass pins it (for grouping, the groups'
    -- counting pass, so the call begins after the whole-table preparation).
    IF grouping_cols IS NULL THEN
        PERFORM corgi._begin_call();
    END IF;
    -- Grouped: shuffle once makes its own copy (with the group keys), so prepare as
    -- 'none'; the whole-table state prepare makes is not used, so its buffer is not
    -- held to max_buffer_mb (each group's is, and all groups of a pass together).
    plan := corgi._train_prepare(source_table, out_table, dependent_varname, independent_varname, model, epochs,
                                 CASE WHEN grouping_cols IS NOT NULL AND shuffle = 'once' THEN 'none' ELSE shuffle END,
                                 CASE WHEN grouping_cols IS NULL THEN params
                                      ELSE corgi._merge_params(coalesce(params, ''), 'max_buffer_mb=1048576') END,
                                 caller_search_path, grouping_cols IS NULL);
    plan.shuffle := shuffle;
    IF grouping_cols IS NOT NULL THEN
        -- One model per group, every group in one pass per epoch (_train_grouped takes
        -- its output names once it knows the groups table's).
        plan.norm := corgi.normalize_params(corgi._merge_params(plan.norm, 'max_buffer_mb='
                         || corgi._param(corgi.normalize_params(coalesce(params, ''), model), 'max_buffer_mb')), model);
        PERFORM corgi._begin_call();
        RETURN QUERY SELECT * FROM corgi._train_grouped(plan, corgi._resolve_table(source_table, caller_search_path),
                                                        grouping_cols, train.verbose);
        PERFORM corgi._end_call();
        RETURN;
    END IF;
    PERFORM corgi._reserve_outputs(ARRAY[plan.out_main, plan.out_summary]);
    -- Epochs: one statement, so every epoch reads the same snapshot (corgi._fit is
    -- STABLE, and its queries use the snapshot of the statement that calls it).
    SELECT * INTO run FROM corgi._fit(ARRAY[plan], 'train', 0, train.verbose);
    -- Stopped early (patience): the epochs run, and the model of the best one.
    plan.epochs := coalesce(run.stopped_in[1], plan.epochs);
    RETURN QUERY SELECT * FROM corgi._train_write(plan, run.final_states[1], run.epoch_loss[1:plan.epochs],
        run.epoch_seconds[1:plan.epochs], run.epoch_rows[1:plan.epochs],
        CASE WHEN plan.val_table IS NOT NULL THEN run.val_loss[1:plan.epochs] END,
        CASE WHEN plan.val_table IS NOT NULL THEN run.val_metric[1:plan.epochs] END,
        CASE WHEN plan.val_table IS NOT NULL THEN run.val_seconds[1:plan.epochs] END, run.best_epoch[1]);
    PERFORM corgi._end_call();
END $$;
COMMENT ON FUNCTION corgi.train(text, text, text, text, text, integer, text, text, boolean, text, text) IS
    'trains a linear, logistic, svm, softmax, mlp or mlp_regression model with CorgiPile SGD (shuffle corgipile|block_only|none|once|sliding_window|mrs) and writes out_table and out_table_summary; grouping_cols trains one model per group (and writes out_table_groups); caller_search_path (leave it out) is the path table names are resolved against';

-- corgi.train's preparation checks its source and outputs with the shared helpers.
CREATE OR REPLACE FUNCTION corgi._train_prepare(
    source_table text, out_table text, dependent_varname text, independent_varname text, model text,
    epochs integer, shuffle text, params text, caller_search_path text, whole_table_buffer boolean DEFAULT true)
RETURNS corgi.training_plan
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET synchronize_seqscans = off
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_variable
DECLARE
    src regclass;
    src_name text;
    out_names record;
    norm text;
    feat_col name;
    label_col name;
    feat_expr text;
    label_expr text;
    label_type text;
    feat_type text;
    label_code text;
    fast boolean;
    partition_hop boolean;
    rels record;
    total_rows bigint;
    usable_rows bigint;
    has_rows boolean;
    sized_by_pages boolean;
    heap_pages bigint;
    sample_rows bigint;
    n_features integer;
    class_texts text[];
    class_values float8[];
    moments float8[];
    buffer_rows bigint;
    state bytea;
    read_from text;
    once_table text;
    once_seconds float8 := 0;
    e integer;
    val_table regclass;
    sample_clause text;
    label_code_negative text;
    path text;
    plan corgi.training_plan;
BEGIN
    -- Arguments -------------------------------------------------------------------
    IF source_table IS NULL OR out_table IS NULL OR dependent_varname IS NULL
       OR independent_varname IS NULL OR model IS NULL OR epochs IS NULL OR shuffle IS NULL THEN
        RAISE EXCEPTION 'corgi.train arguments must not be NULL (params and verbose excepted)'
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    src := corgi._readable_source('corgi.train', source_table, caller_search_path);
    src_name := src::text;
    -- Progress (corgi.training_progress), unless an outer call (fit_multiple) reports it.
    PERFORM corgi._progress_begin('train', src, out_table, epochs, 1);
    IF NOT model = ANY (corgi.model_names()) THEN
        RAISE EXCEPTION 'unknown model "%"', model
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Valid models: ' || array_to_string(corgi.model_names(), ', ') || '.';
    END IF;
    IF NOT shuffle = ANY (corgi.shuffle_names()) THEN
        RAISE EXCEPTION 'unknown shuffle "%"', shuffle
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Valid shuffles: ' || array_to_string(corgi.shuffle_names(), ', ') || '.';
    END IF;
    IF epochs < 1 OR epochs > 100000 THEN
        RAISE EXCEPTION 'epochs must be between 1 and 100000, got %', epochs USING ERRCODE = 'invalid_parameter_value';
    END IF;
    norm := corgi.normalize_params(coalesce(params, ''), model);
    -- Default blocks: 10 MB, but small enough that the table has at least 100 blocks
    -- (measured: a 10% buffer of fewer than ~10 single-class blocks can end an epoch
    -- on one class; see BENCHMARKS.md). An explicit block_mb is used as given.
    -- The table's size: its pages up to the last that holds a tuple (a bulk insert may
    -- leave empty pages at the end, more on one server version than on another).
    heap_pages := coalesce(corgi._heap_data_pages(src), pg_relation_size(src) / current_setting('block_size')::bigint);
    IF coalesce(params, '') !~* '(^|,)\s*block_mb\s*=' AND heap_pages > 0 THEN
        norm := corgi.normalize_params(concat_ws(', ', nullif(params, ''),
                                                 'block_mb=' || corgi._default_block_mb(heap_pages * current_setting('block_size')::bigint)), model);
    END IF;
    -- Fail now, not after the epochs, when the output cannot be written.
    out_names := corgi._writable_outputs('corgi.train', out_table, caller_search_path);
    -- A second session training into the same out_table learns it now, not after its epochs.
    IF NOT pg_try_advisory_xact_lock(hashtext('corgi.train'), hashtext(out_names.main)) THEN
        RAISE EXCEPTION 'another session is training into %', out_names.main
            USING ERRCODE = 'lock_not_available', HINT = 'Wait for it to finish, or choose another out_table.';
    END IF;
    IF corgi._param(norm, 'validation_table') IS NOT NULL THEN
        val_table := corgi._resolve_table(corgi._param(norm, 'validation_table'), caller_search_path);
        IF val_table IS NULL THEN
            RAISE EXCEPTION 'validation table "%" does not exist', corgi._param(norm, 'validation_table')
                USING ERRCODE = 'undefined_table';
        END IF;
    END IF;

    -- Columns: a plain column is quoted; anything else is an SQL expression (as in
    -- MADlib), evaluated with the caller's privileges.
    SELECT a.attname INTO feat_col FROM pg_attribute a
     WHERE a.attrelid = src AND a.attname = independent_varname AND a.attnum > 0 AND NOT a.attisdropped;
    SELECT a.attname INTO label_col FROM pg_attribute a
     WHERE a.attrelid = src AND a.attname = dependent_varname AND a.attnum > 0 AND NOT a.attisdropped;
    -- A bare name that is not a column is a mistake, not an expression.
    IF feat_col IS NULL AND independent_varname ~ '^[A-Za-z_][A-Za-z0-9_$]*$' THEN
        RAISE EXCEPTION 'independent_varname "%" is not a column of %', independent_varname, source_table
            USING ERRCODE = 'undefined_column', HINT = 'Name a float8[] column, or write an expression such as ARRAY[x1, x2].';
    END IF;
    IF label_col IS NULL AND dependent_varname ~ '^[A-Za-z_][A-Za-z0-9_$]*$' THEN
        RAISE EXCEPTION 'dependent_varname "%" is not a column of %', dependent_varname, source_table
            USING ERRCODE = 'undefined_column', HINT = 'Name a column, or write an expression.';
    END IF;
    feat_expr := CASE WHEN feat_col IS NOT NULL THEN quote_ident(feat_col) ELSE '(' || independent_varname || ')' END;
    label_expr := CASE WHEN label_col IS NOT NULL THEN quote_ident(label_col) ELSE '(' || dependent_varname || ')' END;

    EXECUTE format('SELECT pg_typeof(%1$s)::text, pg_typeof(%2$s)::text FROM %3$s LIMIT 1',
                   feat_expr, label_expr, src_name) INTO feat_type, label_type;
    IF feat_type IS NOT NULL AND feat_type NOT IN ('double precision[]', 'real[]', 'numeric[]', 'integer[]', 'bigint[]', 'smallint[]') THEN
        RAISE EXCEPTION 'independent_varname "%" has type %, expected a numeric array', independent_varname, feat_type
            USING ERRCODE = 'datatype_mismatch', HINT = 'Use a float8[] column or an expression such as ARRAY[x1, x2].';
    END IF;
    EXECUTE format('SELECT EXISTS (SELECT FROM %3$s WHERE %1$s IS NOT NULL AND %2$s IS NOT NULL)',
                   feat_expr, label_expr, src_name) INTO has_rows;
    IF NOT has_rows THEN
        EXECUTE format('SELECT count(*) FROM %s', src_name) INTO total_rows;
        RAISE EXCEPTION 'source table % has no rows with non-NULL features and label (% rows in all)', source_table, total_rows
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Train on a table with data.';
    END IF;
    -- Rows, to size the buffer, without a scan of the table: a heap table's page count is
    -- exact and free, and its rows per page are counted on its first pages (a TID range
    -- scan of at most 64 pages); deterministic for a given table layout. Other sources
    -- (views, partitioned tables, inheritance parents) are counted.
    SELECT c.relkind IN ('r', 'm') AND c.relam = (SELECT oid FROM pg_am WHERE amname = 'heap')
           AND NOT EXISTS (SELECT FROM pg_inherits WHERE inhparent = src)
      INTO sized_by_pages FROM pg_class c WHERE c.oid = src;
    IF sized_by_pages THEN
        -- Counted in C, so SELECT on the feature and label columns alone is enough.
        sample_rows := corgi._leading_page_rows(src, least(heap_pages, 64)::integer);
        IF sample_rows IS NULL THEN   -- row-level security: counted through its policies
            EXECUTE format('SELECT count(*) FROM %s WHERE ctid < %L::tid AND (SELECT corgi._pin_snapshot()) IS NOT NULL',
                           src_name, format('(%s,0)', least(heap_pages, 64)))
                INTO sample_rows;
        END IF;
        usable_rows := greatest(1, ceil(sample_rows::numeric * heap_pages / greatest(1, least(heap_pages, 64))))::bigint;
    ELSIF feat_col IS NOT NULL AND label_col IS NOT NULL AND NOT row_security_active(src)
          AND (SELECT c.relkind FROM pg_class c WHERE c.oid = src) = 'p'
          AND NOT EXISTS (SELECT FROM unnest(corgi._segment_tables(src)) l WHERE NOT has_table_privilege(l, 'SELECT')) THEN
        -- A partitioned table is counted partition by partition, so that a foreign
        -- partition counts on its server (postgres_fdw cannot push down a count over the
        -- parent: it would fetch every row).
        usable_rows := corgi._fact((SELECT 'SELECT coalesce(sum(n), 0)::bigint FROM ('
                        || string_agg(format('SELECT count(*) FILTER (WHERE %1$s IS NOT NULL AND %2$s IS NOT NULL) AS n FROM %3$s',
                                             feat_expr, label_expr, l), ' UNION ALL ')
                        || ') c WHERE (SELECT corgi._pin_snapshot()) IS NOT NULL'
                 FROM unnest(corgi._segment_tables(src)) l), NULL::bigint);
    ELSE
        usable_rows := corgi._fact(format('SELECT count(*) FILTER (WHERE %1$s IS NOT NULL AND %2$s IS NOT NULL) FROM %3$s
                        WHERE (SELECT corgi._pin_snapshot()) IS NOT NULL',
                       feat_expr, label_expr, src_name), NULL::bigint);
    END IF;
    EXECUTE format('SELECT cardinality(%1$s) FROM %3$s WHERE %1$s IS NOT NULL AND %2$s IS NOT NULL LIMIT 1',
                   feat_expr, label_expr, src_name) INTO n_features;
    IF n_features IS NULL OR n_features < 1 THEN
        RAISE EXCEPTION 'independent_varname "%" is an empty array in the first row', independent_varname
            USING ERRCODE = 'invalid_parameter_value';
    END IF;

    -- Labels as numbers: boolean -> 1/0; numbers as they are; softmax classes -> their
    -- values (numeric labels) or 0..K-1 (other labels, e.g. text).
    label_code := corgi._label_code(label_expr, label_type, NULL);
    IF label_code IS NULL AND (corgi.model_traits(model)).task <> 'multiclass' THEN
        RAISE EXCEPTION 'dependent_varname "%" has type %, which % cannot use', dependent_varname, label_type, model
            USING ERRCODE = 'datatype_mismatch',
                  HINT = CASE WHEN (corgi.model_traits(model)).task = 'regression' THEN model || ' needs a numeric label.'
                              ELSE model || ' needs a boolean label, or 0/1 or -1/+1.' END;
    END IF;
    IF (corgi.model_traits(model)).task = 'multiclass' THEN
        e := corgi._fact(format('SELECT count(DISTINCT %1$s)::integer FROM %2$s WHERE %1$s IS NOT NULL', label_expr, src_name),
                         NULL::integer);
        IF e > 1000 OR e < 2 THEN
            RAISE EXCEPTION '% needs between 2 and 1000 classes, dependent_varname "%" has %', model, dependent_varname, e
                USING ERRCODE = 'invalid_parameter_value',
                      HINT = CASE WHEN e < 2 THEN 'Use a label with at least two distinct values.'
                                  ELSE 'Group the classes, or use another model.' END;
        END IF;
        IF label_code IS NULL THEN
            class_texts := corgi._fact(format('SELECT array_agg(c ORDER BY c) FROM (SELECT DISTINCT (%1$s)::text AS c FROM %2$s WHERE %1$s IS NOT NULL) d',
                                              label_expr, src_name), NULL::text[]);
            class_values := ARRAY(SELECT generate_series(0, cardinality(class_texts) - 1)::float8);
            label_code := corgi._label_code(label_expr, label_type, class_texts);
        ELSE
            class_values := corgi._fact(format('SELECT array_agg(c ORDER BY c)::float8[] FROM (SELECT DISTINCT %1$s AS c FROM %2$s WHERE %1$s IS NOT NULL) d',
                                               label_code, src_name), NULL::float8[]);
            class_texts := class_values::text[];
        END IF;
    END IF;

    -- Binary classifiers keep their labels as they appeared, {negative, positive}, so
    -- corgi.predict_label can answer in the user's terms.
    IF (corgi.model_traits(model)).task = 'binary' THEN
        IF label_type = 'boolean' THEN
            class_texts := '{false,true}';
        ELSE
            label_code_negative := corgi._fact(format('SELECT (%1$s)::text FROM %2$s WHERE %1$s IS NOT NULL AND (%1$s)::float8 <> 1 LIMIT 1',
                                                      label_expr, src_name), NULL::text);
            class_texts := ARRAY[coalesce(label_code_negative, '0'), '1'];
        END IF;
    END IF;

    -- A partitioned table: model hopping over its leaf partitions, each read where it
    -- lives (a local heap partition here, a postgres_fdw foreign partition on its server),
    -- so no row moves. corgi.fit_multiple always hops (it sets segments); corgi.train
    -- hops when a partition is foreign (else it reads the partitions through a query).
    -- Decided before the state is made: segments, if left out, becomes the partitions.
    SELECT c.relkind INTO rels FROM pg_class c WHERE c.oid = src;
    partition_hop := rels.relkind = 'p' AND shuffle <> 'once'
        AND (corgi._param(norm, 'segments') IS NOT NULL
             OR EXISTS (SELECT FROM pg_partition_tree(src) t JOIN pg_class c ON c.oid = t.relid
                         WHERE t.isleaf AND c.relkind = 'f'));
    IF partition_hop THEN
        e := cardinality(corgi._segment_tables(src));
        IF feat_col IS NULL OR label_col IS NULL OR NOT feat_type = ANY (corgi._feature_types())
           OR NOT label_type = ANY (corgi._label_types()) THEN
            RAISE EXCEPTION 'model hopping over the partitions of % needs plain feature and label columns', source_table
                USING ERRCODE = 'feature_not_supported',
                      DETAIL = format('Partitions are read where they live, as tables; got independent_varname %L (%s) and dependent_varname %L (%s).',
                                      independent_varname, feat_type, dependent_varname, label_type),
                      HINT = 'Name a float8[] or real[] column and a boolean or numeric label column.';
        END IF;
        IF row_security_active(src) THEN
            RAISE EXCEPTION 'row-level security applies to % for you: its partitions cannot be read where they live', source_table
                USING ERRCODE = 'insufficient_privilege',
                      HINT = 'Train as a user the policies do not apply to, or on a table of the rows you may read.';
        END IF;
        IF e = 0 THEN
            RAISE EXCEPTION 'partitioned table % has no partitions', source_table USING ERRCODE = 'invalid_parameter_value';
        END IF;
        IF corgi._param(norm, 'segments') IS NOT NULL AND corgi._param(norm, 'segments')::integer <> e THEN
            RAISE EXCEPTION 'the segments of partitioned table % are its % partitions, got segments=%',
                            source_table, e, corgi._param(norm, 'segments')
                USING ERRCODE = 'invalid_parameter_value', HINT = 'Leave segments out.';
        END IF;
        IF corgi._param(norm, 'segments') IS NULL THEN
            norm := corgi.normalize_params(concat_ws(', ', nullif(norm, ''), 'segments=' || e), model);
        END IF;
    END IF;

    -- The tuple buffer: buffer_fraction of the rows for corgipile and the streaming
    -- baselines (sliding window, MRS reservoir); without a tuple shuffle its size does
    -- not change the result, so it is kept small.
    buffer_rows := corgi._buffer_rows(shuffle, usable_rows, corgi._param(norm, 'buffer_fraction')::float8);
    PERFORM corgi._progress_set(rows_per_epoch => usable_rows);
    -- Grouped training makes a state per group, each with its own buffer: the whole
    -- table's state is only described, so its buffer is not held to the cap.
    IF NOT whole_table_buffer THEN
        buffer_rows := 1;
    END IF;
    state := corgi.sgd_state(model, n_features, buffer_rows, norm, class_values,
                             corgi._buffer_mode(shuffle));
    -- Networks with standardize=true: one extra pass measures each feature's mean and
    -- standard deviation, which the model keeps and applies (at predict time too).
    IF corgi._param(norm, 'standardize') = 'true' THEN
        moments := corgi._fact(format('SELECT corgi._feature_moments((%1$s)::float8[]) FROM %2$s WHERE %1$s IS NOT NULL AND %3$s IS NOT NULL',
                                      feat_expr, src_name, label_expr), NULL::float8[]);
        state := corgi.sgd_standardize(state, moments[1:n_features], moments[n_features + 1:2 * n_features]);
    END IF;

    -- Which path reads the data.
    fast := corgi._heap_readable(src)
            AND feat_col IS NOT NULL AND label_col IS NOT NULL
            AND feat_type = ANY (corgi._feature_types())
            AND label_type = ANY (corgi._label_types());
    read_from := src_name;
    IF shuffle = 'once' THEN
        -- Shuffle Once: a copy of the (features, label) pairs in a seeded random order,
        -- read sequentially every epoch. Its cost is measured and reported.
        once_table := format('pg_temp.%I', 'corgi_once_' || pg_backend_pid());
        PERFORM corgi._progress_set(phase => 'copying');
        once_seconds := corgi._shuffled_copy(once_table, format('(%s)::float8[] AS f, %s AS l', feat_expr, label_code),
                                             src_name, corgi._param(norm, 'seed')::bigint);
        read_from := once_table;
        feat_col := 'f'; label_col := 'l';
        feat_expr := 'f'; label_code := 'l';
        fast := true;
    END IF;
    path := CASE WHEN partition_hop THEN 'partitions' WHEN fast THEN 'fast' ELSE 'composed' END;
    PERFORM corgi._check_offered('train', source_table, segments => corgi._param(norm, 'segments') IS NOT NULL,
                                 composed => path = 'composed');
    IF NOT fast AND NOT partition_hop AND shuffle IN ('corgipile', 'block_only') THEN
        IF rels.relkind = 'p' THEN
            RAISE NOTICE 'partitions of % are read one after another: blocks are shuffled within each partition, not across them', source_table
                USING HINT = 'If the partition key follows the label, the result trains like block_only; train on a table or a copy instead.';
        END IF;
        IF rels.relkind IN ('r', 'm', 'p') THEN
            sample_clause := 'TABLESAMPLE corgi.corgi_block_shuffle($2) REPEATABLE ($3)';
        ELSE
            RAISE NOTICE 'source % is not a table: its rows are read in the order it produces, only the tuple buffer is shuffled', source_table;
        END IF;
    END IF;

    plan.source_table := source_table; plan.out_table := out_table;
    plan.dependent_varname := dependent_varname; plan.independent_varname := independent_varname;
    plan.model := model; plan.epochs := epochs; plan.shuffle := shuffle; plan.norm := norm;
    plan.out_main := out_names.main; plan.out_summary := out_names.summary;
    plan.feat_col := feat_col; plan.label_col := label_col; plan.feat_expr := feat_expr; plan.label_code := label_code;
    plan.n_features := n_features; plan.class_texts := class_texts; plan.class_values := class_values;
    plan.buffer_rows := buffer_rows; plan.state := state; plan.fast := fast; plan.read_from := read_from;
    plan.sample_clause := sample_clause; plan.path := path; plan.once_table := once_table;
    plan.once_seconds := once_seconds; plan.val_table := val_table;
    RETURN plan;
END $$;
COMMENT ON FUNCTION corgi._train_prepare(text, text, text, text, text, integer, text, text, text, boolean) IS
    'internal: the checks and decisions of corgi.train before any epoch (table and column names, label code and classes, buffer, initial state, fast or composed path, the once copy); writes nothing but the once copy; whole_table_buffer false (grouping): the whole table''s state gets a one-row buffer';

-- The gaussian elastic net, exact from one pass (for corgi_madlib's elastic_net_train).
CREATE OR REPLACE FUNCTION corgi._elastic_net_transition(internal, float8, float8[], float8, float8, boolean, integer, float8) RETURNS internal
    AS 'MODULE_PATHNAME', 'corgi_elastic_net_transition'
    LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION corgi._elastic_net_transition(internal, float8, float8[], float8, float8, boolean, integer, float8) IS
    'internal: transition of corgi._elastic_net_gaussian (the sums of the rows with a 1 appended)';
CREATE OR REPLACE FUNCTION corgi._elastic_net_final(internal) RETURNS float8[]
    AS 'MODULE_PATHNAME', 'corgi_elastic_net_final'
    LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION corgi._elastic_net_final(internal) IS
    'internal: final of corgi._elastic_net_gaussian';
CREATE AGGREGATE corgi._elastic_net_gaussian(dependent float8, independent float8[], alpha float8, lambda float8,
                                             standardize boolean, max_iter integer, tolerance float8) (
    SFUNC = corgi._elastic_net_transition,
    STYPE = internal,
    FINALFUNC = corgi._elastic_net_final,
    PARALLEL = UNSAFE
);
COMMENT ON AGGREGATE corgi._elastic_net_gaussian(float8, float8[], float8, float8, boolean, integer, float8) IS
    'internal: {weights..., intercept, sweeps, objective, rows, skipped rows} of the gaussian elastic net (MADlib''s objective), exact from one pass';
REVOKE EXECUTE ON FUNCTION corgi._elastic_net_transition(internal, float8, float8[], float8, float8, boolean, integer, float8),
                           corgi._elastic_net_final(internal)
    FROM PUBLIC;
