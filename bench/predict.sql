-- Scoring throughput: corgi.predict (table form), corgi.model_predict (bytea form),
-- corgi.predict_proba and corgi.evaluate over every row of a 1M x 28 table, against a
-- plain scan reading the same arrays; corgi.predict of whole rows of the same data as 28
-- float8 columns (the model reads its columns from the row), against a plain scan of
-- that table; 7 interleaved rounds, medians (psql variable: rows).
\set ON_ERROR_STOP on
SET client_min_messages = warning;
SET search_path = public, corgi;
SET max_parallel_workers_per_gather = 0;

\ir bench_table.sql
-- The same rows as 28 float8 columns, for the whole-row form.
SELECT to_regclass(format('bench_%s_cols', :rows)) IS NULL AS must_build_cols \gset
\if :must_build_cols
SELECT format('CREATE TABLE bench_%s_cols AS SELECT id, label, %s FROM bench_%s ORDER BY id', :rows,
              (SELECT string_agg(format('features[%s] AS x%s', j, j), ', ') FROM generate_series(1, 28) j), :rows) \gexec
SELECT format('VACUUM ANALYZE bench_%s_cols', :rows) \gexec
\endif
DROP TABLE IF EXISTS bench_predict_model, bench_predict_model_summary, bench_predict_cols, bench_predict_cols_summary;
SELECT 1 FROM corgi.train(format('bench_%s', :rows), 'bench_predict_model', 'label', 'features', 'logistic', 1) \g /dev/null
SELECT 1 FROM corgi.train(format('bench_%s_cols', :rows), 'bench_predict_cols', 'label', '*', 'logistic', 1, excluded => 'id') \g /dev/null

CREATE TEMP TABLE predict_times (what text, round int, secs float8);
DO $$
DECLARE
  t0 timestamptz; n bigint;
  src text := format('bench_%s', current_setting('bench.rows'));
  runs text[][] := ARRAY[
    ['scan (count of features[1] > 0)', 'SELECT count(*) FILTER (WHERE features[1] > 0) FROM %s'],
    ['corgi.predict(table, features)', 'SELECT count(*) FILTER (WHERE corgi.predict(''bench_predict_model'', features) > 0) FROM %s'],
    ['corgi.model_predict(bytea, features)', 'SELECT count(*) FILTER (WHERE corgi.model_predict((SELECT model FROM bench_predict_model), features) > 0) FROM %s'],
    ['corgi.predict_proba(table, features)', 'SELECT count(*) FILTER (WHERE (corgi.predict_proba(''bench_predict_model'', features))[2] > 0.5) FROM %s'],
    ['corgi.evaluate (whole call)', 'SELECT rows FROM corgi.evaluate(''bench_predict_model'', ''%s'')'],
    ['scan of the 28 columns (count of x1 > 0)', 'SELECT count(*) FILTER (WHERE x1 > 0) FROM %s_cols'],
    ['corgi.predict(table, row) (28 columns, standardized)', 'SELECT count(*) FILTER (WHERE corgi.predict(''bench_predict_cols'', b) > 0) FROM %s_cols b']];
BEGIN
  EXECUTE format(runs[1][2], src) INTO n;   -- warm the buffers
  FOR r IN 1..7 LOOP
    FOR k IN 1..array_length(runs, 1) LOOP
      t0 := clock_timestamp();
      EXECUTE format(runs[k][2], src) INTO n;
      INSERT INTO predict_times VALUES (runs[k][1], r, extract(epoch FROM clock_timestamp() - t0));
    END LOOP;
  END LOOP;
END $$;

\echo '== scoring bench_':rows' (1 core, table in shared_buffers; median of 7 interleaved rounds)'
WITH m AS (SELECT what, min(round) AS first, percentile_disc(0.5) WITHIN GROUP (ORDER BY secs) AS secs
           FROM predict_times GROUP BY what)
SELECT what, round(secs::numeric, 3) AS seconds,
       round((current_setting('bench.rows')::numeric / secs::numeric / 1e6), 2) AS "M rows/s",
       round((secs / (SELECT s.secs FROM m s WHERE s.what = CASE WHEN m.what LIKE '%28 columns%'
                                                                  THEN 'scan of the 28 columns (count of x1 > 0)'
                                                                  ELSE 'scan (count of features[1] > 0)' END))::numeric, 2) AS "x scan"
FROM m ORDER BY secs;
