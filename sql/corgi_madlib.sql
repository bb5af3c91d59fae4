-- corgi_madlib @VERSION@: Apache MADlib's SQL surface, in schema madlib, run by corgi.
--
-- A MADlib user's statements run unchanged: the same function names, argument names,
-- orders and defaults, RETURNS VOID, the same output and summary columns, f() and
-- f('usage') help. Every function is a thin declaration over corgi's own (the work is
-- in corgi.so); each pins search_path and passes the caller's path on, so names resolve
-- as the caller means them.
\echo Use "CREATE EXTENSION corgi_madlib" to load this file. \quit

-- Beside a real MADlib in the same database it cannot work (the same names in the same
-- schema): say so rather than fail on the first duplicate function.
DO $$
BEGIN
    IF EXISTS (SELECT FROM pg_catalog.pg_proc p
               WHERE p.pronamespace = 'madlib'::regnamespace
                 AND NOT EXISTS (SELECT FROM pg_catalog.pg_depend d
                                 WHERE d.classid = 'pg_catalog.pg_proc'::regclass AND d.objid = p.oid
                                   AND d.refclassid = 'pg_catalog.pg_extension'::regclass
                                   AND d.refobjid = (SELECT oid FROM pg_catalog.pg_extension WHERE extname = 'corgi_madlib'))) THEN
        RAISE EXCEPTION 'schema madlib already holds functions (Apache MADlib?): corgi_madlib cannot be installed beside them'
            USING ERRCODE = 'duplicate_function',
                  HINT = 'Install corgi_madlib in a database without MADlib, or drop MADlib''s schema first.';
    END IF;
END $$;

-- ---------------------------------------------------------------------------------
-- Linear regression
-- ---------------------------------------------------------------------------------
CREATE AGGREGATE madlib.linregr(dependentVariable float8, independentVariables float8[]) (
    SFUNC = corgi._linregr_transition,
    STYPE = internal,
    FINALFUNC = corgi._linregr_final,
    PARALLEL = UNSAFE
);
COMMENT ON AGGREGATE madlib.linregr(float8, float8[]) IS
    'MADlib''s linregr: exact least squares of dependentVariable on independentVariables (1 as a feature for the intercept); returns corgi.linregr_result';

CREATE FUNCTION madlib.linregr_train(source_table varchar, out_table varchar, dependent_varname varchar,
                                     independent_varname varchar, grouping_cols varchar DEFAULT NULL,
                                     heteroskedasticity_option boolean DEFAULT false,
                                     caller_search_path text DEFAULT pg_catalog.current_setting('search_path'))
RETURNS void
LANGUAGE sql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT corgi.linregr_train(source_table, out_table, dependent_varname, independent_varname, grouping_cols,
                               heteroskedasticity_option, caller_search_path);
END;
COMMENT ON FUNCTION madlib.linregr_train(varchar, varchar, varchar, varchar, varchar, boolean, text) IS
    'MADlib''s linregr_train (corgi.linregr_train): exact linear regression into out_table and out_table_summary';

CREATE FUNCTION madlib.linregr_predict(coef float8[], col_ind_var float8[]) RETURNS float8
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
RETURN corgi.linregr_predict(coef, col_ind_var);
COMMENT ON FUNCTION madlib.linregr_predict(float8[], float8[]) IS
    'MADlib''s linregr_predict: coef . col_ind_var';

-- ---------------------------------------------------------------------------------
-- Logistic regression
-- ---------------------------------------------------------------------------------
CREATE FUNCTION madlib.logregr_train(source_table varchar, out_table varchar, dependent_varname varchar,
                                     independent_varname varchar, grouping_cols varchar DEFAULT NULL,
                                     max_iter integer DEFAULT 20, optimizer varchar DEFAULT 'irls',
                                     tolerance float8 DEFAULT 0.0001, verbose boolean DEFAULT false,
                                     caller_search_path text DEFAULT pg_catalog.current_setting('search_path'))
RETURNS void
LANGUAGE sql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT corgi.logregr_train(source_table, out_table, dependent_varname, independent_varname, grouping_cols,
                               max_iter, optimizer, tolerance, "verbose", caller_search_path);
END;
COMMENT ON FUNCTION madlib.logregr_train(varchar, varchar, varchar, varchar, varchar, integer, varchar, float8, boolean, text) IS
    'MADlib''s logregr_train (corgi.logregr_train): logistic regression by IRLS into out_table and out_table_summary';

CREATE FUNCTION madlib.logregr_predict(coef float8[], col_ind_var float8[]) RETURNS boolean
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
RETURN corgi.logregr_predict(coef, col_ind_var);
COMMENT ON FUNCTION madlib.logregr_predict(float8[], float8[]) IS
    'MADlib''s logregr_predict: coef . col_ind_var > 0';

CREATE FUNCTION madlib.logregr_predict_prob(coef float8[], col_ind_var float8[]) RETURNS float8
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
RETURN corgi.logregr_predict_prob(coef, col_ind_var);
COMMENT ON FUNCTION madlib.logregr_predict_prob(float8[], float8[]) IS
    'MADlib''s logregr_predict_prob: 1 / (1 + exp(-coef . col_ind_var))';

-- ---------------------------------------------------------------------------------
-- train_test_split
-- ---------------------------------------------------------------------------------
-- MADlib's train_test_split, with the seed MADlib lacks: each row's place is drawn from
-- a hash of its text and the seed (the same split on every server and every run), and
-- each group (grouping_cols: stratified) gets exactly round(n * train_proportion) rows
-- for training and round(n * test_proportion) for testing, the rows of lowest draw first.
CREATE FUNCTION madlib.train_test_split(source_table varchar, output_table varchar, train_proportion float8,
                                        test_proportion float8 DEFAULT NULL, grouping_cols varchar DEFAULT NULL,
                                        target_cols varchar DEFAULT NULL, with_replacement boolean DEFAULT false,
                                        separate_output_tables boolean DEFAULT false, seed bigint DEFAULT 42,
                                        caller_search_path text DEFAULT pg_catalog.current_setting('search_path'))
RETURNS void
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
SET extra_float_digits = 1
SET DateStyle = 'ISO, MDY'
SET IntervalStyle = 'postgres'
SET TimeZone = 'UTC'
SET bytea_output = 'hex'
AS $$
DECLARE
    src regclass;
    test_p float8 := coalesce(test_proportion, 1 - train_proportion);
    cols text;
    keys record;
    part text := '';
    outs text[];
    train_name record;
    test_name record;
    one record;
    draws text := format('pg_temp.%I', 'corgi_split_' || pg_backend_pid());
    group_text text := $x$''$x$;
    listed text;
BEGIN
    IF source_table IS NULL OR output_table IS NULL OR train_proportion IS NULL OR with_replacement IS NULL
       OR separate_output_tables IS NULL OR seed IS NULL OR caller_search_path IS NULL THEN
        RAISE EXCEPTION 'madlib.train_test_split arguments must not be NULL (test_proportion, grouping_cols and target_cols excepted)'
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF NOT (train_proportion > 0 AND train_proportion < 1) OR NOT (test_p > 0 AND test_p < 1)
       OR train_proportion + test_p > 1 + 1e-12 THEN
        RAISE EXCEPTION 'train_proportion % and test_proportion % must lie between 0 and 1 and add up to at most 1', train_proportion, test_p
            USING ERRCODE = 'invalid_parameter_value', HINT = 'For example train_proportion => 0.8 (test_proportion then defaults to 0.2).';
    END IF;
    src := corgi._readable_source('madlib.train_test_split', source_table, caller_search_path);
    IF separate_output_tables THEN
        train_name := corgi._output_names(output_table || '_train', caller_search_path);
        test_name := corgi._output_names(output_table || '_test', caller_search_path);
        outs := ARRAY[train_name.main, test_name.main];
    ELSE
        one := corgi._output_names(output_table, caller_search_path);
        outs := ARRAY[one.main];
    END IF;
    IF EXISTS (SELECT FROM unnest(outs) o WHERE to_regclass(o) IS NOT NULL) THEN
        RAISE EXCEPTION 'output table % already exists', (SELECT o FROM unnest(outs) o WHERE to_regclass(o) IS NOT NULL LIMIT 1)
            USING ERRCODE = 'duplicate_table', HINT = 'Drop it first, or choose another output_table.';
    END IF;
    -- The columns written: target_cols (MADlib: with the grouping columns) or all.
    IF target_cols IS NULL OR target_cols ~ '^\s*\*\s*$' THEN
        cols := 's.*';
    ELSE
        SELECT string_agg('s.' || quote_ident(corgi._grouping_column(src, c)), ', ') INTO cols
          FROM unnest(corgi._split_grouping_cols(target_cols || coalesce(', ' || grouping_cols, ''))) WITH ORDINALITY u(c, o)
         WHERE corgi._grouping_column(src, c) IS NOT NULL;
        IF EXISTS (SELECT FROM unnest(corgi._split_grouping_cols(target_cols)) c WHERE corgi._grouping_column(src, c) IS NULL) THEN
            RAISE EXCEPTION 'target_cols "%" names a column that is not in %', target_cols, source_table
                USING ERRCODE = 'undefined_column', HINT = 'List columns of the source, separated by commas.';
        END IF;
    END IF;
    IF corgi._grouping_column(src, 'split') = 'split' AND (cols = 's.*' OR 's.split' = ANY (string_to_array(cols, ', '))) THEN
        RAISE EXCEPTION 'source table % has a column named split, the column train_test_split adds', source_table
            USING ERRCODE = 'duplicate_column', HINT = 'Leave it out with target_cols, or rename it.';
    END IF;
    IF grouping_cols IS NOT NULL THEN
        keys := corgi._grouping_keys(src, source_table, grouping_cols, ARRAY['split']);
        part := 'PARTITION BY ' || array_to_string(keys.exprs, ', ');
        group_text := format('ROW(%s)::text', array_to_string(keys.exprs, ', '));
    END IF;
    -- One draw per row (its text hashed with the seed), its rank in its group, and the
    -- group's size: all in one statement, one snapshot.
    IF to_regclass(draws) IS NOT NULL THEN
        EXECUTE format('DROP TABLE %s', draws);
    END IF;
    IF NOT with_replacement THEN
        EXECUTE format($q$CREATE TEMP TABLE %1$s AS
            SELECT %2$s, CASE WHEN r <= round(n * %3$s) THEN 1 WHEN r <= round(n * %3$s) + round(n * %4$s) THEN 0 END AS split
            FROM (SELECT s.*, row_number() OVER (%5$s ORDER BY hashtextextended(s::text, %6$s), s::text) AS r,
                         count(*) OVER (%5$s) AS n
                  FROM %7$s s) s$q$,
            draws, cols, train_proportion, test_p, part, seed, src);
    ELSE
        -- With replacement (MADlib's bootstrap): each side draws round(n * proportion) of
        -- its group's n rows, each draw a row picked by a hash of the seed, the group, the
        -- side and the draw's number: a row may come twice, or on both sides. (The
        -- columns written by name: the numbered rows carry the draw's columns too.)
        listed := CASE WHEN cols = 's.*'
                       THEN (SELECT string_agg('s.' || quote_ident(a.attname), ', ' ORDER BY a.attnum) FROM pg_attribute a
                             WHERE a.attrelid = src AND a.attnum > 0 AND NOT a.attisdropped)
                       ELSE cols END;
        EXECUTE format($q$CREATE TEMP TABLE %1$s AS
            WITH numbered AS (SELECT s.*, row_number() OVER (%5$s ORDER BY hashtextextended(s::text, %6$s), s::text) AS "?r",
                                     count(*) OVER (%5$s) AS "?n", %8$s AS "?g"
                              FROM %7$s s),
                 groups AS (SELECT DISTINCT "?g", "?n" FROM numbered),
                 picks AS (SELECT g."?g", side.split,
                                  1 + (hashtextextended(g."?g" || ':' || side.split || ':' || k, %6$s) & 9223372036854775807) %% g."?n" AS "?r"
                           FROM groups g, (VALUES (1, %3$s::float8), (0, %4$s::float8)) side(split, p),
                                generate_series(1, round(g."?n" * side.p)::integer) k)
            SELECT %2$s, p.split FROM numbered s JOIN picks p ON p."?g" = s."?g" AND p."?r" = s."?r"$q$,
            draws, listed, train_proportion, test_p, part, seed, src, group_text);
    END IF;
    IF separate_output_tables THEN
        SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum) INTO cols FROM pg_attribute a
         WHERE a.attrelid = draws::regclass AND a.attnum > 0 AND NOT a.attisdropped AND a.attname <> 'split';
        EXECUTE format('CREATE TABLE %s AS SELECT %s FROM %s WHERE split = 1', train_name.main, cols, draws);
        EXECUTE format('CREATE TABLE %s AS SELECT %s FROM %s WHERE split = 0', test_name.main, cols, draws);
    ELSE
        EXECUTE format('CREATE TABLE %s AS SELECT * FROM %s WHERE split IS NOT NULL', one.main, draws);
    END IF;
    EXECUTE format('DROP TABLE %s', draws);
END $$;
COMMENT ON FUNCTION madlib.train_test_split(varchar, varchar, float8, float8, varchar, varchar, boolean, boolean, bigint, text) IS
    'MADlib''s train_test_split with a seed: output_table with split 1 (train) or 0 (test), or output_table_train and output_table_test; exact proportions per group; the same split for the same seed everywhere';

-- ---------------------------------------------------------------------------------
-- encode_categorical_variables
-- ---------------------------------------------------------------------------------
-- MADlib's one-hot encoding as a separate step (corgi_madlib's choices: indicator
-- columns are integer 0/1; a NULL value gives NULL indicators unless encode_null makes
-- it a level of its own; value_to_drop leaves out a reference level's indicator (dummy
-- coding); output_type 'svec' is refused (no svec type here); a level
-- name that would make an indicator column longer than 63 bytes asks for
-- output_type 'array').
CREATE FUNCTION madlib.encode_categorical_variables(
    source_table varchar, output_table varchar, categorical_cols varchar,
    categorical_cols_to_exclude varchar DEFAULT NULL, row_id varchar DEFAULT NULL, top varchar DEFAULT NULL,
    value_to_drop varchar DEFAULT NULL, encode_null boolean DEFAULT false, output_type varchar DEFAULT 'column',
    output_dictionary boolean DEFAULT false, distributed_by varchar DEFAULT NULL,
    caller_search_path text DEFAULT pg_catalog.current_setting('search_path'))
RETURNS void
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    src regclass;
    outs record;
    dict_name text;
    cats text[] := '{}';      -- what is encoded, as named: a column, or an expression as written
    cat_sql text[] := '{}';   -- each as SQL over the source
    expr_sql text;
    disp text;
    excluded name[] := '{}';
    item text;
    col name;
    kept text;
    top_n integer;
    top_fraction float8;
    levels text[];
    level text;
    indicators text[] := '{}';
    dict_rows text[] := '{}';
    array_items text[] := '{}';
    n_levels integer;
    names text[] := '{}';
    ind_name text;
    idx integer := 0;
    drops jsonb := '{}';
    drop_all text;
    drop_value text;
    ignored text[] := '{}';
    col_type regtype;
BEGIN
    IF source_table IS NULL OR output_table IS NULL OR categorical_cols IS NULL OR encode_null IS NULL
       OR output_type IS NULL OR output_dictionary IS NULL OR caller_search_path IS NULL THEN
        RAISE EXCEPTION 'madlib.encode_categorical_variables: source_table, output_table, categorical_cols, encode_null, output_type and output_dictionary must not be NULL'
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF lower(output_type) NOT IN ('column', 'array') THEN
        RAISE EXCEPTION 'output_type "%" is not offered by corgi_madlib''s encode_categorical_variables', output_type
            USING ERRCODE = 'feature_not_supported', HINT = 'Write ''column'' (indicator columns) or ''array'' (one float8[] with a dictionary).';
    END IF;
    src := corgi._readable_source('madlib.encode_categorical_variables', source_table, caller_search_path);
    outs := corgi._output_names(output_table, caller_search_path);
    dict_name := quote_ident(outs.schema) || '.' || quote_ident((parse_ident(output_table))[cardinality(parse_ident(output_table))] || '_dictionary');
    IF to_regclass(outs.main) IS NOT NULL OR (to_regclass(dict_name) IS NOT NULL AND (output_dictionary OR lower(output_type) = 'array')) THEN
        RAISE EXCEPTION 'output table % already exists', CASE WHEN to_regclass(outs.main) IS NOT NULL THEN outs.main ELSE dict_name END
            USING ERRCODE = 'duplicate_table', HINT = 'Drop it first, or choose another output_table.';
    END IF;
    -- The columns to encode: listed, or '*' (every boolean, integer or text-like column).
    -- Exclusions name columns (MADlib ignores a name that is none; so do we, with a notice).
    IF nullif(btrim(categorical_cols_to_exclude), '') IS NOT NULL THEN
        FOREACH item IN ARRAY corgi._split_grouping_cols(categorical_cols_to_exclude) LOOP
            col := corgi._grouping_column(src, item);
            IF col IS NULL THEN
                RAISE NOTICE 'categorical_cols_to_exclude names "%", not a column of %: ignored', btrim(item), source_table;
            ELSE
                excluded := excluded || col;
            END IF;
        END LOOP;
    END IF;
    -- row_id: one column or a list of them (the columns kept beside the indicators).
    IF nullif(btrim(row_id), '') IS NOT NULL THEN
        FOREACH item IN ARRAY corgi._split_grouping_cols(row_id) LOOP
            col := corgi._grouping_column(src, item);
            IF col IS NULL THEN
                RAISE EXCEPTION 'row_id "%" is not a column of %', btrim(item), source_table USING ERRCODE = 'undefined_column';
            END IF;
            kept := concat_ws(', ', kept, quote_ident(col));
            excluded := excluded || col;
        END LOOP;
    END IF;
    IF btrim(categorical_cols) = '*' THEN
        SELECT coalesce(array_agg(a.attname::text ORDER BY a.attnum), '{}'), coalesce(array_agg(quote_ident(a.attname) ORDER BY a.attnum), '{}')
          INTO cats, cat_sql FROM pg_attribute a
         WHERE a.attrelid = src AND a.attnum > 0 AND NOT a.attisdropped
           AND a.atttypid IN ('boolean'::regtype, 'smallint'::regtype, 'integer'::regtype, 'bigint'::regtype,
                              'text'::regtype, 'character varying'::regtype, 'character'::regtype)
           AND NOT a.attname = ANY (excluded);
    ELSE
        FOREACH item IN ARRAY corgi._split_grouping_cols(categorical_cols) LOOP
            -- A column, or (as MADlib takes them) an expression over the source's columns,
            -- run with the caller's rights; a bare name that is no column is a mistake.
            col := corgi._grouping_column(src, item);
            IF col IS NULL AND item ~ '^\s*("[^"]+"|[A-Za-z_][A-Za-z0-9_$]*)\s*$' THEN
                RAISE EXCEPTION 'categorical_cols names "%", not a column of %', btrim(item), source_table
                    USING ERRCODE = 'undefined_column', HINT = 'List columns (or expressions) of the source, or write ''*''.';
            ELSIF col IS NULL THEN
                expr_sql := corgi._column_or_expression(src, source_table, 'categorical_cols', item);
                EXECUTE format('SELECT pg_typeof(%s) FROM %s LIMIT 1', expr_sql, src) INTO col_type;
                disp := btrim(item);
            ELSE
                expr_sql := quote_ident(col);
                SELECT a.atttypid::regtype INTO col_type FROM pg_attribute a WHERE a.attrelid = src AND a.attname = col;
                disp := col;
            END IF;
            -- As MADlib: a listed column of another type than the categorical ones is
            -- ignored (with a notice, MADlib's warning).
            IF col_type NOT IN ('boolean'::regtype, 'smallint'::regtype, 'integer'::regtype, 'bigint'::regtype,
                                'text'::regtype, 'character varying'::regtype, 'character'::regtype)
               AND (SELECT t.typtype FROM pg_type t WHERE t.oid = col_type) <> 'e' THEN
                ignored := ignored || disp;
            ELSIF NOT disp = ANY (cats) THEN
                cats := cats || disp;     -- listed: encoded (exclusions apply to '*', as MADlib)
                cat_sql := cat_sql || expr_sql;
            END IF;
        END LOOP;
    END IF;
    IF cardinality(ignored) > 0 THEN
        RAISE NOTICE 'encode_categorical_variables ignores the non-categorical columns %', array_to_string(ignored, ', ');
    END IF;
    IF cardinality(cats) = 0 THEN
        RAISE EXCEPTION 'no column of % to encode', source_table USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Name the categorical columns, or write ''*'' for every boolean, integer and text column.';
    END IF;
    -- value_to_drop (dummy coding, a reference level without an indicator): col=value
    -- pairs (a column named as written, or in any case as MADlib matches it), or one
    -- value for every column.
    IF nullif(btrim(value_to_drop), '') IS NOT NULL THEN
        IF strpos(value_to_drop, '=') = 0 THEN
            drop_all := btrim(value_to_drop);
        ELSE
            FOREACH item IN ARRAY corgi._split_grouping_cols(value_to_drop) LOOP
                IF strpos(item, '=') = 0 THEN
                    RAISE EXCEPTION 'value_to_drop item "%" is not column=value', btrim(item)
                        USING ERRCODE = 'invalid_parameter_value', HINT = 'Write value_to_drop => ''sex=M, class=1'', or one value for every column.';
                END IF;
                disp := coalesce(corgi._grouping_column(src, split_part(item, '=', 1))::text,
                                 (SELECT c FROM unnest(cats) c WHERE lower(c) = lower(btrim(btrim(split_part(item, '=', 1)), '"')) LIMIT 1));
                IF disp IS NULL OR NOT disp = ANY (cats) THEN
                    RAISE EXCEPTION 'value_to_drop names "%", not a column being encoded', btrim(split_part(item, '=', 1))
                        USING ERRCODE = 'invalid_parameter_value', HINT = format('The columns encoded are %s.', array_to_string(cats, ', '));
                END IF;
                drops := drops || jsonb_build_object(disp, btrim(substr(item, strpos(item, '=') + 1)));
            END LOOP;
        END IF;
    END IF;
    -- top: the n most frequent levels per column (a whole number), or that fraction of its
    -- levels (a number below 1); the others share the column's __misc__ indicator.
    IF top IS NOT NULL THEN
        IF top ~ '^\s*[0-9]+\s*$' THEN
            top_n := top::integer;
        ELSIF top ~ '^\s*0?\.[0-9]+\s*$' THEN
            top_fraction := top::float8;
        ELSE
            RAISE EXCEPTION 'top must be a whole number or a fraction below 1, got "%"', top
                USING ERRCODE = 'invalid_parameter_value', HINT = 'For example top => ''5'' or top => ''0.2''.';
        END IF;
    END IF;
    FOR c IN 1..cardinality(cats) LOOP
        disp := cats[c];
        expr_sql := cat_sql[c];
        -- Levels by frequency (ties by value), NULL apart.
        EXECUTE format('SELECT array_agg(v ORDER BY n DESC, v), count(*) FROM (SELECT (%1$s)::text AS v, count(*) AS n FROM %2$s WHERE (%1$s) IS NOT NULL GROUP BY 1) q',
                       expr_sql, src) INTO levels, n_levels;
        levels := coalesce(levels, '{}');
        -- The reference level: no indicator, and not among the others (__misc__) either.
        drop_value := coalesce(drops ->> disp, drop_all);
        IF drop_value IS NOT NULL AND drop_value = ANY (levels) THEN
            levels := array_remove(levels, drop_value);
            n_levels := n_levels - 1;
            IF cardinality(levels) = 0 AND NOT encode_null THEN
                RAISE EXCEPTION 'value_to_drop leaves column % no level to encode', disp
                    USING ERRCODE = 'invalid_parameter_value', HINT = 'Drop another value, or leave the column out.';
            END IF;
        ELSE
            drop_value := NULL;
        END IF;
        IF top_n IS NOT NULL THEN
            levels := levels[1:top_n];
        ELSIF top_fraction IS NOT NULL THEN
            levels := levels[1:ceil(top_fraction * n_levels)::integer];
        END IF;
        FOREACH level IN ARRAY levels LOOP
            ind_name := disp || '_' || level;
            idx := idx + 1;
            indicators := indicators || format('CASE WHEN (%1$s) IS NULL THEN %2$s ELSE ((%1$s)::text = %3$L)::integer END',
                                               expr_sql, CASE WHEN encode_null THEN '0' ELSE 'NULL::integer' END, level);
            names := names || ind_name;
            dict_rows := dict_rows || format('(%L, %s, %L, %L)', ind_name, idx, disp, level);
        END LOOP;
        IF cardinality(levels) < n_levels THEN
            ind_name := disp || '__misc__';
            idx := idx + 1;
            indicators := indicators || format('CASE WHEN (%1$s) IS NULL THEN %2$s ELSE (NOT (%1$s)::text = ANY (%3$L::text[]))::integer END',
                                               expr_sql, CASE WHEN encode_null THEN '0' ELSE 'NULL::integer' END,
                                               CASE WHEN drop_value IS NULL THEN levels ELSE levels || drop_value END);
            names := names || ind_name;
            dict_rows := dict_rows || format('(%L, %s, %L, %L)', ind_name, idx, disp, '__misc__');
        END IF;
        IF encode_null THEN
            ind_name := disp || '_null';
            idx := idx + 1;
            indicators := indicators || format('((%s) IS NULL)::integer', expr_sql);
            names := names || ind_name;
            dict_rows := dict_rows || format('(%L, %s, %L, NULL)', ind_name, idx, disp);
        END IF;
    END LOOP;
    IF cardinality(indicators) > 1500 THEN
        RAISE EXCEPTION 'the encoding makes % indicators, at most 1500 are allowed', cardinality(indicators)
            USING ERRCODE = 'program_limit_exceeded', HINT = 'Keep fewer levels with top.';
    END IF;
    IF lower(output_type) = 'column' AND EXISTS (SELECT FROM unnest(names) n WHERE octet_length(n) > 63) THEN
        RAISE EXCEPTION 'indicator column "%" would be longer than 63 bytes', (SELECT n FROM unnest(names) n WHERE octet_length(n) > 63 LIMIT 1)
            USING ERRCODE = 'name_too_long', HINT = 'Use output_type => ''array'' (the dictionary names the levels), or keep fewer levels with top.';
    END IF;
    -- The columns kept: row_id's, or every column not encoded.
    IF kept IS NULL THEN
        SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum) INTO kept FROM pg_attribute a
         WHERE a.attrelid = src AND a.attnum > 0 AND NOT a.attisdropped AND NOT a.attname = ANY (cats);
    END IF;
    IF lower(output_type) = 'column' THEN
        EXECUTE format('CREATE TABLE %s AS SELECT %s FROM %s', outs.main,
                       concat_ws(', ', kept, (SELECT string_agg(format('%s AS %I', e, n), ', ') FROM unnest(indicators, names) u(e, n))),
                       src);
    ELSE
        EXECUTE format('CREATE TABLE %s AS SELECT %s FROM %s', outs.main,
                       concat_ws(', ', kept, format('ARRAY[%s]::float8[] AS __encoded_variables__', array_to_string(indicators, ', '))),
                       src);
    END IF;
    IF output_dictionary OR lower(output_type) = 'array' THEN
        EXECUTE format('CREATE TABLE %s (encoded_column_name text, index integer, variable text, value text)', dict_name);
        EXECUTE format('INSERT INTO %s VALUES %s', dict_name, array_to_string(dict_rows, ', '));
    END IF;
END $$;
COMMENT ON FUNCTION madlib.encode_categorical_variables(varchar, varchar, varchar, varchar, varchar, varchar, varchar, boolean, varchar, boolean, varchar, text) IS
    'MADlib''s encode_categorical_variables: one 0/1 indicator per level of each categorical column (top levels, __misc__, _null with encode_null), as columns or one float8[] with a dictionary';

-- ---------------------------------------------------------------------------------
-- Support vector machines, on corgi.train's 'svm' and 'svr' models
-- ---------------------------------------------------------------------------------
-- A value of MADlib's svm params: a number, or a list ([a, b] or {a, b}) of numbers to
-- cross-validate.
CREATE FUNCTION madlib._svm_param_values(fn text, item text, value text) RETURNS float8[]
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    body text := btrim(value);
    numbers float8[];
BEGIN
    IF body ~ '^\[.*\]$' OR body ~ '^\{.*\}$' THEN
        body := substr(body, 2, length(body) - 2);
    END IF;
    BEGIN
        SELECT array_agg(btrim(v)::float8 ORDER BY o) INTO numbers FROM unnest(string_to_array(body, ',')) WITH ORDINALITY u(v, o);
    EXCEPTION WHEN invalid_text_representation OR numeric_value_out_of_range THEN
        numbers := NULL;
    END;
    IF numbers IS NULL OR cardinality(numbers) = 0 OR 'NaN' = ANY (numbers) THEN
        RAISE EXCEPTION 'params "%" of % is neither a number nor a list of numbers', item, fn
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Write key=0.1, or key=[0.1, 1] with n_folds=3 to cross-validate the values.';
    END IF;
    RETURN numbers;
END $$;
COMMENT ON FUNCTION madlib._svm_param_values(text, text, text) IS
    'internal: the numbers of a MADlib svm param value, a number or a list ([a, b] or {a, b}) to cross-validate';

-- Work tables of a call, in the session's temporary schema: dropped where they exist
-- (a name elsewhere is left alone).
CREATE FUNCTION madlib._drop_work_tables(VARIADIC tables text[]) RETURNS void
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY tables LOOP
        IF (SELECT c.relnamespace = pg_my_temp_schema() FROM pg_class c WHERE c.oid = to_regclass(t)) THEN
            EXECUTE format('DROP TABLE %s', t);
        END IF;
    END LOOP;
END $$;
COMMENT ON FUNCTION madlib._drop_work_tables(text[]) IS
    'internal: drops the named tables of the session''s temporary schema that exist';

-- MADlib's folds for cross-validation: rows_t (a work table) gets (id, y, x), the rows of
-- src in MADlib's random order (setseed(0.5), as MADlib: it sets the session's seed, then
-- row_number() over random()); returns how many, at least n_folds. Fold k of n_folds is
-- the ids madlib._cv_fold gives.
CREATE FUNCTION madlib._cv_rows(rows_t text, src regclass, label text, features text, n_folds integer) RETURNS bigint
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    n bigint;
BEGIN
    PERFORM setseed(0.5);
    EXECUTE format('CREATE TEMP TABLE %s AS SELECT row_number() OVER (ORDER BY random()) AS id, (%s) AS y, (%s)::float8[] AS x FROM %s',
                   rows_t, label, features, src);
    GET DIAGNOSTICS n = ROW_COUNT;
    IF n < n_folds THEN
        RAISE EXCEPTION 'n_folds=% is more than the % rows of %', n_folds, n, src
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Use fewer folds (3 is usual).';
    END IF;
    RETURN n;
END $$;
COMMENT ON FUNCTION madlib._cv_rows(text, regclass, text, text, integer) IS
    'internal: the rows of a cross-validation in MADlib''s random order, numbered from 1; their count';

-- Fold k (from 1) of n_folds over rows 1..n: ids in [lo, hi), the k-th of n_folds equal
-- runs, the last taking the rest.
CREATE FUNCTION madlib._cv_fold(n bigint, n_folds integer, k integer, OUT lo bigint, OUT hi bigint)
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT (k - 1) * (n / n_folds) + 1, CASE WHEN k = n_folds THEN n + 1 ELSE k * (n / n_folds) + 1 END;
END;
COMMENT ON FUNCTION madlib._cv_fold(bigint, integer, integer) IS
    'internal: the ids [lo, hi) of fold k of n_folds over rows 1..n (MADlib''s folds)';

-- MADlib's cross-validation of the svm params given as lists (n_folds at least 2): the
-- rows copied once in MADlib's random order (setseed(0.5), as MADlib, then row_number()
-- over random()), fold k the k-th of n_folds equal runs of that order (the last takes
-- the rest). Per fold one corgi.fit_multiple trains every combination of the lists on
-- the other folds at once (model hopping) and scores each epoch on the fold, so a
-- max_iter list is read off the epochs (a config after m epochs is that config trained
-- for m). The score is the accuracy (classification) or minus the RMSE (regression), as
-- MADlib's; the combination with the best mean over the folds wins (ties: the first in
-- the order init_stepsize, decay_factor, max_iter, lambda, epsilon). validation_result
-- (when named) gets one float8 column per param given as a list, mean_score and
-- std_dev_score (the sample standard deviation), a row per combination.
CREATE FUNCTION madlib._svm_cross_validate(src regclass, label text, features text, model text, fixed_params text,
                                           n_folds integer, stepsizes float8[], decays float8[], iters float8[],
                                           lambdas float8[], epsilons float8[], norm text, validation_result text,
                                           caller_search_path text,
                                           OUT init_stepsize float8, OUT decay_factor float8, OUT max_iter integer,
                                           OUT lambda float8, OUT epsilon float8)
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
-- Numbers written into SQL text round-trip exactly (shortest exact form).
SET extra_float_digits = 1
AS $$
DECLARE
    tag text := 'corgi_cv_' || pg_backend_pid();
    rows_t text := format('pg_temp.%I', tag || '_rows');
    cfg_t text := format('pg_temp.%I', tag || '_configs');
    train_t text := format('pg_temp.%I', tag || '_train');
    valid_t text := format('pg_temp.%I', tag || '_valid');
    models_t text := format('pg_temp.%I', tag || '_models');
    scores_t text := format('pg_temp.%I', tag || '_scores');
    n bigint;
    lo bigint;
    hi bigint;
    cols text;
    best record;
BEGIN
    PERFORM madlib._drop_work_tables(rows_t, cfg_t, train_t, valid_t, models_t, models_t || '_info', models_t || '_summary', scores_t);
    n := madlib._cv_rows(rows_t, src, label, features, n_folds);
    EXECUTE format($q$CREATE TEMP TABLE %s AS
        SELECT (row_number() OVER (ORDER BY si, di, li, ei))::integer AS config_id, %L::text AS model,
               concat_ws(', ', format('learning_rate=%%s, decay=%%s, %%s=%%s', s, d, %L, l),
                         CASE WHEN %L = 'svr' THEN format('svr_epsilon=%%s', e) END, nullif(%L, '')) AS params,
               s, d, l, e
        FROM unnest($1) WITH ORDINALITY a(s, si), unnest($2) WITH ORDINALITY b(d, di),
             unnest($3) WITH ORDINALITY c(l, li), unnest($4) WITH ORDINALITY g(e, ei)$q$,
                   cfg_t, model, norm, model, fixed_params)
        USING stepsizes, decays, lambdas, epsilons;
    EXECUTE format('CREATE TEMP TABLE %s (config_id integer, iter_index integer, fold integer, score float8)', scores_t);
    FOR k IN 1..n_folds LOOP
        SELECT f.lo, f.hi INTO lo, hi FROM madlib._cv_fold(n, n_folds, k) f;
        EXECUTE format('CREATE TEMP TABLE %s AS SELECT y, x FROM %s WHERE id < %s OR id >= %s', train_t, rows_t, lo, hi);
        EXECUTE format('CREATE TEMP TABLE %s AS SELECT y, x FROM %s WHERE id >= %s AND id < %s', valid_t, rows_t, lo, hi);
        PERFORM corgi.fit_multiple(train_t, models_t, 'y', 'x', cfg_t, (SELECT max(m)::integer FROM unnest(iters) m),
                                   validation_table => valid_t, caller_search_path => caller_search_path);
        -- A diverged config scores NULL (never a NaN, which would sort first).
        EXECUTE format($q$INSERT INTO %s
            SELECT i.config_id, it.o, %s, nullif(%s i.validation_metric[it.m::integer], 'NaN')
            FROM %s i, unnest($1) WITH ORDINALITY it(m, o)$q$,
                       scores_t, k, CASE WHEN model = 'svr' THEN '-' ELSE '' END, models_t || '_info')
            USING iters;
        PERFORM madlib._drop_work_tables(train_t, valid_t, models_t, models_t || '_info', models_t || '_summary');
    END LOOP;
    EXECUTE format($q$SELECT c.s, c.d, it.m, c.l, c.e, avg(sc.score) AS mean_score
        FROM %s sc JOIN %s c USING (config_id) JOIN unnest($1) WITH ORDINALITY it(m, o) ON it.o = sc.iter_index
        GROUP BY c.config_id, it.o, c.s, c.d, it.m, c.l, c.e
        ORDER BY avg(sc.score) DESC NULLS LAST, c.config_id, it.o LIMIT 1$q$, scores_t, cfg_t)
        INTO best USING iters;
    init_stepsize := best.s;
    decay_factor := best.d;
    max_iter := best.m::integer;
    lambda := best.l;
    epsilon := best.e;
    IF validation_result IS NOT NULL THEN
        cols := concat_ws(', ', CASE WHEN cardinality(stepsizes) > 1 THEN 'c.s AS init_stepsize' END,
                                CASE WHEN cardinality(decays) > 1 THEN 'c.d AS decay_factor' END,
                                CASE WHEN cardinality(iters) > 1 THEN 'it.m AS max_iter' END,
                                CASE WHEN cardinality(lambdas) > 1 THEN 'c.l AS lambda' END,
                                CASE WHEN cardinality(epsilons) > 1 THEN 'c.e AS epsilon' END);
        EXECUTE format($q$CREATE TABLE %s AS
            SELECT %s, avg(sc.score) AS mean_score, stddev_samp(sc.score) AS std_dev_score
            FROM %s sc JOIN %s c USING (config_id) JOIN unnest($1) WITH ORDINALITY it(m, o) ON it.o = sc.iter_index
            GROUP BY c.config_id, it.o, c.s, c.d, it.m, c.l, c.e ORDER BY c.config_id, it.o$q$,
                       validation_result, cols, scores_t, cfg_t)
            USING iters;
    END IF;
    PERFORM madlib._drop_work_tables(rows_t, cfg_t, scores_t);
END $$;
COMMENT ON FUNCTION madlib._svm_cross_validate(regclass, text, text, text, text, integer, float8[], float8[], float8[], float8[], float8[], text, text, text) IS
    'internal: MADlib''s n_folds cross-validation of svm params given as lists, one corgi.fit_multiple per fold; the best combination, and validation_result';

-- MADlib's svm_classification, svm_regression and svm_one_class, one trainer: params map
-- onto corgi's SGD (init_stepsize -> learning_rate, decay_factor -> decay, max_iter ->
-- epochs, lambda with norm L2 or L1 -> l2 or l1, epsilon -> svr_epsilon (the
-- regression's tube; classification ignores it, as MADlib), class_weight (balanced or
-- {class: weight}) -> class_weight, kernel_params fit_intercept -> intercept; the
-- gaussian and polynomial kernels map the rows by corgi.kernel_features). Classification
-- trains corgi's svm: the two classes of the dependent variable become dep_var_mapping
-- (sorted as text), the second the positive one. Regression trains corgi's svr on the
-- dependent value (dep_var_mapping NULL). One class (MADlib's way): the rows, mapped by
-- the kernel (gaussian by default), are the class 1 and the origin of the mapped space
-- the class -1, with an intercept and balanced class weights unless given. A param given
-- as a list with n_folds >= 2 is cross-validated (madlib._svm_cross_validate) and the
-- model trained with the best values. corgi's own model (bytes, epochs) is kept beside
-- it in <model_table>_corgi. Refused with a hint: eps_table, other kernels,
-- cross-validation with grouping_col (MADlib refuses it too).
CREATE FUNCTION madlib._svm_train(method text, source_table varchar, model_table varchar,
                                  dependent_varname varchar, independent_varname varchar, kernel_func varchar,
                                  kernel_params varchar, grouping_col varchar, params varchar, verbose boolean,
                                  caller_search_path text)
RETURNS void
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
-- Numbers written into SQL text round-trip exactly (shortest exact form).
SET extra_float_digits = 1
AS $$
DECLARE
    regression boolean := method = 'regression';
    one_class boolean := method = 'one_class';
    fn text := 'svm_' || method;
    src regclass;
    outs record;
    side record;
    cv_table text;
    chosen record;
    item text;
    key text;
    value text;
    fit_intercept boolean := false;
    stepsizes float8[] := '{0.01}';
    decays float8[] := '{0.9}';
    iters float8[] := '{100}';
    lambdas float8[] := '{0.01}';
    epsilons float8[] := '{0.01}';
    stepsize float8;
    decay_factor float8;
    max_iter integer;
    lambda float8;
    epsilon float8;
    tolerance float8 := 1e-10;
    norm text := 'l2';
    n_folds integer := 0;
    validation_result text;
    kernel text := lower(btrim(coalesce(kernel_func, CASE WHEN method = 'one_class' THEN 'gaussian' ELSE 'linear' END)));
    map_params text := '';
    kernel_name text;
    class_weight text;
    weights float8[];
    features text := independent_varname;
    train_source text := source_table;
    dependent text := dependent_varname;
    label text;
    classes text[];
    keys text := '';
    totals record;
    width integer;
BEGIN
    IF source_table IS NULL OR model_table IS NULL OR (dependent_varname IS NULL AND NOT one_class) OR independent_varname IS NULL
       OR caller_search_path IS NULL THEN
        RAISE EXCEPTION 'madlib.%: source_table, model_table, %independent_varname must not be NULL', fn,
                        CASE WHEN one_class THEN '' ELSE 'dependent_varname and ' END
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    -- The kernel, by its name or a prefix of two letters or more, as MADlib takes it:
    -- gaussian and polynomial train the linear machine on random features that
    -- approximate them (corgi.kernel_features, MADlib's approach).
    kernel := CASE WHEN length(kernel) >= 2 AND 'linear' LIKE kernel || '%' THEN 'linear'
                   WHEN length(kernel) >= 2 AND 'gaussian' LIKE kernel || '%' THEN 'gaussian'
                   WHEN length(kernel) >= 2 AND 'polynomial' LIKE kernel || '%' THEN 'polynomial' END;
    IF kernel IS NULL THEN
        RAISE EXCEPTION 'kernel_func "%" is not offered by corgi_madlib''s %', kernel_func, fn
            USING ERRCODE = 'feature_not_supported', HINT = 'Use linear, gaussian or polynomial.';
    END IF;
    kernel_name := kernel;   -- kernel itself becomes linear for one class's mapped rows
    FOREACH item IN ARRAY coalesce(corgi._split_grouping_cols(nullif(btrim(kernel_params), '')), '{}') LOOP
        key := lower(btrim(split_part(item, '=', 1)));
        value := lower(btrim(split_part(item, '=', 2)));
        IF key = 'fit_intercept' AND value IN ('true', 'false', 't', 'f', 'yes', 'no', '1', '0') THEN
            fit_intercept := value::boolean;
        ELSIF kernel <> 'linear' AND key IN ('gamma', 'degree', 'coef0', 'n_components', 'random_state', 'fit_in_memory') THEN
            map_params := concat_ws(', ', nullif(map_params, ''), key || '=' || value);
        ELSE
            RAISE EXCEPTION 'kernel_params "%" is not offered with the % kernel', item, kernel
                USING ERRCODE = 'invalid_parameter_value',
                      HINT = CASE kernel WHEN 'linear' THEN 'The linear kernel takes fit_intercept=true or false.'
                                         WHEN 'gaussian' THEN 'The gaussian kernel takes gamma, n_components, random_state and fit_intercept.'
                                         ELSE 'The polynomial kernel takes degree, coef0, n_components, random_state and fit_intercept.' END;
        END IF;
    END LOOP;
    -- One class: MADlib always fits the intercept (the origin's side of the hyperplane).
    IF one_class THEN
        fit_intercept := true;
    END IF;
    IF kernel <> 'linear' THEN
        PERFORM corgi.kernel_features('{0}'::float8[], kernel, map_params);   -- its parameters checked now
    END IF;
    FOREACH item IN ARRAY coalesce(corgi._split_grouping_cols(nullif(btrim(params), '')), '{}') LOOP
        key := lower(btrim(split_part(item, '=', 1)));
        value := btrim(substr(item, strpos(item, '=') + 1));
        CASE key
            WHEN 'class_weight' THEN class_weight := value;
            WHEN 'init_stepsize' THEN stepsizes := madlib._svm_param_values(fn, item, value);
            WHEN 'decay_factor' THEN decays := madlib._svm_param_values(fn, item, value);
            WHEN 'max_iter' THEN iters := madlib._svm_param_values(fn, item, value);
            WHEN 'lambda' THEN lambdas := madlib._svm_param_values(fn, item, value);
            WHEN 'epsilon' THEN epsilons := madlib._svm_param_values(fn, item, value);
            WHEN 'tolerance' THEN tolerance := value::float8;
            WHEN 'norm' THEN norm := lower(value);
            WHEN 'n_folds' THEN
                IF value !~ '^\s*[0-9]{1,6}\s*$' THEN
                    RAISE EXCEPTION 'n_folds must be a whole number, got "%"', value
                        USING ERRCODE = 'invalid_parameter_value', HINT = 'Write n_folds=3 (0 or 1: no cross-validation).';
                END IF;
                n_folds := value::integer;
            WHEN 'validation_result' THEN validation_result := nullif(btrim(value), '');
            ELSE
                RAISE EXCEPTION 'params "%" is not offered by corgi_madlib''s %', item, fn
                    USING ERRCODE = 'feature_not_supported',
                          HINT = 'It takes init_stepsize, decay_factor, max_iter, tolerance, lambda, norm (L1 or L2), epsilon, class_weight, n_folds and validation_result.';
        END CASE;
    END LOOP;
    IF norm NOT IN ('l1', 'l2') THEN
        RAISE EXCEPTION 'norm must be L1 or L2, got "%"', norm USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF EXISTS (SELECT FROM unnest(iters) m WHERE m <> trunc(m) OR m < 1 OR m > 1000000) THEN
        RAISE EXCEPTION 'max_iter must be whole numbers from 1, got %', array_to_string(iters, ', ')
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Write max_iter=100, or max_iter=[50, 100] to cross-validate.';
    END IF;
    -- Classification ignores epsilon, lists too (as MADlib: they are not validated).
    IF NOT regression THEN
        epsilons := epsilons[1:1];
    END IF;
    IF n_folds > 1 AND grouping_col IS NOT NULL THEN
        RAISE EXCEPTION '% cannot cross-validate with grouping_col (n_folds=%)', fn, n_folds
            USING ERRCODE = 'feature_not_supported', HINT = 'MADlib refuses it too: leave grouping_col out, or give n_folds=0 and one value per param.';
    END IF;
    IF greatest(cardinality(stepsizes), cardinality(decays), cardinality(iters), cardinality(lambdas), cardinality(epsilons)) > 1 THEN
        IF n_folds <= 1 THEN
            RAISE EXCEPTION '% params give lists of values to choose from, but n_folds is %', fn, n_folds
                USING ERRCODE = 'invalid_parameter_value', HINT = 'Add n_folds=3 (at least 2) to cross-validate them, or give one value each.';
        END IF;
    ELSIF n_folds > 1 THEN
        -- MADlib warns and trains once.
        RAISE NOTICE '% has n_folds=% but no param lists values to choose from: no cross-validation', fn, n_folds;
        n_folds := 0;
    END IF;
    src := corgi._readable_source('madlib.' || fn, source_table, caller_search_path);
    outs := corgi._writable_outputs('madlib.' || fn, model_table, caller_search_path);
    side := corgi._writable_outputs('madlib.' || fn, model_table || '_corgi', caller_search_path);
    IF validation_result IS NOT NULL AND n_folds > 1 THEN
        cv_table := (corgi._writable_outputs('madlib.' || fn, validation_result, caller_search_path)).main;
    END IF;
    IF regression AND class_weight IS NOT NULL THEN
        RAISE EXCEPTION 'class_weight applies to svm_classification only' USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Leave class_weight out of svm_regression''s params.';
    END IF;
    -- The features as SQL over the source (a kernel maps them as training did).
    IF kernel <> 'linear' OR one_class THEN
        features := corgi._column_or_expression(src, source_table, 'independent_varname', independent_varname);
        IF kernel <> 'linear' THEN
            features := format('corgi.kernel_features((%s)::float8[], %L, %L)', features, kernel, map_params);
        END IF;
    END IF;
    IF one_class THEN
        -- The rows (class 1) and the origin of the mapped space (class -1): a temporary
        -- table the caller writes (its privileges and policies apply), dropped at the end.
        IF grouping_col IS NOT NULL THEN
            RAISE EXCEPTION 'svm_one_class takes no grouping_col in corgi_madlib' USING ERRCODE = 'feature_not_supported',
                HINT = 'Train one model per group by filtering the source (a view per group).';
        END IF;
        EXECUTE format('SELECT cardinality((%s)::float8[]) FROM %s WHERE (%s) IS NOT NULL LIMIT 1', features, src, features) INTO width;
        IF width IS NULL THEN
            RAISE EXCEPTION 'source table % has no rows with independent values', source_table
                USING ERRCODE = 'invalid_parameter_value', HINT = 'Train on a table with data.';
        END IF;
        train_source := format('pg_temp.%I', 'corgi_one_class_' || pg_backend_pid());
        PERFORM madlib._drop_work_tables(train_source);
        EXECUTE format('CREATE TEMP TABLE %s AS SELECT (%s)::float8[] AS x, 1::float8 AS y FROM %s
                        UNION ALL SELECT array_fill(0::float8, ARRAY[%s]), -1::float8',
                       train_source, features, src, width);
        src := train_source::regclass;
        features := 'x';
        dependent := 'y';
        kernel := 'linear';   -- for training: the table's rows are mapped already
        class_weight := coalesce(class_weight, 'balanced');
    END IF;
    label := corgi._column_or_expression(src, train_source, 'dependent_varname', dependent);
    IF NOT regression THEN
        -- The two classes, sorted as text: the second is the positive one.
        EXECUTE format('SELECT array_agg(DISTINCT (%s)::text ORDER BY (%1$s)::text) FROM %s WHERE (%1$s) IS NOT NULL',
                       label, src)
            INTO classes;
        IF cardinality(coalesce(classes, '{}')) <> 2 THEN
            RAISE EXCEPTION 'svm_classification needs a dependent variable of two classes, "%" has %', dependent_varname, cardinality(coalesce(classes, '{}'))
                USING ERRCODE = 'invalid_parameter_value', HINT = 'Write a condition, e.g. ''rings > 10''.';
        END IF;
        -- class_weight, as MADlib: 'balanced' (n / (2 n_class), counted here) or
        -- '{class: weight, ...}' (a class left out weighs 1), in dep_var_mapping's order.
        IF class_weight IS NOT NULL THEN
            IF lower(class_weight) = 'balanced' THEN
                EXECUTE format('SELECT ARRAY[count(*)::float8 / (2 * greatest(count(*) FILTER (WHERE (%1$s)::text = %3$L), 1)),
                                             count(*)::float8 / (2 * greatest(count(*) FILTER (WHERE (%1$s)::text = %4$L), 1))]
                                FROM %2$s WHERE (%1$s) IS NOT NULL', label, src, classes[1], classes[2])
                    INTO weights;
            ELSIF class_weight ~ '^\{.*\}$' THEN
                weights := ARRAY[1, 1]::float8[];
                FOREACH item IN ARRAY corgi._split_grouping_cols(substr(class_weight, 2, length(class_weight) - 2)) LOOP
                    key := btrim(btrim(split_part(item, ':', 1)), '''"');
                    value := btrim(split_part(item, ':', 2));
                    IF NOT key = ANY (classes) OR value !~ '^[0-9]*\.?[0-9]+([eE][-+]?[0-9]+)?$' OR value::float8 <= 0 THEN
                        RAISE EXCEPTION 'class_weight item "%" is not a class of "%" with a positive weight', item, dependent_varname
                            USING ERRCODE = 'invalid_parameter_value',
                                  HINT = format('The classes are %s; write class_weight={%s:1, %s:5} or balanced.', array_to_string(classes, ', '),
                                                classes[1], classes[2]);
                    END IF;
                    weights[array_position(classes, key)] := value::float8;
                END LOOP;
            ELSE
                RAISE EXCEPTION 'class_weight "%" is neither balanced nor {class: weight, ...}', class_weight
                    USING ERRCODE = 'invalid_parameter_value', HINT = 'Write class_weight=balanced or class_weight={a:1, b:3}.';
            END IF;
        END IF;
    END IF;
    stepsize := stepsizes[1];
    decay_factor := decays[1];
    max_iter := iters[1]::integer;
    lambda := lambdas[1];
    epsilon := epsilons[1];
    IF n_folds > 1 THEN
        SELECT * INTO chosen FROM madlib._svm_cross_validate(
            src, CASE WHEN regression THEN format('(%s)::float8', label) ELSE format('((%s)::text = %L)', label, classes[2]) END,
            corgi._column_or_expression(src, train_source, 'independent_varname', features),
            CASE WHEN regression THEN 'svr' ELSE 'svm' END,
            concat_ws(', ', format('intercept=%s', fit_intercept), 'class_weight=[' || array_to_string(weights, ',') || ']'),
            n_folds, stepsizes, decays, iters, lambdas, epsilons, norm, cv_table, caller_search_path);
        stepsize := chosen.init_stepsize;
        decay_factor := chosen.decay_factor;
        max_iter := chosen.max_iter;
        lambda := chosen.lambda;
        epsilon := chosen.epsilon;
    END IF;
    IF regression THEN
        -- Trained by corgi: max_iter epochs of SGD on the epsilon-insensitive loss.
        PERFORM corgi.train(train_source, model_table || '_corgi', dependent, features, 'svr',
                            max_iter, 'corgipile',
                            format('learning_rate=%s, decay=%s, %s=%s, intercept=%s, svr_epsilon=%s',
                                   stepsize, decay_factor, norm, lambda, fit_intercept, epsilon),
                            "verbose", grouping_col, caller_search_path);
    ELSE
        -- Trained by corgi: max_iter epochs of SGD on the hinge loss.
        PERFORM corgi.train(train_source, model_table || '_corgi', format('((%s)::text = %L)', label, classes[2]),
                            features, 'svm', max_iter, 'corgipile',
                            concat_ws(', ', format('learning_rate=%s, decay=%s, %s=%s, intercept=%s', stepsize, decay_factor, norm, lambda, fit_intercept),
                                      'class_weight=[' || array_to_string(weights, ',') || ']'),
                            "verbose", grouping_col, caller_search_path);
    END IF;
    IF grouping_col IS NOT NULL THEN
        keys := (SELECT string_agg(format('%I, ', a.attname), '' ORDER BY a.attnum) FROM pg_attribute a
                 WHERE a.attrelid = to_regclass(side.main) AND a.attnum > 0 AND NOT a.attisdropped
                   AND a.attnum < (SELECT attnum FROM pg_attribute WHERE attrelid = to_regclass(side.main) AND attname = 'coef'));
    END IF;
    EXECUTE format($q$CREATE TABLE %s AS SELECT %s CASE WHEN %L THEN coef || intercept[1] ELSE coef END AS coef, loss,
                             NULL::float8 AS norm_of_gradient, num_epochs AS num_iterations, num_rows_processed,
                             num_rows_skipped, %L::text[] AS dep_var_mapping FROM %s$q$,
                   outs.main, keys, fit_intercept, classes, side.main);
    EXECUTE format('SELECT count(*) AS groups, count(*) FILTER (WHERE coef IS NULL) AS failed, coalesce(sum(num_rows_processed), 0) AS processed,
                           coalesce(sum(num_rows_skipped), 0) AS skipped FROM %s', outs.main) INTO totals;
    -- The summary names what the user gave (one class: no dependent variable; predict maps
    -- the rows by the kernel and appends the intercept's 1).
    EXECUTE format($q$CREATE TABLE %s AS SELECT %L::text AS method,
                             'corgi_madlib ' || (SELECT extversion FROM pg_extension WHERE extname = 'corgi_madlib') AS version_number,
                             %L::text AS source_table, %L::text AS model_table, %L::text AS dependent_varname,
                             %L::text AS independent_varname, %L::text AS kernel_func, %L::text AS kernel_params,
                             %L::text AS grouping_col, %L::text AS optim_params, %L::text AS reg_params,
                             %s::integer AS num_all_groups, %s::integer AS num_failed_groups,
                             %s::bigint AS total_rows_processed, %s::bigint AS total_rows_skipped$q$,
                   outs.summary, CASE WHEN regression THEN 'SVR' ELSE 'SVC' END, source_table, model_table, dependent_varname,
                   independent_varname, kernel_name,
                   concat_ws(', ', nullif(map_params, ''), format('fit_intercept=%s', CASE WHEN fit_intercept THEN 'true' ELSE 'false' END)),
                   grouping_col,
                   format('solver=corgipile sgd, init_stepsize=%s, decay_factor=%s, max_iter=%s, tolerance=%s', stepsize, decay_factor, max_iter, tolerance)
                   || CASE WHEN regression THEN format(', epsilon=%s', epsilon) ELSE '' END,
                   format('lambda=%s, norm=%s, n_folds=%s', lambda, upper(norm), n_folds)
                   || CASE WHEN weights IS NOT NULL THEN format(', class_weight=%s', array_to_string(weights, ',')) ELSE '' END,
                   totals.groups, totals.failed, totals.processed, totals.skipped);
    IF one_class THEN
        EXECUTE format('DROP TABLE %s', train_source);
    END IF;
END $$;
COMMENT ON FUNCTION madlib._svm_train(text, varchar, varchar, varchar, varchar, varchar, varchar, varchar, varchar, boolean, text) IS
    'internal: MADlib''s svm_classification (method classification: corgi''s svm), svm_regression (regression: corgi''s svr) and svm_one_class (one_class: the rows against the origin), with n_folds cross-validation';

CREATE FUNCTION madlib.svm_classification(source_table varchar, model_table varchar, dependent_varname varchar,
                                          independent_varname varchar, kernel_func varchar DEFAULT 'linear',
                                          kernel_params varchar DEFAULT NULL, grouping_col varchar DEFAULT NULL,
                                          params varchar DEFAULT NULL, verbose boolean DEFAULT false,
                                          caller_search_path text DEFAULT pg_catalog.current_setting('search_path'))
RETURNS void
LANGUAGE sql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
RETURN madlib._svm_train('classification', source_table, model_table, dependent_varname, independent_varname, kernel_func,
                         kernel_params, grouping_col, params, "verbose", caller_search_path);
COMMENT ON FUNCTION madlib.svm_classification(varchar, varchar, varchar, varchar, varchar, varchar, varchar, varchar, boolean, text) IS
    'MADlib''s svm_classification, trained by corgi.train''s svm (params given as lists with n_folds: cross-validated): model_table (coef, loss, num_iterations, rows, dep_var_mapping), model_table_summary, and corgi''s model in model_table_corgi';

CREATE FUNCTION madlib.svm_regression(source_table varchar, model_table varchar, dependent_varname varchar,
                                      independent_varname varchar, kernel_func varchar DEFAULT 'linear',
                                      kernel_params varchar DEFAULT NULL, grouping_col varchar DEFAULT NULL,
                                      params varchar DEFAULT NULL, verbose boolean DEFAULT false,
                                      caller_search_path text DEFAULT pg_catalog.current_setting('search_path'))
RETURNS void
LANGUAGE sql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
RETURN madlib._svm_train('regression', source_table, model_table, dependent_varname, independent_varname, kernel_func,
                         kernel_params, grouping_col, params, "verbose", caller_search_path);
COMMENT ON FUNCTION madlib.svm_regression(varchar, varchar, varchar, varchar, varchar, varchar, varchar, varchar, boolean, text) IS
    'MADlib''s svm_regression (epsilon-insensitive loss), trained by corgi.train''s svr (params given as lists with n_folds: cross-validated): model_table (coef, loss, num_iterations, rows, dep_var_mapping NULL), model_table_summary (method SVR), and corgi''s model in model_table_corgi';

CREATE FUNCTION madlib.svm_one_class(source_table varchar, model_table varchar, independent_varname varchar,
                                     kernel_func varchar DEFAULT 'gaussian', kernel_params varchar DEFAULT NULL,
                                     grouping_col varchar DEFAULT NULL, params varchar DEFAULT NULL,
                                     verbose boolean DEFAULT false,
                                     caller_search_path text DEFAULT pg_catalog.current_setting('search_path'))
RETURNS void
LANGUAGE sql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
RETURN madlib._svm_train('one_class', source_table, model_table, NULL, independent_varname, kernel_func,
                         kernel_params, grouping_col, params, "verbose", caller_search_path);
COMMENT ON FUNCTION madlib.svm_one_class(varchar, varchar, varchar, varchar, varchar, varchar, varchar, boolean, text) IS
    'MADlib''s svm_one_class (novelty detection): the rows, mapped by the kernel (gaussian by default), against the origin, by corgi.train''s svm with balanced class weights; svm_predict answers 1 (like the rows) or -1';

-- MADlib's svm_predict: output_table (id, prediction, decision_function), prediction the
-- second class of dep_var_mapping when coef . x >= 0 (text). The features are the
-- summary's independent_varname: a column of the data, or an expression only when the
-- caller owns the summary table (corgi runs no SQL text another role stored).
CREATE FUNCTION madlib.svm_predict(model_table varchar, new_data_table varchar, id_col_name varchar, output_table varchar,
                                   caller_search_path text DEFAULT pg_catalog.current_setting('search_path'))
RETURNS void
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    model regclass;
    summary regclass;
    data regclass;
    outs record;
    s record;
    x text;
    id_col name;
    join_on text := 'true';
    regression boolean;
BEGIN
    IF model_table IS NULL OR new_data_table IS NULL OR id_col_name IS NULL OR output_table IS NULL OR caller_search_path IS NULL THEN
        RAISE EXCEPTION 'madlib.svm_predict arguments must not be NULL' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    model := corgi._readable_source('madlib.svm_predict', model_table, caller_search_path);
    summary := corgi._readable_source('madlib.svm_predict', model_table || '_summary', caller_search_path);
    model := corgi._stored_table(model, 'model table', NULL, ARRAY['coef', 'dep_var_mapping']::name[],
                                 ARRAY['float8[]', 'text[]']::regtype[]);
    summary := corgi._stored_table(summary, 'summary table', model, ARRAY['independent_varname', 'grouping_col', 'kernel_func', 'kernel_params']::name[],
                                   ARRAY['text', 'text', 'text', 'text']::regtype[]);
    data := corgi._readable_source('madlib.svm_predict', new_data_table, caller_search_path);
    outs := corgi._output_names(output_table, caller_search_path);
    IF to_regclass(outs.main) IS NOT NULL THEN
        RAISE EXCEPTION 'output table % already exists', outs.main
            USING ERRCODE = 'duplicate_table', HINT = 'Drop it first, or choose another output_table.';
    END IF;
    id_col := corgi._grouping_column(data, id_col_name);
    IF id_col IS NULL THEN
        RAISE EXCEPTION 'id_col_name "%" is not a column of %', id_col_name, new_data_table USING ERRCODE = 'undefined_column';
    END IF;
    EXECUTE format('SELECT independent_varname, grouping_col, kernel_func, kernel_params FROM %s LIMIT 1', summary) INTO s;
    x := corgi._variable(data, s.independent_varname,
                         NOT pg_has_role((SELECT relowner FROM pg_class WHERE oid = summary), 'USAGE'), 'independent_varname');
    -- A kernel machine maps the rows as training did (its parameters a literal, never run).
    IF coalesce(s.kernel_func, 'linear') <> 'linear' THEN
        x := format('corgi.kernel_features((%s)::float8[], %L, %L)', x, s.kernel_func, coalesce(s.kernel_params, ''));
    END IF;
    IF s.grouping_col IS NOT NULL THEN
        -- Rows find their model by the grouping columns, by name (an expression names none).
        IF EXISTS (SELECT FROM unnest(corgi._split_grouping_cols(s.grouping_col)) k WHERE corgi._grouping_column(data, k) IS NULL) THEN
            RAISE EXCEPTION 'new_data_table % lacks a grouping column of the model (%)', new_data_table, s.grouping_col
                USING ERRCODE = 'undefined_column', HINT = 'A model grouped by an expression scores rows of a table with that expression as a column.';
        END IF;
        SELECT string_agg(format('m.%1$I IS NOT DISTINCT FROM d.%1$I', corgi._grouping_column(data, k)), ' AND ')
          INTO join_on FROM unnest(corgi._split_grouping_cols(s.grouping_col)) k;
    END IF;
    -- A regression model (svm_regression: no classes) predicts the decision value itself.
    EXECUTE format('SELECT coalesce(bool_and(dep_var_mapping IS NULL), false) FROM %s', model) INTO regression;
    -- The features computed over the data alone (no model column in scope).
    EXECUTE format($q$CREATE TABLE %1$s AS
        SELECT d.%2$I AS id,
               %7$s AS prediction,
               p.z AS decision_function
        FROM (SELECT d0.*, (%6$s)::float8[] AS "?x" FROM %3$s d0) d LEFT JOIN %4$s m ON %5$s,
             LATERAL (SELECT corgi.linregr_predict(m.coef, CASE WHEN cardinality(m.coef) = cardinality(d."?x") + 1
                                                               THEN d."?x" || 1::float8 ELSE d."?x" END) AS z) p$q$,
        outs.main, id_col, data, model, join_on, x,
        CASE WHEN regression THEN 'p.z'
             ELSE 'CASE WHEN p.z IS NULL THEN NULL WHEN p.z >= 0 THEN m.dep_var_mapping[2] ELSE m.dep_var_mapping[1] END' END);
END $$;
COMMENT ON FUNCTION madlib.svm_predict(varchar, varchar, varchar, varchar, text) IS
    'MADlib''s svm_predict: output_table (id, prediction, decision_function) for the rows of new_data_table; prediction a class (svm_classification) or the value (svm_regression)';

-- ---------------------------------------------------------------------------------
-- Multilayer perceptrons, on corgi.train's 'mlp' and 'mlp_regression' models
-- ---------------------------------------------------------------------------------
-- MADlib's mlp_classification and mlp_regression (note their argument order:
-- independent_varname before dependent_varname): standardized inputs (as MADlib),
-- activation sigmoid by default, optimizer_params mapped onto corgi's (learning_rate_init
-- -> learning_rate, n_iterations -> epochs, lambda -> l2, batch_size, solver sgd (with
-- momentum) or adam with beta1, beta2, eps; learning_rate_policy constant, or exp with
-- gamma -> decay). coeff is NULL: the weights are in corgi's model, kept in
-- <output_table>_corgi, which mlp_predict scores. n_tries trains again from other
-- initial weights and keeps each group's lowest loss. Refused with a hint: weights,
-- warm_start, rmsprop, nesterov, other learning-rate policies.
CREATE FUNCTION madlib._mlp_train(is_classification boolean, source_table varchar, output_table varchar,
                                  independent_varname varchar, dependent_varname varchar, hidden_layer_sizes integer[],
                                  optimizer_params varchar, activation varchar, weights varchar, warm_start boolean,
                                  verbose boolean, grouping_col varchar, caller_search_path text)
RETURNS void
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    call text := CASE WHEN is_classification THEN 'madlib.mlp_classification' ELSE 'madlib.mlp_regression' END;
    src regclass;
    outs record;
    side record;
    std_name text;
    item text;
    key text;
    value text;
    lr float8 := 0.001;
    policy text := 'constant';
    gamma float8 := 1;
    n_iterations integer := 100;
    lambda float8 := 0;
    tolerance float8 := 0.001;
    batch_size integer := 1;
    solver text := 'sgd';
    momentum float8 := 0.9;
    beta1 float8 := 0.9;
    beta2 float8 := 0.999;
    eps float8 := 1e-8;
    corgi_params text;
    keys text := '';
    classes text[];
    moments float8[];
    k integer;
    dep_type text;
    n_tries integer := 1;
    try_name text := format('pg_temp.%I', 'corgi_mlp_try_' || pg_backend_pid());
    same_group text;
    n_epochs integer := 1;
    given_source text := source_table;
    given_indep text := independent_varname;
    given_dep text := dependent_varname;
    batch regclass;
    batch_std regclass;
    b record;
    unpacked text := format('pg_temp.%I', 'corgi_mlp_unpacked_' || pg_backend_pid());
    group_join text := 'true';
    group_cols text := '';
    b_shape boolean;
    b_width boolean;
BEGIN
    SELECT NULL::text AS source_table, NULL::text AS independent_varname, NULL::text AS dependent_varname,
           NULL::text AS dependent_vartype, NULL::text[] AS class_values INTO b;
    IF source_table IS NULL OR output_table IS NULL OR independent_varname IS NULL OR dependent_varname IS NULL
       OR caller_search_path IS NULL THEN
        RAISE EXCEPTION '%: source_table, output_table, independent_varname and dependent_varname must not be NULL', call
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF cardinality(coalesce(hidden_layer_sizes, '{}')) = 0 THEN
        RAISE EXCEPTION '% needs hidden_layer_sizes', call
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Give the widths of the hidden layers, e.g. ARRAY[10] or ARRAY[32, 16].';
    END IF;
    IF nullif(btrim(weights), '') IS NOT NULL OR coalesce(warm_start, false) THEN
        RAISE EXCEPTION '% does not take % in corgi_madlib', call, CASE WHEN nullif(btrim(weights), '') IS NOT NULL THEN 'weights' ELSE 'warm_start' END
            USING ERRCODE = 'feature_not_supported', HINT = 'Leave it out.';
    END IF;
    FOREACH item IN ARRAY coalesce(regexp_split_to_array(nullif(btrim(optimizer_params), ''), '\s*,\s*'), '{}') LOOP
        key := lower(btrim(split_part(item, '=', 1)));
        value := lower(btrim(split_part(item, '=', 2)));
        CASE key
            WHEN 'learning_rate_init' THEN lr := value::float8;
            WHEN 'learning_rate_policy' THEN policy := value;
            WHEN 'gamma' THEN gamma := value::float8;
            WHEN 'n_iterations' THEN n_iterations := value::integer;
            WHEN 'lambda' THEN lambda := value::float8;
            WHEN 'tolerance' THEN tolerance := value::float8;
            WHEN 'batch_size' THEN batch_size := value::integer;
            WHEN 'solver' THEN solver := value;
            WHEN 'momentum' THEN momentum := value::float8;
            WHEN 'beta1' THEN beta1 := value::float8;
            WHEN 'beta2' THEN beta2 := value::float8;
            WHEN 'eps' THEN eps := value::float8;
            WHEN 'n_epochs' THEN
                IF value !~ '^[0-9]{1,6}$' OR value::integer < 1 THEN
                    RAISE EXCEPTION 'n_epochs must be a whole number from 1, got "%"', value USING ERRCODE = 'invalid_parameter_value',
                        HINT = 'n_epochs applies to minibatch_preprocessor tables: the passes over each buffer per iteration.';
                END IF;
                n_epochs := value::integer;
            WHEN 'n_tries' THEN
                IF value !~ '^[0-9]{1,3}$' OR value::integer < 1 THEN
                    RAISE EXCEPTION 'n_tries must be a whole number from 1, got "%"', value USING ERRCODE = 'invalid_parameter_value',
                        HINT = 'n_tries=3 trains three times from other initial weights and keeps the lowest loss.';
                END IF;
                n_tries := value::integer;
            WHEN 'nesterov' THEN
                IF value::boolean THEN
                    RAISE EXCEPTION 'nesterov momentum is not offered by corgi_madlib' USING ERRCODE = 'feature_not_supported',
                        HINT = 'Leave nesterov out (plain momentum), or use solver=adam.';
                END IF;
            ELSE
                RAISE EXCEPTION 'optimizer_params "%" is not offered by corgi_madlib''s %', item, call
                    USING ERRCODE = 'feature_not_supported',
                          HINT = 'It takes learning_rate_init, learning_rate_policy (constant or exp with gamma), n_iterations, lambda, tolerance, batch_size, solver (sgd or adam), momentum, beta1, beta2, eps.';
        END CASE;
    END LOOP;
    IF policy NOT IN ('constant', 'exp') THEN
        RAISE EXCEPTION 'learning_rate_policy "%" is not offered by corgi_madlib', policy
            USING ERRCODE = 'feature_not_supported', HINT = 'Use constant, or exp with gamma.';
    END IF;
    IF solver NOT IN ('sgd', 'adam') THEN
        RAISE EXCEPTION 'solver "%" is not offered by corgi_madlib''s %', solver, call
            USING ERRCODE = 'feature_not_supported', HINT = 'Use sgd (with momentum) or adam.';
    END IF;
    IF lower(coalesce(activation, 'sigmoid')) NOT IN ('sigmoid', 'relu', 'tanh') THEN
        RAISE EXCEPTION 'activation "%" is not offered', activation USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Use sigmoid (MADlib''s default), relu or tanh.';
    END IF;
    src := corgi._readable_source(call, source_table, caller_search_path);
    -- A minibatch_preprocessor table (MADlib's packed buffers, its <source>_summary and
    -- _standardization beside it): its rows are unpacked, each back on its original
    -- scale (the buffers hold standardized features), into a temporary table corgi
    -- trains on as on any (it standardizes them again, from the same rows); n_iterations
    -- x n_epochs passes. The summary names both the packed and the original source.
    SELECT to_regclass(format('%I.%I', n.nspname, c.relname || '_summary')), to_regclass(format('%I.%I', n.nspname, c.relname || '_standardization'))
      INTO batch, batch_std FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = src;
    IF batch IS NOT NULL AND EXISTS (SELECT FROM pg_attribute WHERE attrelid = batch AND attname = 'buffer_size' AND NOT attisdropped) THEN
        batch := corgi._stored_table(batch, 'minibatch summary table', src,
                                     ARRAY['source_table', 'independent_varname', 'dependent_varname', 'dependent_vartype', 'class_values']::name[],
                                     ARRAY['text', 'text', 'text', 'text', 'text[]']::regtype[]);
        IF batch_std IS NULL THEN
            RAISE EXCEPTION 'minibatch table % has no _standardization table beside it', source_table
                USING ERRCODE = 'undefined_table', HINT = 'Make it with madlib.minibatch_preprocessor.';
        END IF;
        batch_std := corgi._stored_table(batch_std, 'minibatch standardization table', src, ARRAY['mean', 'std']::name[],
                                         ARRAY['float8[]', 'float8[]']::regtype[]);
        EXECUTE format('SELECT source_table, independent_varname, dependent_varname, dependent_vartype, class_values FROM %s LIMIT 1', batch)
            INTO b;
        IF grouping_col IS NOT NULL THEN
            SELECT string_agg(format('s.%1$I IS NOT DISTINCT FROM t.%1$I', corgi._grouping_column(src, g)), ' AND '),
                   string_agg(format('t.%I, ', corgi._grouping_column(src, g)), '')
              INTO group_join, group_cols FROM unnest(corgi._split_grouping_cols(grouping_col)) g;
            IF group_join IS NULL OR EXISTS (SELECT FROM unnest(corgi._split_grouping_cols(grouping_col)) g
                                             WHERE corgi._grouping_column(batch_std, g) IS NULL) THEN
                RAISE EXCEPTION 'grouping_col "%" is not a column of the minibatch table and its standardization', grouping_col
                    USING ERRCODE = 'undefined_column';
            END IF;
        END IF;
        -- Its buffers are 2-D arrays whose rows are as wide as its standardization.
        EXECUTE format($q$SELECT bool_and(array_ndims(t.%1$I) = 2 AND array_ndims(t.%2$I) = 2),
                                 bool_and(array_length(t.%1$I, 2) = cardinality(s.mean) AND array_length(t.%1$I, 2) = cardinality(s.std))
                          FROM %3$s t JOIN %4$s s ON %5$s$q$,
                       corgi._grouping_column(src, independent_varname), corgi._grouping_column(src, dependent_varname),
                       src, batch_std, group_join)
            INTO b_shape, b_width;
        IF NOT coalesce(b_shape, false) THEN
            RAISE EXCEPTION 'minibatch table % holds buffers that are not 2-D arrays in % and %', given_source, independent_varname, dependent_varname
                USING ERRCODE = 'invalid_parameter_value', HINT = 'Make it with madlib.minibatch_preprocessor.';
        END IF;
        IF NOT coalesce(b_width, false) THEN
            RAISE EXCEPTION 'minibatch table %''s rows are not as wide as the mean and std of its standardization', given_source
                USING ERRCODE = 'invalid_parameter_value', HINT = 'Make it with madlib.minibatch_preprocessor.';
        END IF;
        PERFORM madlib._drop_work_tables(unpacked);
        EXECUTE format($q$CREATE TEMP TABLE %1$s AS
            SELECT %2$s
                   ARRAY(SELECT v * sd + m FROM unnest(ARRAY(SELECT unnest(t.%3$I[i:i][:])), s.std, s.mean) u(v, sd, m))::float8[] AS x,
                   %5$s AS y
            FROM %4$s t JOIN %6$s s ON %7$s, generate_subscripts(t.%3$I, 1) i$q$,
            unpacked, group_cols, corgi._grouping_column(src, independent_varname),
            src,
            CASE WHEN is_classification
                 THEN format('coalesce(($1)[array_position(ARRAY(SELECT unnest(t.%1$I[i:i][:])), 1::float8)], array_position(ARRAY(SELECT unnest(t.%1$I[i:i][:])), 1::float8)::text)',
                             corgi._grouping_column(src, dependent_varname))
                 ELSE format('(ARRAY(SELECT unnest(t.%I[i:i][:])))[1]', corgi._grouping_column(src, dependent_varname)) END,
            batch_std, group_join)
            USING b.class_values;
        source_table := unpacked;
        independent_varname := 'x';
        dependent_varname := 'y';
        src := unpacked::regclass;
    END IF;
    outs := corgi._writable_outputs(call, output_table, caller_search_path);
    side := corgi._writable_outputs(call, output_table || '_corgi', caller_search_path);
    std_name := quote_ident(outs.schema) || '.' || quote_ident((parse_ident(output_table))[cardinality(parse_ident(output_table))] || '_standardization');
    IF to_regclass(std_name) IS NOT NULL THEN
        RAISE EXCEPTION 'output table % already exists', std_name
            USING ERRCODE = 'duplicate_table', HINT = 'Drop it first, or choose another output_table.';
    END IF;
    corgi_params := format('hidden_layers=[%s], activation=%s, learning_rate=%s, l2=%s, batch_size=%s, standardize=true%s%s',
                           array_to_string(hidden_layer_sizes, ','), lower(coalesce(activation, 'sigmoid')), lr, lambda, batch_size,
                           CASE WHEN solver = 'adam' THEN format(', optimizer=adam, beta1=%s, beta2=%s, epsilon=%s', beta1, beta2, eps)
                                WHEN momentum > 0 THEN format(', optimizer=momentum, momentum=%s', momentum)
                                ELSE ', optimizer=sgd' END,
                           CASE WHEN policy = 'exp' THEN format(', decay=%s', gamma) ELSE '' END);
    PERFORM corgi.train(source_table, output_table || '_corgi', dependent_varname, independent_varname,
                        CASE WHEN is_classification THEN 'mlp' ELSE 'mlp_regression' END,
                        n_iterations * CASE WHEN batch IS NOT NULL THEN n_epochs ELSE 1 END, 'corgipile',
                        corgi_params, "verbose", grouping_col, caller_search_path);
    -- n_tries (MADlib's): train again from other initial weights (seeds 43, 44, ...; the
    -- first try is the default seed's) and keep, per group, the try of the lowest loss.
    IF n_tries > 1 THEN
        -- A side-table row's group: its columns before coef (none: one model).
        SELECT coalesce(string_agg(format('m.%1$I IS NOT DISTINCT FROM t.%1$I', a.attname), ' AND ' ORDER BY a.attnum), 'true')
          INTO same_group FROM pg_attribute a
         WHERE a.attrelid = to_regclass(side.main) AND a.attnum > 0 AND NOT a.attisdropped
           AND a.attnum < (SELECT attnum FROM pg_attribute WHERE attrelid = to_regclass(side.main) AND attname = 'coef');
    END IF;
    FOR t IN 2..n_tries LOOP
        PERFORM madlib._drop_work_tables(try_name, try_name || '_summary', try_name || '_groups');
        PERFORM corgi.train(source_table, try_name, dependent_varname, independent_varname,
                            CASE WHEN is_classification THEN 'mlp' ELSE 'mlp_regression' END,
                            n_iterations * CASE WHEN batch IS NOT NULL THEN n_epochs ELSE 1 END, 'corgipile',
                            corgi_params || format(', seed=%s', 41 + t), "verbose", grouping_col, caller_search_path);
        -- Rows of the side table whose group this try trained to a lower loss are replaced
        -- by its row (the same columns, the same group).
        EXECUTE format('DELETE FROM %1$s m USING %2$s t WHERE %3$s AND t.loss < m.loss', side.main, try_name, same_group);
        EXECUTE format('INSERT INTO %1$s SELECT t.* FROM %2$s t WHERE NOT EXISTS (SELECT FROM %1$s m WHERE %3$s)',
                       side.main, try_name, same_group);
        PERFORM madlib._drop_work_tables(try_name, try_name || '_summary', try_name || '_groups');
    END LOOP;
    IF grouping_col IS NOT NULL THEN
        keys := (SELECT string_agg(format('%I, ', a.attname), '' ORDER BY a.attnum) FROM pg_attribute a
                 WHERE a.attrelid = to_regclass(side.main) AND a.attnum > 0 AND NOT a.attisdropped
                   AND a.attnum < (SELECT attnum FROM pg_attribute WHERE attrelid = to_regclass(side.main) AND attname = 'coef'));
    END IF;
    EXECUTE format('CREATE TABLE %s AS SELECT %s NULL::float8[] AS coeff, loss, num_epochs AS num_iterations FROM %s',
                   outs.main, keys, side.main);
    -- The standardization MADlib writes beside the model: each feature's mean and
    -- (population) standard deviation over the rows trained on.
    EXECUTE format('SELECT corgi._feature_moments((%1$s)::float8[]) FROM %2$s WHERE (%1$s) IS NOT NULL AND (%3$s) IS NOT NULL',
                   corgi._column_or_expression(src, source_table, 'independent_varname', independent_varname), src,
                   corgi._column_or_expression(src, source_table, 'dependent_varname', dependent_varname))
        INTO moments;
    k := cardinality(moments) / 2;
    EXECUTE format('CREATE TABLE %s AS SELECT $1::float8[] AS mean, $2::float8[] AS std', std_name)
        USING moments[1:k], (SELECT array_agg(1 / s ORDER BY o) FROM unnest(moments[k + 1:2 * k]) WITH ORDINALITY u(s, o));
    EXECUTE format('SELECT classes, (SELECT pg_typeof(%s)::text FROM %s LIMIT 1) FROM %s LIMIT 1',
                   corgi._column_or_expression(src, source_table, 'dependent_varname', dependent_varname), src, side.main)
        INTO classes, dep_type;
    EXECUTE format($q$CREATE TABLE %s AS SELECT %L::text AS source_table, %L::text AS independent_varname,
                             %L::text AS dependent_varname, %s %L::text AS dependent_vartype, %L::text AS solver,
                             %s::float8 AS tolerance, %s::float8 AS learning_rate_init, %L::text AS learning_rate_policy,
                             %s::float8 AS momentum, false AS nesterov, NULL::float8 AS rho, %s::float8 AS beta1,
                             %s::float8 AS beta2, %s::float8 AS eps, %s::integer AS n_iterations, %s::integer AS n_tries,
                             %L::integer[] AS layer_sizes, %L::text AS activation, %L::boolean AS is_classification,
                             %L::text[] AS classes, '1'::text AS weights, %L::text AS grouping_col$q$,
                   outs.summary, given_source, given_indep, given_dep,
                   CASE WHEN batch IS NOT NULL
                        THEN format('%L::text AS original_source_table, %L::text AS original_independent_varname, %L::text AS original_dependent_varname, %L::text AS original_dependent_vartype,',
                                    b.source_table, b.independent_varname, b.dependent_varname, b.dependent_vartype)
                        ELSE '' END,
                   coalesce(b.dependent_vartype, dep_type), solver, tolerance, lr, policy,
                   momentum, beta1, beta2, eps, n_iterations, n_tries,
                   ARRAY[k] || hidden_layer_sizes || CASE WHEN is_classification THEN cardinality(classes) ELSE 1 END,
                   lower(coalesce(activation, 'sigmoid')), is_classification, classes, grouping_col);
END $$;
COMMENT ON FUNCTION madlib._mlp_train(boolean, varchar, varchar, varchar, varchar, integer[], varchar, varchar, varchar, boolean, boolean, varchar, text) IS
    'internal: mlp_classification and mlp_regression on corgi.train''s networks';

CREATE FUNCTION madlib.mlp_classification(source_table varchar, output_table varchar, independent_varname varchar,
                                          dependent_varname varchar, hidden_layer_sizes integer[] DEFAULT NULL,
                                          optimizer_params varchar DEFAULT NULL, activation varchar DEFAULT 'sigmoid',
                                          weights varchar DEFAULT NULL, warm_start boolean DEFAULT false,
                                          verbose boolean DEFAULT false, grouping_col varchar DEFAULT NULL,
                                          caller_search_path text DEFAULT pg_catalog.current_setting('search_path'))
RETURNS void
LANGUAGE sql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT madlib._mlp_train(true, source_table, output_table, independent_varname, dependent_varname, hidden_layer_sizes,
                             optimizer_params, activation, weights, warm_start, "verbose", grouping_col, caller_search_path);
END;
COMMENT ON FUNCTION madlib.mlp_classification(varchar, varchar, varchar, varchar, integer[], varchar, varchar, varchar, boolean, boolean, varchar, text) IS
    'MADlib''s mlp_classification (independent_varname before dependent_varname), trained by corgi.train''s mlp: output_table (coeff NULL, loss, num_iterations), its _summary and _standardization, corgi''s model in output_table_corgi';

CREATE FUNCTION madlib.mlp_regression(source_table varchar, output_table varchar, independent_varname varchar,
                                      dependent_varname varchar, hidden_layer_sizes integer[] DEFAULT NULL,
                                      optimizer_params varchar DEFAULT NULL, activation varchar DEFAULT 'sigmoid',
                                      weights varchar DEFAULT NULL, warm_start boolean DEFAULT false,
                                      verbose boolean DEFAULT false, grouping_col varchar DEFAULT NULL,
                                      caller_search_path text DEFAULT pg_catalog.current_setting('search_path'))
RETURNS void
LANGUAGE sql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT madlib._mlp_train(false, source_table, output_table, independent_varname, dependent_varname, hidden_layer_sizes,
                             optimizer_params, activation, weights, warm_start, "verbose", grouping_col, caller_search_path);
END;
COMMENT ON FUNCTION madlib.mlp_regression(varchar, varchar, varchar, varchar, integer[], varchar, varchar, varchar, boolean, boolean, varchar, text) IS
    'MADlib''s mlp_regression, trained by corgi.train''s mlp_regression (see mlp_classification)';

-- ---------------------------------------------------------------------------------
-- minibatch_preprocessor
-- ---------------------------------------------------------------------------------
-- MADlib's minibatch_preprocessor: the rows packed into buffers of buffer_size rows (per
-- group), each buffer one row of output_table: __id__ (from 0), the dependent variable as
-- a 2-D float8 array (classification, that is a text, boolean or, with
-- one_hot_encode_int_dep_var, integer dependent: one-hot rows in the order of the
-- sorted class_values; otherwise one value per row) and the independent variable as a
-- 2-D float8 array of standardized rows ((x - mean) / std, the population's, per
-- group); output_table_summary (source_table, output_table, dependent_varname,
-- independent_varname, dependent_vartype, buffer_size, class_values,
-- num_rows_processed, num_missing_rows_skipped, grouping_cols) and
-- output_table_standardization (the grouping columns, mean, std). Rows with a NULL are
-- skipped and counted. The rows go to buffers in an order drawn by a hash of their text
-- (the same packing on every run); buffer_size defaults to an even split into buffers of
-- at most 1000 rows. mlp_classification and mlp_regression train on such a table.
CREATE FUNCTION madlib.minibatch_preprocessor(source_table varchar, output_table varchar, dependent_varname varchar,
                                              independent_varname varchar, grouping_cols varchar DEFAULT NULL,
                                              buffer_size integer DEFAULT NULL, one_hot_encode_int_dep_var boolean DEFAULT false,
                                              caller_search_path text DEFAULT pg_catalog.current_setting('search_path'))
RETURNS void
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
SET extra_float_digits = 1
AS $$
DECLARE
    src regclass;
    outs record;
    std_name text;
    dep text;
    indep text;
    dep_type regtype;
    classify boolean;
    classes text[];
    keys record;
    key_select text := '';
    key_part text := '';
    key_join text := 'true';
    key_group text := '';
    key_cols text := '';
    rows_in bigint;
    rows_used bigint;
    width integer;
    size integer;
    rows_t text := format('pg_temp.%I', 'corgi_minibatch_' || pg_backend_pid());
BEGIN
    IF source_table IS NULL OR output_table IS NULL OR dependent_varname IS NULL OR independent_varname IS NULL
       OR one_hot_encode_int_dep_var IS NULL OR caller_search_path IS NULL THEN
        RAISE EXCEPTION 'madlib.minibatch_preprocessor: source_table, output_table, dependent_varname and independent_varname must not be NULL'
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF buffer_size IS NOT NULL AND buffer_size < 1 THEN
        RAISE EXCEPTION 'buffer_size must be at least 1, got %', buffer_size USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Leave it out for buffers of at most 1000 rows.';
    END IF;
    src := corgi._readable_source('madlib.minibatch_preprocessor', source_table, caller_search_path);
    outs := corgi._writable_outputs('madlib.minibatch_preprocessor', output_table, caller_search_path);
    std_name := quote_ident(outs.schema) || '.' || quote_ident((parse_ident(output_table))[cardinality(parse_ident(output_table))] || '_standardization');
    IF to_regclass(std_name) IS NOT NULL THEN
        RAISE EXCEPTION 'output table % already exists', std_name
            USING ERRCODE = 'duplicate_table', HINT = 'Drop it first, or choose another output_table.';
    END IF;
    dep := corgi._column_or_expression(src, source_table, 'dependent_varname', dependent_varname);
    indep := corgi._column_or_expression(src, source_table, 'independent_varname', independent_varname);
    EXECUTE format('SELECT pg_typeof(%s) FROM %s LIMIT 1', dep, src) INTO dep_type;
    classify := dep_type IN ('text'::regtype, 'character varying'::regtype, 'character'::regtype, 'boolean'::regtype)
                OR (one_hot_encode_int_dep_var AND dep_type IN ('smallint'::regtype, 'integer'::regtype, 'bigint'::regtype));
    IF grouping_cols IS NOT NULL THEN
        keys := corgi._grouping_keys(src, source_table, grouping_cols, ARRAY['__id__', 'dependent_varname', 'independent_varname', 'mean', 'std']);
        SELECT string_agg(format('%s AS %I, ', e, n), ''), 'PARTITION BY ' || string_agg(format('r.%I', n), ', '),
               string_agg(format('r.%1$I IS NOT DISTINCT FROM m.%1$I', n), ' AND '), string_agg(format('%I, ', n), ''),
               string_agg(format('%I', n), ', ')
          INTO key_select, key_part, key_join, key_cols, key_group FROM unnest(keys.exprs, keys.names) u(e, n);
    END IF;
    EXECUTE format('SELECT count(*) FROM %s', src) INTO rows_in;
    PERFORM madlib._drop_work_tables(rows_t);
    -- The rows without a NULL, each with its draw (the order it is packed in).
    EXECUTE format($q$CREATE TEMP TABLE %s AS
        SELECT %s (%s)::text AS y_text, (%s)::float8[] AS x, hashtextextended(s::text, 42) AS draw
        FROM %s s WHERE (%3$s) IS NOT NULL AND (%4$s) IS NOT NULL AND array_position((%4$s)::float8[], NULL) IS NULL$q$,
                   rows_t, key_select, dep, indep, src);
    GET DIAGNOSTICS rows_used = ROW_COUNT;
    IF rows_used = 0 THEN
        RAISE EXCEPTION 'source table % has no rows without NULLs', source_table USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Preprocess a table with data.';
    END IF;
    EXECUTE format('SELECT min(cardinality(x)), count(DISTINCT cardinality(x)) FROM %s', rows_t) INTO width, size;
    IF size > 1 OR coalesce(width, 0) = 0 THEN
        RAISE EXCEPTION 'independent_varname "%" gives rows of different lengths or of none', independent_varname
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Every row needs the same number of features.';
    END IF;
    IF classify THEN
        EXECUTE format('SELECT array_agg(DISTINCT y_text ORDER BY y_text) FROM %s', rows_t) INTO classes;
    END IF;
    size := coalesce(buffer_size, ceil(rows_used::float8 / ceil(rows_used / 1000.0))::integer);
    -- Means and (population) standard deviations per group: the standardization.
    EXECUTE format($q$CREATE TABLE %1$s AS
        SELECT %2$s array_agg(mu ORDER BY j) AS mean, array_agg(sd ORDER BY j) AS std
        FROM (SELECT %2$s j, avg(x[j]) AS mu, stddev_pop(x[j]) AS sd FROM %3$s, generate_series(1, %4$s) j GROUP BY %2$s j) q
        %5$s$q$,
                   std_name, key_cols, rows_t, width, CASE WHEN key_group <> '' THEN 'GROUP BY ' || key_group ELSE '' END);
    EXECUTE format($q$CREATE TABLE %1$s AS
        SELECT %2$s (row_number() OVER (ORDER BY %3$s min(n)) - 1)::integer AS __id__,
               array_agg(%4$s ORDER BY n) AS dependent_varname,
               array_agg(ARRAY(SELECT CASE WHEN s = 0 THEN 0 ELSE (v - mu) / s END FROM unnest(x, mean, std) u(v, mu, s)) ORDER BY n) AS independent_varname
        FROM (SELECT r.*, m.mean, m.std, row_number() OVER (%5$s ORDER BY draw, x::text) AS n
              FROM %6$s r JOIN %7$s m ON %8$s) b
        GROUP BY %2$s (n - 1) / %9$s$q$,
                   outs.main, key_cols, key_cols,
                   CASE WHEN classify THEN format('ARRAY(SELECT (y_text = c)::integer::float8 FROM unnest(%L::text[]) c)', classes)
                        ELSE 'ARRAY[y_text::float8]' END,
                   key_part, rows_t, std_name, key_join, size);
    EXECUTE format($q$CREATE TABLE %s AS SELECT %L::text AS source_table, %L::text AS output_table, %L::text AS dependent_varname,
                             %L::text AS independent_varname, %L::text AS dependent_vartype, %s::integer AS buffer_size,
                             %L::text[] AS class_values, %s::bigint AS num_rows_processed, %s::bigint AS num_missing_rows_skipped,
                             %L::text AS grouping_cols$q$,
                   outs.summary, source_table, output_table, dependent_varname, independent_varname, dep_type::text, size,
                   classes, rows_used, rows_in - rows_used, grouping_cols);
    EXECUTE format('DROP TABLE %s', rows_t);
END $$;
COMMENT ON FUNCTION madlib.minibatch_preprocessor(varchar, varchar, varchar, varchar, varchar, integer, boolean, text) IS
    'MADlib''s minibatch_preprocessor: the rows packed into buffers (2-D float8 arrays, one-hot classes, standardized features), with output_table_summary and output_table_standardization; mlp_classification and mlp_regression train on them';

-- MADlib's mlp_predict: pred_type 'response' gives (id, estimated_<dependent>), 'prob' one
-- column prob_<class> per class; scored by corgi.predict_table on <model_table>_corgi.
CREATE FUNCTION madlib.mlp_predict(model_table varchar, data_table varchar, id_col_name varchar, output_table varchar,
                                   pred_type varchar DEFAULT 'response',
                                   caller_search_path text DEFAULT pg_catalog.current_setting('search_path'))
RETURNS void
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    summary regclass;
    s record;
    outs record;
    scored text := format('pg_temp.%I', 'corgi_mlp_scored_' || pg_backend_pid());
    dep_name text;
BEGIN
    IF model_table IS NULL OR data_table IS NULL OR id_col_name IS NULL OR output_table IS NULL OR caller_search_path IS NULL THEN
        RAISE EXCEPTION 'madlib.mlp_predict arguments must not be NULL (pred_type excepted)' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF lower(coalesce(pred_type, 'response')) NOT IN ('response', 'prob') THEN
        RAISE EXCEPTION 'pred_type must be response or prob, got "%"', pred_type USING ERRCODE = 'invalid_parameter_value';
    END IF;
    summary := corgi._readable_source('madlib.mlp_predict', model_table || '_summary', caller_search_path);
    summary := corgi._stored_table(summary, 'summary table', NULL, ARRAY['dependent_varname', 'independent_varname', 'classes', 'is_classification']::name[],
                                   ARRAY['text', 'text', 'text[]', 'boolean']::regtype[]);
    -- A model trained on a minibatch_preprocessor table scores rows of the original
    -- source's shape: its summary's original_ names say which.
    IF EXISTS (SELECT FROM pg_attribute WHERE attrelid = summary AND attname = 'original_independent_varname' AND NOT attisdropped) THEN
        summary := corgi._stored_table(summary, 'summary table', NULL, ARRAY['original_dependent_varname', 'original_independent_varname']::name[],
                                       ARRAY['text', 'text']::regtype[]);
        EXECUTE format('SELECT original_dependent_varname AS dependent_varname, original_independent_varname AS independent_varname, classes, is_classification FROM %s LIMIT 1', summary) INTO s;
    ELSE
        EXECUTE format('SELECT dependent_varname, independent_varname, classes, is_classification FROM %s LIMIT 1', summary) INTO s;
    END IF;
    outs := corgi._output_names(output_table, caller_search_path);
    IF to_regclass(outs.main) IS NOT NULL THEN
        RAISE EXCEPTION 'output table % already exists', outs.main
            USING ERRCODE = 'duplicate_table', HINT = 'Drop it first, or choose another output_table.';
    END IF;
    IF lower(coalesce(pred_type, 'response')) = 'prob' AND NOT s.is_classification THEN
        RAISE EXCEPTION 'pred_type prob applies to mlp_classification models' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF to_regclass(scored) IS NOT NULL THEN
        EXECUTE format('DROP TABLE %s', scored);
    END IF;
    -- The features: the summary's independent_varname, run only for the summary's owner
    -- when it is an expression (corgi.predict_table's own rule otherwise).
    PERFORM corgi.predict_table(model_table || '_corgi', data_table, id_col_name, scored,
                                CASE WHEN pg_has_role((SELECT relowner FROM pg_class WHERE oid = summary), 'USAGE')
                                     THEN s.independent_varname END,
                                caller_search_path => caller_search_path);
    dep_name := 'estimated_' || regexp_replace(s.dependent_varname, '[^A-Za-z0-9_]+', '_', 'g');
    IF lower(coalesce(pred_type, 'response')) = 'response' THEN
        EXECUTE format('CREATE TABLE %s AS SELECT id, %s AS %I FROM %s', outs.main,
                       CASE WHEN s.is_classification THEN 'class' ELSE 'prediction' END, dep_name, scored);
    ELSE
        EXECUTE format('CREATE TABLE %s AS SELECT id, %s FROM %s', outs.main,
                       (SELECT string_agg(format('probabilities[%s] AS %I', o, 'prob_' || c), ', ' ORDER BY o)
                          FROM unnest(s.classes) WITH ORDINALITY u(c, o)), scored);
    END IF;
    EXECUTE format('DROP TABLE %s', scored);
END $$;
COMMENT ON FUNCTION madlib.mlp_predict(varchar, varchar, varchar, varchar, varchar, text) IS
    'MADlib''s mlp_predict: output_table (id, estimated_<dependent>) or (id, prob_<class> ...) for the rows of data_table';

-- ---------------------------------------------------------------------------------
-- Elastic net (gaussian and binomial families), exact
-- ---------------------------------------------------------------------------------
-- MADlib's cross-validation of the elastic net (optimizer_params n_folds >= 2): alpha
-- and lambda_value given as lists, or lambda_value MADlib's sequence of n_lambdas values
-- from 1e5 down to the lambda_value argument (geometric; with lambda_value 0 the last
-- is 0); the rows copied once in MADlib's random order (setseed(0.5), then row_number()
-- over random()), fold k the k-th of n_folds equal runs (the last takes the rest). Each
-- fold fits every combination exactly on the other folds (gaussian: one pass of the
-- aggregate for all combinations; binomial: corgi._logregr_elastic_net per combination)
-- and scores it on the fold: minus the RMSE (gaussian) or the accuracy (binomial), over
-- the fold's rows without NULLs, as MADlib's scorer. The best mean wins (ties: the first,
-- alpha slowest). validation_result (when named): one float8 column per list given
-- (alpha, lambda_value), mean_score and std_dev_score (sample), a row per combination.
CREATE FUNCTION madlib._elastic_net_cross_validate(src regclass, dep text, indep text, family text, standardize boolean,
                                                   max_iter integer, tolerance float8, n_folds integer, alphas float8[],
                                                   lambdas float8[], validation_result text,
                                                   OUT alpha float8, OUT lambda_value float8)
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
-- Numbers written into SQL text round-trip exactly (shortest exact form).
SET extra_float_digits = 1
AS $$
DECLARE
    tag text := 'corgi_cv_' || pg_backend_pid();
    rows_t text := format('pg_temp.%I', tag || '_rows');
    combos_t text := format('pg_temp.%I', tag || '_combos');
    fits_t text := format('pg_temp.%I', tag || '_fits');
    scores_t text := format('pg_temp.%I', tag || '_scores');
    n bigint;
    lo bigint;
    hi bigint;
    c record;
    best record;
BEGIN
    PERFORM madlib._drop_work_tables(rows_t, combos_t, fits_t, scores_t);
    n := madlib._cv_rows(rows_t, src, format('(%s)::%s', dep, CASE WHEN family = 'binomial' THEN 'boolean' ELSE 'float8' END),
                         indep, n_folds);
    EXECUTE format('CREATE TEMP TABLE %s AS SELECT (row_number() OVER (ORDER BY ai, li))::integer AS i, a, l
                    FROM unnest($1) WITH ORDINALITY p(a, ai), unnest($2) WITH ORDINALITY q(l, li)', combos_t)
        USING alphas, lambdas;
    EXECUTE format('CREATE TEMP TABLE %s (i integer, fold integer, score float8)', scores_t);
    FOR k IN 1..n_folds LOOP
        SELECT f.lo, f.hi INTO lo, hi FROM madlib._cv_fold(n, n_folds, k) f;
        -- Each combination's fit on the other folds, laid out as the gaussian aggregate's
        -- {weights..., intercept, iterations, objective, rows, skipped rows}.
        IF family = 'gaussian' THEN
            EXECUTE format('CREATE TEMP TABLE %s AS SELECT c.i, corgi._elastic_net_gaussian(r.y, r.x, c.a, c.l, %L, %s, %s) AS f
                            FROM %s r CROSS JOIN %s c WHERE r.id < %s OR r.id >= %s GROUP BY c.i',
                           fits_t, standardize, max_iter, tolerance, rows_t, combos_t, lo, hi);
        ELSE
            EXECUTE format('CREATE TEMP TABLE %s (i integer, f float8[])', fits_t);
            FOR c IN EXECUTE format('SELECT i, a, l FROM %s ORDER BY i', combos_t) LOOP
                EXECUTE format($q$INSERT INTO %s SELECT $1, CASE WHEN f.coef IS NOT NULL THEN f.coef || ARRAY[f.intercept, 0, 0, 0, 0] END
                                  FROM corgi._logregr_elastic_net($2, 1, $3, $4, false, true, $5, $6, $7) f$q$, fits_t)
                    USING c.i, format('SELECT 1, y, x FROM %s WHERE id < %s OR id >= %s', rows_t, lo, hi),
                          max_iter, tolerance, c.a, c.l, standardize;
            END LOOP;
        END IF;
        EXECUTE format($q$INSERT INTO %s
            SELECT m.i, %s, %s
            FROM %s m JOIN %s r ON r.id >= %s AND r.id < %s
            WHERE m.f IS NOT NULL AND r.y IS NOT NULL AND r.x IS NOT NULL AND array_position(r.x, NULL) IS NULL
              AND cardinality(r.x) = cardinality(m.f) - 5
            GROUP BY m.i$q$,
                       scores_t, k,
                       CASE WHEN family = 'gaussian'
                            THEN '-sqrt(avg((r.y - (m.f[cardinality(m.f) - 4] + corgi.linregr_predict(m.f[1:cardinality(m.f) - 5], r.x))) ^ 2))'
                            ELSE 'avg(((m.f[cardinality(m.f) - 4] + corgi.linregr_predict(m.f[1:cardinality(m.f) - 5], r.x) > 0) = r.y)::int)' END,
                       fits_t, rows_t, lo, hi);
        EXECUTE format('DROP TABLE %s', fits_t);
    END LOOP;
    EXECUTE format($q$SELECT c.a, c.l FROM %s c LEFT JOIN %s s USING (i) GROUP BY c.i, c.a, c.l
                      ORDER BY nullif(avg(s.score), 'NaN') DESC NULLS LAST, c.i LIMIT 1$q$, combos_t, scores_t)
        INTO best;
    alpha := best.a;
    lambda_value := best.l;
    IF validation_result IS NOT NULL THEN
        EXECUTE format($q$CREATE TABLE %s AS
            SELECT %s avg(s.score) AS mean_score, stddev_samp(s.score) AS std_dev_score
            FROM %s c LEFT JOIN %s s USING (i) GROUP BY c.i, c.a, c.l ORDER BY c.i$q$,
                       validation_result,
                       CASE WHEN cardinality(alphas) > 1 THEN 'c.a AS alpha, ' ELSE '' END
                       || CASE WHEN cardinality(lambdas) > 1 THEN 'c.l AS lambda_value, ' ELSE '' END,
                       combos_t, scores_t);
    END IF;
    PERFORM madlib._drop_work_tables(rows_t, combos_t, scores_t);
END $$;
COMMENT ON FUNCTION madlib._elastic_net_cross_validate(regclass, text, text, text, boolean, integer, float8, integer, float8[], float8[], text) IS
    'internal: MADlib''s n_folds cross-validation of elastic_net_train over alpha and lambda_value, exact fits per fold; the best pair, and validation_result';

-- MADlib's elastic_net_train: the exact minimizer of MADlib's objective rather than
-- FISTA or IGD passes. Gaussian (or linear): coordinate descent on one pass's sums
-- (corgi._elastic_net_gaussian). Binomial (or logistic, since corgi_madlib 1.2; the
-- dependent cast ::boolean): IRLS passes, each step the coordinate descent of the
-- penalized quadratic model (corgi._logregr_elastic_net), until the objective moves by
-- less than tolerance. standardize as MADlib (the weights reported on the original
-- scale). col_ind_var '*' takes every numeric column but the dependent, the grouping
-- and the excluded ones. log_likelihood is minus the objective. optimizer_params:
-- MADlib's cross-validation (n_folds, validation_result, alpha and lambda_value lists,
-- n_lambdas; madlib._elastic_net_cross_validate); FISTA's and IGD's own knobs (step
-- sizes, warm-up, active sets) are accepted and ignored with a notice (the fit is exact
-- whatever they say); anything else is refused.
CREATE FUNCTION madlib.elastic_net_train(tbl_source varchar, tbl_result varchar, col_dep_var varchar, col_ind_var varchar,
                                         regress_family varchar, alpha float8, lambda_value float8,
                                         standardize boolean DEFAULT true, grouping_col varchar DEFAULT NULL,
                                         optimizer varchar DEFAULT 'fista', optimizer_params varchar DEFAULT NULL,
                                         excluded varchar DEFAULT NULL, max_iter integer DEFAULT 1000,
                                         tolerance float8 DEFAULT 1e-6,
                                         caller_search_path text DEFAULT pg_catalog.current_setting('search_path'))
RETURNS void
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
-- Numbers written into SQL text round-trip exactly (shortest exact form).
SET extra_float_digits = 1
AS $$
DECLARE
    src regclass;
    outs record;
    dep text;
    indep text;
    features text[];
    skip name[] := '{}';
    item text;
    keys record;
    key_select text := '';
    key_group text := '';
    key_cols text := '';
    fits text := format('pg_temp.%I', 'corgi_enet_' || pg_backend_pid());
    gtab text := format('pg_temp.%I', 'corgi_enet_groups_' || pg_backend_pid());
    family text := CASE WHEN lower(regress_family) IN ('binomial', 'logistic') THEN 'binomial' ELSE 'gaussian' END;
    n_groups integer := 1;
    group_expr text := '1';
    totals record;
    k integer;
    key text;
    value text;
    n_folds integer := 1;
    n_lambdas integer := 15;
    alphas float8[];
    lambdas float8[];
    validation_result text;
    cv_table text;
    ignored text[] := '{}';
    chosen record;
    params_text text := btrim(coalesce(optimizer_params, ''), E' \t\r\n');
BEGIN
    IF tbl_source IS NULL OR tbl_result IS NULL OR col_dep_var IS NULL OR col_ind_var IS NULL OR regress_family IS NULL
       OR alpha IS NULL OR lambda_value IS NULL OR standardize IS NULL OR max_iter IS NULL OR tolerance IS NULL
       OR caller_search_path IS NULL THEN
        RAISE EXCEPTION 'madlib.elastic_net_train arguments must not be NULL (grouping_col, optimizer_params and excluded excepted)'
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF lower(regress_family) NOT IN ('gaussian', 'linear', 'binomial', 'logistic') THEN
        RAISE EXCEPTION 'regress_family "%" is not offered by corgi_madlib''s elastic_net_train', regress_family
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Use gaussian (or linear) or binomial (or logistic).';
    END IF;
    IF NOT (alpha >= 0 AND alpha <= 1) OR NOT (lambda_value >= 0) OR lambda_value = 'Infinity' OR max_iter < 1
       OR NOT (tolerance >= 0) OR tolerance = 'Infinity' THEN
        RAISE EXCEPTION 'alpha must lie in [0, 1] (got %), lambda_value and tolerance must be finite and at least 0 (got % and %), max_iter at least 1 (got %)',
                        alpha, lambda_value, tolerance, max_iter
            USING ERRCODE = 'invalid_parameter_value', HINT = 'MADlib''s objective: lambda (alpha |b|_1 + (1 - alpha) / 2 |b|^2).';
    END IF;
    -- optimizer_params, as MADlib reads them: key = value pairs, the whole optionally in
    -- braces (MADlib's own tests write '{eta = 2, ...}').
    IF params_text LIKE '{%' AND strpos(params_text, '}') > 0 THEN
        params_text := substr(params_text, 2, length(params_text) - strpos(reverse(params_text), '}') - 1);
    END IF;
    FOREACH item IN ARRAY coalesce(corgi._split_grouping_cols(nullif(btrim(params_text, E' \t\r\n'), '')), '{}') LOOP
        key := lower(btrim(split_part(item, '=', 1), E' \t\r\n'));
        value := btrim(substr(item, strpos(item, '=') + 1), E' \t\r\n');
        IF strpos(item, '=') = 0 THEN
            key := '';
        END IF;
        CASE key
            WHEN 'n_folds' THEN
                IF value !~ '^[0-9]{1,6}$' THEN
                    RAISE EXCEPTION 'n_folds must be a whole number, got "%"', value
                        USING ERRCODE = 'invalid_parameter_value', HINT = 'Write n_folds=3 (1: no cross-validation).';
                END IF;
                n_folds := value::integer;
            WHEN 'n_lambdas' THEN
                IF value !~ '^[0-9]{1,4}$' OR value::integer < 1 THEN
                    RAISE EXCEPTION 'n_lambdas must be a whole number from 1, got "%"', value
                        USING ERRCODE = 'invalid_parameter_value', HINT = 'Write n_lambdas=15 (MADlib''s default).';
                END IF;
                n_lambdas := value::integer;
            WHEN 'alpha' THEN alphas := madlib._svm_param_values('elastic_net_train', item, value);
            WHEN 'lambda_value' THEN lambdas := madlib._svm_param_values('elastic_net_train', item, value);
            WHEN 'validation_result' THEN validation_result := nullif(btrim(value), '');
            WHEN 'eta', 'max_stepsize', 'use_active_set', 'activeset_tolerance', 'random_stepsize', 'stepsize', 'threshold',
                 'warmup', 'warmup_lambdas', 'warmup_lambda_no', 'warmup_tolerance', 'parallel' THEN
                ignored := ignored || key;
            ELSE
                RAISE EXCEPTION 'optimizer_params "%" is not offered by corgi_madlib''s elastic_net_train', item
                    USING ERRCODE = 'feature_not_supported',
                          HINT = 'It takes n_folds, validation_result, alpha and lambda_value lists and n_lambdas (cross-validation); FISTA''s and IGD''s knobs are ignored (the fit is exact).';
        END CASE;
    END LOOP;
    IF cardinality(ignored) > 0 THEN
        RAISE NOTICE 'elastic_net_train fits exactly: optimizer_params % do not apply and are ignored', array_to_string(ignored, ', ');
    END IF;
    IF EXISTS (SELECT FROM unnest(coalesce(alphas, '{}') || coalesce(lambdas, '{}')) v WHERE NOT (v >= 0) OR v = 'Infinity')
       OR EXISTS (SELECT FROM unnest(alphas) a WHERE a > 1) THEN
        RAISE EXCEPTION 'optimizer_params alpha values must lie in [0, 1] and lambda_value values be finite and at least 0'
            USING ERRCODE = 'invalid_parameter_value', HINT = 'For example alpha={0, 0.5, 1}, lambda_value={0.01, 0.1, 1}.';
    END IF;
    IF n_folds > 1 THEN
        IF grouping_col IS NOT NULL THEN
            RAISE EXCEPTION 'elastic_net_train cannot cross-validate with grouping_col (n_folds=%)', n_folds
                USING ERRCODE = 'feature_not_supported', HINT = 'MADlib refuses it too: leave grouping_col out, or n_folds out.';
        END IF;
        -- MADlib's lambda sequence: n_lambdas values from 1e5 down to lambda_value.
        IF lambdas IS NULL THEN
            lambdas := CASE WHEN n_lambdas = 1 THEN ARRAY[lambda_value]
                            WHEN abs(lambda_value) < 1e-6 AND n_lambdas = 2 THEN ARRAY[1e5::float8, 0]
                            WHEN abs(lambda_value) < 1e-6 THEN
                                 ARRAY(SELECT exp(j * ln(100 / 1e5) / (n_lambdas - 2) + ln(1e5)) FROM generate_series(0, n_lambdas - 2) j ORDER BY j)
                                 || 0::float8
                            ELSE ARRAY(SELECT exp(j * ln(least(lambda_value, 1e5) / greatest(lambda_value, 1e5)) / (n_lambdas - 1)
                                                  + ln(greatest(lambda_value, 1e5)))
                                       FROM generate_series(0, n_lambdas - 1) j ORDER BY j) END;
        END IF;
        alphas := coalesce(alphas, ARRAY[alpha]);
        IF cardinality(alphas) * cardinality(lambdas) = 1 THEN
            RAISE NOTICE 'elastic_net_train has n_folds=% but one alpha and one lambda_value: no cross-validation', n_folds;
            alpha := alphas[1];
            lambda_value := lambdas[1];
            n_folds := 1;
        END IF;
    ELSIF greatest(cardinality(alphas), cardinality(lambdas)) > 1 THEN
        RAISE EXCEPTION 'elastic_net_train optimizer_params give lists of values to choose from, but n_folds is %', n_folds
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Add n_folds=3 (at least 2) to cross-validate them, or give one value each.';
    ELSE
        alpha := coalesce(alphas[1], alpha);
        lambda_value := coalesce(lambdas[1], lambda_value);
    END IF;
    src := corgi._readable_source('madlib.elastic_net_train', tbl_source, caller_search_path);
    outs := corgi._writable_outputs('madlib.elastic_net_train', tbl_result, caller_search_path);
    IF validation_result IS NOT NULL AND n_folds > 1 THEN
        cv_table := (corgi._writable_outputs('madlib.elastic_net_train', validation_result, caller_search_path)).main;
    END IF;
    dep := corgi._column_or_expression(src, tbl_source, 'col_dep_var', col_dep_var);
    IF grouping_col IS NOT NULL THEN
        keys := corgi._grouping_keys(src, tbl_source, grouping_col,
                                     ARRAY['family', 'features', 'features_selected', 'coef_nonzero', 'coef_all', 'intercept',
                                           'log_likelihood', 'standardize', 'iteration_run']);
        SELECT string_agg(format('%s AS %I, ', e, n), ''), 'GROUP BY ' || string_agg(e, ', '), string_agg(format('%I, ', n), '')
          INTO key_select, key_group, key_cols FROM unnest(keys.exprs, keys.names) u(e, n);
    END IF;
    IF btrim(col_ind_var) = '*' THEN
        FOREACH item IN ARRAY coalesce(corgi._split_grouping_cols(excluded), '{}') || coalesce(corgi._split_grouping_cols(grouping_col), '{}') LOOP
            skip := skip || corgi._grouping_column(src, item);
        END LOOP;
        SELECT array_agg(a.attname::text ORDER BY a.attnum) INTO features FROM pg_attribute a
         WHERE a.attrelid = src AND a.attnum > 0 AND NOT a.attisdropped
           AND a.atttypid IN ('smallint'::regtype, 'integer'::regtype, 'bigint'::regtype, 'real'::regtype,
                              'double precision'::regtype, 'numeric'::regtype)
           AND a.attname IS DISTINCT FROM col_dep_var AND NOT a.attname = ANY (skip);
        IF features IS NULL THEN
            RAISE EXCEPTION 'col_ind_var ''*'' finds no numeric column in %', tbl_source USING ERRCODE = 'invalid_parameter_value';
        END IF;
        indep := format('ARRAY[%s]::float8[]', (SELECT string_agg(quote_ident(f), ', ') FROM unnest(features) f));
    ELSE
        indep := corgi._column_or_expression(src, tbl_source, 'col_ind_var', col_ind_var);
    END IF;
    IF n_folds > 1 THEN
        SELECT * INTO chosen FROM madlib._elastic_net_cross_validate(src, dep, indep, family, standardize, max_iter, tolerance,
                                                                     n_folds, alphas, lambdas, cv_table);
        alpha := chosen.alpha;
        lambda_value := chosen.lambda_value;
    END IF;
    IF to_regclass(fits) IS NOT NULL THEN
        EXECUTE format('DROP TABLE %s', fits);
    END IF;
    IF family = 'gaussian' THEN
        EXECUTE format('CREATE TEMP TABLE %s AS SELECT %s corgi._elastic_net_gaussian((%s)::float8, (%s)::float8[], %s, %s, %L, %s, %s) AS f FROM %s %s',
                       fits, key_select, dep, indep, alpha, lambda_value, standardize, max_iter, tolerance, src, key_group);
    ELSE
        -- The groups numbered under the call's snapshot (every IRLS pass reads it) by
        -- corgi._numbered_groups, as corgi.logregr_train numbers them; f laid out as the gaussian aggregate's:
        -- {weights..., intercept, iterations, objective, rows, skipped rows}.
        IF grouping_col IS NOT NULL THEN
            SELECT g.groups, g.group_expr INTO n_groups, group_expr
              FROM corgi._numbered_groups(gtab, src::text, keys.exprs, keys.names) g;
            IF n_groups = 0 THEN
                RAISE EXCEPTION 'source table % has no rows', tbl_source USING ERRCODE = 'invalid_parameter_value', HINT = 'Train on a table with data.';
            END IF;
        END IF;
        IF grouping_col IS NOT NULL THEN
            key_select := (SELECT string_agg(format('t.%I, ', n), '') FROM unnest(keys.names) n);
            key_group := format('JOIN %s t ON t."?g" = f.g', gtab);
        END IF;
        EXECUTE format($q$CREATE TEMP TABLE %s AS
            SELECT %s CASE WHEN f.coef IS NOT NULL
                           THEN f.coef || ARRAY[f.intercept, f.num_iterations, f.objective, f.num_rows_processed, f.num_missing_rows_skipped] END AS f
            FROM corgi._logregr_elastic_net($1, $2, $3, $4, false, true, $5, $6, $7) f %s$q$,
                       fits, key_select, key_group)
            USING format('SELECT (%s)::integer, (%s)::boolean, (%s)::float8[] FROM %s', group_expr, dep, indep, src),
                  n_groups, max_iter, tolerance, alpha, lambda_value, standardize;
        IF grouping_col IS NOT NULL THEN
            EXECUTE format('DROP TABLE %s', gtab);
        END IF;
    END IF;
    EXECUTE format('SELECT count(*) AS groups, count(*) FILTER (WHERE f IS NULL) AS failed, max(cardinality(f)) - 5 AS k FROM %s', fits) INTO totals;
    IF totals.groups = totals.failed THEN
        RAISE EXCEPTION 'source table % has no rows with non-NULL dependent and independent values', tbl_source
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Train on a table with data.';
    END IF;
    k := totals.k;
    features := coalesce(features, (SELECT array_agg(format('%s[%s]', col_ind_var, i) ORDER BY i) FROM generate_series(1, k) i));
    EXECUTE format($q$CREATE TABLE %1$s AS
        SELECT %2$s $2::text AS family, $1::text[] AS features,
               ARRAY(SELECT $1[i] FROM generate_series(1, %3$s) i WHERE f[i] <> 0 ORDER BY i) AS features_selected,
               ARRAY(SELECT f[i] FROM generate_series(1, %3$s) i WHERE f[i] <> 0 ORDER BY i) AS coef_nonzero,
               f[1:%3$s] AS coef_all, f[%3$s + 1] AS intercept, -f[%3$s + 3] AS log_likelihood, %4$L::boolean AS standardize,
               f[%3$s + 2]::integer AS iteration_run
        FROM %5$s WHERE f IS NOT NULL$q$,
                   outs.main, key_cols, k, standardize, fits) USING features, family;
    EXECUTE format($q$CREATE TABLE %s AS SELECT 'elastic_net'::text AS method, %L::text AS source_table, %L::text AS out_table,
                             %L::text AS dependent_varname, %L::text AS independent_varname, %L::text AS family,
                             %s::float8 AS alpha, %s::float8 AS lambda_value, %L::text AS grouping_col,
                             %s::integer AS num_all_groups, %s::integer AS num_failed_groups$q$,
                   outs.summary, tbl_source, tbl_result, col_dep_var, col_ind_var, family, alpha, lambda_value, grouping_col,
                   totals.groups, totals.failed);
    EXECUTE format('DROP TABLE %s', fits);
END $$;
COMMENT ON FUNCTION madlib.elastic_net_train(varchar, varchar, varchar, varchar, varchar, float8, float8, boolean, varchar, varchar, varchar, varchar, integer, float8, text) IS
    'MADlib''s elastic_net_train, exact: gaussian from one pass, binomial by IRLS passes with coordinate-descent steps: tbl_result (family, features, features_selected, coef_nonzero, coef_all, intercept, log_likelihood, standardize, iteration_run) and its summary';

CREATE FUNCTION madlib.elastic_net_gaussian_predict(coefficients float8[], intercept float8, ind_var float8[]) RETURNS float8
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
RETURN corgi.linregr_predict(coefficients, ind_var) + intercept;
COMMENT ON FUNCTION madlib.elastic_net_gaussian_predict(float8[], float8, float8[]) IS
    'MADlib''s elastic_net_gaussian_predict: coefficients . ind_var + intercept';

CREATE FUNCTION madlib.elastic_net_binomial_predict(coefficients float8[], intercept float8, ind_var float8[]) RETURNS boolean
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
RETURN corgi.linregr_predict(coefficients, ind_var) + intercept > 0;
COMMENT ON FUNCTION madlib.elastic_net_binomial_predict(float8[], float8, float8[]) IS
    'MADlib''s elastic_net_binomial_predict: coefficients . ind_var + intercept > 0';

CREATE FUNCTION madlib.elastic_net_binomial_prob(coefficients float8[], intercept float8, ind_var float8[]) RETURNS float8
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
RETURN corgi.logregr_predict_prob(coefficients || intercept, ind_var || 1::float8);
COMMENT ON FUNCTION madlib.elastic_net_binomial_prob(float8[], float8, float8[]) IS
    'MADlib''s elastic_net_binomial_prob: the probability of the true class, 1 / (1 + exp(-(coefficients . ind_var + intercept)))';

CREATE FUNCTION madlib.elastic_net_predict(regress_family varchar, coefficients float8[], intercept float8, ind_var float8[])
RETURNS float8
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF lower(regress_family) IN ('binomial', 'logistic') THEN
        -- As MADlib: 1 for true, 0 for false.
        RETURN CASE WHEN corgi.linregr_predict(coefficients, ind_var) + intercept > 0 THEN 1 ELSE 0 END;
    END IF;
    IF lower(regress_family) NOT IN ('gaussian', 'linear') THEN
        RAISE EXCEPTION 'regress_family "%" is not offered by corgi_madlib''s elastic_net_predict', regress_family
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Use gaussian (or linear) or binomial (or logistic).';
    END IF;
    RETURN corgi.linregr_predict(coefficients, ind_var) + intercept;
END $$;
COMMENT ON FUNCTION madlib.elastic_net_predict(varchar, float8[], float8, float8[]) IS
    'MADlib''s scalar elastic_net_predict: coefficients . ind_var + intercept (gaussian), 1 or 0 for its sign (binomial)';

-- MADlib's table form: tbl_predict (id, prediction) for the rows of tbl_new_source, each
-- scored by its group's model (a row of a group without a model is left out, as MADlib's
-- install-check counts; since 1.2: 1.1 kept it with a NULL prediction); the prediction a
-- number (gaussian) or a boolean (binomial). The features: the model's column names when it was
-- trained on '*' (each checked as a column of the new table), else the summary's
-- independent_varname, run only for the summary's owner (as svm_predict).
CREATE FUNCTION madlib.elastic_net_predict(tbl_model varchar, tbl_new_source varchar, col_id varchar, tbl_predict varchar,
                                           caller_search_path text DEFAULT pg_catalog.current_setting('search_path'))
RETURNS void
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    model regclass;
    summary regclass;
    data regclass;
    outs record;
    s record;
    id_col name;
    features text[];
    x text;
    join_on text := 'true';
BEGIN
    IF tbl_model IS NULL OR tbl_new_source IS NULL OR col_id IS NULL OR tbl_predict IS NULL THEN
        RAISE EXCEPTION 'madlib.elastic_net_predict arguments must not be NULL' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    model := corgi._readable_source('madlib.elastic_net_predict', tbl_model, caller_search_path);
    summary := corgi._readable_source('madlib.elastic_net_predict', tbl_model || '_summary', caller_search_path);
    model := corgi._stored_table(model, 'model table', NULL, ARRAY['coef_all', 'intercept', 'features']::name[],
                                 ARRAY['float8[]', 'float8', 'text[]']::regtype[]);
    summary := corgi._stored_table(summary, 'summary table', model,
                                   ARRAY['independent_varname', 'grouping_col', 'family']::name[], ARRAY['text', 'text', 'text']::regtype[]);
    data := corgi._readable_source('madlib.elastic_net_predict', tbl_new_source, caller_search_path);
    outs := corgi._output_names(tbl_predict, caller_search_path);
    IF to_regclass(outs.main) IS NOT NULL THEN
        RAISE EXCEPTION 'output table % already exists', outs.main
            USING ERRCODE = 'duplicate_table', HINT = 'Drop it first, or choose another tbl_predict.';
    END IF;
    id_col := corgi._grouping_column(data, col_id);
    IF id_col IS NULL THEN
        RAISE EXCEPTION 'col_id "%" is not a column of %', col_id, tbl_new_source USING ERRCODE = 'undefined_column';
    END IF;
    EXECUTE format('SELECT independent_varname, grouping_col, family FROM %s LIMIT 1', summary) INTO s;
    IF lower(s.family) NOT IN ('gaussian', 'linear', 'binomial', 'logistic') THEN
        RAISE EXCEPTION 'model table % holds a % model, which corgi_madlib''s elastic_net_predict does not score', tbl_model, s.family
            USING ERRCODE = 'feature_not_supported';
    END IF;
    IF btrim(s.independent_varname) = '*' THEN
        EXECUTE format('SELECT features FROM %s LIMIT 1', model) INTO features;
        IF EXISTS (SELECT FROM unnest(features) f WHERE corgi._grouping_column(data, quote_ident(f)) IS NULL) THEN
            RAISE EXCEPTION 'tbl_new_source % lacks a feature column of the model (%)', tbl_new_source,
                            (SELECT f FROM unnest(features) f WHERE corgi._grouping_column(data, quote_ident(f)) IS NULL LIMIT 1)
                USING ERRCODE = 'undefined_column';
        END IF;
        x := format('ARRAY[%s]::float8[]', (SELECT string_agg(format('d0.%I', f), ', ') FROM unnest(features) f));
    ELSE
        x := corgi._variable(data, s.independent_varname,
                             NOT pg_has_role((SELECT relowner FROM pg_class WHERE oid = summary), 'USAGE'), 'independent_varname');
    END IF;
    IF s.grouping_col IS NOT NULL THEN
        -- Rows find their model by the grouping columns, by name (an expression names none).
        IF EXISTS (SELECT FROM unnest(corgi._split_grouping_cols(s.grouping_col)) k WHERE corgi._grouping_column(data, k) IS NULL) THEN
            RAISE EXCEPTION 'tbl_new_source % lacks a grouping column of the model (%)', tbl_new_source, s.grouping_col
                USING ERRCODE = 'undefined_column', HINT = 'A model grouped by an expression scores rows of a table with that expression as a column.';
        END IF;
        SELECT string_agg(format('m.%1$I IS NOT DISTINCT FROM d.%1$I', corgi._grouping_column(data, k)), ' AND ')
          INTO join_on FROM unnest(corgi._split_grouping_cols(s.grouping_col)) k;
    END IF;
    -- The features computed over the data alone (no model column in scope).
    EXECUTE format($q$CREATE TABLE %1$s AS
        SELECT d.%2$I AS id, madlib.%7$s(m.coef_all, m.intercept, d."?x") AS prediction
        FROM (SELECT d0.*, (%6$s)::float8[] AS "?x" FROM %3$s d0) d JOIN %4$s m ON %5$s$q$,
        outs.main, id_col, data, model, join_on, x,
        CASE WHEN lower(s.family) IN ('binomial', 'logistic') THEN 'elastic_net_binomial_predict' ELSE 'elastic_net_gaussian_predict' END);
END $$;
COMMENT ON FUNCTION madlib.elastic_net_predict(varchar, varchar, varchar, varchar, text) IS
    'MADlib''s table-form elastic_net_predict (gaussian): tbl_predict (id, prediction) for the rows of tbl_new_source, each scored by its group''s model';

-- ---------------------------------------------------------------------------------
-- Help: f() and f('usage'), as in MADlib
-- ---------------------------------------------------------------------------------
CREATE FUNCTION madlib._help(function_name text, message text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
RETURN CASE
    WHEN function_name = 'linregr_train' THEN
        E'linregr_train: exact linear regression (corgi.linregr_train)\n'
        || E'  SELECT madlib.linregr_train(source_table, out_table, dependent_varname, independent_varname\n'
        || E'                              [, grouping_cols] [, heteroskedasticity_option]);\n'
        || E'  out_table: grouping columns, coef, r2, std_err, t_stats, p_values, condition_no,\n'
        || E'             [bp_stats, bp_p_value], num_rows_processed, num_missing_rows_skipped, variance_covariance\n'
        || E'  out_table_summary: method, source_table, out_table, dependent_varname, independent_varname,\n'
        || E'                     num_rows_processed, num_missing_rows_skipped, grouping_col\n'
        || E'  Write 1 in independent_varname for an intercept: ARRAY[1, x1, x2].'
    WHEN function_name = 'logregr_train' THEN
        E'logregr_train: logistic regression by IRLS (corgi.logregr_train)\n'
        || E'  SELECT madlib.logregr_train(source_table, out_table, dependent_varname, independent_varname\n'
        || E'                              [, grouping_cols [, max_iter (20) [, optimizer (''irls'') [, tolerance (0.0001) [, verbose]]]]]);\n'
        || E'  out_table: grouping columns, coef, log_likelihood, std_err, z_stats, p_values, odds_ratios, condition_no,\n'
        || E'             num_rows_processed, num_missing_rows_skipped, num_iterations, variance_covariance\n'
        || E'  out_table_summary: method, source_table, out_table, dependent_varname, independent_varname, optimizer_params,\n'
        || E'                     num_all_groups, num_failed_groups, num_rows_processed, num_missing_rows_skipped, grouping_col\n'
        || E'  dependent_varname is cast ::boolean; write 1 in independent_varname for an intercept.'
    WHEN function_name = 'encode_categorical_variables' THEN
        E'encode_categorical_variables: one-hot encoding (corgi_madlib)\n'
        || E'  SELECT madlib.encode_categorical_variables(source_table, output_table, categorical_cols (''*'' for all)\n'
        || E'         [, categorical_cols_to_exclude [, row_id [, top [, value_to_drop (col=value, ... or one value) [, encode_null (false)\n'
        || E'         [, output_type (''column'' or ''array'') [, output_dictionary (false)]]]]]]]);\n'
        || E'  Indicators are 0/1 integers named <col>_<value>, <col>__misc__ (outside top), <col>_null (encode_null).'
    WHEN function_name = 'svm_classification' THEN
        E'svm_classification: a support vector machine (corgi.train''s svm; kernels by random features)\n'
        || E'  SELECT madlib.svm_classification(source_table, model_table, dependent_varname, independent_varname\n'
        || E'         [, kernel_func (''linear'', ''gaussian'' or ''polynomial'') [, kernel_params (''fit_intercept=false'';\n'
        || E'            gamma, degree, coef0, n_components, random_state for the kernels) [, grouping_col\n'
        || E'         [, params (''init_stepsize=0.01, decay_factor=0.9, max_iter=100, lambda=0.01, norm=L2'') [, verbose]]]]]);\n'
        || E'  SELECT madlib.svm_predict(model_table, new_data_table, id_col_name, output_table);\n'
        || E'  Cross-validation: give params as lists, e.g. ''lambda=[0.01, 0.1], n_folds=3, validation_result=cv''.'
    WHEN function_name = 'svm_regression' THEN
        E'svm_regression: a support vector regression (corgi.train''s svr, epsilon-insensitive loss; kernels by random features)\n'
        || E'  SELECT madlib.svm_regression(source_table, model_table, dependent_varname, independent_varname\n'
        || E'         [, kernel_func (''linear'', ''gaussian'' or ''polynomial'') [, kernel_params (''fit_intercept=false'';\n'
        || E'            gamma, degree, coef0, n_components, random_state for the kernels) [, grouping_col\n'
        || E'         [, params (''init_stepsize=0.01, decay_factor=0.9, max_iter=100, lambda=0.01, norm=L2, epsilon=0.01'') [, verbose]]]]]);\n'
        || E'  SELECT madlib.svm_predict(model_table, new_data_table, id_col_name, output_table);  -- prediction: the value\n'
        || E'  Cross-validation: give params as lists, e.g. ''lambda=[0.01, 0.1], epsilon=[0.01, 0.1], n_folds=3''.'
    WHEN function_name = 'minibatch_preprocessor' THEN
        E'minibatch_preprocessor: rows packed into buffers for mlp_classification and mlp_regression (corgi_madlib)\n'
        || E'  SELECT madlib.minibatch_preprocessor(source_table, output_table, dependent_varname, independent_varname\n'
        || E'         [, grouping_cols [, buffer_size (at most 1000 rows, split evenly) [, one_hot_encode_int_dep_var (false)]]]);\n'
        || E'  output_table (__id__, dependent_varname float8[][], independent_varname float8[][] standardized),\n'
        || E'  output_table_summary and output_table_standardization (mean, std).'
    WHEN function_name = 'svm_one_class' THEN
        E'svm_one_class: novelty detection, the rows against the origin (corgi.train''s svm; kernels by random features)\n'
        || E'  SELECT madlib.svm_one_class(source_table, model_table, independent_varname\n'
        || E'         [, kernel_func (''gaussian'', ''linear'' or ''polynomial'') [, kernel_params (gamma, degree, coef0,\n'
        || E'            n_components, random_state) [, grouping_col (refused) [, params (as svm_classification''s;\n'
        || E'            class_weight balanced by default) [, verbose]]]]]);\n'
        || E'  SELECT madlib.svm_predict(model_table, new_data_table, id_col_name, output_table);  -- prediction 1 or -1\n'
        || E'  Cross-validation: give params as lists, e.g. ''lambda=[0.01, 0.1], n_folds=3, validation_result=cv''.'
    WHEN function_name = 'train_test_split' THEN
        E'train_test_split: a seeded split (corgi_madlib)\n'
        || E'  SELECT madlib.train_test_split(source_table, output_table, train_proportion [, test_proportion\n'
        || E'                                 [, grouping_cols [, target_cols [, with_replacement (false)\n'
        || E'                                 [, separate_output_tables (false) [, seed (42)]]]]]]);\n'
        || E'  output_table gets the columns and split (1 train, 0 test), or output_table_train and output_table_test.\n'
        || E'  with_replacement draws each side''s rows with replacement (a row may come twice, or on both sides).'
    ELSE 'unknown function ' || function_name END
    || CASE WHEN message IS NULL OR message IN ('usage', 'help', '?', '') THEN ''
            ELSE E'\n(asked: ' || message || E'; the help above is all there is)' END;
COMMENT ON FUNCTION madlib._help(text, text) IS 'internal: the help text of a corgi_madlib function';

CREATE FUNCTION madlib.linregr_train() RETURNS varchar LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp RETURN madlib._help('linregr_train', NULL);
COMMENT ON FUNCTION madlib.linregr_train() IS 'help of madlib.linregr_train';
CREATE FUNCTION madlib.linregr_train(message varchar) RETURNS varchar LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp RETURN madlib._help('linregr_train', message);
COMMENT ON FUNCTION madlib.linregr_train(varchar) IS 'help of madlib.linregr_train (''usage'')';
CREATE FUNCTION madlib.logregr_train() RETURNS varchar LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp RETURN madlib._help('logregr_train', NULL);
COMMENT ON FUNCTION madlib.logregr_train() IS 'help of madlib.logregr_train';
CREATE FUNCTION madlib.logregr_train(message varchar) RETURNS varchar LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp RETURN madlib._help('logregr_train', message);
COMMENT ON FUNCTION madlib.logregr_train(varchar) IS 'help of madlib.logregr_train (''usage'')';
CREATE FUNCTION madlib.encode_categorical_variables() RETURNS varchar LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp RETURN madlib._help('encode_categorical_variables', NULL);
COMMENT ON FUNCTION madlib.encode_categorical_variables() IS 'help of madlib.encode_categorical_variables';
CREATE FUNCTION madlib.encode_categorical_variables(message varchar) RETURNS varchar LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp RETURN madlib._help('encode_categorical_variables', message);
COMMENT ON FUNCTION madlib.encode_categorical_variables(varchar) IS 'help of madlib.encode_categorical_variables (''usage'')';
CREATE FUNCTION madlib.svm_classification() RETURNS varchar LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp RETURN madlib._help('svm_classification', NULL);
COMMENT ON FUNCTION madlib.svm_classification() IS 'help of madlib.svm_classification';
CREATE FUNCTION madlib.svm_classification(message varchar) RETURNS varchar LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp RETURN madlib._help('svm_classification', message);
COMMENT ON FUNCTION madlib.svm_classification(varchar) IS 'help of madlib.svm_classification (''usage'')';
CREATE FUNCTION madlib.svm_regression() RETURNS varchar LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp RETURN madlib._help('svm_regression', NULL);
COMMENT ON FUNCTION madlib.svm_regression() IS 'help of madlib.svm_regression';
CREATE FUNCTION madlib.svm_regression(message varchar) RETURNS varchar LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp RETURN madlib._help('svm_regression', message);
COMMENT ON FUNCTION madlib.svm_regression(varchar) IS 'help of madlib.svm_regression (''usage'')';
CREATE FUNCTION madlib.minibatch_preprocessor() RETURNS varchar LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp RETURN madlib._help('minibatch_preprocessor', NULL);
COMMENT ON FUNCTION madlib.minibatch_preprocessor() IS 'help of madlib.minibatch_preprocessor';
CREATE FUNCTION madlib.minibatch_preprocessor(message varchar) RETURNS varchar LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp RETURN madlib._help('minibatch_preprocessor', message);
COMMENT ON FUNCTION madlib.minibatch_preprocessor(varchar) IS 'help of madlib.minibatch_preprocessor (''usage'')';
CREATE FUNCTION madlib.svm_one_class() RETURNS varchar LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp RETURN madlib._help('svm_one_class', NULL);
COMMENT ON FUNCTION madlib.svm_one_class() IS 'help of madlib.svm_one_class';
CREATE FUNCTION madlib.svm_one_class(message varchar) RETURNS varchar LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp RETURN madlib._help('svm_one_class', message);
COMMENT ON FUNCTION madlib.svm_one_class(varchar) IS 'help of madlib.svm_one_class (''usage'')';
CREATE FUNCTION madlib.train_test_split() RETURNS varchar LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp RETURN madlib._help('train_test_split', NULL);
COMMENT ON FUNCTION madlib.train_test_split() IS 'help of madlib.train_test_split';
CREATE FUNCTION madlib.train_test_split(message varchar) RETURNS varchar LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp RETURN madlib._help('train_test_split', message);
COMMENT ON FUNCTION madlib.train_test_split(varchar) IS 'help of madlib.train_test_split (''usage'')';
