-- Model Hopper Parallelism against sequential training, measured in one run (psql
-- variables: rows, epochs). 1) 8 logistic configs (learning_rate x l2): the sum of 8
-- corgi.train calls against corgi.fit_multiple with 0, 1 and 2 workers. 2) a mixed grid
-- (logistic and MLPs of different sizes): makespan against the lower bound.
\set ON_ERROR_STOP on
SET client_min_messages = warning;
SET search_path = public, corgi;
SET max_parallel_workers_per_gather = 0;

\ir bench_table.sql
SELECT pg_size_pretty(pg_relation_size(format('bench_%s', :rows))) AS table_size \gset
\echo '== bench_':rows' (':table_size', sorted by label), ':epochs' epochs'

DROP TABLE IF EXISTS mop_configs, mop_mixed;
CREATE TABLE mop_configs AS SELECT * FROM corgi.config_grid('logistic', 'learning_rate=[0.001,0.01,0.1,1], l2=[0,0.0001]');
CREATE TABLE mop_mixed AS
SELECT * FROM corgi.config_grid('logistic', 'learning_rate=[0.01,0.1], l2=[0,0.0001]')
UNION ALL SELECT 5, 'mlp', 'hidden_layers=[16]'
UNION ALL SELECT 6, 'mlp', 'hidden_layers=[32]'
UNION ALL SELECT 7, 'mlp', 'hidden_layers=[64,32]'
UNION ALL SELECT 8, 'svm', 'learning_rate=0.01';

CREATE TEMP TABLE mop_runs (grid text, how text, workers int, seconds float8);
CREATE TEMP TABLE mop_alone (grid text, config_id int, seconds float8, accuracy float8);
CREATE TEMP TABLE mop_models (grid text, workers int, config_id int, accuracy float8, model bytea);

-- Warm the table into shared buffers, then interleave: sequential calls, then the
-- hopping calls, for each grid.
SELECT count(*) FROM bench_:rows \gset
DO $$ DECLARE
  src text := 'bench_' || current_setting('bench.rows');
  e int := current_setting('bench.epochs')::int;
  g text; c record; t0 timestamptz; w int; total float8;
BEGIN
  FOREACH g IN ARRAY ARRAY['mop_configs', 'mop_mixed'] LOOP
    -- Sequential: one corgi.train per config, plain corgipile (no segments).
    total := 0;
    FOR c IN EXECUTE format('SELECT * FROM %I ORDER BY config_id', g) LOOP
      EXECUTE 'DROP TABLE IF EXISTS mop_one, mop_one_summary';
      t0 := clock_timestamp();
      PERFORM corgi.train(src, 'mop_one', 'label', 'features', c.model, e, 'corgipile', c.params);
      INSERT INTO mop_alone VALUES (g, c.config_id, extract(epoch FROM clock_timestamp() - t0),
                                    (SELECT accuracy FROM corgi.evaluate('mop_one', src)));
      total := total + extract(epoch FROM clock_timestamp() - t0);
    END LOOP;
    INSERT INTO mop_runs VALUES (g, 'sequential corgi.train', 0, total);
    FOREACH w IN ARRAY ARRAY[1, 2, 0] LOOP
      EXECUTE 'DROP TABLE IF EXISTS mop_m, mop_m_info, mop_m_summary';
      t0 := clock_timestamp();
      PERFORM corgi.fit_multiple(src, 'mop_m', 'label', 'features', g, e, params => format('workers=%s', w));
      INSERT INTO mop_runs VALUES (g, 'fit_multiple', w, extract(epoch FROM clock_timestamp() - t0));
      INSERT INTO mop_models SELECT g, w, m.config_id, (SELECT accuracy FROM corgi.evaluate('mop_m', src, config_id => m.config_id)), m.model
        FROM mop_m m;
      IF w = 1 THEN
        -- Makespan of the epochs against the lower bound max(work / P, slowest model),
        -- per epoch, with P = 2 participants (the leader and one worker).
        CREATE TEMP TABLE IF NOT EXISTS mop_span (grid text, makespan float8, bound float8, launched int[]);
        INSERT INTO mop_span
        SELECT g, (SELECT sum(x) FROM unnest(s.epoch_wall_seconds) x),
               (SELECT sum(b) FROM (SELECT greatest(sum(i.epoch_seconds[k]) / 2, max(i.epoch_seconds[k])) AS b
                                    FROM mop_m_info i, generate_series(1, e) k GROUP BY k) q),
               s.workers_launched
        FROM mop_m_summary s;
      END IF;
    END LOOP;
  END LOOP;
END $$;

\echo '-- wall time: sequential corgi.train calls against fit_multiple (P = workers + the leader)'
SELECT r.grid, r.how, CASE WHEN r.how = 'fit_multiple' THEN r.workers + 1 END AS participants,
       round(r.seconds::numeric, 2) AS seconds,
       round((s.seconds / r.seconds)::numeric, 2) AS speedup_over_sequential
FROM mop_runs r JOIN mop_runs s ON s.grid = r.grid AND s.how = 'sequential corgi.train'
ORDER BY r.grid DESC, r.how DESC, r.workers;
\echo '-- mixed grid: makespan of the epochs against the lower bound (2 participants)'
SELECT grid, round(makespan::numeric, 2) AS makespan_s, round(bound::numeric, 2) AS lower_bound_s,
       round((makespan / bound)::numeric, 2) AS ratio, launched FROM mop_span ORDER BY grid DESC;
\echo '-- accuracy: every config of fit_multiple (2 participants) against the same config alone (plain corgipile)'
SELECT m.grid, m.config_id, c.model, c.params, round(a.accuracy::numeric, 4) AS alone, round(m.accuracy::numeric, 4) AS hopping,
       round(((m.accuracy - a.accuracy) * 100)::numeric, 2) AS points,
       m.model = z.model AND m.model = t.model AS same_for_0_1_2_workers
FROM mop_models m JOIN mop_alone a USING (grid, config_id)
JOIN mop_models z ON z.grid = m.grid AND z.config_id = m.config_id AND z.workers = 0
JOIN mop_models t ON t.grid = m.grid AND t.config_id = m.config_id AND t.workers = 2
JOIN (SELECT 'mop_configs' AS grid, * FROM mop_configs UNION ALL SELECT 'mop_mixed', * FROM mop_mixed) c
  ON c.grid = m.grid AND c.config_id = m.config_id
WHERE m.workers = 1 ORDER BY m.grid DESC, m.config_id;
