#!/usr/bin/env bash
# Installs what corgi needs to build and test, if it is missing: PostgreSQL 15 server
# and headers, OpenBLAS (serial variant). Debian 12; needs root to install (prints what to install
# otherwise). Safe to run again: does nothing when everything is there.
set -euo pipefail

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

need=()
[ -x /usr/lib/postgresql/15/bin/postgres ] || need+=(postgresql-15)
[ -f /usr/include/postgresql/15/server/postgres.h ] || need+=(postgresql-server-dev-15)
[ -f /usr/include/postgresql/libpq-fe.h ] || need+=(libpq-dev)
installed libopenblas-serial-dev || need+=(libopenblas-serial-dev)
command -v runuser >/dev/null 2>&1 || need+=(util-linux)

if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "corgi needs these Debian packages: ${need[*]} (run as root, or: sudo apt-get install ${need[*]})" >&2
    exit 1
  fi
  echo "installing: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # Do not let the postgresql package create and start a system cluster: the tests
  # make their own scratch cluster.
  mkdir -p /etc/postgresql-common
  if [ ! -e /etc/postgresql-common/createcluster.conf ]; then
    echo "create_main_cluster = false" > /etc/postgresql-common/createcluster.conf
  fi
  apt-get update -qq
  # dpkg has been seen to fail once while upgrading postgresql-15 on this image and to
  # succeed on a second attempt: retry, repairing dpkg's state in between.
  for attempt in 1 2 3; do
    if apt-get install -y -qq "${need[@]}"; then break; fi
    if [ "$attempt" -eq 3 ]; then echo "apt-get install failed 3 times" >&2; exit 1; fi
    echo "apt-get install failed (attempt $attempt); repairing and retrying" >&2
    dpkg --configure -a || true
    apt-get install -y -qq -f || true
    sleep 3
  done
fi

command -v swift >/dev/null 2>&1 || { echo "swift is not on PATH (corgi needs Swift 6)" >&2; exit 1; }
command -v pg_config >/dev/null 2>&1 || { echo "pg_config is not on PATH" >&2; exit 1; }
