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

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/float.h"
#include "utils/memutils.h"

#include "corgi_core_api.h"
#include "corgi_error.h"
#include "corgi_training.h"

typedef struct ScoredRow
{
	double		score;
	uint64		key;			/* order_key(score), for the sort */
	bool		positive;
} ScoredRow;

typedef struct EvaluateState
{
	CorgiHandle *model;
	int32		kind;			/* 1 linear, 2 logistic, 3 svm, 4 softmax */
	CorgiFeatureScratch scratch;
	int64		rows;
	double		loss_sum;
	int64		correct;
	double		squared_error;
	double		label_sum;
	double		label_squares;
	ScoredRow  *scored;			/* binary models: one per row, for the AUC */
	int64		scored_capacity;
	int64		positives;
} EvaluateState;

static EvaluateState *
evaluate_state_new(MemoryContext context, bytea *model)
{
	EvaluateState *s = MemoryContextAllocZero(context, sizeof(EvaluateState));
	CorgiError	error = {0};

	s->scratch.context = context;
	s->model = corgi_handle_new(context);
	corgi_model_open(VARDATA_ANY(model), VARSIZE_ANY_EXHDR(model), &s->model->object, &error);
	corgi_raise_if_failed(&error);
	corgi_model_shape(s->model->object, &s->kind, NULL, NULL);
	return s;
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
	s->scored[s->rows - 1].score = score;
	s->scored[s->rows - 1].positive = positive;
}

PG_FUNCTION_INFO_V1(corgi_evaluate_transition);

/* corgi_evaluate_transition(internal, model bytea, features float8[], label float8) */
Datum
corgi_evaluate_transition(PG_FUNCTION_ARGS)
{
	MemoryContext context;
	EvaluateState *s;
	CorgiRowTag row = {0};
	CorgiError	error = {0};
	const double *x;
	int			count;
	double		y;
	double		z;
	double		loss;
	double		predicted;

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
	s->rows++;
	if (s->rows % 1024 == 0)
		CHECK_FOR_INTERRUPTS();
	row.position = s->rows;
	x = corgi_features_as_doubles(PG_GETARG_ARRAYTYPE_P(2), &s->scratch, &row, &count);
	y = PG_GETARG_FLOAT8(3);
	/* Score, loss and prediction as the model and training compute them. */
	corgi_model_evaluate_row(s->model->object, x, count, y, &z, &loss, &predicted, &error);
	corgi_raise_if_failed(&error);
	s->loss_sum += loss;
	if (s->kind == 1)
	{
		s->squared_error += (z - y) * (z - y);
		s->label_sum += y;
		s->label_squares += y * y;
	}
	else if (s->kind == 4)
		s->correct += predicted == y ? 1 : 0;
	else
	{
		s->correct += (predicted == 1) == (y == 1) ? 1 : 0;
		s->positives += y == 1 ? 1 : 0;
		keep_scored(s, context, z, y == 1);
	}
	PG_RETURN_POINTER(s);
}

/* A double's bits as an unsigned key that sorts in the double's order (NaN last). */
static inline uint64
order_key(double value)
{
	uint64		bits;

	memcpy(&bits, &value, sizeof(bits));
	return (bits & UINT64CONST(0x8000000000000000)) ? ~bits : bits | UINT64CONST(0x8000000000000000);
}

/*
 * Sorts the rows by score: an LSD radix sort on order_key, 6 passes of 11 bits, O(n)
 * and about ten times faster than qsort on a million random scores.
 */
static void
sort_by_score(EvaluateState *s, MemoryContext context)
{
	int64		n = s->rows;
	ScoredRow  *from = s->scored;
	ScoredRow  *to = MemoryContextAllocHuge(context, sizeof(ScoredRow) * Max(n, 1));
	int64	   *counts = palloc(sizeof(int64) * 2048);

	for (int64 i = 0; i < n; i++)
		from[i].key = order_key(from[i].score);
	for (int shift = 0; shift < 64; shift += 11)
	{
		ScoredRow  *swap;
		int64		position = 0;

		memset(counts, 0, sizeof(int64) * 2048);
		for (int64 i = 0; i < n; i++)
			counts[(from[i].key >> shift) & 2047]++;
		for (int d = 0; d < 2048; d++)
		{
			int64		c = counts[d];

			counts[d] = position;
			position += c;
		}
		for (int64 i = 0; i < n; i++)
			to[counts[(from[i].key >> shift) & 2047]++] = from[i];
		swap = from;
		from = to;
		to = swap;
		CHECK_FOR_INTERRUPTS();
	}
	/* 6 passes: the sorted rows are back in the first array. */
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
		int64		tied_positives = s->scored[i].positive ? 1 : 0;

		while (j < s->rows && s->scored[j].score == s->scored[i].score)
			tied_positives += s->scored[j++].positive ? 1 : 0;
		/* ranks i+1 .. j share their average */
		rank_sum += tied_positives * ((double) (i + 1 + j) / 2.0);
		i = j;
	}
	return (rank_sum - (double) s->positives * (s->positives + 1) / 2.0) /
		((double) s->positives * (double) negatives);
}

PG_FUNCTION_INFO_V1(corgi_evaluate_final);

Datum
corgi_evaluate_final(PG_FUNCTION_ARGS)
{
	EvaluateState *s;
	Datum		values[6];
	double		nan = get_float8_nan();
	double		n;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	s = (EvaluateState *) PG_GETARG_POINTER(0);
	n = (double) s->rows;
	values[0] = Float8GetDatum(n);
	values[1] = Float8GetDatum(s->rows > 0 ? s->loss_sum / n : nan);
	values[2] = Float8GetDatum(s->kind != 1 && s->rows > 0 ? (double) s->correct / n : nan);
	values[3] = Float8GetDatum(s->kind == 2 || s->kind == 3 ? area_under_curve(s, CurrentMemoryContext) : nan);
	values[4] = Float8GetDatum(s->kind == 1 && s->rows > 0 ? sqrt(s->squared_error / n) : nan);
	{
		double		total = s->label_squares - s->label_sum * s->label_sum / Max(n, 1);

		values[5] = Float8GetDatum(s->kind == 1 && s->rows > 0 && total > 0 ? 1 - s->squared_error / total : nan);
	}
	corgi_handle_release(s->model);
	PG_RETURN_ARRAYTYPE_P(construct_array(values, 6, FLOAT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}
