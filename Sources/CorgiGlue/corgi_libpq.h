/*
 * corgi_libpq.h: libpq from a backend, without blocking it (corgi_libpq.c): every wait is
 * on the latch and the socket, with interrupts checked, and every connection holds an
 * external file descriptor of fd.c's accounting.
 */
#ifndef CORGI_LIBPQ_H
#define CORGI_LIBPQ_H

#include "libpq-fe.h"

/*
 * Connects with the libpq keywords and values (NULL-terminated). *slot holds the
 * connection as soon as one exists, so that the caller's cleanup finishes it if an
 * interrupt ends the wait. Returns it (CONNECTION_OK or CONNECTION_BAD: read
 * PQerrorMessage), or NULL when libpq could not allocate one.
 */
extern PGconn *corgi_libpq_connect(const char *const *keywords, const char *const *values, PGconn **slot,
								   uint32 wait_event);

/* Runs sql and returns its last result (its first error), or NULL if none arrived. */
extern PGresult *corgi_libpq_exec(PGconn *conn, const char *sql, uint32 wait_event);

/* Closes a connection (NULL: nothing) and returns its file descriptor to fd.c. */
extern void corgi_libpq_finish(PGconn *conn);

/* Asks the server to cancel the connection's running query; best effort, at most 10 s. */
extern void corgi_libpq_cancel(PGconn *conn);

#endif							/* CORGI_LIBPQ_H */
