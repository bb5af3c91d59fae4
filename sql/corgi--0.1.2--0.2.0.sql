-- corgi 0.1.2 -> 0.2.0: models as a seam, optimizers, neural networks.
-- ALTER EXTENSION corgi UPDATE applies it.
--
-- - New models mlp (classification) and mlp_regression, with hidden_layers, activation
--   and standardize parameters; optimizer=sgd|momentum|adam for every model.
-- - corgi.normalize_params(params, model) applies a model's own defaults;
--   corgi.sgd_standardize and corgi._feature_moments set a network's standardization.
-- - Model tables gain a layers int[] column (coef and intercept are NULL for networks).
-- The C library (corgi.so 0.2.0) writes training states in format version 2 and still
-- reads version 1, so models trained by 0.1.x keep loading and predicting.

\echo Use "ALTER EXTENSION corgi UPDATE TO '0.2.0'" to load this file. \quit

CREATE FUNCTION corgi.normalize_params(params text, model text) RETURNS text
    AS 'MODULE_PATHNAME', 'corgi_normalize_params'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION corgi.normalize_params(text, text) IS
    'every training parameter with its effective value for a model (its own defaults: mlp and mlp_regression use adam and batch_size 64, and write out hidden_layers, activation, standardize)';

CREATE OR REPLACE FUNCTION corgi.sgd_state(model text, n_features integer, buffer_rows bigint,
                                params text DEFAULT '', classes float8[] DEFAULT NULL,
                                buffer text DEFAULT 'shuffle') RETURNS bytea
    AS 'MODULE_PATHNAME', 'corgi_sgd_state'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION corgi.sgd_state(text, integer, bigint, text, float8[], text) IS
    'a fresh training state for corgi.sgd: model linear|logistic|svm|softmax (zero weights) or mlp|mlp_regression (seeded initialization), a tuple buffer of buffer_rows rows used as buffer shuffle|none|sliding_window|mrs';

CREATE FUNCTION corgi.sgd_standardize(state bytea, shift float8[], scale float8[]) RETURNS bytea
    AS 'MODULE_PATHNAME', 'corgi_sgd_standardize'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION corgi.sgd_standardize(bytea, float8[], float8[]) IS
    'a fresh mlp or mlp_regression state whose inputs are standardized as (x - shift) * scale, per feature (corgi._feature_moments gives both)';

CREATE FUNCTION corgi._feature_moments_transition(internal, float8[]) RETURNS internal
    AS 'MODULE_PATHNAME', 'corgi_feature_moments_transition'
    LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION corgi._feature_moments_transition(internal, float8[]) IS
    'internal: transition of corgi._feature_moments (Welford update per feature)';

CREATE FUNCTION corgi._feature_moments_final(internal) RETURNS float8[]
    AS 'MODULE_PATHNAME', 'corgi_feature_moments_final'
    LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION corgi._feature_moments_final(internal) IS
    'internal: final of corgi._feature_moments';

CREATE AGGREGATE corgi._feature_moments(features float8[]) (
    SFUNC = corgi._feature_moments_transition,
    STYPE = internal,
    FINALFUNC = corgi._feature_moments_final,
    PARALLEL = UNSAFE
);
COMMENT ON AGGREGATE corgi._feature_moments(float8[]) IS
    'internal: {mean_1..mean_n, 1/sd_1..1/sd_n} of the feature arrays (population standard deviation; 1 for a constant feature)';

CREATE FUNCTION corgi._objective(model text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
RETURN CASE model WHEN 'mlp' THEN 'softmax' WHEN 'mlp_regression' THEN 'linear' ELSE model END;
COMMENT ON FUNCTION corgi._objective(text) IS 'internal: the output layer of a model (mlp: softmax, mlp_regression: linear, others: themselves)';

CREATE FUNCTION corgi.model_names() RETURNS text[]
    AS 'MODULE_PATHNAME', 'corgi_model_names'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION corgi.model_names() IS 'the models corgi.train accepts';

CREATE FUNCTION corgi.shuffle_names() RETURNS text[]
    AS 'MODULE_PATHNAME', 'corgi_shuffle_names'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION corgi.shuffle_names() IS 'the shuffles corgi.train accepts';

CREATE FUNCTION corgi._label_types() RETURNS text[]
    AS 'MODULE_PATHNAME', 'corgi_label_types'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION corgi._label_types() IS 'internal: label types read as numbers (as pg_typeof names them); the C reader''s own list';

CREATE FUNCTION corgi._feature_types() RETURNS text[]
    AS 'MODULE_PATHNAME', 'corgi_feature_types'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION corgi._feature_types() IS 'internal: feature column types the fast paths read (as pg_typeof names them); the C reader''s own list';

CREATE OR REPLACE FUNCTION corgi._label_code(label_expr text, label_type text, class_texts text[]) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
RETURN CASE
    WHEN label_type = 'boolean' THEN format('(%s)::int::float8', label_expr)
    WHEN label_type = ANY (corgi._label_types()) THEN format('(%s)::float8', label_expr)
    WHEN class_texts IS NOT NULL
        THEN format('(array_position(%L::text[], (%s)::text) - 1)::float8', class_texts, label_expr)
END;
COMMENT ON FUNCTION corgi._label_code(text, text, text[]) IS 'internal: SQL that turns a label into its training code';

CREATE FUNCTION corgi.train_blocks(source regclass, features name, label name, state bytea,
                                   blocks integer[], block_pages integer)
    RETURNS bytea
    AS 'MODULE_PATHNAME', 'corgi_train_blocks'
    LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;
COMMENT ON FUNCTION corgi.train_blocks(regclass, name, name, bytea, integer[], integer) IS
    'fast path: one pass of SGD over the listed blocks of block_pages pages, in the listed order (a model''s visit to a segment in model hopping); the epoch stays open';

CREATE FUNCTION corgi._config_grid(model text, grid text) RETURNS text[]
    AS 'MODULE_PATHNAME', 'corgi_config_grid_sql'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION corgi._config_grid(text, text) IS 'internal: the params strings of every configuration of a grid';

CREATE FUNCTION corgi.config_grid(model text, grid text)
RETURNS TABLE (config_id integer, model text, params text)
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT g.i::integer, config_grid.model, g.p FROM unnest(corgi._config_grid(config_grid.model, config_grid.grid)) WITH ORDINALITY g(p, i) ORDER BY g.i;
END;
COMMENT ON FUNCTION corgi.config_grid(text, text) IS
    'one row per configuration of a grid such as ''learning_rate=[0.01,0.1], l2=[0,0.0001]'' (every combination, first key slowest), each checked for the model: the configs table of model selection';

CREATE FUNCTION corgi.hop_order(models integer, segments integer, seed bigint, epoch integer) RETURNS integer[]
    AS 'MODULE_PATHNAME', 'corgi_hop_order_sql'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION corgi.hop_order(integer, integer, bigint, integer) IS
    'models x segments: row m is model m''s visit order (0-based segments) in an epoch of model hopping (a seeded Latin square)';

CREATE FUNCTION corgi.segment_of_blocks(block_count integer, segments integer, seed bigint, epoch integer) RETURNS integer[]
    AS 'MODULE_PATHNAME', 'corgi_segment_of_blocks_sql'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION corgi.segment_of_blocks(integer, integer, bigint, integer) IS
    'the segment (0-based) of each block in an epoch of model hopping: blocks drawn into segments by a seeded permutation, so each segment samples the whole table';

CREATE FUNCTION corgi._buffer_rows(shuffle text, usable_rows bigint, buffer_fraction float8) RETURNS bigint
    AS 'MODULE_PATHNAME', 'corgi_plan_buffer_rows_sql'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION corgi._buffer_rows(text, bigint, float8) IS
    'internal: tuple buffer rows of a shuffle for a table of usable_rows rows (buffer_fraction of them, or at most 65,536 without a tuple shuffle)';

CREATE FUNCTION corgi._default_block_mb(heap_bytes bigint) RETURNS float8
    AS 'MODULE_PATHNAME', 'corgi_plan_block_mb_sql'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION corgi._default_block_mb(bigint) IS
    'internal: block_mb when not given: 10 MB, or the whole pages that give the table 100 blocks, whichever is smaller';

CREATE OR REPLACE FUNCTION corgi._run_epochs(state bytea, epochs integer, fast boolean, read_from text, feat_col name,
                                  label_col name, block_shuffle boolean, feat_expr text, label_code text,
                                  sample_clause text, model text, class_texts text[], val_table regclass,
                                  dependent_varname text, independent_varname text, norm text, verbose boolean,
                                  OUT final_state bytea, OUT epoch_loss float8[], OUT epoch_seconds float8[],
                                  OUT epoch_rows bigint[], OUT val_loss float8[], OUT val_metric float8[],
                                  OUT val_seconds float8[])
LANGUAGE plpgsql STABLE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_variable
DECLARE
    e integer;
    t0 timestamptz;
    info record := corgi.sgd_state_info(state);
    val_epoch_loss float8;
    val_epoch_metric float8;
BEGIN
    epoch_loss := '{}'; epoch_seconds := '{}'; epoch_rows := '{}';
    IF val_table IS NOT NULL THEN
        val_loss := '{}'; val_metric := '{}'; val_seconds := '{}';
    END IF;
    FOR e IN 1..epochs LOOP
        t0 := clock_timestamp();
        IF fast THEN
            state := corgi.train_pass(read_from::regclass, feat_col, label_col, state, block_shuffle);
            state := corgi.sgd_end_epoch(state);
        ELSE
            EXECUTE format('SELECT corgi.sgd((%s)::float8[], %s, $1) FROM %s %s',
                           feat_expr, label_code, read_from, coalesce(sample_clause, ''))
                INTO state USING state, info.block_pages, info.block_seed;
        END IF;
        epoch_seconds := epoch_seconds || extract(epoch FROM clock_timestamp() - t0)::float8;
        info := corgi.sgd_state_info(state);
        IF info.loss IS NOT NULL AND (info.loss = 'NaN'::float8 OR info.loss IN ('Infinity'::float8, '-Infinity'::float8)
           OR EXISTS (SELECT FROM (SELECT unnest(corgi.sgd_coef(state)) UNION ALL SELECT unnest(corgi.sgd_intercept(state))) w(v)
                      WHERE v = 'NaN'::float8 OR v IN ('Infinity'::float8, '-Infinity'::float8))) THEN
            RAISE EXCEPTION 'training diverged in epoch %: the loss is %', e, info.loss
                USING ERRCODE = 'numeric_value_out_of_range',
                      DETAIL = 'The weights are no longer finite numbers; nothing was written.',
                      HINT = format('Lower learning_rate (it was %s in this epoch), or scale the features.',
                                    corgi._param(norm, 'learning_rate')::float8 * power(corgi._param(norm, 'decay')::float8, e - 1));
        END IF;
        epoch_loss := epoch_loss || info.loss;
        epoch_rows := epoch_rows || info.rows;
        IF val_table IS NOT NULL THEN
            t0 := clock_timestamp();
            SELECT v.loss, v.metric INTO val_epoch_loss, val_epoch_metric
              FROM corgi._validate(state, model, class_texts, val_table, dependent_varname, independent_varname) v;
            val_seconds := val_seconds || extract(epoch FROM clock_timestamp() - t0)::float8;
            val_loss := val_loss || val_epoch_loss;
            val_metric := val_metric || val_epoch_metric;
        END IF;
        IF _run_epochs.verbose THEN
            RAISE NOTICE 'epoch %: loss %, rows %, skipped %, % s%', e, round(info.loss::numeric, 6), info.rows,
                info.skipped, round(epoch_seconds[e]::numeric, 3),
                CASE WHEN val_table IS NULL THEN ''
                     ELSE format(', validation loss %s, %s %s', round(val_epoch_loss::numeric, 6),
                                 CASE WHEN corgi._objective(model) = 'linear' THEN 'rmse' ELSE 'accuracy' END, round(val_epoch_metric::numeric, 4)) END;
        END IF;
    END LOOP;
    final_state := state;
END $$;
COMMENT ON FUNCTION corgi._run_epochs(bytea, integer, boolean, text, name, name, boolean, text, text, text, text, text[], regclass, text, text, text, boolean) IS
    'internal: the epochs of corgi.train, all on the snapshot of the calling statement';

-- corgi.train in three steps (prepare, run the epochs, write), shared by the drivers.
CREATE TYPE corgi.training_plan AS (
    source_table text,
    out_table text,
    dependent_varname text,
    independent_varname text,
    model text,
    epochs integer,
    shuffle text,
    norm text,
    out_main text,
    out_summary text,
    feat_col name,
    label_col name,
    feat_expr text,
    label_code text,
    n_features integer,
    class_texts text[],
    class_values float8[],
    buffer_rows bigint,
    state bytea,
    fast boolean,
    read_from text,
    sample_clause text,
    path text,
    once_table text,
    once_seconds float8,
    val_table regclass
);
COMMENT ON TYPE corgi.training_plan IS
    'what corgi._train_prepare decided for one training: the resolved names, the columns and label code, the classes, the buffer, the initial state and the path';

CREATE FUNCTION corgi._train_prepare(
    source_table text, out_table text, dependent_varname text, independent_varname text, model text,
    epochs integer, shuffle text, params text, caller_search_path text)
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
    t0 timestamptz;
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
    src := corgi._resolve_table(source_table, caller_search_path);
    IF src IS NULL THEN
        RAISE EXCEPTION 'source table "%" does not exist', source_table
            USING ERRCODE = 'undefined_table', HINT = 'Check the name and your search_path.';
    END IF;
    src_name := src::text;
    IF NOT has_table_privilege(src, 'SELECT') AND NOT has_any_column_privilege(src, 'SELECT') THEN
        RAISE EXCEPTION 'permission denied for table %', source_table USING ERRCODE = 'insufficient_privilege';
    END IF;
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
    IF coalesce(params, '') !~* '(^|,)\s*block_mb\s*=' AND pg_relation_size(src) > 0 THEN
        norm := corgi.normalize_params(concat_ws(', ', nullif(params, ''),
                                                 'block_mb=' || corgi._default_block_mb(pg_relation_size(src))), model);
    END IF;
    out_names := corgi._output_names(out_table, caller_search_path);
    IF to_regclass(out_names.main) IS NOT NULL THEN
        RAISE EXCEPTION 'output table % already exists', out_names.main
            USING ERRCODE = 'duplicate_table', HINT = 'Drop it first, or choose another out_table.';
    END IF;
    IF to_regclass(out_names.summary) IS NOT NULL THEN
        RAISE EXCEPTION 'output table % already exists', out_names.summary
            USING ERRCODE = 'duplicate_table', HINT = 'Drop it first, or choose another out_table.';
    END IF;
    -- Fail now, not after the epochs, when the output cannot be written.
    IF current_setting('transaction_read_only')::boolean THEN
        RAISE EXCEPTION 'corgi.train cannot write % in a read-only transaction', out_names.main
            USING ERRCODE = 'read_only_sql_transaction';
    END IF;
    IF NOT has_schema_privilege(out_names.schema, 'CREATE') THEN
        RAISE EXCEPTION 'permission denied to create % in schema %', out_names.main, out_names.schema
            USING ERRCODE = 'insufficient_privilege', HINT = 'Choose an out_table in a schema where you can create tables.';
    END IF;
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
        heap_pages := pg_relation_size(src) / current_setting('block_size')::bigint;
        EXECUTE format('SELECT count(*) FROM %s WHERE ctid < %L::tid', src_name, format('(%s,0)', least(heap_pages, 64)))
            INTO sample_rows;
        usable_rows := greatest(1, ceil(sample_rows::numeric * heap_pages / greatest(1, least(heap_pages, 64))))::bigint;
    ELSE
        EXECUTE format('SELECT count(*) FILTER (WHERE %1$s IS NOT NULL AND %2$s IS NOT NULL) FROM %3$s',
                       feat_expr, label_expr, src_name) INTO usable_rows;
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
    IF label_code IS NULL AND corgi._objective(model) <> 'softmax' THEN
        RAISE EXCEPTION 'dependent_varname "%" has type %, which % cannot use', dependent_varname, label_type, model
            USING ERRCODE = 'datatype_mismatch',
                  HINT = CASE WHEN corgi._objective(model) = 'linear' THEN model || ' needs a numeric label.'
                              ELSE model || ' needs a boolean label, or 0/1 or -1/+1.' END;
    END IF;
    IF corgi._objective(model) = 'softmax' THEN
        EXECUTE format('SELECT count(DISTINCT %1$s) FROM %2$s WHERE %1$s IS NOT NULL', label_expr, src_name)
            INTO e;
        IF e > 1000 OR e < 2 THEN
            RAISE EXCEPTION '% needs between 2 and 1000 classes, dependent_varname "%" has %', model, dependent_varname, e
                USING ERRCODE = 'invalid_parameter_value',
                      HINT = CASE WHEN e < 2 THEN 'Use a label with at least two distinct values.'
                                  ELSE 'Group the classes, or use another model.' END;
        END IF;
        IF label_code IS NULL THEN
            EXECUTE format('SELECT array_agg(c ORDER BY c) FROM (SELECT DISTINCT (%1$s)::text AS c FROM %2$s WHERE %1$s IS NOT NULL) d',
                           label_expr, src_name) INTO class_texts;
            class_values := ARRAY(SELECT generate_series(0, cardinality(class_texts) - 1)::float8);
            label_code := corgi._label_code(label_expr, label_type, class_texts);
        ELSE
            EXECUTE format('SELECT array_agg(c ORDER BY c) FROM (SELECT DISTINCT %1$s AS c FROM %2$s WHERE %1$s IS NOT NULL) d',
                           label_code, src_name) INTO class_values;
            class_texts := class_values::text[];
        END IF;
    END IF;

    -- Binary classifiers keep their labels as they appeared, {negative, positive}, so
    -- corgi.predict_label can answer in the user's terms.
    IF model IN ('logistic', 'svm') THEN
        IF label_type = 'boolean' THEN
            class_texts := '{false,true}';
        ELSE
            EXECUTE format('SELECT (%1$s)::text FROM %2$s WHERE %1$s IS NOT NULL AND (%1$s)::float8 <> 1 LIMIT 1',
                           label_expr, src_name) INTO label_code_negative;
            class_texts := ARRAY[coalesce(label_code_negative, '0'), '1'];
        END IF;
    END IF;

    -- The tuple buffer: buffer_fraction of the rows for corgipile and the streaming
    -- baselines (sliding window, MRS reservoir); without a tuple shuffle its size does
    -- not change the result, so it is kept small.
    buffer_rows := corgi._buffer_rows(shuffle, usable_rows, corgi._param(norm, 'buffer_fraction')::float8);
    state := corgi.sgd_state(model, n_features, buffer_rows, norm, class_values,
                             CASE shuffle WHEN 'corgipile' THEN 'shuffle' WHEN 'sliding_window' THEN 'sliding_window'
                                          WHEN 'mrs' THEN 'mrs' ELSE 'none' END);
    -- Networks with standardize=true: one extra pass measures each feature's mean and
    -- standard deviation, which the model keeps and applies (at predict time too).
    IF corgi._param(norm, 'standardize') = 'true' THEN
        EXECUTE format('SELECT corgi._feature_moments((%1$s)::float8[]) FROM %2$s WHERE %1$s IS NOT NULL AND %3$s IS NOT NULL',
                       feat_expr, src_name, label_expr) INTO moments;
        state := corgi.sgd_standardize(state, moments[1:n_features], moments[n_features + 1:2 * n_features]);
    END IF;

    -- Which path reads the data.
    SELECT c.relkind INTO rels FROM pg_class c WHERE c.oid = src;
    fast := corgi._heap_readable(src)
            AND feat_col IS NOT NULL AND label_col IS NOT NULL
            AND feat_type = ANY (corgi._feature_types())
            AND label_type = ANY (corgi._label_types());
    read_from := src_name;
    IF shuffle = 'once' THEN
        -- Shuffle Once: a copy of the (features, label) pairs in a seeded random order,
        -- read sequentially every epoch. Its cost is measured and reported.
        t0 := clock_timestamp();
        once_table := format('pg_temp.%I', 'corgi_once_' || pg_backend_pid());
        PERFORM setseed(((corgi._param(norm, 'seed')::numeric % 2147483647) / 2147483647.0)::float8);
        EXECUTE format('CREATE TEMP TABLE %s AS SELECT (%s)::float8[] AS f, %s AS l FROM %s ORDER BY random()',
                       once_table, feat_expr, label_code, src_name);
        once_seconds := extract(epoch FROM clock_timestamp() - t0);
        read_from := once_table;
        feat_col := 'f'; label_col := 'l';
        feat_expr := 'f'; label_code := 'l';
        fast := true;
    END IF;
    path := CASE WHEN fast THEN 'fast' ELSE 'composed' END;
    IF NOT fast AND shuffle IN ('corgipile', 'block_only') THEN
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
COMMENT ON FUNCTION corgi._train_prepare(text, text, text, text, text, integer, text, text, text) IS
    'internal: the checks and decisions of corgi.train before any epoch (table and column names, label code and classes, buffer, initial state, fast or composed path, the once copy); writes nothing but the once copy';

CREATE FUNCTION corgi._train_write(plan corgi.training_plan, state bytea, epoch_loss float8[],
                                   epoch_seconds float8[], epoch_rows bigint[], val_loss float8[],
                                   val_metric float8[], val_seconds float8[])
RETURNS TABLE (epochs_run integer, rows_per_epoch bigint, final_loss float8, training_seconds float8)
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_variable
DECLARE
    source_table text := plan.source_table;
    out_table text := plan.out_table;
    dependent_varname text := plan.dependent_varname;
    independent_varname text := plan.independent_varname;
    model text := plan.model;
    epochs integer := plan.epochs;
    shuffle text := plan.shuffle;
    norm text := plan.norm;
    n_features integer := plan.n_features;
    class_texts text[] := plan.class_texts;
    class_values float8[] := plan.class_values;
    buffer_rows bigint := plan.buffer_rows;
    path text := plan.path;
    once_table text := plan.once_table;
    once_seconds float8 := plan.once_seconds;
    val_table regclass := plan.val_table;
    info record;
    train_seconds float8 := (SELECT sum(x) FROM unnest(epoch_seconds) x);
BEGIN
    info := corgi.sgd_state_info(state);
    IF once_table IS NOT NULL THEN
        EXECUTE format('DROP TABLE %s', once_table);
    END IF;

    -- Output, only now that everything succeeded ------------------------------------
    EXECUTE format($f$CREATE TABLE %s AS SELECT
            corgi.sgd_coef($1) AS coef, corgi.sgd_intercept($1) AS intercept, $1 AS model,
            %L::text AS model_type, $2::float8 AS loss, $3::bigint AS num_rows_processed,
            $4::bigint AS num_rows_skipped, $5::integer AS num_epochs, $6::text[] AS classes,
            $7::integer[] AS layers$f$,
            plan.out_main, model)
        USING state, info.loss, info.rows, info.skipped, epochs, class_texts,
              ARRAY[n_features]
              || CASE WHEN model IN ('mlp', 'mlp_regression')
                      THEN string_to_array(btrim(corgi._param(norm, 'hidden_layers'), '[]'), ',')::integer[] END
              || CASE WHEN model IN ('softmax', 'mlp') THEN cardinality(class_values) ELSE 1 END;
    EXECUTE format($f$CREATE TABLE %s AS SELECT
            %L::text AS source_table, %L::text AS out_table, %L::text AS dependent_varname,
            %L::text AS independent_varname, %L::text AS model, %L::text AS shuffle, %L::text AS params,
            $1::integer AS n_features, $2::integer AS n_classes, $3::text[] AS classes,
            $4::bigint AS block_pages, $5::bigint AS buffer_rows, %L::text AS training_path,
            $6::integer AS epochs, $7::float8[] AS epoch_loss, $8::float8[] AS epoch_seconds,
            $9::bigint[] AS epoch_rows, $10::bigint AS num_rows_skipped, $11::float8 AS shuffle_seconds,
            $12::float8 AS training_seconds, $13::text AS validation_table, $14::float8[] AS validation_loss,
            $15::float8[] AS validation_metric, $16::text AS validation_metric_name, $17::float8[] AS validation_seconds$f$,
            plan.out_summary, source_table, out_table, dependent_varname, independent_varname, model, shuffle,
            info.params, path)
        USING n_features, CASE WHEN corgi._objective(model) = 'softmax' THEN cardinality(class_texts) END, class_texts, info.block_pages, buffer_rows, epochs,
              epoch_loss, epoch_seconds, epoch_rows, info.skipped,
              CASE WHEN shuffle = 'once' THEN once_seconds END, train_seconds + once_seconds,
              corgi._param(norm, 'validation_table'), val_loss, val_metric,
              CASE WHEN val_table IS NULL THEN NULL WHEN corgi._objective(model) = 'linear' THEN 'rmse' ELSE 'accuracy' END,
              val_seconds;

    RETURN QUERY SELECT epochs, info.rows, info.loss, train_seconds + once_seconds;
END $$;
COMMENT ON FUNCTION corgi._train_write(corgi.training_plan, bytea, float8[], float8[], bigint[], float8[], float8[], float8[]) IS
    'internal: writes out_table and out_table_summary of a trained plan (and drops the once copy); returns corgi.train''s row';

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
BEGIN
    plan := corgi._train_prepare(source_table, out_table, dependent_varname, independent_varname, model, epochs,
                                 shuffle, params, caller_search_path);
    -- Epochs: one statement, so every epoch reads the same snapshot (corgi._run_epochs
    -- is STABLE, and its queries use the snapshot of the statement that calls it).
    SELECT * INTO run FROM corgi._run_epochs(plan.state, plan.epochs, plan.fast, plan.read_from, plan.feat_col,
        plan.label_col, plan.shuffle IN ('corgipile', 'block_only'), plan.feat_expr, plan.label_code,
        plan.sample_clause, plan.model, plan.class_texts, plan.val_table, plan.dependent_varname,
        plan.independent_varname, plan.norm, train.verbose);
    RETURN QUERY SELECT * FROM corgi._train_write(plan, run.final_state, run.epoch_loss, run.epoch_seconds,
        run.epoch_rows, run.val_loss, run.val_metric, run.val_seconds);
END $$;
COMMENT ON FUNCTION corgi.train(text, text, text, text, text, integer, text, text, boolean, text) IS
    'trains a linear, logistic, svm, softmax, mlp or mlp_regression model with CorgiPile SGD (shuffle corgipile|block_only|none|once|sliding_window|mrs) and writes out_table and out_table_summary; caller_search_path (leave it out) is the path table names are resolved against';

CREATE OR REPLACE FUNCTION corgi._metrics(model bytea, model_type text, class_texts text[], tbl regclass,
                               feat text, lab text,
                               OUT rows bigint, OUT loss float8, OUT accuracy float8, OUT auc float8,
                               OUT rmse float8, OUT r2 float8)
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    label_type text;
    code text;
    m float8[];
    feat_col name;
    lab_col name;
BEGIN
    EXECUTE format('SELECT pg_typeof(%s)::text FROM %s LIMIT 1', lab, tbl) INTO label_type;
    code := corgi._label_code(lab, coalesce(label_type, 'integer'),
                              CASE WHEN corgi._objective(model_type) = 'softmax' AND label_type <> ALL (corgi._label_types())
                                   THEN class_texts END);
    IF code IS NULL THEN
        RAISE EXCEPTION 'dependent_varname % has type %, which a % model cannot score', lab, label_type, model_type
            USING ERRCODE = 'datatype_mismatch';
    END IF;
    -- Plain columns of a plain heap table: read its pages directly (the same rows and
    -- metrics as the query below, about twice as fast).
    SELECT a.attname INTO feat_col FROM pg_attribute a
    WHERE a.attrelid = tbl AND quote_ident(a.attname) = feat AND a.attnum > 0 AND NOT a.attisdropped
      AND format_type(a.atttypid, NULL) = ANY (corgi._feature_types());
    SELECT a.attname INTO lab_col FROM pg_attribute a
    WHERE a.attrelid = tbl AND quote_ident(a.attname) = lab AND a.attnum > 0 AND NOT a.attisdropped
      AND format_type(a.atttypid, NULL) = ANY (corgi._label_types());
    IF feat_col IS NOT NULL AND lab_col IS NOT NULL AND corgi._heap_readable(tbl) THEN
        m := corgi._evaluate_scan(model, tbl, feat_col, lab_col);
    ELSE
        EXECUTE format('SELECT corgi._evaluate_agg($1, (%1$s)::float8[], %2$s) FROM %3$s WHERE %1$s IS NOT NULL AND %4$s IS NOT NULL',
                       feat, code, tbl, lab)
            INTO m USING model;
    END IF;
    rows := coalesce(m[1], 0)::bigint;
    loss := CASE WHEN rows > 0 THEN m[2] END;
    accuracy := CASE WHEN corgi._objective(model_type) <> 'linear' AND rows > 0 THEN m[3] END;
    auc := CASE WHEN model_type IN ('logistic', 'svm') AND m[4] <> 'NaN'::float8 THEN m[4] END;
    rmse := CASE WHEN corgi._objective(model_type) = 'linear' AND rows > 0 THEN m[5] END;
    r2 := CASE WHEN corgi._objective(model_type) = 'linear' AND m[6] <> 'NaN'::float8 THEN m[6] END;
END $$;
COMMENT ON FUNCTION corgi._metrics(bytea, text, text[], regclass, text, text) IS 'internal: metrics of a model over a table';

CREATE OR REPLACE FUNCTION corgi._validate(state bytea, model_type text, class_texts text[], tbl regclass,
                                dependent_varname text, independent_varname text,
                                OUT loss float8, OUT metric float8)
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
RETURN (SELECT (m.loss, CASE WHEN corgi._objective(model_type) = 'linear' THEN m.rmse ELSE m.accuracy END)
        FROM corgi._metrics(state, model_type, class_texts, tbl,
                            corgi._variable(tbl, independent_varname, false, 'independent_varname'),
                            corgi._variable(tbl, dependent_varname, false, 'dependent_varname')) m);
COMMENT ON FUNCTION corgi._validate(bytea, text, text[], regclass, text, text) IS 'internal: per-epoch validation loss and accuracy (rmse for linear)';

CREATE OR REPLACE FUNCTION corgi.predict_table(model_table text, data_table text, id_col text, output_table text,
                                    independent_varname text DEFAULT NULL,
                                    caller_search_path text DEFAULT pg_catalog.current_setting('search_path'))
RETURNS bigint
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    m record := corgi._model_row(model_table, caller_search_path);
    tbl regclass := corgi._resolve_table(data_table, caller_search_path);
    out_names record;
    feat text;
    n bigint;
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
COMMENT ON FUNCTION corgi.predict_table(text, text, text, text, text, text) IS
    'scores every row of data_table into a new output_table(id, prediction, class, probabilities); returns the row count';
