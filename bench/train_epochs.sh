#!/usr/bin/env bash
# make bench: per-epoch time and accuracy of corgipile, block_only, none and once against
# a plain scan, on generated label-sorted tables of 1M and 5M rows x 28 features, all
# measured in one run. Sets up like make test (packages, build, scratch cluster unless
# PGHOST/PGPORT is set). Usage: bench/train_epochs.sh [rows ...]  (default: 1000000 5000000)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/cluster.sh
. scripts/lib/install.sh

install_corgi
CORGI_SERVER_OPTIONS="-c shared_buffers=2GB -c max_parallel_workers_per_gather=0" cluster_start
psql -X -q -c "CREATE EXTENSION IF NOT EXISTS corgi"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(pg_config --version), $(date -u +%Y-%m-%d)"
sizes=("$@"); [ ${#sizes[@]} -gt 0 ] || sizes=(1000000 5000000)
for rows in "${sizes[@]}"; do
  PGOPTIONS="-c bench.rows=$rows -c bench.epochs=3 -c bench.learning_rate=${CORGI_BENCH_LEARNING_RATE:-0.001}" \
    psql -X -q -v rows="$rows" -v epochs=3 -f bench/train_epochs.sql
done
