-- Fused visits (corgi.fit_multiple): configs that see the same rows in the same order
-- (model kind, features, classes, tuple buffer, seed) share a segment offset, and the
-- configs of one offset train in units of up to configs_per_visit that read each segment
-- once for all of them. How configs are cut into units never changes a model: 1, 3 and 8
-- configs per visit, with 0, 1 and 2 workers, give the same models bit for bit, and each
-- equals its config trained alone with corgi.train and the params fit_multiple stored.
SET client_min_messages = warning;
\set SHOW_CONTEXT never

-- Label-sorted, with rows that are skipped (NULL features) on several pages.
CREATE TABLE fv_pts AS
SELECT g AS id, g > 12000 AS label,
       CASE WHEN g % 997 = 0 THEN NULL
            ELSE ARRAY[CASE WHEN g > 12000 THEN 1 ELSE -1 END + 1.3 * sin(g * 1.7), cos(g * 0.37),
                       ((g * 7919) % 1000) / 1000.0]::float8[] END AS features
FROM generate_series(1, 24000) g ORDER BY g;
CREATE TABLE fv_configs AS
SELECT * FROM corgi.config_grid('logistic', 'learning_rate=[0.05,0.2], l2=[0,0.001], l1=[0,0.0001]')
UNION ALL SELECT 9, 'logistic', 'learning_rate=0.1, batch_size=8, average=false'
UNION ALL SELECT 10, 'logistic', 'learning_rate=0.1, seed=5'
UNION ALL SELECT 11, 'svm', 'learning_rate=0.1'
UNION ALL SELECT 12, 'svm', 'learning_rate=0.05, optimizer=adam'
UNION ALL SELECT 13, 'mlp', 'hidden_layers=[4], learning_rate=0.01'
UNION ALL SELECT 14, 'mlp', 'hidden_layers=[6,3], learning_rate=0.01, optimizer=momentum';

SELECT configs_trained, configs_diverged, segments
FROM corgi.fit_multiple('fv_pts', 'fv_c1', 'label', 'features', 'fv_configs', epochs => 2,
                        params => 'segments=4, workers=0, configs_per_visit=1');
SELECT configs_trained FROM corgi.fit_multiple('fv_pts', 'fv_c3', 'label', 'features', 'fv_configs', epochs => 2,
                                               params => 'segments=4, workers=2, configs_per_visit=3');
SELECT configs_trained FROM corgi.fit_multiple('fv_pts', 'fv_c8', 'label', 'features', 'fv_configs', epochs => 2,
                                               params => 'segments=4, workers=1');
SELECT configs_trained FROM corgi.fit_multiple('fv_pts', 'fv_c8w0', 'label', 'features', 'fv_configs', epochs => 2,
                                               params => 'segments=4, workers=0, configs_per_visit=8');

-- The offsets: one per fusion class (the seed-5 config and the svms have their own).
SELECT a.config_id, a.model_type, corgi._param(a.params, 'segment_offset') AS segment_offset,
       a.model = b.model AS c3_equal, a.model = c.model AS c8_equal, a.model = d.model AS c8w0_equal,
       a.num_rows_processed, a.num_rows_skipped, a.status
FROM fv_c1 a JOIN fv_c3 b USING (config_id) JOIN fv_c8 c USING (config_id) JOIN fv_c8w0 d USING (config_id)
ORDER BY 1;
SELECT count(DISTINCT params) = 14 AS params_distinct, bool_and(segment_order = (SELECT segment_order FROM fv_c1_info i2 WHERE i2.config_id = 1))
           FILTER (WHERE config_id <= 9) AS class_shares_visit_order
FROM fv_c1_info;

-- Each config alone, with its stored params: the same model (a linear member, an adam
-- member, a network, the config of another seed).
DO $$ DECLARE c record; same boolean; BEGIN
    FOR c IN SELECT * FROM fv_c8 WHERE config_id IN (2, 7, 10, 12, 14) ORDER BY config_id LOOP
        PERFORM corgi.train('fv_pts', 'fv_alone', 'label', 'features', c.model_type, 2, params => c.params);
        SELECT model = c.model INTO same FROM fv_alone;
        RAISE WARNING 'config % alone equal: %', c.config_id, same;
        DROP TABLE fv_alone, fv_alone_summary;
    END LOOP; END $$;

-- Fused configs learn as well as the grid did without fusing: every config's accuracy.
SELECT config_id, round((corgi.evaluate('fv_c8', 'fv_pts', config_id => config_id)).accuracy::numeric, 2) AS accuracy
FROM fv_configs ORDER BY 1;

-- Errors: clear, naming the value; nothing written.
SELECT * FROM corgi.fit_multiple('fv_pts', 'fv_e', 'label', 'features', 'fv_configs', params => 'configs_per_visit=0');
SELECT * FROM corgi.fit_multiple('fv_pts', 'fv_e', 'label', 'features', 'fv_configs', params => 'configs_per_visit=2.5');
CREATE TABLE fv_configs_e AS SELECT 1 AS config_id, 'logistic' AS model, 'configs_per_visit=2' AS params;
SELECT * FROM corgi.fit_multiple('fv_pts', 'fv_e', 'label', 'features', 'fv_configs_e');
-- A fused visit holds its members' learners together: within corgi.max_buffer_mb as one.
CREATE TABLE fv_configs_big AS
SELECT * FROM corgi.config_grid('mlp', 'hidden_layers=[[500,500]], learning_rate=[0.01,0.02]');
SET corgi.max_buffer_mb = 160;
SELECT * FROM corgi.fit_multiple('fv_pts', 'fv_e', 'label', 'features', 'fv_configs_big', epochs => 1,
                                 params => 'segments=2, workers=0');
RESET corgi.max_buffer_mb;
SELECT count(*) AS leftover_tables FROM pg_class WHERE relname LIKE 'fv_e%';
