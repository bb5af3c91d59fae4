/*
 * corgi_core_api.h: prototypes of the functions the Swift boundary exports with
 * @_cdecl (Sources/CorgiBoundary). Each signature here must match its Swift
 * declaration exactly; the Swift side names the C prototype in its doc comment.
 *
 * Rules of the boundary (see Sources/README.md):
 * - these functions never call PostgreSQL and never raise: they return a CorgiStatus
 *   and fill a CorgiError, and the caller raises the error after they returned;
 * - an object they create is returned as an opaque pointer holding one retain, to be
 *   dropped with corgi_object_release (normally by a CorgiHandle, corgi_handle.h).
 */
#ifndef CORGI_CORE_API_H
#define CORGI_CORE_API_H

#include <stdint.h>
#include "corgi_abi.h"

/* ObjectLifetime.swift */
extern void corgi_object_release(void *object);
extern int64_t corgi_held_object_count(void);

/* BlockShuffleExports.swift */
extern int32_t corgi_block_shuffle_create(uint32_t page_count, uint32_t pages_per_block,
										  uint64_t seed, void **cursor_out,
										  CorgiError *error);
extern int32_t corgi_block_shuffle_next_page(void *cursor, uint32_t *page_out);

#endif							/* CORGI_CORE_API_H */
