-- The facts a training call reads once (corgi._fact in a facts scope): fit_multiple's
-- preparations share them; a scope never outlives the call that opened it.
CREATE TABLE facts_src AS SELECT g AS x FROM generate_series(1, 10) g;

-- Outside a scope a fact is read every time.
SELECT corgi._fact('SELECT count(*) FROM facts_src', NULL::bigint) AS rows;
INSERT INTO facts_src VALUES (11);
SELECT corgi._fact('SELECT count(*) FROM facts_src', NULL::bigint) AS rows;

-- Inside one, once: the second read answers from memory (the table changed meanwhile).
BEGIN;
SELECT corgi._facts_begin();
SELECT corgi._fact('SELECT count(*) FROM facts_src', NULL::bigint) AS rows;
INSERT INTO facts_src VALUES (12);
SELECT corgi._fact('SELECT count(*) FROM facts_src', NULL::bigint) AS remembered;
SELECT corgi._fact('SELECT array_agg(x ORDER BY x) FILTER (WHERE x > 10) FROM facts_src', NULL::int[]) AS tail;
SELECT corgi._fact('SELECT max(x) FROM facts_src WHERE x > 100', NULL::int) AS none;
SELECT corgi._facts_end();
SELECT corgi._fact('SELECT count(*) FROM facts_src', NULL::bigint) AS read_again;
COMMIT;

-- A scope opened in a savepoint that rolls back is closed with it.
BEGIN;
SAVEPOINT s;
SELECT corgi._facts_begin();
SELECT corgi._fact('SELECT count(*) FROM facts_src', NULL::bigint) AS rows;
ROLLBACK TO s;
INSERT INTO facts_src VALUES (13);
SELECT corgi._fact('SELECT count(*) FROM facts_src', NULL::bigint) AS read_again;
COMMIT;

-- A scope left open by a caller ends with its transaction.
SELECT corgi._facts_begin();
SELECT corgi._fact('SELECT count(*) FROM facts_src', NULL::bigint) AS rows;
INSERT INTO facts_src VALUES (14);
SELECT corgi._fact('SELECT count(*) FROM facts_src', NULL::bigint) AS read_again;

-- Wrong uses are errors.
SELECT corgi._fact('SELECT count(*) FROM facts_src', NULL::integer);
SELECT corgi._fact('DELETE FROM facts_src', NULL::integer);
SELECT corgi._fact(NULL, NULL::integer);
SELECT count(*) AS untouched FROM facts_src;
