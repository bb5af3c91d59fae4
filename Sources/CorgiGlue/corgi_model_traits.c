/*
 * corgi_model_traits.c: corgi.model_traits(model), what a model named in SQL is for, so
 * that SQL branches on traits (task, network, probabilities), never on a model's name.
 * The traits are Swift's (ModelFamily, ModelTraits); this file only words them.
 */
#include "postgres.h"

#include "fmgr.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"

#include "corgi_core_api.h"

/* The task's SQL name and the validation metric it is scored by. */
typedef struct TaskWords
{
	const char *name;
	const char *metric;
} TaskWords;

static const TaskWords task_words[] = {
	[CORGI_TASK_REGRESSION] = {"regression", "rmse"},
	[CORGI_TASK_BINARY] = {"binary", "accuracy"},
	[CORGI_TASK_MULTICLASS] = {"multiclass", "accuracy"},
};

PG_FUNCTION_INFO_V1(corgi_model_traits_sql);

/*
 * corgi.model_traits(model text) -> (task text, classifier boolean, network boolean,
 * probabilities boolean, ranks_scores boolean, metric text); an unknown model, or a task
 * this glue cannot word, is an error.
 */
Datum
corgi_model_traits_sql(PG_FUNCTION_ARGS)
{
	char	   *model = text_to_cstring(PG_GETARG_TEXT_PP(0));
	CorgiModelTraits traits = {0};
	int32_t		network = 0;
	TupleDesc	desc;
	Datum		values[6];
	bool		nulls[6] = {false};
	const TaskWords *words;

	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "corgi.model_traits must return a record");
	if (!corgi_family_traits(model, &traits, &network))
	{
		char		names[512];
		StringInfoData list;

		/* The core's list, as corgi.train words it ("a, b, c"). */
		initStringInfo(&list);
		if (corgi_plan_names(0, names, sizeof(names)))
			for (const char *c = names; *c != '\0'; c++)
			{
				if (*c == ',')
					appendStringInfoString(&list, ", ");
				else
					appendStringInfoChar(&list, *c);
			}
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown model \"%s\"", model),
				 errhint("Valid models: %s.", list.data)));
	}
	if (traits.task < CORGI_TASK_REGRESSION || traits.task >= (int32_t) lengthof(task_words) ||
		task_words[traits.task].name == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("model \"%s\" has task %d, which this corgi library does not know", model, traits.task)));
	words = &task_words[traits.task];
	values[0] = CStringGetTextDatum(words->name);
	values[1] = BoolGetDatum(traits.predicts_labels != 0);
	values[2] = BoolGetDatum(network != 0);
	values[3] = BoolGetDatum(traits.probability_outputs > 0);
	values[4] = BoolGetDatum(traits.ranks_scores != 0);
	values[5] = CStringGetTextDatum(words->metric);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(desc), values, nulls)));
}

PG_FUNCTION_INFO_V1(corgi_exact_solver_sql);

/*
 * corgi._exact_solver(model text) -> text: the solver= value that fits the model exactly
 * (exact for linear, irls for logistic: the core's answer), NULL when it has none; an
 * unknown model is an error, as in corgi.model_traits.
 */
Datum
corgi_exact_solver_sql(PG_FUNCTION_ARGS)
{
	char	   *model = text_to_cstring(PG_GETARG_TEXT_PP(0));
	char		solver[64];
	int32_t		found = corgi_family_exact_solver(model, solver, sizeof(solver));

	if (found < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown model \"%s\"", model)));
	if (found == 0)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text(solver));
}
