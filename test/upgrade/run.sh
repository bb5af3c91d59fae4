#!/usr/bin/env bash
# Upgrade check (part of make test): a database that installed an earlier corgi (0.1.0,
# 0.1.1, 0.1.2, 0.2.0) and ran ALTER EXTENSION corgi UPDATE has exactly the functions and
# composite types of a fresh install of the current version (same signatures, bodies,
# settings such as the pinned search_path, volatility), and a model trained under the old
# version still predicts and evaluates. Only 0.1.0's install script is kept (in
# test/upgrade): PostgreSQL installs 0.1.1, 0.1.2 and 0.2.0 from it through the upgrade scripts,
# and each of those was checked against its own fresh install when it was released. Needs
# write access to the server's extension directory (the old script is copied in, then
# removed). First, make install (staged in a scratch directory) must install every upgrade
# script of sql/. Prints "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/../.."
ext_dir="$(pg_config --sharedir)/extension"
current=$(sed -n "s/^default_version = '\(.*\)'/\1/p" extension/corgi.control)
olds=(0.1.0 0.1.1 0.1.2 0.2.0 0.3.0 0.4.0 0.5.0 0.5.1 0.6.0 0.7.0 0.8.0)
# An install script of an old version left in the extension directory by an earlier build (a
# cached server, a developer's make install at that version) would be used instead of the
# upgrade chain; the tree ships none of them, so they go: every old version below is reached
# from 0.1.0 through the upgrade scripts, as on a clean install.
for v in "${olds[@]}"; do rm -f "$ext_dir/corgi--$v.sql"; done
# make install must install every upgrade script itself: one a previous build left in the
# extension directory would hide its absence from the checks below (corgi_madlib's 1.0--1.1
# was missing from make install until 0.9.0). Staged into a scratch directory.
stage=$(mktemp -d)
make -s install DESTDIR="$stage" >/dev/null 2>&1
missing=""
for f in sql/corgi--*--*.sql sql/corgi--*--*.sql.in sql/corgi_madlib--*--*.sql sql/corgi_madlib--*--*.sql.in; do
  [ -e "$f" ] || continue
  name=$(basename "${f%.in}")
  [ -f "$stage$ext_dir/$name" ] || missing="$missing $name"
done
rm -rf "$stage"
[ -z "$missing" ] && pre_ok=1 || { echo "not in make install:$missing"; pre_ok=0; }
cp test/upgrade/corgi--0.1.0.sql "$ext_dir/corgi--0.1.0.sql" || { echo "0 passed, 1 failed"; exit 1; }
# corgi_madlib 1.0 as released (its install script kept here, as corgi's 0.1.0).
cp test/upgrade/corgi_madlib--1.0.sql "$ext_dir/corgi_madlib--1.0.sql" || { echo "0 passed, 1 failed"; exit 1; }
trap 'rm -f "$ext_dir/corgi--0.1.0.sql" "$ext_dir/corgi_madlib--1.0.sql"' EXIT
catalog="SELECT concat_ws('|', p.oid::regprocedure::text, l.lanname, p.provolatile, p.proisstrict, p.proparallel,
               p.proconfig::text, p.proacl::text, md5(coalesce(p.prosrc, '') || coalesce(pg_get_function_sqlbody(p.oid), '')),
               obj_description(p.oid, 'pg_proc')) AS line
        FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
        WHERE p.pronamespace = 'corgi'::regnamespace
        UNION ALL
        SELECT concat_ws('|', 'type ' || t.typname, a.attnum, a.attname, format_type(a.atttypid, a.atttypmod),
                         obj_description(t.oid, 'pg_type'))
        FROM pg_type t JOIN pg_attribute a ON a.attrelid = t.typrelid AND a.attnum > 0
        WHERE t.typnamespace = 'corgi'::regnamespace
        UNION ALL
        SELECT concat_ws('|', 'view ' || c.relname, md5(pg_get_viewdef(c.oid)), c.relacl::text, obj_description(c.oid, 'pg_class'))
        FROM pg_class c WHERE c.relnamespace = 'corgi'::regnamespace AND c.relkind = 'v'
        ORDER BY 1"
passed=0; failed=0
check() { if [ "$2" = ok ]; then echo "ok - $1"; passed=$((passed + 1)); else echo "not ok - $1"; failed=$((failed + 1)); fi; }
[ "$pre_ok" = 1 ] && check "make install installs every upgrade script of sql/" ok \
  || check "make install installs every upgrade script of sql/" fail
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS corgi_fresh" -c "CREATE DATABASE corgi_fresh" >/dev/null
psql -X -q -d corgi_fresh -c "CREATE EXTENSION corgi" >/dev/null
fresh=$(psql -X -At -d corgi_fresh -c "$catalog")
for v in "${olds[@]}"; do
  psql -X -q -d postgres -c "DROP DATABASE IF EXISTS corgi_up" -c "CREATE DATABASE corgi_up" >/dev/null
  psql -X -q -d corgi_up -v ON_ERROR_STOP=1 >/dev/null <<SQL
CREATE EXTENSION corgi VERSION '$v';
CREATE TABLE pts AS SELECT g % 2 = 0 AS label, ARRAY[g % 3, g % 5]::float8[] AS features FROM generate_series(1, 1000) g;
SELECT * FROM corgi.train('pts', 'old_model', 'label', 'features', 'logistic', 2);
ALTER EXTENSION corgi UPDATE;
SQL
  up=$(psql -X -At -d corgi_up -c "$catalog")
  if [ "$up" = "$fresh" ]; then check "updated $v equals a fresh $current install" ok
  else diff <(echo "$fresh") <(echo "$up") | head -20; check "updated $v equals a fresh $current install" fail; fi
  version=$(psql -X -At -d corgi_up -c "SELECT extversion FROM pg_extension WHERE extname = 'corgi'")
  [ "$version" = "$current" ] && check "extension version is $current after the update from $v" ok \
    || check "extension version is $current after the update from $v (got $version)" fail
  r=$(psql -X -At -d corgi_up -c "SELECT corgi.predict('old_model', ARRAY[1, 2]) IN (0, 1), (SELECT rows FROM corgi.evaluate('old_model', 'pts'))")
  [ "$r" = "t|1000" ] && check "a model trained under $v predicts and evaluates after the update" ok \
    || check "model trained under $v after the update (got $r)" fail
  psql -X -q -d postgres -c "DROP DATABASE corgi_up" >/dev/null
done
psql -X -q -d postgres -c "DROP DATABASE corgi_fresh" >/dev/null

# corgi_madlib: 1.0 updated equals a fresh install of the current version.
madlib_current=$(sed -n "s/^default_version = '\(.*\)'/\1/p" extension/corgi_madlib.control)
madlib_catalog="SELECT concat_ws('|', p.oid::regprocedure::text, l.lanname, p.provolatile, p.proisstrict, p.proparallel,
               p.proconfig::text, md5(coalesce(p.prosrc, '') || coalesce(pg_get_function_sqlbody(p.oid), '')),
               obj_description(p.oid, 'pg_proc'))
        FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
        WHERE p.pronamespace = 'madlib'::regnamespace ORDER BY 1"
for db in madlib_fresh madlib_up; do
  psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null
done
psql -X -q -d madlib_fresh -c "CREATE EXTENSION corgi" -c "CREATE EXTENSION corgi_madlib" >/dev/null
psql -X -q -d madlib_up -v ON_ERROR_STOP=1 -c "CREATE EXTENSION corgi" -c "CREATE EXTENSION corgi_madlib VERSION '1.0'" \
  -c "ALTER EXTENSION corgi_madlib UPDATE" >/dev/null
fresh=$(psql -X -At -d madlib_fresh -c "$madlib_catalog")
up=$(psql -X -At -d madlib_up -c "$madlib_catalog")
if [ -n "$fresh" ] && [ "$up" = "$fresh" ]; then check "corgi_madlib 1.0 updated equals a fresh $madlib_current install" ok
else diff <(echo "$fresh") <(echo "$up") | head -20; check "corgi_madlib 1.0 updated equals a fresh $madlib_current install" fail; fi
version=$(psql -X -At -d madlib_up -c "SELECT extversion FROM pg_extension WHERE extname = 'corgi_madlib'")
[ "$version" = "$madlib_current" ] && check "corgi_madlib version is $madlib_current after the update from 1.0" ok \
  || check "corgi_madlib version is $madlib_current after the update from 1.0 (got $version)" fail
psql -X -q -d postgres -c "DROP DATABASE madlib_fresh" -c "DROP DATABASE madlib_up" >/dev/null
echo "upgrade: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
