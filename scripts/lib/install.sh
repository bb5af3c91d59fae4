# Set-up shared by make demo and the benchmarks (sourced, not run): install missing
# system packages, then build and install corgi.so and the SQL scripts, showing the
# build log only on failure.

install_corgi() {
  local log; log=$(mktemp /tmp/corgi-build.XXXXXX.log)
  scripts/setup-system.sh
  if ! { make >"$log" 2>&1 && make install >>"$log" 2>&1; }; then
    tail -40 "$log"
    return 1
  fi
}
