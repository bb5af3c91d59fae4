-- corgi demo: model selection with corgi.fit_multiple (Model Hopper Parallelism on
-- parallel workers), then grouped learning (one model per group in one pass).
\set ON_ERROR_STOP on
\pset footer off
SET client_min_messages = warning;
SET search_path = public, corgi;

-- 200,000 rows x 10 features, sorted by label; a store column of 4 stores.
SELECT setseed(0.3);
DROP TABLE IF EXISTS demo_sel, demo_configs, demo_models, demo_models_info, demo_models_summary,
                     demo_stores, demo_stores_groups, demo_stores_summary;
CREATE TABLE demo_sel AS
SELECT g AS id, g % 4 AS store, g > 100000 AS label,
       ARRAY(SELECT (CASE WHEN j <= 4 THEN (CASE WHEN g > 100000 THEN 0.25 ELSE -0.25 END) ELSE 0 END)
                    + random() + random() - 1 FROM generate_series(1, 10) j WHERE g > 0)::float8[] AS features
FROM generate_series(1, 200000) g;

\echo
\echo 'Six configurations: a grid of logistic regressions, an SVM and a small MLP:'
CREATE TABLE demo_configs AS
SELECT * FROM corgi.config_grid('logistic', 'learning_rate=[0.01,0.1], l2=[0,0.001]')
UNION ALL SELECT 5, 'svm', 'learning_rate=0.01'
UNION ALL SELECT 6, 'mlp', 'hidden_layers=[16]';
SELECT * FROM demo_configs ORDER BY config_id;

\echo 'All trained at once: each epoch every model visits every segment of the table once,'
\echo 'the models hop between the leader and a parallel worker, the data never moves:'
SELECT configs_trained, workers_launched, segments
FROM corgi.fit_multiple('demo_sel', 'demo_models', 'label', 'features', 'demo_configs', epochs => 3,
                        params => 'workers=1, block_mb=0.25');
SELECT m.config_id, m.model_type, round(e.accuracy::numeric, 4) AS accuracy, round(m.training_seconds::numeric, 2) AS seconds
FROM demo_models m, LATERAL corgi.evaluate('demo_models', 'demo_sel', config_id => m.config_id) e ORDER BY 1;

\echo 'One logistic model per store, all stores in one block-shuffled pass per epoch:'
SELECT epochs_run, rows_per_epoch
FROM corgi.train('demo_sel', 'demo_stores', 'label', 'features', 'logistic', 3,
                 params => 'block_mb=0.25', grouping_cols => 'store');
SELECT store, status, num_rows_processed FROM demo_stores ORDER BY store;
SELECT group_key, rows, round(accuracy::numeric, 4) AS accuracy FROM corgi.evaluate('demo_stores', 'demo_sel');
