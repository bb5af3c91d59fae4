/*
 * corgi_fit.h: what the one epoch loop (corgi_fit.c) and its grouped jobs
 * (corgi_fit_groups.c: a grouped train's groups, a grouped fit_multiple's bundles) share:
 * a job's tasks, its groups, its results, and the SPI and array helpers of the loop.
 */
#ifndef CORGI_FIT_H
#define CORGI_FIT_H

#include "postgres.h"

#include "access/htup.h"
#include "access/tupdesc.h"
#include "fmgr.h"
#include "portability/instr_time.h"

/* One task: a plan's own fields and its state. */
typedef struct FitTask
{
	char	   *model;
	char	   *metric;			/* the model's validation metric (its traits) */
	bytea	   *state;			/* the current state, in the epoch's memory */
	int32		offset;			/* the task's place in the hopping schedule */
	double		learning_rate;
	double		decay;
	Datum		class_texts;
	bool		class_texts_null;
	Oid			val_table;		/* InvalidOid: no validation */
	char	   *dependent_varname;
	char	   *independent_varname;
	int32		diverged_in;	/* 0 while it trains */
	double		diverged_loss;
	bool		diverged_loss_null;
	/* Early stopping (patience 0: off), on the validation metric. */
	int32		patience;
	double		tolerance;
	bool		higher_is_better;	/* accuracy; RMSE is better lower */
	bool		has_best;
	double		best_metric;
	int32		best_epoch;
	int32		since_best;		/* epochs without an improvement above tolerance */
	bytea	   *best_state;		/* the best epoch's state, kept past its epoch */
	int32		stopped_in;		/* 0 while it trains */
	int32		stopped_rung;	/* successive halving: the rung (1..) it stopped after; 0 */
	int32		bracket;		/* its bracket of the schedule (0..; Hyperband has several) */
} FitTask;

/* What every task shares: the job. */
typedef struct FitJob
{
	int32		read_path;		/* a CorgiReadPath */
	bool		sets_aside;		/* divergence sets a task aside (else stops the call) */
	bool		per_task_seconds;	/* epoch seconds: the executor's per task, else wall */
	bool		train_call;		/* corgi.train's job (one plan) */
	int32		epochs;
	char	   *read_from;
	char	   *feat_col;
	char	   *label_col;
	char	   *feat_expr;
	char	   *label_code;
	char	   *sample_clause;
	bool		block_shuffle;
	int32		segments;		/* 0: none */
	int32		segment_partitions;	/* partitions of read_from (the NOTICE's count) */
	int64		segment_seed;
	int32		workers;
	int32		configs_per_visit;	/* models per fused visit (corgi._hop_epoch) */
	int			count;
	FitTask    *tasks;
} FitJob;

/* The results, flat per (epoch, task) as fit_multiple's summary keeps them. */
typedef struct FitResults
{
	Datum	   *epoch_loss;
	bool	   *epoch_loss_null;
	Datum	   *epoch_seconds;
	bool	   *epoch_seconds_null;
	Datum	   *epoch_rows;
	bool	   *epoch_rows_null;
	Datum	   *val_loss;
	bool	   *val_loss_null;
	Datum	   *val_metric;
	bool	   *val_metric_null;
	Datum	   *val_seconds;
	bool	   *val_seconds_null;
	Datum	   *workers_launched;	/* per epoch run */
	Datum	   *wall_seconds;
	int			epochs_run;
	int32		servers;
	int64		bytes_moved;
	int32		remote_jobs;
	double		round_trip_seconds;
} FitResults;

/* A grouped job's groups (the tasks of its one plan). */
typedef struct FitGroups
{
	int			count;			/* G */
	Datum	   *states;			/* each group's current state */
	Datum	   *keys;			/* key_count text keys per group, flat */
	bool	   *key_nulls;		/* a NULL key is a group of its own */
	int			key_count;
	int32	   *batch_of;		/* each group's batch, 1.. */
	int32		batches;
	Datum		group_columns;	/* name[] */
	char	   *key_exprs;		/* the composed path's key expressions */
	char	   *val_key_sql;	/* the keys' SQL over the validation table */
	char	   *val_features;	/* the validation table's variables (corgi._variable) */
	char	   *val_label;
	int32	   *diverged_in;	/* 0 while a group trains */
	Datum	   *epoch_skipped;	/* flat epochs x G */
	bool	   *epoch_skipped_null;
	Datum	   *val_loss_all;	/* per epoch, over every scored row */
	bool	   *val_loss_all_null;
	Datum	   *val_metric_all;
	bool	   *val_metric_all_null;

	/* A grouped fit_multiple: one bundle per config, and what leaves them. */
	Datum	   *bundles;		/* per config; NULL (bundle_null) once every group diverged */
	bool	   *bundle_null;
	int32	   *config_ids;
	int			n_out;			/* diverged groups: config (1..K), group (1..G), state, epoch */
	int			out_capacity;
	Datum	   *out_config;
	Datum	   *out_group;
	Datum	   *out_state;
	Datum	   *out_epoch;
	Datum	   *out_rung;		/* the rung it stopped after (halving per group); 0: diverged */
	int		   *n_scored;		/* per config: its last epoch's validation per group */
	Datum	  **scored_group;
	Datum	  **scored_loss;
	bool	  **scored_loss_null;
	Datum	  **scored_metric;
	bool	  **scored_metric_null;

	/*
	 * A grouped train with segments: its groups hop as one bundle, and the figures are
	 * the groups' own, as a grouped train reports them (per_group).
	 */
	bool		per_group;
	int32	   *group_diverged_in;	/* per group: 0 while it trains */
	Datum	   *group_states;	/* per group: the state it left the bundle with */
} FitGroups;

/* What one epoch's executor returned, in the epoch's memory. */
typedef struct EpochRun
{
	bytea	  **states;			/* one per active task, epoch not yet closed (composed: closed) */
	double	   *seconds;		/* per active task, when the executor reports them */
	int32		workers_launched;
	int32		servers;
	int64		bytes_moved;
	int32		remote_jobs;
	double		round_trip_seconds;
} EpochRun;

/* Runs a read-only query expected to return one row; the row stays in SPI_tuptable. */
extern void corgi_fit_run_one_row(const char *query, int nargs, Oid *types, Datum *values, const char *nulls);

/* Arrays of the loop's results. */
extern Datum corgi_fit_bytea_array(bytea **states, int count);
extern Datum corgi_fit_int4_array(const int32 *values, int count);
extern Datum corgi_fit_text_array(Datum *values, bool *nulls, int count);
extern Datum corgi_fit_flat_array(Datum *values, bool *nulls, int count, Oid type);
extern int	corgi_fit_flat_count(int tasks, int epochs);

/* States: an epoch closed in Swift, a state kept past its epoch's memory. */
extern bytea *corgi_fit_end_epoch(bytea *state, MemoryContext into);
extern bytea *corgi_fit_keep_state(bytea *state, MemoryContext into);

/* The NOTICEs' round(x::numeric, digits); seconds since start. */
extern char *corgi_fit_rounded(double x, int digits);
extern double corgi_fit_seconds_since(instr_time start);

/* Grouped jobs (corgi_fit_groups.c). */
extern FitGroups corgi_fit_read_groups(FunctionCallInfo fcinfo, FitJob *job, int epochs, bool hop,
									   MemoryContext into);
extern int	corgi_fit_run_group_epoch(FitJob *job, FitGroups *groups, FitResults *res, int e,
									  MemoryContext epoch_cxt, MemoryContext keep_cxt, double *mean_loss,
									  bool *mean_known);
extern void corgi_fit_validate_groups(FitJob *job, FitGroups *groups, FitResults *res, int e);
extern void corgi_fit_end_bundle_rung(FitJob *job, FitGroups *groups, int e, int bracket, int rung, int32 keep,
									  MemoryContext epoch_cxt, MemoryContext keep_cxt);
extern int	corgi_fit_run_bundle_epoch(FitJob *job, FitGroups *groups, FitResults *res, int e, int *active,
									   MemoryContext epoch_cxt, MemoryContext keep_cxt, int32 *workers_launched,
									   double *lowest, bool *lowest_known);

#endif
