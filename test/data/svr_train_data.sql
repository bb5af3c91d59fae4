-- MADlib's svm install-check data (svm.sql_in): 1000 rows, ind[1..3] uniform in [-20, 20],
-- ind[4] = +/-10, label = ind[1] + 2 ind[2]; drawn from a hash of the row number, not
-- random(), so that outputs are fixed. Included by regress madlib_surface and
-- madlib_cross_validation (each in a schema of its own).
CREATE TABLE svr_train_data AS
SELECT id, ind, ind[1] + 2 * ind[2] AS label FROM (
    SELECT id, ARRAY[u1 * 40 - 20, u2 * 40 - 20, u3 * 40 - 20, CASE WHEN u4 > 0.5 THEN 10 ELSE -10 END]::float8[] AS ind
    FROM (SELECT g AS id, ('x' || substr(md5(g || 'a'), 1, 8))::bit(32)::bigint / 4294967296.0 AS u1,
                 ('x' || substr(md5(g || 'b'), 1, 8))::bit(32)::bigint / 4294967296.0 AS u2,
                 ('x' || substr(md5(g || 'c'), 1, 8))::bit(32)::bigint / 4294967296.0 AS u3,
                 ('x' || substr(md5(g || 'd'), 1, 8))::bit(32)::bigint / 4294967296.0 AS u4
          FROM generate_series(1, 1000) g) u) d;
