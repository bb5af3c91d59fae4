#!/usr/bin/env bash
# Checks that a built corgi.so is self-contained and exports only its entry points, and
# that the C prototypes of the Swift exports match them.
# Usage: scripts/check-library.sh corgi.so extension/corgi.map sql/corgi--*.sql ...
# Prints one "ok"/"not ok" line per check, then "check-library: N passed, N failed".
set -u
lib=$1; map=$2; shift 2
passed=0; failed=0
check() { # check NAME COMMAND...
  local name=$1; shift
  if "$@"; then echo "ok - $name"; passed=$((passed + 1))
  else echo "not ok - $name"; failed=$((failed + 1)); fi
}

no_libswift() {
  local deps; deps=$(ldd "$lib")
  if grep -qi 'libswift\|libdispatch\|libFoundation\|libBlocksRuntime' <<<"$deps"; then
    echo "$deps" | sed 's/^/    /'; return 1; fi
}

# Expected exports: Pg_magic_func, and for every C symbol the SQL scripts name after
# 'MODULE_PATHNAME', the function and its pg_finfo_ record; and the parallel worker
# entry corgi.fit_multiple names to CreateParallelContext (found by name in workers).
expected_exports() {
  { echo Pg_magic_func; echo _PG_init; echo corgi_hop_worker_main
    grep -ho "'MODULE_PATHNAME', *'[A-Za-z0-9_]*'" "$@" | sed "s/.*, *'\(.*\)'/\1/" |
      while read -r fn; do echo "$fn"; echo "pg_finfo_$fn"; done
  } | sort -u
}
actual_exports() { nm -D --defined-only "$lib" | awk '$2 ~ /^[A-Z]$/ {print $NF}' | sort -u; }  # global or weak only
map_exports() { sed -n '/global:/,/local:/p' "$map" | grep -o '^ *[A-Za-z_][A-Za-z0-9_]*;' | tr -d ' ;' | sort -u; }

exports_match_sql() {
  local want have
  want=$(expected_exports "$@"); have=$(actual_exports)
  if [ "$want" != "$have" ]; then
    diff <(echo "$want") <(echo "$have") | sed 's/^/    /'; return 1; fi
}
map_matches_sql() {
  local want have
  want=$(expected_exports "$@"); have=$(map_exports)
  if [ "$want" != "$have" ]; then
    diff <(echo "$want") <(echo "$have") | sed 's/^/    /'; return 1; fi
}
no_foundation_or_dispatch() {
  local bad
  bad=$(nm "$lib" | awk '{print $NF}' | grep -E '^_?dispatch_|^\$s(10Foundation|19FoundationEssentials)|^_?CF[A-Z]' | head -5)
  if [ -n "$bad" ]; then echo "$bad" | sed 's/^/    /'; return 1; fi
}

sql_files=("$@")
# OpenBLAS, when linked, must be the serial variant: the pthread one (the Debian
# default) starts a thread pool in every backend that loads it.
serial_openblas() {
  local blas; blas=$(ldd "$lib" | grep -E 'lib(open)?blas' || true)
  [ -z "$blas" ] && return 0
  if echo "$blas" | grep -q 'openblas-serial/'; then return 0; fi
  echo "  BLAS is not the serial OpenBLAS: $blas" >&2
  return 1
}

check "ldd shows no Swift, Dispatch or Foundation library" no_libswift
check "OpenBLAS resolves to the serial variant (no thread pool)" serial_openblas
check "exported symbols are exactly the SQL entry points and Pg_magic_func" exports_match_sql "${sql_files[@]}"
check "export map lists exactly the SQL entry points and Pg_magic_func" map_matches_sql "${sql_files[@]}"
check "no Foundation or Dispatch code linked in" no_foundation_or_dispatch
# The C prototypes of the Swift exports (corgi_core_api.h) against the @_cdecl functions.
abi_matches() { python3 "$(dirname "$0")/check-abi.py" Sources/CorgiBoundary Sources/CorgiGlue/corgi_core_api.h | tail -n +2; return "${PIPESTATUS[0]}"; }
check "the Swift exports match their C prototypes (scripts/check-abi.py)" abi_matches
echo "library: $(stat -c %s "$lib") bytes; exports: $(actual_exports | tr '\n' ' ')"
echo "check-library: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
