/*
 * corgi_error.h: turning a CorgiError reported by Swift into a PostgreSQL error.
 */
#ifndef CORGI_ERROR_H
#define CORGI_ERROR_H

#include "corgi_abi.h"

/* The errcode corgi uses for a status (e.g. CORGI_PROGRAM_LIMIT ->
 * ERRCODE_PROGRAM_LIMIT_EXCEEDED). */
extern int	corgi_status_errcode(int32_t status);

/* Raises error->message (with error->hint) as an ERROR if error->status is not
 * CORGI_OK. Call it only after the Swift function has returned. */
extern void corgi_raise_if_failed(const CorgiError *error);

/* Raises "<what> must not be NULL" (ERRCODE_NULL_VALUE_NOT_ALLOWED) for a NULL
 * argument of a non-strict function, naming the function. */
extern void corgi_require_argument(bool isnull, const char *function, const char *argument);

/*
 * Text crosses the Swift boundary as UTF-8. corgi_text_to_utf8 converts a SQL text
 * value from the database encoding (a palloc'd, NUL-terminated string);
 * corgi_utf8_to_server converts Swift's UTF-8 back (returns the argument itself when
 * no conversion is needed).
 */
struct varlena;
extern char *corgi_text_to_utf8(const struct varlena *value);
extern char *corgi_utf8_to_server(const char *utf8);

#endif							/* CORGI_ERROR_H */
