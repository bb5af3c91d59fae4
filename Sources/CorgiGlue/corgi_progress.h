/*
 * corgi_progress.h: a training call's live progress, for corgi.training_progress
 * (see corgi_progress.c).
 */
#ifndef CORGI_PROGRESS_H
#define CORGI_PROGRESS_H

#include "postgres.h"

#include "port/atomics.h"

/*
 * Counts rows a training call read (called by the row loops every few thousand rows; a
 * no-op outside a call that reports progress, and in parallel workers without a shared
 * counter). 0 only publishes what a shared counter holds.
 */
extern void corgi_progress_count_rows(int64 rows);

/*
 * A parallel epoch's row counter in its shared memory: the leader and every worker add
 * their rows to it while attached, and the leader publishes its sum. The leader attaches
 * before it launches workers and detaches (NULL) before the shared memory goes; a worker
 * attaches at its start.
 */
extern void corgi_progress_share_rows(pg_atomic_uint64 *counter);

/*
 * The epoch loop's updates (corgi_fit.c), as corgi._progress_set makes them: an epoch
 * begins (in phase, with tasks_done tasks finished or set aside), a phase, an epoch's
 * loss, the workers that ran it. No-ops when nothing reports.
 */
extern void corgi_progress_epoch(const char *phase, int32 epoch, int32 tasks_done);
extern void corgi_progress_phase(const char *phase);
extern void corgi_progress_loss(double loss);
extern void corgi_progress_workers(int32 workers);

/* The outermost training call ended: its progress row goes. */
extern void corgi_progress_end(void);

#endif
