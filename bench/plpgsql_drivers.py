#!/usr/bin/env python3
"""The PL/pgSQL drivers of an older install script, renamed NAME_plpgsql (bench/drivers.sh).

Reads an install script (sql/corgi.sql of a revision before the drivers moved to C) on
standard input and writes the definitions of the drivers and their PL/pgSQL helpers, each
renamed with the suffix _plpgsql (and every call among them too), so that they can be
created beside the C drivers of the installed extension and timed against them on the
same epoch engine. corgi._param (SQL up to 0.8.0, C since) and corgi._layers, which calls
it, come along: the old drivers read their params as they did.
"""
import re
import sys

NAMES = ["train", "fit_multiple", "_train_prepare", "_train_write", "_train_exact", "_train_grouped",
         "_fit_grouped", "_count_groups", "_group_states", "_reserve_outputs", "_release_outputs",
         "_notice_skipped", "_shuffled_copy", "_shared_param", "_param", "_layers"]
source = sys.stdin.read()
out = []
for name in NAMES:
    start = source.index(f"CREATE FUNCTION corgi.{name}(")
    end = source.index("COMMENT ON FUNCTION", start)
    block = source[start:end]
    for other in NAMES:
        block = re.sub(rf"(?<![\w.])corgi\.{other}\(", f"corgi.{other}_plpgsql(", block)
        block = re.sub(rf"(?<![\w.'])({other})\.(?=[a-z_])", rf"\1_plpgsql.", block)
    out.append(block)
print("\n".join(out))
