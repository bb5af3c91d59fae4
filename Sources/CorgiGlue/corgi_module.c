/*
 * corgi_module.c: the module's magic block, corgi.version() and diagnostics.
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"

#include "corgi_core_api.h"
#include "corgi_version.h"

PG_MODULE_MAGIC;

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
