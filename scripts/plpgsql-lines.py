#!/usr/bin/env python3
"""Counts the lines of PL/pgSQL in an install script (issue 20's measure).

A function counts from its CREATE FUNCTION line to the line that closes its body
(`$$;` or `END $$;`), when its LANGUAGE is plpgsql. Prints the largest functions and
the total. Usage: scripts/plpgsql-lines.py [sql/corgi.sql]
"""
import re
import sys

lines = open(sys.argv[1] if len(sys.argv) > 1 else "sql/corgi.sql").read().split("\n")
i, total, rows = 0, 0, []
while i < len(lines):
    if not re.match(r"CREATE (OR REPLACE )?FUNCTION", lines[i]):
        i += 1
        continue
    j, language, body = i, None, False
    while j < len(lines):
        line = lines[j]
        found = re.search(r"LANGUAGE\s+(\w+)", line, re.I)
        if found and language is None:
            language = found.group(1).lower()
        if "$$" in line:
            if body or line.count("$$") == 2:
                break
            body = True
        elif not body and line.rstrip().endswith(";"):
            break
        j += 1
    if language == "plpgsql":
        rows.append((j - i + 1, lines[i][len("CREATE FUNCTION "):].split("(")[0]))
        total += j - i + 1
    i = j + 1
for count, name in sorted(rows, reverse=True)[:10]:
    print(f"{count:5d}  {name}")
print(f"{total} lines of PL/pgSQL in {len(rows)} functions")
