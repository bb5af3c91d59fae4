-- The extension itself: version, schema, and how every function is declared.

-- The library's version is the installed extension version.
SELECT corgi.version() = extversion AS version_matches, extnamespace::regnamespace AS schema
FROM pg_extension WHERE extname = 'corgi';

-- Every function is declared on purpose (volatility, strictness, parallel safety) and
-- carries a comment.
SELECT p.oid::regprocedure AS function, p.provolatile AS volatility, p.proisstrict AS strict,
       p.proparallel AS parallel, obj_description(p.oid, 'pg_proc') IS NOT NULL AS has_comment
FROM pg_depend d JOIN pg_proc p ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid
WHERE d.refclassid = 'pg_extension'::regclass
  AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'corgi')
ORDER BY p.oid::regprocedure::text;

-- One list of models and shuffles (the core's), and the plan corgi.train follows.
SELECT corgi.model_names(), corgi.shuffle_names();
-- What each model is for (the core's traits; SQL and C branch on these, never on names).
SELECT m AS model, t.* FROM unnest(corgi.model_names()) m, corgi.model_traits(m) t;
SELECT corgi.model_traits('ridge');
SELECT corgi._buffer_rows('corgipile', 1001, 0.1, 28, 0, 1024) AS corgipile,
       corgi._buffer_rows('corgipile', 1001, 0.1, 28, 64, 1024) AS corgipile_small_data,
       corgi._buffer_rows('corgipile', 1000000, 0.1, 28, 64, 1024) AS corgipile_large_data,
       corgi._buffer_rows('none', 1000000, 0.1, 28, 64, 1024) AS none,
       corgi._default_block_mb(35712 * 8192::bigint) AS block_mb_279mb, corgi._default_block_mb(1::bigint << 40) AS block_mb_1tb;
SELECT corgi._buffer_rows('random', 10, 0.1, 1, 64, 1024);

-- Functions nobody but the extension's owner may call: the aggregates' support functions
-- (the aggregates' owner's EXECUTE is what counts). Every other function is callable,
-- and checks its arguments as a public entry point does (README "Security").
SELECT p.oid::regprocedure AS not_public FROM pg_proc p
WHERE p.pronamespace = 'corgi'::regnamespace AND NOT has_function_privilege('public', p.oid, 'EXECUTE')
ORDER BY p.oid::regprocedure::text;
