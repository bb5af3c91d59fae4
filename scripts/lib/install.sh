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

# The benchmarks' Python (harness, scikit-learn references, plots): a project-local
# virtual environment, .venv-bench, made once (Debian's python3 needs python3-venv).
bench_venv() {
  if [ ! -x .venv-bench/bin/python ]; then
    python3 -m venv .venv-bench 2>/dev/null || { rm -rf .venv-bench;
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null; python3 -m venv .venv-bench; }
    .venv-bench/bin/pip install -q "psycopg[binary]" numpy scikit-learn matplotlib
  fi
}
