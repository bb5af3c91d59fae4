# Several scratch PostgreSQL clusters on one machine (sourced, not run): a coordinator
# and N nodes, for the multi-server tests and the multi-server benchmark.
#
# multinode_start N: initdb and start N+1 clusters in one private temp directory (owned
# by the postgres user when running as root), each on a Unix socket in its own
# subdirectory and on no TCP port; CREATE EXTENSION corgi and postgres_fdw on every one
# (database "postgres"), and on the coordinator one postgres_fdw server per node
# (node1..nodeN, async_capable) with a user mapping for postgres. Sets MN_COORD (the
# coordinator's socket directory) and MN_NODES (an array of the nodes' directories).
# mn_psql DIR ARGS...: psql on that cluster. multinode_stop: stops and removes them all
# (also on exit). MN_SERVER_OPTIONS adds server settings.

MN_DIR=""
MN_COORD=""
MN_NODES=()

mn_run() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
mn_psql() { local dir=$1; shift; psql -X -q -At -h "$dir" -U postgres -d postgres "$@"; }

mn_start_one() { # mn_start_one NAME
  local bindir dir; bindir=$(pg_config --bindir); dir="$MN_DIR/$1"
  mn_run mkdir -p "$dir"
  mn_run "$bindir/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C --no-sync \
    >"$MN_DIR/$1-initdb.log" 2>&1 || { cat "$MN_DIR/$1-initdb.log"; return 1; }
  mn_run "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
    -o "-c listen_addresses='' -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c shared_buffers=256MB ${MN_SERVER_OPTIONS:-}" \
    start >/dev/null || { cat "$dir/server.log"; return 1; }
}

multinode_start() {
  local n=$1 i
  MN_DIR=$(mktemp -d /tmp/corgi-multinode.XXXXXX)
  chmod 700 "$MN_DIR"
  if [ "$(id -u)" -eq 0 ]; then chown postgres:postgres "$MN_DIR"; fi
  [ -n "${BENCH_KEEP:-}" ] || trap multinode_stop EXIT
  mn_start_one coordinator || return 1
  MN_COORD="$MN_DIR/coordinator"
  MN_NODES=()
  for i in $(seq 1 "$n"); do
    mn_start_one "node$i" || return 1
    MN_NODES+=("$MN_DIR/node$i")
  done
  for dir in "$MN_COORD" "${MN_NODES[@]}"; do
    mn_psql "$dir" -c "CREATE EXTENSION corgi" -c "CREATE EXTENSION postgres_fdw" || return 1
  done
  for i in $(seq 1 "$n"); do
    mn_psql "$MN_COORD" -c "CREATE SERVER node$i FOREIGN DATA WRAPPER postgres_fdw
                              OPTIONS (host '$MN_DIR/node$i', dbname 'postgres', async_capable 'true')" \
                        -c "CREATE USER MAPPING FOR postgres SERVER node$i OPTIONS (user 'postgres')" || return 1
  done
  echo "multinode: coordinator and $n nodes in $MN_DIR (Unix sockets only)"
}

multinode_stop() {
  [ -n "$MN_DIR" ] || return 0
  local dir
  for dir in "$MN_DIR"/*/; do
    [ -d "$dir/data" ] && mn_run "$(pg_config --bindir)/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1
  done
  rm -rf "$MN_DIR"
  MN_DIR=""
}
