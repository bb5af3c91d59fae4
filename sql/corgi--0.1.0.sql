-- corgi 0.1.0: install script.
-- Every object lives in schema corgi (created by CREATE EXTENSION, from the control file).

\echo Use "CREATE EXTENSION corgi" to load this file. \quit

CREATE FUNCTION corgi.version() RETURNS text
    AS 'MODULE_PATHNAME', 'corgi_version'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION corgi.version() IS
    'version of the loaded corgi library';

-- TABLESAMPLE corgi_block_shuffle(block_pages) [REPEATABLE (seed)]
CREATE FUNCTION corgi.corgi_block_shuffle(internal) RETURNS tsm_handler
    AS 'MODULE_PATHNAME', 'corgi_block_shuffle_handler'
    LANGUAGE C VOLATILE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION corgi.corgi_block_shuffle(internal) IS
    'TABLESAMPLE method: every visible tuple once, in blocks of block_pages consecutive heap pages visited in a seeded random order, pages ascending inside a block';

CREATE FUNCTION corgi.debug_swift_objects() RETURNS bigint
    AS 'MODULE_PATHNAME', 'corgi_debug_swift_objects'
    LANGUAGE C VOLATILE STRICT PARALLEL RESTRICTED;

COMMENT ON FUNCTION corgi.debug_swift_objects() IS
    'diagnostic: number of Swift objects held by this backend (0 between statements; nonzero after one means a leak)';
