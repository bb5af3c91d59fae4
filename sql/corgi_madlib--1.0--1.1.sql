-- corgi_madlib 1.0 -> 1.1. Built into corgi_madlib--1.0--1.1.sql by scripts/build-upgrade.py:
-- each @function line stands for that function's definition in sql/corgi_madlib.sql.
\echo Use "ALTER EXTENSION corgi_madlib UPDATE TO '1.1'" to load this file. \quit

-- MADlib's table-form elastic_net_predict.
CREATE OR REPLACE FUNCTION madlib.elastic_net_predict(tbl_model varchar, tbl_new_source varchar, col_id varchar, tbl_predict varchar,
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
    IF lower(s.family) NOT IN ('gaussian', 'linear') THEN
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
        SELECT string_agg(format('m.%1$I IS NOT DISTINCT FROM d.%1$I', corgi._grouping_column(data, k)), ' AND ')
          INTO join_on FROM unnest(corgi._split_grouping_cols(s.grouping_col)) k;
        IF join_on IS NULL OR EXISTS (SELECT FROM unnest(corgi._split_grouping_cols(s.grouping_col)) k WHERE corgi._grouping_column(data, k) IS NULL) THEN
            RAISE EXCEPTION 'tbl_new_source % lacks a grouping column of the model (%)', tbl_new_source, s.grouping_col
                USING ERRCODE = 'undefined_column';
        END IF;
    END IF;
    -- The features computed over the data alone (no model column in scope).
    EXECUTE format($q$CREATE TABLE %1$s AS
        SELECT d.%2$I AS id, madlib.elastic_net_gaussian_predict(m.coef_all, m.intercept, d."?x") AS prediction
        FROM (SELECT d0.*, (%6$s)::float8[] AS "?x" FROM %3$s d0) d LEFT JOIN %4$s m ON %5$s$q$,
        outs.main, id_col, data, model, join_on, x);
END $$;
COMMENT ON FUNCTION madlib.elastic_net_predict(varchar, varchar, varchar, varchar, text) IS
    'MADlib''s table-form elastic_net_predict (gaussian): tbl_predict (id, prediction) for the rows of tbl_new_source, each scored by its group''s model';
