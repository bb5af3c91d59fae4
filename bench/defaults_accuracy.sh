#!/usr/bin/env bash
# Accuracy of the default parameters (and of averaging on/off, learning_rate 0.01) on
# generated logistic data with a known Bayes limit, random and label-sorted order,
# logistic and SVM, 10 epochs each. Sets up like make test (packages, build, scratch
# cluster unless PGHOST/PGPORT is set). Usage: bench/defaults_accuracy.sh [rows]
# (default 1000000; the tables are built once per size and kept while the cluster lives).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/cluster.sh
. scripts/lib/install.sh

install_corgi
CORGI_SERVER_OPTIONS="-c shared_buffers=2GB" cluster_start
psql -X -q -c "CREATE EXTENSION IF NOT EXISTS corgi"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(pg_config --version), $(date -u +%Y-%m-%d)"
psql -X -q -v rows="${1:-1000000}" -f bench/defaults_accuracy.sql
