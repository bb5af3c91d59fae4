-- Fused visits against one corgi.train, measured in one run (psql variables: rows,
-- epochs, rounds): 8 logistic configs (learning_rate x l2) in one corgi.fit_multiple
-- with 1 config per visit (each config reads every segment itself, as before 0.7.0) and
-- with the default 8 (one read per segment for all), with 0, 1 and 2 workers, against
-- one corgi.train of one config (plain corgipile). Rounds interleave every variant;
-- medians. The models of every fit_multiple variant are compared bit for bit.
\set ON_ERROR_STOP on
SET client_min_messages = warning;
SET search_path = public, corgi;
SET max_parallel_workers_per_gather = 0;

\ir bench_table.sql
SELECT pg_size_pretty(pg_relation_size(format('bench_%s', :rows))) AS table_size \gset
\echo '== bench_':rows' (':table_size', sorted by label), ':epochs' epochs, ':rounds' interleaved rounds'

DROP TABLE IF EXISTS fused_configs;
CREATE TABLE fused_configs AS SELECT * FROM corgi.config_grid('logistic', 'learning_rate=[0.001,0.01,0.1,1], l2=[0,0.0001]');
CREATE TEMP TABLE fused_runs (variant text, round int, seconds float8);
CREATE TEMP TABLE fused_models (variant text, config_id int, model bytea);

SELECT count(*) FROM bench_:rows \gset
DO $$ DECLARE
  src text := 'bench_' || current_setting('bench.rows');
  e int := current_setting('bench.epochs')::int;
  rounds int := current_setting('bench.rounds')::int;
  t0 timestamptz; v record;
BEGIN
  FOR r IN 1..rounds LOOP
    EXECUTE 'DROP TABLE IF EXISTS fused_one, fused_one_summary';
    t0 := clock_timestamp();
    PERFORM corgi.train(src, 'fused_one', 'label', 'features', 'logistic', e, 'corgipile', 'learning_rate=0.01');
    INSERT INTO fused_runs VALUES ('one corgi.train', r, extract(epoch FROM clock_timestamp() - t0));
    FOR v IN SELECT * FROM (VALUES (1, 0), (1, 2), (8, 0), (8, 1), (8, 2)) x(c, w) LOOP
      EXECUTE 'DROP TABLE IF EXISTS fused_m, fused_m_info, fused_m_summary';
      t0 := clock_timestamp();
      PERFORM corgi.fit_multiple(src, 'fused_m', 'label', 'features', 'fused_configs', e,
                                 params => format('workers=%s, configs_per_visit=%s', v.w, v.c));
      INSERT INTO fused_runs VALUES (format('fit_multiple, configs_per_visit=%s, workers=%s', v.c, v.w), r,
                                     extract(epoch FROM clock_timestamp() - t0));
      IF r = 1 THEN
        INSERT INTO fused_models SELECT format('%s/%s', v.c, v.w), config_id, model FROM fused_m;
      END IF;
    END LOOP;
  END LOOP;
END $$;

\echo '-- wall time (median of the rounds) and its ratio to one corgi.train of one config'
WITH med AS (SELECT variant, percentile_cont(0.5) WITHIN GROUP (ORDER BY seconds) AS s,
                    min(seconds) AS lo, max(seconds) AS hi FROM fused_runs GROUP BY variant)
SELECT m.variant, round(m.s::numeric, 3) AS median_s, round(m.lo::numeric, 3) AS min_s, round(m.hi::numeric, 3) AS max_s,
       round((m.s / o.s)::numeric, 2) AS ratio_to_one_train
FROM med m, med o WHERE o.variant = 'one corgi.train'
ORDER BY m.variant = 'one corgi.train' DESC, m.variant;
\echo '-- the same models whatever configs_per_visit and workers (bit for bit, against 1 per visit, no worker)'
SELECT f.variant, count(*) AS configs, bool_and(f.model = b.model) AS same_models
FROM fused_models f JOIN fused_models b ON b.variant = '1/0' AND b.config_id = f.config_id
GROUP BY f.variant ORDER BY f.variant;
