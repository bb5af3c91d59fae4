-- Hostile users. A role that can create objects in a schema on a superuser's
-- search_path must not get its functions or operators run by corgi's functions
-- (the CVE-2018-1058 class), and a model table's owner must not get SQL text it stored
-- run by whoever uses the model.
SET client_min_messages = warning;
\set SHOW_CONTEXT never
CREATE TABLE sec_pts AS SELECT g AS id, g % 2 = 0 AS label, ARRAY[g % 5, g % 7]::float8[] AS features,
    (ARRAY['a', 'b', 'c'])[g % 3 + 1] AS word FROM generate_series(1, 300) g;
CREATE ROLE mallory NOSUPERUSER LOGIN;
CREATE SCHEMA mallory_s AUTHORIZATION mallory;
GRANT SELECT ON sec_pts TO mallory;
GRANT USAGE ON SCHEMA corgi TO mallory;
SET ROLE mallory;
CREATE TABLE mallory_s.hits (what text);
GRANT INSERT ON mallory_s.hits TO PUBLIC;
-- Better matches than pg_catalog's for the argument types corgi's SQL uses: any of them
-- resolved through the caller's search_path would run as the caller.
CREATE FUNCTION mallory_s.cardinality(text[]) RETURNS int LANGUAGE sql
    AS $$ INSERT INTO mallory_s.hits VALUES ('cardinality'); SELECT pg_catalog.cardinality($1) $$;
CREATE FUNCTION mallory_s.unnest(float8[]) RETURNS SETOF float8 LANGUAGE sql
    AS $$ INSERT INTO mallory_s.hits VALUES ('unnest'); SELECT pg_catalog.unnest($1) $$;
CREATE FUNCTION mallory_s.array_position(text[], text) RETURNS int LANGUAGE sql
    AS $$ INSERT INTO mallory_s.hits VALUES ('array_position'); SELECT pg_catalog.array_position($1, $2) $$;
CREATE FUNCTION mallory_s.has_table_privilege(regclass, text) RETURNS boolean LANGUAGE sql
    AS $$ INSERT INTO mallory_s.hits VALUES ('has_table_privilege'); SELECT pg_catalog.has_table_privilege($1::oid, $2) $$;
CREATE FUNCTION mallory_s.format(text, text) RETURNS text LANGUAGE sql
    AS $$ INSERT INTO mallory_s.hits VALUES ('format'); SELECT pg_catalog.format($1, $2) $$;
CREATE FUNCTION mallory_s.concat_hit(bigint[], bigint) RETURNS bigint[] LANGUAGE sql
    AS $$ INSERT INTO mallory_s.hits VALUES ('||'); SELECT pg_catalog.array_append($1, $2) $$;
CREATE OPERATOR mallory_s.|| (LEFTARG = bigint[], RIGHTARG = bigint, FUNCTION = mallory_s.concat_hit);
CREATE FUNCTION mallory_s.concat_hit(float8[], float8) RETURNS float8[] LANGUAGE sql
    AS $$ INSERT INTO mallory_s.hits VALUES ('||'); SELECT pg_catalog.array_append($1, $2) $$;
CREATE OPERATOR mallory_s.|| (LEFTARG = float8[], RIGHTARG = float8, FUNCTION = mallory_s.concat_hit);
-- Not allowed: only a superuser may raise corgi's memory cap.
SET corgi.max_buffer_mb = 1048576;
RESET ROLE;

-- The trap is armed: an unqualified call with this path runs mallory's function
-- (a better match than pg_catalog's wins, wherever its schema stands on the path).
SET search_path = public, mallory_s;
SELECT cardinality(ARRAY['x']) AS armed;
SELECT count(*) AS armed_hits FROM mallory_s.hits;
DELETE FROM mallory_s.hits;

-- corgi's functions, called by a superuser with mallory's schema first on the path.
SELECT epochs_run FROM corgi.train('sec_pts', 'sec_model', 'label', 'features', 'logistic', 2,
                                   params => 'validation_table=sec_pts');
SELECT epochs_run FROM corgi.train('sec_pts', 'sec_words', 'word', 'features', 'softmax', 1);
SELECT epochs_run FROM corgi.train('sec_pts', 'sec_view_model', 'label AND true', 'features', 'svm', 1, 'block_only');
SELECT rows, accuracy BETWEEN 0 AND 1 AS has_accuracy FROM corgi.evaluate('sec_model', 'sec_pts');
SELECT rows FROM corgi.evaluate('sec_words', 'sec_pts');
SELECT corgi.predict_table('sec_model', 'sec_pts', 'id', 'sec_scored');
SELECT corgi.predict_table('sec_words', 'sec_pts', 'id', 'sec_scored_words');
SELECT corgi.predict_label('sec_words', ARRAY[1, 2]) IN ('a', 'b', 'c') AS label_ok,
       corgi.predict_label('sec_model', ARRAY[1, 2]) IN ('true', 'false') AS binary_ok;
SELECT count(*) AS hits FROM mallory_s.hits;
SELECT rolsuper AS mallory_is_superuser FROM pg_roles WHERE rolname = 'mallory';
-- Names still mean what they mean to the caller: the tables were created in public.
SELECT relnamespace::regnamespace AS schema, relname FROM pg_class
WHERE relname IN ('sec_model', 'sec_model_summary', 'sec_scored') ORDER BY relname;
RESET search_path;

-- Trojan model tables: mallory shares a model whose summary names an expression.
GRANT SELECT ON sec_model, sec_model_summary TO mallory;
SET ROLE mallory;
CREATE FUNCTION mallory_s.f2(float8[]) RETURNS float8[] LANGUAGE sql
    AS $$ INSERT INTO mallory_s.hits VALUES ('trojan'); SELECT $1 $$;
CREATE TABLE mallory_s.shared AS SELECT * FROM public.sec_model;
CREATE TABLE mallory_s.shared_summary AS SELECT * FROM public.sec_model_summary;
UPDATE mallory_s.shared_summary SET independent_varname = 'mallory_s.f2(features)', dependent_varname = 'mallory_s.f2(features) IS NULL';
GRANT USAGE ON SCHEMA mallory_s TO PUBLIC;
GRANT SELECT ON mallory_s.shared, mallory_s.shared_summary TO PUBLIC;
RESET ROLE;
SELECT * FROM corgi.evaluate('mallory_s.shared', 'sec_pts');
SELECT corgi.predict_table('mallory_s.shared', 'sec_pts', 'id', 'trojan_scored');
-- Passing the variables explicitly works, and nothing of mallory's ran.
SELECT rows FROM corgi.evaluate('mallory_s.shared', 'sec_pts', 'label', 'features');
SELECT corgi.predict_table('mallory_s.shared', 'sec_pts', 'id', 'trojan_scored', 'features');
SELECT count(*) AS hits FROM mallory_s.hits;

-- A model table with two rows is refused by every reader.
INSERT INTO sec_model SELECT * FROM sec_model;
SELECT * FROM corgi.evaluate('sec_model', 'sec_pts');
SELECT corgi.predict('sec_model', ARRAY[1, 2]);
SELECT corgi.predict_table('sec_model', 'sec_pts', 'id', 'two_rows_scored');
SELECT corgi.predict_label('sec_model', ARRAY[1, 2]);

-- Memory the server does not account for is capped by a superuser-only setting.
SET corgi.max_buffer_mb = 1;
SELECT corgi.sgd_state('logistic', 100, 1000000);
RESET corgi.max_buffer_mb;

DROP SCHEMA mallory_s CASCADE;
DROP OWNED BY mallory;
DROP ROLE mallory;

-- Every corgi function written in SQL or PL/pgSQL pins search_path.
SELECT p.oid::regprocedure AS unpinned FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
WHERE p.pronamespace = 'corgi'::regnamespace AND l.lanname IN ('sql', 'plpgsql')
  AND NOT EXISTS (SELECT FROM unnest(p.proconfig) c WHERE c = 'search_path=pg_catalog, pg_temp');
SELECT count(*) > 10 AS checked FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
WHERE p.pronamespace = 'corgi'::regnamespace AND l.lanname IN ('sql', 'plpgsql');
