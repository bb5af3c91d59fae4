/*
 * corgi_handle.c: Swift objects released by memory-context reset callbacks.
 */
#include "postgres.h"

#include "utils/memutils.h"

#include "corgi_core_api.h"
#include "corgi_handle.h"

static void
corgi_handle_reset_callback(void *arg)
{
	corgi_handle_release((CorgiHandle *) arg);
}

CorgiHandle *
corgi_handle_new(MemoryContext context)
{
	CorgiHandle *handle = MemoryContextAllocZero(context, sizeof(CorgiHandle));

	handle->callback.func = corgi_handle_reset_callback;
	handle->callback.arg = handle;
	MemoryContextRegisterResetCallback(context, &handle->callback);
	return handle;
}

void
corgi_handle_release(CorgiHandle *handle)
{
	void	   *object;

	if (handle == NULL || handle->object == NULL)
		return;
	object = handle->object;
	handle->object = NULL;
	corgi_object_release(object);
}
