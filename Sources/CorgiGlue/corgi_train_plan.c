/*
 * corgi_train_plan.c: corgi._train_prepare, the plan of one training.
 *
 *   corgi._train_prepare(source_table, out_table, dependent_varname, independent_varname,
 *                        model, epochs, shuffle, params, caller_search_path,
 *                        whole_table_buffer, excluded, grouping_cols) -> corgi.training_plan
 *
 * Every check and decision of a training before its first epoch, for corgi.train and
 * for each config of corgi.fit_multiple: the source (readable, resolved on the caller's
 * path), the model and shuffle, the params (normalized, block_mb defaulted from the
 * table's size), the outputs (writable, not being written by another session), the
 * feature and label columns or expressions (a feature list's levels, fills and scales
 * learned first), the rows (counted from the first pages of a heap table, or as facts),
 * the label code and classes, model hopping over a partitioned table's partitions, the
 * tuple buffer, the initial state (standardized when asked) and the read path (fast,
 * composed or partitions; shuffle once's copy). Nothing is written but the once copy.
 *
 * The questions are SQL over SPI (the catalog, the source's rows, corgi's own SQL
 * functions): constant statements are prepared once per backend and kept, statements
 * that name the source are built with quoted names. The messages are the contract the
 * regression tests pin.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/typcache.h"

#include "corgi_sql.h"
#include "corgi_training_plan.h"

/* Where the plan's values live (the caller's context, not SPI's). */
static MemoryContext plan_context;

static Datum
column_value(int column, bool *isnull)
{
	return corgi_sql_column(column, isnull, plan_context);
}

static char *
column_text(int column)
{
	return corgi_sql_column_text(column, plan_context);
}

static char *
text_of(const char *sql, CorgiSqlArgs *a)
{
	corgi_sql_run(sql, a, true);
	return column_text(1);
}

static int
bool_of(const char *sql, CorgiSqlArgs *a)
{
	corgi_sql_run(sql, a, true);
	return corgi_sql_column_bool(1);
}

/* A bare name (^[A-Za-z_][A-Za-z0-9_$]*$): a mistake when it is not a column. */
static bool
bare_name(const char *s)
{
	if (!((s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= 'a' && s[0] <= 'z') || s[0] == '_'))
		return false;
	for (const char *p = s + 1; *p; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'
			  || *p == '$'))
			return false;
	return true;
}

/* A text field of the plan being formed (values and nulls indexed by field - 1). */
static void
set_text(Datum *values, bool *nulls, CorgiPlanField field, const char *s)
{
	nulls[field - 1] = s == NULL;
	values[field - 1] = s == NULL ? (Datum) 0 : CStringGetTextDatum(s);
}

PG_FUNCTION_INFO_V1(corgi_train_prepare);

Datum
corgi_train_prepare(PG_FUNCTION_ARGS)
{
	const char *source_table = corgi_text_argument(fcinfo, 0);
	const char *out_table = corgi_text_argument(fcinfo, 1);
	const char *dependent_varname = corgi_text_argument(fcinfo, 2);
	const char *independent_varname = corgi_text_argument(fcinfo, 3);
	const char *model = corgi_text_argument(fcinfo, 4);
	const char *shuffle = corgi_text_argument(fcinfo, 6);
	const char *params = corgi_text_argument(fcinfo, 7);
	const char *caller_path = corgi_text_argument(fcinfo, 8);
	bool		whole_table_buffer = PG_NARGS() <= 9 || PG_ARGISNULL(9) || PG_GETARG_BOOL(9);
	const char *excluded = corgi_text_argument(fcinfo, 10);
	const char *grouping_cols = corgi_text_argument(fcinfo, 11);
	int32		epochs;
	TupleDesc	desc;
	Datum		values[PLAN_FIELD_COUNT];
	bool		nulls[PLAN_FIELD_COUNT];
	CorgiSqlArgs	a;
	bool		isnull;
	Datum		src_datum;
	bool		src_null;
	char	   *src_name;
	char	   *norm;
	int64		heap_pages;
	char	   *out_main;
	char	   *out_summary;
	char	   *val_name;
	Oid			val_table = InvalidOid;
	char	   *feat_col;
	char	   *label_col;
	char	   *listed_columns;
	char	   *listed_expression;
	int			listed_fast;
	char	   *feat_expr;
	char	   *label_expr;
	char	   *feat_type;
	char	   *label_type;
	Datum		usable_rows;
	bool		usable_null;
	int32		n_features;
	char	   *label_code;
	char	   *task;
	Datum		class_texts = (Datum) 0;
	bool		class_texts_null = true;
	Datum		class_values = (Datum) 0;
	bool		class_values_null = true;
	char		relkind;
	int			partition_hop;
	Datum		buffer_rows;
	bool		buffer_null;
	Datum		state;
	bool		state_null;
	int			fast;
	char	   *read_from;
	char	   *once_table = NULL;
	double		once_seconds = 0;
	const char *path;
	const char *sample_clause = NULL;
	char	   *segments;

	if (source_table == NULL || out_table == NULL || dependent_varname == NULL || independent_varname == NULL
		|| model == NULL || PG_ARGISNULL(5) || shuffle == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("corgi.train arguments must not be NULL (params and verbose excepted)")));
	corgi_require_caller_path(caller_path);
	epochs = PG_GETARG_INT32(5);
	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE || desc->natts != PLAN_FIELD_COUNT)
		elog(ERROR, "corgi._train_prepare must return corgi.training_plan");
	desc = BlessTupleDesc(desc);
	plan_context = CurrentMemoryContext;
	SPI_connect();

	/* Arguments ------------------------------------------------------------------- */
	memset(&a, 0, sizeof(a));
	corgi_sql_arg_text(&a, source_table);
	corgi_sql_arg_text(&a, caller_path);
	corgi_sql_run("SELECT s, s::text FROM corgi._readable_source('corgi.train', $1, $2) s", &a, true);
	src_datum = column_value(1, &src_null);
	src_name = column_text(2);
	/* Progress (corgi.training_progress), unless an outer call (fit_multiple) reports it. */
	memset(&a, 0, sizeof(a));
	corgi_sql_arg(&a, REGCLASSOID, src_datum, src_null);
	corgi_sql_arg_text(&a, out_table);
	corgi_sql_arg(&a, INT4OID, Int32GetDatum(epochs), false);
	corgi_sql_run("SELECT corgi._progress_begin('train', $1, $2, $3, 1)", &a, true);
	memset(&a, 0, sizeof(a));
	corgi_sql_arg_text(&a, model);
	if (bool_of("SELECT $1 = ANY (corgi.model_names())", &a) != 1)
	{
		char	   *valid = text_of("SELECT array_to_string(corgi.model_names(), ', ')", NULL);

		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown model \"%s\"", model),
				 errhint("Valid models: %s.", valid)));
	}
	memset(&a, 0, sizeof(a));
	corgi_sql_arg_text(&a, shuffle);
	if (bool_of("SELECT $1 = ANY (corgi.shuffle_names())", &a) != 1)
	{
		char	   *valid = text_of("SELECT array_to_string(corgi.shuffle_names(), ', ')", NULL);

		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown shuffle \"%s\"", shuffle),
				 errhint("Valid shuffles: %s.", valid)));
	}
	if (epochs < 1 || epochs > 100000)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("epochs must be between 1 and 100000, got %d", epochs)));
	/*
	 * The params, normalized. Default blocks: 10 MB, but small enough that the table has
	 * at least 100 blocks (a 10% buffer of fewer than ~10 single-class blocks can end an
	 * epoch on one class; BENCHMARKS.md); an explicit block_mb is used as given. The
	 * table's size: its pages up to the last that holds a tuple (a bulk insert may leave
	 * empty pages at the end, more on one server version than on another).
	 */
	memset(&a, 0, sizeof(a));
	corgi_sql_arg_text(&a, params);
	corgi_sql_arg_text(&a, model);
	norm = text_of("SELECT corgi.normalize_params(coalesce($1, ''), $2)", &a);
	memset(&a, 0, sizeof(a));
	corgi_sql_arg(&a, REGCLASSOID, src_datum, src_null);
	corgi_sql_run("SELECT coalesce(corgi._heap_data_pages($1), pg_relation_size($1) / current_setting('block_size')::bigint)",
		&a, true);
	{
		Datum		pages = column_value(1, &isnull);

		heap_pages = isnull ? -1 : DatumGetInt64(pages);
	}
	memset(&a, 0, sizeof(a));
	corgi_sql_arg_text(&a, params);
	corgi_sql_arg(&a, INT8OID, Int64GetDatum(heap_pages), heap_pages < 0);
	corgi_sql_arg_text(&a, model);
	corgi_sql_arg_text(&a, norm);
	norm = text_of("SELECT CASE WHEN coalesce($1, '') !~* '(^|,)\\s*block_mb\\s*=' AND $2 > 0"
				   " THEN corgi.normalize_params(concat_ws(', ', nullif($1, ''), 'block_mb='"
				   " || corgi._default_block_mb($2 * current_setting('block_size')::bigint)), $3)"
				   " ELSE $4 END", &a);
	/* Fail now, not after the epochs, when the output cannot be written. */
	memset(&a, 0, sizeof(a));
	corgi_sql_arg_text(&a, out_table);
	corgi_sql_arg_text(&a, caller_path);
	corgi_sql_run("SELECT o.main, o.summary FROM corgi._writable_outputs('corgi.train', $1, $2) o", &a, true);
	out_main = column_text(1);
	out_summary = column_text(2);
	/* A second session training into the same out_table learns it now, not after its epochs. */
	memset(&a, 0, sizeof(a));
	corgi_sql_arg_text(&a, out_main);
	if (bool_of("SELECT pg_try_advisory_xact_lock(hashtext('corgi.train'), hashtext($1))", &a) != 1)
		ereport(ERROR,
				(errcode(ERRCODE_LOCK_NOT_AVAILABLE),
				 errmsg("another session is training into %s", out_main),
				 errhint("Wait for it to finish, or choose another out_table.")));
	val_name = corgi_param(norm, "validation_table");
	if (val_name != NULL)
	{
		memset(&a, 0, sizeof(a));
		corgi_sql_arg_text(&a, val_name);
		corgi_sql_arg_text(&a, caller_path);
		corgi_sql_run("SELECT corgi._resolve_table($1, $2)", &a, true);
		val_table = DatumGetObjectId(column_value(1, &isnull));
		if (isnull)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_TABLE),
					 errmsg("validation table \"%s\" does not exist", val_name)));
	}

	/*
	 * Columns: a plain column is quoted; anything else is an SQL expression (as in
	 * MADlib), evaluated with the caller's privileges. A list of feature columns ('x1,
	 * x2, flag') or '*' (every column but the label, the grouping columns and excluded) is
	 * read column by column on the fast path, as one float8[] expression otherwise; what
	 * training learns of them first (levels, fills, centers and scales, as the params
	 * ask) is kept in the list the summary stores.
	 */
	memset(&a, 0, sizeof(a));
	corgi_sql_arg(&a, REGCLASSOID, src_datum, src_null);
	corgi_sql_arg_text(&a, independent_varname);
	corgi_sql_arg_text(&a, dependent_varname);
	corgi_sql_run("SELECT (SELECT a.attname::text FROM pg_attribute a WHERE a.attrelid = $1 AND a.attname = $2"
		"         AND a.attnum > 0 AND NOT a.attisdropped),"
		"       (SELECT a.attname::text FROM pg_attribute a WHERE a.attrelid = $1 AND a.attname = $3"
		"         AND a.attnum > 0 AND NOT a.attisdropped)", &a, true);
	feat_col = column_text(1);
	label_col = column_text(2);
	memset(&a, 0, sizeof(a));
	corgi_sql_arg(&a, REGCLASSOID, src_datum, src_null);
	corgi_sql_arg_text(&a, independent_varname);
	corgi_sql_arg_text(&a, excluded);
	corgi_sql_arg_text(&a, label_col);
	corgi_sql_arg_text(&a, grouping_cols);
	corgi_sql_arg_text(&a, params);
	corgi_sql_arg_text(&a, model);
	corgi_sql_run("SELECT l.columns, l.expression, l.fast FROM corgi._listed_features($1, $2, $3,"
		" concat_ws(', ', quote_ident($4), $5), $6, (corgi.model_traits($7)).network) l", &a, true);
	listed_columns = column_text(1);
	listed_expression = column_text(2);
	listed_fast = corgi_sql_column_bool(3);
	if (listed_columns != NULL)
	{
		feat_col = listed_columns;
		independent_varname = listed_columns;
	}
	/* A bare name that is not a column is a mistake, not an expression. */
	if (feat_col == NULL && bare_name(independent_varname))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("independent_varname \"%s\" is not a column of %s", independent_varname, source_table),
				 errhint("Name a float8[] column, or write an expression such as ARRAY[x1, x2].")));
	if (label_col == NULL && bare_name(dependent_varname))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("dependent_varname \"%s\" is not a column of %s", dependent_varname, source_table),
				 errhint("Name a column, or write an expression.")));
	feat_expr = listed_columns != NULL ? listed_expression
		: feat_col != NULL ? pstrdup(quote_identifier(feat_col)) : psprintf("(%s)", independent_varname);
	label_expr = label_col != NULL ? pstrdup(quote_identifier(label_col)) : psprintf("(%s)", dependent_varname);
	feat_expr = MemoryContextStrdup(plan_context, feat_expr);
	label_expr = MemoryContextStrdup(plan_context, label_expr);

	corgi_sql_run(psprintf("SELECT pg_typeof(%s)::text, pg_typeof(%s)::text FROM %s LIMIT 1", feat_expr, label_expr, src_name),
		NULL, false);
	feat_type = column_text(1);
	label_type = column_text(2);
	if (feat_type != NULL && strcmp(feat_type, "double precision[]") != 0 && strcmp(feat_type, "real[]") != 0
		&& strcmp(feat_type, "numeric[]") != 0 && strcmp(feat_type, "integer[]") != 0
		&& strcmp(feat_type, "bigint[]") != 0 && strcmp(feat_type, "smallint[]") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("independent_varname \"%s\" has type %s, expected a numeric array", independent_varname, feat_type),
				 errhint("Use a float8[] column, a list of number or boolean columns ('x1, x2'), or an expression such as ARRAY[x1, x2].")));
	corgi_sql_run(psprintf("SELECT EXISTS (SELECT FROM %s WHERE %s IS NOT NULL AND %s IS NOT NULL)", src_name, feat_expr,
				 label_expr), NULL, false);
	if (corgi_sql_column_bool(1) != 1)
	{
		int64		total_rows;

		corgi_sql_run(psprintf("SELECT count(*) FROM %s", src_name), NULL, false);
		total_rows = DatumGetInt64(column_value(1, &isnull));
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("source table %s has no rows with non-NULL features and label (" INT64_FORMAT " rows in all)",
						source_table, total_rows),
				 errhint("Train on a table with data.")));
	}

	/*
	 * Rows, to size the buffer, without a scan of the table: a heap table's page count is
	 * exact and free, and its rows per page are counted on its first pages (a TID range
	 * scan of at most 64 pages); deterministic for a given table layout. A partitioned
	 * table is counted partition by partition, so that a foreign partition counts on its
	 * server (postgres_fdw cannot push down a count over the parent: it would fetch every
	 * row). Other sources (views, inheritance parents) are counted.
	 */
	memset(&a, 0, sizeof(a));
	corgi_sql_arg(&a, REGCLASSOID, src_datum, src_null);
	corgi_sql_run("SELECT c.relkind IN ('r', 'm') AND c.relam = (SELECT oid FROM pg_am WHERE amname = 'heap')"
		"       AND NOT EXISTS (SELECT FROM pg_inherits WHERE inhparent = $1), c.relkind"
		"  FROM pg_class c WHERE c.oid = $1", &a, true);
	{
		int			sized_by_pages = corgi_sql_column_bool(1);
		Datum		kind = column_value(2, &isnull);
		int			by_partitions = 0;

		relkind = isnull ? '\0' : DatumGetChar(kind);
		if (sized_by_pages != 1 && relkind == 'p' && feat_col != NULL && label_col != NULL)
		{
			memset(&a, 0, sizeof(a));
			corgi_sql_arg(&a, REGCLASSOID, src_datum, src_null);
			by_partitions = bool_of("SELECT NOT row_security_active($1) AND NOT EXISTS"
									" (SELECT FROM unnest(corgi._segment_tables($1)) l WHERE NOT has_table_privilege(l, 'SELECT'))",
									&a);
		}
		if (sized_by_pages == 1)
		{
			/* Counted in C, so SELECT on the feature and label columns alone is enough. */
			memset(&a, 0, sizeof(a));
			corgi_sql_arg(&a, REGCLASSOID, src_datum, src_null);
			corgi_sql_arg(&a, INT8OID, Int64GetDatum(heap_pages), false);
			corgi_sql_run("SELECT corgi._leading_page_rows($1, least($2, 64)::integer)", &a, true);
			usable_rows = column_value(1, &usable_null);
			if (usable_null)	/* row-level security: counted through its policies */
				corgi_sql_run(psprintf("SELECT count(*) FROM %s WHERE ctid < '(" INT64_FORMAT ",0)'::tid"
							 " AND (SELECT corgi._pin_snapshot()) IS NOT NULL",
							 src_name, Min(heap_pages, 64)), NULL, false);
			usable_rows = column_value(1, &usable_null);
			memset(&a, 0, sizeof(a));
			corgi_sql_arg(&a, INT8OID, usable_rows, usable_null);
			corgi_sql_arg(&a, INT8OID, Int64GetDatum(heap_pages), false);
			corgi_sql_run("SELECT greatest(1, ceil($1::numeric * $2 / greatest(1, least($2, 64))))::bigint", &a, true);
		}
		else if (by_partitions == 1)
		{
			memset(&a, 0, sizeof(a));
			corgi_sql_arg(&a, REGCLASSOID, src_datum, src_null);
			corgi_sql_arg_text(&a, feat_expr);
			corgi_sql_arg_text(&a, label_expr);
			corgi_sql_run("SELECT corgi._fact((SELECT 'SELECT coalesce(sum(n), 0)::bigint FROM ('"
				" || string_agg(format('SELECT count(*) FILTER (WHERE %1$s IS NOT NULL AND %2$s IS NOT NULL) AS n FROM %3$s',"
				"                      $2, $3, l), ' UNION ALL ')"
				" || ') c WHERE (SELECT corgi._pin_snapshot()) IS NOT NULL'"
				" FROM unnest(corgi._segment_tables($1)) l), NULL::bigint)", &a, true);
		}
		else
		{
			memset(&a, 0, sizeof(a));
			corgi_sql_arg_text(&a, psprintf("SELECT count(*) FILTER (WHERE %s IS NOT NULL AND %s IS NOT NULL) FROM %s\n"
								  "                        WHERE (SELECT corgi._pin_snapshot()) IS NOT NULL",
								  feat_expr, label_expr, src_name));
			corgi_sql_run("SELECT corgi._fact($1, NULL::bigint)", &a, true);
		}
		usable_rows = column_value(1, &usable_null);
	}
	corgi_sql_run(psprintf("SELECT cardinality(%s) FROM %s WHERE %s IS NOT NULL AND %s IS NOT NULL LIMIT 1", feat_expr, src_name,
				 feat_expr, label_expr), NULL, false);
	{
		Datum		n = column_value(1, &isnull);

		n_features = isnull ? 0 : DatumGetInt32(n);
	}
	if (n_features < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("independent_varname \"%s\" is an empty array in the first row", independent_varname)));

	/*
	 * Labels as numbers: boolean -> 1/0; numbers as they are; softmax classes -> their
	 * values (numeric labels) or 0..K-1 (other labels, e.g. text).
	 */
	memset(&a, 0, sizeof(a));
	corgi_sql_arg_text(&a, label_expr);
	corgi_sql_arg_text(&a, label_type);
	label_code = text_of("SELECT corgi._label_code($1, $2, NULL)", &a);
	memset(&a, 0, sizeof(a));
	corgi_sql_arg_text(&a, model);
	task = text_of("SELECT (corgi.model_traits($1)).task", &a);
	if (label_code == NULL && task != NULL && strcmp(task, "multiclass") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("dependent_varname \"%s\" has type %s, which %s cannot use", dependent_varname,
						label_type ? label_type : "", model),
				 strcmp(task, "regression") == 0 ? errhint("%s needs a numeric label.", model)
				 : errhint("%s needs a boolean label, or 0/1 or -1/+1.", model)));
	if (task != NULL && strcmp(task, "multiclass") == 0)
	{
		int32		classes;

		memset(&a, 0, sizeof(a));
		corgi_sql_arg_text(&a, psprintf("SELECT count(DISTINCT %s)::integer FROM %s WHERE %s IS NOT NULL", label_expr, src_name,
							  label_expr));
		corgi_sql_run("SELECT corgi._fact($1, NULL::integer)", &a, true);
		classes = DatumGetInt32(column_value(1, &isnull));
		if (!isnull && (classes > 1000 || classes < 2))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s needs between 2 and 1000 classes, dependent_varname \"%s\" has %d", model,
							dependent_varname, classes),
					 classes < 2 ? errhint("Use a label with at least two distinct values.")
					 : errhint("Group the classes, or use another model.")));
		memset(&a, 0, sizeof(a));
		if (label_code == NULL)
		{
			corgi_sql_arg_text(&a, psprintf("SELECT array_agg(c ORDER BY c) FROM (SELECT DISTINCT (%s)::text AS c FROM %s WHERE %s IS NOT NULL) d",
								  label_expr, src_name, label_expr));
			corgi_sql_arg_text(&a, label_expr);
			corgi_sql_arg_text(&a, label_type);
			corgi_sql_run("SELECT t, ARRAY(SELECT generate_series(0, cardinality(t) - 1)::float8), corgi._label_code($2, $3, t)"
				"  FROM corgi._fact($1, NULL::text[]) t", &a, true);
			class_texts = column_value(1, &class_texts_null);
			class_values = column_value(2, &class_values_null);
			label_code = column_text(3);
		}
		else
		{
			corgi_sql_arg_text(&a, psprintf("SELECT array_agg(c ORDER BY c)::float8[] FROM (SELECT DISTINCT %s AS c FROM %s WHERE %s IS NOT NULL) d",
								  label_code, src_name, label_expr));
			corgi_sql_run("SELECT v, v::text[] FROM corgi._fact($1, NULL::float8[]) v", &a, true);
			class_values = column_value(1, &class_values_null);
			class_texts = column_value(2, &class_texts_null);
		}
	}

	/*
	 * Binary classifiers keep their labels as they appeared, {negative, positive}, so
	 * corgi.predict_label can answer in the user's terms.
	 */
	if (task != NULL && strcmp(task, "binary") == 0)
	{
		memset(&a, 0, sizeof(a));
		if (label_type != NULL && strcmp(label_type, "boolean") == 0)
			corgi_sql_run("SELECT '{false,true}'::text[]", NULL, true);
		else
		{
			corgi_sql_arg_text(&a, psprintf("SELECT (%s)::text FROM %s WHERE %s IS NOT NULL AND (%s)::float8 <> 1 LIMIT 1",
								  label_expr, src_name, label_expr, label_expr));
			corgi_sql_run("SELECT ARRAY[coalesce(corgi._fact($1, NULL::text), '0'), '1']", &a, true);
		}
		class_texts = column_value(1, &class_texts_null);
	}

	/*
	 * A partitioned table: model hopping over its leaf partitions, each read where it
	 * lives (a local heap partition here, a postgres_fdw foreign partition on its server),
	 * so no row moves. corgi.fit_multiple always hops (it sets segments); corgi.train hops
	 * when a partition is foreign (else it reads the partitions through a query). Decided
	 * before the state is made: segments, if left out, becomes the partitions.
	 */
	segments = corgi_param(norm, "segments");
	partition_hop = 0;
	if (relkind == 'p' && strcmp(shuffle, "once") != 0)
	{
		memset(&a, 0, sizeof(a));
		corgi_sql_arg(&a, REGCLASSOID, src_datum, src_null);
		partition_hop = segments != NULL
			|| bool_of("SELECT EXISTS (SELECT FROM pg_partition_tree($1) t JOIN pg_class c ON c.oid = t.relid"
					   "                WHERE t.isleaf AND c.relkind = 'f')", &a) == 1;
	}
	if (partition_hop)
	{
		int32		partitions;
		int			rls;

		memset(&a, 0, sizeof(a));
		corgi_sql_arg(&a, REGCLASSOID, src_datum, src_null);
		corgi_sql_arg(&a, BOOLOID, BoolGetDatum(feat_col == NULL || label_col == NULL || listed_fast == 0), false);
		corgi_sql_arg_text(&a, feat_type);
		corgi_sql_arg_text(&a, label_type);
		corgi_sql_run("SELECT cardinality(corgi._segment_tables($1)),"
			"       $2 OR NOT $3 = ANY (corgi._feature_types()) OR NOT $4 = ANY (corgi._label_types()),"
			"       row_security_active($1)", &a, true);
		partitions = DatumGetInt32(column_value(1, &isnull));
		rls = corgi_sql_column_bool(3);
		if (corgi_sql_column_bool(2) == 1)
		{
			char	   *detail;

			memset(&a, 0, sizeof(a));
			corgi_sql_arg_text(&a, independent_varname);
			corgi_sql_arg_text(&a, feat_type);
			corgi_sql_arg_text(&a, dependent_varname);
			corgi_sql_arg_text(&a, label_type);
			detail = text_of("SELECT format('Partitions are read where they live, as tables; got independent_varname %L (%s) and dependent_varname %L (%s).', $1, $2, $3, $4)", &a);
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("model hopping over the partitions of %s needs plain feature and label columns", source_table),
					 errdetail("%s", detail),
					 errhint("Name a float8[] or real[] column and a boolean or numeric label column.")));
		}
		if (rls == 1)
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("row-level security applies to %s for you: its partitions cannot be read where they live",
							source_table),
					 errhint("Train as a user the policies do not apply to, or on a table of the rows you may read.")));
		if (partitions == 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("partitioned table %s has no partitions", source_table)));
		if (segments != NULL && pg_strtoint32(segments) != partitions)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("the segments of partitioned table %s are its %d partitions, got segments=%s",
							source_table, partitions, segments),
					 errhint("Leave segments out.")));
		if (segments == NULL)
		{
			memset(&a, 0, sizeof(a));
			corgi_sql_arg_text(&a, psprintf("%s%ssegments=%d", norm, norm[0] ? ", " : "", partitions));
			corgi_sql_arg_text(&a, model);
			norm = text_of("SELECT corgi.normalize_params($1, $2)", &a);
		}
	}

	/*
	 * The tuple buffer: buffer_fraction of the rows for corgipile and the streaming
	 * baselines (sliding window, MRS reservoir); without a tuple shuffle its size does not
	 * change the result, so it is kept small. Grouped training makes a state per group,
	 * each with its own buffer: the whole table's state is only described (one row), so
	 * its buffer is not held to the cap.
	 */
	memset(&a, 0, sizeof(a));
	corgi_sql_arg_text(&a, shuffle);
	corgi_sql_arg(&a, INT8OID, usable_rows, usable_null);
	corgi_sql_arg_text(&a, norm);
	corgi_sql_arg(&a, INT4OID, Int32GetDatum(n_features), false);
	corgi_sql_run("SELECT corgi._buffer_rows($1, $2, corgi._param($3, 'buffer_fraction')::float8, $4,"
		" corgi._param($3, 'full_shuffle_mb')::float8, corgi._param($3, 'max_buffer_mb')::float8)", &a, true);
	buffer_rows = column_value(1, &buffer_null);
	memset(&a, 0, sizeof(a));
	corgi_sql_arg(&a, INT8OID, usable_rows, usable_null);
	corgi_sql_run("SELECT corgi._progress_set(rows_per_epoch => $1)", &a, true);
	if (!whole_table_buffer)
	{
		buffer_rows = Int64GetDatum(1);
		buffer_null = false;
	}
	memset(&a, 0, sizeof(a));
	corgi_sql_arg_text(&a, model);
	corgi_sql_arg(&a, INT4OID, Int32GetDatum(n_features), false);
	corgi_sql_arg(&a, INT8OID, buffer_rows, buffer_null);
	corgi_sql_arg_text(&a, norm);
	corgi_sql_arg(&a, FLOAT8ARRAYOID, class_values, class_values_null);
	corgi_sql_arg_text(&a, shuffle);
	corgi_sql_run("SELECT corgi.sgd_state($1, $2, $3, $4, $5, corgi._buffer_mode($6))", &a, true);
	state = column_value(1, &state_null);
	/*
	 * standardize=true: one extra pass measures each feature's mean and standard
	 * deviation, which the model keeps and applies (at predict time too).
	 */
	{
		char	   *standardize = corgi_param(norm, "standardize");

		if (standardize != NULL && strcmp(standardize, "true") == 0)
		{
			memset(&a, 0, sizeof(a));
			corgi_sql_arg(&a, BYTEAOID, state, state_null);
			corgi_sql_arg(&a, INT4OID, Int32GetDatum(n_features), false);
			corgi_sql_arg_text(&a, psprintf("SELECT corgi._feature_moments((%s)::float8[]) FROM %s WHERE %s IS NOT NULL AND %s IS NOT NULL",
								  feat_expr, src_name, feat_expr, label_expr));
			corgi_sql_run("SELECT corgi.sgd_standardize($1, m[1:$2], m[$2 + 1:2 * $2]) FROM corgi._fact($3, NULL::float8[]) m",
				&a, true);
			state = column_value(1, &state_null);
		}
	}

	/* Which path reads the data. */
	memset(&a, 0, sizeof(a));
	corgi_sql_arg(&a, REGCLASSOID, src_datum, src_null);
	corgi_sql_arg(&a, BOOLOID, BoolGetDatum(feat_col != NULL && label_col != NULL && listed_fast != 0), false);
	corgi_sql_arg_text(&a, feat_type);
	corgi_sql_arg_text(&a, label_type);
	fast = bool_of("SELECT corgi._heap_readable($1) AND $2 AND $3 = ANY (corgi._feature_types())"
				   " AND $4 = ANY (corgi._label_types())", &a);
	read_from = src_name;
	if (strcmp(shuffle, "once") == 0)
	{
		/*
		 * Shuffle Once: a copy of the (features, label) pairs in a seeded random order,
		 * read sequentially every epoch. Its cost is measured and reported.
		 */
		corgi_sql_run("SELECT format('pg_temp.%I', 'corgi_once_' || pg_backend_pid())", NULL, true);
		once_table = column_text(1);
		corgi_sql_run("SELECT corgi._progress_set(phase => 'copying')", NULL, true);
		memset(&a, 0, sizeof(a));
		corgi_sql_arg_text(&a, once_table);
		corgi_sql_arg_text(&a, psprintf("(%s)::float8[] AS f, %s AS l", feat_expr, label_code ? label_code : ""));
		corgi_sql_arg_text(&a, src_name);
		corgi_sql_arg_text(&a, norm);
		corgi_sql_run("SELECT corgi._shuffled_copy($1, $2, $3, corgi._param($4, 'seed')::bigint)", &a, true);
		once_seconds = DatumGetFloat8(column_value(1, &isnull));
		read_from = once_table;
		feat_col = feat_expr = "f";
		label_col = label_code = "l";
		fast = 1;
	}
	path = partition_hop ? "partitions" : fast == 1 ? "fast" : "composed";
	memset(&a, 0, sizeof(a));
	corgi_sql_arg_text(&a, source_table);
	corgi_sql_arg(&a, BOOLOID, BoolGetDatum(corgi_param(norm, "segments") != NULL), false);
	corgi_sql_arg(&a, BOOLOID, BoolGetDatum(strcmp(path, "composed") == 0), false);
	corgi_sql_run("SELECT corgi._check_offered('train', $1, segments => $2, composed => $3)", &a, true);
	if (fast == 0 && !partition_hop && (strcmp(shuffle, "corgipile") == 0 || strcmp(shuffle, "block_only") == 0))
	{
		if (relkind == 'p')
			ereport(NOTICE,
					(errmsg("partitions of %s are read one after another: blocks are shuffled within each partition, not across them",
							source_table),
					 errhint("If the partition key follows the label, the result trains like block_only; train on a table or a copy instead.")));
		if (relkind == 'r' || relkind == 'm' || relkind == 'p')
			sample_clause = "TABLESAMPLE corgi.corgi_block_shuffle($2) REPEATABLE ($3)";
		else
			ereport(NOTICE,
					(errmsg("source %s is not a table: its rows are read in the order it produces, only the tuple buffer is shuffled",
							source_table)));
	}
	SPI_finish();

	memset(nulls, 0, sizeof(nulls));
	set_text(values, nulls, PLAN_SOURCE_TABLE, source_table);
	set_text(values, nulls, PLAN_OUT_TABLE, out_table);
	set_text(values, nulls, PLAN_DEPENDENT, dependent_varname);
	set_text(values, nulls, PLAN_INDEPENDENT, independent_varname);
	set_text(values, nulls, PLAN_MODEL, model);
	values[PLAN_EPOCHS - 1] = Int32GetDatum(epochs);
	set_text(values, nulls, PLAN_SHUFFLE, shuffle);
	set_text(values, nulls, PLAN_NORM, norm);
	set_text(values, nulls, PLAN_OUT_MAIN, out_main);
	set_text(values, nulls, PLAN_OUT_SUMMARY, out_summary);
	set_text(values, nulls, PLAN_FEAT_COL, feat_col);
	nulls[PLAN_LABEL_COL - 1] = label_col == NULL;
	values[PLAN_LABEL_COL - 1] = label_col == NULL ? (Datum) 0 : DirectFunctionCall1(namein, CStringGetDatum(label_col));
	set_text(values, nulls, PLAN_FEAT_EXPR, feat_expr);
	set_text(values, nulls, PLAN_LABEL_CODE, label_code);
	values[PLAN_N_FEATURES - 1] = Int32GetDatum(n_features);
	values[PLAN_CLASS_TEXTS - 1] = class_texts;
	nulls[PLAN_CLASS_TEXTS - 1] = class_texts_null;
	values[PLAN_CLASS_VALUES - 1] = class_values;
	nulls[PLAN_CLASS_VALUES - 1] = class_values_null;
	values[PLAN_BUFFER_ROWS - 1] = buffer_rows;
	nulls[PLAN_BUFFER_ROWS - 1] = buffer_null;
	values[PLAN_STATE - 1] = state;
	nulls[PLAN_STATE - 1] = state_null;
	values[PLAN_FAST - 1] = BoolGetDatum(fast == 1);
	nulls[PLAN_FAST - 1] = fast < 0;
	set_text(values, nulls, PLAN_READ_FROM, read_from);
	set_text(values, nulls, PLAN_SAMPLE_CLAUSE, sample_clause);
	set_text(values, nulls, PLAN_PATH, path);
	set_text(values, nulls, PLAN_ONCE_TABLE, once_table);
	values[PLAN_ONCE_SECONDS - 1] = Float8GetDatum(once_seconds);
	values[PLAN_VAL_TABLE - 1] = ObjectIdGetDatum(val_table);
	nulls[PLAN_VAL_TABLE - 1] = !OidIsValid(val_table);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(desc, values, nulls)));
}

Datum
corgi_plan_field(Datum plan, CorgiPlanField field, bool *isnull)
{
	return GetAttributeByNum(DatumGetHeapTupleHeader(plan), (AttrNumber) field, isnull);
}

char *
corgi_plan_text(Datum plan, CorgiPlanField field)
{
	bool		isnull;
	Datum		value = corgi_plan_field(plan, field, &isnull);

	return isnull ? NULL : TextDatumGetCString(value);
}

Datum
corgi_plan_with(Datum plan, CorgiPlanField field, Datum value, bool isnull, MemoryContext into)
{
	HeapTupleHeader header = DatumGetHeapTupleHeader(plan);
	TupleDesc	desc = lookup_rowtype_tupdesc(HeapTupleHeaderGetTypeId(header), HeapTupleHeaderGetTypMod(header));
	HeapTupleData tuple;
	Datum	   *values = palloc(sizeof(Datum) * desc->natts);
	bool	   *nulls = palloc(sizeof(bool) * desc->natts);
	MemoryContext old;
	Datum		result;

	if (field < 1 || field > desc->natts)
		elog(ERROR, "corgi: corgi.training_plan has no field %d", (int) field);
	tuple.t_len = HeapTupleHeaderGetDatumLength(header);
	ItemPointerSetInvalid(&tuple.t_self);
	tuple.t_tableOid = InvalidOid;
	tuple.t_data = header;
	heap_deform_tuple(&tuple, desc, values, nulls);
	values[field - 1] = value;
	nulls[field - 1] = isnull;
	old = MemoryContextSwitchTo(into);
	result = HeapTupleGetDatum(heap_form_tuple(desc, values, nulls));
	MemoryContextSwitchTo(old);
	ReleaseTupleDesc(desc);
	return result;
}

Datum
corgi_plan_with_text(Datum plan, CorgiPlanField field, const char *value, MemoryContext into)
{
	return corgi_plan_with(plan, field, value == NULL ? (Datum) 0 : CStringGetTextDatum(value), value == NULL, into);
}
