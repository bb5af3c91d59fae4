#!/usr/bin/env bash
# make bench-exact: the exact solvers (corgi.linregr, corgi.logregr_train, corgi.train's
# solver=exact/irls) against SGD epochs and against statsmodels (OLS, Logit by Newton) on
# the same generated 1M x 28 table, interleaved rounds, medians (bench/exact.py). Sets up
# like make test (packages, build, scratch cluster unless PGHOST/PGPORT is set).
# Usage: bench/exact.sh [rows] [rounds]  (default: 1000000 3)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/cluster.sh
. scripts/lib/install.sh

install_corgi
bench_venv
.venv-bench/bin/python -c "import statsmodels" 2>/dev/null || .venv-bench/bin/pip install -q statsmodels
CORGI_SERVER_OPTIONS="-c shared_buffers=2GB" cluster_start
psql -X -q -c "CREATE EXTENSION IF NOT EXISTS corgi" -c "ALTER EXTENSION corgi UPDATE"
rows=${1:-1000000}; rounds=${2:-3}
psql -X -q -v rows="$rows" -f bench/bench_table.sql >/dev/null
machine="$(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(pg_config --version)"
out=$(mktemp)
.venv-bench/bin/python bench/exact.py "$rows" "$rounds" | tee "$out"
{ echo "## Exact solvers against SGD and statsmodels (make bench-exact, $(date -u +%Y-%m-%d))"
  echo
  echo "$machine; bench_$rows (x 28 features, sorted by label; y = the label as 0/1 for the"
  echo "linear fits); $rounds interleaved rounds, medians. statsmodels fits in memory after the rows"
  echo "are fetched (the fetch time is printed once, not counted)."
  echo
  echo '```'; cat "$out"; echo '```'; } > bench/results/exact.md
rm -f "$out"
