/*
 * corgi_stored_table.c: a table corgi reads stored values from (a model table, its
 * _summary, a configs table). Reading a view, a foreign table or another role's
 * row-level security policy runs SQL its owner wrote with the caller's rights, so the
 * table must be plain or partitioned; a companion (a model's summary) must belong to
 * the owner of its model table (anybody may create "<model>_summary" beside another's
 * model); no policy of another role may apply; and each stored column, where present,
 * must have its own type (no cast a type's owner could have written runs on the way in).
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_class.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rls.h"
#include "utils/syscache.h"

#include "corgi_stored_table.h"

static const char *
relation_kind_name(char kind)
{
	switch (kind)
	{
		case RELKIND_VIEW:
			return "view";
		case RELKIND_MATVIEW:
			return "materialized view";
		case RELKIND_FOREIGN_TABLE:
			return "foreign table";
		default:
			return psprintf("relation of kind %c", kind);
	}
}

/* A relation as regclass prints it (qualified when not on the search path). */
static char *
relation_name(Oid relid)
{
	return DatumGetCString(DirectFunctionCall1(regclassout, ObjectIdGetDatum(relid)));
}

static char *
role_name(Oid roleid)
{
	return DatumGetCString(DirectFunctionCall1(regroleout, ObjectIdGetDatum(roleid)));
}

static Oid
relation_owner(Oid relid)
{
	HeapTuple	tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	Oid			owner;

	if (!HeapTupleIsValid(tuple))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation with OID %u does not exist", relid)));
	owner = ((Form_pg_class) GETSTRUCT(tuple))->relowner;
	ReleaseSysCache(tuple);
	return owner;
}

void
corgi_check_stored_table(Oid relid, const char *what, Oid companion_of,
						 int ncolumns, const char *const *columns, const Oid *types)
{
	Oid			owner = relation_owner(relid);
	char		kind = get_rel_relkind(relid);

	if (kind != RELKIND_RELATION && kind != RELKIND_PARTITIONED_TABLE)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("%s %s is a %s, not a table", what, relation_name(relid), relation_kind_name(kind)),
				 errdetail("Reading a view or a foreign table runs SQL its owner wrote with your rights; "
						   "corgi reads stored models and configs from plain tables only."),
				 errhint("Pass the table corgi wrote, or copy the rows into a table (CREATE TABLE ... AS).")));
	if (OidIsValid(companion_of))
	{
		Oid			companion_owner = relation_owner(companion_of);

		if (owner != companion_owner)
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("%s %s is owned by role %s, model table %s by role %s", what, relation_name(relid),
							role_name(owner), relation_name(companion_of), role_name(companion_owner)),
					 errdetail("A model's summary table must belong to the owner of its model table: anybody who "
							   "can create tables beside a model could otherwise supply its summary."),
					 errhint("Drop the other role's table, or pass the variables explicitly.")));
	}
	if (check_enable_rls(relid, InvalidOid, false) == RLS_ENABLED && owner != GetUserId())
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("%s %s has row-level security for the current user", what, relation_name(relid)),
				 errdetail("Its policies are SQL another role wrote; corgi does not run them on your behalf."),
				 errhint("Ask the table's owner for a copy without row-level security.")));
	for (int i = 0; i < ncolumns; i++)
	{
		AttrNumber	attnum = get_attnum(relid, columns[i]);
		Oid			type;
		int32		typmod;
		Oid			collation;

		if (attnum <= 0 || !OidIsValid(types[i]))
			continue;			/* absent (or a system column's name): nothing is read from it */
		get_atttypetypmodcoll(relid, attnum, &type, &typmod, &collation);
		if (type != types[i])
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("column \"%s\" of %s %s has type %s, expected %s", columns[i], what,
							relation_name(relid), format_type_with_typemod(type, typmod), format_type_be(types[i])),
					 errhint("Pass the table corgi wrote.")));
	}
}

PG_FUNCTION_INFO_V1(corgi_stored_table);

/*
 * corgi._stored_table(tbl regclass, what text, companion_of regclass, columns name[],
 * types regtype[]) -> regclass: tbl, checked by corgi_check_stored_table (columns and
 * types pair up; a NULL entry, or one without a partner, checks nothing). NULL for a
 * NULL tbl.
 */
Datum
corgi_stored_table(PG_FUNCTION_ARGS)
{
	Oid			relid;
	const char *what;
	Oid			companion_of;
	const char **columns = NULL;
	Oid		   *types = NULL;
	int			ncolumns = 0;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	relid = PG_GETARG_OID(0);
	what = PG_ARGISNULL(1) ? "table" : text_to_cstring(PG_GETARG_TEXT_PP(1));
	companion_of = PG_ARGISNULL(2) ? InvalidOid : PG_GETARG_OID(2);
	if (!PG_ARGISNULL(3) && !PG_ARGISNULL(4))
	{
		Datum	   *names;
		Datum	   *oids;
		bool	   *names_null;
		bool	   *oids_null;
		int			nnames;
		int			noids;

		deconstruct_array(PG_GETARG_ARRAYTYPE_P(3), NAMEOID, NAMEDATALEN, false, TYPALIGN_CHAR,
						  &names, &names_null, &nnames);
		deconstruct_array(PG_GETARG_ARRAYTYPE_P(4), REGTYPEOID, sizeof(Oid), true, TYPALIGN_INT,
						  &oids, &oids_null, &noids);
		ncolumns = Min(nnames, noids);
		columns = palloc(sizeof(char *) * Max(ncolumns, 1));
		types = palloc(sizeof(Oid) * Max(ncolumns, 1));
		for (int i = 0; i < ncolumns; i++)
		{
			columns[i] = names_null[i] ? "" : NameStr(*DatumGetName(names[i]));
			types[i] = names_null[i] || oids_null[i] ? InvalidOid : DatumGetObjectId(oids[i]);
		}
	}
	corgi_check_stored_table(relid, what, companion_of, ncolumns, columns, types);
	PG_RETURN_OID(relid);
}
