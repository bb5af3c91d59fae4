#!/usr/bin/env python3
"""Seeded fuzzing of every corgi SQL function: random and NULL arguments, mutated states,
random cancels. Prints the SQL script on stdout; test/fuzz/run.sh runs it through psql and
fails on any lost connection or server crash.

Besides the hand-written calls below (which aim at deep paths), every function PUBLIC may
execute is called with arguments drawn by type, round robin from the catalog (the file
CATALOG: one line per function, `name|kind|type,type,...`, written by run.sh), so a new
function is fuzzed as soon as it is declared; and half of all calls run as an ordinary role
(fuzz_user: USAGE on corgi, SELECT on the fuzz tables, a schema of its own).

Usage: fuzz.py SEED CALLS [CATALOG]
"""
import random
import sys

seed = int(sys.argv[1]) if len(sys.argv) > 1 else 1
calls = int(sys.argv[2]) if len(sys.argv) > 2 else 3000
catalog_path = sys.argv[3] if len(sys.argv) > 3 else None
rng = random.Random(seed)

EDGE_INTS = ["0", "1", "-1", "2", "3", "7", "1000", "2147483647", "-2147483648", "65536", "1000001"]
EDGE_BIGINTS = EDGE_INTS + ["9223372036854775807", "-9223372036854775808", "4294967296", "67108864", "67108865"]
EDGE_FLOATS = ["0", "1", "-1", "0.5", "1e-300", "1e300", "'NaN'", "'Infinity'", "'-Infinity'", "1.5", "-0.0"]
MODELS = ["logistic", "linear", "svm", "softmax", "mlp", "mlp_regression", "", "LOGISTIC", "logistic\u00e9", "x" * 300]
BUFFERS = ["shuffle", "none", "sliding_window", "mrs", "", "bogus"]
PARAM_KEYS = ["learning_rate", "decay", "batch_size", "l2", "l1", "intercept", "buffer_fraction",
              "block_mb", "max_buffer_mb", "seed", "validation_table", "nope", "", "average", "optimizer",
              "momentum", "beta1", "beta2", "epsilon", "hidden_layers", "activation", "standardize",
              "segments", "segment_offset", "segment_seed", "workers"]
PARAM_VALUES = ["0", "1", "-1", "0.5", "1e10", "NaN", "inf", "true", "maybe", "", "fuzz_pts",
                "1e-320", "1048577", "9999999999999999999999", "2", "[1,2]", "adam", "momentum", "sgd",
                "[3]", "[0]", "[100000,100000]", "[2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2]", "relu", "tanh", "0.999"]
TABLES = ["fuzz_pts", "fuzz_model", "fuzz_words", "fuzz_empty", "no_such", "fuzz_model_summary",
          "pg_class", "corgi.no", "\"Fuzz Pts\"", "a.b.c", ""]


def lit(text):
    return "'" + text.replace("'", "''") + "'"


def maybe_null(value, sqltype, p=0.12):
    return f"NULL::{sqltype}" if rng.random() < p else value


def int_arg():
    return maybe_null(rng.choice(EDGE_INTS + [str(rng.randint(-5, 50))]), "integer")


def bigint_arg():
    return maybe_null(rng.choice(EDGE_BIGINTS + [str(rng.randint(-5, 5000))]), "bigint")


def float_arg():
    return maybe_null(rng.choice(EDGE_FLOATS) + "::float8", "float8")


def params_arg():
    n = rng.randint(0, 4)
    parts = []
    for _ in range(n):
        parts.append(f"{rng.choice(PARAM_KEYS)}={rng.choice(PARAM_VALUES)}")
    if rng.random() < 0.1:
        parts.append(",,")
    return maybe_null(lit(", ".join(parts)), "text")


def float_array():
    r = rng.random()
    if r < 0.1:
        return "NULL::float8[]"
    if r < 0.2:
        return "'{}'::float8[]"
    if r < 0.3:
        return "ARRAY[[1,2],[3,4]]::float8[]"
    if r < 0.4:
        return "ARRAY[1, NULL]::float8[]"
    n = rng.choice([1, 2, 3, 4, 1000])
    vals = [rng.choice(EDGE_FLOATS).strip("'") if rng.random() < 0.2 else str(rng.uniform(-3, 3)) for _ in range(n)]
    return "ARRAY[" + ", ".join(f"'{v}'::float8" for v in vals) + "]"


def state_arg():
    """A state: valid, truncated, or with random bytes overlaid (counters, shape, parameters)."""
    base = rng.choice([
        "corgi.sgd_state('logistic', 2, 10)",
        "corgi.sgd_state('softmax', 2, 10, '', ARRAY[0, 1, 2]::float8[])",
        "corgi.sgd_state('linear', 2, 5, 'l1=0.1, batch_size=3')",
        "corgi.sgd_state('svm', 2, 10, '', NULL, 'mrs')",
        "corgi.sgd_state('mlp', 2, 10, 'hidden_layers=[3,2]', ARRAY[0, 1]::float8[])",
        "corgi.sgd_state('mlp_regression', 2, 10, 'hidden_layers=[4], optimizer=momentum')",
        "corgi.sgd_state('logistic', 2, 10, 'optimizer=adam, batch_size=3')",
        "(SELECT model FROM fuzz_mlp)",
        "(SELECT model FROM fuzz_model)",
    ])
    r = rng.random()
    if r < 0.1:
        return "NULL::bytea"
    if r < 0.3:
        return base
    if r < 0.45:
        return f"substring({base} FROM 1 FOR {rng.randint(0, 200)})"
    if r < 0.5:
        return f"'\\x{rng.randbytes(rng.randint(0, 64)).hex()}'::bytea"
    # Field starts (1-based) of a format-version-2 state: section tags and lengths,
    # header fields, every parameter, every progress counter, the model and beyond.
    position = rng.choice([5, 7, 9, 13, 14, 15, 16, 17, 21, 25, 29, 31, 35, 43, 51, 55, 63, 71, 79, 87, 95,
                           103, 111, 119, 127, 135, 139, 141, 145, 153, 157, 165, 173, 181, 189, 197, 205,
                           213, 215, 219, 227, rng.randint(1, 300)])
    length = rng.choice([1, 2, 4, 8])
    payload = rng.choice([b"\xff" * length, b"\x00" * length, b"\x7f" + b"\xff" * (length - 1),
                          rng.randbytes(length), b"\x00" * (length - 1) + b"\x80"])
    return f"overlay({base} PLACING '\\x{payload.hex()}'::bytea FROM {position} FOR {length})"


def text_arg(choices, p=0.12):
    return maybe_null(lit(rng.choice(choices)), "text", p)


def table_arg():
    return text_arg(TABLES)


CATALOG = []
if catalog_path:
    for line in open(catalog_path):
        name, kind, types = line.rstrip("\n").split("|")
        CATALOG.append((name, kind, [t for t in types.split(",") if t]))
next_function = 0

def plan():
    return (f"(corgi._train_prepare('fuzz_pts', 'fuzz_plan_{rng.randrange(10**9)}', 'label', 'features', "
            f"{lit(rng.choice(['logistic', 'mlp', 'svm', 'linear']))}, 1, 'corgipile', '', current_setting('search_path')))")


def typed_arg(sqltype):
    """An argument of a catalog type: mostly plausible, sometimes edge or NULL."""
    if rng.random() < 0.1:
        return f"NULL::{sqltype}"
    if sqltype == "text":
        return lit(rng.choice(TABLES + MODELS[:4] + ["label", "features", "word", "", "shuffle", "corgipile",
                                                     "learning_rate=0.1", "public", "fuzz_model", "id % 2"]))
    if sqltype == "integer":
        return int_arg()
    if sqltype == "bigint":
        return bigint_arg()
    if sqltype == "double precision":
        return float_arg()
    if sqltype == "double precision[]":
        return float_array()
    if sqltype == "boolean":
        return rng.choice(["true", "false"])
    if sqltype == "bytea":
        return state_arg()
    if sqltype == "bytea[]":
        return "ARRAY[" + ", ".join(state_arg() for _ in range(rng.choice([1, 2]))) + "]::bytea[]"
    if sqltype == "regclass":
        return rng.choice(["'fuzz_pts'::regclass", "'fuzz_view'::regclass", "'fuzz_parent'::regclass",
                           "'fuzz_model'::regclass", "'fuzz_parted'::regclass", "'pg_class'::regclass"])
    if sqltype == "regclass[]":
        return rng.choice(["'{fuzz_pts}'::regclass[]", "'{fuzz_parted_a,fuzz_parted_r}'::regclass[]", "'{}'::regclass[]"])
    if sqltype == "name":
        return lit(rng.choice(["features", "label", "word", "id", "nope", "ctid"])) + "::name"
    if sqltype == "name[]":
        return rng.choice(["ARRAY['word']::name[]", "ARRAY['word', 'id']::name[]", "'{}'::name[]", "ARRAY['nope']::name[]"])
    if sqltype == "text[]":
        return rng.choice(["ARRAY['a', 'b']", "ARRAY['fuzz_pts']", "'{}'::text[]", "ARRAY[NULL]::text[]",
                           "ARRAY['public.fuzz_tmp_' || pg_backend_pid()]"])
    if sqltype == "integer[]":
        return rng.choice(["ARRAY[0]", "ARRAY[0, 1]", "'{}'::int[]", "ARRAY[-1]", "ARRAY[NULL::int]", "ARRAY[[1]]"])
    if sqltype == "bigint[]":
        return rng.choice(["ARRAY[1]::bigint[]", "ARRAY[1, 2, 3]::bigint[]", "'{}'::bigint[]"])
    if sqltype == "regtype[]":
        return rng.choice(["ARRAY['text']::regtype[]", "'{}'::regtype[]", "ARRAY['bytea', 'text']::regtype[]"])
    if sqltype == "record":
        return rng.choice(["ROW('a'::text)", "ROW(1, 'b'::text)", "ROW(NULL::int)"])
    if sqltype == "corgi.training_plan":
        return plan()
    if sqltype == "corgi.training_plan[]":
        return f"ARRAY[{plan()}]"
    return f"NULL::{sqltype}"


def catalog_call():
    """The next catalog function, round robin, with arguments drawn by type."""
    global next_function
    name, kind, types = CATALOG[next_function % len(CATALOG)]
    next_function += 1
    args = ", ".join(f"({typed_arg(t)})::{t}" for t in types)
    if kind == "a":
        return f"SELECT {name}({args}) IS NULL FROM fuzz_pts;"
    return f"SELECT ({name}({args})) IS NULL;"


def call():
    if CATALOG and rng.random() < 0.35:
        return catalog_call()
    kind = rng.randrange(28)
    if kind == 0:
        return f"SELECT corgi.normalize_params({params_arg()});"
    if kind == 1:
        classes = rng.choice(["NULL::float8[]", "ARRAY[0, 1, 2]::float8[]", "ARRAY[1, 1]::float8[]",
                              "ARRAY['NaN']::float8[]", "'{}'::float8[]", float_array()])
        return (f"SELECT length(corgi.sgd_state({text_arg(MODELS)}, {int_arg()}, {bigint_arg()}, "
                f"{params_arg()}, {classes}, {text_arg(BUFFERS)}));")
    if kind in (2, 3):
        agg = "sgd" if kind == 2 else "sgd_pass"
        sample = rng.choice(["", f"TABLESAMPLE corgi.corgi_block_shuffle({rng.choice(EDGE_FLOATS)}) "
                                 f"REPEATABLE ({rng.choice(EDGE_FLOATS)})"])
        label = rng.choice(["label::int::float8", "NULL::float8", "'NaN'::float8", "7::float8", "(-1)::float8"])
        feats = rng.choice(["features", "features_r::float8[]", "NULL::float8[]", float_array()])
        return f"SELECT length(corgi.{agg}({feats}, {label}, {state_arg()})) FROM fuzz_pts {sample};"
    if kind == 4:
        return f"SELECT length(corgi.sgd_end_epoch({state_arg()}));"
    if kind == 5 and rng.random() < 0.4:
        blocks = rng.choice(["ARRAY[0]", "ARRAY[0, 1, 2]", "ARRAY[-1]", "ARRAY[2147483647]", "'{}'::int[]",
                             "ARRAY[0, NULL]", "ARRAY[[0, 1]]", "ARRAY(SELECT generate_series(0, 40))"])
        rel = rng.choice(["'fuzz_pts'", "'fuzz_parent'", "'fuzz_view'", "NULL"])
        return (f"SELECT length(corgi.train_blocks({rel}::regclass, 'features', 'label', {state_arg()}, {blocks}, "
                f"{rng.choice(['1', '4', '0', '-3', '131073', 'NULL'])}));")
    if kind in (5, 6):
        rel = rng.choice(["'fuzz_pts'", "'fuzz_words'", "'fuzz_empty'", "'pg_class'", "NULL", "'fuzz_view'",
                          "'fuzz_parent'"])
        feats = rng.choice(["'features'", "'features_r'", "'label'", "'nope'", "'ctid'", "NULL"])
        label = rng.choice(["'label'", "'features'", "'word'", "'nope'", "NULL"])
        return (f"SELECT length(corgi.train_pass({rel}::regclass, {feats}, {label}, {state_arg()}, "
                f"{rng.choice(['true', 'false', 'NULL'])}, {bigint_arg()}, {bigint_arg()}));")
    if kind == 7:
        fn = rng.choice(["sgd_state_info", "sgd_coef", "sgd_intercept", "sgd_classes"])
        return f"SELECT corgi.{fn}({state_arg()}) IS NULL;"
    if kind == 8:
        return f"SELECT corgi.epoch_seed({bigint_arg()}, {int_arg()});"
    if kind in (9, 10):
        fn = rng.choice(["predict", "predict_proba", "predict_label"])
        model = text_arg(["fuzz_model", "fuzz_softmax", "fuzz_linear", "fuzz_mlp", "fuzz_pts", "no_such",
                          "fuzz_model_summary"])
        return f"SELECT corgi.{fn}({model}, {float_array()});"
    if kind == 11:
        fn = rng.choice(["model_predict", "model_predict_proba", "model_scores"])
        return f"SELECT corgi.{fn}({state_arg()}, {float_array()});"
    if kind in (12, 13, 14):
        # NULLs are rarer here, so that most calls get as far as training.
        src = text_arg(["fuzz_pts", "fuzz_pts", "fuzz_words", "fuzz_empty", "fuzz_view", "fuzz_parent", "no_such",
                        "pg_class"], 0.02)
        label = text_arg(["label", "label", "word", "label::int", "features", "nope", "1/0", "label AND true"], 0.02)
        feats = text_arg(["features", "features", "features_r", "ARRAY[1, 2]", "label", "nope", "ARRAY[]::float8[]"], 0.02)
        model = text_arg(["logistic", "svm", "linear", "softmax"] + MODELS, 0.02)
        epochs = maybe_null(rng.choice(["1", "2", "0", "-1", "100001", "3"]), "integer", 0.02)
        shuffle = text_arg(["corgipile", "block_only", "none", "once", "sliding_window", "mrs", "random"], 0.02)
        out = f"fuzz_out_{rng.randrange(10**9)}"
        return (f"SELECT * FROM corgi.train({src}, {lit(out)}, {label}, {feats}, {model}, {epochs}, {shuffle}, "
                f"{params_arg()}, {rng.choice(['true', 'false', 'NULL'])});")
    if kind == 15:
        model = text_arg(["fuzz_model", "fuzz_softmax", "fuzz_linear", "fuzz_mlp", "no_such", "fuzz_pts"])
        return (f"SELECT * FROM corgi.evaluate({model}, {table_arg()}, "
                f"{text_arg(['label', 'word', 'nope', '1'])}, {text_arg(['features', 'nope', 'ARRAY[1,2]'])});")
    if kind == 16:
        model = text_arg(["fuzz_model", "fuzz_softmax", "no_such"])
        out = f"fuzz_scored_{rng.randrange(10**9)}"
        return (f"SELECT corgi.predict_table({model}, {table_arg()}, {text_arg(['id', 'nope'])}, {lit(out)}, "
                f"{text_arg(['features', 'nope'])});")
    if kind == 17:
        return (f"SELECT count(*) FROM fuzz_pts TABLESAMPLE corgi.corgi_block_shuffle({rng.choice(EDGE_FLOATS)}) "
                f"REPEATABLE ({rng.choice(EDGE_FLOATS)});")
    if kind == 18:
        r = rng.random()
        if r < 0.3:
            return f"SELECT corgi.normalize_params({params_arg()}, {text_arg(MODELS)});"
        if r < 0.6:
            return f"SELECT length(corgi.sgd_standardize({state_arg()}, {float_array()}, {float_array()}));"
        if r < 0.7:
            feats = rng.choice(["features", "features_r::float8[]", "NULL::float8[]", float_array()])
            return f"SELECT corgi._feature_moments({feats}) FROM fuzz_pts;"
        if r < 0.8:
            fn = rng.choice(["hop_order", "segment_of_blocks"])
            return f"SELECT cardinality(corgi.{fn}({int_arg()}, {int_arg()}, {bigint_arg()}, {int_arg()}));"
        return f"SELECT corgi.version(), corgi.debug_swift_objects() >= 0;"
    if kind == 21:
        # One model-hopping epoch, crafted: any states, offsets, shapes and worker counts.
        n = rng.choice([1, 2, 3])
        states = "ARRAY[" + ", ".join(state_arg() for _ in range(n)) + "]"
        offsets = rng.choice([f"ARRAY[{', '.join(str(rng.randint(-1, 4)) for _ in range(n))}]", "ARRAY[0]",
                              "'{}'::int[]", "ARRAY[NULL::int]", "ARRAY[[0]]"])
        rel = rng.choice(["'fuzz_pts'", "'fuzz_view'", "'fuzz_parent'", "'fuzz_empty'", "NULL"])
        return (f"SELECT cardinality((corgi._hop_epoch({rel}::regclass, 'features', 'label', {states}, {offsets}, "
                f"{int_arg()}, {bigint_arg()}, {rng.choice(['true', 'false'])}, "
                f"{rng.choice(['0', '1', '2', '-1', '1000', 'NULL'])})).states);")
    if kind == 22:
        src = text_arg(["fuzz_pts", "fuzz_pts", "fuzz_view", "fuzz_words", "fuzz_empty", "no_such"], 0.02)
        configs = text_arg(["fuzz_configs", "fuzz_configs", "fuzz_pts", "no_such", "fuzz_model"], 0.02)
        epochs = maybe_null(rng.choice(["1", "2", "0", "-1"]), "integer", 0.02)
        shuffle = text_arg(["corgipile", "block_only", "none", "once", "mrs", "random"], 0.02)
        out = f"fuzz_hop_{rng.randrange(10**9)}"
        return (f"SELECT * FROM corgi.fit_multiple({src}, {lit(out)}, 'label', 'features', {configs}, {epochs}, "
                f"{shuffle}, {params_arg()}, {text_arg(['fuzz_pts', 'no_such'], 0.7)});")
    if kind == 23:
        # Grouped training: columns, expressions, junk, any model and shuffle.
        groups = text_arg(["word", "id % 3", "word, id % 2", "label", "nope", "", "word,", "(word", "id % 0",
                           "features", "ctid", "word, word"], 0.05)
        src = text_arg(["fuzz_pts", "fuzz_pts", "fuzz_view", "fuzz_empty"], 0.02)
        model = text_arg(["logistic", "svm", "linear", "softmax", "mlp"], 0.02)
        shuffle = text_arg(["corgipile", "none", "once", "mrs", "block_only"], 0.02)
        out = f"fuzz_grp_{rng.randrange(10**9)}"
        label = text_arg(["label", "label", "id", "word"], 0.02)
        return (f"SELECT * FROM corgi.train({src}, {lit(out)}, {label}, 'features', {model}, "
                f"{rng.choice(['1', '2'])}, {shuffle}, {params_arg()}, false, {groups});")
    if kind == 24:
        keys = rng.choice(["ARRAY['a']", "ARRAY['a', 'b']", "ARRAY[NULL]::text[]", "'{}'::text[]", "ARRAY['1', 'x']",
                           "ARRAY[[1]]::text[]", "NULL::text[]"])
        r = rng.random()
        if r < 0.4:
            n = rng.choice([1, 2])
            states = "ARRAY[" + ", ".join(state_arg() for _ in range(n)) + "]"
            cols = rng.choice(["ARRAY['word']::name[]", "ARRAY['id']::name[]", "ARRAY['nope']::name[]", "'{}'::name[]",
                               "ARRAY['word', 'id']::name[]", "ARRAY[NULL]::name[]"])
            return (f"SELECT cardinality(corgi._train_groups('fuzz_pts', 'features', 'label', {cols}, {keys}, {states}, "
                    f"{rng.choice(['true', 'false'])}));")
        if r < 0.7:
            key = rng.choice(["ROW('a'::text)", "ROW(1, 'b'::text)", "ROW(NULL::int)", "NULL::record", "ROW(1.5::float8)"])
            return f"SELECT corgi._group_index({key}, {keys});"
        model = text_arg(["fuzz_model", "fuzz_grouped", "no_such"])
        return (f"SELECT * FROM corgi.evaluate({model}, {table_arg()}, NULL, NULL, "
                f"{rng.choice(['NULL', '1', '-1'])});")
    if kind == 25:
        # Model hopping over partitions: a local one and a loopback postgres_fdw one
        # (jobs sent over libpq to this same server), crafted lists, states and offsets.
        r = rng.random()
        n = rng.choice([1, 2])
        states = "ARRAY[" + ", ".join(state_arg() for _ in range(n)) + "]"
        if r < 0.4:
            parts = rng.choice(["'{fuzz_parted_a,fuzz_parted_r}'", "'{fuzz_parted_r}'", "'{fuzz_parted_a}'",
                                "'{fuzz_parted_a,fuzz_parted_a}'", "'{fuzz_view}'", "'{fuzz_parent}'", "'{}'",
                                "'{fuzz_parted}'", "ARRAY[NULL]", "'{{fuzz_pts}}'"])
            offsets = rng.choice([f"ARRAY[{', '.join(str(rng.randint(-1, 2)) for _ in range(n))}]", "ARRAY[0]",
                                  "'{}'::int[]", "ARRAY[NULL::int]"])
            return (f"SELECT cardinality((corgi._hop_partitions({parts}::regclass[], 'features', 'label', {states}, "
                    f"{offsets}, {bigint_arg()}, {rng.choice(['true', 'false'])}, "
                    f"{rng.choice(['0', '1', '-1', '2', 'NULL'])})).states);")
        if r < 0.6:
            rel = rng.choice(["'fuzz_pts'", "'fuzz_view'", "'fuzz_parted_r'", "'fuzz_parted'", "'fuzz_empty'"])
            return (f"SELECT length((corgi._train_segment({rel}::regclass, 'features', 'label', {state_arg()}, "
                    f"{rng.choice(['true', 'false'])})).state);")
        out = f"fuzz_part_{rng.randrange(10**9)}"
        if r < 0.8:
            return (f"SELECT * FROM corgi.fit_multiple('fuzz_parted', {lit(out)}, 'label', 'features', 'fuzz_configs', "
                    f"{rng.choice(['1', '2'])}, 'corgipile', {params_arg()});")
        return (f"SELECT * FROM corgi.train('fuzz_parted', {lit(out)}, 'label', 'features', "
                f"{text_arg(['logistic', 'svm', 'mlp', 'softmax'], 0.02)}, 1, 'corgipile', {params_arg()});")
    if kind == 26:
        # Grouped model selection: fit_multiple with grouping_cols, and crafted bundles
        # (corgi._bundle, _unbundle, _bundle_end_epoch, _hop_groups_epoch).
        r = rng.random()
        if r < 0.45:
            groups = text_arg(["word", "word", "id % 3", "label", "nope", "", "word, word", "features"], 0.05)
            src = text_arg(["fuzz_pts", "fuzz_pts", "fuzz_view", "fuzz_parted", "fuzz_empty"], 0.02)
            out = f"fuzz_gfm_{rng.randrange(10**9)}"
            return (f"SELECT * FROM corgi.fit_multiple({src}, {lit(out)}, 'label', 'features', 'fuzz_configs', "
                    f"{rng.choice(['1', '2'])}, {text_arg(['corgipile', 'none', 'mrs'], 0.02)}, {params_arg()}, "
                    f"{text_arg(['fuzz_pts'], 0.9)}, false, {groups});")
        n = rng.choice([1, 2])
        states = "ARRAY[" + ", ".join(state_arg() for _ in range(n)) + "]"
        members = rng.choice([f"ARRAY[{', '.join(str(rng.randint(-1, 3)) for _ in range(n))}]", "ARRAY[0]", "'{}'::int[]",
                              "ARRAY[NULL::int]", "ARRAY[[0]]"])
        bundle = rng.choice([f"corgi._bundle({members}, {states})", "'\\x4347423101000000'::bytea", "'\\x00'::bytea",
                             "NULL::bytea", f"(SELECT corgi._bundle(ARRAY[0], ARRAY[model]) FROM fuzz_model LIMIT 1)"])
        if r < 0.6:
            return f"SELECT cardinality((corgi._unbundle({bundle})).states);"
        if r < 0.75:
            return f"SELECT cardinality((corgi._bundle_end_epoch({bundle})).groups);"
        keys = rng.choice(["ARRAY['a', 'b', 'c']", "ARRAY['a']", "'{}'::text[]", "ARRAY[NULL]::text[]"])
        cols = rng.choice(["ARRAY['word']::name[]", "ARRAY['nope']::name[]", "'{}'::name[]", "ARRAY['word', 'id']::name[]"])
        return (f"SELECT cardinality((corgi._hop_groups_epoch('fuzz_pts', 'features', 'label', {cols}, {keys}, "
                f"ARRAY[{bundle}], ARRAY[0], {int_arg()}, {bigint_arg()}, {rng.choice(['true', 'false'])}, "
                f"{rng.choice(['0', '1', '2', '-1'])})).bundles);")
    if kind == 19:
        # A cancel at a random moment of the next call.
        return f"SET statement_timeout = '{rng.randint(1, 40)}ms';\n{call()}\nRESET statement_timeout;"
    if kind == 20:
        return "BEGIN;\n" + call() + "\n" + rng.choice(["COMMIT;", "ROLLBACK;"])
    return f"SELECT length(corgi.sgd({float_array()}, {float_arg()}, {state_arg()}));"


SETUP = """
SET client_min_messages = error;
SET statement_timeout = '3s';
DROP TABLE IF EXISTS fuzz_pts, fuzz_words, fuzz_empty, fuzz_parent, fuzz_configs CASCADE;
CREATE TABLE fuzz_pts AS SELECT g AS id, g % 2 = 0 AS label, ARRAY[g % 5, g % 7]::float8[] AS features,
    ARRAY[g % 5, g % 7]::real[] AS features_r, (ARRAY['a', 'b', 'c'])[g % 3 + 1] AS word
FROM generate_series(1, 3000) g;
CREATE TABLE fuzz_words AS SELECT * FROM fuzz_pts;
CREATE TABLE fuzz_empty (LIKE fuzz_pts);
CREATE VIEW fuzz_view AS SELECT * FROM fuzz_pts WHERE id % 2 = 0;
CREATE TABLE fuzz_parent (LIKE fuzz_pts);
CREATE TABLE fuzz_child () INHERITS (fuzz_parent);
INSERT INTO fuzz_child SELECT * FROM fuzz_pts;
SELECT 1 FROM corgi.train('fuzz_pts', 'fuzz_model', 'label', 'features', 'logistic', 1);
SELECT 1 FROM corgi.train('fuzz_pts', 'fuzz_softmax', 'word', 'features', 'softmax', 1);
SELECT 1 FROM corgi.train('fuzz_pts', 'fuzz_linear', 'id', 'features', 'linear', 1, params => 'learning_rate=0.0001');
CREATE TABLE fuzz_configs AS SELECT * FROM corgi.config_grid('logistic', 'learning_rate=[0.01,0.1]')
    UNION ALL SELECT 3, 'mlp', 'hidden_layers=[3]';
SELECT 1 FROM corgi.train('fuzz_pts', 'fuzz_grouped', 'label', 'features', 'logistic', 1, grouping_cols => 'word');
SELECT 1 FROM corgi.train('fuzz_pts', 'fuzz_mlp', 'word', 'features', 'mlp', 1, params => 'hidden_layers=[4], standardize=true');
CREATE EXTENSION IF NOT EXISTS postgres_fdw;
DO $$ BEGIN
  EXECUTE format('CREATE SERVER fuzz_loopback FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host %L, port %L, dbname %L)',
                 split_part(current_setting('unix_socket_directories'), ',', 1), current_setting('port'), current_database());
END $$;
CREATE USER MAPPING FOR CURRENT_USER SERVER fuzz_loopback;
CREATE TABLE fuzz_remote_rows AS SELECT id, label, features, word FROM fuzz_pts WHERE id % 2 = 1;
CREATE TABLE fuzz_parted (id integer, label boolean, features float8[], word text) PARTITION BY LIST ((id % 2));
CREATE TABLE fuzz_parted_a PARTITION OF fuzz_parted FOR VALUES IN (0);
CREATE FOREIGN TABLE fuzz_parted_r PARTITION OF fuzz_parted FOR VALUES IN (1)
    SERVER fuzz_loopback OPTIONS (table_name 'fuzz_remote_rows');
INSERT INTO fuzz_parted_a SELECT id, label, features, word FROM fuzz_pts WHERE id % 2 = 0;
"""

ROLE_SETUP = """
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'fuzz_user') THEN CREATE ROLE fuzz_user NOSUPERUSER; END IF;
END $$;
DROP SCHEMA IF EXISTS fuzz_user_s CASCADE;
CREATE SCHEMA fuzz_user_s AUTHORIZATION fuzz_user;
GRANT USAGE ON SCHEMA corgi TO fuzz_user;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO fuzz_user;
GRANT CREATE ON SCHEMA public TO fuzz_user;
GRANT USAGE ON FOREIGN SERVER fuzz_loopback TO fuzz_user;
"""

print(SETUP)
print(ROLE_SETUP)
# Half of the calls run as the ordinary role, in blocks.
as_user = False
for i in range(calls):
    if i % 50 == 0:
        as_user = rng.random() < 0.5
        print("RESET ROLE;" if not as_user else "SET ROLE fuzz_user;")
    # Every catalog function is called as each role at least once.
    if CATALOG and i < 2 * len(CATALOG):
        print("SET ROLE fuzz_user;" if i >= len(CATALOG) else "RESET ROLE;")
        print(catalog_call())
        continue
    print(call())
print("RESET ROLE;")
print("RESET statement_timeout;")
# The ordinary role is still ordinary: no call gave it a privilege.
print("SELECT 'fuzz-role', rolsuper, rolcreaterole, rolbypassrls FROM pg_roles WHERE rolname = 'fuzz_user';")
# The threads once a joined thread has left /proc (test/data/backend_threads.sql; run.sh
# runs psql from the repository's root).
print("\\i test/data/backend_threads.sql")
print("SELECT 'fuzz-end', corgi.debug_swift_objects() AS objects_held, pg_temp.backend_threads() AS threads;")
