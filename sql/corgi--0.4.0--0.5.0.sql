-- corgi 0.4.0 -> 0.5.0: faster grouped learning.
-- ALTER EXTENSION corgi UPDATE applies it.
--
-- - A grouped epoch with every group in one batch (the common case) hands the groups'
--   states to the pass and takes them back as they are, without regrouping the arrays.
-- - (corgi.so) A grouped pass over a heap table stages its rows for the worker thread,
--   which writes them into the groups' buffers and trains them.
-- - corgi.fit_multiple takes grouping_cols (a new parameter before caller_search_path:
--   the function is dropped and created again): every config trains one model per
--   group, a config's groups hopping over the segments together as one bundle
--   (corgi._bundle, corgi._unbundle, corgi._bundle_end_epoch, corgi._hop_groups_epoch,
--   corgi._fit_grouped). corgi.evaluate and corgi.predict_table take such a table's
--   config_id (corgi._grouped_models gains it: dropped and created again).
-- - corgi.train and corgi.fit_multiple share the grouping pieces: corgi._grouping_column,
--   corgi._count_groups (the counting pass), corgi._group_states (the initial states).
-- - corgi._diverged is C (the rule corgi._bundle_end_epoch applies), not three SQL calls.

\echo Use "ALTER EXTENSION corgi UPDATE TO '0.5.0'" to load this file. \quit

CREATE OR REPLACE FUNCTION corgi._run_grouped_epochs(plan corgi.training_plan, states bytea[], keys text[], key_count integer,
                                          batches integer[], group_columns name[], key_exprs text, val_key_sql text,
                                          verbose boolean,
                                          OUT final_states bytea[], OUT epoch_loss float8[], OUT epoch_rows bigint[],
                                          OUT epoch_skipped bigint[], OUT epoch_seconds float8[], OUT diverged_in integer[],
                                          OUT val_loss float8[], OUT val_metric float8[], OUT val_loss_all float8[],
                                          OUT val_metric_all float8[])
LANGUAGE plpgsql STABLE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_variable
DECLARE
    g_count integer := cardinality(states);
    b_count integer := (SELECT max(x) FROM unnest(batches) x);
    e integer;
    b integer;
    members integer[];
    batch_states bytea[];
    batch_keys text[];
    trained bytea[];
    progress record;
    info record;
    t0 timestamptz;
    all_members integer[];
    all_states bytea[];
    all_loss float8[];
    all_rows bigint[];
    all_skipped bigint[];
    val_feat text;
    val_lab text;
    v record;
    whole boolean;
BEGIN
    IF plan.val_table IS NOT NULL THEN
        val_feat := corgi._variable(plan.val_table, plan.independent_varname, false, 'independent_varname');
        val_lab := corgi._variable(plan.val_table, plan.dependent_varname, false, 'dependent_varname');
        val_loss := '{}'; val_metric := '{}'; val_loss_all := '{}'; val_metric_all := '{}';
    END IF;
    -- Set-based throughout: an element of a large array with NULLs or of varlena type
    -- costs a walk from its start, so no loop subscripts the per-group arrays.
    final_states := states;
    epoch_loss := '{}'; epoch_rows := '{}'; epoch_skipped := '{}'; epoch_seconds := '{}';
    diverged_in := array_fill(NULL::integer, ARRAY[g_count]);
    FOR e IN 1..plan.epochs LOOP
        t0 := clock_timestamp();
        all_members := '{}'; all_states := '{}'; all_loss := '{}'; all_rows := '{}'; all_skipped := '{}';
        -- One batch and no group diverged (the common case): every group trains, in
        -- order, so the states go in and come back as they are, without regrouping.
        whole := b_count = 1 AND NOT EXISTS (SELECT 1 FROM unnest(diverged_in) d WHERE d IS NOT NULL);
        FOR b IN 1..b_count LOOP
            IF whole THEN
                batch_states := final_states;
                batch_keys := keys;
            ELSE
                SELECT array_agg(u.g ORDER BY u.g), array_agg(u.s ORDER BY u.g) INTO members, batch_states
                  FROM unnest(final_states, batches, diverged_in) WITH ORDINALITY AS u(s, bt, d, g)
                 WHERE u.bt = b AND u.d IS NULL;
                CONTINUE WHEN members IS NULL;
                SELECT array_agg(k.k ORDER BY m.o, k.o) INTO batch_keys
                  FROM unnest(members) WITH ORDINALITY AS m(g, o)
                  JOIN unnest(keys) WITH ORDINALITY AS k(k, o) ON (k.o - 1) / key_count + 1 = m.g;
            END IF;
            IF plan.fast THEN
                trained := corgi._train_groups(plan.read_from::regclass, plan.feat_col, plan.label_col, group_columns,
                                               batch_keys, batch_states, plan.shuffle IN ('corgipile', 'block_only'));
            ELSE
                info := corgi.sgd_state_info(batch_states[1]);
                EXECUTE format('SELECT corgi._sgd_groups(ROW(%s), (%s)::float8[], %s, $1, $4) FROM %s %s',
                               key_exprs, plan.feat_expr, plan.label_code, plan.read_from, coalesce(plan.sample_clause, ''))
                    INTO trained USING batch_states, info.block_pages, info.block_seed, batch_keys;
                IF trained IS NULL THEN
                    trained := ARRAY(SELECT corgi.sgd_end_epoch(s) FROM unnest(batch_states) s);
                END IF;
            END IF;
            progress := corgi._states_progress(trained);
            all_loss := all_loss || progress.loss;
            all_rows := all_rows || progress.rows;
            IF whole THEN
                final_states := trained;
                diverged_in := ARRAY(SELECT CASE WHEN corgi._not_finite(l) THEN e END FROM unnest(progress.loss) l);
                epoch_loss := epoch_loss || progress.loss;
                epoch_rows := epoch_rows || progress.rows;
                epoch_skipped := epoch_skipped || progress.skipped;
            ELSE
                all_members := all_members || members;
                all_states := all_states || trained;
                all_skipped := all_skipped || progress.skipped;
            END IF;
        END LOOP;
        -- Otherwise this epoch's states and statistics into the per-group arrays (one join each).
        IF NOT whole THEN
            SELECT array_agg(coalesce(t.s, f.s) ORDER BY f.g),
                   array_agg(CASE WHEN f.d IS NULL AND corgi._not_finite(t.loss) THEN e ELSE f.d END ORDER BY f.g),
                   epoch_loss || array_agg(t.loss ORDER BY f.g), epoch_rows || array_agg(t.r ORDER BY f.g),
                   epoch_skipped || array_agg(t.sk ORDER BY f.g)
              INTO final_states, diverged_in, epoch_loss, epoch_rows, epoch_skipped
              FROM unnest(final_states, diverged_in) WITH ORDINALITY AS f(s, d, g)
              LEFT JOIN unnest(all_members, all_states, all_loss, all_rows, all_skipped) AS t(g, s, loss, r, sk) ON t.g = f.g;
        END IF;
        epoch_seconds := epoch_seconds || extract(epoch FROM clock_timestamp() - t0)::float8;
        IF plan.val_table IS NOT NULL THEN
            -- Every group's model on the validation rows of its group (one pass), and overall.
            SELECT array_agg(q.i) AS idx, array_agg(r.loss) AS l,
                   array_agg(CASE corgi._metric_name(plan.model) WHEN 'rmse' THEN r.rmse ELSE r.accuracy END) AS m
              INTO v
              FROM corgi._metrics_grouped(final_states, keys, val_key_sql, plan.model, plan.class_texts,
                                          plan.val_table, val_feat, val_lab) q,
                   LATERAL corgi._metric_values(q.m, plan.model) r;
            SELECT val_loss || array_agg(x.l ORDER BY f.g), val_metric || array_agg(x.m ORDER BY f.g)
              INTO val_loss, val_metric
              FROM generate_series(1, g_count) AS f(g)
              LEFT JOIN unnest(v.idx, v.l, v.m) AS x(i, l, m) ON x.i = f.g;
            val_loss_all := val_loss_all || (SELECT x.l FROM unnest(v.idx, v.l, v.m) AS x(i, l, m)
                                             WHERE x.i IS NULL);
            val_metric_all := val_metric_all || (SELECT x.m FROM unnest(v.idx, v.l, v.m) AS x(i, l, m)
                                                 WHERE x.i IS NULL);
        END IF;
        IF _run_grouped_epochs.verbose THEN
            RAISE NOTICE 'epoch %: % groups in % batches, % s, mean loss %', e, cardinality(all_loss), b_count,
                round(epoch_seconds[e]::numeric, 3),
                (SELECT round((sum(l * r) / nullif(sum(r), 0))::numeric, 6) FROM unnest(all_loss, all_rows) x(l, r));
        END IF;
    END LOOP;
END $$;
COMMENT ON FUNCTION corgi._run_grouped_epochs(corgi.training_plan, bytea[], text[], integer, integer[], name[], text, text, boolean) IS
    'internal: the epochs of a grouped corgi.train, all on the snapshot of the calling statement';

CREATE OR REPLACE FUNCTION corgi._diverged(state bytea) RETURNS boolean
    AS 'MODULE_PATHNAME', 'corgi_diverged_sql'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION corgi._diverged(bytea) IS 'internal: whether a state''s last loss or a weight is NaN or infinite';

CREATE FUNCTION corgi._grouping_column(src regclass, item text) RETURNS name
LANGUAGE sql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
RETURN (SELECT a.attname FROM pg_attribute a
        WHERE a.attrelid = src AND a.attnum > 0 AND NOT a.attisdropped
          AND (a.attname = item OR (item ~ '^[A-Za-z_][A-Za-z0-9_$]*$' AND a.attname = lower(item))
               OR (item ~ '^".+"$' AND a.attname = substr(item, 2, length(item) - 2)))
        ORDER BY a.attname = item DESC LIMIT 1);
COMMENT ON FUNCTION corgi._grouping_column(regclass, text) IS
    'internal: the column of src an item of grouping_cols names (as written, folded to lower case, or double-quoted), NULL for an expression';

CREATE FUNCTION corgi._count_groups(gtab text, src text, exprs text[], names text[], feat_expr text, label_code text,
                                    moments boolean, grouping_cols text) RETURNS integer
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    key_exprs text := array_to_string(exprs, ', ');
    g_all integer;
BEGIN
    IF to_regclass(gtab) IS NOT NULL THEN
        EXECUTE format('DROP TABLE %s', gtab);
    END IF;
    EXECUTE format($q$CREATE TEMP TABLE %s AS
        SELECT row_number() OVER (ORDER BY %s) AS "?gid", %s, count(*) AS "?rows",
               count(*) FILTER (WHERE (%s) IS NOT NULL AND (%s) IS NOT NULL) AS "?usable",
               CASE WHEN min(%s) FILTER (WHERE (%s) IS NOT NULL) < max(%s) FILTER (WHERE (%s) IS NOT NULL)
                    THEN 2 ELSE 1 END AS "?labels",
               %s AS "?moments"
        FROM %s GROUP BY %s$q$,
        gtab, key_exprs, (SELECT string_agg(format('%s AS %I', x, n), ', ') FROM unnest(exprs, names) u(x, n)),
        feat_expr, label_code, label_code, feat_expr, label_code, feat_expr,
        CASE WHEN moments THEN format('corgi._feature_moments((%s)::float8[]) FILTER (WHERE (%s) IS NOT NULL AND (%s) IS NOT NULL)',
                                      feat_expr, feat_expr, label_code)
             ELSE 'NULL::float8[]' END,
        src, key_exprs);
    EXECUTE format('SELECT count(*) FROM %s', gtab) INTO g_all;
    IF g_all > 1000000 THEN
        RAISE EXCEPTION 'grouping_cols "%" makes % groups, at most 1000000 are allowed', grouping_cols, g_all
            USING ERRCODE = 'program_limit_exceeded';
    END IF;
    RETURN g_all;
END $$;
COMMENT ON FUNCTION corgi._count_groups(text, text, text[], text[], text, text, boolean, text) IS
    'internal: one counting pass of a grouped training into a temporary table of its groups (rows, usable rows, label variety, feature moments); the number of groups';

CREATE FUNCTION corgi._group_states(gtab text, plan corgi.training_plan, gids bigint[]) RETURNS bytea[]
LANGUAGE plpgsql STABLE PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    states bytea[];
BEGIN
    EXECUTE format($q$SELECT array_agg(CASE WHEN $5 THEN corgi.sgd_standardize(s, "?moments"[1:$2], "?moments"[$2 + 1:2 * $2]) ELSE s END
                                       ORDER BY "?gid")
                    FROM (SELECT "?gid", "?moments",
                                 corgi.sgd_state($1, $2, corgi._buffer_rows($3, "?usable", $4), $6, $7, $8) AS s
                          FROM %s JOIN unnest($9::bigint[]) AS t(gid) ON t.gid = "?gid") q$q$, gtab)
        INTO states
        USING plan.model, plan.n_features, plan.shuffle, corgi._param(plan.norm, 'buffer_fraction')::float8,
              corgi._param(plan.norm, 'standardize') = 'true', plan.norm, plan.class_values,
              corgi._buffer_mode(plan.shuffle), gids;
    RETURN states;
END $$;
COMMENT ON FUNCTION corgi._group_states(text, corgi.training_plan, bigint[]) IS
    'internal: the initial state of each listed group of a grouped training (buffer from the group''s rows, the group''s own standardization)';

CREATE OR REPLACE FUNCTION corgi._train_grouped(plan corgi.training_plan, source regclass, grouping_cols text, verbose boolean)
RETURNS TABLE (epochs_run integer, rows_per_epoch bigint, final_loss float8, training_seconds float8)
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_variable
DECLARE
    src regclass := source;
    items text[] := corgi._split_grouping_cols(grouping_cols);
    item text;
    col name;
    exprs text[] := '{}';
    names text[] := '{}';
    plain boolean := true;
    name_taken text;
    gtab text := format('pg_temp.%I', 'corgi_groups_' || pg_backend_pid());
    g_all integer;
    key_count integer;
    keys text[];
    states bytea[];
    trainable integer[];
    batches integer[];
    megabytes float8[];
    budget float8;
    used float8 := 0;
    batch integer := 1;
    standardize boolean := corgi._param(plan.norm, 'standardize') = 'true';
    run record;
    t0 timestamptz := clock_timestamp();
    g_states bytea[];
    g_status text[];
    g_epochs integer[];
    failed integer;
    info record;
    last_rows bigint;
    last_loss float8;
    seconds float8;
    n_epochs integer;
    key_exprs text;
    once_table text;
    classifier boolean := corgi._objective(plan.model) IN ('logistic', 'svm', 'softmax');
    val_key_sql text;
    groups_name text := format('%I.%I', (parse_ident(plan.out_main))[1], (parse_ident(plan.out_main))[2] || '_groups');
BEGIN
    IF grouping_cols ~ '^\s*$' THEN
        RAISE EXCEPTION 'grouping_cols must name at least one column or expression'
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Write grouping_cols => ''store_id'' or ''store_id, region''.';
    END IF;
    IF to_regclass(groups_name) IS NOT NULL THEN
        RAISE EXCEPTION 'output table % already exists', groups_name
            USING ERRCODE = 'duplicate_table', HINT = 'Drop it first, or choose another out_table.';
    END IF;
    IF plan.path = 'partitions' THEN
        RAISE EXCEPTION 'grouping_cols is not offered yet with model hopping over the partitions of %', plan.source_table
            USING ERRCODE = 'feature_not_supported',
                  HINT = 'Train each server''s groups there, or group a local copy of the table.';
    END IF;
    IF corgi._param(plan.norm, 'segments') IS NOT NULL THEN
        RAISE EXCEPTION 'segments (model hopping) is not offered with grouping_cols yet'
            USING ERRCODE = 'feature_not_supported', HINT = 'Leave segments out: every group sees the whole table in CorgiPile order.';
    END IF;
    -- The items: a column of the source (kept as it is named), or an expression (named
    -- after its text).
    FOREACH item IN ARRAY items LOOP
        IF item = '' THEN
            RAISE EXCEPTION 'grouping_cols "%" has an empty item', grouping_cols USING ERRCODE = 'invalid_parameter_value';
        END IF;
        col := corgi._grouping_column(source, item);
        IF col IS NULL AND item ~ '^([A-Za-z_][A-Za-z0-9_$]*|".+")$' THEN
            RAISE EXCEPTION 'grouping column "%" is not a column of %', item, plan.source_table
                USING ERRCODE = 'undefined_column', HINT = 'Name columns of the source, or write expressions.';
        END IF;
        IF col IS NOT NULL THEN
            exprs := exprs || quote_ident(col);
            name_taken := col;
        ELSE
            plain := false;
            exprs := exprs || ('(' || item || ')');
            name_taken := coalesce(nullif(left(btrim(regexp_replace(lower(item), '[^a-z0-9_]+', '_', 'g'), '_'), 60), ''),
                                   'group_' || cardinality(exprs));
        END IF;
        IF name_taken = ANY (names) THEN
            name_taken := left(name_taken, 55) || '_' || cardinality(exprs);
        END IF;
        IF name_taken IN ('coef', 'intercept', 'model', 'model_type', 'loss', 'num_rows_processed', 'num_rows_skipped',
                          'num_epochs', 'classes', 'layers', 'status', 'num_rows', 'epoch_loss', 'epoch_rows', 'batch') THEN
            RAISE EXCEPTION 'grouping column "%" has the name of an output column', name_taken
                USING ERRCODE = 'duplicate_column', HINT = 'Group by an expression of it instead, e.g. (model)::text.';
        END IF;
        names := names || name_taken;
        col := NULL;
    END LOOP;
    key_count := cardinality(exprs);
    IF key_count > 32 THEN
        RAISE EXCEPTION 'grouping_cols has % items, at most 32 are allowed', key_count USING ERRCODE = 'program_limit_exceeded';
    END IF;

    -- The keys as the caller wrote them: how validation rows find their group.
    val_key_sql := array_to_string(exprs, ', ');
    -- Shuffle once: a copy with the group keys beside features and label.
    IF plan.shuffle = 'once' THEN
        once_table := format('pg_temp.%I', 'corgi_once_' || pg_backend_pid());
        IF to_regclass(once_table) IS NOT NULL THEN
            EXECUTE format('DROP TABLE %s', once_table);
        END IF;
        plan.once_seconds := corgi._shuffled_copy(once_table,
            format('(%s)::float8[] AS f, %s AS l, %s', plan.feat_expr, plan.label_code,
                   (SELECT string_agg(format('%s AS %I', x, n), ', ') FROM unnest(exprs, names) u(x, n))),
            source::text, corgi._param(plan.norm, 'seed')::bigint);
        exprs := ARRAY(SELECT quote_ident(n) FROM unnest(names) n);
        plain := true;
        src := once_table::regclass;
        plan.feat_col := 'f'; plan.label_col := 'l'; plan.feat_expr := 'f'; plan.label_code := 'l';
        plan.fast := true;
        plan.sample_clause := NULL;
    END IF;
    key_exprs := array_to_string(exprs, ', ');

    -- The groups: one counting pass (and the feature moments, with standardize).
    g_all := corgi._count_groups(gtab, src::text, exprs, names, plan.feat_expr, plan.label_code, standardize,
                                 grouping_cols);
    -- Groups that cannot be trained: no usable row; a classifier's single class.
    EXECUTE format($q$SELECT array_agg("?gid" ORDER BY "?gid") FILTER (WHERE "?usable" > 0 AND (NOT $1 OR "?labels" > 1)),
                           array_agg(CASE WHEN "?usable" = 0 THEN 'failed: no rows with non-NULL features and label'
                                          WHEN $1 AND "?labels" < 2 THEN 'failed: a single class' END ORDER BY "?gid")
                    FROM %s$q$, gtab)
        INTO trainable, g_status USING classifier;
    trainable := coalesce(trainable, '{}');
    IF cardinality(trainable) = 0 THEN
        RAISE EXCEPTION 'every one of the % groups of grouping_cols "%" failed before training', g_all, grouping_cols
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = format('%s have no row with non-NULL features and label, %s a single class.',
                                  (SELECT count(*) FROM unnest(g_status) s WHERE s LIKE '%no rows%'),
                                  (SELECT count(*) FROM unnest(g_status) s WHERE s LIKE '%single class%')),
                  HINT = 'A classifier needs two classes in a group.';
    END IF;
    -- A state per trainable group, its buffer sized from its own rows.
    states := corgi._group_states(gtab, plan, trainable);
    EXECUTE format($q$SELECT array_agg(k ORDER BY g."?gid", u.o) FROM %s g,
                          unnest(ARRAY[%s]) WITH ORDINALITY AS u(k, o), unnest($1::bigint[]) AS t(gid)
                    WHERE g."?gid" = t.gid$q$,
                   gtab, (SELECT string_agg(format('%I::text', n), ', ') FROM unnest(names) n))
        INTO keys USING trainable;

    -- Batches: groups in order, each batch within the budget (max_buffer_mb and
    -- corgi.max_buffer_mb cover all the groups of a pass together).
    budget := least(corgi._param(plan.norm, 'max_buffer_mb')::float8,
                    pg_size_bytes(current_setting('corgi.max_buffer_mb')) / 1048576.0);
    megabytes := (corgi._states_progress(states)).megabytes;
    batches := array_fill(1, ARRAY[cardinality(states)]);   -- assigned in place below (no appends)
    FOR j IN 1..cardinality(states) LOOP
        IF used > 0 AND used + megabytes[j] > budget THEN
            batch := batch + 1;
            used := 0;
        END IF;
        used := used + megabytes[j];
        batches[j] := batch;
    END LOOP;
    IF batch > 1 THEN
        RAISE NOTICE 'the % groups need % MB of buffers and models, more than the % MB budget: they train in % batches, one scan per batch per epoch',
            cardinality(states), round((SELECT sum(m) FROM unnest(megabytes) m)::numeric, 1), round(budget::numeric), batch
            USING HINT = 'Raise max_buffer_mb (and corgi.max_buffer_mb), or lower buffer_fraction, for fewer scans.';
    END IF;

    -- Fast path: a heap table read directly, with plain grouping columns. A table that
    -- takes the composed path only for its grouping expressions is still read in
    -- CorgiPile's block order (as the fast path reads it).
    IF plan.fast AND NOT plain AND plan.shuffle IN ('corgipile', 'block_only') THEN
        plan.sample_clause := 'TABLESAMPLE corgi.corgi_block_shuffle($2) REPEATABLE ($3)';
    END IF;
    plan.fast := plan.fast AND plain;
    IF plan.shuffle = 'once' THEN plan.read_from := once_table; END IF;
    plan.path := CASE WHEN plan.fast THEN 'fast' ELSE 'composed' END;
    SELECT * INTO run FROM corgi._run_grouped_epochs(plan, states, keys, key_count, batches,
        ARRAY(SELECT n::name FROM unnest(names) n), key_exprs, val_key_sql, _train_grouped.verbose);
    seconds := extract(epoch FROM clock_timestamp() - t0);

    -- Outputs, only now that every epoch succeeded ---------------------------------
    -- Per group, in group order (set-based: no loop subscripts the per-group arrays).
    SELECT array_agg(CASE WHEN t.d IS NULL THEN t.s END ORDER BY f.g),
           array_agg(CASE WHEN t.g IS NULL THEN f.st WHEN t.d IS NULL THEN 'ok'
                          ELSE format('failed: diverged in epoch %s', t.d) END ORDER BY f.g),
           array_agg(CASE WHEN t.g IS NOT NULL THEN coalesce(t.d, plan.epochs) END ORDER BY f.g)
      INTO g_states, g_status, g_epochs
      FROM unnest(g_status) WITH ORDINALITY AS f(st, g)
      LEFT JOIN unnest(trainable, run.final_states, run.diverged_in) AS t(g, s, d) ON t.g = f.g;
    failed := (SELECT count(*) FROM unnest(g_status) s WHERE s <> 'ok');
    IF failed = g_all THEN
        RAISE EXCEPTION 'every one of the % groups failed', g_all
            USING ERRCODE = 'numeric_value_out_of_range',
                  DETAIL = 'Every trainable group diverged (its loss is no longer a finite number); nothing was written.',
                  HINT = 'Lower learning_rate, or scale the features.';
    END IF;
    EXECUTE format($f$CREATE TABLE %s AS
        SELECT %s, corgi.sgd_coef(s.state) AS coef, corgi.sgd_intercept(s.state) AS intercept, s.state AS model,
               %L::text AS model_type, (corgi.sgd_state_info(s.state)).loss AS loss,
               (corgi.sgd_state_info(s.state)).rows AS num_rows_processed,
               (corgi.sgd_state_info(s.state)).skipped AS num_rows_skipped, s.epochs AS num_epochs,
               $4::text[] AS classes, $5::integer[] AS layers, s.status
        FROM %s g JOIN unnest($1::bytea[], $2::text[], $3::integer[]) WITH ORDINALITY AS s(state, status, epochs, gid)
          ON s.gid = g."?gid"
        ORDER BY g."?gid"$f$,
        plan.out_main, (SELECT string_agg(format('g.%I', n), ', ') FROM unnest(names) n), plan.model, gtab)
        USING g_states, g_status, g_epochs, plan.class_texts, corgi._layers(plan);
    EXECUTE format($f$CREATE TABLE %s AS
        WITH per AS (SELECT (x.o - 1) %% $5 + 1 AS j, array_agg(x.l ORDER BY x.o) AS epoch_loss,
                            array_agg(x.r ORDER BY x.o) AS epoch_rows
                     FROM unnest($3::float8[], $4::bigint[]) WITH ORDINALITY AS x(l, r, o) GROUP BY 1),
             val AS (SELECT (x.o - 1) %% $5 + 1 AS j, array_agg(x.l ORDER BY x.o) AS validation_loss,
                            array_agg(x.m ORDER BY x.o) AS validation_metric
                     FROM unnest($7::float8[], $8::float8[]) WITH ORDINALITY AS x(l, m, o) GROUP BY 1)
        SELECT %s, g."?rows" AS num_rows, t.batch, s.status, per.epoch_loss, per.epoch_rows,
               val.validation_loss, val.validation_metric
        FROM %s g
        JOIN unnest($1::text[]) WITH ORDINALITY AS s(status, gid) ON s.gid = g."?gid"
        LEFT JOIN unnest($2::integer[], $6::integer[]) WITH ORDINALITY AS t(gid, batch, j) ON t.gid = g."?gid"
        LEFT JOIN per ON per.j = t.j
        LEFT JOIN val ON val.j = t.j
        ORDER BY g."?gid"$f$,
        groups_name, (SELECT string_agg(format('g.%I', n), ', ') FROM unnest(names) n), gtab)
        USING g_status, trainable, run.epoch_loss, run.epoch_rows, cardinality(trainable), batches,
              coalesce(run.val_loss, '{}'), coalesce(run.val_metric, '{}');
    SELECT sum(x.r), sum(x.l * x.r) / nullif(sum(x.r), 0) INTO last_rows, last_loss
      FROM unnest(run.epoch_loss, run.epoch_rows) WITH ORDINALITY AS x(l, r, o)
     WHERE x.o > (plan.epochs - 1) * cardinality(trainable)
       AND NOT corgi._not_finite(x.l);
    info := corgi.sgd_state_info(states[1]);
    EXECUTE format($f$CREATE TABLE %s AS SELECT
            %L::text AS source_table, %L::text AS out_table, %L::text AS dependent_varname,
            %L::text AS independent_varname, %L::text AS model, %L::text AS shuffle, %L::text AS params,
            $1::integer AS n_features, $2::integer AS n_classes, $3::text[] AS classes,
            $4::bigint AS block_pages, %L::text AS training_path, $5::integer AS epochs,
            $6::float8[] AS epoch_seconds, $7::float8 AS shuffle_seconds, $8::float8 AS training_seconds,
            %L::text AS grouping_cols, $9::text[] AS grouping_columns, $10::integer AS num_all_groups,
            $11::integer AS num_failed_groups, $12::integer AS num_batches, $13::float8 AS buffer_budget_mb,
            $14::bigint AS rows_per_epoch, $15::float8 AS loss, $16::text AS validation_table,
            $17::float8[] AS validation_loss, $18::float8[] AS validation_metric, $19::text AS validation_metric_name$f$,
            plan.out_summary, plan.source_table, plan.out_table, plan.dependent_varname, plan.independent_varname,
            plan.model, plan.shuffle, plan.norm, plan.path, grouping_cols)
        USING plan.n_features, CASE WHEN corgi._objective(plan.model) = 'softmax' THEN cardinality(plan.class_texts) END,
              plan.class_texts, info.block_pages, plan.epochs, run.epoch_seconds,
              CASE WHEN plan.shuffle = 'once' THEN plan.once_seconds END, seconds + plan.once_seconds, names, g_all,
              failed, batch, budget, last_rows, last_loss, corgi._param(plan.norm, 'validation_table'),
              run.val_loss_all, run.val_metric_all,
              CASE WHEN plan.val_table IS NOT NULL THEN corgi._metric_name(plan.model) END;
    EXECUTE format('DROP TABLE %s', gtab);
    IF once_table IS NOT NULL THEN
        EXECUTE format('DROP TABLE %s', once_table);
    END IF;
    RETURN QUERY SELECT plan.epochs, last_rows, last_loss, seconds + plan.once_seconds;
END $$;
COMMENT ON FUNCTION corgi._train_grouped(corgi.training_plan, regclass, text, boolean) IS
    'internal: a grouped corgi.train after corgi._train_prepare: groups, per-group states and batches, epochs, and out_table, out_table_groups, out_table_summary';

CREATE FUNCTION corgi._bundle(groups integer[], states bytea[]) RETURNS bytea
    AS 'MODULE_PATHNAME', 'corgi_bundle_sql'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION corgi._bundle(integer[], bytea[]) IS
    'internal: a config''s group states as one value (groups: their 0-based positions among the pass''s keys, ascending), the unit that hops in fit_multiple with grouping_cols';

CREATE FUNCTION corgi._unbundle(bundle bytea, OUT groups integer[], OUT states bytea[])
    AS 'MODULE_PATHNAME', 'corgi_unbundle_sql'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION corgi._unbundle(bytea) IS 'internal: the groups and states of a bundle (corgi._bundle)';

CREATE FUNCTION corgi._bundle_end_epoch(bundle bytea, OUT bundle bytea, OUT groups integer[], OUT loss float8[],
                                        OUT rows bigint[], OUT diverged_groups integer[], OUT diverged_states bytea[])
    AS 'MODULE_PATHNAME', 'corgi_bundle_end_epoch'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION corgi._bundle_end_epoch(bytea) IS
    'internal: every group state of a bundle with its epoch closed; the bundle of those that did not diverge (NULL if none), each group''s epoch loss and rows, and the diverged groups and their states';

CREATE FUNCTION corgi._hop_groups_epoch(source regclass, features name, label name, group_columns name[], keys text[],
                                        bundles bytea[], offsets integer[], segments integer, segment_seed bigint,
                                        block_shuffle boolean, workers integer,
                                        OUT bundles bytea[], OUT seconds float8[], OUT workers_launched integer)
    AS 'MODULE_PATHNAME', 'corgi_hop_groups_epoch'
    LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;
COMMENT ON FUNCTION corgi._hop_groups_epoch(regclass, name, name, name[], text[], bytea[], integer[], integer, bigint, boolean, integer) IS
    'internal: corgi._hop_epoch for configs whose groups hop together: each model is a bundle of group states (corgi._bundle), and a job sends each row of its segment to its group''s state; epochs stay open';

CREATE FUNCTION corgi._fit_grouped(plans corgi.training_plan[], ids integer[], src regclass, grouping_cols text,
                                   n_segments integer, seed bigint, n_workers integer, verbose boolean,
                                   info_name text, configs_name text, shared text)
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
    active integer[];
    run record;
    unb record;
    ended_run record;
    e integer;
    k integer;
    j integer;
    t0 timestamptz := clock_timestamp();
    te timestamptz;
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
    v_loss float8;
    v_metric float8;
BEGIN
    IF grouping_cols ~ '^\s*$' THEN
        RAISE EXCEPTION 'grouping_cols must name at least one column'
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Write grouping_cols => ''store_id'' or ''store_id, region''.';
    END IF;
    IF p.path = 'partitions' THEN
        RAISE EXCEPTION 'grouping_cols is not offered yet with model hopping over the partitions of %', p.source_table
            USING ERRCODE = 'feature_not_supported',
                  HINT = 'Train each server''s groups there, or group a local copy of the table.';
    END IF;
    -- The grouping columns: plain columns of the table (a job reads its pages directly).
    FOREACH item IN ARRAY items LOOP
        col := corgi._grouping_column(src, item);
        IF col IS NULL THEN
            RAISE EXCEPTION 'grouping_cols of corgi.fit_multiple must name columns of %, got "%"', p.source_table, item
                USING ERRCODE = 'feature_not_supported',
                      HINT = 'Group by a column: add the expression to a copy of the table (CREATE TABLE ... AS SELECT *, (expr) AS g ...).';
        END IF;
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
    EXECUTE format($q$SELECT array_agg(k ORDER BY g."?gid", u.o) FROM %s g,
                          unnest(ARRAY[%s]) WITH ORDINALITY AS u(k, o)$q$,
                   gtab, (SELECT string_agg(format('%I::text', x), ', ') FROM unnest(names) x))
        INTO keys;

    -- Each config's bundle: a state per trainable group (no usable row, or a single class
    -- for a classifier: failed), its buffer sized from the group's own rows.
    FOR k IN 1..n LOOP
        classifier := corgi._objective(plans[k].model) IN ('logistic', 'svm', 'softmax');
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

    -- Epochs: the bundles hop; after each, every group's epoch closes, and a group that
    -- diverged leaves its bundle with its last state (failed, as corgi.train marks it).
    EXECUTE format('CREATE TEMP TABLE %s (k integer, gid bigint, state bytea, diverged integer)', ftab);
    EXECUTE format('CREATE TEMP TABLE %s (k integer, gid bigint, loss float8, metric float8)', vtab);
    FOR e IN 1..p.epochs LOOP
        te := clock_timestamp();
        active := ARRAY(SELECT i FROM generate_series(1, n) i WHERE bundles[i] IS NOT NULL);
        EXIT WHEN cardinality(active) = 0;
        SELECT * INTO run FROM corgi._hop_groups_epoch(p.read_from::regclass, p.feat_col, p.label_col, names::name[], keys,
            ARRAY(SELECT bundles[i] FROM unnest(active) i), ARRAY(SELECT (i - 1) % n_segments FROM unnest(active) i),
            n_segments, seed, p.shuffle IN ('corgipile', 'block_only'), n_workers);
        launched := launched || run.workers_launched;
        FOR j IN 1..cardinality(active) LOOP
            k := active[j];
            ended_run := corgi._bundle_end_epoch(run.bundles[j]);
            epoch_loss[(e - 1) * n + k] := (SELECT sum(l * r) / nullif(sum(r), 0)
                                            FROM unnest(ended_run.loss, ended_run.rows) x(l, r) WHERE NOT corgi._not_finite(l));
            epoch_rows[(e - 1) * n + k] := (SELECT sum(r) FROM unnest(ended_run.rows) r);
            epoch_seconds[(e - 1) * n + k] := run.seconds[j];
            IF cardinality(ended_run.diverged_groups) > 0 THEN
                EXECUTE format('INSERT INTO %s SELECT $1, g + 1, s, $2 FROM unnest($3::integer[], $4::bytea[]) x(g, s)', ftab)
                    USING k, e, ended_run.diverged_groups, ended_run.diverged_states;
            END IF;
            bundle := ended_run.bundle;
            bundles[k] := bundle;
            IF p.val_table IS NOT NULL AND bundle IS NOT NULL THEN
                -- The config's groups on the validation rows of their groups, and overall;
                -- a group's last validation is the one of its last epoch.
                unb := corgi._unbundle(bundle);
                EXECUTE format('DELETE FROM %s WHERE k = $1 AND gid = ANY ($2)', vtab)
                    USING k, ARRAY(SELECT g + 1 FROM unnest(unb.groups) g);
                EXECUTE format($v$INSERT INTO %s
                    SELECT $1, CASE WHEN q.i IS NOT NULL THEN ($2::integer[])[q.i] + 1 END, r.loss,
                           CASE corgi._metric_name($3) WHEN 'rmse' THEN r.rmse ELSE r.accuracy END
                    FROM corgi._metrics_grouped($4, $5, $6, $3, $7, $8, $9, $10) q,
                         LATERAL corgi._metric_values(q.m, $3) r$v$, vtab)
                    USING k, unb.groups, plans[k].model, unb.states,
                          ARRAY(SELECT keys[x.g * cardinality(names) + c] FROM unnest(unb.groups) WITH ORDINALITY AS x(g, o),
                                       generate_series(1, cardinality(names)) c ORDER BY x.o, c),
                          val_keys, plans[k].class_texts, p.val_table, val_feat, val_lab;
                EXECUTE format('SELECT loss, metric FROM %s WHERE k = $1 AND gid IS NULL', vtab)
                    INTO v_loss, v_metric USING k;
                val_loss[(e - 1) * n + k] := v_loss;
                val_metric[(e - 1) * n + k] := v_metric;
                EXECUTE format('DELETE FROM %s WHERE k = $1 AND gid IS NULL', vtab) USING k;
            END IF;
            IF bundle IS NULL THEN
                n_diverged := n_diverged + 1;
                last_epoch[k] := e;
                RAISE NOTICE 'config %: every group diverged in epoch %: it is set aside, the others go on', ids[k], e
                    USING HINT = 'Lower its learning_rate, or scale the features.';
            END IF;
        END LOOP;
        wall_seconds := wall_seconds || extract(epoch FROM clock_timestamp() - te)::float8;
        IF _fit_grouped.verbose THEN
            RAISE NOTICE 'epoch %: % configs of % groups on % workers and the leader, % s; lowest training loss %', e,
                cardinality(active), g_all, run.workers_launched, round(wall_seconds[e]::numeric, 3),
                (SELECT round(min(epoch_loss[(e - 1) * n + i])::numeric, 6) FROM unnest(active) i);
        END IF;
    END LOOP;
    FOR k IN 1..n LOOP
        CONTINUE WHEN bundles[k] IS NULL;
        unb := corgi._unbundle(bundles[k]);
        EXECUTE format('INSERT INTO %s SELECT $1, g + 1, s, NULL FROM unnest($2::integer[], $3::bytea[]) x(g, s)', ftab)
            USING k, unb.groups, unb.states;
    END LOOP;
    wall := extract(epoch FROM clock_timestamp() - t0);

    -- Outputs, only now that every epoch succeeded ------------------------------------
    EXECUTE format($f$CREATE TEMP TABLE %s AS
        SELECT k, ($2::integer[])[k] AS config_id, (($1::corgi.training_plan[])[k]).model AS model,
               (($1::corgi.training_plan[])[k]).norm AS norm, (($1::corgi.training_plan[])[k]).class_texts AS classes,
               corgi._layers(($1::corgi.training_plan[])[k]) AS layers
        FROM generate_series(1, $3) AS k$f$, ctab)
        USING plans, ids, n;
    EXECUTE format($f$CREATE TABLE %s AS
        SELECT c.config_id, %s, c.model AS model_type, c.norm AS params,
               CASE WHEN f.diverged IS NULL THEN corgi.sgd_coef(f.state) END AS coef,
               CASE WHEN f.diverged IS NULL THEN corgi.sgd_intercept(f.state) END AS intercept,
               CASE WHEN f.diverged IS NULL THEN f.state END AS model,
               CASE WHEN f.diverged IS NULL THEN (corgi.sgd_state_info(f.state)).loss END AS loss,
               CASE WHEN f.diverged IS NULL THEN (corgi.sgd_state_info(f.state)).rows END AS num_rows_processed,
               CASE WHEN f.diverged IS NULL THEN (corgi.sgd_state_info(f.state)).skipped END AS num_rows_skipped,
               CASE WHEN f.k IS NOT NULL THEN coalesce(f.diverged, $1) END AS num_epochs,
               c.classes, c.layers,
               CASE WHEN f.diverged IS NULL THEN v.loss END AS validation_loss,
               CASE WHEN f.diverged IS NULL THEN v.metric END AS validation_metric,
               CASE WHEN $2 THEN corgi._metric_name(c.model) END AS validation_metric_name,
               CASE WHEN f.k IS NULL AND g."?usable" = 0 THEN 'failed: no rows with non-NULL features and label'
                    WHEN f.k IS NULL THEN 'failed: a single class'
                    WHEN f.diverged IS NOT NULL THEN format('failed: diverged in epoch %%s', f.diverged)
                    ELSE 'ok' END AS status
        FROM %s c CROSS JOIN %s g LEFT JOIN %s f ON f.k = c.k AND f.gid = g."?gid"
             LEFT JOIN %s v ON v.k = c.k AND v.gid = g."?gid"
        ORDER BY c.config_id, g."?gid"$f$,
        p.out_main, (SELECT string_agg(format('g.%I', x), ', ') FROM unnest(names) x), ctab, gtab, ftab, vtab)
        USING p.epochs, p.val_table IS NOT NULL;
    EXECUTE format('SELECT count(*) FROM %s WHERE status <> %L', p.out_main, 'ok') INTO n_failed;
    EXECUTE format($f$CREATE TABLE %s AS
        SELECT c.config_id, c.model AS model_type, c.norm AS params,
               ARRAY(SELECT $1[(i - 1) * $4 + c.k] FROM generate_series(1, $5[c.k]) i) AS epoch_loss,
               ARRAY(SELECT $2[(i - 1) * $4 + c.k] FROM generate_series(1, $5[c.k]) i) AS epoch_seconds,
               ARRAY(SELECT $3[(i - 1) * $4 + c.k] FROM generate_series(1, $5[c.k]) i) AS epoch_rows,
               CASE WHEN $9 THEN ARRAY(SELECT $10[(i - 1) * $4 + c.k] FROM generate_series(1, $5[c.k]) i) END AS validation_loss,
               CASE WHEN $9 THEN ARRAY(SELECT $11[(i - 1) * $4 + c.k] FROM generate_series(1, $5[c.k]) i) END AS validation_metric,
               (SELECT count(*) FROM %s f WHERE f.k = c.k AND f.diverged IS NULL)::integer AS num_groups_trained,
               $6 - (SELECT count(*) FROM %s f WHERE f.k = c.k AND f.diverged IS NULL)::integer AS num_failed_groups,
               ARRAY(SELECT ARRAY(SELECT unnest((corgi.hop_order($4, $7, $8, i - 1))[c.k:c.k][1:$7]))
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
COMMENT ON FUNCTION corgi._fit_grouped(corgi.training_plan[], integer[], regclass, text, integer, bigint, integer, boolean, text, text, text) IS
    'internal: corgi.fit_multiple with grouping_cols after its plans: groups, a bundle of group states per config, the hopping epochs, and out_table (config x group), out_table_info and out_table_summary';

DROP FUNCTION corgi.fit_multiple(text, text, text, text, text, integer, text, text, text, boolean, text);
CREATE FUNCTION corgi.fit_multiple(
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
    IF shuffle = 'once' THEN
        RAISE EXCEPTION 'corgi.fit_multiple does not offer shuffle "once"'
            USING ERRCODE = 'feature_not_supported',
                  HINT = 'Use corgipile (the default): it reaches a full shuffle''s accuracy without the copy.';
    END IF;

    -- The configs: any table with (config_id, model, params), corgi.config_grid's shape.
    cfg := corgi._resolve_table(configs, caller_search_path);
    IF cfg IS NULL THEN
        RAISE EXCEPTION 'configs table "%" does not exist', configs
            USING ERRCODE = 'undefined_table', HINT = 'Make one with CREATE TABLE ... AS SELECT * FROM corgi.config_grid(...).';
    END IF;
    IF NOT has_table_privilege(cfg, 'SELECT') THEN
        RAISE EXCEPTION 'permission denied for table %', configs USING ERRCODE = 'insufficient_privilege';
    END IF;
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
        bad := substring(cfg_params[k] from '(?i)(?:^|,)\s*(segments|segment_offset|segment_seed|workers|validation_table)\s*=');
        IF bad IS NOT NULL THEN
            RAISE EXCEPTION 'config %: parameter "%" belongs in fit_multiple''s params, not in a config', ids[k], lower(bad)
                USING ERRCODE = 'invalid_parameter_value', HINT = 'All configs share the segments, the workers and the validation table.';
        END IF;
    END LOOP;

    -- Shared settings: seed (of the segments and the schedule), segments, workers.
    IF validation_table IS NOT NULL THEN
        shared := corgi._merge_params(shared, 'validation_table=' || validation_table);
    END IF;
    seed := coalesce(corgi._shared_param(shared, 'seed'), corgi._param(corgi.normalize_params(''), 'seed'))::bigint;
    n_segments := coalesce(corgi._shared_param(shared, 'segments'), '8')::integer;
    n_workers := coalesce(corgi._shared_param(shared, 'workers'), '-1')::integer;
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

    -- One plan per config: corgi.train's checks and initial state, with the config's
    -- place in the hopping schedule in its params (so its params replay it alone).
    FOR k IN 1..n LOOP
        BEGIN
            plan := corgi._train_prepare(source_table, out_table, dependent_varname, independent_varname, models[k],
                epochs, shuffle,
                corgi._merge_params(corgi._merge_params(shared, cfg_params[k]),
                                    format('segments=%s, segment_offset=%s, segment_seed=%s', n_segments, (k - 1) % n_segments, seed)),
                caller_search_path);
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
    out_names := corgi._output_names(out_table, caller_search_path);
    info_name := quote_ident(out_names.schema) || '.'
                 || quote_ident((parse_ident(out_table))[cardinality(parse_ident(out_table))] || '_info');
    IF to_regclass(info_name) IS NOT NULL THEN
        RAISE EXCEPTION 'output table % already exists', info_name
            USING ERRCODE = 'duplicate_table', HINT = 'Drop it first, or choose another out_table.';
    END IF;

    -- Grouped: every config trains a model per group, its groups hopping together.
    IF grouping_cols IS NOT NULL THEN
        RETURN QUERY SELECT * FROM corgi._fit_grouped(plans, ids, src, grouping_cols, n_segments, seed, n_workers,
                                                      fit_multiple.verbose, info_name, cfg::text, shared);
        RETURN;
    END IF;

    -- Epochs: one statement, one snapshot.
    SELECT * INTO run FROM corgi._fit_epochs(plans, n_segments, seed, n_workers, fit_multiple.verbose);
    wall := extract(epoch FROM clock_timestamp() - t0);

    -- Output, only now that every epoch succeeded ------------------------------------
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
        info := corgi.sgd_state_info(run.final_states[k]);
        last_epoch := coalesce(run.diverged_in[k], epochs);
        EXECUTE format('INSERT INTO %s VALUES ($1, $2, $3, corgi.sgd_coef($4), corgi.sgd_intercept($4), $4, $5, $6, $7,
                        $8, $9, $10, $11, $12, $13, $14, $15)', out_names.main)
            USING ids[k], plan.model, plan.norm, run.final_states[k], info.loss, info.rows, info.skipped,
                  last_epoch, plan.class_texts, corgi._layers(plan),
                  (SELECT sum(run.epoch_seconds[(i - 1) * n + k]) FROM generate_series(1, last_epoch) i),
                  CASE WHEN run.diverged_in[k] IS NULL THEN run.val_loss[(epochs - 1) * n + k] END,
                  CASE WHEN run.diverged_in[k] IS NULL THEN run.val_metric[(epochs - 1) * n + k] END,
                  CASE WHEN plan.val_table IS NOT NULL THEN corgi._metric_name(plan.model) END,
                  CASE WHEN run.diverged_in[k] IS NULL THEN 'ok'
                       ELSE format('diverged in epoch %s (loss %s)', run.diverged_in[k], run.diverged_loss[k]) END;
        orders := '{}';
        FOR e IN 1..last_epoch LOOP
            orders := orders || (corgi.hop_order(n::integer, n_segments, seed, e - 1))[k:k][1:n_segments];
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

    RETURN QUERY SELECT (n - (SELECT count(*) FROM unnest(run.diverged_in) d WHERE d IS NOT NULL))::integer,
                        (SELECT count(*) FROM unnest(run.diverged_in) d WHERE d IS NOT NULL)::integer,
                        (SELECT max(x) FROM unnest(run.workers_launched) x), n_segments, wall;
END $$;
COMMENT ON FUNCTION corgi.fit_multiple(text, text, text, text, text, integer, text, text, text, boolean, text, text) IS
    'trains every config of a configs table (config_id, model, params; see corgi.config_grid) at once by Model Hopper Parallelism on parallel workers: out_table (one model per config, or per config and group with grouping_cols: a config''s groups hop together), out_table_info (per-epoch arrays) and out_table_summary; params are shared (seed, segments, workers, and defaults under each config''s own)';

DROP FUNCTION corgi._grouped_models(text, text);
CREATE FUNCTION corgi._grouped_models(model_table text, caller_path text, config_id integer,
                                      OUT models bytea[], OUT keys text[], OUT key_names text[], OUT key_labels text[],
                                      OUT model_type text, OUT classes text[], OUT dependent_varname text,
                                      OUT independent_varname text)
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_variable
DECLARE
    tbl regclass := corgi._resolve_table(model_table, caller_path);
    summary regclass;
    rows_of text := '';
    configs bigint;
BEGIN
    IF tbl IS NULL THEN
        RETURN;
    END IF;
    SELECT c.oid INTO summary FROM pg_class c
     WHERE c.relnamespace = (SELECT relnamespace FROM pg_class WHERE oid = tbl)
       AND c.relname = (SELECT relname FROM pg_class WHERE oid = tbl) || '_summary';
    IF summary IS NULL OR NOT EXISTS (SELECT FROM pg_attribute WHERE attrelid = summary AND attname = 'grouping_columns'
                                                                AND NOT attisdropped) THEN
        RETURN;
    END IF;
    EXECUTE format('SELECT grouping_columns, dependent_varname, independent_varname FROM %s LIMIT 1', summary)
        INTO key_names, dependent_varname, independent_varname;
    IF key_names IS NULL THEN
        RETURN;
    END IF;
    -- A grouped corgi.fit_multiple table holds every config's groups: one config is scored.
    IF EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = tbl AND a.attname = 'config_id' AND a.attnum > 0
                                            AND NOT a.attisdropped) THEN
        IF config_id IS NULL THEN
            EXECUTE format('SELECT count(DISTINCT config_id) FROM %s', tbl) INTO configs;
            IF configs > 1 THEN
                RAISE EXCEPTION 'model table "%" holds the groups of % configs', model_table, configs
                    USING ERRCODE = 'invalid_parameter_value', HINT = 'Pass config_id to pick one.';
            END IF;
        ELSE
            EXECUTE format('SELECT count(*) FROM %s WHERE config_id = $1', tbl) INTO configs USING config_id;
            IF configs = 0 THEN
                RAISE EXCEPTION 'model table "%" has no rows with config_id %', model_table, config_id
                    USING ERRCODE = 'data_exception', HINT = 'Pick a config_id of the table.';
            END IF;
            rows_of := format(' AND config_id = %s', config_id);
        END IF;
    ELSIF config_id IS NOT NULL THEN
        RAISE EXCEPTION 'model table "%" has no config_id column', model_table
            USING ERRCODE = 'undefined_column', HINT = 'config_id picks a model of a corgi.fit_multiple table.';
    END IF;
    EXECUTE format($q$SELECT array_agg(model ORDER BY "?n"), array_agg(ROW(%1$s)::text ORDER BY "?n"),
                             min(model_type), min(classes::text)::text[]
                      FROM (SELECT row_number() OVER () AS "?n", * FROM %2$s WHERE model IS NOT NULL%3$s) m$q$,
                   (SELECT string_agg(format('m.%I', n), ', ') FROM unnest(key_names) n), tbl, rows_of)
        INTO models, key_labels, model_type, classes;
    EXECUTE format($q$SELECT array_agg(u.k ORDER BY m."?n", u.o)
                      FROM (SELECT row_number() OVER () AS "?n", * FROM %1$s WHERE model IS NOT NULL%3$s) m,
                           unnest(ARRAY[%2$s]) WITH ORDINALITY AS u(k, o)$q$,
                   tbl, (SELECT string_agg(format('m.%I::text', n), ', ') FROM unnest(key_names) n), rows_of)
        INTO keys;
END $$;
COMMENT ON FUNCTION corgi._grouped_models(text, text, integer) IS
    'internal: the models of a grouped model table (of config config_id in a grouped corgi.fit_multiple table), their keys and grouping columns (NULL key_names when it is not grouped)';

CREATE OR REPLACE FUNCTION corgi.evaluate(model_table text, data_table text,
                               dependent_varname text DEFAULT NULL, independent_varname text DEFAULT NULL,
                               config_id integer DEFAULT NULL,
                               caller_search_path text DEFAULT pg_catalog.current_setting('search_path'))
RETURNS TABLE (rows bigint, loss float8, accuracy float8, auc float8, rmse float8, r2 float8, group_key text)
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
DECLARE
    g record := corgi._grouped_models(model_table, caller_search_path, config_id);
    m record;
    tbl regclass := corgi._resolve_table(data_table, caller_search_path);
    feat text;
    lab text;
    key_name text;
BEGIN
    IF tbl IS NULL THEN
        RAISE EXCEPTION 'table "%" does not exist', data_table USING ERRCODE = 'undefined_table';
    END IF;
    IF g.key_names IS NULL THEN
        m := corgi._model_row(model_table, caller_search_path, config_id);
        RETURN QUERY SELECT x.*, NULL::text FROM corgi._metrics(m.model, m.model_type, m.classes, tbl,
            corgi._variable(tbl, coalesce(independent_varname, m.independent_varname), independent_varname IS NULL, 'independent_varname'),
            corgi._variable(tbl, coalesce(dependent_varname, m.dependent_varname), dependent_varname IS NULL, 'dependent_varname')) x;
        RETURN;
    END IF;
    -- A grouped model table: each row scored by its group's model (rows of a group
    -- without a model are not scored); one row per group, then the overall row.
    feat := corgi._variable(tbl, coalesce(independent_varname, g.independent_varname), independent_varname IS NULL, 'independent_varname');
    lab := corgi._variable(tbl, coalesce(dependent_varname, g.dependent_varname), dependent_varname IS NULL, 'dependent_varname');
    FOREACH key_name IN ARRAY g.key_names LOOP
        IF NOT EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = tbl AND a.attname = key_name AND a.attnum > 0
                                                    AND NOT a.attisdropped) THEN
            RAISE EXCEPTION 'table % has no grouping column "%"', data_table, key_name
                USING ERRCODE = 'undefined_column', HINT = 'A grouped model scores rows of tables with its grouping columns.';
        END IF;
    END LOOP;
    RETURN QUERY
        SELECT v.rows, v.loss, v.accuracy, v.auc, v.rmse, v.r2, CASE WHEN q.i IS NOT NULL THEN g.key_labels[q.i] END
        FROM corgi._metrics_grouped(g.models, g.keys, (SELECT string_agg(quote_ident(n), ', ') FROM unnest(g.key_names) n),
                                    g.model_type, g.classes, tbl, feat, lab) q,
             LATERAL corgi._metric_values(q.m, g.model_type) v
        ORDER BY q.i NULLS LAST;
END $$;
COMMENT ON FUNCTION corgi.evaluate(text, text, text, text, integer, text) IS
    'metrics of a trained model on a table: rows, mean loss, accuracy and AUC (logistic, svm; accuracy for softmax), RMSE and R2 (linear); variables default to the training ones when those are plain columns; config_id picks a model of a corgi.fit_multiple out_table; a grouped model gives one row per group (group_key) and an overall row (group_key NULL)';

CREATE OR REPLACE FUNCTION corgi.predict_table(model_table text, data_table text, id_col text, output_table text,
                                    independent_varname text DEFAULT NULL, config_id integer DEFAULT NULL,
                                    caller_search_path text DEFAULT pg_catalog.current_setting('search_path'))
RETURNS bigint
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    g record := corgi._grouped_models(model_table, caller_search_path, config_id);
    m record;
    tbl regclass := corgi._resolve_table(data_table, caller_search_path);
    out_names record;
    feat text;
    n bigint;
    unscored bigint;
    key_name text;
BEGIN
    IF tbl IS NULL THEN
        RAISE EXCEPTION 'table "%" does not exist', data_table USING ERRCODE = 'undefined_table';
    END IF;
    out_names := corgi._output_names(output_table, caller_search_path);
    IF to_regclass(out_names.main) IS NOT NULL THEN
        RAISE EXCEPTION 'output table % already exists', out_names.main
            USING ERRCODE = 'duplicate_table', HINT = 'Drop it first, or choose another output_table.';
    END IF;
    IF NOT EXISTS (SELECT FROM pg_attribute WHERE attrelid = tbl AND attname = id_col AND attnum > 0 AND NOT attisdropped) THEN
        RAISE EXCEPTION 'column "%" of relation "%" does not exist', id_col, data_table USING ERRCODE = 'undefined_column';
    END IF;
    IF g.key_names IS NOT NULL THEN
        -- A grouped model table: each row scored by its group's model; rows of a group
        -- without a model get NULL (counted in a NOTICE).
        FOREACH key_name IN ARRAY g.key_names LOOP
            IF NOT EXISTS (SELECT FROM pg_attribute WHERE attrelid = tbl AND attname = key_name AND attnum > 0 AND NOT attisdropped) THEN
                RAISE EXCEPTION 'table % has no grouping column "%"', data_table, key_name
                    USING ERRCODE = 'undefined_column', HINT = 'A grouped model scores rows of tables with its grouping columns.';
            END IF;
        END LOOP;
        feat := corgi._variable(tbl, coalesce(independent_varname, g.independent_varname), independent_varname IS NULL,
                                'independent_varname');
        EXECUTE format($q$CREATE TABLE %s AS
            SELECT %I AS id, "?corgi_prediction" AS prediction,
                   CASE WHEN $2 = 'softmax' THEN $3[array_position(corgi.sgd_classes("?corgi_model"), "?corgi_prediction")]
                        WHEN $2 IN ('logistic', 'svm') THEN $3["?corgi_prediction"::int + 1] END AS class,
                   CASE WHEN $2 IN ('logistic', 'softmax') THEN corgi.model_predict_proba("?corgi_model", (%s)::float8[]) END AS probabilities
            FROM (SELECT *, corgi.model_predict("?corgi_model", (%s)::float8[]) AS "?corgi_prediction"
                  FROM (SELECT *, ($1)[corgi._group_index(ROW(%s), $4)] AS "?corgi_model" FROM %s AS "?d" WHERE %s IS NOT NULL) d0) d$q$,
            out_names.main, id_col, feat, feat,
            (SELECT string_agg(format('"?d".%I', k), ', ') FROM unnest(g.key_names) k), tbl, feat)
            USING g.models, corgi._objective(g.model_type), g.classes, g.keys;
        GET DIAGNOSTICS n = ROW_COUNT;
        EXECUTE format('SELECT count(*) FROM %s WHERE prediction IS NULL', out_names.main) INTO unscored;
        IF unscored > 0 THEN
            RAISE NOTICE '% of % rows belong to groups without a model: their prediction is NULL', unscored, n;
        END IF;
        RETURN n;
    END IF;
    m := corgi._model_row(model_table, caller_search_path, config_id);
    feat := corgi._variable(tbl, coalesce(independent_varname, m.independent_varname), independent_varname IS NULL,
                            'independent_varname');
    EXECUTE format($q$CREATE TABLE %s AS
        SELECT %I AS id, "?corgi_prediction" AS prediction,
               CASE WHEN $2 = 'softmax' THEN $3[array_position(corgi.sgd_classes($1), "?corgi_prediction")]
                    WHEN $2 IN ('logistic', 'svm') THEN $3["?corgi_prediction"::int + 1] END AS class,
               CASE WHEN $2 IN ('logistic', 'softmax') THEN corgi.model_predict_proba($1, (%s)::float8[]) END AS probabilities
        FROM (SELECT *, corgi.model_predict($1, (%s)::float8[]) AS "?corgi_prediction" FROM %s WHERE %s IS NOT NULL) d$q$,
        out_names.main, id_col, feat, feat, tbl, feat)
        USING m.model, corgi._objective(m.model_type), m.classes;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END $$;
COMMENT ON FUNCTION corgi.predict_table(text, text, text, text, text, integer, text) IS
    'scores every row of data_table into a new output_table(id, prediction, class, probabilities); returns the row count; config_id picks a model of a corgi.fit_multiple out_table';
