/*
 * corgi_sgd_aggregate.c: the aggregates corgi.sgd and corgi.sgd_pass, the composed
 * training path.
 *
 *   SELECT corgi.sgd(features, label, :state)
 *   FROM t TABLESAMPLE corgi_block_shuffle(:block_pages) REPEATABLE (:block_seed);
 *
 * The transition function opens the Swift trainer from the state argument on the
 * first row, feeds it every row (the trainer buffers, shuffles each full buffer and
 * trains), and the final function drains the last partial buffer and returns the new
 * state: corgi.sgd also closes the epoch, corgi.sgd_pass does not (a pass over one
 * segment of an epoch). Any SQL source works (views, joins, tables with row-level
 * security), since the executor produces the rows; rows must arrive in a deterministic
 * order for a run to be reproducible, which is why the aggregates are PARALLEL UNSAFE.
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/array.h"

#include "corgi_core_api.h"
#include "corgi_error.h"
#include "corgi_progress.h"
#include "corgi_training.h"

typedef struct SgdAggregateState
{
	CorgiHandle *trainer;
	CorgiFeatureScratch scratch;
	int64		rows;
} SgdAggregateState;

PG_FUNCTION_INFO_V1(corgi_sgd_transition);

/* corgi_sgd_transition(internal, features anyarray, label float8, state bytea) */
Datum
corgi_sgd_transition(PG_FUNCTION_ARGS)
{
	MemoryContext aggregate_context;
	SgdAggregateState *s;
	CorgiRowTag row = {0};
	const double *x;
	int			count;

	if (!AggCheckCallContext(fcinfo, &aggregate_context))
		elog(ERROR, "corgi_sgd_transition called in non-aggregate context");

	if (PG_ARGISNULL(0))
	{
		if (PG_ARGISNULL(3))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("the state argument of corgi.sgd must not be NULL"),
					 errhint("Make a state with corgi.sgd_state(...), or pass the state a previous epoch returned.")));
		s = MemoryContextAllocZero(aggregate_context, sizeof(SgdAggregateState));
		s->scratch.context = aggregate_context;
		s->trainer = corgi_trainer_open_in(aggregate_context, PG_GETARG_BYTEA_PP(3));
	}
	else
		s = (SgdAggregateState *) PG_GETARG_POINTER(0);

	s->rows++;
	corgi_progress_count_rows(1);
	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
	{
		corgi_trainer_skip(s->trainer->object);
		PG_RETURN_POINTER(s);
	}
	row.kind = CORGI_ROW_PASS_POSITION;
	row.position = s->rows;
	x = corgi_features_as_doubles(PG_GETARG_ARRAYTYPE_P(1), &s->scratch, &row, &count);
	corgi_trainer_feed(s->trainer->object, x, count, PG_GETARG_FLOAT8(2), &row);
	PG_RETURN_POINTER(s);
}

static Datum
sgd_final(FunctionCallInfo fcinfo, bool end_epoch)
{
	SgdAggregateState *s;
	bytea	   *result;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();		/* no rows: nothing was trained */
	s = (SgdAggregateState *) PG_GETARG_POINTER(0);
	result = corgi_trainer_finish(s->trainer->object, end_epoch);
	/* The trainer is spent: release its buffer now rather than at context reset. */
	corgi_handle_release(s->trainer);
	PG_RETURN_BYTEA_P(result);
}

PG_FUNCTION_INFO_V1(corgi_sgd_final);

/* Final function of corgi.sgd: drains the buffer and closes the epoch. */
Datum
corgi_sgd_final(PG_FUNCTION_ARGS)
{
	return sgd_final(fcinfo, true);
}

PG_FUNCTION_INFO_V1(corgi_sgd_pass_final);

/* Final function of corgi.sgd_pass: drains the buffer; the epoch stays open. */
Datum
corgi_sgd_pass_final(PG_FUNCTION_ARGS)
{
	return sgd_final(fcinfo, false);
}
