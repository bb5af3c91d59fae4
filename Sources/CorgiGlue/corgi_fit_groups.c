/*
 * corgi_fit_groups.c: the grouped jobs of the one epoch loop (corgi_fit.c).
 *
 * A grouped corgi.train: its groups are the tasks of one plan. Each epoch reads the source
 * once per batch of groups (corgi._train_groups on the fast path, the aggregate
 * corgi._sgd_groups on the composed path); a group whose loss stops being finite is set
 * aside; validation scores every group's rows in one pass (corgi._metrics_grouped).
 *
 * A grouped corgi.fit_multiple (and a grouped train with segments): each config's groups
 * are one bundle (corgi_group_bundle.c) that hops over the segments
 * (corgi._hop_groups_epoch); after each epoch the bundle's groups close their epoch, a
 * diverged group leaves the bundle with its last state, and a config whose groups have
 * all left is set aside. A grouped train keeps its groups' own figures (per_group).
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/float.h"

#include "corgi_core_api.h"
#include "corgi_fit.h"
#include "corgi_sql.h"
#include "corgi_group_bundle.h"
#include "corgi_progress.h"
#include "corgi_training.h"

/*
 * The groups of a grouped job, from corgi._fit's group arguments: a grouped train's
 * states, keys, key count, batches and columns (4 to 8), or a grouped fit_multiple's keys,
 * key count and columns (5, 6, 8) with a bundle and an id per config (11, 12).
 */
FitGroups
corgi_fit_read_groups(FunctionCallInfo fcinfo, FitJob *job, int epochs, bool hop, MemoryContext into)
{
	FitGroups	groups = {0};
	MemoryContext old = MemoryContextSwitchTo(into);
	Datum	   *elems;
	bool	   *elem_nulls;
	int			count;
	int			flat;
	static const int train_args[] = {4, 5, 6, 7, 8};
	static const int hop_args[] = {5, 6, 8, 11, 12};
	const int  *needed = hop ? hop_args : train_args;

	for (int a = 0; a < 5; a++)
		if (PG_ARGISNULL(needed[a]))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg(hop ? "a grouped corgi._fit of configs needs its groups' keys, key count and columns, and the configs' bundles and ids"
							: "a grouped corgi._fit needs its groups' states, keys, key count, batches and columns")));
	groups.key_count = PG_GETARG_INT32(6);
	deconstruct_array(PG_GETARG_ARRAYTYPE_P_COPY(5), TEXTOID, -1, false, TYPALIGN_INT, &groups.keys,
					  &groups.key_nulls, &count);
	if (hop)
		groups.count = groups.key_count > 0 ? count / groups.key_count : 0;
	else
		groups.states = corgi_bytea_elements(PG_GETARG_ARRAYTYPE_P_COPY(4), "the groups' states", &groups.count);
	if (groups.count < 1 || groups.count > 1000000 || groups.key_count < 1 || groups.key_count > 32 ||
		count != groups.count * groups.key_count)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%d groups need %d keys each, got %d keys", groups.count, groups.key_count, count),
				 errhint("A grouped job has 1 to 1000000 groups of 1 to 32 keys each.")));
	if (hop)
	{
		int			ids;

		groups.bundles = corgi_bytea_elements(PG_GETARG_ARRAYTYPE_P_COPY(11), "the configs' bundles", &count);
		deconstruct_array(PG_GETARG_ARRAYTYPE_P(12), INT4OID, 4, true, TYPALIGN_INT, &elems, &elem_nulls, &ids);
		if (count != job->count || ids != job->count)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%d configs need a bundle and an id each, got %d bundles and %d ids", job->count, count,
							ids)));
		groups.bundle_null = palloc0(sizeof(bool) * job->count);
		groups.config_ids = palloc(sizeof(int32) * job->count);
		for (int k = 0; k < job->count; k++)
			groups.config_ids[k] = elem_nulls[k] ? k + 1 : DatumGetInt32(elems[k]);
		groups.per_group = job->train_call;
		if (groups.per_group)
		{
			groups.group_diverged_in = palloc0(sizeof(int32) * groups.count);
			groups.group_states = palloc0(sizeof(Datum) * groups.count);
		}
		groups.n_scored = palloc0(sizeof(int) * job->count);
		groups.scored_group = palloc0(sizeof(Datum *) * job->count);
		groups.scored_loss = palloc0(sizeof(Datum *) * job->count);
		groups.scored_loss_null = palloc0(sizeof(bool *) * job->count);
		groups.scored_metric = palloc0(sizeof(Datum *) * job->count);
		groups.scored_metric_null = palloc0(sizeof(bool *) * job->count);
	}
	else
	{
		deconstruct_array(PG_GETARG_ARRAYTYPE_P(7), INT4OID, 4, true, TYPALIGN_INT, &elems, &elem_nulls, &count);
		if (count != groups.count)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%d groups need a batch each, got %d", groups.count, count)));
		groups.batch_of = palloc(sizeof(int32) * groups.count);
		groups.batches = 0;
		for (int g = 0; g < groups.count; g++)
		{
			int32		b = elem_nulls[g] ? 0 : DatumGetInt32(elems[g]);

			if (b < 1 || b > groups.count)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("group %d has batch %d, expected 1 to %d", g + 1, b, groups.count)));
			groups.batch_of[g] = b;
			groups.batches = Max(groups.batches, b);
		}
	}
	groups.group_columns = PointerGetDatum(PG_GETARG_ARRAYTYPE_P_COPY(8));
	groups.key_exprs = PG_ARGISNULL(9) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(9));
	groups.val_key_sql = PG_ARGISNULL(10) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(10));
	if (job->read_path == CORGI_READ_GROUP_COMPOSED && groups.key_exprs == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("a grouped corgi._fit on the composed path needs its key expressions")));
	groups.diverged_in = palloc0(sizeof(int32) * (hop ? job->count : groups.count));
	flat = corgi_fit_flat_count(hop && !groups.per_group ? job->count : groups.count, epochs);
	groups.epoch_skipped = palloc0(sizeof(Datum) * Max(flat, 1));
	groups.epoch_skipped_null = palloc(sizeof(bool) * Max(flat, 1));
	memset(groups.epoch_skipped_null, true, sizeof(bool) * Max(flat, 1));
	groups.val_loss_all = palloc0(sizeof(Datum) * Max(epochs, 1));
	groups.val_loss_all_null = palloc(sizeof(bool) * Max(epochs, 1));
	groups.val_metric_all = palloc0(sizeof(Datum) * Max(epochs, 1));
	groups.val_metric_all_null = palloc(sizeof(bool) * Max(epochs, 1));
	memset(groups.val_loss_all_null, true, sizeof(bool) * Max(epochs, 1));
	memset(groups.val_metric_all_null, true, sizeof(bool) * Max(epochs, 1));
	MemoryContextSwitchTo(old);

	if (OidIsValid(job->tasks[0].val_table))
	{
		Oid			types[3] = {REGCLASSOID, TEXTOID, TEXTOID};
		Datum		values[3] = {ObjectIdGetDatum(job->tasks[0].val_table),
			CStringGetTextDatum(job->tasks[0].independent_varname),
		CStringGetTextDatum(job->tasks[0].dependent_varname)};

		if (groups.val_key_sql == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("a grouped corgi._fit with validation needs the keys' SQL")));
		corgi_fit_run_one_row("SELECT corgi._variable($1, $2, false, 'independent_varname'),"
					"       corgi._variable($1, $3, false, 'dependent_varname')", 3, types, values, NULL);
		groups.val_features = corgi_sql_column_text(1, into);
		groups.val_label = corgi_sql_column_text(2, into);
		SPI_freetuptable(SPI_tuptable);
	}
	return groups;
}

/* A text[] that may hold NULLs. */
Datum
corgi_fit_text_array(Datum *values, bool *nulls, int count)
{
	int			dims[1] = {count};
	int			lbs[1] = {1};

	return PointerGetDatum(construct_md_array(values, nulls, 1, dims, lbs, TEXTOID, -1, false, TYPALIGN_INT));
}

/* One batch of groups through the grouped executor: their new states, epoch closed. */
static Datum *
corgi_fit_run_group_batch(FitJob *job, FitGroups *groups, const int *members, int n, MemoryContext epoch_cxt)
{
	Datum	   *batch_states = palloc(sizeof(Datum) * n);
	Datum	   *batch_keys = palloc(sizeof(Datum) * n * groups->key_count);
	bool	   *batch_key_nulls = palloc(sizeof(bool) * n * groups->key_count);
	Datum		states_array;
	Datum		keys_array;
	Datum		result;
	Datum	   *trained;
	bool		isnull;
	int			count;

	for (int j = 0; j < n; j++)
	{
		batch_states[j] = groups->states[members[j]];
		for (int c = 0; c < groups->key_count; c++)
		{
			batch_keys[j * groups->key_count + c] = groups->keys[members[j] * groups->key_count + c];
			batch_key_nulls[j * groups->key_count + c] = groups->key_nulls[members[j] * groups->key_count + c];
		}
	}
	states_array = PointerGetDatum(construct_array(batch_states, n, BYTEAOID, -1, false, TYPALIGN_INT));
	keys_array = corgi_fit_text_array(batch_keys, batch_key_nulls, n * groups->key_count);
	if (job->read_path == CORGI_READ_GROUP_PASS)
	{
		Oid			types[7] = {TEXTOID, TEXTOID, TEXTOID, NAMEARRAYOID, TEXTARRAYOID, BYTEAARRAYOID, BOOLOID};
		Datum		values[7] = {CStringGetTextDatum(job->read_from), CStringGetTextDatum(job->feat_col),
			CStringGetTextDatum(job->label_col), groups->group_columns, keys_array, states_array,
		BoolGetDatum(job->block_shuffle)};

		corgi_fit_run_one_row("SELECT corgi._train_groups($1::regclass, $2::text, $3::name, $4, $5, $6, $7)", 7, types, values,
					NULL);
	}
	else
	{
		CorgiStateInfo info;
		StringInfoData query;
		Oid			types[4] = {BYTEAARRAYOID, INT8OID, FLOAT8OID, TEXTARRAYOID};
		Datum		values[4];

		corgi_state_info(DatumGetByteaPP(batch_states[0]), &info);
		values[0] = states_array;
		values[1] = Int64GetDatum(corgi_block_pages(info.block_mb));
		values[2] = Float8GetDatum(info.block_order_seed);
		values[3] = keys_array;
		initStringInfo(&query);
		appendStringInfo(&query, "SELECT corgi._sgd_groups(ROW(%s), (%s)::float8[], %s, $1, $4) FROM %s %s",
						 groups->key_exprs, job->feat_expr, job->label_code, job->read_from,
						 job->sample_clause ? job->sample_clause : "");
		corgi_fit_run_one_row(query.data, 4, types, values, NULL);
	}
	result = corgi_sql_column(1, &isnull, epoch_cxt);
	SPI_freetuptable(SPI_tuptable);
	if (isnull)
	{
		/* The aggregate saw no row: every group's epoch closes as it is. */
		trained = palloc(sizeof(Datum) * n);
		for (int j = 0; j < n; j++)
			trained[j] = PointerGetDatum(corgi_fit_end_epoch(DatumGetByteaPP(batch_states[j]), epoch_cxt));
		return trained;
	}
	trained = corgi_bytea_elements(DatumGetArrayTypeP(result), "the trained groups' states", &count);
	if (count != n)
		elog(ERROR, "corgi._fit: a batch of %d groups came back with %d states", n, count);
	return trained;
}

/*
 * One epoch of a grouped job: every batch of the groups still training, then each
 * group's figures; a group whose loss is no longer finite is set aside. Returns how many
 * groups trained, and their row-weighted mean loss (known when any has rows).
 */
int
corgi_fit_run_group_epoch(FitJob *job, FitGroups *groups, FitResults *res, int e, MemoryContext epoch_cxt,
				MemoryContext keep_cxt, double *mean_loss, bool *mean_known)
{
	int			g_count = groups->count;
	int		   *members = palloc(sizeof(int) * g_count);
	bool		whole = groups->batches == 1;
	int			trained_count = 0;
	double		weighted = 0;
	int64		rows_sum = 0;

	for (int g = 0; g < g_count; g++)
		if (groups->diverged_in[g] != 0)
			whole = false;
	for (int32 b = 1; b <= groups->batches; b++)
	{
		int			n = 0;
		Datum	   *trained;

		for (int g = 0; g < g_count; g++)
			if (whole || (groups->batch_of[g] == b && groups->diverged_in[g] == 0))
				members[n++] = g;
		if (n == 0)
			continue;
		trained = corgi_fit_run_group_batch(job, groups, members, n, epoch_cxt);
		for (int j = 0; j < n; j++)
		{
			int			g = members[j];
			int			i = (e - 1) * g_count + g;
			bytea	   *state = DatumGetByteaPP(trained[j]);
			CorgiStateInfo info;
			bool		loss_null;

			if (j % 1024 == 0)
				CHECK_FOR_INTERRUPTS();
			corgi_state_info(state, &info);
			loss_null = info.last_rows == 0;
			res->epoch_loss[i] = Float8GetDatum(info.last_mean_loss);
			res->epoch_loss_null[i] = loss_null;
			res->epoch_rows[i] = Int64GetDatum(info.last_rows);
			res->epoch_rows_null[i] = false;
			groups->epoch_skipped[i] = Int64GetDatum(info.last_skipped);
			groups->epoch_skipped_null[i] = false;
			groups->states[g] = PointerGetDatum(state);
			trained_count++;
			rows_sum += info.last_rows;
			if (!loss_null)
				weighted += info.last_mean_loss * (double) info.last_rows;
			if (!loss_null && !isfinite(info.last_mean_loss))
			{
				/* Set aside: its last state stays (validated with the others, not written). */
				groups->diverged_in[g] = e;
				groups->states[g] = PointerGetDatum(corgi_fit_keep_state(state, keep_cxt));
			}
		}
		if (whole)
			break;
	}
	*mean_known = rows_sum > 0;
	*mean_loss = rows_sum > 0 ? weighted / (double) rows_sum : get_float8_nan();
	return trained_count;
}

/* The validation rows' scores per group: index (1-based into the states; 0 overall). */
typedef struct GroupScores
{
	int			count;
	int32	   *index;
	Datum	   *loss;
	bool	   *loss_null;
	Datum	   *metric;
	bool	   *metric_null;
} GroupScores;

/*
 * Scores states (a bytea[] of groups whose keys are keys, key_count texts each) on the
 * validation rows of their groups, and over every scored row, in one pass
 * (corgi._metrics_grouped): each group's loss and its model's metric.
 */
static GroupScores
corgi_fit_score_groups(FitTask *task, FitGroups *groups, Datum states, Datum keys)
{
	Oid			types[8] = {BYTEAARRAYOID, TEXTARRAYOID, TEXTOID, TEXTOID, TEXTARRAYOID, REGCLASSOID, TEXTOID, TEXTOID};
	Datum		values[8] = {states, keys, CStringGetTextDatum(groups->val_key_sql), CStringGetTextDatum(task->model),
		task->class_texts, ObjectIdGetDatum(task->val_table), CStringGetTextDatum(groups->val_features),
	CStringGetTextDatum(groups->val_label)};
	char		nulls[9] = "        ";
	GroupScores scores = {0};

	if (task->class_texts_null)
		nulls[4] = 'n';
	if (SPI_execute_with_args("SELECT q.i, r.loss,"
							  "       CASE (corgi.model_traits($4)).task WHEN 'regression' THEN r.rmse ELSE r.accuracy END"
							  "  FROM corgi._metrics_grouped($1, $2, $3, $4, $5, $6, $7, $8) q,"
							  "       LATERAL corgi._metric_values(q.m, $4) r",
							  8, types, values, nulls, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "corgi._fit: validating the groups failed");
	scores.count = (int) SPI_processed;
	scores.index = palloc(sizeof(int32) * Max(scores.count, 1));
	scores.loss = palloc(sizeof(Datum) * Max(scores.count, 1));
	scores.loss_null = palloc(sizeof(bool) * Max(scores.count, 1));
	scores.metric = palloc(sizeof(Datum) * Max(scores.count, 1));
	scores.metric_null = palloc(sizeof(bool) * Max(scores.count, 1));
	for (int r = 0; r < scores.count; r++)
	{
		HeapTuple	row = SPI_tuptable->vals[r];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		bool		index_null;
		int32		index = DatumGetInt32(SPI_getbinval(row, desc, 1, &index_null));

		scores.index[r] = index_null ? 0 : (index >= 1 ? index : -1);	/* -1: ignored */
		/* float8 is passed by value: the values outlive the tuple table. */
		scores.loss[r] = SPI_getbinval(row, desc, 2, &scores.loss_null[r]);
		scores.metric[r] = SPI_getbinval(row, desc, 3, &scores.metric_null[r]);
	}
	SPI_freetuptable(SPI_tuptable);
	return scores;
}

/* Every group's state on the validation rows of its group, and over every scored row. */
void
corgi_fit_validate_groups(FitJob *job, FitGroups *groups, FitResults *res, int e)
{
	GroupScores scores = corgi_fit_score_groups(&job->tasks[0], groups,
									  PointerGetDatum(construct_array(groups->states, groups->count, BYTEAOID, -1,
																	  false, TYPALIGN_INT)),
									  corgi_fit_text_array(groups->keys, groups->key_nulls,
												 groups->count * groups->key_count));

	for (int r = 0; r < scores.count; r++)
	{
		int32		index = scores.index[r];

		if (index == 0)
		{
			groups->val_loss_all[e - 1] = scores.loss[r];
			groups->val_loss_all_null[e - 1] = scores.loss_null[r];
			groups->val_metric_all[e - 1] = scores.metric[r];
			groups->val_metric_all_null[e - 1] = scores.metric_null[r];
		}
		else if (index >= 1 && index <= groups->count)
		{
			int			i = (e - 1) * groups->count + index - 1;

			res->val_loss[i] = scores.loss[r];
			res->val_loss_null[i] = scores.loss_null[r];
			res->val_metric[i] = scores.metric[r];
			res->val_metric_null[i] = scores.metric_null[r];
		}
	}
}

/* A config's groups on the validation rows of their groups (its last epoch's), and overall. */
static void
corgi_fit_validate_bundle(FitJob *job, FitGroups *groups, FitResults *res, int e, int k, bytea *bundle, MemoryContext keep_cxt)
{
	FitTask    *task = &job->tasks[k];
	Oid			bundle_type[1] = {BYTEAOID};
	Datum		bundle_value[1] = {PointerGetDatum(bundle)};
	Datum	   *members;
	bool	   *member_nulls;
	int			n;
	int			unbundled;
	Datum	   *keys;
	bool	   *key_nulls;
	bool		isnull;
	Datum		groups_array;
	Datum		states_array;
	MemoryContext old;

	corgi_fit_run_one_row("SELECT u.groups, u.states FROM corgi._unbundle($1) u", 1, bundle_type, bundle_value, NULL);
	groups_array = corgi_sql_column(1, &isnull, CurrentMemoryContext);
	states_array = corgi_sql_column(2, &isnull, CurrentMemoryContext);
	SPI_freetuptable(SPI_tuptable);
	deconstruct_array(DatumGetArrayTypeP(groups_array), INT4OID, 4, true, TYPALIGN_INT, &members, &member_nulls, &n);
	/* The states are scored as the array; here only their count is checked. */
	(void) corgi_bytea_elements(DatumGetArrayTypeP(states_array), "the bundle's states", &unbundled);
	if (unbundled != n)
		elog(ERROR, "corgi._fit: a bundle of %d groups holds %d states", n, unbundled);
	keys = palloc(sizeof(Datum) * Max(n, 1) * groups->key_count);
	key_nulls = palloc(sizeof(bool) * Max(n, 1) * groups->key_count);
	for (int j = 0; j < n; j++)
	{
		int32		g = DatumGetInt32(members[j]);

		if (g < 0 || g >= groups->count)
			elog(ERROR, "corgi._fit: a bundle holds group %d of %d", g + 1, groups->count);
		for (int c = 0; c < groups->key_count; c++)
		{
			keys[j * groups->key_count + c] = groups->keys[g * groups->key_count + c];
			key_nulls[j * groups->key_count + c] = groups->key_nulls[g * groups->key_count + c];
		}
	}
	{
		GroupScores scores = corgi_fit_score_groups(task, groups, states_array, corgi_fit_text_array(keys, key_nulls, n * groups->key_count));
		int			scored = 0;

		/* This epoch's validation of the config's groups replaces the one before. */
		old = MemoryContextSwitchTo(keep_cxt);
		groups->scored_group[k] = palloc(sizeof(Datum) * Max(scores.count, 1));
		groups->scored_loss[k] = palloc(sizeof(Datum) * Max(scores.count, 1));
		groups->scored_loss_null[k] = palloc(sizeof(bool) * Max(scores.count, 1));
		groups->scored_metric[k] = palloc(sizeof(Datum) * Max(scores.count, 1));
		groups->scored_metric_null[k] = palloc(sizeof(bool) * Max(scores.count, 1));
		MemoryContextSwitchTo(old);
		for (int r = 0; r < scores.count; r++)
		{
			int32		index = scores.index[r];

			if (groups->per_group)
			{
				/* A grouped train: per group and over every scored row, every epoch. */
				int32		g = index >= 1 && index <= n ? DatumGetInt32(members[index - 1]) : -1;

				if (index == 0)
				{
					groups->val_loss_all[e - 1] = scores.loss[r];
					groups->val_loss_all_null[e - 1] = scores.loss_null[r];
					groups->val_metric_all[e - 1] = scores.metric[r];
					groups->val_metric_all_null[e - 1] = scores.metric_null[r];
				}
				else if (g >= 0 && g < groups->count)
				{
					int			gi = (e - 1) * groups->count + g;

					res->val_loss[gi] = scores.loss[r];
					res->val_loss_null[gi] = scores.loss_null[r];
					res->val_metric[gi] = scores.metric[r];
					res->val_metric_null[gi] = scores.metric_null[r];
				}
			}
			else if (index == 0)
			{
				int			i = (e - 1) * job->count + k;

				res->val_loss[i] = scores.loss[r];
				res->val_loss_null[i] = scores.loss_null[r];
				res->val_metric[i] = scores.metric[r];
				res->val_metric_null[i] = scores.metric_null[r];
			}
			else if (index >= 1 && index <= n)
			{
				groups->scored_group[k][scored] = Int64GetDatum((int64) DatumGetInt32(members[index - 1]) + 1);
				groups->scored_loss[k][scored] = scores.loss[r];
				groups->scored_loss_null[k][scored] = scores.loss_null[r];
				groups->scored_metric[k][scored] = scores.metric[r];
				groups->scored_metric_null[k][scored] = scores.metric_null[r];
				scored++;
			}
		}
		groups->n_scored[k] = scored;
	}
}

/*
 * A group that left its config's bundle, kept with its last state: diverged (rung 0), or
 * stopped after a rung of successive halving.
 */
static void
corgi_fit_keep_left_group(FitGroups *groups, int k, int32 g, bytea *state, int e, int rung, MemoryContext keep_cxt)
{
	MemoryContext old = MemoryContextSwitchTo(keep_cxt);

	if (groups->n_out == groups->out_capacity)
	{
		groups->out_capacity = Max(16, groups->out_capacity * 2);
		groups->out_config = groups->out_config ? repalloc(groups->out_config, sizeof(Datum) * groups->out_capacity)
			: palloc(sizeof(Datum) * groups->out_capacity);
		groups->out_group = groups->out_group ? repalloc(groups->out_group, sizeof(Datum) * groups->out_capacity)
			: palloc(sizeof(Datum) * groups->out_capacity);
		groups->out_state = groups->out_state ? repalloc(groups->out_state, sizeof(Datum) * groups->out_capacity)
			: palloc(sizeof(Datum) * groups->out_capacity);
		groups->out_epoch = groups->out_epoch ? repalloc(groups->out_epoch, sizeof(Datum) * groups->out_capacity)
			: palloc(sizeof(Datum) * groups->out_capacity);
		groups->out_rung = groups->out_rung ? repalloc(groups->out_rung, sizeof(Datum) * groups->out_capacity)
			: palloc(sizeof(Datum) * groups->out_capacity);
	}
	groups->out_config[groups->n_out] = Int32GetDatum(k + 1);
	groups->out_group[groups->n_out] = Int64GetDatum((int64) g + 1);
	groups->out_state[groups->n_out] = PointerGetDatum(corgi_fit_keep_state(state, keep_cxt));
	groups->out_epoch[groups->n_out] = Int32GetDatum(e);
	groups->out_rung[groups->n_out] = Int32GetDatum(rung);
	groups->n_out++;
	MemoryContextSwitchTo(old);
}

/*
 * One epoch of a grouped fit_multiple: the bundles of the configs still training hop;
 * then each closes its groups' epoch (a diverged group leaves the bundle), is validated,
 * and is set aside when no group is left. Returns how many configs trained; *lowest the
 * lowest of their losses (known when any has one).
 */
int
corgi_fit_run_bundle_epoch(FitJob *job, FitGroups *groups, FitResults *res, int e, int *active, MemoryContext epoch_cxt,
				 MemoryContext keep_cxt, int32 *workers_launched, double *lowest, bool *lowest_known)
{
	int			n_active = 0;
	Datum	   *bundles;
	int32	   *offsets;
	bool		isnull;
	Datum		result;
	Datum	   *trained;
	double	   *seconds;
	int			count;

	*lowest_known = false;
	for (int k = 0; k < job->count; k++)
		if (!groups->bundle_null[k])
			active[n_active++] = k;
	if (n_active == 0)
		return 0;
	bundles = palloc(sizeof(Datum) * n_active);
	offsets = palloc(sizeof(int32) * n_active);
	for (int j = 0; j < n_active; j++)
	{
		bundles[j] = groups->bundles[active[j]];
		offsets[j] = job->tasks[active[j]].offset;
	}
	{
		Oid			types[11] = {TEXTOID, TEXTOID, TEXTOID, NAMEARRAYOID, TEXTARRAYOID, BYTEAARRAYOID, INT4ARRAYOID,
			INT4OID, INT8OID, BOOLOID, INT4OID};
		Datum		values[11] = {CStringGetTextDatum(job->read_from), CStringGetTextDatum(job->feat_col),
			CStringGetTextDatum(job->label_col), groups->group_columns,
			corgi_fit_text_array(groups->keys, groups->key_nulls, groups->count * groups->key_count),
			PointerGetDatum(construct_array(bundles, n_active, BYTEAOID, -1, false, TYPALIGN_INT)),
			corgi_fit_int4_array(offsets, n_active), Int32GetDatum(job->segments), Int64GetDatum(job->segment_seed),
		BoolGetDatum(job->block_shuffle), Int32GetDatum(job->workers)};
		Datum	   *elems;
		bool	   *elem_nulls;

		corgi_fit_run_one_row("SELECT h.bundles, h.seconds, h.workers_launched"
					"  FROM corgi._hop_groups_epoch($1::regclass, $2::text, $3::name, $4, $5, $6, $7, $8, $9, $10, $11) h",
					11, types, values, NULL);
		result = corgi_sql_column(1, &isnull, epoch_cxt);
		if (isnull)
			elog(ERROR, "corgi._fit: the hopping epoch returned no bundles");
		trained = corgi_bytea_elements(DatumGetArrayTypeP(result), "the hopping epoch's bundles", &count);
		if (count != n_active)
			elog(ERROR, "corgi._fit: the hopping epoch returned %d bundles for %d configs", count, n_active);
		seconds = palloc0(sizeof(double) * n_active);
		result = corgi_sql_column(2, &isnull, CurrentMemoryContext);
		if (!isnull)
		{
			deconstruct_array(DatumGetArrayTypeP(result), FLOAT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE, &elems,
							  &elem_nulls, &count);
			for (int j = 0; j < n_active && j < count; j++)
				seconds[j] = elem_nulls[j] ? 0 : DatumGetFloat8(elems[j]);
		}
		*workers_launched = DatumGetInt32(corgi_sql_column(3, &isnull, CurrentMemoryContext));
		SPI_freetuptable(SPI_tuptable);
	}
	corgi_progress_workers(*workers_launched);
	if (OidIsValid(job->tasks[0].val_table))
		corgi_progress_phase("validating");

	for (int j = 0; j < n_active; j++)
	{
		int			k = active[j];
		int			i = (e - 1) * job->count + k;
		Oid			types[1] = {BYTEAOID};
		Datum		values[1] = {trained[j]};
		Datum		ended_bundle;
		bool		bundle_null;
		Datum	   *loss;
		bool	   *loss_null;
		Datum	   *rows;
		bool	   *rows_null;
		int			n_groups;
		double		weighted = 0;
		int64		finite_rows = 0;
		int64		all_rows = 0;
		bool		any_rows = false;
		bool		any_finite = false;

		CHECK_FOR_INTERRUPTS();
		corgi_fit_run_one_row("SELECT b.bundle, b.loss, b.rows, b.diverged_groups, b.diverged_states, b.groups"
					"  FROM corgi._bundle_end_epoch($1) b", 1, types, values, NULL);
		ended_bundle = corgi_sql_column(1, &bundle_null, epoch_cxt);
		result = corgi_sql_column(2, &isnull, CurrentMemoryContext);
		deconstruct_array(DatumGetArrayTypeP(result), FLOAT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE, &loss, &loss_null,
						  &n_groups);
		result = corgi_sql_column(3, &isnull, CurrentMemoryContext);
		deconstruct_array(DatumGetArrayTypeP(result), INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE, &rows, &rows_null,
						  &count);
		/* The config's loss: the row-weighted mean over its groups with a finite loss. */
		for (int g = 0; g < n_groups && g < count; g++)
		{
			if (!rows_null[g])
			{
				all_rows += DatumGetInt64(rows[g]);
				any_rows = true;
			}
			if (!loss_null[g] && isfinite(DatumGetFloat8(loss[g])) && !rows_null[g])
			{
				weighted += DatumGetFloat8(loss[g]) * (double) DatumGetInt64(rows[g]);
				finite_rows += DatumGetInt64(rows[g]);
				any_finite = true;
			}
		}
		if (groups->per_group)
		{
			/* A grouped train: each group's own figures, as its groups table keeps them. */
			Datum	   *members;
			bool	   *member_nulls;
			int			n_members;

			result = corgi_sql_column(6, &isnull, CurrentMemoryContext);
			deconstruct_array(DatumGetArrayTypeP(result), INT4OID, 4, true, TYPALIGN_INT, &members, &member_nulls,
							  &n_members);
			for (int m = 0; m < n_members && m < n_groups && m < count; m++)
			{
				int32		g = DatumGetInt32(members[m]);
				int			gi = (e - 1) * groups->count + g;

				if (g < 0 || g >= groups->count)
					elog(ERROR, "corgi._fit: a bundle holds group %d of %d", g + 1, groups->count);
				res->epoch_loss[gi] = loss[m];
				res->epoch_loss_null[gi] = loss_null[m];
				res->epoch_rows[gi] = rows[m];
				res->epoch_rows_null[gi] = rows_null[m];
			}
			if (finite_rows != 0)
			{
				*lowest = weighted / (double) finite_rows;	/* the groups' mean */
				*lowest_known = true;
				corgi_progress_loss(*lowest);
			}
		}
		else
		{
			res->epoch_loss[i] = Float8GetDatum(finite_rows != 0 ? weighted / (double) finite_rows : 0);
			res->epoch_loss_null[i] = !any_finite || finite_rows == 0;
			res->epoch_rows[i] = Int64GetDatum(all_rows);
			res->epoch_rows_null[i] = !any_rows;
			res->epoch_seconds[i] = Float8GetDatum(seconds[j]);
			res->epoch_seconds_null[i] = false;
			if (!res->epoch_loss_null[i] && (!*lowest_known || DatumGetFloat8(res->epoch_loss[i]) < *lowest))
			{
				*lowest = DatumGetFloat8(res->epoch_loss[i]);
				*lowest_known = true;
				corgi_progress_loss(*lowest);
			}
		}
		/* The groups that diverged leave the bundle with their last state. */
		result = corgi_sql_column(4, &isnull, CurrentMemoryContext);
		if (!isnull)
		{
			Datum	   *left;
			bool	   *left_nulls;
			Datum	   *left_states;
			int			n_left;
			int			n_states;
			Datum		states_result = corgi_sql_column(5, &isnull, CurrentMemoryContext);

			deconstruct_array(DatumGetArrayTypeP(result), INT4OID, 4, true, TYPALIGN_INT, &left, &left_nulls, &n_left);
			left_states = isnull ? NULL
				: corgi_bytea_elements(DatumGetArrayTypeP(states_result), "the diverged groups' states", &n_states);
			if (n_left > 0 && (left_states == NULL || n_states != n_left))
				elog(ERROR, "corgi._fit: %d groups left a bundle with other than one state each", n_left);
			for (int d = 0; d < n_left; d++)
			{
				int32		g = DatumGetInt32(left[d]);

				if (!groups->per_group)
					corgi_fit_keep_left_group(groups, k, g, DatumGetByteaPP(left_states[d]), e, 0, keep_cxt);
				else if (g >= 0 && g < groups->count)
				{
					groups->group_diverged_in[g] = e;
					groups->group_states[g] = PointerGetDatum(corgi_fit_keep_state(DatumGetByteaPP(left_states[d]), keep_cxt));
				}
			}
		}
		SPI_freetuptable(SPI_tuptable);
		if (bundle_null)
		{
			groups->bundle_null[k] = true;
			groups->bundles[k] = (Datum) 0;
			groups->diverged_in[k] = e;
			if (!groups->per_group)
				ereport(NOTICE,
					(errmsg("config %d: every group diverged in epoch %d: it is set aside, the others go on",
							groups->config_ids[k], e),
					 errhint("Lower its learning_rate, or scale the features.")));
			continue;
		}
		groups->bundles[k] = ended_bundle;
		if (OidIsValid(job->tasks[k].val_table))
			corgi_fit_validate_bundle(job, groups, res, e, k, DatumGetByteaPP(ended_bundle), keep_cxt);
	}
	return n_active;
}

/* A config's validation metric of a group at the rung (from its last validation). */
static bool
scored_metric(FitGroups *groups, int k, int32 g, double *metric)
{
	for (int r = 0; r < groups->n_scored[k]; r++)
		if (DatumGetInt64(groups->scored_group[k][r]) == (int64) g + 1)
		{
			if (groups->scored_metric_null[k][r])
				return false;
			*metric = DatumGetFloat8(groups->scored_metric[k][r]);
			return !isnan(*metric);
		}
	return false;
}

/*
 * The end of a rung of successive halving in a grouped fit_multiple (after epoch e): each
 * group's configs halve on their own, by the group's validation metric, so a group keeps
 * the best `keep` of the configs of this bracket that still train it; the others drop the
 * group from their bundle (its state of this epoch kept, status "stopped at rung r"), and
 * a config with no group left is set aside.
 */
void
corgi_fit_end_bundle_rung(FitJob *job, FitGroups *groups, int e, int bracket, int rung, int32 keep,
						  MemoryContext epoch_cxt, MemoryContext keep_cxt)
{
	int			k_count = job->count;
	int32	  **members = palloc0(sizeof(int32 *) * k_count);
	Datum	  **states = palloc0(sizeof(Datum *) * k_count);
	bool	  **drop = palloc0(sizeof(bool *) * k_count);
	int		   *count = palloc0(sizeof(int) * k_count);
	int		   *cursor = palloc0(sizeof(int) * k_count);
	int		   *candidates = palloc(sizeof(int) * k_count);
	int		   *positions = palloc(sizeof(int) * k_count);
	double	   *metrics = palloc(sizeof(double) * k_count);
	int32	   *known = palloc(sizeof(int32) * k_count);
	int32	   *survivors = palloc(sizeof(int32) * k_count);
	bool		higher = true;

	for (int k = 0; k < k_count; k++)
	{
		if (job->tasks[k].bracket != bracket || groups->bundle_null[k])
			continue;
		count[k] = corgi_bundle_unpack(DatumGetByteaPP(groups->bundles[k]), &members[k], &states[k]);
		drop[k] = palloc0(sizeof(bool) * Max(count[k], 1));
		higher = job->tasks[k].higher_is_better;
	}
	/* Groups ascend in every bundle: one merge-like sweep over the groups. */
	for (int32 g = 0; g < groups->count; g++)
	{
		int			n = 0;
		int			kept;
		bool	   *goes_on;

		if (g % 1024 == 0)
			CHECK_FOR_INTERRUPTS();
		for (int k = 0; k < k_count; k++)
		{
			while (cursor[k] < count[k] && members[k][cursor[k]] < g)
				cursor[k]++;
			if (cursor[k] < count[k] && members[k][cursor[k]] == g)
			{
				candidates[n] = k;
				positions[n] = cursor[k];
				known[n] = scored_metric(groups, k, g, &metrics[n]);
				if (!known[n])
					metrics[n] = 0;
				n++;
			}
		}
		if (n <= keep)
			continue;
		kept = corgi_schedule_survivors(metrics, known, n, keep, higher ? 1 : 0, survivors);
		goes_on = palloc0(sizeof(bool) * n);
		for (int j = 0; j < kept; j++)
			if (survivors[j] >= 0 && survivors[j] < n)
				goes_on[survivors[j]] = true;
		for (int j = 0; j < n; j++)
			if (!goes_on[j])
				drop[candidates[j]][positions[j]] = true;
		pfree(goes_on);
	}
	/* Each config's bundle without the groups it dropped. */
	for (int k = 0; k < k_count; k++)
	{
		int32	   *kept_groups;
		Datum	   *kept_states;
		int			n = 0;
		MemoryContext old;

		if (count[k] == 0)
			continue;
		kept_groups = palloc(sizeof(int32) * count[k]);
		kept_states = palloc(sizeof(Datum) * count[k]);
		for (int m = 0; m < count[k]; m++)
		{
			if (drop[k][m])
				corgi_fit_keep_left_group(groups, k, members[k][m], DatumGetByteaPP(states[k][m]), e, rung, keep_cxt);
			else
			{
				kept_groups[n] = members[k][m];
				kept_states[n++] = states[k][m];
			}
		}
		if (n == count[k])
			continue;
		if (n == 0)
		{
			groups->bundle_null[k] = true;
			groups->bundles[k] = (Datum) 0;
			job->tasks[k].stopped_in = e;
			job->tasks[k].stopped_rung = rung;
			continue;
		}
		old = MemoryContextSwitchTo(epoch_cxt);
		groups->bundles[k] = PointerGetDatum(corgi_bundle_pack(kept_groups, kept_states, n));
		MemoryContextSwitchTo(old);
	}
}
