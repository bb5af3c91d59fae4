/*
 * corgi_grouping_items.c: the items of a grouping_cols argument.
 *
 *   corgi._split_grouping_cols(grouping_cols text) -> text[]
 *   corgi._grouping_column(src regclass, item text) -> name
 *   corgi._grouping_keys(src, source_table, grouping_cols, reserved) -> (exprs, names)
 *
 * 'a, (b + 1), "c, d"' -> {a, (b + 1), "c, d"}: cut at the commas outside parentheses,
 * brackets, braces (MADlib's class_weight={a:1, b:3} in a params list) and quotes (single or double; a doubled quote closes and reopens, which keeps
 * it inside), each item trimmed of spaces; an empty item stays (the callers refuse it by
 * name). The delimiters are ASCII, which no server encoding uses inside a multibyte
 * character, so the text is walked byte by byte.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

/* corgi._check_grouping_expression (corgi_group_router.c). */
extern Datum corgi_check_grouping_expression(PG_FUNCTION_ARGS);

/* Item [start, end) of text, trimmed of spaces (btrim's default). */
static Datum
trimmed_item(const char *text, int start, int end)
{
	while (start < end && text[start] == ' ')
		start++;
	while (end > start && text[end - 1] == ' ')
		end--;
	return PointerGetDatum(cstring_to_text_with_len(text + start, end - start));
}

PG_FUNCTION_INFO_V1(corgi_split_grouping_cols);

Datum
corgi_split_grouping_cols(PG_FUNCTION_ARGS)
{
	text	   *argument = PG_GETARG_TEXT_PP(0);
	const char *text = VARDATA_ANY(argument);
	int			length = VARSIZE_ANY_EXHDR(argument);
	Datum	   *items = palloc(sizeof(Datum) * (length + 1));
	int			count = 0;
	int			depth = 0;
	char		quote = '\0';
	int			start = 0;

	for (int i = 0; i < length; i++)
	{
		char		c = text[i];

		if (quote != '\0')
		{
			if (c == quote)
				quote = '\0';
		}
		else if (c == '\'' || c == '"')
			quote = c;
		else if (c == '(' || c == '[' || c == '{')
			depth++;
		else if (c == ')' || c == ']' || c == '}')
			depth = depth > 0 ? depth - 1 : 0;
		else if (c == ',' && depth == 0)
		{
			items[count++] = trimmed_item(text, start, i);
			start = i + 1;
		}
	}
	items[count++] = trimmed_item(text, start, length);
	PG_RETURN_ARRAYTYPE_P(construct_array(items, count, TEXTOID, -1, false, TYPALIGN_INT));
}

/* An unquoted SQL name: a letter or underscore, then letters, digits, underscores, $. */
static bool
is_ascii_letter(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool
is_identifier(const char *item)
{
	if (!(is_ascii_letter(item[0]) || item[0] == '_'))
		return false;
	for (const char *c = item + 1; *c != '\0'; c++)
		if (!(is_ascii_letter(*c) || (*c >= '0' && *c <= '9') || *c == '_' || *c == '$'))
			return false;
	return true;
}

/* A user column of relid named exactly name (a name longer than a column's can be is none). */
static bool
is_column(Oid relid, const char *name)
{
	return strlen(name) < NAMEDATALEN && get_attnum(relid, name) > 0;
}

/*
 * The column of relid an item of grouping_cols names: as written, or an unquoted name
 * folded to lower case, or a double-quoted name (a doubled quote inside standing for
 * one); the name as written first. NULL for an expression. The one rule, for
 * corgi._grouping_keys and (as corgi._grouping_column) every SQL caller.
 */
static char *
grouping_column(Oid relid, const char *item)
{
	size_t		length = strlen(item);
	char	   *candidate = NULL;

	if (is_column(relid, item))
		return pstrdup(item);
	if (length > 0 && is_identifier(item))
	{
		candidate = pstrdup(item);
		for (size_t i = 0; i < length; i++)
			candidate[i] = (char) pg_ascii_tolower((unsigned char) candidate[i]);
	}
	else if (length >= 3 && item[0] == '"' && item[length - 1] == '"')
	{
		StringInfoData name;

		initStringInfo(&name);
		for (size_t i = 1; i < length - 1; i++)
		{
			if (item[i] == '"')
			{
				if (i + 1 < length - 1 && item[i + 1] == '"')
					i++;
				else
					return NULL;	/* a lone quote inside: not a quoted name */
			}
			appendStringInfoChar(&name, item[i]);
		}
		candidate = name.data;
	}
	if (candidate == NULL || !is_column(relid, candidate))
		return NULL;
	return candidate;
}

PG_FUNCTION_INFO_V1(corgi_grouping_column);

Datum
corgi_grouping_column(PG_FUNCTION_ARGS)
{
	char	   *column = grouping_column(PG_GETARG_OID(0), text_to_cstring(PG_GETARG_TEXT_PP(1)));

	if (column == NULL)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(DirectFunctionCall1(namein, CStringGetDatum(column)));
}

/*
 * An expression's key name (regexp_replace(lower(item), '[^a-z0-9_]+', '_', 'g'), trimmed of
 * underscores, its first 60 characters; 'group_<position>' when nothing is left).
 */
static char *
expression_key_name(const char *item, int position)
{
	StringInfoData name;
	bool		in_run = false;
	int			start;
	int			end;

	initStringInfo(&name);
	for (const char *c = item; *c != '\0'; c++)
	{
		char		lowered = (char) pg_ascii_tolower((unsigned char) *c);
		bool		kept = (lowered >= 'a' && lowered <= 'z') || (lowered >= '0' && lowered <= '9') || lowered == '_';

		if (kept)
			appendStringInfoChar(&name, lowered);
		else if (!in_run)
			appendStringInfoChar(&name, '_');
		in_run = !kept;
	}
	start = 0;
	end = name.len;
	while (start < end && name.data[start] == '_')
		start++;
	while (end > start && name.data[end - 1] == '_')
		end--;
	if (end - start > 60)
		end = start + 60;
	if (end == start)
		return psprintf("group_%d", position);
	return pnstrdup(name.data + start, end - start);
}

PG_FUNCTION_INFO_V1(corgi_grouping_keys);

/*
 * corgi._grouping_keys(src regclass, source_table text, grouping_cols text, reserved text[],
 *                      OUT exprs text[], OUT names text[])
 *
 * The one check of a grouped call's grouping_cols (corgi.train, fit_multiple, linregr,
 * logregr, the elastic net): each item a column of src (its quoted name; named as it is)
 * or an expression of the table (analysed, never run: corgi._check_grouping_expression;
 * in parentheses; named after its text); no column twice, no key named as an output
 * column (reserved), at most 32 items.
 */
Datum
corgi_grouping_keys(PG_FUNCTION_ARGS)
{
	Oid			relid = PG_GETARG_OID(0);
	char	   *source_table = text_to_cstring(PG_GETARG_TEXT_PP(1));
	text	   *grouping_text = PG_GETARG_TEXT_PP(2);
	char	   *grouping_cols = text_to_cstring(grouping_text);
	ArrayType  *reserved_array = PG_GETARG_ARRAYTYPE_P(3);
	Datum	   *reserved;
	bool	   *reserved_nulls;
	int			n_reserved;
	ArrayType  *items_array;
	Datum	   *items;
	int			n_items;
	Datum	   *exprs;
	Datum	   *names;
	char	  **name_text;
	int			count = 0;
	TupleDesc	desc;
	Datum		values[2];
	bool		nulls[2] = {false, false};
	bool		blank = true;

	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "corgi._grouping_keys must return a record");
	for (const char *c = grouping_cols; *c != '\0' && blank; c++)
		blank = strchr(" \t\n\r\f\v", *c) != NULL;
	if (blank)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("grouping_cols must name at least one column or expression"),
				 errhint("Write grouping_cols => 'store_id' or 'store_id, region'.")));
	deconstruct_array(reserved_array, TEXTOID, -1, false, TYPALIGN_INT, &reserved, &reserved_nulls, &n_reserved);
	items_array = DatumGetArrayTypeP(DirectFunctionCall1(corgi_split_grouping_cols, PointerGetDatum(grouping_text)));
	deconstruct_array(items_array, TEXTOID, -1, false, TYPALIGN_INT, &items, NULL, &n_items);
	exprs = palloc(sizeof(Datum) * Max(n_items, 1));
	names = palloc(sizeof(Datum) * Max(n_items, 1));
	name_text = palloc(sizeof(char *) * Max(n_items, 1));
	for (int i = 0; i < n_items; i++)
	{
		char	   *item = TextDatumGetCString(items[i]);
		char	   *column;
		char	   *expr;
		char	   *key_name;

		CHECK_FOR_INTERRUPTS();	/* a list of many items analyses each expression */
		if (item[0] == '\0')
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("grouping_cols \"%s\" has an empty item", grouping_cols)));
		column = grouping_column(relid, item);
		if (column == NULL && (is_identifier(item) || (strlen(item) >= 3 && item[0] == '"' && item[strlen(item) - 1] == '"')))
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("grouping column \"%s\" is not a column of %s", item, source_table),
					 errhint("Name columns of the source, or write expressions.")));
		if (column != NULL)
		{
			expr = (char *) quote_identifier(column);
			for (int j = 0; j < count; j++)
				if (strcmp(TextDatumGetCString(exprs[j]), expr) == 0)
					ereport(ERROR,
							(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
							 errmsg("grouping_cols \"%s\" names column \"%s\" twice", grouping_cols, column)));
			key_name = column;
		}
		else
		{
			DirectFunctionCall3(corgi_check_grouping_expression, ObjectIdGetDatum(relid), CStringGetTextDatum(item),
								CStringGetTextDatum(grouping_cols));
			expr = psprintf("(%s)", item);
			key_name = expression_key_name(item, count + 1);
		}
		for (int j = 0; j < count; j++)
			if (strcmp(name_text[j], key_name) == 0)
			{
				int			clip = pg_mbcliplen(key_name, strlen(key_name), 55);

				key_name = psprintf("%.*s_%d", clip, key_name, count + 1);
				break;
			}
		for (int j = 0; j < n_reserved; j++)
			if (!reserved_nulls[j] && strcmp(TextDatumGetCString(reserved[j]), key_name) == 0)
				ereport(ERROR,
						(errcode(ERRCODE_DUPLICATE_COLUMN),
						 errmsg("grouping column \"%s\" has the name of an output column", key_name),
						 errhint("Rename it in a copy of the table, or, where a call takes grouping expressions, group by one: (%s)::text.",
								 quote_identifier(key_name))));
		exprs[count] = CStringGetTextDatum(expr);
		names[count] = CStringGetTextDatum(key_name);
		name_text[count] = key_name;
		count++;
	}
	if (count > 32)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("grouping_cols has %d items, at most 32 are allowed", count)));
	values[0] = PointerGetDatum(construct_array(exprs, count, TEXTOID, -1, false, TYPALIGN_INT));
	values[1] = PointerGetDatum(construct_array(names, count, TEXTOID, -1, false, TYPALIGN_INT));
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(desc, values, nulls)));
}
