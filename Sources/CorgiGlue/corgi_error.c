/*
 * corgi_error.c: raising the errors Swift reported, from C, after Swift returned.
 */
#include "postgres.h"

#include <math.h>

#include "mb/pg_wchar.h"
#include "utils/builtins.h"

#include "corgi_error.h"

int			corgi_max_buffer_mb = 1024;

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

void
corgi_check_buffer_memory(int64 buffer_rows, int64 feature_count)
{
	/* Two buffers of rows x (features, target, permutation slot); as the trainer counts. */
	double		bytes = 2.0 * (double) buffer_rows * ((double) feature_count * 8.0 + 12.0);
	double		mb = bytes / 1048576.0;

	if (mb > (double) corgi_max_buffer_mb)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("a tuple buffer of " INT64_FORMAT " rows x " INT64_FORMAT " features needs %.3f MB (two buffers), more than corgi.max_buffer_mb=%d",
						buffer_rows, feature_count, ceil(mb * 1000.0) / 1000.0, corgi_max_buffer_mb),
				 errhint("Lower buffer_fraction, or ask a superuser to raise corgi.max_buffer_mb.")));
}
