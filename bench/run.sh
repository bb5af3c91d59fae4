#!/usr/bin/env bash
# make bench: the CorgiPile study on this machine. Sets up like make test (packages,
# build, scratch cluster unless PGHOST/PGPORT is set), installs the harness's Python
# dependencies into a project-local virtual environment (.venv-bench), runs
# bench/harness.py, then bench/report.py (plots in bench/results, BENCHMARKS.md).
# CORGI_BENCH_SCALE multiplies the generated row counts; CORGI_BENCH_ARGS adds harness
# flags (e.g. --quick).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/cluster.sh
. scripts/lib/install.sh

install_corgi
bench_venv
CORGI_SERVER_OPTIONS="-c shared_buffers=2GB -c max_parallel_workers_per_gather=0" cluster_start
.venv-bench/bin/python bench/harness.py --scale "${CORGI_BENCH_SCALE:-1}" ${CORGI_BENCH_ARGS:-}
.venv-bench/bin/python bench/report.py
