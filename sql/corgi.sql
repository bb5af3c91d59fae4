-- corgi @VERSION@: install script. Its source is sql/corgi.sql; make builds
-- sql/corgi--VERSION.sql from it (the version from extension/corgi.control), and the newest
-- upgrade script from its declaration and this file (scripts/build-upgrade.py).
-- Every object lives in schema corgi (created by CREATE EXTENSION, from the control file).
--
-- Security rules of this file (see README "Security"):
-- - every PL/pgSQL and SQL function that parses SQL at run time pins
--   search_path = pg_catalog, pg_temp, so nobody who can create objects in a schema on
--   the caller's path can substitute a function or operator (the CVE-2018-1058 class);
-- - the functions that take table names (train, evaluate, predict_table) get the caller's
--   search_path from a last parameter whose DEFAULT, pg_catalog.current_setting(...), is
--   parsed at CREATE EXTENSION and evaluated in the caller's context before their own
--   SET applies; names are resolved against it in C (corgi._resolve_table,
--   corgi._creation_schema);
-- - SQL text stored in a table (a model's _summary) is never executed: stored variable
--   names are used only when they are plain columns of the table, checked in the catalog.

\echo Use "CREATE EXTENSION corgi" to load this file. \quit

CREATE FUNCTION corgi.version() RETURNS text
    AS 'MODULE_PATHNAME', 'corgi_version'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION corgi.version() IS
    'version of the loaded corgi library';

-- TABLESAMPLE corgi_block_shuffle(block_pages) [REPEATABLE (seed)]
CREATE FUNCTION corgi.corgi_block_shuffle(internal) RETURNS tsm_handler
    AS 'MODULE_PATHNAME', 'corgi_block_shuffle_handler'
    LANGUAGE C VOLATILE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION corgi.corgi_block_shuffle(internal) IS
    'TABLESAMPLE method: every visible tuple once, in blocks of block_pages consecutive heap pages visited in a seeded random order, pages ascending inside a block';

-- One snapshot for a whole training call (see corgi_call_snapshot.c): a driver begins
-- and ends a call, its counting pass pins the snapshot it reads with, and every direct
-- read of the call (the epochs, on parallel workers too) uses that snapshot.
CREATE FUNCTION corgi._begin_call() RETURNS integer
    AS 'MODULE_PATHNAME', 'corgi_begin_call'
    LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;
COMMENT ON FUNCTION corgi._begin_call() IS
    'internal: a training driver starts (calls nest); returns its depth';
CREATE FUNCTION corgi._end_call() RETURNS integer
    AS 'MODULE_PATHNAME', 'corgi_end_call'
    LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;
COMMENT ON FUNCTION corgi._end_call() IS
    'internal: a training driver ends; the outermost unpins the call''s snapshot; returns the depth left';
-- A held-out split drawn by a seed (MADlib's train_test_split): the validation table
-- of early stopping and of the schedules.
CREATE FUNCTION corgi.train_test_split(source_table text, train_table text, test_table text,
                                       test_fraction float8 DEFAULT 0.2, seed bigint DEFAULT 42,
                                       caller_search_path text DEFAULT pg_catalog.current_setting('search_path'),
                                       OUT train_rows bigint, OUT test_rows bigint)
    AS 'MODULE_PATHNAME', 'corgi_train_test_split'
    LANGUAGE C VOLATILE PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
    SET extra_float_digits = 1
    SET DateStyle = 'ISO, MDY'
    SET IntervalStyle = 'postgres'
    SET TimeZone = 'UTC'
    SET bytea_output = 'hex';
COMMENT ON FUNCTION corgi.train_test_split(text, text, text, float8, bigint, text) IS
    'copies the rows of source_table into train_table and test_table, test_fraction of them (by a hash of each row and seed: the same split on every server) into test_table; caller_search_path (leave it out) is the path the names are resolved against';

-- Hyperband's brackets and rungs (MADlib's hyperband_schedule), to size a configs table.
CREATE FUNCTION corgi.hyperband_schedule(epochs integer, eta integer DEFAULT 3, configs integer DEFAULT NULL)
    RETURNS TABLE (bracket integer, rung integer, configs integer, epochs integer)
    AS 'MODULE_PATHNAME', 'corgi_hyperband_schedule'
    LANGUAGE C IMMUTABLE PARALLEL SAFE ROWS 20;
COMMENT ON FUNCTION corgi.hyperband_schedule(integer, integer, integer) IS
    'every rung of corgi.fit_multiple''s schedule => ''hyperband'' for at most epochs epochs and eta: its bracket, how many configs train in it and the epoch it ends at (configs NULL: Hyperband''s own counts, else those configs split over the brackets)';

-- The facts a call reads from its source, read once (corgi_call_facts.c): inside a facts
-- scope, corgi._fact runs a query the first time and answers from memory after
-- (corgi.fit_multiple opens one around its K preparations).
CREATE FUNCTION corgi._facts_begin() RETURNS integer
    AS 'MODULE_PATHNAME', 'corgi_facts_begin'
    LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;
COMMENT ON FUNCTION corgi._facts_begin() IS
    'internal: opens a facts scope (scopes nest); returns its depth';
CREATE FUNCTION corgi._facts_end() RETURNS integer
    AS 'MODULE_PATHNAME', 'corgi_facts_end'
    LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;
COMMENT ON FUNCTION corgi._facts_end() IS
    'internal: closes a facts scope (the outermost forgets its facts); returns the depth left';
CREATE FUNCTION corgi._fact(query text, template anyelement) RETURNS anyelement
    AS 'MODULE_PATHNAME', 'corgi_fact'
    LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION corgi._fact(text, anyelement) IS
    'internal: the first column of the query''s first row, of the template''s type (run with the caller''s rights); inside a facts scope a query runs once';

-- Live progress of a training call (corgi_progress.c): the backend's progress counters
-- in a borrowed VACUUM slot marked by a magic number, read by corgi.training_progress.
CREATE FUNCTION corgi._progress_begin(call text, source regclass, out_table text, epochs integer, tasks integer)
    RETURNS boolean
    AS 'MODULE_PATHNAME', 'corgi_progress_begin'
    LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;
COMMENT ON FUNCTION corgi._progress_begin(text, regclass, text, integer, integer) IS
    'internal: a training call (train or fit_multiple) begins its progress row, phase counting; false when this backend already reports one';
CREATE FUNCTION corgi._progress_set(phase text DEFAULT NULL, epoch integer DEFAULT NULL,
                                    rows_per_epoch bigint DEFAULT NULL, tasks_done integer DEFAULT NULL,
                                    tasks integer DEFAULT NULL, loss float8 DEFAULT NULL, workers integer DEFAULT NULL)
    RETURNS boolean
    AS 'MODULE_PATHNAME', 'corgi_progress_set'
    LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION corgi._progress_set(text, integer, bigint, integer, integer, float8, integer) IS
    'internal: updates the given fields of the call''s progress row (NULL: unchanged; a new epoch starts its rows at 0 and takes the previous epoch''s rows as rows per epoch); whether there is one';
CREATE FUNCTION corgi._progress_decode(params bigint[], OUT call text, OUT phase text, OUT out_table text,
                                       OUT epoch integer, OUT epochs integer, OUT rows_done bigint,
                                       OUT rows_per_epoch bigint, OUT tasks_done integer, OUT tasks integer,
                                       OUT last_loss float8, OUT workers integer, OUT elapsed_seconds float8,
                                       OUT seconds_left float8)
    AS 'MODULE_PATHNAME', 'corgi_progress_decode'
    LANGUAGE C VOLATILE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION corgi._progress_decode(bigint[]) IS
    'internal: a progress row''s 20 parameters read back (all NULL unless a corgi call''s)';

CREATE FUNCTION corgi._pin_snapshot() RETURNS boolean
    AS 'MODULE_PATHNAME', 'corgi_pin_snapshot'
    LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;
COMMENT ON FUNCTION corgi._pin_snapshot() IS
    'internal: inside a training call, pins the calling query''s snapshot for the call''s direct reads (unless one is); whether it did';
CREATE FUNCTION corgi._leading_page_rows(source regclass, pages integer) RETURNS bigint
    AS 'MODULE_PATHNAME', 'corgi_leading_page_rows'
    LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;
COMMENT ON FUNCTION corgi._leading_page_rows(regclass, integer) IS
    'internal: the visible rows on the first pages of a heap table (sizes a tuple buffer; SELECT on the table or a column; pins the call''s snapshot); NULL under row-level security';

CREATE FUNCTION corgi._heap_data_pages(source regclass) RETURNS bigint
    AS 'MODULE_PATHNAME', 'corgi_heap_data_pages_sql'
    LANGUAGE C VOLATILE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION corgi._heap_data_pages(regclass) IS
    'internal: a heap table''s pages up to the last that holds a tuple (what block orders and buffers are sized by); NULL for other relations';

-- Table names as the caller means them (see the security rules above).
CREATE FUNCTION corgi._resolve_table(name text, caller_path text) RETURNS regclass
    AS 'MODULE_PATHNAME', 'corgi_resolve_table'
    LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION corgi._resolve_table(text, text) IS
    'internal: the relation name means under search_path caller_path, or NULL';

CREATE FUNCTION corgi._creation_schema(name text, caller_path text) RETURNS text
    AS 'MODULE_PATHNAME', 'corgi_creation_schema'
    LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION corgi._creation_schema(text, text) IS
    'internal: the schema CREATE TABLE name would use under search_path caller_path';

CREATE FUNCTION corgi.debug_swift_objects() RETURNS bigint
    AS 'MODULE_PATHNAME', 'corgi_debug_swift_objects'
    LANGUAGE C VOLATILE STRICT PARALLEL RESTRICTED;

COMMENT ON FUNCTION corgi.debug_swift_objects() IS
    'diagnostic: number of Swift objects held by this backend (0 between statements; nonzero after one means a leak)';

------------------------------------------------------------------------------------
-- Training states and the SGD operators (the composable building blocks).
------------------------------------------------------------------------------------

CREATE FUNCTION corgi.normalize_params(params text) RETURNS text
    AS 'MODULE_PATHNAME', 'corgi_normalize_params'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION corgi.normalize_params(text) IS
    'every training parameter with its effective value (defaults written out); errors name unknown keys and bad values';

CREATE FUNCTION corgi.normalize_params(params text, model text) RETURNS text
    AS 'MODULE_PATHNAME', 'corgi_normalize_params'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION corgi.normalize_params(text, text) IS
    'every training parameter with its effective value for a model (its own defaults: mlp and mlp_regression use adam and batch_size 64, and write out hidden_layers, activation, standardize)';

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

CREATE FUNCTION corgi.sgd_state(model text, n_features integer, buffer_rows bigint,
                                params text DEFAULT '', classes float8[] DEFAULT NULL,
                                buffer text DEFAULT 'shuffle') RETURNS bytea
    AS 'MODULE_PATHNAME', 'corgi_sgd_state'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION corgi.sgd_state(text, integer, bigint, text, float8[], text) IS
    'a fresh training state for corgi.sgd: model linear|logistic|svm|softmax|svr (zero weights) or mlp|mlp_regression (seeded initialization), a tuple buffer of buffer_rows rows used as buffer shuffle|none|sliding_window|mrs';

CREATE FUNCTION corgi.sgd_transition(internal, float8[], float8, bytea) RETURNS internal
    AS 'MODULE_PATHNAME', 'corgi_sgd_transition'
    LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION corgi.sgd_transition(internal, float8[], float8, bytea) IS
    'transition of corgi.sgd: buffers the row, shuffles and trains each full buffer';

CREATE FUNCTION corgi.sgd_final(internal) RETURNS bytea
    AS 'MODULE_PATHNAME', 'corgi_sgd_final'
    LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION corgi.sgd_final(internal) IS
    'final function of corgi.sgd: trains the partial buffer and closes the epoch';

CREATE FUNCTION corgi.sgd_pass_final(internal) RETURNS bytea
    AS 'MODULE_PATHNAME', 'corgi_sgd_pass_final'
    LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION corgi.sgd_pass_final(internal) IS
    'final function of corgi.sgd_pass: trains the partial buffer, leaves the epoch open';

-- One epoch: SELECT corgi.sgd(features, label, :state) FROM t TABLESAMPLE corgi_block_shuffle(p) REPEATABLE (s)
CREATE AGGREGATE corgi.sgd(features float8[], label float8, state bytea) (
    SFUNC = corgi.sgd_transition,
    STYPE = internal,
    FINALFUNC = corgi.sgd_final,
    FINALFUNC_MODIFY = READ_WRITE,
    PARALLEL = UNSAFE
);
COMMENT ON AGGREGATE corgi.sgd(float8[], float8, bytea) IS
    'one epoch of CorgiPile SGD over the rows, in their order, from state; returns the new state (NULL for no rows)';

CREATE AGGREGATE corgi.sgd_pass(features float8[], label float8, state bytea) (
    SFUNC = corgi.sgd_transition,
    STYPE = internal,
    FINALFUNC = corgi.sgd_pass_final,
    FINALFUNC_MODIFY = READ_WRITE,
    PARALLEL = UNSAFE
);
COMMENT ON AGGREGATE corgi.sgd_pass(float8[], float8, bytea) IS
    'like corgi.sgd but leaves the epoch open: one pass over one segment of an epoch (close it with corgi.sgd_end_epoch)';

CREATE FUNCTION corgi.sgd_end_epoch(state bytea) RETURNS bytea
    AS 'MODULE_PATHNAME', 'corgi_sgd_end_epoch'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION corgi.sgd_end_epoch(bytea) IS
    'closes the epoch of a state after corgi.sgd_pass / corgi.train_pass calls: records its statistics, decays the learning rate';

CREATE FUNCTION corgi.train_pass(source regclass, features text, label name, state bytea,
                                 block_shuffle boolean DEFAULT true,
                                 first_page bigint DEFAULT 0, page_count bigint DEFAULT NULL)
    RETURNS bytea
    AS 'MODULE_PATHNAME', 'corgi_train_pass'
    LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION corgi.train_pass(regclass, text, name, bytea, boolean, bigint, bigint) IS
    'fast path: one pass of SGD over a heap table (or the pages first_page..first_page+page_count-1) in block-shuffled order, read directly; same model as corgi.sgd_pass over TABLESAMPLE corgi_block_shuffle';

CREATE FUNCTION corgi.train_blocks(source regclass, features text, label name, state bytea,
                                   blocks integer[], block_pages integer)
    RETURNS bytea
    AS 'MODULE_PATHNAME', 'corgi_train_blocks'
    LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;
COMMENT ON FUNCTION corgi.train_blocks(regclass, text, name, bytea, integer[], integer) IS
    'fast path: one pass of SGD over the listed blocks of block_pages pages, in the listed order (a model''s visit to a segment in model hopping); the epoch stays open';

-- One epoch of Model Hopper Parallelism over a heap table (corgi_model_hopping.c): every
-- state visits every segment once, in the order of its offset, on the leader and up to
-- `workers` parallel workers (< 0: the default). Reads only; writes nothing.
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

CREATE FUNCTION corgi._hop_groups_epoch(source regclass, features text, label name, group_columns name[], keys text[],
                                        bundles bytea[], offsets integer[], segments integer, segment_seed bigint,
                                        block_shuffle boolean, workers integer,
                                        OUT bundles bytea[], OUT seconds float8[], OUT workers_launched integer)
    AS 'MODULE_PATHNAME', 'corgi_hop_groups_epoch'
    LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;
COMMENT ON FUNCTION corgi._hop_groups_epoch(regclass, text, name, name[], text[], bytea[], integer[], integer, bigint, boolean, integer) IS
    'internal: corgi._hop_epoch for configs whose groups hop together: each model is a bundle of group states (corgi._bundle), and a job sends each row of its segment to its group''s state; epochs stay open';

CREATE FUNCTION corgi._hop_epoch(source regclass, features text, label name, states bytea[], offsets integer[],
                                 segments integer, segment_seed bigint, block_shuffle boolean, workers integer,
                                 configs_per_visit integer DEFAULT 1,
                                 OUT states bytea[], OUT seconds float8[], OUT workers_launched integer)
    AS 'MODULE_PATHNAME', 'corgi_hop_epoch'
    LANGUAGE C STABLE STRICT PARALLEL UNSAFE;
COMMENT ON FUNCTION corgi._hop_epoch(regclass, text, name, bytea[], integer[], integer, bigint, boolean, integer, integer) IS
    'internal: one model-hopping epoch of the states over the table''s segments, on parallel workers (models of one offset that see the same rows share each read, up to configs_per_visit at a time); returns the new states, each model''s training seconds and the workers launched';

-- Model hopping over the partitions of a partitioned table (corgi_partition_hopping.c):
-- each leaf partition is a segment; a foreign partition's jobs run on its server.
CREATE FUNCTION corgi._hop_partitions(partitions regclass[], features text, label name, states bytea[],
                                      offsets integer[], segment_seed bigint, block_shuffle boolean, workers integer,
                                      OUT states bytea[], OUT seconds float8[], OUT servers integer,
                                      OUT bytes_sent bigint, OUT bytes_received bigint, OUT remote_jobs integer,
                                      OUT round_trip_seconds float8, OUT workers_launched integer)
    AS 'MODULE_PATHNAME', 'corgi_hop_partitions'
    LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;
COMMENT ON FUNCTION corgi._hop_partitions(regclass[], text, name, bytea[], integer[], bigint, boolean, integer) IS
    'internal: one model-hopping epoch of the states over the partitions, each job on the server that holds its partition (postgres_fdw foreign partitions) or here (on up to workers parallel workers when all are local); returns the new states, each model''s training seconds, the servers used, the state bytes sent and received, the remote jobs and their seconds outside training, the workers launched';

CREATE FUNCTION corgi._train_segment(source regclass, features text, label name, state bytea, block_shuffle boolean,
                                     OUT state bytea, OUT seconds float8)
    AS 'MODULE_PATHNAME', 'corgi_train_segment'
    LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;
COMMENT ON FUNCTION corgi._train_segment(regclass, text, name, bytea, boolean) IS
    'internal: a partition-hopping job as a node runs it: corgi.train_pass over the whole table, and its seconds';

-- The leaf partitions of a partitioned table, in the order of their partition bounds
-- (then names): the segments of partition hopping.
CREATE FUNCTION corgi._segment_tables(source regclass) RETURNS regclass[]
LANGUAGE sql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
RETURN ARRAY(SELECT t.relid FROM pg_partition_tree(source) t JOIN pg_class c ON c.oid = t.relid
             WHERE t.isleaf ORDER BY pg_get_expr(c.relpartbound, c.oid), c.relname, c.oid);
COMMENT ON FUNCTION corgi._segment_tables(regclass) IS
    'internal: the leaf partitions of a partitioned table in the order of their bounds: the segments of partition hopping';

CREATE FUNCTION corgi._merge_params(base text, override text) RETURNS text
    AS 'MODULE_PATHNAME', 'corgi_merge_params'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION corgi._merge_params(text, text) IS
    'internal: override''s key=value items over base''s (a fit_multiple config over the call''s shared params)';

-- Grouped learning (corgi_group_training.c): one pass trains every group of a batch,
-- each row routed by its group key to its group's trainer.
CREATE FUNCTION corgi._train_groups(source regclass, features text, label name, group_columns name[], keys text[],
                                    states bytea[], block_shuffle boolean) RETURNS bytea[]
    AS 'MODULE_PATHNAME', 'corgi_train_groups'
    LANGUAGE C STABLE STRICT PARALLEL UNSAFE;
COMMENT ON FUNCTION corgi._train_groups(regclass, text, name, name[], text[], bytea[], boolean) IS
    'internal: one epoch of the groups whose keys (text per grouping column, group after group) are given, over a heap table in the states'' block order; returns their new states';

CREATE FUNCTION corgi._sgd_groups_transition(internal, record, float8[], float8, bytea[], text[]) RETURNS internal
    AS 'MODULE_PATHNAME', 'corgi_sgd_groups_transition'
    LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION corgi._sgd_groups_transition(internal, record, float8[], float8, bytea[], text[]) IS
    'internal: transition of corgi._sgd_groups: routes the row by its key to its group''s trainer';

CREATE FUNCTION corgi._sgd_groups_final(internal) RETURNS bytea[]
    AS 'MODULE_PATHNAME', 'corgi_sgd_groups_final'
    LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION corgi._sgd_groups_final(internal) IS
    'internal: final function of corgi._sgd_groups: closes every group''s epoch';

-- The composed path of grouped learning: SELECT corgi._sgd_groups(ROW(keys...), features,
-- label, states, key_texts) FROM t TABLESAMPLE corgi_block_shuffle(p) REPEATABLE (s)
CREATE AGGREGATE corgi._sgd_groups(key record, features float8[], label float8, states bytea[], keys text[]) (
    SFUNC = corgi._sgd_groups_transition,
    STYPE = internal,
    FINALFUNC = corgi._sgd_groups_final,
    FINALFUNC_MODIFY = READ_WRITE,
    PARALLEL = UNSAFE
);
COMMENT ON AGGREGATE corgi._sgd_groups(record, float8[], float8, bytea[], text[]) IS
    'internal: one epoch of every group over the rows, in their order (the composed path of grouping_cols); NULL for no rows';

CREATE FUNCTION corgi._states_progress(states bytea[], OUT loss float8[], OUT rows bigint[], OUT skipped bigint[],
                                       OUT megabytes float8[])
    AS 'MODULE_PATHNAME', 'corgi_states_progress'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION corgi._states_progress(bytea[]) IS
    'internal: per state, the last epoch''s mean loss, rows and skipped rows, and the megabytes its trainer allocates';

CREATE FUNCTION corgi.sgd_state_info(state bytea,
    OUT model text, OUT n_features integer, OUT n_classes integer, OUT epochs integer,
    OUT rows bigint, OUT skipped bigint, OUT loss float8, OUT rows_in_progress bigint,
    OUT learning_rate float8, OUT buffer_rows bigint, OUT buffer text,
    OUT block_pages bigint, OUT block_seed float8, OUT params text, OUT buffer_fraction float8)
    AS 'MODULE_PATHNAME', 'corgi_sgd_state_info'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION corgi.sgd_state_info(bytea) IS
    'what a state holds: model, shape, epochs completed, last epoch''s rows/skipped/mean loss, the next epoch''s learning rate, block size and REPEATABLE seed';

CREATE FUNCTION corgi.sgd_coef(state bytea) RETURNS float8[]
    AS 'MODULE_PATHNAME', 'corgi_sgd_coef'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION corgi.sgd_coef(bytea) IS
    'the weights of a state or model: one per feature, or classes x features for softmax';

CREATE FUNCTION corgi.sgd_intercept(state bytea) RETURNS float8[]
    AS 'MODULE_PATHNAME', 'corgi_sgd_intercept'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION corgi.sgd_intercept(bytea) IS
    'the intercepts of a state or model: one, or one per class for softmax';

CREATE FUNCTION corgi.sgd_classes(state bytea) RETURNS float8[]
    AS 'MODULE_PATHNAME', 'corgi_sgd_classes'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION corgi.sgd_classes(bytea) IS
    'the class values of a softmax state (label codes), NULL for other models';

CREATE FUNCTION corgi.epoch_seed(seed bigint, epoch integer) RETURNS float8
    AS 'MODULE_PATHNAME', 'corgi_epoch_seed'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION corgi.epoch_seed(bigint, integer) IS
    'the REPEATABLE value of the block order of epoch (0-based) of a run with this seed';

------------------------------------------------------------------------------------
-- Prediction.
------------------------------------------------------------------------------------

CREATE FUNCTION corgi.predict(model_table text, features float8[]) RETURNS float8
    AS 'MODULE_PATHNAME', 'corgi_predict'
    LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION corgi.predict(text, float8[]) IS
    'prediction of the model in model_table: the value (linear, svr, mlp_regression), 1 or 0 (logistic, svm), the class code (softmax, mlp; see the classes column)';

CREATE FUNCTION corgi.predict_proba(model_table text, features float8[]) RETURNS float8[]
    AS 'MODULE_PATHNAME', 'corgi_predict_proba'
    LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION corgi.predict_proba(text, float8[]) IS
    'class probabilities of the model in model_table: {P(negative), P(positive)} (logistic) or one per class (softmax)';

-- The row form: the model reads its feature columns (its summary's independent_varname)
-- from a whole row, SELECT corgi.predict('m', t) FROM t t. A NULL feature: NULL. Its
-- planner support passes a table's columns one by one instead of a row value
-- (corgi._predict_fields), where no join can make the row NULL.
CREATE FUNCTION corgi._predict_row_support(internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'corgi_predict_row_support'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION corgi._predict_row_support(internal) IS
    'internal: planner support of the row form of predict: a whole-row reference to a table of a query without joins becomes the table''s columns, one by one';
CREATE FUNCTION corgi._predict_fields(model_table text, row_type regtype, VARIADIC fields "any") RETURNS float8
    AS 'MODULE_PATHNAME', 'corgi_predict_fields'
    LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION corgi._predict_fields(text, regtype, "any") IS
    'internal: corgi.predict of a row given as its type and its columns (the non-dropped ones, in order)';
CREATE FUNCTION corgi._predict_proba_fields(model_table text, row_type regtype, VARIADIC fields "any") RETURNS float8[]
    AS 'MODULE_PATHNAME', 'corgi_predict_proba_fields'
    LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION corgi._predict_proba_fields(text, regtype, "any") IS
    'internal: corgi.predict_proba of a row given as its type and its columns (the non-dropped ones, in order)';
CREATE FUNCTION corgi._predict_label_fields(model_table text, row_type regtype, VARIADIC fields "any") RETURNS text
    AS 'MODULE_PATHNAME', 'corgi_predict_label_fields'
    LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION corgi._predict_label_fields(text, regtype, "any") IS
    'internal: corgi.predict_label of a row given as its type and its columns (the non-dropped ones, in order)';

CREATE FUNCTION corgi.predict(model_table text, row_value record) RETURNS float8
    AS 'MODULE_PATHNAME', 'corgi_predict_row'
    LANGUAGE C STABLE STRICT PARALLEL SAFE
    SUPPORT corgi._predict_row_support;
COMMENT ON FUNCTION corgi.predict(text, record) IS
    'prediction of the model in model_table for a row holding its feature columns (the columns it was trained on, by name); NULL when one of them is NULL';

CREATE FUNCTION corgi.predict_proba(model_table text, row_value record) RETURNS float8[]
    AS 'MODULE_PATHNAME', 'corgi_predict_proba_row'
    LANGUAGE C STABLE STRICT PARALLEL SAFE
    SUPPORT corgi._predict_row_support;
COMMENT ON FUNCTION corgi.predict_proba(text, record) IS
    'class probabilities of the model in model_table for a row holding its feature columns; NULL when one of them is NULL';

CREATE FUNCTION corgi.model_predict(model bytea, features float8[]) RETURNS float8
    AS 'MODULE_PATHNAME', 'corgi_model_predict_sql'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION corgi.model_predict(bytea, float8[]) IS
    'corgi.predict for a model given as bytes (the model column, or a state)';

CREATE FUNCTION corgi.model_predict_proba(model bytea, features float8[]) RETURNS float8[]
    AS 'MODULE_PATHNAME', 'corgi_model_predict_proba_sql'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION corgi.model_predict_proba(bytea, float8[]) IS
    'corgi.predict_proba for a model given as bytes';

CREATE FUNCTION corgi.model_scores(model bytea, features float8[]) RETURNS float8[]
    AS 'MODULE_PATHNAME', 'corgi_model_scores_sql'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION corgi.model_scores(bytea, float8[]) IS
    'the raw scores W x + b of a model given as bytes: the decision value (linear, logistic, svm, svr) or one per class (softmax)';

------------------------------------------------------------------------------------
-- corgi.train: all epochs in one call (MADlib-style driver).
------------------------------------------------------------------------------------

-- The quoted name of an output table and of its _summary table, from a possibly
-- schema-qualified name; the names are quoted identifiers, never pasted.
CREATE FUNCTION corgi._output_names(out_table text, caller_path text, OUT main text, OUT summary text, OUT schema text)
LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    parts text[];
BEGIN
    BEGIN
        parts := parse_ident(out_table);
    EXCEPTION WHEN invalid_parameter_value OR syntax_error THEN
        RAISE EXCEPTION 'invalid out_table name "%"', out_table
            USING ERRCODE = 'invalid_name', HINT = 'Write a table name, optionally schema-qualified.';
    END;
    IF cardinality(parts) > 2 THEN
        RAISE EXCEPTION 'invalid out_table name "%"', out_table
            USING ERRCODE = 'invalid_name', HINT = 'Write table or schema.table.';
    END IF;
    IF octet_length(parts[cardinality(parts)] || '_summary') > 63 THEN
        RAISE EXCEPTION 'out_table name "%" is too long', parts[cardinality(parts)]
            USING ERRCODE = 'name_too_long',
                  DETAIL = 'Its summary table name would exceed 63 bytes and be truncated.',
                  HINT = 'Use a name of at most 55 bytes.';
    END IF;
    -- Always schema-qualified: an unqualified name goes where CREATE TABLE would put it
    -- for the caller.
    schema := CASE WHEN cardinality(parts) = 2 THEN parts[1] ELSE corgi._creation_schema(out_table, caller_path) END;
    -- pg_temp is the session's temporary schema, by its name once it exists.
    IF schema = 'pg_temp' THEN
        schema := coalesce((SELECT nspname::text FROM pg_namespace WHERE oid = pg_my_temp_schema()), 'pg_temp');
    END IF;
    main := quote_ident(schema) || '.' || quote_ident(parts[cardinality(parts)]);
    summary := quote_ident(schema) || '.' || quote_ident(parts[cardinality(parts)] || '_summary');
END $$;
COMMENT ON FUNCTION corgi._output_names(text, text) IS 'internal: schema-qualified quoted names of an output table and its summary table, and its schema';

-- A call's output tables, taken at its start: an empty placeholder table under each
-- name (quoted and qualified, as corgi._output_names gives them), so that a table
-- another session creates under one of them meanwhile cannot make the call fail after
-- its epochs (that session waits for this transaction, then fails). Dropped by
-- corgi._release_outputs just before the outputs are written, in the same transaction,
-- so the names are never free in between.
CREATE FUNCTION corgi._reserve_outputs(names text[]) RETURNS void
    AS 'MODULE_PATHNAME', 'corgi_reserve_outputs'
    LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;
COMMENT ON FUNCTION corgi._reserve_outputs(text[]) IS
    'internal: takes a call''s output table names at its start (empty placeholder tables)';

CREATE FUNCTION corgi._release_outputs(names text[]) RETURNS void
    AS 'MODULE_PATHNAME', 'corgi_release_outputs'
    LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;
COMMENT ON FUNCTION corgi._release_outputs(text[]) IS
    'internal: drops a call''s output placeholders (corgi._reserve_outputs) just before it writes its outputs';

-- A training parameter's value from a normalized parameter string.
CREATE FUNCTION corgi._param(normalized text, key text) RETURNS text
    AS 'MODULE_PATHNAME', 'corgi_param_sql'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION corgi._param(text, text) IS 'internal: one value of a normalized parameter string';

-- What a model is for (the Swift core's traits): SQL branches on these, never on a
-- model's name, so a new model is Swift only, and an unknown one is an error.
CREATE FUNCTION corgi.model_traits(model text, OUT task text, OUT classifier boolean, OUT network boolean,
                                   OUT probabilities boolean, OUT ranks_scores boolean, OUT metric text)
    AS 'MODULE_PATHNAME', 'corgi_model_traits_sql'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION corgi.model_traits(text) IS
    'what a model is for: task (regression, binary, multiclass), whether it predicts a class, is a network, gives probabilities, ranks two classes by a score (AUC), and its validation metric (rmse or accuracy)';

-- Whether a value is NaN or infinite (a training loss or weight that diverged); NULL stays NULL.
CREATE FUNCTION corgi._not_finite(x float8) RETURNS boolean
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
RETURN x = 'NaN'::float8 OR x IN ('Infinity'::float8, '-Infinity'::float8);
COMMENT ON FUNCTION corgi._not_finite(float8) IS 'internal: whether a number is NaN or infinite';

-- Whether training diverged: the state's last loss, or a weight, is no longer finite.
CREATE FUNCTION corgi._diverged(state bytea) RETURNS boolean
    AS 'MODULE_PATHNAME', 'corgi_diverged_sql'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION corgi._diverged(bytea) IS 'internal: whether a state''s last loss or a weight is NaN or infinite';

-- A seeded shuffled copy (shuffle once): CREATE TEMP TABLE copy AS SELECT list FROM source
-- ORDER BY random() after setseed from the run's seed; returns the seconds it took.
CREATE FUNCTION corgi._shuffled_copy(copy_table text, select_list text, source text, seed bigint) RETURNS float8
    AS 'MODULE_PATHNAME', 'corgi_shuffled_copy'
    LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;
COMMENT ON FUNCTION corgi._shuffled_copy(text, text, text, bigint) IS
    'internal: the seeded shuffled copy of shuffle once (SQL fragments from corgi''s drivers, run with the caller''s rights); returns its seconds';

-- The decisions corgi.train makes before training live in the core (tested there), so
-- the single-model, multi-model and grouped drivers share them.
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
-- Model selection: a grid of configurations (one params string each), as MADlib's
-- generate_model_configs, in corgi's params syntax.
CREATE FUNCTION corgi._config_grid(model text, grid text, search text, n integer, seed bigint) RETURNS text[]
    AS 'MODULE_PATHNAME', 'corgi_config_grid_sql'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION corgi._config_grid(text, text, text, integer, bigint) IS
    'internal: the params strings of every configuration of a grid (search grid), or of n drawn with seed (search random)';
CREATE FUNCTION corgi.config_grid(model text, grid text, search text DEFAULT 'grid', n integer DEFAULT NULL,
                                  seed bigint DEFAULT NULL)
RETURNS TABLE (config_id integer, model text, params text)
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT g.i::integer, config_grid.model, g.p
      FROM unnest(corgi._config_grid(config_grid.model, config_grid.grid, config_grid.search, config_grid.n,
                                     config_grid.seed)) WITH ORDINALITY g(p, i) ORDER BY g.i;
END;
COMMENT ON FUNCTION corgi.config_grid(text, text, text, integer, bigint) IS
    'one row per configuration, each checked for the model: search grid (the default) gives every combination of a grid such as ''learning_rate=[0.01,0.1], l2=[0,0.0001]'' (first key slowest); search random draws n (default 20) with seed (default 42) from ranges such as ''learning_rate=[0.0001, 0.1, log], l2=[0, 0.01]'' and choices such as ''hidden_layers=[[32],[64,32]]'': the configs table of model selection';

-- Model hopping (fit_multiple builds on these): which segment each model visits when,
-- and which blocks form each segment, both from the core and fixed by the seed.
CREATE FUNCTION corgi.hop_order(models integer, segments integer, seed bigint, epoch integer) RETURNS integer[]
    AS 'MODULE_PATHNAME', 'corgi_hop_order_sql'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION corgi.hop_order(integer, integer, bigint, integer) IS
    'models x segments: row m is model m''s visit order (0-based segments) in an epoch of model hopping, the order corgi.fit_multiple gives its m-th config (0-based): a seeded permutation of the segments, rotated by m mod segments (a Latin square)';
CREATE FUNCTION corgi.segment_of_blocks(block_count integer, segments integer, seed bigint, epoch integer) RETURNS integer[]
    AS 'MODULE_PATHNAME', 'corgi_segment_of_blocks_sql'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION corgi.segment_of_blocks(integer, integer, bigint, integer) IS
    'the segment (0-based) of each block in an epoch of model hopping: blocks drawn into segments by a seeded permutation, so each segment samples the whole table';

CREATE FUNCTION corgi._buffer_rows(shuffle text, usable_rows bigint, buffer_fraction float8, features integer,
                                   full_shuffle_mb float8, max_buffer_mb float8) RETURNS bigint
    AS 'MODULE_PATHNAME', 'corgi_plan_buffer_rows_sql'
    LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION corgi._buffer_rows(text, bigint, float8, integer, float8, float8) IS
    'internal: tuple buffer rows of a shuffle for a table (or group) of usable_rows rows: corgipile''s holds them all when they fit in full_shuffle_mb (and max_buffer_mb, corgi.max_buffer_mb), else buffer_fraction of them; at most 65,536 without a tuple shuffle';
CREATE FUNCTION corgi._buffer_mode(shuffle text) RETURNS text
    AS 'MODULE_PATHNAME', 'corgi_plan_buffer_mode_sql'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION corgi._buffer_mode(text) IS 'internal: the tuple buffer (corgi.sgd_state''s buffer) of a shuffle mode, from the core''s one table of modes';

CREATE FUNCTION corgi._default_block_mb(heap_bytes bigint) RETURNS float8
    AS 'MODULE_PATHNAME', 'corgi_plan_block_mb_sql'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION corgi._default_block_mb(bigint) IS
    'internal: block_mb when not given: 10 MB, or the whole pages that give the table 100 blocks, whichever is smaller';

-- A label expression as the float8 code training uses: boolean -> 1/0, numbers as they
-- are, other types through the softmax class list (0..K-1); NULL if not encodable.
CREATE FUNCTION corgi._label_code(label_expr text, label_type text, class_texts text[]) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
RETURN CASE
    WHEN label_type = 'boolean' THEN format('(%s)::int::float8', label_expr)
    WHEN label_type = ANY (corgi._label_types()) THEN format('(%s)::float8', label_expr)
    WHEN class_texts IS NOT NULL
        THEN format('(array_position(%L::text[], (%s)::text) - 1)::float8', class_texts, label_expr)
END;
COMMENT ON FUNCTION corgi._label_code(text, text, text[]) IS 'internal: SQL that turns a label into its training code';

-- Whether the fast paths (corgi.train_pass, corgi._evaluate_scan) may read a table's
-- pages directly and see what a query would: a heap table or materialized view, no
-- inheritance children (a query reads them too), no row-level security for this user.
CREATE FUNCTION corgi._heap_readable(tbl regclass) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
RETURN (SELECT c.relkind IN ('r', 'm') AND a.amname = 'heap' AND NOT row_security_active(c.oid)
               AND NOT EXISTS (SELECT FROM pg_inherits WHERE inhparent = c.oid)
        FROM pg_class c LEFT JOIN pg_am a ON a.oid = c.relam WHERE c.oid = tbl);
COMMENT ON FUNCTION corgi._heap_readable(regclass) IS
    'internal: whether the fast paths may read the table''s pages directly (heap table or matview, no inheritance children, no row-level security for this user)';


-- A training call in three steps, so that the single-model, multi-model and grouped
-- drivers share them: corgi._train_prepare checks every argument and builds the initial
-- state (nothing is written), corgi._fit trains (every epoch on one snapshot), and the
-- driver (corgi_train_call.c, corgi_fit_multiple.c) writes the outputs.
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
    feat_col text,
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

-- The layer widths of a plan's model: inputs, the hidden layers (networks), outputs.
CREATE FUNCTION corgi._layers(plan corgi.training_plan) RETURNS integer[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
RETURN ARRAY[(plan).n_features]
       || CASE WHEN (corgi.model_traits((plan).model)).network
               THEN string_to_array(btrim(corgi._param((plan).norm, 'hidden_layers'), '[]'), ',')::integer[] END
       || CASE WHEN (corgi.model_traits((plan).model)).task = 'multiclass' THEN cardinality((plan).class_values) ELSE 1 END;
COMMENT ON FUNCTION corgi._layers(corgi.training_plan) IS 'internal: the layers column of a plan''s model (inputs, hidden widths, outputs)';

-- The combinations a training call does not offer, in one table (the core's
-- Capabilities.swift): the drivers ask it with what they know of a call.
CREATE FUNCTION corgi._check_offered(call text, source text, grouped boolean DEFAULT NULL,
                                     partitions boolean DEFAULT NULL, segments boolean DEFAULT NULL,
                                     composed boolean DEFAULT NULL, shuffle text DEFAULT NULL,
                                     grouping_expression text DEFAULT NULL, early_stopping boolean DEFAULT NULL,
                                     schedule text DEFAULT NULL)
    RETURNS void
    AS 'MODULE_PATHNAME', 'corgi_check_offered'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION corgi._check_offered(text, text, boolean, boolean, boolean, boolean, text, text, boolean, text) IS
    'internal: raises feature_not_supported when a training call''s combination is not offered (NULL facts: not known)';

-- The epochs of corgi.train and corgi.fit_multiple (without grouping), one loop in C
-- (corgi_fit.c). STABLE on purpose: every query it runs uses the snapshot of the
-- statement that called it, so under READ COMMITTED all epochs of one call train on the
-- same rows (it writes nothing). corgi.train stops at a task that diverges; fit_multiple
-- sets it aside (it trains no further; its epoch is reported), the others go on.
CREATE FUNCTION corgi._fit(plans corgi.training_plan[], call text, workers integer, verbose boolean,
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

-- Feature columns: independent_varname as a list of columns ('x1, x2, flag') or '*'
-- (corgi_feature_columns.c). NULLs for one array column or an expression.
CREATE FUNCTION corgi._feature_columns(source regclass, varname text, excluded text DEFAULT NULL,
                                       implied text DEFAULT NULL,
                                       OUT columns text, OUT expression text, OUT fast boolean,
                                       OUT names text[], OUT kinds text[], OUT items text[], OUT plain boolean[],
                                       OUT present text)
    AS 'MODULE_PATHNAME', 'corgi_feature_columns'
    LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION corgi._feature_columns(regclass, text, text, text) IS
    'internal: a list of feature columns (or ''*'': every column but those in excluded, which must exist, and in implied, which may not) as corgi keeps it (quoted, comma-separated, with each column''s fill or levels), its float8[] expression (NULL when an unfilled number is NULL; NULL until every text column has its levels), whether the fast path reads it, and per column its name, kind (number, boolean, array, category), text and whether it is plain; NULLs when varname is one array column or an expression';

-- The mean, population deviation and non-NULL share of listed number columns, straight
-- from the heap (corgi_feature_moments.c): the same bits as the aggregates' query.
CREATE FUNCTION corgi._column_moments(source regclass, columns text) RETURNS float8[]
    AS 'MODULE_PATHNAME', 'corgi_column_moments'
    LANGUAGE C STABLE STRICT PARALLEL UNSAFE;
COMMENT ON FUNCTION corgi._column_moments(regclass, text) IS
    'internal: {mean, population standard deviation, share of non-NULL values} of each listed number or boolean column of a heap table, read from its pages, as avg, stddev_pop and count give them in one sequential pass';

-- A trained state's coefficients in the original units of a feature list, and its
-- features' names (corgi_feature_columns.c): what the model tables show.
CREATE FUNCTION corgi._model_coef(state bytea, source regclass, features text,
                                  OUT coef float8[], OUT intercept float8[], OUT feature_names text[])
    AS 'MODULE_PATHNAME', 'corgi_model_coef'
    LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION corgi._model_coef(bytea, regclass, text) IS
    'internal: corgi.sgd_coef and corgi.sgd_intercept of a state in the original units of its feature list''s standardized numbers, and the name of each feature (column, column[i], column=level); the state''s own for an array or an expression (names NULL)';

-- corgi.train's feature list (corgi_feature_columns.c): corgi._feature_columns, then
-- what training learns of the columns before its epochs written into it, as the params
-- ask: each text or enum column's levels (max_levels, 100), with nulls=impute the numbers'
-- means (their fills), standardized numbers' centers and scales (by default for a model
-- that is not a network); one pass for the numbers, one per category, as facts
-- (fit_multiple's configs read them once).
CREATE FUNCTION corgi._listed_features(source regclass, varname text, excluded text, implied text, params text,
                                       network boolean,
                                       OUT columns text, OUT expression text, OUT fast boolean,
                                       OUT names text[], OUT kinds text[], OUT items text[], OUT plain boolean[],
                                       OUT present text)
    AS 'MODULE_PATHNAME', 'corgi_listed_features'
    LANGUAGE C VOLATILE PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
    SET max_parallel_workers_per_gather = 0
    SET synchronize_seqscans = off;
COMMENT ON FUNCTION corgi._listed_features(regclass, text, text, text, text, boolean) IS
    'internal: corgi.train''s feature list with what training learns before its epochs (text and enum columns'' levels, numbers'' fills with nulls=impute, centers and scales with standardize), as corgi._feature_columns describes it';

-- The plan of one training (corgi_train_plan.c): every check and decision of
-- corgi.train before its first epoch, for corgi.train and each config of
-- corgi.fit_multiple.
CREATE FUNCTION corgi._train_prepare(
    source_table text, out_table text, dependent_varname text, independent_varname text, model text,
    epochs integer, shuffle text, params text, caller_search_path text, whole_table_buffer boolean DEFAULT true,
    excluded text DEFAULT NULL, grouping_cols text DEFAULT NULL)
RETURNS corgi.training_plan
    AS 'MODULE_PATHNAME', 'corgi_train_prepare'
    LANGUAGE C VOLATILE PARALLEL UNSAFE
    SET synchronize_seqscans = off
    SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION corgi._train_prepare(text, text, text, text, text, integer, text, text, text, boolean, text, text) IS
    'internal: the checks and decisions of corgi.train before any epoch (table and column names, feature columns, label code and classes, buffer, initial state, fast or composed path, the once copy); writes nothing but the once copy; whole_table_buffer false (grouping): the whole table''s state gets a one-row buffer; excluded and grouping_cols: the columns independent_varname ''*'' leaves out';


-- Rows skipped (a NULL label or feature) are counted in a model table, and said: one
-- NOTICE per call, the most any model of it skipped in an epoch.
CREATE FUNCTION corgi._notice_skipped(model_table text) RETURNS void
    AS 'MODULE_PATHNAME', 'corgi_notice_skipped'
    LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;
COMMENT ON FUNCTION corgi._notice_skipped(text) IS 'internal: a NOTICE of the rows a training call skipped (the most in one model table row)';

-- corgi.train with an exact solver (params solver=exact for linear, solver=irls for
-- logistic; corgi_train_call.c): the fit of corgi._linregr_fit or of the IRLS passes,
-- set into the model's fresh state, written as any corgi.train model (it predicts,
-- evaluates and scores the same way). The summary's training_path says which solver
-- made it.
CREATE FUNCTION corgi._sgd_state_exact(state bytea, weights float8[], intercept float8, rows bigint, skipped bigint,
                                       loss_sum float8, passes integer) RETURNS bytea
    AS 'MODULE_PATHNAME', 'corgi_sgd_state_exact'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION corgi._sgd_state_exact(bytea, float8[], float8, bigint, bigint, float8, integer) IS
    'internal: a fresh linear or logistic state set to an exact solution (weights, intercept) after passes passes over rows rows with summed loss loss_sum';

CREATE FUNCTION corgi._default_solver(model text, params text, n_features integer) RETURNS text
    AS 'MODULE_PATHNAME', 'corgi_default_solver_sql'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION corgi._default_solver(text, text, integer) IS
    'internal: how corgi.train fits a model whose params name no solver: exact (a linear model whose params only set intercept, seed, max_buffer_mb or average, with at most 500 features and the intercept) or sgd';

CREATE FUNCTION corgi._exact_solver(model text) RETURNS text
    AS 'MODULE_PATHNAME', 'corgi_exact_solver_sql'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION corgi._exact_solver(text) IS
    'internal: the solver= value that fits a model exactly (exact for linear, irls for logistic: the core''s trait), NULL when it trains by SGD only';


CREATE FUNCTION corgi.train(
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
    caller_search_path text DEFAULT pg_catalog.current_setting('search_path'),
    -- After caller_search_path, so that calls written for 0.7.0 keep their meaning.
    excluded text DEFAULT NULL,
    -- The call's validation table (0.9.0; params' validation_table=... still works).
    validation_table text DEFAULT NULL)
RETURNS TABLE (epochs_run integer, rows_per_epoch bigint, final_loss float8, training_seconds float8)
    AS 'MODULE_PATHNAME', 'corgi_train'
    LANGUAGE C VOLATILE PARALLEL UNSAFE
    SET synchronize_seqscans = off
    SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION corgi.train(text, text, text, text, text, integer, text, text, boolean, text, text, text, text) IS
    'trains a linear, logistic, svm, softmax, svr (epsilon-insensitive regression, svr_epsilon), mlp or mlp_regression model with CorgiPile SGD (shuffle corgipile|block_only|none|once|sliding_window|mrs) and writes out_table and out_table_summary; independent_varname is an array column, an expression, a list of columns (numbers, booleans, arrays) or ''*'' (every column but the label, the grouping columns and excluded); grouping_cols trains one model per group (and writes out_table_groups); caller_search_path (leave it out) is the path table names are resolved against; validation_table scores each epoch on another table (patience stops early)';

------------------------------------------------------------------------------------
-- Grouped learning: corgi.train(..., grouping_cols => 'a, b'), one model per group.
------------------------------------------------------------------------------------

-- grouping_cols cut at the commas outside parentheses, brackets and quotes.
CREATE FUNCTION corgi._split_grouping_cols(grouping_cols text) RETURNS text[]
    AS 'MODULE_PATHNAME', 'corgi_split_grouping_cols'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION corgi._split_grouping_cols(text) IS 'internal: the items of grouping_cols (commas inside parentheses, brackets or quotes do not cut)';

-- An item of grouping_cols as a column of src: its name as written, unquoted and folded
-- to lower case as SQL folds it, or in double quotes (a doubled quote inside standing
-- for one); NULL for an expression. Names of any length, one character too.
CREATE FUNCTION corgi._grouping_column(src regclass, item text) RETURNS name
    AS 'MODULE_PATHNAME', 'corgi_grouping_column'
    LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION corgi._grouping_column(regclass, text) IS
    'internal: the column of src an item of grouping_cols names (as written, folded to lower case, or double-quoted), NULL for an expression';

-- What a grouped call holds for each group for the whole call, beside the trainers of
-- the groups being trained: its state in the driver's arrays (the states, the trained
-- ones, the outputs: eight copies counted), its keys and per-epoch figures. Measured
-- (test/memory): a grouped corgi.train of 200,000 groups peaks at 3.75 kB per group
-- beside its trainers; this counts 4.6 kB.
CREATE FUNCTION corgi._group_held_mb(groups bigint, state_bytes bigint, epochs integer) RETURNS float8
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
RETURN groups * (8.0 * state_bytes + 2048 + 64.0 * epochs) / 1048576.0;
COMMENT ON FUNCTION corgi._group_held_mb(bigint, bigint, integer) IS
    'internal: megabytes a grouped call holds for its groups for the whole call (states, keys, per-epoch figures), beside its trainers';

-- An expression of grouping_cols, analysed and never run: no volatile function (a key
-- is computed again in every pass), not a row, one expression of the row.
CREATE FUNCTION corgi._check_grouping_expression(src regclass, expr text, grouping_cols text) RETURNS void
    AS 'MODULE_PATHNAME', 'corgi_check_grouping_expression'
    LANGUAGE C VOLATILE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION corgi._check_grouping_expression(regclass, text, text) IS
    'internal: refuses a grouping expression that is volatile, of a row type, or more than one expression of the row (analysed, never run)';

------------------------------------------------------------------------------------
-- Model selection: many configs trained at once by Model Hopper Parallelism.
------------------------------------------------------------------------------------

-- A named setting of fit_multiple's shared params, validated (NULL when not given).
CREATE FUNCTION corgi._shared_param(params text, key text) RETURNS text
    AS 'MODULE_PATHNAME', 'corgi_shared_param'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION corgi._shared_param(text, text) IS 'internal: one setting (seed, segments, workers) of fit_multiple''s params, checked';


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
    schedule text DEFAULT 'grid',
    schedule_params text DEFAULT '',
    caller_search_path text DEFAULT pg_catalog.current_setting('search_path'),
    excluded text DEFAULT NULL,
    -- The parallel workers asked for (0.9.0; params' workers=... still works).
    workers integer DEFAULT NULL)
RETURNS TABLE (configs_trained integer, configs_diverged integer, workers_launched integer, segments integer,
               training_seconds float8)
    AS 'MODULE_PATHNAME', 'corgi_fit_multiple'
    LANGUAGE C VOLATILE PARALLEL UNSAFE
    SET synchronize_seqscans = off
    SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION corgi.fit_multiple(text, text, text, text, text, integer, text, text, text, boolean, text, text, text, text, text, integer) IS
    'trains every config of a configs table (config_id, model, params; see corgi.config_grid) at once by Model Hopper Parallelism on parallel workers: out_table (one model per config, or per config and group with grouping_cols: a config''s groups hop together), out_table_info (per-epoch arrays) and out_table_summary; params are shared (seed, segments, workers, and defaults under each config''s own); workers: the parallel workers asked for (default: as many as max_parallel_workers and corgi.max_workers allow)';

------------------------------------------------------------------------------------
-- Evaluation and batch prediction.
------------------------------------------------------------------------------------

-- A random feature map whose inner products approximate a kernel (KernelFeatureMap):
-- a linear model trained on the mapped rows is a kernel machine (corgi_madlib's
-- svm_classification/svm_regression with kernel_func gaussian or polynomial). The map
-- is a function of its parameters and the row's width: training and prediction agree.
CREATE FUNCTION corgi.kernel_features(features float8[], kernel text, params text DEFAULT '') RETURNS float8[]
    AS 'MODULE_PATHNAME', 'corgi_kernel_features'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION corgi.kernel_features(float8[], text, text) IS
    'features mapped by random features that approximate a kernel: gaussian exp(-gamma |x - y|^2) by random Fourier features, polynomial (coef0 + x . y)^degree by random Maclaurin features; params gamma (1 / width), degree (3), coef0 (1), n_components (2 x width), random_state (1), as MADlib''s kernel_params; NULL for a row with a NULL element';

-- Metrics of a model (bytes) over a table: mean loss (squared error / 2 for linear,
-- log loss for logistic and softmax, hinge for svm, epsilon-insensitive for svr),
-- accuracy (classifiers), AUC (logistic, svm; average ranks for ties), RMSE and R2
-- (regression models).
-- feat and lab are SQL fragments made by corgi._variable.

-- A variable of a table as an SQL fragment: a column of tbl, quoted; otherwise an
-- expression, accepted only when the caller passed it (stored = false). A variable
-- read from a model's summary table (stored = true) must be a plain column: corgi
-- never executes SQL text stored in a table, which its owner could have written.
CREATE FUNCTION corgi._variable(tbl regclass, varname text, stored boolean, role text) RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    expr text;
BEGIN
    IF varname IS NULL THEN
        RAISE EXCEPTION '% must not be NULL', role USING ERRCODE = 'null_value_not_allowed',
            HINT = format('Pass %s explicitly.', role);
    END IF;
    -- Feature columns (a list, or one number column): their float8[] expression; a
    -- stored list runs no SQL of the table's owner (each name is checked as a column).
    IF role = 'independent_varname' THEN
        expr := (corgi._feature_columns(tbl, varname)).expression;
        IF expr IS NOT NULL THEN
            RETURN expr;
        END IF;
    END IF;
    IF EXISTS (SELECT FROM pg_attribute WHERE attrelid = tbl AND attname = varname AND attnum > 0 AND NOT attisdropped) THEN
        RETURN quote_ident(varname);
    END IF;
    IF stored THEN
        RAISE EXCEPTION 'the model''s % "%" is not a column of %', role, varname, tbl
            USING ERRCODE = 'insufficient_privilege',
                  DETAIL = 'corgi does not run SQL expressions read from a model''s summary table.',
                  HINT = format('Pass %s explicitly.', role);
    END IF;
    RETURN '(' || varname || ')';
END $$;
COMMENT ON FUNCTION corgi._variable(regclass, text, boolean, text) IS
    'internal: a variable as SQL text: a quoted column, the float8[] expression of a list of feature columns, or an expression the caller passed (never one read from a table)';

-- One pass over the rows, scored in C: corgi._evaluate_agg returns {rows, loss,
-- accuracy, auc, rmse, r2}, NaN where a metric does not apply.
CREATE FUNCTION corgi._evaluate_transition(internal, bytea, float8[], float8) RETURNS internal
    AS 'MODULE_PATHNAME', 'corgi_evaluate_transition'
    LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION corgi._evaluate_transition(internal, bytea, float8[], float8) IS
    'internal: transition of corgi._evaluate_agg (scores a row, sums its loss)';
CREATE FUNCTION corgi._evaluate_final(internal) RETURNS float8[]
    AS 'MODULE_PATHNAME', 'corgi_evaluate_final'
    LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION corgi._evaluate_final(internal) IS
    'internal: final function of corgi._evaluate_agg (means, AUC from one sort)';
CREATE AGGREGATE corgi._evaluate_agg(model bytea, features float8[], label float8) (
    SFUNC = corgi._evaluate_transition,
    STYPE = internal,
    FINALFUNC = corgi._evaluate_final,
    FINALFUNC_MODIFY = READ_WRITE,
    PARALLEL = UNSAFE
);
COMMENT ON AGGREGATE corgi._evaluate_agg(bytea, float8[], float8) IS
    'internal: {rows, mean loss, accuracy, auc, rmse, r2} of a model over rows (label as its training code)';

CREATE FUNCTION corgi._evaluate_groups_transition(internal, integer, bytea[], float8[], float8) RETURNS internal
    AS 'MODULE_PATHNAME', 'corgi_evaluate_groups_transition'
    LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION corgi._evaluate_groups_transition(internal, integer, bytea[], float8[], float8) IS
    'internal: transition of corgi._evaluate_groups: scores the row with model i of models';

CREATE AGGREGATE corgi._evaluate_groups(i integer, models bytea[], features float8[], label float8) (
    SFUNC = corgi._evaluate_groups_transition,
    STYPE = internal,
    FINALFUNC = corgi._evaluate_final,
    FINALFUNC_MODIFY = READ_WRITE,
    PARALLEL = UNSAFE
);
COMMENT ON AGGREGATE corgi._evaluate_groups(integer, bytea[], float8[], float8) IS
    'internal: corgi._evaluate_agg''s sums for a grouped model, each row scored by model i of models';

CREATE FUNCTION corgi._evaluate_scan(model bytea, source regclass, features text, label name) RETURNS float8[]
    AS 'MODULE_PATHNAME', 'corgi_evaluate_scan'
    LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION corgi._evaluate_scan(bytea, regclass, text, name) IS
    'internal: corgi._evaluate_agg''s metrics over a heap table''s rows, read from its pages (SELECT privilege and row-level security checked)';
CREATE FUNCTION corgi._evaluate_scan_many(models bytea[], source regclass, features text, label name) RETURNS float8[]
    AS 'MODULE_PATHNAME', 'corgi_evaluate_scan_many'
    LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION corgi._evaluate_scan_many(bytea[], regclass, text, name) IS
    'internal: corgi._evaluate_scan''s metrics for several models over one read of a heap table: row m is model m''s (the AUC left out)';

-- How a table's label column or expression is scored against a model: the training code
-- of the label (text classes by the model's class list); a clear error for a label type
-- the model cannot score.
CREATE FUNCTION corgi._scoring_code(tbl regclass, lab text, model_type text, class_texts text[]) RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    label_type text;
    code text;
BEGIN
    EXECUTE format('SELECT pg_typeof(%s)::text FROM %s LIMIT 1', lab, tbl) INTO label_type;
    code := corgi._label_code(lab, coalesce(label_type, 'integer'),
                              CASE WHEN (corgi.model_traits(model_type)).task = 'multiclass' AND label_type <> ALL (corgi._label_types())
                                   THEN class_texts END);
    IF code IS NULL THEN
        RAISE EXCEPTION 'dependent_varname % has type %, which a % model cannot score', lab, label_type, model_type
            USING ERRCODE = 'datatype_mismatch';
    END IF;
    RETURN code;
END $$;
COMMENT ON FUNCTION corgi._scoring_code(regclass, text, text, text[]) IS 'internal: the training code of a table''s label for scoring it against a model';

-- The columns a table is scored from by reading its pages (corgi._evaluate_scan): the
-- features (an accepted array column, or a list of columns the fast path reads) and the
-- label as plain columns of a plain heap table the caller may read directly; NULLs
-- otherwise (the rows are then scored through a query).
CREATE FUNCTION corgi._scoring_columns(tbl regclass, feat text, lab text, independent_varname text,
                                       OUT feat_col text, OUT lab_col name)
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    listed record := corgi._feature_columns(tbl, independent_varname);
BEGIN
    SELECT a.attname INTO feat_col FROM pg_attribute a
    WHERE a.attrelid = tbl AND quote_ident(a.attname) = feat AND a.attnum > 0 AND NOT a.attisdropped
      AND format_type(a.atttypid, NULL) = ANY (corgi._feature_types());
    IF listed.fast THEN
        feat_col := listed.columns;
    END IF;
    SELECT a.attname INTO lab_col FROM pg_attribute a
    WHERE a.attrelid = tbl AND quote_ident(a.attname) = lab AND a.attnum > 0 AND NOT a.attisdropped
      AND format_type(a.atttypid, NULL) = ANY (corgi._label_types());
    IF feat_col IS NULL OR lab_col IS NULL OR NOT corgi._heap_readable(tbl) THEN
        feat_col := NULL;
        lab_col := NULL;
    END IF;
END $$;
COMMENT ON FUNCTION corgi._scoring_columns(regclass, text, text, text) IS
    'internal: the feature and label columns corgi._evaluate_scan reads a table''s pages by, or NULLs (score through a query)';

CREATE FUNCTION corgi._metrics(model bytea, model_type text, class_texts text[], tbl regclass,
                               feat text, lab text, independent_varname text DEFAULT NULL,
                               OUT rows bigint, OUT loss float8, OUT accuracy float8, OUT auc float8,
                               OUT rmse float8, OUT r2 float8)
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    code text := corgi._scoring_code(tbl, lab, model_type, class_texts);
    m float8[];
    cols record := corgi._scoring_columns(tbl, feat, lab, independent_varname);
BEGIN
    -- Plain columns of a plain heap table: read its pages directly (the same rows and
    -- metrics as the query below, about twice as fast).
    IF cols.feat_col IS NOT NULL THEN
        m := corgi._evaluate_scan(model, tbl, cols.feat_col, cols.lab_col);
    ELSE
        EXECUTE format('SELECT corgi._evaluate_agg($1, (%1$s)::float8[], %2$s) FROM %3$s WHERE %1$s IS NOT NULL AND %4$s IS NOT NULL',
                       feat, code, tbl, lab)
            INTO m USING model;
    END IF;
    SELECT * INTO rows, loss, accuracy, auc, rmse, r2 FROM corgi._metric_values(m, model_type);
END $$;
COMMENT ON FUNCTION corgi._metrics(bytea, text, text[], regclass, text, text, text) IS 'internal: metrics of a model over a table (feat and lab as SQL; independent_varname, a list of feature columns, lets the fast path read them)';

-- The metrics of corgi._evaluate_agg's sums, for a model type.
CREATE FUNCTION corgi._metric_values(m float8[], model_type text,
                                     OUT rows bigint, OUT loss float8, OUT accuracy float8, OUT auc float8,
                                     OUT rmse float8, OUT r2 float8)
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
RETURN (SELECT ROW(r, CASE WHEN r > 0 THEN m[2] END,
                   CASE WHEN (t).classifier AND r > 0 THEN m[3] END,
                   CASE WHEN (t).ranks_scores AND m[4] <> 'NaN'::float8 THEN m[4] END,
                   CASE WHEN (t).task = 'regression' AND r > 0 THEN m[5] END,
                   CASE WHEN (t).task = 'regression' AND m[6] <> 'NaN'::float8 THEN m[6] END)
        FROM (SELECT coalesce(m[1], 0)::bigint AS r, corgi.model_traits(model_type) AS t) x);
COMMENT ON FUNCTION corgi._metric_values(float8[], text) IS 'internal: rows, loss, accuracy, AUC, RMSE and R2 from corgi._evaluate_agg''s result';

-- corgi._evaluate_agg of a grouped model over a table: per group (i, its position in
-- models) and over every scored row (i NULL), in one pass.
CREATE FUNCTION corgi._metrics_grouped(models bytea[], keys text[], key_sql text, model_type text,
                                       class_texts text[], tbl regclass, feat text, lab text)
RETURNS TABLE (i integer, m float8[])
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    code text := corgi._scoring_code(tbl, lab, model_type, class_texts);
BEGIN
    RETURN QUERY EXECUTE format(
        $q$SELECT "?g"::integer, corgi._evaluate_groups("?g", $1, (%1$s)::float8[], %2$s)
           FROM (SELECT corgi._group_index(ROW(%5$s), $2) AS "?g", * FROM %3$s WHERE %1$s IS NOT NULL AND %4$s IS NOT NULL) d
           WHERE "?g" IS NOT NULL
           GROUP BY GROUPING SETS (("?g"), ())$q$,
        feat, code, tbl, lab, key_sql)
        USING models, keys;
END $$;
COMMENT ON FUNCTION corgi._metrics_grouped(bytea[], text[], text, text, text[], regclass, text, text) IS
    'internal: evaluation sums of a grouped model per group (keys computed by key_sql over the table) and overall';

CREATE FUNCTION corgi._validate(state bytea, model_type text, class_texts text[], tbl regclass,
                                dependent_varname text, independent_varname text,
                                OUT loss float8, OUT metric float8)
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
RETURN (SELECT (m.loss, CASE (corgi.model_traits(model_type)).task WHEN 'regression' THEN m.rmse ELSE m.accuracy END)
        FROM corgi._metrics(state, model_type, class_texts, tbl,
                            corgi._variable(tbl, independent_varname, false, 'independent_varname'),
                            corgi._variable(tbl, dependent_varname, false, 'dependent_varname'), independent_varname) m);
COMMENT ON FUNCTION corgi._validate(bytea, text, text[], regclass, text, text) IS 'internal: per-epoch validation loss and accuracy (rmse for linear)';

-- corgi._validate for several states of one model type over one read of the table when
-- its pages are read directly (corgi._evaluate_scan_many: the same values as one
-- corgi._validate per state), else one scoring query per state; losses[i] and
-- metrics[i] are states[i]'s.
CREATE FUNCTION corgi._validate_many(states bytea[], model_type text, class_texts text[], tbl regclass,
                                     dependent_varname text, independent_varname text,
                                     OUT losses float8[], OUT metrics float8[])
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    feat text := corgi._variable(tbl, independent_varname, false, 'independent_varname');
    lab text := corgi._variable(tbl, dependent_varname, false, 'dependent_varname');
    cols record := corgi._scoring_columns(tbl, feat, lab, independent_varname);
    regression boolean := (corgi.model_traits(model_type)).task = 'regression';
    m float8[];
    v record;
BEGIN
    losses := '{}';
    metrics := '{}';
    IF cols.feat_col IS NOT NULL THEN
        m := corgi._evaluate_scan_many(states, tbl, cols.feat_col, cols.lab_col);
        FOR i IN 1..cardinality(states) LOOP
            SELECT * INTO v FROM corgi._metric_values(ARRAY(SELECT unnest(m[i:i][1:6])), model_type);
            losses := losses || v.loss;
            metrics := metrics || CASE WHEN regression THEN v.rmse ELSE v.accuracy END;
        END LOOP;
    ELSE
        FOR i IN 1..cardinality(states) LOOP
            SELECT * INTO v FROM corgi._validate(states[i], model_type, class_texts, tbl, dependent_varname, independent_varname);
            losses := losses || v.loss;
            metrics := metrics || v.metric;
        END LOOP;
    END IF;
END $$;
COMMENT ON FUNCTION corgi._validate_many(bytea[], text, text[], regclass, text, text) IS
    'internal: per-epoch validation loss and accuracy (rmse for linear) of several states of one model type, in one read of the table where its pages are read directly';

-- A table corgi reads stored values from (a model table, its _summary, a configs
-- table). Reading a view, a foreign table or another role's row-level security policy
-- runs SQL its owner wrote with the caller's rights, so: a plain or partitioned table;
-- with companion_of, owned by the owner of that table (a model's summary belongs to the
-- model table's owner: anybody may create "<model>_summary" beside another's model);
-- no policy of another role applies; and each named column, where present, of the type
-- given (no cast a type's owner could have written runs on the way in).
CREATE FUNCTION corgi._stored_table(tbl regclass, what text, companion_of regclass,
                                    columns name[], types regtype[]) RETURNS regclass
    AS 'MODULE_PATHNAME', 'corgi_stored_table'
    LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION corgi._stored_table(regclass, text, regclass, name[], regtype[]) IS
    'internal: tbl, checked as a table corgi may read stored values from (plain or partitioned, a companion owned by the model table''s owner, no other role''s row-level security, stored columns of their types)';

-- The one row of a model table, with the variables it was trained on (as stored: they
-- are used only as plain column names, see corgi._variable). A corgi.fit_multiple
-- out_table holds one model per config: config_id picks one.
CREATE FUNCTION corgi._model_row(model_table text, caller_path text, config_id integer,
                                 OUT model bytea, OUT model_type text, OUT classes text[],
                                 OUT dependent_varname text, OUT independent_varname text)
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_variable
DECLARE
    tbl regclass := corgi._resolve_table(model_table, caller_path);
    summary regclass;
    has_config_id boolean;
    n bigint;
BEGIN
    IF tbl IS NULL THEN
        RAISE EXCEPTION 'model table "%" does not exist', model_table
            USING ERRCODE = 'undefined_table', HINT = 'Pass the out_table of corgi.train or corgi.fit_multiple.';
    END IF;
    PERFORM corgi._stored_table(tbl, 'model table', NULL, '{model,model_type,classes,config_id,independent_varname}',
                                '{bytea,text,text[],integer,text}');
    has_config_id := EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = tbl AND a.attname = 'config_id'
                                                          AND a.attnum > 0 AND NOT a.attisdropped);
    IF config_id IS NOT NULL AND NOT has_config_id THEN
        RAISE EXCEPTION 'model table "%" has no config_id column', model_table
            USING ERRCODE = 'invalid_parameter_value', HINT = 'config_id picks a model of a corgi.fit_multiple out_table; leave it out for corgi.train''s.';
    END IF;
    IF config_id IS NOT NULL THEN
        EXECUTE format('SELECT count(*) FROM %s WHERE config_id = $1', tbl) INTO n USING config_id;
        IF n <> 1 THEN
            RAISE EXCEPTION 'model table "%" has % rows with config_id %, expected 1', model_table, n, config_id
                USING ERRCODE = 'data_exception', HINT = 'Pick a config_id of the table.';
        END IF;
        EXECUTE format('SELECT model, model_type, classes FROM %s WHERE config_id = $1', tbl)
            INTO model, model_type, classes USING config_id;
    ELSE
        EXECUTE format('SELECT count(*) FROM %s', tbl) INTO n;
        IF n <> 1 THEN
            RAISE EXCEPTION 'model table "%" has % rows, expected 1', model_table, n
                USING ERRCODE = 'data_exception',
                      HINT = CASE WHEN has_config_id THEN 'A corgi.fit_multiple out_table holds one model per config: pass config_id.'
                                  ELSE 'A model table holds the one row corgi.train wrote.' END;
        END IF;
        EXECUTE format('SELECT model, model_type, classes FROM %s', tbl) INTO model, model_type, classes;
    END IF;
    SELECT c.oid INTO summary FROM pg_class c
     WHERE c.relnamespace = (SELECT relnamespace FROM pg_class WHERE oid = tbl)
       AND c.relname = (SELECT relname FROM pg_class WHERE oid = tbl) || '_summary';
    IF summary IS NOT NULL THEN
        PERFORM corgi._stored_table(summary, 'summary table', tbl, '{dependent_varname,independent_varname}',
                                    '{text,text}');
        EXECUTE format('SELECT dependent_varname, independent_varname FROM %s LIMIT 1', summary)
            INTO dependent_varname, independent_varname;
    END IF;
    -- A fit_multiple table keeps each config's feature list (its own fills, centers, scales).
    IF config_id IS NOT NULL AND EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = tbl AND a.attname = 'independent_varname'
                                                                      AND a.attnum > 0 AND NOT a.attisdropped) THEN
        EXECUTE format('SELECT coalesce(independent_varname, $2) FROM %s WHERE config_id = $1', tbl)
            INTO independent_varname USING config_id, independent_varname;
    END IF;
END $$;
COMMENT ON FUNCTION corgi._model_row(text, text, integer) IS 'internal: the model (of config config_id, for a fit_multiple table), its type and training variables';

-- A grouped model table (corgi.train with grouping_cols): its trained models in table
-- order, their keys (one text per grouping column, model after model: what
-- corgi._group_index takes), the grouping columns and a label per model; key_names is
-- NULL for a table that is not grouped. The grouping column names come from the
-- summary and are used as quoted identifiers only.
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
    PERFORM corgi._stored_table(tbl, 'model table', NULL, '{model,model_type,classes,config_id,independent_varname}',
                                '{bytea,text,text[],integer,text}');
    PERFORM corgi._stored_table(summary, 'summary table', tbl,
                                '{grouping_columns,dependent_varname,independent_varname}', '{text[],text,text}');
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
            -- Each config's own feature list (its fills, centers and scales).
            IF EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = tbl AND a.attname = 'independent_varname'
                                                    AND a.attnum > 0 AND NOT a.attisdropped) THEN
                EXECUTE format('SELECT coalesce(min(independent_varname), $2) FROM %s WHERE config_id = $1', tbl)
                    INTO independent_varname USING config_id, independent_varname;
            END IF;
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

CREATE FUNCTION corgi._group_index(key record, keys text[]) RETURNS integer
    AS 'MODULE_PATHNAME', 'corgi_group_index'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION corgi._group_index(record, text[]) IS
    'internal: the 1-based position of a key''s group among keys (one text per grouping column, group after group), with GROUP BY''s equality; NULL for a key of no group';

CREATE FUNCTION corgi.evaluate(model_table text, data_table text,
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
            corgi._variable(tbl, coalesce(dependent_varname, m.dependent_varname), dependent_varname IS NULL, 'dependent_varname'),
            coalesce(independent_varname, m.independent_varname)) x;
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
                USING ERRCODE = 'undefined_column',
                      HINT = 'A grouped model scores rows of tables with its grouping columns; a model grouped by an expression names its column after the expression (see grouping_cols in its summary): add it, e.g. SELECT *, (expression) AS name FROM ....';
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
    'metrics of a trained model on a table: rows, mean loss, accuracy and AUC (logistic, svm; accuracy for softmax), RMSE and R2 (linear, svr, mlp_regression); variables default to the training ones when those are plain columns; config_id picks a model of a corgi.fit_multiple out_table; a grouped model gives one row per group (group_key) and an overall row (group_key NULL)';

CREATE FUNCTION corgi.predict_table(model_table text, data_table text, id_col text, output_table text,
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
                    USING ERRCODE = 'undefined_column',
                      HINT = 'A grouped model scores rows of tables with its grouping columns; a model grouped by an expression names its column after the expression (see grouping_cols in its summary): add it, e.g. SELECT *, (expression) AS name FROM ....';
            END IF;
        END LOOP;
        feat := corgi._variable(tbl, coalesce(independent_varname, g.independent_varname), independent_varname IS NULL,
                                'independent_varname');
        EXECUTE format($q$CREATE TABLE %s AS
            SELECT %I AS id, "?corgi_prediction" AS prediction,
                   CASE $2 WHEN 'multiclass' THEN $3[array_position(corgi.sgd_classes("?corgi_model"), "?corgi_prediction")]
                           WHEN 'binary' THEN $3["?corgi_prediction"::int + 1] END AS class,
                   CASE WHEN $5 THEN corgi.model_predict_proba("?corgi_model", (%s)::float8[]) END AS probabilities
            FROM (SELECT *, corgi.model_predict("?corgi_model", (%s)::float8[]) AS "?corgi_prediction"
                  FROM (SELECT *, ($1)[corgi._group_index(ROW(%s), $4)] AS "?corgi_model" FROM %s AS "?d" WHERE %s IS NOT NULL) d0) d$q$,
            out_names.main, id_col, feat, feat,
            (SELECT string_agg(format('"?d".%I', k), ', ') FROM unnest(g.key_names) k), tbl, feat)
            USING g.models, (corgi.model_traits(g.model_type)).task, g.classes, g.keys,
                  (corgi.model_traits(g.model_type)).probabilities;
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
               CASE $2 WHEN 'multiclass' THEN $3[array_position(corgi.sgd_classes($1), "?corgi_prediction")]
                       WHEN 'binary' THEN $3["?corgi_prediction"::int + 1] END AS class,
               CASE WHEN $4 THEN corgi.model_predict_proba($1, (%s)::float8[]) END AS probabilities
        FROM (SELECT *, corgi.model_predict($1, (%s)::float8[]) AS "?corgi_prediction" FROM %s WHERE %s IS NOT NULL) d$q$,
        out_names.main, id_col, feat, feat, tbl, feat)
        USING m.model, (corgi.model_traits(m.model_type)).task, m.classes, (corgi.model_traits(m.model_type)).probabilities;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END $$;
COMMENT ON FUNCTION corgi.predict_table(text, text, text, text, text, integer, text) IS
    'scores every row of data_table into a new output_table(id, prediction, class, probabilities); returns the row count; config_id picks a model of a corgi.fit_multiple out_table';

CREATE FUNCTION corgi.predict_label(model_table text, features float8[]) RETURNS text
    AS 'MODULE_PATHNAME', 'corgi_predict_label'
    LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION corgi.predict_label(text, float8[]) IS
    'the class a classifier in model_table predicts, as the label appeared in training (softmax: the class; logistic, svm: the negative or positive label)';

CREATE FUNCTION corgi.predict_label(model_table text, row_value record) RETURNS text
    AS 'MODULE_PATHNAME', 'corgi_predict_label_row'
    LANGUAGE C STABLE STRICT PARALLEL SAFE
    SUPPORT corgi._predict_row_support;
COMMENT ON FUNCTION corgi.predict_label(text, record) IS
    'the class a classifier in model_table predicts for a row holding its feature columns, as the label appeared in training; NULL when a feature is NULL';

------------------------------------------------------------------------------------
-- Privileges. The support functions of the aggregates are called by the aggregates,
-- whose owner's EXECUTE is what PostgreSQL checks: nobody needs to call them. Every
-- other function stays callable: the public ones, and the internal ones the PL/pgSQL
-- drivers call with the caller's rights (each checks its arguments as a public entry
-- point does; README "Security" lists them and what each checks).
------------------------------------------------------------------------------------
------------------------------------------------------------------------------------
-- Live progress: one row per running corgi.train or corgi.fit_multiple call that the
-- reader may see (its own role's calls; every call for pg_read_all_stats).
------------------------------------------------------------------------------------
CREATE VIEW corgi.training_progress AS
SELECT s.pid, a.datname, a.usename AS user_name, s.relid::regclass AS source_table, d.out_table, d.call,
       d.phase, d.epoch, d.epochs, d.rows_done, d.rows_per_epoch, d.tasks_done, d.tasks, d.last_loss,
       d.workers, d.elapsed_seconds, d.seconds_left
  FROM pg_catalog.pg_stat_get_progress_info('VACUUM') s
  JOIN pg_catalog.pg_stat_activity a ON a.pid = s.pid
 CROSS JOIN LATERAL corgi._progress_decode(ARRAY[s.param1, s.param2, s.param3, s.param4, s.param5, s.param6,
        s.param7, s.param8, s.param9, s.param10, s.param11, s.param12, s.param13, s.param14, s.param15,
        s.param16, s.param17, s.param18, s.param19, s.param20]) d
 WHERE d.call IS NOT NULL;
COMMENT ON VIEW corgi.training_progress IS
    'running corgi.train and corgi.fit_multiple calls: phase, epoch, rows, tasks, last loss, workers, elapsed seconds and an estimate of the seconds left (a role sees its own calls, pg_read_all_stats every call; one snapshot per transaction)';
GRANT SELECT ON corgi.training_progress TO PUBLIC;

-- Exact linear regression (MADlib's linregr): one pass accumulating X^T X and X^T y in
-- the Swift core (NormalEquations.swift), a pseudo-inverse solve and MADlib's statistics
-- (corgi_linregr.c). Rows with a NULL are skipped and counted.
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

CREATE FUNCTION corgi._linregr_transition(internal, float8, float8[]) RETURNS internal
    AS 'MODULE_PATHNAME', 'corgi_linregr_transition'
    LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION corgi._linregr_transition(internal, float8, float8[]) IS
    'internal: transition of corgi.linregr (adds a row to X^T X and X^T y; skips and counts a row with a NULL)';
CREATE FUNCTION corgi._linregr_final(internal) RETURNS corgi.linregr_result
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

CREATE FUNCTION corgi._linregr_bp_transition(internal, float8, float8[], float8[], integer) RETURNS internal
    AS 'MODULE_PATHNAME', 'corgi_linregr_bp_transition'
    LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION corgi._linregr_bp_transition(internal, float8, float8[], float8[], integer) IS
    'internal: transition of corgi._linregr_bp (adds a row''s squared residual under its group''s fit)';
CREATE FUNCTION corgi._linregr_bp_final(internal) RETURNS float8[]
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

-- The gaussian elastic net, exact, from one pass's sums (ElasticNet.swift: coordinate
-- descent on the covariance), for corgi_madlib's elastic_net_train.
CREATE FUNCTION corgi._elastic_net_transition(internal, float8, float8[], float8, float8, boolean, integer, float8) RETURNS internal
    AS 'MODULE_PATHNAME', 'corgi_elastic_net_transition'
    LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION corgi._elastic_net_transition(internal, float8, float8[], float8, float8, boolean, integer, float8) IS
    'internal: transition of corgi._elastic_net_gaussian (the sums of the rows with a 1 appended)';
CREATE FUNCTION corgi._elastic_net_final(internal) RETURNS float8[]
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

CREATE FUNCTION corgi.linregr_predict(coef float8[], independent float8[]) RETURNS float8
    AS 'MODULE_PATHNAME', 'corgi_linregr_predict'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION corgi.linregr_predict(float8[], float8[]) IS
    'the prediction coef . independent of a linear model (MADlib''s linregr_predict); NULL when a feature is NULL';

-- The output tables of a call that writes a model table and its summary: their quoted,
-- schema-qualified names, checked free and writable (nothing is written here).
CREATE FUNCTION corgi._writable_outputs(call text, out_table text, caller_path text,
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
    IF schema <> 'pg_temp' AND NOT has_schema_privilege(schema, 'CREATE') THEN
        RAISE EXCEPTION 'permission denied to create % in schema %', main, schema
            USING ERRCODE = 'insufficient_privilege', HINT = 'Choose an out_table in a schema where you can create tables.';
    END IF;
END $$;
COMMENT ON FUNCTION corgi._writable_outputs(text, text, text) IS
    'internal: quoted qualified names of a call''s output table and its summary, refused when one exists, the transaction is read-only or the schema is not writable';

-- A readable source and a column or expression of it: a bare name must be a column (a
-- mistake otherwise, not an expression); anything else is an SQL expression, evaluated
-- with the caller's privileges (as in MADlib).
CREATE FUNCTION corgi._readable_source(call text, source_table text, caller_path text) RETURNS regclass
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

CREATE FUNCTION corgi._column_or_expression(src regclass, source_table text, argument text, value text) RETURNS text
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

-- The grouping keys of a call: each item of grouping_cols is a column of the source
-- (named as it is) or an expression (analysed, never run; named after its text).
CREATE FUNCTION corgi._grouping_keys(src regclass, source_table text, grouping_cols text, reserved text[],
                                     OUT exprs text[], OUT names text[])
    AS 'MODULE_PATHNAME', 'corgi_grouping_keys'
    LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;
COMMENT ON FUNCTION corgi._grouping_keys(regclass, text, text, text[]) IS
    'internal: the key expressions of grouping_cols (quoted columns or parenthesized expressions, checked) and their output column names';

-- The two variables of an exact regression: each a column of src or an expression
-- (corgi._column_or_expression), the independent one a numeric array and the dependent
-- one a number (task 'regression') or a boolean or 0/1 integer (task 'binary').
CREATE FUNCTION corgi._regression_variables(src regclass, dependent_varname text, independent_varname text, task text,
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

CREATE FUNCTION corgi.linregr_train(
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
                                               FROM (%2$s) q) %3$s
                      SELECT f.* %4$s FROM f %5$s$q$,
                   fits,
                   -- Ungrouped: one fit of the row query (its table's pages read directly
                   -- when it names columns); grouped: the aggregate per group.
                   CASE WHEN grouping_cols IS NULL
                        THEN format('SELECT corgi._linregr_rows(%L) AS r',
                                    format('SELECT (%s)::float8, (%s)::float8[] FROM %s', dep, indep, src))
                        ELSE format('SELECT %s corgi.linregr((%s)::float8, (%s)::float8[]) AS r FROM %s %s',
                                    key_select, dep, indep, src, key_group) END,
                   bp_with, CASE WHEN heteroskedasticity_option THEN ', b.bp' ELSE '' END, bp_join);
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

-- Logistic regression by IRLS (MADlib's logregr): the passes run in C
-- (corgi_exact_regression.c) over a row query, every group in each pass, under the
-- call's one snapshot; the Newton steps and statistics in the Swift core
-- (LogisticIRLS.swift).
CREATE FUNCTION corgi._logregr_irls(row_query text, groups integer, max_iter integer, tolerance float8, verbose boolean,
                                    intercept boolean DEFAULT false)
    RETURNS TABLE (g integer, coef float8[], log_likelihood float8, std_err float8[], z_stats float8[],
                   p_values float8[], odds_ratios float8[], condition_no float8, num_rows_processed bigint,
                   num_missing_rows_skipped bigint, num_iterations integer, variance_covariance float8[], status text)
    AS 'MODULE_PATHNAME', 'corgi_logregr_irls'
    LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION corgi._logregr_irls(text, integer, integer, float8, boolean, boolean) IS
    'internal: logistic regression by IRLS of the rows of row_query ((group 1..groups, dependent boolean, independent float8[]), run with the caller''s rights, one pass per iteration under one snapshot; intercept: a 1 after each row''s features), one row per group';

CREATE FUNCTION corgi._logregr_elastic_net(row_query text, groups integer, max_iter integer, tolerance float8, verbose boolean,
                                          intercept boolean, alpha float8, lambda float8, standardize boolean)
    RETURNS TABLE (g integer, coef float8[], intercept float8, log_likelihood float8, objective float8,
                   num_rows_processed bigint, num_missing_rows_skipped bigint, num_iterations integer, status text)
    AS 'MODULE_PATHNAME', 'corgi_logregr_elastic_net'
    LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION corgi._logregr_elastic_net(text, integer, integer, float8, boolean, boolean, float8, float8, boolean) IS
    'internal: the binomial elastic net (MADlib''s objective -LL/n + lambda (alpha |b|_1 + (1 - alpha)/2 |b|^2), standardized weights with standardize) of the rows of row_query as corgi._logregr_irls takes them, by IRLS passes with a coordinate-descent step; converged when the objective moves by less than tolerance; one row per group, the intercept apart';

CREATE FUNCTION corgi._linregr_fit_transition(internal, float8, float8[], boolean) RETURNS internal
    AS 'MODULE_PATHNAME', 'corgi_linregr_fit_transition'
    LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION corgi._linregr_fit_transition(internal, float8, float8[], boolean) IS
    'internal: transition of corgi._linregr_fit (corgi.linregr''s, with a 1 after the features when intercept)';
CREATE FUNCTION corgi._linregr_fit_final(internal) RETURNS float8[]
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

-- The same fits over a row query: when the query only names one plain table's columns
-- (a float8[] column or ARRAY[...] of number columns, after constants such as MADlib's
-- intercept 1), its pages are read directly (corgi_direct_rows.c), else the aggregate
-- runs over the query. The same rows in the same order either way.
CREATE FUNCTION corgi._linregr_rows(row_query text) RETURNS corgi.linregr_result
    AS 'MODULE_PATHNAME', 'corgi_linregr_rows'
    LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION corgi._linregr_rows(text) IS
    'internal: corgi.linregr over the rows of row_query ((dependent float8, independent float8[]), run with the caller''s rights), a plain table''s columns read from its pages';
CREATE FUNCTION corgi._linregr_fit_rows(row_query text, intercept boolean) RETURNS float8[]
    AS 'MODULE_PATHNAME', 'corgi_linregr_fit_rows'
    LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION corgi._linregr_fit_rows(text, boolean) IS
    'internal: corgi._linregr_fit over the rows of row_query ((dependent float8, independent float8[]), run with the caller''s rights), a plain table''s columns read from its pages';

CREATE FUNCTION corgi.logregr_predict(coef float8[], independent float8[]) RETURNS boolean
    AS 'MODULE_PATHNAME', 'corgi_logregr_predict'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION corgi.logregr_predict(float8[], float8[]) IS
    'the class a logistic model predicts: coef . independent > 0 (MADlib''s logregr_predict); NULL when a feature is NULL';
CREATE FUNCTION corgi.logregr_predict_prob(coef float8[], independent float8[]) RETURNS float8
    AS 'MODULE_PATHNAME', 'corgi_logregr_predict_prob'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION corgi.logregr_predict_prob(float8[], float8[]) IS
    'the probability of true a logistic model gives: 1 / (1 + exp(-coef . independent)) (MADlib''s logregr_predict_prob); NULL when a feature is NULL';

-- The groups of an exact solver's grouped call, numbered under the call's snapshot
-- (corgi_group_call.c): corgi.logregr_train's and corgi_madlib's binomial elastic net's.
CREATE FUNCTION corgi._numbered_groups(gtab text, src text, exprs text[], names text[],
                                       OUT groups integer, OUT group_expr text)
    AS 'MODULE_PATHNAME', 'corgi_numbered_groups'
    LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;
COMMENT ON FUNCTION corgi._numbered_groups(text, text, text[], text[]) IS
    'internal: numbers the groups of src by the grouping items (exprs, named names) into the temporary table gtab under the call''s snapshot; their count and the SQL giving a row its group''s number';

CREATE FUNCTION corgi.logregr_train(
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
        SELECT g.groups, g.group_expr INTO n_groups, group_expr
          FROM corgi._numbered_groups(gtab, src::text, keys.exprs, keys.names) g;
        IF n_groups = 0 THEN
            RAISE EXCEPTION 'source table % has no rows', source_table USING ERRCODE = 'invalid_parameter_value', HINT = 'Regress a table with data.';
        END IF;
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

REVOKE EXECUTE ON FUNCTION corgi._feature_moments_transition(internal, float8[]),
                           corgi._feature_moments_final(internal),
                           corgi.sgd_transition(internal, float8[], float8, bytea),
                           corgi.sgd_final(internal),
                           corgi.sgd_pass_final(internal),
                           corgi._sgd_groups_transition(internal, record, float8[], float8, bytea[], text[]),
                           corgi._sgd_groups_final(internal),
                           corgi._evaluate_transition(internal, bytea, float8[], float8),
                           corgi._evaluate_final(internal),
                           corgi._evaluate_groups_transition(internal, integer, bytea[], float8[], float8),
                           corgi._linregr_transition(internal, float8, float8[]),
                           corgi._linregr_final(internal),
                           corgi._linregr_bp_transition(internal, float8, float8[], float8[], integer),
                           corgi._linregr_bp_final(internal),
                           corgi._linregr_fit_transition(internal, float8, float8[], boolean),
                           corgi._linregr_fit_final(internal),
                           corgi._elastic_net_transition(internal, float8, float8[], float8, float8, boolean, integer, float8),
                           corgi._elastic_net_final(internal)
    FROM PUBLIC;
