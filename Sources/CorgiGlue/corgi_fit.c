/*
 * corgi_fit.c: the one epoch loop of corgi.train and corgi.fit_multiple, grouped or not:
 * corgi._fit(plans, call, workers, verbose, ...).
 *
 * A job is K tasks, one per plan (corgi._train_prepare's corgi.training_plan): K = 1 for
 * corgi.train, one per config for corgi.fit_multiple, every one over the same source
 * read the same way. The job's rules are the core's (corgi_job_plan, TrainingJob.swift):
 *   partitions  model hopping over the partitions of a partitioned table, a foreign one
 *               on its server (corgi._hop_partitions, corgi_partition_hopping.c);
 *   hop         model hopping over segments of one heap table (corgi._hop_epoch,
 *               corgi_model_hopping.c), the tasks on parallel workers and the leader;
 *   pass        one task, a heap table read directly (corgi.train_pass);
 *   composed    one task, the aggregate corgi.sgd over a query (views, expressions);
 *   group pass, group composed, group hop: the grouped jobs (corgi_fit_groups.c).
 *
 * Every epoch runs the executor once for the tasks still training, then for each: closes
 * its epoch in Swift, applies the job's divergence policy (corgi.train stops the call,
 * fit_multiple sets the task aside), validates it (corgi._validate), applies early
 * stopping (patience: the best epoch's state is kept and written), ends the schedule's
 * rungs (successive halving, Hyperband: SuccessiveHalving.swift ranks the survivors), and
 * publishes progress (corgi_progress.c) and, when verbose, one NOTICE per epoch. The
 * executors are reached through SPI in read-only mode, so every epoch reads the snapshot
 * of the statement that called corgi._fit (it is STABLE), as the PL/pgSQL loops it
 * replaced did; the call's pinned snapshot serves the direct reads
 * (corgi_call_snapshot.c). The models are those of the loops it replaced, bit for bit:
 * the same executors in the same order on the same states.
 *
 * The plans come from the caller, and the composed path runs their SQL fragments
 * (feature expression, label code, source, sample clause) with the caller's rights, as
 * corgi._shuffled_copy does: a SECURITY INVOKER function gives nobody more than they had.
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "portability/instr_time.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/float.h"
#include "utils/fmgrprotos.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

#include "corgi_core_api.h"
#include "corgi_error.h"
#include "corgi_fit.h"
#include "corgi_handle.h"
#include "corgi_progress.h"
#include "corgi_sql.h"
#include "corgi_training.h"

/* Runs a read-only query expected to return one row; the row stays in SPI_tuptable. */
void
corgi_fit_run_one_row(const char *query, int nargs, Oid *types, Datum *values, const char *nulls)
{
	int			rc = SPI_execute_with_args(query, nargs, types, values, nulls, true, 2);

	if (rc != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "corgi._fit: a query of the epoch loop returned " UINT64_FORMAT " rows (SPI code %d): %s",
			 (uint64) SPI_processed, rc, query);
}

/* The job from its plans: one query reads every plan's fields and parameters. */
static FitJob
read_job(ArrayType *plans, Oid plans_type, const char *call, int32 workers, int32 groups, MemoryContext into)
{
	const char *query =
		"SELECT x.model, x.epochs, x.feat_col::text, x.label_col::text, x.feat_expr, x.label_code,"
		"       x.class_texts, x.state, x.read_from, x.sample_clause, x.path, x.val_table::oid,"
		"       x.dependent_varname, x.independent_varname,"
		"       coalesce(x.shuffle IN ('corgipile', 'block_only'), false),"
		"       corgi._param(x.norm, 'segments')::integer,"
		"       coalesce(corgi._param(x.norm, 'segment_offset')::integer, 0),"
		"       coalesce(corgi._param(x.norm, 'segment_seed')::bigint, 0),"
		"       corgi._param(x.norm, 'learning_rate')::float8, corgi._param(x.norm, 'decay')::float8,"
		"       (corgi.model_traits(x.model)).metric,"
		"       CASE WHEN x.path = 'partitions' THEN cardinality(corgi._segment_tables(x.read_from::regclass)) END,"
		"       coalesce(corgi._param(x.norm, 'patience')::integer, 0), corgi._param(x.norm, 'tolerance')::float8,"
		"       (corgi.model_traits(x.model)).classifier"
		"  FROM unnest($1) WITH ORDINALITY AS x ORDER BY x.ordinality";
	Oid			types[1] = {plans_type};
	Datum		values[1] = {PointerGetDatum(plans)};
	FitJob		job = {0};
	char	   *first_path = NULL;

	if (SPI_execute_with_args(query, 1, types, values, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "corgi._fit: reading the plans failed");
	if (SPI_processed < 1 || SPI_processed > 1000)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("corgi._fit takes 1 to 1000 plans, got " UINT64_FORMAT, (uint64) SPI_processed)));
	job.count = (int) SPI_processed;
	job.tasks = MemoryContextAllocZero(into, sizeof(FitTask) * job.count);
	job.workers = workers;
	for (int k = 0; k < job.count; k++)
	{
		HeapTuple	row = SPI_tuptable->vals[k];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		FitTask    *task = &job.tasks[k];
		bool		isnull;
		Datum		value;
		char	   *path = corgi_sql_row_text(k, 11, into);
		int32		epochs = DatumGetInt32(SPI_getbinval(row, desc, 2, &isnull));
		bool		epochs_null = isnull;
		int32		segments;
		bool		segments_null;
		MemoryContext old;

		task->model = corgi_sql_row_text(k, 1, into);
		value = SPI_getbinval(row, desc, 8, &isnull);
		if (task->model == NULL || isnull || path == NULL || epochs_null)
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("plan %d of corgi._fit has no model, state, path or epochs", k + 1)));
		/* corgi.train's bounds: the per-epoch arrays are epochs x tasks (or groups). */
		if (epochs < 1 || epochs > 100000)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("plan %d of corgi._fit has %d epochs, expected 1 to 100000", k + 1, epochs)));
		old = MemoryContextSwitchTo(into);
		task->state = DatumGetByteaPCopy(value);
		MemoryContextSwitchTo(old);
		value = SPI_getbinval(row, desc, 7, &task->class_texts_null);
		if (!task->class_texts_null)
		{
			old = MemoryContextSwitchTo(into);
			task->class_texts = datumCopy(value, false, -1);
			MemoryContextSwitchTo(old);
		}
		value = SPI_getbinval(row, desc, 12, &isnull);
		task->val_table = isnull ? InvalidOid : DatumGetObjectId(value);
		task->dependent_varname = corgi_sql_row_text(k, 13, into);
		task->independent_varname = corgi_sql_row_text(k, 14, into);
		segments = DatumGetInt32(SPI_getbinval(row, desc, 16, &segments_null));
		task->offset = DatumGetInt32(SPI_getbinval(row, desc, 17, &isnull));
		value = SPI_getbinval(row, desc, 19, &isnull);
		task->learning_rate = isnull ? get_float8_nan() : DatumGetFloat8(value);
		value = SPI_getbinval(row, desc, 20, &isnull);
		task->decay = isnull ? 1.0 : DatumGetFloat8(value);
		task->metric = corgi_sql_row_text(k, 21, into);
		task->patience = DatumGetInt32(SPI_getbinval(row, desc, 23, &isnull));
		value = SPI_getbinval(row, desc, 24, &isnull);
		task->tolerance = isnull ? 0 : DatumGetFloat8(value);
		task->higher_is_better = DatumGetBool(SPI_getbinval(row, desc, 25, &isnull));
		if (task->patience > 0 && !OidIsValid(task->val_table))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("patience (early stopping) needs a validation table"),
					 errhint("Add validation_table=... to the params of corgi.train, or validation_table => ... to corgi.fit_multiple.")));

		if (k == 0)
		{
			first_path = path;
			job.epochs = epochs;
			job.feat_col = corgi_sql_row_text(k, 3, into);
			job.label_col = corgi_sql_row_text(k, 4, into);
			job.feat_expr = corgi_sql_row_text(k, 5, into);
			job.label_code = corgi_sql_row_text(k, 6, into);
			job.read_from = corgi_sql_row_text(k, 9, into);
			job.sample_clause = corgi_sql_row_text(k, 10, into);
			job.block_shuffle = DatumGetBool(SPI_getbinval(row, desc, 15, &isnull));
			job.segments = segments_null ? 0 : segments;
			job.segment_seed = DatumGetInt64(SPI_getbinval(row, desc, 18, &isnull));
			value = SPI_getbinval(row, desc, 22, &isnull);
			job.segment_partitions = isnull ? 0 : DatumGetInt32(value);
		}
		else if (strcmp(path, first_path) != 0 || epochs != job.epochs ||
				 (segments_null ? 0 : segments) != job.segments)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("plan %d of corgi._fit reads its source otherwise than plan 1", k + 1),
					 errdetail("The plans of one job share their path, epochs and segments.")));
		if (job.read_from == NULL || job.feat_expr == NULL || job.label_code == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("plan %d of corgi._fit has no source or variables", k + 1)));
	}
	SPI_freetuptable(SPI_tuptable);

	/* The job's rules are the core's (TrainingJob.swift). */
	{
		int32		read_path;
		int32		sets_aside;
		int32		per_task_seconds;

		if (!corgi_job_plan(call, first_path, job.segments > 0 ? 1 : 0, job.count, groups, &read_path, &sets_aside,
							&per_task_seconds))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg_plural("corgi._fit cannot run %d plan of path \"%s\" for call \"%s\"%s%s",
								   "corgi._fit cannot run %d plans of path \"%s\" for call \"%s\"%s%s",
								   job.count, job.count, first_path, call, job.segments > 0 ? " with segments" : "",
								   groups > 0 ? " with groups" : ""),
					 errhint("corgi._fit runs the plans corgi.train and corgi.fit_multiple prepare.")));
		job.read_path = read_path;
		job.sets_aside = sets_aside != 0;
		job.per_task_seconds = per_task_seconds != 0;
		job.train_call = strcmp(call, "train") == 0;
	}
	return job;
}

Datum
corgi_fit_bytea_array(bytea **states, int count)
{
	return PointerGetDatum(construct_array((Datum *) states, count, BYTEAOID, -1, false, TYPALIGN_INT));
}

Datum
corgi_fit_int4_array(const int32 *values, int count)
{
	Datum	   *datums = palloc(sizeof(Datum) * Max(count, 1));

	for (int i = 0; i < count; i++)
		datums[i] = Int32GetDatum(values[i]);
	return PointerGetDatum(construct_array(datums, count, INT4OID, 4, true, TYPALIGN_INT));
}

/*
 * The configs' segment offsets for fused visits (FusedVisitPlan.swift): configs that see
 * the same rows in the same order share an offset, so that a visit of a segment can read
 * it once for all of them. Replaces the offsets the plans carry; corgi.fit_multiple
 * writes the ones used into each config's params (they replay a config alone).
 */
static void
plan_visit_offsets(FitJob *job)
{
	const void **datas = palloc(sizeof(void *) * job->count);
	int64	   *lengths = palloc(sizeof(int64) * job->count);
	int32	   *offsets = palloc(sizeof(int32) * job->count);
	CorgiError	error = {0};

	for (int k = 0; k < job->count; k++)
	{
		datas[k] = VARDATA_ANY(job->tasks[k].state);
		lengths[k] = VARSIZE_ANY_EXHDR(job->tasks[k].state);
	}
	corgi_visit_offsets(datas, lengths, job->count, job->segments, offsets, &error);
	corgi_raise_if_failed(&error);
	for (int k = 0; k < job->count; k++)
		job->tasks[k].offset = offsets[k];
}

/* The active tasks' states after one run of the executor, in epoch_cxt. */
static EpochRun
run_executor(FitJob *job, const int *active, int n_active, MemoryContext epoch_cxt)
{
	EpochRun	run = {0};
	bytea	  **states = palloc(sizeof(bytea *) * n_active);
	int32	   *offsets = palloc(sizeof(int32) * n_active);
	bool		isnull;

	for (int j = 0; j < n_active; j++)
	{
		states[j] = job->tasks[active[j]].state;
		offsets[j] = job->tasks[active[j]].offset;
	}
	run.states = MemoryContextAlloc(epoch_cxt, sizeof(bytea *) * n_active);
	run.seconds = MemoryContextAllocZero(epoch_cxt, sizeof(double) * n_active);

	if (job->read_path == CORGI_READ_PARTITIONS || job->read_path == CORGI_READ_HOP)
	{
		bool		partitions = job->read_path == CORGI_READ_PARTITIONS;
		const char *query = partitions
			? "SELECT h.states, h.seconds, h.workers_launched, h.servers, h.bytes_sent + h.bytes_received,"
			"       h.remote_jobs, h.round_trip_seconds"
			"  FROM corgi._hop_partitions(corgi._segment_tables($1::regclass), $2::text, $3::name, $4, $5, $6, $7, $8) h"
			: "SELECT h.states, h.seconds, h.workers_launched"
			"  FROM corgi._hop_epoch($1::regclass, $2::text, $3::name, $4, $5, $9, $6, $7, $8, $10) h";
		Oid			types[10] = {TEXTOID, TEXTOID, TEXTOID, BYTEAARRAYOID, INT4ARRAYOID, INT8OID, BOOLOID, INT4OID,
		INT4OID, INT4OID};
		Datum		values[10] = {CStringGetTextDatum(job->read_from), CStringGetTextDatum(job->feat_col),
			CStringGetTextDatum(job->label_col), corgi_fit_bytea_array(states, n_active), corgi_fit_int4_array(offsets, n_active),
			Int64GetDatum(job->segment_seed), BoolGetDatum(job->block_shuffle), Int32GetDatum(job->workers),
		Int32GetDatum(job->segments), Int32GetDatum(job->configs_per_visit)};
		Datum		result;
		Datum	   *elems;
		bool	   *elem_nulls;
		int			count;
		Datum	   *state_datums;

		corgi_fit_run_one_row(query, partitions ? 8 : 10, types, values, NULL);
		result = corgi_sql_column(1, &isnull, epoch_cxt);
		if (isnull)
			elog(ERROR, "corgi._fit: the hopping epoch returned no states");
		state_datums = corgi_bytea_elements(DatumGetArrayTypeP(result), "the hopping epoch's states", &count);
		if (count != n_active)
			elog(ERROR, "corgi._fit: the hopping epoch returned %d states for %d tasks", count, n_active);
		for (int j = 0; j < n_active; j++)
			run.states[j] = DatumGetByteaPP(state_datums[j]);
		result = corgi_sql_column(2, &isnull, epoch_cxt);
		if (!isnull)
		{
			deconstruct_array(DatumGetArrayTypeP(result), FLOAT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE, &elems,
							  &elem_nulls, &count);
			for (int j = 0; j < n_active && j < count; j++)
				run.seconds[j] = elem_nulls[j] ? 0 : DatumGetFloat8(elems[j]);
		}
		run.workers_launched = DatumGetInt32(corgi_sql_column(3, &isnull, epoch_cxt));
		if (partitions)
		{
			run.servers = DatumGetInt32(corgi_sql_column(4, &isnull, epoch_cxt));
			run.bytes_moved = DatumGetInt64(corgi_sql_column(5, &isnull, epoch_cxt));
			run.remote_jobs = DatumGetInt32(corgi_sql_column(6, &isnull, epoch_cxt));
			run.round_trip_seconds = DatumGetFloat8(corgi_sql_column(7, &isnull, epoch_cxt));
		}
	}
	else if (job->read_path == CORGI_READ_PASS)
	{
		Oid			types[5] = {TEXTOID, TEXTOID, TEXTOID, BYTEAOID, BOOLOID};
		Datum		values[5] = {CStringGetTextDatum(job->read_from), CStringGetTextDatum(job->feat_col),
			CStringGetTextDatum(job->label_col), PointerGetDatum(states[0]), BoolGetDatum(job->block_shuffle)};
		Datum		result;

		corgi_fit_run_one_row("SELECT corgi.train_pass($1::regclass, $2::text, $3::name, $4, $5)", 5, types, values, NULL);
		result = corgi_sql_column(1, &isnull, epoch_cxt);
		if (isnull)
			elog(ERROR, "corgi._fit: corgi.train_pass returned no state");
		run.states[0] = DatumGetByteaPP(result);
	}
	else
	{
		/* The composed path: the aggregate over a query; it closes the epoch itself. */
		CorgiStateInfo info;
		StringInfoData query;
		Oid			types[3] = {BYTEAOID, INT8OID, FLOAT8OID};
		Datum		values[3];
		Datum		result;

		corgi_state_info(states[0], &info);
		values[0] = PointerGetDatum(states[0]);
		values[1] = Int64GetDatum(corgi_block_pages(info.block_mb));
		values[2] = Float8GetDatum(info.block_order_seed);
		initStringInfo(&query);
		appendStringInfo(&query, "SELECT corgi.sgd((%s)::float8[], %s, $1) FROM %s %s", job->feat_expr, job->label_code,
						 job->read_from, job->sample_clause ? job->sample_clause : "");
		corgi_fit_run_one_row(query.data, 3, types, values, NULL);
		result = corgi_sql_column(1, &isnull, epoch_cxt);
		if (isnull)
			elog(ERROR, "corgi._fit: corgi.sgd returned no state");
		run.states[0] = DatumGetByteaPP(result);
	}
	SPI_freetuptable(SPI_tuptable);
	return run;
}

bytea *
corgi_fit_end_epoch(bytea *state, MemoryContext into)
{
	MemoryContext old = MemoryContextSwitchTo(into);
	CorgiHandle *blob = corgi_handle_new(into);
	CorgiError	error = {0};
	bytea	   *result;

	corgi_state_end_epoch(VARDATA_ANY(state), VARSIZE_ANY_EXHDR(state), &blob->object, &error);
	corgi_raise_if_failed(&error);
	result = corgi_blob_to_bytea(blob);
	MemoryContextSwitchTo(old);
	return result;
}

/* x rounded to `digits` as numeric prints it (the NOTICEs' round(x::numeric, d)). */
char *
corgi_fit_rounded(double x, int digits)
{
	Datum		n = DirectFunctionCall1(float8_numeric, Float8GetDatum(x));

	n = DirectFunctionCall2(numeric_round, n, Int32GetDatum(digits));
	return DatumGetCString(DirectFunctionCall1(numeric_out, n));
}

double
corgi_fit_seconds_since(instr_time start)
{
	instr_time	now;

	INSTR_TIME_SET_CURRENT(now);
	INSTR_TIME_SUBTRACT(now, start);
	return INSTR_TIME_GET_DOUBLE(now);
}

/* Whether two tasks are validated alike: one model type, classes and validation rows. */
static bool
same_validation(const FitTask *a, const FitTask *b)
{
	return strcmp(a->model, b->model) == 0 && a->val_table == b->val_table
		&& strcmp(a->dependent_varname, b->dependent_varname) == 0
		&& strcmp(a->independent_varname, b->independent_varname) == 0
		&& a->class_texts_null == b->class_texts_null
		&& (a->class_texts_null || datumIsEqual(a->class_texts, b->class_texts, false, -1));
}

/*
 * Validates the epoch's states of the tasks active[j] with validating[j]: the tasks
 * validated alike in one corgi._validate_many (one read of the validation table for all
 * of them where its pages are read directly), results into res at epoch e. Each task's
 * validation seconds are its share of its batch's.
 */
static void
validate_batches(FitJob *job, FitResults *res, int e, int k_count, const int *active, int n_active,
				 const bool *validating, bytea **states)
{
	bool	   *done = palloc0(sizeof(bool) * Max(n_active, 1));
	int		   *members = palloc(sizeof(int) * Max(n_active, 1));
	bytea	  **batch = palloc(sizeof(bytea *) * Max(n_active, 1));

	for (int j = 0; j < n_active; j++)
	{
		FitTask    *lead = &job->tasks[active[j]];
		int			n = 0;
		instr_time	began;
		double		seconds;
		Oid			types[6] = {BYTEAARRAYOID, TEXTOID, TEXTARRAYOID, REGCLASSOID, TEXTOID, TEXTOID};
		Datum		values[6];
		char		nulls[7] = "      ";
		Datum	   *losses;
		Datum	   *metrics;
		bool	   *losses_null;
		bool	   *metrics_null;
		int			count;
		bool		isnull;

		if (!validating[j] || done[j])
			continue;
		for (int q = j; q < n_active; q++)
			if (validating[q] && !done[q] && same_validation(lead, &job->tasks[active[q]]))
			{
				done[q] = true;
				batch[n] = states[q];
				members[n++] = q;
			}
		INSTR_TIME_SET_CURRENT(began);
		values[0] = corgi_fit_bytea_array(batch, n);
		values[1] = CStringGetTextDatum(lead->model);
		values[2] = lead->class_texts;
		values[3] = ObjectIdGetDatum(lead->val_table);
		values[4] = CStringGetTextDatum(lead->dependent_varname);
		values[5] = CStringGetTextDatum(lead->independent_varname);
		if (lead->class_texts_null)
			nulls[2] = 'n';
		corgi_fit_run_one_row("SELECT v.losses, v.metrics FROM corgi._validate_many($1, $2, $3, $4, $5, $6) v",
							  6, types, values, nulls);
		seconds = corgi_fit_seconds_since(began) / n;
		deconstruct_array(DatumGetArrayTypeP(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull)),
						  FLOAT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE, &losses, &losses_null, &count);
		if (isnull || count != n)
			elog(ERROR, "corgi._fit: validation returned %d losses for %d states", isnull ? 0 : count, n);
		deconstruct_array(DatumGetArrayTypeP(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull)),
						  FLOAT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE, &metrics, &metrics_null, &count);
		if (isnull || count != n)
			elog(ERROR, "corgi._fit: validation returned %d metrics for %d states", isnull ? 0 : count, n);
		for (int m = 0; m < n; m++)
		{
			int			i = (e - 1) * k_count + active[members[m]];

			res->val_loss[i] = losses[m];
			res->val_loss_null[i] = losses_null[m];
			res->val_metric[i] = metrics[m];
			res->val_metric_null[i] = metrics_null[m];
			res->val_seconds[i] = Float8GetDatum(seconds);
			res->val_seconds_null[i] = false;
		}
		SPI_freetuptable(SPI_tuptable);
	}
	pfree(done);
	pfree(members);
	pfree(batch);
}

/* A state kept past its epoch (a task or group set aside): into memory that stays. */
bytea *
corgi_fit_keep_state(bytea *state, MemoryContext into)
{
	MemoryContext old = MemoryContextSwitchTo(into);
	bytea	   *copy = (bytea *) PG_DETOAST_DATUM_COPY(PointerGetDatum(state));

	MemoryContextSwitchTo(old);
	return copy;
}

/*
 * Early stopping after a task's validation (scikit-learn's rule): the best epoch is the
 * one with the best metric so far, and the task stops once `patience` epochs in a row
 * have not beaten the best by more than `tolerance`. True when it stops now.
 */
static bool
stops_early(FitTask *task, int e, bytea *state, Datum metric, bool metric_null, MemoryContext keep_cxt)
{
	double		m = metric_null ? get_float8_nan() : DatumGetFloat8(metric);
	bool		known = !metric_null && !isnan(m);
	bool		better;
	bool		better_by_tolerance;

	if (task->patience <= 0)
		return false;
	if (!task->has_best)
	{
		better = better_by_tolerance = known;
	}
	else
	{
		better = known && (task->higher_is_better ? m > task->best_metric : m < task->best_metric);
		better_by_tolerance = known && (task->higher_is_better ? m > task->best_metric + task->tolerance
										: m < task->best_metric - task->tolerance);
	}
	task->since_best = better_by_tolerance ? 0 : task->since_best + 1;
	if (better)
	{
		if (task->best_state != NULL)
			pfree(task->best_state);
		task->best_state = corgi_fit_keep_state(state, keep_cxt);
		task->best_metric = m;
		task->best_epoch = e;
		task->has_best = true;
	}
	if (task->since_best < task->patience)
		return false;
	task->stopped_in = e;
	return true;
}

/* The index of a bracket's first rung in the flat list of rungs. */
static int
first_rung_of(const int32 *rung_bracket, int n_rungs, int bracket)
{
	for (int r = 0; r < n_rungs; r++)
		if (rung_bracket[r] == bracket)
			return r;
	return 0;
}

/*
 * The end of a rung of successive halving (after epoch e): of the tasks still training,
 * the best `keep` by their validation metric this epoch go on; the others stop, with
 * their state of this epoch.
 */
static void
end_rung(FitJob *job, FitResults *res, int e, int bracket, int rung, int32 keep, bool verbose, MemoryContext keep_cxt)
{
	int			k_count = job->count;
	int		   *candidates = palloc(sizeof(int) * k_count);
	double	   *metrics = palloc(sizeof(double) * k_count);
	int32	   *known = palloc(sizeof(int32) * k_count);
	int32	   *survivors = palloc(sizeof(int32) * k_count);
	bool	   *goes_on = palloc0(sizeof(bool) * k_count);
	int			n = 0;
	int			kept;

	for (int k = 0; k < k_count; k++)
	{
		FitTask    *task = &job->tasks[k];
		int			i = (e - 1) * k_count + k;

		if (task->diverged_in != 0 || task->stopped_in != 0 || task->bracket != bracket)
			continue;
		candidates[n] = k;
		known[n] = !res->val_metric_null[i];
		metrics[n] = known[n] ? DatumGetFloat8(res->val_metric[i]) : 0;
		n++;
	}
	if (n == 0)
		return;
	kept = corgi_schedule_survivors(metrics, known, n, keep, job->tasks[candidates[0]].higher_is_better ? 1 : 0,
									survivors);
	for (int j = 0; j < kept; j++)
		if (survivors[j] >= 0 && survivors[j] < n)
			goes_on[survivors[j]] = true;
	for (int j = 0; j < n; j++)
	{
		FitTask    *task = &job->tasks[candidates[j]];

		if (goes_on[j])
			continue;
		task->stopped_in = e;
		task->stopped_rung = rung;
		task->state = corgi_fit_keep_state(task->state, keep_cxt);
	}
	if (verbose)
		ereport(NOTICE,
				(errmsg("rung %d of bracket %d ends in epoch %d: %d of %d configs go on", rung, bracket + 1, e,
						Min(kept, n), n)));
}

/*
 * The size of a job's per-epoch arrays, tasks x epochs, checked: an error, not an
 * overflow, for a job too large to hold its figures (a crafted call; the drivers' memory
 * plans refuse such jobs earlier).
 */
int
corgi_fit_flat_count(int tasks, int epochs)
{
	int64		count = (int64) Max(tasks, 0) * Max(epochs, 0);

	if (count > (int64) (MaxAllocSize / sizeof(Datum)))
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("a job of %d tasks over %d epochs is too large for its per-epoch figures", tasks, epochs),
				 errhint("Train fewer groups or configs per call, or fewer epochs.")));
	return (int) count;
}

Datum
corgi_fit_flat_array(Datum *values, bool *nulls, int count, Oid type)
{
	int			dims[1] = {count};
	int			lbs[1] = {1};
	int16		typlen;
	bool		typbyval;
	char		typalign;

	get_typlenbyvalalign(type, &typlen, &typbyval, &typalign);
	return PointerGetDatum(construct_md_array(values, nulls, 1, dims, lbs, type, typlen, typbyval, typalign));
}

PG_FUNCTION_INFO_V1(corgi_fit);

/*
 * corgi._fit(plans corgi.training_plan[], call text, workers integer, verbose boolean,
 * group_states bytea[], group_keys text[], key_count integer, batches integer[],
 * group_columns name[], key_exprs text, val_key_sql text, bundles bytea[], config_ids
 * integer[]) -> (final_states, epoch_loss, epoch_seconds, epoch_rows, epoch_skipped,
 * val_loss, val_metric, val_seconds, workers_launched, wall_seconds, diverged_in,
 * diverged_loss, val_loss_all, val_metric_all, servers, bytes_moved, remote_jobs,
 * round_trip_seconds, left_config, left_group, left_state, left_epoch, scored_config,
 * scored_group, scored_loss, scored_metric): the epochs of a job (see the top of this
 * file). group_states given: a grouped train (its groups are the tasks); bundles given:
 * a grouped fit_multiple (final_states are the bundles, NULL for a config set aside;
 * left_* the groups that left them; scored_* each config's last validation per group).
 * Per-epoch figures are flat arrays of epochs x tasks (or groups), the task fastest; a
 * grouped train's epoch_seconds has one entry per epoch.
 */
Datum
corgi_fit(PG_FUNCTION_ARGS)
{
	ArrayType  *plans;
	char	   *call;
	int32		workers;
	bool		verbose;
	bool		grouped = !PG_ARGISNULL(4);	/* a grouped train */
	bool		bundled = !PG_ARGISNULL(11);	/* a grouped fit_multiple */
	int32		rung_bracket[256];
	int32		rung_epochs[256];
	int32		rung_keep[256];
	int32		bracket_configs[64];
	int32		rung_of_bracket[64];	/* each bracket's next rung: an index into the rungs */
	int32		n_brackets = 0;
	int			n_rungs = 0;
	Oid			plans_type = get_fn_expr_argtype(fcinfo->flinfo, 0);
	MemoryContext call_cxt = CurrentMemoryContext;
	MemoryContext epoch_cxt = NULL;
	FitJob		job;
	FitGroups	groups = {0};
	FitResults	res = {0};
	int			k_count;
	int			flat;
	int		   *active;
	TupleDesc	desc;
	Datum		values[32];
	bool		nulls[32] = {false};

	for (int a = 0; a <= 3; a++)
		if (PG_ARGISNULL(a))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("the plans, call, workers and verbose of corgi._fit must not be NULL")));
	plans = PG_GETARG_ARRAYTYPE_P(0);
	call = text_to_cstring(PG_GETARG_TEXT_PP(1));
	workers = PG_GETARG_INT32(2);
	verbose = PG_GETARG_BOOL(3);
	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "corgi._fit must return a record");
	if (!OidIsValid(plans_type))
		elog(ERROR, "corgi._fit: the type of its plans is unknown");
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "corgi._fit: SPI_connect failed");
	if (grouped && bundled)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a corgi._fit job has group states or bundles, not both")));
	{
		int32		group_count = 0;

		if (grouped)
			group_count = Max(ArrayGetNItems(ARR_NDIM(PG_GETARG_ARRAYTYPE_P(4)), ARR_DIMS(PG_GETARG_ARRAYTYPE_P(4))), 1);
		else if (bundled && !PG_ARGISNULL(5) && !PG_ARGISNULL(6) && PG_GETARG_INT32(6) > 0)
			group_count = Max(ArrayGetNItems(ARR_NDIM(PG_GETARG_ARRAYTYPE_P(5)), ARR_DIMS(PG_GETARG_ARRAYTYPE_P(5))) /
							  PG_GETARG_INT32(6), 1);
		else if (bundled)
			group_count = 1;
		job = read_job(plans, plans_type, call, workers, group_count, call_cxt);
	}
	if (grouped || bundled)
		groups = corgi_fit_read_groups(fcinfo, &job, job.epochs, bundled, call_cxt);
	/*
	 * fit_multiple's configs on one table: the offsets that let them share visits, and how
	 * many share one (a unit: this changes no model, only how often a segment is read).
	 */
	job.configs_per_visit = PG_NARGS() > 15 && !PG_ARGISNULL(15) ? PG_GETARG_INT32(15) : 1;
	if (!job.train_call && ((!grouped && !bundled && job.read_path == CORGI_READ_HOP)
							|| (bundled && job.read_path == CORGI_READ_GROUP_HOP)))
		plan_visit_offsets(&job);
	/* The schedule: rungs of successive halving, or none (grid). */
	{
		CorgiError	error = {0};

		int32	   *config_bracket = palloc0(sizeof(int32) * Max(job.count, 1));

		n_rungs = corgi_schedule_rungs(PG_ARGISNULL(13) ? "grid" : text_to_cstring(PG_GETARG_TEXT_PP(13)),
									   PG_ARGISNULL(14) ? "" : text_to_cstring(PG_GETARG_TEXT_PP(14)), job.count,
									   job.epochs, rung_bracket, rung_epochs, rung_keep, lengthof(rung_epochs),
									   bracket_configs, lengthof(bracket_configs), &n_brackets, config_bracket,
									   &error);
		if (n_rungs < 0)
			corgi_raise_if_failed(&error);
		/* Each bracket starts at its first rung; the configs are dealt to them by the schedule. */
		for (int b = 0; b < n_brackets && b < (int) lengthof(bracket_configs); b++)
		{
			rung_of_bracket[b] = -1;
			for (int r = 0; r < n_rungs; r++)
				if (rung_bracket[r] == b && rung_of_bracket[b] < 0)
					rung_of_bracket[b] = r;
		}
		for (int k = 0; k < job.count && n_rungs > 0; k++)
		{
			if (config_bracket[k] < 0 || config_bracket[k] >= n_brackets
				|| config_bracket[k] >= (int) lengthof(bracket_configs))
				elog(ERROR, "corgi: config %d dealt to bracket %d of %d", k + 1, config_bracket[k], n_brackets);
			job.tasks[k].bracket = config_bracket[k];
		}
		if (n_rungs > 0 && (grouped || groups.per_group || !job.sets_aside))
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("successive halving and Hyperband schedule the configs of a corgi.fit_multiple")));
		for (int k = 0; k < job.count && n_rungs > 0; k++)
		{
			if (!OidIsValid(job.tasks[k].val_table))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("successive halving needs a validation table"),
						 errhint("Pass validation_table => ...: the configs that go on after a rung are the best on it.")));
			/* A rung ranks the configs by one metric. */
			if (strcmp(job.tasks[k].metric, job.tasks[0].metric) != 0)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("successive halving ranks configs by one validation metric, and config %d is scored by %s, config 1 by %s",
								k + 1, job.tasks[k].metric, job.tasks[0].metric),
						 errhint("Select classifiers and regressions in separate calls.")));
		}
	}
	k_count = grouped || groups.per_group ? groups.count : job.count;
	flat = corgi_fit_flat_count(k_count, job.epochs);

	{
		MemoryContext old = MemoryContextSwitchTo(call_cxt);

#define FLAT(name) do { res.name = palloc0(sizeof(Datum) * Max(flat, 1)); \
		res.name##_null = palloc(sizeof(bool) * Max(flat, 1)); \
		memset(res.name##_null, true, sizeof(bool) * Max(flat, 1)); } while (0)
		FLAT(epoch_loss);
		FLAT(epoch_seconds);
		FLAT(epoch_rows);
		FLAT(val_loss);
		FLAT(val_metric);
		FLAT(val_seconds);
#undef FLAT
		res.workers_launched = palloc0(sizeof(Datum) * Max(job.epochs, 1));
		res.wall_seconds = palloc0(sizeof(Datum) * Max(job.epochs, 1));
		active = palloc(sizeof(int) * Max(job.count, 1));
		MemoryContextSwitchTo(old);
	}

	for (int e = 1; e <= job.epochs; e++)
	{
		MemoryContext next_cxt = AllocSetContextCreate(call_cxt, "corgi epoch states", ALLOCSET_DEFAULT_SIZES);
		int			n_active = 0;
		instr_time	began;
		EpochRun	run = {0};
		double		wall;
		double		lowest = get_float8_nan();
		bool		any_loss = false;

		if (grouped)
		{
			/* The groups: every batch, then validation of them all at once. */
			double		mean_loss;
			bool		mean_known;
			int			set_aside = 0;
			int			trained;

			for (int g = 0; g < groups.count; g++)
				set_aside += groups.diverged_in[g] != 0;
			corgi_progress_epoch("training", e, set_aside);
			INSTR_TIME_SET_CURRENT(began);
			trained = corgi_fit_run_group_epoch(&job, &groups, &res, e, next_cxt, call_cxt, &mean_loss, &mean_known);
			wall = corgi_fit_seconds_since(began);
			res.wall_seconds[res.epochs_run] = Float8GetDatum(wall);
			res.epochs_run++;
			if (mean_known)
				corgi_progress_loss(mean_loss);
			if (OidIsValid(job.tasks[0].val_table))
			{
				corgi_progress_phase("validating");
				corgi_fit_validate_groups(&job, &groups, &res, e);
			}
			if (verbose)
				ereport(NOTICE,
						(errmsg("epoch %d: %d groups in %d batches, %s s, mean loss %s", e, trained, groups.batches,
								corgi_fit_rounded(wall, 3), mean_known ? corgi_fit_rounded(mean_loss, 6) : "<NULL>")));
		}
		else if (bundled)
		{
			/* Each config's groups as one bundle: hop, close, validate. */
			int32		launched = 0;
			int			set_aside = 0;

			for (int k = 0; k < job.count; k++)
				set_aside += groups.bundle_null[k];
			if (set_aside == job.count)
			{
				MemoryContextDelete(next_cxt);
				break;
			}
			corgi_progress_epoch("training", e, set_aside * groups.count);
			INSTR_TIME_SET_CURRENT(began);
			n_active = corgi_fit_run_bundle_epoch(&job, &groups, &res, e, active, next_cxt, call_cxt, &launched, &lowest,
										&any_loss);
			/* Rungs that end this epoch: each group's configs halve on their own. */
			for (int b = 0; b < n_brackets; b++)
			{
				int			r = rung_of_bracket[b];
				bool		last;

				if (r < 0 || r >= n_rungs || rung_epochs[r] != e)
					continue;
				last = r + 1 >= n_rungs || rung_bracket[r + 1] != b;
				if (!last)
					corgi_fit_end_bundle_rung(&job, &groups, e, b, r - first_rung_of(rung_bracket, n_rungs, b) + 1,
											  rung_keep[r], next_cxt, call_cxt);
				rung_of_bracket[b] = last ? -1 : r + 1;
			}
			res.workers_launched[res.epochs_run] = Int32GetDatum(launched);
			wall = corgi_fit_seconds_since(began);
			res.wall_seconds[res.epochs_run] = Float8GetDatum(wall);
			res.epochs_run++;
			if (verbose && groups.per_group)
				ereport(NOTICE,
						(errmsg("epoch %d: %d groups in one bundle over %d segments, %s s, mean loss %s", e, groups.count,
								job.segments, corgi_fit_rounded(wall, 3), any_loss ? corgi_fit_rounded(lowest, 6) : "<NULL>")));
			else if (verbose)
				ereport(NOTICE,
						(errmsg("epoch %d: %d configs of %d groups on %d workers and the leader, %s s; lowest training loss %s",
								e, n_active, groups.count, launched, corgi_fit_rounded(wall, 3),
								any_loss ? corgi_fit_rounded(lowest, 6) : "")));
		}
		else
		{
			for (int k = 0; k < k_count; k++)
				if (job.tasks[k].diverged_in == 0 && job.tasks[k].stopped_in == 0)
					active[n_active++] = k;
			if (n_active == 0)
			{
				MemoryContextDelete(next_cxt);
				break;
			}
			corgi_progress_epoch("training", e, k_count - n_active);
			INSTR_TIME_SET_CURRENT(began);
			run = run_executor(&job, active, n_active, next_cxt);
			res.workers_launched[res.epochs_run] = Int32GetDatum(run.workers_launched);
			res.servers = Max(res.servers, run.servers);
			res.bytes_moved += run.bytes_moved;
			res.remote_jobs += run.remote_jobs;
			res.round_trip_seconds += run.round_trip_seconds;
			corgi_progress_workers(run.workers_launched);

			bool	   *validating = palloc0(sizeof(bool) * Max(n_active, 1));
			bytea	  **epoch_states = palloc0(sizeof(bytea *) * Max(n_active, 1));

			for (int j = 0; j < n_active; j++)
			{
				int			k = active[j];
				FitTask    *task = &job.tasks[k];
				int			i = (e - 1) * k_count + k;
				bytea	   *state = job.read_path == CORGI_READ_COMPOSED
					? run.states[j] : corgi_fit_end_epoch(run.states[j], next_cxt);
				CorgiStateInfo info;
				bool		loss_null;

				CHECK_FOR_INTERRUPTS();
				task->state = state;
				corgi_state_info(state, &info);
				loss_null = info.last_rows == 0;
				res.epoch_loss[i] = Float8GetDatum(info.last_mean_loss);
				res.epoch_loss_null[i] = loss_null;
				res.epoch_rows[i] = Int64GetDatum(info.last_rows);
				res.epoch_rows_null[i] = false;
				res.epoch_seconds[i] = Float8GetDatum(job.per_task_seconds ? run.seconds[j] : corgi_fit_seconds_since(began));
				res.epoch_seconds_null[i] = false;
				/* The lowest as min() orders float8: NaN above every number. */
				if (!loss_null && (!any_loss || info.last_mean_loss < lowest ||
								   (isnan(lowest) && !isnan(info.last_mean_loss))))
				{
					lowest = info.last_mean_loss;
					any_loss = true;
					corgi_progress_loss(lowest);	/* the epoch's lowest so far */
				}
				if (corgi_state_diverged(state, &info))
				{
					char	   *loss_text = loss_null ? "<NULL>" : float8out_internal(info.last_mean_loss);

					if (!job.sets_aside)
						ereport(ERROR,
								(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
								 errmsg("training diverged in epoch %d: the loss is %s", e, loss_text),
								 errdetail("The weights are no longer finite numbers; nothing was written."),
								 errhint("Lower learning_rate (it was %s in this epoch), or scale the features.",
										 float8out_internal(task->learning_rate * pow(task->decay, e - 1)))));
					/* Set aside: its last state stays, past this epoch's memory. */
					task->state = corgi_fit_keep_state(state, call_cxt);
					task->diverged_in = e;
					task->diverged_loss = info.last_mean_loss;
					task->diverged_loss_null = loss_null;
					ereport(NOTICE,
							(errmsg("config %d diverged in epoch %d (loss %s): it is set aside, the others go on",
									k + 1, e, loss_text),
							 errhint("Lower its learning_rate, or scale the features.")));
					continue;
				}
				validating[j] = OidIsValid(task->val_table);
				epoch_states[j] = state;
			}
			/* Validation: the tasks validated alike share one read of the table. */
			for (int j = 0; j < n_active; j++)
				if (validating[j])
				{
					corgi_progress_phase("validating");
					validate_batches(&job, &res, e, k_count, active, n_active, validating, epoch_states);
					break;
				}
			for (int j = 0; j < n_active; j++)
			{
				int			k = active[j];
				FitTask    *task = &job.tasks[k];
				int			i = (e - 1) * k_count + k;
				bytea	   *state = epoch_states[j];

				if (task->diverged_in == e)
					continue;
				if (validating[j] && stops_early(task, e, state, res.val_metric[i], res.val_metric_null[i], call_cxt))
				{
					task->state = corgi_fit_keep_state(state, call_cxt);
					ereport(NOTICE,
							(errmsg_plural("%s stopped early in epoch %d: its validation %s has not improved by more than %s for %d epoch; the model written is that of its best epoch, %d",
										   "%s stopped early in epoch %d: its validation %s has not improved by more than %s for %d epochs; the model written is that of its best epoch, %d",
										   task->patience,
										   job.sets_aside ? psprintf("config %d", k + 1) : "training", e, task->metric,
										   float8out_internal(task->tolerance), task->patience, task->best_epoch)));
				}
				if (verbose && !job.sets_aside)
				{
					StringInfoData validation;
					CorgiStateInfo info;

					corgi_state_info(state, &info);
					initStringInfo(&validation);
					if (OidIsValid(task->val_table))
						appendStringInfo(&validation, ", validation loss %s, %s %s",
										 res.val_loss_null[i] ? "" : corgi_fit_rounded(DatumGetFloat8(res.val_loss[i]), 6),
										 task->metric,
										 res.val_metric_null[i] ? "" : corgi_fit_rounded(DatumGetFloat8(res.val_metric[i]), 4));
					ereport(NOTICE,
							(errmsg("epoch %d: loss %s, rows " INT64_FORMAT ", skipped " INT64_FORMAT ", %s s%s", e,
									info.last_rows == 0 ? "<NULL>" : corgi_fit_rounded(info.last_mean_loss, 6), info.last_rows,
									info.last_skipped, corgi_fit_rounded(DatumGetFloat8(res.epoch_seconds[i]), 3),
									validation.data)));
				}
			}
			/* The rungs that end this epoch (a bracket's last rung keeps its configs). */
			for (int b = 0; b < n_brackets; b++)
			{
				int			r = rung_of_bracket[b];
				bool		last;

				if (r < 0 || r >= n_rungs || rung_epochs[r] != e)
					continue;
				last = r + 1 >= n_rungs || rung_bracket[r + 1] != b;
				if (!last)
					end_rung(&job, &res, e, b, r - first_rung_of(rung_bracket, n_rungs, b) + 1, rung_keep[r], verbose,
							 call_cxt);
				rung_of_bracket[b] = last ? -1 : r + 1;
			}
			wall = corgi_fit_seconds_since(began);
			res.wall_seconds[res.epochs_run] = Float8GetDatum(wall);
			res.epochs_run++;
			if (verbose && job.sets_aside)
			{
				if (job.read_path == CORGI_READ_PARTITIONS)
					ereport(NOTICE,
							(errmsg("epoch %d: %d models over %d partitions (on %d other servers; %d workers here), %s s; lowest training loss %s",
									e, n_active, job.segment_partitions, run.servers, run.workers_launched,
									corgi_fit_rounded(wall, 3), any_loss ? corgi_fit_rounded(lowest, 6) : "")));
				else
					ereport(NOTICE,
							(errmsg("epoch %d: %d models on %d workers and the leader, %s s; lowest training loss %s",
									e, n_active, run.workers_launched, corgi_fit_rounded(wall, 3),
									any_loss ? corgi_fit_rounded(lowest, 6) : "")));
			}
		}
		/* The states of the epoch before are no longer needed. */
		if (epoch_cxt != NULL)
			MemoryContextDelete(epoch_cxt);
		epoch_cxt = next_cxt;
	}

	/* The result, in the caller's memory. */
	{
		MemoryContext old = MemoryContextSwitchTo(call_cxt);
		bytea	  **finals = palloc(sizeof(bytea *) * Max(k_count, 1));
		Datum	   *diverged_in = palloc(sizeof(Datum) * Max(k_count, 1));
		bool	   *diverged_in_null = palloc(sizeof(bool) * Max(k_count, 1));
		Datum	   *diverged_loss = palloc(sizeof(Datum) * Max(k_count, 1));
		bool	   *diverged_loss_null = palloc(sizeof(bool) * Max(k_count, 1));

		bool	   *finals_null = palloc0(sizeof(bool) * Max(k_count, 1));

		if (groups.per_group && !groups.bundle_null[0])
		{
			/* The groups still in the bundle: their states, unbundled. */
			Oid			types[1] = {BYTEAOID};
			Datum		bundle_value[1] = {groups.bundles[0]};
			Datum	   *members;
			bool	   *member_nulls;
			Datum	   *member_states;
			int			n;
			int			n_states;
			bool		isnull;

			corgi_fit_run_one_row("SELECT u.groups, u.states FROM corgi._unbundle($1) u", 1, types, bundle_value, NULL);
			deconstruct_array(DatumGetArrayTypeP(corgi_sql_column(1, &isnull, call_cxt)), INT4OID, 4, true, TYPALIGN_INT,
							  &members, &member_nulls, &n);
			member_states = corgi_bytea_elements(DatumGetArrayTypeP(corgi_sql_column(2, &isnull, call_cxt)),
												 "the bundle's states", &n_states);
			SPI_freetuptable(SPI_tuptable);
			for (int m = 0; m < n && m < n_states; m++)
			{
				int32		g = DatumGetInt32(members[m]);

				if (g >= 0 && g < groups.count)
					groups.group_states[g] = member_states[m];
			}
		}
		for (int k = 0; k < k_count; k++)
		{
			int32		d = groups.per_group ? groups.group_diverged_in[k]
				: grouped || bundled ? groups.diverged_in[k] : job.tasks[k].diverged_in;
			Datum		state = grouped ? groups.states[k]
				: groups.per_group ? groups.group_states[k]
				: bundled ? groups.bundles[k]
				: job.tasks[k].best_state != NULL ? PointerGetDatum(job.tasks[k].best_state)	/* early stopping */
				: PointerGetDatum(job.tasks[k].state);

			finals_null[k] = groups.per_group ? state == (Datum) 0 : bundled && groups.bundle_null[k];
			finals[k] = finals_null[k] ? NULL : (bytea *) PG_DETOAST_DATUM_COPY(state);
			diverged_in[k] = Int32GetDatum(d);
			diverged_in_null[k] = d == 0;
			diverged_loss[k] = Float8GetDatum(grouped || bundled ? 0 : job.tasks[k].diverged_loss);
			diverged_loss_null[k] = grouped || bundled || d == 0 || job.tasks[k].diverged_loss_null;
		}
		{
			Datum	   *final_datums = palloc(sizeof(Datum) * Max(k_count, 1));

			for (int k = 0; k < k_count; k++)
				final_datums[k] = PointerGetDatum(finals[k]);
			values[0] = corgi_fit_flat_array(final_datums, finals_null, k_count, BYTEAOID);
		}
		values[1] = corgi_fit_flat_array(res.epoch_loss, res.epoch_loss_null, flat, FLOAT8OID);
		/* A grouped job's groups share their epochs' seconds. */
		values[2] = grouped || groups.per_group ? corgi_fit_flat_array(res.wall_seconds, NULL, res.epochs_run, FLOAT8OID)
			: corgi_fit_flat_array(res.epoch_seconds, res.epoch_seconds_null, flat, FLOAT8OID);
		values[3] = corgi_fit_flat_array(res.epoch_rows, res.epoch_rows_null, flat, INT8OID);
		if (grouped)
			values[4] = corgi_fit_flat_array(groups.epoch_skipped, groups.epoch_skipped_null, flat, INT8OID);
		else
			nulls[4] = true;
		values[5] = corgi_fit_flat_array(res.val_loss, res.val_loss_null, flat, FLOAT8OID);
		values[6] = corgi_fit_flat_array(res.val_metric, res.val_metric_null, flat, FLOAT8OID);
		values[7] = corgi_fit_flat_array(res.val_seconds, res.val_seconds_null, flat, FLOAT8OID);
		values[8] = corgi_fit_flat_array(res.workers_launched, NULL, res.epochs_run, INT4OID);
		values[9] = corgi_fit_flat_array(res.wall_seconds, NULL, res.epochs_run, FLOAT8OID);
		values[10] = corgi_fit_flat_array(diverged_in, diverged_in_null, k_count, INT4OID);
		values[11] = corgi_fit_flat_array(diverged_loss, diverged_loss_null, k_count, FLOAT8OID);
		if (grouped || groups.per_group)
		{
			values[12] = corgi_fit_flat_array(groups.val_loss_all, groups.val_loss_all_null, job.epochs, FLOAT8OID);
			values[13] = corgi_fit_flat_array(groups.val_metric_all, groups.val_metric_all_null, job.epochs, FLOAT8OID);
		}
		else
			nulls[12] = nulls[13] = true;
		values[14] = Int32GetDatum(res.servers);
		values[15] = Int64GetDatum(res.bytes_moved);
		values[16] = Int32GetDatum(res.remote_jobs);
		values[17] = Float8GetDatum(res.round_trip_seconds);
		if (bundled && !groups.per_group)
		{
			int			total = 0;
			int			at = 0;
			Datum	   *sc;
			Datum	   *sg;
			Datum	   *sl;
			bool	   *sln;
			Datum	   *sm;
			bool	   *smn;

			values[30] = corgi_fit_flat_array(groups.out_rung, NULL, groups.n_out, INT4OID);
			values[18] = corgi_fit_flat_array(groups.out_config, NULL, groups.n_out, INT4OID);
			values[19] = corgi_fit_flat_array(groups.out_group, NULL, groups.n_out, INT8OID);
			values[20] = corgi_fit_flat_array(groups.out_state, NULL, groups.n_out, BYTEAOID);
			values[21] = corgi_fit_flat_array(groups.out_epoch, NULL, groups.n_out, INT4OID);
			for (int k = 0; k < job.count; k++)
				total += groups.n_scored[k];
			sc = palloc(sizeof(Datum) * Max(total, 1));
			sg = palloc(sizeof(Datum) * Max(total, 1));
			sl = palloc(sizeof(Datum) * Max(total, 1));
			sln = palloc(sizeof(bool) * Max(total, 1));
			sm = palloc(sizeof(Datum) * Max(total, 1));
			smn = palloc(sizeof(bool) * Max(total, 1));
			for (int k = 0; k < job.count; k++)
				for (int r = 0; r < groups.n_scored[k]; r++, at++)
				{
					sc[at] = Int32GetDatum(k + 1);
					sg[at] = groups.scored_group[k][r];
					sl[at] = groups.scored_loss[k][r];
					sln[at] = groups.scored_loss_null[k][r];
					sm[at] = groups.scored_metric[k][r];
					smn[at] = groups.scored_metric_null[k][r];
				}
			values[22] = corgi_fit_flat_array(sc, NULL, total, INT4OID);
			values[23] = corgi_fit_flat_array(sg, NULL, total, INT8OID);
			values[24] = corgi_fit_flat_array(sl, sln, total, FLOAT8OID);
			values[25] = corgi_fit_flat_array(sm, smn, total, FLOAT8OID);
		}
		else
		{
			for (int c = 18; c < 26; c++)
				nulls[c] = true;
			nulls[30] = true;
		}
		if (grouped || groups.per_group)
			nulls[26] = nulls[27] = nulls[28] = nulls[29] = true;
		else
		{
			Datum	   *stopped = palloc(sizeof(Datum) * k_count);
			bool	   *stopped_null = palloc(sizeof(bool) * k_count);
			Datum	   *best = palloc(sizeof(Datum) * k_count);
			bool	   *best_null = palloc(sizeof(bool) * k_count);

			for (int k = 0; k < k_count; k++)
			{
				stopped[k] = Int32GetDatum(job.tasks[k].stopped_in);
				stopped_null[k] = job.tasks[k].stopped_in == 0;
				best[k] = Int32GetDatum(job.tasks[k].best_epoch);
				best_null[k] = job.tasks[k].best_state == NULL;
			}
			values[26] = corgi_fit_flat_array(stopped, stopped_null, k_count, INT4OID);
			values[27] = corgi_fit_flat_array(best, best_null, k_count, INT4OID);
			{
				Datum	   *rungs = palloc(sizeof(Datum) * k_count);
				bool	   *rungs_null = palloc(sizeof(bool) * k_count);

				for (int k = 0; k < k_count; k++)
				{
					rungs[k] = Int32GetDatum(job.tasks[k].stopped_rung);
					rungs_null[k] = job.tasks[k].stopped_rung == 0;
				}
				values[28] = corgi_fit_flat_array(rungs, rungs_null, k_count, INT4OID);
				for (int k = 0; k < k_count; k++)
				{
					rungs[k] = Int32GetDatum(job.tasks[k].bracket + 1);
					rungs_null[k] = n_brackets == 0;
				}
				values[29] = corgi_fit_flat_array(rungs, rungs_null, k_count, INT4OID);
			}
		}
		if (grouped)
			nulls[31] = true;
		else
		{
			int32	   *offsets = palloc(sizeof(int32) * job.count);

			for (int k = 0; k < job.count; k++)
				offsets[k] = job.tasks[k].offset;
			values[31] = corgi_fit_int4_array(offsets, job.count);
		}
		MemoryContextSwitchTo(old);
	}
	SPI_finish();
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(desc), values, nulls)));
}
