#!/usr/bin/env python3
"""corgi's svr (linear support vector regression by CorgiPile SGD, epsilon-insensitive loss)
against scikit-learn on the same rows: LinearSVR and SGDRegressor(loss='epsilon_insensitive'),
each behind a StandardScaler (corgi standardizes a list of columns itself), all with their
defaults and epsilon 0.01 (MADlib's svm_regression default, corgi's svr_epsilon default);
least squares (corgi's exact linear, LinearRegression) beside them. Data: 200,000 rows x 10
features, y = X w + 3 + noise, 5% of the rows with a gross error (+40), stored sorted by y;
the rows with id % 5 = 0 are held out. Prints the held-out mean and median absolute
error against the true line's values, and the seconds of each fit (scikit-learn's after
the rows are fetched). Usage: .venv-bench/bin/python bench/svr.py (PGHOST etc. set)."""
import time

import numpy as np
import psycopg
from sklearn.linear_model import LinearRegression, SGDRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVR

rows, features = 200_000, 10
conn = psycopg.connect(autocommit=True)
cur = conn.cursor()
cur.execute("SET client_min_messages = warning")
cur.execute("CREATE EXTENSION IF NOT EXISTS corgi")
rng = np.random.default_rng(7)
X = rng.normal(size=(rows, features)) * rng.uniform(0.5, 20, size=features)   # mixed scales
w = rng.uniform(-2, 2, size=features)
clean = X @ w + 3
y = clean + rng.normal(scale=0.5, size=rows) + np.where(rng.uniform(size=rows) < 0.05, 40.0, 0.0)
order = np.argsort(y)                                            # stored sorted by the label
X, y, clean = X[order], y[order], clean[order]
ids = np.arange(1, rows + 1)
cols = [f"x{j + 1}" for j in range(features)]
cur.execute("DROP TABLE IF EXISTS svr_bench, svr_bench_train, svr_fit, svr_fit_summary, svr_ls, svr_ls_summary")
cur.execute(f"CREATE TABLE svr_bench (id int, {', '.join(c + ' float8' for c in cols)}, y float8, clean float8)")
with cur.copy(f"COPY svr_bench (id, {', '.join(cols)}, y, clean) FROM STDIN") as copy:
    for i in range(rows):
        copy.write_row([int(ids[i]), *map(float, X[i]), float(y[i]), float(clean[i])])
cur.execute("CREATE TABLE svr_bench_train AS SELECT * FROM svr_bench WHERE id % 5 <> 0 ORDER BY id")
cur.execute("VACUUM ANALYZE svr_bench_train")
train, test = ids % 5 != 0, ids % 5 == 0
results = []


def report(name, predicted, seconds):
    error = np.abs(predicted - clean[test])
    results.append((name, error.mean(), np.median(error), seconds))


def corgi(model, out, params=""):
    t0 = time.perf_counter()
    cur.execute("SELECT corgi.train('svr_bench_train', %s, 'y', %s, %s, 10, params => %s)",
                (out, ", ".join(cols), model, params))
    seconds = time.perf_counter() - t0
    cur.execute(f"SELECT b.id, corgi.predict(%s, ARRAY[{', '.join(cols)}]::float8[]) FROM svr_bench b "
                "WHERE b.id %% 5 = 0 ORDER BY b.id", (out,))
    return np.array([p for _, p in cur.fetchall()]), seconds


p, s = corgi("svr", "svr_fit")
report("corgi.train svr (defaults, 10 epochs)", p, s)
p, s = corgi("linear", "svr_ls")
report("corgi.train linear (exact least squares)", p, s)
for name, est in [("LinearSVR (epsilon=0.01)", LinearSVR(epsilon=0.01, random_state=0)),
                  ("SGDRegressor epsilon_insensitive (epsilon=0.01)",
                   SGDRegressor(loss="epsilon_insensitive", epsilon=0.01, random_state=0)),
                  ("LinearRegression (least squares)", LinearRegression())]:
    pipe = make_pipeline(StandardScaler(), est)
    t0 = time.perf_counter()
    pipe.fit(X[train], y[train])
    report(name, pipe.predict(X[test]), time.perf_counter() - t0)
print(f"{rows} rows x {features} features, y sorted, 5% gross errors; held-out error against the true line")
print(f"{'fit':50s} {'mean abs':>9s} {'median abs':>11s} {'seconds':>8s}")
for name, mean, median, seconds in results:
    print(f"{name:50s} {mean:9.4f} {median:11.4f} {seconds:8.2f}")
# (tables kept for inspection when BENCH_KEEP is set)
import os
if not os.environ.get("BENCH_KEEP"):
    cur.execute("DROP TABLE svr_bench, svr_bench_train, svr_fit, svr_fit_summary, svr_ls, svr_ls_summary")
