#!/usr/bin/env bash
# make bench-drivers: the drivers in C (corgi.train, corgi.fit_multiple, grouped or not)
# against the PL/pgSQL drivers of an older revision (default 3ddedc4, the last before the
# move), created beside them as corgi.NAME_plpgsql (bench/plpgsql_drivers.py) on the same
# epoch engine: same calls, same tables, interleaved rounds, medians. Writes
# bench/results/drivers.md. Arguments: revision, rows (1000000), rounds (5).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/cluster.sh
. scripts/lib/install.sh

rev=${1:-3ddedc4}; rows=${2:-1000000}; rounds=${3:-5}
install_corgi
CORGI_SERVER_OPTIONS="-c shared_buffers=2GB" cluster_start
psql -X -q -c "CREATE EXTENSION IF NOT EXISTS corgi" -c "ALTER EXTENSION corgi UPDATE"
old=$(mktemp)
git show "$rev:sql/corgi.sql" | python3 bench/plpgsql_drivers.py > "$old"
psql -X -q -v ON_ERROR_STOP=1 -c "SET client_min_messages = warning" -f "$old"
machine="$(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(pg_config --version)"
out=$(mktemp)
PGOPTIONS="-c bench.rows=$rows -c bench.rounds=$rounds" psql -X -q -v rows="$rows" -f bench/drivers.sql | tee "$out"
# The old drivers are not the extension's: dropped again.
psql -X -q -At -c "SELECT format('DROP FUNCTION IF EXISTS %s CASCADE;', oid::regprocedure) FROM pg_proc
                   WHERE pronamespace = 'corgi'::regnamespace AND proname LIKE '%\_plpgsql'" | psql -X -q
{ echo "## The drivers in C against the PL/pgSQL drivers they replaced (make bench-drivers, $(date -u +%Y-%m-%d))"
  echo
  echo "$machine; bench_$rows ($rows rows x 28 features sorted by label); the PL/pgSQL drivers of $rev"
  echo "created beside the C ones as corgi.NAME_plpgsql, the same epoch engine (corgi._fit) under both;"
  echo "$rounds interleaved rounds (the order alternates), medians of the calls' wall seconds."
  echo
  echo '```'; cat "$out"; echo '```'; } > bench/results/drivers.md
rm -f "$old" "$out"
