"""Draws one run of bench/run.py as a picture (its --chart option).

    chart.py FILE.png CAPTION < rows.json

rows.json is a list of {"workload", "baseline_name", "speedup"}; run.py
runs this file with a Python that has matplotlib (python3-matplotlib).

One horizontal bar per workload and baseline: how many times better mproc
is than that baseline, on a log scale, so 10x better and 10x worse are the
same length either side of the line at 1x. Bars are coloured by what the
baseline is -- Python, Boost, the raw OS, or mproc itself another way -- so
mproc's rows against Python sit beside those against Boost.
"""
import json
import math
import pathlib
import sys

import matplotlib

matplotlib.use("Agg")  # files only: no display needed
import matplotlib.pyplot as plt  # noqa: E402

FAMILIES = [  # (label, colour, words in a baseline's name), first match wins
    ("Python", "#3776ab", ("python", "mpi4py")),
    ("Boost", "#e8731a", ("boost",)),
    ("Wine", "#8e44ad", ("wine",)),
    ("mproc another way", "#7f8c8d", ("mproc", "same work")),
    ("raw OS / C", "#2e8b57", ()),
]


def family(baseline):
    low = baseline.lower()
    for label, colour, words in FAMILIES:
        if any(w in low for w in words) or not words:
            return label, colour
    raise AssertionError("the last family matches everything")


def draw(rows, path, caption):
    """rows: dicts with workload, baseline_name and speedup (one run)."""
    rows = [r for r in rows if r["speedup"] > 0 and math.isfinite(r["speedup"])]
    labels, values, colours = [], [], []
    previous = None
    for r in rows:
        name = r["workload"] if r["workload"] != previous else ""
        previous = r["workload"]
        labels.append(f"{name}  vs {r['baseline_name']}" if name else f"vs {r['baseline_name']}")
        values.append(r["speedup"])
        colours.append(family(r["baseline_name"])[1])
    height = 0.22 * len(rows) + 1.6
    fig, ax = plt.subplots(figsize=(11, height))
    y = list(range(len(rows)))[::-1]
    # Each bar runs from 1x to its ratio: right for a win, left for a loss.
    ax.barh(y, [v - 1 for v in values], left=1, color=colours)
    ax.set_xscale("log")
    ax.axvline(1.0, color="black", linewidth=0.8)
    ax.set_yticks(y)
    ax.set_yticklabels(labels, fontsize=7)
    ax.set_ylim(-0.7, len(rows) - 0.3)
    ax.set_xlabel("times better than the baseline (log scale; right of 1: mproc wins)")
    for yi, v in zip(y, values):
        ax.text(v, yi, f" {v:.3g}x", va="center", fontsize=6)
    used = {family(r["baseline_name"])[0] for r in rows}
    handles = [plt.Rectangle((0, 0), 1, 1, color=colour)
               for label, colour, _ in FAMILIES if label in used]
    ax.legend(handles, [label for label, _, _ in FAMILIES if label in used],
              loc="upper right", fontsize=8)
    ax.set_title(f"mproc against its baselines\n{caption}", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    draw(json.load(sys.stdin), pathlib.Path(sys.argv[1]), sys.argv[2])
