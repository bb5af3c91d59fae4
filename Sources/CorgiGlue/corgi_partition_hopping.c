/*
 * corgi_partition_hopping.c: model hopping over the partitions of a partitioned table,
 * local or on other PostgreSQL servers (postgres_fdw foreign partitions):
 * corgi._hop_partitions, and the job a node runs, corgi._train_segment.
 *
 * Each leaf partition is one segment. A job (model m visits segment s) is one pass of
 * m's state over the whole partition in the state's CorgiPile block order, exactly
 * corgi.train_pass(partition, features, label, state): on the coordinator for a local
 * partition, on the server that holds it for a foreign one. The data never moves; the
 * state goes to the node and comes back (binary bytea over libpq). The visit order is
 * the seeded schedule of single-server hopping (Swift's ModelHopSchedule; dispatch by
 * Swift's HopBoard with "segment busy" = "its server busy"), so a model's result does
 * not depend on where its segments live or in which order the jobs finish: the models
 * are bit-identical to the same call over local copies of the partitions.
 *
 * Connections (per foreign server and user, one per partition there up to
 * corgi.node_connections, from postgres_fdw's server and user-mapping options) live for
 * the coordinator's transaction: each runs a REPEATABLE READ READ ONLY transaction, all
 * of a server's with the snapshot its first connection exported, so every epoch of a
 * call sees the same rows on every node. All connections work at once (asynchronous
 * libpq, one wait over every busy socket and the latch). On ERROR, cancel or
 * statement_timeout the transaction callbacks cancel the running node queries and close
 * every connection: no node keeps working for a call that is gone. With
 * corgi.node_retries, a job whose connection broke is sent again on a new one. A
 * non-superuser must reach a node with a password (postgres_fdw's and dblink's rule), so
 * nobody reads a node as the server's own operating-system user. When every partition
 * is local, the epoch runs on this server's parallel workers instead
 * (corgi_hop_local_partitions in corgi_model_hopping.c).
 */
#include "postgres.h"

#include "access/table.h"
#include "access/xact.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "commands/defrem.h"
#include "fmgr.h"
#include "foreign/foreign.h"
#include "funcapi.h"
#include "libpq-fe.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "portability/instr_time.h"
#include "storage/latch.h"
#if PG_VERSION_NUM >= 180000
#include "storage/waiteventset.h"
#endif
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/resowner.h"
#include "utils/rel.h"
#include "utils/rls.h"
#include "utils/wait_event.h"
#if PG_VERSION_NUM >= 160000
#include "varatt.h"
#endif

#include "corgi_core_api.h"
#include "corgi_error.h"
#include "corgi_feature_columns.h"
#include "corgi_heap_rows.h"
#include "corgi_libpq.h"
#include "corgi_training.h"
#include "corgi_version.h"

/* At most this many models and partitions in one call (fit_multiple's limits). */
#define CORGI_PARTITION_MAX_MODELS 1000
#define CORGI_PARTITION_MAX_SEGMENTS 10000

/* One open connection to a foreign server, for the current transaction. */
typedef struct CorgiNode
{
	Oid			serverid;
	Oid			userid;
	int			lane;			/* 0..corgi.node_connections-1: one job at a time each */
	char		name[NAMEDATALEN];
	PGconn	   *conn;
	bool		in_flight;		/* a job was sent and its last result not yet read */
	char		snapshot[64];	/* lane 0: its exported snapshot, which the others import */
	char		lost_sqlstate[6];	/* why its last job's connection failed: the node's */
	char	   *lost_message;	/* SQLSTATE and message, or "" and NULL (TopMemoryContext) */
} CorgiNode;

/* The connections of this transaction (TopMemoryContext; closed at its end). */
static CorgiNode **nodes = NULL;
static int	node_count = 0;
static int	node_capacity = 0;
static bool callbacks_registered = false;

/* Cancels a node's running query (best effort: the connection is closed next anyway). */
static void
node_cancel(CorgiNode *node)
{
	corgi_libpq_cancel(node->conn);
}

static void
node_close(CorgiNode *node)
{
	if (node->conn == NULL)
		return;
	if (node->in_flight)
		node_cancel(node);
	corgi_libpq_finish(node->conn);
	node->conn = NULL;
	node->in_flight = false;
}

static void
close_all_nodes(void)
{
	for (int i = 0; i < node_count; i++)
	{
		node_close(nodes[i]);
		if (nodes[i]->lost_message != NULL)
			pfree(nodes[i]->lost_message);
		pfree(nodes[i]);
	}
	node_count = 0;
}

/* The end of the transaction ends the nodes' transactions (read only: nothing to commit). */
static void
node_xact_callback(XactEvent event, void *arg)
{
	switch (event)
	{
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_PARALLEL_COMMIT:
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_ABORT:
		case XACT_EVENT_PREPARE:
			close_all_nodes();
			break;
		default:
			break;
	}
}

/* An aborted subtransaction (an EXCEPTION block) leaves no job running on a node. */
static void
node_subxact_callback(SubXactEvent event, SubTransactionId mySubid, SubTransactionId parentSubid, void *arg)
{
	if (event != SUBXACT_EVENT_ABORT_SUB)
		return;
	for (int i = 0; i < node_count; i++)
		if (nodes[i]->in_flight)
			node_close(nodes[i]);
}

/*
 * A connection's error message without libpq's "SEVERITY:  " prefix (PQerrorMessage
 * holds the server's error as "ERROR:  text"): relayed, it reads as the node said it.
 */
static char *
connection_message(PGconn *conn)
{
	static const char *const severities[] = {"ERROR:  ", "FATAL:  ", "PANIC:  "};
	char	   *message = pchomp(conn ? PQerrorMessage(conn) : "out of memory");

	for (int i = 0; i < lengthof(severities); i++)
		if (strncmp(message, severities[i], strlen(severities[i])) == 0)
			return message + strlen(severities[i]);
	return message;
}

/* Raises a node's error (a PGresult's fields, or the connection's message), naming it. */
static void
raise_node_error(CorgiNode *node, PGresult *result, const char *doing)
{
	const char *sqlstate = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE)
		: node->lost_sqlstate[0] != '\0' ? node->lost_sqlstate : NULL;

	if (sqlstate != NULL && strlen(sqlstate) != 5)
		sqlstate = NULL;		/* not a SQLSTATE: the connection's failure code below */
	char	   *message = pstrdup(result && PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY)
								  ? PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY)
								  : !result && node->lost_message ? node->lost_message
								  : connection_message(node->conn));
	char	   *detail = result && PQresultErrorField(result, PG_DIAG_MESSAGE_DETAIL)
		? pstrdup(PQresultErrorField(result, PG_DIAG_MESSAGE_DETAIL)) : NULL;
	char	   *hint = result && PQresultErrorField(result, PG_DIAG_MESSAGE_HINT)
		? pstrdup(PQresultErrorField(result, PG_DIAG_MESSAGE_HINT)) : NULL;
	int			code = sqlstate ? MAKE_SQLSTATE(sqlstate[0], sqlstate[1], sqlstate[2], sqlstate[3], sqlstate[4])
		: ERRCODE_CONNECTION_FAILURE;
	bool		lost = PQstatus(node->conn) == CONNECTION_BAD;

	if (result)
		PQclear(result);
	if (lost)
		ereport(ERROR,
				(errcode(sqlstate ? code : ERRCODE_CONNECTION_FAILURE),
				 errmsg("corgi lost the connection to server \"%s\" while %s", node->name, doing),
				 errdetail_internal("%s", message),
				 errhint("Check that the server is running; nothing was written.")));
	ereport(ERROR,
			(errcode(code),
			 errmsg("%s", message),
			 detail ? errdetail_internal("%s", detail) : 0,
			 hint ? errhint("%s", hint) : 0,
			 errcontext("server \"%s\", while %s", node->name, doing)));
}

/* Runs a command on a node and returns its result (PQclear it); raises its error. */
static PGresult *
node_exec(CorgiNode *node, const char *sql, ExecStatusType expected, const char *doing)
{
	PGresult   *result = corgi_libpq_exec(node->conn, sql, PG_WAIT_EXTENSION);

	if (result == NULL || PQresultStatus(result) != expected)
		raise_node_error(node, result, doing);
	return result;
}

/* Whether keyword is one libpq takes (postgres_fdw's own options are not). */
static bool
is_libpq_option(const PQconninfoOption *options, const char *keyword)
{
	for (const PQconninfoOption *o = options; o->keyword != NULL; o++)
		if (strcmp(o->keyword, keyword) == 0)
			return true;
	return false;
}

static CorgiNode *node_for_server(Oid serverid, int lane);

/* Option `name` of a DefElem list, or NULL. */
static DefElem *
find_option(List *options, const char *name)
{
	ListCell   *lc;

	foreach(lc, options)
	{
		DefElem    *d = lfirst(lc);

		if (strcmp(d->defname, name) == 0)
			return d;
	}
	return NULL;
}

/*
 * postgres_fdw's rule for a non-superuser's connection (its check_conn_params), applied
 * before connecting, on every path that opens one: the user mapping holds a non-empty
 * password (unless a superuser set password_required 'false' on it), and nothing makes
 * libpq read the credentials of this server's operating-system account: no passfile
 * (libpq reads it with the password of the mapping absent), and no client certificate
 * or key but the user mapping's (libpq's defaults are files in that account's home, so
 * they are pointed at a path that does not exist). Otherwise a role could reach another
 * server as whoever the postmaster's ~/.pgpass or certificate names (CVE-2007-6601).
 * Appends the certificate overrides to keywords/values at *n (two slots).
 */
static void
check_node_credentials(const CorgiNode *node, const ForeignServer *server, const UserMapping *mapping,
					   const char **keywords, const char **values, int *n)
{
	DefElem    *required = find_option(mapping->options, "password_required");
	DefElem    *password = find_option(mapping->options, "password");

	/*
	 * postgres_fdw 18 can pass the client's SCRAM keys through to the remote server
	 * (use_scram_passthrough); corgi's node connections do not: a clear error, not a
	 * failed login or a connection under other credentials.
	 */
	if ((find_option(server->options, "use_scram_passthrough") != NULL
		 && defGetBoolean(find_option(server->options, "use_scram_passthrough")))
		|| (find_option(mapping->options, "use_scram_passthrough") != NULL
			&& defGetBoolean(find_option(mapping->options, "use_scram_passthrough"))))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("corgi does not pass SCRAM keys through to server \"%s\" (use_scram_passthrough)", node->name),
				 errdetail("Partition hopping connects with the user mapping's own credentials."),
				 errhint("Put a password in your user mapping for server \"%s\" (or a superuser sets password_required 'false').",
						 node->name)));
	if (superuser_arg(node->userid))
		return;
	if (required != NULL && !defGetBoolean(required))
		return;					/* a superuser's explicit choice, as postgres_fdw */
	if (password == NULL || defGetString(password)[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_S_R_E_PROHIBITED_SQL_STATEMENT_ATTEMPTED),
				 errmsg("password is required to reach server \"%s\"", node->name),
				 errdetail("Non-superusers must provide a password in the user mapping."),
				 errhint("Add a password to your user mapping for server \"%s\".", node->name)));
	if (find_option(server->options, "passfile") != NULL || find_option(mapping->options, "passfile") != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("server \"%s\" names a passfile, which only a superuser's connection may use", node->name),
				 errdetail("A password file is read with the rights of this server's operating-system account."),
				 errhint("Drop the passfile option; put the password in your user mapping.")));
	if (find_option(mapping->options, "sslcert") == NULL)
	{
		keywords[*n] = "sslcert";
		values[(*n)++] = "/nonexistent/corgi-no-client-certificate";
	}
	if (find_option(mapping->options, "sslkey") == NULL)
	{
		keywords[*n] = "sslkey";
		values[(*n)++] = "/nonexistent/corgi-no-client-key";
	}
}

static void remember_loss(CorgiNode *node, PGresult *result);
static void forget_loss(CorgiNode *node);

/*
 * (Re)opens node's connection: the server's and the user mapping's libpq options, a
 * password for non-superusers, search_path pg_catalog, one REPEATABLE READ READ ONLY
 * transaction, and corgi of this very version there. Raises a clear error naming the
 * server (the transaction's end closes what was opened).
 */
static void
node_open(CorgiNode *node)
{
	ForeignServer *server = GetForeignServer(node->serverid);
	UserMapping *mapping = GetUserMapping(node->userid, node->serverid);
	PQconninfoOption *defaults;
	const char **keywords;
	const char **values;
	int			n = 0;
	ListCell   *lc;
	PGresult   *result;
	char	   *version;

	/* Keywords: the libpq ones among the server's and the mapping's options. */
	defaults = PQconndefaults();
	if (defaults == NULL)
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
	keywords = palloc0(sizeof(char *) * (list_length(server->options) + list_length(mapping->options) + 6));
	values = palloc0(sizeof(char *) * (list_length(server->options) + list_length(mapping->options) + 6));
	foreach(lc, server->options)
	{
		DefElem    *d = lfirst(lc);

		/* A client certificate comes from the user mapping only (check_node_credentials). */
		if (is_libpq_option(defaults, d->defname) && !superuser_arg(node->userid)
			&& (strcmp(d->defname, "sslcert") == 0 || strcmp(d->defname, "sslkey") == 0))
			continue;
		if (is_libpq_option(defaults, d->defname))
		{
			keywords[n] = pstrdup(d->defname);
			values[n++] = pstrdup(defGetString(d));
		}
	}
	foreach(lc, mapping->options)
	{
		DefElem    *d = lfirst(lc);

		if (is_libpq_option(defaults, d->defname))
		{
			keywords[n] = pstrdup(d->defname);
			values[n++] = pstrdup(defGetString(d));
		}
	}
	PQconninfoFree(defaults);
	check_node_credentials(node, server, mapping, keywords, values, &n);
	keywords[n] = "fallback_application_name";
	values[n++] = "corgi";
	keywords[n] = "client_encoding";
	values[n++] = GetDatabaseEncodingName();
	keywords[n] = NULL;
	values[n] = NULL;

	node->in_flight = false;
	(void) corgi_libpq_connect(keywords, values, &node->conn, PG_WAIT_EXTENSION);
	if (node->conn == NULL || PQstatus(node->conn) != CONNECTION_OK)
	{
		char	   *message = node->conn ? pchomp(PQerrorMessage(node->conn)) : pstrdup("out of memory");

		corgi_libpq_finish(node->conn);
		node->conn = NULL;
		ereport(ERROR,
				(errcode(ERRCODE_SQLCLIENT_UNABLE_TO_ESTABLISH_SQLCONNECTION),
				 errmsg("corgi could not connect to server \"%s\"", node->name),
				 errdetail_internal("%s", message),
				 errhint("Check the server's options and your user mapping for it.")));
	}

	if (!superuser_arg(node->userid) && !PQconnectionUsedPassword(node->conn))
		ereport(ERROR,
				(errcode(ERRCODE_S_R_E_PROHIBITED_SQL_STATEMENT_ATTEMPTED),
				 errmsg("password is required to reach server \"%s\"", node->name),
				 errdetail("Non-superusers must authenticate with a password to other servers."),
				 errhint("Set a password in your user mapping for server \"%s\".", node->name)));

	PQclear(node_exec(node, "SET search_path = pg_catalog", PGRES_COMMAND_OK, "preparing its session"));
	PQclear(node_exec(node, "START TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY", PGRES_COMMAND_OK,
					  "starting its transaction"));
	if (node->lane == 0)
	{
		/* The snapshot every connection to this server reads with, in this transaction. */
		result = node_exec(node, "SELECT pg_catalog.pg_export_snapshot()", PGRES_TUPLES_OK,
						   "exporting its snapshot");
		strlcpy(node->snapshot, PQntuples(result) == 1 ? PQgetvalue(result, 0, 0) : "", sizeof(node->snapshot));
		PQclear(result);
	}
	else
	{
		CorgiNode  *first = node_for_server(node->serverid, 0);
		char	   *sql = psprintf("SET TRANSACTION SNAPSHOT %s", quote_literal_cstr(first->snapshot));

		PQclear(node_exec(node, sql, PGRES_COMMAND_OK, "taking the snapshot of its first connection"));
	}
	result = node_exec(node, "SELECT extversion FROM pg_catalog.pg_extension WHERE extname = 'corgi'",
					   PGRES_TUPLES_OK, "checking its corgi version");
	version = PQntuples(result) == 1 ? pstrdup(PQgetvalue(result, 0, 0)) : NULL;
	PQclear(result);
	if (version == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("corgi is not installed in the database of server \"%s\"", node->name),
				 errhint("Run CREATE EXTENSION corgi there (version %s, as here).", CORGI_VERSION)));
	if (strcmp(version, CORGI_VERSION) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("server \"%s\" has corgi %s, this server %s", node->name, version, CORGI_VERSION),
				 errdetail("Models hop between servers only when every server trains with the same code."),
				 errhint("Run ALTER EXTENSION corgi UPDATE on every server (and install the same library).")));
}

/*
 * Connection `lane` to a postgres_fdw server for the current user, opened on first use in
 * this transaction (node_open) and kept to its end. Lane 0 exports its snapshot and the
 * other lanes read with it, so every connection to a server sees the same rows.
 */
static CorgiNode *
node_for_server(Oid serverid, int lane)
{
	Oid			userid = GetUserId();
	ForeignServer *server;
	ForeignDataWrapper *fdw;
	CorgiNode  *node;

	for (int i = 0; i < node_count; i++)
		if (nodes[i]->serverid == serverid && nodes[i]->userid == userid && nodes[i]->lane == lane)
		{
			/* Closed by an aborted subtransaction: open it again. */
			if (nodes[i]->conn == NULL)
				node_open(nodes[i]);
			return nodes[i];
		}

	server = GetForeignServer(serverid);
	fdw = GetForeignDataWrapper(server->fdwid);
	if (strcmp(fdw->fdwname, "postgres_fdw") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("server \"%s\" uses foreign-data wrapper \"%s\": corgi trains on postgres_fdw servers only",
						server->servername, fdw->fdwname)));
	(void) GetUserMapping(userid, serverid);	/* a clear error when there is none */

	if (!callbacks_registered)
	{
		RegisterXactCallback(node_xact_callback, NULL);
		RegisterSubXactCallback(node_subxact_callback, NULL);
		callbacks_registered = true;
	}
	if (node_count == node_capacity)
	{
		int			capacity = Max(8, node_capacity * 2);

		nodes = nodes == NULL
			? MemoryContextAllocZero(TopMemoryContext, sizeof(CorgiNode *) * capacity)
			: repalloc(nodes, sizeof(CorgiNode *) * capacity);
		node_capacity = capacity;
	}
	node = MemoryContextAllocZero(TopMemoryContext, sizeof(CorgiNode));
	node->serverid = serverid;
	node->userid = userid;
	node->lane = lane;
	strlcpy(node->name, server->servername, NAMEDATALEN);
	nodes[node_count++] = node; /* from here on the transaction's end closes it */
	node_open(node);
	return node;
}

/* A foreign table's remote name (postgres_fdw's schema_name and table_name options), quoted. */
static char *
remote_table_name(Oid relid)
{
	ForeignTable *table = GetForeignTable(relid);
	const char *schema = get_namespace_name(get_rel_namespace(relid));
	const char *name = get_rel_name(relid);
	ListCell   *lc;

	foreach(lc, table->options)
	{
		DefElem    *d = lfirst(lc);

		if (strcmp(d->defname, "schema_name") == 0)
			schema = defGetString(d);
		else if (strcmp(d->defname, "table_name") == 0)
			name = defGetString(d);
	}
	return quote_qualified_identifier(schema, name);
}

/* A foreign table column's remote name (postgres_fdw's column_name option). */
static char *
remote_column_name(Oid relid, const char *column)
{
	AttrNumber	attnum = get_attnum(relid, column);
	ListCell   *lc;

	if (attnum == InvalidAttrNumber)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("column \"%s\" of partition %s does not exist", column, get_rel_name(relid))));
	foreach(lc, GetForeignColumnOptions(relid, attnum))
	{
		DefElem    *d = lfirst(lc);

		if (strcmp(d->defname, "column_name") == 0)
			return defGetString(d);
	}
	return pstrdup(column);
}

/*
 * The features on the node: the remote name of the one array column, or of each listed
 * column (corgi._feature_columns' form, quoted where needed).
 */
static char *
remote_features_name(Oid relid, const char *features)
{
	List	   *items = NIL;
	ListCell   *lc;

	if (get_attnum(relid, features) != InvalidAttrNumber || !corgi_parse_feature_spec(features, &items))
		return remote_column_name(relid, features);
	foreach(lc, items)
	{
		CorgiFeatureItem *item = lfirst(lc);

		item->name = remote_column_name(relid, item->name);
	}
	return corgi_feature_spec_text(items);
}

/*
 * What a query of a foreign partition checks here before postgres_fdw reads it: SELECT
 * on the table (or on the two columns read), and no row-level security of this server
 * for the current user (the node reads the whole remote table: the local policies would
 * be read around). The node checks its own privileges and policies for the mapped user.
 */
static void
check_foreign_readable(Oid relid, const char *features, const char *label)
{
	List	   *items = NIL;
	ListCell   *lc;

	if (get_attnum(relid, features) != InvalidAttrNumber || !corgi_parse_feature_spec(features, &items))
	{
		CorgiFeatureItem *one = palloc0(sizeof(CorgiFeatureItem));

		one->name = (char *) features;
		items = list_make1(one);
	}
	foreach(lc, items)
		if (!corgi_may_select_columns(relid, get_attnum(relid, ((CorgiFeatureItem *) lfirst(lc))->name),
									  get_attnum(relid, label)))
			aclcheck_error(ACLCHECK_NO_PRIV, OBJECT_FOREIGN_TABLE, get_rel_name(relid));
	if (check_enable_rls(relid, InvalidOid, true) == RLS_ENABLED)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("foreign table \"%s\" has row-level security for the current user", get_rel_name(relid)),
				 errdetail("Its server trains on every row of the remote table, around this server's policies."),
				 errhint("Train on a table without row-level security for you, or ask its owner for one.")));
}

/* One segment: a local partition, or a foreign one on a node. */
typedef struct Segment
{
	Oid			relid;
	CorgiNode  *node;			/* NULL: local */
	char	   *remote_table;
	char	   *remote_features;
	char	   *remote_label;
} Segment;

/* What runs (or ran) on a node: one job at a time. */
typedef struct NodeJob
{
	int32		model;			/* -1: idle */
	int32		segment;
	bool		has_result;
	instr_time	sent;
} NodeJob;

/* The call's shared bookkeeping. */
typedef struct HopRun
{
	int32		models;
	int32		segments;
	int32	   *order;
	int32	   *completed;
	uint8	   *model_busy;
	uint8	   *mask;			/* segment_busy as a pick sees it */
	bytea	  **states;
	double	   *seconds;
	int64		bytes_sent;
	int64		bytes_received;
	double		remote_wall;	/* send to result, summed over remote jobs */
	double		remote_training;	/* what the nodes reported, summed */
	int32		remote_jobs;
} HopRun;

/* Picks a runnable job among the segments for which `eligible` holds; -1 when none. */
static int32
pick_job(HopRun *run, const Segment *segs, CorgiNode *node, bool local, int32 *segment)
{
	int32		model = -1;
	int32		picked;

	for (int s = 0; s < run->segments; s++)
		run->mask[s] = local ? (segs[s].node != NULL) : (segs[s].node != node);
	picked = corgi_hop_pick(run->models, run->segments, run->order, run->completed, run->model_busy, run->mask,
							&model, segment);
	if (picked < 0)
		elog(ERROR, "corgi: the partition-hopping schedule is malformed");
	return picked == 1 ? model : -1;
}

static void
complete_job(HopRun *run, int32 model, int32 segment)
{
	memset(run->mask, 0, run->segments);
	run->mask[segment] = 1;
	if (corgi_hop_complete(run->models, run->segments, run->order, run->completed, run->model_busy, run->mask,
						   model) != 1)
		elog(ERROR, "corgi: model %d was not running on segment %d", model, segment);
}

/*
 * Sends model's state to the node that holds segment (binary bytea parameter); false
 * when the connection is lost (the caller may reconnect and send again).
 */
static bool
send_job(HopRun *run, const Segment *seg, NodeJob *job, int32 model, int32 segment, bool block_shuffle)
{
	static const char *sql =
		"SELECT state, seconds FROM corgi._train_segment($1::pg_catalog.regclass, $2::pg_catalog.text, "
		"$3::pg_catalog.name, $4, $5::pg_catalog.bool)";
	Oid			types[5] = {TEXTOID, TEXTOID, TEXTOID, BYTEAOID, TEXTOID};
	const char *values[5];
	int			lengths[5] = {0, 0, 0, 0, 0};
	int			formats[5] = {0, 0, 0, 1, 0};
	bytea	   *state = run->states[model];

	values[0] = seg->remote_table;
	values[1] = seg->remote_features;
	values[2] = seg->remote_label;
	values[3] = VARDATA_ANY(state);
	lengths[3] = VARSIZE_ANY_EXHDR(state);
	values[4] = block_shuffle ? "true" : "false";
	if (!PQsendQueryParams(seg->node->conn, sql, 5, types, values, lengths, formats, 1))
	{
		if (PQstatus(seg->node->conn) == CONNECTION_BAD)
		{
			remember_loss(seg->node, NULL);
			return false;
		}
		raise_node_error(seg->node, NULL, "sending it a training job");
	}
	seg->node->in_flight = true;
	forget_loss(seg->node);
	job->model = model;
	job->segment = segment;
	job->has_result = false;
	INSTR_TIME_SET_CURRENT(job->sent);
	run->bytes_sent += VARSIZE_ANY_EXHDR(state);
	return true;
}

/* A big-endian float8 of a binary result. */
static double
binary_float8(const char *bytes)
{
	uint64		bits = 0;
	double		value;

	for (int i = 0; i < 8; i++)
		bits = (bits << 8) | (uint8) bytes[i];
	memcpy(&value, &bits, sizeof(value));
	return value;
}

/*
 * Whether a failed job failed with its connection (so sending it again may succeed): the
 * connection is gone, or the node said it is ending it (class 08, connection exception;
 * 57P0x, an administrator's or a crash shutdown, pg_terminate_backend).
 */
static bool
connection_failed(CorgiNode *node, PGresult *result)
{
	const char *sqlstate = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : NULL;

	return PQstatus(node->conn) == CONNECTION_BAD
		|| (sqlstate != NULL && (strncmp(sqlstate, "08", 2) == 0 || strncmp(sqlstate, "57P", 3) == 0));
}

/*
 * Keeps why a job's connection failed (the node's SQLSTATE and message, from its result
 * or the connection), so that the error raised when no retry is left says what the node
 * said; a job sent again forgets it.
 */
static void
remember_loss(CorgiNode *node, PGresult *result)
{
	const char *sqlstate = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : NULL;
	const char *primary = result ? PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY) : NULL;

	strlcpy(node->lost_sqlstate, sqlstate != NULL && strlen(sqlstate) == 5 ? sqlstate : "",
			sizeof(node->lost_sqlstate));
	if (node->lost_message != NULL)
		pfree(node->lost_message);
	node->lost_message = MemoryContextStrdup(TopMemoryContext,
											 primary != NULL ? primary : connection_message(node->conn));
}

static void
forget_loss(CorgiNode *node)
{
	node->lost_sqlstate[0] = '\0';
	if (node->lost_message != NULL)
		pfree(node->lost_message);
	node->lost_message = NULL;
}

/*
 * A node's answer must be the state of its job one partition further: the same model
 * (kind, shape, classes, parameters with the seed, buffer and batch), the same open
 * epoch, and at least the rows it was sent with. A node that answers anything else (a
 * bug, another corgi, or a server that is not what its options say) is refused by name
 * before its state is stored.
 */
static void
check_node_answer(const CorgiNode *node, bytea *sent, bytea *received)
{
	CorgiStateInfo before;
	CorgiStateInfo after;
	CorgiError	error = {0};
	char		sent_params[CORGI_PARAMS_SIZE];
	char		received_params[CORGI_PARAMS_SIZE];
	const char *differs = NULL;

	corgi_state_info(sent, &before);
	corgi_state_describe(VARDATA_ANY(received), VARSIZE_ANY_EXHDR(received), &after, &error);
	if (error.status != CORGI_OK)
		ereport(ERROR,
				(errcode(ERRCODE_PROTOCOL_VIOLATION),
				 errmsg("server \"%s\" answered a training job with a malformed state", node->name),
				 errdetail_internal("%s", error.message)));
	corgi_state_parameters(VARDATA_ANY(sent), VARSIZE_ANY_EXHDR(sent), sent_params, sizeof(sent_params), &error);
	corgi_raise_if_failed(&error);
	corgi_state_parameters(VARDATA_ANY(received), VARSIZE_ANY_EXHDR(received), received_params,
						   sizeof(received_params), &error);
	corgi_raise_if_failed(&error);
	if (strcmp(before.model_name, after.model_name) != 0 || before.kind != after.kind
		|| before.is_network != after.is_network)
		differs = "the model kind";
	else if (before.feature_count != after.feature_count || before.class_count != after.class_count
			 || before.has_intercept != after.has_intercept || before.learner_mb != after.learner_mb)
		differs = "the model's shape";
	else if (strcmp(sent_params, received_params) != 0 || before.seed != after.seed)
		differs = "the parameters or the seed";
	else if (before.buffer_mode != after.buffer_mode || before.buffer_capacity != after.buffer_capacity
			 || before.batch_size != after.batch_size)
		differs = "the tuple buffer";
	else if (before.epochs_completed != after.epochs_completed)
		differs = "the epoch";
	else if (after.current_rows < before.current_rows)
		differs = "the rows trained";
	if (differs != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_PROTOCOL_VIOLATION),
				 errmsg("server \"%s\" answered a training job with a state of another job", node->name),
				 errdetail("The state it returned differs from the one it was sent in %s.", differs),
				 errhint("Check that server \"%s\" runs corgi %s unchanged.", node->name, CORGI_VERSION)));
}

/* poll_job's answers. */
#define JOB_RUNNING 0
#define JOB_DONE 1
#define JOB_CONNECTION_LOST (-1)

/*
 * Reads what a node has sent without blocking: JOB_DONE when its job is over (the result
 * stored in the model's state), JOB_CONNECTION_LOST when the connection broke before the
 * result arrived (nothing is stored: the job can be sent again). Raises the node's error.
 */
static int
poll_job(HopRun *run, NodeJob *job, CorgiNode *node, MemoryContext results)
{
	if (!PQconsumeInput(node->conn))
	{
		if (PQstatus(node->conn) == CONNECTION_BAD && !job->has_result)
		{
			remember_loss(node, NULL);
			return JOB_CONNECTION_LOST;
		}
		raise_node_error(node, NULL, "training a model on its partition");
	}
	while (!PQisBusy(node->conn))
	{
		PGresult   *result = PQgetResult(node->conn);
		MemoryContext old;
		instr_time	took;
		bytea	   *state;
		int			length;

		if (result == NULL)
		{
			if (!job->has_result)
				ereport(ERROR,
						(errcode(ERRCODE_PROTOCOL_VIOLATION),
						 errmsg("server \"%s\" returned no state for a training job", node->name)));
			node->in_flight = false;
			return JOB_DONE;
		}
		if (PQresultStatus(result) != PGRES_TUPLES_OK)
		{
			if (connection_failed(node, result) && !job->has_result)
			{
				remember_loss(node, result);
				PQclear(result);
				return JOB_CONNECTION_LOST;
			}
			raise_node_error(node, result, "training a model on its partition");
		}
		if (PQntuples(result) != 1 || PQnfields(result) != 2 || PQgetisnull(result, 0, 0)
			|| PQgetisnull(result, 0, 1) || PQgetlength(result, 0, 1) != 8)
		{
			PQclear(result);
			ereport(ERROR,
					(errcode(ERRCODE_PROTOCOL_VIOLATION),
					 errmsg("server \"%s\" answered a training job with an unexpected result", node->name)));
		}
		length = PQgetlength(result, 0, 0);
		old = MemoryContextSwitchTo(results);
		state = palloc(length + VARHDRSZ);
		MemoryContextSwitchTo(old);
		SET_VARSIZE(state, length + VARHDRSZ);
		memcpy(VARDATA(state), PQgetvalue(result, 0, 0), length);
		PG_TRY();
		{
			check_node_answer(node, run->states[job->model], state);
		}
		PG_CATCH();
		{
			PQclear(result);
			PG_RE_THROW();
		}
		PG_END_TRY();
		run->seconds[job->model] += binary_float8(PQgetvalue(result, 0, 1));
		run->remote_training += binary_float8(PQgetvalue(result, 0, 1));
		PQclear(result);
		run->bytes_received += length;
		run->states[job->model] = state;
		job->has_result = true;
		INSTR_TIME_SET_CURRENT(took);
		INSTR_TIME_SUBTRACT(took, job->sent);
		run->remote_wall += INSTR_TIME_GET_DOUBLE(took);
		run->remote_jobs++;
	}
	return JOB_RUNNING;
}

/* corgi.node_retries: how often one call sends a job again after a lost connection. */
int			corgi_node_retries = 0;

/* corgi.node_connections: connections per server, each running one job at a time. */
int			corgi_node_connections = 4;

/*
 * A node's connection broke in the middle of a job: with retries left, open a new one
 * (a new REPEATABLE READ transaction there) and send the job again (a job is a pure
 * function of the state and the partition); else the error, naming the node.
 */
static void
retry_job(HopRun *run, Segment *segs, NodeJob *job, CorgiNode *node, int *retries, bool block_shuffle)
{
	int32		model = job->model,
				segment = job->segment;

	for (;;)
	{
		if (*retries >= corgi_node_retries)
			raise_node_error(node, NULL, "training a model on its partition");
		(*retries)++;
		ereport(NOTICE,
				(errmsg("corgi lost the connection to server \"%s\" during a job; sending it again on a new connection (retry %d of %d)",
						node->name, *retries, corgi_node_retries),
				 errdetail_internal("%s", node->lost_message ? node->lost_message : connection_message(node->conn))));
		node->in_flight = false;
		corgi_libpq_finish(node->conn);
		node->conn = NULL;
		node_open(node);
		if (send_job(run, &segs[segment], job, model, segment, block_shuffle))
			return;
	}
}

/* Waits until a busy node's socket is readable or the latch is set; then checks interrupts. */
static void
wait_for_nodes(NodeJob *jobs, CorgiNode **job_nodes, int count)
{
#if PG_VERSION_NUM >= 170000
	WaitEventSet *set = CreateWaitEventSet(CurrentResourceOwner, count + 2);
#else
	WaitEventSet *set = CreateWaitEventSet(CurrentMemoryContext, count + 2);
#endif
	WaitEvent	event = {0};

	AddWaitEventToSet(set, WL_LATCH_SET, PGINVALID_SOCKET, MyLatch, NULL);
	AddWaitEventToSet(set, WL_EXIT_ON_PM_DEATH, PGINVALID_SOCKET, NULL, NULL);
	for (int i = 0; i < count; i++)
		if (jobs[i].model >= 0)
			AddWaitEventToSet(set, WL_SOCKET_READABLE, PQsocket(job_nodes[i]->conn), NULL, NULL);
	(void) WaitEventSetWait(set, -1, &event, 1, PG_WAIT_EXTENSION);
	FreeWaitEventSet(set);
	if (event.events & WL_LATCH_SET)
		ResetLatch(MyLatch);
	CHECK_FOR_INTERRUPTS();
}

/* A local job: the model's pass over its partition, in this backend. */
static void
run_local_job(HopRun *run, const Segment *seg, int32 model, const char *features, const char *label,
			  bool block_shuffle, CorgiTrainerCache *cache, MemoryContext results)
{
	MemoryContext job_context = AllocSetContextCreate(CurrentMemoryContext, "corgi partition job",
													  ALLOCSET_DEFAULT_SIZES);
	MemoryContext old = MemoryContextSwitchTo(job_context);
	CorgiHeapRows source = corgi_heap_rows_open(seg->relid, features, label, "corgi.fit_multiple",
												"which it does not offer for partitions");
	instr_time	began,
				took;
	bytea	   *result;
	bytea	   *copy;

	INSTR_TIME_SET_CURRENT(began);
	result = corgi_train_relation(&source, run->states[model], block_shuffle, cache);
	table_close(source.rel, NoLock);
	MemoryContextSwitchTo(results);
	copy = palloc(VARSIZE_ANY(result));
	memcpy(copy, result, VARSIZE_ANY(result));
	run->states[model] = copy;
	MemoryContextSwitchTo(old);
	MemoryContextDelete(job_context);
	INSTR_TIME_SET_CURRENT(took);
	INSTR_TIME_SUBTRACT(took, began);
	run->seconds[model] += INSTR_TIME_GET_DOUBLE(took);
}

PG_FUNCTION_INFO_V1(corgi_hop_partitions);

/*
 * corgi._hop_partitions(partitions regclass[], features text, label name, states bytea[],
 *                       offsets integer[], segment_seed bigint, block_shuffle boolean,
 *                       workers integer,
 *                       OUT states bytea[], OUT seconds float8[], OUT servers integer,
 *                       OUT bytes_sent bigint, OUT bytes_received bigint,
 *                       OUT remote_jobs integer, OUT round_trip_seconds float8,
 *                       OUT workers_launched integer)
 *
 * One model-hopping epoch of every state over the partitions (segment s = partitions[s]),
 * all at the same epoch: the new states (epoch still open), each model's training
 * seconds, how many servers worked, the state bytes sent and received, the remote jobs
 * and the time they spent outside training (network, parse, state (de)coding). When
 * every partition is local, up to `workers` parallel workers (< 0: the default) train
 * beside this backend, as corgi._hop_epoch does; the models do not depend on it.
 */
Datum
corgi_hop_partitions(PG_FUNCTION_ARGS)
{
	ArrayType  *partitions_array = PG_GETARG_ARRAYTYPE_P(0);
	const char *features = corgi_features_argument(fcinfo, 1);
	const char *label = NameStr(*PG_GETARG_NAME(2));
	ArrayType  *states_array = PG_GETARG_ARRAYTYPE_P(3);
	ArrayType  *offsets_array = PG_GETARG_ARRAYTYPE_P(4);
	int64		segment_seed = PG_GETARG_INT64(5);
	bool		block_shuffle = PG_GETARG_BOOL(6);
	int32		workers = PG_GETARG_INT32(7);
	int			launched = 0;
	MemoryContext results = CurrentMemoryContext;
	Datum	   *state_datums;
	int			models;
	int			segments;
	Oid		   *relids;
	int32	   *offsets;
	Segment    *segs;
	CorgiNode **job_nodes;		/* the distinct connections, in first-segment order */
	NodeJob    *jobs;
	int		   *retries;		/* per node: retries used in this call */
	int			node_total = 0;		/* connections (lanes) */
	int			server_total = 0;
	HopRun		run = {0};
	CorgiStateInfo first_info;
	Size		largest;
	CorgiError	error = {0};
	CorgiTrainerCache cache = {CurrentMemoryContext, NULL};
	TupleDesc	tupdesc;
	Datum		values[8];
	bool		nulls[8] = {0};
	Datum	   *out_states;
	Datum	   *out_seconds;

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "corgi._hop_partitions must return a record");

	/* Arguments ---------------------------------------------------------------------- */
	if (ARR_NDIM(partitions_array) != 1 || ARR_HASNULL(partitions_array) || ARR_ELEMTYPE(partitions_array) != REGCLASSOID)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("partitions must be a one-dimensional regclass array without NULLs")));
	segments = ArrayGetNItems(ARR_NDIM(partitions_array), ARR_DIMS(partitions_array));
	if (segments < 1 || segments > CORGI_PARTITION_MAX_SEGMENTS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("partition hopping takes 1 to %d partitions, got %d", CORGI_PARTITION_MAX_SEGMENTS, segments)));
	relids = (Oid *) ARR_DATA_PTR(partitions_array);
	state_datums = corgi_bytea_elements(states_array, "states", &models);
	if (models < 1 || models > CORGI_PARTITION_MAX_MODELS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("model hopping trains 1 to %d models at once, got %d", CORGI_PARTITION_MAX_MODELS, models)));
	if (ARR_NDIM(offsets_array) != 1 || ARR_HASNULL(offsets_array) || ARR_ELEMTYPE(offsets_array) != INT4OID
		|| ArrayGetNItems(ARR_NDIM(offsets_array), ARR_DIMS(offsets_array)) != models)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("offsets must be an integer array without NULLs, one element per state")));
	offsets = (int32 *) ARR_DATA_PTR(offsets_array);

	run.models = models;
	run.segments = segments;
	/* A partition is read whole, so the models need not share a block size. */
	run.states = corgi_hop_states(state_datums, models, false, &first_info, &largest);
	run.seconds = palloc0(sizeof(double) * models);

	/* The segments and their servers (connecting, checking each node's corgi) -------- */
	segs = palloc0(sizeof(Segment) * segments);
	job_nodes = palloc0(sizeof(CorgiNode *) * segments);
	for (int s = 0; s < segments; s++)
	{
		char		kind = get_rel_relkind(relids[s]);

		CHECK_FOR_INTERRUPTS(); /* up to 10,000 partitions, O(s) checks each */

		segs[s].relid = relids[s];
		for (int t = 0; t < s; t++)
			if (relids[t] == relids[s])
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("partition %s is listed twice", get_rel_name(relids[s]))));
		if (kind == RELKIND_FOREIGN_TABLE)
		{
			Oid			server = GetForeignTable(relids[s])->serverid;
			int			on_server = 0;
			CorgiNode  *node;
			bool		known = false;

			check_foreign_readable(relids[s], features, label);
			/* The k-th partition of a server goes to lane k mod corgi.node_connections. */
			for (int t = 0; t < s; t++)
				if (segs[t].node != NULL && segs[t].node->serverid == server)
					on_server++;
			if (on_server == 0)
				server_total++;
			node = node_for_server(server, on_server % Max(corgi_node_connections, 1));

			segs[s].node = node;
			segs[s].remote_table = remote_table_name(relids[s]);
			segs[s].remote_features = remote_features_name(relids[s], features);
			segs[s].remote_label = remote_column_name(relids[s], label);
			for (int i = 0; i < node_total; i++)
				known = known || job_nodes[i] == node;
			if (!known)
				job_nodes[node_total++] = node;
		}
		else if (kind != RELKIND_RELATION && kind != RELKIND_MATVIEW)
			ereport(ERROR,
					(errcode(ERRCODE_WRONG_OBJECT_TYPE),
					 errmsg("partition %s is neither a table nor a foreign table", get_rel_name(relids[s]))));
	}
	jobs = palloc(sizeof(NodeJob) * Max(node_total, 1));
	retries = palloc0(sizeof(int) * Max(node_total, 1));
	for (int i = 0; i < node_total; i++)
		jobs[i].model = -1;

	/* The schedule ---------------------------------------------------------------- */
	run.order = palloc(sizeof(int32) * ((int64) models * segments > (1 << 20) ? 1 : models * segments));
	corgi_hop_order(models, offsets, segments, segment_seed, first_info.epochs_completed, run.order,
					(int64) models * segments, &error);
	corgi_raise_if_failed(&error);
	run.completed = palloc0(sizeof(int32) * models);
	run.model_busy = palloc0(models);
	run.mask = palloc0(segments);

	/* Every partition here and workers allowed: this server's parallel workers hop them. */
	if (node_total == 0 && workers != 0 && models > 1 && segments > 1)
	{
		Datum	   *out_states = palloc(sizeof(Datum) * models);
		Datum	   *out_seconds = palloc(sizeof(Datum) * models);

		launched = corgi_hop_local_partitions(relids, segments, features, label, run.states, models, largest,
											  run.order, first_info.epochs_completed, block_shuffle, workers,
											  NULL, NULL, out_states, out_seconds);
		for (int m = 0; m < models; m++)
		{
			run.states[m] = DatumGetByteaPP(out_states[m]);
			run.seconds[m] = DatumGetFloat8(out_seconds[m]);
			run.completed[m] = segments;
		}
	}

	/* Dispatch: every idle node gets a job, the coordinator runs local ones between -- */
	for (;;)
	{
		bool		progressed = false;
		bool		busy = false;
		int32		segment = -1;
		int32		model;

		CHECK_FOR_INTERRUPTS();
		for (int i = 0; i < node_total; i++)
		{
			if (jobs[i].model >= 0)
			{
				int			polled = poll_job(&run, &jobs[i], job_nodes[i], results);

				if (polled == JOB_CONNECTION_LOST)
				{
					retry_job(&run, segs, &jobs[i], job_nodes[i], &retries[i], block_shuffle);
					progressed = true;
				}
				else if (polled == JOB_DONE)
				{
					complete_job(&run, jobs[i].model, jobs[i].segment);
					jobs[i].model = -1;
					progressed = true;
				}
			}
			if (jobs[i].model < 0 && (model = pick_job(&run, segs, job_nodes[i], false, &segment)) >= 0)
			{
				if (!send_job(&run, &segs[segment], &jobs[i], model, segment, block_shuffle))
				{
					jobs[i].model = model;
					jobs[i].segment = segment;
					retry_job(&run, segs, &jobs[i], job_nodes[i], &retries[i], block_shuffle);
				}
				progressed = true;
			}
			busy = busy || jobs[i].model >= 0;
		}
		if ((model = pick_job(&run, segs, NULL, true, &segment)) >= 0)
		{
			run_local_job(&run, &segs[segment], model, features, label, block_shuffle, &cache, results);
			complete_job(&run, model, segment);
			continue;
		}
		if (!busy)
		{
			bool		finished = true;

			for (int m = 0; m < models; m++)
				finished = finished && run.completed[m] >= segments;
			if (finished)
				break;
			if (!progressed)
				elog(ERROR, "corgi: partition hopping has no runnable job and none running");
			continue;
		}
		if (!progressed)
			wait_for_nodes(jobs, job_nodes, node_total);
	}
	if (cache.trainer != NULL)
		corgi_handle_release(cache.trainer);

	/* Results --------------------------------------------------------------------- */
	out_states = palloc(sizeof(Datum) * models);
	out_seconds = palloc(sizeof(Datum) * models);
	for (int m = 0; m < models; m++)
	{
		out_states[m] = PointerGetDatum(run.states[m]);
		out_seconds[m] = Float8GetDatum(run.seconds[m]);
	}
	values[0] = PointerGetDatum(construct_array(out_states, models, BYTEAOID, -1, false, TYPALIGN_INT));
	values[1] = PointerGetDatum(construct_array(out_seconds, models, FLOAT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
	values[2] = Int32GetDatum(server_total);
	values[3] = Int64GetDatum(run.bytes_sent);
	values[4] = Int64GetDatum(run.bytes_received);
	values[5] = Int32GetDatum(run.remote_jobs);
	values[6] = Float8GetDatum(Max(0.0, run.remote_wall - run.remote_training));
	values[7] = Int32GetDatum(launched);
	tupdesc = BlessTupleDesc(tupdesc);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}

PG_FUNCTION_INFO_V1(corgi_train_segment);

/*
 * corgi._train_segment(source regclass, features text, label name, state bytea,
 *                      block_shuffle boolean, OUT state bytea, OUT seconds float8)
 *
 * A node's job: corgi.train_pass over the whole table (same rows, same order, same
 * state), and the seconds it took.
 */
Datum
corgi_train_segment(PG_FUNCTION_ARGS)
{
	bytea	   *state = PG_GETARG_BYTEA_PP(3);
	bool		block_shuffle = PG_GETARG_BOOL(4);
	CorgiHeapRows source;
	instr_time	began,
				took;
	bytea	   *result;
	TupleDesc	tupdesc;
	Datum		values[2];
	bool		nulls[2] = {false, false};

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "corgi._train_segment must return a record");
	INSTR_TIME_SET_CURRENT(began);
	source = corgi_heap_rows_open(PG_GETARG_OID(0), corgi_features_argument(fcinfo, 1), NameStr(*PG_GETARG_NAME(2)),
								  "corgi.fit_multiple", "which it does not offer for partitions");
	result = corgi_train_relation(&source, state, block_shuffle, NULL);
	table_close(source.rel, NoLock);
	INSTR_TIME_SET_CURRENT(took);
	INSTR_TIME_SUBTRACT(took, began);
	values[0] = PointerGetDatum(result);
	values[1] = Float8GetDatum(INSTR_TIME_GET_DOUBLE(took));
	tupdesc = BlessTupleDesc(tupdesc);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}
