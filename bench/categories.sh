#!/usr/bin/env bash
# make bench-categories: a real table (3 text columns of 5, 50 and 500 levels, 20 float8
# columns with 5 % NULLs) against the all-numeric table: train, evaluate, predict, grouped
# and fit_multiple, one run (bench/categories.sql). Sets up like make test (packages,
# build, scratch cluster unless PGHOST/PGPORT is set).
# Usage: bench/categories.sh [rows]  (default: 1000000)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/cluster.sh
. scripts/lib/install.sh

install_corgi
CORGI_SERVER_OPTIONS="-c shared_buffers=2GB" cluster_start
psql -X -q -c "CREATE EXTENSION IF NOT EXISTS corgi" -c "ALTER EXTENSION corgi UPDATE"
rows=${1:-1000000}
machine="$(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(pg_config --version)"
echo "machine: $machine, $(date -u +%Y-%m-%d)"
out=$(mktemp)
PGOPTIONS="-c bench.rows=$rows" psql -X -q -v rows="$rows" -f bench/categories.sql | tee "$out"
{ echo "## A real table: categories, NULLs and numbers (make bench-categories, $(date -u +%Y-%m-%d))"
  echo
  echo "$machine; $rows rows sorted by label: 3 text columns of 5, 50 and 500 levels (max_levels 100:"
  echo "the 500-level column keeps 100 and other) and 20 float8 columns with 5 % NULLs each, against"
  echo "the same rows as 28 float8 columns; 3 epochs, logistic, defaults and independent_varname '*'."
  echo
  echo '```'; cat "$out"; echo '```'; } > bench/results/categories.md
rm -f "$out"
