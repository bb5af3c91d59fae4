-- corgi_madlib's n_folds cross-validation (svm_classification, svm_regression,
-- svm_one_class, elastic_net_train) and svm_one_class: MADlib's install-check cases
-- (svm.sql_in's "Cross validation tests", elastic_net.sql_in's last case), with asserts
-- of what they must do: the model is trained with the combination of the best mean
-- score, validation_result holds one row per combination, a max_iter list is read off
-- the epochs, the elastic net's fold scores equal fits of each fold's rows made apart,
-- errors change nothing.
SET extra_float_digits = 0;
CREATE EXTENSION corgi_madlib;
CREATE SCHEMA madlib_cross_validation;
SET search_path = madlib_cross_validation, public;
-- MADlib's svm_train_data and svr_train_data: 1000 rows, ind[1..3] uniform in [-20, 20],
-- ind[4] = +/-10 (drawn from a hash here, not random(), so that the output is fixed);
-- classification label 1 when ind[1] > 0 and ind[2] < 0, else -1; regression
-- ind[1] + 2 ind[2].
\i test/data/svr_train_data.sql
CREATE TABLE svm_train_data AS
SELECT id, ind, CASE WHEN ind[1] > 0 AND ind[2] < 0 THEN 1 ELSE -1 END AS label FROM svr_train_data;

-- MADlib's m3: init_stepsize and lambda lists (6 combinations), an epsilon list that
-- classification ignores (not in validation_result), 3 folds.
SET client_min_messages = warning;   -- the diverging combination's notices, one per fold
SELECT madlib.svm_classification('svm_train_data', 'm3', 'label', 'ind', NULL, NULL, NULL,
     'init_stepsize=[0.01, 1], max_iter=3, lambda=[20, 0.0002, 0.02], n_folds=3, epsilon=[0.1, 1], validation_result=val_res');
RESET client_min_messages;
SELECT string_agg(column_name || ' ' || data_type, ', ' ORDER BY ordinal_position) AS val_res_columns
FROM information_schema.columns WHERE table_schema = 'madlib_cross_validation' AND table_name = 'val_res';
SELECT count(*) AS combinations, count(mean_score) AS scored,
       bool_and(mean_score BETWEEN 0 AND 1) AS accuracies, bool_and(std_dev_score >= 0) AS spreads
FROM val_res;
-- init_stepsize 1 with lambda 20 diverges in every fold: no score, never chosen.
SELECT init_stepsize, lambda FROM val_res WHERE mean_score IS NULL;
-- The model is trained with the combination of the best mean score.
SELECT s.optim_params LIKE format('%%init_stepsize=%s,%%', b.init_stepsize) AND s.reg_params LIKE format('lambda=%s,%%', b.lambda)
       AS trained_with_the_best, s.reg_params LIKE '%n_folds=3%' AS folds_said
FROM m3_summary s, (SELECT * FROM val_res ORDER BY mean_score DESC NULLS LAST LIMIT 1) b;
SELECT num_iterations, num_rows_processed, dep_var_mapping FROM m3;
-- The same call gives the same scores (MADlib's fold order: setseed(0.5), random()).
SELECT madlib.svm_classification('svm_train_data', 'm3_again', 'label', 'ind', NULL, NULL, NULL,
     'init_stepsize=[0.01, 0.1], max_iter=3, lambda=[0.0002, 0.02], n_folds=3, validation_result=val_res_again');
SELECT (SELECT array_agg(mean_score ORDER BY init_stepsize, lambda) FROM val_res WHERE init_stepsize = 0.01 AND lambda IN (0.0002, 0.02))
     = (SELECT array_agg(mean_score ORDER BY init_stepsize, lambda) FROM val_res_again WHERE init_stepsize = 0.01) AS same_scores;

-- MADlib's m2 with a max_iter list: one fit_multiple per fold trains max(max_iter) epochs
-- and scores every epoch, so max_iter=2 scores the model after 2 epochs: the scores
-- equal those of a call with max_iter=2 alone. Regression scores minus the RMSE.
SELECT madlib.svm_regression('svr_train_data', 'm2', 'label', 'ind', NULL, NULL, NULL,
     'init_stepsize=0.01, max_iter=[2, 5], lambda=[0.0002, 0.2], n_folds=3, validation_result=val2', false);
SELECT max_iter, lambda, mean_score < 0 AS minus_rmse FROM val2 ORDER BY max_iter, lambda;
SELECT madlib.svm_regression('svr_train_data', 'm2_two', 'label', 'ind', NULL, NULL, NULL,
     'init_stepsize=0.01, max_iter=2, lambda=[0.0002, 0.2], n_folds=3, validation_result=val2_two', false);
SELECT (SELECT array_agg(mean_score ORDER BY lambda) FROM val2 WHERE max_iter = 2)
     = (SELECT array_agg(mean_score ORDER BY lambda) FROM val2_two) AS epochs_read_off;
SELECT s.reg_params LIKE format('lambda=%s,%%', b.lambda) AND s.optim_params LIKE format('%%max_iter=%s,%%', b.max_iter)
       AS trained_with_the_best, m.num_iterations = b.max_iter AS iterations
FROM m2_summary s, m2 m, (SELECT * FROM val2 ORDER BY mean_score DESC LIMIT 1) b;
-- The ten times wider lambda fits worse at 5 epochs: the RMSE scores mean something.
SELECT (SELECT mean_score FROM val2 WHERE max_iter = 5 AND lambda = 0.0002) > (SELECT mean_score FROM val2 WHERE max_iter = 2 AND lambda = 0.2)
       AS more_epochs_less_penalty_fit_better;

-- MADlib's m7: a gaussian kernel with cross-validation; the model has n_components and
-- the intercept.
SELECT madlib.svm_classification('svm_train_data', 'm7', 'label', 'ind', 'gaussian', 'n_components=3, fit_intercept=true', NULL,
     'init_stepsize=[0.01, 0.1], max_iter=2, n_folds=3, lambda=[0.01, 0.1, 0.5], validation_result=m7_cv');
SELECT count(*) AS combinations FROM m7_cv;
SELECT array_upper(coef, 1) = 4 AS madlib_dimension_assert FROM m7;
SELECT madlib.svm_predict('m7', 'svm_train_data', 'id', 'svm_test_7');
SELECT count(*) AS predicted FROM svm_test_7;
-- MADlib's m9: polynomial, validation_result left out.
SELECT madlib.svm_classification('svm_train_data', 'm9', 'label', 'ind', 'poly', 'n_components=3', NULL,
     'max_iter=2, n_folds=3, lambda=[0.01, 0.1, 0.5]');
SELECT array_upper(coef, 1) = 3 AS madlib_dimension_assert FROM m9;

-- svm_one_class: MADlib's cases (gaussian by default; the rows against the origin of
-- the mapped space, with an intercept and balanced class weights): 2 x 4 components
-- and the intercept, classes -1 and 1.
SELECT madlib.svm_one_class('svm_train_data', 'one', 'ind');
SELECT cardinality(coef) AS coefs, num_rows_processed, dep_var_mapping FROM one;
SELECT method, dependent_varname IS NULL AS no_dependent, independent_varname, kernel_func, kernel_params, reg_params FROM one_summary;
SELECT madlib.svm_predict('one', 'svm_train_data', 'id', 'one_out');
SELECT count(*) AS rows, bool_and(prediction IN ('-1', '1')) AS classes FROM one_out;
SELECT madlib.svm_one_class('svm_train_data', 'one_cv', 'ind', 'gaussian', NULL, NULL,
    'init_stepsize=0.01, max_iter=3, lambda=[0.0002, 0.2], n_folds=3, epsilon = [0.003, 0.2]');
SELECT reg_params ~ '^lambda=(0.0002|0.2), norm=L2, n_folds=3, class_weight=500.5,0.5005$' AS cross_validated FROM one_cv_summary;
-- What one class is for: rows gathered around (3, 3) and a linear kernel. The rows
-- are on the model's side, their mirror images through the origin are not.
CREATE TABLE blob AS
SELECT g AS id, ARRAY[3 + cos(g) * (g % 7) / 7.0, 3 + sin(g) * (g % 5) / 5.0]::float8[] AS x FROM generate_series(1, 500) g;
CREATE TABLE blob_mirror AS SELECT id, ARRAY[-x[1], -x[2]] AS x FROM blob;
SELECT madlib.svm_one_class('blob', 'blob_model', 'x', 'linear', NULL, NULL, 'init_stepsize=0.01, max_iter=20');
SELECT madlib.svm_predict('blob_model', 'blob', 'id', 'blob_out');
SELECT madlib.svm_predict('blob_model', 'blob_mirror', 'id', 'blob_mirror_out');
SELECT (SELECT avg((prediction = '1')::int) FROM blob_out) > 0.9 AS rows_inside,
       (SELECT avg((prediction = '-1')::int) FROM blob_mirror_out) = 1 AS mirror_outside;
SELECT madlib.svm_one_class('svm_train_data', 'o1', 'ind', 'linear', NULL, 'label');
SELECT madlib.svm_one_class('svm_train_data', 'o1', NULL);
SELECT madlib.svm_one_class('svm_train_data', 'o1', 'ind', 'sigmoid');

-- The elastic net: MADlib's case (elastic_net.sql_in, its last): alpha={0, 0.1, 1}, MADlib's
-- sequence of n_lambdas=3 lambda values from 1e5 down to lambda_value 0.2, 3 folds; FISTA's
-- knobs in the same string are ignored with a notice. lin_housing_wi is the Boston data
-- (test/data/boston.csv) with a 1 before the 13 features.
CREATE TABLE boston (crim float8, zn float8, indus float8, chas float8, nox float8, rm float8, age float8, dis float8,
                     rad float8, tax float8, ptratio float8, b float8, lstat float8, medv float8);
\copy boston FROM 'test/data/boston.csv' WITH (FORMAT csv, HEADER true)
CREATE TABLE lin_housing_wi (id serial, x float8[], grp_by_col int, y float8);
INSERT INTO lin_housing_wi (x, grp_by_col, y)
SELECT ARRAY[1, crim, zn, indus, chas, nox, rm, age, dis, rad, tax, ptratio, b, lstat], CASE WHEN n <= 245 THEN 1 ELSE 2 END, medv
FROM (SELECT b.*, row_number() OVER () AS n FROM boston b) b ORDER BY n;
SELECT madlib.elastic_net_train('lin_housing_wi', 'house_en', 'y', 'x', 'gaussian', 0.1, 0.2, True, NULL, 'fista',
    $$ eta = 2, max_stepsize = 0.5, use_active_set = f,
       n_folds = 3, validation_result=house_en_cv,
       n_lambdas = 3, alpha = {0, 0.1, 1},
       warmup = True, warmup_lambdas = {10, 1, 0.1}
    $$, NULL, 100, 1e-2);
SELECT alpha, round(lambda_value::numeric, 6) AS lambda_value, round(mean_score::numeric, 6) AS mean_score,
       std_dev_score > 0 AS spread FROM house_en_cv ORDER BY alpha, lambda_value DESC;
SELECT s.alpha = b.alpha AND s.lambda_value = b.lambda_value AS trained_with_the_best
FROM house_en_summary s, (SELECT * FROM house_en_cv ORDER BY mean_score DESC LIMIT 1) b;
-- Each fold's score, made apart: MADlib's fold order rebuilt here, elastic_net_train on
-- the other folds (a view), minus the RMSE of elastic_net_gaussian_predict on the fold.
SELECT setseed(0.5);
CREATE TABLE cv_rows AS SELECT row_number() OVER (ORDER BY random()) AS id, y, x FROM lin_housing_wi;
CREATE VIEW cv_train_1 AS SELECT * FROM cv_rows WHERE id >= 169;
CREATE VIEW cv_train_2 AS SELECT * FROM cv_rows WHERE id < 169 OR id >= 337;
CREATE VIEW cv_train_3 AS SELECT * FROM cv_rows WHERE id < 337;
SELECT madlib.elastic_net_train('cv_train_' || k, 'cv_fit_' || k, 'y', 'x', 'gaussian', 0.1, 0.2, True, NULL, 'fista', NULL, NULL, 100, 1e-2)
FROM generate_series(1, 3) k;
WITH scores AS (
    SELECT k, -sqrt(avg((r.y - madlib.elastic_net_gaussian_predict(f.coef_all, f.intercept, r.x)) ^ 2)) AS score
    FROM (SELECT 1 AS k, * FROM cv_fit_1 UNION ALL SELECT 2, * FROM cv_fit_2 UNION ALL SELECT 3, * FROM cv_fit_3) f
    JOIN cv_rows r ON r.id >= 1 + (k - 1) * 168 AND r.id < CASE WHEN k = 3 THEN 507 ELSE 1 + k * 168 END
    GROUP BY k)
SELECT abs(avg(score) - (SELECT mean_score FROM house_en_cv WHERE alpha = 0.1 AND lambda_value < 1)) < 1e-9 AS folds_made_apart_agree,
       abs(stddev_samp(score) - (SELECT std_dev_score FROM house_en_cv WHERE alpha = 0.1 AND lambda_value < 1)) < 1e-9 AS spread_agrees
FROM scores;
-- Binomial (y < 20), lambda_value listed: the accuracy; the smallest penalty wins here.
SELECT madlib.elastic_net_train('lin_housing_wi', 'house_enb', 'y < 20', 'x', 'binomial', 1, 0.1, True, NULL, 'fista',
    'n_folds=3, lambda_value={0.001, 0.01, 0.1, 1}, validation_result=house_enb_cv', NULL, 100, 1e-6);
SELECT lambda_value, round(mean_score::numeric, 6) AS mean_score FROM house_enb_cv ORDER BY lambda_value;
SELECT alpha, lambda_value FROM house_enb_summary;
-- The binomial folds made apart (lambda 0.1): the accuracy of each fold's rows under
-- the fit of the other folds, averaged, is the table's.
SELECT madlib.elastic_net_train('cv_train_' || k, 'cv_fitb_' || k, 'y < 20', 'x', 'binomial', 1, 0.1, True, NULL, NULL, NULL, NULL, 100, 1e-6)
FROM generate_series(1, 3) k;
WITH scores AS (
    SELECT k, avg(((madlib.elastic_net_binomial_prob(f.coef_all, f.intercept, r.x) > 0.5) = (r.y < 20))::int) AS score
    FROM (SELECT 1 AS k, * FROM cv_fitb_1 UNION ALL SELECT 2, * FROM cv_fitb_2 UNION ALL SELECT 3, * FROM cv_fitb_3) f
    JOIN cv_rows r ON r.id >= 1 + (k - 1) * 168 AND r.id < CASE WHEN k = 3 THEN 507 ELSE 1 + k * 168 END
    GROUP BY k)
SELECT abs(avg(score) - (SELECT mean_score FROM house_enb_cv WHERE lambda_value = 0.1)) < 1e-9 AS folds_made_apart_agree
FROM scores;
-- Errors, and nothing written.
SELECT madlib.elastic_net_train('lin_housing_wi', 'e1', 'y', 'x', 'gaussian', 0.5, 0.2, optimizer_params => 'alpha={0, 1}');
SELECT madlib.elastic_net_train('lin_housing_wi', 'e1', 'y', 'x', 'gaussian', 0.5, 0.2, grouping_col => 'grp_by_col', optimizer_params => 'n_folds=3');
SELECT madlib.elastic_net_train('lin_housing_wi', 'e1', 'y', 'x', 'gaussian', 0.5, 0.2, optimizer_params => 'n_folds=3, alpha={0, 2}');
SELECT madlib.elastic_net_train('lin_housing_wi', 'e1', 'y', 'x', 'gaussian', 0.5, 0.2, optimizer_params => 'n_folds=3, n_lambdas=0');
SELECT madlib.elastic_net_train('lin_housing_wi', 'e1', 'y', 'x', 'gaussian', 0.5, 0.2, optimizer_params => 'n_folds=3, validation_result=house_en_cv');
SELECT madlib.elastic_net_train('lin_housing_wi', 'e1', 'y', 'x', 'gaussian', 0.5, 0.2, optimizer_params => 'inner_steps=3');
SELECT to_regclass('e1') IS NULL AS no_model;
SELECT madlib.elastic_net_train('lin_housing_wi', 'e2', 'y', 'x', 'gaussian', 0.5, 0.2, optimizer_params => 'n_folds=3, n_lambdas=1');
SELECT alpha, lambda_value FROM e2_summary;

-- Errors, and nothing written.
SELECT madlib.svm_classification('svm_train_data', 'o1', 'label', 'ind', NULL, NULL, NULL, 'lambda=[0.1, 1]');
SELECT madlib.svm_classification('svm_train_data', 'o1', 'label', 'ind', NULL, NULL, 'id % 2', 'lambda=[0.1, 1], n_folds=3');
SELECT madlib.svm_classification('svm_train_data', 'o1', 'label', 'ind', NULL, NULL, NULL, 'lambda=[0.1, x], n_folds=3');
SELECT madlib.svm_classification('svm_train_data', 'o1', 'label', 'ind', NULL, NULL, NULL, 'max_iter=[2.5, 3], n_folds=3');
SELECT madlib.svm_classification('svm_train_data', 'o1', 'label', 'ind', NULL, NULL, NULL, 'lambda=[0.1, 1], n_folds=three');
SELECT madlib.svm_classification('svm_train_data', 'o1', 'label', 'ind', NULL, NULL, NULL, 'lambda=[0.1, 1], n_folds=3, validation_result=val_res');
SELECT madlib.svm_classification('blob', 'o1', 'id > 2', 'x', NULL, NULL, NULL, 'lambda=[0.1, 1], n_folds=3000');
SELECT to_regclass('o1') IS NULL AS no_model, to_regclass('o1_summary') IS NULL AS no_summary;
-- n_folds without a list: MADlib's warning, one training.
SELECT madlib.svm_classification('svm_train_data', 'o2', 'label', 'ind', NULL, NULL, NULL, 'lambda=0.1, n_folds=3');
SELECT reg_params FROM o2_summary;
-- A quoted source and validation_result name.
CREATE TABLE "Odd ""Name""" AS SELECT * FROM svm_train_data;
SELECT madlib.svm_classification('"Odd ""Name"""', 'odd_m', 'label', 'ind', NULL, NULL, NULL,
                                 'lambda=[0.01, 0.1], max_iter=2, n_folds=2, validation_result="Odd Val"');
SELECT count(*) AS combinations FROM "Odd Val";
-- A cancel in the middle of the folds: nothing written, no work table left.
\set VERBOSITY terse
SET statement_timeout = '50ms';
SELECT madlib.svm_classification('svm_train_data', 'cancelled', 'label', 'ind', NULL, NULL, NULL,
                                 'lambda=[0.01, 0.1, 1], max_iter=[5, 10, 20], n_folds=5, validation_result=cancelled_cv');
RESET statement_timeout;
\set VERBOSITY default
SELECT to_regclass('cancelled') IS NULL AS no_model, to_regclass('cancelled_cv') IS NULL AS no_validation_result;
-- No work table is left behind.
SELECT count(*) AS temp_tables FROM pg_class WHERE relpersistence = 't' AND relname ~ '^corgi_(cv|one_class)_';
SELECT madlib.svm_one_class() LIKE 'svm_one_class: novelty detection%' AS help;

DROP EXTENSION corgi_madlib;
DROP SCHEMA madlib CASCADE;
RESET search_path;
SET client_min_messages = warning;
DROP SCHEMA madlib_cross_validation CASCADE;
RESET client_min_messages;
