-- Model hopping over the partitions of a partitioned table (the one-server half of
-- test/multinode/run.sh, which puts the partitions on other servers): each leaf
-- partition is a segment, read where it lives; a job is corgi.train_pass over the whole
-- partition. The errors a user meets.
SET client_min_messages = warning;
\set SHOW_CONTEXT never

-- Range partitions, each sorted by label (the order CorgiPile exists for).
CREATE TABLE part_pts (id integer, label boolean, features float8[]) PARTITION BY RANGE (id);
CREATE TABLE part_pts_a PARTITION OF part_pts FOR VALUES FROM (1) TO (10001);
CREATE TABLE part_pts_b PARTITION OF part_pts FOR VALUES FROM (10001) TO (20001);
CREATE TABLE part_pts_c PARTITION OF part_pts FOR VALUES FROM (20001) TO (30001);
INSERT INTO part_pts
SELECT g, (x1 + 2 * x2 > 0.1) <> (abs(sin(g * 7.0)) < 0.1), ARRAY[x1, x2, sin(g * 0.31)]::float8[]
FROM (SELECT g, sin(g * 1.3) AS x1, cos(g * 0.7) AS x2 FROM generate_series(1, 30000) g) s
ORDER BY 2, 1;
CREATE TABLE part_configs AS
SELECT * FROM corgi.config_grid('logistic', 'learning_rate=[0.05,0.2]')
UNION ALL SELECT 3, 'mlp', 'hidden_layers=[8], learning_rate=0.01, batch_size=16';

-- The segments: the leaf partitions in the order of their bounds.
SELECT corgi._segment_tables('part_pts');

-- fit_multiple: 3 segments (the partitions), every row once per epoch, accurate.
SELECT configs_trained, configs_diverged, segments
FROM corgi.fit_multiple('part_pts', 'part_models', 'label', 'features', 'part_configs', epochs => 3);
SELECT path, segments, servers, remote_jobs, state_bytes_moved FROM part_models_summary;
SELECT config_id, epoch_rows, segment_order FROM part_models_info ORDER BY 1;
SELECT m.config_id, e.rows, e.accuracy > 0.85 AS accurate
FROM part_models m, LATERAL corgi.evaluate('part_models', 'part_pts', config_id => m.config_id) e ORDER BY 1;

-- Local partitions hop on this server's parallel workers too: the same models for 0 and
-- 1 worker (1 and 2 processes).
SELECT configs_trained, workers_launched >= 1 AS worker_ran
FROM corgi.fit_multiple('part_pts', 'part_w1', 'label', 'features', 'part_configs', epochs => 3, params => 'workers=1');
SELECT configs_trained, workers_launched
FROM corgi.fit_multiple('part_pts', 'part_w0', 'label', 'features', 'part_configs', epochs => 3, params => 'workers=0');
SELECT a.config_id, a.model = b.model AS w0_equal, a.model = c.model AS w1_equal
FROM part_models a JOIN part_w0 b USING (config_id) JOIN part_w1 c USING (config_id) ORDER BY 1;

-- Each config alone with the params fit_multiple stored: the same model, bit for bit.
SELECT params FROM part_models WHERE config_id = 2;
SELECT epochs_run FROM corgi.train('part_pts', 'part_alone2', 'label', 'features', 'logistic', 3,
                                   params => (SELECT params FROM part_models WHERE config_id = 2));
SELECT (SELECT model FROM part_alone2) = (SELECT model FROM part_models WHERE config_id = 2) AS alone_equal,
       (SELECT training_path FROM part_alone2_summary) AS path;

-- Successive halving over the partitions: the same rungs as on one table (the epoch loop
-- is the same), the survivor's model its params trained alone.
SELECT configs_trained FROM corgi.fit_multiple('part_pts', 'part_sh', 'label', 'features', 'part_configs', epochs => 4,
                                               validation_table => 'part_pts', schedule => 'successive_halving',
                                               schedule_params => 'eta=2');
SELECT status, count(*) FROM part_sh GROUP BY status ORDER BY 1;
SELECT config_id, cardinality(epoch_loss) AS epochs_run FROM part_sh_info ORDER BY 1;
SELECT epochs_run FROM corgi.train('part_pts', 'part_sh_alone', 'label', 'features',
                                   (SELECT model_type FROM part_sh WHERE status = 'ok'), 4,
                                   params => (SELECT params FROM part_sh WHERE status = 'ok'));
SELECT (SELECT model FROM part_sh_alone) = (SELECT model FROM part_sh WHERE status = 'ok') AS survivor_alone_equal;

-- A job is corgi.train_pass over the whole partition, bit for bit.
SELECT (corgi._train_segment('part_pts_b', 'features', 'label', s, true)).state = corgi.train_pass('part_pts_b', 'features', 'label', s, true) AS job_is_train_pass
FROM (SELECT corgi.sgd_state('logistic', 3, 1000, corgi.normalize_params('')) s) x;

-- corgi.train without segments on local partitions keeps the composed path (rows through
-- a query, blocks shuffled within each partition).
SELECT epochs_run FROM corgi.train('part_pts', 'part_composed', 'label', 'features', 'logistic', 1);
SELECT training_path FROM part_composed_summary;

-- Errors --------------------------------------------------------------------------
-- segments must count the partitions.
SELECT * FROM corgi.fit_multiple('part_pts', 'part_bad', 'label', 'features', 'part_configs', params => 'segments=4');
SELECT * FROM corgi.train('part_pts', 'part_bad', 'label', 'features', 'logistic', params => 'segments=2');
-- Partitions are read as tables: plain columns only.
SELECT * FROM corgi.fit_multiple('part_pts', 'part_bad', 'label', 'ARRAY[features[1], features[2]]', 'part_configs');
-- Grouped with segments over partitions, a config's groups hop as one bundle (regress
-- grouped_model_selection): keys must be columns, as over one table's segments.
SELECT * FROM corgi.train('part_pts', 'part_bad', 'label', 'features', 'logistic', params => 'segments=3',
                          grouping_cols => 'id % 2');
-- Row-level security on the partitioned table applies to a user: its partitions are not read around it.
CREATE ROLE corgi_part_reader;
GRANT USAGE ON SCHEMA corgi TO corgi_part_reader;
GRANT SELECT ON part_pts, part_configs TO corgi_part_reader;
GRANT CREATE ON SCHEMA public TO corgi_part_reader;
ALTER TABLE part_pts ENABLE ROW LEVEL SECURITY;
CREATE POLICY part_some ON part_pts FOR SELECT USING (id % 2 = 0);
SET ROLE corgi_part_reader;
SELECT * FROM corgi.fit_multiple('part_pts', 'part_rls', 'label', 'features', 'part_configs');
RESET ROLE;
ALTER TABLE part_pts DISABLE ROW LEVEL SECURITY;
-- An empty partitioned table.
CREATE TABLE part_none (id integer, label boolean, features float8[]) PARTITION BY RANGE (id);
SELECT * FROM corgi.fit_multiple('part_none', 'part_bad', 'label', 'features', 'part_configs');
-- Crafted calls of the internal function: a view, a partition twice, mismatched offsets.
CREATE VIEW part_view AS SELECT * FROM part_pts_a;
SELECT corgi._hop_partitions('{part_view}', 'features', 'label', ARRAY[s], '{0}', 1, true, 0)
FROM (SELECT corgi.sgd_state('logistic', 3, 1000, corgi.normalize_params('')) s) x;
SELECT corgi._hop_partitions('{part_pts_a,part_pts_a}', 'features', 'label', ARRAY[s], '{0}', 1, true, 0)
FROM (SELECT corgi.sgd_state('logistic', 3, 1000, corgi.normalize_params('')) s) x;
SELECT corgi._hop_partitions('{part_pts_a}', 'features', 'label', ARRAY[s], '{0,1}', 1, true, 0)
FROM (SELECT corgi.sgd_state('logistic', 3, 1000, corgi.normalize_params('')) s) x;
SELECT count(*) AS left_behind FROM pg_class WHERE relname LIKE 'part_bad%' OR relname LIKE 'part_rls%';
SELECT corgi.debug_swift_objects() AS swift_objects;

DROP OWNED BY corgi_part_reader;
DROP ROLE corgi_part_reader;
