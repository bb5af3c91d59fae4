/*
 * corgi_block_shuffle_tsm.c: TABLESAMPLE corgi_block_shuffle(block_pages).
 *
 * Returns every visible tuple of the table exactly once, block by block: a block is
 * block_pages consecutive heap pages (the partial last block included), blocks come in
 * a seeded Fisher-Yates order computed by the Swift core (BlockShuffleOrder), and pages
 * inside a block ascend. The seed is PostgreSQL's: hashfloat8(REPEATABLE value), or a
 * random one without REPEATABLE. Visibility, page-mode reading and the bulk-read
 * buffer ring are the core sample scan's.
 */
#include "postgres.h"

#include "access/tsmapi.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "nodes/execnodes.h"
#include "nodes/pathnodes.h"
#include "utils/float.h"

#include <math.h>

#include "corgi_core_api.h"
#include "corgi_error.h"
#include "corgi_handle.h"
#include "corgi_heap_rows.h"

/* The largest block: 1 GB of heap pages. */
#define CORGI_MAX_BLOCK_PAGES ((int64) (1024 * 1024 * 1024) / BLCKSZ)

typedef struct BlockShuffleSampler
{
	uint32		seed;
	uint32		block_pages;
	bool		order_made;		/* the page order of this scan exists */
	CorgiHandle *order;			/* Swift BlockShuffleCursor */
	OffsetNumber last_offset;	/* last offset returned on the current page */
	BlockNumber data_pages;		/* the pages the order is drawn over */
} BlockShuffleSampler;

static void block_shuffle_sample_size(PlannerInfo *root, RelOptInfo *baserel,
									  List *paramexprs, BlockNumber *pages,
									  double *tuples);
static void block_shuffle_init(SampleScanState *node, int eflags);
static void block_shuffle_begin(SampleScanState *node, Datum *params, int nparams,
								uint32 seed);
static BlockNumber block_shuffle_next_block(SampleScanState *node, BlockNumber nblocks);
static OffsetNumber block_shuffle_next_tuple(SampleScanState *node, BlockNumber blockno,
											 OffsetNumber maxoffset);
static void block_shuffle_end(SampleScanState *node);

PG_FUNCTION_INFO_V1(corgi_block_shuffle_handler);

Datum
corgi_block_shuffle_handler(PG_FUNCTION_ARGS)
{
	TsmRoutine *tsm = makeNode(TsmRoutine);

	/* float8, so that 1.5 is refused instead of rounded to 2 by a cast */
	tsm->parameterTypes = list_make1_oid(FLOAT8OID);
	/* The order depends only on (seed, nblocks, block_pages). */
	tsm->repeatable_across_queries = true;
	tsm->repeatable_across_scans = true;
	tsm->SampleScanGetSampleSize = block_shuffle_sample_size;
	tsm->InitSampleScan = block_shuffle_init;
	tsm->BeginSampleScan = block_shuffle_begin;
	tsm->NextSampleBlock = block_shuffle_next_block;
	tsm->NextSampleTuple = block_shuffle_next_tuple;
	tsm->EndSampleScan = block_shuffle_end;
	PG_RETURN_POINTER(tsm);
}

/* Every page and every tuple is returned. */
static void
block_shuffle_sample_size(PlannerInfo *root, RelOptInfo *baserel, List *paramexprs,
						  BlockNumber *pages, double *tuples)
{
	*pages = baserel->pages;
	*tuples = baserel->tuples;
}

static void
block_shuffle_init(SampleScanState *node, int eflags)
{
	BlockShuffleSampler *sampler = palloc0(sizeof(BlockShuffleSampler));

	sampler->order = corgi_handle_new(CurrentMemoryContext);
	node->tsm_state = sampler;
}

static void
block_shuffle_begin(SampleScanState *node, Datum *params, int nparams, uint32 seed)
{
	BlockShuffleSampler *sampler = (BlockShuffleSampler *) node->tsm_state;
	float8		block_pages = DatumGetFloat8(params[0]);

	if (isnan(block_pages) || block_pages < 1 || block_pages > CORGI_MAX_BLOCK_PAGES ||
		block_pages != floor(block_pages))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TABLESAMPLE_ARGUMENT),
				 errmsg("block_pages must be a whole number between 1 and " INT64_FORMAT ", got %s",
						CORGI_MAX_BLOCK_PAGES, float8out_internal(block_pages)),
				 errhint("A block is this many consecutive %d kB heap pages; CorgiPile's usual block is 10 MB (%d pages).",
						 BLCKSZ / 1024, (10 * 1024 * 1024) / BLCKSZ)));

	sampler->seed = seed;
	sampler->block_pages = (uint32) block_pages;
	/* A rescan starts the same order again. */
	corgi_handle_release(sampler->order);
	sampler->order_made = false;
	sampler->last_offset = InvalidOffsetNumber;

	/* Page-at-a-time visibility, as the core sample scan expects of us. */
	node->use_bulkread = true;
	node->use_pagemode = true;
}

static BlockNumber
block_shuffle_next_block(SampleScanState *node, BlockNumber nblocks)
{
	BlockShuffleSampler *sampler = (BlockShuffleSampler *) node->tsm_state;
	uint32		page;

	if (!sampler->order_made)
	{
		CorgiError	error = {0};

		/* The order is drawn over the pages that hold tuples (corgi_heap_data_pages). */
		nblocks = Min(nblocks, corgi_heap_data_pages(node->ss.ss_currentRelation));
		sampler->data_pages = nblocks;
		corgi_block_shuffle_create(nblocks, sampler->block_pages, sampler->seed,
								   &sampler->order->object, &error);
		corgi_raise_if_failed(&error);
		sampler->order_made = true;
	}

	sampler->last_offset = InvalidOffsetNumber;
	if (!corgi_block_shuffle_next_page(sampler->order->object, &page))
		return InvalidBlockNumber;
	if (page >= sampler->data_pages)
		elog(ERROR, "corgi block shuffle returned page %u of a %u-page relation",
			 page, nblocks);
	return (BlockNumber) page;
}

/* All tuples of the page, in offset order; the core checks visibility. */
static OffsetNumber
block_shuffle_next_tuple(SampleScanState *node, BlockNumber blockno,
						 OffsetNumber maxoffset)
{
	BlockShuffleSampler *sampler = (BlockShuffleSampler *) node->tsm_state;
	OffsetNumber next;

	next = (sampler->last_offset == InvalidOffsetNumber) ?
		FirstOffsetNumber : OffsetNumberNext(sampler->last_offset);
	if (next > maxoffset)
		next = InvalidOffsetNumber;
	sampler->last_offset = next;
	return next;
}

static void
block_shuffle_end(SampleScanState *node)
{
	BlockShuffleSampler *sampler = (BlockShuffleSampler *) node->tsm_state;

	if (sampler != NULL)
		corgi_handle_release(sampler->order);
}
