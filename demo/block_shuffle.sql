-- corgi demo: the CorgiPile block-shuffled scan.
\set ON_ERROR_STOP on
\pset footer off
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS corgi CASCADE;
CREATE EXTENSION corgi;
SET search_path = public, corgi;
SELECT corgi.version();

-- A clustered table, as CorgiPile's paper stores it: all negative rows first.
DROP TABLE IF EXISTS demo_points;
CREATE TABLE demo_points AS
SELECT g AS id, (g > 50000) AS label,
       ARRAY[random(), random(), random()]::float8[] AS features
FROM generate_series(1, 100000) g;
SELECT pg_relation_size('demo_points') / 8192 AS pages, count(*) AS rows FROM demo_points;

\echo
\echo 'A plain scan reads the table in physical order: the first 20,000 rows are all one class.'
SELECT count(*) FILTER (WHERE label) AS positives_in_first_20000
FROM (SELECT label FROM demo_points LIMIT 20000) s;

\echo
\echo 'TABLESAMPLE corgi_block_shuffle(64) visits blocks of 64 pages in a seeded random order:'
SELECT seed, array_agg(page / 64 ORDER BY pos) AS block_order
FROM (SELECT seed, pos, page, lag(page) OVER (PARTITION BY seed ORDER BY pos) AS prev
      FROM (VALUES (1), (2), (42)) s(seed),
      LATERAL (SELECT row_number() OVER () AS pos, (ctid::text::point)[0]::int AS page
               FROM demo_points TABLESAMPLE corgi_block_shuffle(64) REPEATABLE (seed)) o) x
WHERE prev IS NULL OR prev / 64 <> page / 64
GROUP BY seed ORDER BY seed;

\echo
\echo 'The same seed gives the same order, and every row comes back exactly once:'
SELECT (SELECT count(*) FROM demo_points) AS plain_scan_rows,
       (SELECT count(*) FROM demo_points TABLESAMPLE corgi_block_shuffle(64) REPEATABLE (42)) AS block_shuffled_rows,
       (SELECT count(*) FROM (SELECT id FROM demo_points
                              EXCEPT ALL
                              SELECT id FROM demo_points TABLESAMPLE corgi_block_shuffle(64) REPEATABLE (42)) d) AS rows_missing,
       (SELECT array_agg(ctid) FROM demo_points TABLESAMPLE corgi_block_shuffle(64) REPEATABLE (42))
     = (SELECT array_agg(ctid) FROM demo_points TABLESAMPLE corgi_block_shuffle(64) REPEATABLE (42)) AS same_seed_same_order;

\echo
\echo 'Read in block-shuffled order, the first 20,000 rows already mix both classes:'
SELECT count(*) FILTER (WHERE label) AS positives_in_first_20000
FROM (SELECT label FROM demo_points TABLESAMPLE corgi_block_shuffle(64) REPEATABLE (42) LIMIT 20000) s;

\echo
\echo 'Timing of one pass (plain scan vs. block-shuffled scan):'
\timing on
SELECT sum(features[1]) FROM demo_points;
SELECT sum(features[1]) FROM demo_points TABLESAMPLE corgi_block_shuffle(128) REPEATABLE (7);
\timing off
