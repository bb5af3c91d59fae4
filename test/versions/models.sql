-- The same models on every server version (test/versions: make test runs it on each
-- server and compares the bits): the same rows, loaded by one statement in the same
-- order, trained with the same seeds, give byte-identical models. Prints one line per
-- model: its name and the md5 of its bytes.
\set QUIET on
\pset tuples_only on
\pset format unaligned
SET client_min_messages = warning;
DROP DATABASE IF EXISTS corgi_versions;
CREATE DATABASE corgi_versions;
\c corgi_versions
SET client_min_messages = warning;
CREATE EXTENSION corgi;
-- Integer arithmetic only, so every server computes the same features.
CREATE TABLE v_pts AS
SELECT g AS id, g % 5 AS grp, ((g * 7) % 13 + (g * 3) % 5 > 8) AS label, (g * 11) % 4 AS cls,
       ((g * 17) % 101) / 10.0 AS target,
       ARRAY[(g % 7) - 3, ((g * 13) % 11) - 5, ((g * 3) % 5) / 2.0, (g % 3) * 1.5]::float8[] AS features,
       'k' || (g * 7) % 4 AS cat, CASE WHEN g % 50 = 0 THEN NULL ELSE (g * 5) % 9 END AS n
FROM generate_series(1, 30000) g ORDER BY label, g;
CREATE TABLE v_configs AS SELECT * FROM corgi.config_grid('logistic', 'learning_rate=[0.05,0.2]')
    UNION ALL SELECT 3, 'mlp', 'hidden_layers=[6], learning_rate=0.01, batch_size=16';
SELECT 1 FROM corgi.train('v_pts', 'v_logistic', 'label', 'features', 'logistic', 2) \g /dev/null
SELECT 1 FROM corgi.train('v_pts', 'v_svm', 'label', 'features', 'svm', 2, 'block_only') \g /dev/null
SELECT 1 FROM corgi.train('v_pts', 'v_linear', 'target', 'features', 'linear', 2, params => 'learning_rate=0.01') \g /dev/null
SELECT 1 FROM corgi.train('v_pts', 'v_softmax', 'cls', 'features', 'softmax', 2) \g /dev/null
SELECT 1 FROM corgi.train('v_pts', 'v_svr', 'target', 'features', 'svr', 2, params => 'svr_epsilon=0.05') \g /dev/null
SELECT 1 FROM corgi.train('v_pts', 'v_mlp', 'cls', 'features', 'mlp', 2, params => 'hidden_layers=[8,4]') \g /dev/null
SELECT 1 FROM corgi.train('v_pts', 'v_composed', 'label', 'ARRAY[features[1], features[2]]', 'logistic', 2) \g /dev/null
SELECT 1 FROM corgi.train('v_pts', 'v_grouped', 'label', 'features', 'logistic', 2, grouping_cols => 'grp') \g /dev/null
-- A list of columns: a category, a number standardized and filled, an array (levels, means
-- and deviations learned in training).
SELECT 1 FROM corgi.train('v_pts', 'v_list', 'label', 'cat, n, features', 'logistic', 2, params => 'nulls=impute') \g /dev/null
SELECT 1 FROM corgi.fit_multiple('v_pts', 'v_fit', 'label', 'features', 'v_configs', 2, params => 'segments=3') \g /dev/null
SELECT 1 FROM corgi.fit_multiple('v_pts', 'v_gfit', 'label', 'features', 'v_configs', 2, params => 'segments=2',
                                 grouping_cols => 'grp') \g /dev/null
-- From 17 a direct read pulls all its blocks through one read stream (corgi.read_stream):
-- off, every block is a scan of its own (as always on 15 and 16); the same rows in the
-- same order either way.
SET corgi.read_stream = off;
SELECT 1 FROM corgi.train('v_pts', 'v_logistic_blockwise', 'label', 'features', 'logistic', 2) \g /dev/null
SELECT 1 FROM corgi.fit_multiple('v_pts', 'v_fit_blockwise', 'label', 'features', 'v_configs', 2, params => 'segments=3') \g /dev/null
RESET corgi.read_stream;
SELECT 'logistic ' || md5(model) FROM v_logistic;
SELECT 'svm ' || md5(model) FROM v_svm;
SELECT 'linear ' || md5(model) FROM v_linear;
SELECT 'softmax ' || md5(model) FROM v_softmax;
SELECT 'svr ' || md5(model) FROM v_svr;
SELECT 'mlp ' || md5(model) FROM v_mlp;
SELECT 'composed ' || md5(model) FROM v_composed;
SELECT 'list ' || md5(m.model || convert_to(s.independent_varname, 'UTF8')) FROM v_list m, v_list_summary s;
SELECT 'grouped ' || md5(string_agg(md5(model), ',' ORDER BY grp)) FROM v_grouped;
SELECT 'fit_multiple ' || md5(string_agg(md5(model), ',' ORDER BY config_id)) FROM v_fit;
SELECT 'blockwise read: same models ' || ((SELECT model FROM v_logistic) = (SELECT model FROM v_logistic_blockwise)
    AND (SELECT array_agg(model ORDER BY config_id) FROM v_fit) = (SELECT array_agg(model ORDER BY config_id) FROM v_fit_blockwise));
SELECT 'grouped_fit_multiple ' || md5(string_agg(md5(model), ',' ORDER BY config_id, grp)) FROM v_gfit;
\c postgres
DROP DATABASE corgi_versions;
