/*
 * corgi_model_hopping.c: one epoch of Model Hopper Parallelism (MOP) on PostgreSQL
 * parallel workers: corgi._hop_epoch.
 *
 * The table's blocks are drawn into S segments (a seeded draw per epoch, Swift's
 * SegmentPlan); K model states each visit every segment once, in the order Swift's
 * ModelHopSchedule fixes from the seed and each model's offset. The leader and the
 * workers it launches (a ParallelContext, as nbtsort.c and pgvector's parallel build
 * use it) share one dynamic shared memory chunk: the schedule's arrays, the segments'
 * block lists and one slot per model holding its serialized state. Each participant
 * loops: under the spinlock, Swift's pure corgi_hop_pick chooses an idle model whose
 * next segment is idle; the participant trains that state over the segment's blocks
 * (the model's seeded block order, CorgiPile's tuple buffer), writes it back into the
 * slot and marks the job done. A model's result depends only on its visit order and
 * the per-(model, epoch, segment) seeds, so the models are bit-identical for any
 * number of workers launched, none included (the leader alone then runs every job).
 * The same machinery hops models over whole relations (the local partitions of a
 * partitioned table, corgi_hop_local_partitions): a segment is then a relation, read
 * whole in the model's block order, as corgi.train_pass reads it. And it hops a config's
 * groups as one unit (corgi._hop_groups_epoch, fit_multiple with grouping_cols): a
 * model is then a bundle of group states (corgi_group_bundle.c), and a job routes each
 * row of the segment to its group's state (corgi_group_pass).
 *
 * Nothing is written in parallel mode: the caller gets the new states back and writes
 * after this returns. Temporary tables (workers cannot read the leader's local
 * buffers) and calls already in parallel mode run on the leader alone. Errors in a
 * worker reach the leader through PostgreSQL's error queues; cancel and
 * statement_timeout reach the leader, whose abort terminates the workers.
 */
#include "postgres.h"

#include <math.h>

#include "access/parallel.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "portability/instr_time.h"
#include "storage/bufmgr.h"
#include "storage/condition_variable.h"
#include "storage/shm_toc.h"
#include "storage/spin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/wait_event.h"
#if PG_VERSION_NUM >= 160000
#include "varatt.h"
#endif

#include "corgi_call_snapshot.h"
#include "corgi_core_api.h"
#include "corgi_error.h"
#include "corgi_group_bundle.h"
#include "corgi_group_training.h"
#include "corgi_heap_rows.h"
#include "corgi_progress.h"
#include "corgi_training.h"

/* shm_toc key of the shared chunk (parallel.c reserves 0xFFFFFFFFFFFF000x). */
#define CORGI_HOP_KEY_SHARED	UINT64CONST(0xC0B61A0000000001)

/* At most this many models in one hopping epoch (corgi.fit_multiple's config limit). */
#define CORGI_HOP_MAX_MODELS	1000
/*
 * segments may exceed a table's block count up to this many (fit_multiple's default), so that
 * the default works on small tables; beyond it, segments are bounded by the blocks.
 */
#define CORGI_HOP_FREE_SEGMENTS 8

/* The shared chunk: this header, then the arrays at the offsets it records. */
typedef struct CorgiHopShared
{
	Oid			relid;
	Size		features_offset;	/* the features (a column, or a list of columns): a C string */
	NameData	label;
	int32		models;			/* model states (slots) */
	int32		units;			/* visit units the schedule moves: a model, or models fused */
	int32		segments;
	int32		epoch;
	bool		block_shuffle;
	int64		block_pages;
	BlockNumber nblocks;
	Size		slot_bytes;
	slock_t		mutex;
	ConditionVariable cv;
	pg_atomic_uint64 rows_read;	/* rows every participant read (progress) */
	Size		order_offset;	/* int32[units * segments] */
	Size		completed_offset;	/* int32[units] */
	Size		model_busy_offset;	/* uint8[units] */
	Size		unit_start_offset;	/* int32[units + 1] into unit_members */
	Size		unit_members_offset;	/* int32[models]: the models of each unit, ascending */
	Size		segment_busy_offset;	/* uint8[segments] */
	Size		segment_start_offset;	/* int32[segments + 1] into segment_blocks */
	Size		segment_blocks_offset;	/* int32[block_count], ascending per segment */
	bool		partitions;		/* segment s is the relation relids[s], read whole */
	Size		relids_offset;	/* Oid[segments] when partitions */
	Size		seconds_offset; /* double[models]: each written by the model's runner */
	bool		grouped;		/* models are group bundles */
	Size		columns_offset; /* grouped: the grouping columns, a name[] (flat) */
	Size		keys_offset;	/* grouped: the pass's group keys, a text[] (flat) */
	Size		slots_offset;	/* models slots of slot_bytes: a bytea each */
} CorgiHopShared;

#define HOP_ARRAY(shared, field, type) ((type *) ((char *) (shared) + (shared)->field))
#define HOP_SLOT(shared, model) \
	((bytea *) ((char *) (shared) + (shared)->slots_offset + (Size) (model) * (shared)->slot_bytes))

/* corgi.max_workers: the most parallel workers one call asks for (corgi_module.c). */
int			corgi_max_workers = 1;

PGDLLEXPORT void corgi_hop_worker_main(dsm_segment *seg, shm_toc *toc);

/*
 * A participant's grouping (grouped hopping): the grouping columns and the router of the
 * pass's keys, and a scratch map from the router's group to the job's bundle position.
 */
typedef struct HopGroups
{
	CorgiGroupKeys keys;
	int32	   *state_of_group;	/* router group count entries, -1 between jobs */
} HopGroups;

/* A grouped job's reader: the segment's blocks in the model's order. */
typedef struct ListedRead
{
	const int32 *blocks;
	int			count;
	int64		block_pages;
	BlockNumber nblocks;
} ListedRead;

static void
read_listed(CorgiHeapRows *source, const CorgiStateInfo *info, CorgiRowSink sink, CorgiNullRowSink null_sink,
			void *reader_arg)
{
	ListedRead *r = (ListedRead *) reader_arg;

	corgi_read_listed_blocks(source, r->blocks, r->count, r->block_pages, r->nblocks, sink, null_sink, NULL);
}

/*
 * A grouped job: the bundle's groups, each its own state, over the listed blocks (the
 * segment's, in the order of the config's seed); returns the new bundle.
 */
static bytea *
hop_train_bundle(CorgiHeapRows *source, HopGroups *groups, bytea *bundle, int32 *blocks, int count,
				 const CorgiHopShared *shared, int32 segment)
{
	int32	   *members;
	Datum	   *states;
	Datum	   *trained;
	int			member_count = corgi_bundle_unpack(bundle, &members, &states);
	int32		group_count = groups->keys.router->group_count;
	CorgiStateInfo info;
	ListedRead	read = {blocks, count, shared->block_pages, shared->nblocks};
	bytea	   *result;

	for (int i = 0; i < member_count; i++)
	{
		if (members[i] >= group_count)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("a bundle names group %d of %d", members[i] + 1, group_count)));
		groups->state_of_group[members[i]] = i;
	}
	corgi_state_info(DatumGetByteaPP(states[0]), &info);
	if (shared->block_shuffle)
		corgi_segment_block_order(blocks, count, info.seed, shared->epoch, segment);
	trained = corgi_group_pass(source, &groups->keys, groups->state_of_group, states, member_count, false,
							   read_listed, &read);
	for (int i = 0; i < member_count; i++)
		groups->state_of_group[members[i]] = -1;
	result = corgi_bundle_pack(members, trained, member_count);
	return result;
}

/* A grouped job's reader over a partition: the whole relation in CorgiPile's block order. */
static void
read_whole(CorgiHeapRows *source, const CorgiStateInfo *info, CorgiRowSink sink, CorgiNullRowSink null_sink,
		   void *reader_arg)
{
	corgi_read_in_block_order(source, *(const bool *) reader_arg, info, sink, null_sink, NULL);
}

/*
 * A grouped job over a partition (a segment that is a whole local relation): the
 * bundle's groups, each its own state, over the partition read whole in the block order
 * of the bundle's first state, as corgi.train_pass reads a table; the router is the
 * partition's own (its grouping columns' attribute numbers may differ from the parent's).
 * Returns the new bundle.
 */
static bytea *
hop_train_bundle_partition(Oid relid, const CorgiHopShared *shared, bytea *bundle)
{
	CorgiHeapRows partition = corgi_heap_rows_open(relid, HOP_ARRAY(shared, features_offset, char),
												   NameStr(shared->label), "corgi.fit_multiple",
												   "which it does not offer for partitions");
	CorgiGroupKeys keys = corgi_group_keys_open(partition.rel, HOP_ARRAY(shared, columns_offset, ArrayType),
												HOP_ARRAY(shared, keys_offset, ArrayType));
	int32		group_count = keys.router->group_count;
	int32	   *state_of_group = palloc(sizeof(int32) * Max(group_count, 1));
	int32	   *members;
	Datum	   *states;
	Datum	   *trained;
	int			member_count = corgi_bundle_unpack(bundle, &members, &states);
	bool		block_shuffle = shared->block_shuffle;
	bytea	   *result;

	for (int32 g = 0; g < group_count; g++)
		state_of_group[g] = -1;
	for (int i = 0; i < member_count; i++)
	{
		if (members[i] >= group_count)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("a bundle names group %d of %d", members[i] + 1, group_count)));
		state_of_group[members[i]] = i;
	}
	trained = corgi_group_pass(&partition, &keys, state_of_group, states, member_count, false, read_whole,
							   &block_shuffle);
	result = corgi_bundle_pack(members, trained, member_count);
	table_close(partition.rel, NoLock);
	return result;
}

/*
 * A fused job: the unit's models train together over segment `segment`'s blocks (one
 * read, one tuple buffer: FusedVisit.swift), in the seeded block order they share; each
 * model's slot is updated and its seconds get an equal share of the job's.
 */
static void
hop_run_fused_job(CorgiHopShared *shared, CorgiHeapRows *source, CorgiTrainerCache *cache, const int32 *members,
				  int count, int32 segment)
{
	MemoryContext job_context = AllocSetContextCreate(CurrentMemoryContext, "corgi fused hop job",
													  ALLOCSET_DEFAULT_SIZES);
	MemoryContext old = MemoryContextSwitchTo(job_context);
	const int32 *start = HOP_ARRAY(shared, segment_start_offset, int32);
	int32		block_count = start[segment + 1] - start[segment];
	int32	   *blocks = palloc(sizeof(int32) * Max(block_count, 1));
	bytea	  **states = palloc(sizeof(bytea *) * count);
	bytea	  **results = palloc(sizeof(bytea *) * count);
	CorgiStateInfo info;
	instr_time	began,
				took;

	INSTR_TIME_SET_CURRENT(began);
	for (int i = 0; i < count; i++)
	{
		bytea	   *slot = HOP_SLOT(shared, members[i]);

		states[i] = palloc(VARSIZE(slot));
		memcpy(states[i], slot, VARSIZE(slot));
	}
	memcpy(blocks, HOP_ARRAY(shared, segment_blocks_offset, int32) + start[segment], sizeof(int32) * block_count);
	corgi_state_info(states[0], &info);
	if (shared->block_shuffle)
		corgi_segment_block_order(blocks, block_count, info.seed, shared->epoch, segment);
	corgi_train_listed_blocks_fused(source, states, count, blocks, block_count, shared->block_pages, shared->nblocks,
									cache, results);
	INSTR_TIME_SET_CURRENT(took);
	INSTR_TIME_SUBTRACT(took, began);
	for (int i = 0; i < count; i++)
	{
		bytea	   *slot = HOP_SLOT(shared, members[i]);

		if (VARSIZE_ANY_EXHDR(results[i]) + VARHDRSZ > shared->slot_bytes)
			ereport(ERROR,
					(errcode(ERRCODE_INTERNAL_ERROR),
					 errmsg("corgi: a model state grew to %zu bytes, past its %zu-byte hopping slot",
							VARSIZE_ANY_EXHDR(results[i]) + VARHDRSZ, shared->slot_bytes)));
		SET_VARSIZE(slot, VARSIZE_ANY_EXHDR(results[i]) + VARHDRSZ);
		memcpy(VARDATA(slot), VARDATA_ANY(results[i]), VARSIZE_ANY_EXHDR(results[i]));
		HOP_ARRAY(shared, seconds_offset, double)[members[i]] += INSTR_TIME_GET_DOUBLE(took) / count;
	}
	MemoryContextSwitchTo(old);
	MemoryContextDelete(job_context);
}

/* One job: model `model` trains over segment `segment`'s blocks; its slot is updated. */
static void
hop_run_job(CorgiHopShared *shared, CorgiHeapRows *source, CorgiTrainerCache *cache, HopGroups *groups,
			int32 model, int32 segment)
{
	MemoryContext job_context = AllocSetContextCreate(CurrentMemoryContext, "corgi hop job",
													  ALLOCSET_DEFAULT_SIZES);
	MemoryContext old = MemoryContextSwitchTo(job_context);
	const int32 *start = HOP_ARRAY(shared, segment_start_offset, int32);
	int32		count = start[segment + 1] - start[segment];
	int32	   *blocks = palloc(sizeof(int32) * Max(count, 1));
	bytea	   *slot = HOP_SLOT(shared, model);
	bytea	   *state;
	bytea	   *result;
	CorgiStateInfo info;
	instr_time	began,
				took;

	INSTR_TIME_SET_CURRENT(began);
	/* The slot is this participant's alone while the model is busy; train on a copy. */
	state = palloc(VARSIZE(slot));
	memcpy(state, slot, VARSIZE(slot));
	if (shared->partitions && shared->grouped)
		result = hop_train_bundle_partition(HOP_ARRAY(shared, relids_offset, Oid)[segment], shared, state);
	else if (shared->partitions)
	{
		/* A partition, whole, as corgi.train_pass reads it (the leader holds its lock). */
		CorgiHeapRows partition = corgi_heap_rows_open(HOP_ARRAY(shared, relids_offset, Oid)[segment],
													   HOP_ARRAY(shared, features_offset, char), NameStr(shared->label),
													   "corgi.fit_multiple", "which it does not offer for partitions");

		result = corgi_train_relation(&partition, state, shared->block_shuffle, cache);
		table_close(partition.rel, NoLock);
	}
	else if (shared->grouped)
	{
		memcpy(blocks, HOP_ARRAY(shared, segment_blocks_offset, int32) + start[segment], sizeof(int32) * count);
		result = hop_train_bundle(source, groups, state, blocks, count, shared, segment);
	}
	else
	{
		memcpy(blocks, HOP_ARRAY(shared, segment_blocks_offset, int32) + start[segment], sizeof(int32) * count);
		corgi_state_info(state, &info);
		if (shared->block_shuffle)
			corgi_segment_block_order(blocks, count, info.seed, shared->epoch, segment);
		result = corgi_train_listed_blocks(source, state, blocks, count, shared->block_pages, shared->nblocks,
										   cache);
	}
	if (VARSIZE_ANY_EXHDR(result) + VARHDRSZ > shared->slot_bytes)
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("corgi: a model state grew to %zu bytes, past its %zu-byte hopping slot",
						VARSIZE_ANY_EXHDR(result) + VARHDRSZ, shared->slot_bytes)));
	SET_VARSIZE(slot, VARSIZE_ANY_EXHDR(result) + VARHDRSZ);
	memcpy(VARDATA(slot), VARDATA_ANY(result), VARSIZE_ANY_EXHDR(result));
	INSTR_TIME_SET_CURRENT(took);
	INSTR_TIME_SUBTRACT(took, began);
	HOP_ARRAY(shared, seconds_offset, double)[model] += INSTR_TIME_GET_DOUBLE(took);
	MemoryContextSwitchTo(old);
	MemoryContextDelete(job_context);
}

/*
 * A participant's loop (the leader's and every worker's): take runnable jobs until every
 * visit of the epoch is done; sleep on the condition variable while none is runnable.
 * The spinlock covers only Swift's allocation-free pick and complete (O(models)).
 */
static void
hop_run_jobs(CorgiHopShared *shared, CorgiHeapRows *source)
{
	int32	   *order = HOP_ARRAY(shared, order_offset, int32);
	int32	   *completed = HOP_ARRAY(shared, completed_offset, int32);
	uint8	   *model_busy = HOP_ARRAY(shared, model_busy_offset, uint8);
	uint8	   *segment_busy = HOP_ARRAY(shared, segment_busy_offset, uint8);
	/* One tuple buffer for every model this participant trains (released with the context). */
	CorgiTrainerCache cache = {CurrentMemoryContext, NULL};
	HopGroups	groups = {0};

	if (shared->grouped && !shared->partitions)
	{
		groups.keys = corgi_group_keys_open(source->rel, HOP_ARRAY(shared, columns_offset, ArrayType),
											HOP_ARRAY(shared, keys_offset, ArrayType));
		groups.state_of_group = palloc(sizeof(int32) * Max(groups.keys.router->group_count, 1));
		for (int32 g = 0; g < groups.keys.router->group_count; g++)
			groups.state_of_group[g] = -1;
	}

	for (;;)
	{
		int32		unit = -1,
					segment = -1;
		int32		picked;
		const int32 *unit_start = HOP_ARRAY(shared, unit_start_offset, int32);
		const int32 *members = HOP_ARRAY(shared, unit_members_offset, int32);

		CHECK_FOR_INTERRUPTS();
		SpinLockAcquire(&shared->mutex);
		picked = corgi_hop_pick(shared->units, shared->segments, order, completed, model_busy, segment_busy,
								&unit, &segment);
		SpinLockRelease(&shared->mutex);
		if (picked < 0)
			elog(ERROR, "corgi: the model-hopping schedule in shared memory is malformed");
		if (picked == 2)
			break;				/* every visit of the epoch is done */
		if (picked == 0)
		{
			ConditionVariableSleep(&shared->cv, PG_WAIT_EXTENSION);
			corgi_progress_count_rows(0);	/* the leader publishes the others' rows */
			continue;
		}
		if (unit_start[unit + 1] - unit_start[unit] == 1)
			hop_run_job(shared, source, &cache, &groups, members[unit_start[unit]], segment);
		else
			hop_run_fused_job(shared, source, &cache, members + unit_start[unit], unit_start[unit + 1] - unit_start[unit],
							  segment);
		SpinLockAcquire(&shared->mutex);
		picked = corgi_hop_complete(shared->units, shared->segments, order, completed, model_busy, segment_busy,
									unit);
		SpinLockRelease(&shared->mutex);
		ConditionVariableBroadcast(&shared->cv);
		if (picked != 1)
			elog(ERROR, "corgi: unit %d was not running on segment %d", unit, segment);
	}
	ConditionVariableCancelSleep();
	if (cache.trainer != NULL)
		corgi_handle_release(cache.trainer);
}

/* The entry point of a parallel worker (resolved by name: exported in corgi.map). */
void
corgi_hop_worker_main(dsm_segment *seg, shm_toc *toc)
{
	CorgiHopShared *shared = shm_toc_lookup(toc, CORGI_HOP_KEY_SHARED, false);
	CorgiHeapRows source;

	corgi_progress_share_rows(&shared->rows_read);
	/* The leader holds AccessShareLock; group locking lets the worker take it too. */
	if (shared->partitions)
	{
		hop_run_jobs(shared, NULL);
		return;
	}
	source = corgi_heap_rows_open(shared->relid, HOP_ARRAY(shared, features_offset, char), NameStr(shared->label),
								  "corgi.fit_multiple", "which it does not offer");
	hop_run_jobs(shared, &source);
	table_close(source.rel, AccessShareLock);
}

/*
 * The segments of one hopping epoch: blocks of one relation (segment_of[b] for each of
 * block_count blocks of block_pages pages, relid open as `source`), or whole relations
 * (partitions: relids[s]).
 */
typedef struct HopSegments
{
	bool		partitions;
	const Oid  *relids;
	Oid			relid;
	CorgiHeapRows *source;
	const int32 *segment_of;
	int64		block_count;
	int64		block_pages;
	BlockNumber nblocks;
	bool		temporary;		/* a temporary relation: the leader alone reads it */
} HopSegments;

/*
 * One epoch of every model over the segments in the given visit orders (order[u * S + j]
 * for visit unit u: unit_of[m] is model m's, NULL when every model is its own unit), on
 * the leader and up to `workers` parallel workers (< 0: the default); the new states
 * and each model's seconds go to out_states/out_seconds; returns the workers launched.
 */
static int
hop_run_epoch(const HopSegments *segs, const char *features, const char *label, bytea **states, int models,
			  const int32 *unit_of, int units, const int32 *order, int segments, int epoch, bool block_shuffle,
			  int workers, Size largest, ArrayType *group_columns, ArrayType *group_keys, Datum *out_states,
			  Datum *out_seconds)
{
	Size		header,
				total;
	CorgiHopShared *shared;
	CorgiHopShared layout = {0};
	ParallelContext *pcxt = NULL;
	int			launched = 0;
	bool		pushed = false;
	int64		block_count = segs->partitions ? 0 : segs->block_count;

	/* The shared chunk's layout ------------------------------------------------------ */
	header = MAXALIGN(sizeof(CorgiHopShared));
	if (unit_of == NULL)
		units = models;
	layout.features_offset = header;
	layout.order_offset = layout.features_offset + MAXALIGN(strlen(features) + 1);
	layout.completed_offset = layout.order_offset + MAXALIGN(sizeof(int32) * units * segments);
	layout.model_busy_offset = layout.completed_offset + MAXALIGN(sizeof(int32) * units);
	layout.unit_start_offset = layout.model_busy_offset + MAXALIGN(units);
	layout.unit_members_offset = layout.unit_start_offset + MAXALIGN(sizeof(int32) * (units + 1));
	layout.segment_busy_offset = layout.unit_members_offset + MAXALIGN(sizeof(int32) * models);
	layout.segment_start_offset = layout.segment_busy_offset + MAXALIGN(segments);
	layout.segment_blocks_offset = layout.segment_start_offset + MAXALIGN(sizeof(int32) * (segments + 1));
	layout.relids_offset = layout.segment_blocks_offset + MAXALIGN(sizeof(int32) * Max(block_count, 1));
	layout.seconds_offset = layout.relids_offset + MAXALIGN(sizeof(Oid) * segments);
	layout.grouped = group_keys != NULL;
	layout.columns_offset = layout.seconds_offset + MAXALIGN(sizeof(double) * models);
	layout.keys_offset = layout.columns_offset + (layout.grouped ? MAXALIGN(VARSIZE(group_columns)) : 0);
	layout.slots_offset = layout.keys_offset + (layout.grouped ? MAXALIGN(VARSIZE(group_keys)) : 0);
	/*
	 * A state keeps its size while it trains, but for sections written once they exist
	 * (the averaged iterate after the first update): room for twice the largest state.
	 */
	layout.slot_bytes = MAXALIGN(2 * largest + 1024);
	if (layout.slot_bytes > MaxAllocSize / 2 || (Size) models * layout.slot_bytes > (Size) 1 << 30)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%d model states of up to %zu bytes need more than 1 GB of shared memory to hop",
						models, largest),
				 errhint("Train fewer or smaller configs per call.")));
	total = layout.slots_offset + (Size) models * layout.slot_bytes;

	/* Workers: as asked, within what the server allows and the work can use. */
	if (workers < 0)
		workers = Min(corgi_max_workers, max_parallel_workers);
	workers = Min(workers, max_parallel_workers);
	workers = Min(workers, Min(units, segments) - 1);
	if (workers > 0 && (segs->temporary || IsInParallelMode() || IsParallelWorker() || !IsUnderPostmaster))
		workers = 0;

	if (workers > 0)
	{
		/* The workers read with the call's snapshot: the active one when the DSM is made. */
		pushed = corgi_push_call_snapshot();
		EnterParallelMode();
		pcxt = CreateParallelContext("corgi", "corgi_hop_worker_main", workers);
		shm_toc_estimate_chunk(&pcxt->estimator, total);
		shm_toc_estimate_keys(&pcxt->estimator, 1);
		InitializeParallelDSM(pcxt);
		shared = shm_toc_allocate(pcxt->toc, total);
	}
	else
		shared = palloc(total);

	/* Fill it ----------------------------------------------------------------------- */
	memset(shared, 0, total);
	*shared = layout;
	shared->relid = segs->relid;
	strcpy(HOP_ARRAY(shared, features_offset, char), features);
	namestrcpy(&shared->label, label);
	shared->models = models;
	shared->units = units;
	shared->segments = segments;
	shared->epoch = epoch;
	shared->block_shuffle = block_shuffle;
	shared->block_pages = segs->block_pages;
	shared->nblocks = segs->nblocks;
	shared->partitions = segs->partitions;
	if (segs->partitions)
		memcpy(HOP_ARRAY(shared, relids_offset, Oid), segs->relids, sizeof(Oid) * segments);
	if (layout.grouped)
	{
		memcpy(HOP_ARRAY(shared, columns_offset, char), group_columns, VARSIZE(group_columns));
		memcpy(HOP_ARRAY(shared, keys_offset, char), group_keys, VARSIZE(group_keys));
	}
	SpinLockInit(&shared->mutex);
	ConditionVariableInit(&shared->cv);
	pg_atomic_init_u64(&shared->rows_read, 0);
	memcpy(HOP_ARRAY(shared, order_offset, int32), order, sizeof(int32) * units * segments);
	{
		/* The units' models, by counting sort (ascending within each unit). */
		int32	   *start = HOP_ARRAY(shared, unit_start_offset, int32);
		int32	   *members = HOP_ARRAY(shared, unit_members_offset, int32);
		int32	   *fill = palloc0(sizeof(int32) * units);

		for (int m = 0; m < models; m++)
			start[(unit_of ? unit_of[m] : m) + 1]++;
		for (int u = 0; u < units; u++)
			start[u + 1] += start[u];
		for (int m = 0; m < models; m++)
		{
			int			u = unit_of ? unit_of[m] : m;

			members[start[u] + fill[u]++] = m;
		}
	}
	{
		int32	   *start = HOP_ARRAY(shared, segment_start_offset, int32);
		int32	   *blocks = HOP_ARRAY(shared, segment_blocks_offset, int32);
		int32	   *fill = palloc0(sizeof(int32) * segments);

		/* Counting sort by segment, ascending blocks within each. */
		for (int64 b = 0; b < block_count; b++)
			start[segs->segment_of[b] + 1]++;
		for (int s = 0; s < segments; s++)
			start[s + 1] += start[s];
		for (int64 b = 0; b < block_count; b++)
			blocks[start[segs->segment_of[b]] + fill[segs->segment_of[b]]++] = (int32) b;
	}
	for (int m = 0; m < models; m++)
	{
		bytea	   *slot = HOP_SLOT(shared, m);

		SET_VARSIZE(slot, VARSIZE_ANY_EXHDR(states[m]) + VARHDRSZ);
		memcpy(VARDATA(slot), VARDATA_ANY(states[m]), VARSIZE_ANY_EXHDR(states[m]));
	}

	/* Run: the leader works too ------------------------------------------------------- */
	if (pcxt != NULL)
	{
		shm_toc_insert(pcxt->toc, CORGI_HOP_KEY_SHARED, shared);
		LaunchParallelWorkers(pcxt);
		launched = pcxt->nworkers_launched;
	}
	corgi_progress_share_rows(&shared->rows_read);
	hop_run_jobs(shared, segs->source);
	if (pcxt != NULL)
		WaitForParallelWorkersToFinish(pcxt);
	corgi_progress_share_rows(NULL);

	/* Results, copied out of shared memory before it goes --------------------------- */
	for (int m = 0; m < models; m++)
	{
		bytea	   *slot = HOP_SLOT(shared, m);
		bytea	   *copy = palloc(VARSIZE(slot));

		memcpy(copy, slot, VARSIZE(slot));
		out_states[m] = PointerGetDatum(copy);
		out_seconds[m] = Float8GetDatum(HOP_ARRAY(shared, seconds_offset, double)[m]);
	}
	if (pcxt != NULL)
	{
		DestroyParallelContext(pcxt);
		ExitParallelMode();
	}
	corgi_pop_call_snapshot(pushed);
	return launched;
}

/*
 * The states of one hopping epoch as byteas, checked: each a state within the memory
 * budget, all at the same epoch and, when segments are cut in blocks (same_block_size),
 * of one block size. *first describes the first; *largest is the largest's size.
 */
bytea **
corgi_hop_states(Datum *datums, int models, bool same_block_size, CorgiStateInfo *first, Size *largest)
{
	bytea	  **states = palloc(sizeof(bytea *) * models);

	*largest = 0;
	for (int m = 0; m < models; m++)
	{
		CorgiStateInfo info;

		CHECK_FOR_INTERRUPTS();
		states[m] = DatumGetByteaPP(datums[m]);
		corgi_state_info(states[m], &info);
		corgi_check_training_memory(&info);
		if (m == 0)
			*first = info;
		else if (info.epochs_completed != first->epochs_completed)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("models of one hopping epoch must be at the same epoch, got %d and %d",
							first->epochs_completed, info.epochs_completed)));
		else if (same_block_size && corgi_block_pages(info.block_mb) != corgi_block_pages(first->block_mb))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("models of one hopping epoch must share block_mb, got %g and %g",
							first->block_mb, info.block_mb),
					 errhint("Segments are cut in blocks; set block_mb in the call's params, not in a config.")));
		*largest = Max(*largest, VARSIZE_ANY_EXHDR(states[m]) + VARHDRSZ);
	}
	return states;
}

/*
 * The bundles of a grouped hopping epoch as byteas, each one's group states checked by
 * corgi_hop_states (valid, within the memory budget, one epoch and block size) and all
 * bundles at the same epoch with the same block size; *first describes the first group
 * state, *largest is the largest bundle's size. That a job's groups fit the budget
 * together is checked where it opens them (corgi_group_pass).
 */
static bytea **
hop_bundles(Datum *datums, int models, CorgiStateInfo *first, Size *largest)
{
	bytea	  **bundles = palloc(sizeof(bytea *) * models);

	*largest = 0;
	for (int m = 0; m < models; m++)
	{
		int32	   *groups;
		Datum	   *states;
		int			count;
		CorgiStateInfo info;
		Size		state_largest;

		bundles[m] = DatumGetByteaPP(datums[m]);
		count = corgi_bundle_unpack(bundles[m], &groups, &states);
		pfree(corgi_hop_states(states, count, true, &info, &state_largest));
		if (m == 0)
			*first = info;
		else if (info.epochs_completed != first->epochs_completed
				 || corgi_block_pages(info.block_mb) != corgi_block_pages(first->block_mb))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("the group states of one hopping epoch must share the epoch and block_mb (bundle %d differs from bundle 1)",
							m + 1)));
		pfree(groups);
		pfree(states);
		*largest = Max(*largest, VARSIZE_ANY_EXHDR(bundles[m]) + VARHDRSZ);
	}
	return bundles;
}

/*
 * A fused visit holds every member's learner beside one tuple buffer: the sum must fit
 * corgi.max_buffer_mb as one model's does (corgi_check_training_memory).
 */
static void
check_fused_memory(bytea **states, int models, const int32 *unit_of, int units)
{
	double	   *learners = palloc0(sizeof(double) * units);
	int32	   *sizes = palloc0(sizeof(int32) * units);
	double	   *buffers = palloc0(sizeof(double) * units);

	for (int m = 0; m < models; m++)
	{
		CorgiStateInfo info;

		corgi_state_info(states[m], &info);
		learners[unit_of[m]] += info.learner_mb;
		buffers[unit_of[m]] = corgi_double_buffer_megabytes(info.buffer_capacity, info.feature_count);
		sizes[unit_of[m]]++;
	}
	for (int u = 0; u < units; u++)
		if (sizes[u] > 1 && learners[u] + buffers[u] > (double) corgi_max_buffer_mb)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("a fused visit of %d models needs %.3f MB, more than corgi.max_buffer_mb=%d",
							sizes[u], ceil((learners[u] + buffers[u]) * 1000.0) / 1000.0, corgi_max_buffer_mb),
					 errdetail("Models that share a visit share one tuple buffer (%.3f MB) and hold their learners (%.3f MB) together.",
							   ceil(buffers[u] * 1000.0) / 1000.0, ceil(learners[u] * 1000.0) / 1000.0),
					 errhint("Lower configs_per_visit in corgi.fit_multiple's params, or ask a superuser to raise corgi.max_buffer_mb.")));
}

/*
 * corgi._hop_epoch and corgi._hop_groups_epoch: one model-hopping epoch over a table's
 * block segments. The grouped one takes two more arguments after label (the grouping
 * columns, the pass's group keys) and bundles in place of states.
 */
/*
 * A grouped hopping epoch over a partitioned table: its leaf partitions (in the order of
 * their bounds, corgi._segment_tables) are the segments, each a local heap relation read
 * whole at a visit with its own router (hop_train_bundle_partition). A foreign partition
 * is refused (its groups would need a grouped pass on its server). Returns the workers
 * launched.
 */
static int
hop_groups_over_partitions(Oid relid, const char *features, const char *label, ArrayType *group_columns,
						   ArrayType *group_keys, bytea **states, int models, const int32 *offsets, int32 segments,
						   int64 segment_seed, int epoch, bool block_shuffle, int workers, Size largest,
						   Datum *out_states, Datum *out_seconds)
{
	MemoryContext into = CurrentMemoryContext;
	Oid		   *relids;
	int			count;
	int32	   *order;
	CorgiError	error = {0};

	SPI_connect();
	{
		Oid			types[1] = {REGCLASSOID};
		Datum		values[1] = {ObjectIdGetDatum(relid)};
		bool		isnull;
		Datum		array;
		Datum	   *items;

		if (SPI_execute_with_args("SELECT corgi._segment_tables($1)", 1, types, values, NULL, true, 1) != SPI_OK_SELECT
			|| SPI_processed != 1)
			elog(ERROR, "corgi: the partitions of a grouped hopping epoch could not be read");
		array = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
		if (isnull)
			elog(ERROR, "corgi: the partitions of a grouped hopping epoch could not be read");
		deconstruct_array(DatumGetArrayTypeP(array), REGCLASSOID, sizeof(Oid), true, TYPALIGN_INT, &items, NULL,
						  &count);
		relids = MemoryContextAlloc(into, sizeof(Oid) * Max(count, 1));
		for (int i = 0; i < count; i++)
			relids[i] = DatumGetObjectId(items[i]);
	}
	SPI_finish();
	if (count != segments)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the segments of partitioned table %s are its %d partitions, got segments=%d",
						get_rel_name(relid), count, segments)));
	/* Every partition local, its grouping columns and keys checked before any worker starts. */
	for (int i = 0; i < count; i++)
	{
		Relation	rel = table_open(relids[i], AccessShareLock);

		if (rel->rd_rel->relkind != RELKIND_RELATION)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("grouping_cols is not offered yet over the foreign partition %s of %s",
							RelationGetRelationName(rel), get_rel_name(relid)),
					 errhint("Train each server's groups there, or group a local copy of the table.")));
		(void) corgi_group_keys_open(rel, group_columns, group_keys);
		table_close(rel, NoLock);
	}
	order = palloc(sizeof(int32) * ((int64) models * segments > (1 << 20) ? 1 : models * segments));
	corgi_hop_order(models, offsets, segments, segment_seed, epoch, order, (int64) models * segments, &error);
	corgi_raise_if_failed(&error);
	return corgi_hop_local_partitions(relids, segments, features, label, states, models, largest, order, epoch,
									  block_shuffle, workers, group_columns, group_keys, out_states, out_seconds);
}

static Datum
hop_epoch_sql(FunctionCallInfo fcinfo, bool grouped)
{
	int			shift = grouped ? 2 : 0;
	Oid			relid = PG_GETARG_OID(0);
	const char *features = corgi_features_argument(fcinfo, 1);
	const char *label = NameStr(*PG_GETARG_NAME(2));
	ArrayType  *group_columns = grouped ? PG_GETARG_ARRAYTYPE_P(3) : NULL;
	ArrayType  *group_keys = grouped ? PG_GETARG_ARRAYTYPE_P(4) : NULL;
	ArrayType  *states_array = PG_GETARG_ARRAYTYPE_P(3 + shift);
	ArrayType  *offsets_array = PG_GETARG_ARRAYTYPE_P(4 + shift);
	int32		segments = PG_GETARG_INT32(5 + shift);
	int64		segment_seed = PG_GETARG_INT64(6 + shift);
	bool		block_shuffle = PG_GETARG_BOOL(7 + shift);
	int32		workers = PG_GETARG_INT32(8 + shift);
	int32		configs_per_visit = !grouped && PG_NARGS() > 9 ? PG_GETARG_INT32(9) : 1;
	int			models;
	int			offset_count;
	Datum	   *state_datums;
	bytea	  **states;
	int32	   *offsets;
	CorgiStateInfo first_info;
	Size		largest = 0;
	CorgiHeapRows source;
	BlockNumber nblocks;
	int64		block_pages;
	int64		block_count;
	int32	   *segment_of;
	int32	   *order;
	int32	   *unit_of;
	int32	   *unit_offsets;
	int			units;
	CorgiError	error = {0};
	int			launched = 0;
	Datum	   *out_states;
	Datum	   *out_seconds;
	TupleDesc	tupdesc;
	Datum		values[3];
	bool		nulls[3] = {false, false, false};

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "corgi._hop_epoch must return a record");

	/* Arguments ---------------------------------------------------------------------- */
	state_datums = corgi_bytea_elements(states_array, grouped ? "bundles" : "states", &models);
	if (models < 1 || models > CORGI_HOP_MAX_MODELS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("model hopping trains 1 to %d models at once, got %d", CORGI_HOP_MAX_MODELS, models)));
	if (ARR_NDIM(offsets_array) > 1 || ARR_HASNULL(offsets_array) || ARR_ELEMTYPE(offsets_array) != INT4OID)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("offsets must be a one-dimensional integer array without NULLs")));
	offset_count = ArrayGetNItems(ARR_NDIM(offsets_array), ARR_DIMS(offsets_array));
	if (offset_count != models)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("offsets has %d elements, states has %d", offset_count, models)));
	offsets = (int32 *) ARR_DATA_PTR(offsets_array);
	if (segments < 1 || segments > 100000)		/* and at most the blocks, below */
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("segments must be between 1 and 100000, got %d", segments)));

	/* States: one epoch, one block size; each fits the memory budget. */
	states = grouped ? hop_bundles(state_datums, models, &first_info, &largest)
		: corgi_hop_states(state_datums, models, true, &first_info, &largest);
	block_pages = corgi_block_pages(first_info.block_mb);

	/* A partitioned table's groups: its partitions are the segments. */
	if (grouped && get_rel_relkind(relid) == RELKIND_PARTITIONED_TABLE)
	{
		out_states = palloc(sizeof(Datum) * models);
		out_seconds = palloc(sizeof(Datum) * models);
		launched = hop_groups_over_partitions(relid, features, label, group_columns, group_keys, states, models,
											  offsets, segments, segment_seed, first_info.epochs_completed,
											  block_shuffle, workers, largest, out_states, out_seconds);
		values[0] = PointerGetDatum(construct_array(out_states, models, BYTEAOID, -1, false, TYPALIGN_INT));
		values[1] = PointerGetDatum(construct_array(out_seconds, models, FLOAT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
		values[2] = Int32GetDatum(launched);
		tupdesc = BlessTupleDesc(tupdesc);
		PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
	}

	/* The table, its blocks and their segments -------------------------------------- */
	source = corgi_heap_rows_open(relid, features, label, "corgi.fit_multiple", "which it does not offer");
	/* The grouping columns and keys are checked here, before any worker starts. */
	if (grouped)
		(void) corgi_group_keys_open(source.rel, group_columns, group_keys);
	nblocks = corgi_heap_data_pages(source.rel);
	block_count = ((int64) nblocks + block_pages - 1) / block_pages;
	/* More segments than blocks are empty segments: work for the schedule, none for SGD. */
	if (segments > Max(block_count, CORGI_HOP_FREE_SEGMENTS))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("segments=%d exceeds the " INT64_FORMAT " blocks of table \"%s\"", segments, block_count,
						RelationGetRelationName(source.rel)),
				 errdetail("A segment is a set of CorgiPile blocks of %d pages (block_mb); a segment without a block is work for the schedule and none for training.",
						   (int) block_pages),
				 errhint("Use at most " INT64_FORMAT " segments, or lower block_mb for more, smaller blocks.",
						 Max(block_count, (int64) CORGI_HOP_FREE_SEGMENTS))));
	segment_of = palloc(sizeof(int32) * Max(block_count, 1));
	corgi_segment_blocks(block_count, segments, segment_seed, first_info.epochs_completed, segment_of, &error);
	corgi_raise_if_failed(&error);
	/*
	 * Visit units: models of one offset that see the same rows in the same order train in
	 * one visit, reading the segment once (FusedVisitPlan.swift); the schedule moves units.
	 */
	unit_of = NULL;
	units = models;
	unit_offsets = offsets;
	if (!grouped && models > 1)
	{
		const void **datas = palloc(sizeof(void *) * models);
		int64	   *lengths = palloc(sizeof(int64) * models);

		unit_of = palloc(sizeof(int32) * models);
		for (int m = 0; m < models; m++)
		{
			datas[m] = VARDATA_ANY(states[m]);
			lengths[m] = VARSIZE_ANY_EXHDR(states[m]);
		}
		corgi_visit_units(datas, lengths, offsets, models, configs_per_visit, unit_of, &error);
		corgi_raise_if_failed(&error);
		units = 0;
		for (int m = 0; m < models; m++)
			units = Max(units, unit_of[m] + 1);
		unit_offsets = palloc(sizeof(int32) * units);
		for (int m = models - 1; m >= 0; m--)
			unit_offsets[unit_of[m]] = offsets[m];
		check_fused_memory(states, models, unit_of, units);
	}
	/* Past the schedule's size limit a one-cell buffer is enough: Swift reports the error. */
	order = palloc(sizeof(int32) * ((int64) units * segments > (1 << 20) ? 1 : units * segments));
	corgi_hop_order(units, unit_offsets, segments, segment_seed, first_info.epochs_completed, order,
					(int64) units * segments, &error);
	corgi_raise_if_failed(&error);

	{
		HopSegments segs = {0};

		segs.relid = relid;
		segs.source = &source;
		segs.segment_of = segment_of;
		segs.block_count = block_count;
		segs.block_pages = block_pages;
		segs.nblocks = nblocks;
		segs.temporary = source.rel->rd_rel->relpersistence == RELPERSISTENCE_TEMP;
		out_states = palloc(sizeof(Datum) * models);
		out_seconds = palloc(sizeof(Datum) * models);
		launched = hop_run_epoch(&segs, features, label, states, models, unit_of, units, order, segments,
								 first_info.epochs_completed, block_shuffle, workers, largest, group_columns,
								 group_keys, out_states, out_seconds);
	}
	table_close(source.rel, NoLock);

	values[0] = PointerGetDatum(construct_array(out_states, models, BYTEAOID, -1, false, TYPALIGN_INT));
	values[1] = PointerGetDatum(construct_array(out_seconds, models, FLOAT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
	values[2] = Int32GetDatum(launched);
	tupdesc = BlessTupleDesc(tupdesc);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}

PG_FUNCTION_INFO_V1(corgi_hop_epoch);

/*
 * corgi._hop_epoch(source regclass, features text, label name, states bytea[],
 *                  offsets integer[], segments integer, segment_seed bigint,
 *                  block_shuffle boolean, workers integer, configs_per_visit integer,
 *                  OUT states bytea[], OUT seconds float8[], OUT workers_launched integer)
 *
 * One model-hopping epoch of every state (all at the same epoch, with the same
 * block_mb): the new states (the epoch still open: corgi.sgd_end_epoch closes it), the
 * seconds each model spent training, and how many workers ran beside the leader.
 * workers < 0 asks for the default (max_parallel_workers and corgi.max_workers allow).
 * Models of one offset that see the same rows (FusedVisitPlan.swift) train in units of
 * up to configs_per_visit, each unit reading a segment once for all its models.
 */
Datum
corgi_hop_epoch(PG_FUNCTION_ARGS)
{
	return hop_epoch_sql(fcinfo, false);
}

PG_FUNCTION_INFO_V1(corgi_hop_groups_epoch);

/*
 * corgi._hop_groups_epoch(source regclass, features text, label name, group_columns name[],
 *                         keys text[], bundles bytea[], offsets integer[], segments integer,
 *                         segment_seed bigint, block_shuffle boolean, workers integer,
 *                         OUT bundles bytea[], OUT seconds float8[], OUT workers_launched integer)
 *
 * corgi._hop_epoch for configs whose groups hop together: each model is a bundle of
 * group states (corgi._bundle; its groups are positions among keys, one text per
 * grouping column, group after group), and a job sends each row of the segment to its
 * group's state. Every group's state continues as it would trained on its own rows in
 * the same visiting order; the epochs stay open (corgi.sgd_end_epoch closes them).
 */
Datum
corgi_hop_groups_epoch(PG_FUNCTION_ARGS)
{
	return hop_epoch_sql(fcinfo, true);
}

/*
 * Model hopping over whole local relations (the partitions of corgi._hop_partitions when
 * none is foreign), on parallel workers as corgi._hop_epoch runs block segments: the
 * caller computed the visit orders and checked the states (corgi_hop_states: largest is
 * the largest state's size); workers < 0 asks for the default. With group columns and
 * keys (NULL: none) the states are bundles of group states (hop_groups_over_partitions).
 * Returns the workers launched.
 */
int
corgi_hop_local_partitions(const Oid *relids, int segments, const char *features, const char *label,
						   bytea **states, int models, Size largest, const int32 *order, int epoch,
						   bool block_shuffle, int workers, ArrayType *group_columns, ArrayType *group_keys,
						   Datum *out_states, Datum *out_seconds)
{
	HopSegments segs = {0};
	int			launched;
	Relation   *rels = palloc(sizeof(Relation) * segments);

	/* The leader locks every partition first (workers take the locks through group locking). */
	for (int s = 0; s < segments; s++)
	{
		rels[s] = table_open(relids[s], AccessShareLock);
		segs.temporary = segs.temporary || rels[s]->rd_rel->relpersistence == RELPERSISTENCE_TEMP;
	}
	segs.partitions = true;
	segs.relids = relids;
	segs.relid = InvalidOid;
	launched = hop_run_epoch(&segs, features, label, states, models, NULL, models, order, segments, epoch,
							 block_shuffle, workers, largest, group_columns, group_keys, out_states, out_seconds);
	for (int s = 0; s < segments; s++)
		table_close(rels[s], NoLock);
	return launched;
}
