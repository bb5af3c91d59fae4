/*
 * corgi_feature_moments.c: the aggregate behind MLP standardization.
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

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/array.h"

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
