/*
 * corgi_training.c: helpers shared by the fast and the composed training paths.
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#if PG_VERSION_NUM >= 160000
#include "varatt.h"
#endif

#include "corgi_core_api.h"
#include "corgi_error.h"
#include "corgi_training.h"

int			corgi_max_buffer_mb = 1024;

void
corgi_check_buffer_memory(int64 buffer_rows, int64 feature_count)
{
	double		mb = corgi_double_buffer_megabytes(buffer_rows, feature_count);

	if (mb > (double) corgi_max_buffer_mb)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("a tuple buffer of " INT64_FORMAT " rows x " INT64_FORMAT " features needs %.3f MB (two buffers), more than corgi.max_buffer_mb=%d",
						buffer_rows, feature_count, ceil(mb * 1000.0) / 1000.0, corgi_max_buffer_mb),
				 errhint("Lower buffer_fraction, or ask a superuser to raise corgi.max_buffer_mb.")));
}

/*
 * The buffers and the learner a state's trainer allocates, against corgi.max_buffer_mb
 * (networks and mini-batches allocate beyond the buffers).
 */
void
corgi_check_training_memory(const CorgiStateInfo *info)
{
	double		buffers = corgi_double_buffer_megabytes(info->buffer_capacity, info->feature_count);
	double		total = buffers + info->learner_mb;

	corgi_check_buffer_memory(info->buffer_capacity, info->feature_count);
	if (total > (double) corgi_max_buffer_mb)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("a %s model with its tuple buffers needs %.3f MB, more than corgi.max_buffer_mb=%d",
						info->model_name, ceil(total * 1000.0) / 1000.0, corgi_max_buffer_mb),
				 errdetail("The learner (parameters, gradient, optimizer state, one mini-batch) needs %.3f MB, the buffers %.3f MB.",
						   ceil(info->learner_mb * 1000.0) / 1000.0, ceil(buffers * 1000.0) / 1000.0),
				 errhint("Lower batch_size or hidden_layers, or ask a superuser to raise corgi.max_buffer_mb.")));
}

CorgiHandle *
corgi_trainer_open_with(MemoryContext context, bytea *state, void *previous, void *shared_worker)
{
	CorgiStateInfo info;

	/* A state's memory is checked again here: a crafted state may claim any size. */
	corgi_state_info(state, &info);
	return corgi_trainer_open_described(context, state, &info, previous, shared_worker, false);
}

CorgiHandle *
corgi_trainer_open_described(MemoryContext context, bytea *state, const CorgiStateInfo *info, void *previous,
							 void *shared_worker, bool synchronous)
{
	CorgiHandle *handle;
	CorgiError	error = {0};

	corgi_check_training_memory(info);
	handle = corgi_handle_new(context);
	if (synchronous)
		corgi_trainer_open_synchronous(VARDATA_ANY(state), VARSIZE_ANY_EXHDR(state), &handle->object, &error);
	else
		corgi_trainer_open(previous, shared_worker, VARDATA_ANY(state), VARSIZE_ANY_EXHDR(state), &handle->object,
						   &error);
	corgi_raise_if_failed(&error);
	return handle;
}

CorgiHandle *
corgi_trainer_open_in(MemoryContext context, bytea *state)
{
	return corgi_trainer_open_with(context, state, NULL, NULL);
}

void
corgi_group_stager_drain(void *stager)
{
	int32_t		status;

	while ((status = corgi_group_stager_advance(stager)) == 1)
		CHECK_FOR_INTERRUPTS();
	if (status < 0)
		elog(ERROR, "corgi: a grouped pass could not place every staged row in its group's buffer");
}

bytea *
corgi_trainer_finish(void *trainer, bool end_epoch)
{
	corgi_trainer_finish_pass(trainer);
	return corgi_trainer_complete(trainer, end_epoch);
}

bytea *
corgi_trainer_complete(void *trainer, bool end_epoch)
{
	CorgiError	error = {0};
	CorgiHandle *blob;

	corgi_trainer_drain(trainer);
	if (end_epoch)
	{
		corgi_trainer_end_epoch(trainer, &error);
		corgi_raise_if_failed(&error);
	}
	blob = corgi_handle_new(CurrentMemoryContext);
	corgi_trainer_serialize(trainer, &blob->object, &error);
	corgi_raise_if_failed(&error);
	return corgi_blob_to_bytea(blob);
}

Datum *
corgi_bytea_elements(ArrayType *array, const char *name, int *count)
{
	Datum	   *values;
	bool	   *nulls;

	if (ARR_NDIM(array) > 1 || ARR_ELEMTYPE(array) != BYTEAOID)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be a one-dimensional bytea array", name)));
	deconstruct_array(array, BYTEAOID, -1, false, TYPALIGN_INT, &values, &nulls, count);
	for (int i = 0; i < *count; i++)
		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("%s must not contain NULL (element %d is)", name, i + 1)));
	return values;
}

void
corgi_state_info(bytea *state, CorgiStateInfo *info)
{
	CorgiError	error = {0};

	corgi_state_describe(VARDATA_ANY(state), VARSIZE_ANY_EXHDR(state), info, &error);
	corgi_raise_if_failed(&error);
}

bytea *
corgi_blob_to_bytea(CorgiHandle *blob)
{
	int64		size = corgi_blob_size(blob->object);
	const uint8_t *data = corgi_blob_data(blob->object);
	bytea	   *result;

	if (size < 0 || (Size) size > MaxAllocSize - VARHDRSZ)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("corgi state of " INT64_FORMAT " bytes exceeds the 1 GB limit of a bytea", size),
				 errhint("Train a model with fewer features or classes.")));
	result = palloc(VARHDRSZ + size);
	SET_VARSIZE(result, VARHDRSZ + size);
	if (size > 0)
		memcpy(VARDATA(result), data, size);
	corgi_handle_release(blob);
	return result;
}

void
corgi_trainer_drain(void *trainer)
{
	while (corgi_trainer_train_step(trainer))
		CHECK_FOR_INTERRUPTS();
}

const char *
corgi_row_name(const CorgiRowTag *row)
{
	static char name[64];

	if (row->kind == CORGI_ROW_HEAP_TUPLE)
		snprintf(name, sizeof(name), "row (%u,%u)", row->block, row->offset);
	else
		snprintf(name, sizeof(name), "row " INT64_FORMAT " of the pass", (int64) row->position);
	return name;
}

double *
corgi_scratch_room(CorgiFeatureScratch *scratch, int n)
{
	if (scratch->capacity < n)
	{
		if (scratch->values)
			pfree(scratch->values);
		scratch->values = MemoryContextAlloc(scratch->context, sizeof(double) * Max(n, 1));
		scratch->capacity = n;
	}
	return scratch->values;
}

const double *
corgi_features_as_doubles(ArrayType *array, CorgiFeatureScratch *scratch,
						  const CorgiRowTag *row, int *count)
{
	int			n;

	if (ARR_NDIM(array) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("features of %s have %d dimensions, expected 1",
						corgi_row_name(row), ARR_NDIM(array))));
	n = ARR_NDIM(array) == 0 ? 0 : ARR_DIMS(array)[0];
	if (ARR_HASNULL(array))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("features of %s contain a NULL element", corgi_row_name(row)),
				 errhint("Replace NULL features (e.g. with 0), or filter such rows out in a view.")));
	*count = n;
	if (ARR_ELEMTYPE(array) == FLOAT8OID)
		return (const double *) ARR_DATA_PTR(array);
	if (ARR_ELEMTYPE(array) == FLOAT4OID)
	{
		const float4 *values = (const float4 *) ARR_DATA_PTR(array);

		double	   *out = corgi_scratch_room(scratch, n);

		for (int i = 0; i < n; i++)
			out[i] = values[i];
		return out;
	}
	ereport(ERROR,
			(errcode(ERRCODE_DATATYPE_MISMATCH),
			 errmsg("features must be float8[] or real[], got %s[]",
					format_type_be(ARR_ELEMTYPE(array)))));
	return NULL;				/* keep the compiler quiet */
}

void
corgi_trainer_feed(void *trainer, const double *features, int count, double label,
				   const CorgiRowTag *row)
{
	CorgiError	error;			/* filled by Swift when it fails: not cleared per row */
	int32_t		full = 0;

	error.message[0] = error.hint[0] = '\0';

	if (corgi_trainer_add(trainer, features, count, label, row, &full, &error) != CORGI_OK)
		corgi_raise_if_failed(&error);
	if (full)
		corgi_trainer_drain(trainer);
}
