/*
 * corgi_feature_columns.h: features given as a list of columns or as '*'.
 *
 * independent_varname may name one array column (the classic form), list columns
 * ('bill_mm, flipper_mm, "Body g"', numbers, booleans and numeric arrays, mixed), or be
 * '*' (every column but those excluded: the caller excludes the label and the grouping
 * columns). A list's features are its columns' values in order, arrays spliced in; a
 * row with a NULL in any of them has no features (skipped, like a NULL array).
 */
#ifndef CORGI_FEATURE_COLUMNS_H
#define CORGI_FEATURE_COLUMNS_H

#include "postgres.h"

#include "nodes/pg_list.h"
#include "utils/rel.h"

/* Whether the fast path reads a feature column of this type (a number, a boolean, float8[] or real[]). */
extern bool corgi_fast_feature_type(Oid type);

/* Whether a feature column of this type is one value (a number or a boolean). */
extern bool corgi_scalar_feature_type(Oid type);

/*
 * Splits a list of column names ('a, "B c"'); false when text is not one (an item that
 * is not an identifier). Unquoted names are folded to lower case, as SQL does.
 */
extern bool corgi_parse_column_list(const char *text, List **names);

/*
 * The feature columns varname names in rel (a List of char *), *is_list true; NIL with
 * *is_list false when varname is one array column or an expression. Raises for a listed
 * column that does not exist or has a type that is not a feature's. '*' leaves out the
 * names in excluded (a list; each must be a column) and the plain column names among the
 * comma-separated items of implied (the label and grouping columns: expressions pass).
 */
extern List *corgi_feature_column_list(Relation rel, const char *varname, const char *excluded,
									   const char *implied, bool *is_list);

#endif
