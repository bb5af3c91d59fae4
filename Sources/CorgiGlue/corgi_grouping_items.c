/*
 * corgi_grouping_items.c: the items of a grouping_cols argument.
 *
 *   corgi._split_grouping_cols(grouping_cols text) -> text[]
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
#include "utils/array.h"
#include "utils/builtins.h"

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
