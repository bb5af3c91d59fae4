-- Model selection schedules on one mixed grid (psql variables: rows, epochs): the full
-- grid, successive halving and Hyperband (eta 3) over 27 configs (9 logistic, 9 svm, 9
-- MLPs of three widths), trained on 90% of a label-sorted table and validated on the
-- other 10%. Prints one line per schedule (seconds, best validation accuracy, configs
-- trained per epoch) and a CSV of the best accuracy found so far against elapsed seconds
-- (the anytime curve), which bench/schedules.py plots.
\set ON_ERROR_STOP on
SET client_min_messages = warning;
SET search_path = public, corgi;

\ir bench_table.sql
DROP TABLE IF EXISTS sched_train, sched_val, sched_configs;
CREATE TABLE sched_train AS SELECT * FROM bench_:rows WHERE id % 10 <> 0 ORDER BY id;
CREATE TABLE sched_val AS SELECT * FROM bench_:rows WHERE id % 10 = 0;
VACUUM ANALYZE sched_train;
-- 27 configs, in random order (Hyperband gives its first bracket the first ones).
CREATE TABLE sched_configs AS
SELECT row_number() OVER (ORDER BY md5(model || params))::integer AS config_id, model, params FROM (
    SELECT model, params FROM corgi.config_grid('logistic', 'learning_rate=[0.001,0.003,0.01,0.03,0.1,0.3,1,3,10]')
    UNION ALL SELECT model, params FROM corgi.config_grid('svm', 'learning_rate=[0.001,0.003,0.01,0.03,0.1,0.3,1,3,10]')
    UNION ALL SELECT model, params FROM corgi.config_grid('mlp', 'hidden_layers=[[8],[16],[32]], learning_rate=[0.0003,0.001,0.003]')
) c;
SELECT count(*) FROM sched_train \gset

CREATE TEMP TABLE sched_runs (schedule text, seconds float8, best float8, best_config int, best_model text,
                              per_epoch int[]);
CREATE TEMP TABLE sched_curve (schedule text, elapsed float8, best float8);
DO $$
DECLARE
    s text;
    t0 timestamptz;
BEGIN
    FOREACH s IN ARRAY ARRAY['grid', 'successive_halving', 'hyperband'] LOOP
        EXECUTE format('DROP TABLE IF EXISTS sched_%1$s, sched_%1$s_info, sched_%1$s_summary', s);
        t0 := clock_timestamp();
        PERFORM * FROM corgi.fit_multiple('sched_train', 'sched_' || s, 'label', 'features', 'sched_configs',
                                          current_setting('bench.epochs')::integer, params => 'workers=1',
                                          validation_table => 'sched_val', schedule => s);
        EXECUTE format($q$INSERT INTO sched_runs
            SELECT %1$L, extract(epoch FROM clock_timestamp() - %2$L::timestamptz),
                   m.validation_metric, m.config_id,
                   m.model_type || coalesce(' ' || substring(m.params from 'hidden_layers=\[[^]]*\]'), '')
                   || ' ' || substring(m.params from 'learning_rate=[^,]*'),
                   (SELECT array_agg(n ORDER BY e) FROM (
                        SELECT e, count(*)::int AS n FROM sched_%1$s_info i,
                               generate_series(1, cardinality(i.epoch_loss)) e GROUP BY e) x)
            FROM sched_%1$s m ORDER BY m.validation_metric DESC NULLS LAST, m.config_id LIMIT 1$q$, s, t0);
        -- The anytime curve: after each epoch, the best validation accuracy any config has
        -- reached so far, against the wall seconds of the epochs so far.
        EXECUTE format($q$INSERT INTO sched_curve
            SELECT %1$L, w.elapsed, (SELECT max(v) FROM sched_%1$s_info i,
                                     unnest(i.validation_metric[1:w.e]) v)
            FROM (SELECT e, sum(x) OVER (ORDER BY e) AS elapsed
                  FROM sched_%1$s_summary s, unnest(s.epoch_wall_seconds) WITH ORDINALITY u(x, e)) w$q$, s);
    END LOOP;
END $$;
\echo '== ':rows' rows (90% trained, 10% validation), 27 configs, ':epochs' epochs at most, one worker'
SELECT schedule, round(seconds::numeric, 1) AS seconds,
       round((seconds / (SELECT seconds FROM sched_runs WHERE schedule = 'grid'))::numeric, 2) AS of_grid_time,
       round(best::numeric, 4) AS best_accuracy,
       round(((SELECT best FROM sched_runs WHERE schedule = 'grid') - best)::numeric * 100, 2) AS points_below_grid,
       per_epoch AS configs_per_epoch, best_model
FROM sched_runs ORDER BY seconds DESC;
\echo '== anytime curve (CSV: schedule, elapsed seconds, best accuracy so far)'
\pset format unaligned
\pset fieldsep ','
\pset tuples_only on
SELECT schedule, round(elapsed::numeric, 2), round(best::numeric, 4) FROM sched_curve ORDER BY schedule, elapsed;
