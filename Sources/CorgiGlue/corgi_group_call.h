/*
 * corgi_group_call.h: the grouped calls (corgi_group_call.c), run by the front doors
 * inside their SPI connection.
 */
#ifndef CORGI_GROUP_CALL_H
#define CORGI_GROUP_CALL_H

#include "postgres.h"

/*
 * corgi.train with grouping_cols after its plan: result is corgi.train's row
 * (epochs_run, rows_per_epoch, final_loss, training_seconds).
 */
extern void corgi_train_grouped(Oid plan_type, Datum plan, Datum source, const char *grouping_cols, bool verbose,
								MemoryContext into, Datum *result, bool *result_null);

/*
 * corgi.fit_multiple with grouping_cols after its n plans: result is fit_multiple's row
 * (configs_trained, configs_diverged, workers_launched, segments, training_seconds).
 */
extern void corgi_fit_grouped(Oid plans_type, Datum plans, int n, Datum ids, Datum src, const char *grouping_cols,
							  int32 n_segments, int64 seed, int32 n_workers, bool verbose, const char *info_name,
							  const char *configs_name, const char *shared, const char *schedule,
							  const char *schedule_params, MemoryContext into, Datum *result, bool *result_null);

#endif							/* CORGI_GROUP_CALL_H */
