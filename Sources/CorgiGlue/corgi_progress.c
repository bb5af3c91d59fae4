/*
 * corgi_progress.c: a training call's live progress, visible to other sessions in the
 * view corgi.training_progress.
 *
 * The mechanism works on every supported server without shared_preload_libraries:
 * PostgreSQL's per-backend progress counters (20 int64 parameters in the backend's
 * status entry, written without locks), in the slot of a command that cannot run inside
 * a function, VACUUM, marked by a magic number in the first parameter (Citus's pattern).
 * The view reads them with pg_stat_get_progress_info('VACUUM') and decodes them with
 * corgi._progress_decode. What follows from the mechanism (README "Progress"):
 *   - the row also shows in pg_stat_progress_vacuum, with a NULL phase;
 *   - another role's parameters are NULL unless the reader has pg_read_all_stats, so a
 *     role sees its own calls (and a member of pg_read_all_stats everyone's);
 *   - a reader sees one snapshot of the counters per transaction (poll outside a
 *     transaction, or call pg_stat_clear_snapshot());
 *   - text is packed into 8 parameters: the out table's name as the call gave it, cut
 *     to 64 bytes;
 *   - an index build inside the call writes CREATE INDEX's parameters 9-16 into the slot
 *     without a command of its own (the TOAST index of a table with a varlena column,
 *     made by CREATE TABLE): the text lives there, and every corgi._progress_set writes
 *     all parameters again from this backend's copy, so a phase or epoch boundary
 *     repairs it (while a call writes its outputs, its out_table may read empty).
 *
 * A call begins its progress with corgi._progress_begin (unless the backend already
 * reports a command: a nested call reports into its outer call's row), updates it with
 * corgi._progress_set and the row loops' corgi_progress_count_rows, and the outermost
 * corgi._end_call ends it; an error or cancel ends it with the (sub)transaction that
 * began it, so a failed call leaves no row.
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "common/int.h"
#include "fmgr.h"
#include "funcapi.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/backend_progress.h"
#include "utils/backend_status.h"
#include "utils/builtins.h"
#include "utils/float.h"
#include "utils/timestamp.h"

#include "corgi_progress.h"

/* 'CORG' in the high half, the layout's version in the low half. */
#define PROGRESS_MAGIC			((INT64CONST(0x434F5247) << 32) | 1)

/*
 * The parameters' layout (version 1). An index build inside the call (below) writes
 * parameters 9 to 16 without a command of its own: the text goes there, the numbers
 * elsewhere.
 */
#define P_MAGIC				0
#define P_CALL				1
#define P_PHASE				2
#define P_EPOCH				3
#define P_EPOCHS			4
#define P_ROWS_DONE			5
#define P_ROWS_PER_EPOCH	6
#define P_TASKS_DONE		7
#define P_TASKS				8
#define P_TEXT				9	/* 8 parameters: the out table's name, 64 bytes */
#define TEXT_PARAMS			8
#define TEXT_BYTES			(TEXT_PARAMS * 8)
#define P_LOSS				17	/* float8 bits; NaN before the first epoch ends */
#define P_WORKERS			18
#define P_STARTED			19	/* TimestampTz */

StaticAssertDecl(PGSTAT_NUM_PROGRESS_PARAM == 20, "corgi's progress layout has 20 parameters");

static const char *const call_names[] = {NULL, "train", "fit_multiple"};
static const char *const phase_names[] = {NULL, "counting", "copying", "training", "validating", "writing"};

#define CALL_COUNT	lengthof(call_names)
#define PHASE_COUNT	lengthof(phase_names)

/* Publish rows at most every this many (a changecount write each). */
#define ROWS_PER_PUBLISH 4096

static bool active = false;
static SubTransactionId active_subid = InvalidSubTransactionId;
static int64 rows_done = 0;
static int64 rows_published = 0;
static int32 current_epoch = 0;
static int32 readers = 1;		/* models that read each row in an epoch */
static int64 params[PGSTAT_NUM_PROGRESS_PARAM];	/* what the slot should hold */
static pg_atomic_uint64 *shared_rows = NULL;
static bool callbacks_registered = false;

/* Whether this backend's progress slot is still the one this call began. */
static bool
slot_is_ours(void)
{
	volatile PgBackendStatus *entry = MyBEEntry;

	return entry != NULL && entry->st_progress_command == PROGRESS_COMMAND_VACUUM &&
		entry->st_progress_param[P_MAGIC] == PROGRESS_MAGIC;
}

static void
stop(bool end_command)
{
	if (active && end_command && slot_is_ours())
		pgstat_progress_end_command();
	active = false;
	active_subid = InvalidSubTransactionId;
	rows_done = rows_published = 0;
	current_epoch = 0;
	shared_rows = NULL;
}

static void
progress_xact_callback(XactEvent event, void *arg)
{
	switch (event)
	{
		case XACT_EVENT_PRE_COMMIT:
		case XACT_EVENT_PRE_PREPARE:
		case XACT_EVENT_ABORT:
			stop(true);
			break;
		case XACT_EVENT_PARALLEL_ABORT:
		case XACT_EVENT_PARALLEL_PRE_COMMIT:
			stop(false);
			break;
		default:
			break;
	}
}

static void
progress_subxact_callback(SubXactEvent event, SubTransactionId mySubid, SubTransactionId parentSubid, void *arg)
{
	/* A parallel epoch's shared memory never outlives a subtransaction that aborted. */
	if (event == SUBXACT_EVENT_ABORT_SUB)
		shared_rows = NULL;
	if (!active)
		return;
	if (event == SUBXACT_EVENT_ABORT_SUB && active_subid >= mySubid)
		stop(true);
	else if (event == SUBXACT_EVENT_COMMIT_SUB && active_subid == mySubid)
		active_subid = parentSubid;
}

/* Writes a parameter while the slot is ours; otherwise (something took it) stops. */
static void
publish(int index, int64 value)
{
	params[index] = value;
	if (!slot_is_ours())
	{
		stop(false);
		return;
	}
	pgstat_progress_update_param(index, value);
}

/* Writes every parameter again (what an index build wrote over goes). */
static void
publish_all(void)
{
	int			index[PGSTAT_NUM_PROGRESS_PARAM];

	if (!slot_is_ours())
	{
		stop(false);
		return;
	}
	for (int i = 0; i < PGSTAT_NUM_PROGRESS_PARAM; i++)
		index[i] = i;
	pgstat_progress_update_multi_param(PGSTAT_NUM_PROGRESS_PARAM, index, params);
}

static int64
float_bits(double value)
{
	int64		bits;

	memcpy(&bits, &value, sizeof(bits));
	return bits;
}

static double
bits_float(int64 bits)
{
	double		value;

	memcpy(&value, &bits, sizeof(value));
	return value;
}

/* The index of name in names (1..), or an error naming what was expected. */
static int
code_of(const char *what, const char *name, const char *const *names, int count)
{
	StringInfoData known;

	for (int i = 1; i < count; i++)
		if (strcmp(names[i], name) == 0)
			return i;
	initStringInfo(&known);
	for (int i = 1; i < count; i++)
		appendStringInfo(&known, "%s%s", i > 1 ? ", " : "", names[i]);
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("unknown progress %s \"%s\"", what, name),
			 errhint("Use one of: %s.", known.data)));
	return 0;
}

void
corgi_progress_count_rows(int64 rows)
{
	int64		total;

	if (shared_rows != NULL)
	{
		if (rows > 0)
			pg_atomic_fetch_add_u64(shared_rows, (uint64) rows);
		if (!active)
			return;				/* a worker */
		total = rows_done + (int64) pg_atomic_read_u64(shared_rows);
	}
	else
	{
		if (!active)
			return;
		rows_done += rows;
		total = rows_done;
	}
	if (rows == 0 || total - rows_published >= ROWS_PER_PUBLISH)
	{
		publish(P_ROWS_DONE, total);
		rows_published = total;
	}
}

void
corgi_progress_share_rows(pg_atomic_uint64 *counter)
{
	if (counter == NULL && shared_rows != NULL && active)
	{
		/* The leader detaches: what the participants read becomes its own count. */
		rows_done += (int64) pg_atomic_read_u64(shared_rows);
		shared_rows = NULL;
		corgi_progress_count_rows(0);
		return;
	}
	shared_rows = counter;
}

void
corgi_progress_end(void)
{
	stop(true);
}

PG_FUNCTION_INFO_V1(corgi_progress_begin);

/*
 * corgi._progress_begin(call text, source regclass, out_table text, epochs integer,
 * tasks integer) -> boolean: a training call begins reporting progress (phase
 * "counting"); false, and nothing changes, when this backend already reports a command
 * (an outer call, whose row the inner one's updates then go to).
 */
Datum
corgi_progress_begin(PG_FUNCTION_ARGS)
{
	int			call = code_of("call", text_to_cstring(PG_GETARG_TEXT_PP(0)), call_names, CALL_COUNT);
	Oid			source = PG_GETARG_OID(1);
	char	   *out_table = text_to_cstring(PG_GETARG_TEXT_PP(2));
	int32		epochs = PG_GETARG_INT32(3);
	int32		tasks = PG_GETARG_INT32(4);
	int			len = pg_mbcliplen(out_table, strlen(out_table), TEXT_BYTES);
	int64		packed[TEXT_PARAMS] = {0};
	volatile PgBackendStatus *entry = MyBEEntry;

	if (entry == NULL || entry->st_progress_command != PROGRESS_COMMAND_INVALID || active)
		PG_RETURN_BOOL(false);
	if (!callbacks_registered)
	{
		RegisterXactCallback(progress_xact_callback, NULL);
		RegisterSubXactCallback(progress_subxact_callback, NULL);
		callbacks_registered = true;
	}
	pgstat_progress_start_command(PROGRESS_COMMAND_VACUUM, source);
	if (entry->st_progress_command != PROGRESS_COMMAND_VACUUM)
		PG_RETURN_BOOL(false);	/* track_activities is off */
	for (int i = 0; i < len; i++)
		packed[i / 8] |= (int64) ((uint64) (unsigned char) out_table[i] << (8 * (i % 8)));
	memset(params, 0, sizeof(params));
	params[P_MAGIC] = PROGRESS_MAGIC;
	params[P_CALL] = call;
	params[P_PHASE] = 1;
	params[P_EPOCHS] = Max(epochs, 0);
	params[P_TASKS] = Max(tasks, 0);
	params[P_LOSS] = float_bits(get_float8_nan());
	params[P_STARTED] = GetCurrentTimestamp();
	for (int i = 0; i < TEXT_PARAMS; i++)
		params[P_TEXT + i] = packed[i];
	active = true;
	active_subid = GetCurrentSubTransactionId();
	rows_done = rows_published = 0;
	current_epoch = 0;
	readers = strcmp(call_names[call], "fit_multiple") == 0 ? Max(tasks, 1) : 1;
	shared_rows = NULL;
	for (int i = 0; i < PGSTAT_NUM_PROGRESS_PARAM; i++)
		pgstat_progress_update_param(i, params[i]);
	PG_RETURN_BOOL(true);
}

/*
 * A new epoch starts its rows at 0, and takes the rows the previous epoch read as its
 * rows per epoch unless the caller gives them (keep_rows_per_epoch).
 */
static void
start_epoch(int32 epoch, bool keep_rows_per_epoch)
{
	if (epoch == current_epoch)
		return;
	if (current_epoch > 0 && rows_done > 0 && !keep_rows_per_epoch)
		publish(P_ROWS_PER_EPOCH, rows_done);
	current_epoch = Max(epoch, 0);
	publish(P_EPOCH, current_epoch);
	rows_done = rows_published = 0;
	publish(P_ROWS_DONE, 0);
}

/*
 * Before the first epoch, rows per epoch are the source's rows (the driver's estimate
 * from its counting pass), read once by each model: by every config of a fit_multiple.
 */
static void
set_rows_per_epoch(int64 rows)
{
	rows = Max(rows, 0);
	if (current_epoch == 0 && pg_mul_s64_overflow(rows, readers, &rows))
		rows = PG_INT64_MAX;
	publish(P_ROWS_PER_EPOCH, rows);
}

void
corgi_progress_epoch(const char *phase, int32 epoch, int32 tasks_done)
{
	int			code = code_of("phase", phase, phase_names, PHASE_COUNT);

	if (!active)
		return;
	publish_all();
	publish(P_PHASE, code);
	start_epoch(epoch, false);
	publish(P_TASKS_DONE, Max(tasks_done, 0));
}

void
corgi_progress_phase(const char *phase)
{
	int			code = code_of("phase", phase, phase_names, PHASE_COUNT);

	if (active)
		publish(P_PHASE, code);
}

void
corgi_progress_loss(double loss)
{
	if (active)
		publish(P_LOSS, float_bits(loss));
}

void
corgi_progress_workers(int32 workers)
{
	if (active)
		publish(P_WORKERS, Max(workers, 0));
}

PG_FUNCTION_INFO_V1(corgi_progress_set);

/*
 * corgi._progress_set(phase text, epoch integer, rows_per_epoch bigint, tasks_done
 * integer, tasks integer, loss float8, workers integer) -> boolean: updates the fields
 * given (a NULL leaves one as it is; see start_epoch and set_rows_per_epoch); whether
 * this backend reports a call's progress.
 */
Datum
corgi_progress_set(PG_FUNCTION_ARGS)
{
	int			phase = 0;

	if (!PG_ARGISNULL(0))
		phase = code_of("phase", text_to_cstring(PG_GETARG_TEXT_PP(0)), phase_names, PHASE_COUNT);
	if (!active)
		PG_RETURN_BOOL(false);
	publish_all();
	if (phase > 0)
		publish(P_PHASE, phase);
	if (!PG_ARGISNULL(1))
		start_epoch(PG_GETARG_INT32(1), !PG_ARGISNULL(2));
	if (!PG_ARGISNULL(2))
		set_rows_per_epoch(PG_GETARG_INT64(2));
	if (!PG_ARGISNULL(3))
		publish(P_TASKS_DONE, Max(PG_GETARG_INT32(3), 0));
	if (!PG_ARGISNULL(4))
		publish(P_TASKS, Max(PG_GETARG_INT32(4), 0));
	if (!PG_ARGISNULL(5))
		publish(P_LOSS, float_bits(PG_GETARG_FLOAT8(5)));
	if (!PG_ARGISNULL(6))
		publish(P_WORKERS, Max(PG_GETARG_INT32(6), 0));
	PG_RETURN_BOOL(active);
}

PG_FUNCTION_INFO_V1(corgi_progress_decode);

/*
 * corgi._progress_decode(params bigint[]) -> (call, phase, out_table, epoch, epochs,
 * rows_done, rows_per_epoch, tasks_done, tasks, last_loss, workers, elapsed_seconds,
 * seconds_left): a progress row's 20 parameters (pg_stat_get_progress_info's param1 ..
 * param20) read back; every field NULL unless they are a corgi call's.
 */
Datum
corgi_progress_decode(PG_FUNCTION_ARGS)
{
	ArrayType  *array = PG_GETARG_ARRAYTYPE_P(0);
	TupleDesc	desc;
	Datum		values[13];
	bool		nulls[13];
	Datum	   *elems;
	bool	   *elem_nulls;
	int			count;
	int64		p[PGSTAT_NUM_PROGRESS_PARAM];
	char		text_bytes[TEXT_BYTES + 1];
	int			len = 0;
	double		elapsed,
				fraction;

	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "corgi._progress_decode must return a record");
	desc = BlessTupleDesc(desc);
	memset(nulls, true, sizeof(nulls));
	if (ARR_ELEMTYPE(array) != INT8OID)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("progress parameters must be a bigint[]")));
	deconstruct_array(array, INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE, &elems, &elem_nulls, &count);
	if (count != PGSTAT_NUM_PROGRESS_PARAM)
		PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(desc, values, nulls)));
	for (int i = 0; i < count; i++)
	{
		if (elem_nulls[i])
			PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(desc, values, nulls)));
		p[i] = DatumGetInt64(elems[i]);
	}
	if (p[P_MAGIC] != PROGRESS_MAGIC || p[P_CALL] < 1 || p[P_CALL] >= (int64) CALL_COUNT ||
		p[P_PHASE] < 1 || p[P_PHASE] >= (int64) PHASE_COUNT)
		PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(desc, values, nulls)));

	for (int i = 0; i < TEXT_BYTES; i++)
	{
		char		c = (char) (((uint64) p[P_TEXT + i / 8] >> (8 * (i % 8))) & 0xFF);

		if (c == '\0')
			break;
		text_bytes[len++] = c;
	}
	text_bytes[len] = '\0';
	elapsed = (double) (GetCurrentTimestamp() - p[P_STARTED]) / USECS_PER_SEC;

	memset(nulls, false, sizeof(nulls));
	values[0] = CStringGetTextDatum(call_names[p[P_CALL]]);
	values[1] = CStringGetTextDatum(phase_names[p[P_PHASE]]);
	/* Bytes another backend wrote: checked before they become text. */
	if (len > 0 && pg_verifymbstr(text_bytes, len, true))
		values[2] = CStringGetTextDatum(text_bytes);
	else
		nulls[2] = true;
	values[3] = Int32GetDatum((int32) Min(p[P_EPOCH], PG_INT32_MAX));
	values[4] = Int32GetDatum((int32) Min(p[P_EPOCHS], PG_INT32_MAX));
	values[5] = Int64GetDatum(p[P_ROWS_DONE]);
	values[6] = Int64GetDatum(p[P_ROWS_PER_EPOCH]);
	values[7] = Int32GetDatum((int32) Min(p[P_TASKS_DONE], PG_INT32_MAX));
	values[8] = Int32GetDatum((int32) Min(p[P_TASKS], PG_INT32_MAX));
	values[9] = Float8GetDatum(bits_float(p[P_LOSS]));
	nulls[9] = isnan(bits_float(p[P_LOSS]));
	values[10] = Int32GetDatum((int32) Min(p[P_WORKERS], PG_INT32_MAX));
	values[11] = Float8GetDatum(elapsed);
	/*
	 * The time left, from the share of the epochs done (rows of the current epoch
	 * included); known once the training phase has done some.
	 */
	fraction = 0;
	if (p[P_EPOCHS] > 0 && p[P_EPOCH] >= 1 && p[P_PHASE] >= 3)
	{
		double		in_epoch = p[P_ROWS_PER_EPOCH] > 0
			? Min(1.0, (double) p[P_ROWS_DONE] / (double) p[P_ROWS_PER_EPOCH]) : 0.0;

		if (p[P_PHASE] >= 4)
			in_epoch = 1.0;		/* validating or writing: the epoch's rows are done */
		fraction = Min(1.0, ((double) (p[P_EPOCH] - 1) + in_epoch) / (double) p[P_EPOCHS]);
	}
	if (fraction > 0 && elapsed >= 0)
		values[12] = Float8GetDatum(elapsed * (1.0 - fraction) / fraction);
	else
		nulls[12] = true;
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(desc, values, nulls)));
}
