/*
 * corgi_heap_rows.h: reading (features, label) rows straight from a heap table, for the
 * fast paths (corgi.train_pass, corgi._evaluate_scan).
 *
 * Reading pages directly bypasses the executor: corgi_heap_rows_open checks SELECT
 * privilege itself and refuses what a query would read differently (views, inheritance
 * parents, other access methods, row-level security that applies to the user).
 */
#ifndef CORGI_HEAP_ROWS_H
#define CORGI_HEAP_ROWS_H

#include "postgres.h"

#include "access/heapam.h"
#include "access/relscan.h"
#include "utils/rel.h"

#include "corgi_training.h"

/*
 * Whether the current user may read two columns of a table: SELECT on the table, or on
 * both columns (an invalid column number: no). What a query reading them would need.
 */
extern bool corgi_may_select_columns(Oid relid, AttrNumber first, AttrNumber second);

/* Raises unless the current user has SELECT on the table or on one of its columns. */
extern void corgi_check_select_some_column(Relation rel);

/*
 * Grouped training: which trainer a row goes to (the sinks' argument), or NULL to pass
 * the row over (a group not trained in this scan).
 */
typedef void *(*CorgiRowRoute) (void *route_arg, HeapTuple tuple, TupleDesc desc);

typedef struct CorgiHeapRows
{
	Relation	rel;
	AttrNumber	features;		/* the one array column; 0 for a list of columns */
	AttrNumber	label;
	Oid			features_type;
	int			ncolumns;		/* a list of feature columns (corgi_feature_columns.h); 0: none */
	AttrNumber *columns;
	Oid		   *column_types;
	struct CorgiFeatureItem **items;	/* each column's fill or levels (corgi_feature_columns.h) */
	/*
	 * When every attribute up to the last one read has a fixed length: each listed
	 * column's byte offset in a tuple without NULLs, and the label's (else NULL).
	 */
	int32	   *column_offsets;
	int32		label_offset;
	struct CorgiFloat8Run *float8_run;	/* column_offsets: float8 columns side by side, or NULL */
	/*
	 * One array column after fixed-length attributes only, with the label among them:
	 * where its attribute starts in a tuple without NULLs (before alignment), and the
	 * label's offset; -1 otherwise.
	 */
	int32		array_offset;
	int32		array_label_offset;
	Oid			label_type;
	CorgiRowRoute route;		/* NULL: every row goes to the read's own argument */
	bool		skip_arrays_with_nulls; /* an array column with a NULL element: a NULL row (else an error) */
	bool		null_array_is_empty;	/* a NULL array column: no features (else a NULL row) */
	void	   *route_arg;
} CorgiHeapRows;

/* Called for each row with both values present, and for each row with a NULL. */
typedef void (*CorgiRowSink) (void *arg, const double *features, int count, double label,
							  const CorgiRowTag *row);
typedef void (*CorgiNullRowSink) (void *arg);

/*
 * Opens relid (AccessShareLock, kept to the end of the transaction) and checks that the
 * caller may read the columns directly (features: one array column, or a list of columns
 * as corgi._feature_columns writes it) and that their types are ones the fast path
 * decodes; errors name the column and say that `caller` reads anything else through
 * `composed`.
 */
extern CorgiHeapRows corgi_heap_rows_open(Oid relid, const char *features, const char *label,
										  const char *caller, const char *composed);

/*
 * A number or boolean column's value as a feature: what value::float8 gives (booleans
 * 1/0, numeric through numeric_float8).
 */
extern double corgi_feature_value(Datum value, Oid type);

/*
 * Whether a row is skipped: a NULL in a listed column that is neither filled nor a
 * category (isnull[attnum - 1]).
 */
extern bool corgi_columns_skip_row(int ncolumns, const AttrNumber *columns, struct CorgiFeatureItem *const *items,
								   const bool *isnull);

/*
 * A list of feature columns' values in a row (values[attnum - 1]; NULL only where
 * corgi_columns_skip_row allows: a fill, or a category's NULL level) as doubles in order,
 * arrays spliced in, categories one-hot: what the composed path's float8[] expression gives.
 */
extern const double *corgi_columns_as_doubles(int ncolumns, const AttrNumber *columns, const Oid *types,
											  struct CorgiFeatureItem *const *items, Datum *values,
											  const bool *isnull, CorgiFeatureScratch *scratch,
											  const CorgiRowTag *row, int *count);

/* Whether a list has a category (an enum or an integer may be one: not read at offsets). */
extern bool corgi_items_have_categories(int ncolumns, struct CorgiFeatureItem *const *items);

/*
 * When every attribute of desc up to the last of columns (and `also`, if > 0) has a
 * fixed length, each column's byte offset in a tuple without NULLs (palloc'd; `also`'s
 * into *also_offset): such rows are read in place. NULL otherwise.
 */
extern int32 *corgi_fixed_offsets(TupleDesc desc, int ncolumns, const AttrNumber *columns,
								  AttrNumber also, int32 *also_offset);

/*
 * Float8 columns side by side in a row (offsets 8 bytes apart, in order): read as one
 * run, with each column's center and inverse scale (0 and 1 where not standardized) in
 * arrays of their own.
 */
typedef struct CorgiFloat8Run
{
	bool		scaled;			/* a column is standardized */
	double	   *centers;
	double	   *inverse_scales;
} CorgiFloat8Run;

/* The run of such columns (palloc'd), or NULL when they are not one. */
extern CorgiFloat8Run *corgi_float8_run(int ncolumns, const Oid *types, const int32 *offsets,
										struct CorgiFeatureItem *const *items);

/* out[c] = (run[c] - centers[c]) * inverse_scales[c], c < ncolumns (non-aliasing arrays). */
extern void corgi_float8_run_scale(int ncolumns, const double *restrict run, const double *restrict centers,
								   const double *restrict inverse_scales, double *restrict out);

/*
 * The columns (numbers, booleans: fixed_offsets' kind) of a row read at their offsets,
 * standardized where their items say; with float8_run (corgi_float8_run of the same
 * columns) read as one run, in place when none is standardized.
 */
extern const double *corgi_columns_at_offsets(int ncolumns, const Oid *types, struct CorgiFeatureItem *const *items,
											  const int32 *offsets, const CorgiFloat8Run *float8_run,
											  const char *data, CorgiFeatureScratch *scratch, int *count);

/*
 * The features argument (argno) of a fast-path entry point: text since 0.8.0 (a list of
 * columns), name in the declarations of earlier versions, which a database calls this
 * library with until ALTER EXTENSION corgi UPDATE; either is read as it was declared.
 */
extern const char *corgi_features_argument(FunctionCallInfo fcinfo, int argno);

/*
 * The pages of a heap table up to its last page that holds a tuple: where a block order
 * is drawn over. A relation may end in pages that never held one (from 16, a bulk insert
 * extends a relation many pages at a time), and a block order drawn over them would
 * differ from one server version to the next for the same rows on the same pages.
 */
extern BlockNumber corgi_heap_data_pages(Relation rel);

/*
 * Asks the CPU for the tuple a few places ahead of the scan's current one on its page
 * (page-at-a-time mode): rows read whole miss the cache once per line otherwise, in an
 * order (the page's end first) the hardware prefetcher does not follow. Changes nothing.
 */
extern void corgi_prefetch_tuple_ahead(HeapScanDesc scan);

/*
 * Feeds every visible row of the scan's current page range to sink (or null_sink),
 * checking for interrupts every 1024 rows; *rows counts every row read, NULLs included.
 * Per-row allocations go to row_context, which is reset as it goes.
 */
extern void corgi_heap_rows_read(TableScanDesc scan, const CorgiHeapRows *source,
								 CorgiFeatureScratch *scratch, MemoryContext row_context,
								 int64 *rows, CorgiRowSink sink, CorgiNullRowSink null_sink,
								 void *arg);

/*
 * A trainer kept between passes (model hopping: one participant trains many models in
 * turn): each pass opens its state into a trainer that takes over the previous one's
 * tuple buffer and worker thread, so no buffer is freed and allocated per hop. The
 * trainer lives in `context`; NULL before the first pass.
 */
typedef struct CorgiTrainerCache
{
	MemoryContext context;
	CorgiHandle *trainer;
} CorgiTrainerCache;

/* corgi_train_pass.c: one pass of a trainer state over listed blocks of a relation. */
extern void corgi_train_listed_blocks_fused(CorgiHeapRows *source, bytea **states, int count,
											const int32 *block_list, int block_count, int64 block_pages,
											BlockNumber nblocks, CorgiTrainerCache *cache, bytea **results);
extern bytea *corgi_train_listed_blocks(CorgiHeapRows *source, bytea *state, const int32 *block_list,
										int count, int64 block_pages, BlockNumber nblocks,
										CorgiTrainerCache *cache);

/* corgi_train_pass.c: one pass of a trainer state over a whole relation (corgi.train_pass's). */
extern bytea *corgi_train_relation(CorgiHeapRows *source, bytea *state, bool block_shuffle,
								   CorgiTrainerCache *cache);

/* corgi_train_pass.c: the whole relation in a state's block order, rows to the sinks. */
extern void corgi_read_in_block_order(CorgiHeapRows *source, bool block_shuffle, const CorgiStateInfo *info,
									  CorgiRowSink sink, CorgiNullRowSink null_sink, void *arg);

/* corgi_train_pass.c: listed blocks of block_pages pages, in the listed order, rows to the sinks. */
extern void corgi_read_listed_blocks(CorgiHeapRows *source, const int32 *block_list, int count,
									 int64 block_pages, BlockNumber nblocks, CorgiRowSink sink,
									 CorgiNullRowSink null_sink, void *arg);

#endif
