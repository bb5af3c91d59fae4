/*
 * corgi_feature_columns.c: features given as a list of columns ('x1, x2, "Flipper mm"')
 * or as '*' (every column but the label, the grouping columns and those excluded): the
 * list's parser and writer (with what training learned of each column: levels, fill,
 * center and scale), its float8[] expression for the composed path, the pass that learns
 * it (corgi._listed_features), and the model's coefficients in the columns' units.
 * The fast path reads the columns in corgi_heap_rows.c. See corgi_feature_columns.h.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/tupdesc.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "access/table.h"
#include "catalog/pg_am_d.h"
#include "catalog/pg_class.h"
#include "catalog/pg_inherits.h"
#include "executor/spi.h"
#include "utils/float.h"
#include "utils/rls.h"

#include <math.h>

#include "corgi_feature_columns.h"

/*
 * A column whose population standard deviation is at most this share of its mean's
 * magnitude is constant for standardization (float64 sums of n equal values leave a
 * residue of about n * 2^-52 * |mean| at most; 1e-9 covers a billion rows).
 */
#define CORGI_CONSTANT_RELATIVE_SD 1e-9

/* The scalar types a feature column may have: numbers and booleans. */
static bool
scalar_feature_type(Oid type)
{
	switch (type)
	{
		case BOOLOID:
		case INT2OID:
		case INT4OID:
		case INT8OID:
		case FLOAT4OID:
		case FLOAT8OID:
		case NUMERICOID:
			return true;
	}
	return false;
}

/* Arrays the fast path reads (float8[], real[]). */
static bool
fast_array_type(Oid type)
{
	return type == FLOAT8ARRAYOID || type == FLOAT4ARRAYOID;
}

/* Arrays a query casts to float8[] (the composed path). */
static bool
numeric_array_type(Oid type)
{
	return fast_array_type(type) || type == INT2ARRAYOID || type == INT4ARRAYOID
		|| type == INT8ARRAYOID || type == NUMERICARRAYOID;
}

/*
 * Text, varchar and enum columns: categories, one-hot encoded by the model over the
 * levels found in training.
 */
static bool
category_type(Oid type)
{
	return type == TEXTOID || type == VARCHAROID || type_is_enum(type);
}

bool
corgi_category_type(Oid type)
{
	return category_type(type);
}

/* Categories, and integers named in the params' categorical list (their text is the level). */
static bool
categorizable_type(Oid type)
{
	return category_type(type) || type == INT2OID || type == INT4OID || type == INT8OID;
}

bool
corgi_categorizable_type(Oid type)
{
	return categorizable_type(type);
}

bool
corgi_fast_feature_type(Oid type)
{
	return scalar_feature_type(type) || fast_array_type(type) || category_type(type);
}

bool
corgi_scalar_feature_type(Oid type)
{
	return scalar_feature_type(type);
}

static void
skip_space(const char **p)
{
	while (**p == ' ' || **p == '\t' || **p == '\n' || **p == '\r')
		(*p)++;
}

/* An identifier, plain (folded to lower case) or quoted; NULL when there is none. */
static char *
parse_identifier(const char **at)
{
	const char *p = *at;
	StringInfoData name;

	initStringInfo(&name);
	if (*p == '"')
	{
		p++;
		for (;;)
		{
			if (*p == '\0')
				return NULL;
			if (*p == '"')
			{
				if (p[1] != '"')
					break;
				p++;
			}
			appendStringInfoChar(&name, *p++);
		}
		p++;
		if (name.len == 0)
			return NULL;
	}
	else
	{
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || *p == '_'))
			return NULL;
		while ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || *p == '_' || *p == '$'
			   || (*p >= '0' && *p <= '9'))
		{
			appendStringInfoChar(&name, (*p >= 'A' && *p <= 'Z') ? *p - 'A' + 'a' : *p);
			p++;
		}
	}
	*at = p;
	return name.data;
}

/* A string literal ('...', '' for a quote); NULL when there is none. */
static char *
parse_literal(const char **at)
{
	const char *p = *at;
	StringInfoData value;

	if (*p != '\'')
		return NULL;
	initStringInfo(&value);
	p++;
	for (;;)
	{
		if (*p == '\0')
			return NULL;
		if (*p == '\'')
		{
			if (p[1] != '\'')
				break;
			p++;
		}
		appendStringInfoChar(&value, *p++);
	}
	*at = p + 1;
	return value.data;
}

/* A word of lower-case letters (an annotation's key). */
static bool
parse_word(const char **at, const char *word)
{
	size_t		n = strlen(word);

	if (strncmp(*at, word, n) != 0 || ((*at)[n] >= 'a' && (*at)[n] <= 'z') || (*at)[n] == '_')
		return false;
	*at += n;
	return true;
}

/*
 * An item's annotations: '(' fill <number> | levels [<literal>, ...] (, ...)* ')'. The
 * levels are kept in their order (the model's one-hot order) and sorted for lookups.
 */
static bool
parse_annotations(const char **at, CorgiFeatureItem *item)
{
	const char *p = *at;

	if (*p != '(')
		return true;
	p++;
	for (;;)
	{
		skip_space(&p);
		if (parse_word(&p, "fill") || parse_word(&p, "center") || parse_word(&p, "scale"))
		{
			char		key = p[-1];	/* l(fill), r(center), e(scale) */
			char	   *end;
			double		x;

			skip_space(&p);
			x = strtod(p, &end);
			if (end == p || !isfinite(x))
				return false;
			p = end;
			if (key == 'l')
			{
				item->fill = x;
				item->has_fill = true;
			}
			else if (key == 'r')
			{
				item->center = x;
				item->has_scale = true;
			}
			else
			{
				if (x <= 0)
					return false;
				item->scale = x;
				item->has_scale = true;
			}
		}
		else if (parse_word(&p, "levels"))
		{
			List	   *levels = NIL;

			skip_space(&p);
			if (*p != '[')
				return false;
			p++;
			skip_space(&p);
			while (*p != ']')
			{
				char	   *level = parse_literal(&p);

				if (level == NULL)
					return false;
				levels = lappend(levels, level);
				skip_space(&p);
				if (*p == ',')
				{
					p++;
					skip_space(&p);
				}
				else if (*p != ']')
					return false;
			}
			p++;
			item->categorical = true;
			item->nlevels = list_length(levels);
			item->levels = palloc(sizeof(char *) * Max(item->nlevels, 1));
			for (int i = 0; i < item->nlevels; i++)
				item->levels[i] = list_nth(levels, i);
		}
		else
			return false;
		skip_space(&p);
		if (*p == ')')
			break;
		if (*p != ',')
			return false;
		p++;
	}
	*at = p + 1;
	return true;
}

bool
corgi_parse_feature_spec(const char *text, List **items)
{
	const char *p = text;

	*items = NIL;
	for (;;)
	{
		CorgiFeatureItem *item = palloc0(sizeof(CorgiFeatureItem));

		skip_space(&p);
		item->name = parse_identifier(&p);
		if (item->name == NULL)
			return false;
		skip_space(&p);
		if (!parse_annotations(&p, item))
			return false;
		if (item->has_scale && item->scale == 0)
			item->scale = 1;
		if (item->has_scale)
			item->inverse_scale = 1.0 / item->scale;
		*items = lappend(*items, item);
		skip_space(&p);
		if (*p == '\0')
			return true;
		if (*p != ',')
			return false;
		p++;
	}
}

bool
corgi_parse_column_list(const char *text, List **names)
{
	List	   *items;
	ListCell   *lc;

	*names = NIL;
	if (!corgi_parse_feature_spec(text, &items))
		return false;
	foreach(lc, items)
	{
		CorgiFeatureItem *item = lfirst(lc);

		if (item->has_fill || item->categorical)
			return false;
		*names = lappend(*names, item->name);
	}
	return true;
}

/* Levels compare as bytes, shorter first on a common prefix (the lookup's order). */
static int
compare_levels(const char *a, int alen, const char *b, int blen)
{
	int			c = memcmp(a, b, Min(alen, blen));

	return c != 0 ? c : (alen > blen) - (alen < blen);
}

static int
sort_levels(const void *x, const void *y, void *arg)
{
	char	  **levels = arg;
	int			i = *(const int *) x,
				j = *(const int *) y;

	return compare_levels(levels[i], strlen(levels[i]), levels[j], strlen(levels[j]));
}

void
corgi_feature_item_prepare(CorgiFeatureItem *item)
{
	if (!item->categorical || item->sorted != NULL)
		return;
	/* A level is the value's text: its type's output function but for text and varchar. */
	if (item->type != TEXTOID && item->type != VARCHAROID)
	{
		Oid			output;
		bool		varlena;

		getTypeOutputInfo(item->type, &output, &varlena);
		item->output = palloc0(sizeof(FmgrInfo));
		fmgr_info(output, item->output);
	}
	item->sorted = palloc(sizeof(int) * Max(item->nlevels, 1));
	for (int i = 0; i < item->nlevels; i++)
		item->sorted[i] = i;
	qsort_arg(item->sorted, item->nlevels, sizeof(int), sort_levels, item->levels);
}

int
corgi_feature_item_level(const CorgiFeatureItem *item, const char *value, int length)
{
	int			lo = 0,
				hi = item->nlevels - 1;

	while (lo <= hi)
	{
		int			mid = (lo + hi) / 2;
		const char *level = item->levels[item->sorted[mid]];
		int			c = compare_levels(value, length, level, strlen(level));

		if (c == 0)
			return item->sorted[mid];
		if (c < 0)
			hi = mid - 1;
		else
			lo = mid + 1;
	}
	return item->nlevels;		/* other */
}

char *
corgi_feature_spec_text(List *items)
{
	StringInfoData out;
	ListCell   *lc;

	initStringInfo(&out);
	foreach(lc, items)
	{
		CorgiFeatureItem *item = lfirst(lc);

		appendStringInfo(&out, "%s%s", out.len > 0 ? ", " : "", quote_identifier(item->name));
		if ((item->has_fill || item->has_scale) && item->categorical)
			elog(ERROR, "corgi: a feature is either a number or categorical");
		if (item->has_fill || item->has_scale)
		{
			appendStringInfoString(&out, " (");
			if (item->has_fill)
				appendStringInfo(&out, "fill %s%s", float8out_internal(item->fill), item->has_scale ? ", " : "");
			if (item->has_scale)
				appendStringInfo(&out, "center %s, scale %s", float8out_internal(item->center),
								 float8out_internal(item->scale));
			appendStringInfoChar(&out, ')');
		}
		if (item->categorical)
		{
			appendStringInfoString(&out, " (levels [");
			for (int i = 0; i < item->nlevels; i++)
				appendStringInfo(&out, "%s%s", i > 0 ? ", " : "", quote_literal_cstr(item->levels[i]));
			appendStringInfoString(&out, "])");
		}
	}
	return out.data;
}

/* A column of rel by name: its number (InvalidAttrNumber if none) and type. */
static AttrNumber
column_of(Relation rel, const char *name, Oid *type)
{
	TupleDesc	desc = RelationGetDescr(rel);

	for (int i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		if (!att->attisdropped && strcmp(NameStr(att->attname), name) == 0)
		{
			*type = att->atttypid;
			return att->attnum;
		}
	}
	return InvalidAttrNumber;
}

static void
refuse_type(Relation rel, const char *name, Oid type)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATATYPE_MISMATCH),
			 errmsg("feature column \"%s\" of relation \"%s\" has type %s, which corgi cannot read as a feature",
					name, RelationGetRelationName(rel), format_type_be(type)),
			 errdetail("Feature columns are numbers (smallint, integer, bigint, real, double precision, numeric), booleans, numeric arrays, or text, varchar and enum categories."),
			 errhint("Leave it out of independent_varname (with '*': name it in excluded), or cast it to a number or to text in a view.")));
}

/*
 * The plain column names among the comma-separated items of text (items that are
 * expressions, e.g. a grouping expression, name no column and are passed over).
 */
static List *
names_among(const char *text)
{
	List	   *names = NIL;
	int			depth = 0;
	bool		quoted = false;
	const char *start = text;

	for (const char *p = text;; p++)
	{
		if (*p == '"')
			quoted = !quoted;
		else if (!quoted && *p == '(')
			depth++;
		else if (!quoted && *p == ')')
			depth--;
		if (*p == '\0' || (*p == ',' && depth == 0 && !quoted))
		{
			List	   *one = NIL;

			if (corgi_parse_column_list(pnstrdup(start, p - start), &one) && list_length(one) == 1)
				names = lappend(names, linitial(one));
			if (*p == '\0')
				break;
			start = p + 1;
		}
	}
	return names;
}

/* Checks an item against its column's type; raises naming it. */
static void
check_item(Relation rel, CorgiFeatureItem *item, Oid type)
{
	item->type = type;
	if (category_type(type))
	{
		if (item->has_fill || item->has_scale)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("feature column \"%s\" is a category, which takes levels, not fill, center or scale", item->name)));
		if (!item->categorical)
			item->needs_levels = true;
		return;
	}
	if (item->categorical && categorizable_type(type))
	{
		if (item->has_fill || item->has_scale)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("feature column \"%s\" is a category, which takes levels, not fill, center or scale", item->name)));
		return;
	}
	if (item->categorical)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("feature column \"%s\" of relation \"%s\" has type %s: only text, enum and integer columns have levels",
						item->name, RelationGetRelationName(rel), format_type_be(type))));
	if (!scalar_feature_type(type) && !numeric_array_type(type))
		refuse_type(rel, item->name, type);
	if ((item->has_fill || item->has_scale) && !scalar_feature_type(type))
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("feature column \"%s\" is an array, which has no fill, center or scale", item->name)));
}

List *
corgi_feature_column_list(Relation rel, const char *varname, const char *excluded, const char *implied,
						  bool *is_list)
{
	List	   *items = NIL;
	List	   *skip = NIL;
	TupleDesc	desc = RelationGetDescr(rel);
	const char *p = varname;
	ListCell   *lc;

	*is_list = false;
	while (*p == ' ' || *p == '\t' || *p == '\n')
		p++;
	if (excluded != NULL && !corgi_parse_column_list(excluded, &skip))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("excluded \"%s\" is not a list of column names", excluded),
				 errhint("Write the names separated by commas, e.g. 'id, name'.")));
	if (p[0] == '*' && strspn(p + 1, " \t\n\r") == strlen(p + 1))
	{
		List	   *also = implied != NULL ? names_among(implied) : NIL;

		foreach(lc, skip)
		{
			Oid			type;

			if (column_of(rel, lfirst(lc), &type) == InvalidAttrNumber)
				ereport(ERROR,
						(errcode(ERRCODE_UNDEFINED_COLUMN),
						 errmsg("excluded column \"%s\" of relation \"%s\" does not exist",
								(char *) lfirst(lc), RelationGetRelationName(rel))));
		}
		for (int i = 0; i < desc->natts; i++)
		{
			Form_pg_attribute att = TupleDescAttr(desc, i);
			bool		left_out = false;
			CorgiFeatureItem *item;

			if (att->attisdropped)
				continue;
			foreach(lc, skip)
				if (strcmp(lfirst(lc), NameStr(att->attname)) == 0)
					left_out = true;
			foreach(lc, also)
				if (strcmp(lfirst(lc), NameStr(att->attname)) == 0)
					left_out = true;
			if (left_out)
				continue;
			item = palloc0(sizeof(CorgiFeatureItem));
			item->name = pstrdup(NameStr(att->attname));
			check_item(rel, item, att->atttypid);
			items = lappend(items, item);
		}
		if (items == NIL)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("independent_varname '*' leaves no column of relation \"%s\"", RelationGetRelationName(rel)),
					 errhint("Exclude fewer columns.")));
		*is_list = true;
		return items;
	}
	if (!corgi_parse_feature_spec(varname, &items))
		return NIL;				/* an expression */
	if (list_length(items) == 1)
	{
		CorgiFeatureItem *item = linitial(items);
		Oid			type;

		/* One column: an array is the classic form; a number (a category) is a list of one. */
		if (column_of(rel, item->name, &type) == InvalidAttrNumber
			|| (!scalar_feature_type(type) && !category_type(type) && !item->has_fill && !item->categorical))
			return NIL;
	}
	foreach(lc, items)
	{
		CorgiFeatureItem *item = lfirst(lc);
		Oid			type;

		if (column_of(rel, item->name, &type) == InvalidAttrNumber)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("feature column \"%s\" of relation \"%s\" does not exist",
							item->name, RelationGetRelationName(rel)),
					 errhint("independent_varname lists columns of the table, or is an expression such as ARRAY[x1, x2].")));
		check_item(rel, item, type);
	}
	*is_list = true;
	return items;
}

/* The float8[] expression of a complete list (every category with its levels). */
static char *
items_expression(List *items, char **present_test)
{
	StringInfoData expr,
				present;
	ListCell   *lc;
	bool		in_array = false;
	int			n = 0,
				checked = 0;

	initStringInfo(&expr);
	initStringInfo(&present);
	foreach(lc, items)
	{
		CorgiFeatureItem *item = lfirst(lc);
		const char *quoted = quote_identifier(item->name);

		/* A NULL skips the row unless the column is filled or a category (num_nulls: 100 arguments at most). */
		if (!item->has_fill && !item->categorical)
		{
			appendStringInfo(&present, "%s%s", checked == 0 ? "pg_catalog.num_nulls(" : checked % 90 == 0 ? ") + pg_catalog.num_nulls(" : ", ",
							 quoted);
			checked++;
		}
		if (item->categorical)
		{
			appendStringInfoString(&expr, in_array ? ", " : n > 0 ? " || ARRAY[" : "ARRAY[");
			for (int i = 0; i < item->nlevels; i++)
				appendStringInfo(&expr, "((%s)::pg_catalog.text IS NOT DISTINCT FROM %s)::pg_catalog.int4::pg_catalog.float8, ",
								 quoted, quote_literal_cstr(item->levels[i]));
			appendStringInfo(&expr, "((%s) IS NOT NULL", quoted);
			if (item->nlevels > 0)
			{
				appendStringInfo(&expr, " AND (%s)::pg_catalog.text NOT IN (", quoted);
				for (int i = 0; i < item->nlevels; i++)
					appendStringInfo(&expr, "%s%s", i > 0 ? ", " : "", quote_literal_cstr(item->levels[i]));
				appendStringInfoChar(&expr, ')');
			}
			appendStringInfo(&expr, ")::pg_catalog.int4::pg_catalog.float8, ((%s) IS NULL)::pg_catalog.int4::pg_catalog.float8",
							 quoted);
			in_array = true;
		}
		else if (scalar_feature_type(item->type))
		{
			appendStringInfoString(&expr, in_array ? ", " : n > 0 ? " || ARRAY[" : "ARRAY[");
			if (item->has_scale)
				appendStringInfoString(&expr, "((");
			if (item->has_fill)
				appendStringInfo(&expr, "COALESCE((%s)%s::pg_catalog.float8, %s::pg_catalog.float8)", quoted,
								 item->type == BOOLOID ? "::pg_catalog.int4" : "", quote_literal_cstr(float8out_internal(item->fill)));
			else
				appendStringInfo(&expr, "(%s)%s::pg_catalog.float8", quoted, item->type == BOOLOID ? "::pg_catalog.int4" : "");
			if (item->has_scale)
				appendStringInfo(&expr, " - %s::pg_catalog.float8) * %s::pg_catalog.float8)",
								 quote_literal_cstr(float8out_internal(item->center)),
								 quote_literal_cstr(float8out_internal(item->inverse_scale)));
			in_array = true;
		}
		else
		{
			appendStringInfo(&expr, "%s(%s)::pg_catalog.float8[]", in_array ? "] || " : n > 0 ? " || " : "", quoted);
			in_array = false;
		}
		n++;
	}
	if (in_array)
		appendStringInfoChar(&expr, ']');
	if (checked > 0)
		appendStringInfoChar(&present, ')');
	if (present_test != NULL)
		*present_test = checked > 0 ? psprintf("(%s = 0)", present.data) : pstrdup("true");
	return psprintf("(CASE WHEN %s = 0 THEN (%s)::pg_catalog.float8[] END)", checked > 0 ? present.data : "0",
					expr.data);
}

PG_FUNCTION_INFO_V1(corgi_feature_columns);

/*
 * corgi._feature_columns(source regclass, varname text, excluded text, implied text,
 *     OUT columns text, OUT expression text, OUT fast boolean, OUT names text[], OUT kinds text[],
 *     OUT items text[], OUT plain boolean[], OUT present text)
 *
 * When varname lists columns ('a, b', with annotations: 'a (fill 1.5), c (levels [''x'', ''y''])')
 * or is '*': the list as corgi keeps it (quoted where needed, comma-separated, with the
 * annotations: what the fast path reads and a model's summary stores), the float8[]
 * expression of a row's features (NULL when a column that is neither filled nor a
 * category is NULL; NULL until every category has its levels), whether the fast path
 * reads every column, and each column's name and kind (number, boolean, array,
 * category), its text in the list and whether it is plain (no fill, no levels), and the
 * test that a row has features (no NULL where that skips it: the expression is not NULL);
 * all NULL for an array column or an expression.
 */
/* _feature_columns' record of a list (all NULL when is_list is false). */
static Datum
feature_columns_record(TupleDesc result_desc, List *items, bool is_list)
{
	Datum		values[8] = {0};
	bool		nulls[8] = {true, true, true, true, true, true, true, true};

	if (is_list)
	{
		ListCell   *lc;
		bool		fast = true;
		bool		complete = true;
		int			n = list_length(items);
		Datum	   *names = palloc(sizeof(Datum) * n);
		Datum	   *kinds = palloc(sizeof(Datum) * n);
		Datum	   *texts = palloc(sizeof(Datum) * n);
		Datum	   *plain = palloc(sizeof(Datum) * n);
		int			i = 0;

		foreach(lc, items)
		{
			CorgiFeatureItem *item = lfirst(lc);

			fast = fast && corgi_fast_feature_type(item->type);
			complete = complete && !item->needs_levels;
			names[i] = CStringGetTextDatum(item->name);
			texts[i] = CStringGetTextDatum(corgi_feature_spec_text(list_make1(item)));
			plain[i] = BoolGetDatum(!item->has_fill && !item->has_scale && !item->categorical);
			kinds[i++] = CStringGetTextDatum(category_type(item->type) || item->categorical ? "category"
											 : item->type == BOOLOID ? "boolean"
											 : scalar_feature_type(item->type) ? "number" : "array");
		}
		values[0] = CStringGetTextDatum(corgi_feature_spec_text(items));
		nulls[0] = false;
		if (complete)
		{
			char	   *present_test;

			values[1] = CStringGetTextDatum(items_expression(items, &present_test));
			values[7] = CStringGetTextDatum(present_test);
			nulls[1] = nulls[7] = false;
		}
		values[2] = BoolGetDatum(fast && complete);
		nulls[2] = false;
		values[3] = PointerGetDatum(construct_array(names, n, TEXTOID, -1, false, TYPALIGN_INT));
		values[4] = PointerGetDatum(construct_array(kinds, n, TEXTOID, -1, false, TYPALIGN_INT));
		values[5] = PointerGetDatum(construct_array(texts, n, TEXTOID, -1, false, TYPALIGN_INT));
		values[6] = PointerGetDatum(construct_array(plain, n, BOOLOID, 1, true, TYPALIGN_CHAR));
		nulls[3] = nulls[4] = nulls[5] = nulls[6] = false;
	}
	return HeapTupleGetDatum(heap_form_tuple(result_desc, values, nulls));
}

Datum
corgi_feature_columns(PG_FUNCTION_ARGS)
{
	TupleDesc	result_desc;
	Relation	rel;
	List	   *items;
	bool		is_list;
	Datum		result;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		PG_RETURN_NULL();
	if (get_call_result_type(fcinfo, NULL, &result_desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "corgi._feature_columns must return a record");
	rel = table_open(PG_GETARG_OID(0), AccessShareLock);
	items = corgi_feature_column_list(rel, text_to_cstring(PG_GETARG_TEXT_PP(1)),
									  PG_ARGISNULL(2) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(2)),
									  PG_ARGISNULL(3) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(3)), &is_list);
	result = feature_columns_record(result_desc, items, is_list);
	table_close(rel, AccessShareLock);
	PG_RETURN_DATUM(result);
}

extern Datum corgi_sgd_coef(PG_FUNCTION_ARGS);
extern Datum corgi_sgd_intercept(PG_FUNCTION_ARGS);

/* A one-argument function of a state, which may return NULL (a network's coefficients). */
static Datum
call_on_state(PGFunction fn, Datum state, bool *isnull)
{
	LOCAL_FCINFO(call, 1);
	Datum		result;

	InitFunctionCallInfoData(*call, NULL, 1, InvalidOid, NULL, NULL);
	call->args[0].value = state;
	call->args[0].isnull = false;
	result = (*fn) (call);
	*isnull = call->isnull;
	return result;
}

PG_FUNCTION_INFO_V1(corgi_model_coef);

/*
 * corgi._model_coef(state bytea, source regclass, features text,
 *     OUT coef float8[], OUT intercept float8[], OUT feature_names text[])
 *
 * A trained state's coefficients and intercepts (corgi.sgd_coef, corgi.sgd_intercept), in
 * the original units of a feature list's standardized numbers (each coefficient divided
 * by its column's scale, each intercept less the coefficients times center / scale), and
 * the name of every feature of the list: the column, "column[i]" for an array's elements,
 * "column=level", "column=(other)" and "column=(null)" for a category's one-hot features.
 * For one array column or an expression: the state's coefficients, names NULL; likewise
 * when several arrays leave their widths unknown. The model keeps its own (standardized)
 * weights: these are for reading.
 */
Datum
corgi_model_coef(PG_FUNCTION_ARGS)
{
	TupleDesc	result_desc;
	Datum		values[3] = {0};
	bool		nulls[3] = {true, true, true};
	Datum		coef_datum,
				intercept_datum;
	ArrayType  *coef,
			   *intercept;
	Relation	rel;
	List	   *items;
	bool		is_list;
	int			n_features;
	int			fixed = 0,
				arrays = 0;
	int		   *widths;
	char	   *source_name;
	ListCell   *lc;

	if (get_call_result_type(fcinfo, NULL, &result_desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "corgi._model_coef must return a record");
	if (PG_ARGISNULL(0))
		PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(result_desc, values, nulls)));
	coef_datum = call_on_state(corgi_sgd_coef, PG_GETARG_DATUM(0), &nulls[0]);
	intercept_datum = call_on_state(corgi_sgd_intercept, PG_GETARG_DATUM(0), &nulls[1]);
	values[0] = coef_datum;
	values[1] = intercept_datum;
	if (PG_ARGISNULL(1) || PG_ARGISNULL(2) || nulls[0] || nulls[1])
		PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(result_desc, values, nulls)));
	rel = table_open(PG_GETARG_OID(1), AccessShareLock);
	items = corgi_feature_column_list(rel, text_to_cstring(PG_GETARG_TEXT_PP(2)), NULL, NULL, &is_list);
	source_name = quote_qualified_identifier(get_namespace_name(RelationGetNamespace(rel)), RelationGetRelationName(rel));
	table_close(rel, AccessShareLock);
	coef = DatumGetArrayTypePCopy(coef_datum);
	intercept = DatumGetArrayTypePCopy(intercept_datum);
	if (!is_list || ARR_HASNULL(coef) || ARR_HASNULL(intercept) || ARR_NDIM(coef) < 1 || ARR_NDIM(coef) > 2
		|| ARR_NDIM(intercept) != 1)
		PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(result_desc, values, nulls)));
	n_features = ARR_DIMS(coef)[ARR_NDIM(coef) - 1];
	widths = palloc0(sizeof(int) * Max(list_length(items), 1));
	foreach(lc, items)
	{
		CorgiFeatureItem *item = lfirst(lc);

		if (item->categorical || scalar_feature_type(item->type) || category_type(item->type))
			fixed += corgi_feature_item_width(item);
		else
			arrays++;
	}
	if ((arrays == 0 && fixed != n_features) || fixed > n_features
		|| ARR_DIMS(intercept)[0] != (ARR_NDIM(coef) == 2 ? ARR_DIMS(coef)[0] : 1))
		PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(result_desc, values, nulls)));
	if (arrays > 1)
	{
		/*
		 * Several arrays: their widths as the source's first row with all of them has
		 * them (training checked every row's total width against the model's); a
		 * source with no such row, or widths that do not add up, gives no names (and the
		 * coefficients as the model holds them).
		 */
		StringInfoData query;
		StringInfoData present;
		int			total = 0;
		bool		found = false;

		initStringInfo(&query);
		initStringInfo(&present);
		appendStringInfoString(&query, "SELECT ");
		foreach(lc, items)
		{
			CorgiFeatureItem *item = lfirst(lc);

			if (item->categorical || scalar_feature_type(item->type) || category_type(item->type))
				continue;
			appendStringInfo(&query, "%scardinality(%s)", present.len > 0 ? ", " : "", quote_identifier(item->name));
			appendStringInfo(&present, "%s%s IS NOT NULL", present.len > 0 ? " AND " : "", quote_identifier(item->name));
		}
		appendStringInfo(&query, " FROM %s WHERE %s LIMIT 1", source_name, present.data);
		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "corgi._model_coef: SPI_connect failed");
		if (SPI_execute(query.data, true, 1) == SPI_OK_SELECT && SPI_processed == 1)
		{
			int			column = 0;

			found = true;
			foreach(lc, items)
			{
				CorgiFeatureItem *item = lfirst(lc);
				bool		isnull;
				Datum		d;

				if (item->categorical || scalar_feature_type(item->type) || category_type(item->type))
					continue;
				d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, ++column, &isnull);
				widths[foreach_current_index(lc)] = isnull ? 0 : DatumGetInt32(d);
				total += widths[foreach_current_index(lc)];
			}
		}
		SPI_finish();
		if (!found || total != n_features - fixed)
			PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(result_desc, values, nulls)));
	}
	else
		foreach(lc, items)
		{
			CorgiFeatureItem *item = lfirst(lc);

			if (!(item->categorical || scalar_feature_type(item->type) || category_type(item->type)))
				widths[foreach_current_index(lc)] = n_features - fixed;
		}
	{
		Datum	   *names = palloc(sizeof(Datum) * Max(n_features, 1));
		double	   *w = (double *) ARR_DATA_PTR(coef);
		double	   *b = (double *) ARR_DATA_PTR(intercept);
		int			rows = ARR_NDIM(coef) == 2 ? ARR_DIMS(coef)[0] : 1;
		int			at = 0;

		foreach(lc, items)
		{
			CorgiFeatureItem *item = lfirst(lc);

			if (item->categorical)
			{
				for (int i = 0; i < item->nlevels; i++)
					names[at++] = CStringGetTextDatum(psprintf("%s=%s", item->name, item->levels[i]));
				names[at++] = CStringGetTextDatum(psprintf("%s=(other)", item->name));
				names[at++] = CStringGetTextDatum(psprintf("%s=(null)", item->name));
			}
			else if (scalar_feature_type(item->type))
			{
				if (item->has_scale)
					for (int k = 0; k < rows; k++)
					{
						double	   *wk = &w[k * n_features + at];

						*wk = *wk * item->inverse_scale;
						b[k] -= *wk * item->center;
					}
				names[at++] = CStringGetTextDatum(item->name);
			}
			else
				for (int i = 0; i < widths[foreach_current_index(lc)]; i++)
					names[at++] = CStringGetTextDatum(psprintf("%s[%d]", item->name, i + 1));
		}
		values[0] = PointerGetDatum(coef);
		values[1] = PointerGetDatum(intercept);
		values[2] = PointerGetDatum(construct_array(names, n_features, TEXTOID, -1, false, TYPALIGN_INT));
		nulls[2] = false;
	}
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(result_desc, values, nulls)));
}

/* The first column of SPI's one row (NULL when none), after a query through corgi._fact. */
static Datum
fact_value(const char *query, const char *template_type, bool *isnull)
{
	char	   *sql = psprintf("SELECT corgi._fact($1, NULL::%s)", template_type);
	Oid			types[1] = {TEXTOID};
	Datum		values[1] = {CStringGetTextDatum(query)};

	if (SPI_execute_with_args(sql, 1, types, values, NULL, false, 1) != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "corgi: could not read a fact of the source");
	return SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, isnull);
}

/*
 * What training learns of a list's columns before its epochs, written into its items: each text or enum column's (and each column named in categorical's) levels, the
 * max_levels most frequent (ties in byte order), one query each; with impute each plain
 * number's and boolean's mean over its non-NULL values as its fill; with standardize each
 * plain number's center (that mean) and scale (its population standard deviation, of the
 * filled column with impute, as scikit-learn's SimpleImputer then StandardScaler; 1 for a
 * constant column), in one pass (corgi._column_moments from a heap table's pages, else the
 * aggregates' query: the same bits). The queries run through corgi._fact (fit_multiple's
 * configs read them once), with the caller's rights, on the call's snapshot.
 */
static void
complete_features(Relation rel, List *items, bool impute, bool standardize, int32 max_levels, const char *categorical)
{
	Oid			relid = RelationGetRelid(rel);
	List	   *cats = NIL;
	bool		heap;
	ListCell   *lc;
	StringInfoData numbers,
				aggregates;
	int			n_numbers = 0;
	int		   *moment_of;
	char	   *source;
	MemoryContext upper = CurrentMemoryContext;

	heap = (rel->rd_rel->relkind == RELKIND_RELATION || rel->rd_rel->relkind == RELKIND_MATVIEW)
		&& rel->rd_rel->relam == HEAP_TABLE_AM_OID && !has_subclass(relid)
		&& check_enable_rls(relid, InvalidOid, true) != RLS_ENABLED;
	if (categorical != NULL)
	{
		if (!corgi_parse_column_list(categorical, &cats))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("categorical=[%s] is not a list of column names", categorical),
					 errhint("Name feature columns in categorical=[...].")));
		foreach(lc, cats)
		{
			bool		listed = false;
			ListCell   *it;

			foreach(it, items)
				listed = listed || strcmp(((CorgiFeatureItem *) lfirst(it))->name, lfirst(lc)) == 0;
			if (!listed)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("categorical column \"%s\" is not one of the feature columns", (char *) lfirst(lc)),
						 errhint("Name feature columns in categorical=[...].")));
		}
	}
	/* Which items learn what: a category its levels, a plain number its moments (moment_of: its place). */
	moment_of = palloc(sizeof(int) * Max(list_length(items), 1));
	initStringInfo(&numbers);
	initStringInfo(&aggregates);
	foreach(lc, items)
	{
		CorgiFeatureItem *item = lfirst(lc);
		bool		plain = !item->has_fill && !item->has_scale && !item->categorical;
		bool		named = false;
		ListCell   *c;

		foreach(c, cats)
			named = named || strcmp(lfirst(c), item->name) == 0;
		if (named && !categorizable_type(item->type))
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("feature column \"%s\" of relation \"%s\" has type %s: only text, enum and integer columns have levels",
							item->name, RelationGetRelationName(rel), format_type_be(item->type)),
					 errhint("Leave it out of categorical=[...].")));
		item->needs_levels = plain && (category_type(item->type) || named);
		moment_of[foreach_current_index(lc)] = -1;
		if (plain && !item->needs_levels && scalar_feature_type(item->type)
			&& (impute || (standardize && item->type != BOOLOID)))
		{
			const char *q = quote_identifier(item->name);

			appendStringInfo(&numbers, "%s%s", n_numbers > 0 ? ", " : "", q);
			appendStringInfo(&aggregates, "%savg((%s)%s::float8), stddev_pop((%s)%s::float8), count(%s)::float8 / greatest(count(*), 1)",
							 n_numbers > 0 ? ", " : "", q, item->type == BOOLOID ? "::int" : "", q,
							 item->type == BOOLOID ? "::int" : "", q);
			moment_of[foreach_current_index(lc)] = n_numbers++;
		}
	}
	source = quote_qualified_identifier(get_namespace_name(get_rel_namespace(relid)), get_rel_name(relid));
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "corgi: SPI_connect failed");
	if (n_numbers > 0)
	{
		bool		isnull;
		Datum		m;
		Datum	   *moments;
		bool	   *nulls;
		int			count;

		m = fact_value(heap
					   ? psprintf("SELECT corgi._column_moments(%s::regclass, %s) WHERE (SELECT corgi._pin_snapshot()) IS NOT NULL",
								  quote_literal_cstr(source), quote_literal_cstr(numbers.data))
					   : psprintf("SELECT ARRAY[%s]::float8[] FROM %s WHERE (SELECT corgi._pin_snapshot()) IS NOT NULL",
								  aggregates.data, source),
					   "float8[]", &isnull);
		if (isnull)
			elog(ERROR, "corgi: the moments of the feature columns are missing");
		deconstruct_array(DatumGetArrayTypeP(m), FLOAT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE, &moments, &nulls, &count);
		if (count != 3 * n_numbers)
			elog(ERROR, "corgi: %d moments of %d feature columns", count, n_numbers);
		foreach(lc, items)
		{
			CorgiFeatureItem *item = lfirst(lc);
			int			k = moment_of[foreach_current_index(lc)];
			double		mean,
						sd;

			if (k < 0)
				continue;
			mean = nulls[3 * k] ? 0 : DatumGetFloat8(moments[3 * k]);
			sd = nulls[3 * k + 1] ? 0 : DatumGetFloat8(moments[3 * k + 1]);
			if (impute)
			{
				item->has_fill = true;
				item->fill = mean;
			}
			if (standardize && item->type != BOOLOID)
			{
				double		scale = impute ? sd * sqrt(nulls[3 * k + 2] ? 0 : DatumGetFloat8(moments[3 * k + 2])) : sd;

				item->has_scale = true;
				item->center = mean;
				/*
				 * A constant column: a deviation of 0, or one within the sums' rounding
				 * (float8_accum's Sxx of a constant that is not a short binary fraction
				 * is a residue near |mean| * 1e-13, not 0: dividing by it made
				 * coefficients of 1e12). As scikit-learn's StandardScaler, it is left
				 * unscaled.
				 */
				item->scale = scale != 0 && !isnan(scale) && scale > fabs(mean) * CORGI_CONSTANT_RELATIVE_SD ? scale : 1;
				item->inverse_scale = 1.0 / item->scale;
			}
		}
	}
	foreach(lc, items)
	{
		CorgiFeatureItem *item = lfirst(lc);
		bool		isnull;
		Datum		levels;
		Datum	   *values;
		bool	   *nulls;
		int			count;

		if (!item->needs_levels)
			continue;
		levels = fact_value(psprintf("SELECT coalesce(array_agg(v ORDER BY n DESC, v COLLATE \"C\"), '{}') "
									 "FROM (SELECT (%1$s)::text AS v, count(*) AS n FROM %2$s "
									 "WHERE %1$s IS NOT NULL AND (SELECT corgi._pin_snapshot()) IS NOT NULL "
									 "GROUP BY 1 ORDER BY count(*) DESC, (%1$s)::text COLLATE \"C\" LIMIT %3$d) s",
									 quote_identifier(item->name), source, max_levels),
							"text[]", &isnull);
		if (isnull)
			elog(ERROR, "corgi: the levels of \"%s\" are missing", item->name);
		deconstruct_array(DatumGetArrayTypeP(levels), TEXTOID, -1, false, TYPALIGN_INT, &values, &nulls, &count);
		item->categorical = true;
		item->needs_levels = false;
		item->nlevels = count;
		item->levels = MemoryContextAlloc(upper, sizeof(char *) * Max(count, 1));
		for (int i = 0; i < count; i++)
			item->levels[i] = MemoryContextStrdup(upper, TextDatumGetCString(values[i]));
	}
	SPI_finish();
}

/* A params item's value (key=value, commas inside brackets kept), trimmed; NULL when absent. */
static char *
param_value(const char *params, const char *key)
{
	size_t		keylen = strlen(key);
	const char *p = params;

	while (*p != '\0')
	{
		const char *start,
				   *end;
		int			depth = 0;

		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == ',')
			p++;
		start = p;
		for (end = p; *end != '\0' && (*end != ',' || depth > 0); end++)
			depth += *end == '[' ? 1 : *end == ']' ? -1 : 0;
		if ((size_t) (end - start) > keylen && pg_strncasecmp(start, key, keylen) == 0)
		{
			const char *v = start + keylen;

			while (*v == ' ' || *v == '\t')
				v++;
			if (*v == '=')
			{
				const char *stop = end;

				v++;
				while (*v == ' ' || *v == '\t')
					v++;
				while (stop > v && (stop[-1] == ' ' || stop[-1] == '\t' || stop[-1] == '\n'))
					stop--;
				return pnstrdup(v, stop - v);
			}
		}
		p = end;
	}
	return NULL;
}

static bool
param_true(const char *value)
{
	return pg_strcasecmp(value, "true") == 0 || pg_strcasecmp(value, "on") == 0 || pg_strcasecmp(value, "yes") == 0
		|| strcmp(value, "1") == 0 || pg_strcasecmp(value, "t") == 0;
}

PG_FUNCTION_INFO_V1(corgi_listed_features);

/*
 * corgi._listed_features(source regclass, varname text, excluded text, implied text,
 *     params text, network boolean, OUT ... as corgi._feature_columns)
 *
 * corgi.train's feature list: varname resolved as corgi._feature_columns does, then what
 * training learns of it before the epochs written into it (complete_features), as the
 * params ask (checked by corgi.normalize_params before): nulls=impute, standardize (on by
 * default for a list of a model that is not a network), max_levels (100), categorical.
 * Refuses impute, standardize=true and categorical for an array column or an expression.
 */
Datum
corgi_listed_features(PG_FUNCTION_ARGS)
{
	TupleDesc	result_desc;
	Relation	rel;
	List	   *items;
	bool		is_list;
	const char *varname;
	const char *params;
	bool		network;
	char	   *nulls,
			   *standardize,
			   *levels,
			   *categorical;
	bool		impute,
				scale,
				needed = false;
	ListCell   *lc;
	Datum		result;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		PG_RETURN_NULL();
	if (get_call_result_type(fcinfo, NULL, &result_desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "corgi._listed_features must return a record");
	varname = text_to_cstring(PG_GETARG_TEXT_PP(1));
	params = PG_ARGISNULL(4) ? "" : text_to_cstring(PG_GETARG_TEXT_PP(4));
	network = !PG_ARGISNULL(5) && PG_GETARG_BOOL(5);
	nulls = param_value(params, "nulls");
	standardize = param_value(params, "standardize");
	levels = param_value(params, "max_levels");
	categorical = param_value(params, "categorical");
	impute = nulls != NULL && pg_strcasecmp(nulls, "impute") == 0;
	scale = !network && (standardize == NULL || param_true(standardize));
	if (categorical != NULL)
	{
		size_t		n = strlen(categorical);

		categorical = n >= 2 && categorical[0] == '[' && categorical[n - 1] == ']' ? pnstrdup(categorical + 1, n - 2) : NULL;
	}
	rel = table_open(PG_GETARG_OID(0), AccessShareLock);
	items = corgi_feature_column_list(rel, varname, PG_ARGISNULL(2) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(2)),
									  PG_ARGISNULL(3) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(3)), &is_list);
	if (!is_list && !network && standardize != NULL && param_true(standardize))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("standardize applies to a list of feature columns (or to a network), not to independent_varname \"%s\"", varname),
				 errhint("Name the feature columns ('x1, x2' or '*') to have them standardized, or leave standardize out.")));
	/* (nulls=skip is what arrays and expressions do anyway.) */
	if (!is_list && impute)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("nulls=impute applies to a list of feature columns, not to independent_varname \"%s\"", varname),
				 errhint("Name the feature columns ('x1, x2' or '*'); an array with a NULL element is refused, a NULL array skips the row.")));
	if (!is_list && categorical != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("categorical applies to a list of feature columns, not to independent_varname \"%s\"", varname),
				 errhint("Name the feature columns ('x1, x2' or '*').")));
	foreach(lc, items)
	{
		CorgiFeatureItem *item = lfirst(lc);
		bool		plain = !item->has_fill && !item->has_scale && !item->categorical;

		needed = needed || item->needs_levels
			|| ((impute || scale) && plain && scalar_feature_type(item->type));
	}
	if (is_list && (needed || categorical != NULL))
		complete_features(rel, items, impute, scale, levels != NULL ? pg_strtoint32(levels) : 100, categorical);
	result = feature_columns_record(result_desc, items, is_list);
	table_close(rel, AccessShareLock);
	PG_RETURN_DATUM(result);
}
