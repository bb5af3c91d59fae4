/*
 * corgi_sql.c: statements with arguments over SPI, their values copied out
 * (corgi_sql.h).
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/memutils.h"

#include "corgi_sql.h"

/*
 * The statements prepared once per backend, by the address of their text and the types
 * of their arguments: a type an extension owns (corgi.training_plan) gets another OID
 * when the extension is dropped and created again in the same session, and a plan
 * prepared for the old one cannot be revalidated (its parameter type is gone).
 */
typedef struct KeptStatement
{
	const char *sql;
	int			nargs;
	Oid			types[CORGI_SQL_MAX_ARGS];
	SPIPlanPtr	plan;
} KeptStatement;

#define CORGI_SQL_MAX_KEPT 256
static KeptStatement kept[CORGI_SQL_MAX_KEPT];
static int	kept_count = 0;

void
corgi_sql_arg(CorgiSqlArgs *args, Oid type, Datum value, bool isnull)
{
	if (args->count >= CORGI_SQL_MAX_ARGS)
		elog(ERROR, "corgi: more than %d statement arguments", CORGI_SQL_MAX_ARGS);
	args->types[args->count] = type;
	args->values[args->count] = isnull ? (Datum) 0 : value;
	args->nulls[args->count] = isnull ? 'n' : ' ';
	args->count++;
}

void
corgi_sql_arg_text(CorgiSqlArgs *args, const char *s)
{
	corgi_sql_arg(args, TEXTOID, s == NULL ? (Datum) 0 : CStringGetTextDatum(s), s == NULL);
}

uint64
corgi_sql_run(const char *sql, CorgiSqlArgs *args, bool keep)
{
	CorgiSqlArgs none = {0};
	int			rc;

	if (args == NULL)
		args = &none;
	if (keep)
	{
		SPIPlanPtr	plan = NULL;
		int			slot = -1;

		for (int i = 0; i < kept_count && slot < 0; i++)
			if (kept[i].sql == sql && kept[i].nargs == args->count)
				slot = i;
		if (slot >= 0 && memcmp(kept[slot].types, args->types, sizeof(Oid) * args->count) == 0)
			plan = kept[slot].plan;
		if (plan == NULL)
		{
			plan = SPI_prepare(sql, args->count, args->types);
			if (plan == NULL)
				elog(ERROR, "corgi: SPI_prepare failed (%s): %s", SPI_result_code_string(SPI_result), sql);
			if (slot < 0 && kept_count < CORGI_SQL_MAX_KEPT)
				slot = kept_count++;
			else if (slot >= 0)
			{
				/* Argument types changed (the extension was created again): replace it. */
				SPI_freeplan(kept[slot].plan);
				kept[slot].plan = NULL;
			}
			if (slot >= 0 && SPI_keepplan(plan) == 0)
			{
				kept[slot].sql = sql;
				kept[slot].nargs = args->count;
				memcpy(kept[slot].types, args->types, sizeof(Oid) * args->count);
				kept[slot].plan = plan;
			}
		}
		rc = SPI_execute_plan(plan, args->values, args->nulls, false, 0);
	}
	else
		rc = SPI_execute_with_args(sql, args->count, args->types, args->values, args->nulls, false, 0);
	if (rc < 0)
		elog(ERROR, "corgi: SPI failed (%s): %s", SPI_result_code_string(rc), sql);
	return SPI_processed;
}

Datum
corgi_sql_column(int column, bool *isnull, MemoryContext into)
{
	return corgi_sql_row_column(0, column, isnull, into);
}

Datum
corgi_sql_named_column(const char *name, bool *isnull, MemoryContext into)
{
	int			column = SPI_tuptable == NULL ? SPI_ERROR_NOATTRIBUTE : SPI_fnumber(SPI_tuptable->tupdesc, name);

	if (column <= 0)
		elog(ERROR, "corgi: a statement's result has no column %s", name);
	return corgi_sql_column(column, isnull, into);
}

Datum
corgi_sql_row_column(uint64 row, int column, bool *isnull, MemoryContext into)
{
	Datum		value;
	Form_pg_attribute attr;
	MemoryContext old;

	if (row >= SPI_processed || SPI_tuptable == NULL || column > SPI_tuptable->tupdesc->natts)
	{
		*isnull = true;
		return (Datum) 0;
	}
	value = SPI_getbinval(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, column, isnull);
	if (*isnull)
		return (Datum) 0;
	attr = TupleDescAttr(SPI_tuptable->tupdesc, column - 1);
	old = MemoryContextSwitchTo(into);
	value = datumCopy(value, attr->attbyval, attr->attlen);
	MemoryContextSwitchTo(old);
	return value;
}

char *
corgi_sql_column_text(int column, MemoryContext into)
{
	return corgi_sql_row_text(0, column, into);
}

char *
corgi_sql_row_text(uint64 row, int column, MemoryContext into)
{
	bool		isnull;
	Datum		value;
	MemoryContext old;
	char	   *s;

	if (row >= SPI_processed || SPI_tuptable == NULL || column > SPI_tuptable->tupdesc->natts)
		return NULL;
	value = SPI_getbinval(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, column, &isnull);
	if (isnull)
		return NULL;
	old = MemoryContextSwitchTo(into);
	s = TextDatumGetCString(value);
	MemoryContextSwitchTo(old);
	return s;
}

int
corgi_sql_column_bool(int column)
{
	bool		isnull;
	Datum		value = corgi_sql_column(column, &isnull, CurrentMemoryContext);

	return isnull ? -1 : (DatumGetBool(value) ? 1 : 0);
}

const char *
corgi_text_argument(FunctionCallInfo fcinfo, int n)
{
	if (PG_NARGS() <= n || PG_ARGISNULL(n))
		return NULL;
	return TextDatumGetCString(PG_GETARG_DATUM(n));
}

void
corgi_require_caller_path(const char *caller_path)
{
	if (caller_path == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("caller_search_path must not be NULL"),
				 errhint("Leave it out: it is the caller's search_path, which table names are resolved against.")));
}
