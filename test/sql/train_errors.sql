-- Bad input to corgi.train and the SGD operators: a clear error (errcode, message
-- naming the value, hint), raised before any output table exists.
SET search_path = public, corgi;
SET client_min_messages = warning;
\set VERBOSITY default
-- Message and hint are the spec; CONTEXT lines would only repeat PL/pgSQL line numbers.
\set SHOW_CONTEXT never
CREATE TABLE pts AS SELECT g AS id, g % 2 = 0 AS label, g % 3 AS three, ARRAY[g % 5, g % 7]::float8[] AS features,
    'x' || g % 2 AS word FROM generate_series(1, 200) g;
-- (VACUUM: from 16, a bulk insert leaves empty pages at a table's end, where the rows
-- written next would land; without them they land where they do on 15.)
VACUUM pts;
CREATE TABLE empty_pts (label boolean, features float8[]);

-- Names and arguments.
SELECT * FROM corgi.train('no_such_table', 'm', 'label', 'features');
SELECT * FROM corgi.train('pts', 'm', 'label', 'features', NULL);
SELECT * FROM corgi.train('pts', NULL, 'label', 'features');
SELECT * FROM corgi.train('pts', 'm', 'label', 'features', 'ridge');
SELECT * FROM corgi.train('pts', 'm', 'label', 'features', 'logistic', 1, 'random');
SELECT * FROM corgi.train('pts', 'm', 'label', 'features', 'logistic', 0);
SELECT * FROM corgi.train('pts', 'm', 'label', 'features', 'logistic', 1, 'corgipile', 'learning_rat=0.1');
SELECT * FROM corgi.train('pts', 'm', 'label', 'features', 'logistic', 1, 'corgipile', 'learning_rate=0');
SELECT * FROM corgi.train('pts', 'm', 'label', 'features', 'logistic', 1, 'corgipile', 'decay=2');
SELECT * FROM corgi.train('pts', 'm', 'label', 'features', 'logistic', 1, 'corgipile', 'seed=1, seed=2');
SELECT * FROM corgi.train('pts', 'm', 'label', 'features', 'logistic', 1, 'corgipile', 'validation_table=nowhere');
SELECT * FROM corgi.train('pts', 'a.b.c', 'label', 'features');
CREATE TABLE taken (x int);
SELECT * FROM corgi.train('pts', 'taken', 'label', 'features');
CREATE TABLE m2_summary (x int);
SELECT * FROM corgi.train('pts', 'm2', 'label', 'features');
BEGIN READ ONLY;
SELECT * FROM corgi.train('pts', 'm', 'label', 'features');
ROLLBACK;
CREATE SCHEMA locked;
REVOKE ALL ON SCHEMA locked FROM PUBLIC;

-- Data.
SELECT * FROM corgi.train('empty_pts', 'm', 'label', 'features');
SELECT * FROM corgi.train('pts', 'm', 'label', 'no_column');
SELECT * FROM corgi.train('pts', 'm', 'label', 'now()');
SELECT * FROM corgi.train('pts', 'm', 'word', 'features');
SELECT * FROM corgi.train('pts', 'm', 'word', 'features', 'linear');
SELECT * FROM corgi.train('pts', 'm', 'three', 'features', 'logistic');
SELECT * FROM corgi.train('pts', 'm', 'id > 0', 'features', 'softmax');
SELECT * FROM corgi.train('pts', 'm', 'label', 'ARRAY[]::float8[]');
UPDATE pts SET features = ARRAY[1, 'NaN']::float8[] WHERE id = 150;
SELECT * FROM corgi.train('pts', 'm', 'label', 'features', 'logistic', 1, 'none');
UPDATE pts SET features = ARRAY[1, 2, 3]::float8[] WHERE id = 150;
SELECT * FROM corgi.train('pts', 'm', 'label', 'features', 'logistic', 1, 'none');
UPDATE pts SET features = ARRAY[1, NULL]::float8[] WHERE id = 150;
SELECT * FROM corgi.train('pts', 'm', 'label', 'features', 'logistic', 1, 'none');
UPDATE pts SET features = ARRAY[[1, 2]]::float8[] WHERE id = 150;
SELECT * FROM corgi.train('pts', 'm', 'label', 'features', 'logistic', 1, 'none');
-- The composed path names the row by its position in the pass.
SELECT * FROM corgi.train('pts', 'm', 'label OR false', 'features', 'logistic', 1, 'none');
UPDATE pts SET features = ARRAY[1, 1]::float8[] WHERE id = 150;
-- Memory: the buffer must fit max_buffer_mb, and the error says what to change.
SELECT * FROM corgi.train('pts', 'm', 'label', 'features', 'logistic', 1, 'corgipile', 'buffer_fraction=1, max_buffer_mb=0.001');

-- Nothing was created by any of the failed calls.
SELECT count(*) AS tables_named_m FROM pg_class WHERE relname IN ('m', 'm_summary', 'm2');

-- Privileges.
CREATE ROLE corgi_outsider;
GRANT USAGE ON SCHEMA corgi TO corgi_outsider;
GRANT USAGE ON SCHEMA locked TO corgi_outsider;
GRANT SELECT ON pts TO corgi_outsider;
SET ROLE corgi_outsider;
SELECT * FROM corgi.train('pts', 'locked.m', 'label', 'features');
RESET ROLE;
REVOKE ALL ON pts FROM corgi_outsider;
REVOKE ALL ON SCHEMA locked FROM corgi_outsider;
SET ROLE corgi_outsider;
SELECT * FROM corgi.train('pts', 'm', 'label', 'features');
SELECT corgi.train_pass('pts', 'features', 'label', corgi.sgd_state('logistic', 2, 10));
RESET ROLE;
REVOKE ALL ON SCHEMA corgi FROM corgi_outsider;
DROP ROLE corgi_outsider;

-- The operators.
SELECT corgi.train_pass('pts', 'features', 'nothing', corgi.sgd_state('logistic', 2, 10));
SELECT corgi.train_pass('pts', 'features', 'word', corgi.sgd_state('logistic', 2, 10));
SELECT corgi.train_pass('pts', 'label', 'label', corgi.sgd_state('logistic', 2, 10));
SELECT corgi.train_pass('pts', 'features', 'label', corgi.sgd_state('logistic', 2, 10), true, -1, 5);
CREATE VIEW pts_view AS SELECT * FROM pts;
SELECT corgi.train_pass('pts_view', 'features', 'label', corgi.sgd_state('logistic', 2, 10));
SELECT corgi.train_pass('pts', 'features', 'label', '\x00'::bytea);
SELECT corgi.sgd_state_info('\x43524749ff00'::bytea);
SELECT corgi.sgd(features, label::int::float8, NULL) FROM pts;
SELECT corgi.sgd(features, 2, corgi.sgd_state('logistic', 2, 10)) FROM pts;
SELECT corgi.sgd_state('logistic', 0, 10);
SELECT corgi.sgd_state('logistic', 2, 0);
SELECT corgi.sgd_state('softmax', 2, 10);
SELECT corgi.sgd_state('softmax', 2, 10, '', ARRAY[1, 1]);
SELECT corgi.sgd_state('svm', 2, 10, '', ARRAY[1, 2]);
SELECT corgi.sgd_state('perceptron', 2, 10);
SELECT corgi.sgd_state('logistic', 2, 10, '', NULL, 'shuffled');
SELECT corgi.normalize_params('intercept=maybe');

-- Prediction.
SELECT corgi.predict('no_model', ARRAY[1, 2]::float8[]);
SELECT epochs_run FROM corgi.train('pts', 'good', 'label', 'features', 'logistic', 1);
SELECT corgi.predict('good', ARRAY[1, 2, 3]::float8[]);
SELECT corgi.predict('good', ARRAY[1, 'Infinity']::float8[]);
INSERT INTO good SELECT * FROM good;
SELECT corgi.predict('good', ARRAY[1, 2]::float8[]);
SELECT epochs_run FROM corgi.train('pts', 'good_svm', 'label', 'features', 'svm', 1);
SELECT corgi.predict_proba('good_svm', ARRAY[1, 2]::float8[]);
SELECT corgi.predict_table('good_svm', 'pts', 'no_id', 'out');
SELECT corgi.evaluate('good_svm', 'nowhere');
