/*
 * corgi_error.c: raising the errors Swift reported, from C, after Swift returned.
 */
#include "postgres.h"

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
			 errmsg_internal("%s", message[0] ? message : "corgi: unknown error"),
			 hint[0] ? errhint("%s", hint) : 0));
}
