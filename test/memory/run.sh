#!/usr/bin/env bash
# Memory caps (part of make test): a training call's peak resident memory stays within
# corgi.max_buffer_mb plus a fixed overhead, and whatever is too large is refused before
# it is allocated. Each case runs in a fresh backend of a scratch cluster with 16 MB of
# shared buffers (a backend's resident memory counts the shared pages it touched), and
# reads the backend's peak (VmHWM in /proc/self/status) after the call. Cases (a hostile
# test of 0.5.0 found each one):
#   1. a network too large for the cap: refused before its weights exist, through
#      corgi.sgd_state (0.5.0 peaked at 2,798 MB), corgi.train and a configs row, and
#      under a superuser's lower cap;
#   2. the largest network the cap admits, trained: within the cap plus the overhead;
#   3. a crafted state of a few hundred bytes claiming a large network: model_predict
#      refuses it before allocating (0.5.0: 984 MB);
#   4. grouped training: 100,000 groups within the cap plus the overhead; 200,000
#      refused under a cap their states alone exceed, before those states are made,
#      and within a cap that holds them (0.5.0: 4.5 GB at 500,000 groups).
# The overhead is what a backend with corgi loaded needs anyway: CORGI_MEMORY_OVERHEAD_MB
# (96 MB, README "Memory").
# Prints "memory: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib/multinode.sh
overhead=${CORGI_MEMORY_OVERHEAD_MB:-96}
passed=0; failed=0
check() { if [ "$2" = ok ]; then echo "ok - $1"; passed=$((passed + 1)); else echo "not ok - $1"; failed=$((failed + 1)); fi; }

MN_SERVER_OPTIONS="-c shared_buffers=16MB -c max_parallel_workers_per_gather=0" multinode_start 0 >/dev/null ||
  { echo "memory: 0 passed, 1 failed"; exit 1; }
q() { mn_psql "$MN_COORD" "$@"; }
# peak SQL: runs SQL in a new backend; prints "<last ERROR or ok> <peak MB>".
peak() {
  local out
  out=$(q -v ON_ERROR_STOP=0 2>&1 <<SQL
$1
SELECT 'peak=' || (regexp_match(pg_read_file('/proc/self/status'), 'VmHWM:\s+(\d+)'))[1]::bigint / 1024;
SQL
)
  local err; err=$(grep -m1 '^ERROR' <<<"$out" | sed 's/^ERROR: *//' | cut -c1-100)
  echo "${err:-ok}|$(grep -o 'peak=[0-9]*' <<<"$out" | cut -d= -f2)"
}
within() { # within NAME RESULT EXPECTED_OUTCOME_PREFIX LIMIT_MB
  local name=$1 outcome=${2%|*} mb=${2##*|} want=$3 limit=$4
  if [[ "$outcome" == "$want"* ]] && [ -n "$mb" ] && [ "$mb" -le "$limit" ]; then
    check "$name: $outcome, peak $mb MB (at most $limit MB)" ok
  else
    check "$name: got '$outcome', peak ${mb:-?} MB (expected '$want', at most $limit MB)" fail
  fi
}

q >/dev/null <<'SQL'
CREATE TABLE five AS SELECT g % 2 AS label, ARRAY[g % 3, g % 5, g % 7, g % 11, g % 13]::float8[] AS features
FROM generate_series(1, 1000) g;
CREATE TABLE huge_configs AS SELECT 1 AS config_id, 'mlp'::text AS model, 'hidden_layers=[11000,11000]'::text AS params;
CREATE TABLE wide AS SELECT g % 2 AS label,
    (SELECT array_agg(sin(g * 0.1 + j)) FROM generate_series(1, 5000) j)::float8[] AS features
FROM generate_series(1, 2000) g;
CREATE TABLE grp100k AS SELECT g % 100000 AS k, (g / 7) % 2 AS label, ARRAY[sin(g), cos(g)]::float8[] AS features
FROM generate_series(1, 1000000) g;
CREATE TABLE grp200k AS SELECT g % 200000 AS k, (g / 7) % 2 AS label, ARRAY[sin(g), cos(g)]::float8[] AS features
FROM generate_series(1, 1000000) g;
SQL
base=$(peak "SELECT corgi.version();"); base=${base##*|}
echo "a backend with corgi loaded: $base MB"

# 1. Too large: refused before allocating.
small=$((base + 64))
within "sgd_state of an MLP [11000,11000] with max_buffer_mb=1048576" \
  "$(peak "SELECT length(corgi.sgd_state('mlp', 5, 10, 'hidden_layers=[11000,11000], max_buffer_mb=1048576', '{0,1}'));")" \
  "a mlp model of 121099002 parameters" "$small"
within "the same through corgi.train" \
  "$(peak "SELECT * FROM corgi.train('five', 'huge', 'label', 'features', 'mlp', 1, params => 'hidden_layers=[11000,11000], max_buffer_mb=1048576');")" \
  "a mlp model of 121099002 parameters" "$small"
within "the same as a configs row of corgi.fit_multiple" \
  "$(peak "SELECT * FROM corgi.fit_multiple('five', 'huge_fit', 'label', 'features', 'huge_configs', 1, params => 'max_buffer_mb=1048576');")" \
  "config 1: a mlp model of 121099002 parameters" "$small"
within "under a superuser's cap of 64 MB" \
  "$(peak "SET corgi.max_buffer_mb = 64; SELECT length(corgi.sgd_state('mlp', 5000, 10, 'hidden_layers=[100]', '{0,1}'));")" \
  "a mlp model of 500302 parameters" "$small"

# 2. The largest network the cap admits (5,000 features, widths tried largest first),
# trained two epochs: within the cap plus the overhead.
cap=256
width=""
for h in 400 300 200 150 120 100 80 60 40; do
  r=$(q -c "SET corgi.max_buffer_mb = $cap" -c "SELECT length(corgi.sgd_state('mlp', 5000, 200, 'hidden_layers=[$h], max_buffer_mb=$cap', '{0,1}')) > 0" 2>/dev/null)
  [ "$r" = "t" ] && { width=$h; break; }
done
within "an MLP [$width] on 5,000 features, the widest corgi.max_buffer_mb=$cap admits, trained 2 epochs" \
  "$(peak "SET corgi.max_buffer_mb = $cap; SELECT epochs_run FROM corgi.train('wide', 'wide_m', 'label', 'features', 'mlp', 2, params => 'hidden_layers=[$width], max_buffer_mb=$cap');")" \
  "ok" $((cap + overhead))

# 3. A crafted state: a [3]-unit network's model section rewritten to claim hidden
# layers [11000, 11000] (121 million parameters) in the same few hundred bytes: its tag
# and length, the activation, the layer count and the widths.
crafted="WITH s AS (SELECT corgi.sgd_state('mlp', 2, 10, 'hidden_layers=[3]', '{0,1}') AS s),
  p AS (SELECT s, position('\\x0100000003000000'::bytea IN s) AS p FROM s),
  l AS (SELECT s, p, get_byte(s, p - 6) + 256 * get_byte(s, p - 5) + 65536 * get_byte(s, p - 4) + 4 AS len FROM p)
SELECT substr(s, 1, p - 6)
       || set_byte(set_byte(set_byte('\\x00000000'::bytea, 0, len % 256), 1, len / 256 % 256), 2, len / 65536)
       || substr(s, p - 1, 1) || '\\x02000000f82a0000f82a0000'::bytea || substr(s, p + 8) AS s FROM l"
within "model_predict of a crafted state of a few hundred bytes claiming hidden layers [11000, 11000]" \
  "$(peak "SELECT corgi.model_predict(s, ARRAY[1, 2]) FROM ($crafted) x;")" \
  "invalid corgi model: malformed" "$small"
within "the same state as a training state (sgd_state_info)" \
  "$(peak "SELECT corgi.sgd_state_info(s) FROM ($crafted) x;")" \
  "invalid corgi state: malformed" "$small"

# 4. Grouped training.
within "grouped corgi.train of 100,000 groups (1,000,000 rows)" \
  "$(peak "SELECT epochs_run FROM corgi.train('grp100k', 'g100k', 'label', 'features', 'logistic', 2, grouping_cols => 'k');")" \
  "ok" $((1024 + overhead))
within "grouped corgi.train of 200,000 groups under corgi.max_buffer_mb=512: refused before their states are made" \
  "$(peak "SET corgi.max_buffer_mb = 512; SELECT epochs_run FROM corgi.train('grp200k', 'g200k', 'label', 'features', 'logistic', 2, grouping_cols => 'k');")" \
  "the 200000 groups of grouping_cols \"k\" need" "$small"
within "the same with corgi.max_buffer_mb and max_buffer_mb 2048: trains, within them" \
  "$(peak "SET corgi.max_buffer_mb = 2048; SELECT epochs_run FROM corgi.train('grp200k', 'g200k', 'label', 'features', 'logistic', 2, params => 'max_buffer_mb=2048', grouping_cols => 'k');")" \
  "ok" $((2048 + overhead))

multinode_stop
echo "memory: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
