#!/usr/bin/env bash
# make demo: set up what is missing, build, install, start a scratch cluster (or use
# PGHOST/PGPORT), and run the demonstration scripts in demo/.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/cluster.sh

scripts/setup-system.sh
make >/tmp/corgi-demo-build.log 2>&1 || { tail -40 /tmp/corgi-demo-build.log; exit 1; }
make install >>/tmp/corgi-demo-build.log 2>&1 || { tail -40 /tmp/corgi-demo-build.log; exit 1; }
cluster_start
for script in demo/*.sql; do
  echo "== $script"
  psql -X -v ON_ERROR_STOP=1 -f "$script"
done
