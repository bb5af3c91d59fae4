-- Feature columns against the same data as one float8[] column, measured in one run
-- (psql variables: rows, epochs, rounds): bench_<rows> (28 features in an array) and
-- bench_<rows>_cols (the same rows in the same order, x1..x28 as float8 columns).
-- corgi.train (3 epochs, logistic), corgi.fit_multiple (8 configs, no worker) and
-- corgi.evaluate on each, the columns with standardize=false (reading alone) and with the
-- default (standardized: one more pass for the centers and scales); rounds interleave
-- the variants; medians and ratios.
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
SELECT pg_size_pretty(pg_relation_size(format('bench_%s', :rows))) AS array_size,
       pg_size_pretty(pg_relation_size(format('bench_%s_cols', :rows))) AS cols_size \gset
\echo '== bench_':rows' (float8[], ':array_size') and bench_':rows'_cols (28 float8 columns, ':cols_size'), ':epochs' epochs, ':rounds' interleaved rounds'

DROP TABLE IF EXISTS columns_configs;
CREATE TABLE columns_configs AS SELECT * FROM corgi.config_grid('logistic', 'learning_rate=[0.001,0.01,0.1,1], l2=[0,0.0001]');
CREATE TEMP TABLE columns_runs (variant text, form text, round int, seconds float8);
CREATE TEMP TABLE columns_paths (form text, training_path text, accuracy float8);

DO $$ DECLARE
  n text := current_setting('bench.rows');
  e int := current_setting('bench.epochs')::int;
  rounds int := current_setting('bench.rounds')::int;
  list text := (SELECT string_agg('x' || j, ', ') FROM generate_series(1, 28) j);
  t0 timestamptz; f record;
BEGIN
  FOR r IN 1..rounds LOOP
    FOR f IN SELECT * FROM (VALUES ('float8[] column', 'bench_' || n, 'features', ''),
                                   ('28 float8 columns', 'bench_' || n || '_cols', list, 'standardize=false'),
                                   ('28 float8 columns, standardized', 'bench_' || n || '_cols', list, '')) x(form, src, feat, params) LOOP
      EXECUTE 'DROP TABLE IF EXISTS col_one, col_one_summary, col_m, col_m_info, col_m_summary';
      t0 := clock_timestamp();
      PERFORM corgi.train(f.src, 'col_one', 'label', f.feat, 'logistic', e, params => f.params);
      INSERT INTO columns_runs VALUES ('corgi.train', f.form, r, extract(epoch FROM clock_timestamp() - t0));
      IF r = 1 THEN
        INSERT INTO columns_paths SELECT f.form, s.training_path, v.accuracy
        FROM col_one_summary s, corgi.evaluate('col_one', f.src) v;
      END IF;
      t0 := clock_timestamp();
      PERFORM corgi.fit_multiple(f.src, 'col_m', 'label', f.feat, 'columns_configs', e,
                                 params => concat_ws(', ', 'workers=0', nullif(f.params, '')));
      INSERT INTO columns_runs VALUES ('corgi.fit_multiple (8 configs)', f.form, r, extract(epoch FROM clock_timestamp() - t0));
      t0 := clock_timestamp();
      PERFORM corgi.evaluate('col_one', f.src);
      INSERT INTO columns_runs VALUES ('corgi.evaluate', f.form, r, extract(epoch FROM clock_timestamp() - t0));
    END LOOP;
  END LOOP;
END $$;

\echo '-- the path each form trains on, and the model''s accuracy'
SELECT form, training_path, round(accuracy::numeric, 4) AS accuracy FROM columns_paths ORDER BY form DESC;
\echo '-- wall time (median of the rounds); ratio: columns / array'
WITH med AS (SELECT variant, form, percentile_cont(0.5) WITHIN GROUP (ORDER BY seconds) AS s
             FROM columns_runs GROUP BY variant, form)
SELECT a.variant, round(a.s::numeric, 3) AS array_s, round(c.s::numeric, 3) AS columns_s,
       round((c.s / a.s)::numeric, 2) AS ratio, round(z.s::numeric, 3) AS standardized_s,
       round((z.s / a.s)::numeric, 2) AS standardized_ratio
FROM med a JOIN med c ON c.variant = a.variant AND c.form = '28 float8 columns'
           JOIN med z ON z.variant = a.variant AND z.form = '28 float8 columns, standardized'
WHERE a.form = 'float8[] column' ORDER BY a.variant DESC;
