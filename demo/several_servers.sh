#!/usr/bin/env bash
# corgi demo: model hopping across PostgreSQL servers. Starts a coordinator and 3 node
# clusters on this machine (Unix sockets only; scripts/lib/multinode.sh), puts a
# label-sorted table's hash partitions on the nodes as postgres_fdw foreign partitions,
# and trains a grid of models on them with one fit_multiple call: each model visits the
# nodes in turn, its state travels, the rows stay where they are. Removes the clusters
# at the end. Needs corgi installed (make demo does it).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/multinode.sh

multinode_start 3 >/dev/null
c() { mn_psql "$MN_COORD" "$@"; }
echo "A coordinator and 3 node servers, each its own PostgreSQL cluster:"
c -c "SELECT srvname AS server, array_to_string(srvoptions, ', ') AS options FROM pg_foreign_server ORDER BY 1" -P tuples_only=off -P footer=off -A -F ' | '
c >/dev/null <<'SQL'
CREATE TABLE sales (id integer, label boolean, features float8[]) PARTITION BY HASH (id);
CREATE FOREIGN TABLE sales_1 PARTITION OF sales FOR VALUES WITH (MODULUS 3, REMAINDER 0) SERVER node1 OPTIONS (table_name 'sales_part');
CREATE FOREIGN TABLE sales_2 PARTITION OF sales FOR VALUES WITH (MODULUS 3, REMAINDER 1) SERVER node2 OPTIONS (table_name 'sales_part');
CREATE FOREIGN TABLE sales_3 PARTITION OF sales FOR VALUES WITH (MODULUS 3, REMAINDER 2) SERVER node3 OPTIONS (table_name 'sales_part');
SQL
for d in "${MN_NODES[@]}"; do
  mn_psql "$d" -c "CREATE TABLE sales_part (id integer, label boolean, features float8[])"
done
# 150,000 rows, sorted by label: each node gets the rows of its partition.
c -c "SELECT setseed(0.5)" -c "INSERT INTO sales
  SELECT g, g > 75000, ARRAY(SELECT (CASE WHEN j <= 4 THEN (CASE WHEN g > 75000 THEN 0.25 ELSE -0.25 END) ELSE 0 END)
                                   + random() + random() - 1 FROM generate_series(1, 10) j WHERE g > 0)::float8[]
  FROM generate_series(1, 150000) g" >/dev/null
echo
echo "Rows per node (they stay there):"
for i in 1 2 3; do
  echo "  node$i: $(mn_psql "${MN_NODES[$((i - 1))]}" -c "SELECT count(*) FROM sales_part") rows"
done
c >/dev/null <<'SQL'
CREATE TABLE configs AS SELECT * FROM corgi.config_grid('logistic', 'learning_rate=[0.01,0.1], l2=[0,0.001]')
  UNION ALL SELECT 5, 'mlp', 'hidden_layers=[16]';
SQL
echo
echo "One call trains the 5 configurations; each job runs on the node that holds its partition:"
c -P tuples_only=off -P footer=off -A -F ' | ' -c "SELECT configs_trained, segments, round(training_seconds::numeric, 2) AS seconds
  FROM corgi.fit_multiple('sales', 'sales_models', 'label', 'features', 'configs', epochs => 3)"
echo
echo "What moved: model states, not rows:"
c -P tuples_only=off -P footer=off -A -F ' | ' -c "SELECT servers, remote_jobs, pg_size_pretty(state_bytes_moved) AS state_bytes_moved,
  round(round_trip_seconds::numeric, 3) AS round_trip_seconds FROM sales_models_summary"
echo
echo "The models, evaluated on the partitioned table (through postgres_fdw):"
c -P tuples_only=off -P footer=off -A -F ' | ' -c "SELECT m.config_id, m.model_type, round(e.accuracy::numeric, 4) AS accuracy
  FROM sales_models m, LATERAL corgi.evaluate('sales_models', 'sales', config_id => m.config_id) e ORDER BY 1"
multinode_stop
