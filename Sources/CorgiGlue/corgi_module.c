/*
 * corgi_module.c: the module's magic block, corgi.version() and diagnostics.
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/guc.h"

#include "corgi_core_api.h"
#include "corgi_training.h"
#include "corgi_version.h"

/* From 18 the loaded module names itself and its version (pg_get_loaded_modules()). */
#if PG_VERSION_NUM >= 180000
PG_MODULE_MAGIC_EXT(.name = "corgi", .version = CORGI_VERSION);
#else
PG_MODULE_MAGIC;
#endif

void		_PG_init(void);

/*
 * corgi.max_buffer_mb caps the tuple-buffer memory of any one training call, whatever
 * max_buffer_mb the caller passes: buffers are malloc'd outside PostgreSQL's memory
 * accounting, so only a superuser may raise it.
 */
void
_PG_init(void)
{
	DefineCustomIntVariable("corgi.max_buffer_mb",
							"Most memory one corgi training call may allocate for its tuple buffers.",
							"Counts both buffers of the double-buffered trainer. The max_buffer_mb "
							"training parameter can only lower it.",
							&corgi_max_buffer_mb,
							1024, 1, 1048576,
							PGC_SUSET, GUC_UNIT_MB,
							NULL, NULL, NULL);
	DefineCustomIntVariable("corgi.max_workers",
							"Most parallel workers one corgi.fit_multiple call asks for.",
							"The leader trains too, so a call runs on up to this many processes "
							"plus one; max_parallel_workers caps it. The models do not depend on it.",
							&corgi_max_workers,
							1, 0, 1024,
							PGC_USERSET, 0,
							NULL, NULL, NULL);
	DefineCustomIntVariable("corgi.node_retries",
							"How often one corgi call sends a training job again after losing its connection to another server.",
							"A job is a pure function of the model state and the partition, so sending it again on a "
							"new connection gives the same model, provided the node's rows did not change.",
							&corgi_node_retries,
							0, 0, 10,
							PGC_USERSET, 0,
							NULL, NULL, NULL);
	DefineCustomIntVariable("corgi.node_connections",
							"Most connections one corgi call opens to one other server.",
							"A server holding several partitions of the source trains that many "
							"of them at once, one job per connection; all read one snapshot. Each is a "
							"backend on that server, so only a superuser may change it.",
							&corgi_node_connections,
							4, 1, 64,
							PGC_SUSET, 0,
							NULL, NULL, NULL);
	DefineCustomBoolVariable("corgi.prefetch_next_block",
							 "Whether a direct read asks for the next block's pages while it reads one.",
							 "CorgiPile's block order is drawn in advance, so the next block's pages can "
							 "be read from disk while a block's rows are trained. The models do not depend on it.",
							 &corgi_prefetch_next_block,
							 false,
							 PGC_USERSET, 0,
							 NULL, NULL, NULL);
	/* Defined on every version, so that settings and scripts carry over; read from 17. */
	DefineCustomBoolVariable("corgi.read_stream",
							 "Whether a direct read reads all its blocks through one read stream (PostgreSQL 17 and later).",
							 "On: the read-ahead (and from 18 the asynchronous reads) runs on across the jump "
							 "from one CorgiPile block to the next. Off: every block is a scan of its own, as "
							 "always before 17. The models do not depend on it.",
							 &corgi_read_stream,
							 true,
							 PGC_USERSET, 0,
							 NULL, NULL, NULL);
	MarkGUCPrefixReserved("corgi");
}

PG_FUNCTION_INFO_V1(corgi_version);

/* corgi.version(): the version of the loaded library. */
Datum
corgi_version(PG_FUNCTION_ARGS)
{
	PG_RETURN_TEXT_P(cstring_to_text(CORGI_VERSION));
}

PG_FUNCTION_INFO_V1(corgi_debug_swift_objects);

/*
 * corgi.debug_swift_objects(): how many Swift objects this backend's glue holds.
 * Zero between statements; the regression tests use it to show that an ERROR or a
 * cancel in the middle of a scan leaks nothing.
 */
Datum
corgi_debug_swift_objects(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(corgi_held_object_count());
}
