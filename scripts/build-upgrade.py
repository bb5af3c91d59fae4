#!/usr/bin/env python3
"""Builds an upgrade script from its source and the install script (make does it).

An upgrade source (sql/corgi--A--B.sql.in) is SQL with directives: a line
`@function corgi.NAME(ARGS)` stands for that function's whole definition in the install
script, from its CREATE FUNCTION to the end of its COMMENT ON FUNCTION, made a
CREATE OR REPLACE (a function the update adds is created by it alike); a line
`@view corgi.NAME` for a view's, from its CREATE VIEW to the end of its COMMENT ON VIEW,
made a CREATE OR REPLACE VIEW (its GRANTs are the source's to write); `@type corgi.NAME`
and `@aggregate corgi.NAME` for a new composite type's or aggregate's, from its CREATE to
the end of its COMMENT ON (as written: they create, so only for objects the update adds;
an aggregate's name must be unique in the install script); `@comment corgi.NAME(ARGS)` for
a function's COMMENT ON FUNCTION alone (its text changed, its body did not). ARGS are the
argument types as pg_proc writes them after `::regprocedure` (`corgi.f(text, integer)`),
which tells overloads apart. So an upgrade source declares what changed, and the bodies
exist once, in the install script: nothing to keep in step by hand. test/upgrade/run.sh
checks the result against a fresh install.

Usage: scripts/build-upgrade.py sql/corgi.sql sql/corgi--A--B.sql.in > sql/corgi--A--B.sql
       scripts/build-upgrade.py sql/corgi_madlib.sql sql/corgi_madlib--A--B.sql.in > ... (madlib.NAME)
"""
import re
import sys

install_path, source_path = sys.argv[1], sys.argv[2]
install = open(install_path).read()
HEAD = re.compile(r"^CREATE (?:OR REPLACE )?FUNCTION ((?:corgi|madlib)\.\w+)\(", re.M)
TYPES = {"float8": "double precision", "int": "integer", "int4": "integer", "int8": "bigint", "bool": "boolean",
         "float8[]": "double precision[]", "int[]": "integer[]", "int4[]": "integer[]", "int8[]": "bigint[]"}


def block_end(start):
    comment = install.index("COMMENT ON FUNCTION", start)
    return install.index(";\n", install.index(" IS", comment)) + 2


def signature(start):
    """The function's name and argument types (IN and INOUT ones, no names or defaults)."""
    m = HEAD.match(install, start)
    depth, i = 1, m.end()
    while depth:
        depth += {"(": 1, ")": -1}.get(install[i], 0)
        i += 1
    args = install[m.end():i - 1]
    args = re.sub(r"--[^\n]*", "", args)
    parts, depth, cur = [], 0, ""
    for ch in args:
        if ch == "," and depth == 0:
            parts.append(cur); cur = ""
            continue
        depth += {"(": 1, ")": -1}.get(ch, 0)
        cur += ch
    if cur.strip():
        parts.append(cur)
    types = []
    for p in parts:
        p = re.split(r"\s+DEFAULT\s+", p.strip(), flags=re.I)[0].strip()
        words = p.split()
        if words and words[0].upper() == "OUT":
            continue
        if words and words[0].upper() in ("IN", "INOUT", "VARIADIC"):
            words = words[1:]
        t = " ".join(words[1:]) if len(words) > 1 else words[0]
        types.append(TYPES.get(t, t))
    return f"{m.group(1)}({', '.join(types)})"


definitions = {}
for m in HEAD.finditer(install):
    definitions[signature(m.start())] = install[m.start():block_end(m.start())]

VIEW = re.compile(r"^CREATE VIEW (corgi\.\w+) AS", re.M)
views = {}
for m in VIEW.finditer(install):
    comment = install.index("COMMENT ON VIEW " + m.group(1), m.start())
    views[m.group(1)] = install[m.start():install.index(";\n", install.index(" IS", comment)) + 2]

def created(kind):
    """CREATE <kind> corgi.NAME ... through its COMMENT ON <kind>, by name."""
    found = {}
    for m in re.finditer(rf"^CREATE {kind} (corgi\.\w+)", install, re.M):
        comment = install.index(f"COMMENT ON {kind} {m.group(1)}", m.start())
        found[m.group(1)] = install[m.start():install.index(";\n", install.index(" IS", comment)) + 2]
    return found


objects = {"type": created("TYPE"), "aggregate": created("AGGREGATE")}

out = []
for number, line in enumerate(open(source_path).read().splitlines(keepends=True), 1):
    made = re.match(r"^@(type|aggregate)\s+(\S+)\s*$", line)
    if made:
        if made.group(2) not in objects[made.group(1)]:
            sys.exit(f"{source_path}:{number}: no {made.group(1)} {made.group(2)} in {install_path}")
        out.append(objects[made.group(1)][made.group(2)])
        continue
    view = re.match(r"^@view\s+(\S+)\s*$", line)
    if view:
        if view.group(1) not in views:
            sys.exit(f"{source_path}:{number}: no view {view.group(1)} in {install_path}")
        out.append(views[view.group(1)].replace("CREATE VIEW", "CREATE OR REPLACE VIEW", 1))
        continue
    directive = re.match(r"^@(function|comment)\s+(.+?)\s*$", line)
    if not directive:
        out.append(line)
        continue
    wanted = re.sub(r"\s*,\s*", ", ", directive.group(2))
    if wanted not in definitions:
        sys.exit(f"{source_path}:{number}: no function {wanted} in {install_path} "
                 f"(have: {', '.join(sorted(k for k in definitions if k.startswith(wanted.split('(')[0] + '(')))})")
    if directive.group(1) == "comment":
        definition = definitions[wanted]
        out.append(definition[definition.index("COMMENT ON FUNCTION"):])
        continue
    out.append(definitions[wanted].replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1))
sys.stdout.write("".join(out))
