#!/usr/bin/env bash
# make bench-cold: CorgiPile's reads on a table larger than shared_buffers, cold (server
# restarted and the OS page cache dropped before each measurement) and OS-cached (server
# restarted only), per PostgreSQL version: a plain scan (SELECT sum(features[1]), no
# parallel worker), one epoch of corgipile (from 17 also with corgi.read_stream off: every
# block a scan of its own, as before 0.9.0), block_only and none (corgi.train's own epoch
# time); on request corgipile-prefetch (corgi.prefetch_next_block on) and shuffle once's
# copy (CORGI_COLD_MODES picks modes). Medians of interleaved runs; seconds, MB/s and the
# ratio to the plain scan of the same run, appended to bench/results/cold.md.
# Runs as root (it drops the OS page cache), on its own scratch clusters.
# Usage: bench/cold.sh [rows] [runs] [servers...]  (defaults: 8000000 3 15 18)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/multinode.sh
. scripts/lib/servers.sh
rows=${1:-8000000}; runs=${2:-3}; shift 2 2>/dev/null || shift $#
servers=("$@"); [ ${#servers[@]} -gt 0 ] || servers=(15 18)
[ "$(id -u)" -eq 0 ] || { echo "bench/cold.sh drops the OS page cache: run it as root" >&2; exit 1; }
scripts/setup-system.sh
out=bench/results/cold.md
mkdir -p bench/results
log=$(mktemp /tmp/corgi-cold.XXXXXX.log)

drop_caches() { sync; echo 3 >/proc/sys/vm/drop_caches; }
restart() {
  mn_run "$(pg_config --bindir)/pg_ctl" -D "$MN_COORD/data" -m fast -w restart -l "$MN_COORD/server.log" \
    -o "-c listen_addresses='' -k $MN_COORD -c fsync=off -c shared_buffers=1GB -c max_parallel_workers_per_gather=0" >/dev/null
}
# measure MODE: seconds of one measurement in a fresh backend.
measure() {
  case $1 in
    scan) q -c "SELECT timed_scan()" ;;
    once) q -c "DROP TABLE IF EXISTS m, m_summary" -c "SELECT 1 FROM corgi.train('cold', 'm', 'label', 'features', 'logistic', 1, 'once')" \
            -c "SELECT shuffle_seconds FROM m_summary" | tail -1 ;;
    *-prefetch) q -c "DROP TABLE IF EXISTS m, m_summary" -c "SET corgi.prefetch_next_block = on" \
         -c "SELECT 1 FROM corgi.train('cold', 'm', 'label', 'features', 'logistic', 1, '${1%-prefetch}')" \
         -c "SELECT epoch_seconds[1] FROM m_summary" | tail -1 ;;
    *-nostream) q -c "DROP TABLE IF EXISTS m, m_summary" -c "SET corgi.read_stream = off" \
         -c "SELECT 1 FROM corgi.train('cold', 'm', 'label', 'features', 'logistic', 1, '${1%-nostream}')" \
         -c "SELECT epoch_seconds[1] FROM m_summary" | tail -1 ;;
    *) q -c "DROP TABLE IF EXISTS m, m_summary" \
         -c "SELECT 1 FROM corgi.train('cold', 'm', 'label', 'features', 'logistic', 1, '$1')" \
         -c "SELECT epoch_seconds[1] FROM m_summary" | tail -1 ;;
  esac
}

for major in "${servers[@]}"; do
  pgc=$(server_pg_config "$major")
  export PATH="$("$pgc" --bindir):$PATH"
  make PG_CONFIG="$pgc" >"$log" 2>&1 && make PG_CONFIG="$pgc" install >>"$log" 2>&1 || { tail -20 "$log"; exit 1; }
  MN_SERVER_OPTIONS="-c shared_buffers=1GB -c max_parallel_workers_per_gather=0" multinode_start 0 >/dev/null
  q() { mn_psql "$MN_COORD" -v ON_ERROR_STOP=1 "$@" 2>/dev/null; }
  version=$(q -c "SHOW server_version")
  echo "PostgreSQL $version: building a table of $rows rows x 28 features"
  q -c "SELECT setseed(0.2024)" -c "CREATE TABLE cold AS SELECT g AS id, (g > $rows / 2) AS label,
          ARRAY[(CASE WHEN g > $rows / 2 THEN 0.25 ELSE -0.25 END) + random() - 0.5, random(), random(), random(), random(),
                random(), random(), random(), random(), random(), random(), random(), random(), random(), random(),
                random(), random(), random(), random(), random(), random(), random(), random(), random(), random(),
                random(), random(), random()]::float8[] AS features
        FROM generate_series(1, $rows) g" -c "VACUUM ANALYZE cold" >/dev/null
  q -c "CREATE FUNCTION timed_scan() RETURNS float8 LANGUAGE plpgsql AS \$\$
          DECLARE t0 timestamptz := clock_timestamp(); x float8;
          BEGIN SELECT sum(features[1]) INTO x FROM cold; RETURN extract(epoch FROM clock_timestamp() - t0); END \$\$" >/dev/null
  mb=$(q -c "SELECT pg_relation_size('cold') / 1048576")
  echo "  $mb MB (shared_buffers 1 GB)"
  results=$(mktemp /tmp/corgi-cold-results.XXXXXX)
  for run in $(seq 1 "$runs"); do
    default_modes="scan corgipile none block_only"
    [ "$(q -c "SHOW server_version_num")" -ge 170000 ] && default_modes="scan corgipile corgipile-nostream none block_only"
    for mode in ${CORGI_COLD_MODES:-$default_modes}; do
      for cache in cold cached; do
        [ "$cache" = cold ] && { restart; drop_caches; } || restart
        s=$(measure "$mode")
        echo "$mode $cache $s" >>"$results"
        echo "  run $run: $mode $cache ${s} s"
      done
    done
  done
  {
    echo
    echo "### PostgreSQL $version: $rows rows x 28 features, $mb MB, shared_buffers 1 GB ($(date -u +%Y-%m-%d), $(nproc) cores)"
    echo
    echo "Medians of $runs interleaved runs; cold: server restarted and the OS page cache dropped before each measurement; OS-cached: server restarted only."
    echo
    echo "| read | cold s | cold MB/s | cold / scan | OS-cached s | OS-cached MB/s | OS-cached / scan |"
    echo "|---|---|---|---|---|---|---|"
    python3 - "$results" "$mb" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
mb = float(sys.argv[2])
med = {}
for mode, cache, s in rows:
    med.setdefault((mode, cache), []).append(float(s))
med = {k: statistics.median(v) for k, v in med.items()}
names = {"scan": "plain scan", "corgipile": "corgipile epoch", "corgipile-nostream": "corgipile epoch, no read stream",
         "corgipile-prefetch": "corgipile epoch, prefetch", "none": "none epoch", "block_only": "block_only epoch",
         "once": "once's copy"}
for mode in ["scan", "corgipile", "corgipile-nostream", "corgipile-prefetch", "none", "block_only", "once"]:
    if (mode, "cold") not in med:
        continue
    c, h = med[(mode, "cold")], med[(mode, "cached")]
    print(f"| {names[mode]} | {c:.2f} | {mb / c:.0f} | {c / med[('scan', 'cold')]:.2f}x | {h:.2f} | {mb / h:.0f} | {h / med[('scan', 'cached')]:.2f}x |")
PY
  } | tee -a "$out"
  multinode_stop
  rm -f "$results"
done
echo "appended to $out"
