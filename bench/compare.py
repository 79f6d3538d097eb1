#!/usr/bin/env python3
"""Compares two benchmark runs and lists the rows that moved.

Each run is either a results.jsonl written by bench/run.py (the last
figure of each workload and baseline in it counts) or a table of the
shape README.md's "Measured" tables have, given as FILE.md:LINE with LINE
the table's header line. A row is one workload against one baseline; it
moved when its ratio (mproc against that baseline, as run.py computes it)
changed by more than the threshold, in either direction.

    python3 bench/compare.py README.md:505 build/bench/results.jsonl
    python3 bench/compare.py old.jsonl new.jsonl --threshold 0.2

Exit status 0 whether or not rows moved: this reports, it does not judge.
"""
import argparse
import json
import pathlib
import sys


def parse_number(text):
    text = text.strip().rstrip("x")
    try:
        return float(text)
    except ValueError:
        return None


def read_markdown(path, line):
    """Rows of the table whose header is at 1-based `line` of `path`."""
    lines = pathlib.Path(path).read_text().splitlines()
    if line < 1 or line > len(lines) or not lines[line - 1].lstrip().startswith("|"):
        raise SystemExit(f"{path}:{line}: no table starts there")
    rows = {}
    workload = unit = mproc = None
    for text in lines[line + 1:]:  # past the header and its rule
        if not text.lstrip().startswith("|"):
            break
        cells = [c.strip() for c in text.strip().strip("|").split("|")]
        if len(cells) != 6:
            continue
        if cells[0]:
            workload, unit, mproc = cells[0], cells[1], parse_number(cells[2])
        ratio = parse_number(cells[5])
        if workload is None or ratio is None:
            continue
        rows[(workload, cells[3])] = {"unit": unit, "mproc": mproc,
                                      "baseline": parse_number(cells[4]), "speedup": ratio}
    return rows


def read_jsonl(path):
    rows = {}
    with open(path) as source:
        for text in source:
            if not text.strip():
                continue
            r = json.loads(text)
            if "baseline_name" not in r or "speedup" not in r:
                continue  # the soak's and the robustness table's lines
            rows[(r["workload"], r["baseline_name"])] = r
    return rows


def read_run(spec):
    path, _, line = spec.rpartition(":")
    if path and line.isdigit():
        return read_markdown(path, int(line))
    if spec.endswith(".jsonl"):
        return read_jsonl(spec)
    raise SystemExit(f"{spec}: give a results .jsonl or FILE.md:LINE")


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("before")
    parser.add_argument("after")
    parser.add_argument("--threshold", type=float, default=0.10,
                        help="relative change of the ratio that counts as moved (default 0.10)")
    parser.add_argument("--verbose", action="store_true",
                        help="name every row found in one run only")
    args = parser.parse_args()
    before, after = read_run(args.before), read_run(args.after)
    common = [key for key in after if key in before]
    moved = []
    for key in common:
        old, new = before[key]["speedup"], after[key]["speedup"]
        change = (new - old) / old if old else float("inf")
        if abs(change) > args.threshold:
            moved.append((key, old, new, change))
    print(f"{len(common)} rows in both runs; {len(moved)} moved by more than "
          f"{args.threshold:.0%} (ratio before -> after):")
    for (workload, baseline), old, new, change in sorted(moved, key=lambda m: m[3]):
        print(f"  {workload:34} vs {baseline:34} {old:8.3g}x -> {new:8.3g}x  ({change:+.0%})")
    for label, keys in (("before", set(before) - set(after)), ("after", set(after) - set(before))):
        if not keys:
            continue
        names = sorted(f"{w} vs {b}" for w, b in keys)
        shown = names if args.verbose else names[:8]
        more = "" if len(shown) == len(names) else f", ... (--verbose lists all)"
        print(f"{len(names)} rows only {label}: " + ", ".join(shown) + more)
    return 0


if __name__ == "__main__":
    sys.exit(main())
