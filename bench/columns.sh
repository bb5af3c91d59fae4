#!/usr/bin/env bash
# make bench-columns: feature columns (28 float8 columns) against the same data as a
# float8[] column: corgi.train, corgi.fit_multiple and corgi.evaluate, on 1M rows x 28
# features sorted by label, all measured in one run (bench/columns.sql). Sets up like make test (packages,
# build, scratch cluster unless PGHOST/PGPORT is set).
# Usage: bench/columns.sh [rows] [epochs] [rounds]  (default: 1000000 3 5)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/cluster.sh
. scripts/lib/install.sh

install_corgi
CORGI_SERVER_OPTIONS="-c shared_buffers=2GB" cluster_start
psql -X -q -c "CREATE EXTENSION IF NOT EXISTS corgi" -c "ALTER EXTENSION corgi UPDATE"
rows=${1:-1000000}; epochs=${2:-3}; rounds=${3:-5}
machine="$(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(pg_config --version)"
echo "machine: $machine, $(date -u +%Y-%m-%d)"
out=$(mktemp)
PGOPTIONS="-c bench.rows=$rows -c bench.epochs=$epochs -c bench.rounds=$rounds" \
  psql -X -q -v rows="$rows" -v epochs="$epochs" -v rounds="$rounds" -f bench/columns.sql | tee "$out"
{ echo "## Feature columns against a float8[] column (make bench-columns, $(date -u +%Y-%m-%d))"
  echo
  echo "$machine; $rows rows x 28 features sorted by label, as one float8[] column and as 28 float8"
  echo "columns (same rows, same order); $epochs epochs; fit_multiple: 8 logistic configs, no worker;"
  echo "$rounds interleaved rounds, medians."
  echo
  echo '```'; cat "$out"; echo '```'; } > bench/results/columns.md
rm -f "$out"
