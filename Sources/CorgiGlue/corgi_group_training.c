/*
 * corgi_group_training.c: grouped learning (corgi.train's grouping_cols), one model per
 * group, every group of a batch trained in one block-shuffled pass.
 *
 * Each row is routed by its group key (corgi_group_router.c: the types' hash and
 * equality, GROUP BY's semantics) to its group's Swift trainer, which has a tuple buffer
 * of its own: every group sees its rows in CorgiPile order (the table's seeded block
 * order, then its own buffer shuffles), as it would trained alone on
 *   SELECT ... FROM t TABLESAMPLE corgi_block_shuffle(block_pages) REPEATABLE (seed)
 *   WHERE <group key> = <its key>
 * Two paths route the same rows the same way:
 * - corgi._train_groups reads a heap table's pages (plain grouping columns), as
 *   corgi.train_pass does, with the same privilege and row-level security checks
 *   (corgi_group_pass; model hopping with groups runs the same pass over a segment);
 * - the aggregate corgi._sgd_groups takes each row's key as a record from any query
 *   (views, row-level security, expressions), fed in the TABLESAMPLE order.
 * Both close every trained group's epoch. Memory: the caller cuts the groups into
 * batches that fit corgi's budget (one scan per batch); the total is checked here.
 * Threads: the groups share the backend's one worker thread (corgi_shared_worker_create).
 * On the heap path the backend checks each row and stages it (GroupRowStager, Swift);
 * the worker writes staged rows into the groups' buffers and trains them, the trainers
 * being synchronous. On the query path each group's full buffer is queued to the worker
 * (a ticketed queue). The worker is joined when the stager or the first trainer is let
 * go, so they are let go only after every group is serialized.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/typcache.h"
#if PG_VERSION_NUM >= 160000
#include "varatt.h"
#endif

#include "corgi_core_api.h"
#include "corgi_error.h"
#include "corgi_group_router.h"
#include "corgi_group_training.h"
#include "corgi_heap_rows.h"
#include "corgi_training.h"

/*
 * What the fast path's route hands the row sinks: the pass's stager and the row's group.
 * The stager (corgi_group_stager_open) takes checked rows in arrival order into staging
 * chunks; the pass's worker thread writes them into the groups' buffers and trains each
 * full buffer. Writing into a thousand buffers scatters the writes, and in the backend,
 * which reads the table, each waited on memory; the worker had time to spare.
 */
typedef struct GroupRowTarget
{
	void	   *stager;
	int32		group;
} GroupRowTarget;

/* The trainers of one grouped pass, and how a row finds its own. */
typedef struct GroupPass
{
	CorgiGroupRouter *router;
	const int32 *state_of_group;	/* fast path: the router's group -> its state's
									 * index, -1 for none (NULL: the same index) */
	CorgiHandle **trainers;		/* by state index */
	GroupRowTarget *targets;	/* by state index, when the pass has a stager */
	int			key_count;
	const AttrNumber *key_columns;	/* fast path: the grouping columns' numbers */
	Datum	   *values;			/* scratch: one row's key */
	bool	   *nulls;
} GroupPass;

/*
 * Opens one trainer per state in `context`, after checking that the states share an
 * epoch, a block size and a seed (one scan order serves them all) and that all their
 * buffers together fit corgi.max_buffer_mb. Fills *info with the first state's facts.
 * The trainers hand their full buffers to the pass's one worker thread, or, when
 * `synchronous`, train inline (a stager trains them on that worker); *worker_out, when
 * given, receives the worker's handle.
 */
static CorgiHandle **
open_group_trainers(MemoryContext context, Datum *states, int count, CorgiStateInfo *first, bool synchronous,
					CorgiHandle **worker_out)
{
	CorgiHandle **trainers = MemoryContextAlloc(context, sizeof(CorgiHandle *) * Max(count, 1));
	double		total_mb = 0;
	/*
	 * One worker thread trains the groups' full buffers while the backend reads and
	 * routes rows. Registered first in the context, so its reset callback runs after the
	 * trainers' (callbacks run last registered first).
	 */
	CorgiHandle *worker = corgi_handle_new(context);

	worker->object = corgi_shared_worker_create();
	if (worker_out)
		*worker_out = worker;

	for (int g = 0; g < count; g++)
	{
		bytea	   *state = DatumGetByteaPP(states[g]);
		CorgiStateInfo info;

		corgi_state_info(state, &info);
		if (g == 0)
			*first = info;
		else if (info.epochs_completed != first->epochs_completed || info.seed != first->seed
				 || corgi_block_pages(info.block_mb) != corgi_block_pages(first->block_mb))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("the groups of one pass must share the epoch, the seed and block_mb (group %d differs from group 1)",
							g + 1)));
		total_mb += corgi_double_buffer_megabytes(info.buffer_capacity, info.feature_count) + info.learner_mb;
		if (total_mb > corgi_max_buffer_mb)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("the groups of one pass need more than corgi.max_buffer_mb (%d MB) for their buffers and models",
							corgi_max_buffer_mb),
					 errhint("Train the groups in smaller batches (corgi.train does), or raise corgi.max_buffer_mb.")));
		CHECK_FOR_INTERRUPTS();
		trainers[g] = corgi_trainer_open_described(context, state, &info, NULL, worker->object, synchronous);
	}
	return trainers;
}

/*
 * Every group's pass ends (unless a stager ended them: passes_ended), its epoch
 * closes when end_epoch; the new states, in group order. First every
 * group hands its partial buffer to the worker (one step each: the worker trains them
 * back to back), then each group waits for its own and is serialized: ending the groups
 * one after the other instead would wait out a hand-off and a wake-up per group. Each
 * group's buffers are trained in the same order either way. The trainers are let go only
 * after all are serialized: the first one let go stops the worker they share.
 */
static Datum *
close_group_trainers(CorgiHandle **trainers, int count, bool passes_ended, bool end_epoch)
{
	Datum	   *out = palloc(sizeof(Datum) * Max(count, 1));

	for (int g = 0; g < count && !passes_ended; g++)
	{
		CHECK_FOR_INTERRUPTS();
		corgi_trainer_finish_pass(trainers[g]->object);
		(void) corgi_trainer_train_step(trainers[g]->object);
	}
	for (int g = 0; g < count; g++)
	{
		CHECK_FOR_INTERRUPTS();
		out[g] = PointerGetDatum(corgi_trainer_complete(trainers[g]->object, end_epoch));
	}
	/* Spent: the buffers go now, not at the end of the statement. */
	for (int g = 0; g < count; g++)
		corgi_handle_release(trainers[g]);
	return out;
}

/* corgi_heap_rows_read's route: the trainer of the tuple's group, or NULL. */
static void *
route_heap_row(void *arg, HeapTuple tuple, TupleDesc desc)
{
	GroupPass  *pass = (GroupPass *) arg;
	int32		group;

	for (int c = 0; c < pass->key_count; c++)
		pass->values[c] = heap_getattr(tuple, pass->key_columns[c], desc, &pass->nulls[c]);
	group = corgi_group_router_find(pass->router, pass->values, pass->nulls);
	if (group >= 0 && pass->state_of_group != NULL)
		group = pass->state_of_group[group];
	if (group < 0)
		return NULL;
	return pass->targets ? (void *) &pass->targets[group] : pass->trainers[group]->object;
}

/* corgi_heap_rows_read's sink with a stager: the row checked and staged. */
static void
stage_group_row(void *arg, const double *features, int count, double label, const CorgiRowTag *row)
{
	GroupRowTarget *target = (GroupRowTarget *) arg;
	CorgiError	error = {0};
	int32_t		full = 0;

	corgi_group_stager_add(target->stager, target->group, features, count, label, row, &full, &error);
	corgi_raise_if_failed(&error);
	if (full)
		corgi_group_stager_drain(target->stager);
}

/* corgi_heap_rows_read's NULL-row sink with a stager. */
static void
skip_staged_row(void *arg)
{
	GroupRowTarget *target = (GroupRowTarget *) arg;

	corgi_group_stager_skip(target->stager, target->group);
}

CorgiGroupKeys
corgi_group_keys_open(Relation rel, ArrayType *columns, ArrayType *keys)
{
	CorgiGroupKeys result;
	Datum	   *column_names;
	bool	   *column_nulls;
	int			key_count;
	AttrNumber *key_columns;
	Oid		   *types;
	Oid		   *collations;

	if (ARR_NDIM(columns) > 1 || ARR_ELEMTYPE(columns) != NAMEOID)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("group_columns must be a one-dimensional name array")));
	deconstruct_array(columns, NAMEOID, NAMEDATALEN, false, TYPALIGN_CHAR, &column_names, &column_nulls, &key_count);
	if (key_count < 1 || key_count > 32)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("grouping takes 1 to 32 columns, got %d", key_count)));
	key_columns = palloc(sizeof(AttrNumber) * key_count);
	types = palloc(sizeof(Oid) * key_count);
	collations = palloc(sizeof(Oid) * key_count);
	for (int c = 0; c < key_count; c++)
	{
		if (column_nulls[c])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("group_columns must not contain NULL")));
		key_columns[c] = get_attnum(RelationGetRelid(rel), NameStr(*DatumGetName(column_names[c])));
		if (key_columns[c] <= 0)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("grouping column \"%s\" is not a column of \"%s\"", NameStr(*DatumGetName(column_names[c])),
							RelationGetRelationName(rel))));
		if (pg_attribute_aclcheck(RelationGetRelid(rel), key_columns[c], GetUserId(), ACL_SELECT) != ACLCHECK_OK
			&& pg_class_aclcheck(RelationGetRelid(rel), GetUserId(), ACL_SELECT) != ACLCHECK_OK)
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("permission denied for table %s", RelationGetRelationName(rel))));
		get_atttypetypmodcoll(RelationGetRelid(rel), key_columns[c], &types[c], &(int32){0}, &collations[c]);
	}
	result.key_count = key_count;
	result.columns = key_columns;
	result.router = corgi_group_router_build(key_count, types, collations, keys);
	return result;
}

Datum *
corgi_group_pass(CorgiHeapRows *source, const CorgiGroupKeys *keys, const int32 *state_of_group, Datum *states,
				 int count, bool end_epoch, CorgiGroupReader reader, void *reader_arg)
{
	GroupPass	pass = {0};
	CorgiStateInfo info;
	MemoryContext pass_context = AllocSetContextCreate(CurrentMemoryContext, "corgi grouped pass",
													   ALLOCSET_DEFAULT_SIZES);
	CorgiHandle *worker;
	CorgiHandle *stager;
	Datum	   *result;

	pass.router = keys->router;
	pass.state_of_group = state_of_group;
	pass.key_count = keys->key_count;
	pass.key_columns = keys->columns;
	pass.values = palloc(sizeof(Datum) * keys->key_count);
	pass.nulls = palloc(sizeof(bool) * keys->key_count);
	pass.trainers = open_group_trainers(pass_context, states, count, &info, true, &worker);
	/* Registered after the trainers: let go of (its worker joined) before them, on ERROR too. */
	stager = corgi_handle_new(pass_context);
	{
		void	  **objects = palloc(sizeof(void *) * count);

		for (int g = 0; g < count; g++)
			objects[g] = pass.trainers[g]->object;
		stager->object = corgi_group_stager_open(objects, count, worker->object);
		pfree(objects);
	}
	if (stager->object != NULL)
	{
		pass.targets = MemoryContextAlloc(pass_context, sizeof(GroupRowTarget) * count);
		for (int g = 0; g < count; g++)
		{
			pass.targets[g].stager = stager->object;
			pass.targets[g].group = g;
		}
	}
	source->route = route_heap_row;
	source->route_arg = &pass;
	if (stager->object != NULL)
	{
		reader(source, &info, stage_group_row, skip_staged_row, reader_arg);
		corgi_group_stager_finish_pass(stager->object);
		corgi_group_stager_drain(stager->object);
	}
	else
	{
		/* A streaming buffer mode: every group's trainer fed and trained inline. */
		reader(source, &info, corgi_trainer_feed, corgi_trainer_skip, reader_arg);
	}
	source->route = NULL;
	source->route_arg = NULL;
	result = close_group_trainers(pass.trainers, count, stager->object != NULL, end_epoch);
	corgi_handle_release(stager);
	MemoryContextDelete(pass_context);
	return result;
}

/* corgi._train_groups's reader: the whole relation in the states' block order. */
static void
read_whole_relation(CorgiHeapRows *source, const CorgiStateInfo *info, CorgiRowSink sink,
					CorgiNullRowSink null_sink, void *reader_arg)
{
	corgi_read_in_block_order(source, *(bool *) reader_arg, info, sink, null_sink, NULL);
}

PG_FUNCTION_INFO_V1(corgi_train_groups);

/*
 * corgi._train_groups(source regclass, features text, label name, group_columns name[],
 *                     keys text[], states bytea[], block_shuffle boolean) -> bytea[]
 *
 * One epoch of every group whose key is in keys (group after group, one text per
 * grouping column, NULL for a NULL key) and whose state is at the same position in
 * states, over a heap table read in the states' block order. Rows of other groups are
 * passed over. Returns the new states, each epoch closed.
 */
Datum
corgi_train_groups(PG_FUNCTION_ARGS)
{
	ArrayType  *states_array = PG_GETARG_ARRAYTYPE_P(5);
	bool		block_shuffle = PG_GETARG_BOOL(6);
	Datum	   *states;
	int			state_count;
	CorgiHeapRows source;
	CorgiGroupKeys keys;
	Datum	   *result;

	states = corgi_bytea_elements(states_array, "states", &state_count);
	if (state_count < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a grouped pass needs at least one group")));
	source = corgi_heap_rows_open(PG_GETARG_OID(0), corgi_features_argument(fcinfo, 1), NameStr(*PG_GETARG_NAME(2)),
								  "corgi.train", "corgi._sgd_groups");
	keys = corgi_group_keys_open(source.rel, PG_GETARG_ARRAYTYPE_P(3), PG_GETARG_ARRAYTYPE_P(4));
	if (keys.router->group_count != state_count)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%d group keys for %d states", keys.router->group_count, state_count)));
	result = corgi_group_pass(&source, &keys, NULL, states, state_count, true, read_whole_relation, &block_shuffle);
	table_close(source.rel, NoLock);
	PG_RETURN_ARRAYTYPE_P(construct_array(result, state_count, BYTEAOID, -1, false, TYPALIGN_INT));
}

/*
 * A router for group keys that arrive as rows of the record type of `key` (its columns'
 * types and collations; a column without one takes its type's), built from `keys`.
 */
static CorgiGroupRouter *
router_for_record(HeapTupleHeader key, ArrayType *keys)
{
	TupleDesc	desc = lookup_rowtype_tupdesc(HeapTupleHeaderGetTypeId(key), HeapTupleHeaderGetTypMod(key));
	int			count = desc->natts;
	Oid		   *types = palloc(sizeof(Oid) * count);
	Oid		   *collations = palloc(sizeof(Oid) * count);

	for (int c = 0; c < count; c++)
	{
		types[c] = TupleDescAttr(desc, c)->atttypid;
		collations[c] = TupleDescAttr(desc, c)->attcollation;
		if (!OidIsValid(collations[c]))
			collations[c] = get_typcollation(types[c]);
	}
	ReleaseTupleDesc(desc);
	return corgi_group_router_build(count, types, collations, keys);
}

/*
 * The group of a record key of the type the router was built for (its values deformed
 * into the router's key_count-long scratch), or -1.
 */
static int32
find_record_key(const CorgiGroupRouter *router, HeapTupleHeader key, Datum *values, bool *nulls)
{
	TupleDesc	desc = lookup_rowtype_tupdesc(HeapTupleHeaderGetTypeId(key), HeapTupleHeaderGetTypMod(key));
	HeapTupleData tuple;

	tuple.t_len = HeapTupleHeaderGetDatumLength(key);
	ItemPointerSetInvalid(&tuple.t_self);
	tuple.t_tableOid = InvalidOid;
	tuple.t_data = key;
	heap_deform_tuple(&tuple, desc, values, nulls);
	ReleaseTupleDesc(desc);
	return corgi_group_router_find(router, values, nulls);
}

/* The composed path's aggregate state. */
typedef struct GroupAggregateState
{
	GroupPass	pass;
	CorgiFeatureScratch scratch;
	int			state_count;
	Oid			key_type;		/* the key record's type and typmod, fixed by the first row */
	int32		key_typmod;
	int64		rows;
} GroupAggregateState;

PG_FUNCTION_INFO_V1(corgi_sgd_groups_transition);

/*
 * corgi_sgd_groups_transition(internal, key record, features float8[], label float8,
 *                             states bytea[], keys text[])
 */
Datum
corgi_sgd_groups_transition(PG_FUNCTION_ARGS)
{
	MemoryContext aggregate_context;
	GroupAggregateState *s;
	HeapTupleHeader key;
	int32		group;
	CorgiRowTag row = {0};
	const double *x;
	int			count;

	if (!AggCheckCallContext(fcinfo, &aggregate_context))
		elog(ERROR, "corgi_sgd_groups_transition called in non-aggregate context");
	if (PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("the group key of corgi._sgd_groups must be a row, not NULL")));
	key = PG_GETARG_HEAPTUPLEHEADER(1);
	if (PG_ARGISNULL(0))
	{
		MemoryContext old = MemoryContextSwitchTo(aggregate_context);
		Datum	   *states;
		CorgiStateInfo info;

		if (PG_ARGISNULL(4) || PG_ARGISNULL(5))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("the states and keys of corgi._sgd_groups must not be NULL")));
		s = palloc0(sizeof(GroupAggregateState));
		s->scratch.context = aggregate_context;
		s->key_type = HeapTupleHeaderGetTypeId(key);
		s->key_typmod = HeapTupleHeaderGetTypMod(key);
		s->pass.router = router_for_record(key, PG_GETARG_ARRAYTYPE_P(5));
		s->pass.key_count = s->pass.router->key_count;
		s->pass.values = palloc(sizeof(Datum) * s->pass.key_count);
		s->pass.nulls = palloc(sizeof(bool) * s->pass.key_count);
		states = corgi_bytea_elements(PG_GETARG_ARRAYTYPE_P(4), "states", &s->state_count);
		if (s->pass.router->group_count != s->state_count)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%d group keys for %d states", s->pass.router->group_count, s->state_count)));
		s->pass.trainers = open_group_trainers(aggregate_context, states, s->state_count, &info, false, NULL);
		MemoryContextSwitchTo(old);
	}
	else
		s = (GroupAggregateState *) PG_GETARG_POINTER(0);

	if (HeapTupleHeaderGetTypeId(key) != s->key_type || HeapTupleHeaderGetTypMod(key) != s->key_typmod)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("every group key of corgi._sgd_groups must have the same row type")));
	group = find_record_key(s->pass.router, key, s->pass.values, s->pass.nulls);
	s->rows++;
	if (group < 0)
		PG_RETURN_POINTER(s);		/* a row of no group of this pass */
	if (PG_ARGISNULL(2) || PG_ARGISNULL(3))
	{
		corgi_trainer_skip(s->pass.trainers[group]->object);
		PG_RETURN_POINTER(s);
	}
	row.kind = CORGI_ROW_PASS_POSITION;
	row.position = s->rows;
	x = corgi_features_as_doubles(PG_GETARG_ARRAYTYPE_P(2), &s->scratch, &row, &count);
	corgi_trainer_feed(s->pass.trainers[group]->object, x, count, PG_GETARG_FLOAT8(3), &row);
	PG_RETURN_POINTER(s);
}

PG_FUNCTION_INFO_V1(corgi_sgd_groups_final);

/* Final function of corgi._sgd_groups: every group's epoch closed; NULL without rows. */
Datum
corgi_sgd_groups_final(PG_FUNCTION_ARGS)
{
	GroupAggregateState *s;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	s = (GroupAggregateState *) PG_GETARG_POINTER(0);
	PG_RETURN_ARRAYTYPE_P(construct_array(close_group_trainers(s->pass.trainers, s->state_count, false, true),
										  s->state_count, BYTEAOID, -1, false, TYPALIGN_INT));
}

/* corgi._group_index's router, kept across the calls of one query (fn_extra). */
typedef struct GroupIndexCache
{
	CorgiGroupRouter *router;
	Oid			key_type;
	int32		key_typmod;
	bytea	   *keys_copy;		/* the keys it was built from */
	Datum		keys_datum;		/* and the argument as it came, undetoasted */
	Datum	   *values;
	bool	   *nulls;
} GroupIndexCache;

PG_FUNCTION_INFO_V1(corgi_group_index);

/*
 * corgi._group_index(key record, keys text[]) -> integer: the 1-based position of the
 * key's group among the keys (as corgi._train_groups takes them: one text per grouping
 * column, group after group), with the types' hash and equality (GROUP BY's semantics:
 * NULL keys are a group); NULL for a key of no group. How prediction and evaluation find
 * a row's model in a grouped model table.
 *
 * The keys are a constant or a parameter of the query: the same argument datum every
 * row, recognized without detoasting (an expanded array would be flattened anew at every
 * call); another datum is compared by content, and the router rebuilt only if it differs.
 */
Datum
corgi_group_index(PG_FUNCTION_ARGS)
{
	HeapTupleHeader key = PG_GETARG_HEAPTUPLEHEADER(0);
	Datum		keys_datum = PG_GETARG_DATUM(1);
	GroupIndexCache *cache = (GroupIndexCache *) fcinfo->flinfo->fn_extra;
	int32		group;

	if (cache == NULL || cache->keys_datum != keys_datum
		|| cache->key_type != HeapTupleHeaderGetTypeId(key) || cache->key_typmod != HeapTupleHeaderGetTypMod(key))
	{
		ArrayType  *keys = PG_GETARG_ARRAYTYPE_P(1);
		bool		same = cache != NULL && cache->key_type == HeapTupleHeaderGetTypeId(key)
			&& cache->key_typmod == HeapTupleHeaderGetTypMod(key)
			&& VARSIZE(cache->keys_copy) == VARSIZE(keys) && memcmp(cache->keys_copy, keys, VARSIZE(keys)) == 0;

		if (!same)
		{
			MemoryContext old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);

			cache = palloc0(sizeof(GroupIndexCache));
			cache->key_type = HeapTupleHeaderGetTypeId(key);
			cache->key_typmod = HeapTupleHeaderGetTypMod(key);
			cache->keys_copy = palloc(VARSIZE(keys));
			memcpy(cache->keys_copy, keys, VARSIZE(keys));
			cache->router = router_for_record(key, keys);
			cache->values = palloc(sizeof(Datum) * cache->router->key_count);
			cache->nulls = palloc(sizeof(bool) * cache->router->key_count);
			fcinfo->flinfo->fn_extra = cache;
			MemoryContextSwitchTo(old);
		}
		cache->keys_datum = keys_datum;
	}
	group = find_record_key(cache->router, key, cache->values, cache->nulls);
	if (group < 0)
		PG_RETURN_NULL();
	PG_RETURN_INT32(group + 1);
}
