#!/usr/bin/env bash
# make bench-schedules: the full grid, successive halving and Hyperband on one mixed grid
# of 27 configs (bench/schedules.sql), and the anytime curve (best validation accuracy so
# far against elapsed seconds) plotted to bench/results/schedules.png. Sets up like make
# test (scratch cluster unless PGHOST/PGPORT is set); the plot needs the bench virtual
# environment (.venv-bench, made here as bench/run.sh makes it).
# Usage: bench/schedules.sh [rows] [epochs]  (default: 1000000 9)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/cluster.sh
. scripts/lib/install.sh

install_corgi
CORGI_SERVER_OPTIONS="-c shared_buffers=2GB" cluster_start
psql -X -q -c "CREATE EXTENSION IF NOT EXISTS corgi" -c "ALTER EXTENSION corgi UPDATE"
rows=${1:-1000000}; epochs=${2:-9}
machine="$(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(pg_config --version)"
echo "machine: $machine, $(date -u +%Y-%m-%d)"
out=$(mktemp)
PGOPTIONS="-c bench.epochs=$epochs" psql -X -q -v rows="$rows" -v epochs="$epochs" -f bench/schedules.sql | tee "$out"
bench_venv
sed -n '/^== anytime curve/,$p' "$out" | tail -n +2 > bench/results/schedules.csv
.venv-bench/bin/python bench/schedules.py bench/results/schedules.csv bench/results/schedules.png
{ echo "## Model selection schedules: grid, successive halving, Hyperband (make bench-schedules, $(date -u +%Y-%m-%d))"
  echo
  echo "$machine; $rows rows x 28 features sorted by label, 90% trained and 10% validation, 27 configs"
  echo "(9 logistic, 9 svm learning rates; MLPs of widths 8, 16 and 32 at 3 learning rates), at most $epochs epochs,"
  echo "eta 3, one worker. configs_per_epoch: how many configs trained in each epoch."
  echo
  echo '```'; sed -n '1,/^== anytime curve/p' "$out" | sed '$d'; echo '```'
  echo
  echo '![best validation accuracy so far against elapsed seconds](bench/results/schedules.png)'; } > bench/results/schedules.md
rm -f "$out"
