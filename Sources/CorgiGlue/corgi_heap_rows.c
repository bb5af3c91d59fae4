/*
 * corgi_heap_rows.c: (features, label) rows read straight from a heap table, for the
 * fast paths. See corgi_heap_rows.h.
 */
#include "postgres.h"

#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/tupmacs.h"
#include "access/relscan.h"
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/pg_am_d.h"
#include "catalog/pg_class.h"
#include "catalog/pg_inherits.h"
#include "catalog/objectaddress.h"
#include "catalog/pg_type.h"
#include "executor/tuptable.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "storage/bufmgr.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/float.h"
#include "utils/fmgrprotos.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/rls.h"

#include "corgi_call_snapshot.h"
#include "corgi_feature_columns.h"
#include "corgi_heap_rows.h"
#include "corgi_progress.h"

/*
 * The column types the fast paths decode: the one list (the SQL scripts ask for it
 * through corgi._label_types() and corgi._feature_types()).
 */
static const Oid label_types[] = {BOOLOID, INT2OID, INT4OID, INT8OID, FLOAT4OID, FLOAT8OID, NUMERICOID};
static const Oid feature_types[] = {FLOAT8ARRAYOID, FLOAT4ARRAYOID};

static bool
type_in(Oid type, const Oid *list, int count)
{
	for (int i = 0; i < count; i++)
		if (list[i] == type)
			return true;
	return false;
}

/* The names of a type list, as pg_typeof()::text writes them, in a text[]. */
static Datum
type_names(const Oid *list, int count)
{
	Datum	   *names = palloc(sizeof(Datum) * count);

	for (int i = 0; i < count; i++)
		names[i] = CStringGetTextDatum(format_type_be(list[i]));
	return PointerGetDatum(construct_array(names, count, TEXTOID, -1, false, TYPALIGN_INT));
}

PG_FUNCTION_INFO_V1(corgi_label_types);

/* corgi._label_types() -> text[]: label column types read as numbers */
Datum
corgi_label_types(PG_FUNCTION_ARGS)
{
	PG_RETURN_DATUM(type_names(label_types, lengthof(label_types)));
}

PG_FUNCTION_INFO_V1(corgi_feature_types);

/* corgi._feature_types() -> text[]: feature column types the fast paths read */
Datum
corgi_feature_types(PG_FUNCTION_ARGS)
{
	PG_RETURN_DATUM(type_names(feature_types, lengthof(feature_types)));
}

/* Rows between interrupt checks and per-row memory resets. */
#define ROWS_PER_CHECK 1024

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

bool
corgi_may_select_columns(Oid relid, AttrNumber first, AttrNumber second)
{
	Oid			user = GetUserId();

	if (pg_class_aclcheck(relid, user, ACL_SELECT) == ACLCHECK_OK)
		return true;
	return first != InvalidAttrNumber && second != InvalidAttrNumber
		&& pg_attribute_aclcheck(relid, first, user, ACL_SELECT) == ACLCHECK_OK
		&& pg_attribute_aclcheck(relid, second, user, ACL_SELECT) == ACLCHECK_OK;
}

void
corgi_check_select_some_column(Relation rel)
{
	Oid			relid = RelationGetRelid(rel);

	if (pg_class_aclcheck(relid, GetUserId(), ACL_SELECT) != ACLCHECK_OK
		&& pg_attribute_aclcheck_all(relid, GetUserId(), ACL_SELECT, ACLMASK_ANY) != ACLCHECK_OK)
		aclcheck_error(ACLCHECK_NO_PRIV, get_relkind_objtype(rel->rd_rel->relkind), RelationGetRelationName(rel));
}

/* SELECT on the table, or on every column the source reads. */
static bool
may_select_source(const CorgiHeapRows *source)
{
	Oid			relid = RelationGetRelid(source->rel);

	if (source->ncolumns == 0)
		return corgi_may_select_columns(relid, source->features, source->label);
	if (pg_class_aclcheck(relid, GetUserId(), ACL_SELECT) == ACLCHECK_OK)
		return true;
	for (int i = 0; i < source->ncolumns; i++)
		if (!corgi_may_select_columns(relid, source->columns[i], source->label))
			return false;
	return true;
}

static void
check_readable(const CorgiHeapRows *source, const char *caller, const char *composed)
{
	Relation	rel = source->rel;
	Oid			relid = RelationGetRelid(rel);
	char		kind = rel->rd_rel->relkind;

	if (kind != RELKIND_RELATION && kind != RELKIND_MATVIEW)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("\"%s\" is not a table or materialized view", RelationGetRelationName(rel)),
				 errhint("%s reads views and partitioned tables through the composed path, %s.", caller, composed)));
	if (has_subclass(relid))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("table \"%s\" has inheritance children", RelationGetRelationName(rel)),
				 errdetail("A query of the table reads its children too; reading its pages directly would not."),
				 errhint("%s reads such tables through the composed path, %s.", caller, composed)));
	if (rel->rd_rel->relam != HEAP_TABLE_AM_OID)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("table \"%s\" does not use the heap access method", RelationGetRelationName(rel)),
				 errhint("%s reads such tables through the composed path, %s.", caller, composed)));
	if (!may_select_source(source))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied for table %s", RelationGetRelationName(rel))));
	if (check_enable_rls(relid, InvalidOid, true) == RLS_ENABLED)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("table \"%s\" has row-level security for the current user", RelationGetRelationName(rel)),
				 errdetail("Reading its pages directly would bypass the policies."),
				 errhint("%s reads such tables through the composed path, %s, which applies them.", caller, composed)));
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

double
corgi_feature_value(Datum value, Oid type)
{
	if (type == NUMERICOID)
		return DatumGetFloat8(DirectFunctionCall1(numeric_float8, value));	/* as numeric::float8 */
	return label_value(value, type);
}

bool
corgi_columns_skip_row(int ncolumns, const AttrNumber *columns, CorgiFeatureItem *const *items, const bool *isnull)
{
	for (int c = 0; c < ncolumns; c++)
		if (isnull[columns[c] - 1] && !(items[c]->has_fill || items[c]->categorical))
			return true;
	return false;
}

const double *
corgi_columns_as_doubles(int ncolumns, const AttrNumber *columns, const Oid *types, CorgiFeatureItem *const *items,
						 Datum *values, const bool *isnull, CorgiFeatureScratch *scratch, const CorgiRowTag *row,
						 int *count)
{
	int			n = 0;
	double	   *out;

	for (int c = 0; c < ncolumns; c++)
	{
		Oid			type = types[c];
		ArrayType  *array;
		int			length;

		if (type != FLOAT8ARRAYOID && type != FLOAT4ARRAYOID)
		{
			n += corgi_feature_item_width(items[c]);
			continue;
		}
		array = DatumGetArrayTypeP(values[columns[c] - 1]);
		values[columns[c] - 1] = PointerGetDatum(array);	/* detoasted once */
		if (ARR_NDIM(array) > 1)
			ereport(ERROR,
					(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
					 errmsg("features of %s have %d dimensions, expected 1", corgi_row_name(row), ARR_NDIM(array))));
		if (ARR_HASNULL(array))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("features of %s contain a NULL element", corgi_row_name(row)),
					 errhint("Replace NULL features (e.g. with 0), or filter such rows out in a view.")));
		length = ARR_NDIM(array) == 0 ? 0 : ARR_DIMS(array)[0];
		if (length > INT_MAX / 2 - n)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("features of %s are too many", corgi_row_name(row))));
		n += length;
	}
	out = corgi_scratch_room(scratch, n);
	n = 0;
	for (int c = 0; c < ncolumns; c++)
	{
		const CorgiFeatureItem *item = items[c];
		Datum		value = values[columns[c] - 1];
		bool		null = isnull[columns[c] - 1];

		if (item->categorical)
		{
			/* One-hot: the levels in the model's order, then "other", then NULL. */
			int			level = item->nlevels + 1;

			if (!null && item->output != NULL)
			{
				char	   *v = OutputFunctionCall(item->output, value);

				level = corgi_feature_item_level(item, v, strlen(v));
			}
			else if (!null)
			{
				text	   *t = DatumGetTextPP(value);

				level = corgi_feature_item_level(item, VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
			}
			for (int i = 0; i < item->nlevels + 2; i++)
				out[n + i] = 0.0;
			out[n + level] = 1.0;
			n += item->nlevels + 2;
			continue;
		}
		if (null)
		{
			/* corgi_columns_skip_row: only a filled column is NULL here */
			out[n++] = item->has_scale ? corgi_feature_item_standardized(item, item->fill) : item->fill;
			continue;
		}
		switch (types[c])
		{
			case FLOAT8ARRAYOID:
				{
					ArrayType  *array = DatumGetArrayTypeP(value);
					int			length = ARR_NDIM(array) == 0 ? 0 : ARR_DIMS(array)[0];

					memcpy(out + n, ARR_DATA_PTR(array), sizeof(double) * length);
					n += length;
					break;
				}
			case FLOAT4ARRAYOID:
				{
					ArrayType  *array = DatumGetArrayTypeP(value);
					int			length = ARR_NDIM(array) == 0 ? 0 : ARR_DIMS(array)[0];
					const float4 *values = (const float4 *) ARR_DATA_PTR(array);

					for (int i = 0; i < length; i++)
						out[n++] = values[i];
					break;
				}
			case FLOAT8OID:
				out[n++] = DatumGetFloat8(value);
				break;
			default:
				out[n++] = corgi_feature_value(value, types[c]);
				break;
		}
		if (item->has_scale)
			out[n - 1] = corgi_feature_item_standardized(item, out[n - 1]);
	}
	*count = n;
	return out;
}

/*
 * Asks the CPU for the tuple a few places ahead of the current one on the scan's page
 * (page-at-a-time mode lists the visible tuples' offsets), and, at a page's first tuple,
 * for every line of the page's tuple area at once. The rows are read whole (every
 * feature), tuple after tuple from the end of the page backwards, a pattern the hardware
 * prefetcher does not follow: without this each row waits for memory several times
 * (measured: most of the backend's time in an epoch). The whole page's request lets the
 * memory system fetch its lines side by side from the start (1M x 28 float8 columns in
 * shared buffers, 8 interleaved rounds: corgi._column_moments 88-92 -> 56-58 ms, a
 * standardized 3-epoch corgi.train 0.49-0.52 -> 0.38-0.41 s; a hot corgipile epoch of
 * the 1M x 28 array table 0.100 -> 0.091 and 0.114 -> 0.096 s in two runs, 42 epochs
 * each); the tuples ahead still pay (without them: 88 ms). The lines are asked for in
 * the scan's order, from the end of the page down (against the other direction: an
 * epoch 0.101 -> 0.097 s, the standardized train 0.41 -> 0.35 s). Reads only the pinned
 * page the scan is on, changes nothing.
 */
#define PREFETCH_TUPLES_AHEAD 3

void
corgi_prefetch_tuple_ahead(HeapScanDesc scan)
{
	int			ahead = scan->rs_cindex + PREFETCH_TUPLES_AHEAD;
	Page		page;
	ItemId		item;
	char	   *line;
	char	   *end;

	if (!(scan->rs_base.rs_flags & SO_ALLOW_PAGEMODE) || !BufferIsValid(scan->rs_cbuf))
		return;
	page = BufferGetPage(scan->rs_cbuf);
	if (scan->rs_cindex == 0)
	{
		PageHeader	header = (PageHeader) page;

		if (header->pd_upper < header->pd_special && header->pd_special <= BLCKSZ)
		{
			const char *low = (const char *) page + header->pd_upper;
			const char *at = (const char *) page + header->pd_special;

			/* From the end of the page down: the scan's order (the first line pointer's tuple is last on the page). */
			while (at > low)
			{
				at -= 64;
				__builtin_prefetch(at, 0, 3);
			}
		}
	}
	if (ahead >= scan->rs_ntuples || ahead < 0)
		return;
	item = PageGetItemId(page, scan->rs_vistuples[ahead]);
	if (!ItemIdIsNormal(item) || ItemIdGetOffset(item) + ItemIdGetLength(item) > BLCKSZ)
		return;
	line = (char *) page + ItemIdGetOffset(item);
	end = line + ItemIdGetLength(item);
	for (; line < end; line += 64)
		__builtin_prefetch(line, 0, 3);
}

bool
corgi_items_have_categories(int ncolumns, struct CorgiFeatureItem *const *items)
{
	for (int c = 0; c < ncolumns; c++)
		if (items[c]->categorical)
			return true;
	return false;
}

int32 *
corgi_fixed_offsets(TupleDesc desc, int ncolumns, const AttrNumber *columns, AttrNumber also, int32 *also_offset)
{
	int			last = also;
	int32	   *offsets;
	int32	   *result;
	int32		off = 0;

	for (int c = 0; c < ncolumns; c++)
		last = Max(last, columns[c]);
	if (last > desc->natts)
		return NULL;
	offsets = palloc(sizeof(int32) * Max(last, 1));
	for (int i = 0; i < last; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		if (att->attlen <= 0)
		{
			pfree(offsets);
			return NULL;
		}
		off = att_align_nominal(off, att->attalign);
		offsets[i] = off;
		off += att->attlen;
	}
	result = palloc(sizeof(int32) * Max(ncolumns, 1));
	for (int c = 0; c < ncolumns; c++)
		result[c] = offsets[columns[c] - 1];
	if (also > 0 && also_offset != NULL)
		*also_offset = offsets[also - 1];
	pfree(offsets);
	return result;
}

CorgiFloat8Run *
corgi_float8_run(int ncolumns, const Oid *types, const int32 *offsets, struct CorgiFeatureItem *const *items)
{
	CorgiFloat8Run *run;

	if (offsets == NULL || ncolumns < 1)
		return NULL;
	for (int c = 0; c < ncolumns; c++)
		if (types[c] != FLOAT8OID || offsets[c] != offsets[0] + (int32) sizeof(double) * c)
			return NULL;
	run = palloc0(sizeof(CorgiFloat8Run));
	run->centers = palloc(sizeof(double) * ncolumns);
	run->inverse_scales = palloc(sizeof(double) * ncolumns);
	for (int c = 0; c < ncolumns; c++)
	{
		corgi_feature_item_scaling(items[c], &run->centers[c], &run->inverse_scales[c]);
		run->scaled |= items[c]->has_scale;
	}
	return run;
}

/*
 * out[c] = (run[c] - centers[c]) * inverse_scales[c]: corgi_feature_item_standardized's
 * arithmetic, element-wise (a subtraction, then a multiplication: nothing a compiler may
 * fuse), so any vector width gives the same bits. The pointers do not alias (out is
 * scratch), which lets the compiler vectorize; compiled for AVX2 too, picked per CPU by
 * the loader.
 */
#if defined(__x86_64__) && defined(__clang__)
__attribute__((target_clones("avx2", "default")))
#endif
void
corgi_float8_run_scale(int ncolumns, const double *restrict run, const double *restrict centers,
					   const double *restrict inverse_scales, double *restrict out)
{
	for (int c = 0; c < ncolumns; c++)
		out[c] = (run[c] - centers[c]) * inverse_scales[c];
}

const double *
corgi_columns_at_offsets(int ncolumns, const Oid *types, struct CorgiFeatureItem *const *items, const int32 *offsets,
						 const CorgiFloat8Run *float8_run, const char *data, CorgiFeatureScratch *scratch, int *count)
{
	double	   *out;

	if (float8_run != NULL)
	{
		/*
		 * Side by side float8 columns: the row's bytes are the values (a tuple's data is
		 * MAXALIGNed and float8 columns sit at multiples of 8 in it). Used in place
		 * unless a column is standardized; then one loop over contiguous centers and
		 * scales (corgi_feature_item_standardized's arithmetic).
		 */
		const double *run = (const double *) (data + offsets[0]);

		*count = ncolumns;
		if (!float8_run->scaled)
			return run;
		out = corgi_scratch_room(scratch, ncolumns);
		corgi_float8_run_scale(ncolumns, run, float8_run->centers, float8_run->inverse_scales, out);
		return out;
	}
	out = corgi_scratch_room(scratch, ncolumns);

	for (int c = 0; c < ncolumns; c++)
	{
		const char *at = data + offsets[c];

		switch (types[c])
		{
			case FLOAT8OID:
				memcpy(&out[c], at, sizeof(double));
				break;
			case FLOAT4OID:
				{
					float4		v;

					memcpy(&v, at, sizeof(v));
					out[c] = v;
					break;
				}
			case INT8OID:
				{
					int64		v;

					memcpy(&v, at, sizeof(v));
					out[c] = (double) v;
					break;
				}
			case INT4OID:
				{
					int32		v;

					memcpy(&v, at, sizeof(v));
					out[c] = v;
					break;
				}
			case INT2OID:
				{
					int16		v;

					memcpy(&v, at, sizeof(v));
					out[c] = v;
					break;
				}
			case BOOLOID:
				out[c] = *at != 0 ? 1.0 : 0.0;
				break;
			default:
				out[c] = get_float8_nan();	/* unreachable: fixed lengths are the above */
		}
	}
	for (int c = 0; c < ncolumns; c++)
		if (items[c]->has_scale)
			out[c] = corgi_feature_item_standardized(items[c], out[c]);
	*count = ncolumns;
	return out;
}

CorgiHeapRows
corgi_heap_rows_open(Oid relid, const char *features, const char *label, const char *caller,
					 const char *composed)
{
	CorgiHeapRows source;

	source.route = NULL;
	source.route_arg = NULL;
	source.skip_arrays_with_nulls = false;
	source.null_array_is_empty = false;
	source.rel = table_open(relid, AccessShareLock);
	source.ncolumns = 0;
	source.columns = NULL;
	source.column_types = NULL;
	source.items = NULL;
	source.features = get_attnum(relid, features);
	if (source.features != InvalidAttrNumber)
		source.features = lookup_column(source.rel, features, "features", &source.features_type);
	if (source.features == InvalidAttrNumber || corgi_scalar_feature_type(source.features_type))
	{
		/* A list of feature columns (one scalar column is a list of one). */
		List	   *items = NIL;
		ListCell   *lc;

		if (!corgi_parse_feature_spec(features, &items))
			lookup_column(source.rel, features, "features", &source.features_type);	/* raises */
		source.columns = palloc(sizeof(AttrNumber) * list_length(items));
		source.column_types = palloc(sizeof(Oid) * list_length(items));
		source.items = palloc(sizeof(CorgiFeatureItem *) * list_length(items));
		foreach(lc, items)
		{
			CorgiFeatureItem *item = lfirst(lc);
			int			i = source.ncolumns++;

			source.columns[i] = lookup_column(source.rel, item->name, "features", &source.column_types[i]);
			source.items[i] = item;
			if (!corgi_fast_feature_type(source.column_types[i]))
				ereport(ERROR,
						(errcode(ERRCODE_DATATYPE_MISMATCH),
						 errmsg("feature column \"%s\" has type %s, expected a number, a boolean, a text category, float8[] or real[]",
								item->name, format_type_be(source.column_types[i])),
						 errhint("%s reads other types through the composed path, %s.", caller, composed)));
			if (item->categorical ? !corgi_categorizable_type(source.column_types[i])
				: corgi_category_type(source.column_types[i]))
				ereport(ERROR,
						(errcode(ERRCODE_DATATYPE_MISMATCH),
						 errmsg("feature column \"%s\" has type %s, %s", item->name,
								format_type_be(source.column_types[i]),
								item->categorical ? "which has no levels" : "a category given without its levels"),
						 errhint("Pass the independent_varname a model's summary records.")));
			if (item->has_fill && !corgi_scalar_feature_type(source.column_types[i]))
				ereport(ERROR,
						(errcode(ERRCODE_DATATYPE_MISMATCH),
						 errmsg("feature column \"%s\" has type %s, which has no fill", item->name,
								format_type_be(source.column_types[i]))));
			item->type = source.column_types[i];
			corgi_feature_item_prepare(item);
		}
		source.features = InvalidAttrNumber;
		source.features_type = FLOAT8ARRAYOID;
	}
	source.label = lookup_column(source.rel, label, "label", &source.label_type);
	source.column_offsets = source.ncolumns == 0 || corgi_items_have_categories(source.ncolumns, source.items) ? NULL
		: corgi_fixed_offsets(RelationGetDescr(source.rel), source.ncolumns, source.columns, source.label,
							  &source.label_offset);
	source.float8_run = corgi_float8_run(source.ncolumns, source.column_types, source.column_offsets, source.items);
	source.array_offset = -1;
	source.array_label_offset = -1;
	if (source.ncolumns == 0 && source.features != InvalidAttrNumber && source.label < source.features)
	{
		int32		label_offset = -1;
		int32	   *offsets = corgi_fixed_offsets(RelationGetDescr(source.rel), 1, &source.label, 0, NULL);

		/* Every attribute before the array fixed: its start is the end of the one before. */
		if (offsets != NULL && source.features > 1)
		{
			int32	   *before = corgi_fixed_offsets(RelationGetDescr(source.rel), 1,
													 &(AttrNumber) {source.features - 1}, 0, NULL);

			label_offset = offsets[0];
			if (before != NULL)
			{
				Form_pg_attribute last = TupleDescAttr(RelationGetDescr(source.rel), source.features - 2);

				source.array_offset = before[0] + last->attlen;
				source.array_label_offset = label_offset;
			}
		}
	}
	check_readable(&source, caller, composed);
	if (!type_in(source.features_type, feature_types, lengthof(feature_types)))
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("features column \"%s\" has type %s, expected float8[] or real[]",
						features, format_type_be(source.features_type))));
	if (!type_in(source.label_type, label_types, lengthof(label_types)))
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("label column \"%s\" has type %s, expected boolean or a number",
						label, format_type_be(source.label_type)),
				 errhint("%s maps other label types to numbers through the composed path, %s.", caller, composed)));
	return source;
}

void
corgi_heap_rows_read(TableScanDesc scan, const CorgiHeapRows *source, CorgiFeatureScratch *scratch,
					 MemoryContext row_context, int64 *rows, CorgiRowSink sink,
					 CorgiNullRowSink null_sink, void *arg)
{
	HeapScanDesc heap_scan = (HeapScanDesc) scan;
	TupleDesc	desc = RelationGetDescr(source->rel);
	HeapTuple	tuple;
	/*
	 * Both columns come from one pass over the tuple's attributes, as the executor deforms
	 * a row (slot_getsomeattrs, up to the later of the two): heap_getattr walks from the
	 * first attribute again for every column past the first varlena.
	 */
	TupleTableSlot *slot = MakeSingleTupleTableSlot(desc, &TTSOpsHeapTuple);
	int			last = Max(source->features, source->label);

	for (int c = 0; c < source->ncolumns; c++)
		last = Max(last, source->columns[c]);

	while ((tuple = heap_getnext(scan, ForwardScanDirection)) != NULL)
	{
		bool		features_null,
					label_null;
		Datum		features_datum;
		Datum		label_datum;
		MemoryContext old;
		CorgiRowTag row;
		const double *x;
		double		y;
		int			count;
		void	   *target = arg;

		/* A tuple without NULLs whose columns sit at fixed offsets: read in place. */
		const char *direct = NULL;

		if (source->column_offsets != NULL && !HeapTupleHasNulls(tuple)
			&& HeapTupleHeaderGetNatts(tuple->t_data) >= last)
		{
			direct = (const char *) tuple->t_data + tuple->t_data->t_hoff;
			features_datum = (Datum) 0;
			features_null = false;
			label_datum = fetchatt(TupleDescAttr(desc, source->label - 1), direct + source->label_offset);
			label_null = false;
		}
		else if (source->array_offset >= 0 && !HeapTupleHasNulls(tuple)
				 && HeapTupleHeaderGetNatts(tuple->t_data) >= last)
		{
			/*
			 * The array after fixed attributes, in a row without NULLs: found as the
			 * executor's deform finds it (aligned unless its header is a short one), with
			 * no slot. direct stays NULL: the array is read below as any.
			 */
			const char *data = (const char *) tuple->t_data + tuple->t_data->t_hoff;
			Form_pg_attribute array_att = TupleDescAttr(desc, source->features - 1);
			int32		offset = att_align_pointer(source->array_offset, array_att->attalign, -1,
												   data + source->array_offset);

			features_datum = PointerGetDatum(data + offset);
			features_null = false;
			label_datum = fetchatt(TupleDescAttr(desc, source->label - 1), data + source->array_label_offset);
			label_null = false;
		}
		else
		{
			ExecStoreHeapTuple(tuple, slot, false);
			slot_getsomeattrs(slot, last);
			if (source->ncolumns == 0)
			{
				features_datum = slot->tts_values[source->features - 1];
				features_null = slot->tts_isnull[source->features - 1];
			}
			else
			{
				features_datum = (Datum) 0;
				features_null = corgi_columns_skip_row(source->ncolumns, source->columns, source->items,
													   slot->tts_isnull);
			}
			label_datum = slot->tts_values[source->label - 1];
			label_null = slot->tts_isnull[source->label - 1];
		}
		corgi_prefetch_tuple_ahead(heap_scan);
		if (++(*rows) % ROWS_PER_CHECK == 0)
		{
			CHECK_FOR_INTERRUPTS();
			corgi_progress_count_rows(ROWS_PER_CHECK);
			MemoryContextReset(row_context);
		}
		if (source->route != NULL)
		{
			/* Hashing a key may detoast: in the row context. */
			old = MemoryContextSwitchTo(row_context);
			target = source->route(source->route_arg, tuple, desc);
			MemoryContextSwitchTo(old);
			if (target == NULL)
				continue;
		}
		if (features_null && !label_null && source->null_array_is_empty && source->ncolumns == 0)
		{
			/* No features: the sink gets the row with none (its count 0). */
			row.kind = CORGI_ROW_HEAP_TUPLE;
			row.block = ItemPointerGetBlockNumber(&tuple->t_self);
			row.offset = ItemPointerGetOffsetNumber(&tuple->t_self);
			row.position = *rows;
			sink(target, NULL, 0, label_value(label_datum, source->label_type), &row);
			continue;
		}
		if (!features_null && source->skip_arrays_with_nulls && source->ncolumns == 0)
		{
			old = MemoryContextSwitchTo(row_context);
			features_null = array_contains_nulls(DatumGetArrayTypeP(features_datum));
			MemoryContextSwitchTo(old);
		}
		if (features_null || label_null)
		{
			if (null_sink)
				null_sink(target);
			continue;
		}
		row.kind = CORGI_ROW_HEAP_TUPLE;
		row.block = ItemPointerGetBlockNumber(&tuple->t_self);
		row.offset = ItemPointerGetOffsetNumber(&tuple->t_self);
		row.position = *rows;
		/* Detoasting (arrays, short numerics) allocates: keep it in the row context. */
		old = MemoryContextSwitchTo(row_context);
		if (direct != NULL)
			x = corgi_columns_at_offsets(source->ncolumns, source->column_types, source->items,
										 source->column_offsets, source->float8_run, direct, scratch, &count);
		else if (source->ncolumns == 0)
			x = corgi_features_as_doubles(DatumGetArrayTypeP(features_datum), scratch, &row, &count);
		else
			x = corgi_columns_as_doubles(source->ncolumns, source->columns, source->column_types, source->items,
										 slot->tts_values, slot->tts_isnull, scratch, &row, &count);
		y = label_value(label_datum, source->label_type);
		MemoryContextSwitchTo(old);
		sink(target, x, count, y, &row);
	}
	ExecDropSingleTupleTableSlot(slot);
}

const char *
corgi_features_argument(FunctionCallInfo fcinfo, int argno)
{
	/* Declared name up to 0.7.0: a database not yet updated calls this library so. */
	if (get_fn_expr_argtype(fcinfo->flinfo, argno) == NAMEOID)
		return NameStr(*PG_GETARG_NAME(argno));
	return text_to_cstring(PG_GETARG_TEXT_PP(argno));
}

BlockNumber
corgi_heap_data_pages(Relation rel)
{
	BlockNumber pages = RelationGetNumberOfBlocks(rel);

	if (rel->rd_rel->relam != HEAP_TABLE_AM_OID)
		return pages;			/* only heap pages are read here */
	while (pages > 0)
	{
		Buffer		buffer = ReadBufferExtended(rel, MAIN_FORKNUM, pages - 1, RBM_NORMAL, NULL);
		Page		page;
		bool		empty;

		LockBuffer(buffer, BUFFER_LOCK_SHARE);
		page = BufferGetPage(buffer);
		empty = PageIsNew(page) || PageGetMaxOffsetNumber(page) == 0;
		UnlockReleaseBuffer(buffer);
		if (!empty)
			break;
		pages--;
		CHECK_FOR_INTERRUPTS();
	}
	return pages;
}

PG_FUNCTION_INFO_V1(corgi_heap_data_pages_sql);

/*
 * corgi._heap_data_pages(source regclass) -> bigint: corgi_heap_data_pages of a heap
 * table (SELECT on it or on one of its columns), for sizing blocks and buffers.
 */
Datum
corgi_heap_data_pages_sql(PG_FUNCTION_ARGS)
{
	Oid			relid = PG_GETARG_OID(0);
	Relation	rel = table_open(relid, AccessShareLock);
	BlockNumber pages;

	if (!RELKIND_HAS_STORAGE(rel->rd_rel->relkind) || rel->rd_rel->relam != HEAP_TABLE_AM_OID)
	{
		table_close(rel, AccessShareLock);
		PG_RETURN_NULL();
	}
	corgi_check_select_some_column(rel);
	pages = corgi_heap_data_pages(rel);
	table_close(rel, NoLock);
	PG_RETURN_INT64((int64) pages);
}

PG_FUNCTION_INFO_V1(corgi_leading_page_rows);

/*
 * corgi._leading_page_rows(source regclass, pages integer) -> bigint
 *
 * The visible rows on the first `pages` pages of a heap table, which size a tuple buffer
 * without a scan of the whole table (the rows per page of its head times its pages).
 * What `SELECT count(*) FROM source WHERE ctid < '(pages,0)'` counts, but a reader with
 * SELECT on some columns only may ask too (a query naming ctid needs the table's). The
 * count is the call's first read: it pins the call's snapshot (corgi._begin_call). NULL
 * when row-level security applies to the caller (its policies decide what to count: the
 * caller counts through a query).
 */
Datum
corgi_leading_page_rows(PG_FUNCTION_ARGS)
{
	Oid			relid = PG_GETARG_OID(0);
	int32		pages = PG_GETARG_INT32(1);
	Relation	rel;
	TableScanDesc scan;
	BlockNumber nblocks;
	int64		rows = 0;

	if (pages < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("pages must not be negative, got %d", pages)));
	rel = table_open(relid, AccessShareLock);
	if (rel->rd_rel->relkind != RELKIND_RELATION && rel->rd_rel->relkind != RELKIND_MATVIEW)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("\"%s\" is not a table or materialized view", RelationGetRelationName(rel))));
	if (rel->rd_rel->relam != HEAP_TABLE_AM_OID)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("table \"%s\" does not use the heap access method", RelationGetRelationName(rel))));
	corgi_check_select_some_column(rel);
	if (check_enable_rls(relid, InvalidOid, true) == RLS_ENABLED)
	{
		table_close(rel, AccessShareLock);
		PG_RETURN_NULL();
	}
	corgi_pin_call_snapshot();
	nblocks = corgi_heap_data_pages(rel);
	scan = table_beginscan_strat(rel, corgi_read_snapshot(rel), 0, NULL, true, false);
	heap_setscanlimits(scan, 0, Min((BlockNumber) pages, nblocks));
	while (heap_getnext(scan, ForwardScanDirection) != NULL)
		if (++rows % ROWS_PER_CHECK == 0)
			CHECK_FOR_INTERRUPTS();
	table_endscan(scan);
	table_close(rel, NoLock);
	PG_RETURN_INT64(rows);
}
