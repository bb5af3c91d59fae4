#!/usr/bin/env bash
# make bench-multinode: model hopping across servers, on one machine. A coordinator and
# 3 node clusters (scripts/lib/multinode.sh, Unix sockets); a label-sorted table of
# 1M rows x 28 features hash-partitioned by id into 3 postgres_fdw foreign partitions
# (one per node), and the same rows as 3 local partitions on the coordinator. 8
# logistic configs, 3 epochs, all measured in one run:
#   - with DRIVERS_REV set: the C fit_multiple against the PL/pgSQL driver of that revision
#   - fit_multiple over the 3 nodes, over the local partitions (2 processes), and over a
#     plain local table with 2 processes (one-server MOP, for scale);
#   - the state bytes moved per hop against the data's size, and the seconds of the
#     remote jobs spent outside training (network, parse, state coding);
#   - the bit-identity of the node models with the local-partition ones, and accuracy.
# Usage: bench/multinode.sh [rows] [epochs]  (default: 1000000 3)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/install.sh
. scripts/lib/multinode.sh

install_corgi
rows=${1:-1000000}; epochs=${2:-3}
MN_SERVER_OPTIONS="-c shared_buffers=1GB -c max_parallel_workers_per_gather=0" multinode_start 3
C=$MN_COORD
c() { mn_psql "$C" "$@"; }
machine="$(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(pg_config --version)"
echo "machine: $machine, $(date -u +%Y-%m-%d)"

# The rows (bench_mop's generator: 5 informative features of 28), sorted by label, as 3
# local hash partitions; each node gets its partition's rows in the same page order.
c -v rows="$rows" <<'SQL'
SELECT setseed(0.2024);
CREATE TABLE data_local (id integer, label boolean, features float8[]) PARTITION BY HASH (id);
CREATE TABLE data_local_0 PARTITION OF data_local FOR VALUES WITH (MODULUS 3, REMAINDER 0);
CREATE TABLE data_local_1 PARTITION OF data_local FOR VALUES WITH (MODULUS 3, REMAINDER 1);
CREATE TABLE data_local_2 PARTITION OF data_local FOR VALUES WITH (MODULUS 3, REMAINDER 2);
INSERT INTO data_local
SELECT g, (g > :rows / 2),
       ARRAY(SELECT (CASE WHEN j <= 5 THEN (CASE WHEN g > :rows / 2 THEN 0.25 ELSE -0.25 END) ELSE 0 END)
                    + (random() - 0.5) * 2 FROM generate_series(1, 28) j WHERE g > 0)::float8[]
FROM generate_series(1, :rows) g;
CREATE TABLE data_plain AS SELECT * FROM data_local ORDER BY label, id;
CREATE TABLE data (id integer, label boolean, features float8[]) PARTITION BY HASH (id);
CREATE FOREIGN TABLE data_0 PARTITION OF data FOR VALUES WITH (MODULUS 3, REMAINDER 0) SERVER node1 OPTIONS (table_name 'data_part');
CREATE FOREIGN TABLE data_1 PARTITION OF data FOR VALUES WITH (MODULUS 3, REMAINDER 1) SERVER node2 OPTIONS (table_name 'data_part');
CREATE FOREIGN TABLE data_2 PARTITION OF data FOR VALUES WITH (MODULUS 3, REMAINDER 2) SERVER node3 OPTIONS (table_name 'data_part');
CREATE TABLE configs AS SELECT * FROM corgi.config_grid('logistic', 'learning_rate=[0.001,0.01,0.1,1], l2=[0,0.0001]');
SQL
for i in 0 1 2; do
  mn_psql "${MN_NODES[$i]}" -c "CREATE TABLE data_part (id integer, label boolean, features float8[])"
  c -c "COPY (SELECT * FROM data_local_$i ORDER BY ctid) TO STDOUT" | mn_psql "${MN_NODES[$i]}" -c "COPY data_part FROM STDIN"
  mn_psql "${MN_NODES[$i]}" -c "VACUUM ANALYZE data_part"
done
c -c "VACUUM ANALYZE data_local" -c "VACUUM ANALYZE data_plain" -c "ANALYZE data"
data_bytes=$(for d in "${MN_NODES[@]}"; do mn_psql "$d" -c "SELECT pg_relation_size('data_part')"; done | paste -sd+ | bc)

out=$(mktemp)
{
echo "== $rows rows x 28 features, sorted by label, hash-partitioned by id over 3 nodes ($(numfmt --to=iec "$data_bytes")B of heap on the nodes); 8 logistic configs, $epochs epochs"
# Warm every cluster's buffers, then one call each, interleaved as listed.
for d in "${MN_NODES[@]}"; do mn_psql "$d" -c "SELECT count(*) FROM data_part" >/dev/null; done
c -c "SELECT count(*) FROM data_local" -c "SELECT count(*) FROM data_plain" >/dev/null
t() { local s; s=$(date +%s.%N); c -c "$1" >/dev/null; echo "$(date +%s.%N) - $s" | bc; }
nodes_s=$(t "SELECT * FROM corgi.fit_multiple('data', 'm_nodes', 'label', 'features', 'configs', epochs => $epochs)")
local_s=$(t "SELECT * FROM corgi.fit_multiple('data_local', 'm_local', 'label', 'features', 'configs', epochs => $epochs)")
plain_s=$(t "SELECT * FROM corgi.fit_multiple('data_plain', 'm_plain', 'label', 'features', 'configs', epochs => $epochs, params => 'workers=1')")
scan_s=$(t "SELECT count(*) FROM data WHERE features IS NOT NULL")
printf '%-62s %8.2f s\n' "fit_multiple over the 3 nodes (jobs on the nodes, all at once)" "$nodes_s"
printf '%-62s %8.2f s  (%.2fx the nodes)\n' "fit_multiple over the same rows as 3 local partitions, 2 processes" "$local_s" "$(echo "$local_s / $nodes_s" | bc -l)"
printf '%-62s %8.2f s  (%.2fx the nodes)\n' "fit_multiple over a plain local table, 2 processes (8 segments)" "$plain_s" "$(echo "$plain_s / $nodes_s" | bc -l)"
printf '%-62s %8.2f s  (one pass of the rows to the coordinator)\n' "for scale: count(*) over the foreign partitions, not pushed down" "$scan_s"
printf '%-62s %8.2f s  (8 configs x %s epochs x that pass, before any training)\n' "moving the rows to the models instead would cost at least" "$(echo "8 * $epochs * $scan_s" | bc -l)" "$epochs"
c -c "SELECT format('jobs on the nodes: %s (8 configs x 3 partitions x %s epochs); state bytes moved: %s in all, %s per hop (to the node and back), %s of the data (%s of heap)',
                    remote_jobs, epochs, pg_size_pretty(state_bytes_moved), pg_size_pretty(state_bytes_moved / remote_jobs),
                    to_char(100.0 * state_bytes_moved / $data_bytes, 'FM0.0000') || ' %', pg_size_pretty($data_bytes::bigint))
      FROM m_nodes_summary"
c -c "SELECT format('seconds of the remote jobs outside training (network, parse, state coding): %s in all, %s ms per job, %s %% of the call',
                    round(round_trip_seconds::numeric, 3), round((1000 * round_trip_seconds / remote_jobs)::numeric, 2),
                    round((100 * round_trip_seconds / $nodes_s)::numeric, 2)) FROM m_nodes_summary"
c -c "SELECT format('models bit-identical to the local-partition run: %s of %s', count(*) FILTER (WHERE n.model = l.model), count(*))
      FROM m_nodes n JOIN m_local l USING (config_id)"
c -c "SELECT format('accuracy over all rows (best config): nodes %s, local partitions %s, plain table %s',
                    (SELECT round(max(e.accuracy)::numeric, 4) FROM m_nodes m, LATERAL corgi.evaluate('m_nodes', 'data_local', config_id => m.config_id) e),
                    (SELECT round(max(e.accuracy)::numeric, 4) FROM m_local m, LATERAL corgi.evaluate('m_local', 'data_local', config_id => m.config_id) e),
                    (SELECT round(max(e.accuracy)::numeric, 4) FROM m_plain m, LATERAL corgi.evaluate('m_plain', 'data_local', config_id => m.config_id) e))"
if [ -n "${DRIVERS_REV:-}" ]; then
  # The C fit_multiple against the PL/pgSQL one of DRIVERS_REV (bench/plpgsql_drivers.py)
  # over the same nodes, interleaved, 5 rounds, medians.
  git show "$DRIVERS_REV:sql/corgi.sql" | python3 bench/plpgsql_drivers.py | c -c "SET client_min_messages = warning" -f - >/dev/null
  c_runs=(); p_runs=()
  for r in 1 2 3 4 5; do
    for d in c plpgsql; do
      [ $((r % 2)) -eq 0 ] && d=$([ "$d" = c ] && echo plpgsql || echo c)
      suffix=$([ "$d" = c ] && echo "" || echo "_plpgsql")
      c -c "SET client_min_messages = warning" -c "DROP TABLE IF EXISTS m_drv, m_drv_info, m_drv_summary" >/dev/null
      s=$(t "SELECT * FROM corgi.fit_multiple$suffix('data', 'm_drv', 'label', 'features', 'configs', epochs => $epochs)")
      if [ "$d" = c ]; then c_runs+=("$s"); else p_runs+=("$s"); fi
    done
  done
  median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR + 1) / 2)]}'; }
  cm=$(median "${c_runs[@]}"); pm=$(median "${p_runs[@]}")
  printf '%-62s %8.2f s against %.2f s (%.3fx), medians of 5 interleaved\n' \
    "drivers over the 3 nodes: C fit_multiple, PL/pgSQL of $DRIVERS_REV" "$cm" "$pm" "$(echo "$cm / $pm" | bc -l)"
  c -At -c "SELECT format('DROP FUNCTION IF EXISTS %s CASCADE;', oid::regprocedure) FROM pg_proc
            WHERE pronamespace = 'corgi'::regnamespace AND proname LIKE '%\_plpgsql'" | c -q >/dev/null 2>&1
fi
echo "the row count corgi asks to size the tuple buffer, per partition, runs on each node:"
c -c "EXPLAIN (COSTS OFF, VERBOSE) SELECT count(*) FILTER (WHERE features IS NOT NULL AND label IS NOT NULL) FROM data_0" |
  grep 'Remote SQL' | sed 's/^ */    /'
} | tee "$out"
{ echo "## Model hopping across servers (make bench-multinode, $(date -u +%Y-%m-%d))"
  echo
  echo "$machine; a coordinator and 3 node clusters on this one machine (Unix sockets), so the 3 nodes"
  echo "share its 2 cores: the wall times show the overhead of going through servers, not a speed-up."
  echo
  echo '```'; cat "$out"; echo '```'; } > bench/results/multinode.md
rm -f "$out"
[ -n "${BENCH_KEEP:-}" ] || multinode_stop
