/*
 * corgi_training_plan.h: the fields of corgi.training_plan (what corgi._train_prepare
 * decided for one training), read and replaced in C.
 */
#ifndef CORGI_TRAINING_PLAN_H
#define CORGI_TRAINING_PLAN_H

#include "postgres.h"

/* corgi.training_plan's attributes, 1-based, in the order of its CREATE TYPE. */
typedef enum CorgiPlanField
{
	PLAN_SOURCE_TABLE = 1, PLAN_OUT_TABLE, PLAN_DEPENDENT, PLAN_INDEPENDENT, PLAN_MODEL, PLAN_EPOCHS,
	PLAN_SHUFFLE, PLAN_NORM, PLAN_OUT_MAIN, PLAN_OUT_SUMMARY, PLAN_FEAT_COL, PLAN_LABEL_COL, PLAN_FEAT_EXPR,
	PLAN_LABEL_CODE, PLAN_N_FEATURES, PLAN_CLASS_TEXTS, PLAN_CLASS_VALUES, PLAN_BUFFER_ROWS, PLAN_STATE,
	PLAN_FAST, PLAN_READ_FROM, PLAN_SAMPLE_CLAUSE, PLAN_PATH, PLAN_ONCE_TABLE, PLAN_ONCE_SECONDS,
	PLAN_VAL_TABLE, PLAN_FIELD_COUNT = PLAN_VAL_TABLE
} CorgiPlanField;

/* A field's value (NULL: *isnull). */
extern Datum corgi_plan_field(Datum plan, CorgiPlanField field, bool *isnull);
/* A text field as a C string (NULL for NULL), in the current context. */
extern char *corgi_plan_text(Datum plan, CorgiPlanField field);
/* The plan with one field replaced: a new composite value in `into`. */
extern Datum corgi_plan_with(Datum plan, CorgiPlanField field, Datum value, bool isnull, MemoryContext into);
extern Datum corgi_plan_with_text(Datum plan, CorgiPlanField field, const char *value, MemoryContext into);

/* One value of a normalized parameter string (corgi_params.c); NULL when absent. */
extern char *corgi_param(const char *norm, const char *key);

#endif							/* CORGI_TRAINING_PLAN_H */
