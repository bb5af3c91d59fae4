/*
 * corgi_train_pass.c: corgi.train_pass, the fast training path.
 *
 * One pass of SGD over a heap table inside one call: the heap is read block by block
 * in CorgiPile's seeded order (heap_setscanlimits over each block of consecutive
 * pages, core visibility and bulk-read ring), each row's features and label are
 * decoded here and copied into the Swift trainer's tuple buffer, and the trainer
 * shuffles and trains each full buffer. The rows and their order are exactly those of
 *   SELECT ... FROM t TABLESAMPLE corgi_block_shuffle(block_pages) REPEATABLE (seed)
 * so this path and the composed aggregate (corgi.sgd) produce the same model bit for
 * bit. A page range (first_page, page_count) restricts the pass to a segment.
 *
 * Reading pages directly bypasses the executor, so this function checks SELECT
 * privilege itself and refuses tables whose row-level security applies to the user.
 */
#include "postgres.h"

#include <math.h>

#include "access/heapam.h"
#include "access/relscan.h"
#include "access/tableam.h"
#include "catalog/pg_am_d.h"
#include "catalog/pg_class.h"
#include "catalog/pg_inherits.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "storage/bufmgr.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/float.h"
#include "utils/fmgrprotos.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/rls.h"
#include "utils/snapmgr.h"

#include "corgi_core_api.h"
#include "corgi_error.h"
#include "corgi_training.h"

/* Rows between interrupt checks and per-row memory resets. */
#define ROWS_PER_CHECK 1024

/* Pages per block for a state's block_mb. */
int64
corgi_block_pages(double block_mb)
{
	double		pages = rint(block_mb * 1048576.0 / BLCKSZ);

	return pages < 1 ? 1 : (int64) pages;
}

/* A column the fast path reads: its number and type. */
static AttrNumber
lookup_column(Relation rel, const char *name, const char *role, Oid *type)
{
	AttrNumber	attnum = get_attnum(RelationGetRelid(rel), name);

	if (attnum == InvalidAttrNumber)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("column \"%s\" of relation \"%s\" does not exist",
						name, RelationGetRelationName(rel)),
				 errhint("The %s column must be a column of the table.", role)));
	if (attnum < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("system column \"%s\" cannot be the %s column", name, role)));
	*type = get_atttype(RelationGetRelid(rel), attnum);
	return attnum;
}

static void
check_readable(Relation rel, AttrNumber features, AttrNumber label)
{
	Oid			relid = RelationGetRelid(rel);
	Oid			user = GetUserId();
	char		kind = rel->rd_rel->relkind;

	if (kind != RELKIND_RELATION && kind != RELKIND_MATVIEW)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("\"%s\" is not a table or materialized view", RelationGetRelationName(rel)),
				 errhint("corgi.train reads views and partitioned tables through the composed path, corgi.sgd.")));
	if (has_subclass(relid))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("table \"%s\" has inheritance children", RelationGetRelationName(rel)),
				 errdetail("A query of the table reads its children too; reading its pages directly would not."),
				 errhint("corgi.train reads such tables through the composed path, corgi.sgd.")));
	if (rel->rd_rel->relam != HEAP_TABLE_AM_OID)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("table \"%s\" does not use the heap access method", RelationGetRelationName(rel)),
				 errhint("corgi.train reads such tables through the composed path, corgi.sgd.")));
	if (pg_class_aclcheck(relid, user, ACL_SELECT) != ACLCHECK_OK &&
		(pg_attribute_aclcheck(relid, features, user, ACL_SELECT) != ACLCHECK_OK ||
		 pg_attribute_aclcheck(relid, label, user, ACL_SELECT) != ACLCHECK_OK))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied for table %s", RelationGetRelationName(rel))));
	if (check_enable_rls(relid, InvalidOid, true) == RLS_ENABLED)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("table \"%s\" has row-level security for the current user", RelationGetRelationName(rel)),
				 errdetail("Reading its pages directly would bypass the policies."),
				 errhint("corgi.train reads such tables through the composed path, corgi.sgd, which applies them.")));
}

static double
label_value(Datum value, Oid type)
{
	switch (type)
	{
		case BOOLOID:
			return DatumGetBool(value) ? 1.0 : 0.0;
		case INT2OID:
			return DatumGetInt16(value);
		case INT4OID:
			return DatumGetInt32(value);
		case INT8OID:
			return (double) DatumGetInt64(value);
		case FLOAT4OID:
			return DatumGetFloat4(value);
		case FLOAT8OID:
			return DatumGetFloat8(value);
		case NUMERICOID:
			return DatumGetFloat8(DirectFunctionCall1(numeric_float8_no_overflow, value));
	}
	return get_float8_nan();	/* unreachable: the type was checked */
}

/* Feeds every visible row of the scan's current page range to the trainer. */
/*
 * Asks the CPU for the tuple a few places ahead of the current one on the scan's page
 * (page-at-a-time mode lists the visible tuples' offsets). The rows are read whole
 * (every feature), tuple after tuple from the end of the page backwards, a pattern the
 * hardware prefetcher does not follow: without this each row waits for memory several
 * times (measured: most of the backend's time in an epoch). Reads only the pinned page
 * the scan is on, changes nothing.
 */
#define PREFETCH_TUPLES_AHEAD 3

static inline void
prefetch_tuple_ahead(HeapScanDesc scan)
{
	int			ahead = scan->rs_cindex + PREFETCH_TUPLES_AHEAD;
	Page		page;
	ItemId		item;
	char	   *line;
	char	   *end;

	if (!(scan->rs_base.rs_flags & SO_ALLOW_PAGEMODE) || ahead >= scan->rs_ntuples || ahead < 0 ||
		!BufferIsValid(scan->rs_cbuf))
		return;
	page = BufferGetPage(scan->rs_cbuf);
	item = PageGetItemId(page, scan->rs_vistuples[ahead]);
	if (!ItemIdIsNormal(item) || ItemIdGetOffset(item) + ItemIdGetLength(item) > BLCKSZ)
		return;
	line = (char *) page + ItemIdGetOffset(item);
	end = line + ItemIdGetLength(item);
	for (; line < end; line += 64)
		__builtin_prefetch(line, 0, 3);
}

static void
train_range(TableScanDesc scan, TupleDesc desc, AttrNumber features, AttrNumber label,
			Oid label_type, void *trainer, CorgiFeatureScratch *scratch,
			MemoryContext row_context, int64 *rows)
{
	HeapScanDesc heap_scan = (HeapScanDesc) scan;
	HeapTuple	tuple;

	while ((tuple = heap_getnext(scan, ForwardScanDirection)) != NULL)
	{
		bool		features_null,
					label_null;
		Datum		features_datum = heap_getattr(tuple, features, desc, &features_null);
		Datum		label_datum = heap_getattr(tuple, label, desc, &label_null);
		MemoryContext old;
		CorgiRowTag row;
		const double *x;
		double		y;
		int			count;

		prefetch_tuple_ahead(heap_scan);
		if (++(*rows) % ROWS_PER_CHECK == 0)
		{
			CHECK_FOR_INTERRUPTS();
			MemoryContextReset(row_context);
		}
		if (features_null || label_null)
		{
			corgi_trainer_skip(trainer);
			continue;
		}
		row.kind = 1;
		row.block = ItemPointerGetBlockNumber(&tuple->t_self);
		row.offset = ItemPointerGetOffsetNumber(&tuple->t_self);
		row.position = *rows;
		/* Detoasting (arrays, short numerics) allocates: keep it in the row context. */
		old = MemoryContextSwitchTo(row_context);
		x = corgi_features_as_doubles(DatumGetArrayTypeP(features_datum), scratch, &row, &count);
		y = label_value(label_datum, label_type);
		MemoryContextSwitchTo(old);
		corgi_trainer_feed(trainer, x, count, y, &row);
	}
}

PG_FUNCTION_INFO_V1(corgi_train_pass);

/*
 * corgi.train_pass(source regclass, features name, label name, state bytea,
 *                  block_shuffle boolean, first_page bigint, page_count bigint) -> bytea
 */
Datum
corgi_train_pass(PG_FUNCTION_ARGS)
{
	Oid			relid;
	char	   *features_name;
	char	   *label_name;
	bytea	   *state;
	bool		block_shuffle;
	int64		first_page;
	int64		page_count;
	MemoryContext pass_context;
	MemoryContext old;
	CorgiStateInfo info;
	CorgiHandle *trainer;
	CorgiHandle *blob;
	CorgiFeatureScratch scratch = {0};
	CorgiError	error = {0};
	Relation	rel;
	TableScanDesc scan;
	AttrNumber	features_attnum,
				label_attnum;
	Oid			features_type,
				label_type;
	BlockNumber nblocks;
	int64		end_page;
	int64		rows = 0;
	bytea	   *result;

	/* Not STRICT: page_count NULL means "to the end"; nothing else may be NULL. */
	corgi_require_argument(PG_ARGISNULL(0), "corgi.train_pass", "source");
	corgi_require_argument(PG_ARGISNULL(1), "corgi.train_pass", "features");
	corgi_require_argument(PG_ARGISNULL(2), "corgi.train_pass", "label");
	corgi_require_argument(PG_ARGISNULL(3), "corgi.train_pass", "state");
	corgi_require_argument(PG_ARGISNULL(4), "corgi.train_pass", "block_shuffle");
	corgi_require_argument(PG_ARGISNULL(5), "corgi.train_pass", "first_page");
	relid = PG_GETARG_OID(0);
	features_name = NameStr(*PG_GETARG_NAME(1));
	label_name = NameStr(*PG_GETARG_NAME(2));
	state = PG_GETARG_BYTEA_PP(3);
	block_shuffle = PG_GETARG_BOOL(4);
	first_page = PG_GETARG_INT64(5);
	page_count = PG_ARGISNULL(6) ? -1 : PG_GETARG_INT64(6);

	if (first_page < 0 || (page_count < 0 && !PG_ARGISNULL(6)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("page range must not be negative, got first_page " INT64_FORMAT ", page_count " INT64_FORMAT,
						first_page, page_count)));

	corgi_state_info(state, &info);

	rel = table_open(relid, AccessShareLock);
	features_attnum = lookup_column(rel, features_name, "features", &features_type);
	label_attnum = lookup_column(rel, label_name, "label", &label_type);
	check_readable(rel, features_attnum, label_attnum);
	if (features_type != FLOAT8ARRAYOID && features_type != FLOAT4ARRAYOID)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("features column \"%s\" has type %s, expected float8[] or real[]",
						features_name, format_type_be(features_type))));
	if (label_type != BOOLOID && label_type != INT2OID && label_type != INT4OID &&
		label_type != INT8OID && label_type != FLOAT4OID && label_type != FLOAT8OID &&
		label_type != NUMERICOID)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("label column \"%s\" has type %s, expected boolean or a number",
						label_name, format_type_be(label_type)),
				 errhint("corgi.train maps other label types to numbers through the composed path, corgi.sgd.")));

	pass_context = AllocSetContextCreate(CurrentMemoryContext, "corgi train pass",
										 ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(pass_context);
	scratch.context = pass_context;
	trainer = corgi_trainer_open_in(pass_context, state);

	nblocks = RelationGetNumberOfBlocks(rel);
	/* Both are non-negative here; compare without adding, so no value can overflow. */
	end_page = (page_count < 0 || page_count >= (int64) nblocks - first_page)
		? (int64) nblocks : first_page + page_count;
	scan = table_beginscan_strat(rel, GetActiveSnapshot(), 0, NULL, true, false);

	if (first_page < end_page)
	{
		MemoryContext row_context = AllocSetContextCreate(pass_context, "corgi row",
														  ALLOCSET_DEFAULT_SIZES);
		TupleDesc	desc = RelationGetDescr(rel);

		if (!block_shuffle)
		{
			heap_setscanlimits(scan, (BlockNumber) first_page, (BlockNumber) (end_page - first_page));
			train_range(scan, desc, features_attnum, label_attnum, label_type,
						trainer->object, &scratch, row_context, &rows);
		}
		else
		{
			CorgiHandle *order = corgi_handle_new(pass_context);
			uint32		seed = DatumGetUInt32(DirectFunctionCall1(hashfloat8,
																   Float8GetDatum(info.block_order_seed)));
			uint32		block_first,
						block_pages;

			corgi_block_shuffle_create((uint32) (end_page - first_page),
									   (uint32) corgi_block_pages(info.block_mb), seed,
									   &order->object, &error);
			corgi_raise_if_failed(&error);
			while (corgi_block_shuffle_next_block(order->object, &block_first, &block_pages))
			{
				CHECK_FOR_INTERRUPTS();
				table_rescan(scan, NULL);
				heap_setscanlimits(scan, (BlockNumber) (first_page + block_first), block_pages);
				train_range(scan, desc, features_attnum, label_attnum, label_type,
							trainer->object, &scratch, row_context, &rows);
			}
			corgi_handle_release(order);
		}
	}
	table_endscan(scan);
	/* Keep the lock until the end of the transaction. */
	table_close(rel, NoLock);

	corgi_trainer_finish_pass(trainer->object);
	corgi_trainer_drain(trainer->object);
	blob = corgi_handle_new(pass_context);
	corgi_trainer_serialize(trainer->object, &blob->object, &error);
	corgi_raise_if_failed(&error);
	MemoryContextSwitchTo(old);
	result = corgi_blob_to_bytea(blob);
	MemoryContextDelete(pass_context);
	PG_RETURN_BYTEA_P(result);
}
