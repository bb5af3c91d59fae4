/*
 * corgi_kernels.h: the few CPU intrinsics Swift cannot spell, as static inline C the
 * Swift compiler inlines. No PostgreSQL here: CorgiCore imports this module.
 */
#ifndef CORGI_KERNELS_H
#define CORGI_KERNELS_H

#include <stddef.h>

/* Hints the CPU to load the cache lines of [address, address + bytes) for reading
 * soon. Has no effect on results; never faults, even for invalid addresses. */
static inline void
corgi_prefetch(const void *address, size_t bytes)
{
	const char *p = (const char *) address;

	for (size_t offset = 0; offset < bytes; offset += 64)
		__builtin_prefetch(p + offset, 0, 3);
}

#endif							/* CORGI_KERNELS_H */
