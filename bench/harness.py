#!/usr/bin/env python3
"""corgi benchmark harness: the CorgiPile study reproduced in our own database.

For each dataset (generated in SQL from a seed, or a real dataset bundled with
scikit-learn, each stored sorted by label and, for the generated ones, also in random
order) and each model, it trains with every shuffle mode of corgi.train (none,
block_only, sliding_window, mrs, once, corgipile) and with an in-memory reference
(scikit-learn's SGDClassifier, fully shuffled every epoch), all with the same learning
rate schedule, 10% buffers and seed, and records per-epoch accuracy, loss and seconds,
plus a plain sequential scan of the same table measured in the same run. Then it
sweeps buffer and block sizes on the largest sorted table.

Results go to CSV files in --out; bench/report.py turns them into plots and
BENCHMARKS.md. Connection: the usual PG* environment variables.

Usage: bench/harness.py [--scale 1.0] [--epochs 3] [--out bench/results] [--quick]
"""
import argparse
import csv
import os
import time

import numpy as np
import psycopg

MODES = ["none", "block_only", "sliding_window", "mrs", "once", "corgipile"]
LEARNING_RATE = 0.01
DECAY = 0.95
SEED = 42


def generated(name, rows, features, informative, shift, noise):
    """A dense dataset generated in SQL: label-dependent shift on the first
    `informative` features plus uniform noise; rows sorted by label (clustered)."""
    return dict(name=name, kind="generated", rows=rows, features=features,
                informative=informative, shift=shift, noise=noise)


def datasets(scale, quick):
    n = lambda x: max(2000, int(x * scale))
    if quick:
        return [generated("higgs_like", n(100_000), 28, 5, 0.25, 1.0),
                dict(name="breast_cancer", kind="sklearn")]
    return [
        generated("higgs_like", n(1_000_000), 28, 5, 0.25, 1.0),
        generated("susy_like", n(1_000_000), 18, 8, 0.2, 1.0),
        generated("wide", n(40_000), 1000, 20, 0.12, 1.0),
        dict(name="breast_cancer", kind="sklearn"),
        dict(name="digits", kind="sklearn"),
    ]


def create_generated(cur, d):
    table = d["name"]
    cur.execute("SELECT to_regclass(%s) IS NOT NULL", (table,))
    if cur.fetchone()[0]:
        # Reuse a table from an earlier run only if it is the same size (another
        # --scale or --quick run leaves tables of other sizes behind).
        cur.execute(f"SELECT count(*), max(cardinality(features)) FROM {table}")
        if cur.fetchone() == (d["rows"], d["features"]):
            return
        cur.execute(f"DROP TABLE IF EXISTS {table}, {table}_random")
    cur.execute("SELECT setseed(0.31)")
    cur.execute(
        f"""CREATE TABLE {table} AS
            SELECT g AS id, (g > %(half)s) AS label,
                   ARRAY(SELECT (CASE WHEN j <= %(inf)s THEN (CASE WHEN g > %(half)s THEN %(shift)s ELSE -%(shift)s END)
                                      ELSE 0 END) + (random() - 0.5) * 2 * %(noise)s
                         FROM generate_series(1, %(features)s) j WHERE g > 0)::float8[] AS features
            FROM generate_series(1, %(rows)s) g""",
        dict(half=d["rows"] // 2, inf=d["informative"], shift=d["shift"], noise=d["noise"],
             features=d["features"], rows=d["rows"]))
    cur.execute(f"VACUUM ANALYZE {table}")


def create_sklearn(cur, name):
    from sklearn.datasets import load_breast_cancer, load_digits
    cur.execute("SELECT to_regclass(%s) IS NOT NULL", (name,))
    if cur.fetchone()[0]:
        return
    data = load_breast_cancer() if name == "breast_cancer" else load_digits()
    x = data.data.astype(float)
    x = (x - x.mean(axis=0)) / np.where(x.std(axis=0) > 0, x.std(axis=0), 1.0)
    y = data.target.astype(int)
    order = np.argsort(y, kind="stable")   # clustered: sorted by label
    cur.execute(f"CREATE TABLE {name} (id int, label int, features float8[])")
    with cur.copy(f"COPY {name} (id, label, features) FROM STDIN") as copy:
        for i, k in enumerate(order):
            copy.write_row((i + 1, int(y[k]), list(map(float, x[k]))))
    cur.execute(f"VACUUM ANALYZE {name}")


def random_order_copy(cur, table):
    copy = table + "_random"
    cur.execute("SELECT to_regclass(%s) IS NOT NULL", (copy,))
    if not cur.fetchone()[0]:
        cur.execute(f"CREATE TABLE {copy} AS SELECT * FROM {table} ORDER BY md5(id::text)")
        cur.execute(f"VACUUM ANALYZE {copy}")
    return copy


def table_facts(cur, table):
    cur.execute(f"SELECT count(*), pg_relation_size(%s), pg_total_relation_size(%s), "
                f"count(DISTINCT label), max(cardinality(features)) FROM {table}", (table, table))
    rows, heap, total, classes, features = cur.fetchone()
    return dict(rows=rows, heap_bytes=heap, total_bytes=total, classes=classes, features=features)


def plain_scan_seconds(cur, table):
    best = None
    for _ in range(3):
        t0 = time.perf_counter()
        cur.execute(f"SELECT sum(features[1]) FROM {table}")
        cur.fetchone()
        best = min(best or 1e9, time.perf_counter() - t0)
    return best


def block_mb_for(facts):
    """CorgiPile's 10 MB blocks, but at least ~100 blocks for small tables (a table
    smaller than one block would be a single block: no block shuffle at all)."""
    return round(min(10.0, max(8192 / 1048576, facts["heap_bytes"] / 100 / 1048576)), 6)


def train(cur, table, model, mode, epochs, block_mb, buffer_fraction=0.1, label="label"):
    cur.execute("DROP TABLE IF EXISTS bench_model, bench_model_summary")
    # Plain SGD iterates (average=false), as the paper and the scikit-learn reference run:
    # the study measures what the order does to SGD; averaging (corgi's default) is
    # measured by bench/defaults_accuracy.sql.
    params = (f"learning_rate={LEARNING_RATE}, decay={DECAY}, seed={SEED}, block_mb={block_mb}, "
              f"buffer_fraction={buffer_fraction}, average=false, validation_table={table}")
    t0 = time.perf_counter()
    cur.execute("SELECT * FROM corgi.train(%s, 'bench_model', %s, 'features', %s, %s, %s, %s)",
                (table, label, model, epochs, mode, params))
    wall = time.perf_counter() - t0
    cur.execute("SELECT epoch_seconds, validation_loss, validation_metric, coalesce(shuffle_seconds, 0), "
                "training_path, buffer_rows, block_pages FROM bench_model_summary")
    seconds, losses, metrics, copy_seconds, path, buffer_rows, block_pages = cur.fetchone()
    return [dict(epoch=e + 1, seconds=seconds[e], loss=losses[e], accuracy=metrics[e],
                 copy_seconds=copy_seconds, path=path, buffer_rows=buffer_rows,
                 block_pages=block_pages, call_seconds=wall) for e in range(epochs)]


def sklearn_reference(cur, table, model, epochs, classes):
    """scikit-learn SGD in memory, fully shuffled every epoch, same per-epoch decay."""
    from sklearn.linear_model import SGDClassifier
    cur.execute(f"SELECT features, label FROM {table}")
    rows = cur.fetchall()
    x = np.array([r[0] for r in rows], dtype=float)
    y = np.array([int(r[1]) for r in rows])
    loss = "hinge" if model == "svm" else "log_loss"
    clf = SGDClassifier(loss=loss, penalty=None, learning_rate="constant", eta0=LEARNING_RATE,
                        random_state=SEED)
    rng = np.random.default_rng(SEED)
    out, classes_seen = [], np.unique(y)
    for e in range(epochs):
        clf.eta0 = LEARNING_RATE * DECAY ** e
        perm = rng.permutation(len(y))
        t0 = time.perf_counter()
        clf.partial_fit(x[perm], y[perm], classes=classes_seen)
        seconds = time.perf_counter() - t0
        out.append(dict(epoch=e + 1, seconds=seconds, loss=None,
                        accuracy=float((clf.predict(x) == y).mean()), copy_seconds=0,
                        path="in-memory", buffer_rows=len(y), block_pages=None, call_seconds=seconds))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", type=float, default=1.0, help="row-count multiplier for generated data")
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--out", default="bench/results")
    ap.add_argument("--quick", action="store_true", help="small data, for checking the harness")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)

    with psycopg.connect(autocommit=True) as conn, conn.cursor() as cur:
        cur.execute("CREATE EXTENSION IF NOT EXISTS corgi")
        cur.execute("SET client_min_messages = warning")
        cur.execute("SET max_parallel_workers_per_gather = 0")   # one process, like the training
        results, tables = [], []
        for d in datasets(args.scale, args.quick):
            if d["kind"] == "generated":
                create_generated(cur, d)
                tables += [(d["name"], d["name"], "sorted"), (d["name"], random_order_copy(cur, d["name"]), "random")]
            else:
                create_sklearn(cur, d["name"])
                tables.append((d["name"], d["name"], "sorted"))

        facts_rows = []
        for dataset, table, order in tables:
            facts = table_facts(cur, table)
            scan = plain_scan_seconds(cur, table)
            block_mb = block_mb_for(facts)
            facts_rows.append(dict(dataset=dataset, table=table, order=order, scan_seconds=scan,
                                   block_mb=block_mb, **facts))
            models = ["softmax"] if facts["classes"] > 2 else ["logistic", "svm"]
            for model in models:
                for mode in MODES:
                    print(f"{table} {model} {mode}", flush=True)
                    for r in train(cur, table, model, mode, args.epochs, block_mb):
                        results.append(dict(dataset=dataset, table=table, order=order, model=model,
                                            mode=mode, scan_seconds=scan, **r))
                print(f"{table} {model} sklearn", flush=True)
                for r in sklearn_reference(cur, table, model, args.epochs, facts["classes"]):
                    results.append(dict(dataset=dataset, table=table, order=order, model=model,
                                        mode="sklearn_full_shuffle", scan_seconds=scan, **r))

        # Sensitivity on the first (largest) generated dataset, sorted by label.
        sensitivity = []
        table = tables[0][1]
        facts = table_facts(cur, table)
        scan = plain_scan_seconds(cur, table)
        fractions = [0.01, 0.02, 0.05, 0.1, 0.2]
        blocks = [1, 2, 10, 40] if not args.quick else [0.1, 1]
        for fraction in fractions:
            for block in blocks:
                print(f"sensitivity buffer {fraction} block {block} MB", flush=True)
                rows = train(cur, table, "logistic", "corgipile", args.epochs, block, fraction)
                sensitivity.append(dict(table=table, buffer_fraction=fraction, block_mb=block,
                                        accuracy_epoch1=rows[0]["accuracy"],
                                        accuracy_last=rows[-1]["accuracy"], epochs=args.epochs,
                                        epoch_seconds=sum(r["seconds"] for r in rows) / len(rows),
                                        scan_seconds=scan))
        cur.execute("DROP TABLE IF EXISTS bench_model, bench_model_summary")

    def write(name, rows):
        with open(os.path.join(args.out, name), "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
            w.writeheader()
            w.writerows(rows)

    write("tables.csv", facts_rows)
    write("epochs.csv", results)
    write("sensitivity.csv", sensitivity)
    with open(os.path.join(args.out, "run.txt"), "w") as f:
        f.write(f"date={time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}\n"
                f"scale={args.scale}\nepochs={args.epochs}\nlearning_rate={LEARNING_RATE}\n"
                f"decay={DECAY}\nseed={SEED}\nquick={args.quick}\n")
    print("wrote", args.out)


if __name__ == "__main__":
    main()
