-- corgi_madlib's n_folds cross-validation (svm_classification, svm_regression,
-- svm_one_class) and svm_one_class: MADlib's install-check cases (svm.sql_in, "Cross
-- validation tests"), with asserts of what they must do: the model is trained with the
-- combination of the best mean score, validation_result holds one row per combination,
-- a max_iter list is read off the epochs, errors change nothing.
SET extra_float_digits = 0;
CREATE EXTENSION corgi_madlib;
CREATE SCHEMA madlib_svm_cv;
SET search_path = madlib_svm_cv, public;
-- MADlib's svm_train_data and svr_train_data: 1000 rows, ind[1..3] uniform in [-20, 20],
-- ind[4] = +/-10 (drawn from a hash here, not random(), so that the output is fixed);
-- classification label 1 when ind[1] > 0 and ind[2] < 0, else -1; regression
-- ind[1] + 2 ind[2].
CREATE TABLE svr_train_data AS
SELECT id, ind, ind[1] + 2 * ind[2] AS label FROM (
    SELECT id, ARRAY[u1 * 40 - 20, u2 * 40 - 20, u3 * 40 - 20, CASE WHEN u4 > 0.5 THEN 10 ELSE -10 END]::float8[] AS ind
    FROM (SELECT g AS id, ('x' || substr(md5(g || 'a'), 1, 8))::bit(32)::bigint / 4294967296.0 AS u1,
                 ('x' || substr(md5(g || 'b'), 1, 8))::bit(32)::bigint / 4294967296.0 AS u2,
                 ('x' || substr(md5(g || 'c'), 1, 8))::bit(32)::bigint / 4294967296.0 AS u3,
                 ('x' || substr(md5(g || 'd'), 1, 8))::bit(32)::bigint / 4294967296.0 AS u4
          FROM generate_series(1, 1000) g) u) d;
CREATE TABLE svm_train_data AS
SELECT id, ind, CASE WHEN ind[1] > 0 AND ind[2] < 0 THEN 1 ELSE -1 END AS label FROM svr_train_data;

-- MADlib's m3: init_stepsize and lambda lists (6 combinations), an epsilon list that
-- classification ignores (not in validation_result), 3 folds.
SET client_min_messages = warning;   -- the diverging combination's notices, one per fold
SELECT madlib.svm_classification('svm_train_data', 'm3', 'label', 'ind', NULL, NULL, NULL,
     'init_stepsize=[0.01, 1], max_iter=3, lambda=[20, 0.0002, 0.02], n_folds=3, epsilon=[0.1, 1], validation_result=val_res');
RESET client_min_messages;
SELECT string_agg(column_name || ' ' || data_type, ', ' ORDER BY ordinal_position) AS val_res_columns
FROM information_schema.columns WHERE table_schema = 'madlib_svm_cv' AND table_name = 'val_res';
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
-- No work table is left behind.
SELECT count(*) AS temp_tables FROM pg_class WHERE relpersistence = 't' AND relname ~ '^corgi_(cv|one_class)_';
SELECT madlib.svm_one_class() LIKE 'svm_one_class: novelty detection%' AS help;

DROP EXTENSION corgi_madlib;
DROP SCHEMA madlib CASCADE;
RESET search_path;
SET client_min_messages = warning;
DROP SCHEMA madlib_svm_cv CASCADE;
RESET client_min_messages;
