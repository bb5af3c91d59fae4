#!/usr/bin/env bash
# make bench-mop: corgi.fit_multiple (Model Hopper Parallelism on parallel workers)
# against one corgi.train per config, on a generated label-sorted table of 1M rows x 28
# features, all measured in one run (bench/mop.sql). Sets up like make test (packages,
# build, scratch cluster unless PGHOST/PGPORT is set).
# Usage: bench/mop.sh [rows] [epochs]  (default: 1000000 3)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/cluster.sh
. scripts/lib/install.sh

install_corgi
CORGI_SERVER_OPTIONS="-c shared_buffers=2GB" cluster_start
psql -X -q -c "CREATE EXTENSION IF NOT EXISTS corgi" -c "ALTER EXTENSION corgi UPDATE"
rows=${1:-1000000}; epochs=${2:-3}
machine="$(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(pg_config --version)"
echo "machine: $machine, $(date -u +%Y-%m-%d)"
out=$(mktemp)
PGOPTIONS="-c bench.rows=$rows -c bench.epochs=$epochs" psql -X -q -v rows="$rows" -v epochs="$epochs" -f bench/mop.sql | tee "$out"
# The section BENCHMARKS.md includes (bench/report.py).
{ echo "## Model selection: fit_multiple against one corgi.train per config (make bench-mop, $(date -u +%Y-%m-%d))"
  echo
  echo "$machine; $rows rows x 28 features sorted by label, $epochs epochs, default segments (8)."
  echo "Sequential: one \`corgi.train\` per config (plain corgipile), the calls' wall times summed."
  echo "fit_multiple: the same configs in one call with 0, 1 and 2 workers (1, 2 and 3 processes)."
  echo "The lower bound of an epoch is max(the models' summed training seconds / 2, the slowest model's)."
  echo
  echo '```'; cat "$out"; echo '```'; } > bench/results/mop.md
rm -f "$out"
