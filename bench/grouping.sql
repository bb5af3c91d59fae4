-- Grouped learning against an ungrouped epoch and against a loop of one corgi.train per
-- group, measured in one run (psql variable rows). 1,000 groups of Zipf-like sizes, some
-- of one class; then 100,000 groups of 10 rows.
\set ON_ERROR_STOP on
SET client_min_messages = warning;
SET search_path = public, corgi;
SET max_parallel_workers_per_gather = 0;

SELECT to_regclass(format('grp_bench_%s', :rows)) IS NULL AS must_build \gset
\if :must_build
SELECT setseed(0.77);
-- Group sizes ~ 1/rank (Zipf): group = floor(1000^u) - 1 for u uniform; every 50th group
-- has one class (a classifier cannot be trained on it: reported as failed).
CREATE TABLE grp_bench_:rows AS
SELECT g AS id, grp, CASE WHEN grp % 50 = 0 THEN true ELSE x[1] + x[2] + x[3] > 0 END AS label, x AS features
FROM (SELECT g, least(999, floor(power(1000, random()))::int - 1) AS grp,
             ARRAY(SELECT (random() - 0.5) * 2 FROM generate_series(1, 28) j WHERE g > 0)::float8[] AS x
      FROM generate_series(1, :rows) g) s
ORDER BY label, g;
VACUUM ANALYZE grp_bench_:rows;
CREATE TABLE grp_tiny_:rows AS SELECT id, id / 10 AS grp, (id % 10) < 5 AS label, features FROM grp_bench_:rows;
VACUUM ANALYZE grp_tiny_:rows;
\endif
SELECT count(DISTINCT grp) AS groups, max(n) AS largest, min(n) AS smallest,
       percentile_disc(0.5) WITHIN GROUP (ORDER BY n) AS median
FROM (SELECT grp, count(*) AS n FROM grp_bench_:rows GROUP BY grp) s \gset
\echo '== grp_bench_':rows': ':groups' groups, sizes ':smallest' to ':largest' rows (median ':median'), 1 epoch each'

CREATE TEMP TABLE grp_runs (what text, call_seconds float8, epoch_seconds float8[]);
DO $$ DECLARE
  src text := 'grp_bench_' || current_setting('bench.rows');
  t0 timestamptz; k int; loop_total float8 := 0; sample int[];
BEGIN
  SET LOCAL client_min_messages = warning;
  EXECUTE format('SELECT count(*) FROM %s', src);   -- warm
  -- Interleaved: 3 rounds of a 3-epoch call each, ungrouped then grouped. An epoch's
  -- time includes everything between epochs (states in and out of the pass).
  FOR rep IN 1..3 LOOP
    EXECUTE 'DROP TABLE IF EXISTS gb_u, gb_u_summary, gb_g, gb_g_summary, gb_g_groups';
    t0 := clock_timestamp();
    PERFORM corgi.train(src, 'gb_u', 'label', 'features', 'logistic', 3);
    INSERT INTO grp_runs SELECT 'ungrouped', extract(epoch FROM clock_timestamp() - t0), epoch_seconds FROM gb_u_summary;
    t0 := clock_timestamp();
    PERFORM corgi.train(src, 'gb_g', 'label', 'features', 'logistic', 3, grouping_cols => 'grp');
    INSERT INTO grp_runs SELECT 'grouped', extract(epoch FROM clock_timestamp() - t0), epoch_seconds FROM gb_g_summary;
  END LOOP;
  -- The loop: one corgi.train (one epoch) per group over a view of its rows; 20 groups
  -- drawn at random (large and small alike), the time scaled to all groups.
  EXECUTE format('SELECT array_agg(grp) FROM (SELECT grp FROM (SELECT DISTINCT grp FROM %s WHERE grp %% 50 <> 0) d
                  ORDER BY hashint4(grp) LIMIT 20) x', src) INTO sample;
  FOREACH k IN ARRAY sample LOOP
    EXECUTE format('CREATE OR REPLACE TEMP VIEW gb_view AS SELECT * FROM %s WHERE grp = %s', src, k);
    EXECUTE 'DROP TABLE IF EXISTS gb_one, gb_one_summary';
    t0 := clock_timestamp();
    PERFORM corgi.train('gb_view', 'gb_one', 'label', 'features', 'logistic', 1);
    loop_total := loop_total + extract(epoch FROM clock_timestamp() - t0);
  END LOOP;
  INSERT INTO grp_runs VALUES ('loop of corgi.train, 20 groups', loop_total, NULL);
END $$;

\echo '-- an epoch: ungrouped and grouped (1,000 groups), 3 interleaved 3-epoch calls each; a loop of one call per group (20 timed, scaled to all)'
SELECT what, round(percentile_cont(0.5) WITHIN GROUP (ORDER BY e.x)::numeric, 3) AS median_epoch_s,
       round(min(e.x)::numeric, 3) AS best_epoch_s,
       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY first_epoch)::numeric, 3) AS median_first_epoch_s,
       round(min(call_seconds)::numeric, 3) AS best_call_s
FROM (SELECT what, call_seconds, epoch_seconds[1] AS first_epoch, epoch_seconds[2:] AS later FROM grp_runs
      WHERE epoch_seconds IS NOT NULL) r, unnest(r.later) AS e(x)
GROUP BY what ORDER BY 2;
WITH m AS (SELECT what, percentile_cont(0.5) WITHIN GROUP (ORDER BY e.x) AS median, min(e.x) AS best
           FROM grp_runs, unnest(epoch_seconds[2:]) AS e(x) GROUP BY what)
SELECT round(((SELECT median FROM m WHERE what = 'grouped') / (SELECT median FROM m WHERE what = 'ungrouped'))::numeric, 2)
           AS grouped_over_ungrouped_median_epoch,
       round(((SELECT best FROM m WHERE what = 'grouped') / (SELECT best FROM m WHERE what = 'ungrouped'))::numeric, 2)
           AS grouped_over_ungrouped_best_epoch,
       round(((SELECT call_seconds FROM grp_runs WHERE what LIKE 'loop%') / 20 * :groups
              / (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY x) FROM grp_runs, unnest(epoch_seconds[2:]) x
                 WHERE what = 'grouped'))::numeric, 1) AS loop_estimate_over_grouped_epoch;
SELECT num_all_groups, num_failed_groups, num_batches, training_path, rows_per_epoch FROM gb_g_summary;
SELECT count(*) FILTER (WHERE status = 'ok') AS trained, count(*) FILTER (WHERE status LIKE 'failed%') AS failed,
       min(num_rows_processed) AS smallest_trained, max(num_rows_processed) AS largest
FROM gb_g;

\echo '-- fit_multiple, 4 logistic configs, 2 epochs, 8 segments: ungrouped and with the 1,000 groups hopping as bundles'
CREATE TEMP TABLE gb_configs AS SELECT * FROM corgi.config_grid('logistic', 'learning_rate=[0.05,0.2], l2=[0,0.001]');
DROP TABLE IF EXISTS gb_fu, gb_fu_info, gb_fu_summary, gb_fg, gb_fg_info, gb_fg_summary;
SELECT 'ungrouped' AS fit_multiple, configs_trained, workers_launched, round(training_seconds::numeric, 2) AS seconds
FROM corgi.fit_multiple(format('grp_bench_%s', :rows), 'gb_fu', 'label', 'features', 'gb_configs', epochs => 2)
UNION ALL
SELECT 'grouped', configs_trained, workers_launched, round(training_seconds::numeric, 2)
FROM corgi.fit_multiple(format('grp_bench_%s', :rows), 'gb_fg', 'label', 'features', 'gb_configs', epochs => 2,
                        grouping_cols => 'grp');
SELECT num_all_groups, num_failed_groups, (SELECT count(*) FROM gb_fg WHERE status = 'ok') AS models_ok FROM gb_fg_summary;
-- The same 4 configs as 4 grouped corgi.train calls (2 epochs each, one after another).
CREATE TEMP TABLE gb_loop (seconds float8);
DO $$ DECLARE t0 timestamptz := clock_timestamp(); c record; BEGIN
  FOR c IN SELECT * FROM gb_configs ORDER BY config_id LOOP
    EXECUTE 'DROP TABLE IF EXISTS gb_t, gb_t_summary, gb_t_groups';
    PERFORM corgi.train('grp_bench_' || current_setting('bench.rows'), 'gb_t', 'label', 'features', c.model, 2,
                        params => c.params, grouping_cols => 'grp');
  END LOOP;
  INSERT INTO gb_loop VALUES (extract(epoch FROM clock_timestamp() - t0));
END $$;
SELECT 'a loop of 4 grouped corgi.train calls' AS instead, round(seconds::numeric, 2) AS seconds FROM gb_loop;

\echo '-- 100,000 groups of 10 rows (one epoch)'
DROP TABLE IF EXISTS gt, gt_summary, gt_groups;
SELECT round(training_seconds::numeric, 2) AS seconds, rows_per_epoch
FROM corgi.train(format('grp_tiny_%s', :rows), 'gt', 'label', 'features', 'logistic', 1, grouping_cols => 'grp');
SELECT num_all_groups, num_failed_groups, num_batches, round(buffer_budget_mb::numeric) AS budget_mb, training_path FROM gt_summary;
