#!/usr/bin/env bash
# make bench-madlib-cv: corgi_madlib's n_folds cross-validation (one corgi.fit_multiple per
# fold) against MADlib's way of running it (every combination trained and scored on
# every fold, one after another), both on corgi's trainers, the same folds and data
# (bench/madlib_cv.sql). Sets up like make test (scratch cluster unless PGHOST/PGPORT is
# set).
# Usage: bench/madlib_cv.sh [rows] [rounds]  (default: 200000 3)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/cluster.sh
. scripts/lib/install.sh

install_corgi
CORGI_SERVER_OPTIONS="-c shared_buffers=2GB" cluster_start
psql -X -q -c "CREATE EXTENSION IF NOT EXISTS corgi" -c "ALTER EXTENSION corgi UPDATE"
rows=${1:-200000}; rounds=${2:-3}
machine="$(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(pg_config --version)"
out=$(mktemp)
PGOPTIONS="-c bench.rows=$rows -c bench.rounds=$rounds" \
  psql -X -q -v rows="$rows" -v rounds="$rounds" -f bench/madlib_cv.sql | tee "$out"
{ echo "## Cross-validation: corgi_madlib against MADlib's way (make bench-madlib-cv, $(date -u +%Y-%m-%d))"
  echo
  echo "$machine; bench_$rows (28 features, sorted by label), svm_classification, 3 folds,"
  echo "init_stepsize [0.01, 0.1] x lambda [0.0001, 0.001, 0.01] x max_iter [5, 10]; $rounds interleaved rounds, medians."
  echo
  echo '```'; cat "$out"; echo '```'; } > bench/results/madlib_cv.md
rm -f "$out"
