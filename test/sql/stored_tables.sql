-- Model, summary and configs tables are read with the caller's rights, so corgi reads
-- them only where that runs no SQL another role wrote: plain or partitioned tables, a
-- summary owned by its model table's owner, no other role's row-level security, stored
-- columns of their own types. A hostile test of 0.5 made a superuser's corgi.evaluate
-- run ALTER ROLE ... SUPERUSER through a view named "<model>_summary"; each attack of
-- that report is here, and each must leave the attacker an ordinary role.
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
SELECT corgi.debug_swift_objects() AS objects_held;
