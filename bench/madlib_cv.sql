-- corgi_madlib's n_folds cross-validation against MADlib's way of running it (every
-- combination trained on every fold, one training after another), both on corgi's
-- trainers and the same folds (psql variables: rows, rounds): svm_classification with
-- 3 folds, init_stepsize x lambda = 6 combinations and max_iter [5, 10] (12 scored
-- models per fold). MADlib's way: per fold and combination one corgi.train of 5 and one of
-- 10 epochs on the other folds, each scored by corgi.evaluate on the fold (the loop
-- MADlib's CrossValidator runs, with corgi's trainer in place of IGD); corgi_madlib:
-- one corgi.fit_multiple per fold. Rounds interleave; medians; the combination each way
-- picks is printed (they may differ: model hopping orders a fold's blocks otherwise, so
-- the scores differ).
\set ON_ERROR_STOP on
SET client_min_messages = warning;
SET search_path = public, corgi;
SET max_parallel_workers_per_gather = 0;
CREATE EXTENSION IF NOT EXISTS corgi_madlib;
\ir bench_table.sql
SELECT format('bench_%s', :rows) AS src \gset
DROP TABLE IF EXISTS cv_bench_rows;
SELECT setseed(0.5) \g /dev/null
SELECT format('CREATE TABLE cv_bench_rows AS SELECT row_number() OVER (ORDER BY random()) AS id, label AS y, features AS x FROM %s', :'src') \gexec
CREATE TEMP TABLE cv_times (way text, round int, seconds float8, best text);
DO $$ DECLARE
  src text := format('bench_%s', current_setting('bench.rows'));
  rounds int := current_setting('bench.rounds')::int;
  n bigint := (SELECT count(*) FROM cv_bench_rows);
  t0 timestamptz; lo bigint; hi bigint; s float8; l float8; m int; acc float8; best text;
BEGIN
  FOR r IN 1..rounds LOOP
    DROP TABLE IF EXISTS cvb_m, cvb_m_summary, cvb_m_corgi, cvb_m_corgi_summary, cvb_val;
    t0 := clock_timestamp();
    PERFORM madlib.svm_classification(src, 'cvb_m', 'label', 'features', NULL, NULL, NULL,
        'init_stepsize=[0.01, 0.1], lambda=[0.0001, 0.001, 0.01], max_iter=[5, 10], n_folds=3, validation_result=cvb_val');
    SELECT format('init_stepsize=%s, lambda=%s, max_iter=%s', init_stepsize, lambda, max_iter) INTO best
      FROM cvb_val ORDER BY mean_score DESC LIMIT 1;
    INSERT INTO cv_times VALUES ('corgi_madlib (one fit_multiple per fold)', r, extract(epoch FROM clock_timestamp() - t0), best);
    t0 := clock_timestamp();
    CREATE TEMP TABLE cvb_scores (cs float8, cl float8, cm int, cacc float8);
    FOR k IN 1..3 LOOP
      lo := (k - 1) * (n / 3) + 1; hi := CASE WHEN k = 3 THEN n + 1 ELSE k * (n / 3) + 1 END;
      EXECUTE format('CREATE TEMP TABLE cvb_train AS SELECT y, x FROM cv_bench_rows WHERE id < %s OR id >= %s', lo, hi);
      EXECUTE format('CREATE TEMP TABLE cvb_valid AS SELECT y, x FROM cv_bench_rows WHERE id >= %s AND id < %s', lo, hi);
      FOREACH s IN ARRAY ARRAY[0.01, 0.1] LOOP
        FOREACH l IN ARRAY ARRAY[0.0001, 0.001, 0.01] LOOP
          FOREACH m IN ARRAY ARRAY[5, 10] LOOP
            DROP TABLE IF EXISTS cvb_one, cvb_one_summary;
            PERFORM corgi.train('cvb_train', 'cvb_one', 'y', 'x', 'svm', m, 'corgipile',
                                format('learning_rate=%s, decay=0.9, l2=%s, intercept=false', s, l));
            SELECT accuracy INTO acc FROM corgi.evaluate('cvb_one', 'cvb_valid');
            INSERT INTO cvb_scores VALUES (s, l, m, acc);
          END LOOP;
        END LOOP;
      END LOOP;
      DROP TABLE cvb_train, cvb_valid;
    END LOOP;
    SELECT format('init_stepsize=%s, lambda=%s, max_iter=%s', cs, cl, cm) INTO best
      FROM cvb_scores GROUP BY cs, cl, cm ORDER BY avg(cacc) DESC LIMIT 1;
    INSERT INTO cv_times VALUES ('MADlib''s way (36 corgi.train + corgi.evaluate)', r, extract(epoch FROM clock_timestamp() - t0), best);
    DROP TABLE cvb_scores;
  END LOOP;
END $$;
\echo '== svm_classification cross-validation on bench_':rows' (3 folds, 6 combinations x max_iter [5, 10]), ':rounds' interleaved rounds'
SELECT way, round(percentile_cont(0.5) WITHIN GROUP (ORDER BY seconds)::numeric, 2) AS median_seconds,
       round((percentile_cont(0.5) WITHIN GROUP (ORDER BY seconds)
              / (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY seconds) FROM cv_times WHERE way LIKE 'MADlib%'))::numeric, 2) AS of_madlibs_way,
       min(best) AS best_combination
FROM cv_times GROUP BY way ORDER BY 2;
DROP TABLE cv_bench_rows;
