-- corgi.fit_multiple: Model Hopper Parallelism on parallel workers. The models are the
-- same bit for bit whatever the number of workers launched (none included), and each
-- equals its config trained alone with corgi.train and the params fit_multiple stored.
SET client_min_messages = warning;
\set SHOW_CONTEXT never

-- A label-sorted table (all negatives first): contiguous segments would hand a model one
-- class at a time, segments drawn from blocks do not.
CREATE TABLE hop_pts AS
SELECT g AS id, g > 30000 AS label,
       ARRAY[CASE WHEN g > 30000 THEN 1 ELSE -1 END + 1.2 * sin(g * 1.7), cos(g * 0.37), ((g * 7919) % 1000) / 1000.0]::float8[] AS features
FROM generate_series(1, 60000) g ORDER BY g;
CREATE TABLE hop_configs AS
SELECT * FROM corgi.config_grid('logistic', 'learning_rate=[0.05,0.5], l2=[0,0.001]')
UNION ALL SELECT 5, 'svm', 'learning_rate=0.1'
UNION ALL SELECT 6, 'mlp', 'hidden_layers=[8], learning_rate=0.01, batch_size=32';

SELECT configs_trained, configs_diverged, workers_launched, segments, training_seconds > 0 AS timed
FROM corgi.fit_multiple('hop_pts', 'hop_w0', 'label', 'features', 'hop_configs', epochs => 2,
                        params => 'workers=0, segments=4, seed=11');
SELECT configs_trained, configs_diverged, workers_launched >= 1 AS workers_ran, segments
FROM corgi.fit_multiple('hop_pts', 'hop_w2', 'label', 'features', 'hop_configs', epochs => 2,
                        params => 'workers=2, segments=4, seed=11');
SELECT configs_trained
FROM corgi.fit_multiple('hop_pts', 'hop_w1', 'label', 'features', 'hop_configs', epochs => 2,
                        params => 'segments=4, seed=11, workers=1');
-- The workers as the call's argument (over params' workers=0).
SELECT configs_trained, workers_launched >= 1 AS workers_ran
FROM corgi.fit_multiple('hop_pts', 'hop_wa', 'label', 'features', 'hop_configs', epochs => 2,
                        params => 'workers=0, segments=4, seed=11', workers => 2);
SELECT workers_requested FROM hop_wa_summary;
-- Bit for bit, with 0, 1 and 2 workers.
SELECT a.config_id, a.model_type, a.model = b.model AS w1_equal, a.model = c.model AS w2_equal,
       a.model = d.model AS argument_equal, a.status, a.num_rows_processed, a.num_epochs, cardinality(a.layers) AS layers
FROM hop_w0 a JOIN hop_w1 b USING (config_id) JOIN hop_w2 c USING (config_id) JOIN hop_wa d USING (config_id) ORDER BY 1;

-- Each config alone, with the params fit_multiple stored (segments, segment_offset,
-- segment_seed): the same model.
SELECT params FROM hop_w2 WHERE config_id = 2;
SELECT * FROM corgi.train('hop_pts', 'hop_alone2', 'label', 'features', 'logistic', 2,
                          params => (SELECT params FROM hop_w2 WHERE config_id = 2)) \gset
SELECT * FROM corgi.train('hop_pts', 'hop_alone6', 'label', 'features', 'mlp', 2,
                          params => (SELECT params FROM hop_w2 WHERE config_id = 6)) \gset
SELECT (SELECT model FROM hop_alone2) = (SELECT model FROM hop_w2 WHERE config_id = 2) AS logistic_alone_equal,
       (SELECT model FROM hop_alone6) = (SELECT model FROM hop_w2 WHERE config_id = 6) AS mlp_alone_equal;

-- Accuracy on the sorted table: every config within 0.5 point of the same config
-- trained alone with plain corgipile (no segments).
DO $$ DECLARE c record; BEGIN
    FOR c IN SELECT * FROM hop_configs ORDER BY config_id LOOP
        PERFORM corgi.train('hop_pts', 'hop_plain' || c.config_id, 'label', 'features', c.model, 2, 'corgipile',
                            c.params || ', seed=11');
    END LOOP; END $$;
SELECT c.config_id, round(h.accuracy::numeric, 2) AS accuracy,
       h.accuracy >= p.accuracy - 0.005 AS within_half_a_point_of_alone
FROM hop_configs c, LATERAL corgi.evaluate('hop_w2', 'hop_pts', config_id => c.config_id) h,
     LATERAL corgi.evaluate('hop_plain' || c.config_id, 'hop_pts') p ORDER BY 1;

-- The info and summary tables.
SELECT config_id, cardinality(epoch_loss) AS epochs, epoch_rows, array_dims(segment_order) AS segment_order_dims,
       (SELECT array_agg(DISTINCT s ORDER BY s) FROM unnest(segment_order) s) AS segments_visited
FROM hop_w2_info ORDER BY 1;
SELECT (SELECT segment_order FROM hop_w2_info WHERE config_id = 1) = (corgi.hop_order(6, 4, 11, 0))[1:1][1:4]
           || (corgi.hop_order(6, 4, 11, 1))[1:1][1:4] AS info_order_is_hop_order;
SELECT source_table, num_configs, model_types, shuffle, params, seed, segments, epochs, workers_requested,
       cardinality(workers_launched) AS epochs_logged, num_diverged
FROM hop_w2_summary;

-- Prediction and evaluation pick a config; without one, the error says how.
SELECT rows FROM corgi.evaluate('hop_w2', 'hop_pts', config_id => 5);
SELECT corgi.predict_table('hop_w2', 'hop_pts', 'id', 'hop_pred6', config_id => 6);
SELECT count(*) FILTER (WHERE class IS NOT NULL) AS classified FROM hop_pred6;
SELECT corgi.model_predict(m.model, ARRAY[2, 0, 0.5]) AS idiom FROM hop_w2 m WHERE config_id = 1;
SELECT * FROM corgi.evaluate('hop_w2', 'hop_pts');
SELECT corgi.predict('hop_w2', ARRAY[2, 0, 0.5]);
SELECT * FROM corgi.evaluate('hop_w2', 'hop_pts', config_id => 9);
SELECT * FROM corgi.evaluate('hop_alone2', 'hop_pts', config_id => 1);

-- Validation per config and epoch; a diverging config is set aside, the others finish.
CREATE TABLE hop_lin AS SELECT g AS id, 3.0 * g + 1 AS y, ARRAY[g * 1000.0]::float8[] AS x FROM generate_series(1, 5000) g;
CREATE TABLE hop_lin_configs (config_id integer, model text, params text);
INSERT INTO hop_lin_configs VALUES (1, 'linear', 'learning_rate=1e-14'), (2, 'linear', 'learning_rate=10');
SELECT configs_trained, configs_diverged FROM corgi.fit_multiple('hop_lin', 'hop_lin_m', 'y', 'x', 'hop_lin_configs',
    epochs => 3, params => 'segments=2, workers=1', validation_table => 'hop_lin');
SELECT config_id, status, num_epochs, validation_metric_name, validation_metric IS NOT NULL AS validated FROM hop_lin_m ORDER BY 1;
SELECT config_id, cardinality(epoch_loss) AS epochs_logged, cardinality(validation_metric) AS validations FROM hop_lin_m_info ORDER BY 1;

-- A temporary table is read by the leader alone (workers cannot read its buffers).
CREATE TEMP TABLE hop_tmp AS SELECT * FROM hop_pts;
SELECT workers_launched FROM corgi.fit_multiple('hop_tmp', 'hop_tmp_m', 'label', 'features', 'hop_configs',
                                                epochs => 1, params => 'workers=2, segments=4, seed=11');
SELECT (SELECT model FROM hop_tmp_m WHERE config_id = 3) = corgi.sgd_end_epoch(((corgi._hop_epoch('hop_pts', 'features', 'label',
           ARRAY[(corgi._train_prepare('hop_pts', 'x_none', 'label', 'features', 'logistic', 1, 'corgipile',
                  (SELECT params FROM hop_w2 WHERE config_id = 3), 'public')).state],
           ARRAY[corgi._param((SELECT params FROM hop_w2 WHERE config_id = 3), 'segment_offset')::integer], 4, 11, true, 0)).states)[1])
       AS temp_table_same_as_a_plain_table;

-- Errors: clear, naming the value; nothing written.
SELECT * FROM corgi.fit_multiple('hop_pts', 'hop_e', 'label', 'features', 'no_such_configs');
CREATE TABLE hop_bad_cols (id integer, model text, params text);
SELECT * FROM corgi.fit_multiple('hop_pts', 'hop_e', 'label', 'features', 'hop_bad_cols');
CREATE TABLE hop_cfg_e (config_id integer, model text, params text);
SELECT * FROM corgi.fit_multiple('hop_pts', 'hop_e', 'label', 'features', 'hop_cfg_e');
INSERT INTO hop_cfg_e VALUES (1, 'logistic', ''), (1, 'svm', '');
SELECT * FROM corgi.fit_multiple('hop_pts', 'hop_e', 'label', 'features', 'hop_cfg_e');
UPDATE hop_cfg_e SET config_id = 2, model = NULL WHERE model = 'svm';
SELECT * FROM corgi.fit_multiple('hop_pts', 'hop_e', 'label', 'features', 'hop_cfg_e');
UPDATE hop_cfg_e SET model = 'forest' WHERE config_id = 2;
SELECT * FROM corgi.fit_multiple('hop_pts', 'hop_e', 'label', 'features', 'hop_cfg_e');
UPDATE hop_cfg_e SET model = 'logistic', params = 'learning_rate=-1' WHERE config_id = 2;
SELECT * FROM corgi.fit_multiple('hop_pts', 'hop_e', 'label', 'features', 'hop_cfg_e');
UPDATE hop_cfg_e SET params = 'l2=0, WORKERS=3' WHERE config_id = 2;
SELECT * FROM corgi.fit_multiple('hop_pts', 'hop_e', 'label', 'features', 'hop_cfg_e');
UPDATE hop_cfg_e SET params = 'block_mb=0.5' WHERE config_id = 2;
SELECT * FROM corgi.fit_multiple('hop_pts', 'hop_e', 'label', 'features', 'hop_cfg_e', epochs => 1);
UPDATE hop_cfg_e SET params = '' WHERE config_id = 2;
SELECT * FROM corgi.fit_multiple('hop_pts', 'hop_e', 'label', 'features', 'hop_cfg_e', params => 'segments=0');
SELECT * FROM corgi.fit_multiple('hop_pts', 'hop_e', 'label', 'features', 'hop_cfg_e', params => 'workers=-1');
SELECT * FROM corgi.fit_multiple('hop_pts', 'hop_e', 'label', 'features', 'hop_cfg_e', shuffle => 'once');
SELECT * FROM corgi.fit_multiple('hop_pts', 'hop_w2', 'label', 'features', 'hop_cfg_e');
SELECT * FROM corgi.fit_multiple('hop_pts', 'hop_e', 'label', 'features', NULL);
CREATE VIEW hop_view AS SELECT * FROM hop_pts;
SELECT * FROM corgi.fit_multiple('hop_pts_view_does_not_exist', 'hop_e', 'label', 'features', 'hop_cfg_e');
SELECT * FROM corgi.fit_multiple('hop_view', 'hop_e', 'label', 'features', 'hop_cfg_e');
SELECT * FROM corgi.train('hop_view', 'hop_e', 'label', 'features', params => 'segments=4');
SELECT * FROM corgi.train('hop_pts', 'hop_e', 'label', 'features', params => 'segment_offset=1');
SELECT * FROM corgi.train('hop_pts', 'hop_e', 'label', 'features', params => 'segments=4, segment_offset=4');
CREATE TABLE hop_rls AS SELECT * FROM hop_pts;
ALTER TABLE hop_rls ENABLE ROW LEVEL SECURITY;
CREATE POLICY hop_rls_half ON hop_rls USING (id % 2 = 0);
CREATE ROLE corgi_hop_reader;
GRANT SELECT ON hop_rls, hop_cfg_e TO corgi_hop_reader;
GRANT CREATE ON SCHEMA public TO corgi_hop_reader;
GRANT USAGE ON SCHEMA corgi TO corgi_hop_reader;
SET ROLE corgi_hop_reader;
SELECT * FROM corgi.fit_multiple('hop_rls', 'hop_e', 'label', 'features', 'hop_cfg_e');
RESET ROLE;
REVOKE CREATE ON SCHEMA public FROM corgi_hop_reader;
REVOKE USAGE ON SCHEMA corgi FROM corgi_hop_reader;
DROP OWNED BY corgi_hop_reader;
DROP ROLE corgi_hop_reader;
-- A row no model can use, deep in the table: whichever process meets it (the leader or a
-- worker), the call fails with its message.
CREATE TABLE hop_bad_row AS SELECT * FROM hop_pts;
-- (VACUUM: from 16, a bulk insert leaves empty pages at a table's end, where the rows
-- written next would land; without them they land where they do on 15.)
VACUUM hop_bad_row;
UPDATE hop_bad_row SET features = ARRAY[1, 2] WHERE id = 45678;
SELECT * FROM corgi.fit_multiple('hop_bad_row', 'hop_e', 'label', 'features', 'hop_configs', epochs => 1,
                                 params => 'workers=2, segments=4');
SELECT count(*) AS nothing_written FROM pg_class WHERE relname LIKE 'hop\_e%';

-- Crafted calls of the internal epoch: refused, not crashed.
SELECT corgi._hop_epoch('hop_pts', 'features', 'label', ARRAY[NULL::bytea], ARRAY[0], 4, 1, true, 0);
SELECT corgi._hop_epoch('hop_pts', 'features', 'label', ARRAY['\x00'::bytea], ARRAY[0], 4, 1, true, 0);
SELECT corgi._hop_epoch('hop_pts', 'features', 'label', ARRAY[(SELECT model FROM hop_w0 WHERE config_id = 1)], ARRAY[0, 1], 4, 1, true, 0);
SELECT corgi._hop_epoch('hop_pts', 'features', 'label', ARRAY[(SELECT model FROM hop_w0 WHERE config_id = 1)], ARRAY[7], 4, 1, true, 0);
SELECT corgi._hop_epoch('hop_pts', 'features', 'label', ARRAY[(SELECT model FROM hop_w0 WHERE config_id = 1)], ARRAY[0], 0, 1, true, 0);
SELECT corgi._hop_epoch('hop_pts', 'features', 'label', '{}'::bytea[], '{}'::integer[], 4, 1, true, 0);
SELECT corgi._hop_epoch('hop_pts', 'features', 'label', ARRAY[(SELECT model FROM hop_w0 WHERE config_id = 1),
                        (SELECT model FROM hop_tmp_m WHERE config_id = 1)], ARRAY[0, 1], 4, 1, true, 0);

-- Cancel: a statement_timeout stops the leader and every worker; none is left behind.
CREATE TABLE hop_big AS SELECT g > 500000 AS label, ARRAY[g % 7, g % 11, g % 13]::float8[] AS features
FROM generate_series(1, 1000000) g;
SET statement_timeout = '400ms';
SELECT * FROM corgi.fit_multiple('hop_big', 'hop_cancel', 'label', 'features', 'hop_configs', epochs => 50,
                                 params => 'workers=2, segments=4');
RESET statement_timeout;
SELECT pg_sleep(0.3);
SELECT count(*) AS parallel_workers_left FROM pg_stat_activity WHERE backend_type = 'parallel worker';
\i test/data/backend_threads.sql
SELECT to_regclass('hop_cancel') IS NULL AS nothing_written, corgi.debug_swift_objects() AS swift_objects_held,
       pg_temp.backend_threads() AS backend_threads;
-- The cancelled call's progress row is gone, and the next call in this session (whose
-- row counts would go through a dangling shared counter if the cancel had left one)
-- trains and reports normally.
SELECT count(*) AS progress_rows_left FROM corgi.training_progress WHERE pid = pg_backend_pid();
SELECT configs_trained FROM corgi.fit_multiple('hop_pts', 'hop_after_cancel', 'label', 'features', 'hop_configs',
                                               epochs => 1, params => 'workers=2, segments=4');
