/*
 * corgi_group_router.c: key values -> group index, for grouped training (see the header).
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
#include "parser/analyze.h"
#include "tcop/tcopprot.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/resowner.h"
#include "utils/typcache.h"

#include "corgi_group_router.h"

/* The hash of a NULL key column (any constant: NULLs are one group). */
#define NULL_KEY_HASH 0x9E3779B9u

/*
 * Types whose equality is the equality of their Datums (by value, one representation per
 * value): their keys are hashed and compared inline. The router's hashes are its own
 * (the table is built and probed with the same function), so they need not be the
 * types' hash functions.
 */
static bool
is_bitwise_type(Oid type)
{
	switch (type)
	{
		case BOOLOID:
		case CHAROID:
		case INT2OID:
		case INT4OID:
		case INT8OID:
		case OIDOID:
		case DATEOID:
			return true;
	}
	return false;
}

/* splitmix64's finalizer: every bit of the value reaches the low bits the mask keeps. */
static inline uint32
datum_hash(Datum value)
{
	uint64		v = (uint64) value;

	v = (v ^ (v >> 30)) * UINT64CONST(0xbf58476d1ce4e5b9);
	v = (v ^ (v >> 27)) * UINT64CONST(0x94d049bb133111eb);
	return (uint32) (v ^ (v >> 31));
}

static inline uint32
key_hash(const CorgiGroupRouter *router, const Datum *values, const bool *nulls)
{
	uint32		hash = 0;

	for (int c = 0; c < router->key_count; c++)
	{
		uint32		h = nulls[c] ? NULL_KEY_HASH
			: router->bitwise[c] ? datum_hash(values[c])
			: DatumGetUInt32(FunctionCall1Coll(&router->hash[c], router->collations[c], values[c]));

		hash = hash_combine(hash, h);
	}
	return hash;
}

static inline bool
keys_equal(const CorgiGroupRouter *router, int32 group, const Datum *values, const bool *nulls)
{
	const Datum *keys = router->keys + (Size) group * router->key_count;
	const bool *key_nulls = router->nulls + (Size) group * router->key_count;

	for (int c = 0; c < router->key_count; c++)
	{
		if (nulls[c] || key_nulls[c])
		{
			if (nulls[c] != key_nulls[c])
				return false;
			continue;
		}
		if (router->bitwise[c] ? keys[c] != values[c]
			: !DatumGetBool(FunctionCall2Coll(&router->equal[c], router->collations[c], keys[c], values[c])))
			return false;
	}
	return true;
}

CorgiGroupRouter *
corgi_group_router_build(int key_count, const Oid *types, const Oid *collations, ArrayType *key_texts)
{
	CorgiGroupRouter *router = palloc0(sizeof(CorgiGroupRouter));
	Datum	   *texts;
	bool	   *text_nulls;
	int			text_count;
	uint32		slots = 16;

	if (ARR_ELEMTYPE(key_texts) != TEXTOID || ARR_NDIM(key_texts) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("group keys must be a one-dimensional text array")));
	deconstruct_array(key_texts, TEXTOID, -1, false, TYPALIGN_INT, &texts, &text_nulls, &text_count);
	if (key_count < 1 || text_count % key_count != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("group keys have %d values, not a multiple of %d grouping columns", text_count, key_count)));
	router->key_count = key_count;
	router->group_count = text_count / key_count;
	router->types = palloc(sizeof(Oid) * key_count);
	router->collations = palloc(sizeof(Oid) * key_count);
	router->hash = palloc(sizeof(FmgrInfo) * key_count);
	router->equal = palloc(sizeof(FmgrInfo) * key_count);
	router->bitwise = palloc(sizeof(bool) * key_count);
	for (int c = 0; c < key_count; c++)
	{
		TypeCacheEntry *type = lookup_type_cache(types[c], TYPECACHE_HASH_PROC_FINFO | TYPECACHE_EQ_OPR_FINFO);

		if (!OidIsValid(type->hash_proc) || !OidIsValid(type->eq_opr))
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_FUNCTION),
					 errmsg("grouping column %d has type %s, which has no hash function", c + 1,
							format_type_be(types[c])),
					 errhint("Group by a column of a type that can be hashed, or cast it (e.g. to text).")));
		router->types[c] = types[c];
		router->bitwise[c] = is_bitwise_type(types[c]);
		router->collations[c] = collations[c];
		fmgr_info_copy(&router->hash[c], &type->hash_proc_finfo, CurrentMemoryContext);
		fmgr_info_copy(&router->equal[c], &type->eq_opr_finfo, CurrentMemoryContext);
	}

	/* The keys, read with their types' input functions. */
	router->keys = palloc(sizeof(Datum) * Max(text_count, 1));
	router->nulls = palloc(sizeof(bool) * Max(text_count, 1));
	for (int i = 0; i < text_count; i++)
	{
		int			c = i % key_count;

		if (i % 65536 == 0)
			CHECK_FOR_INTERRUPTS();

		router->nulls[i] = text_nulls[i];
		if (text_nulls[i])
			router->keys[i] = (Datum) 0;
		else
		{
			Oid			input,
						ioparam;

			getTypeInputInfo(types[c], &input, &ioparam);
			router->keys[i] = OidInputFunctionCall(input, TextDatumGetCString(texts[i]), ioparam, -1);
		}
	}

	/* Open addressing, at most half full. */
	while (slots < (uint32) router->group_count * 2)
		slots <<= 1;
	router->mask = slots - 1;
	router->slots = palloc(sizeof(int32) * slots);
	router->slot_hashes = palloc(sizeof(uint32) * slots);
	memset(router->slots, 0xFF, sizeof(int32) * slots);
	for (int32 g = 0; g < router->group_count; g++)
	{
		const Datum *values = router->keys + (Size) g * key_count;
		const bool *nulls = router->nulls + (Size) g * key_count;
		uint32		hash = key_hash(router, values, nulls);
		uint32		slot = hash & router->mask;

		CHECK_FOR_INTERRUPTS();
		while (router->slots[slot] >= 0)
		{
			if (router->slot_hashes[slot] == hash && keys_equal(router, router->slots[slot], values, nulls))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("group %d repeats the key of group %d", g + 1, router->slots[slot] + 1)));
			slot = (slot + 1) & router->mask;
		}
		router->slots[slot] = g;
		router->slot_hashes[slot] = hash;
	}
	return router;
}

int32
corgi_group_router_find(const CorgiGroupRouter *router, const Datum *values, const bool *nulls)
{
	uint32		hash = key_hash(router, values, nulls);
	uint32		slot = hash & router->mask;

	while (router->slots[slot] >= 0)
	{
		if (router->slot_hashes[slot] == hash && keys_equal(router, router->slots[slot], values, nulls))
			return router->slots[slot];
		slot = (slot + 1) & router->mask;
	}
	return -1;
}

PG_FUNCTION_INFO_V1(corgi_check_grouping_expression);

/*
 * corgi._check_grouping_expression(src regclass, expr text, grouping_cols text) -> void
 *
 * An expression of grouping_cols, analysed as SELECT (expr) FROM src and never run: a
 * group key is computed again by the counting pass and by every epoch, so it must give
 * a row the same key each time (no volatile function: random() made thousands of empty
 * groups in 0.5.0, each marked ok), and it must be a value the router and GROUP BY can
 * compare, not a row. One expression over the table, nothing else: no second statement,
 * set operation, CTE or other table.
 */
Datum
corgi_check_grouping_expression(PG_FUNCTION_ARGS)
{
	Oid			relid = PG_GETARG_OID(0);
	char	   *expr = text_to_cstring(PG_GETARG_TEXT_PP(1));
	char	   *grouping_cols = text_to_cstring(PG_GETARG_TEXT_PP(2));
	char	   *sql = psprintf("SELECT (%s) FROM %s", expr,
							   quote_qualified_identifier(get_namespace_name(get_rel_namespace(relid)),
														  get_rel_name(relid)));
	MemoryContext context = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;
	List	   *raw = NIL;
	Query	   *query = NULL;
	TargetEntry *entry;
	Oid			type;

	/*
	 * Parsed in a subtransaction: a parse error is reported as the item's, without a
	 * position in a query the caller never wrote.
	 */
	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(context);
	PG_TRY();
	{
		raw = pg_parse_query(sql);
		if (list_length(raw) == 1)
			query = parse_analyze_fixedparams(linitial_node(RawStmt, raw), sql, NULL, 0, NULL);
		ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(context);
		CurrentResourceOwner = owner;
	}
	PG_CATCH();
	{
		ErrorData  *error;

		MemoryContextSwitchTo(context);
		error = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(context);
		CurrentResourceOwner = owner;
		ereport(ERROR,
				(errcode(error->sqlerrcode),
				 errmsg("grouping_cols \"%s\" has an item that is not an expression of the table: \"%s\"",
						grouping_cols, expr),
				 errdetail_internal("%s", error->message),
				 errhint("Write columns, or expressions of a row's columns such as (price / 10)::int.")));
	}
	PG_END_TRY();
	if (query == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_SYNTAX_ERROR),
				 errmsg("grouping_cols \"%s\" has an item that is not one expression: \"%s\"", grouping_cols, expr)));
	if (query->commandType != CMD_SELECT || query->setOperations != NULL || query->cteList != NIL
		|| list_length(query->rtable) != 1 || query->jointree->quals != NULL || query->hasAggs
		|| query->hasWindowFuncs || query->hasTargetSRFs || query->groupClause != NIL || query->sortClause != NIL
		|| query->limitCount != NULL || list_length(query->targetList) != 1)
		ereport(ERROR,
				(errcode(ERRCODE_SYNTAX_ERROR),
				 errmsg("grouping_cols \"%s\" has an item that is not one expression of the row: \"%s\"",
						grouping_cols, expr),
				 errhint("Write columns, or expressions of a row's columns such as (price / 10)::int.")));
	entry = linitial_node(TargetEntry, query->targetList);
	if (contain_volatile_functions((Node *) entry->expr))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("grouping_cols \"%s\" has a volatile expression \"%s\"", grouping_cols, expr),
				 errdetail("Its value may change from one evaluation to the next: a row's group would not be the same in the counting pass and in each epoch."),
				 errhint("Group by columns, or by expressions of immutable or stable functions.")));
	type = exprType((Node *) entry->expr);
	if (type_is_rowtype(type) || get_typtype(type) == TYPTYPE_PSEUDO)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("grouping_cols \"%s\" has an expression of a row type, \"%s\" (%s)", grouping_cols, expr,
						format_type_be(type)),
				 errhint("Group by the row's columns, listed one by one.")));
	PG_RETURN_VOID();
}
