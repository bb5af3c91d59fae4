# Scratch PostgreSQL cluster for tests and the demo (sourced, not run).
#
# cluster_start: when PGHOST or PGPORT is set, use that server. Otherwise initdb a
# cluster in a private temp directory, owned by the postgres user when running as
# root (PostgreSQL refuses to run as root), listening on a Unix socket in that
# directory and on no TCP port; export PGHOST/PGUSER/PGDATABASE for it, and stop and
# remove it on exit.

CORGI_CLUSTER_DIR=""

cluster_run() { # run a server command as the cluster's owner
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

cluster_start() {
  if [ -n "${PGHOST:-}" ] || [ -n "${PGPORT:-}" ]; then
    echo "using the running server at PGHOST=${PGHOST:-(default)} PGPORT=${PGPORT:-(default)}"
    return 0
  fi
  local bindir; bindir=$(pg_config --bindir)
  CORGI_CLUSTER_DIR=$(mktemp -d /tmp/corgi-cluster.XXXXXX)
  chmod 700 "$CORGI_CLUSTER_DIR"
  if [ "$(id -u)" -eq 0 ]; then chown postgres:postgres "$CORGI_CLUSTER_DIR"; fi
  trap cluster_stop EXIT
  cluster_run "$bindir/initdb" -D "$CORGI_CLUSTER_DIR/data" -U postgres -A trust \
    -E UTF8 --locale=C --no-sync >"$CORGI_CLUSTER_DIR/initdb.log" 2>&1 ||
    { cat "$CORGI_CLUSTER_DIR/initdb.log"; return 1; }
  cluster_run "$bindir/pg_ctl" -D "$CORGI_CLUSTER_DIR/data" -l "$CORGI_CLUSTER_DIR/server.log" -w \
    -o "-c listen_addresses='' -k $CORGI_CLUSTER_DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off ${CORGI_SERVER_OPTIONS:-}" \
    start >/dev/null || { cat "$CORGI_CLUSTER_DIR/server.log"; return 1; }
  export PGHOST=$CORGI_CLUSTER_DIR PGUSER=postgres PGDATABASE=postgres
  unset PGPORT
  echo "scratch cluster: socket in $CORGI_CLUSTER_DIR, no TCP port"
}

cluster_stop() {
  [ -n "$CORGI_CLUSTER_DIR" ] || return 0
  cluster_run "$(pg_config --bindir)/pg_ctl" -D "$CORGI_CLUSTER_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$CORGI_CLUSTER_DIR"
  CORGI_CLUSTER_DIR=""
  # The next cluster_start (another server version) makes its own cluster again.
  unset PGHOST PGUSER PGDATABASE
}
