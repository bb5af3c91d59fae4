#!/usr/bin/env bash
# make bench-grouping: grouped learning (corgi.train with grouping_cols) against an
# ungrouped epoch and a loop of one corgi.train per group, on a generated table of 1M
# rows x 28 features in 1,000 Zipf-sized groups; then 100,000 groups of 10 rows. All in
# one run (bench/grouping.sql). Sets up like make test (packages, build, scratch cluster
# unless PGHOST/PGPORT is set). Usage: bench/grouping.sh [rows] (default 1000000).
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
PGOPTIONS="-c bench.rows=$rows" psql -X -q -v rows="$rows" -f bench/grouping.sql | tee "$out"
{ echo "## Grouped learning (make bench-grouping, $(date -u +%Y-%m-%d))"
  echo
  echo "$machine; $rows rows x 28 features, logistic. Epochs: 3 interleaved rounds of a 3-epoch"
  echo "call, ungrouped then grouped; median and best of the later epochs (6 each), and the median"
  echo "first epoch (it also allocates the buffers). The loop trains 20 groups drawn at random, one"
  echo "corgi.train of one epoch each over a view of the group's rows, and scales that time to all groups."
  echo
  echo '```'; cat "$out"; echo '```'; } > bench/results/grouping.md
rm -f "$out"
