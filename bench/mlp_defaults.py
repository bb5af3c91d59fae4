#!/usr/bin/env python3
"""corgi's mlp with its defaults against scikit-learn's MLPClassifier with its defaults, on
scikit-learn's breast_cancer, digits, wine and iris (issue 21: network defaults that match
what users compare with). Each data set: a stratified 75/25 split (random_state=0); the
training rows stored sorted by label (the clustered case) as a float8[] column; sklearn
fits in memory (hidden (100,), relu, Adam, batch min(200, n), up to 200 epochs with its
early stop on the training loss); corgi trains with the same layers for the epochs sklearn
ran (n_iter_), every other parameter its default. Test accuracy of both, 3 seeds each.
Connection from PGHOST/PGPORT/PGUSER/PGDATABASE. Usage: bench/mlp_defaults.py [params]
(extra corgi params, e.g. 'standardize=true')."""
import statistics
import sys
import warnings

import numpy as np
import psycopg
from sklearn.datasets import load_breast_cancer, load_digits, load_iris, load_wine
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier

warnings.simplefilter("ignore", ConvergenceWarning)
extra = sys.argv[1] if len(sys.argv) > 1 else ""
conn = psycopg.connect(autocommit=True)
conn.execute("SET client_min_messages = warning")

print(f"corgi params: {extra or '(defaults)'}")
print(f"{'data set':14} {'rows':>5} {'epochs':>6}  {'sklearn':>8}  {'corgi':>8}  {'gap':>6}")
for name, loader in [("breast_cancer", load_breast_cancer), ("digits", load_digits),
                     ("wine", load_wine), ("iris", load_iris)]:
    X, y = loader(return_X_y=True)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
    order = np.argsort(ytr, kind="stable")
    Xtr, ytr = Xtr[order], ytr[order]
    conn.execute("DROP TABLE IF EXISTS mlpd_train, mlpd_test")
    conn.execute("CREATE TABLE mlpd_train (label int, features float8[])")
    conn.execute("CREATE TABLE mlpd_test (label int, features float8[])")
    with conn.cursor() as cur:
        cur.executemany("INSERT INTO mlpd_train VALUES (%s, %s)", [(int(a), list(map(float, b))) for b, a in zip(Xtr, ytr)])
        cur.executemany("INSERT INTO mlpd_test VALUES (%s, %s)", [(int(a), list(map(float, b))) for b, a in zip(Xte, yte)])
    sk, co, ep = [], [], []
    for seed in (1, 2, 3):
        clf = MLPClassifier(random_state=seed).fit(Xtr, ytr)
        sk.append(clf.score(Xte, yte))
        ep.append(clf.n_iter_)
        conn.execute("DROP TABLE IF EXISTS mlpd_m, mlpd_m_summary")
        params = ", ".join(p for p in [f"seed={seed}", extra] if p)
        conn.execute("SELECT * FROM corgi.train('mlpd_train', 'mlpd_m', 'label', 'features', 'mlp', %s, params => %s)",
                     (clf.n_iter_, params))
        co.append(conn.execute("SELECT accuracy FROM corgi.evaluate('mlpd_m', 'mlpd_test')").fetchone()[0])
    s, c = statistics.mean(sk), statistics.mean(co)
    print(f"{name:14} {len(X):5d} {round(statistics.mean(ep)):6d}  {s:8.4f}  {c:8.4f}  {c - s:+6.3f}")
