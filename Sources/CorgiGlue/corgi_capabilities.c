/*
 * corgi_capabilities.c: corgi._check_offered, the one check of the combinations a
 * training call does not offer. The table is the core's (Capabilities.swift); the
 * drivers ask it with what they know of a call, and an unoffered combination is an
 * error here, with the row's message, detail and hint.
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"

#include "corgi_core_api.h"

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
