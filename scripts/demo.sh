#!/usr/bin/env bash
# make demo: set up what is missing, build, install, start a scratch cluster (or use
# PGHOST/PGPORT), and run the demonstration scripts in demo/.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/cluster.sh
. scripts/lib/install.sh

install_corgi
cluster_start
for script in demo/*.sql; do
  echo "== $script"
  psql -X -v ON_ERROR_STOP=1 -f "$script"
done
