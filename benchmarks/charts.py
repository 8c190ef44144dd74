"""PNG charts of the benchmark results: every column of a result document (``benchmarks/results/
*.json``, see benchmarks/render.py) that marks a ratio field to chart (``"chart": field``, e.g.
"ours / oxigraph", "pipeline / raw", "lists / mirror") as horizontal bars, a bar per row that has
the ratio, labelled with the row's first cell and the ratio as its report shows it; the column's
goal drawn where it has one. One PNG per document beside it (``endpoint-100000.json`` →
``endpoint-100000.png``), none for a document without a charted ratio.

Usage: ``python benchmarks/charts.py [--results DIR]``
"""

from __future__ import annotations

import argparse
import math
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # files only, no screen
import matplotlib.pyplot as plt  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.render import REPO, cell, read  # noqa: E402


@dataclass
class Series:
    """One charted column: its heading, its goal, and (row label, ratio, ratio as shown) per row."""

    name: str
    goal: float | None
    bars: list[tuple[str, float, str]]


def series(document: dict[str, Any]) -> list[Series]:
    found = []
    for spec in document["tables"].values():
        first = spec["columns"][0]
        for column in spec["columns"]:
            if "chart" not in column:
                continue
            bars = [(cell(first, row), float(row[column["chart"]]), cell(column, row)) for row in spec["rows"]
                    if isinstance(row[column["chart"]], int | float) and math.isfinite(row[column["chart"]])]
            if bars:
                found.append(Series(column["label"], column.get("goal"), bars))
    return found


def draw(source: Path) -> Path | None:
    document = read(source)
    charted = series(document)
    if not charted:
        return None
    height = sum(0.35 * len(s.bars) + 1.0 for s in charted) + 0.6
    figure, axes = plt.subplots(len(charted), 1, figsize=(9, height), squeeze=False)
    for one, axis in zip(charted, axes[:, 0]):
        labels = [label for label, _ratio, _shown in one.bars][::-1]
        ratios = [ratio for _label, ratio, _shown in one.bars][::-1]
        shown = [text for _label, _ratio, text in one.bars][::-1]
        axis.barh(labels, ratios, color="#0b4f8a")
        axis.axvline(1.0, color="#4a4a4a", linewidth=0.8)
        if one.goal is not None:
            axis.axvline(one.goal, color="#b3401a", linestyle="--", linewidth=1.2, label=f"goal {one.goal:g}x")
            axis.legend(loc="lower right", fontsize=8)
        if max(ratios) / max(min(ratios), 1e-9) > 50:
            axis.set_xscale("log")
        for y, (ratio, text) in enumerate(zip(ratios, shown)):
            axis.annotate(text, (ratio, y), xytext=(3, 0), textcoords="offset points", va="center", fontsize=8)
        axis.set_title(one.name, fontsize=10)
        axis.tick_params(axis="y", labelsize=8)
    figure.suptitle(document["title"], fontsize=11)
    figure.tight_layout()
    target = source.with_suffix(".png")
    figure.savefig(target, dpi=110)
    plt.close(figure)
    return target


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--results", type=Path, default=REPO / "benchmarks/results")
    args = parser.parse_args(argv)
    for source in sorted(args.results.glob("*.json")):
        target = draw(source)
        if target is not None:
            print(f"wrote {target}", file=sys.stderr)


if __name__ == "__main__":
    main()
