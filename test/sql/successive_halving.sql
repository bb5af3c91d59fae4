-- Successive halving (schedule => 'successive_halving'): the configs train in rungs, and
-- after each rung only the best 1/eta on the validation table go on; a config's model
-- is its config trained alone for its epochs, bit for bit.
SET client_min_messages = notice;
\set SHOW_CONTEXT never
CREATE TABLE sh_pts AS
SELECT g AS id, (sin(g * 0.37) + 0.5 * cos(g * 1.3) > 0.2) AS label,
       ARRAY[sin(g * 0.37), cos(g * 1.3), (g % 11) / 10.0]::float8[] AS features
FROM generate_series(1, 12000) g ORDER BY label, g;
CREATE TABLE sh_val AS SELECT * FROM sh_pts WHERE id % 4 = 0;
CREATE TABLE sh_cfg AS SELECT * FROM corgi.config_grid('logistic', 'learning_rate=[0.001,0.003,0.01,0.03,0.1,0.3,1,3,10]');

-- 9 configs, eta 3, at most 9 epochs: rungs end in epochs 1 (3 go on), 3 (1 goes on) and 9.
SELECT configs_trained FROM corgi.fit_multiple('sh_pts', 'sh', 'label', 'features', 'sh_cfg', 9,
                                               params => 'segments=4', validation_table => 'sh_val',
                                               schedule => 'successive_halving', schedule_params => 'eta=3') \gset
SELECT status, count(*), min(num_epochs) AS epochs FROM sh GROUP BY status ORDER BY 2 DESC;
SELECT config_id, cardinality(epoch_loss) AS epochs_run FROM sh_info ORDER BY config_id;
-- The ones that went on were the best on the validation table at the end of the rung.
SELECT bool_and(went_on = (rank <= 3)) AS rung_1_kept_the_best FROM (
    SELECT cardinality(i.epoch_loss) > 1 AS went_on,
           row_number() OVER (ORDER BY i.validation_metric[1] DESC, i.config_id) AS rank
    FROM sh_info i) r;
SELECT bool_and(went_on = (rank = 1)) AS rung_2_kept_the_best FROM (
    SELECT cardinality(i.epoch_loss) > 3 AS went_on,
           row_number() OVER (ORDER BY i.validation_metric[3] DESC, i.config_id) AS rank
    FROM sh_info i WHERE cardinality(i.epoch_loss) >= 3) r;
-- Replay: the survivor, and a config stopped at rung 1, trained alone for their epochs.
SELECT config_id AS survivor, params AS survivor_params FROM sh WHERE status = 'ok' \gset
SELECT epochs_run FROM corgi.train('sh_pts', 'sh_alone', 'label', 'features', 'logistic', 9, params => :'survivor_params');
SELECT (SELECT model FROM sh WHERE status = 'ok') = (SELECT model FROM sh_alone) AS survivor_same_model;
SELECT params AS stopped_params FROM sh WHERE status = 'stopped at rung 1' ORDER BY config_id LIMIT 1 \gset
SELECT epochs_run FROM corgi.train('sh_pts', 'sh_one', 'label', 'features', 'logistic', 1, params => :'stopped_params');
SELECT (SELECT model FROM sh WHERE params = :'stopped_params') = (SELECT model FROM sh_one) AS stopped_same_model;

-- Hyperband: brackets of successive halving over the same workers. eta 3 and 9 epochs:
-- 17 configs in brackets of 9 (rungs end in epochs 1, 3, 9), 5 (3, 9) and 3 (9); the 9
-- configs of sh_cfg split 5, 3 and 1 (Hyperband's proportions).
CREATE TABLE hb_cfg AS SELECT * FROM corgi.config_grid('logistic', 'learning_rate=[0.001, 3, log], l2=[0, 0.001]',
                                                        search => 'random', n => 17, seed => 5);
SELECT configs_trained FROM corgi.fit_multiple('sh_pts', 'hb', 'label', 'features', 'hb_cfg', 9,
                                               params => 'segments=4', validation_table => 'sh_val',
                                               schedule => 'hyperband');
SELECT status, count(*), min(num_epochs) AS epochs FROM hb GROUP BY status ORDER BY 1;
SELECT params AS hb_params FROM hb WHERE status = 'stopped at rung 1 of bracket 2' ORDER BY config_id LIMIT 1 \gset
SELECT epochs_run FROM corgi.train('sh_pts', 'hb_alone', 'label', 'features', 'logistic', 3, params => :'hb_params');
SELECT (SELECT model FROM hb WHERE params = :'hb_params') = (SELECT model FROM hb_alone) AS bracket_2_same_model;
SELECT configs_trained FROM corgi.fit_multiple('sh_pts', 'hb9', 'label', 'features', 'sh_cfg', 9,
                                               params => 'segments=4', validation_table => 'sh_val',
                                               schedule => 'hyperband');
SELECT status, count(*) FROM hb9 GROUP BY status ORDER BY 1;

-- Grouped: each group's configs halve on their own, by the group's validation metric;
-- a (config, group) that survives is, bit for bit, that config's grouped corgi.train
-- with its stored params (the groups hop as one bundle, as in fit_multiple).
CREATE TABLE sh_grp AS SELECT id % 2 AS g, * FROM sh_pts;
CREATE TABLE sh_grp_val AS SELECT * FROM sh_grp WHERE id % 4 = 0;
SELECT configs_trained FROM corgi.fit_multiple('sh_grp', 'shg', 'label', 'features', 'sh_cfg', 9,
                                               params => 'segments=4', validation_table => 'sh_grp_val',
                                               schedule => 'successive_halving', grouping_cols => 'g');
SELECT g, status, count(*), min(num_epochs) AS epochs FROM shg GROUP BY 1, 2 ORDER BY 1, 2;
SELECT g, config_id AS survivor FROM shg WHERE status = 'ok' ORDER BY g;
SELECT params AS shg_params, config_id AS shg_config FROM shg WHERE status = 'ok' AND g = 0 \gset
SELECT epochs_run FROM corgi.train('sh_grp', 'shg_alone', 'label', 'features', 'logistic', 9, params => :'shg_params',
                                   grouping_cols => 'g');
SELECT (SELECT model FROM shg_alone WHERE g = 0) = (SELECT model FROM shg WHERE g = 0 AND config_id = :shg_config)
       AS group_survivor_same_model;
SELECT num_failed_groups FROM shg_summary;

-- The schedule itself (MADlib's hyperband_schedule): the paper's table for R=81, eta=3,
-- and the split of 27 configs over the brackets of R=9.
SELECT * FROM corgi.hyperband_schedule(81);
SELECT bracket, configs FROM corgi.hyperband_schedule(9, configs => 27) WHERE rung = 1;
SELECT * FROM corgi.hyperband_schedule(9, eta => 1);
SELECT * FROM corgi.hyperband_schedule(9, configs => 2);

-- Errors: clear, nothing written.
SELECT * FROM corgi.fit_multiple('sh_pts', 'sh_e', 'label', 'features', 'sh_cfg', 9, schedule => 'successive_halving');
CREATE TABLE sh_cfg_two AS SELECT * FROM sh_cfg WHERE config_id <= 2;
SELECT * FROM corgi.fit_multiple('sh_pts', 'sh_e', 'label', 'features', 'sh_cfg_two', 9, validation_table => 'sh_val',
                                 schedule => 'hyperband');
SELECT * FROM corgi.fit_multiple('sh_pts', 'sh_e', 'label', 'features', 'sh_cfg', 9, validation_table => 'sh_val',
                                 schedule => 'successive_halving', schedule_params => 'eta=1');
SELECT * FROM corgi.fit_multiple('sh_pts', 'sh_e', 'label', 'features', 'sh_cfg', 9, validation_table => 'sh_val',
                                 schedule => 'grid', schedule_params => 'eta=3');
CREATE TABLE sh_mixed AS SELECT 1 AS config_id, 'logistic' AS model, '' AS params UNION ALL SELECT 2, 'linear', '';
SELECT * FROM corgi.fit_multiple('sh_pts', 'sh_e', 'label', 'features', 'sh_mixed', 9, validation_table => 'sh_val',
                                 schedule => 'successive_halving');
SELECT count(*) AS nothing_written FROM pg_class WHERE relname LIKE 'sh\_e%';
