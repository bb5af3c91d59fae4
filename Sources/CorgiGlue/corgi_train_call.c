/*
 * corgi_train_call.c: corgi.train, the front door of one model.
 *
 *   corgi.train(source_table, out_table, dependent_varname, independent_varname, model,
 *               epochs, shuffle, params, verbose, grouping_cols, caller_search_path,
 *               excluded, validation_table)
 *     -> (epochs_run, rows_per_epoch, final_loss, training_seconds)
 *
 * One plan (corgi._train_prepare), then one of three ways to a model:
 *   - an exact solver (params solver=exact for least squares, solver=irls for IRLS; or a
 *     linear model whose params ask nothing of SGD: the core's corgi._default_solver):
 *     one fit, set into the model's fresh state (exact_fit below);
 *   - grouping_cols: one model per group (corgi_group_call.c);
 *   - SGD: the outputs taken, the epochs run by the one epoch loop (corgi._fit, one
 *     statement: one snapshot), stopped early (patience) at the best epoch's model.
 * The model is written as out_table and out_table_summary only once it is trained
 * (write_model below), the same tables whichever way made it.
 *
 * Everything it asks and writes is SQL over SPI (corgi_sql.h); the table names in it
 * are the plan's quoted qualified names (corgi._output_names), never the caller's text.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"
#include "utils/typcache.h"

#include "corgi_group_call.h"
#include "corgi_sql.h"
#include "corgi_training_plan.h"

/* The one row a training call returns. */
typedef struct TrainResult
{
	Datum		values[4];
	bool		nulls[4];
} TrainResult;

/*
 * Writes out_table and out_table_summary of a trained plan (and drops its once copy):
 * coefficients in the units of the features' columns (a standardized list's converted
 * back; the model keeps its own), with the features' names. The arrays are the per-epoch
 * figures of the summary (validation: its loss, metric and seconds); model_epoch the
 * epoch whose model it is (early stopping).
 */
static TrainResult
write_model(Oid plan_type, Datum plan, Datum state, Datum epoch_loss, Datum epoch_seconds, Datum epoch_rows,
			const Datum *validation, const bool *validation_null, Datum model_epoch, bool model_epoch_null,
			MemoryContext into)
{
	CorgiSqlArgs a;
	char	   *out_main,
			   *out_summary;
	TrainResult result;

	corgi_sql_run("SELECT corgi._progress_set(phase => 'writing', tasks_done => 1)", NULL, true);
	memset(&a, 0, sizeof(a));
	corgi_sql_arg(&a, plan_type, plan, false);
	corgi_sql_run("SELECT ($1).out_main, ($1).out_summary, ($1).once_table,"
				  " corgi._release_outputs(ARRAY[($1).out_main, ($1).out_summary])", &a, true);
	out_main = corgi_sql_column_text(1, into);
	out_summary = corgi_sql_column_text(2, into);
	{
		char	   *once_table = corgi_sql_column_text(3, into);

		if (once_table != NULL)
			corgi_sql_run(psprintf("DROP TABLE %s", once_table), NULL, false);
	}
	memset(&a, 0, sizeof(a));
	corgi_sql_arg(&a, plan_type, plan, false);	/* $1 */
	corgi_sql_arg(&a, BYTEAOID, state, false);	/* $2 */
	corgi_sql_arg(&a, FLOAT8ARRAYOID, epoch_loss, false);	/* $3 */
	corgi_sql_arg(&a, FLOAT8ARRAYOID, epoch_seconds, false);	/* $4 */
	corgi_sql_arg(&a, INT8ARRAYOID, epoch_rows, false);	/* $5 */
	for (int i = 0; i < 3; i++)	/* $6, $7, $8 */
		corgi_sql_arg(&a, FLOAT8ARRAYOID, validation[i], validation_null[i]);
	corgi_sql_arg(&a, INT4OID, model_epoch, model_epoch_null);	/* $9 */
	corgi_sql_run(psprintf("CREATE TABLE %s AS SELECT"
						   " c.coef, c.intercept, $2 AS model, ($1).model::text AS model_type,"
						   " i.loss::float8 AS loss, i.rows::bigint AS num_rows_processed,"
						   " i.skipped::bigint AS num_rows_skipped,"
						   " coalesce($9, ($1).epochs)::integer AS num_epochs, ($1).class_texts::text[] AS classes,"
						   " corgi._layers($1)::integer[] AS layers, c.feature_names"
						   " FROM corgi._model_coef($2, to_regclass(($1).read_from), ($1).feat_col) c,"
						   "      corgi.sgd_state_info($2) i", out_main),
				  &a, false);
	corgi_sql_run(psprintf("CREATE TABLE %s AS SELECT"
						   " ($1).source_table::text AS source_table, ($1).out_table::text AS out_table,"
						   " ($1).dependent_varname::text AS dependent_varname,"
						   " ($1).independent_varname::text AS independent_varname, ($1).model::text AS model,"
						   " ($1).shuffle::text AS shuffle, i.params::text AS params,"
						   " ($1).n_features::integer AS n_features,"
						   " (CASE WHEN (corgi.model_traits(($1).model)).task = 'multiclass'"
						   "       THEN cardinality(($1).class_texts) END)::integer AS n_classes,"
						   " ($1).class_texts::text[] AS classes, i.block_pages::bigint AS block_pages,"
						   " ($1).buffer_rows::bigint AS buffer_rows, ($1).path::text AS training_path,"
						   " ($1).epochs::integer AS epochs, $3::float8[] AS epoch_loss, $4::float8[] AS epoch_seconds,"
						   " $5::bigint[] AS epoch_rows, i.skipped::bigint AS num_rows_skipped,"
						   " (CASE WHEN ($1).shuffle = 'once' THEN ($1).once_seconds END)::float8 AS shuffle_seconds,"
						   " ((SELECT sum(x) FROM unnest($4::float8[]) x) + ($1).once_seconds)::float8 AS training_seconds,"
						   " corgi._param(($1).norm, 'validation_table')::text AS validation_table,"
						   " $6::float8[] AS validation_loss, $7::float8[] AS validation_metric,"
						   " (CASE WHEN ($1).val_table IS NOT NULL THEN (corgi.model_traits(($1).model)).metric END)::text"
						   "   AS validation_metric_name,"
						   " $8::float8[] AS validation_seconds FROM corgi.sgd_state_info($2) i", out_summary), &a, false);
	memset(&a, 0, sizeof(a));
	corgi_sql_arg_text(&a, out_main);
	corgi_sql_run("SELECT corgi._notice_skipped($1)", &a, true);
	memset(&a, 0, sizeof(a));
	corgi_sql_arg(&a, plan_type, plan, false);
	corgi_sql_arg(&a, BYTEAOID, state, false);
	corgi_sql_arg(&a, FLOAT8ARRAYOID, epoch_seconds, false);
	corgi_sql_run("SELECT ($1).epochs, i.rows, i.loss, (SELECT sum(x) FROM unnest($3) x) + ($1).once_seconds"
				  " FROM corgi.sgd_state_info($2) i", &a, true);
	for (int i = 0; i < 4; i++)
		result.values[i] = corgi_sql_column(i + 1, &result.nulls[i], into);
	return result;
}

/*
 * An exact fit (solver=exact: least squares, one pass of corgi._linregr_fit_rows; solver=irls:
 * corgi._logregr_irls with epochs as max_iter), set into the model's fresh state and
 * written as any corgi.train model (it predicts, evaluates and scores the same way). The
 * summary's training_path says which solver made it.
 */
static TrainResult
exact_fit(Oid plan_type, Datum plan, const char *solver, bool verbose, MemoryContext into)
{
	TimestampTz t0 = GetCurrentTimestamp();
	CorgiSqlArgs a;
	bool		isnull;
	char	   *model,
			   *norm,
			   *read_from,
			   *label_code,
			   *feat_expr,
			   *source_table,
			   *dependent_varname;
	bool		with_intercept;
	int32		k;
	Datum		coef;
	bool		coef_null;
	Datum		rows;
	bool		rows_null;
	Datum		skipped;
	double		loss_sum;
	int32		passes;
	Datum		state;
	double		seconds;

	memset(&a, 0, sizeof(a));
	corgi_sql_arg(&a, plan_type, plan, false);
	corgi_sql_run("SELECT ($1).model, ($1).norm, ($1).read_from, ($1).label_code, ($1).feat_expr, ($1).source_table,"
				  " ($1).dependent_varname, ($1).n_features, corgi._param(($1).norm, 'intercept') = 'true',"
				  " corgi._exact_solver(($1).model), corgi._param(($1).norm, 'l1'), corgi._param(($1).norm, 'l2'),"
				  " corgi._param(($1).norm, 'l1')::float8 <> 0 OR corgi._param(($1).norm, 'l2')::float8 <> 0", &a, true);
	model = corgi_sql_column_text(1, into);
	norm = corgi_sql_column_text(2, into);
	read_from = corgi_sql_column_text(3, into);
	label_code = corgi_sql_column_text(4, into);
	feat_expr = corgi_sql_column_text(5, into);
	source_table = corgi_sql_column_text(6, into);
	dependent_varname = corgi_sql_column_text(7, into);
	k = DatumGetInt32(corgi_sql_column(8, &isnull, into));
	with_intercept = corgi_sql_column_bool(9) == 1;
	{
		char	   *exact_solver = corgi_sql_column_text(10, into);
		char	   *l1 = corgi_sql_column_text(11, into);
		char	   *l2 = corgi_sql_column_text(12, into);

		if (exact_solver == NULL || strcmp(solver, exact_solver) != 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("solver=%s does not fit %s models", solver, model),
					 errhint("solver=exact fits linear models (least squares), solver=irls logistic ones; leave solver out for SGD.")));
		if (corgi_sql_column_bool(13) == 1)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("solver=%s fits without regularization, got l1=%s and l2=%s", solver, l1, l2),
					 errhint("Leave l1 and l2 out, or leave solver out for SGD.")));
	}
	{
		static const char *const keys[] = {"segments", "patience", "validation_table"};

		for (int i = 0; i < lengthof(keys); i++)
		{
			memset(&a, 0, sizeof(a));
			corgi_sql_arg_text(&a, norm);
			corgi_sql_arg_text(&a, keys[i]);
			corgi_sql_run("SELECT corgi._param($1, $2) IS NOT NULL", &a, true);
			if (corgi_sql_column_bool(1) == 1)
				ereport(ERROR,
						(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
						 errmsg("solver=%s does not take %s", solver, keys[i]),
						 errhint("Leave %s out, or leave solver out for SGD.", keys[i])));
		}
	}
	memset(&a, 0, sizeof(a));
	corgi_sql_arg(&a, plan_type, plan, false);
	corgi_sql_run("SELECT corgi._reserve_outputs(ARRAY[($1).out_main, ($1).out_summary]),"
				  " corgi._progress_set(phase => 'training', epoch => 1)", &a, true);
	if (strcmp(solver, "exact") == 0)
	{
		/* One pass: the fit, its residual sum of squares and the row counts. */
		memset(&a, 0, sizeof(a));
		corgi_sql_arg_text(&a, psprintf("SELECT (%s)::float8, (%s)::float8[] FROM %s", label_code, feat_expr, read_from));
		corgi_sql_run(psprintf("SELECT f[1:%d], f[%d + 1] / 2, f[%d + 2]::bigint, f[%d + 3]::bigint"
							   " FROM (SELECT corgi._linregr_fit_rows($1, %s) AS f) q",
							   k + with_intercept, k + with_intercept, k + with_intercept, k + with_intercept,
							   with_intercept ? "true" : "false"), &a, false);
		coef = corgi_sql_column(1, &coef_null, into);
		{
			Datum		loss = corgi_sql_column(2, &isnull, into);

			loss_sum = isnull ? 0 : DatumGetFloat8(loss);
		}
		rows = corgi_sql_column(3, &rows_null, into);
		skipped = corgi_sql_column(4, &isnull, into);
		passes = 1;
	}
	else
	{
		double		log_likelihood;

		corgi_sql_run(psprintf("SELECT min(l), max(l) FROM (SELECT (%s)::float8 AS l FROM %s) q WHERE l NOT IN (0, 1, -1)",
							   label_code, read_from), NULL, false);
		{
			Datum		bad = corgi_sql_column(1, &isnull, into);

			if (!isnull)
			{
				char	   *shown = DatumGetCString(DirectFunctionCall1(float8out, bad));

				ereport(ERROR,
						(errcode(ERRCODE_DATA_EXCEPTION),
						 errmsg("dependent_varname \"%s\" has the label %s", dependent_varname, shown),
						 errhint("logistic labels must be boolean, 0/1 or -1/+1.")));
			}
		}
		/* epochs is IRLS's max_iter; MADlib's tolerance (a change of the log-likelihood). */
		memset(&a, 0, sizeof(a));
		corgi_sql_arg_text(&a, psprintf("SELECT 1, (%s) > 0, (%s)::float8[] FROM %s", label_code, feat_expr, read_from));
		corgi_sql_arg(&a, plan_type, plan, false);
		corgi_sql_arg(&a, BOOLOID, BoolGetDatum(verbose), false);
		corgi_sql_arg(&a, BOOLOID, BoolGetDatum(with_intercept), false);
		corgi_sql_run("SELECT f.coef, f.num_rows_processed, f.num_missing_rows_skipped, f.log_likelihood,"
					  " f.num_iterations, f.status"
					  " FROM corgi._logregr_irls($1, 1, ($2).epochs, 0.0001, $3, $4) f", &a, true);
		coef = corgi_sql_column(1, &coef_null, into);
		rows = corgi_sql_column(2, &rows_null, into);
		skipped = corgi_sql_column(3, &isnull, into);
		if (coef_null)
		{
			char	   *status = corgi_sql_column_text(6, into);

			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("the IRLS fit failed (%s)", status ? status : "<NULL>"),
					 errhint("Check the features for rows that make the Hessian infinite, or leave solver out for SGD.")));
		}
		log_likelihood = DatumGetFloat8(corgi_sql_column(4, &isnull, into));
		passes = DatumGetInt32(corgi_sql_column(5, &isnull, into)) + 1;
		loss_sum = -log_likelihood;
		if (!rows_null && log_likelihood > -1e-4 * (double) DatumGetInt64(rows))
			ereport(NOTICE,
					(errmsg("the classes are separated (or one class only): the maximum-likelihood estimate does not exist"),
					 errdetail("The coefficients grow with every iteration; the model is the last iteration's."),
					 errhint("Drop the feature that separates the classes, or leave solver out (SGD) and add l2.")));
	}
	if (coef_null || rows_null || DatumGetInt64(rows) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("source table %s has no rows with non-NULL features and label", source_table),
				 errhint("Train on a table with data.")));
	seconds = (double) (GetCurrentTimestamp() - t0) / 1000000.0;
	memset(&a, 0, sizeof(a));
	corgi_sql_arg(&a, plan_type, plan, false);	/* $1 */
	corgi_sql_arg(&a, FLOAT8ARRAYOID, coef, false);	/* $2 */
	corgi_sql_arg(&a, INT4OID, Int32GetDatum(k), false);	/* $3 */
	corgi_sql_arg(&a, BOOLOID, BoolGetDatum(with_intercept), false);	/* $4 */
	corgi_sql_arg(&a, INT8OID, rows, false);	/* $5 */
	corgi_sql_arg(&a, INT8OID, skipped, false);	/* $6 */
	corgi_sql_arg(&a, FLOAT8OID, Float8GetDatum(loss_sum), false);	/* $7 */
	corgi_sql_arg(&a, INT4OID, Int32GetDatum(passes), false);	/* $8 */
	corgi_sql_arg(&a, FLOAT8OID, Float8GetDatum(seconds), false);	/* $9 */
	corgi_sql_run("SELECT corgi._sgd_state_exact(($1).state, $2[1:$3], CASE WHEN $4 THEN $2[$3 + 1] ELSE 0 END,"
				  "                              $5, $6, $7, $8),"
				  " array_fill(NULL::float8, ARRAY[$8 - 1]) || ($7 / $5),"
				  " array_fill(NULL::float8, ARRAY[$8 - 1]) || $9,"
				  " array_fill(NULL::bigint, ARRAY[$8 - 1]) || $5", &a, true);
	state = corgi_sql_column(1, &isnull, into);
	{
		Datum		epoch_loss = corgi_sql_column(2, &isnull, into);
		Datum		epoch_seconds = corgi_sql_column(3, &isnull, into);
		Datum		epoch_rows = corgi_sql_column(4, &isnull, into);
		Datum		validation[3] = {0};
		bool		validation_null[3] = {true, true, true};

		plan = corgi_plan_with(plan, PLAN_PATH, CStringGetTextDatum(solver), false, into);
		plan = corgi_plan_with(plan, PLAN_SHUFFLE, CStringGetTextDatum("none"), false, into);
		plan = corgi_plan_with(plan, PLAN_EPOCHS, Int32GetDatum(passes), false, into);
		return write_model(plan_type, plan, state, epoch_loss, epoch_seconds, epoch_rows, validation, validation_null,
						   (Datum) 0, true, into);
	}
}

/* corgi._train_prepare with these arguments: the plan. */
static Datum
prepare(const char *const *text_args, int32 epochs, bool epochs_null, const char *shuffle, const char *params,
		const char *caller_path, bool whole_table_buffer, const char *excluded, const char *grouping_cols,
		MemoryContext into)
{
	CorgiSqlArgs a;
	bool		isnull;

	memset(&a, 0, sizeof(a));
	for (int i = 0; i < 5; i++)
		corgi_sql_arg_text(&a, text_args[i]);
	corgi_sql_arg(&a, INT4OID, Int32GetDatum(epochs), epochs_null);
	corgi_sql_arg_text(&a, shuffle);
	corgi_sql_arg_text(&a, params);
	corgi_sql_arg_text(&a, caller_path);
	corgi_sql_arg(&a, BOOLOID, BoolGetDatum(whole_table_buffer), false);
	corgi_sql_arg_text(&a, excluded);
	corgi_sql_arg_text(&a, grouping_cols);
	corgi_sql_run("SELECT p FROM corgi._train_prepare($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) p", &a, true);
	return corgi_sql_column(1, &isnull, into);
}

PG_FUNCTION_INFO_V1(corgi_train);

Datum
corgi_train(PG_FUNCTION_ARGS)
{
	const char *text_args[5];
	const char *shuffle = corgi_text_argument(fcinfo, 6);
	const char *params = corgi_text_argument(fcinfo, 7);
	const char *validation_table = corgi_text_argument(fcinfo, 12);
	bool		verbose = !PG_ARGISNULL(8) && PG_GETARG_BOOL(8);
	const char *grouping_cols = corgi_text_argument(fcinfo, 9);
	const char *caller_path = corgi_text_argument(fcinfo, 10);
	const char *excluded = corgi_text_argument(fcinfo, 11);
	bool		epochs_null = PG_ARGISNULL(5);
	int32		epochs = epochs_null ? 0 : PG_GETARG_INT32(5);
	const char *model = corgi_text_argument(fcinfo, 4);
	const char *params_or_empty;
	MemoryContext into = CurrentMemoryContext;
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	CorgiSqlArgs a;
	bool		isnull;
	char	   *solver;
	bool		exact;
	Oid			plan_type;
	Datum		plan;
	TrainResult result;

	for (int i = 0; i < 5; i++)
		text_args[i] = corgi_text_argument(fcinfo, i);
	SPI_connect();
	corgi_sql_run("SELECT 'corgi.training_plan'::regtype::oid", NULL, true);
	plan_type = DatumGetObjectId(corgi_sql_column(1, &isnull, into));
	/*
	 * The validation table is the call's (an argument), not the model's; given, it goes
	 * where the epoch loop reads it (the plan's params), over one in params.
	 */
	if (validation_table != NULL)
	{
		memset(&a, 0, sizeof(a));
		corgi_sql_arg_text(&a, params == NULL ? "" : params);
		corgi_sql_arg_text(&a, validation_table);
		corgi_sql_run("SELECT corgi._merge_params($1, 'validation_table=' || $2)", &a, true);
		params = corgi_sql_column_text(1, into);
	}
	params_or_empty = params == NULL ? "" : params;
	/* corgi.train trains one model: one job at a time, nothing for workers to share. */
	memset(&a, 0, sizeof(a));
	corgi_sql_arg_text(&a, params_or_empty);
	corgi_sql_run("SELECT corgi._shared_param($1, 'workers') IS NOT NULL", &a, true);
	if (corgi_sql_column_bool(1) == 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("corgi.train does not take workers"),
				 errdetail("One model trains one job at a time; parallel workers train several models at once."),
				 errhint("Leave workers out, or train several configs with corgi.fit_multiple(..., params => 'workers=2').")));
	corgi_sql_run("SELECT lower(corgi._shared_param($1, 'solver'))", &a, true);
	solver = corgi_sql_column_text(1, into);

	/*
	 * An exact solver (solver=exact, solver=irls): one fit, no epochs of SGD. Without a
	 * solver, a linear model whose params ask nothing of SGD is fitted exactly too
	 * (corgi._default_solver: the rule is the Swift core's), unless grouped or shuffled
	 * otherwise than by default.
	 */
	exact = solver != NULL && (strcmp(solver, "exact") == 0 || strcmp(solver, "irls") == 0);
	if (!exact && solver == NULL && grouping_cols == NULL && shuffle != NULL && strcmp(shuffle, "corgipile") == 0
		&& model != NULL)
	{
		memset(&a, 0, sizeof(a));
		corgi_sql_arg_text(&a, model);
		corgi_sql_arg_text(&a, params_or_empty);
		corgi_sql_run("SELECT corgi._default_solver($1, $2, 1) = 'exact'", &a, true);
		exact = corgi_sql_column_bool(1) == 1;
	}
	if (exact)
	{
		bool		standardize_unset;

		if (grouping_cols != NULL)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("solver=%s does not take grouping_cols", solver),
					 errhint("corgi.linregr_train and corgi.logregr_train fit one model per group exactly.")));
		corgi_sql_run("SELECT corgi._begin_call()", NULL, true);
		memset(&a, 0, sizeof(a));
		corgi_sql_arg_text(&a, params_or_empty);
		corgi_sql_run("SELECT corgi._shared_param($1, 'standardize') IS NULL", &a, true);
		standardize_unset = corgi_sql_column_bool(1) == 1;
		/*
		 * Least squares and IRLS do not depend on the features' scales: a feature list
		 * is not standardized for them (unless the params ask).
		 */
		if (standardize_unset)
		{
			memset(&a, 0, sizeof(a));
			corgi_sql_arg_text(&a, params_or_empty);
			corgi_sql_run("SELECT corgi._merge_params($1, 'standardize=false')", &a, true);
		}
		plan = prepare(text_args, epochs, epochs_null, "none",
					   standardize_unset ? corgi_sql_column_text(1, into) : params, caller_path, false, excluded,
					   grouping_cols, into);
		if (solver == NULL)
		{
			memset(&a, 0, sizeof(a));
			corgi_sql_arg_text(&a, model);
			corgi_sql_arg_text(&a, params_or_empty);
			corgi_sql_arg(&a, INT4OID, corgi_plan_field(plan, PLAN_N_FEATURES, &isnull), false);
			corgi_sql_run("SELECT corgi._default_solver($1, $2, $3) = 'exact'", &a, true);
		}
		if (solver != NULL || corgi_sql_column_bool(1) == 1)
		{
			result = exact_fit(plan_type, plan, solver == NULL ? "exact" : solver, verbose, into);
			corgi_sql_run("SELECT corgi._end_call()", NULL, true);
			goto done;
		}
		/* Too wide for the exact solver: SGD, prepared for it below. */
		corgi_sql_run("SELECT corgi._end_call()", NULL, true);
	}

	/*
	 * One snapshot for the call: its counting pass pins it (for grouping, the groups'
	 * counting pass, so the call begins after the whole-table preparation). Grouped:
	 * shuffle once makes its own copy (with the group keys), so prepare as 'none'; the
	 * whole-table state prepare makes is not used, so its buffer is not held to
	 * max_buffer_mb (each group's is, and all groups of a pass together).
	 */
	if (grouping_cols == NULL)
		corgi_sql_run("SELECT corgi._begin_call()", NULL, true);
	else
	{
		memset(&a, 0, sizeof(a));
		corgi_sql_arg_text(&a, params_or_empty);
		corgi_sql_run("SELECT corgi._merge_params($1, 'max_buffer_mb=1048576')", &a, true);
	}
	plan = prepare(text_args, epochs, epochs_null,
				   grouping_cols != NULL && shuffle != NULL && strcmp(shuffle, "once") == 0 ? "none" : shuffle,
				   grouping_cols == NULL ? params : corgi_sql_column_text(1, into), caller_path,
				   grouping_cols == NULL, excluded, grouping_cols, into);
	plan = corgi_plan_with(plan, PLAN_SHUFFLE, shuffle == NULL ? (Datum) 0 : CStringGetTextDatum(shuffle), shuffle == NULL,
					 into);
	if (grouping_cols != NULL)
	{
		/*
		 * One model per group, every group in one pass per epoch (corgi_train_grouped
		 * takes its output names once it knows the groups table's).
		 */
		bool		norm_null;

		memset(&a, 0, sizeof(a));
		corgi_sql_arg(&a, TEXTOID, corgi_plan_field(plan, PLAN_NORM, &norm_null), norm_null);
		corgi_sql_arg_text(&a, params_or_empty);
		corgi_sql_arg_text(&a, model);
		corgi_sql_run("SELECT corgi.normalize_params(corgi._merge_params($1, 'max_buffer_mb='"
					  " || corgi._param(corgi.normalize_params($2, $3), 'max_buffer_mb')), $3)", &a, true);
		plan = corgi_plan_with(plan, PLAN_NORM, corgi_sql_column(1, &isnull, into), isnull, into);
		corgi_sql_run("SELECT corgi._begin_call()", NULL, true);
		memset(&a, 0, sizeof(a));
		corgi_sql_arg_text(&a, text_args[0]);
		corgi_sql_arg_text(&a, caller_path);
		corgi_sql_run("SELECT corgi._resolve_table($1, $2)", &a, true);
		corgi_train_grouped(plan_type, plan, corgi_sql_column(1, &isnull, into), grouping_cols, verbose, into,
							result.values, result.nulls);
		corgi_sql_run("SELECT corgi._end_call()", NULL, true);
		goto done;
	}
	memset(&a, 0, sizeof(a));
	corgi_sql_arg(&a, plan_type, plan, false);
	corgi_sql_run("SELECT corgi._reserve_outputs(ARRAY[($1).out_main, ($1).out_summary])", &a, true);
	/*
	 * Epochs: one statement, so every epoch reads the same snapshot (corgi._fit is STABLE,
	 * and its queries use the snapshot of the statement that calls it). Stopped early
	 * (patience): the epochs run, and the model of the best one.
	 */
	memset(&a, 0, sizeof(a));
	corgi_sql_arg(&a, plan_type, plan, false);
	corgi_sql_arg(&a, BOOLOID, BoolGetDatum(verbose), false);
	corgi_sql_run("SELECT * FROM corgi._fit(ARRAY[$1], 'train', 0, $2)", &a, true);
	{
		static const char *const run_columns[] = {
			"final_states", "epoch_loss", "epoch_seconds", "epoch_rows", "val_loss", "val_metric", "val_seconds",
			"best_epoch", "stopped_in"
		};
		static const Oid run_types[] = {
			BYTEAARRAYOID, FLOAT8ARRAYOID, FLOAT8ARRAYOID, INT8ARRAYOID, FLOAT8ARRAYOID, FLOAT8ARRAYOID,
			FLOAT8ARRAYOID, INT4ARRAYOID, INT4ARRAYOID
		};
		Datum		v[10];
		bool		n[10];

		memset(&a, 0, sizeof(a));
		corgi_sql_arg(&a, plan_type, plan, false);
		for (int i = 0; i < lengthof(run_columns); i++)
		{
			bool		column_null;
			Datum		value = corgi_sql_named_column(run_columns[i], &column_null, into);

			corgi_sql_arg(&a, run_types[i], value, column_null);	/* $2 .. $10 */
		}
		corgi_sql_run("SELECT e, $2[1], $3[1:e], $4[1:e], $5[1:e], ($1).val_table IS NULL, $6[1:e], $7[1:e], $8[1:e], $9[1]"
					  " FROM (SELECT coalesce($10[1], ($1).epochs) AS e) x", &a, true);
		for (int i = 0; i < 10; i++)
			v[i] = corgi_sql_column(i + 1, &n[i], into);
		plan = corgi_plan_with(plan, PLAN_EPOCHS, v[0], n[0], into);
		/* The validation figures only with a validation table. */
		for (int i = 6; i <= 8; i++)
			n[i] = n[i] || DatumGetBool(v[5]);
		result = write_model(plan_type, plan, v[1], v[2], v[3], v[4], &v[6], &n[6], v[9], n[9], into);
	}
	corgi_sql_run("SELECT corgi._end_call()", NULL, true);

done:
	SPI_finish();
	InitMaterializedSRF(fcinfo, 0);
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, result.values, result.nulls);
	return (Datum) 0;
}
