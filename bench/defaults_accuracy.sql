-- Accuracy of the default parameters against the best a linear model can do, on
-- generated logistic data with a known Bayes limit (psql variable: rows).
--
-- Data: 28 standard-normal features, label ~ Bernoulli(sigmoid(w*.x + 0.25)) with
-- |w*| = 3.05 spread over all 28 features, so the Bayes accuracy is about 0.839 (the
-- issue's 1M x 28 case). Two training tables with the same rows: one in random order,
-- one sorted by label (the clustered case CorgiPile is for); one independent test
-- table. Accuracy is measured on the test table after each epoch (validation_table).
\set ON_ERROR_STOP on
SET client_min_messages = warning;
SET max_parallel_workers_per_gather = 0;

SELECT set_config('bench.rows', :'rows', false) AS rows_setting \gset
\set train_random logit_ :rows _random
\set train_sorted logit_ :rows _sorted
\set test_table logit_ :rows _test
SELECT to_regclass(:'train_random') IS NULL AS must_build \gset
\if :must_build
SELECT setseed(0.839);
CREATE TEMP TABLE logit_w AS
SELECT array_agg(w * 3.05 / norm ORDER BY j) AS w
FROM (SELECT j, w, sqrt(sum(w * w) OVER ()) AS norm
      FROM (SELECT j, (CASE WHEN j % 2 = 0 THEN -1 ELSE 1 END) / sqrt(j)::float8 AS w
            FROM generate_series(1, 28) j) s) t;
-- One row per draw: features, the true probability, and a label drawn from it.
CREATE FUNCTION pg_temp.logit_rows(n bigint) RETURNS TABLE (features float8[], p float8, label int)
LANGUAGE sql AS $$
  WITH x AS (
    SELECT g, ARRAY(SELECT sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random())
                    FROM generate_series(1, 28) WHERE g > 0) AS f
    FROM generate_series(1, n) g),
  z AS (SELECT f, 0.25 + (SELECT sum(a * b) FROM unnest(f, logit_w.w) t(a, b)) AS z FROM x, logit_w)
  SELECT f, 1 / (1 + exp(-z)), (random() < 1 / (1 + exp(-z)))::int FROM z $$;
CREATE TEMP TABLE logit_draws AS SELECT * FROM pg_temp.logit_rows(:rows);
CREATE TABLE :"test_table" AS SELECT * FROM pg_temp.logit_rows(:rows / 5);
CREATE TABLE :"train_random" AS SELECT label, features FROM logit_draws ORDER BY random();
CREATE TABLE :"train_sorted" AS SELECT label, features FROM logit_draws ORDER BY label, random();
DROP TABLE logit_draws;
VACUUM ANALYZE :"train_random", :"train_sorted", :"test_table";
\endif

\echo '== logistic data,' :rows 'training rows, 28 features; accuracy on an independent test table'
SELECT round(avg(greatest(p, 1 - p))::numeric, 4) AS bayes_accuracy,
       round(avg(((p > 0.5)::int = label)::int)::numeric, 4) AS true_model_accuracy
FROM :"test_table";

CREATE TEMP TABLE accuracy_result (model text, data text, config text, epoch int, accuracy float8);
DO $$ DECLARE
  m text; d text; c record;
  src text; test text := format('logit_%s_test', current_setting('bench.rows'));
BEGIN
  FOREACH m IN ARRAY ARRAY['logistic', 'svm'] LOOP
    FOREACH d IN ARRAY ARRAY['random', 'sorted'] LOOP
      src := format('logit_%s_%s', current_setting('bench.rows'), d);
      FOR c IN SELECT * FROM (VALUES ('defaults', ''),
                                     ('average=false', 'average=false'),
                                     ('lr=0.01, average=false', 'learning_rate=0.01, average=false'),
                                     ('lr=0.01', 'learning_rate=0.01')) v(name, params) LOOP
        DROP TABLE IF EXISTS acc_m, acc_m_summary;
        PERFORM corgi.train(src, 'acc_m', 'label', 'features', m, 10, 'corgipile',
                            concat_ws(', ', nullif(c.params, ''), 'validation_table=' || test));
        INSERT INTO accuracy_result
        SELECT m, d, c.name, e, validation_metric[e] FROM acc_m_summary, generate_series(1, epochs) e;
      END LOOP;
    END LOOP;
  END LOOP;
  DROP TABLE IF EXISTS acc_m, acc_m_summary;
END $$;

SELECT model, data, config,
       round(max(accuracy) FILTER (WHERE epoch = 1)::numeric, 4) AS epoch_1,
       round(max(accuracy) FILTER (WHERE epoch = 2)::numeric, 4) AS epoch_2,
       round(max(accuracy) FILTER (WHERE epoch = 3)::numeric, 4) AS epoch_3,
       round(max(accuracy) FILTER (WHERE epoch = 10)::numeric, 4) AS epoch_10,
       round(min(accuracy)::numeric, 4) AS worst_epoch
FROM accuracy_result GROUP BY model, data, config ORDER BY model, data, config;
