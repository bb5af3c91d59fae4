-- Early stopping (patience, tolerance): a model stops once its validation metric has not
-- improved by more than tolerance for patience epochs in a row, and the model written
-- is its best epoch's: bit for bit the model trained for that many epochs.
SET client_min_messages = notice;
\set SHOW_CONTEXT never
CREATE TABLE es_pts AS
SELECT g AS id, (sin(g * 0.37) + 0.5 * cos(g * 1.3) > 0.2) AS label,
       ARRAY[sin(g * 0.37), cos(g * 1.3), (g % 11) / 10.0]::float8[] AS features
FROM generate_series(1, 20000) g ORDER BY label, g;
CREATE TABLE es_val AS SELECT * FROM es_pts WHERE id % 5 = 0;

-- A tolerance no epoch can beat: training stops after patience epochs past the first.
SELECT epochs_run FROM corgi.train('es_pts', 'es_m', 'label', 'features', 'logistic', 10,
                                   params => 'validation_table=es_val, patience=2, tolerance=0.5');
SELECT epochs, cardinality(epoch_loss) AS losses, cardinality(validation_metric) AS validated, params LIKE '%patience%' AS in_state_params
FROM es_m_summary;
SELECT num_epochs AS best_epoch FROM es_m \gset
SELECT :best_epoch BETWEEN 1 AND 3 AS best_epoch_run,
       (SELECT validation_metric[:best_epoch] = (SELECT max(x) FROM unnest(validation_metric) x) FROM es_m_summary)
           AS best_by_metric;
-- The best epoch's model is the model of that many epochs.
SELECT epochs_run FROM corgi.train('es_pts', 'es_ref', 'label', 'features', 'logistic', :best_epoch,
                                   params => 'validation_table=es_val');
SELECT (SELECT model FROM es_m) = (SELECT model FROM es_ref) AS same_model;
-- The validation table as the call's argument: the same model as through params.
SELECT epochs_run FROM corgi.train('es_pts', 'es_arg', 'label', 'features', 'logistic', 10,
                                   params => 'patience=2, tolerance=0.5', validation_table => 'es_val');
SELECT (SELECT model FROM es_m) = (SELECT model FROM es_arg) AS same_as_params, validation_table FROM es_arg_summary;

-- No improvement asked (tolerance 0) and a patience longer than the run: all epochs,
-- and still the best epoch's model.
SELECT epochs_run FROM corgi.train('es_pts', 'es_all', 'label', 'features', 'logistic', 3,
                                   params => 'validation_table=es_val, patience=5, tolerance=0');

-- fit_multiple: per config.
CREATE TABLE es_cfg AS SELECT * FROM corgi.config_grid('logistic', 'learning_rate=[0.05,0.2]');
SELECT configs_trained FROM corgi.fit_multiple('es_pts', 'es_fm', 'label', 'features', 'es_cfg', 10,
                                               params => 'patience=1, tolerance=0.5', validation_table => 'es_val');
SELECT config_id, status LIKE 'stopped early in epoch 2 (best epoch _)' AS stopped, num_epochs BETWEEN 1 AND 2 AS best,
       validation_metric IS NOT NULL AS validated
FROM es_fm ORDER BY config_id;
SELECT config_id, cardinality(epoch_loss) AS epochs_run, cardinality(validation_metric) AS validated FROM es_fm_info ORDER BY 1;

-- Errors: clear, nothing written.
SELECT * FROM corgi.train('es_pts', 'es_e', 'label', 'features', 'logistic', 3, params => 'patience=2');
SELECT * FROM corgi.train('es_pts', 'es_e', 'label', 'features', 'logistic', 3, params => 'tolerance=0.1');
SELECT * FROM corgi.train('es_pts', 'es_e', 'label', 'features', 'logistic', 3, params => 'patience=0, validation_table=es_val');
CREATE TABLE es_grp AS SELECT id % 3 AS g, * FROM es_pts;
SELECT * FROM corgi.train('es_grp', 'es_e', 'label', 'features', 'logistic', 3,
                          params => 'patience=2, validation_table=es_grp', grouping_cols => 'g');
SELECT count(*) AS nothing_written FROM pg_class WHERE relname LIKE 'es\_e%';
