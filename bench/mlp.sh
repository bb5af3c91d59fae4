#!/usr/bin/env bash
# make bench-mlp: corgi's MLP against logistic, no shuffle, a plain scan and
# scikit-learn's MLPClassifier, measured in one run (bench/mlp.py; Python in the
# project-local .venv-bench). Sets up like make test (packages, build, scratch cluster
# unless PGHOST/PGPORT is set). Usage: bench/mlp.sh [rows] (default 1000000).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/cluster.sh
. scripts/lib/install.sh

install_corgi
CORGI_SERVER_OPTIONS="-c shared_buffers=2GB" cluster_start
psql -X -q -c "CREATE EXTENSION IF NOT EXISTS corgi" -c "ALTER EXTENSION corgi UPDATE"
bench_venv
swift build -c release --product corgi-bench >/dev/null
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(pg_config --version), $(date -u +%Y-%m-%d)"
.venv-bench/bin/python bench/mlp.py "${1:-1000000}"
