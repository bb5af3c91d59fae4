-- The benchmarks' table (included with \ir; psql variable: rows): bench_<rows>,
-- Higgs-like, 28 features of which the first 5 are informative, rows stored sorted by
-- label (the paper's clustered case). Deterministic (setseed); built once per size.
SELECT to_regclass(format('bench_%s', :rows)) IS NULL AS must_build \gset
\if :must_build
SELECT setseed(0.2024) \g /dev/null
CREATE TABLE bench_:rows AS
SELECT g AS id, (g > :rows / 2) AS label,
       ARRAY(SELECT (CASE WHEN j <= 5 THEN (CASE WHEN g > :rows / 2 THEN 0.25 ELSE -0.25 END) ELSE 0 END)
                    + (random() - 0.5) * 2 FROM generate_series(1, 28) j WHERE g > 0)::float8[] AS features
FROM generate_series(1, :rows) g;
VACUUM ANALYZE bench_:rows;
\endif
