/*
 * corgi_evaluate.c: the aggregate behind corgi.evaluate.
 *
 *   corgi._evaluate_agg(model bytea, features float8[], label float8) -> float8[]
 *     {rows, mean loss, accuracy, auc, rmse, r2}   (NaN where a metric does not apply)
 *
 * One pass: each row is scored by the Swift model (opened once per aggregate, from the
 * first row's model argument; corgi_model_evaluate_row gives the score, the loss as
 * training computes it and the prediction), and the sums are kept here; for binary models the
 * (score, label) pairs are kept too, and the AUC is computed at the end from one sort
 * (ties get their average rank, as the Mann-Whitney statistic has it). label is the
 * training code: 1/0 (or -1) for logistic and svm, the class value for softmax, the
 * target for linear. Losses: squared error / 2 (linear), log loss (logistic, softmax),
 * hinge (svm).
 */
#include "postgres.h"

#include <math.h>

#include "access/heapam.h"
#include "access/tableam.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/float.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#if PG_VERSION_NUM >= 160000
#include "varatt.h"
#endif

#include "corgi_call_snapshot.h"
#include "corgi_core_api.h"
#include "corgi_error.h"
#include "corgi_heap_rows.h"
#include "corgi_training.h"

/* A binary model's row for the AUC: its score as a sort key, and its class. */
typedef struct ScoredRow
{
	uint64		key;			/* order_key(score): equal keys are equal scores */
	uint64		positive;		/* 1 or 0 (a full word: 16-byte rows move fastest) */
} ScoredRow;

typedef struct EvaluateState
{
	MemoryContext context;		/* where the state and its scored rows live */
	CorgiHandle *model;
	CorgiModelTraits traits;	/* what the model is for: which sums and metrics apply */
	CorgiFeatureScratch scratch;
	int64		rows;
	double		loss_sum;
	int64		correct;
	double		squared_error;
	double		label_sum;
	double		label_squares;
	ScoredRow  *scored;			/* binary models: one per row, for the AUC */
	CorgiHandle **group_models; /* corgi._evaluate_groups: the models opened so far, by index */
	int			group_count;
	int64		scored_capacity;
	int64		positives;
} EvaluateState;

/* A model's traits; a task this glue does not know is an error, never a default. */
static void
model_traits(CorgiHandle *model, CorgiModelTraits *traits)
{
	if (!corgi_model_traits(model->object, traits)
		|| (traits->task != CORGI_TASK_REGRESSION && traits->task != CORGI_TASK_BINARY
			&& traits->task != CORGI_TASK_MULTICLASS))
		elog(ERROR, "corgi: a model of an unknown task cannot be evaluated");
}

static EvaluateState *
evaluate_state_new(MemoryContext context, bytea *model)
{
	EvaluateState *s = MemoryContextAllocZero(context, sizeof(EvaluateState));
	CorgiError	error = {0};

	s->context = context;
	s->scratch.context = context;
	s->model = corgi_handle_new(context);
	corgi_model_open(VARDATA_ANY(model), VARSIZE_ANY_EXHDR(model), &s->model->object, &error);
	corgi_raise_if_failed(&error);
	model_traits(s->model, &s->traits);
	return s;
}

/*
 * A double's bits as an unsigned key that sorts in the double's order (NaN last); -0
 * is keyed as +0, so equal scores have equal keys.
 */
static inline uint64
order_key(double value)
{
	uint64		bits;

	if (value == 0)
		value = 0;
	memcpy(&bits, &value, sizeof(bits));
	return (bits & UINT64CONST(0x8000000000000000)) ? ~bits : bits | UINT64CONST(0x8000000000000000);
}

static void
keep_scored(EvaluateState *s, MemoryContext context, double score, bool positive)
{
	if (s->rows > s->scored_capacity)
	{
		int64		capacity = Max(1024, s->scored_capacity * 2);

		s->scored = s->scored == NULL
			? MemoryContextAllocHuge(context, sizeof(ScoredRow) * capacity)
			: repalloc_huge(s->scored, sizeof(ScoredRow) * capacity);
		s->scored_capacity = capacity;
	}
	s->scored[s->rows - 1].key = order_key(score);
	s->scored[s->rows - 1].positive = positive ? 1 : 0;
}

PG_FUNCTION_INFO_V1(corgi_evaluate_transition);

/* Scores one row (both values present) into the sums. */
static void
evaluate_row(void *arg, const double *x, int count, double y, const CorgiRowTag *tag)
{
	EvaluateState *s = (EvaluateState *) arg;
	CorgiError	error = {0};
	double		z;
	double		loss;
	double		predicted;

	s->rows++;
	/* Score, loss and prediction as the model and training compute them. */
	corgi_model_evaluate_row(s->model->object, x, count, y, tag, &z, &loss, &predicted, &error);
	corgi_raise_if_failed(&error);
	s->loss_sum += loss;
	switch ((CorgiTask) s->traits.task)
	{
		case CORGI_TASK_REGRESSION:
			s->squared_error += (z - y) * (z - y);
			s->label_sum += y;
			s->label_squares += y * y;
			break;
		case CORGI_TASK_MULTICLASS:
			s->correct += predicted == y ? 1 : 0;
			break;
		case CORGI_TASK_BINARY:
			s->correct += (predicted == 1) == (y == 1) ? 1 : 0;
			s->positives += y == 1 ? 1 : 0;
			if (s->traits.ranks_scores)
				keep_scored(s, s->context, z, y == 1);
			break;
	}
}

/* corgi_evaluate_transition(internal, model bytea, features float8[], label float8) */
Datum
corgi_evaluate_transition(PG_FUNCTION_ARGS)
{
	MemoryContext context;
	EvaluateState *s;
	CorgiRowTag row = {0};
	const double *x;
	int			count;

	if (!AggCheckCallContext(fcinfo, &context))
		elog(ERROR, "corgi_evaluate_transition called in non-aggregate context");
	if (PG_ARGISNULL(0))
	{
		corgi_require_argument(PG_ARGISNULL(1), "corgi._evaluate_agg", "model");
		s = evaluate_state_new(context, PG_GETARG_BYTEA_PP(1));
	}
	else
		s = (EvaluateState *) PG_GETARG_POINTER(0);
	if (PG_ARGISNULL(2) || PG_ARGISNULL(3))
		PG_RETURN_POINTER(s);
	if ((s->rows + 1) % 1024 == 0)
		CHECK_FOR_INTERRUPTS();
	row.position = s->rows + 1;
	x = corgi_features_as_doubles(PG_GETARG_ARRAYTYPE_P(2), &s->scratch, &row, &count);
	evaluate_row(s, x, count, PG_GETARG_FLOAT8(3), &row);
	PG_RETURN_POINTER(s);
}

/*
 * Sorts the rows by score: an LSD radix sort on the key, 6 digits of 11 bits, O(n) and
 * about ten times faster than qsort on a million random scores. One pass counts every
 * digit; a digit all rows share (the sign and exponent of scores in a narrow range)
 * costs no pass.
 */
#define RADIX_BITS 11
#define RADIX_DIGITS 6
#define RADIX_BUCKETS (1 << RADIX_BITS)

static void
sort_by_score(EvaluateState *s, MemoryContext context)
{
	int64		n = s->rows;
	ScoredRow  *from = s->scored;
	ScoredRow  *to = MemoryContextAllocHuge(context, sizeof(ScoredRow) * Max(n, 1));
	int64	   *counts = palloc0(sizeof(int64) * RADIX_BUCKETS * RADIX_DIGITS);

	for (int64 i = 0; i < n; i++)
	{
		uint64		key = from[i].key;

		for (int d = 0; d < RADIX_DIGITS; d++)
			counts[d * RADIX_BUCKETS + ((key >> (d * RADIX_BITS)) & (RADIX_BUCKETS - 1))]++;
	}
	for (int d = 0; d < RADIX_DIGITS; d++)
	{
		int64	   *digit = counts + d * RADIX_BUCKETS;
		int			shift = d * RADIX_BITS;
		int64		position = 0;
		ScoredRow  *swap;

		if (n > 0 && digit[(from[0].key >> shift) & (RADIX_BUCKETS - 1)] == n)
			continue;			/* every row has this digit: already in order */
		for (int b = 0; b < RADIX_BUCKETS; b++)
		{
			int64		c = digit[b];

			digit[b] = position;
			position += c;
		}
		for (int64 i = 0; i < n; i++)
			to[digit[(from[i].key >> shift) & (RADIX_BUCKETS - 1)]++] = from[i];
		swap = from;
		from = to;
		to = swap;
		CHECK_FOR_INTERRUPTS();
	}
	s->scored = from;
	pfree(to);
	pfree(counts);
}

/* Mann-Whitney AUC with average ranks for ties; NaN without both classes. */
static double
area_under_curve(EvaluateState *s, MemoryContext context)
{
	int64		negatives = s->rows - s->positives;
	double		rank_sum = 0;

	if (s->positives == 0 || negatives == 0)
		return get_float8_nan();
	sort_by_score(s, context);
	for (int64 i = 0; i < s->rows;)
	{
		int64		j = i + 1;	/* at least one row a step, NaN scores included */
		int64		tied_positives = (int64) s->scored[i].positive;

		while (j < s->rows && s->scored[j].key == s->scored[i].key)
			tied_positives += s->scored[j++].positive;
		/* ranks i+1 .. j share their average */
		rank_sum += tied_positives * ((double) (i + 1 + j) / 2.0);
		i = j;
	}
	return (rank_sum - (double) s->positives * (s->positives + 1) / 2.0) /
		((double) s->positives * (double) negatives);
}

/* values = {rows, mean loss, accuracy, auc, rmse, r2}; releases the model. */
static void
evaluate_values(EvaluateState *s, Datum *values)
{
	double		nan = get_float8_nan();
	double		n;
	bool		regression = s->traits.task == CORGI_TASK_REGRESSION;

	n = (double) s->rows;
	values[0] = Float8GetDatum(n);
	values[1] = Float8GetDatum(s->rows > 0 ? s->loss_sum / n : nan);
	values[2] = Float8GetDatum(s->traits.predicts_labels && s->rows > 0 ? (double) s->correct / n : nan);
	values[3] = Float8GetDatum(s->traits.task == CORGI_TASK_BINARY && s->traits.ranks_scores
							   ? area_under_curve(s, CurrentMemoryContext) : nan);
	values[4] = Float8GetDatum(regression && s->rows > 0 ? sqrt(s->squared_error / n) : nan);
	{
		double		total = s->label_squares - s->label_sum * s->label_sum / Max(n, 1);

		values[5] = Float8GetDatum(regression && s->rows > 0 && total > 0 ? 1 - s->squared_error / total : nan);
	}
	corgi_handle_release(s->model);
}

/* {rows, mean loss, accuracy, auc, rmse, r2}; releases the model. */
static ArrayType *
evaluate_result(EvaluateState *s)
{
	Datum		values[6];

	evaluate_values(s, values);
	return construct_array(values, 6, FLOAT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE);
}

PG_FUNCTION_INFO_V1(corgi_evaluate_final);

Datum
corgi_evaluate_final(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	PG_RETURN_ARRAYTYPE_P(evaluate_result((EvaluateState *) PG_GETARG_POINTER(0)));
}

/* The model at 1-based position i of a bytea[] datum, opened in `context`. */
static CorgiHandle *
open_group_model(MemoryContext context, Datum models, int i, int *count)
{
	ArrayType  *array = DatumGetArrayTypeP(models);
	bool		isnull;
	Datum		element;
	CorgiHandle *handle;
	CorgiError	error = {0};
	bytea	   *model;

	if (ARR_NDIM(array) != 1 || ARR_ELEMTYPE(array) != BYTEAOID)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("models must be a one-dimensional bytea array")));
	*count = ARR_DIMS(array)[0];
	if (i < 1 || i > *count)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("model index %d is outside the %d models", i, *count)));
	element = array_ref(array, 1, &i, -1, -1, false, TYPALIGN_INT, &isnull);
	if (isnull)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("model %d is NULL", i)));
	model = DatumGetByteaPP(element);
	handle = corgi_handle_new(context);
	corgi_model_open(VARDATA_ANY(model), VARSIZE_ANY_EXHDR(model), &handle->object, &error);
	corgi_raise_if_failed(&error);
	return handle;
}

PG_FUNCTION_INFO_V1(corgi_evaluate_groups_transition);

/*
 * corgi_evaluate_groups_transition(internal, i integer, models bytea[], features float8[],
 * label float8): a grouped model's evaluation, each row scored by model i of models
 * (rows with i NULL are not scored). Each model is opened once, at its first row; the
 * models array is only read then (it is the same argument for every row).
 */
Datum
corgi_evaluate_groups_transition(PG_FUNCTION_ARGS)
{
	MemoryContext context;
	EvaluateState *s;
	CorgiRowTag row = {0};
	const double *x;
	int			count;
	int			i;

	if (!AggCheckCallContext(fcinfo, &context))
		elog(ERROR, "corgi_evaluate_groups_transition called in non-aggregate context");
	/* A row without a group, features or label is not scored (a NULL state stays NULL). */
	if (PG_ARGISNULL(1) || PG_ARGISNULL(2) || PG_ARGISNULL(3) || PG_ARGISNULL(4))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_POINTER(PG_GETARG_POINTER(0));
	}
	i = PG_GETARG_INT32(1);
	if (PG_ARGISNULL(0))
	{
		CorgiHandle *first = open_group_model(context, PG_GETARG_DATUM(2), i, &count);

		s = MemoryContextAllocZero(context, sizeof(EvaluateState));
		s->context = context;
		s->scratch.context = context;
		s->group_count = count;
		s->group_models = MemoryContextAllocZero(context, sizeof(CorgiHandle *) * count);
		s->group_models[i - 1] = first;
		model_traits(first, &s->traits);
	}
	else
		s = (EvaluateState *) PG_GETARG_POINTER(0);
	if (i < 1 || i > s->group_count)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("model index %d is outside the %d models", i, s->group_count)));
	if (s->group_models[i - 1] == NULL)
	{
		CorgiModelTraits traits;

		s->group_models[i - 1] = open_group_model(context, PG_GETARG_DATUM(2), i, &count);
		model_traits(s->group_models[i - 1], &traits);
		if (traits.task != s->traits.task || traits.ranks_scores != s->traits.ranks_scores)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("the models of one evaluation must be of one kind")));
	}
	s->model = s->group_models[i - 1];
	if ((s->rows + 1) % 1024 == 0)
		CHECK_FOR_INTERRUPTS();
	row.position = s->rows + 1;
	x = corgi_features_as_doubles(PG_GETARG_ARRAYTYPE_P(3), &s->scratch, &row, &count);
	evaluate_row(s, x, count, PG_GETARG_FLOAT8(4), &row);
	PG_RETURN_POINTER(s);
}

PG_FUNCTION_INFO_V1(corgi_evaluate_scan);

/*
 * corgi._evaluate_scan(model bytea, source regclass, features text, label name) -> float8[]
 *
 * The same metrics as corgi._evaluate_agg over the rows of a heap table whose label and
 * features are both present, read straight from its pages (corgi_heap_rows: privilege
 * and row-level security checked, the tuple ahead prefetched) instead of through the
 * executor. The label column's value is the training code (boolean as 1/0).
 */
Datum
corgi_evaluate_scan(PG_FUNCTION_ARGS)
{
	MemoryContext scan_context = AllocSetContextCreate(CurrentMemoryContext, "corgi evaluate scan",
													   ALLOCSET_DEFAULT_SIZES);
	MemoryContext old = MemoryContextSwitchTo(scan_context);
	EvaluateState *s = evaluate_state_new(scan_context, PG_GETARG_BYTEA_PP(0));
	CorgiHeapRows source = corgi_heap_rows_open(PG_GETARG_OID(1), corgi_features_argument(fcinfo, 2),
												NameStr(*PG_GETARG_NAME(3)), "corgi.evaluate",
												"corgi._evaluate_agg");
	MemoryContext row_context = AllocSetContextCreate(scan_context, "corgi row", ALLOCSET_DEFAULT_SIZES);
	TableScanDesc scan = table_beginscan_strat(source.rel, corgi_read_snapshot(source.rel), 0, NULL, true, false);
	int64		rows = 0;
	ArrayType  *metrics;
	ArrayType  *result;

	corgi_heap_rows_read(scan, &source, &s->scratch, row_context, &rows, evaluate_row, NULL, s);
	table_endscan(scan);
	/* Keep the lock until the end of the transaction. */
	table_close(source.rel, NoLock);
	metrics = evaluate_result(s);	/* the AUC's sort allocates in scan_context */
	MemoryContextSwitchTo(old);
	result = palloc(VARSIZE(metrics));
	memcpy(result, metrics, VARSIZE(metrics));
	MemoryContextDelete(scan_context);
	PG_RETURN_ARRAYTYPE_P(result);
}

/* Several models scoring the same rows: each row goes to every model in turn. */
typedef struct EvaluateMany
{
	int			count;
	EvaluateState **states;
} EvaluateMany;

static void
evaluate_row_many(void *arg, const double *x, int count, double y, const CorgiRowTag *tag)
{
	EvaluateMany *many = (EvaluateMany *) arg;

	for (int m = 0; m < many->count; m++)
		evaluate_row(many->states[m], x, count, y, tag);
}

PG_FUNCTION_INFO_V1(corgi_evaluate_scan_many);

/*
 * corgi._evaluate_scan_many(models bytea[], source regclass, features text, label name)
 *   -> float8[][]
 *
 * corgi._evaluate_scan for several models over one read of the table (the validation
 * of corgi.fit_multiple's configs after an epoch): row m is model m's {rows, mean loss,
 * accuracy, auc, rmse, r2}, each sum the one _evaluate_scan makes, bit for bit (the same
 * rows in the same order, each model's sums its own). The AUC is left out (NaN): it needs
 * every row's score kept per model, and validation reads the loss and the accuracy or
 * RMSE only; so the memory does not grow with the rows.
 */
Datum
corgi_evaluate_scan_many(PG_FUNCTION_ARGS)
{
	ArrayType  *models = PG_GETARG_ARRAYTYPE_P(0);
	MemoryContext scan_context = AllocSetContextCreate(CurrentMemoryContext, "corgi evaluate scan",
													   ALLOCSET_DEFAULT_SIZES);
	MemoryContext old;
	Datum	   *elements;
	bool	   *nulls;
	int			count;
	EvaluateMany many;
	CorgiHeapRows source;
	MemoryContext row_context;
	TableScanDesc scan;
	int64		rows = 0;
	Datum	   *values;
	int			dims[2];
	int			lbs[2] = {1, 1};
	ArrayType  *result;

	if (ARR_NDIM(models) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("models must hold at least one model")));
	if (ARR_NDIM(models) != 1 || ARR_ELEMTYPE(models) != BYTEAOID)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("models must be a one-dimensional bytea array")));
	deconstruct_array(models, BYTEAOID, -1, false, TYPALIGN_INT, &elements, &nulls, &count);
	if (count == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("models must hold at least one model")));
	for (int m = 0; m < count; m++)
		if (nulls[m])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("model %d is NULL", m + 1)));
	old = MemoryContextSwitchTo(scan_context);
	many.count = count;
	many.states = palloc(sizeof(EvaluateState *) * count);
	for (int m = 0; m < count; m++)
	{
		many.states[m] = evaluate_state_new(scan_context, DatumGetByteaPP(elements[m]));
		many.states[m]->traits.ranks_scores = false;	/* no AUC: no score kept per row */
	}
	source = corgi_heap_rows_open(PG_GETARG_OID(1), corgi_features_argument(fcinfo, 2), NameStr(*PG_GETARG_NAME(3)),
								  "corgi.evaluate", "corgi._evaluate_agg");
	row_context = AllocSetContextCreate(scan_context, "corgi row", ALLOCSET_DEFAULT_SIZES);
	scan = table_beginscan_strat(source.rel, corgi_read_snapshot(source.rel), 0, NULL, true, false);
	corgi_heap_rows_read(scan, &source, &many.states[0]->scratch, row_context, &rows, evaluate_row_many, NULL, &many);
	table_endscan(scan);
	/* Keep the lock until the end of the transaction. */
	table_close(source.rel, NoLock);
	MemoryContextSwitchTo(old);
	values = palloc(sizeof(Datum) * 6 * count);
	for (int m = 0; m < count; m++)
		evaluate_values(many.states[m], values + 6 * m);
	dims[0] = count;
	dims[1] = 6;
	result = construct_md_array(values, NULL, 2, dims, lbs, FLOAT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE);
	MemoryContextDelete(scan_context);
	PG_RETURN_ARRAYTYPE_P(result);
}
