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
 * Reading pages directly bypasses the executor: corgi_heap_rows_open checks SELECT
 * privilege and refuses tables whose row-level security applies to the user.
 */
#include "postgres.h"

#include <math.h>

#include "access/heapam.h"
#include "access/relscan.h"
#include "access/tableam.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "storage/bufmgr.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

#include "corgi_core_api.h"
#include "corgi_error.h"
#include "corgi_heap_rows.h"
#include "corgi_training.h"

/* Pages per block for a state's block_mb. */
int64
corgi_block_pages(double block_mb)
{
	double		pages = rint(block_mb * 1048576.0 / BLCKSZ);

	return pages < 1 ? 1 : (int64) pages;
}

/* corgi_heap_rows_read's sinks for training. */
static void
feed_trainer(void *trainer, const double *features, int count, double label, const CorgiRowTag *row)
{
	corgi_trainer_feed(trainer, features, count, label, row);
}

static void
skip_row(void *trainer)
{
	corgi_trainer_skip(trainer);
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
	CorgiHeapRows source;
	TableScanDesc scan;
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

	source = corgi_heap_rows_open(relid, features_name, label_name, "corgi.train", "corgi.sgd");

	pass_context = AllocSetContextCreate(CurrentMemoryContext, "corgi train pass",
										 ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(pass_context);
	scratch.context = pass_context;
	trainer = corgi_trainer_open_in(pass_context, state);

	nblocks = RelationGetNumberOfBlocks(source.rel);
	/* Both are non-negative here; compare without adding, so no value can overflow. */
	end_page = (page_count < 0 || page_count >= (int64) nblocks - first_page)
		? (int64) nblocks : first_page + page_count;
	scan = table_beginscan_strat(source.rel, GetActiveSnapshot(), 0, NULL, true, false);

	if (first_page < end_page)
	{
		MemoryContext row_context = AllocSetContextCreate(pass_context, "corgi row",
														  ALLOCSET_DEFAULT_SIZES);

		if (!block_shuffle)
		{
			heap_setscanlimits(scan, (BlockNumber) first_page, (BlockNumber) (end_page - first_page));
			corgi_heap_rows_read(scan, &source, &scratch, row_context, &rows,
								 feed_trainer, skip_row, trainer->object);
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
				corgi_heap_rows_read(scan, &source, &scratch, row_context, &rows,
									 feed_trainer, skip_row, trainer->object);
			}
			corgi_handle_release(order);
		}
	}
	table_endscan(scan);
	/* Keep the lock until the end of the transaction. */
	table_close(source.rel, NoLock);

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
