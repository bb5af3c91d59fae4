-- Per-epoch cost and accuracy of every shuffle mode against a plain sequential scan,
-- measured in one run on one label-sorted table (psql variables: rows, epochs).
\set ON_ERROR_STOP on
SET client_min_messages = warning;
SET search_path = public, corgi;
-- Every measurement in one backend process: the plain scan must not run in parallel.
SET max_parallel_workers_per_gather = 0;

\ir bench_table.sql
SELECT pg_size_pretty(pg_relation_size(format('bench_%s', :rows))) AS table_size, :rows AS rows \gset
\echo '== bench_':rows' (':table_size', sorted by label), ':epochs' epochs per mode'

-- The physical reference: a plain scan touching every row, three times (best kept).
CREATE TEMP TABLE scan_times (secs float8);
DO $$ DECLARE t0 timestamptz; x float8; BEGIN
  FOR i IN 1..3 LOOP
    t0 := clock_timestamp();
    EXECUTE format('SELECT sum(features[1]) FROM bench_%s', current_setting('bench.rows')) INTO x;
    INSERT INTO scan_times VALUES (extract(epoch FROM clock_timestamp() - t0));
  END LOOP; END $$;

-- Modes: the four shuffles with CorgiPile's default 10 MB blocks, and corgipile with
-- blocks scaled to the paper's higgs proportions (the table cut into ~280 blocks, so
-- a 10% buffer holds ~28 blocks; at 10 MB a 1M-row table has only ~28 blocks).
DROP TABLE IF EXISTS bench_result;
CREATE TEMP TABLE bench_result (shuffle text, block_mb float8, epoch int, seconds float8, accuracy float8, copy_seconds float8);
-- Whole calls (set-up, every epoch, outputs), and corgi.evaluate of the corgipile model.
CREATE TEMP TABLE bench_calls (shuffle text, call_seconds float8);
CREATE TEMP TABLE bench_evaluate (secs float8);
DO $$ DECLARE
  m text; label text; block float8; t0 timestamptz; r record; x float8;
  src text := 'bench_' || current_setting('bench.rows');
  scaled float8 := greatest(pg_relation_size('bench_' || current_setting('bench.rows')) / 280.0 / 1048576, 0.0625);
BEGIN
  FOREACH label IN ARRAY ARRAY['none', 'block_only', 'corgipile', 'once', 'corgipile_scaled'] LOOP
    m := CASE WHEN label = 'corgipile_scaled' THEN 'corgipile' ELSE label END;
    block := CASE WHEN label = 'corgipile_scaled' THEN round(scaled::numeric, 3)::float8 ELSE 10 END;
    EXECUTE format('DROP TABLE IF EXISTS bench_m, bench_m_summary, bench_call, bench_call_summary');
    PERFORM corgi.train(src, 'bench_m', 'label', 'features', 'logistic',
                        current_setting('bench.epochs')::int, m,
                        format('learning_rate=%s, seed=1, block_mb=%s, validation_table=%s', current_setting('bench.learning_rate'), block, src));
    -- The same call without validation, timed whole, three times (the median is kept),
    -- each beside a plain scan so that both see the same machine.
    FOR i IN 1..3 LOOP
      EXECUTE format('DROP TABLE IF EXISTS bench_call, bench_call_summary');
      t0 := clock_timestamp();
      PERFORM corgi.train(src, 'bench_call', 'label', 'features', 'logistic',
                          current_setting('bench.epochs')::int, m,
                          format('learning_rate=%s, seed=1, block_mb=%s', current_setting('bench.learning_rate'), block));
      INSERT INTO bench_calls VALUES (label, extract(epoch FROM clock_timestamp() - t0));
      t0 := clock_timestamp();
      EXECUTE format('SELECT sum(features[1]) FROM %s', src) INTO x;
      INSERT INTO scan_times VALUES (extract(epoch FROM clock_timestamp() - t0));
    END LOOP;
    IF label = 'corgipile' THEN
      FOR i IN 1..3 LOOP
        t0 := clock_timestamp();
        SELECT * INTO r FROM corgi.evaluate('bench_call', src);
        INSERT INTO bench_evaluate VALUES (extract(epoch FROM clock_timestamp() - t0));
      END LOOP;
    END IF;
    INSERT INTO bench_result
    SELECT label, block, e, epoch_seconds[e], validation_metric[e], shuffle_seconds
    FROM bench_m_summary, generate_series(1, epochs) e;
  END LOOP;
  DROP TABLE bench_m, bench_m_summary, bench_call, bench_call_summary;
END $$;

SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY secs) AS scan, min(secs) AS scan_best, count(*) AS scans FROM scan_times \gset
\echo 'plain scan (SELECT sum(features[1])), median of' :scans 'interleaved with the runs:' :scan 's (best' :scan_best 's)'
SELECT shuffle, block_mb, epoch, round(seconds::numeric, 3) AS epoch_seconds,
       round((seconds / :scan)::numeric, 2) AS x_plain_scan,
       round((seconds / (SELECT avg(seconds) FROM bench_result WHERE shuffle = 'none'))::numeric, 2) AS x_none,
       round(accuracy::numeric, 4) AS accuracy, round(copy_seconds::numeric, 2) AS copy_seconds
FROM bench_result ORDER BY array_position(ARRAY['none', 'block_only', 'corgipile', 'once', 'corgipile_scaled'], shuffle), epoch;

\echo 'targets: corgipile epoch <= 1.5x plain scan and <= 1.1x none; corgipile accuracy within 0.005 of once after epoch 1'
SELECT round((avg(seconds) FILTER (WHERE shuffle = 'corgipile') / :scan)::numeric, 2) AS corgipile_x_scan,
       round((avg(seconds) FILTER (WHERE shuffle = 'corgipile') / avg(seconds) FILTER (WHERE shuffle = 'none'))::numeric, 2) AS corgipile_x_none,
       round((max(accuracy) FILTER (WHERE shuffle = 'corgipile' AND epoch = 1)
            - max(accuracy) FILTER (WHERE shuffle = 'once' AND epoch = 1))::numeric, 4) AS corgipile_minus_once_epoch1,
       round((max(accuracy) FILTER (WHERE shuffle = 'corgipile_scaled' AND epoch = 1)
            - max(accuracy) FILTER (WHERE shuffle = 'once' AND epoch = 1))::numeric, 4) AS scaled_minus_once_epoch1,
       round((max(accuracy) FILTER (WHERE shuffle = 'none' AND epoch = 1))::numeric, 4) AS none_epoch1
FROM bench_result;

\echo 'whole corgi.train calls (set-up, every epoch, outputs; no validation), median of 3, per epoch, as multiples of the median plain scan (target for corgipile: <= 1.2)'
SELECT shuffle, round(percentile_cont(0.5) WITHIN GROUP (ORDER BY call_seconds)::numeric, 3) AS call_seconds,
       round((percentile_cont(0.5) WITHIN GROUP (ORDER BY call_seconds) / current_setting('bench.epochs')::int / :scan)::numeric, 2) AS per_epoch_x_scan
FROM bench_calls GROUP BY shuffle ORDER BY array_position(ARRAY['none', 'block_only', 'corgipile', 'once', 'corgipile_scaled'], shuffle);
\echo 'corgi.evaluate of the corgipile model on the whole table, best of 3 (target: <= 3x the plain scan)'
SELECT round(min(secs)::numeric, 3) AS evaluate_seconds, round((min(secs) / :scan)::numeric, 2) AS x_plain_scan FROM bench_evaluate;
