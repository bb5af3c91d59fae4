-- The drivers in C against the PL/pgSQL drivers they replaced (bench/drivers.sh): the same
-- calls, on the same epoch engine and tables, interleaved (the order alternates by round),
-- medians of the rounds. psql variables: rows (the bench table), rounds.
\set ON_ERROR_STOP on
SET client_min_messages = warning;
SET search_path = public, corgi;
SET max_parallel_workers_per_gather = 0;
\ir bench_table.sql
SELECT to_regclass('drv_small') IS NULL AS must_build \gset
\if :must_build
CREATE TABLE drv_small AS SELECT * FROM bench_:rows WHERE id % 500 = 0;
CREATE TABLE drv_groups AS SELECT id, id % 1000 AS grp, label, features FROM bench_:rows;
VACUUM ANALYZE drv_small;
VACUUM ANALYZE drv_groups;
CREATE TABLE drv_configs AS SELECT * FROM corgi.config_grid('logistic', 'learning_rate=[0.001,0.003,0.01,0.03], l2=[0,0.0001]');
CREATE TABLE drv_configs4 AS SELECT * FROM drv_configs WHERE config_id <= 4;
\endif

CREATE TEMP TABLE drv_runs (workload text, driver text, round int, seconds float8, epochs_seconds float8);
DO $$ DECLARE
  t0 timestamptz;
  src text := 'bench_' || current_setting('bench.rows');
  workloads text[] := ARRAY['train 1M x 28, 3 epochs', 'train 2,000 rows x 28, 1 epoch, 20 calls',
                            'fit_multiple 8 configs, 3 epochs, 2 workers', 'train grouped 1,000 groups, 2 epochs',
                            'fit_multiple grouped 4 configs x 1,000 groups, 2 epochs'];
  w text; d text; suffix text; e float8; total float8;
BEGIN
  FOR r IN 1..current_setting('bench.rounds')::int LOOP
    FOREACH w IN ARRAY workloads LOOP
      FOREACH d IN ARRAY CASE WHEN r % 2 = 1 THEN ARRAY['c', 'plpgsql'] ELSE ARRAY['plpgsql', 'c'] END LOOP
        suffix := CASE WHEN d = 'c' THEN '' ELSE '_plpgsql' END;
        EXECUTE 'DROP TABLE IF EXISTS drv_o, drv_o_summary, drv_o_info, drv_o_groups';
        t0 := clock_timestamp();
        e := NULL;
        IF w LIKE 'train 1M%' THEN
          EXECUTE format('SELECT training_seconds FROM corgi.train%s(%L, ''drv_o'', ''label'', ''features'', ''logistic'', 3)', suffix, src)
            INTO e;
        ELSIF w LIKE 'train 2,000%' THEN
          total := 0;
          FOR i IN 1..20 LOOP
            EXECUTE 'DROP TABLE IF EXISTS drv_o, drv_o_summary';
            EXECUTE format('SELECT training_seconds FROM corgi.train%s(''drv_small'', ''drv_o'', ''label'', ''features'', ''logistic'', 1)', suffix)
              INTO e;
            total := total + e;
          END LOOP;
          e := total;
        ELSIF w LIKE 'fit_multiple 8%' THEN
          EXECUTE format('SELECT * FROM corgi.fit_multiple%s(%L, ''drv_o'', ''label'', ''features'', ''drv_configs'', 3, params => ''workers=2'')', suffix, src);
        ELSIF w LIKE 'train grouped%' THEN
          EXECUTE format('SELECT training_seconds FROM corgi.train%s(''drv_groups'', ''drv_o'', ''label'', ''features'', ''logistic'', 2, grouping_cols => ''grp'')', suffix)
            INTO e;
        ELSE
          EXECUTE format('SELECT * FROM corgi.fit_multiple%s(''drv_groups'', ''drv_o'', ''label'', ''features'', ''drv_configs4'', 2, grouping_cols => ''grp'')', suffix);
        END IF;
        INSERT INTO drv_runs VALUES (w, d, r, extract(epoch FROM clock_timestamp() - t0), e);
      END LOOP;
    END LOOP;
  END LOOP;
  EXECUTE 'DROP TABLE IF EXISTS drv_o, drv_o_summary, drv_o_info, drv_o_groups';
END $$;

SELECT workload,
       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY seconds) FILTER (WHERE driver = 'c')::numeric, 3) AS c_seconds,
       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY seconds) FILTER (WHERE driver = 'plpgsql')::numeric, 3) AS plpgsql_seconds,
       round((percentile_cont(0.5) WITHIN GROUP (ORDER BY seconds) FILTER (WHERE driver = 'c')
              / percentile_cont(0.5) WITHIN GROUP (ORDER BY seconds) FILTER (WHERE driver = 'plpgsql'))::numeric, 3) AS c_over_plpgsql,
       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY seconds - epochs_seconds) FILTER (WHERE driver = 'c')::numeric, 3) AS c_outside_epochs,
       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY seconds - epochs_seconds) FILTER (WHERE driver = 'plpgsql')::numeric, 3) AS plpgsql_outside_epochs,
       count(*) / 2 AS rounds
FROM drv_runs GROUP BY workload ORDER BY min(ctid);
-- outside_epochs: the call's wall seconds less the training seconds it returns (corgi.train:
-- its epochs, and for a grouped call the epochs' whole statement); NULL for fit_multiple, whose
-- training_seconds is its wall time.
