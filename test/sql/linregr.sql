-- Exact linear regression (corgi.linregr, corgi.linregr_train, corgi.linregr_predict):
-- MADlib's install-check cases (regress/test/linear.sql_in: their data and expected
-- values; relative_error as MADlib defines it, the norm of the difference over the
-- norm), then what a hostile or careless caller meets.
SET extra_float_digits = 0;
CREATE FUNCTION pg_temp.relative_error(a float8[], b float8[]) RETURNS float8 LANGUAGE sql IMMUTABLE
RETURN (SELECT sqrt(sum((x - y) ^ 2)) / sqrt(sum(y ^ 2)) FROM unnest(a, b) u(x, y));

-- weibull.com's example, with three rows holding a NULL (skipped and counted).
CREATE TABLE weibull (id integer NOT NULL, x1 float8, x2 float8, y float8);
INSERT INTO weibull VALUES
( 1, 41.9, 29.1, 251.3), ( 2, 43.4, 29.3, 251.3), ( 3, 43.9, 29.5, 248.3), ( 4, 44.5, 29.7, 267.5),
( 5, 47.3, 29.9, 273.0), ( 6, 47.5, 30.3, 276.5), ( 7, 47.9, 30.5, 270.3), ( 8, 50.2, 30.7, 274.9),
( 9, 52.8, 30.8, 285.0), (10, 53.2, 30.9, 290.0), (11, 56.7, 31.5, 297.0), (12, 57.0, 31.7, 302.5),
(13, 63.5, 31.9, 304.5), (14, 65.3, 32.0, 309.3), (15, 71.1, 32.1, 321.7), (16, 77.0, 32.5, 330.7),
(17, 77.8, 32.9, 349.0), (18, NULL, 32.1, 321.7), (19, 77.0, NULL, 330.7), (20, 77.8, 32.9, NULL);
SELECT pg_temp.relative_error(coef, ARRAY[-153.51, 1.24, 12.08]) < 1e-4 AS coef_ok,
       pg_temp.relative_error(ARRAY[t_stats[2]], ARRAY[3.1393]) < 1e-4 AS t2_ok,
       pg_temp.relative_error(ARRAY[t_stats[3]], ARRAY[3.0726]) < 1e-4 AS t3_ok,
       pg_temp.relative_error(ARRAY[p_values[3]], ARRAY[0.0083]) < 1e-2 AS p3_ok,
       num_rows_processed, num_missing_rows_skipped
FROM (SELECT (corgi.linregr(y, ARRAY[1, x1, x2])).* FROM weibull) q;

-- unm: coefficients.
CREATE TABLE unm (id integer NOT NULL, x1 float8, x2 float8, y float8);
INSERT INTO unm VALUES (1, 0, 0.30, 10.14), (2, 0.69, 0.60, 11.93), (3, 1.10, 0.90, 13.57), (4, 1.39, 1.20, 14.17),
  (5, 1.61, 1.50, 15.25), (6, 1.79, 1.80, 16.15), (7, NULL, 1.20, 14.17), (8, 1.61, NULL, 15.25), (9, 1.79, 1.80, NULL);
SELECT pg_temp.relative_error(coef, ARRAY[9.69, 2.09, 1.50]) < 1e-2 AS coef_ok, num_missing_rows_skipped
FROM (SELECT (corgi.linregr(y, ARRAY[1, x1, x2])).* FROM unm) q;

-- houses: every statistic ("values computed with MADlib"), 1e-4.
CREATE TABLE houses (id serial NOT NULL, tax integer, bedroom real, bath real, price integer, size integer, lot integer);
INSERT INTO houses(tax, bedroom, bath, price, size, lot) VALUES
( 590, 2, 1,    50000,  770, 22100), (1050, 3, 2,    85000, 1410, 12000), (  20, 3, 1,    22500, 1060, 3500 ),
( 870, 2, 2,    90000, 1300, 17500), (1320, 3, 2,   133000, 1500, 30000), (1350, 2, 1,    90500,  820, 25700),
(2790, 3, 2.5, 260000, 2130, 25000), ( 680, 2, 1,   142500, 1170, 22000), (1840, 3, 2,   160000, 1500, 19000),
(3680, 4, 2,   240000, 2790, 20000), (1660, 3, 1,    87000, 1030, 17500), (1620, 3, 2,   118600, 1250, 20000),
(3100, 3, 2,   140000, 1760, 38000), (2070, 2, 3,   148000, 1550, 14000), ( 650, 3, 1.5,  65000, 1450, 12000);
SELECT pg_temp.relative_error(coef, ARRAY[27923.43, -35524.78, 2269.34, 130.79]) < 1e-4 AS coef_ok,
       pg_temp.relative_error(ARRAY[r2], ARRAY[0.74537]) < 1e-3 AS r2_ok,
       pg_temp.relative_error(std_err, ARRAY[56306, 25037, 22208, 36.209]) < 1e-4 AS std_err_ok,
       pg_temp.relative_error(t_stats, ARRAY[0.49592, -1.4189, 0.10218, 3.6122]) < 1e-4 AS t_ok,
       pg_temp.relative_error(p_values, ARRAY[0.62971, 0.18363, 0.92045, 0.0040816]) < 1e-4 AS p_ok,
       pg_temp.relative_error(ARRAY[condition_no], ARRAY[9783.0184]) < 1e-4 AS condition_ok,
       array_dims(variance_covariance) AS vcov_dims,
       abs(sqrt(variance_covariance[2][2]) - std_err[2]) < 1e-9 * std_err[2] AS vcov_diagonal_ok
FROM (SELECT (corgi.linregr(price, array[1, bedroom, bath, size])).* FROM houses) q;

-- statsmodels' Longley data (OLS; X^T X's condition number is about 2e19): every
-- statistic equal to statsmodels' to 1e-6.
CREATE TABLE longley (totemp float8, gnpdefl float8, gnp float8, unemp float8, armed float8, pop float8, year float8);
INSERT INTO longley VALUES (60323, 83.0, 234289, 2356, 1590, 107608, 1947), (61122, 88.5, 259426, 2325, 1456, 108632, 1948),
  (60171, 88.2, 258054, 3682, 1616, 109773, 1949), (61187, 89.5, 284599, 3351, 1650, 110929, 1950),
  (63221, 96.2, 328975, 2099, 3099, 112075, 1951), (63639, 98.1, 346999, 1932, 3594, 113270, 1952),
  (64989, 99.0, 365385, 1870, 3547, 115094, 1953), (63761, 100.0, 363112, 3578, 3350, 116219, 1954),
  (66019, 101.2, 397469, 2904, 3048, 117388, 1955), (67857, 104.6, 419180, 2822, 2857, 118734, 1956),
  (68169, 108.4, 442769, 2936, 2798, 120445, 1957), (66513, 110.8, 444546, 4681, 2637, 121950, 1958),
  (68655, 112.6, 482704, 3813, 2552, 123366, 1959), (69564, 114.2, 502601, 3931, 2514, 125368, 1960),
  (69331, 115.7, 518173, 4806, 2572, 127852, 1961), (70551, 116.9, 554894, 4007, 2827, 130081, 1962);
CREATE FUNCTION pg_temp.max_relative(a float8[], b float8[]) RETURNS float8 LANGUAGE sql IMMUTABLE
RETURN (SELECT max(abs(x - y) / abs(y)) FROM unnest(a, b) u(x, y));
SELECT pg_temp.max_relative(coef, ARRAY[-3482258.6345979422, 15.061872271549873, -0.0358191792926712, -2.020229803817525,
                                      -1.0332268671737141, -0.05110410565364987, 1829.151464614646]) < 1e-6 AS coef_ok,
       pg_temp.max_relative(std_err, ARRAY[890420.3836079354, 84.91492577481773, 0.033491007772265075, 0.4883996816519555,
                                         0.21427416316179218, 0.22607320006948278, 455.4784991425031]) < 1e-6 AS std_err_ok,
       pg_temp.max_relative(t_stats, ARRAY[-3.910802918154252, 0.17737602823197196, -1.0695163172227429, -4.136427355939977,
                                         -4.8219853104434, -0.2260511446643972, 4.015889812709621]) < 1e-6 AS t_ok,
       pg_temp.max_relative(p_values, ARRAY[0.0035604036637267, 0.8631408328077096, 0.3126810610919878, 0.002535091734114057,
                                          0.0009443667641645009, 0.826211795763501, 0.003036803341631041]) < 1e-6 AS p_ok,
       abs(r2 - 0.9954790045772896) < 1e-6 * 0.9954790045772896 AS r2_ok
FROM (SELECT (corgi.linregr(totemp, ARRAY[1, gnpdefl, gnp, unemp, armed, pop, year])).* FROM longley) q;
-- A constant feature beside the intercept: the minimum-norm split, no error, finite numbers.
SELECT round(coef[1]::numeric, 6) = round(coef[2]::numeric, 6) / 1 AS split, r2 < 1 AS fits
FROM (SELECT (corgi.linregr(totemp, ARRAY[1, 1, year])).* FROM longley) q;

-- linregr_train with grouping and heteroskedasticity_option (MADlib's expected values, 1e-2).
SELECT corgi.linregr_train('houses', 'result_lin_houses', 'price', 'array[1, tax, bath, size]', 'bedroom', true);
SELECT bedroom,
       pg_temp.relative_error(coef, CASE bedroom WHEN 2 THEN ARRAY[-84242.0345, 55.4430, -78966.9754, 225.6119]
                                    ELSE ARRAY[-88155.8292502747, 27.1966436293179, 41404.0293389239, 62.6375210724027] END) < 1e-2 AS coef_ok,
       pg_temp.relative_error(ARRAY[r2], ARRAY[CASE bedroom WHEN 2 THEN 0.9688 ELSE 0.841699901312963 END]) < 1e-2 AS r2_ok,
       pg_temp.relative_error(std_err, CASE bedroom WHEN 2 THEN ARRAY[35019.00, 19.57, 23036.81, 49.04]
                                       ELSE ARRAY[57867.9999699512, 17.82723091538, 43643.1321521931, 70.8506824870639] END) < 1e-2 AS std_err_ok,
       pg_temp.relative_error(t_stats, CASE bedroom WHEN 2 THEN ARRAY[-2.406, 2.833, -3.428, 4.600]
                                       ELSE ARRAY[-1.52339512850022, 1.52556747362568, 0.948695185179172, 0.884077878626493] END) < 1e-2 AS t_ok,
       pg_temp.relative_error(p_values, CASE bedroom WHEN 2 THEN ARRAY[0.251, 0.216, 0.181, 0.136]
                                        ELSE ARRAY[0.18816143289241, 0.187636685729725, 0.38634003235866, 0.417132778730133] END) < 1e-2 AS p_ok,
       pg_temp.relative_error(ARRAY[condition_no], ARRAY[CASE bedroom WHEN 2 THEN 10086.1 ELSE 11722.62 END]) < 1e-2 AS condition_ok,
       pg_temp.relative_error(ARRAY[bp_stats], ARRAY[CASE bedroom WHEN 2 THEN 2.5451 ELSE 6.753838 END]) < 1e-2 AS bp_ok,
       pg_temp.relative_error(ARRAY[bp_p_value], ARRAY[CASE bedroom WHEN 2 THEN 0.467192 ELSE 0.08017 END]) < 1e-2 AS bp_p_ok,
       num_rows_processed, num_missing_rows_skipped
FROM result_lin_houses WHERE bedroom IN (2, 3) ORDER BY bedroom;
-- One house with 4 bedrooms: a fit (minimum norm), no statistics (n <= k), no test.
SELECT bedroom, num_rows_processed, std_err IS NULL AS no_std_err, bp_stats IS NULL AS no_bp, r2
FROM result_lin_houses WHERE bedroom = 4;
SELECT attname FROM pg_attribute WHERE attrelid = 'result_lin_houses'::regclass AND attnum > 0 ORDER BY attnum;
SELECT * FROM result_lin_houses_summary;
-- MADlib's predict: coef . x.
SELECT id, round(corgi.linregr_predict(coef, ARRAY[1, tax, bath, size])::numeric, 2) AS pred_value
FROM houses h JOIN result_lin_houses m USING (bedroom) WHERE id <= 3 ORDER BY id;
SELECT corgi.linregr_predict(ARRAY[1, 2], ARRAY[3, NULL]) IS NULL AS null_feature_gives_null;

-- Grouping by an expression and a NULL key: each group its own fit, the same as a
-- WHERE on the group.
CREATE TABLE g AS SELECT i, CASE WHEN i % 3 = 0 THEN NULL ELSE i % 3 END AS k, i * 0.5 + (i % 7) AS y,
                         ARRAY[1, i, (i * 37) % 11]::float8[] AS x FROM generate_series(1, 300) i;
SELECT corgi.linregr_train('g', 'g_fit', 'y', 'x', 'k, (i % 2 = 0)', true);
SELECT count(*) AS groups, sum(num_rows_processed) AS rows, bool_and(bp_stats IS NOT NULL) AS tested FROM g_fit;
SELECT (SELECT coef FROM g_fit WHERE k IS NULL AND i_2_0) = (SELECT (corgi.linregr(y, x)).coef FROM g WHERE k IS NULL AND i % 2 = 0) AS null_key_group_same;

-- What is refused, with nothing written.
SELECT corgi.linregr_train('nope', 'o1', 'y', 'x');
SELECT corgi.linregr_train('g', 'o1', 'y', 'xx');
SELECT corgi.linregr_train('g', 'o1', 'y', 'i');
SELECT corgi.linregr_train('g', 'o1', 'y', 'x', 'nope');
SELECT corgi.linregr_train('g', 'o1', 'y', 'x', 'k, k');
SELECT corgi.linregr_train('g', 'o1', 'y', 'x', 'random() > 0.5');
SELECT corgi.linregr_train('g', 'g_fit', 'y', 'x');
SELECT corgi.linregr_train('g', 'o1', NULL, 'x');
SELECT corgi.linregr_train('g', 'o1', 'y', 'x', 'coef');
CREATE TABLE coefgroups (coef int, y float8, x float8[]);
INSERT INTO coefgroups VALUES (1, 1, '{1,2}');
SELECT corgi.linregr_train('coefgroups', 'o1', 'y', 'x', 'coef');
CREATE TABLE allnull (y float8, x float8[]);
INSERT INTO allnull VALUES (NULL, '{1,2}'), (1, NULL), (2, '{1,NULL}');
SELECT corgi.linregr_train('allnull', 'o1', 'y', 'x');
SELECT (corgi.linregr(y, x)).* FROM allnull;
SELECT to_regclass('o1') IS NULL AND to_regclass('o1_summary') IS NULL AS nothing_written;
-- Rows the aggregate refuses, naming the row.
SELECT (corgi.linregr(y, x)).coef FROM (VALUES (1, '{1,2}'::float8[]), (2, '{1,2,3}')) v(y, x);
SELECT (corgi.linregr(y, x)).coef FROM (VALUES (1::float8, '{1,2}'::float8[]), ('NaN', '{1,3}')) v(y, x);
SELECT (corgi.linregr(y, x)).coef FROM (VALUES (1, '{1,2}'::float8[]), (2, '{1,Infinity}')) v(y, x);
SELECT (corgi.linregr(y, x)).coef FROM (VALUES (1, '{}'::float8[])) v(y, x);
SELECT (corgi.linregr(y, x)).coef FROM (VALUES (1, '{{1,2},{3,4}}'::float8[])) v(y, x);
SELECT (corgi.linregr(1, array_fill(1::float8, ARRAY[501]))).coef;
SELECT corgi.linregr_predict(ARRAY[1, 2], ARRAY[1, 2, 3]);
-- Sums past the memory cap: refused before they are made (514 kB per group here).
SET corgi.max_buffer_mb = 1;
SELECT (corgi.linregr(1, array_fill(1::float8, ARRAY[200]))).coef IS NOT NULL FROM generate_series(1, 10) i GROUP BY i % 10;
-- The refused query gave its sums back: one group still fits under the 1 MB cap.
SELECT (corgi.linregr(1, array_fill(1::float8, ARRAY[200]))).num_rows_processed;
RESET corgi.max_buffer_mb;
-- A cancel during the solve of 500 features (about 3 s here) stops it at once: the
-- decomposition checks for interrupts between steps of a few milliseconds; the sums
-- are given back (one group fits under a 1 MB cap afterwards).
CREATE TABLE wide AS SELECT r, array_agg(((r * 7919 + g * 104729) % 1000) / 1000.0 ORDER BY g)::float8[] AS x
FROM generate_series(1, 500) g, generate_series(1, 600) r GROUP BY r;
SET statement_timeout = '300ms';
SELECT (corgi.linregr(r, x)).num_rows_processed FROM wide;
RESET statement_timeout;
SET corgi.max_buffer_mb = 1;
SELECT (corgi.linregr(1, array_fill(1::float8, ARRAY[200]))).num_rows_processed;
RESET corgi.max_buffer_mb;
-- Collinear features (a column twice): the minimum-norm solution, the weight split evenly.
SELECT round(coef[2]::numeric, 6) = round(coef[3]::numeric, 6) AS split_evenly, round(r2::numeric, 9) AS r2
FROM (SELECT (corgi.linregr(y, ARRAY[1, i, i])).* FROM g) q;
-- A row query that names one plain table's columns is read from the table's pages
-- (corgi._linregr_rows, _linregr_fit_rows, and logregr_train's IRLS passes): the same
-- rows in the same order as the query, so the same fit bit for bit, NULLs skipped and
-- counted alike. DEBUG1 says which reads were direct. (1 || x with x NULL is {1}, a row
-- of one feature: both ways refuse it by its width.)
CREATE TABLE direct_rows AS
SELECT i, (i % 3 = 0) AS flag, (i % 5)::int2 AS small, i::int8 * 3 AS big, (i % 11)::real AS r, (i % 13)::numeric / 7 AS n,
       CASE WHEN i % 17 = 0 THEN NULL ELSE ((i * 7919) % 101) / 10.0 END AS y,
       CASE WHEN i % 19 = 0 THEN NULL WHEN i % 23 = 0 THEN ARRAY[1, NULL, 2]::float8[]
            ELSE ARRAY[(i % 7) - 3, ((i * 13) % 11) / 2.0, sqrt(i)]::float8[] END AS x
FROM generate_series(1, 3000) i;
SET client_min_messages = debug1;
SELECT corgi._linregr_rows('SELECT (y)::float8, (1 || x)::float8[] FROM direct_rows');
SELECT corgi.linregr(y, 1 || x) FROM direct_rows;
SELECT corgi._linregr_rows('SELECT (y)::float8, (ARRAY[1]::float8[] || x)::float8[] FROM direct_rows WHERE x IS NOT NULL')::text
     = (SELECT corgi.linregr(y, ARRAY[1]::float8[] || x)::text FROM direct_rows WHERE x IS NOT NULL) AS filtered_same;
UPDATE direct_rows SET x = ARRAY[0, 0, 0]::float8[] WHERE x IS NULL;
SELECT corgi._linregr_rows('SELECT (y)::float8, (ARRAY[1]::float8[] || x)::float8[] FROM direct_rows')::text
     = (SELECT corgi.linregr(y, ARRAY[1]::float8[] || x)::text FROM direct_rows) AS array_same;
SELECT corgi._linregr_rows('SELECT (y)::float8, (1 || x)::float8[] FROM direct_rows')::text
     = (SELECT corgi.linregr(y, 1 || x)::text FROM direct_rows) AS prepend_same;
SELECT corgi._linregr_rows('SELECT (flag::int)::float8, (ARRAY[1, small, big, r, n])::float8[] FROM direct_rows')::text
     = (SELECT corgi.linregr(flag::int, (ARRAY[1, small, big, r, n])::float8[]) FROM direct_rows)::text AS columns_same;
-- A boolean column behind ::int is read as 1/0 (the cast's value).
SELECT corgi._linregr_rows('SELECT (y)::float8, (ARRAY[1, flag::int, small])::float8[] FROM direct_rows')::text
     = (SELECT corgi.linregr(y, (ARRAY[1, flag::int, small])::float8[])::text FROM direct_rows) AS bool_column_same;
SELECT corgi._linregr_fit_rows('SELECT (y)::float8, (x)::float8[] FROM direct_rows', true)
     = (SELECT corgi._linregr_fit(y, x, true) FROM direct_rows) AS fit_same;
-- Not a table's columns (an expression, a filter): the query runs, no direct read.
SELECT corgi._linregr_rows('SELECT (y)::float8, (ARRAY[1, small * 2])::float8[] FROM direct_rows')::text
     = (SELECT corgi.linregr(y, ARRAY[1, small * 2]) FROM direct_rows)::text AS expression_same;
SELECT (corgi._linregr_rows('SELECT (y)::float8, (x)::float8[] FROM direct_rows WHERE i > 10')).num_rows_processed;
RESET client_min_messages;
SELECT (r).num_rows_processed, (r).num_missing_rows_skipped
FROM (SELECT corgi._linregr_rows('SELECT (y)::float8, (x)::float8[] FROM direct_rows') r) q;
-- The first bad value is named by its row, as the aggregate names it.
CREATE TABLE direct_bad AS
SELECT y, CASE WHEN i = 2000 THEN ARRAY[1, 'infinity', 2]::float8[] ELSE x END AS x FROM direct_rows ORDER BY i;
SELECT corgi._linregr_rows('SELECT (y)::float8, (x)::float8[] FROM direct_bad');
SELECT corgi.linregr(y, x) FROM direct_bad;
DROP TABLE direct_bad;
-- IRLS: logregr_train reads the table directly; the same fit as through its row query.
SET client_min_messages = debug1;
SELECT (SELECT coef FROM corgi._logregr_irls('SELECT 1, flag, ARRAY[1, small, r]::float8[] FROM direct_rows', 1, 20, 0.0001, false))
     = (SELECT coef FROM corgi._logregr_irls(
           'SELECT 1, flag, ARRAY[1, small, r]::float8[] FROM direct_rows WHERE true', 1, 20, 0.0001, false)) AS irls_same;
RESET client_min_messages;
SELECT corgi.logregr_train('direct_rows', 'direct_logit', 'flag', 'ARRAY[1, small, r]');
SELECT (SELECT coef FROM direct_logit) = (SELECT coef FROM corgi._logregr_irls(
           'SELECT 1, flag, ARRAY[1, small, r]::float8[] FROM direct_rows WHERE true', 1, 20, 0.0001, false)) AS train_same;
-- Row-level security and column privileges: a user the policy filters, or who may not
-- read a column, is not read around: the query runs (and applies the policy or refuses).
CREATE ROLE corgi_direct_reader;
GRANT USAGE ON SCHEMA corgi TO corgi_direct_reader;
GRANT SELECT (y, x) ON direct_rows TO corgi_direct_reader;
ALTER TABLE direct_rows ENABLE ROW LEVEL SECURITY;
CREATE POLICY direct_half ON direct_rows FOR SELECT TO corgi_direct_reader USING (i <= 1500);
SET ROLE corgi_direct_reader;
SET client_min_messages = debug1;
SELECT (corgi._linregr_rows('SELECT (y)::float8, (x)::float8[] FROM direct_rows')).num_rows_processed AS policy_rows;
SELECT corgi._linregr_rows('SELECT (flag::int)::float8, (ARRAY[1, small])::float8[] FROM direct_rows');
RESET client_min_messages;
RESET ROLE;
ALTER TABLE direct_rows DISABLE ROW LEVEL SECURITY;
SET ROLE corgi_direct_reader;
SET client_min_messages = debug1;
SELECT (corgi._linregr_rows('SELECT (y)::float8, (x)::float8[] FROM direct_rows')).num_rows_processed AS granted_columns_rows;
RESET client_min_messages;
RESET ROLE;
-- Grouped IRLS reads the pages too, each row routed to its group by its key columns
-- (GROUP BY's equality, a NULL key a group of its own); leading constants and rows with a
-- NULL feature (skipped, counted per group). Each group's fit equals that group's rows
-- fitted alone through the query (SPI), bit for bit.
CREATE TABLE direct_groups AS
SELECT i, CASE WHEN i % 97 = 0 THEN NULL ELSE i % 3 END AS grp, CASE WHEN i % 2 = 0 THEN 'a' ELSE 'B' END AS tag,
       ((i * 7919) % 17 + (i % 5)) > 10 AS flag, (i % 5)::int2 AS small, (i % 11)::real AS r,
       CASE WHEN i % 29 = 0 THEN NULL ELSE ((i * 13) % 19)::float8 END AS z
FROM generate_series(1, 6000) i;
SELECT g.groups, g.group_expr FROM corgi._numbered_groups('pg_temp.direct_numbered', 'direct_groups',
                                                           ARRAY['grp', 'tag'], ARRAY['grp', 'tag']) g \gset
SET client_min_messages = debug1;
SELECT count(*) AS fits, sum(num_iterations) AS steps FROM corgi._logregr_irls(
    format('SELECT (%s)::integer, flag, ARRAY[1, small, r, z]::float8[] FROM direct_groups', :'group_expr'), :groups, 2, 0.0001, false);
RESET client_min_messages;
SELECT corgi.logregr_train('direct_groups', 'direct_groups_fit', 'flag', 'ARRAY[1, small, r, z]', grouping_cols => 'grp, tag');
SELECT grp, tag, num_rows_processed, num_missing_rows_skipped, num_iterations FROM direct_groups_fit ORDER BY 1, 2;
CREATE TABLE direct_group_null_b AS SELECT * FROM direct_groups WHERE grp IS NULL AND tag = 'B';
CREATE TABLE direct_group_1a AS SELECT * FROM direct_groups WHERE grp = 1 AND tag = 'a';
SELECT (SELECT coef FROM direct_groups_fit WHERE grp IS NULL AND tag = 'B')
     = (SELECT coef FROM corgi._logregr_irls('SELECT 1, flag, ARRAY[1, small, r, z]::float8[] FROM direct_group_null_b WHERE true',
                                             1, 20, 0.0001, false)) AS null_key_group_same,
       (SELECT (coef, num_missing_rows_skipped) FROM direct_groups_fit WHERE grp = 1 AND tag = 'a')::text
     = (SELECT (coef, num_missing_rows_skipped) FROM corgi._logregr_irls(
           'SELECT 1, flag, ARRAY[1, small, r, z]::float8[] FROM direct_group_1a WHERE true', 1, 20, 0.0001, false))::text AS group_same,
       (SELECT (coef, num_missing_rows_skipped) FROM corgi._logregr_irls(
           'SELECT 1, flag, ARRAY[1, small, r, z]::float8[] FROM direct_group_1a', 1, 20, 0.0001, false))::text
     = (SELECT (coef, num_missing_rows_skipped) FROM corgi._logregr_irls(
           'SELECT 1, flag, ARRAY[1, small, r, z]::float8[] FROM direct_group_1a WHERE true', 1, 20, 0.0001, false))::text AS ungrouped_same;
DROP TABLE direct_groups, direct_groups_fit, direct_groups_fit_summary, direct_group_null_b, direct_group_1a;
-- A cancel in the middle of the passes' direct reads: nothing written, no Swift object left.
CREATE TABLE direct_big AS SELECT g % 3 = 0 AS flag, ARRAY[1, g % 7, g % 11]::float8[] AS x FROM generate_series(1, 300000) g;
SET statement_timeout = '300ms';
SELECT corgi.logregr_train('direct_big', 'direct_cancel', 'flag', 'x', max_iter => 10000, tolerance => 0);
RESET statement_timeout;
SELECT to_regclass('direct_cancel') IS NULL AS nothing_written, corgi.debug_swift_objects() AS swift_objects_held;
DROP TABLE direct_big;
DROP TABLE direct_rows, direct_logit, direct_logit_summary;
DROP OWNED BY corgi_direct_reader;
DROP ROLE corgi_direct_reader;
-- The aggregate's support functions are not for PUBLIC.
SELECT p.oid::regprocedure, has_function_privilege('public', p.oid, 'EXECUTE') AS public_may
FROM pg_proc p WHERE p.proname LIKE '\_linregr%' AND p.pronamespace = 'corgi'::regnamespace ORDER BY 1;
