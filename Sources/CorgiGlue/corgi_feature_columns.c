/*
 * corgi_feature_columns.c: features given as a list of columns ('x1, x2, "Flipper mm"')
 * or as '*' (every column but the label, the grouping columns and those excluded), read
 * on the fast path column by column and on the composed path as one float8[] expression.
 * See corgi_feature_columns.h.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/tupdesc.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "access/table.h"

#include "corgi_feature_columns.h"

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

bool
corgi_fast_feature_type(Oid type)
{
	return scalar_feature_type(type) || fast_array_type(type);
}

bool
corgi_scalar_feature_type(Oid type)
{
	return scalar_feature_type(type);
}

/*
 * Splits "a, b, \"C d\"" into its names (unquoted ones folded to lower case, quoted
 * ones as written, "" inside quotes a quote). False when the text is not such a list:
 * an item that is neither a plain identifier nor a quoted one (an expression).
 */
bool
corgi_parse_column_list(const char *text, List **names)
{
	const char *p = text;

	*names = NIL;
	for (;;)
	{
		StringInfoData name;

		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			p++;
		initStringInfo(&name);
		if (*p == '"')
		{
			p++;
			for (;;)
			{
				if (*p == '\0')
					return false;
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
				return false;
		}
		else
		{
			if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || *p == '_'))
				return false;
			while ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || *p == '_' || *p == '$'
				   || (*p >= '0' && *p <= '9'))
			{
				appendStringInfoChar(&name, (*p >= 'A' && *p <= 'Z') ? *p - 'A' + 'a' : *p);
				p++;
			}
		}
		*names = lappend(*names, name.data);
		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			p++;
		if (*p == '\0')
			return true;
		if (*p != ',')
			return false;
		p++;
	}
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
			 errdetail("Feature columns are numbers (smallint, integer, bigint, real, double precision, numeric), booleans, or numeric arrays."),
			 errhint("Leave it out of independent_varname (with '*': name it in excluded); encode categories first, e.g. with corgi_madlib's encode_categorical_variables.")));
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

List *
corgi_feature_column_list(Relation rel, const char *varname, const char *excluded, const char *implied,
						  bool *is_list)
{
	List	   *names = NIL;
	List	   *skip = NIL;
	List	   *columns = NIL;
	TupleDesc	desc = RelationGetDescr(rel);
	const char *p = varname;

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
		ListCell   *lc;
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
			if (!scalar_feature_type(att->atttypid) && !numeric_array_type(att->atttypid))
				refuse_type(rel, NameStr(att->attname), att->atttypid);
			columns = lappend(columns, pstrdup(NameStr(att->attname)));
		}
		if (columns == NIL)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("independent_varname '*' leaves no column of relation \"%s\"", RelationGetRelationName(rel)),
					 errhint("Exclude fewer columns.")));
		*is_list = true;
		return columns;
	}
	if (!corgi_parse_column_list(varname, &names))
		return NIL;				/* an expression */
	if (list_length(names) == 1)
	{
		Oid			type;

		/* One column: an array is the classic form; a scalar is a list of one. */
		if (column_of(rel, linitial(names), &type) == InvalidAttrNumber || !scalar_feature_type(type))
			return NIL;
	}
	{
		ListCell   *lc;

		foreach(lc, names)
		{
			Oid			type;

			if (column_of(rel, lfirst(lc), &type) == InvalidAttrNumber)
				ereport(ERROR,
						(errcode(ERRCODE_UNDEFINED_COLUMN),
						 errmsg("feature column \"%s\" of relation \"%s\" does not exist",
								(char *) lfirst(lc), RelationGetRelationName(rel)),
						 errhint("independent_varname lists columns of the table, or is an expression such as ARRAY[x1, x2].")));
			if (!scalar_feature_type(type) && !numeric_array_type(type))
				refuse_type(rel, lfirst(lc), type);
		}
	}
	*is_list = true;
	return names;
}

PG_FUNCTION_INFO_V1(corgi_feature_columns);

/*
 * corgi._feature_columns(source regclass, varname text, excluded text, implied text,
 *     OUT columns text, OUT expression text, OUT fast boolean)
 *
 * When varname lists columns ('a, b') or is '*': the columns as corgi keeps them (quoted
 * where needed, comma-separated: what the fast path reads and a model's summary stores),
 * the float8[] expression of a row's features (NULL when any of them is NULL), and
 * whether the fast path reads every one; all NULL for an array column or an expression.
 */
Datum
corgi_feature_columns(PG_FUNCTION_ARGS)
{
	TupleDesc	result_desc;
	Datum		values[3] = {0};
	bool		nulls[3] = {true, true, true};
	Relation	rel;
	List	   *columns;
	bool		is_list;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		PG_RETURN_NULL();
	if (get_call_result_type(fcinfo, NULL, &result_desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "corgi._feature_columns must return a record");
	rel = table_open(PG_GETARG_OID(0), AccessShareLock);
	columns = corgi_feature_column_list(rel, text_to_cstring(PG_GETARG_TEXT_PP(1)),
										PG_ARGISNULL(2) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(2)),
										PG_ARGISNULL(3) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(3)), &is_list);
	if (is_list)
	{
		StringInfoData list,
					expr,
					present;
		ListCell   *lc;
		bool		fast = true;
		bool		in_array = false;
		int			n = 0;

		initStringInfo(&list);
		initStringInfo(&expr);
		initStringInfo(&present);
		foreach(lc, columns)
		{
			const char *name = lfirst(lc);
			const char *quoted = quote_identifier(name);
			Oid			type;

			column_of(rel, name, &type);
			fast = fast && corgi_fast_feature_type(type);
			appendStringInfo(&list, "%s%s", n > 0 ? ", " : "", quoted);
			/* num_nulls takes at most 100 arguments: a sum of calls of 90. */
			appendStringInfo(&present, "%s%s", n == 0 ? "pg_catalog.num_nulls(" : n % 90 == 0 ? ") + pg_catalog.num_nulls(" : ", ", quoted);
			if (scalar_feature_type(type))
			{
				appendStringInfo(&expr, "%s(%s)%s::pg_catalog.float8", in_array ? ", " : n > 0 ? " || ARRAY[" : "ARRAY[",
								 quoted, type == BOOLOID ? "::pg_catalog.int4" : "");
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
		appendStringInfoChar(&present, ')');
		values[0] = CStringGetTextDatum(list.data);
		values[1] = CStringGetTextDatum(psprintf("(CASE WHEN %s = 0 THEN (%s)::pg_catalog.float8[] END)",
												 present.data, expr.data));
		values[2] = BoolGetDatum(fast);
		nulls[0] = nulls[1] = nulls[2] = false;
	}
	table_close(rel, AccessShareLock);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(result_desc, values, nulls)));
}
