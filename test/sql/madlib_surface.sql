-- CREATE EXTENSION corgi_madlib: a MADlib user's statements, unchanged (schema-qualified
-- madlib.* calls as MADlib's own install-check files write them), on corgi's solvers.
SET extra_float_digits = 0;
CREATE EXTENSION corgi_madlib;
-- The tables of this file in a schema of their own (other files use the same names).
CREATE SCHEMA madlib_surface;
SET search_path = madlib_surface, public;
CREATE FUNCTION pg_temp.relative_error(a float8[], b float8[]) RETURNS float8 LANGUAGE sql IMMUTABLE
RETURN (SELECT sqrt(sum((x - y) ^ 2)) / sqrt(sum(y ^ 2)) FROM unnest(a, b) u(x, y));

CREATE TABLE houses (id serial NOT NULL, tax integer, bedroom real, bath real, price integer, size integer, lot integer);
INSERT INTO houses(tax, bedroom, bath, price, size, lot) VALUES
( 590, 2, 1,    50000,  770, 22100), (1050, 3, 2,    85000, 1410, 12000), (  20, 3, 1,    22500, 1060, 3500 ),
( 870, 2, 2,    90000, 1300, 17500), (1320, 3, 2,   133000, 1500, 30000), (1350, 2, 1,    90500,  820, 25700),
(2790, 3, 2.5, 260000, 2130, 25000), ( 680, 2, 1,   142500, 1170, 22000), (1840, 3, 2,   160000, 1500, 19000),
(3680, 4, 2,   240000, 2790, 20000), (1660, 3, 1,    87000, 1030, 17500), (1620, 3, 2,   118600, 1250, 20000),
(3100, 3, 2,   140000, 1760, 38000), (2070, 2, 3,   148000, 1550, 14000), ( 650, 3, 1.5,  65000, 1450, 12000);

-- linear.sql_in: the aggregate and linregr_train with grouping and heteroskedasticity.
SELECT pg_temp.relative_error(coef, ARRAY[27923.43, -35524.78, 2269.34, 130.79]) < 1e-4 AS coef_ok,
       pg_temp.relative_error(p_values, ARRAY[0.62971, 0.18363, 0.92045, 0.0040816]) < 1e-4 AS p_ok,
       pg_temp.relative_error(ARRAY[condition_no], ARRAY[9783.0184]) < 1e-4 AS condition_ok
FROM (SELECT (madlib.linregr(price, array[1, bedroom, bath, size])).* FROM houses) q;
SELECT madlib.linregr_train('houses', 'result_lin_houses', 'price', 'array[1, tax, bath, size]', 'bedroom', True);
SELECT bedroom, pg_temp.relative_error(coef, ARRAY[-84242.0345, 55.4430, -78966.9754, 225.6119]) < 1e-2 AS coef_ok,
       pg_temp.relative_error(ARRAY[bp_stats], ARRAY[2.5451]) < 1e-2 AS bp_ok,
       pg_temp.relative_error(ARRAY[bp_p_value], ARRAY[0.467192]) < 1e-2 AS bp_p_ok
FROM result_lin_houses WHERE bedroom = 2;
SELECT id, round(madlib.linregr_predict(coef, ARRAY[1, tax, bath, size])::numeric, 2) AS pred_value
FROM houses h, result_lin_houses m WHERE h.bedroom = m.bedroom AND id <= 2 ORDER BY id;
SELECT * FROM result_lin_houses_summary;

-- logistic.sql_in: patients (positional MADlib call) and crime (defaults).
CREATE TABLE patients (id integer NOT NULL, second_attack integer, treatment integer, trait_anxiety integer);
INSERT INTO patients VALUES ( 0, NULL, 1, 70), ( 1, 1, 1, 70), ( 2, 1, 1, 80), ( 3, 1, 1, 50), ( 4, 1, 0, 60),
  ( 5, 1, 0, 40), ( 6, 1, 0, 65), ( 7, 1, 0, 75), ( 8, 1, 0, 80), ( 9, 1, 0, 70), (10, 1, 0, 60), (11, 0, 1, 65),
  (12, 0, 1, 50), (13, 0, 1, 45), (14, 0, 1, 35), (15, 0, 1, 40), (16, 0, 1, 50), (17, 0, 0, 55), (18, 0, 0, 45),
  (19, 0, 0, 50), (20, 0, 0, 60), (21, 0, 0, NULL), (22, 0, NULL, 60);
select madlib.logregr_train('patients', 'temp_result', 'second_attack', 'ARRAY[1, treatment, trait_anxiety]', Null, 20, 'irls');
SELECT pg_temp.relative_error(coef, ARRAY[-6.36, -1.02, 0.119]) < 1e-3 AS coef_ok,
       pg_temp.relative_error(ARRAY[log_likelihood], ARRAY[-9.41]) < 1e-3 AS ll_ok,
       pg_temp.relative_error(p_values, ARRAY[0.0477, 0.382, 0.0304]) < 1e-3 AS p_ok,
       num_rows_processed = 20 AND num_missing_rows_skipped = 3 AS counts_ok
FROM temp_result;
SELECT count(*) FILTER (WHERE madlib.logregr_predict(coef, ARRAY[1, treatment, trait_anxiety]) = (second_attack = 1)) AS correct,
       round(sum(madlib.logregr_predict_prob(coef, ARRAY[1, treatment, trait_anxiety]))::numeric, 6) AS expected_positives
FROM patients, temp_result WHERE second_attack IS NOT NULL AND trait_anxiety IS NOT NULL AND treatment IS NOT NULL;
SELECT method, optimizer_params, num_all_groups, num_failed_groups FROM temp_result_summary;
-- Named arguments as MADlib documents them.
SELECT madlib.logregr_train(source_table => 'patients', out_table => 'named_result', dependent_varname => 'second_attack',
                            independent_varname => 'ARRAY[1, treatment, trait_anxiety]', max_iter => 30, tolerance => 1e-8);
SELECT num_iterations > 4 AS more_steps_at_tighter_tolerance FROM named_result;

-- train_test_split with MADlib's arguments, plus a seed: exact proportions per group,
-- the same split for the same seed, another for another seed.
CREATE TABLE many AS SELECT g, g % 3 AS grp, g * 2 AS v FROM generate_series(1, 1000) g;
SELECT madlib.train_test_split('many', 'split_a', 0.6, 0.2, 'grp', NULL, false, false);
SELECT grp, split, count(*) FROM split_a GROUP BY 1, 2 ORDER BY 1, 2;
SELECT madlib.train_test_split('many', 'split_b', 0.6, 0.2, 'grp', NULL, false, false);
SELECT madlib.train_test_split('many', 'split_c', 0.6, 0.2, 'grp', NULL, false, false, 7);
SELECT (SELECT array_agg(g ORDER BY g) FROM split_a WHERE split = 1) = (SELECT array_agg(g ORDER BY g) FROM split_b WHERE split = 1) AS same_seed_same_split,
       (SELECT array_agg(g ORDER BY g) FROM split_a WHERE split = 1) = (SELECT array_agg(g ORDER BY g) FROM split_c WHERE split = 1) AS other_seed_same_split;
SELECT madlib.train_test_split('many', 'sep', 0.75, NULL, NULL, 'v', false, true);
SELECT (SELECT count(*) FROM sep_train) AS train, (SELECT count(*) FROM sep_test) AS test,
       (SELECT string_agg(attname, ',' ORDER BY attnum) FROM pg_attribute WHERE attrelid = 'sep_train'::regclass AND attnum > 0) AS columns;
CREATE TABLE has_split (split int, v int);
INSERT INTO has_split SELECT g, g FROM generate_series(1, 10) g;
SELECT madlib.train_test_split('has_split', 'o1', 0.5);
SELECT madlib.train_test_split('has_split', 'hs', 0.5, NULL, NULL, 'v');
SELECT split, count(*) FROM hs GROUP BY 1 ORDER BY 1;
SELECT madlib.train_test_split('many', 'o1', 0.9, 0.2);
SELECT madlib.train_test_split('many', 'split_a', 0.5);
SELECT madlib.train_test_split('many', 'o1', 0.5, NULL, NULL, 'nope');

-- MADlib's train_test_split install-check (sample/test/train_test_split.sql_in): its 20
-- rows and its counts (a seed of its own here; the counts hold for every seed).
CREATE TABLE tts (id1 integer, id2 integer, gr1 integer, gr2 integer);
INSERT INTO tts VALUES (1,0,1,1), (2,0,1,1), (3,0,1,1), (4,0,1,1), (5,0,1,1), (6,0,1,1), (7,0,1,1), (8,0,1,1), (9,0,1,1),
 (9,0,1,1), (9,0,1,1), (9,0,1,1), (0,1,1,2), (0,2,1,2), (0,3,1,2), (0,4,1,2), (0,5,1,2), (0,6,1,2), (10,10,2,2), (20,20,2,2);
SELECT madlib.train_test_split('tts', 'tts_out', 0.1, 0.2, NULL, 'id1,id2,gr1,gr2', FALSE, TRUE);
SELECT (SELECT count(*) FROM tts_out_train) = 2 AS madlib_train_assert, (SELECT count(*) FROM tts_out_test) = 4 AS madlib_test_assert;
SELECT madlib.train_test_split('tts', 'tts_one', 0.1, 0.2, NULL, 'id1,id2,gr1,gr2', FALSE, FALSE);
SELECT count(*) FILTER (WHERE split = 1) = 2 AS madlib_train_assert, count(*) FILTER (WHERE split = 0) = 4 AS madlib_test_assert FROM tts_one;
SELECT madlib.train_test_split('tts', 'tts_rep', 0.5, 0.5, NULL, 'id1,id2,gr1,gr2', TRUE, FALSE);
SELECT count(*) = 20 AS madlib_assert, count(*) FILTER (WHERE split = 1) AS train, count(*) FILTER (WHERE split = 0) AS test FROM tts_rep;
SELECT madlib.train_test_split('tts', 'tts_half', 0.5);
SELECT count(*) = 20 AS madlib_assert FROM tts_half;
SELECT madlib.train_test_split('tts', 'tts_grp', 0.5, 0.5, 'gr1,gr2', 'id1,id2', TRUE, FALSE);
SELECT gr1, gr2, split, count(*) FROM tts_grp GROUP BY 1, 2, 3 ORDER BY 1, 2, 3;
-- With replacement a side draws rows of its own group only; of 20 distinct rows, a side
-- of 10 draws some twice; the same seed draws the same rows.
SELECT bool_and(EXISTS (SELECT FROM tts t WHERE t.id1 = g.id1 AND t.id2 = g.id2 AND t.gr1 = g.gr1 AND t.gr2 = g.gr2)) AS rows_of_the_source
FROM tts_grp g;
CREATE TABLE tts_distinct AS SELECT g AS id FROM generate_series(1, 20) g;
SELECT madlib.train_test_split('tts_distinct', 'tts_boot', 0.5, 0.5, NULL, NULL, TRUE, FALSE);
SELECT split, count(*) AS rows, count(DISTINCT id) AS distinct_rows FROM tts_boot GROUP BY 1 ORDER BY 1;
SELECT madlib.train_test_split('tts', 'tts_grp2', 0.5, 0.5, 'gr1,gr2', 'id1,id2', TRUE, FALSE);
SELECT (SELECT array_agg(t::text ORDER BY t::text) FROM tts_grp t) = (SELECT array_agg(t::text ORDER BY t::text) FROM tts_grp2 t) AS same_seed_same_draws;

-- MADlib's encode_categorical install-check (utilities/test/encode_categorical.sql_in):
-- its abalone rows; the cases it runs, without asserts there: here their outputs.
CREATE TABLE abalone_ic (id serial, sex character varying, length double precision, diameter double precision,
                         height double precision, "Class" integer);
INSERT INTO abalone_ic (sex, length, diameter, height, "Class") VALUES
 ('M',0.455,0.365,0.095,0), ('F',0.53,0.42,0.135,0), ('M',0.35,0.265,0.09,0), ('F',0.53,0.415,0.15,0), ('M',0.44,0.365,0.125,0),
 ('F',0.545,0.425,0.125,0), ('I',0.33,0.255,0.08,0), ('F',0.55,0.44,0.15,0), ('I',0.425,0.30,0.095,0), ('F',0.525,0.38,0.140,0),
 ('M',0.475,0.37,0.125,0), ('F',0.535,0.405,0.145,0), ('M',0.43,0.358,0.11,1), ('F',0.47,0.355,0.100,1), ('M',0.49,0.38,0.135,1),
 ('F',0.44,0.340,0.100,1), ('M',0.5,0.400,0.13,1), ('F',0.565,0.44,0.155,2), ('I',0.355,0.280,0.085,2), ('F',0.550,0.415,0.135,2),
 (NULL,0.475,0.37,0.125,2);
-- default
SELECT madlib.encode_categorical_variables('abalone_ic', 'abalone_out1', 'sex');
SELECT "sex_F", "sex_M", "sex_I", count(*) FROM abalone_out1 GROUP BY 1, 2, 3 ORDER BY 1, 2, 3;
-- ignoring numeric columns
SELECT madlib.encode_categorical_variables('abalone_ic', 'abalone_out2', 'sex, length');
SELECT string_agg(attname, ',' ORDER BY attnum) AS columns FROM pg_attribute WHERE attrelid = 'abalone_out2'::regclass AND attnum > 0;
-- row_id of several columns, top and value_to_drop together, with unquoted column names
SELECT madlib.encode_categorical_variables('abalone_ic', 'abalone_out3', 'sex, "Class"', 'class', 'id, sex, "Class"', '2',
                                           'sex=M, Class=1', true, 'column', false);
SELECT string_agg(attname, ',' ORDER BY attnum) AS columns FROM pg_attribute WHERE attrelid = 'abalone_out3'::regclass AND attnum > 0;
-- (M and 1 are the reference levels: their rows have no indicator set.)
SELECT sex, "Class", "sex_F", "sex_I", sex_null, "Class_0", "Class_2", "Class_null", count(*)
FROM abalone_out3 GROUP BY 1, 2, 3, 4, 5, 6, 7, 8 ORDER BY 1, 2;
-- '*', an exclusion and a value dropped from every column
SELECT madlib.encode_categorical_variables('abalone_ic', 'abalone_out4', '*', '"Class"', 'id', '2', 'M', true, 'column', false);
SELECT string_agg(attname, ',' ORDER BY attnum) AS columns FROM pg_attribute WHERE attrelid = 'abalone_out4'::regclass AND attnum > 0;
-- an expression as a categorical column, array output with its dictionary, top as a
-- fraction, a value dropped from every column
SELECT madlib.encode_categorical_variables('abalone_ic', 'abalone_out5', 'sex, "Class" > 1', '', 'id', '0.5', 'M', true, 'array', false);
SELECT id, __encoded_variables__ FROM abalone_out5 WHERE id IN (1, 2, 7, 13, 18, 21) ORDER BY id;
SELECT * FROM abalone_out5_dictionary ORDER BY index;
-- svec output: refused (there is no svec type here)
SELECT madlib.encode_categorical_variables('abalone_ic', 'abalone_out6', 'sex, "Class"', '', 'id', '3', 'class=1', true, 'svec', true);
SELECT madlib.encode_categorical_variables('abalone_ic', 'abalone_out7', 'sex', NULL, NULL, NULL, 'nope=1');
SELECT madlib.encode_categorical_variables('abalone_ic', 'abalone_out7', 'sex', NULL, NULL, NULL, 'sex');
-- MADlib's special characters and unicode case.
CREATE TABLE abalone_special_char (id serial, "se$$''x" character varying, "len$$'%*()gth" double precision,
                                   diameter double precision, height double precision, "ClaЖss" integer);
INSERT INTO abalone_special_char ("se$$''x", "len$$'%*()gth", diameter, height, "ClaЖss") VALUES
 ('F"F',0.475,0.37,0.125,2), ('F''F',0.55,0.44,0.15,0), ('F$$,''}][{F',0.565,0.44,0.155,2), ('MЖM',0.44,0.365,0.125,0),
 ('M@[}(:*;M',0.475,0.37,0.125,2), ('M,M',0.47,0.355,0.100,1), ('''F''F''',0.55,0.44,0.15,0);
SELECT madlib.encode_categorical_variables('abalone_special_char', 'abalone_special_char_out1', '"se$$''''x", "len$$''%*()gth"');
SELECT string_agg(attname, ' | ' ORDER BY attnum) AS columns FROM pg_attribute WHERE attrelid = 'abalone_special_char_out1'::regclass AND attnum > 0;
SELECT madlib.encode_categorical_variables('abalone_special_char', 'abalone_special_char_out2', '"se$$''''x", "ClaЖss"', '',
                                           'id', '3', 'claЖss=1', true, 'array', true);
SELECT * FROM abalone_special_char_out2_dictionary ORDER BY index;

-- encode_categorical_variables, then a model on the indicators (MADlib's pipeline).
CREATE TABLE abalone (id serial, sex text, length float8, rings integer);
INSERT INTO abalone (sex, length, rings) SELECT (ARRAY['F', 'M', 'I', 'I', NULL])[1 + g % 5], (g % 17) / 20.0, 3 + g % 9
FROM generate_series(1, 200) g;
SELECT madlib.encode_categorical_variables('abalone', 'abalone_enc', 'sex');
SELECT string_agg(attname, ',' ORDER BY attnum) FROM pg_attribute WHERE attrelid = 'abalone_enc'::regclass AND attnum > 0;
SELECT "sex_I", "sex_F", "sex_M", count(*) FROM abalone_enc GROUP BY 1, 2, 3 ORDER BY 1, 2, 3;
SELECT madlib.encode_categorical_variables('abalone', 'abalone_top', 'sex', NULL, 'id', '1', NULL, true, 'column', true);
SELECT string_agg(attname, ',' ORDER BY attnum) FROM pg_attribute WHERE attrelid = 'abalone_top'::regclass AND attnum > 0;
SELECT * FROM abalone_top_dictionary ORDER BY index;
SELECT "sex_I" + sex__misc__ + sex_null AS one_per_row, count(*) FROM abalone_top GROUP BY 1;
SELECT madlib.encode_categorical_variables('abalone', 'abalone_arr', '*', 'length', 'id', NULL, NULL, false, 'array');
SELECT * FROM abalone_arr_dictionary ORDER BY index;
SELECT __encoded_variables__ FROM abalone_arr WHERE id IN (1, 4, 5) ORDER BY id;
SELECT madlib.linregr_train('abalone_enc', 'abalone_lin', 'rings', 'ARRAY[1, length, "sex_F", "sex_M"]');
SELECT num_rows_processed, num_missing_rows_skipped FROM abalone_lin;
SELECT madlib.encode_categorical_variables('abalone', 'abalone_drop', 'sex', NULL, NULL, NULL, 'I');
SELECT string_agg(attname, ',' ORDER BY attnum) AS reference_level_dropped FROM pg_attribute WHERE attrelid = 'abalone_drop'::regclass AND attnum > 0;
SELECT madlib.encode_categorical_variables('abalone', 'o1', 'nope');
SELECT madlib.encode_categorical_variables('abalone', 'o1', 'sex', NULL, NULL, 'lots');
SELECT madlib.encode_categorical_variables('abalone', 'abalone_enc', 'sex');
SELECT madlib.encode_categorical_variables('abalone', 'o1', 'sex', NULL, NULL, NULL, NULL, false, 'svec');

-- elastic_net_train (gaussian), exact: scikit-learn's ElasticNet on the same rows
-- (StandardScaler's features, tol 1e-14) gives these weights.
SELECT madlib.elastic_net_train('houses', 'houses_en', 'price', 'array[tax, bedroom, bath, size]', 'gaussian', 0.5, 1000,
                                true, NULL, 'fista', NULL, NULL, 100000, 1e-13);
SELECT family, features, features_selected, standardize, iteration_run > 0 AS iterated,
       pg_temp.relative_error(coef_all, ARRAY[0.10475307286657642, 81.76508609849535, 123.3864070624581, 0.20594569787624822]) < 1e-6 AS coef_ok,
       abs(intercept - 121244.94085146098) < 1e-6 * 121244.94 AS intercept_ok
FROM houses_en;
SELECT madlib.elastic_net_train('houses', 'houses_en_lasso', 'price', '*', 'gaussian', 1.0, 5000,
                                excluded => 'id, lot', max_iter => 100000, tolerance => 1e-13);
SELECT features, pg_temp.relative_error(coef_all, ARRAY[26.646415413334097, -4004.4809324533494, 3982.127520948799, 51.951558714757084]) < 1e-6 AS coef_ok
FROM houses_en_lasso;
SELECT round(madlib.elastic_net_predict('gaussian', coef_all, intercept, ARRAY[1000, 3, 2, 1500])::numeric, 6)
     = round(madlib.elastic_net_gaussian_predict(coef_all, intercept, ARRAY[1000, 3, 2, 1500])::numeric, 6) AS predicts_agree
FROM houses_en;
SELECT madlib.elastic_net_train('houses', 'houses_en_g', 'price', 'array[tax, size]', 'gaussian', 0.5, 10, grouping_col => 'bedroom');
SELECT bedroom, cardinality(coef_all) AS coefs FROM houses_en_g ORDER BY bedroom;
SELECT num_all_groups, num_failed_groups FROM houses_en_g_summary;
-- The table form of elastic_net_predict: (id, prediction), each row by its group's model;
-- a model trained on '*' reads its feature columns by name.
SELECT madlib.elastic_net_predict('houses_en', 'houses', 'id', 'houses_en_out');
SELECT count(*) AS rows,
       bool_and(o.prediction = madlib.elastic_net_gaussian_predict(m.coef_all, m.intercept, ARRAY[h.tax, h.bedroom, h.bath, h.size]::float8[])) AS same_as_scalar
FROM houses_en_out o JOIN houses h ON h.id = o.id, houses_en m;
SELECT madlib.elastic_net_predict('houses_en_lasso', 'houses', 'id', 'houses_en_lasso_out');
SELECT count(*) AS rows, count(prediction) AS predicted FROM houses_en_lasso_out;
SELECT madlib.elastic_net_predict('houses_en_g', 'houses', 'id', 'houses_en_g_out');
SELECT count(*) AS rows, count(prediction) AS predicted,
       count(*) FILTER (WHERE h.bedroom IN (SELECT bedroom FROM houses_en_g)) AS rows_of_trained_groups
FROM houses_en_g_out o JOIN houses h ON h.id = o.id;
SELECT madlib.elastic_net_predict('houses_en', 'houses', 'id', 'houses_en_out');
SELECT madlib.elastic_net_predict('houses_en', 'houses', 'nope', 'o7');
SELECT madlib.elastic_net_train('houses', 'o6', 'price', 'array[tax]', 'poisson', 0.5, 1);
SELECT madlib.elastic_net_train('houses', 'o6', 'price', 'array[tax]', 'gaussian', 0.5, 1, optimizer_params => 'inner_steps=3');
SELECT madlib.elastic_net_train('houses', 'o6', 'price', 'array[tax]', 'gaussian', 2, 1);

-- MADlib's elastic net install-check (elastic_net_install_check.sql_in): lin_housing_wi is
-- the Boston housing data (test/data/boston.csv, from scikit-learn 1.1.3's wheel, which
-- shipped it) with a 1 before the 13 features, grp_by_col 1 for its first 245 rows and 2
-- after, and four copies with NULLs (skipped). Its ungrouped asserts: gaussian, alpha 1,
-- lambda 0.2: log_likelihood -14.41122 to 1e-6; binomial (y < 20), alpha 1, lambda 0.1:
-- -0.542468 to 1e-4. Its grouped asserts are FISTA's and IGD's own values and are not
-- reproduced by the exact fit (see README); here each group's fit equals the same fit of
-- that group's rows alone.
CREATE TABLE boston (crim float8, zn float8, indus float8, chas float8, nox float8, rm float8, age float8, dis float8,
                     rad float8, tax float8, ptratio float8, b float8, lstat float8, medv float8);
\copy boston FROM 'test/data/boston.csv' WITH (FORMAT csv, HEADER true)
CREATE TABLE lin_housing_wi (id serial, x float8[], grp_by_col int, y float8);
INSERT INTO lin_housing_wi (x, grp_by_col, y) VALUES ('{1,0.00632,18.00,2.310,NULL,0.5380,6.5750,NULL,4.0900,1,296.0,15.30,396.90,4.98}', 1, 24.00);
INSERT INTO lin_housing_wi (x, grp_by_col, y)
SELECT ARRAY[1, crim, zn, indus, chas, nox, rm, age, dis, rad, tax, ptratio, b, lstat], CASE WHEN n <= 245 THEN 1 ELSE 2 END, medv
FROM (SELECT b.*, row_number() OVER () AS n FROM boston b) b ORDER BY n;
INSERT INTO lin_housing_wi (x, grp_by_col, y) VALUES
 ('{1,0.06076,0.00,11.930,0,0.5730,6.9760,91.00,2.1675,1,273.0,21.00,396.90,NULL}', 2, 23.90),
 ('{1,0.10959,0.00,11.930,NULL,0.5730,6.7940,89.30,2.3889,1,273.0,21.00,NULL,6.48}', 2, 22.00),
 ('{NULL,0.04741,0.00,11.930,0,0.5730,6.0300,80.80,2.5050,1,273.0,21.00,396.90,7.88}', 2, 11.90);
CREATE TABLE housing_test (id serial, x float8[], grp_by_col int, y float8);
INSERT INTO housing_test (x, grp_by_col, y) VALUES
 ('{1,0.00632,18.00,2.310,0,0.5380,6.5750,65.20,4.0900,1,296.0,15.30,396.90,4.98}', 1, 24.00),
 ('{1,0.02731,0.00,7.070,0,0.4690,6.4210,78.90,4.9671,2,242.0,17.80,396.90,9.14}', 1, 21.60),
 ('{1,0.02729,0.00,7.070,0,0.4690,7.1850,61.10,4.9671,2,242.0,17.80,392.83,4.03}', 1, 34.70),
 ('{1,0.03237,0.00,2.180,0,0.4580,6.9980,45.80,6.0622,3,222.0,18.70,394.63,2.94}', 1, 33.40),
 ('{1,0.06905,0.00,2.180,0,0.4580,7.1470,54.20,6.0622,3,222.0,18.70,396.90,5.33}', 2, 36.20),
 ('{1,0.02985,0.00,2.180,0,0.4580,6.4300,58.70,6.0622,3,222.0,18.70,394.12,5.21}', 2, 28.70),
 ('{1,0.06076,0.00,11.930,0,0.573, NULL,91.00,2.1675,1,273.0,21.00,396.90,5.64}', 2, 23.90),
 ('{1,0.10959,0.00,11.930,0,0.5730,6.7940,89.30,NULL,1,273.0,21.00,393.45,6.48}', 2, 22.00),
 ('{1,0.04741,0.00,11.930,0,0.5730,6.0300,80.80,2.5050,NULL,273.0,21.00,396.90,7.88}', 2, 11.90),
 ('{1,0.04741,0.00,11.930,0,0.5730,6.0300,80.80,2.5050,NULL,273.0,21.00,396.90,7.88}', 3, 11.90);
SELECT madlib.elastic_net_train('lin_housing_wi', 'house_en', 'y', 'x', 'gaussian', 1, 0.2, True, NULL, 'fista',
                                '{eta = 2, max_stepsize = 0.5, use_active_set = f
   }    1', NULL, 2000, 1e-6);
SELECT abs(log_likelihood - (-14.41122)) / 14.41122 < 1e-6 AS madlib_gaussian_assert FROM house_en;
SELECT madlib.elastic_net_predict('house_en', 'housing_test', 'id', 'house_en_pred');
SELECT count(*) AS madlib_predict_rows_assert FROM house_en_pred;
SELECT madlib.elastic_net_train('lin_housing_wi', 'house_enb', 'y < 20', 'x', 'binomial', 1, 0.1, True, NULL, 'fista',
                                'eta = 2, max_stepsize = 0.5, use_active_set = f, random_stepsize = t', NULL, 20000, 1e-6);
SELECT family, abs(log_likelihood - (-0.542468)) / 0.542468 < 1e-4 AS madlib_binomial_assert, iteration_run < 20 AS few_passes,
       cardinality(coef_nonzero) < 13 AS sparse FROM house_enb;
SELECT madlib.elastic_net_predict('house_enb', 'housing_test', 'id', 'house_enb_pred');
SELECT count(*) AS rows, count(prediction) AS predicted, pg_typeof(min(prediction::text)::boolean) AS prediction_type,
       count(*) FILTER (WHERE prediction = (h.y < 20)) AS correct
FROM house_enb_pred p JOIN housing_test h USING (id);
SELECT madlib.elastic_net_train('lin_housing_wi', 'house_enbg', 'y < 20', 'x', 'binomial', 1, 0.1, True, 'grp_by_col',
                                'fista', 'eta = 2, max_stepsize = 0.5, use_active_set = t, activeset_tolerance = 1e-6, random_stepsize = t',
                                NULL, 20000, 1e-6);
CREATE VIEW lin_housing_g2 AS SELECT * FROM lin_housing_wi WHERE grp_by_col = 2;
SELECT madlib.elastic_net_train('lin_housing_g2', 'house_enb2', 'y < 20', 'x', 'binomial', 1, 0.1, True, NULL, NULL,
                                NULL, NULL, 20000, 1e-6);
SELECT g.grp_by_col, g.coef_all = a.coef_all AND g.intercept = a.intercept AS group_equals_its_rows_alone
FROM house_enbg g, house_enb2 a WHERE g.grp_by_col = 2;
SELECT count(*) AS groups FROM house_enbg;
SELECT madlib.elastic_net_predict('house_enbg', 'housing_test', 'id', 'house_enbg_pred');
SELECT count(*) AS madlib_grouped_predict_rows_assert, count(prediction) AS predicted FROM house_enbg_pred;

-- The binomial elastic net against scikit-learn's LogisticRegression(l1_ratio 0.5,
-- C = 1 / (n lambda), saga, tol 1e-14) behind a StandardScaler, on MADlib's patients rows
-- (weights on the original scale; the Swift test LogisticIRLSTests has two more cases).
CREATE TABLE patients_en (id serial, second_attack int, treatment float8, trait_anxiety float8);
INSERT INTO patients_en (second_attack, treatment, trait_anxiety) VALUES
 (1, 1, 70), (1, 1, 80), (1, 1, 50), (1, 0, 60), (1, 0, 40), (1, 0, 65), (1, 0, 75), (1, 0, 80), (1, 0, 70), (1, 0, 60),
 (0, 1, 65), (0, 1, 50), (0, 1, 45), (0, 1, 35), (0, 1, 40), (0, 1, 50), (0, 0, 55), (0, 0, 45), (0, 0, 50), (0, 0, 60);
SELECT madlib.elastic_net_train('patients_en', 'patients_enb', 'second_attack = 1', 'ARRAY[treatment, trait_anxiety]',
                                'binomial', 0.5, 0.05, tolerance => 1e-14);
SELECT abs(coef_all[1] - (-0.6518842142520754)) < 1e-6 * 0.65 AND abs(coef_all[2] - 0.08534437545429842) < 1e-6 * 0.085
       AND abs(intercept - (-4.5928857131410314)) < 1e-6 * 4.59 AS scikit_learn_coefficients,
       abs(-log_likelihood - 0.5371019277512263) < 1e-9 AS scikit_learn_objective FROM patients_enb;
SELECT round(madlib.elastic_net_binomial_prob(coef_all, intercept, ARRAY[1, 70])::numeric, 6) AS prob,
       madlib.elastic_net_binomial_predict(coef_all, intercept, ARRAY[1, 70]) AS predict,
       madlib.elastic_net_predict('binomial', coef_all, intercept, ARRAY[1, 70]) AS predict_as_number,
       madlib.elastic_net_predict('logistic', coef_all, intercept, ARRAY[0, 30]) AS negative FROM patients_enb;

-- svm_classification (linear kernel) and svm_predict, on text classes.
CREATE TABLE houses_svm AS SELECT id, CASE WHEN price > 100000 THEN 'dear' ELSE 'cheap' END AS class,
       size / 1000.0 AS size_k, tax / 1000.0 AS tax_k, bath, bedroom FROM houses;
SELECT madlib.svm_classification('houses_svm', 'svm_model', 'class', 'ARRAY[size_k, tax_k]', 'linear', 'fit_intercept=true',
                                 NULL, 'init_stepsize=0.1, max_iter=50, lambda=0.001');
SELECT cardinality(coef) AS coefs, num_iterations, num_rows_processed, dep_var_mapping FROM svm_model;
SELECT method, kernel_func, kernel_params, optim_params, reg_params, num_all_groups, total_rows_processed FROM svm_model_summary;
SELECT madlib.svm_predict('svm_model', 'houses_svm', 'id', 'svm_out');
-- (50 SGD epochs on 15 rows: 11 right; the exact logistic fit on the same features gets 13.)
SELECT count(*) AS rows, count(*) FILTER (WHERE o.prediction = h.class) AS right,
       bool_and((o.decision_function >= 0) = (o.prediction = 'dear')) AS sign_gives_class
FROM svm_out o JOIN houses_svm h USING (id);
SELECT count(*) > 0 AS side_table FROM svm_model_corgi;
SELECT madlib.svm_classification('houses_svm', 'svm_grouped', 'class', 'ARRAY[size_k, tax_k]', 'linear', NULL, 'bedroom',
                                 'max_iter=5');
SELECT bedroom, cardinality(coef) AS coefs, num_iterations FROM svm_grouped ORDER BY bedroom;
SELECT madlib.svm_predict('svm_grouped', 'houses_svm', 'id', 'svm_grouped_out');
SELECT count(*) AS rows, count(prediction) AS predicted FROM svm_grouped_out;
SELECT madlib.svm_classification('houses_svm', 'o2', 'class', 'ARRAY[size_k]', 'sigmoid');
SELECT madlib.svm_classification('houses_svm', 'o2', 'class', 'ARRAY[size_k]', 'linear', NULL, NULL, 'eps_table=eps');
SELECT madlib.svm_classification('houses_svm', 'o2', 'bedroom', 'ARRAY[size_k]');
SELECT madlib.svm_predict('svm_model', 'houses_svm', 'nope', 'o3');

-- svm_regression: MADlib's install-check case (svm.sql_in): 1000 rows, ind[1..3] uniform
-- in [-20, 20], ind[4] = +/-10, label = ind[1] + 2 ind[2] (drawn from a hash here, not
-- random(), so that the output is fixed). Its asserts: with the defaults, norm1(coef) < 4;
-- svm_predict of that model on its training rows, mean absolute error < 0.1.
\i test/data/svr_train_data.sql
SELECT madlib.svm_regression('svr_train_data', 'svr_model', 'label', 'ind');
SELECT cardinality(coef) AS coefs, num_iterations, num_rows_processed, dep_var_mapping IS NULL AS no_classes,
       (SELECT sum(abs(c)) FROM unnest(coef) c) < 4 AS madlib_norm1_assert FROM svr_model;
SELECT method, kernel_func, kernel_params, optim_params, reg_params, num_all_groups, total_rows_processed FROM svr_model_summary;
SELECT madlib.svm_regression('svr_train_data', 'svr_model2', 'label', 'ind', NULL, NULL, NULL,
                             'init_stepsize=0.01, max_iter=50, lambda=2, norm=l2, epsilon=0.01', false);
SELECT count(*) AS rows FROM svr_model2;
SELECT madlib.svm_predict('svr_model', 'svr_train_data', 'id', 'svr_test_result');
SELECT pg_typeof(prediction) AS prediction_type, avg(abs(t.label - r.prediction)) < 0.1 AS madlib_error_assert
FROM svr_train_data t JOIN svr_test_result r USING (id) GROUP BY 1;
-- The tube: residuals within epsilon cost nothing, so a wide one leaves the fit loose.
SELECT madlib.svm_regression('svr_train_data', 'svr_wide', 'label', 'ind', NULL, NULL, NULL, 'epsilon=30');
SELECT madlib.svm_predict('svr_wide', 'svr_train_data', 'id', 'svr_wide_result');
SELECT avg(abs(t.label - r.prediction)) > 1 AS wide_tube_is_loose FROM svr_train_data t JOIN svr_wide_result r USING (id);
-- Grouped, with an intercept.
SELECT madlib.svm_regression('svr_train_data', 'svr_grouped', 'label', 'ind', 'linear', 'fit_intercept=true',
                             '(id % 2)', 'max_iter=20');
-- class_weight (since corgi_madlib 1.2): MADlib's install-check case, 100 rows of class 0
-- and 10 of class 1 (test/data/svm_unbalanced.csv); its assert: with class_weight=balanced
-- the minority class is recalled at 0.70 or more (unweighted it is not recalled at all).
CREATE TABLE svm_unbalanced (index bigint, x1 float8, x2 float8, y bigint);
\copy svm_unbalanced FROM 'test/data/svm_unbalanced.csv' WITH (DELIMITER '|')
SELECT madlib.svm_classification('svm_unbalanced', 'unb_out', 'y', 'ARRAY[1, x1, x2]', 'linear', NULL, NULL,
                                 'max_iter=1000, init_stepsize=0.1, class_weight=balanced');
SELECT reg_params FROM unb_out_summary;
SELECT madlib.svm_predict('unb_out', 'svm_unbalanced', 'index', 'unb_predict_out');
SELECT count(*) / 10. >= 0.70 AS madlib_class_weight_assert
FROM svm_unbalanced JOIN unb_predict_out ON index = id WHERE y::text = prediction AND y = 1;
SELECT madlib.svm_classification('svm_unbalanced', 'unb_out_plain', 'y', 'ARRAY[1, x1, x2]', 'linear', NULL, NULL,
                                 'max_iter=1000, init_stepsize=0.1');
SELECT madlib.svm_predict('unb_out_plain', 'svm_unbalanced', 'index', 'unb_predict_plain');
SELECT count(*) / 10. < 0.70 AS unweighted_misses_it
FROM svm_unbalanced JOIN unb_predict_plain ON index = id WHERE y::text = prediction AND y = 1;
SELECT madlib.svm_classification('svm_unbalanced', 'unb_out_dict', 'y', 'ARRAY[1, x1, x2]', 'linear', NULL, NULL,
                                 'max_iter=100, class_weight={0: 1, 1: 10}');
SELECT reg_params FROM unb_out_dict_summary;
SELECT madlib.svm_classification('svm_unbalanced', 'o10', 'y', 'ARRAY[1, x1, x2]', 'linear', NULL, NULL, 'class_weight={2: 1}');
SELECT madlib.svm_classification('svm_unbalanced', 'o10', 'y', 'ARRAY[1, x1, x2]', 'linear', NULL, NULL, 'class_weight=heavy');
SELECT madlib.svm_regression('svm_unbalanced', 'o10', 'x1', 'ARRAY[1, x2]', 'linear', NULL, NULL, 'class_weight=balanced');

-- Kernels (since corgi_madlib 1.2): gaussian and polynomial train the linear machine on
-- random features that approximate them (corgi.kernel_features), as MADlib does.
-- MADlib's install-check cases: its kernel_data with gamma=1, n_components=20,
-- random_state=2; the dimension asserts (poly, n_components=3 with an intercept: 4
-- coefficients; svm_regression 'po', degree=2, n_components=10, grouped: 11).
CREATE TABLE kernel_data (index bigint, x1 float8, x2 float8, y float8);
INSERT INTO kernel_data VALUES (0, 0.4, -0.7, 0), (1, -1.5, -1, 0), (2, -1.4, -0.9, 0), (3, -1.3, -1.2, 0), (4, -1.1, -0.2, 0),
 (5, -1.2, -0.4, 0), (6, -0.5, 1.2, 0), (7, -1.5, 2.1, 0), (8, 1, 1, 1), (9, 1.3, 0.8, 1), (10, 1.2, 0.5, 1), (11, 0.2, -2, 1),
 (12, 0.5, -2.4, 1), (13, 0.2, -2.3, 1), (14, 0, -2.7, 1), (15, 1.3, 2.1, 1);
SELECT madlib.svm_classification('kernel_data', 'm10', 'y', 'array[x1, x2]', 'gaussian',
                                 'gamma=1, n_components=20, random_state=2', NULL, 'init_stepsize=1, max_iter=10');
SELECT cardinality(coef) AS coefs, num_iterations, dep_var_mapping FROM m10;
SELECT method, kernel_func, kernel_params FROM m10_summary;
SELECT madlib.svm_predict('m10', 'kernel_data', 'index', 'm10_out');
SELECT count(*) FILTER (WHERE prediction::float8 = y) AS correct, count(*) AS rows FROM m10_out JOIN kernel_data ON index = id;
SELECT madlib.svm_classification('kernel_data', 'poly_mapping', 'y', 'array[x1, x2]', 'poly', 'n_components=3, fit_intercept=true',
                                 NULL, 'max_iter=2');
SELECT cardinality(coef) = 4 AS madlib_poly_dimension_assert FROM poly_mapping;
ALTER TABLE svr_train_data ADD COLUMN half integer;
UPDATE svr_train_data SET half = id % 2;
SELECT madlib.svm_regression('svr_train_data', 'svr_mdl_poly', 'label', 'ind', 'po', 'degree=2, n_components=10, fit_intercept=true',
                             'half', 'max_iter=2, init_stepsize=1, decay_factor=0.9, tolerance=1e-16, epsilon = 0.05');
SELECT count(*) AS groups, bool_and(cardinality(coef) = 11) AS madlib_svr_poly_dimension_assert FROM svr_mdl_poly;
SELECT madlib.svm_predict('svr_mdl_poly', 'svr_train_data', 'id', 'svr_poly_out');
SELECT count(*) AS rows, count(prediction) AS predicted FROM svr_poly_out;
-- A model grouped by an expression: rows without that column are refused by name.
SELECT madlib.svm_predict('svr_grouped', 'svr_train_data', 'id', 'o8');
-- A boundary no line draws: the points inside the unit circle against those outside (a
-- hash places them); the linear machine is near chance, the gaussian one is not.
CREATE TABLE rings AS
SELECT g AS id, x1, x2, x1 * x1 + x2 * x2 < 1 AS inside FROM (
    SELECT g, ('x' || substr(md5(g || 'u'), 1, 8))::bit(32)::bigint / 4294967296.0 * 4 - 2 AS x1,
              ('x' || substr(md5(g || 'v'), 1, 8))::bit(32)::bigint / 4294967296.0 * 4 - 2 AS x2
    FROM generate_series(1, 2000) g) p;
SELECT madlib.svm_classification('rings', 'rings_linear', 'inside', 'ARRAY[x1, x2]', 'linear', 'fit_intercept=true', NULL,
                                 'init_stepsize=0.1, max_iter=20, lambda=0.0001');
SELECT madlib.svm_classification('rings', 'rings_gaussian', 'inside', 'ARRAY[x1, x2]', 'gaussian',
                                 'gamma=1, n_components=200, fit_intercept=true', NULL, 'init_stepsize=0.1, max_iter=20, lambda=0.0001');
SELECT madlib.svm_predict('rings_linear', 'rings', 'id', 'rings_linear_out');
SELECT madlib.svm_predict('rings_gaussian', 'rings', 'id', 'rings_gaussian_out');
SELECT (SELECT avg((prediction = inside::text)::int) FROM rings_linear_out JOIN rings USING (id)) < 0.85 AS linear_cannot,
       (SELECT avg((prediction = inside::text)::int) FROM rings_gaussian_out JOIN rings USING (id)) > 0.95 AS gaussian_can;
-- The map is the same for training and prediction, and refuses what it does not know.
SELECT corgi.kernel_features(ARRAY[1, 2]::float8[], 'gaussian', 'n_components=3') = corgi.kernel_features(ARRAY[1, 2]::float8[], 'ga', 'n_components=3, random_state=1') AS same_map,
       cardinality(corgi.kernel_features(ARRAY[1, 2, 3]::float8[], 'polynomial')) AS default_components,
       corgi.kernel_features(ARRAY[1, NULL]::float8[], 'gaussian') IS NULL AS null_element_null_row;
-- The maps a backend holds count against corgi.max_buffer_mb together, before one is
-- drawn, and are given back with their query: one map of 552 kB fits in 1 MB, two do not.
SET corgi.max_buffer_mb = 1;
SELECT cardinality(corgi.kernel_features(array_fill(1::float8, ARRAY[100]), 'gaussian', 'n_components=700')) AS one_map;
CREATE TABLE wide_rows AS SELECT g AS id, array_fill(g::float8, ARRAY[100]) AS x FROM generate_series(1, 3) g;
SELECT cardinality(corgi.kernel_features(x, 'gaussian', 'n_components=700')), cardinality(corgi.kernel_features(x, 'gaussian', 'n_components=701'))
FROM wide_rows;
SELECT count(*) AS given_back_after_the_error FROM wide_rows WHERE cardinality(corgi.kernel_features(x, 'gaussian', 'n_components=1200')) = 1200;
RESET corgi.max_buffer_mb;
SELECT corgi.kernel_features(ARRAY[1, 2]::float8[], 'rbf');
SELECT madlib.svm_classification('kernel_data', 'o9', 'y', 'array[x1, x2]', 'gaussian', 'degree=2');
SELECT madlib.svm_classification('kernel_data', 'o9', 'y', 'array[x1, x2]', 'gaussian', 'gamma=-1');
SELECT madlib.svm_regression('svr_train_data', 'o4', 'label', 'ind', 'polynomial');
SELECT madlib.svm_regression('svr_train_data', 'o4', 'label', 'ind', NULL, NULL, NULL, 'eps_table=t');

-- mlp_classification / mlp_regression / mlp_predict (MADlib's argument order:
-- independent before dependent).
CREATE TABLE flowers AS SELECT g AS id, (ARRAY['setosa', 'versicolor', 'virginica'])[1 + g % 3] AS species,
       ARRAY[(g % 3) * 2 + ((g * 37) % 10) / 10.0, (g % 3) * -1.5 + ((g * 17) % 10) / 10.0]::float8[] AS attributes,
       (g % 3) * 2.0 + ((g * 7) % 5) / 10.0 AS petal
FROM generate_series(1, 300) g;
SELECT madlib.mlp_classification('flowers', 'mlp_model', 'attributes', 'species', ARRAY[8],
                                 'learning_rate_init=0.05, n_iterations=20, solver=adam');
SELECT string_agg(attname, ',' ORDER BY attnum) AS columns FROM pg_attribute WHERE attrelid = 'mlp_model'::regclass AND attnum > 0;
SELECT num_iterations, loss < 0.5 AS low_loss FROM mlp_model;
SELECT layer_sizes, activation, is_classification, classes, solver, dependent_vartype FROM mlp_model_summary;
SELECT (SELECT array_agg(round(m::numeric, 6)) FROM unnest(mean) m) AS mean,
       (SELECT array_agg(round(d::numeric, 6)) FROM unnest(std) d) AS std FROM mlp_model_standardization;
SELECT round(avg(attributes[1])::numeric, 6) AS mean_1, round(stddev_pop(attributes[2])::numeric, 6) AS std_2 FROM flowers;
SELECT madlib.mlp_predict('mlp_model', 'flowers', 'id', 'mlp_out', 'response');
SELECT count(*) AS rows, count(*) FILTER (WHERE o.estimated_species = f.species) >= 290 AS accurate
FROM mlp_out o JOIN flowers f USING (id);
SELECT madlib.mlp_predict('mlp_model', 'flowers', 'id', 'mlp_prob', 'prob');
SELECT string_agg(attname, ',' ORDER BY attnum) AS columns FROM pg_attribute WHERE attrelid = 'mlp_prob'::regclass AND attnum > 0;
SELECT bool_and(abs(prob_setosa + prob_versicolor + prob_virginica - 1) < 1e-9) AS sums_to_one FROM mlp_prob;
SELECT madlib.mlp_regression('flowers', 'mlp_reg', 'attributes', 'petal', ARRAY[8, 4],
                             'learning_rate_init=0.01, n_iterations=30, solver=adam', 'relu');
SELECT madlib.mlp_predict('mlp_reg', 'flowers', 'id', 'mlp_reg_out');
SELECT count(*) AS rows, sqrt(avg((o.estimated_petal - f.petal) ^ 2)) < 0.5 AS rmse_below_half
FROM mlp_reg_out o JOIN flowers f USING (id);
SELECT madlib.mlp_classification('flowers', 'o4', 'attributes', 'species', NULL);
SELECT madlib.mlp_classification('flowers', 'o4', 'attributes', 'species', ARRAY[4], 'solver=rmsprop');
SELECT madlib.mlp_classification('flowers', 'o4', 'attributes', 'species', ARRAY[4], NULL, 'sigmoid', NULL, true);
SELECT madlib.mlp_predict('mlp_reg', 'flowers', 'id', 'o5', 'prob');

-- MADlib's mlp install-check (convex/test/mlp.sql_in): its iris_data (numeric[] attributes,
-- two groups) and its grouped classification with n_tries=3 and weights ''. (Its
-- 'output' pred_type is asked as 'response' here.) n_tries keeps each group's lowest loss
-- of three trainings, the first being the one n_tries=1 trains.
CREATE TABLE iris_data (id integer, attributes numeric[], class_text varchar, class integer, grp text);
INSERT INTO iris_data VALUES
(1,'{5.1,3.5,1.4,0.2}','Iris-setosa',1,'1'),(2,'{4.9,3.0,1.4,0.2}','Iris-setosa',1,'1'),(3,'{4.7,3.2,1.3,0.2}','Iris-setosa',1,'1'),
(4,'{4.6,3.1,1.5,0.2}','Iris-setosa',1,'1'),(5,'{5.0,3.6,1.4,0.2}','Iris-setosa',1,'1'),(6,'{5.4,3.9,1.7,0.4}','Iris-setosa',1,'1'),
(7,'{4.6,3.4,1.4,0.3}','Iris-setosa',1,'1'),(8,'{5.0,3.4,1.5,0.2}','Iris-setosa',1,'1'),(9,'{4.4,2.9,1.4,0.2}','Iris-setosa',1,'1'),
(10,'{4.9,3.1,1.5,0.1}','Iris-setosa',1,'1'),(11,'{5.4,3.7,1.5,0.2}','Iris-setosa',1,'1'),(12,'{4.8,3.4,1.6,0.2}','Iris-setosa',1,'1'),
(13,'{4.8,3.0,1.4,0.1}','Iris-setosa',1,'1'),(14,'{4.3,3.0,1.1,0.1}','Iris-setosa',1,'1'),(43,'{4.4,3.2,1.3,0.2}','Iris-setosa',1,'1'),
(44,'{5.0,3.5,1.6,0.6}','Iris-setosa',1,'1'),(45,'{5.1,3.8,1.9,0.4}','Iris-setosa',1,'1'),(46,'{4.8,3.0,1.4,0.3}','Iris-setosa',1,'1'),
(47,'{5.1,3.8,1.6,0.2}','Iris-setosa',1,'1'),(48,'{4.6,3.2,1.4,0.2}','Iris-setosa',1,'1'),(49,'{5.3,3.7,1.5,0.2}','Iris-setosa',1,'1'),
(50,'{5.0,3.3,1.4,0.2}','Iris-setosa',1,'1'),(51,'{7.0,3.2,4.7,1.4}','Iris-versicolor',2,'1'),(52,'{6.4,3.2,4.5,1.5}','Iris-versicolor',2,'1'),
(53,'{6.9,3.1,4.9,1.5}','Iris-versicolor',2,'1'),(54,'{5.5,2.3,4.0,1.3}','Iris-versicolor',2,'1'),(55,'{6.5,2.8,4.6,1.5}','Iris-versicolor',2,'1'),
(56,'{5.7,2.8,4.5,1.3}','Iris-versicolor',2,'1'),(57,'{6.3,3.3,4.7,1.6}','Iris-versicolor',2,'1'),(58,'{4.9,2.4,3.3,1.0}','Iris-versicolor',2,'1'),
(59,'{6.6,2.9,4.6,1.3}','Iris-versicolor',2,'1'),(60,'{5.2,2.7,3.9,1.4}','Iris-versicolor',2,'1'),(61,'{5.0,2.0,3.5,1.0}','Iris-versicolor',2,'1'),
(62,'{5.9,3.0,4.2,1.5}','Iris-versicolor',2,'1'),(63,'{6.0,2.2,4.0,1.0}','Iris-versicolor',2,'1'),(64,'{6.1,2.9,4.7,1.4}','Iris-versicolor',2,'1'),
(65,'{5.6,2.9,3.6,1.3}','Iris-versicolor',2,'1'),(66,'{6.7,3.1,4.4,1.4}','Iris-versicolor',2,'1'),(67,'{5.6,3.0,4.5,1.5}','Iris-versicolor',2,'1'),
(68,'{5.8,2.7,4.1,1.0}','Iris-versicolor',2,'1'),(69,'{6.2,2.2,4.5,1.5}','Iris-versicolor',2,'1'),(92,'{6.1,3.0,4.6,1.4}','Iris-versicolor',2,'1'),
(93,'{5.8,2.6,4.0,1.2}','Iris-versicolor',2,'1'),(94,'{5.0,2.3,3.3,1.0}','Iris-versicolor',2,'1'),(95,'{5.6,2.7,4.2,1.3}','Iris-versicolor',2,'1'),
(96,'{5.7,3.0,4.2,1.2}','Iris-versicolor',2,'1'),(97,'{5.7,2.9,4.2,1.3}','Iris-versicolor',2,'1'),(98,'{6.2,2.9,4.3,1.3}','Iris-versicolor',2,'1'),
(99,'{5.1,2.5,3.0,1.1}','Iris-versicolor',2,'1'),(100,'{5.7,2.8,4.1,1.3}','Iris-versicolor',2,'1'),(101,'{6.3,3.3,6.0,2.5}','Iris-virginica',3,'1'),
(102,'{5.8,2.7,5.1,1.9}','Iris-virginica',3,'1'),(103,'{7.1,3.0,5.9,2.1}','Iris-virginica',3,'1'),(104,'{6.3,2.9,5.6,1.8}','Iris-virginica',3,'1'),
(105,'{6.5,3.0,5.8,2.2}','Iris-virginica',3,'1'),(106,'{7.6,3.0,6.6,2.1}','Iris-virginica',3,'1'),(107,'{4.9,2.5,4.5,1.7}','Iris-virginica',3,'1'),
(108,'{7.3,2.9,6.3,1.8}','Iris-virginica',3,'1'),(109,'{6.7,2.5,5.8,1.8}','Iris-virginica',3,'1'),(110,'{7.2,3.6,6.1,2.5}','Iris-virginica',3,'1'),
(111,'{6.5,3.2,5.1,2.0}','Iris-virginica',3,'1'),(112,'{6.4,2.7,5.3,1.9}','Iris-virginica',3,'1'),(113,'{6.8,3.0,5.5,2.1}','Iris-virginica',3,'1'),
(144,'{6.8,3.2,5.9,2.3}','Iris-virginica',3,'1'),(145,'{6.7,3.3,5.7,2.5}','Iris-virginica',3,'1'),(146,'{6.7,3.0,5.2,2.3}','Iris-virginica',3,'1'),
(147,'{6.3,2.5,5.0,1.9}','Iris-virginica',3,'1'),(148,'{6.5,3.0,5.2,2.0}','Iris-virginica',3,'1'),(149,'{6.2,3.4,5.4,2.3}','Iris-virginica',3,'1'),
(150,'{5.9,3.0,5.1,1.8}','Iris-virginica',3,'1'),(27,'{5.0,3.4,1.6,0.4}','Iris-setosa',1,'2'),(28,'{5.2,3.5,1.5,0.2}','Iris-setosa',1,'2'),
(29,'{5.2,3.4,1.4,0.2}','Iris-setosa',1,'2'),(30,'{4.7,3.2,1.6,0.2}','Iris-setosa',1,'2'),(31,'{4.8,3.1,1.6,0.2}','Iris-setosa',1,'2'),
(32,'{5.4,3.4,1.5,0.4}','Iris-setosa',1,'2'),(33,'{5.2,4.1,1.5,0.1}','Iris-setosa',1,'2'),(34,'{5.5,4.2,1.4,0.2}','Iris-setosa',1,'2'),
(35,'{4.9,3.1,1.5,0.1}','Iris-setosa',1,'2'),(36,'{5.0,3.2,1.2,0.2}','Iris-setosa',1,'2'),(37,'{5.5,3.5,1.3,0.2}','Iris-setosa',1,'2'),
(38,'{4.9,3.1,1.5,0.1}','Iris-setosa',1,'2'),(39,'{4.4,3.0,1.3,0.2}','Iris-setosa',1,'2'),(40,'{5.1,3.4,1.5,0.2}','Iris-setosa',1,'2'),
(41,'{5.0,3.5,1.3,0.3}','Iris-setosa',1,'2'),(42,'{4.5,2.3,1.3,0.3}','Iris-setosa',1,'2'),(43,'{4.4,3.2,1.3,0.2}','Iris-setosa',1,'2'),
(44,'{5.0,3.5,1.6,0.6}','Iris-setosa',1,'2'),(45,'{5.1,3.8,1.9,0.4}','Iris-setosa',1,'2'),(46,'{4.8,3.0,1.4,0.3}','Iris-setosa',1,'2'),
(47,'{5.1,3.8,1.6,0.2}','Iris-setosa',1,'2'),(48,'{4.6,3.2,1.4,0.2}','Iris-setosa',1,'2'),(49,'{5.3,3.7,1.5,0.2}','Iris-setosa',1,'2'),
(50,'{5.0,3.3,1.4,0.2}','Iris-setosa',1,'2'),(75,'{6.4,2.9,4.3,1.3}','Iris-versicolor',2,'2'),(76,'{6.6,3.0,4.4,1.4}','Iris-versicolor',2,'2'),
(77,'{6.8,2.8,4.8,1.4}','Iris-versicolor',2,'2'),(78,'{6.7,3.0,5.0,1.7}','Iris-versicolor',2,'2'),(79,'{6.0,2.9,4.5,1.5}','Iris-versicolor',2,'2'),
(80,'{5.7,2.6,3.5,1.0}','Iris-versicolor',2,'2'),(81,'{5.5,2.4,3.8,1.1}','Iris-versicolor',2,'2'),(82,'{5.5,2.4,3.7,1.0}','Iris-versicolor',2,'2'),
(83,'{5.8,2.7,3.9,1.2}','Iris-versicolor',2,'2'),(84,'{6.0,2.7,5.1,1.6}','Iris-versicolor',2,'2'),(85,'{5.4,3.0,4.5,1.5}','Iris-versicolor',2,'2'),
(86,'{6.0,3.4,4.5,1.6}','Iris-versicolor',2,'2'),(87,'{6.7,3.1,4.7,1.5}','Iris-versicolor',2,'2'),(88,'{6.3,2.3,4.4,1.3}','Iris-versicolor',2,'2'),
(89,'{5.6,3.0,4.1,1.3}','Iris-versicolor',2,'2'),(90,'{5.5,2.5,4.0,1.3}','Iris-versicolor',2,'2'),(91,'{5.5,2.6,4.4,1.2}','Iris-versicolor',2,'2'),
(92,'{6.1,3.0,4.6,1.4}','Iris-versicolor',2,'2'),(93,'{5.8,2.6,4.0,1.2}','Iris-versicolor',2,'2'),(94,'{5.0,2.3,3.3,1.0}','Iris-versicolor',2,'2'),
(95,'{5.6,2.7,4.2,1.3}','Iris-versicolor',2,'2'),(96,'{5.7,3.0,4.2,1.2}','Iris-versicolor',2,'2'),(97,'{5.7,2.9,4.2,1.3}','Iris-versicolor',2,'2'),
(98,'{6.2,2.9,4.3,1.3}','Iris-versicolor',2,'2'),(99,'{5.1,2.5,3.0,1.1}','Iris-versicolor',2,'2'),(100,'{5.7,2.8,4.1,1.3}','Iris-versicolor',2,'2'),
(101,'{6.3,3.3,6.0,2.5}','Iris-virginica',3,'2'),(102,'{5.8,2.7,5.1,1.9}','Iris-virginica',3,'2'),(103,'{7.1,3.0,5.9,2.1}','Iris-virginica',3,'2'),
(104,'{6.3,2.9,5.6,1.8}','Iris-virginica',3,'2'),(105,'{6.5,3.0,5.8,2.2}','Iris-virginica',3,'2'),(106,'{7.6,3.0,6.6,2.1}','Iris-virginica',3,'2'),
(107,'{4.9,2.5,4.5,1.7}','Iris-virginica',3,'2'),(108,'{7.3,2.9,6.3,1.8}','Iris-virginica',3,'2'),(138,'{6.4,3.1,5.5,1.8}','Iris-virginica',3,'2'),
(139,'{6.0,3.0,4.8,1.8}','Iris-virginica',3,'2'),(140,'{6.9,3.1,5.4,2.1}','Iris-virginica',3,'2'),(141,'{6.7,3.1,5.6,2.4}','Iris-virginica',3,'2'),
(142,'{6.9,3.1,5.1,2.3}','Iris-virginica',3,'2'),(143,'{5.8,2.7,5.1,1.9}','Iris-virginica',3,'2'),(144,'{6.8,3.2,5.9,2.3}','Iris-virginica',3,'2'),
(145,'{6.7,3.3,5.7,2.5}','Iris-virginica',3,'2'),(146,'{6.7,3.0,5.2,2.3}','Iris-virginica',3,'2'),(147,'{6.3,2.5,5.0,1.9}','Iris-virginica',3,'2'),
(148,'{6.5,3.0,5.2,2.0}','Iris-virginica',3,'2'),(149,'{6.2,3.4,5.4,2.3}','Iris-virginica',3,'2'),(150,'{5.9,3.0,5.1,1.8}','Iris-virginica',3,'2');
SELECT madlib.mlp_classification('iris_data', 'mlp_class', 'attributes', 'class', ARRAY[5],
    'learning_rate_init=0.1,
    learning_rate_policy=constant,
    n_iterations=5,
    n_tries=3,
    tolerance=0', 'sigmoid', '', False, False, 'grp');
SELECT madlib.mlp_predict('mlp_class', 'iris_data', 'id', 'mlp_prediction_output', 'response');
SELECT count(*) AS groups FROM mlp_class;
SELECT n_tries, layer_sizes, activation, is_classification, classes, grouping_col FROM mlp_class_summary;
SELECT count(*) AS predicted FROM mlp_prediction_output;
SELECT madlib.mlp_classification('iris_data', 'mlp_class_once', 'attributes', 'class', ARRAY[5],
    'learning_rate_init=0.1, learning_rate_policy=constant, n_iterations=5, tolerance=0', 'sigmoid', '', False, False, 'grp');
SELECT bool_and(m.loss <= o.loss) AS three_tries_no_worse_than_one, count(*) AS groups
FROM mlp_class m JOIN mlp_class_once o USING (grp);
SELECT madlib.mlp_classification('iris_data', 'o_tries', 'attributes', 'class', ARRAY[5], 'n_tries=0');

-- MADlib's minibatch cases of mlp.sql_in: its batch tables "were created using
-- madlib.minibatch_preprocessor() with the regular source tables", so here they are made
-- the same way from iris_data (buffers of 30, its standardization: the means and
-- population deviations MADlib's file lists, 5.74893617021 ... and 0.785472439601 ...).
SELECT madlib.minibatch_preprocessor('iris_data', 'iris_data_batch', 'class::TEXT', 'attributes', NULL, 30);
SELECT __id__, array_dims(dependent_varname) AS dependent, array_dims(independent_varname) AS independent FROM iris_data_batch ORDER BY 1;
SELECT source_table, dependent_varname, independent_varname, dependent_vartype, buffer_size, class_values, num_rows_processed,
       num_missing_rows_skipped FROM iris_data_batch_summary;
SELECT (SELECT array_agg(round(m::numeric, 11)) FROM unnest(mean) m) = '{5.74893617021,3.02482269504,3.68652482270,1.18014184397}' AS madlib_means,
       (SELECT array_agg(round(d::numeric, 12)) FROM unnest(std) d) = '{0.785472439601,0.396287027644,1.686711511955,0.750245336531}' AS madlib_deviations
FROM iris_data_batch_standardization;
-- minibatch without grouping and without warm_start: MADlib's summary assert (its
-- original_source_table is the name its hand-made summary gave, here the real one).
SELECT madlib.mlp_classification('iris_data_batch', 'mlp_class_batch', 'independent_varname', 'dependent_varname', ARRAY[5],
    'learning_rate_init=0.1,
    learning_rate_policy=constant,
    n_iterations=1,
    n_tries=3,
    tolerance=0,
    n_epochs=20', 'sigmoid', '', False, False);
SELECT source_table = 'iris_data_batch' AND independent_varname = 'independent_varname' AND dependent_varname = 'dependent_varname'
       AND original_source_table = 'iris_data' AND original_independent_varname = 'attributes'
       AND original_dependent_varname = 'class::TEXT' AND original_dependent_vartype = 'text' AND tolerance = 0
       AND learning_rate_init = 0.1 AND learning_rate_policy = 'constant' AND n_iterations = 1 AND n_tries = 3
       AND layer_sizes = ARRAY[4,5,3] AND activation = 'sigmoid' AND is_classification = 't' AND classes = '{1,2,3}'
       AND weights = '1' AND grouping_col IS NULL AS madlib_summary_assert
FROM mlp_class_batch_summary;
SELECT madlib.mlp_predict('mlp_class_batch', 'iris_data', 'id', 'mlp_prediction_batch_output', 'response');
SELECT count(*) AS rows, count(*) FILTER (WHERE o."estimated_class_TEXT" = d.class::text) >= 190 AS accurate
FROM mlp_prediction_batch_output o JOIN iris_data d USING (id);
-- minibatch with grouping (standardized per group) and n_tries.
SELECT madlib.minibatch_preprocessor('iris_data', 'iris_data_batch_grp', 'class::TEXT', 'attributes', 'grp', 30);
SELECT grp, mean[1] AS first_mean FROM iris_data_batch_grp_standardization ORDER BY 1;
SELECT madlib.mlp_classification('iris_data_batch_grp', 'mlp_class_batch_grp', 'independent_varname', 'dependent_varname', ARRAY[5],
    'learning_rate_init=0.1,
    learning_rate_policy=constant,
    n_iterations=5,
    n_tries=3,
    tolerance=0,
    n_epochs=20', 'sigmoid', '', False, False, 'grp');
SELECT madlib.mlp_predict('mlp_class_batch_grp', 'iris_data', 'id', 'mlp_prediction_batch_grp', 'response');
SELECT count(*) AS groups FROM mlp_class_batch_grp;
SELECT count(*) AS rows FROM mlp_prediction_batch_grp;
-- class_values NULL (MADlib's case of a dependent array): the classes are the one-hot
-- positions, and MADlib's assert: columns prob_1, prob_2, prob_3.
UPDATE iris_data_batch_summary SET class_values = NULL;
SELECT madlib.mlp_classification('iris_data_batch', 'mlp_class_batch2', 'independent_varname', 'dependent_varname', ARRAY[5],
    'learning_rate_init=0.1, learning_rate_policy=constant, n_iterations=5, tolerance=0, n_epochs=20', 'sigmoid', '', False, False);
SELECT madlib.mlp_predict('mlp_class_batch2', 'iris_data', 'id', 'mlp_prediction_batch_prob', 'prob');
SELECT count(*) = 3 AS madlib_column_assert FROM pg_attribute
WHERE attrelid = 'mlp_prediction_batch_prob'::regclass AND attname IN ('prob_1', 'prob_2', 'prob_3');
-- warm_start: refused (corgi_madlib trains from new weights).
SELECT madlib.mlp_classification('iris_data_batch', 'mlp_class_batch', 'independent_varname', 'dependent_varname', ARRAY[5],
    'learning_rate_init=0.1, n_iterations=5, tolerance=0, batch_size=5, n_epochs=15', 'sigmoid', '', True, True);
-- Regression on a minibatch table.
SELECT madlib.minibatch_preprocessor('iris_data', 'iris_petal_batch', 'attributes[3]', 'ARRAY[attributes[1], attributes[2], attributes[4]]');
SELECT dependent_vartype, buffer_size, class_values IS NULL AS no_classes FROM iris_petal_batch_summary;
SELECT madlib.mlp_regression('iris_petal_batch', 'mlp_reg_batch', 'independent_varname', 'dependent_varname', ARRAY[8],
    'learning_rate_init=0.05, n_iterations=20, solver=adam');
SELECT madlib.mlp_predict('mlp_reg_batch', 'iris_data', 'id', 'mlp_reg_batch_out');
SELECT count(*) AS rows, sqrt(avg((o.estimated_attributes_3_ - d.attributes[3]) ^ 2)) < 0.6 AS rmse_below
FROM (SELECT DISTINCT * FROM mlp_reg_batch_out) o JOIN (SELECT DISTINCT id, attributes FROM iris_data) d USING (id);
SELECT madlib.minibatch_preprocessor('iris_data', 'o_mb', 'class', 'attributes', NULL, 0);
-- A minibatch table must be one: 2-D buffers, a standardization of their width beside it.
CREATE TABLE bad_batch (__id__ integer, dependent_varname float8[], independent_varname float8[]);
INSERT INTO bad_batch VALUES (0, '{1,0}', '{0.5,0.2}');
CREATE TABLE bad_batch_summary AS SELECT 'x'::text AS source_table, 'bad_batch'::text AS output_table, 'y'::text AS dependent_varname,
       'x'::text AS independent_varname, 'text'::text AS dependent_vartype, 30 AS buffer_size, '{a,b}'::text[] AS class_values;
SELECT madlib.mlp_classification('bad_batch', 'o_bb', 'independent_varname', 'dependent_varname', ARRAY[3]);
CREATE TABLE bad_batch_standardization AS SELECT '{0,0}'::float8[] AS mean, '{1,1}'::float8[] AS std;
SELECT madlib.mlp_classification('bad_batch', 'o_bb', 'independent_varname', 'dependent_varname', ARRAY[3]);
UPDATE bad_batch SET dependent_varname = '{{1,0},{0,1}}', independent_varname = '{{0.5,0.2},{0.1,0.3}}';
UPDATE bad_batch_standardization SET std = '{1}';
SELECT madlib.mlp_classification('bad_batch', 'o_bb', 'independent_varname', 'dependent_varname', ARRAY[3]);
SELECT to_regclass('o_bb') IS NULL AS nothing_written;
SELECT madlib.minibatch_preprocessor('iris_data', 'iris_data_batch', 'class', 'attributes');

-- Help, as MADlib's f() and f('usage').
SELECT length(madlib.linregr_train()) > 100 AS linregr_help, madlib.logregr_train('usage') LIKE 'logregr_train: logistic regression by IRLS%' AS logregr_usage,
       madlib.train_test_split() LIKE '%seed%' AS split_help,
       madlib.encode_categorical_variables('usage') LIKE 'encode_categorical_variables:%' AS encode_usage,
       madlib.svm_classification() LIKE 'svm_classification:%' AS svm_help,
       madlib.svm_regression('usage') LIKE 'svm_regression:%' AS svr_usage;

-- The scalar predict functions are declared for parallel plans (MADlib's are not).
SELECT p.oid::regprocedure, p.provolatile, p.proisstrict, p.proparallel FROM pg_proc p
WHERE p.pronamespace = 'madlib'::regnamespace AND p.proname LIKE '%predict%' ORDER BY 1;
-- Everything corgi_madlib makes pins its search_path.
SELECT count(*) AS functions, count(*) FILTER (WHERE p.prokind = 'a' OR 'search_path=pg_catalog, pg_temp' = ANY (p.proconfig)) AS pinned
FROM pg_proc p WHERE p.pronamespace = 'madlib'::regnamespace;

-- Beside a real MADlib (functions in schema madlib that are not ours): refused, clearly.
DROP EXTENSION corgi_madlib;
CREATE SCHEMA IF NOT EXISTS madlib;
CREATE FUNCTION madlib.version() RETURNS text LANGUAGE sql RETURN 'MADlib version: 1.21.0';
-- (terse: PostgreSQL 18 adds the script's lines to the context)
\set VERBOSITY terse
CREATE EXTENSION corgi_madlib;
\set VERBOSITY default
DROP SCHEMA madlib CASCADE;
RESET search_path;
SET client_min_messages = warning;
DROP SCHEMA madlib_surface CASCADE;
RESET client_min_messages;
