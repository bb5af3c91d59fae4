-- Bad arguments to TABLESAMPLE corgi_block_shuffle: clear errors, nothing returned.
SET search_path = public, corgi;
CREATE TABLE bse AS SELECT g AS id FROM generate_series(1, 100) g;

SELECT count(*) FROM bse TABLESAMPLE corgi_block_shuffle(0);
SELECT count(*) FROM bse TABLESAMPLE corgi_block_shuffle(-5) REPEATABLE (1);
SELECT count(*) FROM bse TABLESAMPLE corgi_block_shuffle(131073);
SELECT count(*) FROM bse TABLESAMPLE corgi_block_shuffle(10000000000);
SELECT count(*) FROM bse TABLESAMPLE corgi_block_shuffle(NULL);
SELECT count(*) FROM bse TABLESAMPLE corgi_block_shuffle(8) REPEATABLE (NULL);
SELECT count(*) FROM bse TABLESAMPLE corgi_block_shuffle('eight');
SELECT count(*) FROM bse TABLESAMPLE corgi_block_shuffle(1.5);
SELECT count(*) FROM bse TABLESAMPLE corgi_block_shuffle('NaN');
SELECT count(*) FROM bse TABLESAMPLE corgi_block_shuffle('Infinity');
SELECT count(*) FROM bse TABLESAMPLE corgi_block_shuffle();
SELECT count(*) FROM bse TABLESAMPLE corgi_block_shuffle(8, 2);
CREATE VIEW bse_view AS SELECT * FROM bse;
SELECT count(*) FROM bse_view TABLESAMPLE corgi_block_shuffle(8);

-- The largest block is accepted (1 GB of pages), and so is a whole number written
-- as a decimal or a string.
SELECT count(*) FROM bse TABLESAMPLE corgi_block_shuffle(131072);
SELECT count(*) FROM bse TABLESAMPLE corgi_block_shuffle(8.0);
SELECT count(*) FROM bse TABLESAMPLE corgi_block_shuffle('8');
