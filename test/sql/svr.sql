-- svr: linear support vector regression (epsilon-insensitive loss, svr_epsilon), a model
-- the Swift core adds with its traits alone (task regression: rmse and r2, numbers out).
SET client_min_messages = warning;
CREATE SCHEMA svr_test;
SET search_path = svr_test, public;

-- y = 2 x1 - x2 + 3, small noise, and every 20th row 40 too high: the fit of the
-- epsilon-insensitive loss stays on the line, least squares follows the outliers.
CREATE TABLE pts AS
SELECT g AS id, x1, x2, 2 * x1 - x2 + 3 + (u3 - 0.5) * 0.2 + CASE WHEN g % 20 = 0 THEN 40 ELSE 0 END AS y
FROM (SELECT g, u1 * 4 - 2 AS x1, u2 * 4 - 2 AS x2, u3
      FROM (SELECT g, ('x' || substr(md5(g || 'a'), 1, 8))::bit(32)::bigint / 4294967296.0 AS u1,
                      ('x' || substr(md5(g || 'b'), 1, 8))::bit(32)::bigint / 4294967296.0 AS u2,
                      ('x' || substr(md5(g || 'c'), 1, 8))::bit(32)::bigint / 4294967296.0 AS u3
            FROM generate_series(1, 20000) g) u) p;
SELECT epochs_run, rows_per_epoch FROM corgi.train('pts', 'fit_svr', 'y', 'x1, x2', 'svr', 10);
SELECT abs(coef[1] - 2) < 0.05 AS x1_ok, abs(coef[2] + 1) < 0.05 AS x2_ok, abs(intercept[1] - 3) < 0.05 AS intercept_ok,
       feature_names, model_type FROM fit_svr;
SELECT training_path, params ~ 'svr_epsilon=0\.01$' AS epsilon_written FROM fit_svr_summary;
SELECT epochs_run FROM corgi.train('pts', 'fit_ls', 'y', 'x1, x2', 'linear', 10);
SELECT intercept[1] > 4.5 AS least_squares_follows_the_outliers FROM fit_ls;
-- Evaluation: the regression metrics; the mean loss is the tube's.
SELECT rows, accuracy IS NULL AS no_accuracy, auc IS NULL AS no_auc, round(rmse::numeric, 1) AS rmse, loss > 1 AS loss_counts_outliers
FROM corgi.evaluate('fit_svr', 'pts');
-- The mean loss is the tube's with the model's epsilon (0.01), as training's: before 0.9.0
-- an evaluation scored svr rows with a tube of width 0 (the mean absolute residual).
SELECT abs(e.loss - t.tube) < 1e-9 * t.tube AS tube_loss, abs(e.loss - t.absolute) > 1e-3 AS not_the_absolute_residual
FROM corgi.evaluate('fit_svr', 'pts') e,
     (SELECT avg(greatest(abs(y - corgi.predict('fit_svr', p)) - 0.01, 0)) AS tube,
             avg(abs(y - corgi.predict('fit_svr', p))) AS absolute FROM pts p) t;
SELECT round(corgi.predict('fit_svr', ARRAY[0, 0]::float8[])::numeric, 1) AS at_origin,
       round(corgi.predict('fit_svr', p)::numeric, 1) AS row_form FROM pts p WHERE id = 1;
-- The array form of a model trained on standardized columns: the array holds the
-- columns' values in the list's order and gets the list's scaling, as the row does.
SELECT count(*) AS rows, count(*) FILTER (WHERE corgi.predict('fit_svr', ARRAY[x1, x2]) = corgi.predict('fit_svr', p)) AS same_bits
FROM pts p WHERE id <= 100;
\set VERBOSITY terse
SELECT corgi.predict('fit_svr', ARRAY[1, 2, 3]::float8[]);
\set VERBOSITY default
-- A wide tube: every residual is inside it, so no row moves the model (all zero).
SELECT epochs_run FROM corgi.train('pts', 'fit_wide', 'y', 'x1, x2', 'svr', 3, params => 'svr_epsilon=100');
SELECT coef = '{0,0}' AND intercept = '{0}' AS nothing_to_learn FROM fit_wide;
-- Grouped, and among the configs of fit_multiple.
SELECT epochs_run FROM corgi.train('pts', 'fit_grouped', 'y', 'x1, x2', 'svr', 5, grouping_cols => '(id % 2)');
SELECT count(*) AS groups, bool_and(abs(coef[1] - 2) < 0.1) AS every_group_ok FROM fit_grouped;
CREATE TABLE cfg AS SELECT * FROM corgi.config_grid('svr', 'svr_epsilon=[0, 0.1, 1]');
SELECT config_id, params FROM cfg ORDER BY config_id;
SELECT configs_trained FROM corgi.fit_multiple('pts', 'fm', 'y', 'x1, x2', 'cfg', 4, params => 'workers=0');
SELECT config_id, abs(coef[1] - 2) < 0.1 AS x1_ok FROM fm ORDER BY config_id;
-- Errors: svr_epsilon belongs to svr; a negative one is refused; labels must be numbers.
\set VERBOSITY terse
SELECT corgi.train('pts', 'bad', 'y > 3', 'x1, x2', 'logistic', 1, params => 'svr_epsilon=0.1');
SELECT corgi.train('pts', 'bad', 'y', 'x1, x2', 'svr', 1, params => 'svr_epsilon=-1');
SELECT corgi.train('pts', 'bad', 'y::text', 'x1, x2', 'svr', 1);
\set VERBOSITY default

-- A constant column whose value is not a short binary fraction: its sums leave a
-- deviation of about 1e-13, not 0; it is constant (scale 1), as StandardScaler has it,
-- so its coefficient stays small instead of 1e12.
CREATE TABLE flat AS SELECT id, x1, -0.5115034862324066::float8 AS c, y FROM pts;
SELECT corgi._column_moments('flat', 'c')::text AS moments;
SELECT epochs_run FROM corgi.train('flat', 'fit_flat', 'y', 'x1, c', 'svr', 3);
SELECT abs(coef[2]) < 1 AS constant_coef_small, independent_varname ~ 'c \(center -0\.51150348\d*, scale 1\)' AS scale_1
FROM fit_flat, fit_flat_summary;

RESET search_path;
DROP SCHEMA svr_test CASCADE;
