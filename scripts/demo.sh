#!/usr/bin/env bash
# make demo: set up what is missing, build, install, start a scratch cluster (or use
# PGHOST/PGPORT), and run the demonstration scripts in demo/ (several_servers.sh starts
# its own coordinator and 3 node clusters).
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
# Several servers: its own coordinator and 3 node clusters.
echo "== demo/several_servers.sh"
demo/several_servers.sh
