-- corgi.fit_multiple with grouping_cols: every config trains one model per group, and a
-- config's groups hop over the segments together (one bundle), so the table is read once
-- per config per epoch whatever the number of groups. With one group the models are bit
-- for bit those of fit_multiple without grouping; they do not depend on the number of
-- workers; a group a config cannot train is reported, not fatal.
SET client_min_messages = warning;
-- Errors are the spec: their messages, details and hints (not PL/pgSQL line numbers).
\set SHOW_CONTEXT never
SET max_parallel_workers = 4;
SET corgi.max_workers = 2;
-- Fixed-width rows filling whole pages: fit_multiple sizes an ungrouped model's buffer
-- from the page count, exact here, as a group's buffer is sized from its own count.
CREATE TABLE gms_all AS
SELECT g AS id, 1 AS one, CASE WHEN g % 10 = 9 THEN 99 ELSE g % 3 END AS store,
       CASE WHEN g % 10 = 9 THEN true ELSE sin(g * 0.37) + (g % 3) * 0.2 > 0.3 END AS label,
       ARRAY[sin(g * 0.37), cos(g * 1.3), (g % 11) / 10.0]::float8[] AS features
FROM generate_series(1, 40000) g;
SELECT count(*) AS per_page FROM gms_all WHERE ctid < '(1,0)' \gset
CREATE TABLE gms AS SELECT * FROM gms_all WHERE id <= :per_page * 40;
-- (VACUUM: from 16, a bulk insert leaves empty pages at a table's end, where the rows
-- written next would land; without them they land where they do on 15.)
VACUUM gms;
SELECT count(*) = :per_page * (pg_relation_size('gms') / current_setting('block_size')::int) AS whole_pages,
       pg_relation_size('gms') / current_setting('block_size')::int AS pages FROM gms;
CREATE TABLE gms_configs AS
SELECT * FROM corgi.config_grid('logistic', 'learning_rate=[0.1,0.3]')
UNION ALL SELECT 3, 'svm', 'l2=0.001'
UNION ALL SELECT 4, 'mlp', 'hidden_layers=[4], learning_rate=0.05';

-- One group: the same models as without grouping, bit for bit.
SELECT configs_trained, configs_diverged, segments
FROM corgi.fit_multiple('gms', 'gms_u', 'label', 'features', 'gms_configs', epochs => 2, params => 'segments=3, workers=0');
SELECT configs_trained, configs_diverged, segments
FROM corgi.fit_multiple('gms', 'gms_one', 'label', 'features', 'gms_configs', epochs => 2, params => 'segments=3, workers=0',
                        grouping_cols => 'one');
SELECT u.config_id, u.model = g.model AS same_model, g.one, g.status, g.num_epochs
FROM gms_u u JOIN gms_one g USING (config_id) ORDER BY 1;

-- Groups: store 99 has one class (failed for the classifiers); the models do not depend
-- on the workers; each group's model is accurate on its own rows.
SELECT configs_trained, configs_diverged, segments
FROM corgi.fit_multiple('gms', 'gms_w0', 'label', 'features', 'gms_configs', epochs => 3, params => 'segments=3, workers=0',
                        grouping_cols => 'store');
SELECT configs_trained, configs_diverged, workers_launched >= 1 AS workers_ran, segments
FROM corgi.fit_multiple('gms', 'gms_w2', 'label', 'features', 'gms_configs', epochs => 3, params => 'segments=3, workers=2',
                        grouping_cols => 'store');
SELECT a.config_id, a.store, a.model_type, a.status, a.model IS NOT DISTINCT FROM b.model AS same_for_any_workers,
       a.num_rows_processed, a.num_epochs
FROM gms_w0 a JOIN gms_w2 b USING (config_id, store) ORDER BY 1, 2;
SELECT m.config_id, m.store, avg(((corgi.model_predict(m.model, d.features) > 0.5) = d.label)::int) > 0.9 AS accurate
FROM gms_w0 m JOIN gms d USING (store) WHERE m.model IS NOT NULL AND m.model_type IN ('logistic', 'mlp')
GROUP BY 1, 2 ORDER BY 1, 2;
SELECT config_id, epoch_rows, num_groups_trained, num_failed_groups, array_length(segment_order, 1) AS epochs_ordered, array_length(segment_order, 2) AS segments_each
FROM gms_w0_info ORDER BY 1;
SELECT num_configs, grouping_cols, grouping_columns, num_all_groups, num_failed_groups, path, segments, epochs
FROM gms_w0_summary;

-- Scoring a config's groups: config_id picks it (the table holds every config's groups).
SELECT rows, accuracy > 0.9 AS accurate, group_key FROM corgi.evaluate('gms_w0', 'gms', config_id => 1);
SELECT corgi.predict_table('gms_w0', 'gms', 'id', 'gms_pred', config_id => 4) AS rows_scored;
SELECT count(*) AS rows, count(prediction) AS predicted, count(*) FILTER (WHERE store = 99) AS of_the_failed_group
FROM gms_pred JOIN gms USING (id);
SELECT * FROM corgi.evaluate('gms_w0', 'gms');
SELECT * FROM corgi.evaluate('gms_w0', 'gms', config_id => 7);
SELECT * FROM corgi.predict_table('gms_w0', 'gms', 'id', 'gms_pred2');

-- A validation table: each epoch every config's groups score its rows by group; a
-- group's last validation equals corgi.evaluate of its model, the overall one too.
CREATE TABLE gms_val AS SELECT * FROM gms_all WHERE id % 7 = 0;
SELECT configs_trained FROM corgi.fit_multiple('gms', 'gms_v', 'label', 'features', 'gms_configs', epochs => 2,
                                               params => 'segments=3', validation_table => 'gms_val', grouping_cols => 'store');
SELECT v.config_id, v.store, v.validation_metric_name,
       v.validation_loss = e.loss AND v.validation_metric IS NOT DISTINCT FROM e.accuracy AS equals_evaluate
FROM gms_v v, LATERAL corgi.evaluate('gms_v', 'gms_val', config_id => v.config_id) e
WHERE e.group_key = format('(%s)', v.store) AND v.model IS NOT NULL
ORDER BY 1, 2;
SELECT i.config_id, cardinality(i.validation_loss) AS epochs_validated,
       i.validation_loss[2] = e.loss AS overall_equals_evaluate
FROM gms_v_info i, LATERAL corgi.evaluate('gms_v', 'gms_val', config_id => i.config_id) e
WHERE e.group_key IS NULL ORDER BY 1;
SELECT validation_table FROM gms_v_summary;
CREATE TABLE gms_val_nokey AS SELECT id, label, features FROM gms_val;
SELECT * FROM corgi.fit_multiple('gms', 'gms_e', 'label', 'features', 'gms_configs', grouping_cols => 'store',
                                 validation_table => 'gms_val_nokey');

-- Errors: nothing is written.
SELECT * FROM corgi.fit_multiple('gms', 'gms_e', 'label', 'features', 'gms_configs', grouping_cols => 'store % 2');
SELECT * FROM corgi.fit_multiple('gms', 'gms_e', 'label', 'features', 'gms_configs', grouping_cols => 'store, store');
SELECT * FROM corgi.fit_multiple('gms', 'gms_e', 'label', 'features', 'gms_configs', grouping_cols => ' ');
CREATE TABLE gms_named AS SELECT id, store AS model, label, features FROM gms;
SELECT * FROM corgi.fit_multiple('gms_named', 'gms_e', 'label', 'features', 'gms_configs', grouping_cols => 'model');
CREATE TABLE gms_one_class AS SELECT id, store, true AS label, features FROM gms;
CREATE TABLE gms_linear AS SELECT 1 AS config_id, 'logistic' AS model, '' AS params;
SELECT * FROM corgi.fit_multiple('gms_one_class', 'gms_e', 'label', 'features', 'gms_linear', grouping_cols => 'store');
-- Over local partitions (0.9.0) the partitions are the segments and a config's groups hop
-- over them as one bundle; a partition may order its columns otherwise than its parent
-- (each visit routes rows by the partition's own columns).
CREATE TABLE gms_parts (id int, store int, label boolean, features float8[]) PARTITION BY HASH (id);
CREATE TABLE gms_parts_0 PARTITION OF gms_parts FOR VALUES WITH (MODULUS 2, REMAINDER 0);
CREATE TABLE gms_parts_1 (features float8[], label boolean, store int, id int);
ALTER TABLE gms_parts ATTACH PARTITION gms_parts_1 FOR VALUES WITH (MODULUS 2, REMAINDER 1);
INSERT INTO gms_parts SELECT id, store, label, features FROM gms ORDER BY id;
SELECT configs_trained, configs_diverged, segments
FROM corgi.fit_multiple('gms_parts', 'gms_p0', 'label', 'features', 'gms_configs', epochs => 2, grouping_cols => 'store',
                        workers => 0);
SELECT configs_trained, workers_launched >= 1 AS workers_ran
FROM corgi.fit_multiple('gms_parts', 'gms_p2', 'label', 'features', 'gms_configs', epochs => 2, grouping_cols => 'store',
                        workers => 2);
SELECT path, segments, num_all_groups FROM gms_p0_summary;
-- The same bits with 0 and 2 workers; every group sees its rows in each epoch.
SELECT a.config_id, a.store, a.status, a.num_rows_processed, a.model = b.model AS same_bits
FROM gms_p0 a JOIN gms_p2 b USING (config_id, store) ORDER BY 1, 2;
-- A config alone, with the params it stored (segments, offset, seed: its visits), as a
-- grouped corgi.train over the same partitions: the same models.
SELECT params FROM gms_p0 WHERE config_id = 2 LIMIT 1 \gset
SELECT epochs_run FROM corgi.train('gms_parts', 'gms_pr', 'label', 'features', 'logistic', 2, params => :'params',
                                   grouping_cols => 'store');
SELECT training_path FROM gms_pr_summary;
SELECT count(*) FILTER (WHERE a.model = b.model) AS replayed, count(*) AS groups
FROM gms_p0 a JOIN gms_pr b USING (store) WHERE a.config_id = 2 AND a.status = 'ok';

-- Crafted calls of the internal pieces.
SELECT corgi._unbundle('\x00'::bytea);
SELECT corgi._unbundle('\x434742310100000000000000'::bytea);
SELECT corgi._bundle(ARRAY[2, 1], ARRAY[(SELECT model FROM gms_w0 WHERE config_id = 1 AND store = 0),
                                         (SELECT model FROM gms_w0 WHERE config_id = 1 AND store = 1)]);
SELECT corgi._bundle(ARRAY[0], ARRAY[NULL::bytea]);
SELECT (corgi._unbundle(corgi._bundle(ARRAY[0, 5], ARRAY[m0.model, m1.model]))).groups
FROM gms_w0 m0, gms_w0 m1 WHERE m0.config_id = 1 AND m0.store = 0 AND m1.config_id = 1 AND m1.store = 1;
SELECT (corgi._hop_groups_epoch('gms', 'features', 'label', ARRAY['store']::name[], ARRAY['0', '1'],
        ARRAY[corgi._bundle(ARRAY[7], ARRAY[(SELECT model FROM gms_w0 WHERE config_id = 1 AND store = 0)])],
        ARRAY[0], 2, 1, true, 0)).seconds;
SELECT (corgi._hop_groups_epoch('gms', 'features', 'label', ARRAY['nope']::name[], ARRAY['0'],
        ARRAY[corgi._bundle(ARRAY[0], ARRAY[(SELECT model FROM gms_w0 WHERE config_id = 1 AND store = 0)])],
        ARRAY[0], 2, 1, true, 0)).seconds;

-- Cancel in the middle: nothing written, no Swift object, no thread left.
CREATE TABLE gms_big AS SELECT g AS id, g % 10 AS grp, g % 3 = 0 AS label, ARRAY[g % 7, g % 11, g % 13]::float8[] AS features
FROM generate_series(1, 400000) g;
SET statement_timeout = '1500ms';
SELECT * FROM corgi.fit_multiple('gms_big', 'gms_cancel', 'label', 'features', 'gms_configs', epochs => 100,
                                 params => 'segments=3', grouping_cols => 'grp');
RESET statement_timeout;
\i test/data/backend_threads.sql
SELECT to_regclass('gms_cancel') IS NULL AS nothing_written, corgi.debug_swift_objects() AS swift_objects_held,
       pg_temp.backend_threads() AS backend_threads;
-- The same over local partitions with two workers: the cancel reaches the workers' visits.
CREATE TABLE gms_big_parts (id int, grp int, label boolean, features float8[]) PARTITION BY HASH (id);
CREATE TABLE gms_big_parts_0 PARTITION OF gms_big_parts FOR VALUES WITH (MODULUS 3, REMAINDER 0);
CREATE TABLE gms_big_parts_1 PARTITION OF gms_big_parts FOR VALUES WITH (MODULUS 3, REMAINDER 1);
CREATE TABLE gms_big_parts_2 PARTITION OF gms_big_parts FOR VALUES WITH (MODULUS 3, REMAINDER 2);
INSERT INTO gms_big_parts SELECT * FROM gms_big;
SET statement_timeout = '1500ms';
SELECT * FROM corgi.fit_multiple('gms_big_parts', 'gms_cancel_p', 'label', 'features', 'gms_configs', epochs => 100,
                                 grouping_cols => 'grp', workers => 2);
RESET statement_timeout;
SELECT to_regclass('gms_cancel_p') IS NULL AS nothing_written, corgi.debug_swift_objects() AS swift_objects_held,
       pg_temp.backend_threads() AS backend_threads,
       (SELECT count(*) FROM pg_stat_activity WHERE leader_pid = pg_backend_pid() AND pid <> pg_backend_pid()) AS workers_left;
