-- corgi 0.3.0 -> 0.4.0: model hopping over partitions, local or on other servers.
-- ALTER EXTENSION corgi UPDATE applies it.
--
-- - corgi.fit_multiple over a partitioned table hops the models over its leaf partitions
--   (each partition is a segment); a postgres_fdw foreign partition's jobs run on the
--   server that holds it (corgi._hop_partitions sends the state, corgi._train_segment
--   trains it there), so the data never moves. The summary gains path, servers,
--   state_bytes_moved, remote_jobs and round_trip_seconds.
-- - corgi.train over a partitioned table with a foreign partition does the same with
--   one model (segments = its partitions).
-- - corgi._fit_epochs returns the servers and bytes moved (dropped and created again).

\echo Use "ALTER EXTENSION corgi UPDATE TO '0.4.0'" to load this file. \quit

CREATE FUNCTION corgi._hop_partitions(partitions regclass[], features name, label name, states bytea[],
                                      offsets integer[], segment_seed bigint, block_shuffle boolean, workers integer,
                                      OUT states bytea[], OUT seconds float8[], OUT servers integer,
                                      OUT bytes_sent bigint, OUT bytes_received bigint, OUT remote_jobs integer,
                                      OUT round_trip_seconds float8, OUT workers_launched integer)
    AS 'MODULE_PATHNAME', 'corgi_hop_partitions'
    LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;
COMMENT ON FUNCTION corgi._hop_partitions(regclass[], name, name, bytea[], integer[], bigint, boolean, integer) IS
    'internal: one model-hopping epoch of the states over the partitions, each job on the server that holds its partition (postgres_fdw foreign partitions) or here (on up to workers parallel workers when all are local); returns the new states, each model''s training seconds, the servers used, the state bytes sent and received, the remote jobs and their seconds outside training, the workers launched';

CREATE FUNCTION corgi._train_segment(source regclass, features name, label name, state bytea, block_shuffle boolean,
                                     OUT state bytea, OUT seconds float8)
    AS 'MODULE_PATHNAME', 'corgi_train_segment'
    LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;
COMMENT ON FUNCTION corgi._train_segment(regclass, name, name, bytea, boolean) IS
    'internal: a partition-hopping job as a node runs it: corgi.train_pass over the whole table, and its seconds';

CREATE FUNCTION corgi._segment_tables(source regclass) RETURNS regclass[]
LANGUAGE sql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
RETURN ARRAY(SELECT t.relid FROM pg_partition_tree(source) t JOIN pg_class c ON c.oid = t.relid
             WHERE t.isleaf ORDER BY pg_get_expr(c.relpartbound, c.oid), c.relname, c.oid);
COMMENT ON FUNCTION corgi._segment_tables(regclass) IS
    'internal: the leaf partitions of a partitioned table in the order of their bounds: the segments of partition hopping';

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
        IF NOT fast AND corgi._param(norm, 'segments') IS NOT NULL THEN
            -- Model hopping over the partitions (foreign ones on their servers).
            state := (corgi._hop_partitions(corgi._segment_tables(read_from::regclass), feat_col, label_col,
                                            ARRAY[state], ARRAY[corgi._param(norm, 'segment_offset')::integer],
                                            corgi._param(norm, 'segment_seed')::bigint, block_shuffle, 0)).states[1];
            state := corgi.sgd_end_epoch(state);
        ELSIF fast AND corgi._param(norm, 'segments') IS NOT NULL THEN
            -- Model hopping alone: the visits corgi.fit_multiple makes for this offset.
            state := (corgi._hop_epoch(read_from::regclass, feat_col, label_col, ARRAY[state],
                                       ARRAY[corgi._param(norm, 'segment_offset')::integer],
                                       corgi._param(norm, 'segments')::integer,
                                       corgi._param(norm, 'segment_seed')::bigint, block_shuffle, 0)).states[1];
            state := corgi.sgd_end_epoch(state);
        ELSIF fast THEN
            state := corgi.train_pass(read_from::regclass, feat_col, label_col, state, block_shuffle);
            state := corgi.sgd_end_epoch(state);
        ELSE
            EXECUTE format('SELECT corgi.sgd((%s)::float8[], %s, $1) FROM %s %s',
                           feat_expr, label_code, read_from, coalesce(sample_clause, ''))
                INTO state USING state, info.block_pages, info.block_seed;
        END IF;
        epoch_seconds := epoch_seconds || extract(epoch FROM clock_timestamp() - t0)::float8;
        info := corgi.sgd_state_info(state);
        IF corgi._diverged(state) THEN
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
                                 corgi._metric_name(model), round(val_epoch_metric::numeric, 4)) END;
        END IF;
    END LOOP;
    final_state := state;
END $$;
COMMENT ON FUNCTION corgi._run_epochs(bytea, integer, boolean, text, name, name, boolean, text, text, text, text, text[], regclass, text, text, text, boolean) IS
    'internal: the epochs of corgi.train, all on the snapshot of the calling statement';

CREATE OR REPLACE FUNCTION corgi._train_prepare(
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
    ELSIF feat_col IS NOT NULL AND label_col IS NOT NULL AND NOT row_security_active(src)
          AND (SELECT c.relkind FROM pg_class c WHERE c.oid = src) = 'p'
          AND NOT EXISTS (SELECT FROM unnest(corgi._segment_tables(src)) l WHERE NOT has_table_privilege(l, 'SELECT')) THEN
        -- A partitioned table is counted partition by partition, so that a foreign
        -- partition counts on its server (postgres_fdw cannot push down a count over the
        -- parent: it would fetch every row).
        EXECUTE (SELECT 'SELECT coalesce(sum(n), 0)::bigint FROM ('
                        || string_agg(format('SELECT count(*) FILTER (WHERE %1$s IS NOT NULL AND %2$s IS NOT NULL) AS n FROM %3$s',
                                             feat_expr, label_expr, l), ' UNION ALL ')
                        || ') c'
                 FROM unnest(corgi._segment_tables(src)) l)
            INTO usable_rows;
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
    state := corgi.sgd_state(model, n_features, buffer_rows, norm, class_values,
                             corgi._buffer_mode(shuffle));
    -- Networks with standardize=true: one extra pass measures each feature's mean and
    -- standard deviation, which the model keeps and applies (at predict time too).
    IF corgi._param(norm, 'standardize') = 'true' THEN
        EXECUTE format('SELECT corgi._feature_moments((%1$s)::float8[]) FROM %2$s WHERE %1$s IS NOT NULL AND %3$s IS NOT NULL',
                       feat_expr, src_name, label_expr) INTO moments;
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
        once_seconds := corgi._shuffled_copy(once_table, format('(%s)::float8[] AS f, %s AS l', feat_expr, label_code),
                                             src_name, corgi._param(norm, 'seed')::bigint);
        read_from := once_table;
        feat_col := 'f'; label_col := 'l';
        feat_expr := 'f'; label_code := 'l';
        fast := true;
    END IF;
    path := CASE WHEN partition_hop THEN 'partitions' WHEN fast THEN 'fast' ELSE 'composed' END;
    IF NOT fast AND NOT partition_hop AND corgi._param(norm, 'segments') IS NOT NULL THEN
        RAISE EXCEPTION 'segments (model hopping) needs a source whose pages corgi reads directly, and % is not one', source_table
            USING ERRCODE = 'feature_not_supported',
                  DETAIL = 'Model hopping reads heap tables (no inheritance children, no row-level security for you) with plain feature and label columns of the accepted types.',
                  HINT = 'Train on a plain table (CREATE TABLE ... AS SELECT), or leave segments out.';
    END IF;
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
COMMENT ON FUNCTION corgi._train_prepare(text, text, text, text, text, integer, text, text, text) IS
    'internal: the checks and decisions of corgi.train before any epoch (table and column names, label code and classes, buffer, initial state, fast or composed path, the once copy); writes nothing but the once copy';

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
    buffer_mode text := corgi._buffer_mode(plan.shuffle);
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
    group_select text;
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
        SELECT a.attname INTO col FROM pg_attribute a
         WHERE a.attrelid = source
           AND a.attnum > 0 AND NOT a.attisdropped
           AND (a.attname = item OR (item ~ '^[A-Za-z_][A-Za-z0-9_$]*$' AND a.attname = lower(item))
                OR (item ~ '^".+"$' AND a.attname = substr(item, 2, length(item) - 2)));
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
    IF to_regclass(gtab) IS NOT NULL THEN
        EXECUTE format('DROP TABLE %s', gtab);
    END IF;
    group_select := (SELECT string_agg(format('%s AS %I', x, n), ', ') FROM unnest(exprs, names) u(x, n));
    EXECUTE format($q$CREATE TEMP TABLE %s AS
        SELECT row_number() OVER (ORDER BY %s) AS "?gid", %s, count(*) AS "?rows",
               count(*) FILTER (WHERE (%s) IS NOT NULL AND (%s) IS NOT NULL) AS "?usable",
               CASE WHEN min(%s) FILTER (WHERE (%s) IS NOT NULL) < max(%s) FILTER (WHERE (%s) IS NOT NULL)
                    THEN 2 ELSE 1 END AS "?labels",
               %s AS "?moments"
        FROM %s GROUP BY %s$q$,
        gtab, key_exprs, group_select, plan.feat_expr, plan.label_code, plan.label_code, plan.feat_expr,
        plan.label_code, plan.feat_expr,
        CASE WHEN standardize THEN format('corgi._feature_moments((%s)::float8[]) FILTER (WHERE (%s) IS NOT NULL AND (%s) IS NOT NULL)',
                                          plan.feat_expr, plan.feat_expr, plan.label_code)
             ELSE 'NULL::float8[]' END,
        src, key_exprs);
    EXECUTE format('SELECT count(*) FROM %s', gtab) INTO g_all;
    IF g_all > 1000000 THEN
        RAISE EXCEPTION 'grouping_cols "%" makes % groups, at most 1000000 are allowed', grouping_cols, g_all
            USING ERRCODE = 'program_limit_exceeded';
    END IF;
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
    EXECUTE format($q$SELECT array_agg(CASE WHEN $5 THEN corgi.sgd_standardize(s, "?moments"[1:$2], "?moments"[$2 + 1:2 * $2]) ELSE s END
                                       ORDER BY "?gid")
                    FROM (SELECT "?gid", "?moments",
                                 corgi.sgd_state($1, $2, corgi._buffer_rows($3, "?usable", $4), $6, $7, $8) AS s
                          FROM %s JOIN unnest($9::bigint[]) AS t(gid) ON t.gid = "?gid") q$q$, gtab)
        INTO states
        USING plan.model, plan.n_features, plan.shuffle, corgi._param(plan.norm, 'buffer_fraction')::float8, standardize,
              plan.norm, plan.class_values, buffer_mode, trainable;
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

DROP FUNCTION corgi._fit_epochs(corgi.training_plan[], integer, bigint, integer, boolean);
CREATE FUNCTION corgi._fit_epochs(plans corgi.training_plan[], segments integer, segment_seed bigint,
                                  workers integer, verbose boolean,
                                  OUT final_states bytea[], OUT epoch_loss float8[], OUT epoch_seconds float8[],
                                  OUT epoch_rows bigint[], OUT val_loss float8[], OUT val_metric float8[],
                                  OUT workers_launched integer[], OUT wall_seconds float8[], OUT diverged_in integer[],
                                  OUT diverged_loss float8[], OUT servers integer, OUT bytes_moved bigint,
                                  OUT remote_jobs integer, OUT round_trip_seconds float8)
LANGUAGE plpgsql STABLE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_variable
DECLARE
    k_count integer := cardinality(plans);
    p corgi.training_plan := plans[1];
    e integer;
    k integer;
    active integer[];
    run record;
    t0 timestamptz;
    info record;
    v record;
    flat integer;
BEGIN
    final_states := ARRAY(SELECT (x).state FROM unnest(plans) x);
    epoch_loss := array_fill(NULL::float8, ARRAY[k_count * p.epochs]);
    epoch_seconds := epoch_loss; val_loss := epoch_loss; val_metric := epoch_loss;
    epoch_rows := array_fill(NULL::bigint, ARRAY[k_count * p.epochs]);
    diverged_in := array_fill(NULL::integer, ARRAY[k_count]);
    diverged_loss := array_fill(NULL::float8, ARRAY[k_count]);
    workers_launched := '{}'; wall_seconds := '{}';
    servers := 0; bytes_moved := 0; remote_jobs := 0; round_trip_seconds := 0;
    FOR e IN 1..p.epochs LOOP
        t0 := clock_timestamp();
        active := ARRAY(SELECT i FROM generate_series(1, k_count) i WHERE diverged_in[i] IS NULL);
        EXIT WHEN cardinality(active) = 0;
        IF p.path = 'partitions' THEN
            -- Segments are the partitions; a foreign one's jobs run on its server.
            SELECT h.states, h.seconds, h.workers_launched, h.servers, h.bytes_sent, h.bytes_received,
                   h.remote_jobs, h.round_trip_seconds
              INTO run
              FROM corgi._hop_partitions(corgi._segment_tables(p.read_from::regclass), p.feat_col, p.label_col,
                       ARRAY(SELECT final_states[i] FROM unnest(active) i),
                       ARRAY(SELECT (i - 1) % segments FROM unnest(active) i),
                       segment_seed, p.shuffle IN ('corgipile', 'block_only'), workers) h;
            servers := greatest(servers, run.servers);
            bytes_moved := bytes_moved + run.bytes_sent + run.bytes_received;
            remote_jobs := remote_jobs + run.remote_jobs;
            round_trip_seconds := round_trip_seconds + run.round_trip_seconds;
        ELSE
            SELECT * INTO run FROM corgi._hop_epoch(p.read_from::regclass, p.feat_col, p.label_col,
                ARRAY(SELECT final_states[i] FROM unnest(active) i),
                ARRAY(SELECT (i - 1) % segments FROM unnest(active) i),
                segments, segment_seed, p.shuffle IN ('corgipile', 'block_only'), workers);
        END IF;
        workers_launched := workers_launched || run.workers_launched;
        FOR j IN 1..cardinality(active) LOOP
            k := active[j];
            flat := (e - 1) * k_count + k;
            final_states[k] := corgi.sgd_end_epoch(run.states[j]);
            info := corgi.sgd_state_info(final_states[k]);
            epoch_loss[flat] := info.loss;
            epoch_rows[flat] := info.rows;
            epoch_seconds[flat] := run.seconds[j];
            IF corgi._diverged(final_states[k]) THEN
                diverged_in[k] := e;
                diverged_loss[k] := info.loss;
                RAISE NOTICE 'config % diverged in epoch % (loss %): it is set aside, the others go on',
                    k, e, info.loss USING HINT = 'Lower its learning_rate, or scale the features.';
            ELSIF (plans[k]).val_table IS NOT NULL THEN
                SELECT x.loss, x.metric INTO v
                  FROM corgi._validate(final_states[k], (plans[k]).model, (plans[k]).class_texts, (plans[k]).val_table,
                                       (plans[k]).dependent_varname, (plans[k]).independent_varname) x;
                val_loss[flat] := v.loss;
                val_metric[flat] := v.metric;
            END IF;
        END LOOP;
        wall_seconds := wall_seconds || extract(epoch FROM clock_timestamp() - t0)::float8;
        IF _fit_epochs.verbose AND p.path = 'partitions' THEN
            RAISE NOTICE 'epoch %: % models over % partitions (on % other servers; % workers here), % s; lowest training loss %', e,
                cardinality(active), segments, run.servers, run.workers_launched, round(wall_seconds[e]::numeric, 3),
                (SELECT round(min(epoch_loss[(e - 1) * k_count + i])::numeric, 6) FROM unnest(active) i);
        ELSIF _fit_epochs.verbose THEN
            RAISE NOTICE 'epoch %: % models on % workers and the leader, % s; lowest training loss %', e,
                cardinality(active), run.workers_launched, round(wall_seconds[e]::numeric, 3),
                (SELECT round(min(epoch_loss[(e - 1) * k_count + i])::numeric, 6) FROM unnest(active) i);
        END IF;
    END LOOP;
END $$;
COMMENT ON FUNCTION corgi._fit_epochs(corgi.training_plan[], integer, bigint, integer, boolean) IS
    'internal: the epochs of corgi.fit_multiple, all on the snapshot of the calling statement';

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
COMMENT ON FUNCTION corgi.fit_multiple(text, text, text, text, text, integer, text, text, text, boolean, text) IS
    'trains every config of a configs table (config_id, model, params; see corgi.config_grid) at once by Model Hopper Parallelism on parallel workers: out_table (one model per config), out_table_info (per-epoch arrays) and out_table_summary; params are shared (seed, segments, workers, and defaults under each config''s own)';
