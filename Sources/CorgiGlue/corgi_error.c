/*
 * corgi_error.c: raising the errors Swift reported, from C, after Swift returned.
 */
#include "postgres.h"

#include "mb/pg_wchar.h"
#include "utils/builtins.h"

#include "corgi_error.h"


int
corgi_status_errcode(int32_t status)
{
	switch (status)
	{
		case CORGI_INVALID_ARGUMENT:
			return ERRCODE_INVALID_PARAMETER_VALUE;
		case CORGI_DATA_EXCEPTION:
			return ERRCODE_DATA_EXCEPTION;
		case CORGI_PROGRAM_LIMIT:
			return ERRCODE_PROGRAM_LIMIT_EXCEEDED;
		default:
			return ERRCODE_INTERNAL_ERROR;
	}
}

void
corgi_raise_if_failed(const CorgiError *error)
{
	char		message[CORGI_MESSAGE_SIZE];
	char		hint[CORGI_HINT_SIZE];

	if (error->status == CORGI_OK)
		return;

	/* Copy with guaranteed termination: never trust a foreign buffer's NUL. */
	strlcpy(message, error->message, sizeof(message));
	strlcpy(hint, error->hint, sizeof(hint));

	ereport(ERROR,
			(errcode(corgi_status_errcode(error->status)),
			 errmsg_internal("%s", message[0] ? corgi_utf8_to_server(message) : "corgi: unknown error"),
			 hint[0] ? errhint("%s", corgi_utf8_to_server(hint)) : 0));
}

void
corgi_require_argument(bool isnull, const char *function, const char *argument)
{
	if (isnull)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s of %s must not be NULL", argument, function)));
}

char *
corgi_text_to_utf8(const struct varlena *value)
{
	char	   *server = text_to_cstring((const text *) value);

	return (char *) pg_server_to_any(server, strlen(server), PG_UTF8);
}

char *
corgi_utf8_to_server(const char *utf8)
{
	return (char *) pg_any_to_server(utf8, strlen(utf8), PG_UTF8);
}
