/*
 * corgi_predict.c: scoring with a trained model.
 *
 *   corgi.predict(model_table text, features) -> float8
 *   corgi.predict_proba(model_table text, features) -> float8[]
 *   corgi.model_predict / model_predict_proba / model_scores (model bytea, features)
 *
 * The model is deserialized once per call site and query and cached in fn_extra (the
 * query's memory), keyed by the table name or the model bytes: a model table changed by
 * a later statement is read again by the next query. The table form reads the table's
 * one row through SPI, with the caller's privileges.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/typcache.h"
#include "nodes/makefuncs.h"
#include "nodes/pathnodes.h"
#include "nodes/supportnodes.h"
#include "nodes/value.h"
#include "optimizer/optimizer.h"
#include "parser/parse_func.h"
#include "parser/parsetree.h"
#include "utils/regproc.h"
#include "utils/varlena.h"
#if PG_VERSION_NUM >= 160000
#include "varatt.h"
#endif

#include "corgi_core_api.h"
#include "corgi_error.h"
#include "corgi_feature_columns.h"
#include "corgi_heap_rows.h"
#include "corgi_stored_table.h"
#include "corgi_training.h"

typedef struct ModelCache
{
	char	   *table;			/* table form: the name as given */
	Size		table_length;
	bytea	   *bytes;			/* bytea form: a copy of the model */
	CorgiHandle *model;
	ArrayType  *classes;		/* table form: the classes column (labels as text), or NULL */
	int32		kind;			/* identity only (corgi_model_shape); what it is for: traits */
	CorgiModelTraits traits;
	int32		feature_count;
	int32		outputs;
	CorgiFeatureScratch scratch;
	/* The row form (corgi.predict(model_table, row)): the model's columns, read from a row. */
	bool		row_form;
	bool		fields_form;	/* corgi._predict_fields: the row's columns one by one (the planner's rewrite) */
	int		   *arg_of_attnum;	/* fields form: the argument holding each attribute, -1 for a dropped one */
	int		   *feature_args;	/* fields form: the argument of each feature column, in the model's order */
	bool		all_float8;		/* fields form: every feature a float8 column (no category, array or fill) */
	double	   *fast_center;	/* all_float8: each feature's center and inverse scale (0 and 1 when not standardized) */
	double	   *fast_inverse;
	int			first_feature_arg;	/* fields form: the first feature's argument when the features' are consecutive, else -1 */
	Oid			relid;			/* table form: the model table */
	List	   *feature_names;	/* its summary's independent_varname: CorgiFeatureItems; NIL: not read yet */
	Oid			row_type;		/* the rows' composite type the layout below is for */
	int32		row_typmod;
	TupleDesc	row_desc;
	int			row_columns;
	AttrNumber *row_attnums;
	Oid		   *row_types;
	CorgiFeatureItem **row_items;
	int32	   *row_offsets;	/* fixed offsets (corgi_fixed_offsets), or NULL */
	struct CorgiFloat8Run *row_float8_run;	/* row_offsets: float8 columns side by side, or NULL */
	AttrNumber	row_last;
	Datum	   *row_values;
	bool	   *row_isnull;
	/*
	 * The array form of a table model trained on a list of columns whose numbers were
	 * filled or standardized: the array holds the columns' values in the list's order,
	 * and gets the list's scaling here, as a row does (array_items 0: nothing to apply).
	 */
	bool		array_checked;
	int			array_items;
	double	   *array_center;
	double	   *array_inverse;
	double	   *array_out;
} ModelCache;

static ModelCache *
cache_for(FunctionCallInfo fcinfo)
{
	ModelCache *cache = (ModelCache *) fcinfo->flinfo->fn_extra;

	if (cache == NULL)
	{
		cache = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(ModelCache));
		cache->model = corgi_handle_new(fcinfo->flinfo->fn_mcxt);
		cache->scratch.context = fcinfo->flinfo->fn_mcxt;
		fcinfo->flinfo->fn_extra = cache;
	}
	return cache;
}

static void
open_model(ModelCache *cache, bytea *bytes)
{
	CorgiError	error = {0};

	corgi_handle_release(cache->model);
	corgi_model_open(VARDATA_ANY(bytes), VARSIZE_ANY_EXHDR(bytes), &cache->model->object, &error);
	corgi_raise_if_failed(&error);
	corgi_model_shape(cache->model->object, &cache->kind, &cache->feature_count, &cache->outputs);
	if (!corgi_model_traits(cache->model->object, &cache->traits))
		elog(ERROR, "corgi: could not read the model's traits");
}

/*
 * Reads the model column of a one-row model table, as the current user. The table is
 * read as the caller, so it must run no SQL its owner wrote: corgi_check_stored_table.
 */
static bytea *
read_model_table(const char *table, MemoryContext into, ArrayType **classes, Oid *model_relid)
{
#if PG_VERSION_NUM >= 160000
	List	   *names = stringToQualifiedNameList(table, NULL);
#else
	List	   *names = stringToQualifiedNameList(table);
#endif
	Oid			relid = RangeVarGetRelid(makeRangeVarFromNameList(names), AccessShareLock, true);
	StringInfoData query;
	bytea	   *result;
	bool		isnull;
	Datum		value;
	uint64		rows;

	if (!OidIsValid(relid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("model table \"%s\" does not exist", table),
				 errhint("Pass the out_table of corgi.train.")));
	corgi_check_stored_table(relid, "model table", InvalidOid, 0, NULL, NULL);
	*model_relid = relid;
	if (get_atttype(relid, get_attnum(relid, "model")) != BYTEAOID ||
		get_atttype(relid, get_attnum(relid, "classes")) != TEXTARRAYOID)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("\"%s\" is not a corgi model table", table),
				 errdetail("A model table has a bytea column \"model\" and a text[] column \"classes\"."),
				 errhint("Pass the out_table of corgi.train.")));
	initStringInfo(&query);
	appendStringInfo(&query, "SELECT model, classes FROM %s",
					 quote_qualified_identifier(get_namespace_name(get_rel_namespace(relid)),
												get_rel_name(relid)));
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "corgi: SPI_connect failed");
	if (SPI_execute(query.data, true, 2) != SPI_OK_SELECT)
		elog(ERROR, "corgi: could not read model table \"%s\"", table);
	rows = SPI_processed;
	if (rows != 1)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("model table \"%s\" has %s rows, expected 1", table, rows == 0 ? "no" : "several"),
				 rows == 0 ? 0
				 : get_attnum(relid, "config_id") != InvalidAttrNumber
				 ? errhint("A corgi.fit_multiple out_table holds a model per config: use corgi.model_predict(m.model, features) "
						   "with m one of its rows (WHERE config_id = ...), or corgi.evaluate/predict_table with config_id.")
				 : get_attnum(relid, "status") != InvalidAttrNumber
				 ? errhint("A grouped model table holds a model per group: use corgi.model_predict(m.model, features) "
						   "over a join on the grouping columns, or corgi.predict_table/evaluate.")
				 : 0));
	if (SPI_tuptable->tupdesc->natts < 2 || SPI_gettypeid(SPI_tuptable->tupdesc, 1) != BYTEAOID ||
		SPI_gettypeid(SPI_tuptable->tupdesc, 2) != TEXTARRAYOID)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("model table \"%s\" does not have a bytea column \"model\" and a text[] column \"classes\"", table)));
	value = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	if (isnull)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("model table \"%s\" has a NULL model", table)));
	{
		MemoryContext old = MemoryContextSwitchTo(into);
		bool		classes_null;
		Datum		classes_value = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &classes_null);

		result = DatumGetByteaPCopy(value);
		*classes = classes_null ? NULL : DatumGetArrayTypePCopy(classes_value);
		MemoryContextSwitchTo(old);
	}
	SPI_finish();
	return result;
}

static ModelCache *
model_from_table(FunctionCallInfo fcinfo)
{
	ModelCache *cache = cache_for(fcinfo);
	text	   *name = PG_GETARG_TEXT_PP(0);
	Size		length = VARSIZE_ANY_EXHDR(name);

	/* Per row: the same name as the cached one, compared without copying it. */
	if (cache->table == NULL || cache->table_length != length ||
		memcmp(cache->table, VARDATA_ANY(name), length) != 0)
	{
		char	   *table = text_to_cstring(name);
		bytea	   *bytes;

		if (cache->classes)
			pfree(cache->classes);
		cache->classes = NULL;
		bytes = read_model_table(table, fcinfo->flinfo->fn_mcxt, &cache->classes, &cache->relid);
		cache->feature_names = NIL;	/* another model: its columns are read again */
		cache->row_type = InvalidOid;
		cache->array_checked = false;
		cache->array_items = 0;

		open_model(cache, bytes);
		pfree(bytes);
		if (cache->table)
			pfree(cache->table);
		cache->table = MemoryContextStrdup(fcinfo->flinfo->fn_mcxt, table);
		cache->table_length = length;
	}
	return cache;
}

static ModelCache *
model_from_bytes(FunctionCallInfo fcinfo)
{
	ModelCache *cache = cache_for(fcinfo);
	bytea	   *bytes = PG_GETARG_BYTEA_PP(0);
	Size		length = VARSIZE_ANY_EXHDR(bytes);

	if (cache->bytes == NULL || VARSIZE_ANY_EXHDR(cache->bytes) != length ||
		memcmp(VARDATA_ANY(cache->bytes), VARDATA_ANY(bytes), length) != 0)
	{
		open_model(cache, bytes);
		if (cache->bytes)
			pfree(cache->bytes);
		cache->bytes = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, VARHDRSZ + length);
		SET_VARSIZE(cache->bytes, VARHDRSZ + length);
		memcpy(VARDATA(cache->bytes), VARDATA_ANY(bytes), length);
	}
	return cache;
}

/*
 * The model's summary's independent_varname (a list of columns, one array column, or an
 * expression), in the function's memory; NULL when the model table has no summary with
 * one and `required` is false. The summary must follow the stored-table rules (owned by
 * the model table's owner): its text is only ever parsed, never run.
 */
static char *
summary_features(FunctionCallInfo fcinfo, ModelCache *cache, bool required)
{
	static const char *const columns[] = {"independent_varname"};
	static const Oid types[] = {TEXTOID};
	char	   *model = get_rel_name(cache->relid);
	char	   *summary = psprintf("%s_summary", model);
	Oid			summary_relid = get_relname_relid(summary, get_rel_namespace(cache->relid));
	StringInfoData query;
	char	   *varname = NULL;

	if (!OidIsValid(summary_relid) || get_attnum(summary_relid, "independent_varname") == InvalidAttrNumber)
	{
		if (!required)
			return NULL;
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("model table \"%s\" has no summary table \"%s\" naming its feature columns", model, summary),
				 errhint("Pass the features as an array, e.g. corgi.predict('%s', ARRAY[x1, x2]).", model)));
	}
	corgi_check_stored_table(summary_relid, "summary table", cache->relid, 1, columns, types);
	initStringInfo(&query);
	appendStringInfo(&query, "SELECT independent_varname FROM %s LIMIT 1",
					 quote_qualified_identifier(get_namespace_name(get_rel_namespace(summary_relid)), summary));
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "corgi: SPI_connect failed");
	if (SPI_execute(query.data, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "corgi: could not read summary table \"%s\"", summary);
	if (SPI_processed == 1)
		varname = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
	if (varname != NULL)
		varname = MemoryContextStrdup(fcinfo->flinfo->fn_mcxt, varname);
	SPI_finish();
	if (varname == NULL && required)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("summary table \"%s\" records no independent_varname", summary)));
	return varname;
}

/* The model's feature columns, parsed from its summary, once per model. */
static void
read_feature_names(FunctionCallInfo fcinfo, ModelCache *cache)
{
	char	   *model = get_rel_name(cache->relid);
	char	   *varname = summary_features(fcinfo, cache, true);
	List	   *names = NIL;

	{
		MemoryContext old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);
		bool		parsed = corgi_parse_feature_spec(varname, &names);

		MemoryContextSwitchTo(old);
		if (!parsed)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("model \"%s\" was trained on the expression %s, which a row does not carry", model, varname),
					 errhint("Pass the features as an array, e.g. corgi.predict('%s', ARRAY[...]) with that expression.", model)));
	}
	cache->feature_names = names;
}

/*
 * The array form of a table model (once per model): when it was trained on a list of
 * columns whose numbers were filled or standardized, the array is taken as the columns'
 * values in the list's order and gets the list's centers and scales, so that
 * corgi.predict(m, ARRAY[x1, x2]) answers as corgi.predict(m, row) does. A list with
 * categories, or with array columns beside scaled ones, cannot be one array of numbers:
 * refused, naming the row form.
 */
static void
array_form_layout(FunctionCallInfo fcinfo, ModelCache *cache)
{
	char	   *varname;
	List	   *items = NIL;
	ListCell   *lc;
	bool		transformed = false;
	int			n;
	MemoryContext old;

	cache->array_checked = true;
	cache->array_items = 0;
	if (!OidIsValid(cache->relid) || (varname = summary_features(fcinfo, cache, false)) == NULL)
		return;
	old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);
	if (!corgi_parse_feature_spec(varname, &items))
	{
		MemoryContextSwitchTo(old);
		return;					/* an expression: the array is its value */
	}
	MemoryContextSwitchTo(old);
	foreach(lc, items)
	{
		CorgiFeatureItem *item = lfirst(lc);

		if (item->categorical || item->needs_levels)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("model \"%s\" has the category \"%s\" among its features, which an array of numbers cannot carry",
							get_rel_name(cache->relid), item->name),
					 errhint("Pass the row: corgi.predict('%s', t) FROM your_table t.", get_rel_name(cache->relid))));
		transformed = transformed || item->has_scale || item->has_fill;
	}
	if (!transformed)
		return;
	n = list_length(items);
	if (n != cache->feature_count)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("model \"%s\" has array columns among its %d scaled feature columns, which one array of numbers cannot tell apart",
						get_rel_name(cache->relid), n),
				 errhint("Pass the row: corgi.predict('%s', t) FROM your_table t.", get_rel_name(cache->relid))));
	cache->array_center = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, sizeof(double) * n);
	cache->array_inverse = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, sizeof(double) * n);
	cache->array_out = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, sizeof(double) * n);
	foreach(lc, items)
	{
		CorgiFeatureItem *item = lfirst(lc);
		int			c = foreach_current_index(lc);

		corgi_feature_item_scaling(item, &cache->array_center[c], &cache->array_inverse[c]);
	}
	cache->array_items = n;
}

/* Where the model's columns are in rows of this composite type (once per type). */
static void
row_layout(FunctionCallInfo fcinfo, ModelCache *cache, Oid type, int32 typmod)
{
	MemoryContext old;
	TupleDesc	desc;
	ListCell   *lc;
	int			c = 0;

	if (cache->feature_names == NIL)
		read_feature_names(fcinfo, cache);
	desc = lookup_rowtype_tupdesc(type, typmod);
	old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);
	cache->row_desc = CreateTupleDescCopy(desc);
	ReleaseTupleDesc(desc);
	desc = cache->row_desc;
	cache->row_columns = list_length(cache->feature_names);
	cache->row_attnums = palloc(sizeof(AttrNumber) * cache->row_columns);
	cache->row_types = palloc(sizeof(Oid) * cache->row_columns);
	cache->row_items = palloc(sizeof(CorgiFeatureItem *) * cache->row_columns);
	cache->row_last = 0;
	foreach(lc, cache->feature_names)
	{
		CorgiFeatureItem *item = lfirst(lc);
		const char *name = item->name;
		AttrNumber	attnum = InvalidAttrNumber;

		for (int i = 0; i < desc->natts; i++)
			if (!TupleDescAttr(desc, i)->attisdropped && strcmp(NameStr(TupleDescAttr(desc, i)->attname), name) == 0)
				attnum = i + 1;
		if (attnum == InvalidAttrNumber)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("the row has no column \"%s\", a feature of model \"%s\"", name, get_rel_name(cache->relid)),
					 errhint("Pass rows with the model's feature columns (its summary's independent_varname).")));
		cache->row_types[c] = TupleDescAttr(desc, attnum - 1)->atttypid;
		if (!corgi_fast_feature_type(cache->row_types[c])
			|| (item->categorical ? !corgi_categorizable_type(cache->row_types[c]) : corgi_category_type(cache->row_types[c]))
			|| (item->has_fill && !corgi_scalar_feature_type(cache->row_types[c])))
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("column \"%s\" of the row has type %s, which is not the type of the model's feature \"%s\"",
							name, format_type_be(cache->row_types[c]), name),
					 errhint("Features are numbers, booleans, float8[] or real[]; categories are text or varchar.")));
		item->type = cache->row_types[c];
		corgi_feature_item_prepare(item);
		cache->row_items[c] = item;
		cache->row_attnums[c++] = attnum;
		cache->row_last = Max(cache->row_last, attnum);
	}
	cache->row_offsets = corgi_items_have_categories(cache->row_columns, cache->row_items) ? NULL
		: corgi_fixed_offsets(desc, cache->row_columns, cache->row_attnums, 0, NULL);
	cache->row_float8_run = corgi_float8_run(cache->row_columns, cache->row_types, cache->row_offsets,
											 cache->row_items);
	cache->row_values = palloc(sizeof(Datum) * Max(desc->natts, 1));
	cache->row_isnull = palloc(sizeof(bool) * Max(desc->natts, 1));
	MemoryContextSwitchTo(old);
	cache->row_type = type;
	cache->row_typmod = typmod;
}

/* A row's features (the model's columns), or NULL when one of them is NULL. */
static const double *
row_features(FunctionCallInfo fcinfo, ModelCache *cache, int *count)
{
	HeapTupleHeader record = PG_GETARG_HEAPTUPLEHEADER(1);
	Oid			type = HeapTupleHeaderGetTypeId(record);
	int32		typmod = HeapTupleHeaderGetTypMod(record);
	HeapTupleData tuple;
	CorgiRowTag row = {.kind = CORGI_ROW_PASS_POSITION, .position = 1};

	if (cache->row_type != type || cache->row_typmod != typmod || cache->row_desc == NULL)
		row_layout(fcinfo, cache, type, typmod);
	tuple.t_len = HeapTupleHeaderGetDatumLength(record);
	ItemPointerSetInvalid(&tuple.t_self);
	tuple.t_tableOid = InvalidOid;
	tuple.t_data = record;
	if (cache->row_offsets != NULL && !HeapTupleHasNulls(&tuple)
		&& HeapTupleHeaderGetNatts(record) >= cache->row_last)
		return corgi_columns_at_offsets(cache->row_columns, cache->row_types, cache->row_items, cache->row_offsets,
										cache->row_float8_run, (const char *) record + record->t_hoff, &cache->scratch,
										count);
	heap_deform_tuple(&tuple, cache->row_desc, cache->row_values, cache->row_isnull);
	if (corgi_columns_skip_row(cache->row_columns, cache->row_attnums, cache->row_items, cache->row_isnull))
		return NULL;
	return corgi_columns_as_doubles(cache->row_columns, cache->row_attnums, cache->row_types, cache->row_items,
									cache->row_values, cache->row_isnull, &cache->scratch, &row, count);
}

/*
 * The fields form's features when every one is a float8 argument: args[arg[c]], or args[c]
 * when arg is NULL (the features' arguments side by side), each centered and scaled
 * (0 and 1 when not standardized); NULL when one is NULL. Inlined once for each case, so
 * that side-by-side arguments load no index (3-4 % of a row-form predict, measured).
 */
static pg_attribute_always_inline double *
float8_arguments(const NullableDatum *args, const int *arg, int n, const double *restrict center,
				 const double *restrict inverse, CorgiFeatureScratch *scratch)
{
	bool		any_null = false;
	double	   *restrict out;

	for (int c = 0; c < n; c++)
		any_null |= args[arg != NULL ? arg[c] : c].isnull;
	if (any_null)
		return NULL;
	out = corgi_scratch_room(scratch, n);
	for (int c = 0; c < n; c++)
		out[c] = (DatumGetFloat8(args[arg != NULL ? arg[c] : c].value) - center[c]) * inverse[c];
	return out;
}

/*
 * The fields form's features: the row's columns passed one by one after its type (the
 * non-dropped ones, in order), as the planner rewrote corgi.predict(model_table, row).
 */
static const double *
fields_features(FunctionCallInfo fcinfo, ModelCache *cache, int *count)
{
	Oid			type = PG_GETARG_OID(1);
	CorgiRowTag row = {.kind = CORGI_ROW_PASS_POSITION, .position = 1};

	if (cache->row_type != type || cache->row_desc == NULL)
	{
		int			next = 2;

		row_layout(fcinfo, cache, type, -1);
		cache->row_offsets = NULL;	/* no tuple to read in place */
		cache->row_float8_run = NULL;
		cache->arg_of_attnum = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, sizeof(int) * Max(cache->row_desc->natts, 1));
		for (int i = 0; i < cache->row_desc->natts; i++)
			cache->arg_of_attnum[i] = TupleDescAttr(cache->row_desc, i)->attisdropped ? -1 : next++;
		if (next != PG_NARGS())
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("corgi._predict_fields got %d fields of a row type with %d columns", PG_NARGS() - 2, next - 2)));
		/* The fields' types are the call site's: checked once, not per row. */
		cache->feature_args = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, sizeof(int) * Max(cache->row_columns, 1));
		cache->all_float8 = true;
		for (int c = 0; c < cache->row_columns; c++)
		{
			int			a = cache->row_attnums[c] - 1;

			if (get_fn_expr_argtype(fcinfo->flinfo, cache->arg_of_attnum[a]) != cache->row_types[c])
				ereport(ERROR,
						(errcode(ERRCODE_DATATYPE_MISMATCH),
						 errmsg("field %d of corgi._predict_fields has another type than column %d of its row type",
								cache->arg_of_attnum[a] - 1, a + 1)));
			cache->feature_args[c] = cache->arg_of_attnum[a];
			cache->all_float8 = cache->all_float8 && cache->row_types[c] == FLOAT8OID
				&& !cache->row_items[c]->categorical;
		}
		/* (x - 0) * 1 is x, bit for bit: one branchless loop for scaled and unscaled columns. */
		cache->fast_center = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, sizeof(double) * Max(cache->row_columns, 1));
		cache->fast_inverse = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, sizeof(double) * Max(cache->row_columns, 1));
		for (int c = 0; c < cache->row_columns; c++)
		{
			corgi_feature_item_scaling(cache->row_items[c], &cache->fast_center[c], &cache->fast_inverse[c]);
		}
		cache->first_feature_arg = cache->row_columns > 0 ? cache->feature_args[0] : -1;
		for (int c = 1; c < cache->row_columns; c++)
			if (cache->feature_args[c] != cache->feature_args[0] + c)
				cache->first_feature_arg = -1;
	}
	/* Every feature a float8 number and none NULL (the common case): straight from the arguments. */
	if (cache->all_float8)
	{
		double	   *out = cache->first_feature_arg >= 0
			? float8_arguments(&fcinfo->args[cache->first_feature_arg], NULL, cache->row_columns,
							   cache->fast_center, cache->fast_inverse, &cache->scratch)
			: float8_arguments(fcinfo->args, cache->feature_args, cache->row_columns,
							   cache->fast_center, cache->fast_inverse, &cache->scratch);

		if (out != NULL)
		{
			*count = cache->row_columns;
			return out;
		}
	}
	for (int c = 0; c < cache->row_columns; c++)
	{
		int			a = cache->row_attnums[c] - 1;
		int			arg = cache->arg_of_attnum[a];

		cache->row_isnull[a] = PG_ARGISNULL(arg);
		cache->row_values[a] = cache->row_isnull[a] ? (Datum) 0 : PG_GETARG_DATUM(arg);
	}
	if (corgi_columns_skip_row(cache->row_columns, cache->row_attnums, cache->row_items, cache->row_isnull))
		return NULL;
	return corgi_columns_as_doubles(cache->row_columns, cache->row_attnums, cache->row_types, cache->row_items,
									cache->row_values, cache->row_isnull, &cache->scratch, &row, count);
}

/* The features argument: an array, or (the row form) a row holding the model's columns; NULL: a NULL feature. */
static const double *
features_argument(FunctionCallInfo fcinfo, ModelCache *cache, int *count)
{
	CorgiRowTag row = {.kind = CORGI_ROW_PASS_POSITION, .position = 1};

	if (cache->fields_form)
		return fields_features(fcinfo, cache, count);
	if (cache->row_form)
		return row_features(fcinfo, cache, count);
	if (cache->table != NULL)
	{
		const double *x;

		if (!cache->array_checked)
			array_form_layout(fcinfo, cache);
		x = corgi_features_as_doubles(PG_GETARG_ARRAYTYPE_P(1), &cache->scratch, &row, count);
		if (cache->array_items > 0)
		{
			if (*count != cache->array_items)
				ereport(ERROR,
						(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
						 errmsg("model \"%s\" was trained on %d feature columns, the array has %d values",
								get_rel_name(cache->relid), cache->array_items, *count),
						 errhint("Pass the columns' values in the order of its summary's independent_varname, or the row.")));
			corgi_float8_run_scale(cache->array_items, x, cache->array_center, cache->array_inverse, cache->array_out);
			return cache->array_out;
		}
		return x;
	}
	return corgi_features_as_doubles(PG_GETARG_ARRAYTYPE_P(1), &cache->scratch, &row, count);
}

static Datum
predict(FunctionCallInfo fcinfo, ModelCache *cache)
{
	CorgiError	error;			/* per row: not zeroed whole (Swift sets status, and text on failure) */
	double		value;
	int			count;
	const double *x = features_argument(fcinfo, cache, &count);

	if (x == NULL)
		PG_RETURN_NULL();
	error.status = CORGI_OK;
	error.message[0] = error.hint[0] = '\0';

	corgi_model_predict(cache->model->object, x, count, &value, &error);
	corgi_raise_if_failed(&error);
	PG_RETURN_FLOAT8(value);
}

/* Probabilities (logistic: 2, softmax: one per class) or raw scores (one per output). */
static Datum
model_outputs(FunctionCallInfo fcinfo, ModelCache *cache, bool probabilities)
{
	CorgiError	error = {0};
	int			count;
	const double *x = features_argument(fcinfo, cache, &count);
	int			outputs;
	double	   *p;
	Datum	   *datums;

	if (x == NULL)
		PG_RETURN_NULL();
	outputs = probabilities && cache->traits.probability_outputs > 0
		? cache->traits.probability_outputs : cache->outputs;
	p = palloc(sizeof(double) * Max(outputs, 1));
	datums = palloc(sizeof(Datum) * Max(outputs, 1));

	corgi_model_outputs(cache->model->object, probabilities ? 1 : 0, x, count, p, outputs, &error);
	corgi_raise_if_failed(&error);
	for (int i = 0; i < outputs; i++)
		datums[i] = Float8GetDatum(p[i]);
	PG_RETURN_ARRAYTYPE_P(construct_array(datums, outputs, FLOAT8OID, 8, FLOAT8PASSBYVAL,
										  TYPALIGN_DOUBLE));
}

PG_FUNCTION_INFO_V1(corgi_predict);
Datum
corgi_predict(PG_FUNCTION_ARGS)
{
	return predict(fcinfo, model_from_table(fcinfo));
}

/* The row form: corgi.predict(model_table, row) and its kin read the model's columns from a row. */
static ModelCache *
row_form(FunctionCallInfo fcinfo)
{
	cache_for(fcinfo)->row_form = true;
	return model_from_table(fcinfo);
}

PG_FUNCTION_INFO_V1(corgi_predict_row);
Datum
corgi_predict_row(PG_FUNCTION_ARGS)
{
	return predict(fcinfo, row_form(fcinfo));
}

PG_FUNCTION_INFO_V1(corgi_predict_proba_row);
Datum
corgi_predict_proba_row(PG_FUNCTION_ARGS)
{
	return model_outputs(fcinfo, row_form(fcinfo), true);
}

/* The fields form: corgi._predict_fields(model_table, row_type, VARIADIC fields) and its kin. */
static ModelCache *
fields_form(FunctionCallInfo fcinfo)
{
	cache_for(fcinfo)->fields_form = true;
	return model_from_table(fcinfo);
}

PG_FUNCTION_INFO_V1(corgi_predict_fields);
Datum
corgi_predict_fields(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		PG_RETURN_NULL();
	return predict(fcinfo, fields_form(fcinfo));
}

PG_FUNCTION_INFO_V1(corgi_predict_proba_fields);
Datum
corgi_predict_proba_fields(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		PG_RETURN_NULL();
	return model_outputs(fcinfo, fields_form(fcinfo), true);
}

PG_FUNCTION_INFO_V1(corgi_predict_proba);
Datum
corgi_predict_proba(PG_FUNCTION_ARGS)
{
	return model_outputs(fcinfo, model_from_table(fcinfo), true);
}

PG_FUNCTION_INFO_V1(corgi_model_predict_sql);
Datum
corgi_model_predict_sql(PG_FUNCTION_ARGS)
{
	return predict(fcinfo, model_from_bytes(fcinfo));
}

PG_FUNCTION_INFO_V1(corgi_model_predict_proba_sql);
Datum
corgi_model_predict_proba_sql(PG_FUNCTION_ARGS)
{
	return model_outputs(fcinfo, model_from_bytes(fcinfo), true);
}

PG_FUNCTION_INFO_V1(corgi_model_scores_sql);
Datum
corgi_model_scores_sql(PG_FUNCTION_ARGS)
{
	return model_outputs(fcinfo, model_from_bytes(fcinfo), false);
}

PG_FUNCTION_INFO_V1(corgi_predict_label);

/*
 * corgi.predict_label(model_table text, features) -> text: the predicted class as the
 * label appeared in training (softmax: the class; logistic, svm: the negative or the
 * positive label, e.g. false/true or -1/1).
 */
static Datum predict_label(FunctionCallInfo fcinfo, ModelCache *cache);

Datum
corgi_predict_label(PG_FUNCTION_ARGS)
{
	return predict_label(fcinfo, model_from_table(fcinfo));
}

PG_FUNCTION_INFO_V1(corgi_predict_label_row);
Datum
corgi_predict_label_row(PG_FUNCTION_ARGS)
{
	return predict_label(fcinfo, row_form(fcinfo));
}

PG_FUNCTION_INFO_V1(corgi_predict_label_fields);
Datum
corgi_predict_label_fields(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		PG_RETURN_NULL();
	return predict_label(fcinfo, fields_form(fcinfo));
}

/*
 * corgi._predict_row_support(internal): the planner support of the row form. A call
 * corgi.predict(model_table, t) (predict_label, predict_proba) whose row is a whole-row
 * reference to a table of the query becomes corgi._predict_fields(model_table, t's type,
 * t.col1, ..., t.colN): the executor then passes the columns it has, instead of building
 * a row value for every row (ExecEvalWholeRowVar: most of the row form's time). Only in a
 * query without joins (no outer join can make the row NULL, which the strict row form
 * answers with NULL) and for at most 98 columns; anything else keeps the row form.
 */
PG_FUNCTION_INFO_V1(corgi_predict_row_support);
Datum
corgi_predict_row_support(PG_FUNCTION_ARGS)
{
	Node	   *raw = (Node *) PG_GETARG_POINTER(0);
	SupportRequestSimplify *req;
	FuncExpr   *call;
	Var		   *var;
	RangeTblEntry *rte;
	TupleDesc	desc;
	List	   *args;
	const char *target;
	char	   *name;
	Oid			target_oid;
	FuncExpr   *fields;

	if (!IsA(raw, SupportRequestSimplify))
		PG_RETURN_POINTER(NULL);
	req = (SupportRequestSimplify *) raw;
	call = req->fcall;
	if (req->root == NULL || req->root->parse == NULL || req->root->hasJoinRTEs || list_length(call->args) != 2
		|| !IsA(lsecond(call->args), Var))
		PG_RETURN_POINTER(NULL);
	var = (Var *) lsecond(call->args);
	if (var->varattno != 0 || var->varlevelsup != 0 || var->varno < 1
		|| var->varno > list_length(req->root->parse->rtable))
		PG_RETURN_POINTER(NULL);
	rte = rt_fetch(var->varno, req->root->parse->rtable);
	if (rte->rtekind != RTE_RELATION || get_typ_typrelid(var->vartype) != rte->relid)
		PG_RETURN_POINTER(NULL);
	name = get_func_name(call->funcid);
	target = name == NULL ? NULL
		: strcmp(name, "predict") == 0 ? "_predict_fields"
		: strcmp(name, "predict_proba") == 0 ? "_predict_proba_fields"
		: strcmp(name, "predict_label") == 0 ? "_predict_label_fields" : NULL;
	if (target == NULL)
		PG_RETURN_POINTER(NULL);
	target_oid = LookupFuncName(list_make2(makeString(get_namespace_name(get_func_namespace(call->funcid))),
										   makeString((char *) target)), -1, NULL, true);
	if (!OidIsValid(target_oid))
		PG_RETURN_POINTER(NULL);
	desc = lookup_rowtype_tupdesc(var->vartype, -1);
	args = list_make2(copyObject(linitial(call->args)),
					  makeConst(REGTYPEOID, -1, InvalidOid, sizeof(Oid), ObjectIdGetDatum(var->vartype), false, true));
	for (int i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);
		Var		   *column;

		if (att->attisdropped)
			continue;
		column = makeVar(var->varno, att->attnum, att->atttypid, att->atttypmod, att->attcollation, 0);
#if PG_VERSION_NUM >= 160000
		column->varnullingrels = bms_copy(var->varnullingrels);
#endif
		args = lappend(args, column);
	}
	ReleaseTupleDesc(desc);
	if (list_length(args) > FUNC_MAX_ARGS)
		PG_RETURN_POINTER(NULL);
	fields = makeFuncExpr(target_oid, call->funcresulttype, args, call->funccollid, call->inputcollid,
						  COERCE_EXPLICIT_CALL);
	fields->location = call->location;
	PG_RETURN_POINTER(fields);
}

static Datum
predict_label(FunctionCallInfo fcinfo, ModelCache *cache)
{
	CorgiError	error = {0};
	int			count;
	const double *x;
	int			index;
	Datum	   *labels;
	bool	   *nulls;
	int			label_count;

	if (!cache->traits.predicts_labels)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("model table \"%s\" holds a linear model, which predicts numbers, not labels",
						text_to_cstring(PG_GETARG_TEXT_PP(0))),
				 errhint("Use corgi.predict.")));
	x = features_argument(fcinfo, cache, &count);
	if (x == NULL)
		PG_RETURN_NULL();
	if (cache->traits.task == CORGI_TASK_MULTICLASS)
	{
		double	   *scores = palloc(sizeof(double) * Max(cache->outputs, 1));

		corgi_model_outputs(cache->model->object, 0, x, count, scores, cache->outputs, &error);
		corgi_raise_if_failed(&error);
		index = 0;
		for (int k = 1; k < cache->outputs; k++)
			if (scores[k] > scores[index])
				index = k;
	}
	else
	{
		double		value;

		corgi_model_predict(cache->model->object, x, count, &value, &error);
		corgi_raise_if_failed(&error);
		index = value == 1 ? 1 : 0;
	}
	if (cache->classes == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("model table \"%s\" records no labels", text_to_cstring(PG_GETARG_TEXT_PP(0))),
				 errhint("Models trained by corgi 0.1.0 record labels for softmax only; use corgi.predict, or train again.")));
	deconstruct_array(cache->classes, TEXTOID, -1, false, TYPALIGN_INT, &labels, &nulls, &label_count);
	if (index >= label_count || nulls[index])
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("model table \"%s\" has %d labels, which does not match its model",
						text_to_cstring(PG_GETARG_TEXT_PP(0)), label_count)));
	PG_RETURN_TEXT_P(DatumGetTextPCopy(labels[index]));
}
