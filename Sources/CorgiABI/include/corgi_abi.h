/*
 * corgi_abi.h: the plain-C types shared by the Swift boundary (CorgiBoundary) and the
 * PostgreSQL glue (CorgiGlue). No PostgreSQL header may be included here: Swift
 * imports this module, and the Swift side must not know PostgreSQL exists.
 *
 * The function prototypes of the Swift exports live in the glue
 * (Sources/CorgiGlue/corgi_core_api.h), because Swift must not import a C declaration
 * of a function it defines itself.
 */
#ifndef CORGI_ABI_H
#define CORGI_ABI_H

#include <stdint.h>

/* What went wrong, as a Swift export reports it. The glue maps each code to a
 * PostgreSQL errcode (corgi_error.c). Keep the numbers stable. */
typedef enum CorgiStatus
{
	CORGI_OK = 0,
	CORGI_INVALID_ARGUMENT = 1, /* a caller-supplied value is out of range */
	CORGI_DATA_EXCEPTION = 2,	/* the data (a row, a model) is malformed */
	CORGI_PROGRAM_LIMIT = 3,	/* a size limit of corgi was exceeded */
	CORGI_INTERNAL = 4			/* a bug: an invariant did not hold */
} CorgiStatus;

#define CORGI_MESSAGE_SIZE 256
#define CORGI_HINT_SIZE 512

/* Filled by a Swift export that fails: a lower-case message naming the bad value,
 * and an optional hint. Both are NUL-terminated UTF-8, truncated to fit. */
typedef struct CorgiError
{
	int32_t		status;			/* a CorgiStatus */
	char		message[CORGI_MESSAGE_SIZE];
	char		hint[CORGI_HINT_SIZE];
} CorgiError;

/*
 * What a model is for (the core's ModelTraits): the glue branches on these, never on a
 * model's kind. A task the glue does not know is an error there, not a default.
 */
typedef enum CorgiTask
{
	CORGI_TASK_REGRESSION = 1,	/* a number: squared error, RMSE, R2 */
	CORGI_TASK_BINARY = 2,		/* two classes, one score: accuracy (AUC when it ranks) */
	CORGI_TASK_MULTICLASS = 3	/* one class of K, K scores: accuracy */
} CorgiTask;

/* How the tasks of a training job read their source (the core's TrainingJob.ReadPath). */
typedef enum CorgiReadPath
{
	CORGI_READ_PARTITIONS = 1,	/* model hopping over a partitioned table's partitions */
	CORGI_READ_HOP = 2,			/* model hopping over segments of one heap table */
	CORGI_READ_PASS = 3,		/* one task, the heap table's pages read directly */
	CORGI_READ_COMPOSED = 4,	/* one task, rows from a query through the aggregate */
	CORGI_READ_GROUP_PASS = 5,	/* a plan's groups, the heap table read once per batch */
	CORGI_READ_GROUP_COMPOSED = 6,	/* a plan's groups, rows from a query (grouped aggregate) */
	CORGI_READ_GROUP_HOP = 7	/* each plan's groups as one bundle, hopping over segments */
} CorgiReadPath;

/* A combination of a training call that corgi does not offer (the core's Capabilities). */
#define CORGI_REFUSAL_SIZE 512
typedef struct CorgiRefusal
{
	char		message[CORGI_REFUSAL_SIZE];
	char		detail[CORGI_REFUSAL_SIZE];
	char		hint[CORGI_REFUSAL_SIZE];
} CorgiRefusal;

typedef struct CorgiModelTraits
{
	int32_t		task;			/* a CorgiTask */
	int32_t		outputs;		/* scores per row: 1, or one per class */
	int32_t		probability_outputs;	/* probabilities per row; 0: none */
	int32_t		ranks_scores;	/* 1: the score ranks the positive class (AUC) */
	int32_t		predicts_labels;	/* 1: predicts a class, not a number */
} CorgiModelTraits;

/* Read-only facts about a serialized training state (corgi_state_describe). */
typedef struct CorgiStateInfo
{
	int32_t		kind;			/* the output layer's number in the state format: identity only
								 * (compare two states); what it is for is in traits */
	int32_t		feature_count;
	int32_t		class_count;	/* softmax classes; 0 otherwise */
	int32_t		has_intercept;
	int32_t		buffer_mode;	/* 0 shuffle, 1 none, 2 sliding_window, 3 mrs */
	int32_t		epochs_completed;
	int32_t		batch_size;
	int64_t		buffer_capacity;	/* rows */
	int64_t		current_rows;	/* epoch in progress */
	int64_t		current_skipped;
	double		current_mean_loss;	/* NaN before any row */
	int64_t		last_rows;		/* last completed epoch */
	int64_t		last_skipped;
	double		last_mean_loss;
	double		learning_rate;	/* of the epoch in progress, after decay */
	double		block_mb;
	double		buffer_fraction;
	double		max_buffer_mb;
	int64_t		seed;
	double		block_order_seed;	/* REPEATABLE value of the epoch in progress */
	char		model_name[16];	/* "logistic", ... (NUL-terminated) */
	char		buffer_name[16];	/* "shuffle", "none", "sliding_window", "mrs" */
	int32_t		is_network;		/* 1 for mlp and mlp_regression: no coefficients */
	double		learner_mb;		/* what the learner allocates besides the buffers */
	CorgiModelTraits traits;	/* what the model is for */
} CorgiStateInfo;

/* How a training row is identified in error messages. */
typedef enum CorgiRowKind
{
	CORGI_ROW_PASS_POSITION = 0,	/* the row's place in the pass (position) */
	CORGI_ROW_HEAP_TUPLE = 1		/* a heap tuple (block, offset) */
} CorgiRowKind;

typedef struct CorgiRowTag
{
	int32_t		kind;			/* a CorgiRowKind */
	uint32_t	block;
	uint32_t	offset;
	int64_t		position;		/* 1-based row number within the pass */
} CorgiRowTag;

#endif							/* CORGI_ABI_H */
