#!/usr/bin/env bash
# make test: set up what is missing, build, install, and run every test suite:
#   1. swift test (the pure Swift core),
#   2. the library checks (self-contained corgi.so, intended exports only),
#   3. pg_regress against a scratch cluster (or the server PGHOST/PGPORT name),
#   4. the fuzz run (test/fuzz/run.sh) against the same server,
#   5. the two-session checks (test/concurrency/run.sh),
#   6. the upgrade check from 0.1.0 (test/upgrade/run.sh),
#   7. model hopping across servers: a coordinator and 3 nodes (test/multinode/run.sh),
#   8. memory caps: peak resident memory of calls against corgi.max_buffer_mb
#      (test/memory/run.sh, its own scratch cluster).
# Ends with the line "N passed, N failed" and exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/cluster.sh

passed=0; failed=0
log_dir=$(mktemp -d /tmp/corgi-test-logs.XXXXXX)
add() { passed=$((passed + $1)); failed=$((failed + $2)); }
fail_step() { echo "FAILED: $1"; add 0 1; }
# run_suite NAME LABEL COMMAND...: runs a suite whose last summary line is
# "NAME: N passed, N failed" and adds its counts (a failure if it printed none).
run_suite() {
  local name=$1 label=$2 summary; shift 2
  "$@" 2>&1 | grep -v '^NOTICE' | tee "$log_dir/$name.log"
  summary=$(grep -E "^$name: [0-9]+ passed, [0-9]+ failed" "$log_dir/$name.log" | tail -1)
  if [ -n "$summary" ]; then
    add "$(sed -E 's/.*: ([0-9]+) passed.*/\1/' <<<"$summary")" "$(sed -E 's/.*, ([0-9]+) failed/\1/' <<<"$summary")"
  else
    fail_step "$label did not run"
  fi
}

start=$(date +%s)
scripts/setup-system.sh || { fail_step "system set-up"; echo "$passed passed, $failed failed"; exit 1; }

echo "== swift test"
swift test -c release -Xcc -I"$(pg_config --includedir-server)" -Xcc -I"$(pg_config --includedir)" 2>&1 | tee "$log_dir/swift-test.log"
swift_rc=${PIPESTATUS[0]}
# XCTest: "Executed 23 tests, with 0 failures" (the last such line is the total).
summary=$(grep -E 'Executed [0-9]+ tests?, with [0-9]+ failures?' "$log_dir/swift-test.log" | tail -1)
if [ -n "$summary" ]; then
  n=$(sed -E 's/.*Executed ([0-9]+) tests?.*/\1/' <<<"$summary")
  f=$(sed -E 's/.*with ([0-9]+) failures?.*/\1/' <<<"$summary")
  add $((n - f)) "$f"
  [ "$swift_rc" -eq 0 ] || [ "$f" -gt 0 ] || fail_step "swift test exited $swift_rc"
else
  fail_step "swift test (no summary; exit $swift_rc)"
fi

echo "== build and install"
if make >"$log_dir/build.log" 2>&1 && make install >>"$log_dir/build.log" 2>&1; then
  echo "built and installed corgi.so"
else
  tail -40 "$log_dir/build.log"; fail_step "build/install"
  echo "$passed passed, $failed failed"; exit 1
fi

echo "== library checks"
run_suite check-library "library checks" make -s check-library

echo "== pg_regress"
if cluster_start; then
  make installcheck 2>&1 | tee "$log_dir/installcheck.log"
  regress_rc=${PIPESTATUS[0]}
  total=$(ls test/sql/*.sql | wc -l)
  if grep -qE 'All [0-9]+ tests passed' "$log_dir/installcheck.log"; then
    add "$total" 0
  elif line=$(grep -oE '[0-9]+ of [0-9]+ tests failed' "$log_dir/installcheck.log"); then
    f=$(awk '{print $1}' <<<"$line"); add $((total - f)) "$f"
    [ -f regression.diffs ] && head -200 regression.diffs
  else
    fail_step "pg_regress (exit $regress_rc)"
  fi
  echo "== fuzz"
  # Seeded, a few seconds: every corgi function with random and NULL arguments, mutated
  # states and random cancels; fails on any server crash or leaked object/thread.
  test/fuzz/run.sh "${CORGI_FUZZ_SEED:-20261122}" "${CORGI_FUZZ_CALLS:-10000}" \
    "${CORGI_CLUSTER_DIR:+$CORGI_CLUSTER_DIR/server.log}" 2>&1 | grep -v '^NOTICE' | tee "$log_dir/fuzz.log"
  if grep -q '^1 passed, 0 failed' "$log_dir/fuzz.log"; then add 1 0; else add 0 1; fi
  echo "== two sessions"
  run_suite concurrency "two-session checks" test/concurrency/run.sh
  echo "== upgrade from 0.1.0"
  if [ -w "$(pg_config --sharedir)/extension" ]; then
    run_suite upgrade "upgrade check" test/upgrade/run.sh
  else
    echo "upgrade check not run: $(pg_config --sharedir)/extension is not writable"
  fi
  cluster_stop
else
  fail_step "scratch cluster"
fi

echo "== several servers"
# Its own coordinator and 3 node clusters (model hopping over postgres_fdw partitions).
run_suite multinode "multi-server checks" test/multinode/run.sh

echo "== memory caps"
run_suite memory "memory checks" test/memory/run.sh

echo "make test took $(( $(date +%s) - start )) s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
