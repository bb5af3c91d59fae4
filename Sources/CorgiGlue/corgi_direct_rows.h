/*
 * corgi_direct_rows.h: the rows of a simple row query read straight from the heap, for
 * the exact solvers (corgi_exact_regression.c).
 *
 * The solvers take their rows as a query, `SELECT (dependent)::float8,
 * (independent)::float8[] FROM source` and the like, so that any expression works. When
 * the query only names columns of one plain table (the independent variable a float8[]
 * column or an ARRAY[...] of number columns, after leading constants such as MADlib's
 * intercept `1`), its rows are read from the pages by the fast path's reader instead of
 * through the executor: the same rows, in the same order (page order), the same values,
 * so the same sums bit for bit, at the cost of a scan rather than of building an array
 * per row. Anything else (another expression, a view, row-level security, a column the
 * user may not read) is answered "no" and the caller runs the query.
 */
#ifndef CORGI_DIRECT_ROWS_H
#define CORGI_DIRECT_ROWS_H

#include "postgres.h"

#include "executor/spi.h"

#include "corgi_heap_rows.h"

/* How a row query's target list maps onto a table's columns. */
typedef struct CorgiDirectRows
{
	Oid			relid;
	char	   *features;		/* a float8[] column's name, or a list of number columns */
	char	   *label;			/* the dependent column's name */
	Oid			label_type;
	int			leading_count;	/* constants before the features (MADlib's 1) */
	double	   *leading;
	bool		null_array_is_empty;	/* constants || column: a NULL column gives the constants alone */
	/* Grouped (corgi._group_index over key columns): the groups' router, else NULL. */
	struct CorgiGroupRouter *router;
	AttrNumber *key_columns;	/* router->key_count of them */
} CorgiDirectRows;

/*
 * Whether the prepared query `plan` can be read directly: a SELECT from one heap table
 * (no WHERE, joins, grouping, ordering or limit) whose target `label_target` (1-based)
 * is a column (of a number or boolean type) perhaps under casts that keep its value
 * (boolean to integer, integers to wider ones and to float8, real and numeric to
 * float8), or with `boolean_label` a boolean column or such a column `> 0` (the reader's
 * label then read as label > 0), whose target `features_target` is a
 * float8[] column or an ARRAY[...] of number columns, either after leading constants,
 * and whose other targets are non-NULL integer constants equal to `constant_value`; the
 * table readable directly by the current user (SELECT on the columns, no row-level
 * security). On true *out describes it (palloc'd).
 */
extern bool corgi_direct_rows_analyze(SPIPlanPtr plan, int label_target, int features_target, bool boolean_label,
									  int32 constant_value, CorgiDirectRows *out);

/*
 * corgi_direct_rows_analyze for a row query whose target `group_target` is a row's group
 * number: the constant 1 (one group), or corgi._group_index(ROW(key columns...), keys) as
 * corgi._numbered_groups writes it, with its keys a constant of `groups` groups (out->router
 * then routes a row by its key columns, GROUP BY's equality as corgi._group_index's).
 */
extern bool corgi_direct_rows_analyze_grouped(SPIPlanPtr plan, int group_target, int label_target,
											  int features_target, bool boolean_label, int groups,
											  CorgiDirectRows *out);

/*
 * Reads the rows in page order, each complete row to sink with its features (after the
 * leading constants when with_leading; else the sink puts them in front itself) in
 * memory valid until the next row, and the label as float8 (booleans 1/0); a row with a
 * NULL to null_sink. row->position counts every row read, NULL rows included, from 1:
 * the ordinal of the row in the query's result.
 */
extern void corgi_direct_rows_read(const CorgiDirectRows *rows, bool with_leading, CorgiRowSink sink,
								   CorgiNullRowSink null_sink, void *arg);

/*
 * corgi_direct_rows_read of grouped rows: each row goes to the sinks with
 * group_args[group] (0-based) as their argument; a row of no group to none.
 */
extern void corgi_direct_rows_read_grouped(const CorgiDirectRows *rows, bool with_leading, CorgiRowSink sink,
										   CorgiNullRowSink null_sink, void **group_args);

#endif
