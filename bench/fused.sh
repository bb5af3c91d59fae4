#!/usr/bin/env bash
# make bench-fused: fused visits (corgi.fit_multiple's configs sharing each read of a
# segment) against one corgi.train, on a generated label-sorted table of 1M rows x 28
# features, all measured in one run (bench/fused.sql). Sets up like make test (packages,
# build, scratch cluster unless PGHOST/PGPORT is set).
# Usage: bench/fused.sh [rows] [epochs] [rounds]  (default: 1000000 3 5)
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
  psql -X -q -v rows="$rows" -v epochs="$epochs" -v rounds="$rounds" -f bench/fused.sql | tee "$out"
{ echo "## Fused visits: 8 configs in one fit_multiple against one corgi.train (make bench-fused, $(date -u +%Y-%m-%d))"
  echo
  echo "$machine; $rows rows x 28 features sorted by label, $epochs epochs, default segments (8);"
  echo "8 logistic configs (learning_rate 0.001 to 1 x l2 0 or 0.0001); $rounds interleaved rounds, medians."
  echo "configs_per_visit=1 reads every segment once per config (as 0.6.0 did); 8 (the default) once for all."
  echo
  echo '```'; cat "$out"; echo '```'; } > bench/results/fused.md
rm -f "$out"
