-- Grouped learning: corgi.train(..., grouping_cols) trains one model per group, all groups
-- in one block-shuffled pass per epoch. Each group's model is the model trained alone on
-- its rows in the same order; the fast path (heap pages), the composed path (grouping
-- expressions) and the batches of a small memory budget give the same models.
SET client_min_messages = warning;
\set SHOW_CONTEXT never

CREATE TABLE grp AS
SELECT g AS id, g % 4 AS store, CASE WHEN g % 3 = 0 THEN 'north' ELSE 'south' END AS region,
       (sin(g * 0.37) + 0.5 * cos(g * 1.3) + (g % 4) * 0.1 > 0.2) AS label,
       ARRAY[sin(g * 0.37), cos(g * 1.3), (g % 11) / 10.0]::float8[] AS features
FROM generate_series(1, 24000) g ORDER BY label, g;
-- (VACUUM: from 16, a bulk insert leaves empty pages at a table's end, where the rows
-- written next would land; without them they land where they do on 15.)
VACUUM grp;
-- A NULL store (a group of its own), a group of one class, a group without usable rows.
INSERT INTO grp SELECT 100000 + g, NULL, 'east', g % 2 = 0, ARRAY[sin(g), cos(g), 0.5] FROM generate_series(1, 40) g;
INSERT INTO grp SELECT 200000 + g, 9, 'west', true, ARRAY[sin(g), cos(g), 0.5] FROM generate_series(1, 30) g;
INSERT INTO grp SELECT 300000 + g, 8, 'west', true, NULL FROM generate_series(1, 5) g;

SELECT epochs_run, rows_per_epoch FROM corgi.train('grp', 'grp_m', 'label', 'features', 'logistic', 2,
                                                   grouping_cols => 'store, region');
SELECT store, region, status, num_rows_processed, num_epochs, coef IS NOT NULL AS has_coef, model_type
FROM grp_m ORDER BY store NULLS LAST, region;
SELECT store, region, num_rows, batch, cardinality(epoch_loss) AS epochs, epoch_rows FROM grp_m_groups
ORDER BY store NULLS LAST, region;
SELECT grouping_cols, grouping_columns, num_all_groups, num_failed_groups, num_batches, training_path, rows_per_epoch
FROM grp_m_summary;

-- Each group alone: CorgiPile's block order of the whole table, its rows only, its own
-- buffer (sized from its rows) and the run's seed: the same model, bit for bit.
DO $$ DECLARE st bytea; n bigint; info record; k record; same boolean; all_same boolean := true; BEGIN
  FOR k IN SELECT store, region FROM grp_m WHERE status = 'ok' AND store IS NOT NULL LOOP
    SELECT count(*) INTO n FROM grp WHERE store = k.store AND region = k.region;
    st := corgi.sgd_state('logistic', 3, corgi._buffer_rows('corgipile', n, 0.1, 3, 64, 1024), (SELECT params FROM grp_m_summary), NULL, 'shuffle');
    FOR e IN 1..2 LOOP
      info := corgi.sgd_state_info(st);
      SELECT corgi.sgd(features, label::int::float8, st) INTO st
      FROM grp TABLESAMPLE corgi.corgi_block_shuffle(info.block_pages) REPEATABLE (info.block_seed)
      WHERE store = k.store AND region = k.region;
    END LOOP;
    same := st = (SELECT model FROM grp_m WHERE store = k.store AND region = k.region);
    all_same := all_same AND same;
  END LOOP;
  RAISE WARNING 'every group equals its group trained alone: %', all_same;
END $$;

-- The composed path (a grouping expression) routes the same rows the same way.
SELECT 1 FROM corgi.train('grp', 'grp_c', 'label', 'features', 'logistic', 2, grouping_cols => 'store + 0, region');
SELECT training_path FROM grp_c_summary;
SELECT count(*) AS groups, count(*) FILTER (WHERE m.model = c.model) AS equal
FROM grp_m m JOIN grp_c c ON c.store_0 IS NOT DISTINCT FROM m.store AND c.region = m.region WHERE m.status = 'ok';
-- A small memory budget: the groups train in batches (one scan each), the same weights
-- (the states differ only in the max_buffer_mb they record).
-- Both with CorgiPile's partial buffers (full_shuffle_mb=0): a full buffer is taken
-- only within max_buffer_mb, so the budget would otherwise change the buffers.
SELECT 1 FROM corgi.train('grp', 'grp_p', 'label', 'features', 'logistic', 2, params => 'full_shuffle_mb=0',
                          grouping_cols => 'store, region');
SELECT 1 FROM corgi.train('grp', 'grp_b', 'label', 'features', 'logistic', 2, params => 'max_buffer_mb=0.05, full_shuffle_mb=0',
                          grouping_cols => 'store, region');
SELECT num_batches FROM grp_b_summary;
SELECT count(*) AS groups, count(*) FILTER (WHERE m.coef = b.coef AND m.intercept = b.intercept AND m.loss = b.loss) AS equal
FROM grp_p m JOIN grp_b b ON b.store IS NOT DISTINCT FROM m.store AND b.region = m.region WHERE m.status = 'ok';

-- Other models and shuffles.
SELECT 1 FROM corgi.train('grp', 'grp_mlp', 'label', 'features', 'mlp', 1, params => 'hidden_layers=[4]',
                          grouping_cols => 'region');
SELECT region, status, layers FROM grp_mlp ORDER BY region;
SELECT 1 FROM corgi.train('grp', 'grp_lin', 'id', 'features', 'linear', 1, 'none', params => 'learning_rate=0.01',
                          grouping_cols => 'region');
SELECT region, status FROM grp_lin ORDER BY region;
SELECT 1 FROM corgi.train('grp', 'grp_once', 'label', 'features', 'svm', 1, 'once', grouping_cols => 'store');
SELECT store, status FROM grp_once ORDER BY store NULLS LAST;

-- Validation per group and epoch (one pass over the validation table per epoch), and overall.
SELECT 1 FROM corgi.train('grp', 'grp_v', 'label', 'features', 'logistic', 2, params => 'validation_table=grp',
                          grouping_cols => 'store, region');
SELECT store, region, cardinality(validation_metric) AS epochs_validated, validation_metric[2] > 0.9 AS accurate
FROM grp_v_groups WHERE status = 'ok' ORDER BY store NULLS LAST, region;
SELECT validation_table, cardinality(validation_loss) AS epochs, validation_metric_name,
       round(validation_metric[2]::numeric, 2) AS overall_accuracy,
       validation_metric[2] = (SELECT accuracy FROM corgi.evaluate('grp_v', 'grp') WHERE group_key IS NULL) AS equals_evaluate
FROM grp_v_summary;

-- Prediction and evaluation by group; rows of a group without a model get NULL.
SELECT corgi.predict_table('grp_m', 'grp', 'id', 'grp_pred');
SELECT count(*) AS scored, count(*) FILTER (WHERE p.prediction IS NULL) AS without_model
FROM grp_pred p;
SELECT group_key, rows, round(accuracy::numeric, 2) AS accuracy FROM corgi.evaluate('grp_m', 'grp') ORDER BY group_key NULLS LAST;
SELECT count(*) AS correct_by_join FROM grp d JOIN grp_m m ON m.store = d.store AND m.region = d.region
WHERE m.status = 'ok' AND corgi.model_predict(m.model, d.features) = d.label::int;

SELECT corgi.predict_label('grp_m', ARRAY[1, 0, 0.5]);

-- Errors: clear, nothing written.
SELECT * FROM corgi.train('grp', 'grp_e', 'label', 'features', grouping_cols => 'shop');
SELECT * FROM corgi.train('grp', 'grp_e', 'label', 'features', grouping_cols => ' ');
SELECT * FROM corgi.train('grp', 'grp_e', 'label', 'features', grouping_cols => 'store,');
SELECT * FROM corgi.train('grp', 'grp_e', 'label', 'features', grouping_cols => 'store % 2', params => 'segments=4');
CREATE TABLE grp_one AS SELECT * FROM grp WHERE store = 9;
SELECT * FROM corgi.train('grp_one', 'grp_e', 'label', 'features', grouping_cols => 'store');
CREATE TABLE grp_named AS SELECT id, label, features, store AS model FROM grp;
SELECT * FROM corgi.train('grp_named', 'grp_e', 'label', 'features', grouping_cols => 'model');
SELECT * FROM corgi.train('grp', 'grp_m', 'label', 'features', grouping_cols => 'store');
-- A row no model can use, met in the middle of a pass: the error names it, the groups'
-- worker thread is joined, the next grouped call runs.
CREATE TABLE grp_bad AS SELECT * FROM grp;
VACUUM grp_bad;
UPDATE grp_bad SET features = ARRAY[1, 2] WHERE id = 12345;
SELECT * FROM corgi.train('grp_bad', 'grp_e', 'label', 'features', grouping_cols => 'store');
\i test/data/backend_threads.sql
SELECT corgi.debug_swift_objects() AS swift_objects_held,
       pg_temp.backend_threads() AS backend_threads;
SELECT count(*) AS nothing_written FROM pg_class WHERE relname LIKE 'grp\_e%';
-- A non-finite feature, then a label a classifier cannot take, in one group's row of the
-- fast path (checked before the row is staged for the worker): the row is named, nothing
-- is written, the worker is joined.
UPDATE grp_bad SET features = ARRAY[1, 'Infinity', 3]::float8[] WHERE id = 12345;
SELECT * FROM corgi.train('grp_bad', 'grp_e', 'label', 'features', grouping_cols => 'store');
CREATE TABLE grp_bad_label AS SELECT id, store, CASE WHEN id = 777 THEN 2 ELSE label::int END AS label, features FROM grp;
SELECT * FROM corgi.train('grp_bad_label', 'grp_e', 'label', 'features', 'svm', grouping_cols => 'store');
SELECT corgi.debug_swift_objects() AS swift_objects_held,
       pg_temp.backend_threads() AS backend_threads;
SELECT count(*) AS nothing_written FROM pg_class WHERE relname LIKE 'grp\_e%';
-- Crafted calls of the internal pieces.
SELECT corgi._train_groups('grp', 'features', 'label', ARRAY['store']::name[], ARRAY['1'], ARRAY[NULL::bytea], true);
SELECT corgi._train_groups('grp', 'features', 'label', ARRAY['nope']::name[], ARRAY['1'],
                           ARRAY[(SELECT model FROM grp_m WHERE store = 1 AND region = 'north')], true);
SELECT corgi._train_groups('grp', 'features', 'label', ARRAY['store']::name[], ARRAY['1', '1'],
                           ARRAY[(SELECT model FROM grp_m WHERE store = 1 AND region = 'north')], true);
SELECT corgi._train_groups('grp', 'features', 'label', ARRAY['store']::name[], ARRAY['x'],
                           ARRAY[(SELECT model FROM grp_m WHERE store = 1 AND region = 'north')], true);
SELECT corgi._group_index(ROW(2, 'south'::text), ARRAY['1', 'north', '2', 'south']), corgi._group_index(ROW(3, 'x'::text), ARRAY['1', 'north']),
       corgi._group_index(ROW(NULL::int), ARRAY['1', NULL]);

-- With segments the groups hop as one bundle: the same models, bit for bit, as that
-- config of a grouped corgi.fit_multiple (its stored params replay it), with validation.
CREATE TABLE grp_cfg AS SELECT 1 AS config_id, 'logistic' AS model, 'learning_rate=0.05' AS params;
SELECT configs_trained FROM corgi.fit_multiple('grp', 'grp_fm', 'label', 'features', 'grp_cfg', 2,
                                               params => 'segments=3', validation_table => 'grp',
                                               grouping_cols => 'store, region');
SELECT DISTINCT params AS fm_params FROM grp_fm \gset
SELECT epochs_run FROM corgi.train('grp', 'grp_seg', 'label', 'features', 'logistic', 2, params => :'fm_params',
                                   grouping_cols => 'store, region');
SELECT count(*) AS groups, count(*) FILTER (WHERE s.model IS NOT DISTINCT FROM f.model) AS same_models,
       count(*) FILTER (WHERE s.status = f.status) AS same_status
FROM grp_seg s JOIN grp_fm f ON f.store IS NOT DISTINCT FROM s.store AND f.region = s.region;
SELECT g.store, g.region, g.batch, cardinality(g.epoch_loss) AS epochs, g.epoch_rows, g.status,
       g.validation_loss IS NOT NULL AS validated
FROM grp_seg_groups g ORDER BY g.store NULLS LAST, g.region;
SELECT num_batches, cardinality(validation_loss) AS validated_epochs, loss IS NOT NULL AS has_loss FROM grp_seg_summary;

-- Cancel in the middle of the epochs: nothing written, no Swift object, no thread left
-- (the groups' shared worker thread is joined).
CREATE TABLE grp_big AS SELECT g AS id, g % 10 AS grp, g % 3 = 0 AS label, ARRAY[g % 7, g % 11, g % 13]::float8[] AS features
FROM generate_series(1, 600000) g;
SET statement_timeout = '1500ms';
SELECT * FROM corgi.train('grp_big', 'grp_cancel', 'label', 'features', epochs => 100, grouping_cols => 'grp');
RESET statement_timeout;
SELECT to_regclass('grp_cancel') IS NULL AS nothing_written, corgi.debug_swift_objects() AS swift_objects_held,
       pg_temp.backend_threads() AS backend_threads;
