#!/usr/bin/env python3
"""Fails when the shared library's dynamic symbol table is not exactly the
public API: every defined symbol must start with mproc_, and every function
the public headers declare with MPROC_API must be exported. With a third
argument, the committed list of exported symbols (name@version): each must
still be exported under the same version node -- removing or moving one
breaks programs linked against an earlier build -- and a new symbol must be
appended to the list, so that adding to the ABI is a deliberate act.

With --pe-objdump OBJDUMP the library is a Windows DLL: its export table
(read with that objdump, the cross toolchain's) must hold exactly the names
of the same committed list -- the .so's symbols -- since a DLL has no
version nodes.

    check_symbols.py LIBRARY HEADER_DIR [EXPORTED_LIST] [--pe-objdump OBJDUMP]"""
import argparse
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


def exported_pe(library, objdump):
    """The names in a DLL's export table (objdump -p's name pointer table)."""
    out = subprocess.run([objdump, "-p", library],
                         check=True, capture_output=True, text=True).stdout
    names, in_table = set(), False
    for line in out.splitlines():
        if line.startswith("[Ordinal/Name Pointer] Table"):
            in_table = True
        elif in_table:
            m = re.match(r"\s*\[\s*\d+\]\s+(\S+)\s*$", line)
            if not m:
                break
            names.add(m.group(1))
    return names


def declared(header_dir):
    pattern = re.compile(r"MPROC_API\b[^;{]*?\b(mproc_\w+)\s*\(", re.S)
    names = set()
    for header in sorted(pathlib.Path(header_dir).glob("*.h")):
        names.update(pattern.findall(header.read_text()))
    return names


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("library")
    parser.add_argument("header_dir")
    parser.add_argument("exported_list", nargs="?")
    parser.add_argument("--pe-objdump", help="the library is a DLL; read it with this objdump")
    args = parser.parse_args()
    library, header_dir = args.library, args.header_dir
    have = exported_pe(library, args.pe_objdump) if args.pe_objdump else exported(library)
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
    if args.exported_list:
        committed = {ln.strip() for ln in pathlib.Path(args.exported_list).read_text().splitlines()
                     if ln.strip() and not ln.startswith("#")}
        if args.pe_objdump:
            # The DLL must export exactly what the .so exports, by name.
            names = {sym.split("@")[0] for sym in committed}
            for name in sorted(names - have):
                problems.append(f"exported by the .so but not by the DLL: {name}")
            for name in sorted(have - names):
                problems.append(f"exported by the DLL but not by the .so: {name}")
        else:
            versioned = exported_versioned(library)
            for sym in sorted(committed - versioned):
                problems.append(f"ABI break: {sym} is no longer exported (as that version)")
            for sym in sorted(versioned - committed):
                problems.append(f"new symbol {sym}: append it to {args.exported_list}")
    for p in problems:
        print(p)
    print(f"{len(have)} exported, {len(want)} declared, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
