/*
 * corgi_group_router.h: the groups of a grouped training (grouping_cols), as a hash
 * table from key values to group index, with the types' own hash and equality
 * functions (GROUP BY's semantics: NULL keys form one group; 1.0 and 1.00 are one
 * numeric key). Built from the keys' text forms, so the fast path (heap tuples) and the
 * composed path (a record per row) route every row to the same group.
 */
#ifndef CORGI_GROUP_ROUTER_H
#define CORGI_GROUP_ROUTER_H

#include "postgres.h"

#include "fmgr.h"
#include "utils/array.h"

typedef struct CorgiGroupRouter
{
	int			key_count;		/* grouping columns */
	int			group_count;
	Oid		   *types;
	Oid		   *collations;
	FmgrInfo   *hash;			/* per column: the type's hash function */
	FmgrInfo   *equal;			/* per column: its equality */
	bool	   *bitwise;		/* per column: a by-value type whose equality is the
								 * Datum's (integers, bool, "char", oid, date): hashed and
								 * compared inline, without a function call */
	Datum	   *keys;			/* group_count * key_count */
	bool	   *nulls;
	uint32		mask;			/* slot count - 1 (a power of two) */
	int32	   *slots;			/* group index, -1 when empty */
	uint32	   *slot_hashes;
} CorgiGroupRouter;

/*
 * The router of `group_count` groups whose keys are key_texts (a text[] of
 * group_count * key_count elements, group after group; NULL for a NULL key), read with
 * the types' input functions. Allocated in the current memory context.
 */
extern CorgiGroupRouter *corgi_group_router_build(int key_count, const Oid *types, const Oid *collations,
												  ArrayType *key_texts);

/* The index of the group of these key values, or -1 for a key of no group. */
extern int32 corgi_group_router_find(const CorgiGroupRouter *router, const Datum *values, const bool *nulls);

#endif							/* CORGI_GROUP_ROUTER_H */
