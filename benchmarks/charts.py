"""PNG charts of the benchmark results: every ratio column of every table in
``benchmarks/results/*.md`` (a column whose heading has " / " in it, e.g. "ours / oxigraph",
"pipeline / raw", "lists / mirror") as horizontal bars, one PNG per results file beside it
(``endpoint-100000.md`` → ``endpoint-100000.png``), with the goal drawn where the issue sets one.

Usage: ``python benchmarks/charts.py [--results DIR]``
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only, no screen
import matplotlib.pyplot as plt  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
#: Goals (issue 9, issue 5) by ratio column heading: the line drawn on its chart.
GOALS = {"ours / oxigraph": 1.5, "rdflib / ours": 50.0, "pipeline / raw": 5.0, "pipeline (turbo) / raw": 5.0, "page / sparql": 2.0, "restore / raw": 1.5,
         # benchmarks/lookups.py: a lookup at a size / the same lookup at 100k triples
         "1000000 / 100000": 2.0, "10000000 / 100000": 2.0}
_RATIO = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*[x×]\s*$")


def tables(markdown: str) -> list[tuple[list[str], list[list[str]]]]:
    """The tables of a Markdown text: (headings, rows of cells)."""
    found, lines = [], markdown.splitlines()
    i = 0
    while i < len(lines):
        if lines[i].startswith("|") and i + 1 < len(lines) and re.match(r"^\|[\s:|-]+\|$", lines[i + 1]):
            head = [c.strip() for c in lines[i].strip("|").split("|")]
            rows, i = [], i + 2
            while i < len(lines) and lines[i].startswith("|"):
                rows.append([c.strip() for c in lines[i].strip("|").split("|")])
                i += 1
            found.append((head, rows))
        else:
            i += 1
    return found


def ratio_series(markdown: str) -> list[tuple[str, list[tuple[str, float]]]]:
    """(column heading, [(row label, ratio)]) for every ratio column with at least one value."""
    series = []
    for head, rows in tables(markdown):
        for column, name in enumerate(head):
            if " / " not in name:
                continue
            values = []
            for row in rows:
                match = _RATIO.match(row[column]) if column < len(row) else None
                if match:
                    values.append((row[0], float(match.group(1))))
            if values:
                series.append((name, values))
    return series


def draw(source: Path) -> Path | None:
    series = ratio_series(source.read_text(encoding="utf-8"))
    if not series:
        return None
    title = source.read_text(encoding="utf-8").splitlines()[0].lstrip("# ").strip()
    height = sum(0.35 * len(values) + 1.0 for _name, values in series) + 0.6
    figure, axes = plt.subplots(len(series), 1, figsize=(9, height), squeeze=False)
    for (name, values), axis in zip(series, axes[:, 0]):
        labels = [label for label, _ratio in values][::-1]
        ratios = [ratio for _label, ratio in values][::-1]
        axis.barh(labels, ratios, color="#0b4f8a")
        axis.axvline(1.0, color="#4a4a4a", linewidth=0.8)
        goal = GOALS.get(name.lower())
        if goal is not None:
            axis.axvline(goal, color="#b3401a", linestyle="--", linewidth=1.2, label=f"goal {goal:g}x")
            axis.legend(loc="lower right", fontsize=8)
        if max(ratios) / max(min(ratios), 1e-9) > 50:
            axis.set_xscale("log")
        for y, ratio in enumerate(ratios):
            axis.annotate(f"{ratio:g}x", (ratio, y), xytext=(3, 0), textcoords="offset points", va="center", fontsize=8)
        axis.set_title(name, fontsize=10)
        axis.tick_params(axis="y", labelsize=8)
    figure.suptitle(title, fontsize=11)
    figure.tight_layout()
    target = source.with_suffix(".png")
    figure.savefig(target, dpi=110)
    plt.close(figure)
    return target


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--results", type=Path, default=REPO / "benchmarks/results")
    args = parser.parse_args(argv)
    for source in sorted(args.results.glob("*.md")):
        target = draw(source)
        if target is not None:
            print(f"wrote {target}", file=sys.stderr)


if __name__ == "__main__":
    main()
