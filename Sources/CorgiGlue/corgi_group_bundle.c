/*
 * corgi_group_bundle.c: a config's groups as one value, the unit that hops in
 * corgi.fit_multiple with grouping_cols (every group's state travels with the others).
 *
 * A bundle is a bytea: the 4 bytes "CGB1", int32 count, then count int32 group numbers
 * (0-based positions among the pass's group keys, ascending), count int32 state lengths,
 * and the states' bytes back to back (each a corgi state's payload). Crafted bundles are
 * refused with an error before anything is read past their end.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#if PG_VERSION_NUM >= 160000
#include "varatt.h"
#endif

#include "corgi_core_api.h"
#include "corgi_error.h"
#include "corgi_group_bundle.h"
#include "corgi_handle.h"
#include "corgi_training.h"

#define BUNDLE_MAGIC "CGB1"
#define BUNDLE_MAX_GROUPS 1000000

bytea *
corgi_bundle_pack(const int32 *groups, Datum *states, int count)
{
	Size		size = VARHDRSZ + 4 + sizeof(int32) + (Size) count * 2 * sizeof(int32);
	bytea	   *bundle;
	char	   *p;

	if (count < 1 || count > BUNDLE_MAX_GROUPS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a group bundle holds 1 to %d groups, got %d", BUNDLE_MAX_GROUPS, count)));
	for (int g = 0; g < count; g++)
	{
		if (g > 0 && groups[g] <= groups[g - 1])
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("the groups of a bundle must ascend, got %d after %d", groups[g], groups[g - 1])));
		if (groups[g] < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("group numbers of a bundle start at 0, got %d", groups[g])));
		size += VARSIZE_ANY_EXHDR(DatumGetPointer(states[g]));
		if (size > MaxAllocSize)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("a bundle of %d group states exceeds the 1 GB limit of a bytea", count),
					 errhint("Group by fewer groups per call, or train fewer configs.")));
	}
	bundle = palloc(size);
	SET_VARSIZE(bundle, size);
	p = VARDATA(bundle);
	memcpy(p, BUNDLE_MAGIC, 4);
	p += 4;
	memcpy(p, &count, sizeof(int32));
	p += sizeof(int32);
	memcpy(p, groups, sizeof(int32) * count);
	p += sizeof(int32) * count;
	for (int g = 0; g < count; g++)
	{
		int32		length = (int32) VARSIZE_ANY_EXHDR(DatumGetPointer(states[g]));

		memcpy(p, &length, sizeof(int32));
		p += sizeof(int32);
	}
	for (int g = 0; g < count; g++)
	{
		bytea	   *state = DatumGetByteaPP(states[g]);

		memcpy(p, VARDATA_ANY(state), VARSIZE_ANY_EXHDR(state));
		p += VARSIZE_ANY_EXHDR(state);
	}
	return bundle;
}

int
corgi_bundle_unpack(bytea *bundle, int32 **groups_out, Datum **states_out)
{
	const char *p = VARDATA_ANY(bundle);
	Size		left = VARSIZE_ANY_EXHDR(bundle);
	int32		count;
	int32	   *groups;
	Datum	   *states;
	const char *lengths;

	if (left < 4 + sizeof(int32) || memcmp(p, BUNDLE_MAGIC, 4) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("not a corgi group bundle")));
	memcpy(&count, p + 4, sizeof(int32));
	p += 4 + sizeof(int32);
	left -= 4 + sizeof(int32);
	if (count < 1 || count > BUNDLE_MAX_GROUPS || left < (Size) count * 2 * sizeof(int32))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("corgi group bundle is malformed (%d groups)", count)));
	groups = palloc(sizeof(int32) * count);
	states = palloc(sizeof(Datum) * count);
	memcpy(groups, p, sizeof(int32) * count);
	lengths = p + sizeof(int32) * count;
	p = lengths + sizeof(int32) * count;
	left -= (Size) count * 2 * sizeof(int32);
	for (int g = 0; g < count; g++)
	{
		int32		length;
		bytea	   *state;

		memcpy(&length, lengths + sizeof(int32) * g, sizeof(int32));
		if (length < 0 || (Size) length > left || groups[g] < 0 || (g > 0 && groups[g] <= groups[g - 1]))
			ereport(ERROR,
					(errcode(ERRCODE_DATA_CORRUPTED),
					 errmsg("corgi group bundle is malformed (group %d of %d)", g + 1, count)));
		state = palloc(VARHDRSZ + length);
		SET_VARSIZE(state, VARHDRSZ + length);
		memcpy(VARDATA(state), p, length);
		states[g] = PointerGetDatum(state);
		p += length;
		left -= length;
	}
	if (left != 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("corgi group bundle is malformed (%zu bytes past its states)", left)));
	*groups_out = groups;
	*states_out = states;
	return count;
}

PG_FUNCTION_INFO_V1(corgi_bundle_sql);

/* corgi._bundle(groups integer[], states bytea[]) -> bytea */
Datum
corgi_bundle_sql(PG_FUNCTION_ARGS)
{
	ArrayType  *groups = PG_GETARG_ARRAYTYPE_P(0);
	Datum	   *states;
	int			count;

	states = corgi_bytea_elements(PG_GETARG_ARRAYTYPE_P(1), "states", &count);
	if (ARR_NDIM(groups) > 1 || ARR_HASNULL(groups) || ARR_ELEMTYPE(groups) != INT4OID
		|| ArrayGetNItems(ARR_NDIM(groups), ARR_DIMS(groups)) != count)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("groups must be a one-dimensional integer array without NULLs, one per state")));
	PG_RETURN_BYTEA_P(corgi_bundle_pack((int32 *) ARR_DATA_PTR(groups), states, count));
}

PG_FUNCTION_INFO_V1(corgi_unbundle_sql);

/* corgi._unbundle(bundle bytea, OUT groups integer[], OUT states bytea[]) */
Datum
corgi_unbundle_sql(PG_FUNCTION_ARGS)
{
	int32	   *groups;
	Datum	   *states;
	Datum	   *group_datums;
	int			count = corgi_bundle_unpack(PG_GETARG_BYTEA_PP(0), &groups, &states);
	TupleDesc	tupdesc;
	Datum		values[2];
	bool		nulls[2] = {false, false};

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "corgi._unbundle must return a record");
	group_datums = palloc(sizeof(Datum) * count);
	for (int g = 0; g < count; g++)
		group_datums[g] = Int32GetDatum(groups[g]);
	values[0] = PointerGetDatum(construct_array(group_datums, count, INT4OID, 4, true, TYPALIGN_INT));
	values[1] = PointerGetDatum(construct_array(states, count, BYTEAOID, -1, false, TYPALIGN_INT));
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(tupdesc), values, nulls)));
}

PG_FUNCTION_INFO_V1(corgi_bundle_end_epoch);

/*
 * corgi._bundle_end_epoch(bundle bytea, OUT bundle bytea, OUT groups integer[],
 *                         OUT loss float8[], OUT rows bigint[], OUT diverged_groups integer[],
 *                         OUT diverged_states bytea[])
 *
 * Closes the epoch of every group state of a bundle (as corgi.sgd_end_epoch does) and
 * takes out the groups whose training diverged (corgi._diverged's rule): the bundle of
 * the others (NULL when none is left), per group of the input its epoch's mean loss and
 * rows, and the diverged groups with their states. One call per config per epoch, where
 * SQL would call three functions per group.
 */
Datum
corgi_bundle_end_epoch(PG_FUNCTION_ARGS)
{
	int32	   *groups;
	Datum	   *states;
	int			count = corgi_bundle_unpack(PG_GETARG_BYTEA_PP(0), &groups, &states);
	int32	   *kept_groups = palloc(sizeof(int32) * count);
	Datum	   *kept_states = palloc(sizeof(Datum) * count);
	Datum	   *group_datums = palloc(sizeof(Datum) * count);
	Datum	   *loss = palloc(sizeof(Datum) * count);
	bool	   *loss_nulls = palloc0(sizeof(bool) * count);
	Datum	   *rows = palloc(sizeof(Datum) * count);
	Datum	   *diverged_groups = palloc(sizeof(Datum) * count);
	Datum	   *diverged_states = palloc(sizeof(Datum) * count);
	int			kept = 0,
				diverged = 0;
	int			dims[1];
	int			lbs[1] = {1};
	TupleDesc	tupdesc;
	Datum		values[6];
	bool		nulls[6] = {false, false, false, false, false, false};

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "corgi._bundle_end_epoch must return a record");
	for (int g = 0; g < count; g++)
	{
		bytea	   *state = DatumGetByteaPP(states[g]);
		CorgiHandle *blob = corgi_handle_new(CurrentMemoryContext);
		CorgiError	error = {0};
		CorgiStateInfo info;
		bytea	   *ended;

		CHECK_FOR_INTERRUPTS();
		corgi_state_end_epoch(VARDATA_ANY(state), VARSIZE_ANY_EXHDR(state), &blob->object, &error);
		corgi_raise_if_failed(&error);
		ended = corgi_blob_to_bytea(blob);
		corgi_state_info(ended, &info);
		group_datums[g] = Int32GetDatum(groups[g]);
		loss[g] = Float8GetDatum(info.last_mean_loss);
		loss_nulls[g] = info.last_rows == 0;
		rows[g] = Int64GetDatum(info.last_rows);
		if (corgi_state_diverged(ended, &info))
		{
			diverged_groups[diverged] = Int32GetDatum(groups[g]);
			diverged_states[diverged++] = PointerGetDatum(ended);
		}
		else
		{
			kept_groups[kept] = groups[g];
			kept_states[kept++] = PointerGetDatum(ended);
		}
	}
	values[0] = kept > 0 ? PointerGetDatum(corgi_bundle_pack(kept_groups, kept_states, kept)) : (Datum) 0;
	nulls[0] = kept == 0;
	values[1] = PointerGetDatum(construct_array(group_datums, count, INT4OID, 4, true, TYPALIGN_INT));
	dims[0] = count;
	values[2] = PointerGetDatum(construct_md_array(loss, loss_nulls, 1, dims, lbs, FLOAT8OID, 8, FLOAT8PASSBYVAL,
												   TYPALIGN_DOUBLE));
	values[3] = PointerGetDatum(construct_array(rows, count, INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
	values[4] = PointerGetDatum(construct_array(diverged_groups, diverged, INT4OID, 4, true, TYPALIGN_INT));
	values[5] = PointerGetDatum(construct_array(diverged_states, diverged, BYTEAOID, -1, false, TYPALIGN_INT));
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(tupdesc), values, nulls)));
}
