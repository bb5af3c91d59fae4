-- Model selection, first piece: corgi.config_grid builds the configs table (every
-- combination, first key slowest), each configuration checked for its model.
SET client_min_messages = warning;
\set SHOW_CONTEXT never

SELECT * FROM corgi.config_grid('logistic', 'learning_rate=[0.01,0.1,0.5], l2=[0,0.0001]');
SELECT * FROM corgi.config_grid('mlp', 'hidden_layers=[[32],[64,32]], activation=[relu,tanh], seed=7');
SELECT count(*) FROM corgi.config_grid('svm', '');

-- Every configuration trains: three of them, one corgi.train each (fit_multiple will run
-- them as hopping models).
CREATE TABLE grid_pts AS SELECT g % 2 = 0 AS label, ARRAY[(g % 2) * 2 - 1 + (g % 7) / 7.0, (g % 5) / 5.0]::float8[] AS features
FROM generate_series(1, 2000) g;
CREATE TABLE configs AS SELECT * FROM corgi.config_grid('logistic', 'learning_rate=[0.01,0.1,0.5], seed=3');
DO $$ DECLARE c record; BEGIN
    FOR c IN SELECT * FROM configs ORDER BY config_id LOOP
        PERFORM corgi.train('grid_pts', 'grid_m' || c.config_id, 'label', 'features', c.model, 2, 'corgipile', c.params);
    END LOOP; END $$;
SELECT c.config_id, c.params, e.accuracy > 0.9 AS accurate
FROM configs c, LATERAL corgi.evaluate('grid_m' || c.config_id, 'grid_pts') e ORDER BY 1;
SELECT (SELECT params FROM grid_m3_summary) LIKE 'learning_rate=0.5,%seed=3,%' AS third_config_trained_as_given;

-- Errors name the configuration and the value.
SELECT * FROM corgi.config_grid('logistic', 'learning_rate=[0.1,-1]');
SELECT * FROM corgi.config_grid('logistic', 'l2=[]');
SELECT * FROM corgi.config_grid('logistic', 'hidden_layers=[[8]]');
SELECT * FROM corgi.config_grid('forest', 'l2=[0]');

-- A model's visit to a segment: corgi.train_blocks reads the listed blocks in the listed
-- order. All blocks in ascending order, arrival-order buffer: the same model as a plain
-- pass, bit for bit; and two visits (the even blocks, then the odd ones) train the same
-- weights as one visit to the same blocks in the same order (only the buffer counter,
-- which seeds shuffles, differs: a segment boundary flushes the buffer).
CREATE TABLE seg_pts AS SELECT g % 2 = 0 AS label, ARRAY[(g % 2) * 2 - 1 + (g % 7) / 7.0, (g % 5) / 5.0]::float8[] AS features
FROM generate_series(1, 20000) g;
SELECT pg_relation_size('seg_pts') / 8192 AS pages \gset
CREATE TABLE seg_start AS SELECT corgi.sgd_state('logistic', 2, 100, 'seed=4, average=false', NULL, 'none') AS s;
SELECT corgi.train_blocks('seg_pts', 'features', 'label', s, ARRAY(SELECT generate_series(0, (:pages - 1) / 4))::int[], 4)
     = corgi.train_pass('seg_pts', 'features', 'label', s, false) AS blocks_equal_plain_pass
FROM seg_start;
CREATE TABLE seg_visits AS
SELECT corgi.train_blocks('seg_pts', 'features', 'label',
           corgi.train_blocks('seg_pts', 'features', 'label', s, ARRAY(SELECT generate_series(0, (:pages - 1) / 4, 2))::int[], 4),
           ARRAY(SELECT generate_series(1, (:pages - 1) / 4, 2))::int[], 4) AS two,
       corgi.train_blocks('seg_pts', 'features', 'label', s,
           ARRAY(SELECT generate_series(0, (:pages - 1) / 4, 2)) || ARRAY(SELECT generate_series(1, (:pages - 1) / 4, 2)), 4) AS one
FROM seg_start;
SELECT corgi.sgd_coef(two) = corgi.sgd_coef(one) AND corgi.sgd_intercept(two) = corgi.sgd_intercept(one) AS same_weights,
       (corgi.sgd_state_info(two)).rows_in_progress = (corgi.sgd_state_info(one)).rows_in_progress AS same_rows,
       (corgi.sgd_state_info(one)).rows_in_progress AS rows
FROM seg_visits;
SELECT (corgi.sgd_state_info(corgi.train_blocks('seg_pts', 'features', 'label', s, ARRAY[0, 999999], 4))).rows_in_progress
         = (SELECT count(*) FROM seg_pts WHERE (ctid::text::point)[0] < 4) AS past_the_end_is_empty
FROM seg_start;
SELECT corgi.train_blocks('seg_pts', 'features', 'label', s, ARRAY[-1], 4) FROM seg_start;
SELECT corgi.train_blocks('seg_pts', 'features', 'label', s, ARRAY[0], 0) FROM seg_start;
SELECT corgi.train_blocks('seg_pts', 'features', 'label', s, ARRAY[0, NULL], 4) FROM seg_start;

-- The hopping schedule and the segments, from the core (fixed by the seed).
SELECT corgi.hop_order(4, 4, 42, 0) AS order_epoch_0;
-- A Latin square: every model visits every segment once, and at each step the models
-- want different segments.
SELECT bool_and(r = '{0,1,2,3}') AS rows_are_permutations
FROM (SELECT array_agg(o ORDER BY o) AS r FROM unnest(corgi.hop_order(4, 4, 42, 0)) WITH ORDINALITY u(o, i) GROUP BY (i - 1) / 4) s;
SELECT bool_and(c = '{0,1,2,3}') AS steps_are_permutations
FROM (SELECT array_agg(o ORDER BY o) AS c FROM unnest(corgi.hop_order(4, 4, 42, 0)) WITH ORDINALITY u(o, i) GROUP BY (i - 1) % 4) s;
SELECT corgi.hop_order(4, 4, 42, 1) <> corgi.hop_order(4, 4, 42, 0) AS epochs_differ;
SELECT corgi.segment_of_blocks(10, 3, 42, 0) AS segment_of_blocks,
       (SELECT array_agg(n ORDER BY s) FROM (SELECT s, count(*) AS n FROM unnest(corgi.segment_of_blocks(10, 3, 42, 0)) s GROUP BY s) c) AS sizes;
SELECT corgi.hop_order(0, 4, 42, 0);
SELECT corgi.segment_of_blocks(-1, 3, 42, 0);

-- Random and log-scale search (corgi.config_grid(..., search => 'random')): n configs drawn
-- with a seed, the same on every call and server, from ranges and choices.
SELECT count(*) AS configs, count(DISTINCT params) AS distinct_configs,
       bool_and(split_part(split_part(params, 'learning_rate=', 2), ',', 1)::float8 BETWEEN 0.0001 AND 0.1) AS rates_in_range,
       bool_and(split_part(split_part(params, 'l2=', 2), ',', 1)::float8 BETWEEN 0 AND 0.01) AS l2_in_range,
       count(DISTINCT split_part(split_part(params, 'average=', 2), ',', 1)) AS averages
FROM corgi.config_grid('logistic', 'learning_rate=[0.0001, 0.1, log], l2=[0, 0.01], average=[true,false,true]',
                       search => 'random', n => 50, seed => 7);
SELECT (SELECT array_agg(params ORDER BY config_id) FROM corgi.config_grid('logistic', 'l2=[0, 1]', search => 'random', n => 5, seed => 3))
     = (SELECT array_agg(params ORDER BY config_id) FROM corgi.config_grid('logistic', 'l2=[0, 1]', search => 'random', n => 5, seed => 3))
       AS same_seed_same_configs;
SELECT config_id, params FROM corgi.config_grid('mlp', 'hidden_layers=[[4],[8,4]], learning_rate=[0.001, 0.01, log]',
                                                search => 'random', n => 3, seed => 1);
SELECT * FROM corgi.config_grid('logistic', 'learning_rate=[0, 0.1, log]', search => 'random', n => 3);
SELECT * FROM corgi.config_grid('logistic', 'learning_rate=[0.1, 0.01]', search => 'random', n => 3);
SELECT * FROM corgi.config_grid('logistic', 'learning_rate=[0.01,0.1]', n => 3);
SELECT * FROM corgi.config_grid('logistic', 'learning_rate=[0.01,0.1]', search => 'bayes');
SELECT * FROM corgi.config_grid('logistic', 'learning_rate=[0.01,0.1]', search => 'random', n => 0);

-- A held-out split drawn by a seed (corgi.train_test_split, MADlib's): every row once, on
-- one side, the fraction roughly kept, and the same split whatever the session's settings.
CREATE TABLE split_src AS SELECT g AS id, g % 2 = 0 AS label, ARRAY[g * 0.5, g / 3.0]::float8[] AS features
FROM generate_series(1, 10000) g;
SELECT * FROM corgi.train_test_split('split_src', 'split_train', 'split_test', 0.2, seed => 7);
SELECT (SELECT count(*) FROM split_train) + (SELECT count(*) FROM split_test) AS all_rows,
       (SELECT count(*) FROM split_train JOIN split_test USING (id)) AS on_both_sides;
SET extra_float_digits = -3;
SELECT * FROM corgi.train_test_split('split_src', 'split_train2', 'split_test2', 0.2, seed => 7);
RESET extra_float_digits;
SELECT (SELECT array_agg(id ORDER BY id) FROM split_test) = (SELECT array_agg(id ORDER BY id) FROM split_test2) AS same_split;
SELECT * FROM corgi.train_test_split('split_src', 'split_train', 'split_other', 0.2);
SELECT * FROM corgi.train_test_split('split_src', 'split_a', 'split_a', 0.2);
SELECT * FROM corgi.train_test_split('split_src', 'split_a', 'split_b', 1);
SELECT * FROM corgi.train_test_split('split_none', 'split_a', 'split_b', 0.2);
SELECT count(*) AS nothing_written FROM pg_class WHERE relname IN ('split_other', 'split_a', 'split_b');
