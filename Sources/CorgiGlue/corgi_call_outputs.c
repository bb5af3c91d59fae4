/*
 * corgi_call_outputs.c: what a training call does around its epochs.
 *
 *   corgi._reserve_outputs(names text[])      takes the output names at the start: an
 *                                             empty placeholder table under each (quoted,
 *                                             qualified, as corgi._output_names gives
 *                                             them), so that a table another session
 *                                             creates under one of them meanwhile cannot
 *                                             make the call fail after its epochs (that
 *                                             session waits for this transaction, then
 *                                             fails)
 *   corgi._release_outputs(names text[])      drops the placeholders just before the
 *                                             outputs are written, in the same
 *                                             transaction: the names are never free
 *   corgi._notice_skipped(model_table text)   one NOTICE of the rows the call skipped
 *   corgi._shuffled_copy(copy, list, source, seed) -> seconds
 *                                             shuffle once's seeded copy
 *   corgi._shared_param(params, key) -> text  one setting of a params string, checked
 *
 * The names they are given are the drivers' quoted names, never the caller's text.
 */
#include "postgres.h"

#include "catalog/pg_collation_d.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#include "corgi_sql.h"

extern Datum corgi_normalize_params(PG_FUNCTION_ARGS);

#define CORGI_PLACEHOLDER_COMMENT "corgi: reserved for the output of a training call in progress"

/* The names of a text[] argument (NULL items are skipped: there are none from the drivers). */
static char **
names_of(ArrayType *array, int *count)
{
	Datum	   *items;
	bool	   *nulls;
	char	  **names;
	int			n;
	int			kept = 0;

	deconstruct_array(array, TEXTOID, -1, false, TYPALIGN_INT, &items, &nulls, &n);
	names = palloc(sizeof(char *) * Max(n, 1));
	for (int i = 0; i < n; i++)
		if (!nulls[i])
			names[kept++] = TextDatumGetCString(items[i]);
	*count = kept;
	return names;
}

PG_FUNCTION_INFO_V1(corgi_reserve_outputs);

Datum
corgi_reserve_outputs(PG_FUNCTION_ARGS)
{
	int			count;
	char	  **names = names_of(PG_GETARG_ARRAYTYPE_P(0), &count);

	SPI_connect();
	for (int i = 0; i < count; i++)
	{
		CorgiSqlArgs a = {0};

		corgi_sql_arg_text(&a, names[i]);
		corgi_sql_run("SELECT to_regclass($1) IS NOT NULL", &a, true);
		if (corgi_sql_column_bool(1) == 1)
			ereport(ERROR,
					(errcode(ERRCODE_DUPLICATE_TABLE),
					 errmsg("output table %s already exists", names[i]),
					 errhint("Drop it first, or choose another out_table.")));
		corgi_sql_run(psprintf("CREATE TABLE %s ()", names[i]), NULL, false);
		corgi_sql_run(psprintf("COMMENT ON TABLE %s IS '%s'", names[i], CORGI_PLACEHOLDER_COMMENT), NULL, false);
	}
	SPI_finish();
	PG_RETURN_VOID();
}

PG_FUNCTION_INFO_V1(corgi_release_outputs);

Datum
corgi_release_outputs(PG_FUNCTION_ARGS)
{
	int			count;
	char	  **names = names_of(PG_GETARG_ARRAYTYPE_P(0), &count);

	SPI_connect();
	for (int i = 0; i < count; i++)
	{
		CorgiSqlArgs a = {0};

		corgi_sql_arg_text(&a, names[i]);
		corgi_sql_run("SELECT EXISTS (SELECT FROM pg_class c WHERE c.oid = to_regclass($1) AND c.relkind = 'r'"
					  " AND c.relnatts = 0 AND obj_description(c.oid, 'pg_class') = '" CORGI_PLACEHOLDER_COMMENT "')",
					  &a, true);
		if (corgi_sql_column_bool(1) == 1)
			corgi_sql_run(psprintf("DROP TABLE %s", names[i]), NULL, false);
	}
	SPI_finish();
	PG_RETURN_VOID();
}

PG_FUNCTION_INFO_V1(corgi_notice_skipped);

/*
 * Rows skipped (a NULL label or feature) are counted in a model table, and said: one
 * NOTICE per call, the most any model of it skipped in an epoch.
 */
Datum
corgi_notice_skipped(PG_FUNCTION_ARGS)
{
	char	   *model_table = text_to_cstring(PG_GETARG_TEXT_PP(0));
	bool		isnull;
	Datum		skipped;

	SPI_connect();
	corgi_sql_run(psprintf("SELECT max(num_rows_skipped)::bigint, max(num_rows_processed + num_rows_skipped)::bigint FROM %s",
						   model_table), NULL, false);
	skipped = corgi_sql_column(1, &isnull, CurrentMemoryContext);
	if (!isnull && DatumGetInt64(skipped) > 0)
	{
		bool		rows_null;
		Datum		rows = corgi_sql_column(2, &rows_null, CurrentMemoryContext);

		ereport(NOTICE,
				(errmsg(INT64_FORMAT " of %s rows were skipped in each epoch: a NULL label or feature",
						DatumGetInt64(skipped), rows_null ? "<NULL>" : psprintf(INT64_FORMAT, DatumGetInt64(rows))),
				 errhint("With feature columns (a list or '*'), params => 'nulls=impute' fills NULL numbers with their training mean; or filter such rows out.")));
	}
	SPI_finish();
	PG_RETURN_VOID();
}

PG_FUNCTION_INFO_V1(corgi_shuffled_copy);

/*
 * A seeded shuffled copy (shuffle once): CREATE TEMP TABLE copy AS SELECT list FROM
 * source ORDER BY random() after setseed from the run's seed; returns its seconds. The
 * list and source are SQL fragments of corgi's drivers, run with the caller's rights.
 */
Datum
corgi_shuffled_copy(PG_FUNCTION_ARGS)
{
	char	   *copy_table = text_to_cstring(PG_GETARG_TEXT_PP(0));
	char	   *select_list = text_to_cstring(PG_GETARG_TEXT_PP(1));
	char	   *source = text_to_cstring(PG_GETARG_TEXT_PP(2));
	int64		seed = PG_GETARG_INT64(3);
	TimestampTz t0 = GetCurrentTimestamp();
	CorgiSqlArgs a = {0};

	SPI_connect();
	corgi_sql_arg(&a, INT8OID, Int64GetDatum(seed), false);
	corgi_sql_run("SELECT setseed((($1::numeric % 2147483647) / 2147483647.0)::float8)", &a, true);
	corgi_sql_run(psprintf("CREATE TEMP TABLE %s AS SELECT %s FROM %s ORDER BY random()", copy_table, select_list, source),
				  NULL, false);
	SPI_finish();
	PG_RETURN_FLOAT8((double) (GetCurrentTimestamp() - t0) / 1000000.0);
}

PG_FUNCTION_INFO_V1(corgi_shared_param);

/* A named setting of a params string (seed, segments, workers, solver), checked; NULL when not given. */
Datum
corgi_shared_param(PG_FUNCTION_ARGS)
{
	text	   *params = PG_GETARG_TEXT_PP(0);
	char	   *key = text_to_cstring(PG_GETARG_TEXT_PP(1));
	text	   *pattern = cstring_to_text(psprintf("(?i)(?:^|,)\\s*%s\\s*=\\s*([^,]*)", key));
	Datum		found;
	Datum		value;

	LOCAL_FCINFO(match, 2);

	/* substring(params from pattern): NULL when the key is not there. */
	InitFunctionCallInfoData(*match, NULL, 2, DEFAULT_COLLATION_OID, NULL, NULL);
	match->args[0].value = PointerGetDatum(params);
	match->args[0].isnull = false;
	match->args[1].value = PointerGetDatum(pattern);
	match->args[1].isnull = false;
	found = textregexsubstr(match);
	if (match->isnull)
		PG_RETURN_NULL();
	value = DirectFunctionCall1(btrim1, found);
	/* A bad value gets the usual error. */
	(void) DirectFunctionCall1(corgi_normalize_params,
							   PointerGetDatum(cstring_to_text(psprintf("%s=%s", key, TextDatumGetCString(value)))));
	PG_RETURN_DATUM(value);
}
