/*
 * corgi_group_call.c: the grouped calls, one model per group (grouping_cols).
 *
 *   corgi_train_grouped   corgi.train(..., grouping_cols): after the whole table's plan,
 *                         the groups (one counting pass), a state per trainable group,
 *                         batches within the memory budget, the epochs (corgi._fit: the
 *                         groups of a batch in one pass; with segments, the groups hop
 *                         as one bundle), and out_table, out_table_groups and
 *                         out_table_summary.
 *   corgi_fit_grouped     corgi.fit_multiple(..., grouping_cols): after the configs'
 *                         plans, the groups, a bundle of group states per config (its
 *                         groups hop together: the table is read once per config per
 *                         epoch, whatever the number of groups), the epochs (corgi._fit),
 *                         and out_table (config x group), out_table_info and
 *                         out_table_summary.
 *
 * corgi._numbered_groups numbers the groups of the exact solvers' grouped calls
 * (corgi.logregr_train, corgi_madlib's binomial elastic net) for their passes.
 *
 * Both count the groups the same way (count_groups: a temporary table of the groups, in
 * key order, with their rows, usable rows, label variety and feature moments) and make
 * a group's state the same way (group_states: its buffer from its own rows, its own
 * standardization). They run inside the front door's SPI connection (corgi_sql.h);
 * every table name in their SQL is a quoted name.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "corgi_group_call.h"
#include "corgi_sql.h"
#include "corgi_training_plan.h"

/*
 * Whether the partitioned table $n has a foreign leaf partition (SQL): grouped calls hop
 * over local partitions, not over foreign ones (the capability table's row).
 */
#define FOREIGN_LEAF(n) \
	"EXISTS (SELECT FROM pg_partition_tree(" n ") t JOIN pg_class c ON c.oid = t.relid WHERE t.isleaf AND c.relkind = 'f')"

/* The largest number of groups a grouped call takes. */
#define CORGI_MAX_GROUPS 1000000

static void
drop_if_exists(const char *table)
{
	CorgiSqlArgs a;

	memset(&a, 0, sizeof(a));
	corgi_sql_arg_text(&a, table);
	corgi_sql_run("SELECT to_regclass($1) IS NOT NULL", &a, true);
	if (corgi_sql_column_bool(1) == 1)
		corgi_sql_run(psprintf("DROP TABLE %s", table), NULL, false);
}

/*
 * The groups of a grouped training: one counting pass over src into the temporary table
 * gtab ("?gid" in key order, the keys named names, "?rows", "?usable" rows with features
 * and label, "?labels" 2 when the label varies, and each group's feature moments when
 * asked); returns the number of groups. present: the test that a row has features (a
 * feature list's cheap test of its columns, not the whole expression); NULL: the
 * features expression is not NULL.
 */
static int32
count_groups(const char *gtab, const char *src, Datum exprs, Datum names, const char *feat_expr,
			 const char *label_code, bool moments, const char *grouping_cols, const char *present)
{
	CorgiSqlArgs a;
	bool		isnull;
	char	   *key_exprs;
	char	   *select_list;
	char	   *has_features;
	int64		count;

	drop_if_exists(gtab);
	memset(&a, 0, sizeof(a));
	corgi_sql_arg(&a, TEXTARRAYOID, exprs, false);
	corgi_sql_arg(&a, TEXTARRAYOID, names, false);
	corgi_sql_run("SELECT array_to_string($1, ', '),"
				  " (SELECT string_agg(format('%s AS %I', x, n), ', ') FROM unnest($1, $2) u(x, n))", &a, true);
	key_exprs = corgi_sql_column_text(1, CurrentMemoryContext);
	select_list = corgi_sql_column_text(2, CurrentMemoryContext);
	has_features = present != NULL ? pstrdup(present) : psprintf("(%s) IS NOT NULL", feat_expr);
	corgi_sql_run(psprintf("CREATE TEMP TABLE %s AS"
						   " SELECT row_number() OVER (ORDER BY %s) AS \"?gid\", %s, count(*) AS \"?rows\","
						   "        count(*) FILTER (WHERE %s AND (%s) IS NOT NULL) AS \"?usable\","
						   "        CASE WHEN min(%s) FILTER (WHERE %s) < max(%s) FILTER (WHERE %s)"
						   "             THEN 2 ELSE 1 END AS \"?labels\","
						   "        %s AS \"?moments\""
						   " FROM %s WHERE (SELECT corgi._pin_snapshot()) IS NOT NULL GROUP BY %s",
						   gtab, key_exprs, select_list, has_features, label_code, label_code, has_features,
						   label_code, has_features,
						   moments ? psprintf("corgi._feature_moments((%s)::float8[]) FILTER (WHERE (%s) IS NOT NULL AND (%s) IS NOT NULL)",
											  feat_expr, feat_expr, label_code) : "NULL::float8[]",
						   src, key_exprs), NULL, false);
	corgi_sql_run(psprintf("SELECT count(*) FROM %s", gtab), NULL, false);
	count = DatumGetInt64(corgi_sql_column(1, &isnull, CurrentMemoryContext));
	if (count > CORGI_MAX_GROUPS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("grouping_cols \"%s\" makes " INT64_FORMAT " groups, at most 1000000 are allowed", grouping_cols,
						count)));
	return (int32) count;
}

/*
 * The initial state of each listed group of gtab for a plan, its tuple buffer sized from
 * the group's own usable rows, standardized by the group's own moments when the plan
 * standardizes; in group order (a bytea[] in `into`).
 */
static Datum
group_states(const char *gtab, Oid plan_type, Datum plan, Datum gids, MemoryContext into)
{
	CorgiSqlArgs a;
	bool		isnull;
	Datum		scalars[6];
	bool		scalar_nulls[6];

	memset(&a, 0, sizeof(a));
	corgi_sql_arg(&a, plan_type, plan, false);
	corgi_sql_run("SELECT corgi._param(($1).norm, 'buffer_fraction')::float8, corgi._param(($1).norm, 'standardize') = 'true',"
				  " corgi._buffer_mode(($1).shuffle), corgi._param(($1).norm, 'full_shuffle_mb')::float8,"
				  " corgi._param(($1).norm, 'max_buffer_mb')::float8", &a, true);
	for (int i = 0; i < 5; i++)
		scalars[i] = corgi_sql_column(i + 1, &scalar_nulls[i], into);
	memset(&a, 0, sizeof(a));
	corgi_sql_arg(&a, TEXTOID, corgi_plan_field(plan, PLAN_MODEL, &isnull), false);	/* $1 */
	corgi_sql_arg(&a, INT4OID, corgi_plan_field(plan, PLAN_N_FEATURES, &isnull), false);	/* $2 */
	{
		Datum		shuffle = corgi_plan_field(plan, PLAN_SHUFFLE, &isnull);

		corgi_sql_arg(&a, TEXTOID, shuffle, isnull);	/* $3 */
	}
	corgi_sql_arg(&a, FLOAT8OID, scalars[0], scalar_nulls[0]);	/* $4 */
	corgi_sql_arg(&a, BOOLOID, scalars[1], scalar_nulls[1]);	/* $5 */
	{
		Datum		norm = corgi_plan_field(plan, PLAN_NORM, &isnull);

		corgi_sql_arg(&a, TEXTOID, norm, isnull);	/* $6 */
	}
	{
		Datum		class_values = corgi_plan_field(plan, PLAN_CLASS_VALUES, &isnull);

		corgi_sql_arg(&a, FLOAT8ARRAYOID, class_values, isnull);	/* $7 */
	}
	corgi_sql_arg(&a, TEXTOID, scalars[2], scalar_nulls[2]);	/* $8 */
	corgi_sql_arg(&a, INT8ARRAYOID, gids, false);	/* $9 */
	corgi_sql_arg(&a, FLOAT8OID, scalars[3], scalar_nulls[3]);	/* $10 */
	corgi_sql_arg(&a, FLOAT8OID, scalars[4], scalar_nulls[4]);	/* $11 */
	corgi_sql_run(psprintf("SELECT array_agg(CASE WHEN $5 THEN corgi.sgd_standardize(s, \"?moments\"[1:$2], \"?moments\"[$2 + 1:2 * $2]) ELSE s END"
						   "                 ORDER BY \"?gid\")"
						   "  FROM (SELECT \"?gid\", \"?moments\","
						   "               corgi.sgd_state($1, $2, corgi._buffer_rows($3, \"?usable\", $4, $2, $10, $11), $6, $7, $8) AS s"
						   "          FROM %s JOIN unnest($9::bigint[]) AS t(gid) ON t.gid = \"?gid\") q", gtab), &a, false);
	return corgi_sql_column(1, &isnull, into);
}

/* The items of grouping_cols, checked as every grouped call checks them. */
static void
grouping_keys(Datum src, const char *source_table, const char *grouping_cols, const char *reserved, Datum *exprs,
			  Datum *names, MemoryContext into)
{
	CorgiSqlArgs a;
	bool		isnull;

	memset(&a, 0, sizeof(a));
	corgi_sql_arg(&a, REGCLASSOID, src, false);
	corgi_sql_arg_text(&a, source_table);
	corgi_sql_arg_text(&a, grouping_cols);
	corgi_sql_arg_text(&a, reserved);
	corgi_sql_run("SELECT k.exprs, k.names FROM corgi._grouping_keys($1, $2, $3, $4::text[]) k", &a, true);
	*exprs = corgi_sql_column(1, &isnull, into);
	if (!isnull)
		*names = corgi_sql_column(2, &isnull, into);
	if (isnull)
		elog(ERROR, "corgi: corgi._grouping_keys gave no keys for \"%s\"", grouping_cols);
}

/*
 * The grouping expressions among the items (an expression is in parentheses, a column
 * quoted), each asked of the capability table for `call` (segments: whether the call
 * has segments, NULL when not known); true when every item is a column.
 */
static bool
check_grouping_expressions(const char *call, const char *source_table, Datum exprs, const bool *segments,
						   MemoryContext into)
{
	CorgiSqlArgs a;
	uint64		rows;
	char	  **expressions;

	memset(&a, 0, sizeof(a));
	corgi_sql_arg(&a, TEXTARRAYOID, exprs, false);
	rows = corgi_sql_run("SELECT substr(x, 2, length(x) - 2) FROM unnest($1) WITH ORDINALITY u(x, o)"
						 " WHERE left(x, 1) = '(' ORDER BY o", &a, true);
	expressions = MemoryContextAlloc(into, sizeof(char *) * (rows + 1));
	for (uint64 i = 0; i < rows; i++)
		expressions[i] = corgi_sql_row_text(i, 1, into);
	for (uint64 i = 0; i < rows; i++)
	{
		memset(&a, 0, sizeof(a));
		corgi_sql_arg_text(&a, call);
		corgi_sql_arg_text(&a, source_table);
		corgi_sql_arg(&a, BOOLOID, BoolGetDatum(segments != NULL && *segments), segments == NULL);
		corgi_sql_arg_text(&a, expressions[i]);
		corgi_sql_run("SELECT corgi._check_offered($1, $2, grouped => true, segments => $3, grouping_expression => $4)",
					  &a, true);
	}
	return rows == 0;
}

static const char *const train_reserved =
	"{coef,intercept,model,model_type,loss,num_rows_processed,num_rows_skipped,num_epochs,classes,layers,status,"
	"num_rows,epoch_loss,epoch_rows,batch}";

void
corgi_train_grouped(Oid plan_type, Datum plan, Datum source, const char *grouping_cols, bool verbose,
					MemoryContext into, Datum *result, bool *result_null)
{
	TimestampTz t0 = GetCurrentTimestamp();
	CorgiSqlArgs a;
	bool		isnull;
	char	   *gtab,
			   *groups_name,
			   *out_main,
			   *out_summary,
			   *source_table,
			   *shuffle,
			   *feat_expr,
			   *label_code,
			   *feat_col;
	bool		standardize,
				classifier,
				segments_given,
				plain = true,
				fast,
				fast_null;
	Datum		exprs,
				names,
				src = source;
	char	   *src_name;
	int			key_count;
	char	   *val_key_sql,
			   *key_exprs,
			   *once_table = NULL;
	int32		g_all;
	Datum		trainable,
				g_status,
				states,
				keys,
				megabytes;
	int			n_trainable;
	double		budget,
				held,
				seconds;
	int32	   *batches;
	int			batch = 1;
	Datum		run[16];
	bool		run_null[16];

	memset(&a, 0, sizeof(a));
	corgi_sql_arg(&a, plan_type, plan, false);
	corgi_sql_arg(&a, REGCLASSOID, source, false);
	corgi_sql_run("SELECT format('pg_temp.%I', 'corgi_groups_' || pg_backend_pid()),"
				  " format('%I.%I', (parse_ident(($1).out_main))[1], (parse_ident(($1).out_main))[2] || '_groups'),"
				  " corgi._param(($1).norm, 'standardize') = 'true', (corgi.model_traits(($1).model)).classifier,"
				  " $2::text", &a, true);
	gtab = corgi_sql_column_text(1, into);
	groups_name = corgi_sql_column_text(2, into);
	standardize = corgi_sql_column_bool(3) == 1;
	classifier = corgi_sql_column_bool(4) == 1;
	src_name = corgi_sql_column_text(5, into);
	out_main = corgi_plan_text(plan, PLAN_OUT_MAIN);
	out_summary = corgi_plan_text(plan, PLAN_OUT_SUMMARY);
	source_table = corgi_plan_text(plan, PLAN_SOURCE_TABLE);
	shuffle = corgi_plan_text(plan, PLAN_SHUFFLE);
	feat_expr = corgi_plan_text(plan, PLAN_FEAT_EXPR);
	label_code = corgi_plan_text(plan, PLAN_LABEL_CODE);
	feat_col = corgi_plan_text(plan, PLAN_FEAT_COL);
	fast = DatumGetBool(corgi_plan_field(plan, PLAN_FAST, &fast_null));
	memset(&a, 0, sizeof(a));
	corgi_sql_arg_text(&a, groups_name);
	corgi_sql_run("SELECT to_regclass($1) IS NOT NULL", &a, true);
	if (corgi_sql_column_bool(1) == 1)
		ereport(ERROR,
				(errcode(ERRCODE_DUPLICATE_TABLE),
				 errmsg("output table %s already exists", groups_name),
				 errhint("Drop it first, or choose another out_table.")));
	memset(&a, 0, sizeof(a));
	corgi_sql_arg(&a, plan_type, plan, false);
	corgi_sql_arg(&a, REGCLASSOID, source, false);
	corgi_sql_run("SELECT corgi._check_offered('train', ($1).source_table, grouped => true,"
				  " partitions => ($1).path = 'partitions' AND " FOREIGN_LEAF("$2") ","
				  " segments => corgi._param(($1).norm, 'segments') IS NOT NULL,"
				  " early_stopping => corgi._param(($1).norm, 'patience') IS NOT NULL),"
				  " corgi._param(($1).norm, 'segments') IS NOT NULL", &a, true);
	segments_given = corgi_sql_column_bool(2) == 1;
	/*
	 * The items: a column of the source (kept as it is named), or an expression (named
	 * after its text), checked as every grouped call checks them (corgi._grouping_keys).
	 */
	grouping_keys(source, source_table, grouping_cols, train_reserved, &exprs, &names, into);
	plain = check_grouping_expressions("train", source_table, exprs, &segments_given, into);
	key_count = ArrayGetNItems(ARR_NDIM(DatumGetArrayTypeP(exprs)), ARR_DIMS(DatumGetArrayTypeP(exprs)));
	memset(&a, 0, sizeof(a));
	corgi_sql_arg_text(&a, out_main);
	corgi_sql_arg_text(&a, out_summary);
	corgi_sql_arg_text(&a, groups_name);
	corgi_sql_arg(&a, TEXTARRAYOID, exprs, false);
	corgi_sql_run("SELECT corgi._reserve_outputs(ARRAY[$1, $2, $3]), array_to_string($4, ', ')", &a, true);
	/* The keys as the caller wrote them: how validation rows find their group. */
	val_key_sql = corgi_sql_column_text(2, into);
	if (shuffle != NULL && strcmp(shuffle, "once") == 0)
	{
		/* Shuffle once: a copy with the group keys beside features and label. */
		double		once_seconds;

		corgi_sql_run("SELECT format('pg_temp.%I', 'corgi_once_' || pg_backend_pid())", NULL, true);
		once_table = corgi_sql_column_text(1, into);
		drop_if_exists(once_table);
		corgi_sql_run("SELECT corgi._progress_set(phase => 'copying')", NULL, true);
		memset(&a, 0, sizeof(a));
		corgi_sql_arg_text(&a, once_table);
		corgi_sql_arg_text(&a, feat_expr);
		corgi_sql_arg_text(&a, label_code);
		corgi_sql_arg(&a, TEXTARRAYOID, exprs, false);
		corgi_sql_arg(&a, TEXTARRAYOID, names, false);
		corgi_sql_arg_text(&a, src_name);
		corgi_sql_arg(&a, plan_type, plan, false);
		corgi_sql_run("SELECT corgi._shuffled_copy($1, format('(%s)::float8[] AS f, %s AS l, %s', $2, $3,"
					  "   (SELECT string_agg(format('%s AS %I', x, n), ', ') FROM unnest($4, $5) u(x, n))),"
					  "   $6, corgi._param(($7).norm, 'seed')::bigint),"
					  " ARRAY(SELECT quote_ident(n) FROM unnest($5) n)", &a, true);
		once_seconds = DatumGetFloat8(corgi_sql_column(1, &isnull, into));
		exprs = corgi_sql_column(2, &isnull, into);
		plain = true;
		memset(&a, 0, sizeof(a));
		corgi_sql_arg_text(&a, once_table);
		corgi_sql_run("SELECT $1::regclass, $1::regclass::text", &a, true);
		src = corgi_sql_column(1, &isnull, into);
		src_name = corgi_sql_column_text(2, into);
		plan = corgi_plan_with(plan, PLAN_ONCE_SECONDS, Float8GetDatum(once_seconds), false, into);
		plan = corgi_plan_with_text(plan, PLAN_FEAT_COL, "f", into);
		plan = corgi_plan_with(plan, PLAN_LABEL_COL, DirectFunctionCall1(namein, CStringGetDatum("l")), false, into);
		plan = corgi_plan_with_text(plan, PLAN_FEAT_EXPR, "f", into);
		plan = corgi_plan_with_text(plan, PLAN_LABEL_CODE, "l", into);
		plan = corgi_plan_with(plan, PLAN_SAMPLE_CLAUSE, (Datum) 0, true, into);
		feat_col = feat_expr = label_code = "f";
		label_code = "l";
		fast = true;
		fast_null = false;
	}
	memset(&a, 0, sizeof(a));
	corgi_sql_arg(&a, TEXTARRAYOID, exprs, false);
	corgi_sql_arg(&a, REGCLASSOID, src, false);
	corgi_sql_arg_text(&a, feat_col);
	corgi_sql_run("SELECT array_to_string($1, ', '), (corgi._feature_columns($2, $3)).present", &a, true);
	key_exprs = corgi_sql_column_text(1, into);

	/* The groups: one counting pass (and the feature moments, with standardize). */
	g_all = count_groups(gtab, src_name, exprs, names, feat_expr, label_code, standardize, grouping_cols,
						 corgi_sql_column_text(2, into));
	/* Groups that cannot be trained: no usable row; a classifier's single class. */
	memset(&a, 0, sizeof(a));
	corgi_sql_arg(&a, BOOLOID, BoolGetDatum(classifier), false);
	corgi_sql_run(psprintf("SELECT coalesce(array_agg(\"?gid\" ORDER BY \"?gid\") FILTER (WHERE \"?usable\" > 0 AND (NOT $1 OR \"?labels\" > 1)), '{}'),"
						   "       array_agg(CASE WHEN \"?usable\" = 0 THEN 'failed: no rows with non-NULL features and label'"
						   "                      WHEN $1 AND \"?labels\" < 2 THEN 'failed: a single class' END ORDER BY \"?gid\")"
						   "  FROM %s", gtab), &a, false);
	trainable = corgi_sql_column(1, &isnull, into);
	g_status = corgi_sql_column(2, &isnull, into);
	if (isnull)					/* no group at all (no row): every group failed, none */
		g_status = PointerGetDatum(construct_empty_array(TEXTOID));
	n_trainable = ArrayGetNItems(ARR_NDIM(DatumGetArrayTypeP(trainable)), ARR_DIMS(DatumGetArrayTypeP(trainable)));
	memset(&a, 0, sizeof(a));
	corgi_sql_arg(&a, INT4OID, Int32GetDatum(n_trainable), false);
	corgi_sql_run("SELECT corgi._progress_set(tasks => $1)", &a, true);
	if (n_trainable == 0)
	{
		char	   *detail;

		memset(&a, 0, sizeof(a));
		corgi_sql_arg(&a, TEXTARRAYOID, g_status, false);
		corgi_sql_run("SELECT format('%s have no row with non-NULL features and label, %s a single class.',"
					  " (SELECT count(*) FROM unnest($1) s WHERE s LIKE '%no rows%'),"
					  " (SELECT count(*) FROM unnest($1) s WHERE s LIKE '%single class%'))", &a, true);
		detail = corgi_sql_column_text(1, into);
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("every one of the %d groups of grouping_cols \"%s\" failed before training", g_all, grouping_cols),
				 errdetail("%s", detail),
				 errhint("A classifier needs two classes in a group.")));
	}
	/*
	 * The budget (max_buffer_mb and corgi.max_buffer_mb) covers the whole call: what the
	 * driver holds for every group for the whole call (corgi._group_held_mb), and beside
	 * it the trainers of one batch of groups at a time (below). Too many groups for it is
	 * an error before any group's state is made.
	 */
	memset(&a, 0, sizeof(a));
	corgi_sql_arg(&a, plan_type, plan, false);
	corgi_sql_arg(&a, INT4OID, Int32GetDatum(n_trainable), false);
	corgi_sql_run("SELECT b, h, round(h::numeric, 1)::text, b::text FROM"
				  " (SELECT least(corgi._param(($1).norm, 'max_buffer_mb')::float8,"
				  "               pg_size_bytes(current_setting('corgi.max_buffer_mb')) / 1048576.0) AS b,"
				  "         corgi._group_held_mb($2, octet_length(($1).state), ($1).epochs) AS h) q", &a, true);
	budget = DatumGetFloat8(corgi_sql_column(1, &isnull, into));
	held = DatumGetFloat8(corgi_sql_column(2, &isnull, into));
	if (held > budget)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("the %d groups of grouping_cols \"%s\" need %s MB for their states, more than the %s MB budget",
						n_trainable, grouping_cols, corgi_sql_column_text(3, into), corgi_sql_column_text(4, into)),
				 errdetail("A grouped call holds every group's state, keys and per-epoch figures for the whole call, beside the trainers of one batch of groups."),
				 errhint("Group by fewer keys, or ask a superuser to raise corgi.max_buffer_mb (and raise max_buffer_mb).")));
	/* A state per trainable group, its buffer sized from its own rows. */
	states = group_states(gtab, plan_type, plan, trainable, into);
	memset(&a, 0, sizeof(a));
	corgi_sql_arg(&a, INT8ARRAYOID, trainable, false);
	corgi_sql_arg(&a, TEXTARRAYOID, names, false);
	corgi_sql_arg(&a, BYTEAARRAYOID, states, false);
	corgi_sql_run("SELECT (SELECT string_agg(format('g.%I::text', n), ', ') FROM unnest($2) n),"
				  " (corgi._states_progress($3)).megabytes", &a, true);
	{
		char	   *key_list = corgi_sql_column_text(1, into);

		megabytes = corgi_sql_column(2, &isnull, into);
		corgi_sql_run(psprintf("SELECT array_agg(u.k ORDER BY g.\"?gid\", u.o) FROM %s g,"
							   " unnest(ARRAY[%s]) WITH ORDINALITY AS u(k, o), unnest($1::bigint[]) AS t(gid)"
							   " WHERE g.\"?gid\" = t.gid", gtab, key_list), &a, false);
		keys = corgi_sql_column(1, &isnull, into);
		if (isnull)
			elog(ERROR, "corgi: no keys for %d trainable groups", n_trainable);
	}

	/* Batches: groups in order, each batch's trainers within what the held states leave of the budget. */
	{
		Datum	   *items;
		bool	   *item_nulls;
		int			count;
		double		used = 0;

		deconstruct_array(DatumGetArrayTypeP(megabytes), FLOAT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE, &items,
						  &item_nulls, &count);
		if (count != n_trainable)
			elog(ERROR, "corgi: %d group states for %d trainable groups", count, n_trainable);
		batches = MemoryContextAlloc(into, sizeof(int32) * Max(count, 1));
		for (int j = 0; j < count; j++)
		{
			double		mb = item_nulls[j] ? 0 : DatumGetFloat8(items[j]);

			if (used > 0 && used + mb > budget - held)
			{
				batch++;
				used = 0;
			}
			used = used + mb;
			batches[j] = batch;
		}
		if (batch > 1)
		{
			char	   *total;
			char	   *rounded_budget;

			memset(&a, 0, sizeof(a));
			corgi_sql_arg(&a, FLOAT8ARRAYOID, megabytes, false);
			corgi_sql_arg(&a, FLOAT8OID, Float8GetDatum(budget), false);
			corgi_sql_run("SELECT round((SELECT sum(m) FROM unnest($1) m)::numeric, 1)::text, round($2::numeric)::text",
						  &a, true);
			total = corgi_sql_column_text(1, into);
			rounded_budget = corgi_sql_column_text(2, into);
			ereport(NOTICE,
					(errmsg("the %d groups need %s MB of buffers and models, more than the %s MB budget: they train in %d batches, one scan per batch per epoch",
							count, total, rounded_budget, batch),
					 errhint("Raise max_buffer_mb (and corgi.max_buffer_mb), or lower buffer_fraction, for fewer scans.")));
			/* With segments the groups hop as one bundle: every group at once. */
			if (segments_given)
				ereport(ERROR,
						(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
						 errmsg("the %d groups need %s MB of buffers and models at once with segments, more than the %s MB budget",
								count, total, rounded_budget),
						 errhint("Leave segments out (the groups then train in batches), or raise max_buffer_mb (and corgi.max_buffer_mb).")));
		}
	}

	/*
	 * Fast path: a heap table read directly, with plain grouping columns. A table that
	 * takes the composed path only for its grouping expressions is still read in
	 * CorgiPile's block order (as the fast path reads it).
	 */
	if (fast && !fast_null && !plain && (strcmp(shuffle, "corgipile") == 0 || strcmp(shuffle, "block_only") == 0))
		plan = corgi_plan_with_text(plan, PLAN_SAMPLE_CLAUSE, "TABLESAMPLE corgi.corgi_block_shuffle($2) REPEATABLE ($3)",
									into);
	if (!fast_null)
		fast = fast && plain;
	plan = corgi_plan_with(plan, PLAN_FAST, BoolGetDatum(fast), fast_null && plain, into);
	if (once_table != NULL)
		plan = corgi_plan_with_text(plan, PLAN_READ_FROM, once_table, into);
	{
		char	   *path = corgi_plan_text(plan, PLAN_PATH);

		/* Over local partitions (with segments) the groups hop as one bundle, a segment a partition. */
		if (path == NULL || strcmp(path, "partitions") != 0)
			plan = corgi_plan_with_text(plan, PLAN_PATH, fast && !fast_null ? "fast" : "composed", into);
	}
	{
		static const char *const run_columns[] = {
			"final_states", "epoch_loss", "epoch_seconds", "epoch_rows", "val_loss", "val_metric",
			"val_loss_all", "val_metric_all", "diverged_in"
		};
		static const Oid run_types[] = {
			BYTEAARRAYOID, FLOAT8ARRAYOID, FLOAT8ARRAYOID, INT8ARRAYOID, FLOAT8ARRAYOID, FLOAT8ARRAYOID,
			FLOAT8ARRAYOID, FLOAT8ARRAYOID, INT4ARRAYOID
		};
		Datum		batch_array;

		{
			Datum	   *batch_items = palloc(sizeof(Datum) * Max(n_trainable, 1));
			MemoryContext old = MemoryContextSwitchTo(into);

			for (int j = 0; j < n_trainable; j++)
				batch_items[j] = Int32GetDatum(batches[j]);
			batch_array = PointerGetDatum(construct_array(batch_items, n_trainable, INT4OID, 4, true, TYPALIGN_INT));
			MemoryContextSwitchTo(old);
		}
		memset(&a, 0, sizeof(a));
		corgi_sql_arg(&a, plan_type, plan, false);	/* $1 */
		corgi_sql_arg(&a, BOOLOID, BoolGetDatum(verbose), false);	/* $2 */
		corgi_sql_arg(&a, TEXTARRAYOID, keys, false);	/* $3 */
		corgi_sql_arg(&a, INT4OID, Int32GetDatum(key_count), false);	/* $4 */
		corgi_sql_arg(&a, TEXTARRAYOID, names, false);	/* $5 */
		corgi_sql_arg_text(&a, val_key_sql);	/* $6 */
		if (!segments_given)
		{
			corgi_sql_arg(&a, BYTEAARRAYOID, states, false);	/* $7 */
			corgi_sql_arg(&a, INT4ARRAYOID, batch_array, false);	/* $8 */
			corgi_sql_arg_text(&a, key_exprs);	/* $9 */
			corgi_sql_run("SELECT * FROM corgi._fit(ARRAY[$1], 'train', 0, $2, $7, $3, $4, $8, $5::name[], $9, $6)",
						  &a, true);
		}
		else
		{
			/*
			 * With segments the groups hop as one bundle, as one config of a grouped
			 * corgi.fit_multiple does (its params replay it): a visit trains every group.
			 */
			corgi_sql_arg(&a, BYTEAARRAYOID, states, false);	/* $7 */
			corgi_sql_run("SELECT * FROM corgi._fit(ARRAY[$1], 'train', 0, $2, NULL, $3, $4, NULL, $5::name[], NULL, $6,"
						  " ARRAY[corgi._bundle(ARRAY(SELECT g - 1 FROM generate_series(1, cardinality($7)) g), $7)], ARRAY[1])",
						  &a, true);
		}
		for (int i = 0; i < lengthof(run_columns); i++)
			run[i] = corgi_sql_named_column(run_columns[i], &run_null[i], into);
		if (!OidIsValid(DatumGetObjectId(corgi_plan_field(plan, PLAN_VAL_TABLE, &isnull))) || isnull)
			run_null[4] = run_null[5] = run_null[6] = run_null[7] = true;
		seconds = (double) (GetCurrentTimestamp() - t0) / 1000000.0;

		/* Outputs, only now that every epoch succeeded ------------------------------- */
		/* Per group, in group order (set-based: no loop subscripts the per-group arrays). */
		memset(&a, 0, sizeof(a));
		corgi_sql_arg(&a, TEXTARRAYOID, g_status, false);	/* $1 */
		corgi_sql_arg(&a, INT8ARRAYOID, trainable, false);	/* $2 */
		corgi_sql_arg(&a, run_types[0], run[0], run_null[0]);	/* $3 */
		corgi_sql_arg(&a, run_types[8], run[8], run_null[8]);	/* $4 */
		corgi_sql_arg(&a, plan_type, plan, false);	/* $5 */
		corgi_sql_run("SELECT array_agg(CASE WHEN t.d IS NULL THEN t.s END ORDER BY f.g),"
					  "       array_agg(CASE WHEN t.g IS NULL THEN f.st WHEN t.d IS NULL THEN 'ok'"
					  "                      ELSE format('failed: diverged in epoch %s', t.d) END ORDER BY f.g),"
					  "       array_agg(CASE WHEN t.g IS NOT NULL THEN coalesce(t.d, ($5).epochs) END ORDER BY f.g)"
					  "  FROM unnest($1) WITH ORDINALITY AS f(st, g)"
					  "  LEFT JOIN unnest($2, $3, $4) AS t(g, s, d) ON t.g = f.g", &a, true);
		{
			Datum		g_states = corgi_sql_column(1, &isnull, into);
			Datum		g_statuses = corgi_sql_column(2, &isnull, into);
			Datum		g_epochs = corgi_sql_column(3, &isnull, into);
			int64		failed;

			memset(&a, 0, sizeof(a));
			corgi_sql_arg(&a, TEXTARRAYOID, g_statuses, false);
			corgi_sql_run("SELECT count(*) FROM unnest($1) s WHERE s <> 'ok'", &a, true);
			failed = DatumGetInt64(corgi_sql_column(1, &isnull, into));
			if (failed == g_all)
				ereport(ERROR,
						(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
						 errmsg("every one of the %d groups failed", g_all),
						 errdetail("Every trainable group diverged (its loss is no longer a finite number); nothing was written."),
						 errhint("Lower learning_rate, or scale the features.")));
			memset(&a, 0, sizeof(a));
			corgi_sql_arg(&a, INT4OID, Int32GetDatum(n_trainable), false);
			corgi_sql_arg_text(&a, out_main);
			corgi_sql_arg_text(&a, out_summary);
			corgi_sql_arg_text(&a, groups_name);
			corgi_sql_arg(&a, TEXTARRAYOID, names, false);
			corgi_sql_run("SELECT corgi._progress_set(phase => 'writing', tasks_done => $1),"
						  " corgi._release_outputs(ARRAY[$2, $3, $4]),"
						  " (SELECT string_agg(format('g.%I', n), ', ') FROM unnest($5) n)", &a, true);
			{
				char	   *group_list = corgi_sql_column_text(3, into);

				memset(&a, 0, sizeof(a));
				corgi_sql_arg(&a, BYTEAARRAYOID, g_states, false);	/* $1 */
				corgi_sql_arg(&a, TEXTARRAYOID, g_statuses, false);	/* $2 */
				corgi_sql_arg(&a, INT4ARRAYOID, g_epochs, false);	/* $3 */
				corgi_sql_arg(&a, plan_type, plan, false);	/* $4 */
				corgi_sql_arg(&a, REGCLASSOID, source, false);	/* $5 */
				corgi_sql_run(psprintf("CREATE TABLE %s AS"
									   " SELECT %s, c.coef, c.intercept, s.state AS model,"
									   "        ($4).model::text AS model_type, (corgi.sgd_state_info(s.state)).loss AS loss,"
									   "        (corgi.sgd_state_info(s.state)).rows AS num_rows_processed,"
									   "        (corgi.sgd_state_info(s.state)).skipped AS num_rows_skipped, s.epochs AS num_epochs,"
									   "        ($4).class_texts::text[] AS classes, corgi._layers($4)::integer[] AS layers, s.status,"
									   "        c.feature_names"
									   " FROM %s g JOIN unnest($1::bytea[], $2::text[], $3::integer[]) WITH ORDINALITY AS s(state, status, epochs, gid)"
									   "   ON s.gid = g.\"?gid\" LEFT JOIN LATERAL corgi._model_coef(s.state, $5, ($4).feat_col) c ON true"
									   " ORDER BY g.\"?gid\"", out_main, group_list, gtab), &a, false);
				memset(&a, 0, sizeof(a));
				corgi_sql_arg(&a, TEXTARRAYOID, g_statuses, false);	/* $1 */
				corgi_sql_arg(&a, INT8ARRAYOID, trainable, false);	/* $2 */
				corgi_sql_arg(&a, run_types[1], run[1], run_null[1]);	/* $3 */
				corgi_sql_arg(&a, run_types[3], run[3], run_null[3]);	/* $4 */
				corgi_sql_arg(&a, INT4OID, Int32GetDatum(n_trainable), false);	/* $5 */
				corgi_sql_arg(&a, INT4ARRAYOID, batch_array, false);	/* $6 */
				corgi_sql_arg(&a, FLOAT8ARRAYOID, run_null[4] ? PointerGetDatum(construct_empty_array(FLOAT8OID)) : run[4], false);	/* $7 */
				corgi_sql_arg(&a, FLOAT8ARRAYOID, run_null[5] ? PointerGetDatum(construct_empty_array(FLOAT8OID)) : run[5], false);	/* $8 */
				corgi_sql_run(psprintf("CREATE TABLE %s AS"
									   " WITH per AS (SELECT (x.o - 1) %% $5 + 1 AS j, array_agg(x.l ORDER BY x.o) AS epoch_loss,"
									   "                     array_agg(x.r ORDER BY x.o) AS epoch_rows"
									   "              FROM unnest($3::float8[], $4::bigint[]) WITH ORDINALITY AS x(l, r, o) GROUP BY 1),"
									   "      val AS (SELECT (x.o - 1) %% $5 + 1 AS j, array_agg(x.l ORDER BY x.o) AS validation_loss,"
									   "                     array_agg(x.m ORDER BY x.o) AS validation_metric"
									   "              FROM unnest($7::float8[], $8::float8[]) WITH ORDINALITY AS x(l, m, o) GROUP BY 1)"
									   " SELECT %s, g.\"?rows\" AS num_rows, t.batch, s.status, per.epoch_loss, per.epoch_rows,"
									   "        val.validation_loss, val.validation_metric"
									   " FROM %s g"
									   " JOIN unnest($1::text[]) WITH ORDINALITY AS s(status, gid) ON s.gid = g.\"?gid\""
									   " LEFT JOIN unnest($2::integer[], $6::integer[]) WITH ORDINALITY AS t(gid, batch, j) ON t.gid = g.\"?gid\""
									   " LEFT JOIN per ON per.j = t.j"
									   " LEFT JOIN val ON val.j = t.j"
									   " ORDER BY g.\"?gid\"", groups_name, group_list, gtab), &a, false);
			}
			memset(&a, 0, sizeof(a));
			corgi_sql_arg(&a, run_types[1], run[1], run_null[1]);	/* $1 */
			corgi_sql_arg(&a, run_types[3], run[3], run_null[3]);	/* $2 */
			corgi_sql_arg(&a, plan_type, plan, false);	/* $3 */
			corgi_sql_arg(&a, INT4OID, Int32GetDatum(n_trainable), false);	/* $4 */
			corgi_sql_run("SELECT sum(x.r)::bigint, (sum(x.l * x.r) / nullif(sum(x.r), 0))::float8"
						  "  FROM unnest($1, $2) WITH ORDINALITY AS x(l, r, o)"
						  " WHERE x.o > (($3).epochs - 1) * $4 AND NOT corgi._not_finite(x.l)", &a, true);
			result[1] = corgi_sql_column(1, &result_null[1], into);
			result[2] = corgi_sql_column(2, &result_null[2], into);
			memset(&a, 0, sizeof(a));
			corgi_sql_arg(&a, plan_type, plan, false);	/* $1 */
			corgi_sql_arg(&a, BYTEAARRAYOID, states, false);	/* $2 */
			corgi_sql_arg(&a, FLOAT8ARRAYOID, run[2], run_null[2]);	/* $3 */
			corgi_sql_arg(&a, FLOAT8OID, Float8GetDatum(seconds), false);	/* $4 */
			corgi_sql_arg_text(&a, grouping_cols);	/* $5 */
			corgi_sql_arg(&a, TEXTARRAYOID, names, false);	/* $6 */
			corgi_sql_arg(&a, INT4OID, Int32GetDatum(g_all), false);	/* $7 */
			corgi_sql_arg(&a, INT4OID, Int32GetDatum((int32) failed), false);	/* $8 */
			corgi_sql_arg(&a, INT4OID, Int32GetDatum(batch), false);	/* $9 */
			corgi_sql_arg(&a, FLOAT8OID, Float8GetDatum(budget), false);	/* $10 */
			corgi_sql_arg(&a, INT8OID, result[1], result_null[1]);	/* $11 */
			corgi_sql_arg(&a, FLOAT8OID, result[2], result_null[2]);	/* $12 */
			corgi_sql_arg(&a, run_types[6], run[6], run_null[6]);	/* $13 */
			corgi_sql_arg(&a, run_types[7], run[7], run_null[7]);	/* $14 */
			corgi_sql_run(psprintf("CREATE TABLE %s AS SELECT"
								   " ($1).source_table::text AS source_table, ($1).out_table::text AS out_table,"
								   " ($1).dependent_varname::text AS dependent_varname,"
								   " ($1).independent_varname::text AS independent_varname, ($1).model::text AS model,"
								   " ($1).shuffle::text AS shuffle, ($1).norm::text AS params,"
								   " ($1).n_features::integer AS n_features,"
								   " (CASE WHEN (corgi.model_traits(($1).model)).task = 'multiclass'"
								   "       THEN cardinality(($1).class_texts) END)::integer AS n_classes,"
								   " ($1).class_texts::text[] AS classes,"
								   " (corgi.sgd_state_info($2[1])).block_pages::bigint AS block_pages,"
								   " ($1).path::text AS training_path, ($1).epochs::integer AS epochs,"
								   " $3::float8[] AS epoch_seconds,"
								   " (CASE WHEN ($1).shuffle = 'once' THEN ($1).once_seconds END)::float8 AS shuffle_seconds,"
								   " ($4 + ($1).once_seconds)::float8 AS training_seconds,"
								   " $5::text AS grouping_cols, $6::text[] AS grouping_columns, $7::integer AS num_all_groups,"
								   " $8::integer AS num_failed_groups, $9::integer AS num_batches, $10::float8 AS buffer_budget_mb,"
								   " $11::bigint AS rows_per_epoch, $12::float8 AS loss,"
								   " corgi._param(($1).norm, 'validation_table')::text AS validation_table,"
								   " $13::float8[] AS validation_loss, $14::float8[] AS validation_metric,"
								   " (CASE WHEN ($1).val_table IS NOT NULL THEN (corgi.model_traits(($1).model)).metric END)::text"
								   "   AS validation_metric_name", out_summary), &a, false);
		}
		corgi_sql_run(psprintf("DROP TABLE %s", gtab), NULL, false);
		if (once_table != NULL)
			corgi_sql_run(psprintf("DROP TABLE %s", once_table), NULL, false);
		memset(&a, 0, sizeof(a));
		corgi_sql_arg_text(&a, out_main);
		corgi_sql_arg(&a, plan_type, plan, false);
		corgi_sql_arg(&a, FLOAT8OID, Float8GetDatum(seconds), false);
		corgi_sql_run("SELECT corgi._notice_skipped($1), ($2).epochs, $3 + ($2).once_seconds", &a, true);
		result[0] = corgi_sql_column(2, &result_null[0], into);
		result[3] = corgi_sql_column(3, &result_null[3], into);
	}
}

static const char *const fit_reserved =
	"{config_id,model_type,params,coef,intercept,model,loss,num_rows_processed,num_rows_skipped,num_epochs,classes,"
	"layers,status}";

void
corgi_fit_grouped(Oid plans_type, Datum plans, int n, Datum ids, Datum src, const char *grouping_cols,
				  int32 n_segments, int64 seed, int32 n_workers, bool verbose, const char *info_name,
				  const char *configs_name, const char *shared, const char *schedule, const char *schedule_params,
				  MemoryContext into, Datum *result, bool *result_null)
{
	TimestampTz t0 = GetCurrentTimestamp();
	CorgiSqlArgs a;
	bool		isnull;
	char	   *gtab,
			   *ftab,
			   *ctab,
			   *vtab,
			   *source_table,
			   *out_main,
			   *out_summary,
			   *src_name,
			   *val_keys = NULL;
	Datum		exprs,
				names,
				keys,
				p;
	Oid			plan_type = get_element_type(plans_type);
	int32		g_all;
	Datum	   *bundles;
	Datum		bundle_array;
	bool		has_validation;
	double		wall;

	/* The first config's plan: what the configs share (source, names, columns, epochs). */
	memset(&a, 0, sizeof(a));
	corgi_sql_arg(&a, plans_type, plans, false);
	corgi_sql_arg(&a, REGCLASSOID, src, false);
	corgi_sql_run("SELECT $1[1], format('pg_temp.%I', 'corgi_fit_groups_' || pg_backend_pid()),"
				  " format('pg_temp.%I', 'corgi_fit_states_' || pg_backend_pid()),"
				  " format('pg_temp.%I', 'corgi_fit_configs_' || pg_backend_pid()),"
				  " format('pg_temp.%I', 'corgi_fit_validation_' || pg_backend_pid()), $2::text,"
				  " corgi._check_offered('fit_multiple', ($1[1]).source_table, grouped => true,"
				  "   partitions => ($1[1]).path = 'partitions' AND " FOREIGN_LEAF("$2") ","
				  "   early_stopping => EXISTS (SELECT FROM unnest($1) x WHERE corgi._param((x).norm, 'patience') IS NOT NULL))",
				  &a, true);
	p = corgi_sql_column(1, &isnull, into);
	gtab = corgi_sql_column_text(2, into);
	ftab = corgi_sql_column_text(3, into);
	ctab = corgi_sql_column_text(4, into);
	vtab = corgi_sql_column_text(5, into);
	src_name = corgi_sql_column_text(6, into);
	source_table = corgi_plan_text(p, PLAN_SOURCE_TABLE);
	out_main = corgi_plan_text(p, PLAN_OUT_MAIN);
	out_summary = corgi_plan_text(p, PLAN_OUT_SUMMARY);
	/*
	 * The grouping columns, checked as every grouped call checks them
	 * (corgi._grouping_keys): plain columns of the table (a job reads its pages directly).
	 */
	grouping_keys(src, source_table, grouping_cols, fit_reserved, &exprs, &names, into);
	(void) check_grouping_expressions("fit_multiple", source_table, exprs, NULL, into);
	/* A validation table: each epoch, every config's groups score its rows by group. */
	(void) corgi_plan_field(p, PLAN_VAL_TABLE, &isnull);
	has_validation = !isnull;
	if (has_validation)
	{
		memset(&a, 0, sizeof(a));
		corgi_sql_arg(&a, plan_type, p, false);
		corgi_sql_arg(&a, TEXTARRAYOID, names, false);
		corgi_sql_run("SELECT ($1).val_table::text, x FROM unnest($2) WITH ORDINALITY u(x, o)"
					  " WHERE NOT EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = ($1).val_table AND a.attname = x"
					  "                    AND a.attnum > 0 AND NOT a.attisdropped) ORDER BY o LIMIT 1", &a, true);
		if (SPI_processed > 0)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("validation table %s has no grouping column \"%s\"", corgi_sql_column_text(1, into),
							corgi_sql_column_text(2, into)),
					 errhint("Validation rows find their group by the grouping columns.")));
		/* Its features and label, checked; the keys' SQL on its rows. */
		corgi_sql_run("SELECT corgi._variable(($1).val_table, ($1).independent_varname, false, 'independent_varname'),"
					  " corgi._variable(($1).val_table, ($1).dependent_varname, false, 'dependent_varname'),"
					  " (SELECT string_agg(quote_ident(x), ', ') FROM unnest($2) x)", &a, true);
		val_keys = corgi_sql_column_text(3, into);
	}

	/* The groups: one counting pass (and each group's feature moments, with standardize). */
	drop_if_exists(ftab);
	drop_if_exists(ctab);
	drop_if_exists(vtab);
	memset(&a, 0, sizeof(a));
	corgi_sql_arg(&a, plans_type, plans, false);
	corgi_sql_arg(&a, TEXTARRAYOID, names, false);
	corgi_sql_arg(&a, REGCLASSOID, src, false);
	corgi_sql_run("SELECT EXISTS (SELECT FROM unnest($1) x WHERE corgi._param((x).norm, 'standardize') = 'true'),"
				  " ARRAY(SELECT quote_ident(x) FROM unnest($2) x),"
				  " (corgi._feature_columns($3, ($1[1]).feat_col)).present", &a, true);
	{
		bool		any_standardize = corgi_sql_column_bool(1) == 1;
		Datum		quoted = corgi_sql_column(2, &isnull, into);
		char	   *present = corgi_sql_column_text(3, into);

		g_all = count_groups(gtab, src_name, quoted, names, corgi_plan_text(p, PLAN_FEAT_EXPR),
							 corgi_plan_text(p, PLAN_LABEL_CODE), any_standardize, grouping_cols, present);
	}
	memset(&a, 0, sizeof(a));
	corgi_sql_arg(&a, INT4OID, Int32GetDatum(n * g_all), false);
	corgi_sql_arg(&a, TEXTARRAYOID, names, false);
	corgi_sql_run("SELECT corgi._progress_set(tasks => $1),"
				  " (SELECT string_agg(format('g.%I::text', x), ', ') FROM unnest($2) x)", &a, true);
	corgi_sql_run(psprintf("SELECT array_agg(u.k ORDER BY g.\"?gid\", u.o) FROM %s g,"
						   " unnest(ARRAY[%s]) WITH ORDINALITY AS u(k, o)", gtab, corgi_sql_column_text(2, into)),
				  NULL, false);
	keys = corgi_sql_column(1, &isnull, into);
	if (isnull || g_all == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("grouping_cols \"%s\" makes no group: the source has no rows", grouping_cols)));

	/*
	 * Every config's groups are held for the whole call (corgi._group_held_mb: the
	 * bundles), beside the trainers one visit opens (checked where they open): too many
	 * for the budget is an error before any state is made.
	 */
	memset(&a, 0, sizeof(a));
	corgi_sql_arg(&a, plans_type, plans, false);
	corgi_sql_arg(&a, INT4OID, Int32GetDatum(g_all), false);
	corgi_sql_run("SELECT h > b, round(h::numeric, 1)::text, b::text FROM"
				  " (SELECT (SELECT sum(corgi._group_held_mb($2, octet_length((x).state), ($1[1]).epochs)) FROM unnest($1) x) AS h,"
				  "         least((SELECT min(corgi._param((x).norm, 'max_buffer_mb')::float8) FROM unnest($1) x),"
				  "               pg_size_bytes(current_setting('corgi.max_buffer_mb')) / 1048576.0) AS b) q", &a, true);
	if (corgi_sql_column_bool(1) == 1)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("the %d groups of grouping_cols \"%s\" need %s MB for the states of %d configs, more than the %s MB budget",
						g_all, grouping_cols, corgi_sql_column_text(2, into), n, corgi_sql_column_text(3, into)),
				 errdetail("A grouped call holds every config's group states, keys and per-epoch figures for the whole call."),
				 errhint("Group by fewer keys, train fewer configs per call, or ask a superuser to raise corgi.max_buffer_mb.")));

	/*
	 * Each config's bundle: a state per trainable group (no usable row, or a single class
	 * for a classifier: failed), its buffer sized from the group's own rows.
	 */
	bundles = MemoryContextAlloc(into, sizeof(Datum) * n);
	{
		Datum	   *plan_items;
		Datum	   *id_items;
		int			count;
		int16		typlen;
		bool		typbyval;
		char		typalign;

		get_typlenbyvalalign(plan_type, &typlen, &typbyval, &typalign);
		deconstruct_array(DatumGetArrayTypeP(plans), plan_type, typlen, typbyval, typalign, &plan_items, NULL, &count);
		deconstruct_array(DatumGetArrayTypeP(ids), INT4OID, 4, true, TYPALIGN_INT, &id_items, NULL, &count);
		for (int k = 0; k < n; k++)
		{
			Datum		gids;
			bool		gids_null;
			Datum		states;
			bool		bundle_null = true;

			memset(&a, 0, sizeof(a));
			corgi_sql_arg(&a, plan_type, plan_items[k], false);
			corgi_sql_run(psprintf("SELECT array_agg(\"?gid\" ORDER BY \"?gid\") FROM %s"
								   " WHERE \"?usable\" > 0 AND (NOT (corgi.model_traits(($1).model)).classifier OR \"?labels\" > 1)",
								   gtab), &a, false);
			gids = corgi_sql_column(1, &gids_null, into);
			if (!gids_null)
			{
				states = group_states(gtab, plan_type, plan_items[k], gids, into);
				memset(&a, 0, sizeof(a));
				corgi_sql_arg(&a, INT8ARRAYOID, gids, false);
				corgi_sql_arg(&a, BYTEAARRAYOID, states, false);
				corgi_sql_run("SELECT corgi._bundle(ARRAY(SELECT (g - 1)::integer FROM unnest($1) g), $2)", &a, true);
				bundles[k] = corgi_sql_column(1, &bundle_null, into);
			}
			if (bundle_null)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("config %d: every one of the %d groups of grouping_cols \"%s\" failed before training",
								DatumGetInt32(id_items[k]), g_all, grouping_cols),
						 errhint("A classifier needs two classes in a group.")));
		}
	}
	{
		MemoryContext old = MemoryContextSwitchTo(into);

		bundle_array = PointerGetDatum(construct_array(bundles, n, BYTEAOID, -1, false, TYPALIGN_INT));
		MemoryContextSwitchTo(old);
	}

	/*
	 * Epochs (corgi._fit, one statement, one snapshot): the bundles hop; after each, every
	 * group's epoch closes, and a group that diverged leaves its bundle with its last
	 * state (failed, as corgi.train marks it); a config with no group left is set aside.
	 */
	corgi_sql_run(psprintf("CREATE TEMP TABLE %s (k integer, gid bigint, state bytea, diverged integer, rung integer, stopped integer)",
						   ftab), NULL, false);
	corgi_sql_run(psprintf("CREATE TEMP TABLE %s (k integer, gid bigint, loss float8, metric float8)", vtab), NULL, false);
	memset(&a, 0, sizeof(a));
	corgi_sql_arg(&a, plans_type, plans, false);	/* $1 */
	corgi_sql_arg(&a, INT4OID, Int32GetDatum(n_workers), false);	/* $2 */
	corgi_sql_arg(&a, BOOLOID, BoolGetDatum(verbose), false);	/* $3 */
	corgi_sql_arg(&a, TEXTARRAYOID, keys, false);	/* $4 */
	corgi_sql_arg(&a, TEXTARRAYOID, names, false);	/* $5 */
	corgi_sql_arg_text(&a, val_keys);	/* $6 */
	corgi_sql_arg(&a, BYTEAARRAYOID, bundle_array, false);	/* $7 */
	corgi_sql_arg(&a, INT4ARRAYOID, ids, false);	/* $8 */
	corgi_sql_arg_text(&a, schedule);	/* $9 */
	corgi_sql_arg_text(&a, schedule_params);	/* $10 */
	corgi_sql_run("SELECT * FROM corgi._fit($1, 'fit_multiple', $2, $3, NULL, $4, cardinality($5), NULL, $5::name[], NULL,"
				  " $6, $7, $8, $9, $10)", &a, true);
	{
		static const char *const run_columns[] = {
			"final_states", "epoch_loss", "epoch_seconds", "epoch_rows", "val_loss", "val_metric",
			"workers_launched", "wall_seconds", "diverged_in", "stopped_in", "segment_offsets",
			"left_config", "left_group", "left_state", "left_epoch", "left_rung",
			"scored_config", "scored_group", "scored_loss", "scored_metric"
		};
		enum
		{
			R_STATES, R_LOSS, R_SECONDS, R_ROWS, R_VAL_LOSS, R_VAL_METRIC, R_WORKERS, R_WALL, R_DIVERGED,
			R_STOPPED, R_OFFSETS, R_LEFT_CONFIG, R_LEFT_GROUP, R_LEFT_STATE, R_LEFT_EPOCH, R_LEFT_RUNG,
			R_SCORED_CONFIG, R_SCORED_GROUP, R_SCORED_LOSS, R_SCORED_METRIC, R_COUNT
		};
		static const Oid run_types[] = {
			BYTEAARRAYOID, FLOAT8ARRAYOID, FLOAT8ARRAYOID, INT8ARRAYOID, FLOAT8ARRAYOID, FLOAT8ARRAYOID,
			INT4ARRAYOID, FLOAT8ARRAYOID, INT4ARRAYOID, INT4ARRAYOID, INT4ARRAYOID,
			INT4ARRAYOID, INT8ARRAYOID, BYTEAARRAYOID, INT4ARRAYOID, INT4ARRAYOID,
			INT4ARRAYOID, INT8ARRAYOID, FLOAT8ARRAYOID, FLOAT8ARRAYOID
		};
		Datum		run[R_COUNT];
		bool		run_null[R_COUNT];
		Datum		last_epoch;
		int64		n_diverged;
		int64		n_failed;
		char	   *group_list;

		StaticAssertStmt(lengthof(run_columns) == R_COUNT && lengthof(run_types) == R_COUNT, "run columns");
		for (int i = 0; i < R_COUNT; i++)
			run[i] = corgi_sql_named_column(run_columns[i], &run_null[i], into);
		/* The groups that left their bundles: diverged (rung 0), or stopped after a rung. */
		memset(&a, 0, sizeof(a));
		for (int i = R_LEFT_CONFIG; i <= R_LEFT_RUNG; i++)
			corgi_sql_arg(&a, run_types[i], run[i], run_null[i]);
		corgi_sql_run(psprintf("INSERT INTO %s SELECT c, g, s, CASE WHEN r = 0 THEN e END, nullif(r, 0), CASE WHEN r > 0 THEN e END"
							   " FROM unnest($1::integer[], $2::bigint[], $3::bytea[], $4::integer[], $5::integer[]) x(c, g, s, e, r)",
							   ftab), &a, false);
		memset(&a, 0, sizeof(a));
		for (int i = R_SCORED_CONFIG; i <= R_SCORED_METRIC; i++)
			corgi_sql_arg(&a, run_types[i], run[i], run_null[i]);
		corgi_sql_run(psprintf("INSERT INTO %s SELECT * FROM unnest($1::integer[], $2::bigint[], $3::float8[], $4::float8[])",
							   vtab), &a, false);
		memset(&a, 0, sizeof(a));
		corgi_sql_arg(&a, run_types[R_DIVERGED], run[R_DIVERGED], run_null[R_DIVERGED]);
		corgi_sql_arg(&a, run_types[R_STOPPED], run[R_STOPPED], run_null[R_STOPPED]);
		corgi_sql_arg(&a, plan_type, p, false);
		corgi_sql_run("SELECT ARRAY(SELECT coalesce(d, st, ($3).epochs) FROM unnest($1, $2) x(d, st)),"
					  " (SELECT count(d) FROM unnest($1) d)", &a, true);
		last_epoch = corgi_sql_column(1, &isnull, into);
		n_diverged = DatumGetInt64(corgi_sql_column(2, &isnull, into));
		memset(&a, 0, sizeof(a));
		corgi_sql_arg(&a, BYTEAARRAYOID, run[R_STATES], run_null[R_STATES]);
		corgi_sql_run(psprintf("INSERT INTO %s SELECT b.k, x.g + 1, x.s, NULL, NULL, NULL"
							   " FROM unnest($1) WITH ORDINALITY b(bundle, k), LATERAL corgi._unbundle(b.bundle) u,"
							   "      unnest(u.groups, u.states) x(g, s)"
							   " WHERE b.bundle IS NOT NULL ORDER BY b.k", ftab), &a, false);
		wall = (double) (GetCurrentTimestamp() - t0) / 1000000.0;

		/* Outputs, only now that every epoch succeeded ---------------------------------- */
		memset(&a, 0, sizeof(a));
		corgi_sql_arg(&a, INT4OID, Int32GetDatum(n * g_all), false);
		corgi_sql_arg_text(&a, out_main);
		corgi_sql_arg_text(&a, info_name);
		corgi_sql_arg_text(&a, out_summary);
		corgi_sql_arg(&a, TEXTARRAYOID, names, false);
		corgi_sql_run("SELECT corgi._progress_set(phase => 'writing', tasks_done => $1),"
					  " corgi._release_outputs(ARRAY[$2, $3, $4]),"
					  " (SELECT string_agg(format('g.%I', x), ', ') FROM unnest($5) x)", &a, true);
		group_list = corgi_sql_column_text(3, into);
		/* Each config's params carry the offset its visits were planned with (they replay it). */
		memset(&a, 0, sizeof(a));
		corgi_sql_arg(&a, plans_type, plans, false);
		corgi_sql_arg(&a, INT4ARRAYOID, ids, false);
		corgi_sql_arg(&a, INT4OID, Int32GetDatum(n), false);
		corgi_sql_arg(&a, INT4ARRAYOID, run[R_OFFSETS], run_null[R_OFFSETS]);
		corgi_sql_run(psprintf("CREATE TEMP TABLE %s AS"
							   " SELECT k, ($2::integer[])[k] AS config_id, (($1::corgi.training_plan[])[k]).model AS model,"
							   "        corgi._merge_params((($1::corgi.training_plan[])[k]).norm, 'segment_offset=' || ($4::integer[])[k]) AS norm,"
							   "        (($1::corgi.training_plan[])[k]).class_texts AS classes,"
							   "        corgi._layers(($1::corgi.training_plan[])[k]) AS layers, ($4::integer[])[k] AS segment_offset,"
							   "        (($1::corgi.training_plan[])[k]).independent_varname AS indep"
							   " FROM generate_series(1, $3) AS k", ctab), &a, false);
		memset(&a, 0, sizeof(a));
		corgi_sql_arg(&a, INT4OID, corgi_plan_field(p, PLAN_EPOCHS, &isnull), false);
		corgi_sql_arg(&a, BOOLOID, BoolGetDatum(has_validation), false);
		corgi_sql_arg(&a, REGCLASSOID, src, false);
		corgi_sql_arg_text(&a, corgi_plan_text(p, PLAN_FEAT_COL));
		corgi_sql_run(psprintf("CREATE TABLE %s AS"
							   " SELECT c.config_id, %s, c.model AS model_type, c.norm AS params,"
							   "        CASE WHEN f.diverged IS NULL THEN u.coef END AS coef,"
							   "        CASE WHEN f.diverged IS NULL THEN u.intercept END AS intercept,"
							   "        CASE WHEN f.diverged IS NULL THEN f.state END AS model,"
							   "        CASE WHEN f.diverged IS NULL THEN (corgi.sgd_state_info(f.state)).loss END AS loss,"
							   "        CASE WHEN f.diverged IS NULL THEN (corgi.sgd_state_info(f.state)).rows END AS num_rows_processed,"
							   "        CASE WHEN f.diverged IS NULL THEN (corgi.sgd_state_info(f.state)).skipped END AS num_rows_skipped,"
							   "        CASE WHEN f.k IS NOT NULL THEN coalesce(f.diverged, f.stopped, $1) END AS num_epochs,"
							   "        c.classes, c.layers,"
							   "        CASE WHEN f.diverged IS NULL THEN v.loss END AS validation_loss,"
							   "        CASE WHEN f.diverged IS NULL THEN v.metric END AS validation_metric,"
							   "        CASE WHEN $2 THEN (corgi.model_traits(c.model)).metric END AS validation_metric_name,"
							   "        CASE WHEN f.k IS NULL AND g.\"?usable\" = 0 THEN 'failed: no rows with non-NULL features and label'"
							   "             WHEN f.k IS NULL THEN 'failed: a single class'"
							   "             WHEN f.diverged IS NOT NULL THEN format('failed: diverged in epoch %%s', f.diverged)"
							   "             WHEN f.rung IS NOT NULL THEN format('stopped at rung %%s', f.rung)"
							   "             ELSE 'ok' END AS status,"
							   "        CASE WHEN f.diverged IS NULL THEN u.feature_names END AS feature_names, c.indep AS independent_varname"
							   " FROM %s c CROSS JOIN %s g LEFT JOIN %s f ON f.k = c.k AND f.gid = g.\"?gid\""
							   "      LEFT JOIN %s v ON v.k = c.k AND v.gid = g.\"?gid\""
							   "      LEFT JOIN LATERAL corgi._model_coef(f.state, $3, coalesce(c.indep, $4)) u ON true"
							   " ORDER BY c.config_id, g.\"?gid\"", out_main, group_list, ctab, gtab, ftab, vtab), &a, false);
		corgi_sql_run(psprintf("SELECT count(*) FROM %s WHERE status <> 'ok' AND status NOT LIKE 'stopped%%'", out_main),
					  NULL, false);
		n_failed = DatumGetInt64(corgi_sql_column(1, &isnull, into));
		memset(&a, 0, sizeof(a));
		corgi_sql_arg(&a, run_types[R_LOSS], run[R_LOSS], run_null[R_LOSS]);	/* $1 */
		corgi_sql_arg(&a, run_types[R_SECONDS], run[R_SECONDS], run_null[R_SECONDS]);	/* $2 */
		corgi_sql_arg(&a, run_types[R_ROWS], run[R_ROWS], run_null[R_ROWS]);	/* $3 */
		corgi_sql_arg(&a, INT4OID, Int32GetDatum(n), false);	/* $4 */
		corgi_sql_arg(&a, INT4ARRAYOID, last_epoch, false);	/* $5 */
		corgi_sql_arg(&a, INT4OID, Int32GetDatum(g_all), false);	/* $6 */
		corgi_sql_arg(&a, INT4OID, Int32GetDatum(n_segments), false);	/* $7 */
		corgi_sql_arg(&a, INT8OID, Int64GetDatum(seed), false);	/* $8 */
		corgi_sql_arg(&a, BOOLOID, BoolGetDatum(has_validation), false);	/* $9 */
		corgi_sql_arg(&a, run_types[R_VAL_LOSS], run[R_VAL_LOSS], run_null[R_VAL_LOSS]);	/* $10 */
		corgi_sql_arg(&a, run_types[R_VAL_METRIC], run[R_VAL_METRIC], run_null[R_VAL_METRIC]);	/* $11 */
		corgi_sql_run(psprintf("CREATE TABLE %s AS"
							   " SELECT c.config_id, c.model AS model_type, c.norm AS params,"
							   "        ARRAY(SELECT $1[(i - 1) * $4 + c.k] FROM generate_series(1, $5[c.k]) i) AS epoch_loss,"
							   "        ARRAY(SELECT $2[(i - 1) * $4 + c.k] FROM generate_series(1, $5[c.k]) i) AS epoch_seconds,"
							   "        ARRAY(SELECT $3[(i - 1) * $4 + c.k] FROM generate_series(1, $5[c.k]) i) AS epoch_rows,"
							   "        CASE WHEN $9 THEN ARRAY(SELECT $10[(i - 1) * $4 + c.k] FROM generate_series(1, $5[c.k]) i) END AS validation_loss,"
							   "        CASE WHEN $9 THEN ARRAY(SELECT $11[(i - 1) * $4 + c.k] FROM generate_series(1, $5[c.k]) i) END AS validation_metric,"
							   "        (SELECT count(*) FROM %s f WHERE f.k = c.k AND f.diverged IS NULL)::integer AS num_groups_trained,"
							   "        $6 - (SELECT count(*) FROM %s f WHERE f.k = c.k AND f.diverged IS NULL)::integer AS num_failed_groups,"
							   "        ARRAY(SELECT ARRAY(SELECT unnest((corgi.hop_order(c.segment_offset + 1, $7, $8, i - 1))"
							   "                                         [c.segment_offset + 1:c.segment_offset + 1][1:$7]))"
							   "              FROM generate_series(1, $5[c.k]) i) AS segment_order"
							   " FROM %s c ORDER BY c.config_id", info_name, ftab, ftab, ctab), &a, false);
		memset(&a, 0, sizeof(a));
		corgi_sql_arg(&a, INT4OID, Int32GetDatum(n), false);	/* $1 */
		corgi_sql_arg(&a, plans_type, plans, false);	/* $2 */
		corgi_sql_arg(&a, INT8OID, Int64GetDatum(seed), false);	/* $3 */
		corgi_sql_arg(&a, INT4OID, Int32GetDatum(n_segments), false);	/* $4 */
		corgi_sql_arg(&a, INT4OID, corgi_plan_field(p, PLAN_EPOCHS, &isnull), false);	/* $5 */
		corgi_sql_arg(&a, INT4OID, Int32GetDatum(n_workers), false);	/* $6 */
		corgi_sql_arg(&a, run_types[R_WORKERS], run[R_WORKERS], run_null[R_WORKERS]);	/* $7 */
		corgi_sql_arg(&a, run_types[R_WALL], run[R_WALL], run_null[R_WALL]);	/* $8 */
		corgi_sql_arg(&a, FLOAT8OID, Float8GetDatum(wall), false);	/* $9 */
		corgi_sql_arg(&a, run_types[R_SECONDS], run[R_SECONDS], run_null[R_SECONDS]);	/* $10 */
		corgi_sql_arg(&a, INT4OID, Int32GetDatum((int32) n_diverged), false);	/* $11 */
		corgi_sql_arg(&a, TEXTARRAYOID, names, false);	/* $12 */
		corgi_sql_arg(&a, INT4OID, Int32GetDatum(g_all), false);	/* $13 */
		corgi_sql_arg(&a, INT4OID, Int32GetDatum((int32) n_failed), false);	/* $14 */
		corgi_sql_arg_text(&a, configs_name);	/* $15 */
		corgi_sql_arg_text(&a, shared);	/* $16 */
		corgi_sql_arg_text(&a, grouping_cols);	/* $17 */
		corgi_sql_run(psprintf("CREATE TABLE %s AS SELECT"
							   " (($2)[1]).source_table::text AS source_table, (($2)[1]).out_table::text AS out_table,"
							   " (($2)[1]).dependent_varname::text AS dependent_varname,"
							   " (($2)[1]).independent_varname::text AS independent_varname, $15::text AS configs_table,"
							   " $1::integer AS num_configs,"
							   " ARRAY(SELECT DISTINCT (x).model FROM unnest($2) x ORDER BY 1)::text[] AS model_types,"
							   " (($2)[1]).shuffle::text AS shuffle, $16::text AS params, $3::bigint AS seed,"
							   " $4::integer AS segments, $5::integer AS epochs, nullif($6, -1)::integer AS workers_requested,"
							   " $7::integer[] AS workers_launched,"
							   " (corgi.sgd_state_info((($2)[1]).state)).block_pages::bigint AS block_pages,"
							   " $8::float8[] AS epoch_wall_seconds, $9::float8 AS training_seconds,"
							   " (SELECT sum(x) FROM unnest($10::float8[]) x)::float8 AS model_seconds,"
							   " (($2)[1]).val_table::text AS validation_table,"
							   " $11::integer AS num_diverged, (($2)[1]).path::text AS path, $17::text AS grouping_cols,"
							   " $12::text[] AS grouping_columns, $13::integer AS num_all_groups, $14::integer AS num_failed_groups",
							   out_summary), &a, false);
		corgi_sql_run(psprintf("DROP TABLE %s, %s, %s, %s", gtab, ftab, ctab, vtab), NULL, false);
		memset(&a, 0, sizeof(a));
		corgi_sql_arg_text(&a, out_main);
		corgi_sql_arg(&a, INT4OID, Int32GetDatum(n), false);
		corgi_sql_arg(&a, INT4OID, Int32GetDatum((int32) n_diverged), false);
		corgi_sql_arg(&a, run_types[R_WORKERS], run[R_WORKERS], run_null[R_WORKERS]);
		corgi_sql_arg(&a, INT4OID, Int32GetDatum(n_segments), false);
		corgi_sql_arg(&a, FLOAT8OID, Float8GetDatum(wall), false);
		corgi_sql_run("SELECT corgi._notice_skipped($1), $2 - $3, $3, (SELECT max(x) FROM unnest($4) x), $5, $6", &a, true);
		for (int i = 0; i < 5; i++)
			result[i] = corgi_sql_column(i + 2, &result_null[i], into);
	}
}

PG_FUNCTION_INFO_V1(corgi_numbered_groups);

/*
 * corgi._numbered_groups(gtab text, src text, exprs text[], names text[],
 *                        OUT groups integer, OUT group_expr text)
 *
 * The groups of an exact solver's grouped call (corgi.logregr_train, corgi_madlib's
 * binomial elastic net), numbered under the call's snapshot (the query pins it: every
 * IRLS pass reads it): the temporary table gtab ("?g" from 1, the keys named names), how
 * many there are, and the SQL expression that gives a row of src its group's number
 * (corgi._group_index over the keys, as their text). src and exprs are the caller's
 * quoted names and checked grouping items (corgi._grouping_keys).
 */
Datum
corgi_numbered_groups(PG_FUNCTION_ARGS)
{
	char	   *gtab = text_to_cstring(PG_GETARG_TEXT_PP(0));
	char	   *src = text_to_cstring(PG_GETARG_TEXT_PP(1));
	Datum		exprs = PG_GETARG_DATUM(2);
	Datum		names = PG_GETARG_DATUM(3);
	MemoryContext into = CurrentMemoryContext;
	TupleDesc	desc;
	CorgiSqlArgs a;
	Datum		values[2];
	bool		nulls[2] = {false, false};
	bool		isnull;

	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "corgi._numbered_groups must return a record");
	desc = BlessTupleDesc(desc);
	SPI_connect();
	drop_if_exists(gtab);
	memset(&a, 0, sizeof(a));
	corgi_sql_arg(&a, TEXTARRAYOID, exprs, false);
	corgi_sql_arg(&a, TEXTARRAYOID, names, false);
	corgi_sql_run("SELECT (SELECT string_agg(format('%s AS %I', e, n), ', ') FROM unnest($1, $2) u(e, n)),"
				  " array_to_string($1, ', '),"
				  " (SELECT string_agg(format('t.%I::text', n), ', ') FROM unnest($2) n)", &a, true);
	{
		char	   *select_list = corgi_sql_column_text(1, into);
		char	   *key_exprs = corgi_sql_column_text(2, into);
		char	   *key_texts = corgi_sql_column_text(3, into);

		corgi_sql_run(psprintf("CREATE TEMP TABLE %s AS SELECT row_number() OVER () AS \"?g\", %s FROM %s"
							   " WHERE (SELECT corgi._pin_snapshot()) IS NOT NULL GROUP BY %s",
							   gtab, select_list, src, key_exprs), NULL, false);
		memset(&a, 0, sizeof(a));
		corgi_sql_arg_text(&a, key_exprs);
		corgi_sql_run(psprintf("SELECT count(DISTINCT t.\"?g\")::integer,"
							   " format('corgi._group_index(ROW(%%s), %%L::text[])', $1, array_agg(u.k ORDER BY t.\"?g\", u.o))"
							   " FROM %s t, unnest(ARRAY[%s]) WITH ORDINALITY u(k, o)", gtab, key_texts), &a, false);
		values[0] = corgi_sql_column(1, &isnull, into);
		values[1] = corgi_sql_column(2, &nulls[1], into);
	}
	SPI_finish();
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(desc, values, nulls)));
}
