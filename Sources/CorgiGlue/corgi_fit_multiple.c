/*
 * corgi_fit_multiple.c: corgi.fit_multiple, the front door of model selection.
 *
 *   corgi.fit_multiple(source_table, out_table, dependent_varname, independent_varname,
 *                      configs, epochs, shuffle, params, validation_table, verbose,
 *                      grouping_cols, schedule, schedule_params, caller_search_path,
 *                      excluded, workers)
 *     -> (configs_trained, configs_diverged, workers_launched, segments, training_seconds)
 *
 * The configs table read and checked (config_id, model, params; at most 1,000), the
 * shared settings (seed, segments, workers, configs_per_visit, validation_table), a
 * partitioned source's partitions as its segments, then one plan per config
 * (corgi._train_prepare, the table's facts read once for all of them; an error names
 * its config), the outputs taken, the job run by the one epoch loop (corgi._fit, one
 * statement: one snapshot) or, with grouping_cols, by corgi_fit_grouped, and the three
 * outputs written only once every epoch succeeded: out_table (one model per config),
 * out_table_info (per-epoch figures and segment orders) and out_table_summary.
 *
 * Everything it asks and writes is SQL over SPI (corgi_sql.h); the table names in it
 * are quoted qualified names (corgi._output_names), never the caller's text.
 */
#include "postgres.h"

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

/* One config's preparation, its error naming the config (a cancel passes unchanged). */
static Datum
prepare_config(CorgiSqlArgs *args, int32 config_id, bool *isnull, MemoryContext into)
{
	Datum		plan = (Datum) 0;

	PG_TRY();
	{
		corgi_sql_run("SELECT p FROM corgi._train_prepare($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) p",
					  args, true);
		plan = corgi_sql_column(1, isnull, into);
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(into);
		edata = CopyErrorData();
		if (edata->sqlerrcode == ERRCODE_QUERY_CANCELED || edata->elevel > ERROR)
			PG_RE_THROW();
		FlushErrorState();
		edata->message = psprintf("config %d: %s", config_id, edata->message);
		/* As a re-raised error: the statement that raised it is not shown. */
		edata->internalquery = NULL;
		edata->internalpos = 0;
		edata->cursorpos = 0;
		edata->context = NULL;
		ReThrowError(edata);
	}
	PG_END_TRY();
	return plan;
}

PG_FUNCTION_INFO_V1(corgi_fit_multiple);

Datum
corgi_fit_multiple(PG_FUNCTION_ARGS)
{
	const char *source_table = corgi_text_argument(fcinfo, 0);
	const char *out_table = corgi_text_argument(fcinfo, 1);
	const char *dependent_varname = corgi_text_argument(fcinfo, 2);
	const char *independent_varname = corgi_text_argument(fcinfo, 3);
	const char *configs = corgi_text_argument(fcinfo, 4);
	const char *shuffle = corgi_text_argument(fcinfo, 6);
	const char *params = corgi_text_argument(fcinfo, 7);
	const char *validation_table = corgi_text_argument(fcinfo, 8);
	bool		verbose = !PG_ARGISNULL(9) && PG_GETARG_BOOL(9);
	const char *grouping_cols = corgi_text_argument(fcinfo, 10);
	const char *schedule = corgi_text_argument(fcinfo, 11);
	const char *schedule_params = corgi_text_argument(fcinfo, 12);
	const char *caller_path = corgi_text_argument(fcinfo, 13);
	const char *excluded = corgi_text_argument(fcinfo, 14);
	bool		workers_given = PG_NARGS() > 15 && !PG_ARGISNULL(15);
	TimestampTz t0 = GetCurrentTimestamp();
	MemoryContext into = CurrentMemoryContext;
	CorgiSqlArgs a;
	bool		isnull;
	int32		epochs;
	Datum		cfg;
	char	   *cfg_name;
	Datum		ids,
				models,
				cfg_params;
	int64		n;
	char	   *shared;
	int64		seed;
	int32		n_segments,
				n_workers,
				n_per_visit;
	Datum		src = (Datum) 0;
	bool		src_null;
	Oid			plan_type,
				plans_type;
	Datum	   *plan_values;
	Datum		plans;
	char	   *out_main,
			   *out_summary,
			   *info_name;
	Datum		result[5];
	bool		result_null[5] = {0};
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;

	if (source_table == NULL || out_table == NULL || dependent_varname == NULL || independent_varname == NULL
		|| configs == NULL || PG_ARGISNULL(5) || shuffle == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("corgi.fit_multiple arguments must not be NULL (params, validation_table and verbose excepted)")));
	corgi_require_caller_path(caller_path);
	epochs = PG_GETARG_INT32(5);
	SPI_connect();
	memset(&a, 0, sizeof(a));
	corgi_sql_arg_text(&a, source_table);
	corgi_sql_arg_text(&a, shuffle);
	corgi_sql_arg(&a, BOOLOID, BoolGetDatum(grouping_cols != NULL), false);
	corgi_sql_arg_text(&a, schedule);
	corgi_sql_run("SELECT corgi._check_offered('fit_multiple', $1, shuffle => $2, grouped => $3, schedule => $4)",
				  &a, true);

	/* The configs: any table with (config_id, model, params), corgi.config_grid's shape. */
	memset(&a, 0, sizeof(a));
	corgi_sql_arg_text(&a, configs);
	corgi_sql_arg_text(&a, caller_path);
	corgi_sql_run("SELECT c, c::text, has_table_privilege(c, 'SELECT') FROM corgi._resolve_table($1, $2) c", &a, true);
	cfg = corgi_sql_column(1, &isnull, into);
	if (isnull)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("configs table \"%s\" does not exist", configs),
				 errhint("Make one with CREATE TABLE ... AS SELECT * FROM corgi.config_grid(...).")));
	cfg_name = corgi_sql_column_text(2, into);
	if (corgi_sql_column_bool(3) != 1)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied for table %s", configs)));
	memset(&a, 0, sizeof(a));
	corgi_sql_arg(&a, REGCLASSOID, cfg, false);
	corgi_sql_run("SELECT corgi._stored_table($1, 'configs table', NULL, '{}', '{}'),"
				  " (SELECT count(*) FROM pg_attribute a WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped"
				  "    AND ((a.attname = 'config_id' AND a.atttypid IN ('int2'::regtype, 'int4'::regtype, 'int8'::regtype))"
				  "         OR (a.attname IN ('model', 'params') AND a.atttypid IN ('text'::regtype, 'varchar'::regtype)))) = 3",
				  &a, true);
	if (corgi_sql_column_bool(2) != 1)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("configs table \"%s\" needs columns config_id (integer), model (text) and params (text)", configs),
				 errhint("corgi.config_grid returns that shape.")));
	/*
	 * Plain column values, used as data (never as SQL): model names are checked against
	 * corgi.model_names() and params by corgi's parser.
	 */
	corgi_sql_run(psprintf("SELECT array_agg(config_id::integer ORDER BY config_id), array_agg(model::text ORDER BY config_id),"
						   " array_agg(coalesce(params::text, '') ORDER BY config_id), count(*),"
						   " count(DISTINCT config_id), count(*) - count(config_id) + count(*) - count(model) FROM %s",
						   cfg_name), NULL, false);
	ids = corgi_sql_column(1, &isnull, into);
	models = corgi_sql_column(2, &isnull, into);
	cfg_params = corgi_sql_column(3, &isnull, into);
	n = DatumGetInt64(corgi_sql_column(4, &isnull, into));
	if (n == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("configs table \"%s\" is empty", configs)));
	if (n > 1000)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("corgi.fit_multiple trains at most 1000 configs at once, \"%s\" has " INT64_FORMAT, configs, n),
				 errhint("Split the configs over several calls.")));
	if (DatumGetInt64(corgi_sql_column(6, &isnull, into)) > 0)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("configs table \"%s\" has a NULL config_id or model", configs)));
	if (DatumGetInt64(corgi_sql_column(5, &isnull, into)) != n)
		ereport(ERROR,
				(errcode(ERRCODE_UNIQUE_VIOLATION),
				 errmsg("configs table \"%s\" repeats a config_id", configs),
				 errhint("Give every config its own config_id.")));
	memset(&a, 0, sizeof(a));
	corgi_sql_arg(&a, TEXTARRAYOID, cfg_params, false);
	corgi_sql_arg(&a, INT4ARRAYOID, ids, false);
	corgi_sql_run("SELECT $2[k], lower(b) FROM unnest($1) WITH ORDINALITY c(p, k),"
				  " substring(p from '(?i)(?:^|,)\\s*(segments|segment_offset|segment_seed|workers|validation_table|configs_per_visit)\\s*=') b"
				  " WHERE b IS NOT NULL ORDER BY k LIMIT 1", &a, true);
	if (SPI_processed > 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("config %d: parameter \"%s\" belongs in fit_multiple's params, not in a config",
						DatumGetInt32(corgi_sql_column(1, &isnull, into)), corgi_sql_column_text(2, into)),
				 errhint("All configs share the segments, the workers and the validation table.")));
	shared = pstrdup(params == NULL ? "" : params);
	memset(&a, 0, sizeof(a));
	corgi_sql_arg_text(&a, shared);
	corgi_sql_arg(&a, TEXTARRAYOID, cfg_params, false);
	corgi_sql_run("SELECT coalesce(lower(corgi._shared_param($1, 'solver')), 'sgd') <> 'sgd'"
				  " OR EXISTS (SELECT FROM unnest($2) c WHERE c ~* '(?:^|,)\\s*solver\\s*=\\s*(exact|irls)')", &a, true);
	if (corgi_sql_column_bool(1) == 1)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("corgi.fit_multiple trains by SGD: solver applies to corgi.train"),
				 errhint("Fit one model exactly with corgi.train(..., params => 'solver=exact'), or leave solver out.")));

	/*
	 * Shared settings: seed (of the segments and the schedule), segments, workers. The
	 * workers and the validation table are the call's (arguments); given, they go over
	 * the same keys in params.
	 */
	if (workers_given)
	{
		memset(&a, 0, sizeof(a));
		corgi_sql_arg_text(&a, shared);
		corgi_sql_arg(&a, INT4OID, PG_GETARG_DATUM(15), false);
		corgi_sql_run("SELECT corgi._merge_params($1, 'workers=' || $2)", &a, true);
		shared = corgi_sql_column_text(1, into);
	}
	if (validation_table != NULL)
	{
		memset(&a, 0, sizeof(a));
		corgi_sql_arg_text(&a, shared);
		corgi_sql_arg_text(&a, validation_table);
		corgi_sql_run("SELECT corgi._merge_params($1, 'validation_table=' || $2)", &a, true);
		shared = corgi_sql_column_text(1, into);
	}
	memset(&a, 0, sizeof(a));
	corgi_sql_arg_text(&a, shared);
	corgi_sql_run("SELECT coalesce(corgi._shared_param($1, 'seed'), corgi._param(corgi.normalize_params(''), 'seed'))::bigint,"
				  " coalesce(corgi._shared_param($1, 'segments'), '8')::integer,"
				  " coalesce(corgi._shared_param($1, 'workers'), '-1')::integer,"
				  " coalesce(corgi._shared_param($1, 'configs_per_visit'), '8')::integer,"
				  " corgi._shared_param($1, 'segments') IS NOT NULL", &a, true);
	seed = DatumGetInt64(corgi_sql_column(1, &isnull, into));
	n_segments = DatumGetInt32(corgi_sql_column(2, &isnull, into));
	n_workers = DatumGetInt32(corgi_sql_column(3, &isnull, into));
	n_per_visit = DatumGetInt32(corgi_sql_column(4, &isnull, into));
	{
		bool		segments_given = corgi_sql_column_bool(5) == 1;

		if (n_segments < 1)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("segments must be at least 1 for corgi.fit_multiple, got %d", n_segments),
					 errhint("Leave it out for the default (8).")));
		/*
		 * A partitioned source: its leaf partitions are the segments (local or foreign:
		 * the data's placement decides), so segments, if given, must count them.
		 */
		memset(&a, 0, sizeof(a));
		corgi_sql_arg_text(&a, source_table);
		corgi_sql_arg_text(&a, caller_path);
		corgi_sql_run("SELECT s, c.relkind = 'p', CASE WHEN c.relkind = 'p' THEN cardinality(corgi._segment_tables(s)) END"
					  " FROM corgi._resolve_table($1, $2) s LEFT JOIN pg_class c ON c.oid = s", &a, true);
		src = corgi_sql_column(1, &src_null, into);
		if (corgi_sql_column_bool(2) == 1)
		{
			int32		n_partitions = DatumGetInt32(corgi_sql_column(3, &isnull, into));

			if (segments_given && n_segments != n_partitions)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("the segments of partitioned table %s are its %d partitions, got segments=%d",
								source_table, n_partitions, n_segments),
						 errhint("Leave segments out.")));
			if (n_partitions == 0)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("partitioned table %s has no partitions", source_table)));
			n_segments = n_partitions;
		}
	}
	if (!src_null)
	{
		memset(&a, 0, sizeof(a));
		corgi_sql_arg(&a, REGCLASSOID, src, false);
		corgi_sql_arg_text(&a, out_table);
		corgi_sql_arg(&a, INT4OID, Int32GetDatum(epochs), false);
		corgi_sql_arg(&a, INT4OID, Int32GetDatum((int32) n), false);
		corgi_sql_run("SELECT corgi._progress_begin('fit_multiple', $1, $2, $3, $4)", &a, true);
	}

	/*
	 * One snapshot for the call: the first config's counting pass pins it (with
	 * grouping, the groups' counting pass: the call begins after the preparation). One
	 * plan per config: corgi.train's checks and initial state, with the config's place in
	 * the hopping schedule in its params (so its params replay it alone). The table's
	 * facts (rows, classes, moments) are read once for all configs.
	 */
	if (grouping_cols == NULL)
		corgi_sql_run("SELECT corgi._begin_call()", NULL, true);
	corgi_sql_run("SELECT corgi._facts_begin(), 'corgi.training_plan'::regtype::oid, 'corgi.training_plan[]'::regtype::oid",
				  NULL, true);
	plan_type = DatumGetObjectId(corgi_sql_column(2, &isnull, into));
	plans_type = DatumGetObjectId(corgi_sql_column(3, &isnull, into));
	plan_values = MemoryContextAlloc(into, sizeof(Datum) * n);
	{
		ArrayType  *model_array = DatumGetArrayTypeP(models);
		ArrayType  *param_array = DatumGetArrayTypeP(cfg_params);
		ArrayType  *id_array = DatumGetArrayTypeP(ids);
		Datum	   *model_items,
				   *param_items,
				   *id_items;
		int			count;

		deconstruct_array(model_array, TEXTOID, -1, false, TYPALIGN_INT, &model_items, NULL, &count);
		deconstruct_array(param_array, TEXTOID, -1, false, TYPALIGN_INT, &param_items, NULL, &count);
		deconstruct_array(id_array, INT4OID, 4, true, TYPALIGN_INT, &id_items, NULL, &count);
		for (int k = 0; k < n; k++)
		{
			char	   *config_params;

			memset(&a, 0, sizeof(a));
			corgi_sql_arg_text(&a, shared);
			corgi_sql_arg(&a, TEXTOID, param_items[k], false);
			corgi_sql_arg_text(&a, psprintf("segments=%d, segment_offset=%d, segment_seed=" INT64_FORMAT, n_segments,
											(int) (k % n_segments), seed));
			corgi_sql_run("SELECT corgi._merge_params(corgi._merge_params($1, $2), $3)", &a, true);
			config_params = corgi_sql_column_text(1, into);
			memset(&a, 0, sizeof(a));
			corgi_sql_arg_text(&a, source_table);
			corgi_sql_arg_text(&a, out_table);
			corgi_sql_arg_text(&a, dependent_varname);
			corgi_sql_arg_text(&a, independent_varname);
			corgi_sql_arg(&a, TEXTOID, model_items[k], false);
			corgi_sql_arg(&a, INT4OID, Int32GetDatum(epochs), false);
			corgi_sql_arg_text(&a, shuffle);
			corgi_sql_arg_text(&a, config_params);
			corgi_sql_arg_text(&a, caller_path);
			corgi_sql_arg(&a, BOOLOID, BoolGetDatum(grouping_cols == NULL), false);
			corgi_sql_arg_text(&a, excluded);
			corgi_sql_arg_text(&a, grouping_cols);
			plan_values[k] = prepare_config(&a, DatumGetInt32(id_items[k]), &isnull, into);
		}
	}
	corgi_sql_run("SELECT corgi._facts_end()", NULL, true);
	{
		int16		typlen;
		bool		typbyval;
		char		typalign;
		MemoryContext old = MemoryContextSwitchTo(into);

		get_typlenbyvalalign(plan_type, &typlen, &typbyval, &typalign);
		plans = PointerGetDatum(construct_array(plan_values, (int) n, plan_type, typlen, typbyval, typalign));
		MemoryContextSwitchTo(old);
	}
	memset(&a, 0, sizeof(a));
	corgi_sql_arg_text(&a, out_table);
	corgi_sql_arg_text(&a, caller_path);
	corgi_sql_run("SELECT o.main, o.summary, quote_ident(o.schema) || '.'"
				  " || quote_ident((parse_ident($1))[cardinality(parse_ident($1))] || '_info')"
				  " FROM corgi._output_names($1, $2) o", &a, true);
	out_main = corgi_sql_column_text(1, into);
	out_summary = corgi_sql_column_text(2, into);
	info_name = corgi_sql_column_text(3, into);
	memset(&a, 0, sizeof(a));
	corgi_sql_arg_text(&a, info_name);
	corgi_sql_arg_text(&a, out_main);
	corgi_sql_arg_text(&a, out_summary);
	corgi_sql_run("SELECT to_regclass($1) IS NOT NULL", &a, true);
	if (corgi_sql_column_bool(1) == 1)
		ereport(ERROR,
				(errcode(ERRCODE_DUPLICATE_TABLE),
				 errmsg("output table %s already exists", info_name),
				 errhint("Drop it first, or choose another out_table.")));
	corgi_sql_run("SELECT corgi._reserve_outputs(ARRAY[$2, $1, $3])", &a, true);

	if (grouping_cols != NULL)
	{
		/* Grouped: every config trains a model per group, its groups hopping together. */
		corgi_sql_run("SELECT corgi._begin_call()", NULL, true);
		corgi_fit_grouped(plans_type, plans, (int) n, ids, src, grouping_cols, n_segments, seed, n_workers, verbose,
						  info_name, cfg_name, shared, schedule == NULL ? "grid" : schedule,
						  schedule_params == NULL ? "" : schedule_params, into, result, result_null);
		corgi_sql_run("SELECT corgi._end_call()", NULL, true);
	}
	else
	{
		/* Epochs: one statement, one snapshot. */
		static const char *const run_columns[] = {
			"final_states", "epoch_loss", "epoch_seconds", "epoch_rows", "val_loss", "val_metric",
			"workers_launched", "wall_seconds", "diverged_in", "diverged_loss", "servers", "bytes_moved",
			"remote_jobs", "round_trip_seconds", "stopped_in", "best_epoch", "rung", "bracket", "segment_offsets"
		};
		enum
		{
			R_STATES, R_LOSS, R_SECONDS, R_ROWS, R_VAL_LOSS, R_VAL_METRIC, R_WORKERS, R_WALL, R_DIVERGED,
			R_DIVERGED_LOSS, R_SERVERS, R_BYTES, R_REMOTE_JOBS, R_ROUND_TRIP, R_STOPPED, R_BEST, R_RUNG,
			R_BRACKET, R_OFFSETS, R_COUNT
		};
		static const Oid run_types[] = {
			BYTEAARRAYOID, FLOAT8ARRAYOID, FLOAT8ARRAYOID, INT8ARRAYOID, FLOAT8ARRAYOID, FLOAT8ARRAYOID,
			INT4ARRAYOID, FLOAT8ARRAYOID, INT4ARRAYOID, FLOAT8ARRAYOID, INT4OID, INT8OID, INT4OID, FLOAT8OID,
			INT4ARRAYOID, INT4ARRAYOID, INT4ARRAYOID, INT4ARRAYOID, INT4ARRAYOID
		};
		Datum		run[R_COUNT];
		bool		run_null[R_COUNT];
		double		wall;
		CorgiSqlArgs w;

		StaticAssertStmt(lengthof(run_columns) == R_COUNT && lengthof(run_types) == R_COUNT, "run columns");
		memset(&a, 0, sizeof(a));
		corgi_sql_arg(&a, plans_type, plans, false);
		corgi_sql_arg(&a, INT4OID, Int32GetDatum(n_workers), false);
		corgi_sql_arg(&a, BOOLOID, BoolGetDatum(verbose), false);
		corgi_sql_arg_text(&a, schedule == NULL ? "grid" : schedule);
		corgi_sql_arg_text(&a, schedule_params == NULL ? "" : schedule_params);
		corgi_sql_arg(&a, INT4OID, Int32GetDatum(n_per_visit), false);
		corgi_sql_run("SELECT * FROM corgi._fit($1, 'fit_multiple', $2, $3, schedule => $4, schedule_params => $5,"
					  " configs_per_visit => $6)", &a, true);
		for (int i = 0; i < R_COUNT; i++)
			run[i] = corgi_sql_named_column(run_columns[i], &run_null[i], into);
		wall = (double) (GetCurrentTimestamp() - t0) / 1000000.0;

		/* Output, only now that every epoch succeeded ------------------------------ */
		memset(&a, 0, sizeof(a));
		corgi_sql_arg(&a, INT4OID, Int32GetDatum((int32) n), false);
		corgi_sql_run("SELECT corgi._progress_set(phase => 'writing', tasks_done => $1)", &a, true);
		memset(&a, 0, sizeof(a));
		corgi_sql_arg_text(&a, out_main);
		corgi_sql_arg_text(&a, info_name);
		corgi_sql_arg_text(&a, out_summary);
		corgi_sql_run("SELECT corgi._release_outputs(ARRAY[$1, $2, $3])", &a, true);
		corgi_sql_run(psprintf("CREATE TABLE %s (config_id integer, model_type text, params text, coef float8[],"
							   " intercept float8[], model bytea, loss float8, num_rows_processed bigint, num_rows_skipped bigint,"
							   " num_epochs integer, classes text[], layers integer[], training_seconds float8,"
							   " validation_loss float8, validation_metric float8, validation_metric_name text, status text,"
							   " feature_names text[], independent_varname text)", out_main), NULL, false);
		corgi_sql_run(psprintf("CREATE TABLE %s (config_id integer, model_type text, params text, epoch_loss float8[],"
							   " epoch_seconds float8[], epoch_rows bigint[], validation_loss float8[], validation_metric float8[],"
							   " segment_order integer[])", info_name), NULL, false);
		/*
		 * Per config, in config order: its model (coefficients in the units of a feature
		 * list's columns, the features' names, the config's own list), and its per-epoch
		 * figures. The offset the configs' visits were planned with (shared visits) goes
		 * into its params: it replays them.
		 */
		memset(&w, 0, sizeof(w));
		corgi_sql_arg(&w, plans_type, plans, false);	/* $1 */
		corgi_sql_arg(&w, INT4ARRAYOID, ids, false);	/* $2 */
		corgi_sql_arg(&w, INT4OID, Int32GetDatum((int32) n), false);	/* $3 */
		corgi_sql_arg(&w, INT4OID, Int32GetDatum(epochs), false);	/* $4 */
		corgi_sql_arg_text(&w, schedule);	/* $5 */
		corgi_sql_arg(&w, INT4OID, Int32GetDatum(n_segments), false);	/* $6 */
		corgi_sql_arg(&w, INT8OID, Int64GetDatum(seed), false);	/* $7 */
		for (int i = R_STATES; i <= R_VAL_METRIC; i++)	/* $8 .. $13 */
			corgi_sql_arg(&w, run_types[i], run[i], run_null[i]);
		for (int i = R_DIVERGED; i <= R_DIVERGED_LOSS; i++)	/* $14, $15 */
			corgi_sql_arg(&w, run_types[i], run[i], run_null[i]);
		for (int i = R_STOPPED; i <= R_OFFSETS; i++)	/* $16 .. $20 */
			corgi_sql_arg(&w, run_types[i], run[i], run_null[i]);
		corgi_sql_run(psprintf("INSERT INTO %s"
							   " SELECT $2[k], ($1[k]).model, corgi._merge_params(($1[k]).norm, 'segment_offset=' || $20[k]),"
							   "        c.coef, c.intercept, $8[k], (corgi.sgd_state_info($8[k])).loss,"
							   "        (corgi.sgd_state_info($8[k])).rows, (corgi.sgd_state_info($8[k])).skipped,"
							   "        coalesce($17[k], l.last), ($1[k]).class_texts, corgi._layers($1[k]),"
							   "        (SELECT sum($10[(i - 1) * $3 + k]) FROM generate_series(1, l.last) i),"
							   "        CASE WHEN $14[k] IS NULL THEN $12[(coalesce($17[k], $4) - 1) * $3 + k] END,"
							   "        CASE WHEN $14[k] IS NULL THEN $13[(coalesce($17[k], $4) - 1) * $3 + k] END,"
							   "        CASE WHEN ($1[k]).val_table IS NOT NULL THEN (corgi.model_traits(($1[k]).model)).metric END,"
							   "        CASE WHEN $14[k] IS NOT NULL THEN format('diverged in epoch %%s (loss %%s)', $14[k], $15[k])"
							   "             WHEN $18[k] IS NOT NULL AND $5 = 'hyperband'"
							   "             THEN format('stopped at rung %%s of bracket %%s', $18[k], $19[k])"
							   "             WHEN $18[k] IS NOT NULL THEN format('stopped at rung %%s', $18[k])"
							   "             WHEN $16[k] IS NOT NULL"
							   "             THEN format('stopped early in epoch %%s (best epoch %%s)', $16[k], $17[k])"
							   "             ELSE 'ok' END,"
							   "        c.feature_names, ($1[k]).independent_varname"
							   "   FROM generate_series(1, $3) k, LATERAL (SELECT coalesce($14[k], $16[k], $4) AS last) l,"
							   "        LATERAL corgi._model_coef($8[k], to_regclass(($1[k]).read_from), ($1[k]).feat_col) c"
							   "  ORDER BY k", out_main), &w, false);
		corgi_sql_run(psprintf("INSERT INTO %s"
							   " SELECT $2[k], ($1[k]).model, corgi._merge_params(($1[k]).norm, 'segment_offset=' || $20[k]),"
							   "        ARRAY(SELECT $9[(i - 1) * $3 + k] FROM generate_series(1, l.last) i),"
							   "        ARRAY(SELECT $10[(i - 1) * $3 + k] FROM generate_series(1, l.last) i),"
							   "        ARRAY(SELECT $11[(i - 1) * $3 + k] FROM generate_series(1, l.last) i),"
							   "        CASE WHEN ($1[k]).val_table IS NOT NULL THEN"
							   "             ARRAY(SELECT $12[(i - 1) * $3 + k] FROM generate_series(1, l.last) i) END,"
							   "        CASE WHEN ($1[k]).val_table IS NOT NULL THEN"
							   "             ARRAY(SELECT $13[(i - 1) * $3 + k] FROM generate_series(1, l.last) i) END,"
							   "        ARRAY(SELECT ARRAY(SELECT unnest((corgi.hop_order($20[k] + 1, $6, $7, i - 1))"
							   "                                         [$20[k] + 1:$20[k] + 1][1:$6]))"
							   "              FROM generate_series(1, l.last) i)"
							   "   FROM generate_series(1, $3) k, LATERAL (SELECT coalesce($14[k], $16[k], $4) AS last) l"
							   "  ORDER BY k", info_name), &w, false);
		memset(&a, 0, sizeof(a));
		corgi_sql_arg_text(&a, source_table);	/* $1 */
		corgi_sql_arg_text(&a, out_table);
		corgi_sql_arg_text(&a, dependent_varname);
		corgi_sql_arg_text(&a, independent_varname);
		corgi_sql_arg_text(&a, cfg_name);	/* $5 */
		corgi_sql_arg(&a, INT4OID, Int32GetDatum((int32) n), false);
		corgi_sql_arg(&a, TEXTARRAYOID, models, false);
		corgi_sql_arg_text(&a, shuffle);
		corgi_sql_arg_text(&a, shared);
		corgi_sql_arg(&a, INT8OID, Int64GetDatum(seed), false);	/* $10 */
		corgi_sql_arg(&a, INT4OID, Int32GetDatum(n_segments), false);
		corgi_sql_arg(&a, INT4OID, Int32GetDatum(epochs), false);
		corgi_sql_arg(&a, INT4OID, Int32GetDatum(n_workers), false);
		corgi_sql_arg(&a, FLOAT8OID, Float8GetDatum(wall), false);
		corgi_sql_arg_text(&a, validation_table);	/* $15 */
		corgi_sql_arg(&a, plans_type, plans, false);
		for (int i = R_STATES; i <= R_ROUND_TRIP; i++)
			if (i == R_STATES || i == R_SECONDS || i == R_WORKERS || i == R_WALL || i == R_DIVERGED
				|| i >= R_SERVERS)	/* $17 states, $18 seconds, $19 workers, $20 wall, $21 diverged, $22-$25 */
				corgi_sql_arg(&a, run_types[i], run[i], run_null[i]);
		corgi_sql_run(psprintf("CREATE TABLE %s AS SELECT"
							   " $1::text AS source_table, $2::text AS out_table, $3::text AS dependent_varname,"
							   " $4::text AS independent_varname, $5::text AS configs_table, $6::integer AS num_configs,"
							   " ARRAY(SELECT DISTINCT x FROM unnest($7::text[]) x ORDER BY 1) AS model_types,"
							   " $8::text AS shuffle, $9::text AS params, $10::bigint AS seed,"
							   " $11::integer AS segments, $12::integer AS epochs, nullif($13, -1)::integer AS workers_requested,"
							   " $19::integer[] AS workers_launched,"
							   " (corgi.sgd_state_info(($17::bytea[])[1])).block_pages::bigint AS block_pages,"
							   " $20::float8[] AS epoch_wall_seconds,"
							   " $14::float8 AS training_seconds, (SELECT sum(x) FROM unnest($18::float8[]) x)::float8 AS model_seconds,"
							   " $15::text AS validation_table,"
							   " (SELECT count(*) FROM unnest($21::integer[]) d WHERE d IS NOT NULL)::integer AS num_diverged,"
							   " (($16::corgi.training_plan[])[1]).path::text AS path, $22::integer AS servers,"
							   " $23::bigint AS state_bytes_moved, $24::integer AS remote_jobs, $25::float8 AS round_trip_seconds",
							   out_summary), &a, false);
		memset(&a, 0, sizeof(a));
		corgi_sql_arg_text(&a, out_main);
		corgi_sql_run("SELECT corgi._notice_skipped($1)", &a, true);
		corgi_sql_run("SELECT corgi._end_call()", NULL, true);
		memset(&a, 0, sizeof(a));
		corgi_sql_arg(&a, INT4OID, Int32GetDatum((int32) n), false);
		corgi_sql_arg(&a, INT4ARRAYOID, run[R_DIVERGED], run_null[R_DIVERGED]);
		corgi_sql_arg(&a, INT4ARRAYOID, run[R_WORKERS], run_null[R_WORKERS]);
		corgi_sql_arg(&a, INT4OID, Int32GetDatum(n_segments), false);
		corgi_sql_arg(&a, FLOAT8OID, Float8GetDatum(wall), false);
		corgi_sql_run("SELECT ($1 - (SELECT count(*) FROM unnest($2) d WHERE d IS NOT NULL))::integer,"
					  " (SELECT count(*) FROM unnest($2) d WHERE d IS NOT NULL)::integer,"
					  " (SELECT max(x) FROM unnest($3) x), $4, $5", &a, true);
		for (int i = 0; i < 5; i++)
			result[i] = corgi_sql_column(i + 1, &result_null[i], into);
	}
	SPI_finish();

	InitMaterializedSRF(fcinfo, 0);
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, result, result_null);
	return (Datum) 0;
}
