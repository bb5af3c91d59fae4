-- corgi.train and its operators on label-sorted ("clustered") data, the case the
-- CorgiPile paper is about: a plain scan sees all negatives, then all positives.
SET search_path = public, corgi;
SET client_min_messages = warning;
\set SHOW_CONTEXT never

-- 20,000 rows x 10 features, rows sorted by label; deterministic (setseed).
SELECT setseed(0.42);
CREATE TABLE clustered (id int, label boolean, features float8[])
    WITH (autovacuum_enabled = false);
INSERT INTO clustered
SELECT g, g > 10000,
       ARRAY(SELECT (CASE WHEN j <= 3 THEN (CASE WHEN g > 10000 THEN 0.6 ELSE -0.6 END) ELSE 0 END)
                    + (random() + random() + random() + random() - 2) FROM generate_series(1, 10) j)
FROM generate_series(1, 20000) g;
-- A block of 4 pages (~230 rows), a 10% buffer (~9 blocks), a large step: the last
-- rows seen bias the model, as in the paper's clustered runs. Plain SGD iterates
-- (average=false), as in the paper: this measures what the order does to SGD.
\set params '''learning_rate=0.5, block_mb=0.03125, seed=7, average=false'''

SELECT epochs_run, rows_per_epoch FROM corgi.train('clustered', 'm_corgipile', 'label', 'features', 'logistic', 1, 'corgipile', :params);
SELECT epochs_run, rows_per_epoch FROM corgi.train('clustered', 'm_block_only', 'label', 'features', 'logistic', 1, 'block_only', :params);
SELECT epochs_run, rows_per_epoch FROM corgi.train('clustered', 'm_none', 'label', 'features', 'logistic', 1, 'none', :params);
SELECT epochs_run, rows_per_epoch FROM corgi.train('clustered', 'm_once', 'label', 'features', 'logistic', 1, 'once', :params);
-- The streaming baselines read in physical order with a window / reservoir of 10%
-- (MRS trains the rows its reservoir drops plus ~10% memory steps, fewer than 20000).
SELECT epochs_run, rows_per_epoch FROM corgi.train('clustered', 'm_sliding_window', 'label', 'features', 'logistic', 1, 'sliding_window', :params);
SELECT epochs_run, rows_per_epoch FROM corgi.train('clustered', 'm_mrs', 'label', 'features', 'logistic', 1, 'mrs', :params);

-- After one epoch: corgipile is within a point of shuffle-once; without the tuple
-- shuffle (block_only) or without any shuffle (none) the model is far worse.
CREATE TABLE accuracy AS
SELECT s.shuffle, e.accuracy, e.auc
FROM (VALUES ('corgipile'), ('block_only'), ('none'), ('once'), ('sliding_window'), ('mrs')) s(shuffle),
     LATERAL corgi.evaluate('m_' || s.shuffle, 'clustered') e;
SELECT shuffle, round(accuracy::numeric, 3) AS accuracy FROM accuracy ORDER BY accuracy DESC;
SELECT (SELECT accuracy FROM accuracy WHERE shuffle = 'corgipile') > 0.9 AS corgipile_accurate,
       (SELECT accuracy FROM accuracy WHERE shuffle = 'corgipile')
         > (SELECT accuracy FROM accuracy WHERE shuffle = 'once') - 0.01 AS corgipile_matches_once,
       (SELECT accuracy FROM accuracy WHERE shuffle = 'block_only')
         < (SELECT accuracy FROM accuracy WHERE shuffle = 'corgipile') - 0.02 AS tuple_shuffle_matters,
       (SELECT accuracy FROM accuracy WHERE shuffle = 'none')
         < (SELECT accuracy FROM accuracy WHERE shuffle = 'corgipile') - 0.1 AS no_shuffle_fails,
       (SELECT accuracy FROM accuracy WHERE shuffle = 'sliding_window')
         < (SELECT accuracy FROM accuracy WHERE shuffle = 'corgipile') - 0.05 AS window_trails,
       (SELECT accuracy FROM accuracy WHERE shuffle = 'mrs')
         < (SELECT accuracy FROM accuracy WHERE shuffle = 'corgipile') AS mrs_trails;

-- corgi.evaluate reads a plain table's pages directly; an expression goes through a
-- query. Same rows in the same order: the same metrics, bit for bit.
SELECT (SELECT row(e.*)::text FROM corgi.evaluate('m_corgipile', 'clustered') e)
     = (SELECT row(e.*)::text FROM corgi.evaluate('m_corgipile', 'clustered', '(label)', '(features)') e) AS fast_equals_query,
       (SELECT rows FROM corgi.evaluate('m_corgipile', 'clustered')) AS rows;

-- Iterate averaging (the default): the model is the mean of the epoch's iterates. It
-- takes the pull of the last rows out of every order; corgipile still matches once.
-- Both paths average the same iterates, bit for bit.
SELECT epochs_run FROM corgi.train('clustered', 'm_avg', 'label', 'features', 'logistic', 1, 'corgipile', 'learning_rate=0.5, block_mb=0.03125, seed=7');
SELECT epochs_run FROM corgi.train('clustered', 'm_avg_composed', 'label OR false', 'features', 'logistic', 1, 'corgipile', 'learning_rate=0.5, block_mb=0.03125, seed=7');
SELECT epochs_run FROM corgi.train('clustered', 'm_avg_none', 'label', 'features', 'logistic', 1, 'none', 'learning_rate=0.5, block_mb=0.03125, seed=7');
SELECT (SELECT model FROM m_avg) = (SELECT model FROM m_avg_composed) AS bit_identical,
       (SELECT model FROM m_avg) <> (SELECT model FROM m_corgipile) AS differs_from_plain,
       (SELECT accuracy FROM corgi.evaluate('m_avg', 'clustered'))
         > (SELECT accuracy FROM accuracy WHERE shuffle = 'once') - 0.005 AS averaged_matches_once,
       (SELECT accuracy FROM corgi.evaluate('m_avg_none', 'clustered')) > 0.9 AS averaged_none_accurate;

-- Other optimizers (their state travels in the model bytes): Adam and momentum, on both
-- paths bit for bit, mini-batches of 16.
SELECT epochs_run FROM corgi.train('clustered', 'm_adam', 'label', 'features', 'logistic', 2, 'corgipile', 'optimizer=adam, learning_rate=0.01, batch_size=16, block_mb=0.03125, seed=7');
SELECT epochs_run FROM corgi.train('clustered', 'm_adam_composed', 'label OR false', 'features', 'logistic', 2, 'corgipile', 'optimizer=adam, learning_rate=0.01, batch_size=16, block_mb=0.03125, seed=7');
SELECT epochs_run FROM corgi.train('clustered', 'm_momentum', 'label', 'features', 'svm', 2, 'corgipile', 'optimizer=momentum, batch_size=16, block_mb=0.03125, seed=7');
SELECT (SELECT model FROM m_adam) = (SELECT model FROM m_adam_composed) AS adam_bit_identical,
       (SELECT accuracy FROM corgi.evaluate('m_adam', 'clustered')) > 0.95 AS adam_accurate,
       (SELECT accuracy FROM corgi.evaluate('m_momentum', 'clustered')) > 0.95 AS momentum_accurate,
       (SELECT params FROM m_momentum_summary) LIKE '%learning_rate=0.01,%optimizer=momentum, momentum=0.9' AS momentum_defaults_written;

-- The output tables.
SELECT cardinality(coef) AS n_coef, cardinality(intercept) AS n_intercept, model_type, num_epochs,
       num_rows_processed, num_rows_skipped, classes, octet_length(model) > 0 AS has_model,
       loss > 0 AS has_loss
FROM m_corgipile;
SELECT source_table, out_table, dependent_varname, independent_varname, model, shuffle, params,
       n_features, block_pages, buffer_rows, training_path, epochs, cardinality(epoch_loss) AS losses,
       cardinality(epoch_seconds) AS timings, epoch_rows, num_rows_skipped, shuffle_seconds IS NULL AS no_copy
FROM m_corgipile_summary;
SELECT shuffle, shuffle_seconds > 0 AS copy_timed, training_path FROM m_once_summary;

-- Reproducible: the same seed gives the same model bit for bit; another seed does not.
SELECT epochs_run FROM corgi.train('clustered', 'm_again', 'label', 'features', 'logistic', 1, 'corgipile', :params);
SELECT epochs_run FROM corgi.train('clustered', 'm_seed8', 'label', 'features', 'logistic', 1, 'corgipile',
                                   'learning_rate=0.5, block_mb=0.03125, seed=8, average=false');
SELECT (SELECT model FROM m_again) = (SELECT model FROM m_corgipile) AS same_seed_same_model,
       (SELECT model FROM m_seed8) = (SELECT model FROM m_corgipile) AS other_seed_same_model;

-- The fast path (direct heap reads) and the composed path (the corgi.sgd aggregate over
-- TABLESAMPLE corgi_block_shuffle) give the same model bit for bit. An expression as
-- dependent_varname sends corgi.train down the composed path.
SELECT epochs_run FROM corgi.train('clustered', 'm_composed', 'label OR false', 'features', 'logistic', 2, 'corgipile', :params);
SELECT epochs_run FROM corgi.train('clustered', 'm_fast', 'label', 'features', 'logistic', 2, 'corgipile', :params);
SELECT (SELECT training_path FROM m_composed_summary) AS composed, (SELECT training_path FROM m_fast_summary) AS fast,
       (SELECT model FROM m_composed) = (SELECT model FROM m_fast) AS bit_identical;
-- The array found at its offset after fixed columns (no slot): short arrays (1-byte
-- headers, unaligned), long ones (28 values), rows written before a column before the
-- array was dropped, rows with NULLs (read through the slot): the same model as the
-- composed path's, bit for bit.
CREATE TABLE at_offset (id int, gone int8, label boolean, features float8[]);
INSERT INTO at_offset SELECT g, g, g % 3 = 0,
    CASE WHEN g % 2 = 0 THEN ARRAY[(g % 7) - 3, (g % 5) / 2.0]::float8[]
         ELSE ARRAY(SELECT ((g * i) % 11) / 10.0 - 0.5 FROM generate_series(1, 2) i)::float8[] END
FROM generate_series(1, 1500) g;
ALTER TABLE at_offset DROP COLUMN gone;
INSERT INTO at_offset SELECT g, CASE WHEN g % 10 = 0 THEN NULL ELSE g % 4 = 0 END,
    ARRAY[(g % 7) - 3, (g % 5) / 2.0]::float8[] FROM generate_series(1501, 3000) g;
SELECT epochs_run FROM corgi.train('at_offset', 'at_fast', 'label', 'features', 'logistic', 2, 'corgipile', 'block_mb=0.03125, seed=3');
SELECT epochs_run FROM corgi.train('at_offset', 'at_composed', 'label OR false', 'features', 'logistic', 2, 'corgipile', 'block_mb=0.03125, seed=3');
SELECT (SELECT training_path FROM at_fast_summary) AS fast, (SELECT training_path FROM at_composed_summary) AS composed,
       (SELECT num_rows_skipped FROM at_fast_summary) AS skipped,
       (SELECT model FROM at_fast) = (SELECT model FROM at_composed) AS bit_identical;
CREATE TABLE at_offset_long AS SELECT g AS id, g % 3 = 0 AS label,
    ARRAY(SELECT ((g * i) % 13) / 10.0 - 0.6 FROM generate_series(1, 28) i)::float8[] AS features
FROM generate_series(1, 2000) g;
SELECT epochs_run FROM corgi.train('at_offset_long', 'atl_fast', 'label', 'features', 'logistic', 2, 'corgipile', 'block_mb=0.03125, seed=3');
SELECT epochs_run FROM corgi.train('at_offset_long', 'atl_composed', 'label OR false', 'features', 'logistic', 2, 'corgipile', 'block_mb=0.03125, seed=3');
SELECT (SELECT model FROM atl_fast) = (SELECT model FROM atl_composed) AS long_bit_identical;
DROP TABLE at_offset, at_fast, at_fast_summary, at_composed, at_composed_summary, at_offset_long, atl_fast, atl_fast_summary,
           atl_composed, atl_composed_summary;
SELECT epochs_run FROM corgi.train('clustered', 'm_mrs_composed', 'label OR false', 'features', 'logistic', 1, 'mrs', :params);
SELECT (SELECT model FROM m_mrs_composed) = (SELECT model FROM m_mrs) AS mrs_bit_identical,
       (SELECT buffer FROM corgi.sgd_state_info((SELECT model FROM m_mrs))) AS buffer;

-- The same epoch by hand: the aggregate over the block-shuffled scan, and train_pass.
CREATE TABLE start AS
SELECT corgi.sgd_state('logistic', 10, (SELECT buffer_rows FROM m_corgipile_summary), 'learning_rate=0.5, block_mb=0.03125, seed=7, average=false') AS s;
SELECT block_pages, block_seed = corgi.epoch_seed(7, 0) AS seed_of_epoch_0, buffer_rows, epochs
FROM start, corgi.sgd_state_info(s);
CREATE TABLE by_hand AS
SELECT (SELECT corgi.sgd(features, label::int::float8, s)
        FROM clustered TABLESAMPLE corgi_block_shuffle(4) REPEATABLE (corgi.epoch_seed(7, 0))) AS composed,
       corgi.sgd_end_epoch(corgi.train_pass('clustered', 'features', 'label', s)) AS fast
FROM start;
SELECT composed = fast AS bit_identical, (corgi.sgd_state_info(fast)).epochs,
       (corgi.sgd_state_info(fast)).rows FROM by_hand;
SELECT composed = (SELECT model FROM m_corgipile) AS same_as_train FROM by_hand;

-- A segment: the pages 0..99 only, epoch left open; then the rest; then close it.
SELECT (corgi.sgd_state_info(corgi.train_pass('clustered', 'features', 'label', s, true, 0, 100))).rows_in_progress
       = (SELECT count(*) FROM clustered WHERE (ctid::text::point)[0] < 100) AS segment_rows
FROM start;
SELECT (corgi.sgd_state_info(corgi.sgd_end_epoch(
            corgi.train_pass('clustered', 'features', 'label',
                corgi.train_pass('clustered', 'features', 'label', s, true, 0, 100), true, 100, NULL)))).rows
FROM start;

-- Rows with a NULL label or NULL features are skipped and counted.
CREATE TABLE with_nulls AS SELECT * FROM clustered WHERE id % 10 = 0;
UPDATE with_nulls SET label = NULL WHERE id % 100 = 0;
UPDATE with_nulls SET features = NULL WHERE id % 100 = 50;
SELECT epochs_run, rows_per_epoch FROM corgi.train('with_nulls', 'm_nulls', 'label', 'features', 'logistic', 1, 'corgipile', :params);
SELECT num_rows_processed, num_rows_skipped FROM m_nulls;

-- Labels: boolean, 0/1 and -1/+1 train the same model.
CREATE TABLE coded AS SELECT id, features, label::int AS zero_one, CASE WHEN label THEN 1 ELSE -1 END AS plus_minus FROM clustered;
SELECT epochs_run FROM corgi.train('coded', 'm_01', 'zero_one', 'features', 'svm', 1, 'corgipile', :params);
SELECT epochs_run FROM corgi.train('coded', 'm_pm', 'plus_minus', 'features', 'svm', 1, 'corgipile', :params);
SELECT (SELECT coef FROM m_01) = (SELECT coef FROM m_pm) AS same_svm;
SELECT round(accuracy::numeric, 3) > 0.85 AS svm_learns FROM corgi.evaluate('m_01', 'coded');

-- Without block_mb, blocks are 10 MB or small enough for at least 100 blocks; an
-- explicit block_mb is used as given.
SELECT epochs_run FROM corgi.train('coded', 'm_default_blocks', 'zero_one', 'features', 'logistic', 1);
SELECT block_pages, pg_relation_size('coded') / current_setting('block_size')::int / block_pages >= 100 AS at_least_100_blocks,
       params LIKE '%block_mb=0.%' AS recorded
FROM m_default_blocks_summary;

-- Prediction.
SELECT corgi.predict('m_corgipile', ARRAY[2, 2, 2, 0, 0, 0, 0, 0, 0, 0]::float8[]) AS positive,
       corgi.predict('m_corgipile', ARRAY[-2, -2, -2, 0, 0, 0, 0, 0, 0, 0]::float8[]) AS negative;
SELECT p[1] + p[2] = 1 AS sums_to_one, p[2] > 0.9 AS confident
FROM (SELECT corgi.predict_proba('m_corgipile', ARRAY[2, 2, 2, 0, 0, 0, 0, 0, 0, 0]::float8[]) AS p) x;
SELECT count(*) FILTER (WHERE corgi.predict('m_corgipile', features) = corgi.model_predict(m.model, features)) AS agree
FROM clustered, m_corgipile m WHERE id % 100 = 0;
SELECT corgi.predict_table('m_corgipile', 'clustered', 'id', 'scored');
SELECT count(*), count(*) FILTER (WHERE prediction IN (0, 1)), min(cardinality(probabilities)) FROM scored;

-- The model table is read again by the next query after it changes.
UPDATE m_corgipile SET model = (SELECT model FROM m_none);
SELECT corgi.predict('m_corgipile', features) = corgi.model_predict((SELECT model FROM m_none), features) AS sees_new_model
FROM clustered WHERE id = 1;

-- Softmax with text classes and with numeric classes; linear regression.
CREATE TABLE three AS
SELECT g AS id, (ARRAY['setosa', 'versicolor', 'virginica'])[1 + g % 3] AS species, (g % 3) * 5 - 2 AS code,
       ARRAY[(g % 3 = 0)::int * 2 + random() - 0.5, (g % 3 = 1)::int * 2 + random() - 0.5]::float8[] AS x
FROM generate_series(1, 3000) g;
SELECT epochs_run FROM corgi.train('three', 'm_species', 'species', 'x', 'softmax', 3, 'corgipile', 'block_mb=0.01');
SELECT epochs_run FROM corgi.train('three', 'm_code', 'code', 'x', 'softmax', 3, 'corgipile', 'block_mb=0.01');
SELECT classes, array_dims(coef) AS coef_dims, cardinality(intercept) AS intercepts FROM m_species;
SELECT classes FROM m_code;
SELECT training_path FROM m_species_summary;
SELECT training_path FROM m_code_summary;
SELECT round(accuracy::numeric, 2) >= 0.97 AS text_classes, (SELECT round(accuracy::numeric, 2) >= 0.97 FROM corgi.evaluate('m_code', 'three')) AS numeric_classes
FROM corgi.evaluate('m_species', 'three');
SELECT corgi.predict('m_code', ARRAY[2, 0]::float8[]) AS class_of_code, corgi.predict('m_species', ARRAY[2, 0]::float8[]) AS index_of_species;
SELECT corgi.predict_table('m_species', 'three', 'id', 'species_scored');
SELECT count(*) FILTER (WHERE class = species) > 2900 AS classes_named FROM species_scored JOIN three USING (id);

CREATE TABLE line AS SELECT g AS id, ARRAY[g / 1000.0, (g % 7) / 7.0]::float8[] AS x,
       3 * (g / 1000.0) - 2 * ((g % 7) / 7.0) + 1 + (random() - 0.5) * 0.1 AS y
FROM generate_series(1, 5000) g;
SELECT epochs_run FROM corgi.train('line', 'm_line', 'y', 'x', 'linear', 10, 'corgipile', 'learning_rate=0.02, block_mb=0.01');
SELECT round(r2::numeric, 2) >= 0.99 AS fits, round(rmse::numeric, 2) <= 0.1 AS small_error FROM corgi.evaluate('m_line', 'line');
SELECT round(coef[1]::numeric, 1) AS slope_1, round(coef[2]::numeric, 1) AS slope_2, round(intercept[1]::numeric, 1) AS intercept FROM m_line;

-- Validation metrics per epoch.
SELECT epochs_run FROM corgi.train('clustered', 'm_val', 'label', 'features', 'logistic', 2, 'corgipile',
                                   'learning_rate=0.5, block_mb=0.03125, seed=7, validation_table=with_nulls');
SELECT validation_table, cardinality(validation_loss) AS losses, validation_metric_name,
       validation_metric[2] > 0.9 AS accurate, cardinality(validation_seconds) AS timings
FROM m_val_summary;

-- Sources the fast path cannot read go through the composed path: a table with
-- row-level security (its policies apply), a view.
CREATE ROLE corgi_trainer;
GRANT USAGE ON SCHEMA corgi TO corgi_trainer;
GRANT SELECT ON clustered TO corgi_trainer;
GRANT CREATE ON SCHEMA public TO corgi_trainer;
ALTER TABLE clustered ENABLE ROW LEVEL SECURITY;
CREATE POLICY first_half ON clustered FOR SELECT TO corgi_trainer USING (id % 2 = 0);
SET ROLE corgi_trainer;
SELECT epochs_run, rows_per_epoch FROM corgi.train('clustered', 'm_rls', 'label', 'features', 'logistic', 1, 'corgipile', :params);
SELECT training_path FROM m_rls_summary;
-- train_pass itself refuses to read around the policy.
SELECT corgi.train_pass('clustered', 'features', 'label', corgi.sgd_state('logistic', 10, 100));
-- evaluate sees the policy's rows only (the query path), and its page reader refuses.
SELECT rows FROM corgi.evaluate('m_rls', 'clustered');
SELECT corgi._evaluate_scan((SELECT model FROM m_rls), 'clustered', 'features', 'label');
-- So does the reader of several models (validation's), and validation through
-- corgi._validate_many scores the policy's rows, as corgi.evaluate does.
SELECT corgi._evaluate_scan_many(ARRAY[(SELECT model FROM m_rls)], 'clustered', 'features', 'label');
SELECT v.losses[1] = e.loss AND v.metrics[1] = e.accuracy AS validation_under_the_policy
FROM corgi._validate_many(ARRAY[(SELECT model FROM m_rls)], 'logistic', NULL, 'clustered', 'label', 'features') v,
     corgi.evaluate('m_rls', 'clustered') e;
DROP TABLE m_rls, m_rls_summary;
RESET ROLE;
DROP POLICY first_half ON clustered;
ALTER TABLE clustered DISABLE ROW LEVEL SECURITY;
REVOKE ALL ON clustered FROM corgi_trainer;
REVOKE ALL ON SCHEMA corgi FROM corgi_trainer;
REVOKE CREATE ON SCHEMA public FROM corgi_trainer;
DROP ROLE corgi_trainer;
-- The reader of several models: each model's metrics are those of one read of its own
-- (the AUC left out), and bad arrays are refused.
SELECT m[1:1][1:3] = ARRAY[e[1:3]] AS same_as_one_read, m[2:2][1:3] = ARRAY[e[1:3]] AS second_too, m[1][4] = 'NaN' AS no_auc
FROM corgi._evaluate_scan_many(ARRAY[(SELECT model FROM m_val), (SELECT model FROM m_val)], 'clustered', 'features', 'label') m,
     corgi._evaluate_scan((SELECT model FROM m_val), 'clustered', 'features', 'label') e;
SELECT corgi._evaluate_scan_many('{}'::bytea[], 'clustered', 'features', 'label');
SELECT corgi._evaluate_scan_many(ARRAY[NULL::bytea], 'clustered', 'features', 'label');
SELECT corgi._evaluate_scan_many(ARRAY[[(SELECT model FROM m_val)]], 'clustered', 'features', 'label');
SELECT corgi._evaluate_scan_many(ARRAY['\x00'::bytea], 'clustered', 'features', 'label');

CREATE VIEW clustered_view AS SELECT * FROM clustered WHERE id % 2 = 1;
SET client_min_messages = notice;
SELECT epochs_run, rows_per_epoch FROM corgi.train('clustered_view', 'm_view', 'label', 'features', 'logistic', 1, 'corgipile', :params);
SET client_min_messages = warning;
SELECT training_path FROM m_view_summary;

-- A partitioned table goes through the composed path; its partitions are read one
-- after another (a known limit: blocks are not shuffled across partitions).
CREATE TABLE parted (id int, label boolean, features float8[]) PARTITION BY RANGE (id);
CREATE TABLE parted_1 PARTITION OF parted FOR VALUES FROM (1) TO (10001);
CREATE TABLE parted_2 PARTITION OF parted FOR VALUES FROM (10001) TO (20001);
INSERT INTO parted SELECT * FROM clustered;
SET client_min_messages = notice;
SELECT epochs_run, rows_per_epoch FROM corgi.train('parted', 'm_parted', 'label', 'features', 'logistic', 1, 'corgipile', :params);
SET client_min_messages = warning;
SELECT training_path, epoch_rows FROM m_parted_summary;

-- A cancel in the middle of training leaves no output table and no Swift object.
-- (terse: the CONTEXT line would name whichever statement the timeout interrupted)
\set VERBOSITY terse
SET statement_timeout = '300ms';
SELECT * FROM corgi.train('clustered', 'm_cancelled', 'label', 'features', 'logistic', 100000, 'corgipile', :params);
RESET statement_timeout;
\set VERBOSITY default
SELECT to_regclass('m_cancelled') AS model_table, to_regclass('m_cancelled_summary') AS summary_table,
       debug_swift_objects() AS swift_objects;
