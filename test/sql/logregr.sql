-- Logistic regression by IRLS (corgi.logregr_train, corgi.logregr_predict,
-- corgi.logregr_predict_prob): MADlib's install-check cases (regress/test/logistic.sql_in:
-- their data and expected values at their tolerances; relative_error as MADlib defines
-- it), grouping, and what a careless or hostile caller meets.
SET extra_float_digits = 0;
CREATE FUNCTION pg_temp.relative_error(a float8[], b float8[]) RETURNS float8 LANGUAGE sql IMMUTABLE
RETURN (SELECT sqrt(sum((x - y) ^ 2)) / sqrt(sum(y ^ 2)) FROM unnest(a, b) u(x, y));

CREATE TABLE patients (id integer NOT NULL, second_attack integer, treatment integer, trait_anxiety integer);
INSERT INTO patients VALUES ( 0, NULL, 1, 70), ( 1, 1, 1, 70), ( 2, 1, 1, 80), ( 3, 1, 1, 50), ( 4, 1, 0, 60),
  ( 5, 1, 0, 40), ( 6, 1, 0, 65), ( 7, 1, 0, 75), ( 8, 1, 0, 80), ( 9, 1, 0, 70), (10, 1, 0, 60), (11, 0, 1, 65),
  (12, 0, 1, 50), (13, 0, 1, 45), (14, 0, 1, 35), (15, 0, 1, 40), (16, 0, 1, 50), (17, 0, 0, 55), (18, 0, 0, 45),
  (19, 0, 0, 50), (20, 0, 0, 60), (21, 0, 0, NULL), (22, 0, NULL, 60);
CREATE VIEW patients_view AS (SELECT * FROM patients);

-- The table and a view of it: the same results, MADlib's values.
SELECT corgi.logregr_train('patients', 'temp_result', 'second_attack', 'ARRAY[1, treatment, trait_anxiety]', NULL, 20, 'irls');
SELECT corgi.logregr_train('patients_view', 'view_result', 'second_attack', 'ARRAY[1, treatment, trait_anxiety]', NULL, 20, 'irls');
SELECT pg_temp.relative_error(coef, ARRAY[-6.36, -1.02, 0.119]) < 1e-3 AS coef_ok,
       pg_temp.relative_error(ARRAY[log_likelihood], ARRAY[-9.41]) < 1e-3 AS ll_ok,
       pg_temp.relative_error(std_err, ARRAY[3.21, 1.17, 0.0550]) < 0.002 AS std_err_ok,
       pg_temp.relative_error(z_stats, ARRAY[-1.98, -0.874, 2.17]) < 0.002 AS z_ok,
       pg_temp.relative_error(p_values, ARRAY[0.0477, 0.382, 0.0304]) < 1e-3 AS p_ok,
       pg_temp.relative_error(odds_ratios, ARRAY[0.00172, 0.359, 1.13]) < 0.004 AS odds_ok,
       pg_temp.relative_error(ARRAY[condition_no], ARRAY[sqrt(106329)]) < 1e-2 AS condition_ok,
       num_rows_processed, num_missing_rows_skipped, num_iterations, array_dims(variance_covariance) AS vcov_dims
FROM temp_result;
SELECT (SELECT coef FROM temp_result) = (SELECT coef FROM view_result) AS view_same;
SELECT attname FROM pg_attribute WHERE attrelid = 'temp_result'::regclass AND attnum > 0 ORDER BY attnum;
SELECT * FROM temp_result_summary;

-- crime (47 states): MADlib's default arguments, its 1e-5.
CREATE TABLE crime (id serial NOT NULL, crimerat float8, maleteen integer, south smallint, educ float8, police59 integer);
INSERT INTO crime (crimerat, maleteen, south, educ, police59) VALUES
(79.1, 151, 1, 9.1, 56), (163.5, 143, 0, 11.3, 95), (57.8, 142, 1, 8.9, 44), (196.9, 136, 0, 12.1, 141),
(123.4, 141, 0, 12.1, 101), (68.2, 121, 0, 11.0, 115), (96.3, 127, 1, 11.1, 79), (155.5, 131, 1, 10.9, 109),
(85.6, 157, 1, 9.0, 62), (70.5, 140, 0, 11.8, 68), (167.4, 124, 0, 10.5, 116), (84.9, 134, 0, 10.8, 71),
(51.1, 128, 0, 11.3, 60), (66.4, 135, 0, 11.7, 61), (79.8, 152, 1, 8.7, 53), (94.6, 142, 1, 8.8, 77),
(53.9, 143, 0, 11.0, 63), (92.9, 135, 1, 10.4, 115), (75.0, 130, 0, 11.6, 128), (122.5, 125, 0, 10.8, 105),
(74.2, 126, 0, 10.8, 67), (43.9, 157, 1, 8.9, 44), (121.6, 132, 0, 9.6, 83), (96.8, 131, 0, 11.6, 73),
(52.3, 130, 0, 11.6, 57), (199.3, 131, 0, 12.1, 143), (34.2, 135, 0, 10.9, 71), (121.6, 152, 0, 11.2, 76),
(104.3, 119, 0, 10.7, 157), (69.6, 166, 1, 8.9, 54), (37.3, 140, 0, 9.3, 54), (75.4, 125, 0, 10.9, 81),
(107.2, 147, 1, 10.4, 64), (92.3, 126, 0, 11.8, 97), (65.3, 123, 0, 10.2, 87), (127.2, 150, 0, 10.0, 98),
(83.1, 177, 1, 8.7, 56), (56.6, 133, 0, 10.4, 47), (82.6, 149, 1, 8.8, 54), (115.1, 145, 1, 10.4, 74),
(88.0, 148, 0, 12.2, 66), (54.2, 141, 0, 10.9, 54), (82.3, 162, 1, 9.9, 70), (103.0, 136, 0, 12.1, 96),
(45.5, 139, 1, 8.8, 41), (50.8, 126, 0, 10.4, 97), (84.9, 130, 0, 12.1, 91);
SELECT corgi.logregr_train('crime', 'crime_result', 'crimerat >= 110', 'array[1, maleteen, south, educ, police59]');
SELECT pg_temp.relative_error(coef, ARRAY[-17.70177, .0833837, -1.117091, .0229224, .0581834]) < 1e-5 AS coef_ok,
       pg_temp.relative_error(ARRAY[log_likelihood], ARRAY[-18.606959]) < 1e-5 AS ll_ok,
       pg_temp.relative_error(std_err, ARRAY[9.495993, .0440353, 1.359616, .5594047, .0210049]) < 1e-5 AS std_err_ok,
       pg_temp.relative_error(z_stats, ARRAY[-1.864, 1.894, -0.822, 0.041, 2.770]) < 1e-3 AS z_ok,
       pg_temp.relative_error(p_values, ARRAY[0.062, 0.058, 0.411, 0.967, 0.006]) < 1e-3 AS p_ok,
       pg_temp.relative_error(odds_ratios, ARRAY[exp(-17.70177), 1.086959, .3272305, 1.023187, 1.059909]) < 1e-5 AS odds_ok,
       pg_temp.relative_error(ARRAY[condition_no], ARRAY[sqrt(14513863)]) < 1e-2 AS condition_ok
FROM crime_result;
-- Predict: the class (coef . x > 0) and the probability.
SELECT count(*) FILTER (WHERE corgi.logregr_predict(coef, ARRAY[1, maleteen, south, educ, police59]) = (crimerat >= 110)) AS correct,
       round(avg(corgi.logregr_predict_prob(coef, ARRAY[1, maleteen, south, educ, police59]))::numeric, 6) AS mean_probability,
       round(avg((crimerat >= 110)::int)::numeric, 6) AS positive_share
FROM crime, crime_result;

-- statsmodels' Spector data (Logit): every statistic equal to statsmodels' to 1e-6.
CREATE TABLE spector (gpa float8, tuce float8, psi float8, grade float8);
INSERT INTO spector VALUES (2.66, 20, 0, 0), (2.89, 22, 0, 0), (3.28, 24, 0, 0), (2.92, 12, 0, 0), (4.0, 21, 0, 1),
  (2.86, 17, 0, 0), (2.76, 17, 0, 0), (2.87, 21, 0, 0), (3.03, 25, 0, 0), (3.92, 29, 0, 1), (2.63, 20, 0, 0), (3.32, 23, 0, 0),
  (3.57, 23, 0, 0), (3.26, 25, 0, 1), (3.53, 26, 0, 0), (2.74, 19, 0, 0), (2.75, 25, 0, 0), (2.83, 19, 0, 0), (3.12, 23, 1, 0),
  (3.16, 25, 1, 1), (2.06, 22, 1, 0), (3.62, 28, 1, 1), (2.89, 14, 1, 0), (3.51, 26, 1, 0), (3.54, 24, 1, 1), (2.83, 27, 1, 1),
  (3.39, 17, 1, 1), (2.67, 24, 1, 0), (3.65, 21, 1, 1), (4.0, 23, 1, 1), (3.1, 21, 1, 0), (2.39, 19, 1, 1);
SELECT corgi.logregr_train('spector', 'spector_fit', 'grade::int', 'ARRAY[1, gpa, tuce, psi]', NULL, 100, 'irls', 1e-12);
CREATE FUNCTION pg_temp.max_relative(a float8[], b float8[]) RETURNS float8 LANGUAGE sql IMMUTABLE
RETURN (SELECT max(abs(x - y) / abs(y)) FROM unnest(a, b) u(x, y));
SELECT pg_temp.max_relative(coef, ARRAY[-13.021346858115693, 2.8261125948893224, 0.09515766131790926, 2.3786876550933544]) < 1e-6 AS coef_ok,
       pg_temp.max_relative(std_err, ARRAY[4.931324213602793, 1.2629410756291015, 0.14155420567369387, 1.0645642544971354]) < 1e-6 AS std_err_ok,
       pg_temp.max_relative(z_stats, ARRAY[-2.6405375704556207, 2.2377232393693167, 0.6722347871264496, 2.23442375135634]) < 1e-6 AS z_ok,
       pg_temp.max_relative(p_values, ARRAY[0.00827746143548868, 0.025239108802565257, 0.5014342380819201, 0.025455204361278714]) < 1e-6 AS p_ok,
       abs(log_likelihood + 12.889634222131416) < 1e-6 * 12.889634222131416 AS ll_ok
FROM spector_fit;
-- One class only, and perfectly separated classes: no MLE exists; the fit stops by the
-- tolerance or max_iter with finite numbers, never a crash.
CREATE TABLE one_class AS SELECT true AS y, g::float8 AS x FROM generate_series(1, 50) g;
SELECT corgi.logregr_train('one_class', 'one_class_fit', 'y', 'ARRAY[1, x]');
SELECT num_rows_processed, log_likelihood > -1e-3 AS likelihood_near_one,
       (SELECT bool_and(v = v AND abs(v) < 'Infinity') FROM unnest(coef) v) AS finite FROM one_class_fit;
CREATE TABLE separated AS SELECT g > 25 AS y, g::float8 AS x FROM generate_series(1, 50) g;
SELECT corgi.logregr_train('separated', 'separated_fit', 'y', 'ARRAY[1, x]');
SELECT num_rows_processed, (SELECT bool_and(v = v AND abs(v) < 'Infinity') FROM unnest(coef) v) AS finite FROM separated_fit;

-- Grouping (a NULL key is a group): each group's fit equals the group alone, in one
-- set of passes for all groups.
SELECT corgi.logregr_train('patients', 'g_result', 'second_attack', 'ARRAY[1, trait_anxiety]', 'treatment');
SELECT treatment, num_rows_processed, num_missing_rows_skipped, num_iterations FROM g_result;
CREATE TABLE patients0 AS SELECT * FROM patients WHERE treatment = 0;
SELECT corgi.logregr_train('patients0', 'alone_result', 'second_attack', 'ARRAY[1, trait_anxiety]');
SELECT (SELECT coef FROM g_result WHERE treatment = 0) = (SELECT coef FROM alone_result) AS group_equals_alone;
SELECT num_all_groups, num_failed_groups, num_rows_processed, num_missing_rows_skipped FROM g_result_summary;

-- max_iter reached: a NOTICE, the statistics at the last coefficients.
SELECT corgi.logregr_train('patients', 'short_result', 'second_attack', 'ARRAY[1, treatment, trait_anxiety]', NULL, 1);
SELECT num_iterations, round(log_likelihood::numeric, 6) AS log_likelihood FROM short_result;

-- What is refused, with nothing written.
SELECT corgi.logregr_train('patients', 'o1', 'second_attack', 'ARRAY[1, treatment]', NULL, 20, 'cg');
SELECT corgi.logregr_train('patients', 'o1', 'trait_anxiety::text', 'ARRAY[1, treatment]');
SELECT corgi.logregr_train('patients', 'o1', 'second_attack', 'ARRAY[1, treatment]', NULL, -1);
SELECT corgi.logregr_train('patients', 'o1', 'second_attack', 'ARRAY[1, treatment]', NULL, 20, 'irls', 'NaN');
SELECT corgi.logregr_train('patients', 'o1', 'second_attack', 'ARRAY[1, treatment]', NULL, 20, 'irls', 0.0001, NULL);
SELECT corgi.logregr_train('patients', 'o1', 'second_attack', 'ARRAY[1, treatment]', 'num_iterations');
SELECT corgi.logregr_train('patients', 'temp_result', 'second_attack', 'ARRAY[1, treatment]');
CREATE TABLE nothing (y boolean, x float8[]);
SELECT corgi.logregr_train('nothing', 'o1', 'y', 'x');
INSERT INTO nothing VALUES (NULL, '{1}'), (true, NULL);
SELECT corgi.logregr_train('nothing', 'o1', 'y', 'x');
SELECT to_regclass('o1') IS NULL AND to_regclass('o1_summary') IS NULL AS nothing_written;
-- The internal driver checks what it is given.
SELECT * FROM corgi._logregr_irls('SELECT 1, true', 1, 20, 0.0001, false);
SELECT g FROM corgi._logregr_irls('SELECT 2, true, ARRAY[1.0]::float8[]', 1, 20, 0.0001, false);
SELECT * FROM corgi._logregr_irls('SELECT 1, true, ARRAY[1.0]::float8[]', 0, 20, 0.0001, false);
SELECT corgi.logregr_predict(ARRAY[1, 2], ARRAY[1]);
SELECT corgi.logregr_predict_prob(ARRAY[1000], ARRAY[1]) AS one, corgi.logregr_predict_prob(ARRAY[-1000], ARRAY[1]) AS zero;
