#!/usr/bin/env bash
# Two-session checks (part of make test), ordered by polling pg_stat_activity, not by
# sleeps alone:
#   1. under READ COMMITTED, rows committed by another session between the epochs of one
#      corgi.train call are not seen by its later epochs (one snapshot per call);
#   2. a second session training into the same out_table fails at once with
#      lock_not_available, while the first is still in its transaction;
#   3. the same for a grouped corgi.fit_multiple (it took a new snapshot every epoch in
#      0.5.0) and a grouped corgi.train: the groups' counting pass and every epoch read
#      one snapshot;
#   4. a table another session creates under one of a running call's output names
#      cannot make the call fail after its epochs: the names are taken at its start;
#   5. live progress: corgi.training_progress shows a running call to another session of
#      its role (and to pg_read_all_stats), not to another role, and the row goes when
#      the call returns, fails in a rolled-back savepoint, or is cancelled.
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
# insert_during CALL_PATTERN SQL: twice, waits for the call's validation pause and runs SQL
# (a commit of another session between two epochs).
insert_during() {
  for _ in 1 2; do
    wait_for_sleep "$1" && q -c "$2"
    sleep 0.6
  done
}
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
insert_during rc_model "INSERT INTO pts SELECT true, ARRAY[1, 2]::float8[] FROM generate_series(1, 1000)"
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
# 3. Grouped calls: the counting pass and every epoch on one snapshot.
q <<'SQL' >/dev/null
CREATE TABLE gpts AS SELECT g % 4 AS grp, g % 3 = 0 AS label, ARRAY[g % 3, g % 5]::float8[] AS features
FROM generate_series(1, 4000) g;
CREATE VIEW slow_gvalidation AS SELECT p.* FROM gpts p, (SELECT pause()) s(ok) WHERE s.ok;
CREATE TABLE gconfigs AS SELECT * FROM corgi.config_grid('logistic', 'learning_rate=[0.05,0.1]');
SQL
q -c "SELECT configs_trained FROM corgi.fit_multiple('gpts', 'gfit', 'label', 'features', 'gconfigs', 3,
                                                     validation_table => 'slow_gvalidation', grouping_cols => 'grp')" >/dev/null &
trainer=$!
insert_during gfit "INSERT INTO gpts SELECT g % 4, true, ARRAY[1, 2]::float8[] FROM generate_series(1, 1000) g"
wait $trainer
rows=$(q -c "SELECT string_agg(epoch_rows::text, ' ' ORDER BY config_id) FROM gfit_info")
inserted=$(q -c "SELECT count(*) - 4000 FROM gpts")
[ "$rows" = "{4000,4000,4000} {4000,4000,4000}" ] && [ "$inserted" -gt 0 ] \
  && check "grouped fit_multiple: every epoch read the call's snapshot (epoch_rows $rows while $inserted rows were committed)" ok \
  || check "grouped fit_multiple: every epoch read the call's snapshot (epoch_rows $rows, $inserted rows committed meanwhile)" fail
q -c "DELETE FROM gpts WHERE features = ARRAY[1, 2]::float8[]" >/dev/null
q -c "SELECT epochs_run FROM corgi.train('gpts', 'gtrain', 'label', 'features', 'logistic', 3,
                                         params => 'validation_table=slow_gvalidation', grouping_cols => 'grp')" >/dev/null &
trainer=$!
before=$(q -c "SELECT count(*) FROM gpts")
insert_during gtrain "INSERT INTO gpts SELECT g % 4, true, ARRAY[1, 2]::float8[] FROM generate_series(1, 1000) g"
wait $trainer
r=$(q -c "SELECT bool_and(num_rows * 3 = (SELECT sum(x) FROM unnest(epoch_rows) x)), sum(num_rows) FROM gtrain_groups")
[ "$r" = "t|$before" ] && check "grouped train: the counting pass and every epoch read one snapshot ($before rows, counted and trained)" ok \
  || check "grouped train: one snapshot for counting and epochs (got $r, $before rows at the start)" fail

# 4. Output names are taken at the start of a call.
q -c "SELECT epochs_run FROM corgi.train('pts', 'taken', 'label', 'features', 'logistic', 2,
                                         params => 'validation_table=slow_validation')" >"/tmp/corgi-taken.$$" 2>&1 &
trainer=$!
wait_for_sleep "taken" || true
# Another session tries to create the summary's name while the call runs: it waits for
# the call's transaction, then fails; the call itself succeeds.
q -c "SET lock_timeout = '10s'" -c "CREATE TABLE taken_summary (x int)" >"/tmp/corgi-taken-other.$$" 2>&1
other=$(head -1 "/tmp/corgi-taken-other.$$")
wait $trainer; trainer_rc=$?
r=$(q -c "SELECT count(*) FROM taken_summary WHERE out_table = 'taken'")
[ "$trainer_rc" = 0 ] && [ "$r" = 1 ] && grep -qE 'already exists|duplicate key value' <<<"$other" \
  && check "a name taken during the call: the call writes its outputs, the other session fails ($other)" ok \
  || check "a name taken during the call (call exit $trainer_rc, summary rows $r, other session: $other)" fail
rm -f "/tmp/corgi-taken.$$" "/tmp/corgi-taken-other.$$"

# 5. Live progress: another session sees a running call in corgi.training_progress (its
#    own role, or pg_read_all_stats), another role does not, and the row goes when the
#    call returns, fails or is cancelled.
q <<'SQL' >/dev/null
CREATE TABLE big AS SELECT g % 2 = 0 AS label, ARRAY[g % 3, g % 5]::float8[] AS features FROM generate_series(1, 100000) g;
CREATE VIEW slow_big AS SELECT p.* FROM big p, (SELECT pause()) s(ok) WHERE s.ok;
DROP ROLE IF EXISTS corgi_progress_peer; DROP ROLE IF EXISTS corgi_progress_reader;
CREATE ROLE corgi_progress_peer; CREATE ROLE corgi_progress_reader;
GRANT pg_read_all_stats TO corgi_progress_reader;
GRANT USAGE ON SCHEMA corgi TO corgi_progress_peer, corgi_progress_reader;
SQL
progress_cols="call, phase, source_table, out_table, epoch, epochs, rows_done > 0, rows_per_epoch > 0, tasks_done, tasks, last_loss IS NOT NULL, elapsed_seconds > 0"
q -c "SELECT epochs_run FROM corgi.train('big', 'prog_model', 'label', 'features', 'logistic', 3,
                                         params => 'validation_table=slow_big')" >/dev/null 2>&1 &
trainer=$!
if wait_for_sleep prog_model; then
  pid=$(q -c "SELECT pid FROM pg_stat_activity WHERE datname = '$db' AND query LIKE '%prog_model%' AND pid <> pg_backend_pid()")
  row=$(q -c "SELECT $progress_cols FROM corgi.training_progress WHERE pid = $pid")
  [ "$row" = "train|validating|big|prog_model|1|3|t|t|0|1|t|t" ] && check "progress of a running corgi.train, from another session: $row" ok \
    || check "progress of a running corgi.train (got '$row')" fail
  peer=$(q -c "SET ROLE corgi_progress_peer" -c "SELECT count(*) FROM corgi.training_progress")
  reader=$(q -c "SET ROLE corgi_progress_reader" -c "SELECT count(*) FROM corgi.training_progress WHERE pid = $pid")
  [ "$peer" = 0 ] && [ "$reader" = 1 ] && check "another role sees no row, a member of pg_read_all_stats sees it" ok \
    || check "another role sees $peer rows, pg_read_all_stats $reader (expected 0 and 1)" fail
  sleep 0.2
  q -c "SELECT pg_cancel_backend($pid)" >/dev/null
  wait $trainer; rc=$?
  left=$(q -c "SELECT (SELECT count(*) FROM corgi.training_progress WHERE pid = $pid) + (SELECT count(*) FROM pg_stat_progress_vacuum WHERE pid = $pid)")
  [ "$rc" != 0 ] && [ "$left" = 0 ] && check "a cancelled call leaves no progress row" ok || check "after cancel: exit $rc, $left progress rows" fail
else
  check "the progress call did not reach its validation pause" fail; wait $trainer
fi
# The row goes when the call returns (the transaction goes on), and when it fails inside
# a subtransaction that is rolled back.
no_row_during() { # no_row_during LABEL SQL...: runs SQL, then a pause; no progress row of that session during it
  local label=$1 holder pid left; shift
  q -c "BEGIN" "$@" -c "SELECT pg_sleep(3) /* $label */" -c "COMMIT" >/dev/null 2>&1 &
  holder=$!
  if wait_for_sleep "$label"; then
    pid=$(q -c "SELECT pid FROM pg_stat_activity WHERE datname = '$db' AND query LIKE '%$label%' AND pid <> pg_backend_pid()")
    left=$(q -c "SELECT (SELECT count(*) FROM corgi.training_progress WHERE pid = $pid) + (SELECT count(*) FROM pg_stat_progress_vacuum WHERE pid = $pid)")
    [ "$left" = 0 ] && check "$label: no progress row left" ok || check "$label: $left progress rows left" fail
  else
    check "$label: the session did not reach its pause" fail
  fi
  wait $holder
}
no_row_during "a call returned, its transaction goes on" \
  -c "SELECT epochs_run FROM corgi.train('big', 'prog_done', 'label', 'features', 'logistic', 1)"
no_row_during "a call failed in a savepoint rolled back" \
  -c "SAVEPOINT s" -c "SELECT corgi.train('big', 'prog_fail', 'label', 'features', 'no_such_model', 1)" -c "ROLLBACK TO s"
# corgi.fit_multiple: configs are its tasks, and every config reads each row per epoch.
q -c "SELECT configs_trained FROM corgi.fit_multiple('big', 'prog_fit', 'label', 'features', 'gconfigs', 2,
                                                     validation_table => 'slow_big')" >/dev/null 2>&1 &
trainer=$!
if wait_for_sleep prog_fit; then
  row=$(q -c "SELECT call, phase, out_table, epoch, epochs, tasks, rows_per_epoch >= 200000 FROM corgi.training_progress WHERE out_table = 'prog_fit'")
  [ "$row" = "fit_multiple|validating|prog_fit|1|2|2|t" ] && check "progress of a running corgi.fit_multiple: $row" ok \
    || check "progress of a running corgi.fit_multiple (got '$row')" fail
else
  check "the fit_multiple call did not reach its validation pause" fail
fi
wait $trainer

# Exact logistic regression: its IRLS passes read one snapshot. Every pass of the row query
# runs through a view that pauses; another session commits rows in the pauses.
q <<'SQL' >/dev/null
CREATE TABLE lpts AS SELECT g % 3 = 0 AS label, (g % 7)::float8 AS x FROM generate_series(1, 3000) g;
CREATE TABLE lpts_copy AS SELECT * FROM lpts;
CREATE VIEW slow_lpts AS SELECT p.* FROM lpts p, (SELECT pause()) s(ok) WHERE s.ok;
SQL
q -c "SELECT corgi.logregr_train('slow_lpts', 'lr_snap', 'label', 'ARRAY[1, x]')" >/dev/null &
trainer=$!
insert_during lr_snap "INSERT INTO lpts SELECT true, 6 FROM generate_series(1, 1000)"
wait $trainer
q -c "SELECT corgi.logregr_train('lpts_copy', 'lr_copy', 'label', 'ARRAY[1, x]')" >/dev/null
r=$(q -c "SELECT s.num_rows_processed, s.num_iterations > 1, s.coef = c.coef FROM lr_snap s, lr_copy c")
inserted=$(q -c "SELECT count(*) - 3000 FROM lpts")
[ "$r" = "3000|t|t" ] && [ "$inserted" -gt 0 ] \
  && check "logregr_train: every IRLS pass read one snapshot ($r while $inserted rows were committed; the same fit as a copy)" ok \
  || check "logregr_train: every IRLS pass read one snapshot (got $r, $inserted rows committed meanwhile)" fail
q -c "DROP ROLE corgi_progress_peer" -c "DROP ROLE corgi_progress_reader" >/dev/null 2>&1

psql -X -q -d postgres -c "DROP DATABASE $db" >/dev/null 2>&1
echo "concurrency: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
