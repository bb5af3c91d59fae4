/*
 * corgi_call_snapshot.h: the snapshot a training call pins for all its direct reads
 * (see corgi_call_snapshot.c).
 */
#ifndef CORGI_CALL_SNAPSHOT_H
#define CORGI_CALL_SNAPSHOT_H

#include "utils/rel.h"
#include "utils/snapshot.h"

/*
 * The snapshot a direct read of rel uses: the call's pinned one, else (and for a
 * temporary table) the active one.
 */
extern Snapshot corgi_read_snapshot(Relation rel);

/*
 * Inside a training call (corgi._begin_call), pins the active snapshot as the call's
 * unless one is pinned; true when it pinned it.
 */
extern bool corgi_pin_call_snapshot(void);

/*
 * Makes the call's pinned snapshot the active one, when a driver pinned one; returns
 * whether it did. Pair with corgi_pop_call_snapshot(pushed) on the way out (an error
 * pops it with the rest of the active snapshot stack).
 */
extern bool corgi_push_call_snapshot(void);
extern void corgi_pop_call_snapshot(bool pushed);

#endif							/* CORGI_CALL_SNAPSHOT_H */
