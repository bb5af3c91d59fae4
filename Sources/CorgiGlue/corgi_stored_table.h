/*
 * corgi_stored_table.h: the rules for a table corgi reads stored values from (a model
 * table, its summary, a configs table). One implementation for the SQL drivers
 * (corgi._stored_table) and for predict's table form.
 */
#ifndef CORGI_STORED_TABLE_H
#define CORGI_STORED_TABLE_H

#include "postgres.h"

/*
 * Raises unless relid is a plain or partitioned table; owned by companion_of's owner
 * when companion_of is valid; with no row-level security of another role for the
 * current user; and each of the ncolumns columns[i], where present, of type types[i].
 * `what` names the table in messages ("model table").
 */
extern void corgi_check_stored_table(Oid relid, const char *what, Oid companion_of,
									 int ncolumns, const char *const *columns, const Oid *types);

#endif
