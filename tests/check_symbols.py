#!/usr/bin/env python3
"""Fails when the shared library's dynamic symbol table is not exactly the
public API: every defined symbol must start with mproc_, and every function
the public headers declare with MPROC_API must be exported. With a third
argument, the committed list of exported symbols (name@version): each must
still be exported under the same version node -- removing or moving one
breaks programs linked against an earlier build -- and a new symbol must be
appended to the list, so that adding to the ABI is a deliberate act."""
import pathlib
import re
import subprocess
import sys


def exported_versioned(library):
    out = subprocess.run(["nm", "-D", "--defined-only", library],
                         check=True, capture_output=True, text=True).stdout
    names = set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) < 3:
            continue
        kind, name = parts[1], parts[2]
        if kind == "A":  # version-node markers such as MPROC_0.1
            continue
        names.add(name.replace("@@", "@"))
    return names


def exported(library):
    return {name.split("@")[0] for name in exported_versioned(library)}


def declared(header_dir):
    pattern = re.compile(r"MPROC_API\b[^;{]*?\b(mproc_\w+)\s*\(", re.S)
    names = set()
    for header in sorted(pathlib.Path(header_dir).glob("*.h")):
        names.update(pattern.findall(header.read_text()))
    return names


def main():
    library, header_dir = sys.argv[1], sys.argv[2]
    have = exported(library)
    want = declared(header_dir)
    problems = []
    for name in sorted(have):
        if not name.startswith("mproc_"):
            problems.append(f"exported without the mproc_ prefix: {name}")
    for name in sorted(want - have):
        problems.append(f"declared in a public header but not exported: {name}")
    for name in sorted(have - want):
        if name.startswith("mproc_"):
            problems.append(f"exported but declared in no public header: {name}")
    if not want:
        problems.append(f"no MPROC_API declarations found under {header_dir}")
    if len(sys.argv) > 3:
        committed = {ln.strip() for ln in pathlib.Path(sys.argv[3]).read_text().splitlines()
                     if ln.strip() and not ln.startswith("#")}
        versioned = exported_versioned(library)
        for sym in sorted(committed - versioned):
            problems.append(f"ABI break: {sym} is no longer exported (as that version)")
        for sym in sorted(versioned - committed):
            problems.append(f"new symbol {sym}: append it to {sys.argv[3]}")
    for p in problems:
        print(p)
    print(f"{len(have)} exported, {len(want)} declared, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
