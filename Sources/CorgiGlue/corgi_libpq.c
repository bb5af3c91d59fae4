/*
 * corgi_libpq.c: libpq as a backend may use it (see corgi_libpq.h).
 *
 * A backend must not block inside libpq: while it waits for another server it must see
 * a cancel, a statement timeout, a termination and the postmaster's death. So every wait
 * here is WaitLatchOrSocket on the latch and the connection's socket, with
 * CHECK_FOR_INTERRUPTS when the latch is set; libpq is only ever asked to do what it can
 * do without waiting (PQconnectPoll, PQconsumeInput, PQisBusy). Every connection holds
 * one of fd.c's external file descriptors for as long as it is open, so the backend's
 * file accounting stays right.
 *
 * PostgreSQL ships helpers of this kind (libpq/libpq-be-fe-helpers.h), but the ones corgi
 * needs reached the 15 branch only in a minor release; these are corgi's own, on the
 * libpq API every supported server has. Cancelling uses the server's libpqsrv_cancel
 * from 17 on (non-blocking, over the connection's own encryption), PQcancel before.
 */
#include "postgres.h"

#include "libpq-fe.h"
#include "miscadmin.h"
#include "storage/fd.h"
#include "storage/latch.h"
#if PG_VERSION_NUM >= 180000
#include "storage/waiteventset.h"
#endif
#include "utils/timestamp.h"
#if PG_VERSION_NUM >= 170000
#include "libpq/libpq-be-fe-helpers.h"
#endif

#include "corgi_libpq.h"

/* Waits for the socket (io: WL_SOCKET_READABLE or WL_SOCKET_WRITEABLE) or the latch. */
static int
wait_for(PGconn *conn, int io, uint32 wait_event)
{
	int			rc = WaitLatchOrSocket(MyLatch, WL_EXIT_ON_PM_DEATH | WL_LATCH_SET | io, PQsocket(conn), -1L,
									   wait_event);

	if (rc & WL_LATCH_SET)
	{
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
	}
	return rc;
}

PGconn *
corgi_libpq_connect(const char *const *keywords, const char *const *values, PGconn **slot, uint32 wait_event)
{
	PGconn	   *conn;
	PostgresPollingStatusType status = PGRES_POLLING_WRITING;

	*slot = NULL;
	if (!AcquireExternalFD())
		ereport(ERROR,
				(errcode(ERRCODE_SQLCLIENT_UNABLE_TO_ESTABLISH_SQLCONNECTION),
				 errmsg("could not establish a connection to another server"),
				 errdetail("There are too many open files on the local server."),
				 errhint("Raise the server's max_files_per_process setting.")));
	conn = PQconnectStartParams(keywords, values, false);
	if (conn == NULL)
	{
		ReleaseExternalFD();
		return NULL;
	}
	/* From here on the caller's cleanup (an ERROR, a cancel) finishes it. */
	*slot = conn;
	if (PQstatus(conn) == CONNECTION_BAD)
		return conn;
	while (status != PGRES_POLLING_OK && status != PGRES_POLLING_FAILED)
	{
		int			io = status == PGRES_POLLING_READING ? WL_SOCKET_READABLE : WL_SOCKET_WRITEABLE;

		if (wait_for(conn, io, wait_event) & io)
			status = PQconnectPoll(conn);
	}
	return conn;
}

PGresult *
corgi_libpq_exec(PGconn *conn, const char *sql, uint32 wait_event)
{
	PGresult   *last = NULL;

	if (!PQsendQuery(conn, sql))
		return NULL;
	for (;;)
	{
		PGresult   *result;

		while (PQisBusy(conn))
		{
			if ((wait_for(conn, WL_SOCKET_READABLE, wait_event) & WL_SOCKET_READABLE) && !PQconsumeInput(conn))
			{
				/* The connection failed: what arrived is the answer (NULL: none). */
				return last;
			}
		}
		result = PQgetResult(conn);
		if (result == NULL)
			return last;
		/* Keep the first error; otherwise the last result. */
		if (last != NULL && PQresultStatus(last) == PGRES_FATAL_ERROR)
			PQclear(result);
		else
		{
			PQclear(last);
			last = result;
		}
	}
}

void
corgi_libpq_finish(PGconn *conn)
{
	if (conn == NULL)
		return;
	PQfinish(conn);
	ReleaseExternalFD();
}

void
corgi_libpq_cancel(PGconn *conn)
{
#if PG_VERSION_NUM >= 170000
	(void) libpqsrv_cancel(conn, TimestampTzPlusMilliseconds(GetCurrentTimestamp(), 10000));
#else
	PGcancel   *cancel = PQgetCancel(conn);
	char		message[256];

	if (cancel != NULL)
	{
		(void) PQcancel(cancel, message, sizeof(message));
		PQfreeCancel(cancel);
	}
#endif
}
