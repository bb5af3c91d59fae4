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
