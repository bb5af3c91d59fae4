/*
 * corgi_exact_regression.c: the exact solvers (MADlib's linregr and logregr).
 *
 *   corgi.linregr(dependent float8, independent float8[]) -> corgi.linregr_result
 *     one pass accumulating X^T X and X^T y (NormalEquations.swift), then the
 *     pseudo-inverse solve and MADlib's statistics (LinearRegressionFit).
 *   corgi._linregr_bp(dependent, independent, coefs float8[][], group integer) -> float8[]
 *     {bp_stats, bp_p_value}, the second pass of heteroskedasticity_option: the squared
 *     residuals of the group's fit regressed on the same features (Breusch-Pagan,
 *     Koenker's form).
 *   corgi.linregr_predict(coef float8[], independent float8[]) -> float8, the dot product.
 *   corgi._logregr_irls(row_query, groups, max_iter, tolerance) -> one row per group
 *     logistic regression by IRLS (LogisticIRLS.swift): one pass of row_query per
 *     iteration, all groups in each pass, every pass under one snapshot (the call's
 *     pinned one, else the statement's).
 *
 * A row whose dependent value or features are NULL, or whose features hold a NULL, is
 * skipped and counted (num_missing_rows_skipped, as MADlib); a value that is not finite
 * is an error naming the row (it would make every statistic NaN). The sums live in the
 * Swift core, outside PostgreSQL's memory accounting: each group's accumulator is
 * counted against corgi.max_buffer_mb before it is opened, and released with the
 * aggregate's memory context.
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "executor/spi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"

#include "corgi_call_snapshot.h"
#include "corgi_core_api.h"
#include "corgi_direct_rows.h"
#include "corgi_error.h"
#include "corgi_handle.h"
#include "corgi_training.h"

/* Bytes the open accumulators of this backend hold (all queries). */
static int64 ols_bytes_held = 0;

typedef struct LinregrState
{
	MemoryContextCallback callback;
	void	   *ols;			/* LeastSquaresBox, retained; NULL before the first row */
	int64		planned_bytes;
	int			count;			/* features per row, -1 before the first complete row */
	int64		seen;			/* rows given to the aggregate */
	int64		skipped;		/* of them skipped for a NULL */
	CorgiFeatureScratch scratch;
	double	   *coef;			/* _linregr_bp: the fit whose residuals are regressed */
	bool		append_one;		/* _linregr_fit: a 1 after the features (the intercept) */
	const double *leading;		/* a direct read: constants before each row's features */
	int			leading_count;
	double		net[5];			/* _elastic_net_gaussian: alpha, lambda, standardize, max_iter, tolerance */
	double	   *widened;		/* the features and the 1 */
	double	   *block;			/* rows gathered for one call into the solver */
	double	   *block_targets;
	int			block_rows;
	int			block_capacity;	/* 4 rows at first, doubling up to LINREGR_BLOCK_ROWS */
} LinregrState;

/* Rows handed to the solver at once (one matrix product): per-row calls into Swift cost more. */
#define LINREGR_BLOCK_ROWS 128

/* Gives back a solver's bytes and releases it (a memory-context reset callback's work). */
static void
solver_release(void **solver, int64 planned_bytes)
{
	if (*solver != NULL)
	{
		void	   *object = *solver;

		*solver = NULL;
		ols_bytes_held -= planned_bytes;
		corgi_object_release(object);
	}
}

/*
 * Counts a solver of count features (bytes planned) against corgi.max_buffer_mb before it
 * is opened; raises for an empty row (row `position`) or past the cap.
 */
static void
solver_reserve(int count, int64 bytes, int64 position)
{
	int64		cap = (int64) corgi_max_buffer_mb * 1024 * 1024;

	if (count < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the independent variable of row " INT64_FORMAT " is an empty array", position),
				 errhint("Give at least one feature; write 1 as the first feature for an intercept.")));
	if (ols_bytes_held + bytes > cap)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("the exact solver's sums need more than corgi.max_buffer_mb (%d MB)", corgi_max_buffer_mb),
				 errdetail("The sums of %d features take " INT64_FORMAT " kB per group, and this backend holds " INT64_FORMAT " kB of them.",
						   count, bytes / 1024, ols_bytes_held / 1024),
				 errhint("Use fewer groups or features, or ask a superuser to raise corgi.max_buffer_mb.")));
}

static void
linregr_state_release(void *arg)
{
	LinregrState *s = (LinregrState *) arg;

	solver_release(&s->ols, s->planned_bytes);
}

/* A state without rows in `context`; its solver is released with the context. */
static LinregrState *
linregr_state_new(MemoryContext context)
{
	LinregrState *s = MemoryContextAllocZero(context, sizeof(LinregrState));

	s->count = -1;
	s->scratch.context = context;
	s->callback.func = linregr_state_release;
	s->callback.arg = s;
	MemoryContextRegisterResetCallback(context, &s->callback);
	return s;
}

static LinregrState *
linregr_state_get(FunctionCallInfo fcinfo, const char *function, MemoryContext *context)
{
	if (!AggCheckCallContext(fcinfo, context))
		elog(ERROR, "%s called in non-aggregate context", function);
	if (!PG_ARGISNULL(0))
		return (LinregrState *) PG_GETARG_POINTER(0);
	return linregr_state_new(*context);
}

/* Opens the accumulator for rows of count features, within corgi.max_buffer_mb. */
static void
linregr_state_open(LinregrState *s, int count)
{
	CorgiError	error = {0};
	int64		bytes = corgi_ols_planned_bytes(count);

	solver_reserve(count, bytes, s->seen);
	corgi_ols_open(count, &s->ols, &error);
	corgi_raise_if_failed(&error);
	s->planned_bytes = bytes;
	ols_bytes_held += bytes;
	s->count = count;
}

static const double *linregr_checked(LinregrState *s, const double *x, int count, double target);

/* Whether every value is finite: one branch-free pass (a branch per value costs more). */
static inline bool
all_finite(const double *x, int count)
{
	uint64		bad = 0;

	for (int i = 0; i < count; i++)
	{
		uint64		bits;

		memcpy(&bits, &x[i], sizeof(bits));
		bad |= (bits & UINT64CONST(0x7FF0000000000000)) == UINT64CONST(0x7FF0000000000000);
	}
	return bad == 0;
}

/* Raises for the first value of a row (row `position` of the query) that is not finite. */
static void
check_finite_features(const double *x, int count, int64 position)
{
	if (all_finite(x, count))
		return;
	for (int i = 0; i < count; i++)
		if (!isfinite(x[i]))
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("feature %d of row " INT64_FORMAT " is %g", i + 1, position, x[i]),
					 errhint("Rows with NULLs are skipped and counted; turn the value into NULL or filter the row out.")));
}

/*
 * The features of the current row, or NULL when the row is skipped (a NULL dependent
 * value, NULL features or a NULL element). Checks the width and finiteness.
 */
static const double *
linregr_row(FunctionCallInfo fcinfo, LinregrState *s, int features_arg, double *target)
{
	ArrayType  *array;
	const double *x;
	CorgiRowTag row = {0};
	int			count;

	s->seen++;
	if (s->seen % 4096 == 0)
		CHECK_FOR_INTERRUPTS();
	if (PG_ARGISNULL(1) || PG_ARGISNULL(features_arg))
	{
		s->skipped++;
		return NULL;
	}
	array = PG_GETARG_ARRAYTYPE_P(features_arg);
	if (array_contains_nulls(array))
	{
		s->skipped++;
		return NULL;
	}
	*target = PG_GETARG_FLOAT8(1);
	row.position = s->seen;
	x = corgi_features_as_doubles(array, &s->scratch, &row, &count);
	return linregr_checked(s, x, count, *target);
}

/*
 * A complete row's features (count of them; with a 1 after them for the intercept when
 * the state asks), the solver opened on the first row; raises for another width or a
 * value that is not finite (the row is s->seen).
 */
static const double *
linregr_checked(LinregrState *s, const double *x, int count, double target)
{
	if (s->append_one)
	{
		if (s->widened == NULL || s->count < 0 || count + 1 != s->count)
		{
			if (s->widened != NULL)
				pfree(s->widened);
			s->widened = MemoryContextAlloc(s->scratch.context, sizeof(double) * (count + 1));
		}
		memcpy(s->widened, x, sizeof(double) * count);
		s->widened[count] = 1;
		x = s->widened;
		count++;
	}
	if (s->count < 0)
		linregr_state_open(s, count);
	else if (count != s->count)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("row " INT64_FORMAT " has %d features, the first row had %d", s->seen, count, s->count),
				 errhint("Every row of an exact regression needs the same number of features.")));
	if (!isfinite(target))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("the dependent value of row " INT64_FORMAT " is %g", s->seen, target),
				 errhint("Rows with NULLs are skipped and counted; turn the value into NULL or filter the row out.")));
	check_finite_features(x, count, s->seen);
	return x;
}

/* Decomposes X^T X in steps of a few milliseconds, checking for interrupts between them. */
static void
linregr_decompose(LinregrState *s)
{
	while (corgi_ols_decomposition_step(s->ols))
		CHECK_FOR_INTERRUPTS();
}

/* Hands the gathered rows to the solver. */
static void
linregr_flush(LinregrState *s)
{
	if (s->block_rows == 0)
		return;
	if (!corgi_ols_add_block(s->ols, s->block, s->count, s->block_targets, s->block_rows))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("a row of the last %d is not finite (a squared residual overflowed)", s->block_rows)));
	s->block_rows = 0;
}

/*
 * The place of the next row in the block (s->count values to write there) with its
 * target stored; a full block goes to the solver first.
 */
static double *
linregr_next_row(LinregrState *s, double target)
{
	if (s->block_rows == s->block_capacity)
	{
		int			capacity = s->block_capacity == 0 ? 4 : Min(s->block_capacity * 2, LINREGR_BLOCK_ROWS);

		linregr_flush(s);
		if (capacity != s->block_capacity)
		{
			if (s->block != NULL)
			{
				pfree(s->block);
				pfree(s->block_targets);
			}
			s->block = MemoryContextAlloc(s->scratch.context, sizeof(double) * s->count * capacity);
			s->block_targets = MemoryContextAlloc(s->scratch.context, sizeof(double) * capacity);
			s->block_capacity = capacity;
		}
	}
	s->block_targets[s->block_rows] = target;
	return s->block + (size_t) s->block_rows++ * s->count;
}

/* Gathers one checked row (s->count values) and its target. */
static void
linregr_add(LinregrState *s, const double *x, double target)
{
	memcpy(linregr_next_row(s, target), x, sizeof(double) * s->count);
}

/* The rows the solver holds, gathered ones included (flushes them). */
static int64
linregr_rows(LinregrState *s)
{
	if (s->ols == NULL)
		return 0;
	linregr_flush(s);
	return corgi_ols_rows(s->ols);
}

/* Takes the current row (dependent value in argument 1, features in 2) into the sums. */
static void
linregr_take_row(FunctionCallInfo fcinfo, LinregrState *s)
{
	double		target = 0;
	const double *x = linregr_row(fcinfo, s, 2, &target);

	if (x != NULL)
		linregr_add(s, x, target);
}

PG_FUNCTION_INFO_V1(corgi_linregr_transition);

/* corgi_linregr_transition(internal, dependent float8, independent float8[]) */
Datum
corgi_linregr_transition(PG_FUNCTION_ARGS)
{
	MemoryContext context;
	LinregrState *s = linregr_state_get(fcinfo, "corgi_linregr_transition", &context);

	linregr_take_row(fcinfo, s);
	PG_RETURN_POINTER(s);
}

static Datum
float8_array_datum(const double *values, int count)
{
	Datum	   *items = palloc(sizeof(Datum) * Max(count, 1));

	for (int i = 0; i < count; i++)
		items[i] = Float8GetDatum(values[i]);
	return PointerGetDatum(construct_array(items, count, FLOAT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}

PG_FUNCTION_INFO_V1(corgi_linregr_fit_transition);

/* corgi_linregr_fit_transition(internal, dependent float8, independent float8[], intercept boolean) */
Datum
corgi_linregr_fit_transition(PG_FUNCTION_ARGS)
{
	MemoryContext context;
	LinregrState *s = linregr_state_get(fcinfo, "corgi_linregr_fit_transition", &context);

	s->append_one = !PG_ARGISNULL(3) && PG_GETARG_BOOL(3);
	linregr_take_row(fcinfo, s);
	PG_RETURN_POINTER(s);
}

PG_FUNCTION_INFO_V1(corgi_linregr_fit_final);

/*
 * corgi_linregr_fit_final(internal) -> float8[]: {coef_1 .. coef_k, residual sum of
 * squares, rows used, rows skipped} (corgi.train's solver=exact), NULL without a
 * complete row.
 */
static Datum linregr_fit_datum(LinregrState *s);

Datum
corgi_linregr_fit_final(PG_FUNCTION_ARGS)
{
	LinregrState *s;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	s = (LinregrState *) PG_GETARG_POINTER(0);
	if (s->ols == NULL || linregr_rows(s) == 0)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(linregr_fit_datum(s));
}

/* corgi_linregr_fit_final's array of a state with rows. */
static Datum
linregr_fit_datum(LinregrState *s)
{
	double	   *out;
	double	   *ignored;
	double		scalars[5];
	int			k;

	k = s->count;
	out = palloc(sizeof(double) * (k + 3));
	ignored = palloc(sizeof(double) * (3 * k + k * k));
	linregr_decompose(s);
	if (!corgi_ols_solve(s->ols, out, ignored, ignored + k, ignored + 2 * k, ignored + 3 * k, scalars))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("the sums of squares of the features overflowed"),
				 errhint("Scale the features down (their squares must stay finite in float8).")));
	out[k] = scalars[4];
	out[k + 1] = (double) linregr_rows(s);
	out[k + 2] = (double) s->skipped;
	return float8_array_datum(out, k + 3);
}

PG_FUNCTION_INFO_V1(corgi_elastic_net_transition);

/*
 * corgi_elastic_net_transition(internal, dependent float8, independent float8[], alpha float8,
 * lambda float8, standardize boolean, max_iter integer, tolerance float8): the sums of
 * the rows with a 1 appended; the settings of the first row are the fit's.
 */
Datum
corgi_elastic_net_transition(PG_FUNCTION_ARGS)
{
	MemoryContext context;
	LinregrState *s = linregr_state_get(fcinfo, "corgi_elastic_net_transition", &context);

	if (s->seen == 0)
	{
		for (int i = 3; i <= 7; i++)
			corgi_require_argument(PG_ARGISNULL(i), "corgi._elastic_net_gaussian",
								   i == 3 ? "alpha" : i == 4 ? "lambda" : i == 5 ? "standardize" : i == 6 ? "max_iter" : "tolerance");
		s->net[0] = PG_GETARG_FLOAT8(3);
		s->net[1] = PG_GETARG_FLOAT8(4);
		s->net[2] = PG_GETARG_BOOL(5) ? 1 : 0;
		s->net[3] = PG_GETARG_INT32(6);
		s->net[4] = PG_GETARG_FLOAT8(7);
		if (!(s->net[0] >= 0 && s->net[0] <= 1))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("alpha must be between 0 and 1, got %g", s->net[0])));
		if (!(s->net[1] >= 0) || !isfinite(s->net[1]))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("lambda_value must be a finite number of at least 0, got %g", s->net[1])));
		if (s->net[3] < 1 || s->net[3] > 1000000)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("max_iter must be between 1 and 1000000, got %d", (int) s->net[3])));
		if (!(s->net[4] >= 0) || !isfinite(s->net[4]))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("tolerance must be a finite number of at least 0, got %g", s->net[4])));
	}
	s->append_one = true;
	linregr_take_row(fcinfo, s);
	PG_RETURN_POINTER(s);
}

PG_FUNCTION_INFO_V1(corgi_elastic_net_final);

/*
 * corgi_elastic_net_final(internal) -> float8[]: {weights..., intercept, sweeps, objective,
 * rows used, rows skipped}, NULL without a complete row.
 */
Datum
corgi_elastic_net_final(PG_FUNCTION_ARGS)
{
	LinregrState *s;
	double	   *out;
	int			k;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	s = (LinregrState *) PG_GETARG_POINTER(0);
	if (s->ols == NULL || linregr_rows(s) == 0)
		PG_RETURN_NULL();
	k = s->count - 1;
	/* The sweeps run without a check for interrupts: bound their work (about 2 s). */
	if (s->net[3] * (double) k * (double) k > 2e9)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("max_iter %d with %d features is more coordinate descent than one call does", (int) s->net[3], k),
				 errhint("Lower max_iter (max_iter x features^2 at most 2e9); the fit usually converges in far fewer sweeps.")));
	out = palloc(sizeof(double) * (k + 5));
	CHECK_FOR_INTERRUPTS();
	if (!corgi_ols_elastic_net(s->ols, s->net[0], s->net[1], s->net[2] != 0, (int32) s->net[3], s->net[4], out, out + k))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("the elastic net fit failed"),
				 errhint("Check alpha (0 to 1), lambda_value and the features (their squares must stay finite).")));
	out[k + 3] = (double) linregr_rows(s);
	out[k + 4] = (double) s->skipped;
	PG_RETURN_DATUM(float8_array_datum(out, k + 5));
}

PG_FUNCTION_INFO_V1(corgi_linregr_final);

/*
 * corgi_linregr_final(internal) -> corgi.linregr_result: coef, r2, std_err, t_stats,
 * p_values, condition_no, num_rows_processed, num_missing_rows_skipped,
 * variance_covariance (k x k). Without a complete row only the counts; std_err, t_stats, p_values
 * and variance_covariance NULL when there are no more rows than features.
 */
static Datum linregr_result_datum(LinregrState *s, TupleDesc tupdesc);

Datum
corgi_linregr_final(PG_FUNCTION_ARGS)
{
	TupleDesc	tupdesc;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE || tupdesc->natts != 9)
		elog(ERROR, "corgi_linregr_final: return type must be corgi.linregr_result");
	PG_RETURN_DATUM(linregr_result_datum((LinregrState *) PG_GETARG_POINTER(0), BlessTupleDesc(tupdesc)));
}

/* corgi.linregr_result of a state (tupdesc blessed). */
static Datum
linregr_result_datum(LinregrState *s, TupleDesc tupdesc)
{
	Datum		values[9];
	bool		nulls[9] = {0};
	double	   *coef,
			   *std_err,
			   *t_stats,
			   *p_values,
			   *vcov;
	double		scalars[5];
	int			k;
	int			dims[2];
	int			lbs[2] = {1, 1};
	Datum	   *items;

	if (s->ols == NULL || linregr_rows(s) == 0)
	{
		/* Only skipped rows: no fit, but the counts. */
		for (int i = 0; i < 9; i++)
			nulls[i] = true;
		values[6] = Int64GetDatum(0);
		values[7] = Int64GetDatum(s->skipped);
		nulls[6] = nulls[7] = false;
		return HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls));
	}
	k = s->count;
	coef = palloc(sizeof(double) * k);
	std_err = palloc(sizeof(double) * k);
	t_stats = palloc(sizeof(double) * k);
	p_values = palloc(sizeof(double) * k);
	vcov = palloc(sizeof(double) * k * k);
	linregr_decompose(s);
	if (!corgi_ols_solve(s->ols, coef, std_err, t_stats, p_values, vcov, scalars))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("the sums of squares of the features overflowed"),
				 errhint("Scale the features down (their squares must stay finite in float8).")));
	values[0] = float8_array_datum(coef, k);
	values[1] = Float8GetDatum(scalars[0]);
	if (scalars[3] != 0)
	{
		values[2] = float8_array_datum(std_err, k);
		values[3] = float8_array_datum(t_stats, k);
		values[4] = float8_array_datum(p_values, k);
		items = palloc(sizeof(Datum) * k * k);
		for (int i = 0; i < k * k; i++)
			items[i] = Float8GetDatum(vcov[i]);
		dims[0] = k;
		dims[1] = k;
		values[8] = PointerGetDatum(construct_md_array(items, NULL, 2, dims, lbs, FLOAT8OID, 8,
													   FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
	}
	else
		nulls[2] = nulls[3] = nulls[4] = nulls[8] = true;
	values[5] = Float8GetDatum(scalars[1]);
	values[6] = Int64GetDatum(linregr_rows(s));
	values[7] = Int64GetDatum(s->skipped);
	return HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls));
}

/*
 * corgi_direct_rows_read's sinks into a LinregrState: a complete row, a row with a NULL.
 * A row goes straight into the solver's block, after the query's leading constants
 * (s->leading) and before the intercept's 1: what linregr_checked and linregr_add do
 * with the row the query would give, without copying it twice.
 */
static void
linregr_direct_row(void *arg, const double *features, int count, double label, const CorgiRowTag *row)
{
	LinregrState *s = (LinregrState *) arg;
	int			width = s->leading_count + count + (s->append_one ? 1 : 0);
	double	   *slot;

	s->seen++;
	if (s->count < 0 || width != s->count || !isfinite(label) || !all_finite(features, count)
		|| !all_finite(s->leading, s->leading_count))
	{
		/* The first row, or one to refuse: the general path opens the solver or raises. */
		double	   *x = palloc(sizeof(double) * (s->leading_count + count));

		memcpy(x, s->leading, sizeof(double) * s->leading_count);
		memcpy(x + s->leading_count, features, sizeof(double) * count);
		linregr_add(s, linregr_checked(s, x, s->leading_count + count, label), label);
		pfree(x);
		return;
	}
	slot = linregr_next_row(s, label);
	memcpy(slot, s->leading, sizeof(double) * s->leading_count);
	memcpy(slot + s->leading_count, features, sizeof(double) * count);
	if (s->append_one)
		slot[width - 1] = 1;
}

static void
linregr_direct_null(void *arg)
{
	LinregrState *s = (LinregrState *) arg;

	s->seen++;
	s->skipped++;
}

/*
 * Sums the rows of row_query ((dependent float8, independent float8[])) into s when the
 * query names one table's columns (corgi_direct_rows.h): its pages are read directly
 * under the active snapshot, the same rows in the same order as a query over the table
 * gives them, so the same sums as the aggregate's. False (nothing read) otherwise. Inside
 * an SPI connection.
 */
static bool
linregr_sum_direct(const char *row_query, LinregrState *s)
{
	SPIPlanPtr	plan = SPI_prepare(row_query, 0, NULL);
	CorgiDirectRows rows;
	bool		direct;

	if (plan == NULL)
		elog(ERROR, "corgi: SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
	direct = corgi_direct_rows_analyze(plan, 1, 2, false, 0, &rows);
	SPI_freeplan(plan);
	if (direct)
	{
		s->leading = rows.leading;
		s->leading_count = rows.leading_count;
		corgi_direct_rows_read(&rows, false, linregr_direct_row, linregr_direct_null, s);
		s->leading = NULL;
		s->leading_count = 0;
	}
	return direct;
}

/* The one value of an aggregate query over row_query's rows, copied out of SPI (NULL: *isnull). */
static Datum
aggregate_rows(const char *aggregate_query, bool *isnull)
{
	Datum		result;

	if (SPI_execute(aggregate_query, true, 0) != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "corgi: the aggregate over the row query failed");
	result = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, isnull);
	return *isnull ? (Datum) 0 : SPI_datumTransfer(result, false, -1);
}

PG_FUNCTION_INFO_V1(corgi_linregr_rows);

/*
 * corgi._linregr_rows(row_query text) -> corgi.linregr_result: corgi.linregr over the
 * rows of row_query ((dependent float8, independent float8[])), read directly where
 * linregr_sum_direct can.
 */
Datum
corgi_linregr_rows(PG_FUNCTION_ARGS)
{
	TupleDesc	tupdesc;
	LinregrState *s;
	char	   *query;
	Datum		result;
	bool		isnull = false;

	corgi_require_argument(PG_ARGISNULL(0), "corgi._linregr_rows", "row_query");
	query = text_to_cstring(PG_GETARG_TEXT_PP(0));
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE || tupdesc->natts != 9)
		elog(ERROR, "corgi_linregr_rows: return type must be corgi.linregr_result");
	tupdesc = BlessTupleDesc(tupdesc);
	s = linregr_state_new(CurrentMemoryContext);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "corgi._linregr_rows: SPI_connect failed");
	if (linregr_sum_direct(query, s))
	{
		SPI_finish();
		if (s->seen == 0)
			PG_RETURN_NULL();	/* as the aggregate over no rows */
		PG_RETURN_DATUM(linregr_result_datum(s, tupdesc));
	}
	result = aggregate_rows(psprintf("SELECT corgi.linregr(q.d, q.x) FROM (%s) q(d, x)", query), &isnull);
	SPI_finish();
	if (isnull)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(result);
}

PG_FUNCTION_INFO_V1(corgi_linregr_fit_rows);

/*
 * corgi._linregr_fit_rows(row_query text, intercept boolean) -> float8[]: corgi._linregr_fit
 * over the rows of row_query, read directly where linregr_sum_direct can.
 */
Datum
corgi_linregr_fit_rows(PG_FUNCTION_ARGS)
{
	LinregrState *s;
	char	   *query;
	Datum		result;
	bool		isnull = false;

	corgi_require_argument(PG_ARGISNULL(0), "corgi._linregr_fit_rows", "row_query");
	corgi_require_argument(PG_ARGISNULL(1), "corgi._linregr_fit_rows", "intercept");
	query = text_to_cstring(PG_GETARG_TEXT_PP(0));
	s = linregr_state_new(CurrentMemoryContext);
	s->append_one = PG_GETARG_BOOL(1);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "corgi._linregr_fit_rows: SPI_connect failed");
	if (linregr_sum_direct(query, s))
	{
		SPI_finish();
		if (s->ols == NULL || linregr_rows(s) == 0)
			PG_RETURN_NULL();
		PG_RETURN_DATUM(linregr_fit_datum(s));
	}
	result = aggregate_rows(psprintf("SELECT corgi._linregr_fit(q.d, q.x, %s) FROM (%s) q(d, x)",
									 s->append_one ? "true" : "false", query), &isnull);
	SPI_finish();
	if (isnull)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(result);
}

PG_FUNCTION_INFO_V1(corgi_linregr_bp_transition);

/*
 * The fit of group `group` (1-based) in coefs, a 2-D array of one row per group (rows
 * padded with NULLs to the widest), as count doubles in context; NULL when the group
 * has no fit (a NULL there) or the row is missing.
 */
static double *
linregr_group_coef(ArrayType *coefs, int group, int count, MemoryContext context)
{
	Datum	   *items;
	bool	   *item_nulls;
	int			n;
	double	   *coef;

	if (ARR_ELEMTYPE(coefs) != FLOAT8OID || ARR_NDIM(coefs) != 2 || group < 1 || group > ARR_DIMS(coefs)[0]
		|| count > ARR_DIMS(coefs)[1])
		return NULL;
	deconstruct_array(coefs, FLOAT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE, &items, &item_nulls, &n);
	coef = MemoryContextAlloc(context, sizeof(double) * count);
	for (int i = 0; i < count; i++)
	{
		int			at = (group - 1) * ARR_DIMS(coefs)[1] + i;

		if (item_nulls[at])
			return NULL;
		coef[i] = DatumGetFloat8(items[at]);
	}
	return coef;
}

/*
 * corgi_linregr_bp_transition(internal, dependent float8, independent float8[],
 * coefs float8[][], group integer): adds the row's squared residual under its group's
 * fit (row `group` of coefs, as corgi.linregr_train passes them).
 */
Datum
corgi_linregr_bp_transition(PG_FUNCTION_ARGS)
{
	MemoryContext context;
	LinregrState *s = linregr_state_get(fcinfo, "corgi_linregr_bp_transition", &context);
	double		target = 0;
	const double *x;
	double		residual;

	x = linregr_row(fcinfo, s, 2, &target);
	if (x == NULL || PG_ARGISNULL(3) || PG_ARGISNULL(4))
		PG_RETURN_POINTER(s);
	if (s->coef == NULL)
	{
		s->coef = linregr_group_coef(PG_GETARG_ARRAYTYPE_P(3), PG_GETARG_INT32(4), s->count, context);
		if (s->coef == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("no fit of %d coefficients for group %d", s->count, PG_GETARG_INT32(4))));
	}
	residual = target;
	for (int i = 0; i < s->count; i++)
		residual -= s->coef[i] * x[i];
	if (!isfinite(residual * residual))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("the squared residual of row " INT64_FORMAT " is not finite", s->seen)));
	linregr_add(s, x, residual * residual);
	PG_RETURN_POINTER(s);
}

PG_FUNCTION_INFO_V1(corgi_linregr_bp_final);

/* corgi_linregr_bp_final(internal) -> float8[] {bp_stats, bp_p_value}, NULL for n <= k. */
Datum
corgi_linregr_bp_final(PG_FUNCTION_ARGS)
{
	LinregrState *s;
	double		result[2];

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	s = (LinregrState *) PG_GETARG_POINTER(0);
	/* No residuals to test when the fit has no degrees of freedom (n <= k). */
	if (s->ols == NULL || linregr_rows(s) <= s->count)
		PG_RETURN_NULL();
	linregr_decompose(s);
	if (!corgi_ols_breusch_pagan(s->ols, &result[0], &result[1]))
		PG_RETURN_NULL();
	PG_RETURN_DATUM(float8_array_datum(result, 2));
}

/* coef . independent for the strict predict functions; false (a NULL result) when a feature is NULL. */
static bool
coef_dot(FunctionCallInfo fcinfo, double *result)
{
	ArrayType  *coef_array = PG_GETARG_ARRAYTYPE_P(0);
	ArrayType  *x_array = PG_GETARG_ARRAYTYPE_P(1);
	CorgiFeatureScratch coef_scratch = {0};
	CorgiFeatureScratch x_scratch = {0};
	CorgiRowTag row = {0};
	const double *coef,
			   *x;
	int			n,
				m;
	double		sum = 0;

	coef_scratch.context = CurrentMemoryContext;
	x_scratch.context = CurrentMemoryContext;
	if (array_contains_nulls(coef_array))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("coef holds a NULL")));
	if (array_contains_nulls(x_array))
		return false;
	coef = corgi_features_as_doubles(coef_array, &coef_scratch, &row, &n);
	x = corgi_features_as_doubles(x_array, &x_scratch, &row, &m);
	if (n != m)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("coef has %d values and the independent variable %d", n, m),
				 errhint("Give the features in the order and number the model was trained with.")));
	for (int i = 0; i < n; i++)
		sum += coef[i] * x[i];
	*result = sum;
	return true;
}

PG_FUNCTION_INFO_V1(corgi_linregr_predict);

/* corgi_linregr_predict(coef float8[], independent float8[]) -> float8 (strict) */
Datum
corgi_linregr_predict(PG_FUNCTION_ARGS)
{
	double		z;

	if (!coef_dot(fcinfo, &z))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(z);
}

PG_FUNCTION_INFO_V1(corgi_logregr_predict);

/* corgi_logregr_predict(coef float8[], independent float8[]) -> boolean: coef . x > 0 (strict) */
Datum
corgi_logregr_predict(PG_FUNCTION_ARGS)
{
	double		z;

	if (!coef_dot(fcinfo, &z))
		PG_RETURN_NULL();
	PG_RETURN_BOOL(z > 0);
}

PG_FUNCTION_INFO_V1(corgi_logregr_predict_prob);

/* corgi_logregr_predict_prob(coef float8[], independent float8[]) -> float8: 1 / (1 + e^-(coef . x)) */
Datum
corgi_logregr_predict_prob(PG_FUNCTION_ARGS)
{
	double		z;

	if (!coef_dot(fcinfo, &z))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(z >= 0 ? 1.0 / (1.0 + exp(-z)) : exp(z) / (1.0 + exp(z)));
}

/* ---------------------------------------------------------------------------------
 * Logistic regression by IRLS
 * --------------------------------------------------------------------------------- */

typedef struct IrlsGroup
{
	MemoryContextCallback callback;
	void	   *irls;			/* LogisticBox, retained; NULL before the first complete row */
	int64		planned_bytes;
	int			count;			/* features, -1 before the first complete row */
	int64		skipped;		/* rows skipped for a NULL (first pass) */
	int			outcome;		/* 0 training, 1 converged, 2 step limit, 3 failed */
} IrlsGroup;

static void
irls_group_release(void *arg)
{
	IrlsGroup  *g = (IrlsGroup *) arg;

	solver_release(&g->irls, g->planned_bytes);
}

/* The binomial elastic net's penalty (corgi._logregr_elastic_net), or none (on false). */
typedef struct IrlsPenalty
{
	bool		on;
	double		alpha;
	double		lambda;
	bool		standardize;
} IrlsPenalty;

static void
irls_group_open(IrlsGroup *g, int count, int64 position, const IrlsPenalty *penalty)
{
	CorgiError	error = {0};
	int64		bytes = corgi_irls_planned_bytes(count);

	solver_reserve(count, bytes, position);
	if (penalty->on)
		corgi_irls_open_penalized(count, penalty->alpha, penalty->lambda, penalty->standardize ? 1 : 0, &g->irls, &error);
	else
		corgi_irls_open(count, &g->irls, &error);
	corgi_raise_if_failed(&error);
	g->planned_bytes = bytes;
	ols_bytes_held += bytes;
	g->count = count;
}

/* What a pass carries from row to row. */
typedef struct IrlsPass
{
	IrlsGroup  *groups;
	int			n_groups;
	bool		first;
	CorgiFeatureScratch *scratch;
	bool		append_one;
	double	  **widened;
	int		   *widened_capacity;
	const IrlsPenalty *penalty;
	int64		position;		/* rows of the query read so far */
} IrlsPass;

/* A complete row of the current position (x: its features) into group g's sums. */
static void
irls_take(IrlsPass *p, IrlsGroup *g, const double *x, int count, bool positive)
{
	if (p->append_one)
	{
		if (*p->widened_capacity < count + 1)
		{
			*p->widened = MemoryContextAlloc(p->scratch->context, sizeof(double) * (count + 1));
			*p->widened_capacity = count + 1;
		}
		memcpy(*p->widened, x, sizeof(double) * count);
		(*p->widened)[count] = 1;
		x = *p->widened;
		count++;
	}
	if (g->irls == NULL)
	{
		if (!p->first)
			return;			/* cannot happen: a group's rows are the same in every pass */
		irls_group_open(g, count, p->position, p->penalty);
		corgi_irls_begin_pass(g->irls);
	}
	else if (count != g->count)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("row " INT64_FORMAT " has %d features, the first row of its group had %d", p->position, count, g->count),
				 errhint("Every row of an exact regression needs the same number of features.")));
	check_finite_features(x, count, p->position);
	if (!corgi_irls_add(g->irls, x, count, positive ? 1 : 0))
		elog(ERROR, "corgi_logregr_irls: row " INT64_FORMAT " refused by the solver", p->position);
}

/* A group of a direct pass: the sinks' argument (corgi_direct_rows_read_grouped's). */
typedef struct IrlsGroupTarget
{
	IrlsPass   *pass;
	IrlsGroup  *group;
} IrlsGroupTarget;

/*
 * corgi_direct_rows_read's sinks: a complete row of a group (label 1/0; the row's
 * position is its ordinal in the query's result, as the cursor counts it), a row of the
 * group with a NULL.
 */
static void
irls_direct_row(void *arg, const double *features, int count, double label, const CorgiRowTag *row)
{
	IrlsGroupTarget *target = (IrlsGroupTarget *) arg;

	target->pass->position = row->position;
	if (target->group->outcome == 0)
		irls_take(target->pass, target->group, features, count, label > 0);
}

static void
irls_direct_null(void *arg)
{
	IrlsGroupTarget *target = (IrlsGroupTarget *) arg;

	if (target->pass->first && target->group->outcome == 0)
		target->group->skipped++;
}

/*
 * One pass of the row query over the groups still training: through a cursor, or with
 * `direct` (one group) the query's table read directly (corgi_direct_rows.h), the same
 * rows in the same order.
 */
static void
irls_pass(SPIPlanPtr plan, const CorgiDirectRows *direct, IrlsGroup *groups, int n_groups, bool first,
		  CorgiFeatureScratch *scratch, bool append_one, double **widened, int *widened_capacity,
		  const IrlsPenalty *penalty)
{
	Portal		portal;
	IrlsPass	p = {groups, n_groups, first, scratch, append_one, widened, widened_capacity, penalty, 0};
	MemoryContext batch_context;
	MemoryContext outer;

	for (int i = 0; i < n_groups; i++)
		if (groups[i].irls != NULL && groups[i].outcome == 0)
			corgi_irls_begin_pass(groups[i].irls);
	if (direct != NULL)
	{
		IrlsGroupTarget *targets = palloc(sizeof(IrlsGroupTarget) * n_groups);
		void	  **args = palloc(sizeof(void *) * n_groups);

		for (int g = 0; g < n_groups; g++)
		{
			targets[g].pass = &p;
			targets[g].group = &groups[g];
			args[g] = &targets[g];
		}
		if (direct->router != NULL)
			corgi_direct_rows_read_grouped(direct, true, irls_direct_row, irls_direct_null, args);
		else
			corgi_direct_rows_read(direct, true, irls_direct_row, irls_direct_null, args[0]);
		pfree(targets);
		pfree(args);
		return;
	}
	batch_context = AllocSetContextCreate(CurrentMemoryContext, "corgi IRLS batch", ALLOCSET_DEFAULT_SIZES);
	/* read_only: the portal runs under the active snapshot, the same for every pass. */
	portal = SPI_cursor_open(NULL, plan, NULL, NULL, true);
	for (;;)
	{
		SPITupleTable *table;

		SPI_cursor_fetch(portal, true, 1000);
		if (SPI_processed == 0)
			break;
		table = SPI_tuptable;
		outer = MemoryContextSwitchTo(batch_context);
		if (first && (table->tupdesc->natts != 3 || TupleDescAttr(table->tupdesc, 0)->atttypid != INT4OID
					  || TupleDescAttr(table->tupdesc, 1)->atttypid != BOOLOID
					  || TupleDescAttr(table->tupdesc, 2)->atttypid != FLOAT8ARRAYOID))
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("row_query must return (integer, boolean, float8[])")));
		for (uint64 r = 0; r < SPI_processed; r++)
		{
			HeapTuple	tuple = table->vals[r];
			bool		isnull;
			Datum		d;
			int			gi;
			IrlsGroup  *g;
			bool		positive;
			ArrayType  *array;
			const double *x;
			int			count;
			CorgiRowTag row = {0};

			p.position++;
			d = SPI_getbinval(tuple, table->tupdesc, 1, &isnull);
			if (isnull)
				continue;
			gi = DatumGetInt32(d);
			if (gi < 1 || gi > n_groups)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("row " INT64_FORMAT " of row_query names group %d of %d", p.position, gi, n_groups)));
			g = &groups[gi - 1];
			if (g->outcome != 0)
				continue;
			d = SPI_getbinval(tuple, table->tupdesc, 2, &isnull);
			if (isnull)
			{
				if (first)
					g->skipped++;
				continue;
			}
			positive = DatumGetBool(d);
			d = SPI_getbinval(tuple, table->tupdesc, 3, &isnull);
			if (isnull)
			{
				if (first)
					g->skipped++;
				continue;
			}
			array = DatumGetArrayTypeP(d);
			if (array_contains_nulls(array))
			{
				if (first)
					g->skipped++;
				continue;
			}
			row.position = p.position;
			x = corgi_features_as_doubles(array, scratch, &row, &count);
			irls_take(&p, g, x, count, positive);
		}
		MemoryContextSwitchTo(outer);
		MemoryContextReset(batch_context);	/* detoasted arrays of the batch */
		SPI_freetuptable(table);
		CHECK_FOR_INTERRUPTS();
	}
	SPI_cursor_close(portal);
	MemoryContextDelete(batch_context);
}

/*
 * The passes of corgi._logregr_irls and corgi._logregr_elastic_net: arguments 0-5
 * (row_query, groups, max_iter, tolerance, verbose, intercept) checked, then one pass of
 * the row query per iteration under the call's one snapshot, every group's solver
 * stepping until it converges, reaches max_iter or fails. Returns the groups (their
 * solvers freed with the call's memory).
 */
static IrlsGroup *
irls_run(FunctionCallInfo fcinfo, const char *function, const IrlsPenalty *penalty, int *n_groups_out)
{
	char	   *query;
	int			n_groups;
	int			max_iter;
	double		tolerance;
	IrlsGroup  *groups;
	MemoryContext call_context = CurrentMemoryContext;
	CorgiFeatureScratch scratch = {0};
	SPIPlanPtr	plan;
	bool		pushed;
	bool		first = true;
	bool		verbose;
	bool		append_one;
	int			pass = 0;
	double	   *widened = NULL;
	int			widened_capacity = 0;
	CorgiDirectRows direct_rows;
	const CorgiDirectRows *direct = NULL;

	for (int i = 0; i < 6; i++)
		corgi_require_argument(PG_ARGISNULL(i), function,
							   i == 0 ? "row_query" : i == 1 ? "groups" : i == 2 ? "max_iter" : i == 3 ? "tolerance"
							   : i == 4 ? "verbose" : "intercept");
	verbose = PG_GETARG_BOOL(4);
	append_one = PG_GETARG_BOOL(5);
	query = text_to_cstring(PG_GETARG_TEXT_PP(0));
	n_groups = PG_GETARG_INT32(1);
	max_iter = PG_GETARG_INT32(2);
	tolerance = PG_GETARG_FLOAT8(3);
	if (n_groups < 1 || n_groups > 1000000)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("groups must be between 1 and 1000000, got %d", n_groups)));
	/* An elastic net converges in tens of passes; MADlib's callers ask for up to 20000 (FISTA's). */
	if (max_iter < 0 || max_iter > (penalty->on ? 1000000 : 10000))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("max_iter must be between 0 and %d, got %d", penalty->on ? 1000000 : 10000, max_iter),
				 errhint(penalty->on ? "MADlib's default is 1000." : "MADlib's default is 20.")));
	if (!(tolerance >= 0) || !isfinite(tolerance))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("tolerance must be a finite number of at least 0, got %g", tolerance),
				 errhint(penalty->on ? "MADlib's default is 1e-6 (a change of the objective)."
						 : "MADlib's default is 0.0001 (a change of the log-likelihood).")));
	if (penalty->on && !append_one)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the binomial elastic net fits an intercept: intercept must be true")));

	groups = palloc0(sizeof(IrlsGroup) * n_groups);
	for (int i = 0; i < n_groups; i++)
	{
		groups[i].count = -1;
		groups[i].callback.func = irls_group_release;
		groups[i].callback.arg = &groups[i];
		MemoryContextRegisterResetCallback(call_context, &groups[i].callback);
	}
	scratch.context = call_context;

	pushed = corgi_push_call_snapshot();
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "%s: SPI_connect failed", function);
	plan = SPI_prepare(query, 0, NULL);
	if (plan == NULL)
		elog(ERROR, "%s: SPI_prepare failed: %s", function, SPI_result_code_string(SPI_result));
	/* A table's columns (one group, or groups by key columns): every pass reads its pages. */
	if (corgi_direct_rows_analyze_grouped(plan, 1, 2, 3, true, n_groups, &direct_rows))
		direct = &direct_rows;
	for (;;)
	{
		bool		training = false;

		irls_pass(plan, direct, groups, n_groups, first, &scratch, append_one, &widened, &widened_capacity, penalty);
		first = false;
		for (int i = 0; i < n_groups; i++)
		{
			IrlsGroup  *g = &groups[i];

			if (g->outcome != 0)
				continue;
			if (g->irls == NULL)
			{
				g->outcome = 3; /* no complete row */
				continue;
			}
			while (corgi_irls_decomposition_step(g->irls))
				CHECK_FOR_INTERRUPTS();
			switch (corgi_irls_end_pass(g->irls, tolerance, max_iter))
			{
				case 0:
					training = true;
					break;
				case 1:
					g->outcome = 1;
					break;
				case 2:
					g->outcome = 2;
					break;
				default:
					g->outcome = 3;
					break;
			}
		}
		pass++;
		if (verbose)
		{
			int			still = 0;

			for (int i = 0; i < n_groups; i++)
				still += groups[i].outcome == 0 && groups[i].irls != NULL;
			if (n_groups == 1 && groups[0].irls != NULL)
			{
				double		scalars[4] = {0};
				int			k = groups[0].count;
				double	   *scratch_k = palloc(sizeof(double) * (5 * k + k * k));

				if (penalty->on)
				{
					if (corgi_irls_penalized_fit(groups[0].irls, scratch_k, scalars))
						ereport(NOTICE, (errmsg("pass %d: objective %.10g", pass, scalars[1])));
				}
				else
				{
					if (corgi_irls_statistics(groups[0].irls, scratch_k, scratch_k + k, scratch_k + 2 * k, scratch_k + 3 * k,
											  scratch_k + 4 * k, scratch_k + 5 * k, scalars))
						ereport(NOTICE, (errmsg("pass %d: log-likelihood %.10g", pass, scalars[0])));
				}
			}
			else
				ereport(NOTICE, (errmsg("pass %d: %d of %d groups still training", pass, still, n_groups)));
		}
		if (!training)
			break;
	}
	SPI_finish();
	corgi_pop_call_snapshot(pushed);
	*n_groups_out = n_groups;
	return groups;
}

static const char *
irls_status(const IrlsGroup *g)
{
	return g->outcome == 1 ? "converged" : g->outcome == 2 ? "max_iter reached"
		: g->irls == NULL ? "no complete row" : "failed";
}

PG_FUNCTION_INFO_V1(corgi_logregr_irls);

/*
 * corgi._logregr_irls(row_query text, groups integer, max_iter integer, tolerance float8, verbose boolean,
 *                      intercept boolean): intercept appends a 1 to every row's features
 *   RETURNS TABLE (g integer, coef float8[], log_likelihood float8, std_err float8[],
 *                  z_stats float8[], p_values float8[], odds_ratios float8[],
 *                  condition_no float8, num_rows_processed bigint,
 *                  num_missing_rows_skipped bigint, num_iterations integer,
 *                  variance_covariance float8[], status text)
 * row_query gives (group 1..groups, dependent boolean, independent float8[]) per row.
 */
Datum
corgi_logregr_irls(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	IrlsPenalty none = {0};
	IrlsGroup  *groups;
	int			n_groups;

	InitMaterializedSRF(fcinfo, 0);
	groups = irls_run(fcinfo, "corgi._logregr_irls", &none, &n_groups);
	for (int i = 0; i < n_groups; i++)
	{
		IrlsGroup  *g = &groups[i];
		Datum		values[13];
		bool		nulls[13] = {0};
		double		scalars[4] = {0};
		int			k = g->count;

		values[0] = Int32GetDatum(i + 1);
		values[8] = Int64GetDatum(0);
		values[9] = Int64GetDatum(g->skipped);
		values[10] = Int32GetDatum(0);
		values[12] = CStringGetTextDatum(irls_status(g));
		for (int c = 1; c <= 7; c++)
			nulls[c] = true;
		nulls[11] = true;
		if (g->irls != NULL && g->outcome != 3)
		{
			double	   *coef = palloc(sizeof(double) * k);
			double	   *std_err = palloc(sizeof(double) * k);
			double	   *z_stats = palloc(sizeof(double) * k);
			double	   *p_values = palloc(sizeof(double) * k);
			double	   *odds = palloc(sizeof(double) * k);
			double	   *vcov = palloc(sizeof(double) * k * k);

			if (corgi_irls_statistics(g->irls, coef, std_err, z_stats, p_values, odds, vcov, scalars))
			{
				Datum	   *items = palloc(sizeof(Datum) * k * k);
				int			dims[2] = {k, k};
				int			lbs[2] = {1, 1};

				for (int j = 0; j < k * k; j++)
					items[j] = Float8GetDatum(vcov[j]);
				values[1] = float8_array_datum(coef, k);
				values[2] = Float8GetDatum(scalars[0]);
				values[3] = float8_array_datum(std_err, k);
				values[4] = float8_array_datum(z_stats, k);
				values[5] = float8_array_datum(p_values, k);
				values[6] = float8_array_datum(odds, k);
				values[7] = Float8GetDatum(scalars[1]);
				values[8] = Int64GetDatum((int64) scalars[3]);
				values[10] = Int32GetDatum((int32) scalars[2]);
				values[11] = PointerGetDatum(construct_md_array(items, NULL, 2, dims, lbs, FLOAT8OID, 8,
																FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
				for (int c = 1; c <= 7; c++)
					nulls[c] = false;
				nulls[11] = false;
			}
		}
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	PG_RETURN_NULL();
}

PG_FUNCTION_INFO_V1(corgi_logregr_elastic_net);

/*
 * corgi._logregr_elastic_net(row_query text, groups integer, max_iter integer, tolerance float8,
 *                            verbose boolean, intercept boolean, alpha float8, lambda float8,
 *                            standardize boolean)
 *   RETURNS TABLE (g integer, coef float8[], intercept float8, log_likelihood float8,
 *                  objective float8, num_rows_processed bigint, num_missing_rows_skipped bigint,
 *                  num_iterations integer, status text)
 * The binomial elastic net (MADlib's elastic_net_train, family binomial) by IRLS with a
 * coordinate-descent step (LogisticIRLS with an ElasticNetPenalty), per group; the rows
 * as corgi._logregr_irls takes them, intercept true (its coefficient reported apart).
 */
Datum
corgi_logregr_elastic_net(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	IrlsPenalty penalty = {.on = true};
	IrlsGroup  *groups;
	int			n_groups;

	/* Every argument named in its order (irls_run checks the first six again). */
	for (int i = 0; i < 9; i++)
		corgi_require_argument(PG_ARGISNULL(i), "corgi._logregr_elastic_net",
							   i == 0 ? "row_query" : i == 1 ? "groups" : i == 2 ? "max_iter" : i == 3 ? "tolerance"
							   : i == 4 ? "verbose" : i == 5 ? "intercept" : i == 6 ? "alpha" : i == 7 ? "lambda"
							   : "standardize");
	penalty.alpha = PG_GETARG_FLOAT8(6);
	penalty.lambda = PG_GETARG_FLOAT8(7);
	penalty.standardize = PG_GETARG_BOOL(8);
	if (!(penalty.alpha >= 0 && penalty.alpha <= 1) || !(penalty.lambda >= 0) || !isfinite(penalty.lambda))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("alpha must lie in [0, 1] and lambda be a finite number of at least 0, got %g and %g",
						penalty.alpha, penalty.lambda)));
	InitMaterializedSRF(fcinfo, 0);
	groups = irls_run(fcinfo, "corgi._logregr_elastic_net", &penalty, &n_groups);
	for (int i = 0; i < n_groups; i++)
	{
		IrlsGroup  *g = &groups[i];
		Datum		values[9];
		bool		nulls[9] = {0};
		double		scalars[4] = {0};
		int			k = g->count;

		values[0] = Int32GetDatum(i + 1);
		values[5] = Int64GetDatum(0);
		values[6] = Int64GetDatum(g->skipped);
		values[7] = Int32GetDatum(0);
		values[8] = CStringGetTextDatum(irls_status(g));
		for (int c = 1; c <= 4; c++)
			nulls[c] = true;
		if (g->irls != NULL && g->outcome != 3 && k >= 2)
		{
			double	   *coef = palloc(sizeof(double) * k);

			if (corgi_irls_penalized_fit(g->irls, coef, scalars))
			{
				values[1] = float8_array_datum(coef, k - 1);
				values[2] = Float8GetDatum(coef[k - 1]);
				values[3] = Float8GetDatum(scalars[0]);
				values[4] = Float8GetDatum(scalars[1]);
				values[5] = Int64GetDatum((int64) scalars[3]);
				values[7] = Int32GetDatum((int32) scalars[2]);
				for (int c = 1; c <= 4; c++)
					nulls[c] = false;
			}
		}
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	PG_RETURN_NULL();
}

PG_FUNCTION_INFO_V1(corgi_sgd_state_exact);

/*
 * corgi._sgd_state_exact(state bytea, weights float8[], intercept float8, rows bigint,
 *                        skipped bigint, loss_sum float8, passes integer) -> bytea:
 * a fresh linear or logistic state set to an exact solution (corgi.train's solver=exact
 * and solver=irls).
 */
Datum
corgi_sgd_state_exact(PG_FUNCTION_ARGS)
{
	bytea	   *state;
	ArrayType  *weights_array;
	CorgiFeatureScratch scratch = {0};
	CorgiRowTag row = {0};
	const double *weights;
	int			count;
	CorgiHandle *blob;
	CorgiError	error = {0};

	for (int i = 0; i < 7; i++)
		corgi_require_argument(PG_ARGISNULL(i), "corgi._sgd_state_exact",
							   i == 0 ? "state" : i == 1 ? "weights" : i == 2 ? "intercept" : i == 3 ? "rows"
							   : i == 4 ? "skipped" : i == 5 ? "loss_sum" : "passes");
	state = PG_GETARG_BYTEA_PP(0);
	weights_array = PG_GETARG_ARRAYTYPE_P(1);
	if (array_contains_nulls(weights_array))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("weights hold a NULL")));
	scratch.context = CurrentMemoryContext;
	weights = corgi_features_as_doubles(weights_array, &scratch, &row, &count);
	blob = corgi_handle_new(CurrentMemoryContext);
	corgi_state_set_exact(VARDATA_ANY(state), VARSIZE_ANY_EXHDR(state), weights, count, PG_GETARG_FLOAT8(2),
						  PG_GETARG_INT64(3), PG_GETARG_INT64(4), PG_GETARG_FLOAT8(5), PG_GETARG_INT32(6),
						  &blob->object, &error);
	corgi_raise_if_failed(&error);
	PG_RETURN_BYTEA_P(corgi_blob_to_bytea(blob));
}

PG_FUNCTION_INFO_V1(corgi_default_solver_sql);

/* corgi._default_solver(model text, params text, n_features integer) -> text: 'exact' or 'sgd' (strict) */
Datum
corgi_default_solver_sql(PG_FUNCTION_ARGS)
{
	char	   *model = corgi_text_to_utf8((struct varlena *) PG_GETARG_TEXT_PP(0));
	char	   *params = corgi_text_to_utf8((struct varlena *) PG_GETARG_TEXT_PP(1));

	PG_RETURN_TEXT_P(cstring_to_text(corgi_default_solver(model, params, PG_GETARG_INT32(2)) ? "exact" : "sgd"));
}
