#!/usr/bin/env python3
"""The binomial elastic net (corgi_madlib's elastic_net_train, family binomial, exact by
IRLS with coordinate-descent steps) against scikit-learn's LogisticRegression with the same
objective (l1_ratio = alpha, C = 1 / (n lambda), solver saga, behind a StandardScaler),
on every (1000000 / rows)-th row of bench_1000000 (stored sorted by label) (28 features, label; PGHOST etc. set, the table
made by make bench-columns or bench/bench_table.sql). Prints seconds and the objective each
reaches; scikit-learn's seconds are the fit alone, after the rows are fetched.
Usage: .venv-bench/bin/python bench/enet_binomial.py [rows] (default 200000)."""
import sys
import time
import warnings

import numpy as np
import psycopg
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

warnings.simplefilter("ignore")
rows = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
alpha, lam = 0.5, 0.001
conn = psycopg.connect(autocommit=True)
cur = conn.cursor()
cur.execute("SET client_min_messages = warning")
cur.execute("CREATE EXTENSION IF NOT EXISTS corgi_madlib CASCADE")
cur.execute("DROP VIEW IF EXISTS enet_rows CASCADE")
cur.execute(f"CREATE VIEW enet_rows AS SELECT * FROM bench_1000000 WHERE id % {max(1, 1000000 // rows)} = 0")
cur.execute("DROP TABLE IF EXISTS enet_fit, enet_fit_summary")
t0 = time.perf_counter()
cur.execute("SELECT madlib.elastic_net_train('enet_rows', 'enet_fit', 'label', 'features', 'binomial', %s, %s, "
            "tolerance => 1e-10)", (alpha, lam))
corgi_seconds = time.perf_counter() - t0
cur.execute("SELECT coef_all, intercept, -log_likelihood, iteration_run FROM enet_fit")
coef, intercept, corgi_objective, passes = cur.fetchone()
t0 = time.perf_counter()
cur.execute("SELECT features, label FROM enet_rows")
data = cur.fetchall()
fetch = time.perf_counter() - t0
X = np.array([d[0] for d in data]); y = np.array([1 if d[1] else 0 for d in data])
n = len(y)


def objective(w, b):
    z = X @ w + b
    s = X.std(0)
    return -np.sum(y * z - np.logaddexp(0, z)) / n + lam * (alpha * np.sum(np.abs(w * s)) + (1 - alpha) / 2 * np.sum((w * s) ** 2))


scaler = StandardScaler().fit(X)
t0 = time.perf_counter()
model = LogisticRegression(l1_ratio=alpha, C=1 / (n * lam), solver="saga", tol=1e-6, max_iter=10000).fit(scaler.transform(X), y)
sk_seconds = time.perf_counter() - t0
w = model.coef_[0] / scaler.scale_
b = model.intercept_[0] - np.sum(model.coef_[0] * scaler.mean_ / scaler.scale_)
print(f"{n} rows x {X.shape[1]} features, alpha {alpha}, lambda {lam}; rows fetched for scikit-learn in {fetch:.1f} s (not counted)")
print(f"{'fit':58s} {'seconds':>8s} {'objective':>14s}")
print(f"{'corgi_madlib elastic_net_train binomial (' + str(passes) + ' IRLS passes)':58s} {corgi_seconds:8.2f} {objective(np.array(coef), intercept):14.10f}")
print(f"{'scikit-learn LogisticRegression saga (' + str(model.n_iter_[0]) + ' epochs)':58s} {sk_seconds:8.2f} {objective(w, b):14.10f}")
print(f"corgi's own objective {corgi_objective:.10f}; weights' largest difference {np.max(np.abs(np.array(coef) - w)):.2e}")
cur.execute("DROP TABLE enet_fit, enet_fit_summary")
cur.execute("DROP VIEW enet_rows")
