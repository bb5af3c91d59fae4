#!/usr/bin/env python3
"""Refreshes the function definitions in an upgrade script from the install script.

Every `CREATE [OR REPLACE] FUNCTION corgi.NAME(` block of the upgrade script (up to the end
of the `COMMENT ON FUNCTION` that follows it) is replaced by the block of the same name in
the install script, keeping the upgrade script's `OR REPLACE`. A block whose first line
holds the whole signature's first line (`CREATE FUNCTION corgi.f(a text, b text) ...`)
takes that overload; a bare `CREATE FUNCTION corgi.f(` takes the first of the name. Run it
after changing a function the upgrade script redefines; test/upgrade/run.sh checks the
result.

Usage: scripts/sync-upgrade.py sql/corgi--0.1.1.sql sql/corgi--0.1.0--0.1.1.sql
"""
import re
import sys

install_path, upgrade_path = sys.argv[1], sys.argv[2]
install = open(install_path).read()
upgrade = open(upgrade_path).read()
HEAD = re.compile(r"^CREATE (OR REPLACE )?FUNCTION (corgi\.\w+)\((.*)$", re.M)


def block_end(text, start):
    comment = text.index("COMMENT ON FUNCTION", start)
    return text.index(";\n", text.index(" IS", comment)) + 2


def blocks(text):
    """Blocks by name, and by name plus the rest of their first line (to tell overloads
    apart: an upgrade script that writes the whole first line gets that overload)."""
    found = {}
    for m in HEAD.finditer(text):
        block = (m.start(), block_end(text, m.start()), bool(m.group(1)))
        found.setdefault(m.group(2), block)
        found.setdefault(m.group(2) + "(" + m.group(3), block)
    return found


def upgrade_blocks(text):
    found = {}
    for m in HEAD.finditer(text):
        rest = m.group(3).strip()
        key = m.group(2) + "(" + m.group(3) if rest else m.group(2)
        found[key] = (m.start(), block_end(text, m.start()), bool(m.group(1)))
    return found


source = blocks(install)
out, position = [], 0
for name, (start, end, replace) in sorted(upgrade_blocks(upgrade).items(), key=lambda kv: kv[1][0]):
    if name not in source:
        sys.exit(f"{name} is not in {install_path}")
    s_start, s_end, _ = source[name]
    fresh = install[s_start:s_end]
    if replace:
        fresh = fresh.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1)
    out.append(upgrade[position:start])
    out.append(fresh)
    position = end
out.append(upgrade[position:])
open(upgrade_path, "w").write("".join(out))
