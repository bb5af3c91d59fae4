/*
 * corgi_call_facts.c: the facts a training call reads from its source, read once.
 *
 * corgi.fit_multiple prepares one plan per config (corgi._train_prepare), and each
 * preparation asks the same table the same questions: its rows, a classifier's classes,
 * the negative label, the features' moments. Some are full scans. Inside a facts scope
 * (corgi._facts_begin() ... corgi._facts_end(), which fit_multiple opens around its
 * preparations), corgi._fact(query, type) runs a query the first time it is asked and
 * answers from memory after: the K configs of a call read each fact once, and all of
 * them see the same one. Outside a scope it just runs the query.
 *
 * A fact is the first column of the query's first row (NULL for no row), of the type of
 * the template argument, kept in binary (no text round trip). The scope's memory is the
 * transaction's; an error unwinds it with the (sub)transaction that opened it, so a
 * scope never outlives the call that opened it, and a later call reads the table anew.
 */
#include "postgres.h"

#include "access/xact.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

typedef struct CallFact
{
	char	   *query;
	Oid			type;
	Datum		value;
	bool		isnull;
	struct CallFact *next;
} CallFact;

static int	facts_depth = 0;
static SubTransactionId facts_subid = InvalidSubTransactionId;
static MemoryContext facts_context = NULL;
static CallFact *facts = NULL;
static bool callbacks_registered = false;

static void
close_scope(void)
{
	if (facts_context != NULL)
		MemoryContextDelete(facts_context);
	facts_context = NULL;
	facts = NULL;
	facts_depth = 0;
	facts_subid = InvalidSubTransactionId;
}

static void
facts_xact_callback(XactEvent event, void *arg)
{
	if (event == XACT_EVENT_COMMIT || event == XACT_EVENT_ABORT || event == XACT_EVENT_PREPARE ||
		event == XACT_EVENT_PARALLEL_COMMIT || event == XACT_EVENT_PARALLEL_ABORT)
	{
		/* The transaction's memory goes: forget what pointed into it. */
		facts_context = NULL;
		facts = NULL;
		facts_depth = 0;
		facts_subid = InvalidSubTransactionId;
	}
}

static void
facts_subxact_callback(SubXactEvent event, SubTransactionId mySubid, SubTransactionId parentSubid, void *arg)
{
	if (facts_depth == 0)
		return;
	if (event == SUBXACT_EVENT_ABORT_SUB && facts_subid >= mySubid)
		close_scope();
	else if (event == SUBXACT_EVENT_COMMIT_SUB && facts_subid == mySubid)
		facts_subid = parentSubid;
}

PG_FUNCTION_INFO_V1(corgi_facts_begin);

/* corgi._facts_begin() -> integer: opens a facts scope (scopes nest); returns its depth. */
Datum
corgi_facts_begin(PG_FUNCTION_ARGS)
{
	if (!callbacks_registered)
	{
		RegisterXactCallback(facts_xact_callback, NULL);
		RegisterSubXactCallback(facts_subxact_callback, NULL);
		callbacks_registered = true;
	}
	if (facts_depth == 0)
	{
		facts_context = AllocSetContextCreate(TopTransactionContext, "corgi call facts", ALLOCSET_SMALL_SIZES);
		facts = NULL;
		facts_subid = GetCurrentSubTransactionId();
	}
	if (facts_depth >= 16)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("corgi facts scopes nest at most 16 deep")));
	PG_RETURN_INT32(++facts_depth);
}

PG_FUNCTION_INFO_V1(corgi_facts_end);

/* corgi._facts_end() -> integer: closes a facts scope; the outermost forgets its facts. */
Datum
corgi_facts_end(PG_FUNCTION_ARGS)
{
	if (facts_depth > 1)
		facts_depth--;
	else
		close_scope();
	PG_RETURN_INT32(facts_depth);
}

PG_FUNCTION_INFO_V1(corgi_fact);

/*
 * corgi._fact(query text, template anyelement) -> anyelement: the first column of the
 * query's first row (NULL without a row), of the template's type; inside a facts scope
 * the same query is run once. The query runs with the caller's rights, as EXECUTE would.
 */
Datum
corgi_fact(PG_FUNCTION_ARGS)
{
	char	   *query;
	Oid			type = get_fn_expr_argtype(fcinfo->flinfo, 1);
	int16		typlen;
	bool		typbyval;
	MemoryContext caller = CurrentMemoryContext;
	CallFact   *fact;
	Datum		value = (Datum) 0;
	bool		isnull = true;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("the query of corgi._fact must not be NULL")));
	if (!OidIsValid(type))
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("the type of corgi._fact's template is unknown"),
				 errhint("Pass a typed NULL, such as NULL::bigint.")));
	query = text_to_cstring(PG_GETARG_TEXT_PP(0));
	get_typlenbyval(type, &typlen, &typbyval);
	for (fact = facts; fact != NULL; fact = fact->next)
		if (fact->type == type && strcmp(fact->query, query) == 0)
		{
			if (fact->isnull)
				PG_RETURN_NULL();
			PG_RETURN_DATUM(datumCopy(fact->value, typbyval, typlen));
		}

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "corgi._fact: SPI_connect failed");
	if (SPI_execute(query, false, 1) != SPI_OK_SELECT)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the query of corgi._fact must be a SELECT")));
	if (SPI_tuptable->tupdesc->natts < 1 || SPI_gettypeid(SPI_tuptable->tupdesc, 1) != type)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("the query of corgi._fact returns %s, its template is %s",
						format_type_be(SPI_tuptable->tupdesc->natts < 1 ? InvalidOid
									   : SPI_gettypeid(SPI_tuptable->tupdesc, 1)),
						format_type_be(type))));
	if (SPI_processed > 0)
	{
		Datum		found = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);

		if (!isnull)
		{
			MemoryContext old = MemoryContextSwitchTo(caller);

			value = datumCopy(found, typbyval, typlen);
			MemoryContextSwitchTo(old);
		}
	}
	SPI_finish();

	if (facts_depth > 0 && facts_context != NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(facts_context);

		fact = palloc(sizeof(CallFact));
		fact->query = pstrdup(query);
		fact->type = type;
		fact->isnull = isnull;
		fact->value = isnull ? (Datum) 0 : datumCopy(value, typbyval, typlen);
		fact->next = facts;
		facts = fact;
		MemoryContextSwitchTo(old);
	}
	if (isnull)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(value);
}
