/*
 * corgi_group_training.h: grouped passes over a heap table, for corgi._train_groups
 * (one epoch of every group) and for model hopping with groups (a config's groups, as
 * one bundle, over a segment's blocks). See corgi_group_training.c.
 */
#ifndef CORGI_GROUP_TRAINING_H
#define CORGI_GROUP_TRAINING_H

#include "postgres.h"

#include "utils/array.h"
#include "utils/rel.h"

#include "corgi_group_router.h"
#include "corgi_heap_rows.h"
#include "corgi_training.h"

/* The grouping columns of a relation and the router of a pass's group keys. */
typedef struct CorgiGroupKeys
{
	int			key_count;
	AttrNumber *columns;		/* the grouping columns' numbers */
	CorgiGroupRouter *router;	/* key -> group (0-based, in the order of the keys) */
} CorgiGroupKeys;

/*
 * The grouping columns `columns` (a name[] of 1 to 32 columns of rel, each readable by
 * the user) and a router of `keys` (one text per column, group after group).
 */
extern CorgiGroupKeys corgi_group_keys_open(Relation rel, ArrayType *columns, ArrayType *keys);

/* Reads a pass's rows into the sinks (the source's route sends each to its group). */
typedef void (*CorgiGroupReader) (CorgiHeapRows *source, const CorgiStateInfo *info, CorgiRowSink sink,
								  CorgiNullRowSink null_sink, void *reader_arg);

/*
 * One pass of count group states over the rows `reader` delivers: each row goes to the
 * state of its group (state_of_group[router group], -1 for none; NULL: the router's
 * group index is the state's). The states must share an epoch, a seed and block_mb and
 * fit corgi.max_buffer_mb together. Returns the new states (epochs closed when
 * end_epoch), each bit for bit what its group's rows, in the order read, give alone.
 */
extern Datum *corgi_group_pass(CorgiHeapRows *source, const CorgiGroupKeys *keys, const int32 *state_of_group,
							   Datum *states, int count, bool end_epoch, CorgiGroupReader reader, void *reader_arg);

#endif							/* CORGI_GROUP_TRAINING_H */
