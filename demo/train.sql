-- corgi demo: CorgiPile training on label-sorted data, against no shuffle.
\set ON_ERROR_STOP on
\pset footer off
SET client_min_messages = warning;
SET search_path = public, corgi;

-- 200,000 rows x 10 features, stored sorted by label: all negatives, then all positives.
SELECT setseed(0.7);
DROP TABLE IF EXISTS demo_clustered, demo_none, demo_none_summary, demo_corgi, demo_corgi_summary;
CREATE TABLE demo_clustered AS
SELECT g AS id, g > 100000 AS label,
       ARRAY(SELECT (CASE WHEN j <= 4 THEN (CASE WHEN g > 100000 THEN 0.25 ELSE -0.25 END) ELSE 0 END)
                    + random() + random() - 1 FROM generate_series(1, 10) j WHERE g > 0)::float8[] AS features
FROM generate_series(1, 200000) g;

\echo
\echo 'corgi.train with shuffle => none reads the table in physical order:'
SELECT epochs_run, rows_per_epoch, round(final_loss::numeric, 4) AS progressive_loss
FROM corgi.train(source_table => 'demo_clustered', out_table => 'demo_none',
                 dependent_varname => 'label', independent_varname => 'features',
                 model => 'logistic', epochs => 3, shuffle => 'none',
                 params => 'learning_rate=0.05, block_mb=0.25');

\echo 'and with shuffle => corgipile (blocks of 0.25 MB in random order, 10% tuple buffer), verbose:'
SET client_min_messages = notice;
SELECT epochs_run, rows_per_epoch, round(final_loss::numeric, 4) AS progressive_loss
FROM corgi.train(source_table => 'demo_clustered', out_table => 'demo_corgi',
                 dependent_varname => 'label', independent_varname => 'features',
                 model => 'logistic', epochs => 3, shuffle => 'corgipile',
                 params => 'learning_rate=0.05, block_mb=0.25', verbose => true);
SET client_min_messages = warning;

\echo
\echo 'Accuracy on the table. The low progressive loss of none is the trap: it kept predicting the class it had'
\echo 'just seen. Its AUC equals corgipile''s: it learned the direction, but the last class it saw ruined its intercept.'
SELECT 'none' AS shuffle, round(accuracy::numeric, 4) AS accuracy, round(auc::numeric, 4) AS auc FROM corgi.evaluate('demo_none', 'demo_clustered')
UNION ALL
SELECT 'corgipile', round(accuracy::numeric, 4), round(auc::numeric, 4) FROM corgi.evaluate('demo_corgi', 'demo_clustered');

\echo
\echo 'The summary records everything that ran:'
\x on
SELECT model, shuffle, params, n_features, block_pages, buffer_rows, training_path, epochs,
       epoch_loss, epoch_seconds, epoch_rows FROM demo_corgi_summary;
\x off

\echo 'Predictions:'
SELECT corgi.predict('demo_corgi', ARRAY[1, 1, 1, 1, 0, 0, 0, 0, 0, 0]::float8[]) AS label_for_positive_looking_row,
       round((corgi.predict_proba('demo_corgi', ARRAY[1, 1, 1, 1, 0, 0, 0, 0, 0, 0]::float8[]))[2]::numeric, 4) AS p_positive;

\echo
\echo 'The same epoch composed from SQL operators (TABLESAMPLE block shuffle + the corgi.sgd aggregate)'
\echo 'gives the model bit for bit:'
WITH start AS (SELECT corgi.sgd_state('logistic', 10, 20000, 'learning_rate=0.05, block_mb=0.25') AS s)
SELECT (SELECT corgi.sgd(features, label::int::float8, s) FROM demo_clustered
        TABLESAMPLE corgi.corgi_block_shuffle(32) REPEATABLE (corgi.epoch_seed(42, 0)))
     = corgi.sgd_end_epoch(corgi.train_pass('demo_clustered', 'features', 'label', s)) AS composed_equals_fast_path
FROM start;
