/*
 * corgi_split.c: corgi.train_test_split, a held-out split of a source drawn by a seed
 * (MADlib's train_test_split), for the validation table successive halving, Hyperband and
 * early stopping need.
 *
 * Each row goes to the test table when a hash of its text and the seed falls below the
 * fraction: the split depends on the rows and the seed only (not on their order or
 * pages), so it is the same on every server and after a VACUUM FULL, and equal rows go to
 * the same side. The function pins the settings a row's text depends on (float digits,
 * date style, time zone, bytea output) in its declaration. Names are resolved as the
 * caller would resolve them (corgi._resolve_table, corgi._output_names) and quoted; the
 * tables are created with the caller's rights, in one transaction: an error leaves none.
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"

/* The hash's 20 low bits against the fraction: a granularity of one in a million. */
#define SPLIT_BITS 1048576

static char *
one_text(const char *query, int nargs, Oid *types, Datum *values, const char *what)
{
	bool		isnull;
	Datum		value;

	if (SPI_execute_with_args(query, nargs, types, values, NULL, false, 2) != SPI_OK_SELECT ||
		SPI_processed != 1)
		elog(ERROR, "corgi.train_test_split: resolving the %s failed", what);
	value = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	return isnull ? NULL : TextDatumGetCString(value);
}

static uint64
create_side(const char *table, const char *source, bool test, int64 seed, int32 threshold)
{
	StringInfoData query;

	/* Numbers only are written into the text (the names are quoted already). */
	initStringInfo(&query);
	appendStringInfo(&query,
					 "CREATE TABLE %s AS SELECT t.* FROM %s AS t"
					 " WHERE (pg_catalog.hashtextextended(t::text, " INT64_FORMAT ") & %d) %s %d",
					 table, source, seed, SPLIT_BITS - 1, test ? "<" : ">=", threshold);
	if (SPI_execute(query.data, false, 0) != SPI_OK_UTILITY)
		elog(ERROR, "corgi.train_test_split: creating %s failed", table);
	return SPI_processed;
}

PG_FUNCTION_INFO_V1(corgi_train_test_split);

/*
 * corgi.train_test_split(source_table text, train_table text, test_table text,
 * test_fraction float8, seed bigint, caller_search_path text) -> (train_rows, test_rows)
 */
Datum
corgi_train_test_split(PG_FUNCTION_ARGS)
{
	TupleDesc	desc;
	double		fraction;
	int64		seed;
	char	   *path;
	char	   *source;
	char	   *train;
	char	   *test;
	Oid			types[2] = {TEXTOID, TEXTOID};
	Datum		values[2];
	Datum		result[2];
	bool		nulls[2] = {false, false};
	uint64		train_rows,
				test_rows;

	for (int a = 0; a < 6; a++)
		if (PG_ARGISNULL(a))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("the arguments of corgi.train_test_split must not be NULL")));
	fraction = PG_GETARG_FLOAT8(3);
	seed = PG_GETARG_INT64(4);
	if (!(fraction > 0 && fraction < 1))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("test_fraction must be between 0 and 1 (exclusive), got %g", fraction),
				 errhint("Write e.g. test_fraction => 0.2 for a fifth of the rows.")));
	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "corgi.train_test_split must return a record");
	path = text_to_cstring(PG_GETARG_TEXT_PP(5));
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "corgi.train_test_split: SPI_connect failed");

	values[0] = PG_GETARG_DATUM(0);
	values[1] = CStringGetTextDatum(path);
	source = one_text("SELECT corgi._resolve_table($1, $2)::text", 2, types, values, "source");
	if (source == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("source table \"%s\" does not exist", text_to_cstring(PG_GETARG_TEXT_PP(0))),
				 errhint("Check the name and your search_path.")));
	values[0] = PG_GETARG_DATUM(1);
	train = one_text("SELECT o.main FROM corgi._output_names($1, $2) o", 2, types, values, "train table");
	values[0] = PG_GETARG_DATUM(2);
	test = one_text("SELECT o.main FROM corgi._output_names($1, $2) o", 2, types, values, "test table");
	if (train == NULL || test == NULL || strcmp(train, test) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("train_table and test_table must be two tables, got %s twice", train ? train : "NULL"),
				 errhint("Name the tables apart.")));

	/* Taken names fail now, naming the table, not halfway through. */
	for (int i = 0; i < 2; i++)
	{
		const char *name = i == 0 ? train : test;
		Oid			ctypes[1] = {TEXTOID};
		Datum		cvalues[1] = {CStringGetTextDatum(name)};

		if (strcmp(one_text("SELECT (pg_catalog.to_regclass($1) IS NOT NULL)::text", 1, ctypes, cvalues, "output names"),
				   "true") == 0)
			ereport(ERROR,
					(errcode(ERRCODE_DUPLICATE_TABLE),
					 errmsg("output table %s already exists", name),
					 errhint("Drop it first, or choose another name.")));
	}

	/* The fraction in hash units, rounded: at least one unit, at most all but one. */
	{
		int32		threshold = (int32) Min(Max(rint(fraction * SPLIT_BITS), 1), SPLIT_BITS - 1);

		train_rows = create_side(train, source, false, seed, threshold);
		test_rows = create_side(test, source, true, seed, threshold);
	}
	SPI_finish();
	result[0] = Int64GetDatum((int64) train_rows);
	result[1] = Int64GetDatum((int64) test_rows);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(desc), result, nulls)));
}
