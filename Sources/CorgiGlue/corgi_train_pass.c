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
#if PG_VERSION_NUM >= 170000
#include "storage/read_stream.h"
#endif
#include "storage/smgr.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

#include "corgi_call_snapshot.h"
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

/*
 * The page ranges of a pass, one at a time: next(arg, &first, &count) answers false at
 * the end. The pass reads each range in page order (heap_setscanlimits).
 */
typedef bool (*NextPageRange) (void *arg, BlockNumber *first, BlockNumber *count);

/* One range: [first, end). */
typedef struct SingleRange
{
	BlockNumber first;
	BlockNumber count;
	bool		done;
} SingleRange;

static bool
next_single_range(void *arg, BlockNumber *first, BlockNumber *count)
{
	SingleRange *r = (SingleRange *) arg;

	if (r->done)
		return false;
	r->done = true;
	*first = r->first;
	*count = r->count;
	return true;
}

/* CorgiPile's seeded block order over [offset, offset + pages). */
typedef struct ShuffledBlocks
{
	void	   *order;
	BlockNumber offset;
} ShuffledBlocks;

static bool
next_shuffled_block(void *arg, BlockNumber *first, BlockNumber *count)
{
	ShuffledBlocks *b = (ShuffledBlocks *) arg;
	uint32		block_first,
				block_pages;

	if (!corgi_block_shuffle_next_block(b->order, &block_first, &block_pages))
		return false;
	*first = b->offset + block_first;
	*count = block_pages;
	return true;
}

/* Listed blocks of block_pages pages, in the listed order, clipped to the table. */
typedef struct ListedBlocks
{
	const int32 *blocks;
	int			count;
	int			next;
	int64		block_pages;
	BlockNumber nblocks;
} ListedBlocks;

static bool
next_listed_block(void *arg, BlockNumber *first, BlockNumber *count)
{
	ListedBlocks *b = (ListedBlocks *) arg;

	while (b->next < b->count)
	{
		int64		start = (int64) b->blocks[b->next++] * b->block_pages;

		if (start >= (int64) b->nblocks)
		{
			/* past the end of the table: no rows (a long list of them stays cancellable) */
			if (b->next % 65536 == 0)
				CHECK_FOR_INTERRUPTS();
			continue;
		}
		*first = (BlockNumber) start;
		*count = (BlockNumber) Min(b->block_pages, (int64) b->nblocks - start);
		return true;
	}
	return false;
}

/*
 * corgi.prefetch_next_block: ask for the next block's pages while one is read. Off by
 * default: on the test machine (a virtual disk reading 1.3 to 2.7 GB/s "cold") it did
 * not pay measurably (make bench-cold, BENCHMARKS.md); on a slower disk it may.
 */
bool		corgi_prefetch_next_block = false;

/*
 * Before 17 a prefetch request is one system call per page: only the first pages of the
 * next range are asked for (where a jump stops the kernel's read-ahead; once its pages
 * are read in order the read-ahead takes over). Asking for all of a 10 MB block cost
 * 1,280 calls per block, 0.2 s per 2 GB epoch when the pages were in the OS cache.
 */
#define CORGI_PREFETCH_PAGES 32

/* Asks the storage for a range's pages (posix_fadvise), without waiting for them. */
static void
prefetch_range(Relation rel, BlockNumber first, BlockNumber count)
{
#if PG_VERSION_NUM >= 170000
	/* One request for the whole range (pages already in shared buffers are not checked). */
	(void) smgrprefetch(RelationGetSmgr(rel), MAIN_FORKNUM, first, (int) count);
#elif defined(USE_PREFETCH)
	for (BlockNumber page = first; page < first + Min(count, CORGI_PREFETCH_PAGES); page++)
		(void) PrefetchBuffer(rel, MAIN_FORKNUM, page);
#endif
}

/*
 * corgi.read_stream (read from 17): a pass reads its pages through one read stream that
 * walks every range in order, so the look-ahead (and on 18 the asynchronous reads) runs
 * across a jump from one block to the next. Off: each range is a scan of its own
 * (heap_setscanlimits), whose read stream starts again at every block, as 15 and 16 read.
 */
bool		corgi_read_stream = true;

#if PG_VERSION_NUM >= 170000
/*
 * The stream's flags. Its look-ahead asks the kernel for the pages after a jump (advice,
 * where I/O is synchronous). From 18 the reads are submitted in batches, as a sequential
 * heap scan's are: the callback neither blocks nor waits (an interrupt check in
 * next_listed_block may raise, which ends the batch with the transaction).
 */
#ifdef READ_STREAM_USE_BATCHING
#define CORGI_READ_STREAM_FLAGS (READ_STREAM_DEFAULT | READ_STREAM_USE_BATCHING)
#else
#define CORGI_READ_STREAM_FLAGS READ_STREAM_DEFAULT
#endif

/* The pages of the ranges `next` gives, one by one: a read stream's block numbers. */
typedef struct RangePages
{
	HeapScanDesc scan;
	NextPageRange next;
	void	   *arg;
	BlockNumber page;			/* the next page of the current range */
	BlockNumber end;			/* the current range's end */
} RangePages;

static BlockNumber
next_range_page(ReadStream *stream, void *callback_private_data, void *per_buffer_data)
{
	RangePages *pages = (RangePages *) callback_private_data;

	/*
	 * As the heap scan's own callback does: a scan is "inited" once its stream has given
	 * a page, and heapgettup_pagemode goes on within the current page only then.
	 */
	pages->scan->rs_inited = true;
	while (pages->page >= pages->end)
	{
		BlockNumber first,
					count;

		if (!pages->next(pages->arg, &first, &count))
			return InvalidBlockNumber;
		pages->page = first;
		pages->end = first + count;
	}
	return pages->page++;
}
#endif

/*
 * The rows of the ranges `next` gives, each range a scan of its own (heap_setscanlimits,
 * rescanned per range): how 15 and 16 read, and 17+ with corgi.read_stream off.
 */
static void
read_block_by_block(TableScanDesc scan, CorgiHeapRows *source, NextPageRange next, void *arg,
					CorgiFeatureScratch *scratch, MemoryContext row_context, int64 *rows, CorgiRowSink sink,
					CorgiNullRowSink null_sink, void *sink_arg)
{
	BlockNumber first,
				count,
				next_first,
				next_count;
	bool		has_next = next(arg, &next_first, &next_count);
	bool		started = false;

	while (has_next)
	{
		CHECK_FOR_INTERRUPTS();
		first = next_first;
		count = next_count;
		/*
		 * The next range is known before this one is read (CorgiPile's order is drawn in
		 * advance): ask for its pages now, so that the disk reads them while this range's
		 * rows are trained (a random jump between blocks is where a sequential read-ahead
		 * stops). Pages already in shared buffers cost a hash lookup each.
		 */
		has_next = next(arg, &next_first, &next_count);
		if (has_next && corgi_prefetch_next_block)
			prefetch_range(source->rel, next_first, next_count);
		if (started)
			table_rescan(scan, NULL);
		started = true;
		heap_setscanlimits(scan, first, count);
		corgi_heap_rows_read(scan, source, scratch, row_context, rows, sink, null_sink, sink_arg);
	}
}

/*
 * Reads the rows of the page ranges `next` gives, each range in page order, each row to
 * the sinks (corgi_heap_rows_read: a route on the source sends it to another argument).
 * The rows and their order are the same whichever way the pages are read.
 */
static void
read_ranges(CorgiHeapRows *source, NextPageRange next, void *arg, CorgiRowSink sink, CorgiNullRowSink null_sink,
			void *sink_arg)
{
	MemoryContext read_context = AllocSetContextCreate(CurrentMemoryContext, "corgi read",
													   ALLOCSET_DEFAULT_SIZES);
	MemoryContext old = MemoryContextSwitchTo(read_context);
	MemoryContext row_context = AllocSetContextCreate(read_context, "corgi row", ALLOCSET_DEFAULT_SIZES);
	CorgiFeatureScratch scratch = {0};
	TableScanDesc scan;
	int64		rows = 0;

	scratch.context = read_context;
	scan = table_beginscan_strat(source->rel, corgi_read_snapshot(source->rel), 0, NULL, true, false);
#if PG_VERSION_NUM >= 170000
	if (corgi_read_stream)
	{
		/*
		 * A sequential heap scan pulls its pages from the scan's read stream until the
		 * stream ends (heap_fetch_next_buffer): the stream the scan began with (page order
		 * from rs_startblock) is replaced by one that hands out every range's pages in
		 * turn, with the scan's buffer access strategy. heap_endscan ends it.
		 */
		HeapScanDesc heap_scan = (HeapScanDesc) scan;
		RangePages	pages = {heap_scan, next, arg, 0, 0};

		if (heap_scan->rs_read_stream != NULL)
			read_stream_end(heap_scan->rs_read_stream);
		heap_scan->rs_read_stream = read_stream_begin_relation(CORGI_READ_STREAM_FLAGS, heap_scan->rs_strategy,
															   source->rel, MAIN_FORKNUM, next_range_page,
															   &pages, 0);
		corgi_heap_rows_read(scan, source, &scratch, row_context, &rows, sink, null_sink, sink_arg);
	}
	else
#endif
		read_block_by_block(scan, source, next, arg, &scratch, row_context, &rows, sink, null_sink, sink_arg);
	table_endscan(scan);
	MemoryContextSwitchTo(old);
	MemoryContextDelete(read_context);
}

/*
 * CorgiPile's block order over `pages` pages from `offset`, seeded by a state's
 * REPEATABLE value (the same order TABLESAMPLE corgi_block_shuffle gives); the cursor
 * lives in `context`.
 */
static ShuffledBlocks
shuffled_blocks(MemoryContext context, BlockNumber offset, BlockNumber pages, const CorgiStateInfo *info)
{
	CorgiHandle *order = corgi_handle_new(context);
	CorgiError	error = {0};
	uint32		seed = DatumGetUInt32(DirectFunctionCall1(hashfloat8, Float8GetDatum(info->block_order_seed)));
	ShuffledBlocks blocks;

	corgi_block_shuffle_create((uint32) pages, (uint32) corgi_block_pages(info->block_mb), seed, &order->object,
							   &error);
	corgi_raise_if_failed(&error);
	blocks.order = order->object;
	blocks.offset = offset;
	return blocks;
}

/*
 * Reads the listed blocks (block_pages pages each, in the listed order, clipped to the
 * relation's nblocks pages), each row to the sinks: a model-hopping job of a config's
 * groups (corgi_model_hopping.c), whose route sends each row to its group.
 */
void
corgi_read_listed_blocks(CorgiHeapRows *source, const int32 *block_list, int count, int64 block_pages,
						 BlockNumber nblocks, CorgiRowSink sink, CorgiNullRowSink null_sink, void *arg)
{
	ListedBlocks blocks = {0};

	blocks.blocks = block_list;
	blocks.count = count;
	blocks.block_pages = block_pages;
	blocks.nblocks = nblocks;
	read_ranges(source, next_listed_block, &blocks, sink, null_sink, arg);
}

/*
 * One pass of the trainer in `state` over the page ranges `next` gives, on an open
 * relation; returns the new state. The epoch stays open (corgi.sgd_end_epoch closes it).
 * With a cache, the trainer outlives the pass (in the cache's context) and takes over
 * the tuple buffer of the cache's previous trainer, which is then let go.
 */
static bytea *
train_ranges(CorgiHeapRows *source, bytea *state, NextPageRange next, void *arg, CorgiTrainerCache *cache)
{
	MemoryContext pass_context = AllocSetContextCreate(CurrentMemoryContext, "corgi train pass",
													   ALLOCSET_DEFAULT_SIZES);
	CorgiHandle *trainer;
	bytea	   *result;

	if (cache == NULL)
		trainer = corgi_trainer_open_in(pass_context, state);
	else
	{
		trainer = corgi_trainer_open_with(cache->context, state, cache->trainer ? cache->trainer->object : NULL,
										  NULL);
		if (cache->trainer != NULL)
			corgi_handle_release(cache->trainer);
		cache->trainer = trainer;
	}
	read_ranges(source, next, arg, corgi_trainer_feed, corgi_trainer_skip, trainer->object);
	result = corgi_trainer_finish(trainer->object, false);
	MemoryContextDelete(pass_context);
	return result;
}

/*
 * One pass of the trainer in `state` over the listed blocks (block_pages pages each, in
 * the listed order, clipped to the relation's nblocks pages); returns the new state.
 * A model-hopping job (corgi_model_hopping.c) is one such call.
 */
bytea *
corgi_train_listed_blocks(CorgiHeapRows *source, bytea *state, const int32 *block_list, int count,
						  int64 block_pages, BlockNumber nblocks, CorgiTrainerCache *cache)
{
	ListedBlocks blocks = {0};

	blocks.blocks = block_list;
	blocks.count = count;
	blocks.block_pages = block_pages;
	blocks.nblocks = nblocks;
	return train_ranges(source, state, next_listed_block, &blocks, cache);
}

/*
 * A fused visit (FusedVisit.swift): the `count` models in states trained together over
 * the listed blocks, read once into one tuple buffer shuffled once; results[m] is model
 * m's new state, bit for bit what corgi_train_listed_blocks gives it alone. With a
 * cache, the trainer takes over the cache's tuple buffer as train_ranges does.
 */
void
corgi_train_listed_blocks_fused(CorgiHeapRows *source, bytea **states, int count, const int32 *block_list,
								int block_count, int64 block_pages, BlockNumber nblocks, CorgiTrainerCache *cache,
								bytea **results)
{
	MemoryContext pass_context = AllocSetContextCreate(CurrentMemoryContext, "corgi fused pass",
													   ALLOCSET_DEFAULT_SIZES);
	ListedBlocks blocks = {0};
	const void **datas = palloc(sizeof(void *) * count);
	int64	   *lengths = palloc(sizeof(int64) * count);
	CorgiHandle *trainer;
	CorgiError	error = {0};

	for (int m = 0; m < count; m++)
	{
		datas[m] = VARDATA_ANY(states[m]);
		lengths[m] = VARSIZE_ANY_EXHDR(states[m]);
	}
	trainer = corgi_handle_new(cache != NULL ? cache->context : pass_context);
	corgi_trainer_open_fused(cache != NULL && cache->trainer != NULL ? cache->trainer->object : NULL, datas, lengths,
							 count, &trainer->object, &error);
	corgi_raise_if_failed(&error);
	if (cache != NULL)
	{
		if (cache->trainer != NULL)
			corgi_handle_release(cache->trainer);
		cache->trainer = trainer;
	}
	blocks.blocks = block_list;
	blocks.count = block_count;
	blocks.block_pages = block_pages;
	blocks.nblocks = nblocks;
	read_ranges(source, next_listed_block, &blocks, corgi_trainer_feed, corgi_trainer_skip, trainer->object);
	corgi_trainer_finish_pass(trainer->object);
	corgi_trainer_drain(trainer->object);
	for (int m = 0; m < count; m++)
	{
		CorgiHandle *blob = corgi_handle_new(CurrentMemoryContext);

		corgi_trainer_serialize_member(trainer->object, m, &blob->object, &error);
		corgi_raise_if_failed(&error);
		results[m] = corgi_blob_to_bytea(blob);
	}
	MemoryContextDelete(pass_context);
}

/*
 * Reads the whole relation in the block order of a state (CorgiPile's seeded block
 * order when block_shuffle, else page order), each row to the sinks: the scan of a
 * grouped epoch, whose rows the source's route sends to their group's trainer.
 */
void
corgi_read_in_block_order(CorgiHeapRows *source, bool block_shuffle, const CorgiStateInfo *info,
						  CorgiRowSink sink, CorgiNullRowSink null_sink, void *arg)
{
	MemoryContext order_context = AllocSetContextCreate(CurrentMemoryContext, "corgi block order",
														ALLOCSET_DEFAULT_SIZES);
	BlockNumber nblocks = corgi_heap_data_pages(source->rel);

	if (block_shuffle && nblocks > 0)
	{
		ShuffledBlocks blocks = shuffled_blocks(order_context, 0, nblocks, info);

		read_ranges(source, next_shuffled_block, &blocks, sink, null_sink, arg);
	}
	else
	{
		SingleRange all = {0, nblocks, nblocks == 0};

		read_ranges(source, next_single_range, &all, sink, null_sink, arg);
	}
	MemoryContextDelete(order_context);
}

/*
 * One pass of `state` over the pages [first_page, end_page) of an open relation, in the
 * state's CorgiPile block order (block_shuffle) or in page order: corgi.train_pass, and
 * with the whole relation a job of partition hopping (corgi_train_relation).
 */
static bytea *
train_page_range(CorgiHeapRows *source, bytea *state, bool block_shuffle, int64 first_page, int64 end_page,
				 CorgiTrainerCache *cache)
{
	CorgiStateInfo info;

	corgi_state_info(state, &info);
	if (first_page >= end_page)
	{
		SingleRange none = {.done = true};

		return train_ranges(source, state, next_single_range, &none, cache);
	}
	if (!block_shuffle)
	{
		SingleRange range = {(BlockNumber) first_page, (BlockNumber) (end_page - first_page), false};

		return train_ranges(source, state, next_single_range, &range, cache);
	}
	{
		ShuffledBlocks blocks = shuffled_blocks(CurrentMemoryContext, (BlockNumber) first_page,
												(BlockNumber) (end_page - first_page), &info);

		return train_ranges(source, state, next_shuffled_block, &blocks, cache);
	}
}

/*
 * One pass of `state` over a whole relation, as corgi.train_pass(source, features,
 * label, state, block_shuffle) makes it: a job of partition hopping, on the coordinator
 * (a local partition) or on a node (corgi._train_segment).
 */
bytea *
corgi_train_relation(CorgiHeapRows *source, bytea *state, bool block_shuffle, CorgiTrainerCache *cache)
{
	return train_page_range(source, state, block_shuffle, 0, corgi_heap_data_pages(source->rel), cache);
}

PG_FUNCTION_INFO_V1(corgi_train_pass);

/*
 * corgi.train_pass(source regclass, features text, label name, state bytea,
 *                  block_shuffle boolean, first_page bigint, page_count bigint) -> bytea
 */
Datum
corgi_train_pass(PG_FUNCTION_ARGS)
{
	bytea	   *state;
	bool		block_shuffle;
	int64		first_page;
	int64		page_count;
	CorgiHeapRows source;
	BlockNumber nblocks;
	int64		end_page;
	bytea	   *result;

	/* Not STRICT: page_count NULL means "to the end"; nothing else may be NULL. */
	corgi_require_argument(PG_ARGISNULL(0), "corgi.train_pass", "source");
	corgi_require_argument(PG_ARGISNULL(1), "corgi.train_pass", "features");
	corgi_require_argument(PG_ARGISNULL(2), "corgi.train_pass", "label");
	corgi_require_argument(PG_ARGISNULL(3), "corgi.train_pass", "state");
	corgi_require_argument(PG_ARGISNULL(4), "corgi.train_pass", "block_shuffle");
	corgi_require_argument(PG_ARGISNULL(5), "corgi.train_pass", "first_page");
	state = PG_GETARG_BYTEA_PP(3);
	block_shuffle = PG_GETARG_BOOL(4);
	first_page = PG_GETARG_INT64(5);
	page_count = PG_ARGISNULL(6) ? -1 : PG_GETARG_INT64(6);

	if (first_page < 0 || (page_count < 0 && !PG_ARGISNULL(6)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("page range must not be negative, got first_page " INT64_FORMAT ", page_count " INT64_FORMAT,
						first_page, page_count)));

	source = corgi_heap_rows_open(PG_GETARG_OID(0), corgi_features_argument(fcinfo, 1), NameStr(*PG_GETARG_NAME(2)),
								  "corgi.train", "corgi.sgd");
	nblocks = corgi_heap_data_pages(source.rel);
	/* Both are non-negative here; compare without adding, so no value can overflow. */
	end_page = (page_count < 0 || page_count >= (int64) nblocks - first_page)
		? (int64) nblocks : first_page + page_count;
	result = train_page_range(&source, state, block_shuffle, first_page, end_page, NULL);
	/* Keep the lock until the end of the transaction. */
	table_close(source.rel, NoLock);
	PG_RETURN_BYTEA_P(result);
}

PG_FUNCTION_INFO_V1(corgi_train_blocks);

/*
 * corgi.train_blocks(source regclass, features text, label name, state bytea,
 *                    blocks integer[], block_pages integer) -> bytea
 *
 * One pass over the listed blocks in the listed order (block b is the pages
 * [b * block_pages, (b + 1) * block_pages), clipped to the table; blocks past its end
 * hold no rows): a model's visit to a segment of a model-hopping epoch. The epoch stays
 * open, as with train_pass's page ranges.
 */
Datum
corgi_train_blocks(PG_FUNCTION_ARGS)
{
	bytea	   *state = PG_GETARG_BYTEA_PP(3);
	ArrayType  *array = PG_GETARG_ARRAYTYPE_P(4);
	int32		block_pages = PG_GETARG_INT32(5);
	CorgiStateInfo info;
	CorgiHeapRows source;
	ListedBlocks blocks = {0};
	bytea	   *result;

	if (ARR_NDIM(array) > 1 || ARR_HASNULL(array) || ARR_ELEMTYPE(array) != INT4OID)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("blocks must be a one-dimensional integer array without NULLs")));
	if (block_pages < 1 || block_pages > 131072)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("block_pages must be between 1 and 131072, got %d", block_pages)));
	blocks.count = ArrayGetNItems(ARR_NDIM(array), ARR_DIMS(array));
	blocks.blocks = (const int32 *) ARR_DATA_PTR(array);
	for (int i = 0; i < blocks.count; i++)
		if (blocks.blocks[i] < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("block numbers must not be negative, got %d", blocks.blocks[i])));
	corgi_state_info(state, &info);
	source = corgi_heap_rows_open(PG_GETARG_OID(0), corgi_features_argument(fcinfo, 1), NameStr(*PG_GETARG_NAME(2)),
								  "corgi.train", "corgi.sgd");
	blocks.block_pages = block_pages;
	blocks.nblocks = corgi_heap_data_pages(source.rel);
	result = train_ranges(&source, state, next_listed_block, &blocks, NULL);
	table_close(source.rel, NoLock);
	PG_RETURN_BYTEA_P(result);
}
