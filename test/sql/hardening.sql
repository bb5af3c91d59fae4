-- Wrong results that used to pass silently, and resources that used to leak.
SET client_min_messages = warning;
\set SHOW_CONTEXT never

-- Inheritance: training on a parent reads its children, as SELECT does.
CREATE TABLE inh_parent (label boolean, features float8[]);
CREATE TABLE inh_child () INHERITS (inh_parent);
INSERT INTO inh_parent SELECT g % 2 = 0, ARRAY[g % 3, g % 5] FROM generate_series(1, 10) g;
INSERT INTO inh_child SELECT g % 2 = 0, ARRAY[g % 3, g % 5] FROM generate_series(1, 10000) g;
SELECT rows_per_epoch FROM corgi.train('inh_parent', 'inh_model', 'label', 'features', 'logistic', 1);
SELECT training_path, epoch_rows FROM inh_model_summary;
SELECT corgi.train_pass('inh_parent', 'features', 'label', corgi.sgd_state('logistic', 2, 100));

-- Divergence is an error that names the epoch, and nothing is written.
CREATE TABLE wild AS SELECT g % 2 = 0 AS label, ARRAY[g * 1e6, -g * 1e6]::float8[] AS features
FROM generate_series(1, 2000) g;
SELECT * FROM corgi.train('wild', 'wild_model', 'label', 'features', 'linear', 3, params => 'learning_rate=1e10');
SELECT count(*) AS wild_tables FROM pg_class WHERE relname LIKE 'wild_model%';

-- An out_table whose summary name would be truncated is refused before training.
SELECT * FROM corgi.train('wild', repeat('x', 60), 'label', 'features');

-- Labels as they appeared in training.
CREATE TABLE signs AS SELECT CASE WHEN g % 2 = 0 THEN 1 ELSE -1 END AS label,
    ARRAY[CASE WHEN g % 2 = 0 THEN 1.0 ELSE -1.0 END, g % 3]::float8[] AS features FROM generate_series(1, 2000) g;
SELECT epochs_run FROM corgi.train('signs', 'signs_model', 'label', 'features', 'svm', 2);
SELECT classes, corgi.predict_label('signs_model', ARRAY[1, 0]) AS positive,
       corgi.predict_label('signs_model', ARRAY[-1, 0]) AS negative FROM signs_model;
SELECT corgi.predict_label('wild', ARRAY[1, 0]);

-- One worker thread per backend: a grouped aggregate over 200 groups runs at most one
-- thread besides the backend's own (0.1.0 started one per group).
CREATE TABLE grouped AS SELECT g % 200 AS grp, g % 2 = 0 AS label, ARRAY[g % 3, g % 5]::float8[] AS features
FROM generate_series(1, 20000) g;
SET enable_sort = off;
SELECT count(*) AS groups, max(threads) <= 2 AS at_most_one_worker
FROM (SELECT grp, corgi.sgd(features, label::int::float8, corgi.sgd_state('logistic', 2, 10)) AS s
      FROM grouped GROUP BY grp) per_group,
     LATERAL (SELECT count(*) AS threads FROM pg_ls_dir('/proc/' || pg_backend_pid() || '/task')) t;
RESET enable_sort;

-- A statement timeout in the middle of training stops the worker at once: afterwards
-- the backend has one thread, holds no Swift object and uses no CPU.
-- (softmax over 50 classes: one buffer takes seconds, so the timeout hits the worker mid-buffer)
CREATE TABLE big AS SELECT g % 50 AS label,
    ARRAY(SELECT (g * 7 + i) % 11 / 10.0 FROM generate_series(1, 28) i)::float8[] AS features
FROM generate_series(1, 200000) g;
SET statement_timeout = '400ms';
SELECT * FROM corgi.train('big', 'big_model', 'label', 'features', 'softmax', 50, params => 'buffer_fraction=0.5');
RESET statement_timeout;
\i test/data/backend_threads.sql
SELECT pg_temp.backend_threads() AS threads;
SELECT corgi.debug_swift_objects() AS objects_held;
CREATE FUNCTION cpu_ticks() RETURNS bigint LANGUAGE sql AS $$
    SELECT split_part(s, ' ', 12)::bigint + split_part(s, ' ', 13)::bigint
    FROM (SELECT split_part(pg_read_file('/proc/' || pg_backend_pid() || '/stat'), ') ', 2) AS s) f $$;
SELECT cpu_ticks() AS before \gset
SELECT pg_sleep(0.5);
-- An orphaned worker would burn ~50 ticks (10 ms each) in 0.5 s.
SELECT cpu_ticks() - :before < 10 AS idle;
SELECT count(*) AS big_model_tables FROM pg_class WHERE relname LIKE 'big_model%';

-- Non-UTF8 databases: text crosses the Swift boundary converted (0.1.0 read LATIN1
-- bytes as UTF-8: a validation table "tëst" was reported missing).
CREATE DATABASE corgi_latin1 ENCODING 'LATIN1' TEMPLATE template0 LC_COLLATE 'C' LC_CTYPE 'C';
\c corgi_latin1
SET client_min_messages = warning;
CREATE EXTENSION corgi;
CREATE TABLE "tëst" AS SELECT g % 2 = 0 AS label, ARRAY[g % 3, g % 5]::float8[] AS features FROM generate_series(1, 500) g;
SELECT corgi.normalize_params('validation_table=tëst, seed=7');
SELECT epochs_run FROM corgi.train('tëst', 'mödel', 'label', 'features', 'logistic', 1, params => 'validation_table=tëst');
SELECT validation_table, cardinality(validation_loss) AS validated FROM "mödel_summary";
SELECT corgi.normalize_params('validation_table=tëst, seed=ë');
\c contrib_regression
DROP DATABASE corgi_latin1;
-- EUC_CN (multibyte, 0.1.0 returned invalid text from normalize_params).
CREATE DATABASE corgi_euc_cn ENCODING 'EUC_CN' TEMPLATE template0 LC_COLLATE 'C' LC_CTYPE 'C';
\c corgi_euc_cn
SET client_min_messages = warning;
SET client_encoding = 'UTF8';
CREATE EXTENSION corgi;
CREATE TABLE "数据" AS SELECT g % 2 = 0 AS label, ARRAY[g % 3, g % 5]::float8[] AS features FROM generate_series(1, 500) g;
SELECT corgi.normalize_params('validation_table=数据, seed=7') LIKE '%validation_table=数据' AS round_trip;
SELECT epochs_run FROM corgi.train('数据', '模型', 'label', 'features', 'logistic', 1, params => 'validation_table=数据');
SELECT validation_table, cardinality(validation_loss) AS validated, params LIKE '%validation_table=数据' AS params_text FROM "模型_summary";
SELECT corgi.normalize_params('validation_table=数据, seed=数');
\c contrib_regression
DROP DATABASE corgi_euc_cn;
-- The extension dropped and created again in one session: the drivers' kept statements
-- whose argument types are the extension's (corgi.training_plan gets a new OID) are
-- prepared again (0.9.0 before this: "cache lookup failed for type").
CREATE DATABASE corgi_recreate;
\c corgi_recreate
SET client_min_messages = warning;
CREATE EXTENSION corgi;
CREATE TABLE rc AS SELECT g AS id, g % 3 AS grp, g % 2 = 0 AS label, ARRAY[g % 7, g % 5]::float8[] AS features
FROM generate_series(1, 3000) g;
CREATE TABLE rc_cfg AS SELECT * FROM corgi.config_grid('logistic', 'learning_rate=[0.05,0.1]');
SELECT epochs_run FROM corgi.train('rc', 'rc_a', 'label', 'features', 'logistic', 1);
SELECT configs_trained FROM corgi.fit_multiple('rc', 'rc_f', 'label', 'features', 'rc_cfg', 1, grouping_cols => 'grp');
DROP EXTENSION corgi CASCADE;
CREATE EXTENSION corgi;
SELECT epochs_run FROM corgi.train('rc', 'rc_b', 'label', 'features', 'logistic', 1);
SELECT configs_trained FROM corgi.fit_multiple('rc', 'rc_g', 'label', 'features', 'rc_cfg', 1, grouping_cols => 'grp');
SELECT (SELECT model FROM rc_a) = (SELECT model FROM rc_b) AS same_model,
       (SELECT count(*) FROM rc_f f JOIN rc_g g USING (config_id, grp) WHERE f.model = g.model) AS same_group_models;
\c contrib_regression
DROP DATABASE corgi_recreate;

-- corgi.evaluate (one C pass) against the metrics computed in SQL from model_scores:
-- mean loss, accuracy and the Mann-Whitney AUC with average ranks for ties.
CREATE TABLE eval_pts AS SELECT g % 3 = 0 AS label, ARRAY[g % 4, (g * 7) % 5]::float8[] AS features
FROM generate_series(1, 3000) g;
SELECT epochs_run FROM corgi.train('eval_pts', 'eval_model', 'label', 'features', 'logistic', 2);
WITH s AS (SELECT CASE WHEN label THEN 1 ELSE -1 END AS t, (corgi.model_scores(m.model, features))[1] AS z,
                  corgi.model_predict(m.model, features) AS p
           FROM eval_pts, eval_model m),
r AS (SELECT t, rank() OVER (ORDER BY z) AS r_min, count(*) OVER (PARTITION BY z) AS ties FROM s),
a AS (SELECT count(*) FILTER (WHERE t = 1) AS pos, count(*) FILTER (WHERE t = -1) AS neg,
             sum(r_min + (ties - 1) / 2.0) FILTER (WHERE t = 1) AS rank_sum FROM r),
reference AS (
    SELECT (SELECT avg(CASE WHEN -t * z > 35 THEN -t * z ELSE ln(1 + exp(-t * z)) END) FROM s) AS loss,
           (SELECT avg(CASE WHEN (p = 1) = (t = 1) THEN 1.0 ELSE 0.0 END) FROM s) AS accuracy,
           (SELECT ((rank_sum - pos * (pos + 1) / 2.0) / (pos * neg))::float8 FROM a) AS auc)
SELECT e.rows, abs(e.loss - r.loss) < 1e-12 AS same_loss, abs(e.accuracy - r.accuracy) < 1e-12 AS same_accuracy,
       abs(e.auc - r.auc) < 1e-12 AS same_auc, e.rmse IS NULL AND e.r2 IS NULL AS no_regression_metrics,
       (SELECT count(DISTINCT z) < count(*) FROM s) AS has_ties
FROM corgi.evaluate('eval_model', 'eval_pts') e, reference r;

-- The epoch loop called directly with a crafted job: clear errors, no crash.
CREATE TABLE fit_plan AS
SELECT corgi._train_prepare('eval_pts', 'never_written', 'label', 'features', 'logistic', 1, 'corgipile', '',
                            current_setting('search_path'), true) AS p;
SELECT cardinality(final_states), epoch_rows FROM corgi._fit(ARRAY(SELECT p FROM fit_plan), 'train', 0, false);
SELECT * FROM corgi._fit(ARRAY(SELECT p FROM fit_plan), 'fit_multiple', 0, false);
SELECT * FROM corgi._fit(ARRAY(SELECT p FROM fit_plan), 'train', 0, false,
                         ARRAY[(SELECT (p).state FROM fit_plan)], ARRAY['a', 'b', 'c'], 2, ARRAY[1], ARRAY['label']::name[]);
SELECT * FROM corgi._fit(ARRAY(SELECT p FROM fit_plan), 'train', 0, false,
                         ARRAY[(SELECT (p).state FROM fit_plan)], ARRAY['a'], 1, ARRAY[7], ARRAY['label']::name[]);
SELECT * FROM corgi._fit(ARRAY(SELECT p FROM fit_plan), 'train', 0, false,
                         ARRAY[(SELECT (p).state FROM fit_plan)], ARRAY['a'], 1, ARRAY[1], NULL);
SELECT * FROM corgi._fit(ARRAY[]::corgi.training_plan[], 'train', 0, false);
UPDATE fit_plan SET p.epochs = 2147483647;
SELECT * FROM corgi._fit(ARRAY(SELECT p FROM fit_plan) || ARRAY(SELECT p FROM fit_plan), 'fit_multiple', 0, false);
SELECT count(*) AS never_written FROM pg_class WHERE relname LIKE 'never_written%';
