/*
 * corgi_capabilities.c: what a corgi.fit_multiple call may do, as the core plans it:
 * corgi._check_offered, the one check of the combinations a training call does not offer
 * (the table is Capabilities.swift; the drivers ask it with what they know of a call, and
 * an unoffered combination is an error here, with the row's message, detail and hint),
 * and corgi.hyperband_schedule, the brackets and rungs of a schedule
 * (SuccessiveHalving.swift), for choosing a configs table's size.
 */
#include "postgres.h"

#include "fmgr.h"
#include "funcapi.h"
#include "utils/builtins.h"

#include "corgi_core_api.h"
#include "corgi_error.h"

static int32
tri_state(FunctionCallInfo fcinfo, int arg)
{
	return PG_ARGISNULL(arg) ? -1 : (PG_GETARG_BOOL(arg) ? 1 : 0);
}

PG_FUNCTION_INFO_V1(corgi_check_offered);

/*
 * corgi._check_offered(call text, source text, grouped boolean, partitions boolean,
 * segments boolean, composed boolean, shuffle text, grouping_expression text,
 * early_stopping boolean, schedule text) -> void:
 * raises feature_not_supported when the combination is a row of the capability table
 * (NULL facts: not known, they match no row).
 */
Datum
corgi_check_offered(PG_FUNCTION_ARGS)
{
	CorgiRefusal refusal;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("the call and source of corgi._check_offered must not be NULL")));
	memset(&refusal, 0, sizeof(refusal));
	if (corgi_job_unoffered(text_to_cstring(PG_GETARG_TEXT_PP(0)), text_to_cstring(PG_GETARG_TEXT_PP(1)),
							tri_state(fcinfo, 2), tri_state(fcinfo, 3), tri_state(fcinfo, 4), tri_state(fcinfo, 5),
							PG_ARGISNULL(6) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(6)),
							PG_ARGISNULL(7) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(7)), tri_state(fcinfo, 8),
							PG_ARGISNULL(9) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(9)), &refusal))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("%s", refusal.message),
				 refusal.detail[0] != '\0' ? errdetail("%s", refusal.detail) : 0,
				 refusal.hint[0] != '\0' ? errhint("%s", refusal.hint) : 0));
	PG_RETURN_VOID();
}

PG_FUNCTION_INFO_V1(corgi_hyperband_schedule);

/*
 * corgi.hyperband_schedule(epochs integer, eta integer, configs integer) -> setof
 * (bracket, rung, configs, epochs): every rung of Hyperband's brackets, with how many
 * configs train in it and the epoch it ends at (MADlib's hyperband_schedule); configs
 * NULL: Hyperband's own counts, else those configs split over the brackets.
 */
Datum
corgi_hyperband_schedule(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	int32		rung_bracket[256];
	int32		rung_epochs[256];
	int32		rung_keep[256];
	int32		bracket_configs[64];
	int32		brackets = 0;
	CorgiError	error = {0};
	char		params[32];
	int			rungs;
	int32		alive = 0;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("the epochs and eta of a Hyperband schedule must not be NULL")));
	snprintf(params, sizeof(params), "eta=%d", PG_GETARG_INT32(1));
	rungs = corgi_schedule_rungs("hyperband", params, PG_ARGISNULL(2) ? 0 : Max(PG_GETARG_INT32(2), 1),
								 PG_GETARG_INT32(0), rung_bracket, rung_epochs, rung_keep, lengthof(rung_epochs),
								 bracket_configs, lengthof(bracket_configs), &brackets, NULL, &error);
	if (rungs < 0)
		corgi_raise_if_failed(&error);
	InitMaterializedSRF(fcinfo, 0);
	for (int r = 0, first = 0; r < rungs; r++)
	{
		Datum		values[4];
		bool		nulls[4] = {false};
		int32		b = rung_bracket[r];

		if (r == 0 || rung_bracket[r - 1] != b)
		{
			first = r;
			alive = b >= 0 && b < brackets ? bracket_configs[b] : 0;
		}
		values[0] = Int32GetDatum(b + 1);
		values[1] = Int32GetDatum(r - first + 1);
		values[2] = Int32GetDatum(alive);
		values[3] = Int32GetDatum(rung_epochs[r]);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		alive = rung_keep[r];
	}
	return (Datum) 0;
}
