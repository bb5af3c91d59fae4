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

#endif							/* CORGI_ERROR_H */
