-- Swift objects held by the C glue are released when their memory context goes away:
-- at the end of a statement, on ERROR, on cancel, and when a cursor is closed.
SET search_path = public, corgi;
CREATE TABLE lt AS SELECT g AS id FROM generate_series(1, 20000) g;

SELECT debug_swift_objects() AS held_at_start;
SELECT count(*) FROM lt TABLESAMPLE corgi_block_shuffle(4) REPEATABLE (1);
SELECT debug_swift_objects() AS held_after_a_scan;

-- An ERROR raised in the middle of the scan.
SELECT count(*) FROM lt TABLESAMPLE corgi_block_shuffle(4) REPEATABLE (1) WHERE 1 / (id - 5000) IS NOT NULL;
SELECT debug_swift_objects() AS held_after_error;

-- A cancel (statement_timeout) in the middle of the scan.
SET statement_timeout = '100ms';
SELECT count(*) FROM lt TABLESAMPLE corgi_block_shuffle(4) REPEATABLE (1) WHERE pg_sleep(0.001) IS NOT NULL;
RESET statement_timeout;
SELECT debug_swift_objects() AS held_after_cancel;

-- An open cursor holds its scan's order; closing it, or rolling back, releases it.
BEGIN;
DECLARE c CURSOR FOR SELECT id FROM lt TABLESAMPLE corgi_block_shuffle(4) REPEATABLE (1);
FETCH 3 FROM c;
SELECT debug_swift_objects() AS held_by_open_cursor;
CLOSE c;
SELECT debug_swift_objects() AS held_after_close;
DECLARE d CURSOR FOR SELECT id FROM lt TABLESAMPLE corgi_block_shuffle(4) REPEATABLE (1);
FETCH 1 FROM d;
SAVEPOINT s;
SELECT 1 / 0;
ROLLBACK TO s;
SELECT debug_swift_objects() AS held_by_cursor_after_savepoint_rollback;
ROLLBACK;
SELECT debug_swift_objects() AS held_after_rollback;
