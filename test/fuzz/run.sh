#!/usr/bin/env bash
# Fuzz run (part of make test): thousands of seeded random calls of every corgi function,
# with NULLs, edge values, mutated states and random cancels, against the server in
# PGHOST/PGPORT (a scratch database is made and dropped). Fails on any lost connection
# or server crash, on a leaked Swift object or thread, and prints
#   fuzz: N calls, N errors, N crashes
# Usage: test/fuzz/run.sh [SEED] [CALLS] [SERVER_LOG]
set -uo pipefail
cd "$(dirname "$0")/../.."
seed=${1:-20261122}; calls=${2:-3000}; server_log=${3:-}
db=corgi_fuzz
work=$(mktemp -d /tmp/corgi-fuzz.XXXXXX)
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null || exit 1
psql -X -q -d $db -c "CREATE EXTENSION corgi" >/dev/null || exit 1
log_lines_before=0
[ -n "$server_log" ] && [ -f "$server_log" ] && log_lines_before=$(wc -l <"$server_log")
# Every function PUBLIC may execute (but those taking internal, which SQL cannot pass).
psql -X -q -At -d $db -c "SELECT p.oid::regproc::text, p.prokind,
                                 array_to_string(ARRAY(SELECT format_type(t, NULL) FROM unnest(p.proargtypes) t), ',')
                          FROM pg_proc p
                          WHERE p.pronamespace = 'corgi'::regnamespace AND has_function_privilege('public', p.oid, 'EXECUTE')
                            AND NOT 'internal'::regtype = ANY (p.proargtypes::regtype[])
                          ORDER BY 1, 3" | sed 's/^\([a-z_0-9]*\)|/corgi.\1|/' >"$work/catalog.txt"
python3 test/fuzz/fuzz.py "$seed" "$calls" "$work/catalog.txt" >"$work/fuzz.sql"
functions=$(wc -l <"$work/catalog.txt")
uncovered=$(cut -d'|' -f1 "$work/catalog.txt" | sort -u | while read -r f; do
  [ "$(grep -cF "$f(" "$work/fuzz.sql")" -ge 2 ] || echo "$f"; done)
start=$(date +%s)
psql -X -q -d $db -f "$work/fuzz.sql" >"$work/out.txt" 2>"$work/err.txt"
rc=$?
errors=$(grep -c '^psql:.*ERROR' "$work/err.txt")
lost=$(grep -cE 'connection to server was lost|server closed the connection|terminated abnormally' "$work/err.txt")
crashes=$lost
if [ -n "$server_log" ] && [ -f "$server_log" ]; then
  signalled=$(tail -n +"$((log_lines_before + 1))" "$server_log" | grep -cE 'terminated by signal|was terminated by exception|all server processes terminated')
  crashes=$((crashes + signalled))
fi
end_line=$(grep 'fuzz-end' "$work/out.txt" | tr -s ' ')
echo "fuzz: seed $seed, $calls calls in $(( $(date +%s) - start )) s; end of run: ${end_line:-missing}"
echo "fuzz: $functions functions PUBLIC may execute, each called as a superuser and as an ordinary role"
ok=1
[ -z "$uncovered" ] || { echo "fuzz: functions not called: $uncovered"; ok=0; }
role_line=$(grep 'fuzz-role' "$work/out.txt" | tr -s ' ')
grep -qE 'fuzz-role \| f \| f \| f$' <<<"$role_line" || { echo "fuzz: the ordinary role gained a privilege: $role_line"; ok=0; }
[ "$crashes" -eq 0 ] || { echo "fuzz: server crashes:"; grep -B2 -E 'connection to server was lost|server closed' "$work/err.txt" | head -20; ok=0; }
grep -qE 'fuzz-end \| 0 \| 1$' <<<"$end_line" || { echo "fuzz: Swift objects or threads left after the run"; ok=0; }
[ "$rc" -eq 0 ] || { echo "fuzz: psql exited $rc"; ok=0; }
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null
if [ "$ok" -eq 1 ]; then
  echo "fuzz: $calls calls, $errors errors, 0 crashes"
  echo "1 passed, 0 failed"
  rm -rf "$work"; exit 0
fi
echo "fuzz: $calls calls, $errors errors, $crashes crashes (script kept in $work)"
echo "0 passed, 1 failed"
exit 1
