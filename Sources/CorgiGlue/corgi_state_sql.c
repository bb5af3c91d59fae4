/*
 * corgi_state_sql.c: SQL functions over training states (bytea): make one, describe
 * it, read its coefficients, close an epoch, normalise a parameter string.
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#if PG_VERSION_NUM >= 160000
#include "varatt.h"
#endif

#include "corgi_core_api.h"
#include "corgi_error.h"
#include "corgi_training.h"

PG_FUNCTION_INFO_V1(corgi_normalize_params);

/*
 * corgi.normalize_params(params text [, model text]) -> text: with a model, its own
 * defaults apply (networks: adam, batch_size 64, ...).
 */
Datum
corgi_normalize_params(PG_FUNCTION_ARGS)
{
	char		out[CORGI_PARAMS_SIZE];
	CorgiError	error = {0};
	const char *model = (PG_NARGS() > 1 && !PG_ARGISNULL(1)) ? text_to_cstring(PG_GETARG_TEXT_PP(1)) : NULL;

	corgi_params_normalize(corgi_text_to_utf8(PG_GETARG_TEXT_PP(0)), model, out, sizeof(out), &error);
	corgi_raise_if_failed(&error);
	PG_RETURN_TEXT_P(cstring_to_text(corgi_utf8_to_server(out)));
}

PG_FUNCTION_INFO_V1(corgi_merge_params);

/*
 * corgi._merge_params(base text, override text) -> text: override's key=value items
 * over base's (a fit_multiple config over the call's shared params); not validated.
 */
Datum
corgi_merge_params(PG_FUNCTION_ARGS)
{
	char		out[CORGI_PARAMS_SIZE];
	CorgiError	error = {0};

	corgi_params_merge(corgi_text_to_utf8(PG_GETARG_TEXT_PP(0)), corgi_text_to_utf8(PG_GETARG_TEXT_PP(1)),
					   out, sizeof(out), &error);
	corgi_raise_if_failed(&error);
	PG_RETURN_TEXT_P(cstring_to_text(corgi_utf8_to_server(out)));
}

/* A float8[]'s values (any shape, flattened) as a palloc'd C array; a NULL element is an error naming the argument. */
static double *
float8_values(ArrayType *array, const char *name, int *count)
{
	Datum	   *values;
	bool	   *nulls;
	double	   *out;

	deconstruct_array(array, FLOAT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE, &values, &nulls, count);
	out = palloc(sizeof(double) * Max(*count, 1));
	for (int i = 0; i < *count; i++)
	{
		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("%s must not contain NULL", name)));
		out[i] = DatumGetFloat8(values[i]);
	}
	return out;
}

PG_FUNCTION_INFO_V1(corgi_sgd_state);

/*
 * corgi.sgd_state(model text, n_features int, buffer_rows bigint, params text,
 *                 classes float8[], buffer text) -> bytea
 */
Datum
corgi_sgd_state(PG_FUNCTION_ARGS)
{
	char	   *model;
	int32		n_features;
	int64		buffer_rows;
	char	   *params;
	char	   *buffer;
	double	   *classes = NULL;
	int			class_count = 0;
	CorgiHandle *blob;
	CorgiError	error = {0};

	/* Not STRICT: params and classes may be NULL, nothing else may. */
	corgi_require_argument(PG_ARGISNULL(0), "corgi.sgd_state", "model");
	corgi_require_argument(PG_ARGISNULL(1), "corgi.sgd_state", "n_features");
	corgi_require_argument(PG_ARGISNULL(2), "corgi.sgd_state", "buffer_rows");
	corgi_require_argument(PG_ARGISNULL(5), "corgi.sgd_state", "buffer");
	model = corgi_text_to_utf8(PG_GETARG_TEXT_PP(0));
	n_features = PG_GETARG_INT32(1);
	buffer_rows = PG_GETARG_INT64(2);
	params = PG_ARGISNULL(3) ? "" : corgi_text_to_utf8(PG_GETARG_TEXT_PP(3));
	buffer = corgi_text_to_utf8(PG_GETARG_TEXT_PP(5));
	blob = corgi_handle_new(CurrentMemoryContext);

	if (!PG_ARGISNULL(4))
		classes = float8_values(PG_GETARG_ARRAYTYPE_P(4), "classes", &class_count);
	if (n_features >= 1 && buffer_rows >= 1)
		corgi_check_buffer_memory(buffer_rows, n_features);
	corgi_state_create(model, n_features, classes, class_count, params, buffer_rows,
					   buffer, (double) corgi_max_buffer_mb, &blob->object, &error);
	corgi_raise_if_failed(&error);
	{
		bytea	   *result = corgi_blob_to_bytea(blob);
		CorgiStateInfo info;

		/* The learner's memory (a network, a mini-batch) counts too. */
		corgi_state_info(result, &info);
		corgi_check_training_memory(&info);
		PG_RETURN_BYTEA_P(result);
	}
}

PG_FUNCTION_INFO_V1(corgi_plan_buffer_rows_sql);

/*
 * corgi._buffer_rows(shuffle text, usable_rows bigint, buffer_fraction float8,
 *     features integer, full_shuffle_mb float8, max_buffer_mb float8) -> bigint
 *
 * The full buffer of small data stays within the call's max_buffer_mb and the server's
 * corgi.max_buffer_mb (else buffer_fraction applies).
 */
Datum
corgi_plan_buffer_rows_sql(PG_FUNCTION_ARGS)
{
	char	   *shuffle = text_to_cstring(PG_GETARG_TEXT_PP(0));
	int64		rows = corgi_plan_buffer_rows(shuffle, PG_GETARG_INT64(1), PG_GETARG_FLOAT8(2), PG_GETARG_INT32(3),
											  PG_GETARG_FLOAT8(4), Min(PG_GETARG_FLOAT8(5), (double) corgi_max_buffer_mb));

	if (rows < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown shuffle \"%s\"", shuffle)));
	PG_RETURN_INT64(rows);
}

PG_FUNCTION_INFO_V1(corgi_plan_buffer_mode_sql);

/* corgi._buffer_mode(shuffle text) -> text: the tuple buffer a shuffle mode uses */
Datum
corgi_plan_buffer_mode_sql(PG_FUNCTION_ARGS)
{
	char	   *shuffle = text_to_cstring(PG_GETARG_TEXT_PP(0));
	char		out[32];

	if (!corgi_plan_buffer_mode(shuffle, out, sizeof(out)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown shuffle \"%s\"", shuffle)));
	PG_RETURN_TEXT_P(cstring_to_text(out));
}

PG_FUNCTION_INFO_V1(corgi_plan_block_mb_sql);

/* corgi._default_block_mb(heap_bytes bigint) -> float8 */
Datum
corgi_plan_block_mb_sql(PG_FUNCTION_ARGS)
{
	PG_RETURN_FLOAT8(corgi_plan_block_mb(PG_GETARG_INT64(0), BLCKSZ));
}

/* The names of list 0 (models) or 1 (shuffles) as text[]. */
static Datum
plan_names(int32 list)
{
	char		out[512];
	char	   *name;
	char	   *rest;
	Datum		values[64];
	int			count = 0;

	if (!corgi_plan_names(list, out, sizeof(out)))
		elog(ERROR, "corgi: name list %d is unavailable", list);
	for (name = strtok_r(out, ",", &rest); name != NULL && count < 64; name = strtok_r(NULL, ",", &rest))
		values[count++] = CStringGetTextDatum(name);
	return PointerGetDatum(construct_array(values, count, TEXTOID, -1, false, TYPALIGN_INT));
}

PG_FUNCTION_INFO_V1(corgi_model_names);

/* corgi.model_names() -> text[] */
Datum
corgi_model_names(PG_FUNCTION_ARGS)
{
	PG_RETURN_DATUM(plan_names(0));
}

PG_FUNCTION_INFO_V1(corgi_shuffle_names);

/* corgi.shuffle_names() -> text[] */
Datum
corgi_shuffle_names(PG_FUNCTION_ARGS)
{
	PG_RETURN_DATUM(plan_names(1));
}

PG_FUNCTION_INFO_V1(corgi_config_grid_sql);

/*
 * corgi._config_grid(model text, grid text, search text, n integer, seed bigint) -> text[]:
 * the params of every configuration of the grid (search grid), or of n drawn with seed
 * (search random); model, grid and search must not be NULL.
 */
Datum
corgi_config_grid_sql(PG_FUNCTION_ARGS)
{
	CorgiHandle *blob = corgi_handle_new(CurrentMemoryContext);
	CorgiError	error = {0};
	const char *data;
	int64		size;
	int64		count = 0;
	Datum	   *values;
	int64		start = 0;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("the model, grid and search of a config grid must not be NULL")));
	if ((!PG_ARGISNULL(3) || !PG_ARGISNULL(4)) && pg_strcasecmp(text_to_cstring(PG_GETARG_TEXT_PP(2)), "grid") == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("n and seed apply to search random only"),
				 errhint("A grid gives every combination; leave n and seed out, or use search => 'random'.")));
	if (!PG_ARGISNULL(3) && (PG_GETARG_INT32(3) < 1 || PG_GETARG_INT32(3) > 1000))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("n must be from 1 to 1000, got %d", PG_GETARG_INT32(3)),
				 errhint("Ask for 1 to 1000 configurations.")));
	corgi_config_grid(corgi_text_to_utf8(PG_GETARG_TEXT_PP(0)), corgi_text_to_utf8(PG_GETARG_TEXT_PP(1)),
					  corgi_text_to_utf8(PG_GETARG_TEXT_PP(2)), PG_ARGISNULL(3) ? 20 : PG_GETARG_INT32(3),
					  PG_ARGISNULL(4) ? 42 : PG_GETARG_INT64(4), &blob->object, &error);
	corgi_raise_if_failed(&error);
	data = (const char *) corgi_blob_data(blob->object);
	size = corgi_blob_size(blob->object);
	for (int64 i = 0; i < size; i++)
		count += data[i] == '\0' ? 1 : 0;
	values = palloc(sizeof(Datum) * Max(count, 1));
	count = 0;
	for (int64 i = 0; i < size; i++)
	{
		if (data[i] != '\0')
			continue;
		values[count++] = CStringGetTextDatum(corgi_utf8_to_server(data + start));
		start = i + 1;
	}
	corgi_handle_release(blob);
	PG_RETURN_ARRAYTYPE_P(construct_array(values, (int) count, TEXTOID, -1, false, TYPALIGN_INT));
}

PG_FUNCTION_INFO_V1(corgi_hop_order_sql);

/*
 * corgi.hop_order(models integer, segments integer, seed bigint, epoch integer) -> integer[]
 * models x segments: row m is model m's visit order (0-based segments) in that epoch.
 */
Datum
corgi_hop_order_sql(PG_FUNCTION_ARGS)
{
	int32		models = PG_GETARG_INT32(0);
	int32		segments = PG_GETARG_INT32(1);
	CorgiError	error = {0};
	int32	   *order;
	Datum	   *values;
	int			dims[2] = {models, segments};
	int			lbs[2] = {1, 1};
	int64		cells = (int64) Max(models, 1) * Max(segments, 1);

	if (models < 1 || segments < 1 || cells > (1 << 20))
		cells = 1;				/* the Swift check reports the error */
	order = palloc(sizeof(int32) * cells);
	corgi_hop_order(models, NULL, segments, PG_GETARG_INT64(2), PG_GETARG_INT32(3), order, cells, &error);
	corgi_raise_if_failed(&error);
	values = palloc(sizeof(Datum) * cells);
	for (int64 i = 0; i < cells; i++)
		values[i] = Int32GetDatum(order[i]);
	PG_RETURN_ARRAYTYPE_P(construct_md_array(values, NULL, 2, dims, lbs, INT4OID, 4, true, TYPALIGN_INT));
}

PG_FUNCTION_INFO_V1(corgi_segment_of_blocks_sql);

/*
 * corgi.segment_of_blocks(block_count integer, segments integer, seed bigint, epoch integer)
 *   -> integer[]: the segment (0-based) of each block.
 */
Datum
corgi_segment_of_blocks_sql(PG_FUNCTION_ARGS)
{
	int32		blocks = PG_GETARG_INT32(0);
	CorgiError	error = {0};
	/* Out of range: a one-slot buffer, and the Swift check reports the error. */
	int32		slots = (blocks < 1 || blocks > (1 << 18)) ? 1 : blocks;
	int32	   *segment_of = palloc(sizeof(int32) * slots);
	Datum	   *values;

	corgi_segment_blocks(blocks, PG_GETARG_INT32(1), PG_GETARG_INT64(2), PG_GETARG_INT32(3), segment_of, &error);
	corgi_raise_if_failed(&error);
	values = palloc(sizeof(Datum) * slots);
	for (int i = 0; i < blocks; i++)
		values[i] = Int32GetDatum(segment_of[i]);
	PG_RETURN_ARRAYTYPE_P(construct_array(values, blocks, INT4OID, 4, true, TYPALIGN_INT));
}

PG_FUNCTION_INFO_V1(corgi_sgd_standardize);

/*
 * corgi.sgd_standardize(state bytea, shift float8[], scale float8[]) -> bytea: a fresh
 * mlp state whose inputs are standardized as (x - shift) * scale.
 */
Datum
corgi_sgd_standardize(PG_FUNCTION_ARGS)
{
	bytea	   *state = PG_GETARG_BYTEA_PP(0);
	int			shift_count,
				scale_count;
	double	   *shift = float8_values(PG_GETARG_ARRAYTYPE_P(1), "shift", &shift_count);
	double	   *scale = float8_values(PG_GETARG_ARRAYTYPE_P(2), "scale", &scale_count);
	CorgiHandle *blob = corgi_handle_new(CurrentMemoryContext);
	CorgiError	error = {0};

	for (int arg = 1; arg <= 2; arg++)
		if (ARR_NDIM(PG_GETARG_ARRAYTYPE_P(arg)) > 1)
			ereport(ERROR,
					(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
					 errmsg("%s must be a one-dimensional array", arg == 1 ? "shift" : "scale")));
	if (shift_count != scale_count)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("shift has %d values and scale %d, they must match", shift_count, scale_count)));
	corgi_state_standardize(VARDATA_ANY(state), VARSIZE_ANY_EXHDR(state), shift, scale, shift_count,
							&blob->object, &error);
	corgi_raise_if_failed(&error);
	PG_RETURN_BYTEA_P(corgi_blob_to_bytea(blob));
}

PG_FUNCTION_INFO_V1(corgi_sgd_end_epoch);

/* corgi.sgd_end_epoch(state bytea) -> bytea: closes the epoch after sgd_pass calls. */
Datum
corgi_sgd_end_epoch(PG_FUNCTION_ARGS)
{
	bytea	   *state = PG_GETARG_BYTEA_PP(0);
	CorgiHandle *blob = corgi_handle_new(CurrentMemoryContext);
	CorgiError	error = {0};

	corgi_state_end_epoch(VARDATA_ANY(state), VARSIZE_ANY_EXHDR(state), &blob->object, &error);
	corgi_raise_if_failed(&error);
	PG_RETURN_BYTEA_P(corgi_blob_to_bytea(blob));
}

PG_FUNCTION_INFO_V1(corgi_sgd_state_info);

/* corgi.sgd_state_info(state bytea) -> record (see the SQL declaration) */
Datum
corgi_sgd_state_info(PG_FUNCTION_ARGS)
{
	bytea	   *state = PG_GETARG_BYTEA_PP(0);
	CorgiStateInfo info;
	CorgiError	error = {0};
	char		params[CORGI_PARAMS_SIZE];
	TupleDesc	desc;
	Datum		values[15];
	bool		nulls[15] = {0};

	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "corgi_sgd_state_info must return a record");
	desc = BlessTupleDesc(desc);
	corgi_state_info(state, &info);
	corgi_state_parameters(VARDATA_ANY(state), VARSIZE_ANY_EXHDR(state), params, sizeof(params), &error);
	corgi_raise_if_failed(&error);

	values[0] = CStringGetTextDatum(info.model_name);
	values[1] = Int32GetDatum(info.feature_count);
	values[2] = Int32GetDatum(info.class_count);
	values[3] = Int32GetDatum(info.epochs_completed);
	values[4] = Int64GetDatum(info.last_rows);
	values[5] = Int64GetDatum(info.last_skipped);
	values[6] = Float8GetDatum(info.last_mean_loss);
	nulls[6] = info.last_rows == 0;
	values[7] = Int64GetDatum(info.current_rows);
	values[8] = Float8GetDatum(info.learning_rate);
	values[9] = Int64GetDatum(info.buffer_capacity);
	values[10] = CStringGetTextDatum(info.buffer_name);
	values[11] = Int64GetDatum(corgi_block_pages(info.block_mb));
	values[12] = Float8GetDatum(info.block_order_seed);
	values[13] = CStringGetTextDatum(corgi_utf8_to_server(params));
	values[14] = Float8GetDatum(info.buffer_fraction);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(desc, values, nulls)));
}

/* Reads a state's weights, intercepts and classes into palloc'd arrays. */
static void
read_weights(bytea *state, CorgiStateInfo *info, double **weights, double **intercepts,
			 double **classes)
{
	/* A network has no coefficients: only its classes are read. */
	int			outputs = info->is_network ? 0 : info->traits.outputs;
	int64		weight_count = (int64) outputs * info->feature_count;
	CorgiError	error = {0};

	*weights = palloc(sizeof(double) * weight_count);
	*intercepts = palloc(sizeof(double) * outputs);
	*classes = palloc(sizeof(double) * Max(info->class_count, 1));
	corgi_state_weights(VARDATA_ANY(state), VARSIZE_ANY_EXHDR(state), *weights, weight_count,
						*intercepts, outputs, *classes, info->class_count, &error);
	corgi_raise_if_failed(&error);
}

static ArrayType *
float8_array(const double *values, int ndims, int *dims)
{
	int			count = ndims == 1 ? dims[0] : dims[0] * dims[1];
	Datum	   *datums = palloc(sizeof(Datum) * Max(count, 1));
	int			lbs[2] = {1, 1};

	for (int i = 0; i < count; i++)
		datums[i] = Float8GetDatum(values[i]);
	return construct_md_array(datums, NULL, ndims, dims, lbs, FLOAT8OID, 8,
							  FLOAT8PASSBYVAL, TYPALIGN_DOUBLE);
}

/*
 * Whether training diverged (corgi._diverged's rule): the last epoch's loss (with rows) or
 * a weight or intercept of a linear model is NaN or infinite.
 */
bool
corgi_state_diverged(bytea *state, const CorgiStateInfo *info)
{
	CorgiStateInfo copy = *info;
	double	   *weights,
			   *intercepts,
			   *classes;
	int			outputs;
	int64		weight_count;

	if (info->last_rows > 0 && !isfinite(info->last_mean_loss))
		return true;
	if (info->is_network)
		return false;
	read_weights(state, &copy, &weights, &intercepts, &classes);
	outputs = info->traits.outputs;
	weight_count = (int64) outputs * info->feature_count;
	for (int64 i = 0; i < weight_count; i++)
		if (!isfinite(weights[i]))
			return true;
	for (int i = 0; i < outputs; i++)
		if (!isfinite(intercepts[i]))
			return true;
	return false;
}

PG_FUNCTION_INFO_V1(corgi_diverged_sql);

/* corgi._diverged(state bytea) -> boolean (corgi_state_diverged's rule) */
Datum
corgi_diverged_sql(PG_FUNCTION_ARGS)
{
	bytea	   *state = PG_GETARG_BYTEA_PP(0);
	CorgiStateInfo info;

	corgi_state_info(state, &info);
	PG_RETURN_BOOL(corgi_state_diverged(state, &info));
}

PG_FUNCTION_INFO_V1(corgi_sgd_coef);

/*
 * corgi.sgd_coef(state bytea) -> float8[]: features (1-D), or classes x features
 * (softmax); NULL for a network (mlp, mlp_regression), which has no coefficients.
 */
Datum
corgi_sgd_coef(PG_FUNCTION_ARGS)
{
	bytea	   *state = PG_GETARG_BYTEA_PP(0);
	CorgiStateInfo info;
	double	   *weights,
			   *intercepts,
			   *classes;

	corgi_state_info(state, &info);
	if (info.is_network)
		PG_RETURN_NULL();
	read_weights(state, &info, &weights, &intercepts, &classes);
	if (info.traits.task == CORGI_TASK_MULTICLASS)
	{
		int			dims[2] = {info.traits.outputs, info.feature_count};

		PG_RETURN_ARRAYTYPE_P(float8_array(weights, 2, dims));
	}
	PG_RETURN_ARRAYTYPE_P(float8_array(weights, 1, &info.feature_count));
}

PG_FUNCTION_INFO_V1(corgi_sgd_intercept);

/* corgi.sgd_intercept(state bytea) -> float8[]: one per output (class for softmax); NULL for a network */
Datum
corgi_sgd_intercept(PG_FUNCTION_ARGS)
{
	bytea	   *state = PG_GETARG_BYTEA_PP(0);
	CorgiStateInfo info;
	double	   *weights,
			   *intercepts,
			   *classes;
	int			outputs;

	corgi_state_info(state, &info);
	if (info.is_network)
		PG_RETURN_NULL();
	read_weights(state, &info, &weights, &intercepts, &classes);
	outputs = info.traits.outputs;
	PG_RETURN_ARRAYTYPE_P(float8_array(intercepts, 1, &outputs));
}

PG_FUNCTION_INFO_V1(corgi_sgd_classes);

/* corgi.sgd_classes(state bytea) -> float8[]: softmax class values, NULL otherwise */
Datum
corgi_sgd_classes(PG_FUNCTION_ARGS)
{
	bytea	   *state = PG_GETARG_BYTEA_PP(0);
	CorgiStateInfo info;
	double	   *weights,
			   *intercepts,
			   *classes;

	corgi_state_info(state, &info);
	if (info.traits.task != CORGI_TASK_MULTICLASS)
		PG_RETURN_NULL();
	read_weights(state, &info, &weights, &intercepts, &classes);
	PG_RETURN_ARRAYTYPE_P(float8_array(classes, 1, &info.class_count));
}

PG_FUNCTION_INFO_V1(corgi_epoch_seed);

/* corgi.epoch_seed(seed bigint, epoch int) -> float8: REPEATABLE value of an epoch */
Datum
corgi_epoch_seed(PG_FUNCTION_ARGS)
{
	PG_RETURN_FLOAT8(corgi_epoch_block_seed(PG_GETARG_INT64(0), PG_GETARG_INT32(1)));
}

PG_FUNCTION_INFO_V1(corgi_states_progress);

/*
 * corgi._states_progress(states bytea[], OUT loss float8[], OUT rows bigint[],
 *                        OUT skipped bigint[], OUT megabytes float8[])
 * Per state (NULL for a NULL element): the last epoch's mean loss (NULL before any row),
 * rows and skipped rows, and the memory a trainer of it allocates (both tuple buffers
 * and the learner: what corgi.max_buffer_mb caps). One call for many groups' states.
 */
Datum
corgi_states_progress(PG_FUNCTION_ARGS)
{
	ArrayType  *array = PG_GETARG_ARRAYTYPE_P(0);
	Datum	   *states;
	bool	   *state_nulls;
	int			count;
	Datum	   *loss,
			   *rows,
			   *skipped,
			   *megabytes;
	bool	   *loss_nulls,
			   *other_nulls;
	int			dims[1];
	int			lbs[1] = {1};
	TupleDesc	tupdesc;
	Datum		values[4];
	bool		nulls[4] = {false, false, false, false};

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "corgi._states_progress must return a record");
	if (ARR_NDIM(array) > 1 || ARR_ELEMTYPE(array) != BYTEAOID)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("states must be a one-dimensional bytea array")));
	/* NULL elements are allowed here (reported as NULL), unlike corgi_bytea_elements. */
	deconstruct_array(array, BYTEAOID, -1, false, TYPALIGN_INT, &states, &state_nulls, &count);
	loss = palloc(sizeof(Datum) * Max(count, 1));
	rows = palloc(sizeof(Datum) * Max(count, 1));
	skipped = palloc(sizeof(Datum) * Max(count, 1));
	megabytes = palloc(sizeof(Datum) * Max(count, 1));
	loss_nulls = palloc0(sizeof(bool) * Max(count, 1));
	other_nulls = palloc0(sizeof(bool) * Max(count, 1));
	for (int i = 0; i < count; i++)
	{
		CorgiStateInfo info;

		if (i % 1024 == 0)
			CHECK_FOR_INTERRUPTS();
		if (state_nulls[i])
		{
			loss_nulls[i] = other_nulls[i] = true;
			continue;
		}
		corgi_state_info(DatumGetByteaPP(states[i]), &info);
		loss[i] = Float8GetDatum(info.last_mean_loss);
		loss_nulls[i] = info.last_rows == 0;
		rows[i] = Int64GetDatum(info.last_rows);
		skipped[i] = Int64GetDatum(info.last_skipped);
		megabytes[i] = Float8GetDatum(corgi_double_buffer_megabytes(info.buffer_capacity, info.feature_count)
									  + info.learner_mb);
	}
	dims[0] = count;
	values[0] = PointerGetDatum(construct_md_array(loss, loss_nulls, 1, dims, lbs, FLOAT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
	values[1] = PointerGetDatum(construct_md_array(rows, other_nulls, 1, dims, lbs, INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
	values[2] = PointerGetDatum(construct_md_array(skipped, other_nulls, 1, dims, lbs, INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
	values[3] = PointerGetDatum(construct_md_array(megabytes, other_nulls, 1, dims, lbs, FLOAT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(tupdesc), values, nulls)));
}
