#!/usr/bin/env bash
# make bench-hot: an epoch against a plain scan with the table in shared_buffers, per
# PostgreSQL version: 1,000,000 rows x 28 features (279 MB, pg_prewarm'ed into 1 GB of
# shared_buffers), 6 rounds (CORGI_HOT_ROUNDS) of 8-epoch corgi.train calls (corgipile,
# none) interleaved with 6 plain scans (SELECT sum(features[1]), no parallel worker) each;
# medians of epochs 2-8 and of the scans, and the median of the rounds' own ratios. From
# 17 also corgipile with corgi.read_stream off (every block a scan of its own, as before
# 0.9.0). Appends to bench/results/hot.md.
# Usage: bench/hot.sh [servers...]  (default: 15 18)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/multinode.sh
. scripts/lib/servers.sh
servers=("$@"); [ ${#servers[@]} -gt 0 ] || servers=(15 18)
scripts/setup-system.sh
out=bench/results/hot.md
log=$(mktemp /tmp/corgi-hot.XXXXXX.log)
for major in "${servers[@]}"; do
  pgc=$(server_pg_config "$major")
  export PATH="$("$pgc" --bindir):$PATH"
  # (CORGI_HOT_NO_INSTALL=1: measure the corgi.so installed, e.g. to compare two builds)
  if [ -z "${CORGI_HOT_NO_INSTALL:-}" ]; then
    make PG_CONFIG="$pgc" >"$log" 2>&1 && make PG_CONFIG="$pgc" install >>"$log" 2>&1 || { tail -20 "$log"; exit 1; }
  fi
  MN_SERVER_OPTIONS="-c shared_buffers=1GB -c max_parallel_workers_per_gather=0" multinode_start 0 >/dev/null
  version=$(mn_psql "$MN_COORD" -c "SHOW server_version")
  {
    echo
    echo "### PostgreSQL $version ($(date -u +%Y-%m-%d), $(nproc) cores)"
    echo
    modes="'corgipile', 'none'"
    [ "$(mn_psql "$MN_COORD" -c "SHOW server_version_num")" -ge 170000 ] && modes="$modes, 'corgipile-nostream'"
    mn_psql "$MN_COORD" -v ON_ERROR_STOP=1 -v modes="$modes" -v rounds="${CORGI_HOT_ROUNDS:-6}" <<'SQL'
\pset format unaligned
\pset tuples_only off
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pg_prewarm;
SELECT setseed(0.2024) \g /dev/null
CREATE TABLE hot AS SELECT g AS id, (g > 500000) AS label,
    ARRAY[(CASE WHEN g > 500000 THEN 0.25 ELSE -0.25 END) + random() - 0.5, random(), random(), random(), random(),
          random(), random(), random(), random(), random(), random(), random(), random(), random(), random(),
          random(), random(), random(), random(), random(), random(), random(), random(), random(), random(),
          random(), random(), random()]::float8[] AS features
FROM generate_series(1, 1000000) g;
VACUUM ANALYZE hot;
SELECT pg_prewarm('hot') \g /dev/null
CREATE FUNCTION timed_scan() RETURNS float8 LANGUAGE plpgsql AS $$
  DECLARE t0 timestamptz := clock_timestamp(); x float8;
  BEGIN SELECT sum(features[1]) INTO x FROM hot; RETURN extract(epoch FROM clock_timestamp() - t0); END $$;
CREATE TEMP TABLE r (mode text, round int, s float8);
CREATE TEMP TABLE modes AS SELECT unnest(ARRAY[:modes]) AS m;
SELECT set_config('bench.rounds', :'rounds', false) \g /dev/null
DO $$ DECLARE m text; e float8[]; BEGIN
  FOR round IN 1..current_setting('bench.rounds')::int LOOP
    FOR m IN SELECT * FROM modes LOOP
      DROP TABLE IF EXISTS hm, hm_summary;
      PERFORM set_config('corgi.read_stream', 'off', true) WHERE m LIKE '%-nostream';
      PERFORM corgi.train('hot', 'hm', 'label', 'features', 'logistic', 8, split_part(m, '-', 1));
      PERFORM set_config('corgi.read_stream', 'on', true) WHERE m LIKE '%-nostream';
      SELECT epoch_seconds INTO e FROM hm_summary;
      INSERT INTO r SELECT m, round, x FROM unnest(e[2:]) x;
      FOR i IN 1..6 LOOP INSERT INTO r VALUES ('scan', round, timed_scan()); END LOOP;
    END LOOP;
  END LOOP; END $$;
-- x_scan: the medians' ratio; round_x_scan: the median over rounds of each round's ratio
-- (its epochs' median to its scans' median), less moved by the machine's slow minutes.
WITH per_round AS (
  SELECT mode, round, percentile_cont(0.5) WITHIN GROUP (ORDER BY s) AS s FROM r GROUP BY mode, round)
SELECT mode, round(percentile_cont(0.5) WITHIN GROUP (ORDER BY s)::numeric, 4) AS median_seconds,
       round((percentile_cont(0.5) WITHIN GROUP (ORDER BY s) /
              (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY s) FROM r WHERE mode = 'scan'))::numeric, 2) AS x_scan,
       (SELECT round(percentile_cont(0.5) WITHIN GROUP (ORDER BY p.s / q.s)::numeric, 2)
        FROM per_round p JOIN per_round q ON q.round = p.round AND q.mode = 'scan' WHERE p.mode = r.mode) AS round_x_scan,
       count(*) AS measured
FROM r GROUP BY mode ORDER BY mode;
SQL
  } | tee -a "$out"
  multinode_stop
done
echo "appended to $out"
