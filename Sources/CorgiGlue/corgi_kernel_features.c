/*
 * corgi_kernel_features.c: corgi.kernel_features(features float8[], kernel text, params text)
 * -> float8[], a row mapped by a random feature map whose inner products approximate the
 * kernel (KernelFeatureMap: gaussian by random Fourier features, polynomial by random
 * Maclaurin features), so that a linear model trained on the mapped rows is a kernel
 * machine: corgi_madlib's svm_classification and svm_regression with kernel_func gaussian
 * or polynomial train corgi's svm and svr on it, and svm_predict maps new rows the same way.
 *
 * The map is drawn from (kernel, params, the row's width) alone and kept per call site (one
 * map per query, not per row); a row with a NULL element maps to NULL (training skips it,
 * as MADlib drops it).
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "utils/array.h"
#include "utils/builtins.h"

#include "corgi_core_api.h"
#include "corgi_error.h"
#include "corgi_handle.h"
#include "corgi_training.h"

typedef struct KernelCache
{
	char	   *kernel;
	char	   *params;
	int			input_count;
	int			components;
	CorgiHandle *map;
	double	   *out;
	CorgiFeatureScratch scratch;
} KernelCache;

PG_FUNCTION_INFO_V1(corgi_kernel_features);

Datum
corgi_kernel_features(PG_FUNCTION_ARGS)
{
	ArrayType  *array = PG_GETARG_ARRAYTYPE_P(0);
	char	   *kernel = text_to_cstring(PG_GETARG_TEXT_PP(1));
	char	   *params = text_to_cstring(PG_GETARG_TEXT_PP(2));
	KernelCache *cache = (KernelCache *) fcinfo->flinfo->fn_extra;
	CorgiRowTag row = {.kind = CORGI_ROW_PASS_POSITION, .position = 1};
	const double *x;
	int			count;
	Datum	   *values;

	if (ARR_HASNULL(array) && array_contains_nulls(array))
		PG_RETURN_NULL();
	if (cache == NULL)
	{
		cache = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(KernelCache));
		cache->map = corgi_handle_new(fcinfo->flinfo->fn_mcxt);
		cache->scratch.context = fcinfo->flinfo->fn_mcxt;
		fcinfo->flinfo->fn_extra = cache;
	}
	x = corgi_features_as_doubles(array, &cache->scratch, &row, &count);
	if (cache->map->object == NULL || cache->input_count != count || strcmp(cache->kernel, kernel) != 0
		|| strcmp(cache->params, params) != 0)
	{
		CorgiError	error = {0};

		corgi_handle_release(cache->map);
		corgi_kernel_map_open(kernel, params, count, &cache->map->object, &error);
		corgi_raise_if_failed(&error);
		cache->components = corgi_kernel_map_components(cache->map->object);
		cache->input_count = count;
		if (cache->kernel)
			pfree(cache->kernel);
		if (cache->params)
			pfree(cache->params);
		cache->kernel = MemoryContextStrdup(fcinfo->flinfo->fn_mcxt, kernel);
		cache->params = MemoryContextStrdup(fcinfo->flinfo->fn_mcxt, params);
		if (cache->out)
			pfree(cache->out);
		cache->out = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, sizeof(double) * Max(cache->components, 1));
	}
	if (!corgi_kernel_map_apply(cache->map->object, x, count, cache->out, cache->components))
		elog(ERROR, "corgi.kernel_features: the map refused a row of %d values", count);
	values = palloc(sizeof(Datum) * Max(cache->components, 1));
	for (int i = 0; i < cache->components; i++)
		values[i] = Float8GetDatum(cache->out[i]);
	PG_RETURN_ARRAYTYPE_P(construct_array(values, cache->components, FLOAT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}
