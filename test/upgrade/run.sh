#!/usr/bin/env bash
# Upgrade check (part of make test): a database that installed corgi 0.1.0 and ran
# ALTER EXTENSION corgi UPDATE has exactly the functions of a fresh 0.1.1 install (same
# signatures, bodies, settings such as the pinned search_path, volatility), and a model
# trained under 0.1.0 still predicts. Needs write access to the server's extension
# directory (it installs the 0.1.0 script kept in test/upgrade for the test, then removes it).
# Prints "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/../.."
ext_dir="$(pg_config --sharedir)/extension"
old="$ext_dir/corgi--0.1.0.sql"
cp test/upgrade/corgi--0.1.0.sql "$old" || { echo "0 passed, 1 failed"; exit 1; }
trap 'rm -f "$old"' EXIT
catalog="SELECT p.oid::regprocedure::text, l.lanname, p.provolatile, p.proisstrict, p.proparallel,
               p.proconfig, md5(coalesce(p.prosrc, '') || coalesce(pg_get_function_sqlbody(p.oid), '')),
               obj_description(p.oid, 'pg_proc')
        FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
        WHERE p.pronamespace = 'corgi'::regnamespace ORDER BY 1"
passed=0; failed=0
check() { if [ "$2" = ok ]; then echo "ok - $1"; passed=$((passed + 1)); else echo "not ok - $1"; failed=$((failed + 1)); fi; }
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS corgi_up" -c "DROP DATABASE IF EXISTS corgi_fresh" \
  -c "CREATE DATABASE corgi_up" -c "CREATE DATABASE corgi_fresh" >/dev/null
psql -X -q -d corgi_up -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
CREATE EXTENSION corgi VERSION '0.1.0';
CREATE TABLE pts AS SELECT g % 2 = 0 AS label, ARRAY[g % 3, g % 5]::float8[] AS features FROM generate_series(1, 1000) g;
SELECT * FROM corgi.train('pts', 'old_model', 'label', 'features', 'logistic', 2);
SELECT corgi.predict('old_model', ARRAY[1, 2]) AS p \gset
ALTER EXTENSION corgi UPDATE;
SQL
psql -X -q -d corgi_fresh -c "CREATE EXTENSION corgi" >/dev/null
up=$(psql -X -At -d corgi_up -c "$catalog"); fresh=$(psql -X -At -d corgi_fresh -c "$catalog")
if [ "$up" = "$fresh" ]; then check "updated 0.1.0 equals a fresh 0.1.1 install" ok
else diff <(echo "$fresh") <(echo "$up") | head -20; check "updated 0.1.0 equals a fresh 0.1.1 install" fail; fi
version=$(psql -X -At -d corgi_up -c "SELECT extversion FROM pg_extension WHERE extname = 'corgi'")
[ "$version" = "0.1.1" ] && check "extension version is 0.1.1 after the update" ok || check "extension version is 0.1.1 after the update (got $version)" fail
r=$(psql -X -At -d corgi_up -c "SELECT corgi.predict('old_model', ARRAY[1, 2]) IN (0, 1), (SELECT rows FROM corgi.evaluate('old_model', 'pts'))")
[ "$r" = "t|1000" ] && check "a model trained under 0.1.0 predicts and evaluates after the update" ok || check "old model after the update (got $r)" fail
psql -X -q -d postgres -c "DROP DATABASE corgi_up" -c "DROP DATABASE corgi_fresh" >/dev/null
echo "upgrade: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
