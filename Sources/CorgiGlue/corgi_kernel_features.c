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
 * as MADlib drops it). The maps a backend holds count against corgi.max_buffer_mb
 * together, before one is drawn (a query of many call sites, or a huge n_components, is
 * refused, not allocated); each gives its bytes back with its call site's memory.
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

/* Bytes of kernel maps this backend holds (their call sites' memory not yet released). */
static int64 kernel_bytes_held = 0;

typedef struct KernelCache
{
	MemoryContextCallback callback;	/* gives planned_bytes back */
	int64		planned_bytes;
	char	   *kernel;
	char	   *params;
	int			input_count;
	int			components;
	CorgiHandle *map;
	double	   *out;
	CorgiFeatureScratch scratch;
} KernelCache;

static void
kernel_cache_release(void *arg)
{
	KernelCache *cache = (KernelCache *) arg;

	kernel_bytes_held -= cache->planned_bytes;
	cache->planned_bytes = 0;
}

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
		cache->callback.func = kernel_cache_release;
		cache->callback.arg = cache;
		MemoryContextRegisterResetCallback(fcinfo->flinfo->fn_mcxt, &cache->callback);
		fcinfo->flinfo->fn_extra = cache;
	}
	x = corgi_features_as_doubles(array, &cache->scratch, &row, &count);
	if (cache->map->object == NULL || cache->input_count != count || strcmp(cache->kernel, kernel) != 0
		|| strcmp(cache->params, params) != 0)
	{
		CorgiError	error = {0};
		int64		cap = (int64) corgi_max_buffer_mb * 1024 * 1024;
		int64		bytes;

		corgi_handle_release(cache->map);
		kernel_bytes_held -= cache->planned_bytes;
		cache->planned_bytes = 0;
		bytes = corgi_kernel_map_planned_bytes(kernel, params, count, &error);
		corgi_raise_if_failed(&error);
		if (kernel_bytes_held + bytes > cap)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("a kernel map of %s would take " INT64_FORMAT " kB, more than corgi.max_buffer_mb (%d MB) leaves",
							params, bytes / 1024, corgi_max_buffer_mb),
					 errdetail("This backend holds " INT64_FORMAT " kB of kernel maps.", kernel_bytes_held / 1024),
					 errhint("Ask for fewer n_components, or ask a superuser to raise corgi.max_buffer_mb.")));
		corgi_kernel_map_open(kernel, params, count, &cache->map->object, &error);
		corgi_raise_if_failed(&error);
		cache->planned_bytes = bytes;
		kernel_bytes_held += bytes;
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
