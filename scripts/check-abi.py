#!/usr/bin/env python3
"""Checks that every C prototype of a Swift export matches the export (make check-library).

The glue calls the Swift core through functions Swift exports with @_cdecl
(Sources/CorgiBoundary); their C prototypes are written in
Sources/CorgiGlue/corgi_core_api.h, and neither compiler sees both sides. This script
reads both: every @_cdecl export must have a prototype of the same name whose return
and parameter types are the C spellings of the Swift ones (table below), every
prototype must have an export, and each is listed once. Prints one "ok"/"not ok" line
and the differences.

Usage: scripts/check-abi.py Sources/CorgiBoundary Sources/CorgiGlue/corgi_core_api.h
"""
import os
import re
import sys

SCALARS = {"Int32": "int32_t", "Int64": "int64_t", "UInt32": "uint32_t", "UInt64": "uint64_t",
           "Double": "double", "Float": "float", "UInt8": "uint8_t", "CChar": "char", "Void": "void"}
STRUCTS = {"CorgiError", "CorgiStateInfo", "CorgiRowTag", "CorgiModelTraits", "CorgiRefusal"}


def c_of(swift):
    """The C spelling of a Swift parameter or return type, or None if unknown."""
    t = swift.strip()
    if t.endswith("?"):
        t = t[:-1]
    if t in SCALARS:
        return SCALARS[t]
    if t == "UnsafeMutableRawPointer":
        return "void *"
    if t == "UnsafeRawPointer":
        return "const void *"
    m = re.fullmatch(r"Unsafe(Mutable)?Pointer<(.+)>", t)
    if m:
        inner = m.group(2).strip()
        if inner.endswith("?"):
            inner = inner[:-1]
        if inner == "UnsafeMutableRawPointer":
            pointee = "void *"
        elif inner == "UnsafeRawPointer":
            pointee = "const void *"
        elif inner in SCALARS:
            pointee = SCALARS[inner]
        elif inner in STRUCTS:
            pointee = inner
        else:
            return None
        if m.group(1):
            return pointee + (" *" if not pointee.endswith("*") else "*")
        # const applies to the pointee: "const double *", and "void *const *".
        return ("const " + pointee + " *") if not pointee.endswith("*") else (pointee + "const *")
    return None


def normalize(c):
    c = re.sub(r"\s+", " ", c.strip())
    c = re.sub(r"\s*\*\s*", " *", c).replace("* *", "**").strip()
    return c.replace("*const", "* const").replace(" *const", " * const")


def split_top(text):
    parts, depth, cur = [], 0, ""
    for ch in text:
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
            continue
        depth += {"<": 1, ">": -1, "(": 1, ")": -1}.get(ch, 0)
        cur += ch
    if cur.strip():
        parts.append(cur)
    return parts


def swift_exports(folder):
    found = {}
    for name in sorted(os.listdir(folder)):
        if not name.endswith(".swift"):
            continue
        text = open(os.path.join(folder, name)).read()
        for m in re.finditer(r'@_cdecl\("(\w+)"\)\s*public func (\w+)\(', text):
            i, depth = m.end(), 1
            while depth:
                depth += {"(": 1, ")": -1}.get(text[i], 0)
                i += 1
            params = text[m.end():i - 1]
            ret = re.match(r"\s*->\s*([\w<>?\[\] ]+?)\s*\{", text[i:])
            types = []
            for p in split_top(params):
                p = re.sub(r"//[^\n]*", "", p).strip()
                if p:
                    types.append(p.split(":", 1)[1].strip())
            found.setdefault(m.group(1), []).append(
                (c_of(ret.group(1)) if ret else "void", [c_of(t) for t in types], name))
    return found


def c_prototypes(header):
    text = re.sub(r"/\*.*?\*/", "", open(header).read(), flags=re.S)
    found = {}
    for m in re.finditer(r"extern\s+([^;()]+?)\s*\b(\w+)\s*\(([^;]*?)\)\s*;", text, re.S):
        ret, name, params = m.group(1), m.group(2), m.group(3)
        types = []
        if params.strip() != "void":
            for p in params.split(","):
                p = p.strip()
                # The parameter's name is the last identifier.
                types.append(re.sub(r"\s*\b\w+$", "", p) if re.search(r"[\w\*]\s+\**\w+$", p) else p)
        found.setdefault(name, []).append((ret, types))
    return found


def main():
    exports = swift_exports(sys.argv[1])
    prototypes = c_prototypes(sys.argv[2])
    problems = []
    for name, defs in sorted(exports.items()):
        if len(defs) > 1:
            problems.append(f"{name}: exported {len(defs)} times")
        ret, params, where = defs[0]
        if None in params or ret is None:
            problems.append(f"{name} ({where}): a Swift type with no C spelling in scripts/check-abi.py")
            continue
        if name not in prototypes:
            problems.append(f"{name} ({where}): no prototype in {sys.argv[2]}")
            continue
        if len(prototypes[name]) > 1:
            problems.append(f"{name}: {len(prototypes[name])} prototypes")
        c_ret, c_params = prototypes[name][0]
        want = (normalize(ret), [normalize(p) for p in params])
        have = (normalize(c_ret), [normalize(p) for p in c_params])
        if want != have:
            problems.append(f"{name}: Swift ({where}) is {want[0]} ({', '.join(want[1])}), "
                            f"the prototype {have[0]} ({', '.join(have[1])})")
    for name in sorted(set(prototypes) - set(exports)):
        problems.append(f"{name}: a prototype without an @_cdecl export")
    label = f"the {len(exports)} Swift exports match their C prototypes (types, order, count)"
    if problems:
        print(f"not ok - {label}")
        for p in problems:
            print(f"    {p}")
        return 1
    print(f"ok - {label}")
    return 0


sys.exit(main())
