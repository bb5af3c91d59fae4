/*
 * corgi_sql.h: statements with arguments over SPI, their values copied out.
 *
 * The drivers (corgi_train_plan.c, corgi_driver.c) ask the catalog, the source and
 * corgi's own SQL functions one statement at a time, inside SPI_connect/SPI_finish:
 * corgi_sql_run runs one with its arguments (a constant text is prepared once per
 * backend and kept), and the corgi_sql_column_* functions copy a value of its first
 * row into a context that outlives SPI (the caller's).
 */
#ifndef CORGI_SQL_H
#define CORGI_SQL_H

#include "postgres.h"

#include "fmgr.h"

#define CORGI_SQL_MAX_ARGS 32

typedef struct CorgiSqlArgs
{
	int			count;
	Oid			types[CORGI_SQL_MAX_ARGS];
	Datum		values[CORGI_SQL_MAX_ARGS];
	char		nulls[CORGI_SQL_MAX_ARGS];
} CorgiSqlArgs;

/* Appends an argument ($1, $2, ... in order); a NULL text is a SQL NULL. */
extern void corgi_sql_arg(CorgiSqlArgs *args, Oid type, Datum value, bool isnull);
extern void corgi_sql_arg_text(CorgiSqlArgs *args, const char *s);

/*
 * Runs a statement (args may be NULL); its first row stays in SPI_tuptable (none:
 * SPI_processed is 0). keep: the text is a constant string, prepared once per backend
 * (by its address) and kept; else it is parsed each time (a text built with names).
 * Returns the number of rows it processed.
 */
extern uint64 corgi_sql_run(const char *sql, CorgiSqlArgs *args, bool keep);

/* Column `column` (1-based) of the first row, copied into `into`; NULL when no row. */
extern Datum corgi_sql_column(int column, bool *isnull, MemoryContext into);
extern char *corgi_sql_column_text(int column, MemoryContext into);
/* The column named `name` of the first row (an error when the statement has none). */
extern Datum corgi_sql_named_column(const char *name, bool *isnull, MemoryContext into);
/* Column `column` of row `row` (0-based, below SPI_processed), copied into `into`. */
extern Datum corgi_sql_row_column(uint64 row, int column, bool *isnull, MemoryContext into);
/* A text column of row `row` as a C string in `into` (NULL for NULL or no such row). */
extern char *corgi_sql_row_text(uint64 row, int column, MemoryContext into);
/* A boolean column as SQL's three values: 1 true, 0 false, -1 NULL. */
extern int	corgi_sql_column_bool(int column);

/* A text argument of a front door as a C string (NULL for NULL or absent). */
extern const char *corgi_text_argument(FunctionCallInfo fcinfo, int n);

/* Refuses a NULL caller_search_path by name (a front door resolves every name on it). */
extern void corgi_require_caller_path(const char *caller_path);

#endif							/* CORGI_SQL_H */
