-- Real tables (issue 21): 1M rows with 3 text columns of 5, 50 and 500 levels and 20
-- float8 columns with 5 % NULLs each, label-sorted, against the all-numeric table of the
-- same rows count (bench_<rows>_cols, 28 float8 columns): a 3-epoch corgi.train with '*'
-- and defaults (nulls=skip: most rows have a NULL somewhere) and with nulls=impute, the
-- time per epoch and the one-off passes (levels, moments); evaluate, predict of whole
-- rows, grouped training (by the 5-level column) and fit_multiple (8 configs). One run;
-- psql variables: rows.
\set ON_ERROR_STOP on
SET client_min_messages = warning;
SET search_path = public, corgi;
SET max_parallel_workers_per_gather = 0;

\ir bench_table.sql
SELECT to_regclass(format('bench_%s_cols', :rows)) IS NULL AS must_build_cols \gset
\if :must_build_cols
SELECT format('CREATE TABLE bench_%s_cols AS SELECT id, label, %s FROM bench_%s ORDER BY id', :rows,
              (SELECT string_agg(format('features[%s] AS x%s', j, j), ', ') FROM generate_series(1, 28) j), :rows) \gexec
SELECT format('VACUUM ANALYZE bench_%s_cols', :rows) \gexec
\endif
SELECT to_regclass(format('bench_%s_mixed', :rows)) IS NULL AS must_build_mixed \gset
\if :must_build_mixed
SELECT setseed(0.77);
SELECT format($q$CREATE TABLE bench_%1$s_mixed AS
    SELECT id, label,
           'c' || ((id * 7) %% 5) AS c5, 'k' || ((id * 13) %% 50) AS c50, 'l' || ((id * 31) %% 500) AS c500, %2$s
    FROM bench_%1$s ORDER BY id$q$, :rows,
    (SELECT string_agg(format('CASE WHEN random() < 0.05 THEN NULL ELSE features[%1$s] END AS n%1$s', j), ', ')
     FROM generate_series(1, 20) j)) \gexec
SELECT format('VACUUM ANALYZE bench_%s_mixed', :rows) \gexec
\endif
SELECT pg_size_pretty(pg_relation_size(format('bench_%s_mixed', :rows))) AS mixed_size \gset
\echo '== bench_':rows'_mixed (3 text columns of 5, 50, 500 levels + 20 float8 with 5 % NULLs, ':mixed_size') against bench_':rows'_cols (28 float8)'

CREATE TEMP TABLE cat_runs (what text, seconds float8, note text);
DROP TABLE IF EXISTS cat_m, cat_m_summary, cat_i, cat_i_summary, cat_n, cat_n_summary, cat_g, cat_g_summary, cat_g_groups,
                     cat_f, cat_f_info, cat_f_summary, cat_cfg;
CREATE TABLE cat_cfg AS SELECT * FROM corgi.config_grid('logistic', 'learning_rate=[0.001,0.01,0.1,1], l2=[0,0.0001]');
DO $$ DECLARE
  n text := current_setting('bench.rows');
  t0 timestamptz; r record;
BEGIN
  t0 := clock_timestamp();
  SELECT * INTO r FROM corgi.train('bench_' || n || '_cols', 'cat_n', 'label', '*', 'logistic', 3, excluded => 'id');
  INSERT INTO cat_runs VALUES ('all-numeric (28 float8): corgi.train 3 epochs', extract(epoch FROM clock_timestamp() - t0),
                               format('%s rows/epoch, %s s in epochs', r.rows_per_epoch, round(r.training_seconds::numeric, 3)));
  t0 := clock_timestamp();
  SELECT * INTO r FROM corgi.train('bench_' || n || '_mixed', 'cat_m', 'label', '*', 'logistic', 3, excluded => 'id');
  INSERT INTO cat_runs VALUES ('mixed, nulls=skip: corgi.train 3 epochs', extract(epoch FROM clock_timestamp() - t0),
                               format('%s rows/epoch, %s s in epochs', r.rows_per_epoch, round(r.training_seconds::numeric, 3)));
  t0 := clock_timestamp();
  SELECT * INTO r FROM corgi.train('bench_' || n || '_mixed', 'cat_i', 'label', '*', 'logistic', 3, params => 'nulls=impute', excluded => 'id');
  INSERT INTO cat_runs VALUES ('mixed, nulls=impute: corgi.train 3 epochs', extract(epoch FROM clock_timestamp() - t0),
                               format('%s rows/epoch, %s s in epochs', r.rows_per_epoch, round(r.training_seconds::numeric, 3)));
  t0 := clock_timestamp();
  SELECT * INTO r FROM corgi.evaluate('cat_i', 'bench_' || n || '_mixed');
  INSERT INTO cat_runs VALUES ('mixed: corgi.evaluate', extract(epoch FROM clock_timestamp() - t0),
                               format('accuracy %s over %s rows', round(r.accuracy::numeric, 4), r.rows));
  t0 := clock_timestamp();
  EXECUTE format('SELECT count(*) FILTER (WHERE corgi.predict(''cat_i'', b) > 0) FROM bench_%s_mixed b', n);
  INSERT INTO cat_runs VALUES ('mixed: corgi.predict of every whole row', extract(epoch FROM clock_timestamp() - t0), NULL);
  t0 := clock_timestamp();
  SELECT * INTO r FROM corgi.train('bench_' || n || '_mixed', 'cat_g', 'label', '*', 'logistic', 3, params => 'nulls=impute',
                                   grouping_cols => 'c5', excluded => 'id');
  INSERT INTO cat_runs VALUES ('mixed: grouped by c5 (5 groups), 3 epochs', extract(epoch FROM clock_timestamp() - t0), NULL);
  t0 := clock_timestamp();
  PERFORM corgi.fit_multiple('bench_' || n || '_mixed', 'cat_f', 'label', '*', 'cat_cfg', 3, params => 'nulls=impute, workers=0',
                             excluded => 'id');
  INSERT INTO cat_runs VALUES ('mixed: fit_multiple, 8 configs, 3 epochs, no worker', extract(epoch FROM clock_timestamp() - t0), NULL);
END $$;
SELECT what, round(seconds::numeric, 3) AS seconds, note FROM cat_runs;
SELECT n_features, training_path, num_rows_skipped FROM cat_i_summary;
SELECT training_path, n_features FROM cat_n_summary;
