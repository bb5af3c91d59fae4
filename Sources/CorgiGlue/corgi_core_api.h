/*
 * corgi_core_api.h: prototypes of the functions the Swift boundary exports with
 * @_cdecl (Sources/CorgiBoundary). Each signature here must match its Swift
 * declaration exactly; the Swift side names the C prototype in its doc comment.
 *
 * Rules of the boundary (see Sources/README.md):
 * - these functions never call PostgreSQL and never raise: they return a CorgiStatus
 *   and fill a CorgiError, and the caller raises the error after they returned;
 * - an object they create is returned as an opaque pointer holding one retain, to be
 *   dropped with corgi_object_release (normally by a CorgiHandle, corgi_handle.h).
 */
#ifndef CORGI_CORE_API_H
#define CORGI_CORE_API_H

#include <stdint.h>
#include "corgi_abi.h"

/* ObjectLifetime.swift */
extern void corgi_object_release(void *object);
extern int64_t corgi_held_object_count(void);

/* BlockShuffleExports.swift */
extern int32_t corgi_block_shuffle_create(uint32_t page_count, uint32_t pages_per_block,
										  uint64_t seed, void **cursor_out,
										  CorgiError *error);
extern int32_t corgi_block_shuffle_next_page(void *cursor, uint32_t *page_out);
extern int32_t corgi_block_shuffle_next_block(void *cursor, uint32_t *first_page,
											  uint32_t *page_count);

/* ByteBlob.swift: bytes Swift made for C to copy */
extern const uint8_t *corgi_blob_data(void *blob);
extern int64_t corgi_blob_size(void *blob);

/* TrainingExports.swift */
extern double corgi_double_buffer_megabytes(int64_t rows, int64_t feature_count);
extern int64_t corgi_plan_buffer_rows(const char *shuffle, int64_t usable_rows, double fraction, int32_t features,
									  double full_shuffle_mb, double max_buffer_mb);
extern double corgi_plan_block_mb(int64_t heap_bytes, int64_t page_bytes);
extern int32_t corgi_plan_buffer_mode(const char *shuffle, char *out, int32_t out_size);
extern int32_t corgi_plan_names(int32_t list, char *out, int32_t out_size);
extern int32_t corgi_config_grid(const char *model, const char *grid, const char *search, int32_t count,
								 int64_t seed, void **blob_out, CorgiError *error);
extern int32_t corgi_hop_order(int32_t models, const int32_t *offsets, int32_t segments, int64_t seed,
							   int32_t epoch, int32_t *out, int64_t out_count, CorgiError *error);
extern int32_t corgi_hop_pick(int32_t models, int32_t segments, const int32_t *order, int32_t *completed,
							  uint8_t *model_busy, uint8_t *segment_busy, int32_t *model_out,
							  int32_t *segment_out);
extern int32_t corgi_hop_complete(int32_t models, int32_t segments, const int32_t *order, int32_t *completed,
								  uint8_t *model_busy, uint8_t *segment_busy, int32_t model);
extern void corgi_segment_block_order(int32_t *blocks, int32_t count, int64_t model_seed, int32_t epoch,
									  int32_t segment);
extern int32_t corgi_params_merge(const char *base, const char *override, char *out, int32_t out_size,
								  CorgiError *error);
extern int32_t corgi_segment_blocks(int64_t block_count, int32_t segments, int64_t seed, int32_t epoch,
									int32_t *segment_of, CorgiError *error);
extern int32_t corgi_params_normalize(const char *text, const char *model, char *out, int32_t out_size,
									  CorgiError *error);
extern int32_t corgi_state_create(const char *model, int32_t feature_count,
								  const double *classes, int32_t class_count,
								  const char *params, int64_t buffer_rows,
								  const char *buffer_mode, double cap_mb, void **blob_out,
								  CorgiError *error);
extern int32_t corgi_state_describe(const void *data, int64_t length,
									CorgiStateInfo *info, CorgiError *error);
extern int32_t corgi_state_parameters(const void *data, int64_t length, char *out,
									  int32_t out_size, CorgiError *error);
extern int32_t corgi_state_weights(const void *data, int64_t length, double *weights,
								   int64_t weight_count, double *intercepts,
								   int64_t intercept_count, double *classes,
								   int64_t class_count, CorgiError *error);
extern int32_t corgi_state_end_epoch(const void *data, int64_t length, void **blob_out,
									 CorgiError *error);
extern int32_t corgi_state_standardize(const void *data, int64_t length, const double *shift,
									   const double *scale, int32_t count, void **blob_out,
									   CorgiError *error);
extern void *corgi_shared_worker_create(void);
/* A grouped pass's row path (GroupStagerExports.swift). */
extern int32_t corgi_trainer_open_synchronous(const void *data, int64_t length, void **trainer_out,
											  CorgiError *error);
extern void *corgi_group_stager_open(void *const *trainers, int32_t count, void *shared_worker);
extern int32_t corgi_group_stager_add(void *stager, int32_t group, const double *features, int32_t count,
									  double label, const CorgiRowTag *row, int32_t *chunk_full, CorgiError *error);
extern void corgi_group_stager_skip(void *stager, int32_t group);
extern void corgi_group_stager_finish_pass(void *stager);
extern int32_t corgi_group_stager_advance(void *stager);
extern int32_t corgi_trainer_open(void *previous, void *shared_worker, const void *data, int64_t length,
								  void **trainer_out, CorgiError *error);
extern int32_t corgi_trainer_open_fused(void *previous, const void *const *datas, const int64_t *lengths,
										int32_t count, void **trainer_out, CorgiError *error);
extern int32_t corgi_trainer_serialize_member(void *trainer, int32_t member, void **blob_out, CorgiError *error);
extern int32_t corgi_visit_offsets(const void *const *datas, const int64_t *lengths, int32_t count,
								   int32_t segments, int32_t *offsets_out, CorgiError *error);
extern int32_t corgi_visit_units(const void *const *datas, const int64_t *lengths, const int32_t *offsets,
								 int32_t count, int32_t configs_per_visit, int32_t *units_out, CorgiError *error);
extern int32_t corgi_trainer_add(void *trainer, const double *features, int32_t count,
								 double label, const CorgiRowTag *row,
								 int32_t *buffer_full, CorgiError *error);
extern void corgi_trainer_skip(void *trainer);
extern int32_t corgi_trainer_train_step(void *trainer);
extern void corgi_trainer_finish_pass(void *trainer);
extern int32_t corgi_trainer_end_epoch(void *trainer, CorgiError *error);
extern int32_t corgi_trainer_serialize(void *trainer, void **blob_out, CorgiError *error);

/* JobExports.swift */
extern int32_t corgi_job_plan(const char *call, const char *path, int32_t segments, int32_t tasks,
							  int32_t groups, int32_t *read_path, int32_t *sets_aside,
							  int32_t *per_task_seconds);
extern int32_t corgi_job_unoffered(const char *call, const char *source, int32_t grouped, int32_t partitions,
								   int32_t segments, int32_t composed, const char *shuffle,
								   const char *grouping_expression, int32_t early_stopping, const char *schedule,
								   CorgiRefusal *refusal);
extern int32_t corgi_schedule_rungs(const char *schedule, const char *params, int32_t configs, int32_t epochs,
									int32_t *rung_bracket, int32_t *rung_epochs, int32_t *rung_keep, int32_t capacity,
									int32_t *bracket_configs, int32_t bracket_capacity, int32_t *brackets,
									int32_t *config_bracket, CorgiError *error);
extern int32_t corgi_schedule_survivors(const double *metrics, const int32_t *known, int32_t count, int32_t keep,
										int32_t higher_is_better, int32_t *survivors);

/* ModelExports.swift */
extern int32_t corgi_model_open(const void *data, int64_t length, void **model_out,
								CorgiError *error);
extern int32_t corgi_model_shape(void *model, int32_t *kind, int32_t *feature_count,
								 int32_t *outputs);
extern int32_t corgi_model_traits(void *model, CorgiModelTraits *traits);
extern int32_t corgi_family_traits(const char *model, CorgiModelTraits *traits, int32_t *network);
extern int32_t corgi_family_exact_solver(const char *model, char *out, int32_t size);
extern int32_t corgi_kernel_map_open(const char *kernel, const char *params, int32_t input_count, void **map_out,
									 CorgiError *error);
extern int32_t corgi_kernel_map_components(void *map);
extern int64_t corgi_kernel_map_planned_bytes(const char *kernel, const char *params, int32_t input_count, CorgiError *error);
extern int32_t corgi_kernel_map_apply(void *map, const double *x, int32_t count, double *out, int32_t out_count);
extern int32_t corgi_model_predict(void *model, const double *features, int32_t count,
								   double *out, CorgiError *error);
extern int32_t corgi_model_outputs(void *model, int32_t probabilities,
								   const double *features, int32_t count, double *out,
								   int32_t out_count, CorgiError *error);
extern int32_t corgi_model_evaluate_row(void *model, const double *features, int32_t count,
										 double label, const CorgiRowTag *row, double *score, double *loss,
										 double *predicted, CorgiError *error);
extern double corgi_epoch_block_seed(int64_t seed, int32_t epoch);

/* RegressionExports.swift: the exact solvers (corgi_exact_regression.c) */
extern int32_t corgi_ols_open(int32_t feature_count, void **ols_out, CorgiError *error);
extern int32_t corgi_ols_add(void *ols, const double *features, int32_t count, double target);
extern int32_t corgi_ols_add_block(void *ols, const double *features, int32_t count, const double *targets,
								   int32_t rows);
extern int64_t corgi_ols_rows(void *ols);
extern int32_t corgi_ols_solve(void *ols, double *coef, double *std_err, double *t_stats, double *p_values,
							   double *variance_covariance, double *scalars);
extern int32_t corgi_ols_breusch_pagan(void *ols, double *statistic, double *p_value);
extern int64_t corgi_ols_planned_bytes(int32_t feature_count);
extern int32_t corgi_ols_decomposition_step(void *ols);
extern int32_t corgi_ols_elastic_net(void *ols, double alpha, double lambda, int32_t standardize,
									 int32_t maximum_iterations, double tolerance, double *weights, double *scalars);
extern int32_t corgi_irls_open(int32_t feature_count, void **irls_out, CorgiError *error);
extern int32_t corgi_irls_open_penalized(int32_t feature_count, double alpha, double lambda, int32_t standardize,
										 void **irls_out, CorgiError *error);
extern int32_t corgi_irls_penalized_fit(void *irls, double *coef, double *scalars);
extern int64_t corgi_irls_planned_bytes(int32_t feature_count);
extern void corgi_irls_begin_pass(void *irls);
extern int32_t corgi_irls_add(void *irls, const double *features, int32_t count, int32_t positive);
extern int32_t corgi_irls_decomposition_step(void *irls);
extern int32_t corgi_irls_end_pass(void *irls, double tolerance, int32_t maximum_steps);
extern int32_t corgi_default_solver(const char *model, const char *params, int32_t feature_count);
extern int32_t corgi_state_set_exact(const void *data, int64_t length, const double *weights, int32_t count,
									 double intercept, int64_t rows, int64_t skipped, double loss_sum, int32_t passes,
									 void **blob_out, CorgiError *error);
extern int32_t corgi_irls_statistics(void *irls, double *coef, double *std_err, double *z_stats, double *p_values,
									 double *odds_ratios, double *variance_covariance, double *scalars);

#endif							/* CORGI_CORE_API_H */
