/*
 * corgi_handle.h: ownership of Swift objects by PostgreSQL memory contexts.
 *
 * A Swift export that creates an object returns an opaque pointer holding one retain.
 * Store it in a CorgiHandle made by corgi_handle_new() *before* calling the export:
 * the handle registers a reset callback on its memory context, so when the context is
 * reset or deleted (end of query, ERROR, cancel) the object is released exactly once.
 * corgi_handle_release() drops it earlier (e.g. on rescan); the handle can then take a
 * new object.
 */
#ifndef CORGI_HANDLE_H
#define CORGI_HANDLE_H

#include "postgres.h"

typedef struct CorgiHandle
{
	MemoryContextCallback callback;
	void	   *object;			/* retained Swift object, or NULL */
} CorgiHandle;

extern CorgiHandle *corgi_handle_new(MemoryContext context);
extern void corgi_handle_release(CorgiHandle *handle);

#endif							/* CORGI_HANDLE_H */
