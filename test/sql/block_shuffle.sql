-- TABLESAMPLE corgi_block_shuffle(block_pages) REPEATABLE (seed): every visible tuple
-- exactly once, blocks of block_pages consecutive pages in a seeded random order,
-- pages ascending inside a block.
SET search_path = public, corgi;

-- About 7 rows of ~1 kB per 8 kB page; ids 1..1000 plus 50 duplicated ids, so that
-- the multiset comparisons below see repeated values.
CREATE TABLE bs (id int, pad text) WITH (fillfactor = 80, autovacuum_enabled = false);
INSERT INTO bs SELECT g, repeat('x', 1000) FROM generate_series(1, 1000) g;
INSERT INTO bs SELECT g, repeat('y', 1000) FROM generate_series(1, 50) g;
SELECT pg_relation_size('bs') / current_setting('block_size')::int AS pages;

-- The scan returns the same multiset of rows as a plain scan.
CREATE FUNCTION multiset_diff(sample_sql text, OUT extra bigint, OUT missing bigint)
LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('SELECT count(*) FROM (%s EXCEPT ALL SELECT id, pad FROM bs) d', sample_sql) INTO extra;
  EXECUTE format('SELECT count(*) FROM (SELECT id, pad FROM bs EXCEPT ALL %s) d', sample_sql) INTO missing;
END $$;
SELECT count(*) FROM bs;
SELECT count(*) FROM bs TABLESAMPLE corgi_block_shuffle(8) REPEATABLE (1);
SELECT * FROM multiset_diff('SELECT id, pad FROM bs TABLESAMPLE corgi_block_shuffle(8) REPEATABLE (1)');
SELECT * FROM multiset_diff('SELECT id, pad FROM bs TABLESAMPLE corgi_block_shuffle(1) REPEATABLE (2)');
SELECT * FROM multiset_diff('SELECT id, pad FROM bs TABLESAMPLE corgi_block_shuffle(7) REPEATABLE (3)');
SELECT * FROM multiset_diff('SELECT id, pad FROM bs TABLESAMPLE corgi_block_shuffle(100000) REPEATABLE (4)');
SELECT * FROM multiset_diff('SELECT id, pad FROM bs TABLESAMPLE corgi.corgi_block_shuffle(16)');

-- The order of a scan, as (position, page, offset).
CREATE FUNCTION scan_order(block_pages int, seed float8)
RETURNS TABLE (pos bigint, page int, off int)
LANGUAGE sql AS $$
  SELECT row_number() OVER (), (ctid::text::point)[0]::int, (ctid::text::point)[1]::int
  FROM bs TABLESAMPLE corgi.corgi_block_shuffle(block_pages) REPEATABLE (seed)
$$;

-- Layout checks for a block size: tuples ascend (page, offset) inside a block; each
-- block is read in one contiguous run; every block is complete (the partial last one
-- included); and the block order is not the physical order.
CREATE FUNCTION check_layout(block_pages int, seed float8)
RETURNS TABLE (descending_in_block bigint, runs bigint, blocks bigint,
               incomplete_blocks bigint, physical_order boolean)
LANGUAGE sql AS $$
  WITH s AS (
    SELECT pos, page, off, page / block_pages AS blk,
           lag(page) OVER w AS prev_page, lag(off) OVER w AS prev_off
    FROM scan_order(block_pages, seed) WINDOW w AS (ORDER BY pos)),
  total AS (SELECT pg_relation_size('bs') / current_setting('block_size')::int AS pages),
  per_block AS (
    SELECT blk, count(DISTINCT page) AS pages_seen,
           least(block_pages, (SELECT pages FROM total) - blk * block_pages) AS pages_expected
    FROM s GROUP BY blk),
  run_starts AS (
    SELECT pos, blk FROM s WHERE prev_page IS NULL OR prev_page / block_pages <> blk)
  SELECT
    (SELECT count(*) FROM s WHERE prev_page / block_pages = blk
        AND (page < prev_page OR (page = prev_page AND off <= prev_off))),
    (SELECT count(*) FROM run_starts),
    (SELECT count(*) FROM per_block),
    (SELECT count(*) FROM per_block WHERE pages_seen <> pages_expected),
    (SELECT array_agg(blk ORDER BY pos) = array_agg(blk ORDER BY blk) FROM run_starts)
$$;
SELECT 8 AS block_pages, * FROM check_layout(8, 1);
SELECT 6 AS block_pages, * FROM check_layout(6, 2);   -- 175 pages: the last block has 1
SELECT 1 AS block_pages, * FROM check_layout(1, 3);
SELECT 16 AS block_pages, * FROM check_layout(16, 4);

-- The order is pinned: REPEATABLE (0) is seed 0 on every server (PostgreSQL hashes
-- 0.0 to 0). The blocks visited, in order, for 175 pages in blocks of 8, are
-- scripts/reference_prng.py's permutation(22, 0).
SELECT array_agg(page / 8 ORDER BY pos) AS block_sequence
FROM (SELECT pos, page, lag(page) OVER (ORDER BY pos) AS prev FROM scan_order(8, 0)) s
WHERE prev IS NULL OR prev / 8 <> page / 8;

-- Same seed, same order; another seed, another order; no REPEATABLE, a fresh seed.
SELECT (SELECT array_agg(ctid) FROM bs TABLESAMPLE corgi_block_shuffle(8) REPEATABLE (5))
     = (SELECT array_agg(ctid) FROM bs TABLESAMPLE corgi_block_shuffle(8) REPEATABLE (5)) AS same_seed_same_order;
SELECT (SELECT array_agg(ctid) FROM bs TABLESAMPLE corgi_block_shuffle(8) REPEATABLE (5))
     = (SELECT array_agg(ctid) FROM bs TABLESAMPLE corgi_block_shuffle(8) REPEATABLE (6)) AS other_seed_same_order;
SELECT (SELECT array_agg(ctid) FROM bs TABLESAMPLE corgi_block_shuffle(8))
     = (SELECT array_agg(ctid) FROM bs TABLESAMPLE corgi_block_shuffle(8)) AS unseeded_runs_equal;

-- Same order in another session.
CREATE TABLE saved_order AS
  SELECT array_agg(ctid) AS ctids FROM bs TABLESAMPLE corgi_block_shuffle(4) REPEATABLE (2026);
\c
SET search_path = public, corgi;
SELECT ctids = (SELECT array_agg(ctid) FROM bs TABLESAMPLE corgi_block_shuffle(4) REPEATABLE (2026))
       AS same_order_in_new_session
FROM saved_order;

-- Dead, HOT-updated and moved tuples: delete some rows, update others in place (HOT,
-- there is room on the pages) and grow some so they move to other pages. No VACUUM.
DELETE FROM bs WHERE id % 10 = 0;
UPDATE bs SET pad = repeat('h', 1000) WHERE id % 7 = 0;
UPDATE bs SET pad = repeat('m', 3000) WHERE id % 13 = 0;
SELECT pg_stat_force_next_flush();
SELECT n_dead_tup > 0 AS has_dead_tuples, n_tup_hot_upd > 0 AS has_hot_updates
FROM pg_stat_user_tables WHERE relname = 'bs';
SELECT count(*) FROM bs;
SELECT count(*) FROM bs TABLESAMPLE corgi_block_shuffle(8) REPEATABLE (1);
SELECT * FROM multiset_diff('SELECT id, pad FROM bs TABLESAMPLE corgi_block_shuffle(8) REPEATABLE (1)');
SELECT * FROM multiset_diff('SELECT id, pad FROM bs TABLESAMPLE corgi_block_shuffle(3) REPEATABLE (9)');

-- A rescan (the inner side of a nested loop, re-run for each outer row) reads the
-- whole table again, in the order of its seed.
EXPLAIN (COSTS OFF)
SELECT x, a FROM (VALUES (1), (2), (1)) v(x)
  CROSS JOIN LATERAL (SELECT array_agg(ctid) AS a
                      FROM bs TABLESAMPLE corgi_block_shuffle(8) REPEATABLE (x)) s;
SELECT x, cardinality(a) AS rows,
       a = (SELECT array_agg(ctid) FROM bs TABLESAMPLE corgi_block_shuffle(8) REPEATABLE (x))
         AS same_order_as_a_fresh_scan
FROM (VALUES (1), (2), (1)) v(x)
  CROSS JOIN LATERAL (SELECT array_agg(ctid) AS a
                      FROM bs TABLESAMPLE corgi_block_shuffle(8) REPEATABLE (x)) s;

-- Empty table and one-page table.
CREATE TABLE bs_empty (id int);
SELECT count(*) FROM bs_empty TABLESAMPLE corgi_block_shuffle(8) REPEATABLE (1);
CREATE TABLE bs_one AS SELECT g AS id FROM generate_series(1, 20) g;
SELECT pg_relation_size('bs_one') / current_setting('block_size')::int AS pages;
SELECT array_agg(id) FROM bs_one TABLESAMPLE corgi_block_shuffle(8) REPEATABLE (1);

-- A materialized view can be sampled too.
CREATE MATERIALIZED VIEW bs_mv AS SELECT id FROM bs WHERE id <= 100;
SELECT count(*) FROM bs_mv TABLESAMPLE corgi_block_shuffle(2) REPEATABLE (1);

-- The scan goes through the executor: privileges and row-level security apply.
CREATE ROLE corgi_regress_reader;
GRANT USAGE ON SCHEMA corgi TO corgi_regress_reader;
SET ROLE corgi_regress_reader;
SELECT count(*) FROM bs TABLESAMPLE corgi_block_shuffle(8) REPEATABLE (1);
RESET ROLE;
GRANT SELECT ON bs TO corgi_regress_reader;
ALTER TABLE bs ENABLE ROW LEVEL SECURITY;
CREATE POLICY small_ids ON bs FOR SELECT TO corgi_regress_reader USING (id <= 100);
SET ROLE corgi_regress_reader;
SELECT count(*) FROM bs TABLESAMPLE corgi_block_shuffle(8) REPEATABLE (1);
RESET ROLE;
DROP POLICY small_ids ON bs;
REVOKE ALL ON bs FROM corgi_regress_reader;
REVOKE ALL ON SCHEMA corgi FROM corgi_regress_reader;
DROP ROLE corgi_regress_reader;

EXPLAIN (COSTS OFF) SELECT * FROM bs TABLESAMPLE corgi_block_shuffle(8) REPEATABLE (1);
