-- Live progress (corgi.training_progress): what a call publishes reads back exactly, in
-- this session (the counters are read once per transaction: pg_stat_clear_snapshot()
-- reads them again). Other sessions' view of it is tested in test/concurrency.
CREATE TABLE progress_src AS SELECT g % 2 = 0 AS label, ARRAY[g % 3, g % 5]::float8[] AS features
FROM generate_series(1, 100) g;

-- Nothing reported outside a call.
SELECT count(*) FROM corgi.training_progress WHERE pid = pg_backend_pid();
SELECT corgi._progress_set('training', 1);

BEGIN;
SELECT corgi._progress_begin('fit_multiple', 'progress_src', 'a_fairly_long_output_table_name_of_sixty_three_bytes_xxxxxxxxx', 5, 4);
-- A second begin (a nested call) changes nothing.
SELECT corgi._progress_begin('train', 'progress_src', 'inner', 9, 1);
SELECT call, phase, source_table, out_table, epoch, epochs, rows_done, rows_per_epoch, tasks_done, tasks,
       last_loss, workers, seconds_left
  FROM corgi.training_progress WHERE pid = pg_backend_pid();
-- Before the first epoch, rows per epoch are the source's rows, read by each of the 4 configs.
SELECT corgi._progress_set(rows_per_epoch => 1000);
SELECT corgi._progress_set(phase => 'training', epoch => 2, tasks_done => 1, loss => 0.125, workers => 2);
SELECT pg_stat_clear_snapshot();
SELECT call, phase, out_table, epoch, epochs, rows_done, rows_per_epoch, tasks_done, tasks, last_loss, workers,
       elapsed_seconds >= 0 AS elapsed, seconds_left >= 0 AS estimate
  FROM corgi.training_progress WHERE pid = pg_backend_pid();
-- The row shows in pg_stat_progress_vacuum too (the borrowed slot), with no phase.
SELECT relid::regclass, phase FROM pg_stat_progress_vacuum WHERE pid = pg_backend_pid();
-- Unknown names are errors.
SELECT corgi._progress_set(phase => 'sleeping');
ROLLBACK;
SELECT corgi._progress_begin('predict', 'progress_src', 'x', 1, 1);

-- The transaction's end ends a progress row nothing ended.
BEGIN;
SELECT corgi._progress_begin('train', 'progress_src', 'mine', 1, 1);
COMMIT;
SELECT count(*) FROM corgi.training_progress WHERE pid = pg_backend_pid();

-- A training call reports while it runs and leaves no row.
SELECT epochs_run FROM corgi.train('progress_src', 'progress_model', 'label', 'features', 'logistic', 2);
SELECT count(*) FROM corgi.training_progress WHERE pid = pg_backend_pid();

-- Crafted parameters read back as NULLs, never as a crash: a wrong count, NULLs, no
-- magic, codes out of range, bytes that are not text.
SELECT call, phase, out_table FROM corgi._progress_decode(ARRAY[1, 2, 3]::bigint[]);
SELECT call FROM corgi._progress_decode(array_fill(NULL::bigint, ARRAY[20]));
SELECT call FROM corgi._progress_decode(array_fill(7::bigint, ARRAY[20]));
SELECT call, phase FROM corgi._progress_decode(
    ARRAY[(x'434F5247'::bigint << 32) | 1, 99, 1] || array_fill(0::bigint, ARRAY[17]));
SELECT call, phase, out_table, epoch, last_loss IS NULL AS no_loss FROM corgi._progress_decode(
    ARRAY[(x'434F5247'::bigint << 32) | 1, 1, 3, 2147483647000, 1, 0, 0, 0, 0, -1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0]);
