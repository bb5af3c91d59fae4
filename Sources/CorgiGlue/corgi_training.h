/*
 * corgi_training.h: what the fast training path (corgi_train_pass.c) and the composed
 * aggregate (corgi_sgd_aggregate.c) share: opening a Swift trainer from a bytea state,
 * feeding it rows, draining its work with interrupt checks, and returning the state.
 */
#ifndef CORGI_TRAINING_H
#define CORGI_TRAINING_H

#include "postgres.h"

#include "utils/array.h"

#include "corgi_abi.h"
#include "corgi_handle.h"

/* Reusable double buffer for converting real[] features. */
typedef struct CorgiFeatureScratch
{
	double	   *values;
	int			capacity;
	MemoryContext context;
} CorgiFeatureScratch;

/* Opens a trainer on state (any memory context owns it via the returned handle). */
extern CorgiHandle *corgi_trainer_open_in(MemoryContext context, bytea *state);

/*
 * The same, taking over the tuple buffer of `previous` (a trainer object, let go by the
 * caller afterwards) and/or handing full buffers to `shared_worker` (a grouped pass's
 * thread); either may be NULL. The state's memory is checked first.
 */
extern CorgiHandle *corgi_trainer_open_with(MemoryContext context, bytea *state, void *previous,
											void *shared_worker);

/*
 * The same for a state the caller has just described (corgi_state_info): not decoded
 * twice. A synchronous trainer (previous and shared_worker unused) trains inline: one
 * buffer slot, no thread of its own (a grouped pass's stager trains it on its worker).
 */
extern CorgiHandle *corgi_trainer_open_described(MemoryContext context, bytea *state, const CorgiStateInfo *info,
												 void *previous, void *shared_worker, bool synchronous);

/* Does a stager's pending work, checking for interrupts between bounded steps. */
extern void corgi_group_stager_drain(void *stager);

/* Ends the trainer's pass (trains what is buffered), optionally closes its epoch, and
 * returns its state as a new bytea. */
extern bytea *corgi_trainer_finish(void *trainer, bool end_epoch);

/*
 * The second half of corgi_trainer_finish, after corgi_trainer_finish_pass (and any
 * steps): drains the pending work, closes the epoch when asked, returns the state.
 */
extern bytea *corgi_trainer_complete(void *trainer, bool end_epoch);

/* A bytea[] argument's elements: 1-D, no NULLs (errors name the argument). */
extern Datum *corgi_bytea_elements(ArrayType *array, const char *name, int *count);

/* Describes a state; raises a clear error if it is not one. */
extern void corgi_state_info(bytea *state, CorgiStateInfo *info);

/* Room for a state's normalized parameter string (corgi_state_parameters). */
#define CORGI_PARAMS_SIZE 4096

/* Copies the ByteBlob a handle holds into a new bytea and releases the blob. */
extern bytea *corgi_blob_to_bytea(CorgiHandle *blob);

/* Whether a state's training diverged: its last loss or a linear model's weight is not finite. */
extern bool corgi_state_diverged(bytea *state, const CorgiStateInfo *info);

/* Trains what the trainer has buffered, checking for interrupts between steps. */
extern void corgi_trainer_drain(void *trainer);

/*
 * Features of one row as doubles: a one-dimensional float8[] (returned in place) or
 * real[] (converted into scratch). Raises an error naming the row for more than one
 * dimension, NULL elements or another element type.
 */
/* Room for n doubles in scratch (grown in its context, kept between rows). */
extern double *corgi_scratch_room(CorgiFeatureScratch *scratch, int n);

extern const double *corgi_features_as_doubles(ArrayType *array, CorgiFeatureScratch *scratch,
											   const CorgiRowTag *row, int *count);

/* Adds one row; raises the trainer's error naming the row; drains a full buffer. */
extern void corgi_trainer_feed(void *trainer, const double *features, int count, double label,
							   const CorgiRowTag *row);

/* Heap pages per block for block_mb (at least 1). */
extern int64 corgi_block_pages(double block_mb);

/* "row (12,3)" or "row 17 of the pass", in a static buffer. */
extern const char *corgi_row_name(const CorgiRowTag *row);

/* corgi.max_buffer_mb: the most memory (MB) one call may allocate for tuple buffers. */
extern int	corgi_max_buffer_mb;

/* corgi_train_pass.c: corgi.prefetch_next_block. */
extern bool corgi_prefetch_next_block;

/* corgi_train_pass.c: corgi.read_stream (read from 17). */
extern bool corgi_read_stream;

/* corgi_model_hopping.c: corgi.max_workers. */
extern int	corgi_max_workers;

/*
 * corgi_model_hopping.c: one hopping epoch over whole local relations on parallel
 * workers (see corgi_partition_hopping.c); returns the workers launched.
 */
extern int	corgi_hop_local_partitions(const Oid *relids, int segments, const char *features, const char *label,
									   bytea **states, int models, Size largest, const int32 *order, int epoch,
									   bool block_shuffle, int workers, ArrayType *group_columns,
									   ArrayType *group_keys, Datum *out_states, Datum *out_seconds);

/*
 * corgi_model_hopping.c: the states of one hopping epoch, checked (valid, within the
 * memory budget, one epoch; one block size when same_block_size).
 */
extern bytea **corgi_hop_states(Datum *datums, int models, bool same_block_size, CorgiStateInfo *first,
								Size *largest);

/* corgi_partition_hopping.c: corgi.node_retries, corgi.node_connections. */
extern int	corgi_node_retries;
extern int	corgi_node_connections;

/*
 * Raises a clear error when a trainer of buffer_rows rows of feature_count features
 * (both buffers, as the trainer may double-buffer) would exceed corgi.max_buffer_mb.
 */
extern void corgi_check_buffer_memory(int64 buffer_rows, int64 feature_count);
extern void corgi_check_training_memory(const CorgiStateInfo *info);

#endif							/* CORGI_TRAINING_H */
