/*
 * corgi_abi.h: the plain-C types shared by the Swift boundary (CorgiBoundary) and the
 * PostgreSQL glue (CorgiGlue). No PostgreSQL header may be included here: Swift
 * imports this module, and the Swift side must not know PostgreSQL exists.
 *
 * The function prototypes of the Swift exports live in the glue
 * (Sources/CorgiGlue/corgi_core_api.h), because Swift must not import a C declaration
 * of a function it defines itself.
 */
#ifndef CORGI_ABI_H
#define CORGI_ABI_H

#include <stdint.h>

/* What went wrong, as a Swift export reports it. The glue maps each code to a
 * PostgreSQL errcode (corgi_error.c). Keep the numbers stable. */
typedef enum CorgiStatus
{
	CORGI_OK = 0,
	CORGI_INVALID_ARGUMENT = 1, /* a caller-supplied value is out of range */
	CORGI_DATA_EXCEPTION = 2,	/* the data (a row, a model) is malformed */
	CORGI_PROGRAM_LIMIT = 3,	/* a size limit of corgi was exceeded */
	CORGI_INTERNAL = 4			/* a bug: an invariant did not hold */
} CorgiStatus;

#define CORGI_MESSAGE_SIZE 256
#define CORGI_HINT_SIZE 256

/* Filled by a Swift export that fails: a lower-case message naming the bad value,
 * and an optional hint. Both are NUL-terminated UTF-8, truncated to fit. */
typedef struct CorgiError
{
	int32_t		status;			/* a CorgiStatus */
	char		message[CORGI_MESSAGE_SIZE];
	char		hint[CORGI_HINT_SIZE];
} CorgiError;

#endif							/* CORGI_ABI_H */
