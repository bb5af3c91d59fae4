/*
 * corgi_params.c: reading a normalized parameter string (what corgi.normalize_params
 * writes and a model keeps) in C, for the drivers and for SQL:
 *
 *   corgi._param(normalized text, key text) -> text
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"

#include "corgi_training_plan.h"

/*
 * One value of a normalized parameter string (corgi.normalize_params): the value after
 * "key=" of the first item of the string cut at ", " that starts so; validation_table
 * (always last, its value may hold ", ") is everything after the first
 * ", validation_table=". NULL when absent. (Up to 0.8.0 a SQL function matched items with
 * LIKE key || '=%'; a normalized string's keys are a fixed set in which no two differ
 * only where one has an underscore, so the exact match finds the same item.)
 */
char *
corgi_param(const char *norm, const char *key)
{
	size_t		key_length = strlen(key);

	if (norm == NULL)
		return NULL;
	if (strcmp(key, "validation_table") == 0)
	{
		const char *found = strstr(norm, ", validation_table=");

		return found == NULL ? NULL : pstrdup(found + strlen(", validation_table="));
	}
	for (const char *item = norm; item != NULL;)
	{
		const char *next = strstr(item, ", ");
		size_t		length = next == NULL ? strlen(item) : (size_t) (next - item);

		if (length > key_length && strncmp(item, key, key_length) == 0 && item[key_length] == '=')
			return pnstrdup(item + key_length + 1, length - key_length - 1);
		item = next == NULL ? NULL : next + 2;
	}
	return NULL;
}

PG_FUNCTION_INFO_V1(corgi_param_sql);

Datum
corgi_param_sql(PG_FUNCTION_ARGS)
{
	char	   *value = corgi_param(text_to_cstring(PG_GETARG_TEXT_PP(0)), text_to_cstring(PG_GETARG_TEXT_PP(1)));

	if (value == NULL)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text(value));
}
