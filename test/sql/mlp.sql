-- Neural networks (mlp, mlp_regression) trained by CorgiPile: what no linear model can
-- learn, on label-sorted data, on both paths bit for bit; predict, evaluate and the
-- output tables; a version-1 model from 0.1.0 still predicts.
SET search_path = public, corgi;
SET client_min_messages = warning;
\set SHOW_CONTEXT never

-- XOR of two feature signs, 8,000 rows sorted by label (the clustered case), plus a
-- third, constant-scale noise feature.
SELECT setseed(0.7);
CREATE TABLE xor_pts (id int, label text, features float8[]) WITH (autovacuum_enabled = false);
INSERT INTO xor_pts
SELECT g, CASE WHEN (a > 0) <> (b > 0) THEN 'odd' ELSE 'even' END, ARRAY[a, b, random()]
FROM (SELECT g, random() * 2 - 1 AS a, random() * 2 - 1 AS b FROM generate_series(1, 8000) g) d
ORDER BY 2, 1;

-- CorgiPile's partial buffer (10 %), as on a table too large to buffer whole
-- (full_shuffle_mb=0; by default these 8,000 rows would be shuffled fully).
SELECT epochs_run FROM corgi.train('xor_pts', 'xor_mlp', 'label', 'features', 'mlp', 20, 'corgipile',
    'hidden_layers=[16], activation=tanh, learning_rate=0.01, batch_size=16, block_mb=0.03125, seed=3, full_shuffle_mb=0');
SELECT epochs_run FROM corgi.train('xor_pts', 'xor_mlp_composed', 'label || ''''', 'features', 'mlp', 20, 'corgipile',
    'hidden_layers=[16], activation=tanh, learning_rate=0.01, batch_size=16, block_mb=0.03125, seed=3, full_shuffle_mb=0');
SELECT epochs_run FROM corgi.train('xor_pts', 'xor_none', 'label', 'features', 'mlp', 20, 'none',
    'hidden_layers=[16], activation=tanh, learning_rate=0.01, batch_size=16, seed=3');
-- Without averaging, the last iterate carries the pull of the last (one-class) buffer.
SELECT epochs_run FROM corgi.train('xor_pts', 'xor_last', 'label', 'features', 'mlp', 20, 'corgipile',
    'hidden_layers=[16], activation=tanh, learning_rate=0.01, batch_size=16, block_mb=0.03125, seed=3, average=false, full_shuffle_mb=0');
SELECT epochs_run FROM corgi.train('xor_pts', 'xor_logistic', '(label = ''odd'')', 'features', 'logistic', 5);
SELECT (SELECT model FROM xor_mlp) = (SELECT model FROM xor_mlp_composed) AS bit_identical,
       (SELECT accuracy FROM corgi.evaluate('xor_mlp', 'xor_pts')) > 0.95 AS mlp_learns_xor,
       (SELECT accuracy FROM corgi.evaluate('xor_logistic', 'xor_pts', '(label = ''odd'')')) < 0.7 AS logistic_cannot,
       (SELECT accuracy FROM corgi.evaluate('xor_none', 'xor_pts'))
         < (SELECT accuracy FROM corgi.evaluate('xor_mlp', 'xor_pts')) - 0.02 AS no_shuffle_trails,
       (SELECT accuracy FROM corgi.evaluate('xor_last', 'xor_pts'))
         < (SELECT accuracy FROM corgi.evaluate('xor_mlp', 'xor_pts')) - 0.02 AS averaging_helps;

-- After all that training with OpenBLAS, this backend has one thread: the serial
-- OpenBLAS starts no pool, and corgi's worker was joined.
\i test/data/backend_threads.sql
SELECT pg_temp.backend_threads() AS backend_threads;

-- The output tables: no coefficients, the layers, the classes as they appeared, every
-- default written out.
SELECT coef IS NULL AS no_coef, intercept IS NULL AS no_intercept, model_type, classes, layers, num_epochs
FROM xor_mlp;
SELECT model, params, n_classes FROM xor_mlp_summary;

-- Predictions in the user's terms.
SELECT corgi.predict_label('xor_mlp', ARRAY[0.5, -0.5, 0.3]) AS odd, corgi.predict_label('xor_mlp', ARRAY[0.5, 0.5, 0.3]) AS even,
       round((corgi.predict_proba('xor_mlp', ARRAY[0.5, -0.5, 0.3]))[2]::numeric, 1) >= 0.8 AS confident,
       cardinality(corgi.predict_proba('xor_mlp', ARRAY[0.5, -0.5, 0.3])) AS classes;
SELECT corgi.predict_table('xor_mlp', 'xor_pts', 'id', 'xor_scored');
SELECT count(*) FILTER (WHERE class = label)::float8 / count(*) > 0.95 AS table_predictions FROM xor_scored JOIN xor_pts USING (id);

-- The streaming baselines and per-epoch validation work for networks too.
SELECT epochs_run, rows_per_epoch < 8000 AS mrs_trains_fewer FROM corgi.train('xor_pts', 'xor_mrs', 'label', 'features', 'mlp', 2, 'mrs',
    'hidden_layers=[8], batch_size=8, seed=3, validation_table=xor_pts');
SELECT epochs_run, rows_per_epoch FROM corgi.train('xor_pts', 'xor_window', 'label', 'features', 'mlp', 2, 'sliding_window',
    'hidden_layers=[8], batch_size=8, seed=3');
SELECT validation_metric_name, cardinality(validation_metric) AS validated, validation_metric[2] BETWEEN 0 AND 1 AS a_rate
FROM xor_mrs_summary;

-- Regression: y = sin(3a) * b on standardized inputs (the features' scales differ 1000x).
CREATE TABLE wave (id int, y float8, x float8[]);
INSERT INTO wave SELECT g, sin(3 * a) * b, ARRAY[a * 1000, b] FROM
    (SELECT g, random() * 2 - 1 AS a, random() * 2 - 1 AS b FROM generate_series(1, 6000) g) d;
SELECT epochs_run FROM corgi.train('wave', 'wave_mlp', 'y', 'x', 'mlp_regression', 30, 'corgipile',
    'hidden_layers=[32,16], learning_rate=0.005, batch_size=8, standardize=true, block_mb=0.03125, seed=5');
SELECT epochs_run FROM corgi.train('wave', 'wave_linear', 'y', 'x', 'linear', 5, 'corgipile', 'learning_rate=0.000001');
SELECT (SELECT r2 FROM corgi.evaluate('wave_mlp', 'wave')) > 0.9 AS mlp_fits,
       (SELECT r2 FROM corgi.evaluate('wave_linear', 'wave')) < 0.2 AS linear_cannot,
       (SELECT params FROM wave_mlp_summary) LIKE '%hidden_layers=[32,16], activation=relu, standardize=true' AS params,
       (SELECT layers FROM wave_mlp) AS layers;
-- The standardization is part of the model: a prediction needs no scaling by the user.
SELECT abs(corgi.predict('wave_mlp', ARRAY[300.0, 0.8]) - sin(0.9) * 0.8) < 0.15 AS predicts_raw_inputs;

-- Errors name the value.
SELECT * FROM corgi.train('xor_pts', 'bad', 'label', 'features', 'mlp', 1, 'corgipile', 'hidden_layers=[16,0]');
SELECT * FROM corgi.train('xor_pts', 'bad', 'label', 'features', 'mlp', 1, 'corgipile', 'activation=gelu');
SELECT * FROM corgi.train('xor_pts', 'bad', '(label = ''odd'')', 'features', 'logistic', 1, 'corgipile', 'hidden_layers=[16]');
SELECT * FROM corgi.train('wave', 'bad', 'y', 'x', 'mlp', 1);
SELECT corgi.sgd_standardize(corgi.sgd_state('logistic', 2, 10), ARRAY[0, 0], ARRAY[1, 1]);
SELECT corgi.sgd_standardize(corgi.sgd_state('mlp_regression', 2, 10), ARRAY[0, 0], ARRAY[1, 0]);
-- What a network allocates besides the buffers (parameters, optimizer state, one
-- mini-batch and its workspace) counts against max_buffer_mb and corgi.max_buffer_mb.
SELECT length(corgi.sgd_state('mlp', 28, 1000, 'hidden_layers=[100000], batch_size=1000000', ARRAY[0, 1]::float8[]));
SELECT length(corgi.sgd_state('mlp', 28, 1000, 'hidden_layers=[2000], batch_size=100000, max_buffer_mb=1048576', ARRAY[0, 1]::float8[]));
SELECT to_regclass('bad') IS NULL AS nothing_written;

-- A logistic model as corgi 0.1.0 wrote it (state format version 1) still loads and
-- predicts the same number (pinned in Tests/CorgiCoreTests/PinnedModelTests.swift).
SELECT (corgi.model_predict_proba(decode('435247490100020105000000000000009a9999999999c93f666666666666ee3f040000007b14ae47e17a843f00000000000000009a9999999999b93f00000000000024400000000000009040050000000000000000000000640000000000000002000000000000000000000000000000000000000000000000000000000000000000000058020000000000000000000000000000ce3d41020658644000000000000000002ec9adf326a00940aed348c2d57efabfe43099f07de868bfbaa2bee300bdaf3f60145ba5afb6d13f4eab1748efeeaa3f', 'hex'),
             ARRAY[0.5, -0.25, 0.125, 1, -1]))[2] = 0.8644823186891378 AS version_1_predicts;

-- The moments aggregate over only NULL rows is NULL (it crashed the server once: found
-- by the fuzz run).
SELECT corgi._feature_moments(NULL::float8[]) IS NULL AS all_null FROM generate_series(1, 3) GROUP BY ();
SELECT corgi._feature_moments(f) FROM (VALUES (ARRAY[1.0, 10.0]), (NULL), (ARRAY[3.0, 10.0])) v(f);
