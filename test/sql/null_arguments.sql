-- Every C entry point, called with each argument NULL in turn: a NULL result or a clear
-- error, never a crash. The list is read from the catalog, so a new C function is
-- covered as soon as it is declared.
SET client_min_messages = warning;
\set SHOW_CONTEXT never
CREATE TABLE null_pts AS SELECT g % 2 = 0 AS label, ARRAY[g % 5, g % 7]::float8[] AS features
FROM generate_series(1, 100) g;
SELECT * FROM corgi.train('null_pts', 'null_model', 'label', 'features', 'logistic', 1) \gset
CREATE TABLE null_results (fn text, arg int, outcome text);
DO $$
DECLARE
    f record;
    args text[];
    sample text;
    i int;
    j int;
    call text;
    result text;
BEGIN
    FOR f IN SELECT p.oid, p.proname, p.proargtypes::regtype[] AS types, p.pronargs
             FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
             WHERE p.pronamespace = 'corgi'::regnamespace AND l.lanname = 'c'
               AND NOT 'internal'::regtype = ANY (p.proargtypes::regtype[])
             ORDER BY p.proname, p.pronargs
    LOOP
        FOR i IN 1..f.pronargs LOOP
            args := '{}';
            FOR j IN 1..f.pronargs LOOP
                sample := CASE f.types[j - 1]::text
                    WHEN 'text' THEN CASE WHEN f.proname = 'sgd_state' AND j = 6 THEN '''shuffle'''
                                          WHEN f.proname = 'sgd_state' AND j = 4 THEN ''''''
                                          WHEN f.proname LIKE '%table%' OR f.proname LIKE 'predict%' THEN '''null_model'''
                                          WHEN f.proname = '_creation_schema' AND j = 2 THEN '''public'''
                                          -- The features after a table (a column, or a list of columns).
                                          WHEN j > 1 AND f.types[j - 2]::text IN ('regclass', 'regclass[]') THEN '''features'''
                                          ELSE '''logistic''' END
                    WHEN 'integer' THEN '2'
                    WHEN 'bigint' THEN CASE WHEN f.proname = 'train_pass' THEN '0' ELSE '10' END
                    WHEN 'double precision[]' THEN CASE WHEN f.proname = 'sgd_state' THEN 'NULL' ELSE 'ARRAY[1, 2]::float8[]' END
                    WHEN 'bytea' THEN '(SELECT model FROM null_model)'
                    WHEN 'regclass' THEN '''null_pts''::regclass'
                    WHEN 'name' THEN CASE WHEN j = 2 THEN '''features''' ELSE '''label''' END
                    WHEN 'boolean' THEN 'true'
                    ELSE 'NULL' END;
                args := args || CASE WHEN i = j THEN 'NULL::' || f.types[j - 1]::text ELSE sample || '::' || f.types[j - 1]::text END;
            END LOOP;
            call := format('SELECT (corgi.%I(%s))::text', f.proname, array_to_string(args, ', '));
            BEGIN
                EXECUTE call INTO result;
                result := CASE WHEN result IS NULL THEN 'NULL' ELSE 'value' END;
            EXCEPTION WHEN OTHERS THEN
                result := SQLSTATE || ': ' || SQLERRM;
            END;
            INSERT INTO null_results VALUES (f.proname || '/' || f.pronargs, i, result);
        END LOOP;
    END LOOP;
END $$;
SELECT fn, arg, outcome FROM null_results WHERE outcome <> 'NULL' ORDER BY fn, arg;
SELECT count(*) AS calls, count(*) FILTER (WHERE outcome = 'NULL') AS strict_nulls FROM null_results;
-- The aggregates: a NULL state is an error, NULL rows are skipped and counted.
SELECT corgi.sgd(features, label::int::float8, NULL) FROM null_pts;
SELECT (corgi.sgd_state_info(corgi.sgd(NULL::float8[], label::int::float8, corgi.sgd_state('logistic', 2, 10)))).skipped FROM null_pts;

-- Crafted states: every progress counter at its extreme is refused when decoded, so
-- no arithmetic on it can overflow (these trapped and restarted the server in 0.1.0).
CREATE TABLE crafted AS SELECT corgi.sgd_state('logistic', 2, 10) AS s;
-- offsets (1-based, state format version 2): block_mb 79, epochs 153, buffers 157, rows 165, skipped 173
SELECT corgi.sgd(features, label::int::float8, overlay(s PLACING '\xffffffffffffff7f'::bytea FROM 165 FOR 8)) FROM null_pts, crafted;
SELECT corgi.sgd(features, label::int::float8, overlay(s PLACING '\xffffffffffffff7f'::bytea FROM 173 FOR 8)) FROM null_pts, crafted;
SELECT corgi.sgd_end_epoch(overlay(s PLACING '\xffffffff'::bytea FROM 153 FOR 4)) FROM crafted;
SELECT corgi.sgd_state_info(overlay(s PLACING '\xffffffffffffff7f'::bytea FROM 157 FOR 8)) FROM crafted;
SELECT corgi.sgd_state_info(overlay(s PLACING '\x000000000000f07f'::bytea FROM 79 FOR 8)) FROM crafted;
SELECT corgi.train_pass('null_pts', 'features', 'label', overlay(s PLACING '\x000000000000f87f'::bytea FROM 79 FOR 8)) FROM crafted;
-- The largest values a state may hold still work, and the epoch limit is an error.
SELECT (corgi.sgd_state_info(corgi.sgd_end_epoch(overlay(s PLACING '\xffc99a3b'::bytea FROM 153 FOR 4)))).epochs FROM crafted;
SELECT corgi.sgd_end_epoch(overlay(s PLACING '\x00ca9a3b'::bytea FROM 153 FOR 4)) FROM crafted;
SELECT (corgi.sgd_state_info(corgi.sgd(features, label::int::float8, overlay(s PLACING '\x0000000000000020'::bytea FROM 165 FOR 8)))).rows_in_progress
FROM null_pts, crafted;

-- Page ranges: a page_count that overflows first_page + page_count means "to the end".
SELECT (corgi.sgd_state_info(corgi.train_pass('null_pts', 'features', 'label', s, true, 0, 9223372036854775807))).rows_in_progress FROM crafted;
SELECT (corgi.sgd_state_info(corgi.train_pass('null_pts', 'features', 'label', s, true, 9223372036854775807, 9223372036854775807))).rows_in_progress FROM crafted;
SELECT corgi.debug_swift_objects() AS objects_held;

-- Every aggregate, over no row and over one row whose arguments are all NULL: NULL or a
-- clear error, never a crash (corgi._evaluate_groups restarted the server on a NULL first
-- row in 0.5.0). Read from the catalog, so a new aggregate is covered when declared.
CREATE TABLE null_agg_results (agg text, rows int, outcome text);
DO $$
DECLARE
    a record;
    n int;
    call text;
    result text;
BEGIN
    FOR a IN SELECT p.proname, p.oid::regprocedure::text AS signature, p.proargtypes::regtype[] AS types, p.pronargs
             FROM pg_proc p WHERE p.pronamespace = 'corgi'::regnamespace AND p.prokind = 'a'
             ORDER BY p.proname, p.pronargs
    LOOP
        FOREACH n IN ARRAY ARRAY[0, 1] LOOP
            call := format('SELECT (corgi.%I(%s))::text FROM generate_series(1, %s)', a.proname,
                           (SELECT string_agg('NULL::' || t::text, ', ') FROM unnest(a.types) t), n);
            BEGIN
                EXECUTE call INTO result;
                result := CASE WHEN result IS NULL THEN 'NULL' ELSE 'value' END;
            EXCEPTION WHEN OTHERS THEN
                result := SQLSTATE || ': ' || SQLERRM;
            END;
            INSERT INTO null_agg_results VALUES (a.signature, n, result);
        END LOOP;
    END LOOP;
END $$;
SELECT agg, rows, outcome FROM null_agg_results ORDER BY agg, rows;
SELECT corgi._evaluate_groups(NULL::int, NULL::bytea[], NULL::float8[], NULL::float8);
SELECT corgi.debug_swift_objects() AS objects_held;
