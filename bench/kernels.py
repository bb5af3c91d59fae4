#!/usr/bin/env python3
"""Kernel machines: corgi's svm on corgi.kernel_features (random Fourier features of the
gaussian kernel) against what a user would pick in scikit-learn on the same rows: SVC with
the RBF kernel (exact, in memory), and RBFSampler + LinearSVC (the same approximation).
Data: make_circles (noise 0.1, factor 0.5) and make_moons (noise 0.2), 40,000 rows each,
stored sorted by label; 75 % trained, the rows with id % 4 = 0 held out. gamma 2 and 300
components everywhere; corgi 10 epochs, its other parameters its defaults. Prints held-out
accuracy and the seconds of each fit (scikit-learn's after the rows are in memory).
Usage: .venv-bench/bin/python bench/kernels.py (PGHOST etc. set)."""
import time

import numpy as np
import psycopg
from sklearn.datasets import make_circles, make_moons
from sklearn.kernel_approximation import RBFSampler
from sklearn.pipeline import make_pipeline
from sklearn.svm import SVC, LinearSVC

conn = psycopg.connect(autocommit=True)
cur = conn.cursor()
cur.execute("SET client_min_messages = warning")
cur.execute("CREATE EXTENSION IF NOT EXISTS corgi")
gamma, components, rows = 2.0, 300, 40_000
print(f"{rows} rows each, 75 % trained; gamma {gamma}, {components} components; held-out accuracy and fit seconds")
print(f"{'data':8s} {'fit':48s} {'accuracy':>9s} {'seconds':>8s}")
for name, (X, y) in [("circles", make_circles(rows, noise=0.1, factor=0.5, random_state=1)),
                     ("moons", make_moons(rows, noise=0.2, random_state=1))]:
    order = np.argsort(y, kind="stable")
    X, y = X[order], y[order]
    ids = np.arange(1, rows + 1)
    train, test = ids % 4 != 0, ids % 4 == 0
    cur.execute("DROP TABLE IF EXISTS kb_rows, kb_train, kb_m, kb_m_summary")
    cur.execute("CREATE TABLE kb_rows (id int, x float8[], y boolean)")
    with cur.copy("COPY kb_rows (id, x, y) FROM STDIN") as copy:
        for i in range(rows):
            copy.write_row([int(ids[i]), [float(X[i, 0]), float(X[i, 1])], bool(y[i])])
    cur.execute("CREATE TABLE kb_train AS SELECT * FROM kb_rows WHERE id % 4 <> 0 ORDER BY id")
    params = f"gamma={gamma}, n_components={components}"
    t0 = time.perf_counter()
    cur.execute("SELECT corgi.train('kb_train', 'kb_m', 'y', %s, 'svm', 10)",
                (f"corgi.kernel_features(x, 'gaussian', '{params}')",))
    corgi_seconds = time.perf_counter() - t0
    cur.execute("SELECT avg((corgi.predict('kb_m', corgi.kernel_features(x, 'gaussian', %s)) = y::int)::int) "
                "FROM kb_rows WHERE id %% 4 = 0", (params,))
    corgi_accuracy = float(cur.fetchone()[0])
    cur.execute("SELECT corgi.train('kb_train', 'kb_lin', 'y', 'x', 'svm', 10)")
    cur.execute("SELECT avg((corgi.predict('kb_lin', x) = y::int)::int) FROM kb_rows WHERE id % 4 = 0")
    linear_accuracy = float(cur.fetchone()[0])
    cur.execute("DROP TABLE kb_lin, kb_lin_summary")
    print(f"{name:8s} {'corgi svm on corgi.kernel_features (10 epochs)':48s} {corgi_accuracy:9.4f} {corgi_seconds:8.2f}")
    print(f"{name:8s} {'corgi svm, linear (10 epochs)':48s} {linear_accuracy:9.4f} {'':>8s}")
    for label, model in [("scikit-learn SVC(rbf) (exact kernel)", SVC(kernel="rbf", gamma=gamma)),
                         ("scikit-learn RBFSampler + LinearSVC",
                          make_pipeline(RBFSampler(gamma=gamma, n_components=components, random_state=1), LinearSVC()))]:
        t0 = time.perf_counter()
        model.fit(X[train], y[train])
        seconds = time.perf_counter() - t0
        print(f"{name:8s} {label:48s} {(model.predict(X[test]) == y[test]).mean():9.4f} {seconds:8.2f}")
    cur.execute("DROP TABLE kb_rows, kb_train, kb_m, kb_m_summary")
