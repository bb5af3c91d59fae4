#!/usr/bin/env bash
# make bench-predict: scoring throughput (predict, model_predict, predict_proba, evaluate)
# against a plain scan, on a generated 1M x 28 table, measured in one run (interleaved,
# medians). Sets up like make test (scratch cluster unless PGHOST/PGPORT is set).
# Usage: bench/predict.sh [rows]  (default: 1000000)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/cluster.sh
. scripts/lib/install.sh

install_corgi
CORGI_SERVER_OPTIONS="-c shared_buffers=2GB -c max_parallel_workers_per_gather=0" cluster_start
psql -X -q -c "CREATE EXTENSION IF NOT EXISTS corgi"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(pg_config --version), $(date -u +%Y-%m-%d)"
rows=${1:-1000000}
PGOPTIONS="-c bench.rows=$rows" psql -X -q -v rows="$rows" -f bench/predict.sql
