/*
 * corgi_names.c: table names resolved as the caller would resolve them.
 *
 * corgi's PL/pgSQL functions pin search_path to "pg_catalog, pg_temp" (a function that
 * runs with the caller's path can be hijacked by whoever can create objects on it: the
 * CVE-2018-1058 class). Table names the caller passes as text must still mean what they
 * mean to the caller, so each public entry point hands its caller's search_path down,
 * and these functions resolve names against it here, in C, where no SQL is parsed while
 * that path is in force: the path is set under a new GUC nest level and restored
 * before returning, on error too (the nest level is unwound by the abort).
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/regproc.h"
#include "utils/varlena.h"

/* Parses a possibly qualified name; NULL if it is not a valid name. */
static RangeVar *
parse_table_name(text *name)
{
	List	   *names;

	if (!SplitIdentifierString(text_to_cstring(name), '.', &names) || names == NIL ||
		list_length(names) > 3)
		return NULL;
#if PG_VERSION_NUM >= 160000
	return makeRangeVarFromNameList(stringToQualifiedNameList(text_to_cstring(name), NULL));
#else
	return makeRangeVarFromNameList(stringToQualifiedNameList(text_to_cstring(name)));
#endif
}

/* Runs with search_path = path until restore_path(). */
static int
use_path(text *path)
{
	int			level = NewGUCNestLevel();

	(void) set_config_option("search_path", text_to_cstring(path), PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	return level;
}

static void
restore_path(int level)
{
	AtEOXact_GUC(true, level);
}

PG_FUNCTION_INFO_V1(corgi_resolve_table);

/*
 * corgi._resolve_table(name text, caller_path text) -> regclass: the relation the
 * caller means by name, or NULL if there is none (or the name is not valid).
 */
Datum
corgi_resolve_table(PG_FUNCTION_ARGS)
{
	RangeVar   *relation = parse_table_name(PG_GETARG_TEXT_PP(0));
	int			level;
	Oid			relid;

	if (relation == NULL)
		PG_RETURN_NULL();
	level = use_path(PG_GETARG_TEXT_PP(1));
	relid = RangeVarGetRelid(relation, NoLock, true);
	restore_path(level);
	if (!OidIsValid(relid))
		PG_RETURN_NULL();
	PG_RETURN_OID(relid);
}

PG_FUNCTION_INFO_V1(corgi_creation_schema);

/*
 * corgi._creation_schema(name text, caller_path text) -> text: the schema a CREATE
 * TABLE of name would create it in for the caller (raises the usual error when there
 * is none, e.g. "no schema has been selected to create in").
 */
Datum
corgi_creation_schema(PG_FUNCTION_ARGS)
{
	RangeVar   *relation = parse_table_name(PG_GETARG_TEXT_PP(0));
	int			level;
	Oid			namespace;

	if (relation == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_NAME),
				 errmsg("invalid table name \"%s\"", text_to_cstring(PG_GETARG_TEXT_PP(0)))));
	level = use_path(PG_GETARG_TEXT_PP(1));
	namespace = RangeVarGetCreationNamespace(relation);
	restore_path(level);
	PG_RETURN_TEXT_P(cstring_to_text(get_namespace_name(namespace)));
}
