-- The findings of a hostile test of 0.5.0 that a single server shows (the others are in
-- test/multinode, test/concurrency and test/memory), each as its reproduction.
--
-- Model, summary and configs tables are read with the caller's rights, so corgi reads
-- them only where that runs no SQL another role wrote: plain or partitioned tables, a
-- summary owned by its model table's owner, no other role's row-level security, stored
-- columns of their own types. 0.5.0 let a superuser's corgi.evaluate run ALTER ROLE ...
-- SUPERUSER through a view named "<model>_summary"; each attack of that report is here,
-- and each must leave the attacker an ordinary role.
SET client_min_messages = warning;
\set SHOW_CONTEXT never
CREATE TABLE st_pts AS SELECT g AS id, g % 2 = 0 AS label, ARRAY[g % 5, g % 7]::float8[] AS features,
    g % 3 AS g3 FROM generate_series(1, 300) g;
SELECT epochs_run FROM corgi.train('st_pts', 'churn_m', 'label', 'features', 'logistic', 1);
SELECT epochs_run FROM corgi.train('st_pts', 'churn_g', 'label', 'features', 'logistic', 1, grouping_cols => 'g3');
CREATE TABLE st_configs AS SELECT * FROM corgi.config_grid('logistic', 'learning_rate=[0.1]');
-- The victim renames its models: "<new name>_summary" is free for anybody to take.
ALTER TABLE churn_m RENAME TO prod_model;
ALTER TABLE churn_g RENAME TO prod_grouped;
CREATE ROLE mallet NOSUPERUSER LOGIN;
CREATE ROLE vera NOSUPERUSER LOGIN;
CREATE SCHEMA mallet_s AUTHORIZATION mallet;
GRANT CREATE ON SCHEMA public TO mallet;
GRANT USAGE ON SCHEMA corgi TO mallet, vera;
GRANT SELECT ON st_pts TO mallet, vera;
SET ROLE mallet;
CREATE TABLE mallet_s.hits (who text);
GRANT INSERT, SELECT ON mallet_s.hits TO PUBLIC;
-- Runs as whoever reads a view or a policy that calls it: a superuser makes mallet one.
CREATE FUNCTION mallet_s.pwn() RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO mallet_s.hits VALUES (current_user);
    IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        ALTER ROLE mallet SUPERUSER;
    END IF;
    RETURN 'features';
END $$;
CREATE VIEW public.prod_model_summary AS
    SELECT 'label'::text AS dependent_varname, mallet_s.pwn() AS independent_varname;
CREATE VIEW public.prod_grouped_summary AS
    SELECT ARRAY['g3']::text[] AS grouping_columns, 'label'::text AS dependent_varname,
           mallet_s.pwn() AS independent_varname;
-- mallet's own model, and "model" and "configs" tables that are views.
SELECT epochs_run FROM corgi.train('st_pts', 'mallet_s.real_model', 'label', 'features', 'logistic', 1);
CREATE VIEW mallet_s.view_model AS SELECT model, model_type, classes, mallet_s.pwn() AS x FROM mallet_s.real_model;
CREATE VIEW mallet_s.view_configs AS SELECT 1 AS config_id, 'logistic'::text AS model, mallet_s.pwn() AS params;
GRANT USAGE ON SCHEMA mallet_s TO PUBLIC;
GRANT SELECT ON ALL TABLES IN SCHEMA mallet_s TO PUBLIC;
RESET ROLE;

-- The superuser evaluates and scores its own renamed models: the views are refused.
SELECT rows FROM corgi.evaluate('prod_model', 'st_pts');
SELECT rows FROM corgi.evaluate('prod_grouped', 'st_pts');
SELECT corgi.predict_table('prod_model', 'st_pts', 'id', 'st_scored');
SELECT corgi.predict_table('prod_grouped', 'st_pts', 'id', 'st_scored');
-- Passing the variables does not make another role's summary trusted.
SELECT rows FROM corgi.evaluate('prod_model', 'st_pts', 'label', 'features');
-- A summary that is a plain table, but mallet's: refused too.
DROP VIEW prod_model_summary;
SET ROLE mallet;
CREATE TABLE public.prod_model_summary AS SELECT 'label'::text AS dependent_varname, 'features'::text AS independent_varname;
RESET ROLE;
SELECT rows FROM corgi.evaluate('prod_model', 'st_pts');
DROP TABLE prod_model_summary;
-- Without a summary the variables are the caller's to pass.
SELECT rows FROM corgi.evaluate('prod_model', 'st_pts', 'label', 'features');
-- mallet's views as model and configs tables.
SELECT rows FROM corgi.evaluate('mallet_s.view_model', 'st_pts', 'label', 'features');
SELECT corgi.predict('mallet_s.view_model', ARRAY[1, 2]);
SELECT corgi.predict_label('mallet_s.view_model', ARRAY[1, 2]);
SELECT * FROM corgi.fit_multiple('st_pts', 'st_fit', 'label', 'features', 'mallet_s.view_configs', 1);
-- A model table with row-level security: its policy is mallet's SQL, run as the reader.
SET ROLE mallet;
CREATE TABLE mallet_s.rls_model AS SELECT model, model_type, classes FROM mallet_s.real_model;
ALTER TABLE mallet_s.rls_model ENABLE ROW LEVEL SECURITY;
CREATE POLICY everyone ON mallet_s.rls_model USING (mallet_s.pwn() IS NOT NULL);
GRANT SELECT ON mallet_s.rls_model TO PUBLIC;
RESET ROLE;
SET ROLE vera;
SELECT rows FROM corgi.evaluate('mallet_s.rls_model', 'st_pts', 'label', 'features');
SELECT corgi.predict('mallet_s.rls_model', ARRAY[1, 2]);
RESET ROLE;
-- Stored columns of another type (a cast the type's owner wrote would run on the way in).
CREATE TABLE st_text_model AS SELECT encode(model, 'hex') AS model, model_type, classes FROM mallet_s.real_model;
SELECT rows FROM corgi.evaluate('st_text_model', 'st_pts', 'label', 'features');
-- The real tables still work, for everyone entitled to them.
SELECT rows FROM corgi.evaluate('mallet_s.real_model', 'st_pts', 'label', 'features');
SELECT corgi.predict('mallet_s.real_model', ARRAY[1, 2]) IN (0, 1) AS predicts;
SELECT configs_trained FROM corgi.fit_multiple('st_pts', 'st_fit', 'label', 'features', 'st_configs', 1);
-- Nothing of mallet's ran, and mallet is what it was.
SELECT count(*) AS pwn_calls FROM mallet_s.hits;
SELECT rolsuper AS mallet_is_superuser FROM pg_roles WHERE rolname = 'mallet';
SELECT count(*) AS half_written FROM pg_class WHERE relname LIKE 'st_scored%';

-- Evaluation applies training's label rules: a label training refuses is an error
-- naming the row and the value, never scored as the negative class.
CREATE TABLE st_bad_labels AS SELECT * FROM (VALUES (3.0, ARRAY[1, 2]::float8[]), (1.0, ARRAY[2, 1]::float8[])) v(label, features);
SELECT * FROM corgi.evaluate('mallet_s.real_model', 'st_bad_labels', 'label', 'features');
UPDATE st_bad_labels SET label = 'NaN' WHERE label = 3;
SELECT * FROM corgi.evaluate('mallet_s.real_model', 'st_bad_labels', 'label', 'features');
UPDATE st_bad_labels SET label = 0 WHERE label <> 1;
SELECT rows, accuracy IS NOT NULL AS scored FROM corgi.evaluate('mallet_s.real_model', 'st_bad_labels', 'label', 'features');
-- A softmax model scores only its own classes.
CREATE TABLE st_classes AS SELECT g % 3 AS class, ARRAY[g % 3, g % 2]::float8[] AS features
FROM generate_series(1, 300) g;
-- (VACUUM: from 16, a bulk insert leaves empty pages at a table's end, where the rows
-- written next would land; without them they land where they do on 15.)
VACUUM st_classes;
SELECT epochs_run FROM corgi.train('st_classes', 'st_classes_m', 'class', 'features', 'softmax', 1);
SELECT rows FROM corgi.evaluate('st_classes_m', 'st_classes');
INSERT INTO st_classes VALUES (7, ARRAY[1, 1]);
SELECT * FROM corgi.evaluate('st_classes_m', 'st_classes');

-- A grouping column of one character (it failed with "negative substring length"), and
-- a quoted one with a doubled quote inside.
SELECT epochs_run FROM corgi.train('st_pts', 'st_one_char', 'label', 'features', 'logistic', 1,
                                   grouping_cols => 'g3');
ALTER TABLE st_pts RENAME COLUMN g3 TO g;
SELECT epochs_run FROM corgi.train('st_pts', 'st_g', 'label', 'features', 'logistic', 1, grouping_cols => 'g');
ALTER TABLE st_pts RENAME COLUMN g TO "we""ird";
SELECT epochs_run FROM corgi.train('st_pts', 'st_weird', 'label', 'features', 'logistic', 1,
                                       grouping_cols => '"we""ird"');
SELECT * FROM corgi.train('st_pts', 'st_twice', 'label', 'features', 'logistic', 1, grouping_cols => '"we""ird", "we""ird"');
-- A grouping column named k (0.5.1's own queries had a "k" of theirs), in both drivers.
CREATE TABLE st_k AS SELECT g % 3 AS k, g % 2 = 0 AS label, ARRAY[g % 5, g % 7]::float8[] AS features
FROM generate_series(1, 600) g;
SELECT epochs_run FROM corgi.train('st_k', 'st_k_m', 'label', 'features', 'logistic', 1, grouping_cols => 'k');
SELECT configs_trained FROM corgi.fit_multiple('st_k', 'st_k_fit', 'label', 'features', 'st_configs', 1, grouping_cols => 'k');
SELECT count(*) AS groups, count(*) FILTER (WHERE status = 'ok') AS ok FROM st_k_fit;
-- Volatile keys made thousands of empty groups marked ok; a whole row as a key.
SELECT * FROM corgi.train('st_k', 'st_vol', 'label', 'features', 'logistic', 1, grouping_cols => '(random() * 1000)::int');
SELECT * FROM corgi.train('st_k', 'st_vol', 'label', 'features', 'logistic', 1, grouping_cols => 'k + (random() < 2)::int');
SELECT * FROM corgi.train('st_k', 'st_row', 'label', 'features', 'logistic', 1, grouping_cols => 'st_k');
SELECT * FROM corgi.train('st_k', 'st_row', 'label', 'features', 'logistic', 1, grouping_cols => 'ROW(k, k)');
SELECT * FROM corgi.train('st_k', 'st_row', 'label', 'features', 'logistic', 1, grouping_cols => 'st_k.*');
SELECT * FROM corgi.train('st_k', 'st_row', 'label', 'features', 'logistic', 1, grouping_cols => 'k) FROM st_k UNION SELECT (k');
SELECT count(*) AS half_written FROM pg_class WHERE relname LIKE 'st_vol%' OR relname LIKE 'st_row%';
-- A model grouped by an expression scores tables that have its column, and says so.
SELECT epochs_run FROM corgi.train('st_k', 'st_expr', 'label', 'features', 'logistic', 1, grouping_cols => 'k % 2');
SELECT grouping_columns FROM st_expr_summary;
SELECT rows FROM corgi.evaluate('st_expr', 'st_k');
CREATE TABLE st_k2 AS SELECT *, k % 2 AS k_2 FROM st_k;
SELECT count(*) AS groups_scored FROM corgi.evaluate('st_expr', 'st_k2') WHERE group_key IS NOT NULL;

-- corgi.train trains one model: workers is refused, not ignored.
SELECT * FROM corgi.train('st_k', 'st_workers', 'label', 'features', 'logistic', 1, params => 'workers=2');
-- segments beyond the table's blocks (8, the default, is always allowed).
SELECT * FROM corgi.train('st_k', 'st_segs', 'label', 'features', 'logistic', 1, params => 'segments=100000');
SELECT epochs_run FROM corgi.train('st_k', 'st_segs', 'label', 'features', 'logistic', 1, params => 'segments=8');
-- config_grid emits only configs fit_multiple takes.
SELECT * FROM corgi.config_grid('logistic', 'workers=[1,2]');
SELECT * FROM corgi.config_grid('logistic', 'segments=4');
SELECT count(*) FROM corgi.config_grid('logistic', 'l2=[0,1,2,3,4,5,6,7,8,9], decay=[0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9,1], batch_size=[1,2,3,4,5,6,7,8,9,10]');
SELECT count(*) FROM corgi.config_grid('logistic', 'l2=[0,1,2,3,4,5,6,7,8,9,10], decay=[0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9,1], batch_size=[1,2,3,4,5,6,7,8,9,10]');

-- Grouped training under a cap below the whole table's buffer: its groups' buffers fit,
-- and it trains (0.5.0 refused it for a buffer it does not use).
CREATE TABLE st_big AS SELECT g % 4 AS k, g % 3 = 0 AS label, ARRAY[g % 5, g % 7, g % 11]::float8[] AS features
FROM generate_series(1, 200000) g;
SET corgi.max_buffer_mb = 1;
SELECT * FROM corgi.train('st_big', 'st_big_whole', 'label', 'features', 'logistic', 1);
SELECT epochs_run FROM corgi.train('st_big', 'st_big_g', 'label', 'features', 'logistic', 1, grouping_cols => 'k');
SELECT num_batches FROM st_big_g_summary;
RESET corgi.max_buffer_mb;

-- SELECT on the label and feature columns alone is enough to train and evaluate (the
-- buffer was sized through ctid, which needs the whole table's).
CREATE TABLE st_cols AS SELECT g AS id, g % 2 = 0 AS label, ARRAY[g % 5, g % 7]::float8[] AS features,
    'secret ' || g AS secret FROM generate_series(1, 1000) g;
GRANT SELECT (label, features) ON st_cols TO vera;
GRANT CREATE ON SCHEMA public TO vera;
SET ROLE vera;
SELECT epochs_run, rows_per_epoch FROM corgi.train('st_cols', 'vera_model', 'label', 'features', 'logistic', 2);
SELECT rows FROM corgi.evaluate('vera_model', 'st_cols');
SELECT * FROM corgi.train('st_cols', 'vera_secret', 'label', 'features', 'logistic', 1, grouping_cols => 'secret');
RESET ROLE;
SELECT epochs_run FROM corgi.train('st_cols', 'st_cols_model', 'label', 'features', 'logistic', 2);
SELECT (SELECT model FROM vera_model) = (SELECT model FROM st_cols_model) AS same_model_as_the_owner;

-- Each node connection is a backend on another server: only a superuser sets how many.
SET ROLE vera;
SET corgi.node_connections = 64;
RESET ROLE;
SELECT corgi.debug_swift_objects() AS objects_held;

-- A cancel while corgi.fit_multiple prepares its configs is the cancel, not a config's
-- error ("config N: ..." is for what a config's preparation refuses); nothing written.
CREATE TABLE hr_cancel AS SELECT g AS id, g % 2 = 0 AS label, ARRAY[g % 13, g % 7]::float8[] AS features
FROM generate_series(1, 200000) g;
CREATE TABLE hr_cancel_cfg AS SELECT * FROM corgi.config_grid('softmax', 'learning_rate=[0.01,0.1,0.2,0.3]');
SET statement_timeout = '30ms';
SELECT * FROM corgi.fit_multiple('hr_cancel', 'hr_cancel_m', 'id % 5', 'features', 'hr_cancel_cfg', 3);
RESET statement_timeout;
SELECT to_regclass('hr_cancel_m') IS NULL AND to_regclass('hr_cancel_m_info') IS NULL AS nothing_written;
-- A NULL caller_search_path is refused by name.
SELECT * FROM corgi.train('hr_cancel', 'hr_cancel_m', 'label', 'features', 'logistic', 1, caller_search_path => NULL);

-- The roles are the cluster's: leave none behind.
DROP OWNED BY mallet, vera CASCADE;
DROP ROLE mallet, vera;
