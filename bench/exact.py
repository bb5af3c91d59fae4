"""The exact solvers against SGD epochs and statsmodels, on one table (bench/exact.sh).

Prints a table of median seconds over interleaved rounds and the agreement of corgi's
exact fits with statsmodels' (largest relative difference of the coefficients, of the
standard errors, and the difference of r2 or of the log-likelihood).
"""
import statistics
import sys
import time

import numpy as np
import psycopg
import statsmodels.api as sm

rows, rounds = int(sys.argv[1]), int(sys.argv[2])
table = f"bench_{rows}"
conn = psycopg.connect(autocommit=True)
conn.execute("SET client_min_messages = warning")


def corgi(sql):
    t = time.perf_counter()
    conn.execute(sql)
    return time.perf_counter() - t


def drop(*names):
    for n in names:
        conn.execute(f"DROP TABLE IF EXISTS {n}, {n}_summary")


t = time.perf_counter()
data = conn.execute(f"SELECT label, features FROM {table}").fetchall()
fetch = time.perf_counter() - t
y = np.array([1.0 if r[0] else 0.0 for r in data])
X = np.array([[1.0] + list(r[1]) for r in data])
del data

variants = {
    "count(*) (a plain scan)": lambda: corgi(f"SELECT count(*) FROM {table}"),
    "a plain scan reading the features": lambda: corgi(f"SELECT sum(features[28]) FROM {table}"),
    "corgi.linregr_train": lambda: (drop("bx_lt"), corgi(
        f"SELECT corgi.linregr_train('{table}', 'bx_lt', 'label::int', 'ARRAY[1]::float8[] || features')"))[1],
    "corgi.linregr (aggregate)": lambda: corgi(
        f"SELECT (corgi.linregr(label::int, ARRAY[1]::float8[] || features)).r2 FROM {table}"),
    "corgi.train linear, exact (default)": lambda: (drop("bx_lin"), corgi(
        f"SELECT corgi.train('{table}', 'bx_lin', 'label::int', 'features', 'linear')"))[1],
    "corgi.train linear, 10 SGD epochs": lambda: (drop("bx_sgd"), corgi(
        f"SELECT corgi.train('{table}', 'bx_sgd', 'label::int', 'features', 'linear', params => 'solver=sgd')"))[1],
    "statsmodels OLS.fit (in memory)": lambda: (lambda t0: (sm.OLS(y, X).fit().bse, time.perf_counter() - t0)[1])(time.perf_counter()),
    "corgi.logregr_train (IRLS)": lambda: (drop("bx_log"), corgi(
        f"SELECT corgi.logregr_train('{table}', 'bx_log', 'label', 'ARRAY[1]::float8[] || features')"))[1],
    "corgi.train logistic, 10 SGD epochs": lambda: (drop("bx_lsgd"), corgi(
        f"SELECT corgi.train('{table}', 'bx_lsgd', 'label', 'features', 'logistic')"))[1],
    "statsmodels Logit.fit newton (in memory)": lambda: (lambda t0: (
        sm.Logit(y, X).fit(disp=0, method="newton", tol=1e-8).bse, time.perf_counter() - t0)[1])(time.perf_counter()),
}
times = {k: [] for k in variants}
for _ in range(rounds):
    for name, run in variants.items():
        times[name].append(run())

print(f"rows fetched for statsmodels in {fetch:.1f} s (not counted below)")
print(f"{'variant':45} {'median s':>9} {'min s':>7} {'max s':>7}")
for name, ts in times.items():
    print(f"{name:45} {statistics.median(ts):9.3f} {min(ts):7.3f} {max(ts):7.3f}")

ols = sm.OLS(y, X).fit()
lin = conn.execute(f"SELECT (r).coef, (r).std_err, (r).r2 FROM (SELECT corgi.linregr(label::int, ARRAY[1]::float8[] || features) r FROM {table}) q").fetchone()
logit = sm.Logit(y, X).fit(disp=0, method="newton", tol=1e-8)
log = conn.execute("SELECT coef, std_err, log_likelihood, num_iterations FROM bx_log").fetchone()
rmse = conn.execute(f"SELECT (SELECT rmse FROM corgi.evaluate('bx_lin', '{table}', 'label::int', 'features')),"
                    f" (SELECT rmse FROM corgi.evaluate('bx_sgd', '{table}', 'label::int', 'features'))").fetchone()
acc = conn.execute(f"SELECT (SELECT avg((corgi.logregr_predict(m.coef, ARRAY[1]::float8[] || t.features) = t.label)::int)"
                   f"         FROM {table} t, bx_log m),"
                   f" (SELECT accuracy FROM corgi.evaluate('bx_lsgd', '{table}'))").fetchone()


def rel(a, b):
    a, b = np.array(a), np.array(b)
    return float(np.max(np.abs(a - b) / np.abs(b)))


print()
print("agreement with statsmodels")
print(f"  linregr: coef {rel(lin[0], ols.params):.1e}, std_err {rel(lin[1], ols.bse):.1e}, r2 difference {abs(lin[2] - ols.rsquared):.1e}")
print(f"  logregr: coef {rel(log[0], logit.params):.1e}, std_err {rel(log[1], logit.bse):.1e}, "
      f"log-likelihood difference {abs(log[2] - logit.llf):.1e} ({log[3]} IRLS steps; statsmodels {logit.mle_retvals['iterations']})")
print("fit quality on the training table")
print(f"  linear RMSE: exact {rmse[0]:.6f}, 10 SGD epochs {rmse[1]:.6f}")
print(f"  logistic accuracy: IRLS {acc[0]:.4f}, 10 SGD epochs {acc[1]:.4f}")
