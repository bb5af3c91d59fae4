/*
 * corgi_call_snapshot.c: one snapshot for a whole training call.
 *
 * A training call (corgi.train, corgi.fit_multiple) is a PL/pgSQL driver of many
 * statements, and under READ COMMITTED every statement of a VOLATILE function takes a
 * new snapshot: a counting pass and the epochs after it would each see the rows
 * committed so far. Rows another session commits meanwhile would then be trained by
 * some epochs and not others, and the buffer sized from the count would not fit them.
 *
 * So a call pins the snapshot of its counting pass, and every direct read of the call
 * uses it (corgi_read_snapshot: read_ranges and the evaluation scan; a parallel epoch
 * pushes it as the active snapshot before its workers start, and they inherit it),
 * except reads of temporary tables, which have no other writer and may be younger than
 * the pin (shuffle once's copy):
 *   corgi._begin_call()   at the start of a driver (nests: an inner driver shares the
 *                         outer one's snapshot);
 *   corgi._pin_snapshot() inside the counting query (an uncorrelated subquery: it runs
 *                         once, with the query's own snapshot active), pinning that
 *                         snapshot unless one is pinned;
 *   corgi._end_call()     at the end of the driver: the outermost end unpins (and
 *                         ends the call's progress row, corgi_progress.c).
 * An error unwinds it
 * all: the (sub)transaction callbacks drop what was begun or pinned in what aborted.
 * Reads through SQL (the composed path's aggregates, validation queries) use their own
 * statement's snapshot, as before.
 */
#include "postgres.h"

#include "access/xact.h"
#include "fmgr.h"
#include "utils/rel.h"
#include "utils/resowner.h"
#include "utils/snapmgr.h"

#include "corgi_call_snapshot.h"
#include "corgi_progress.h"

/* How deep driver calls may nest (a driver called from a driver's validation query). */
#define CORGI_CALL_DEPTH 16

static SubTransactionId call_subids[CORGI_CALL_DEPTH];
static int	call_depth = 0;
static Snapshot pinned = NULL;
static SubTransactionId pinned_subid = InvalidSubTransactionId;
static bool callbacks_registered = false;

static void
unpin(void)
{
	if (pinned != NULL)
		UnregisterSnapshotFromOwner(pinned, TopTransactionResourceOwner);
	pinned = NULL;
	pinned_subid = InvalidSubTransactionId;
}

static void
call_xact_callback(XactEvent event, void *arg)
{
	switch (event)
	{
		case XACT_EVENT_PRE_COMMIT:
		case XACT_EVENT_PARALLEL_PRE_COMMIT:
		case XACT_EVENT_PRE_PREPARE:
			unpin();
			call_depth = 0;
			break;
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_ABORT:
			/* The resource owner releases the snapshot itself. */
			pinned = NULL;
			pinned_subid = InvalidSubTransactionId;
			call_depth = 0;
			break;
		default:
			break;
	}
}

static void
call_subxact_callback(SubXactEvent event, SubTransactionId mySubid, SubTransactionId parentSubid, void *arg)
{
	if (event == SUBXACT_EVENT_ABORT_SUB)
	{
		/* What began or was pinned in the aborted subtransaction (or below) is over. */
		while (call_depth > 0 && call_subids[call_depth - 1] >= mySubid)
			call_depth--;
		if (pinned != NULL && pinned_subid >= mySubid)
			unpin();
	}
	else if (event == SUBXACT_EVENT_COMMIT_SUB)
	{
		for (int i = 0; i < call_depth; i++)
			if (call_subids[i] == mySubid)
				call_subids[i] = parentSubid;
		if (pinned_subid == mySubid)
			pinned_subid = parentSubid;
	}
}

Snapshot
corgi_read_snapshot(Relation rel)
{
	/*
	 * A temporary table has no other writer, and the call may have made it after the pin
	 * (shuffle once's copy): the active snapshot sees its rows, an older one would not.
	 */
	if (pinned == NULL || RelationUsesLocalBuffers(rel))
		return GetActiveSnapshot();
	return pinned;
}

bool
corgi_push_call_snapshot(void)
{
	if (pinned == NULL)
		return false;
	PushActiveSnapshot(pinned);
	return true;
}

void
corgi_pop_call_snapshot(bool pushed)
{
	if (pushed)
		PopActiveSnapshot();
}

PG_FUNCTION_INFO_V1(corgi_begin_call);

/* corgi._begin_call(): a driver starts; returns its depth (1 for the outermost). */
Datum
corgi_begin_call(PG_FUNCTION_ARGS)
{
	if (!callbacks_registered)
	{
		RegisterXactCallback(call_xact_callback, NULL);
		RegisterSubXactCallback(call_subxact_callback, NULL);
		callbacks_registered = true;
	}
	if (call_depth >= CORGI_CALL_DEPTH)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("corgi training calls nest at most %d deep", CORGI_CALL_DEPTH)));
	call_subids[call_depth++] = GetCurrentSubTransactionId();
	PG_RETURN_INT32(call_depth);
}

PG_FUNCTION_INFO_V1(corgi_end_call);

/* corgi._end_call(): a driver ends; the outermost one unpins the call's snapshot. */
Datum
corgi_end_call(PG_FUNCTION_ARGS)
{
	if (call_depth > 0)
		call_depth--;
	if (call_depth == 0)
	{
		unpin();
		corgi_progress_end();
	}
	PG_RETURN_INT32(call_depth);
}

PG_FUNCTION_INFO_V1(corgi_pin_snapshot);

/*
 * corgi._pin_snapshot(): inside a driver, pins the active snapshot (the calling query's)
 * as the call's, unless one is pinned; true when this call pinned it. Outside a driver
 * it pins nothing.
 */
Datum
corgi_pin_snapshot(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(corgi_pin_call_snapshot());
}

bool
corgi_pin_call_snapshot(void)
{
	if (call_depth == 0 || pinned != NULL || !ActiveSnapshotSet())
		return false;
	pinned = RegisterSnapshotOnOwner(GetActiveSnapshot(), TopTransactionResourceOwner);
	pinned_subid = GetCurrentSubTransactionId();
	return true;
}
