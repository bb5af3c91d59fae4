/*
 * corgi_direct_rows.c: the rows of a simple row query read straight from the heap (see
 * corgi_direct_rows.h).
 *
 * The query is the one the caller would run: SPI has parsed and analyzed it (names
 * resolved under the caller's search_path and privileges), and its tree is matched here
 * after constant folding. Only shapes whose values the heap reader gives identically are
 * accepted; anything unknown is a "no", never an error.
 */
#include "postgres.h"

#include "access/relation.h"
#include "access/table.h"
#include "access/sysattr.h"
#include "catalog/pg_am.h"
#include "catalog/pg_class.h"
#include "catalog/pg_inherits.h"
#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/plancache.h"
#include "utils/rel.h"
#include "utils/rls.h"

#include "corgi_direct_rows.h"
#include "corgi_feature_columns.h"
#include "corgi_group_router.h"
#include "corgi_training.h"

/* Casts whose result is the value the heap reader gives for their argument. */
static bool
value_keeping_cast(Oid funcid)
{
	switch (funcid)
	{
		case F_INT4_BOOL:		/* boolean -> integer: 1/0, as a boolean label or feature reads */
		case F_INT4_INT2:
		case F_INT8_INT2:
		case F_INT8_INT4:
		case F_FLOAT8_INT2:
		case F_FLOAT8_INT4:
		case F_FLOAT8_INT8:		/* (double) of the integer, as the reader converts it */
		case F_FLOAT8_FLOAT4:
		case F_FLOAT8_NUMERIC:	/* numeric_float8, as the reader converts it */
			return true;
		default:
			return false;
	}
}

/* The expression without value-keeping casts. */
static Node *
strip_casts(Node *node)
{
	for (;;)
	{
		if (node == NULL)
			return NULL;
		if (IsA(node, RelabelType))
			node = (Node *) ((RelabelType *) node)->arg;
		else if (IsA(node, FuncExpr) && list_length(((FuncExpr *) node)->args) == 1
				 && value_keeping_cast(((FuncExpr *) node)->funcid))
			node = linitial(((FuncExpr *) node)->args);
		else
			return node;
	}
}

/* A column of the query's one table (not a system column or the whole row). */
static bool
table_column(Node *node, AttrNumber *attnum)
{
	Var		   *var;

	if (node == NULL || !IsA(node, Var))
		return false;
	var = (Var *) node;
	if (var->varno != 1 || var->varlevelsup != 0 || var->varattno <= 0)
		return false;
	*attnum = var->varattno;
	return true;
}

/* A non-NULL float8 constant. */
static bool
float8_constant(Node *node, double *value)
{
	Const	   *c;

	if (node == NULL || !IsA(node, Const))
		return false;
	c = (Const *) node;
	if (c->constisnull || c->consttype != FLOAT8OID)
		return false;
	*value = DatumGetFloat8(c->constvalue);
	return true;
}

/* Appends a constant to out->leading. */
static void
add_leading(CorgiDirectRows *out, double value)
{
	out->leading = out->leading == NULL ? palloc(sizeof(double))
		: repalloc(out->leading, sizeof(double) * (out->leading_count + 1));
	out->leading[out->leading_count++] = value;
}

/* A float8[] column of rel: its name into out->features. */
static bool
array_column(Node *node, Relation rel, CorgiDirectRows *out)
{
	AttrNumber	attnum;

	node = strip_casts(node);
	if (!table_column(node, &attnum) || attnum > RelationGetDescr(rel)->natts)
		return false;
	if (TupleDescAttr(RelationGetDescr(rel), attnum - 1)->atttypid != FLOAT8ARRAYOID)
		return false;
	out->features = pstrdup(NameStr(TupleDescAttr(RelationGetDescr(rel), attnum - 1)->attname));
	return true;
}

/*
 * The independent expression: a float8[] column, ARRAY[constants..., columns...] of
 * number columns, or constants || a float8[] column (array_cat of a constant array,
 * array_prepend of a constant).
 */
static bool
match_features(Node *node, Relation rel, CorgiDirectRows *out)
{
	TupleDesc	desc = RelationGetDescr(rel);

	if (node != NULL && IsA(node, RelabelType))
		node = (Node *) ((RelabelType *) node)->arg;
	if (node == NULL)
		return false;
	if (IsA(node, Var))
		return array_column(node, rel, out);
	if (IsA(node, ArrayExpr))
	{
		ArrayExpr  *array = (ArrayExpr *) node;
		StringInfoData list;
		ListCell   *lc;
		bool		columns = false;

		if (array->multidims || array->element_typeid != FLOAT8OID)
			return false;
		initStringInfo(&list);
		foreach(lc, array->elements)
		{
			Node	   *element = (Node *) lfirst(lc);
			double		value;
			AttrNumber	attnum;

			if (!columns && float8_constant(element, &value))
			{
				add_leading(out, value);
				continue;
			}
			element = strip_casts(element);
			if (!table_column(element, &attnum) || attnum > desc->natts
				|| !corgi_scalar_feature_type(TupleDescAttr(desc, attnum - 1)->atttypid))
				return false;
			appendStringInfo(&list, "%s%s", columns ? ", " : "",
							 quote_identifier(NameStr(TupleDescAttr(desc, attnum - 1)->attname)));
			columns = true;
		}
		if (!columns)
			return false;
		out->features = list.data;
		return true;
	}
	if (IsA(node, FuncExpr) || IsA(node, OpExpr))
	{
		Oid			funcid = IsA(node, FuncExpr) ? ((FuncExpr *) node)->funcid : ((OpExpr *) node)->opfuncid;
		List	   *args = IsA(node, FuncExpr) ? ((FuncExpr *) node)->args : ((OpExpr *) node)->args;
		double		value;

		if (list_length(args) != 2)
			return false;
		/* array_cat and array_prepend of a NULL array give the constants alone. */
		out->null_array_is_empty = true;
		if (funcid == F_ARRAY_PREPEND && float8_constant(linitial(args), &value))
		{
			add_leading(out, value);
			return array_column(lsecond(args), rel, out);
		}
		if (funcid == F_ARRAY_CAT && IsA(linitial(args), Const))
		{
			Const	   *c = (Const *) linitial(args);
			ArrayType  *constants;
			Datum	   *items;
			bool	   *nulls;
			int			n;

			if (c->constisnull || c->consttype != FLOAT8ARRAYOID)
				return false;
			constants = DatumGetArrayTypeP(c->constvalue);
			if (ARR_NDIM(constants) > 1)
				return false;
			deconstruct_array(constants, FLOAT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE, &items, &nulls, &n);
			for (int i = 0; i < n; i++)
			{
				if (nulls[i])
					return false;
				add_leading(out, DatumGetFloat8(items[i]));
			}
			return array_column(lsecond(args), rel, out);
		}
	}
	return false;
}

/* Whether funcid is corgi._group_index(record, text[]). */
static bool
group_index_function(Oid funcid)
{
	char	   *name = get_func_name(funcid);
	Oid			namespace = get_func_namespace(funcid);
	char	   *schema = OidIsValid(namespace) ? get_namespace_name(namespace) : NULL;

	return name != NULL && schema != NULL && strcmp(name, "_group_index") == 0 && strcmp(schema, "corgi") == 0;
}

/*
 * A group target corgi._group_index(ROW(columns of rel), constant text[]) of `groups`
 * groups: out->router and out->key_columns set.
 */
static bool
match_group_index(Node *node, Relation rel, int groups, CorgiDirectRows *out)
{
	FuncExpr   *call;
	RowExpr    *row;
	Const	   *keys;
	int			count;
	Oid		   *types;
	Oid		   *collations;
	ListCell   *lc;
	int			c = 0;

	while (node != NULL && IsA(node, RelabelType))
		node = (Node *) ((RelabelType *) node)->arg;
	if (node == NULL || !IsA(node, FuncExpr))
		return false;
	call = (FuncExpr *) node;
	if (list_length(call->args) != 2 || !group_index_function(call->funcid)
		|| !IsA(linitial(call->args), RowExpr) || !IsA(lsecond(call->args), Const))
		return false;
	row = (RowExpr *) linitial(call->args);
	keys = (Const *) lsecond(call->args);
	count = list_length(row->args);
	if (keys->constisnull || keys->consttype != TEXTARRAYOID || count < 1)
		return false;
	types = palloc(sizeof(Oid) * count);
	collations = palloc(sizeof(Oid) * count);
	out->key_columns = palloc(sizeof(AttrNumber) * count);
	foreach(lc, row->args)
	{
		Node	   *arg = (Node *) lfirst(lc);
		AttrNumber	attnum;

		if (!table_column(arg, &attnum) || attnum > RelationGetDescr(rel)->natts)
			return false;
		out->key_columns[c] = attnum;
		types[c] = exprType(arg);
		collations[c] = exprCollation(arg);
		if (!OidIsValid(collations[c]))
			collations[c] = get_typcollation(types[c]);
		c++;
	}
	out->router = corgi_group_router_build(count, types, collations, DatumGetArrayTypeP(keys->constvalue));
	return out->router->group_count == groups;
}

static bool direct_rows_analyze(SPIPlanPtr plan, int group_target, int groups, int label_target,
								int features_target, bool boolean_label, int32 constant_value,
								CorgiDirectRows *out);

bool
corgi_direct_rows_analyze(SPIPlanPtr plan, int label_target, int features_target, bool boolean_label,
						  int32 constant_value, CorgiDirectRows *out)
{
	return direct_rows_analyze(plan, 0, 1, label_target, features_target, boolean_label, constant_value, out);
}

bool
corgi_direct_rows_analyze_grouped(SPIPlanPtr plan, int group_target, int label_target, int features_target,
								  bool boolean_label, int groups, CorgiDirectRows *out)
{
	return direct_rows_analyze(plan, group_target, groups, label_target, features_target, boolean_label, 1, out);
}

static bool
direct_rows_analyze(SPIPlanPtr plan, int group_target, int groups, int label_target, int features_target,
					bool boolean_label, int32 constant_value, CorgiDirectRows *out)
{
	List	   *sources = SPI_plan_get_plan_sources(plan);
	CachedPlanSource *source;
	Query	   *query;
	RangeTblEntry *rte;
	Relation	rel;
	ListCell   *lc;
	int			target = 0;
	bool		ok = true;
	AttrNumber	label_attnum = InvalidAttrNumber;
	Bitmapset  *columns = NULL;

	memset(out, 0, sizeof(*out));
	if (list_length(sources) != 1)
		return false;
	source = linitial(sources);
	if (list_length(source->query_list) != 1)
		return false;
	query = linitial_node(Query, source->query_list);
	if (query->commandType != CMD_SELECT || query->utilityStmt != NULL || query->hasAggs || query->hasWindowFuncs
		|| query->hasTargetSRFs || query->hasSubLinks || query->hasForUpdate || query->cteList != NIL
		|| query->groupClause != NIL || query->groupingSets != NIL || query->havingQual != NULL
		|| query->distinctClause != NIL || query->sortClause != NIL || query->limitCount != NULL
		|| query->limitOffset != NULL || query->setOperations != NULL || query->rowMarks != NIL
		|| list_length(query->rtable) != 1 || query->jointree == NULL || query->jointree->quals != NULL
		|| list_length(query->jointree->fromlist) != 1 || !IsA(linitial(query->jointree->fromlist), RangeTblRef))
		return false;
	rte = linitial_node(RangeTblEntry, query->rtable);
	if (rte->rtekind != RTE_RELATION || rte->tablesample != NULL)
		return false;
	rel = relation_open(rte->relid, AccessShareLock);
	if ((rel->rd_rel->relkind != RELKIND_RELATION && rel->rd_rel->relkind != RELKIND_MATVIEW)
		|| rel->rd_rel->relam != HEAP_TABLE_AM_OID || has_subclass(rte->relid)
		|| check_enable_rls(rte->relid, InvalidOid, true) == RLS_ENABLED)
	{
		relation_close(rel, NoLock);
		return false;
	}
	out->relid = rte->relid;
	foreach(lc, query->targetList)
	{
		TargetEntry *entry = lfirst_node(TargetEntry, lc);
		Node	   *expr = eval_const_expressions(NULL, (Node *) entry->expr);

		if (entry->resjunk)
			continue;
		target++;
		if (target == label_target)
		{
			Node	   *column = strip_casts(expr);
			Oid			type;
			double		zero;

			/*
			 * A boolean label: a boolean column, or (column)::float8 > 0 (corgi.train's
			 * code of a label), whose value the reader's label gives as label > 0.
			 */
			if (boolean_label)
			{
				OpExpr	   *op = IsA(expr, OpExpr) ? (OpExpr *) expr : NULL;

				column = expr;
				if (op != NULL && op->opfuncid == F_FLOAT8GT && list_length(op->args) == 2
					&& float8_constant(lsecond(op->args), &zero) && zero == 0)
					column = strip_casts(linitial(op->args));
			}

			if (!table_column(column, &label_attnum) || label_attnum > RelationGetDescr(rel)->natts)
			{
				ok = false;
				break;
			}
			type = TupleDescAttr(RelationGetDescr(rel), label_attnum - 1)->atttypid;
			if (boolean_label && column == expr ? type != BOOLOID : !corgi_scalar_feature_type(type))
			{
				ok = false;
				break;
			}
			out->label = pstrdup(NameStr(TupleDescAttr(RelationGetDescr(rel), label_attnum - 1)->attname));
			out->label_type = type;
		}
		else if (target == features_target)
		{
			if (!match_features(expr, rel, out))
			{
				ok = false;
				break;
			}
		}
		else if (target == group_target && !IsA(expr, Const))
		{
			if (!match_group_index(expr, rel, groups, out))
			{
				ok = false;
				break;
			}
		}
		else if (!IsA(expr, Const) || ((Const *) expr)->constisnull || ((Const *) expr)->consttype != INT4OID
				 || DatumGetInt32(((Const *) expr)->constvalue) != constant_value)
		{
			ok = false;
			break;
		}
	}
	/* A constant group target is the one group of an ungrouped call. */
	ok = ok && out->label != NULL && out->features != NULL && (out->router != NULL || groups == 1);
	/* SELECT on the table, or on every column read: what running the query would need. */
	if (ok)
	{
		pull_varattnos((Node *) query->targetList, 1, &columns);
		if (pg_class_aclcheck(rte->relid, GetUserId(), ACL_SELECT) != ACLCHECK_OK)
		{
			int			member = -1;

			while ((member = bms_next_member(columns, member)) >= 0)
			{
				AttrNumber	attnum = member + FirstLowInvalidHeapAttributeNumber;

				if (attnum <= 0 || !corgi_may_select_columns(rte->relid, attnum, attnum))
				{
					ok = false;
					break;
				}
			}
		}
	}
	relation_close(rel, NoLock);
	return ok;
}

/* A sink in front of the caller's: the leading constants put before the features. */
typedef struct LeadingSink
{
	const CorgiDirectRows *rows;
	CorgiRowSink sink;
	CorgiNullRowSink null_sink;
	void	   *arg;
	double	   *widened;
	int			capacity;
	MemoryContext context;
} LeadingSink;

/* A row with a NULL: to the caller's NULL-row sink with the caller's argument. */
static void
leading_null(void *arg)
{
	LeadingSink *s = (LeadingSink *) arg;

	s->null_sink(s->arg);
}

static void
leading_sink(void *arg, const double *features, int count, double label, const CorgiRowTag *row)
{
	LeadingSink *s = (LeadingSink *) arg;
	int			n = s->rows->leading_count;

	if (s->capacity < n + count)
	{
		s->capacity = Max(n + count, 2 * s->capacity);
		s->widened = MemoryContextAlloc(s->context, sizeof(double) * s->capacity);
	}
	memcpy(s->widened, s->rows->leading, sizeof(double) * n);
	memcpy(s->widened + n, features, sizeof(double) * count);
	s->sink(s->arg, s->widened, n + count, label, row);
}

/* The route of a grouped direct read: the argument of the row's group, or NULL. */
typedef struct GroupRoute
{
	const CorgiDirectRows *rows;
	void	  **group_args;
	Datum	   *values;
	bool	   *nulls;
} GroupRoute;

static void *
route_by_group(void *arg, HeapTuple tuple, TupleDesc desc)
{
	GroupRoute *route = (GroupRoute *) arg;
	int32		group;

	for (int c = 0; c < route->rows->router->key_count; c++)
		route->values[c] = heap_getattr(tuple, route->rows->key_columns[c], desc, &route->nulls[c]);
	group = corgi_group_router_find(route->rows->router, route->values, route->nulls);
	return group < 0 ? NULL : route->group_args[group];
}

static void read_rows(const CorgiDirectRows *rows, bool with_leading, CorgiRowSink sink, CorgiNullRowSink null_sink,
					  void *arg, void **group_args);

void
corgi_direct_rows_read(const CorgiDirectRows *rows, bool with_leading, CorgiRowSink sink, CorgiNullRowSink null_sink,
					   void *arg)
{
	read_rows(rows, with_leading, sink, null_sink, arg, NULL);
}

void
corgi_direct_rows_read_grouped(const CorgiDirectRows *rows, bool with_leading, CorgiRowSink sink,
							   CorgiNullRowSink null_sink, void **group_args)
{
	read_rows(rows, with_leading, sink, null_sink, NULL, group_args);
}

/*
 * The leading constants of a grouped read: each group's sink argument wrapped with them
 * (the route hands out the wrappers).
 */
static void
read_rows(const CorgiDirectRows *rows, bool with_leading, CorgiRowSink sink, CorgiNullRowSink null_sink, void *arg,
		  void **group_args)
{
	CorgiHeapRows source = corgi_heap_rows_open(rows->relid, rows->features, rows->label, "an exact solver",
												"its row query");
	CorgiStateInfo info;
	bool		wrap = with_leading && rows->leading_count > 0;
	LeadingSink leading = {rows, sink, null_sink, arg, NULL, 0, CurrentMemoryContext};
	LeadingSink *wrappers = NULL;
	GroupRoute	route;
	int			groups = rows->router != NULL ? rows->router->group_count : 0;

	memset(&info, 0, sizeof(info));
	ereport(DEBUG1, (errmsg_internal("corgi: the rows of table \"%s\" are read from its pages%s",
									 RelationGetRelationName(source.rel), groups > 0 ? ", by group" : "")));
	source.skip_arrays_with_nulls = true;
	source.null_array_is_empty = rows->null_array_is_empty;
	if (groups > 0)
	{
		/* Each row to its group's argument (wrapped with the constants when they lead). */
		route.rows = rows;
		route.group_args = group_args;
		route.values = palloc(sizeof(Datum) * rows->router->key_count);
		route.nulls = palloc(sizeof(bool) * rows->router->key_count);
		if (wrap)
		{
			wrappers = palloc0(sizeof(LeadingSink) * groups);
			route.group_args = palloc(sizeof(void *) * groups);
			for (int g = 0; g < groups; g++)
			{
				wrappers[g] = leading;
				wrappers[g].arg = group_args[g];
				route.group_args[g] = &wrappers[g];
			}
		}
		source.route = route_by_group;
		source.route_arg = &route;
	}
	corgi_read_in_block_order(&source, false, &info, wrap ? leading_sink : sink,
							  wrap ? (null_sink != NULL ? leading_null : NULL) : null_sink, wrap ? (void *) &leading : arg);
	table_close(source.rel, NoLock);
	if (leading.widened != NULL)
		pfree(leading.widened);
	for (int g = 0; wrappers != NULL && g < groups; g++)
		if (wrappers[g].widened != NULL)
			pfree(wrappers[g].widened);
}
