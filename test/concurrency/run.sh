#!/usr/bin/env bash
# Two-session checks (part of make test), ordered by polling pg_stat_activity, not by
# sleeps alone:
#   1. under READ COMMITTED, rows committed by another session between the epochs of one
#      corgi.train call are not seen by its later epochs (one snapshot per call);
#   2. a second session training into the same out_table fails at once with
#      lock_not_available, while the first is still in its transaction.
# Prints "concurrency: N passed, N failed".
set -uo pipefail
db=corgi_concurrency
passed=0; failed=0
check() { if [ "$2" = ok ]; then echo "ok - $1"; passed=$((passed + 1)); else echo "not ok - $1"; failed=$((failed + 1)); fi; }
q() { psql -X -q -At -d $db "$@"; }
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null 2>&1
q <<'SQL' >/dev/null
CREATE EXTENSION corgi;
CREATE TABLE pts AS SELECT g % 2 = 0 AS label, ARRAY[g % 3, g % 5]::float8[] AS features FROM generate_series(1, 5000) g;
-- A validation source that pauses 0.5 s once per epoch: the window in which the other
-- session commits its rows.
CREATE FUNCTION pause() RETURNS boolean LANGUAGE sql VOLATILE AS 'SELECT pg_sleep(0.5) IS NOT NULL';
CREATE VIEW slow_validation AS SELECT p.* FROM pts p, (SELECT pause()) s(ok) WHERE s.ok;
SQL
wait_for_sleep() { # waits until a backend running $1 sleeps in pg_sleep (at most 10 s)
  for _ in $(seq 1 200); do
    n=$(q -c "SELECT count(*) FROM pg_stat_activity WHERE datname = '$db' AND wait_event = 'PgSleep' AND query LIKE '%$1%'")
    [ "$n" -gt 0 ] && return 0; sleep 0.05
  done; return 1
}

# 1. One snapshot for all epochs.
q -c "SELECT epochs_run FROM corgi.train('pts', 'rc_model', 'label', 'features', 'logistic', 3,
                                         params => 'validation_table=slow_validation')" >/dev/null &
trainer=$!
for _ in 1 2; do
  wait_for_sleep rc_model && q -c "INSERT INTO pts SELECT true, ARRAY[1, 2]::float8[] FROM generate_series(1, 1000)"
  sleep 0.6
done
wait $trainer
rows=$(q -c "SELECT epoch_rows FROM rc_model_summary")
inserted=$(q -c "SELECT count(*) - 5000 FROM pts")
[ "$rows" = "{5000,5000,5000}" ] && [ "$inserted" -gt 0 ] && check "every epoch read one snapshot (epoch_rows $rows while $inserted rows were committed meanwhile)" ok \
  || check "every epoch read one snapshot (epoch_rows $rows, $inserted rows committed meanwhile)" fail

# 2. A concurrent training into the same out_table fails at once.
q -c "BEGIN" -c "SELECT epochs_run FROM corgi.train('pts', 'shared_out', 'label', 'features', 'logistic', 1)" \
  -c "SELECT pg_sleep(5) /* holding shared_out */" -c "COMMIT" >/dev/null &
holder=$!
if wait_for_sleep "holding shared_out"; then
  err=$(q -v VERBOSITY=verbose -c "SELECT * FROM corgi.train('pts', 'shared_out', 'label', 'features', 'logistic', 1)" 2>&1 | head -1)
  grep -q '55P03.*another session is training into public.shared_out' <<<"$err" && check "second session: $err" ok || check "second session got: $err" fail
else
  check "first session did not reach its pause" fail
fi
wait $holder
[ "$(q -c "SELECT count(*) FROM shared_out")" = 1 ] && check "the first session's model was written" ok || check "the first session's model was written" fail
psql -X -q -d postgres -c "DROP DATABASE $db" >/dev/null 2>&1
echo "concurrency: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
