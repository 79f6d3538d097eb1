#!/usr/bin/env python3
"""Prints a run's figures as the Markdown table README.md's "Measured"
section shows.

    python3 bench/table.py build/bench/results.jsonl

Each workload and baseline appears once, with its last figures in the file
(so give it the file of one run: bench/run.py --output FILE), in the order
the run measured them. The soak's and the robustness table's lines are
left out: they are outcomes, not comparisons.
"""
import json
import sys

from run import fmt


def main(argv):
    if len(argv) != 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    rows = {}
    with open(argv[1]) as source:
        for text in source:
            if not text.strip():
                continue
            r = json.loads(text)
            if "baseline_name" in r and "speedup" in r:
                rows.pop((r["workload"], r["baseline_name"]), None)
                rows[(r["workload"], r["baseline_name"])] = r  # last one wins, in run order
    print("| workload | unit | mproc (median) | baseline | baseline (median) | speedup |")
    print("|---|---|---|---|---|---|")
    shown = None
    for (workload, baseline), r in rows.items():
        first = workload != shown
        shown = workload
        head = f"| {workload} | {r['unit']} | {fmt(r['mproc'])} |" if first else "|  |  |  |"
        ratio = r["speedup"]
        if ratio != ratio:  # NaN: a ratio of zeros (the dict's lost entries)
            shown_ratio = "(both 0)" if r["mproc"] == 0 and r["baseline"] == 0 else "-"
        else:
            shown_ratio = f"{ratio:.2f}x"
        print(f"{head} {baseline} | {fmt(r['baseline'])} | {shown_ratio} |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
