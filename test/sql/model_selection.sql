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
