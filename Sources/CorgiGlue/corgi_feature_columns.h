/*
 * corgi_feature_columns.h: features given as a list of columns or as '*'.
 *
 * independent_varname may name one array column (the classic form), list columns
 * ('bill_mm, flipper_mm, "Body g"': numbers, booleans, numeric arrays, text and enum
 * categories, mixed), or be '*' (every column but those excluded: the caller excludes the
 * label and the grouping columns). A list's features are its columns' values in order,
 * arrays spliced in, categories one-hot (their levels, then "other", then NULL), numbers
 * filled and standardized where the list says so ('x (fill 1.5, center 2, scale 0.5)',
 * 'c (levels [''a'', ''b''])'); a row with a NULL in a number without a fill or in an
 * array has no features (skipped, like a NULL array).
 */
#ifndef CORGI_FEATURE_COLUMNS_H
#define CORGI_FEATURE_COLUMNS_H

#include "postgres.h"

#include "fmgr.h"
#include "nodes/pg_list.h"
#include "utils/rel.h"

/*
 * One listed feature column, as corgi keeps it: its name, and what the model learned of
 * it in training: a fill for its NULLs (nulls=impute) and a center and scale
 * (standardize), or its levels (a category: one one-hot feature per level in this order,
 * then "other" and NULL).
 */
typedef struct CorgiFeatureItem
{
	char	   *name;
	Oid			type;			/* set by corgi_feature_column_list */
	bool		has_fill;
	double		fill;
	bool		has_scale;		/* standardized: (x - center) * inverse_scale, after the fill */
	double		center;
	double		scale;
	double		inverse_scale;	/* 1 / scale, computed once: a product per row, not a quotient */
	bool		categorical;	/* levels given */
	bool		needs_levels;	/* a text column listed without them (training discovers them) */
	int			nlevels;
	char	  **levels;
	int		   *sorted;			/* corgi_feature_item_prepare: level positions in lookup order */
	FmgrInfo   *output;			/* a category that is not text: its type's output function */
} CorgiFeatureItem;

/* Whether a column of this type is a category (text, varchar, an enum). */
extern bool corgi_category_type(Oid type);

/* Whether a column of this type may be a category (those, and integers named categorical). */
extern bool corgi_categorizable_type(Oid type);

/*
 * Parses a list of feature items: 'a, "B c" (fill 0.5), d (levels [''x'', ''y''])'; false
 * when text is not one (an expression).
 */
extern bool corgi_parse_feature_spec(const char *text, List **items);

/* A list of items as corgi writes it (quoted names, annotations); parses back the same. */
extern char *corgi_feature_spec_text(List *items);

/* A standardized value of an item (has_scale): (x - center) * inverse_scale, in C and SQL alike. */
static inline double
corgi_feature_item_standardized(const CorgiFeatureItem *item, double x)
{
	return (x - item->center) * item->inverse_scale;
}

/*
 * An item's standardization as a center and an inverse scale, 0 and 1 when it has none:
 * (x - center) * inverse is corgi_feature_item_standardized's product, and (x - 0) * 1 is
 * x bit for bit, so one branchless loop serves scaled and unscaled features alike.
 */
static inline void
corgi_feature_item_scaling(const CorgiFeatureItem *item, double *center, double *inverse)
{
	*center = item->has_scale ? item->center : 0;
	*inverse = item->has_scale ? item->inverse_scale : 1;
}

/* Sorts a category's levels for lookups, and finds its output function when not text (once; item->type set). */
extern void corgi_feature_item_prepare(CorgiFeatureItem *item);

/* The position of a value among a category's levels; nlevels ("other") when absent. */
extern int	corgi_feature_item_level(const CorgiFeatureItem *item, const char *value, int length);

/* Features an item gives: 1, or levels + 2 for a category (other, NULL). Arrays: their length. */
static inline int
corgi_feature_item_width(const CorgiFeatureItem *item)
{
	return item->categorical ? item->nlevels + 2 : 1;
}

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
 * The feature items varname names in rel (a List of CorgiFeatureItem *), *is_list true; NIL with
 * *is_list false when varname is one array column or an expression. Raises for a listed
 * column that does not exist or has a type that is not a feature's. '*' leaves out the
 * names in excluded (a list; each must be a column) and the plain column names among the
 * comma-separated items of implied (the label and grouping columns: expressions pass).
 */
extern List *corgi_feature_column_list(Relation rel, const char *varname, const char *excluded,
									   const char *implied, bool *is_list);

#endif
