/*
 * corgi_feature_moments.c: the aggregate behind MLP standardization, and the moments of
 * a feature list's columns read straight from the heap (corgi._column_moments).
 *
 *   corgi._feature_moments(features float8[]) -> float8[]
 *     {mean_1 .. mean_n, scale_1 .. scale_n}, scale = 1 / population standard deviation
 *     (1 for a constant feature), over the rows whose features are not NULL.
 *
 * Welford's update per feature, float64, in row order (deterministic for a given order).
 * Every row must have the first row's length.
 */
#include "postgres.h"

#include <math.h>

#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/pg_type.h"
#include "executor/tuptable.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/float.h"
#include "utils/fmgrprotos.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

#include "corgi_call_snapshot.h"
#include "corgi_feature_columns.h"
#include "corgi_heap_rows.h"
#include "corgi_progress.h"
#include "corgi_training.h"

typedef struct FeatureMoments
{
	int			count;			/* features per row */
	int64		rows;
	double	   *mean;
	double	   *m2;
	CorgiFeatureScratch scratch;
} FeatureMoments;

PG_FUNCTION_INFO_V1(corgi_feature_moments_transition);

/* corgi_feature_moments_transition(internal, features float8[]) */
Datum
corgi_feature_moments_transition(PG_FUNCTION_ARGS)
{
	MemoryContext context;
	FeatureMoments *s;
	CorgiRowTag row = {0};
	const double *x;
	int			count;

	if (!AggCheckCallContext(fcinfo, &context))
		elog(ERROR, "corgi_feature_moments_transition called in non-aggregate context");
	s = PG_ARGISNULL(0) ? NULL : (FeatureMoments *) PG_GETARG_POINTER(0);
	if (PG_ARGISNULL(1))
	{
		/* No state before the first non-NULL row: stay SQL NULL, never a NULL pointer. */
		if (s == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(s);
	}
	if (s == NULL)
	{
		s = MemoryContextAllocZero(context, sizeof(FeatureMoments));
		s->scratch.context = context;
		s->count = -1;
	}
	row.position = s->rows + 1;
	x = corgi_features_as_doubles(PG_GETARG_ARRAYTYPE_P(1), &s->scratch, &row, &count);
	if (s->count < 0)
	{
		s->count = count;
		s->mean = MemoryContextAllocZero(context, sizeof(double) * Max(count, 1));
		s->m2 = MemoryContextAllocZero(context, sizeof(double) * Max(count, 1));
	}
	else if (count != s->count)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("row " INT64_FORMAT " has %d features, the first row had %d", s->rows + 1, count, s->count)));
	s->rows++;
	if (s->rows % 4096 == 0)
		CHECK_FOR_INTERRUPTS();
	for (int i = 0; i < count; i++)
	{
		double		delta = x[i] - s->mean[i];

		s->mean[i] += delta / (double) s->rows;
		s->m2[i] += delta * (x[i] - s->mean[i]);
	}
	PG_RETURN_POINTER(s);
}

PG_FUNCTION_INFO_V1(corgi_feature_moments_final);

Datum
corgi_feature_moments_final(PG_FUNCTION_ARGS)
{
	FeatureMoments *s;
	Datum	   *values;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	s = (FeatureMoments *) PG_GETARG_POINTER(0);
	if (s->rows == 0 || s->count <= 0)
		PG_RETURN_NULL();
	values = palloc(sizeof(Datum) * 2 * s->count);
	for (int i = 0; i < s->count; i++)
	{
		double		sd = sqrt(s->m2[i] / (double) s->rows);

		values[i] = Float8GetDatum(s->mean[i]);
		values[s->count + i] = Float8GetDatum(sd > 0 && isfinite(sd) ? 1.0 / sd : 1.0);
	}
	PG_RETURN_ARRAYTYPE_P(construct_array(values, 2 * s->count, FLOAT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}

/*
 * corgi._column_moments(source regclass, columns text) -> float8[]
 *
 * For each listed number or boolean column (a plain list, corgi._feature_columns' form):
 * {mean, population standard deviation, share of non-NULL values} over the table's
 * rows, read straight from the heap (SELECT checked; refused where row-level security
 * applies, like every fast path): what
 *   SELECT avg(x::float8), stddev_pop(x::float8), count(x)::float8 / greatest(count(*), 1)
 * gives in one sequential pass without a parallel plan, bit for bit: the sums are
 * PostgreSQL's own (float8_accum's Youngs-Cramer update, in the table's order), so a list
 * standardized from a heap table and from a query of it keeps the same centers and scales
 * (regress feature_columns compares them). NULL for a mean or deviation of no value
 * (corgi._listed_features then uses 0 and 1).
 */

/* float8_accum's state for each column: N, Sx, Sxx (one array each). */
typedef struct ColumnSums
{
	double	   *n;
	double	   *sx;
	double	   *sxx;
} ColumnSums;

/* float8_accum's update of column c, with its checks. */
static void
column_sums_add(ColumnSums *s, int c, double x)
{
	double		n = s->n[c] + 1.0;
	double		sx = s->sx[c] + x;
	double		sxx = s->sxx[c];

	if (s->n[c] > 0.0)
	{
		double		tmp = x * n - sx;

		sxx += tmp * tmp / (n * s->n[c]);
		if (isinf(sx) || isinf(sxx))
		{
			if (!isinf(s->sx[c]) && !isinf(x))
				float_overflow_error();	/* as float8_accum */
			sxx = get_float8_nan();
		}
	}
	else if (isnan(x) || isinf(x))
		sxx = get_float8_nan();
	s->n[c] = n;
	s->sx[c] = sx;
	s->sxx[c] = sxx;
}

/*
 * column_sums_add without float8_accum's checks, for a column that has a value already:
 * the same arithmetic, so the same bits as long as every sum stays finite. The checks
 * only act once a sum is infinite or NaN, and a sum that is not finite stays so; the
 * caller checks the sums at the end and, if one is not finite, reads the table again with
 * the checks (float8_accum's error or NaN, exactly). Columns in separate arrays, no
 * branch: the compiler may keep several columns in flight. Compiled for AVX2 too, picked
 * per CPU by the loader (four divisions at a time where SSE2 does two): element-wise IEEE
 * arithmetic, and neither version may fuse a multiply and an add (no FMA in either
 * target), so both give the same bits.
 */
#if defined(__x86_64__) && defined(__clang__)
__attribute__((target_clones("avx2", "default")))
#endif
static void
column_sums_add_row(int ncolumns, double *restrict n, double *restrict sx, double *restrict sxx,
					const double *restrict x)
{
	for (int c = 0; c < ncolumns; c++)
	{
		double		n1 = n[c] + 1.0;
		double		sx1 = sx[c] + x[c];
		double		tmp = x[c] * n1 - sx1;

		sxx[c] += tmp * tmp / (n1 * n[c]);
		n[c] = n1;
		sx[c] = sx1;
	}
}

/*
 * One pass over the table's rows into sums (zeroed here); checked: every update with
 * float8_accum's checks, else rows without NULL once every column has a value skip them
 * (column_sums_add_row). Returns the rows read.
 */
static double
column_moments_scan(CorgiHeapRows *source, int last, ColumnSums *sums, bool checked)
{
	int			n = source->ncolumns;
	TableScanDesc scan;
	TupleTableSlot *slot;
	HeapTuple	tuple;
	CorgiFeatureScratch scratch;
	double		rows = 0;
	bool		started = false;	/* every column has a value */

	memset(sums->n, 0, sizeof(double) * n);
	memset(sums->sx, 0, sizeof(double) * n);
	memset(sums->sxx, 0, sizeof(double) * n);
	scratch.values = NULL;
	scratch.capacity = 0;
	scratch.context = CurrentMemoryContext;
	scan = table_beginscan_strat(source->rel, corgi_read_snapshot(source->rel), 0, NULL, true, false);
	slot = MakeSingleTupleTableSlot(RelationGetDescr(source->rel), &TTSOpsHeapTuple);
	while ((tuple = heap_getnext(scan, ForwardScanDirection)) != NULL)
	{
		corgi_prefetch_tuple_ahead((HeapScanDesc) scan);
		rows += 1.0;
		if ((int64) rows % 1024 == 0)
		{
			CHECK_FOR_INTERRUPTS();
			corgi_progress_count_rows(1024);
		}
		/* Columns at fixed offsets in a row without NULLs: read in place (the same values). */
		if (source->column_offsets != NULL && !HeapTupleHasNulls(tuple)
			&& HeapTupleHeaderGetNatts(tuple->t_data) >= last)
		{
			int			count;
			const double *x = corgi_columns_at_offsets(n, source->column_types, source->items, source->column_offsets,
													   source->float8_run,
													   (const char *) tuple->t_data + tuple->t_data->t_hoff,
													   &scratch, &count);

			if (started && !checked)
				column_sums_add_row(n, sums->n, sums->sx, sums->sxx, x);
			else
				for (int c = 0; c < n; c++)
					column_sums_add(sums, c, x[c]);
			started = true;
			continue;
		}
		ExecStoreHeapTuple(tuple, slot, false);
		slot_getsomeattrs(slot, last);
		for (int c = 0; c < n; c++)
		{
			Datum		v = slot->tts_values[source->columns[c] - 1];

			if (slot->tts_isnull[source->columns[c] - 1])
				continue;
			column_sums_add(sums, c, corgi_feature_value(v, source->column_types[c]));
		}
		if (!started)
		{
			started = true;
			for (int c = 0; c < n; c++)
				started = started && sums->n[c] > 0.0;
		}
	}
	ExecDropSingleTupleTableSlot(slot);
	table_endscan(scan);
	return rows;
}

PG_FUNCTION_INFO_V1(corgi_column_moments);

Datum
corgi_column_moments(PG_FUNCTION_ARGS)
{
	char	   *columns = text_to_cstring(PG_GETARG_TEXT_PP(1));
	List	   *names = NIL;
	CorgiHeapRows source;
	ColumnSums	sums;
	Datum	   *values;
	bool	   *nulls;
	double		rows;
	int			last = 0;
	int			n;

	if (!corgi_parse_column_list(columns, &names) || names == NIL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("columns \"%s\" is not a list of column names", columns)));
	/* The first column stands in for the label the reader checks (a number too). */
	source = corgi_heap_rows_open(PG_GETARG_OID(0), columns, linitial(names), "corgi.train",
								  "a query of the columns");
	n = source.ncolumns;
	for (int c = 0; c < n; c++)
	{
		if (!corgi_scalar_feature_type(source.column_types[c]))
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("column \"%s\" has type %s, expected a number or a boolean",
							source.items[c]->name, format_type_be(source.column_types[c]))));
		last = Max(last, source.columns[c]);
	}
	sums.n = palloc(sizeof(double) * n);
	sums.sx = palloc(sizeof(double) * n);
	sums.sxx = palloc(sizeof(double) * n);
	rows = column_moments_scan(&source, last, &sums, false);
	for (int c = 0; c < n; c++)
		if (!isfinite(sums.sx[c]) || !isfinite(sums.sxx[c]))
		{
			/* A sum left the finite numbers: again with float8_accum's checks, for its answer. */
			rows = column_moments_scan(&source, last, &sums, true);
			break;
		}
	table_close(source.rel, NoLock);
	values = palloc(sizeof(Datum) * 3 * n);
	nulls = palloc(sizeof(bool) * 3 * n);
	for (int c = 0; c < n; c++)
	{
		nulls[3 * c] = nulls[3 * c + 1] = sums.n[c] == 0;
		values[3 * c] = Float8GetDatum(sums.n[c] == 0 ? 0 : sums.sx[c] / sums.n[c]);
		values[3 * c + 1] = Float8GetDatum(sums.n[c] == 0 ? 0 : sqrt(sums.sxx[c] / sums.n[c]));
		values[3 * c + 2] = Float8GetDatum(sums.n[c] / (rows > 1 ? rows : 1));
		nulls[3 * c + 2] = false;
	}
	{
		int			dims[1] = {3 * n};
		int			lbs[1] = {1};

		PG_RETURN_ARRAYTYPE_P(construct_md_array(values, nulls, 1, dims, lbs, FLOAT8OID, 8, FLOAT8PASSBYVAL,
												 TYPALIGN_DOUBLE));
	}
}
