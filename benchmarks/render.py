"""A benchmark's result is one JSON document (``benchmarks/results/NAME.json``); the Markdown report
beside it (``NAME.md``) is rendered from that document by :func:`markdown`, and its PNG chart by
``benchmarks/charts.py``. Nothing reads a result back from its Markdown.

The document::

    {"benchmark": "ingest",                    # the script, benchmarks/ingest.py
     "title": "Ingest throughput, every loader",
     "command": "python benchmarks/ingest.py --records 1000 ...",
     "parameters": {"records": 1000, ...},     # what the command set
     "machine": "x86_64, 2 cores, ...",        # the machine note
     "notes": {"data": "the reference ..."},   # phrases about the run, in words (may be empty)
     "figures": {"whole_run_s": 46.2, ...},    # measurements outside the tables
     "units": {"whole_run_s": "s", ...},       # the unit of each numeric figure
     "tables": {"loaders": {"units": {"pipeline_s": "s", "pipeline_per_raw": "ratio", ...},
                            "columns": [COLUMN, ...], "rows": [{"label": ..., "pipeline_s": 2.9, ...}]}},
     "body": [BLOCK, ...]}                     # the report, in order, after the title

Figures and row fields hold the numbers as measured (never rounded for display; ``null`` where
there is none); a field with a unit is a number, one of unit ``ratio`` a ratio (charted where a
column says so). A COLUMN is ``{"label": heading, "cell": TEXT, "align": "right"}`` (left if no
align), and, on a ratio column drawn by charts.py, ``"chart": field`` with an optional ``"goal"``.
A BLOCK is a paragraph TEXT, ``{"heading": "..."}`` (a ``##`` heading), ``{"table": name}``, or
``{"list": figure, "item": "- {key}: {value}", "empty": "- none"}`` (a bullet per entry of a
figure that is a mapping or a list, ``{item}`` for a list's entries).

A TEXT is a :meth:`str.format` template, over a row's fields in a cell and over the parameters,
the figures, the notes, ``command`` and ``machine`` in a paragraph; or a list of such templates and
``{"if": field, "text": template}``: the first applies whose ``if`` field is truthy and whose
fields are all given (not ``null``); a cell none applies to is empty, a paragraph left out. In a
template a list is written ``{name:ITEM|SEP}`` (each entry formatted with ITEM, joined by SEP,
``, `` by default) and a mapping as ``{key: value, ...}``.

Usage: ``python benchmarks/render.py [--results DIR]``: every ``DIR/*.json`` rendered to its ``.md``.
"""

from __future__ import annotations

import argparse
import json
import string
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]

Document = dict[str, Any]
Text = str | list[Any]


class _Absent(Exception):
    """A template names a field that is null: that alternative does not apply."""


class _Formatter(string.Formatter):
    def format_field(self, value: Any, format_spec: str) -> str:
        if value is None:
            raise _Absent
        if isinstance(value, list):
            item, _bar, separator = format_spec.partition("|")
            return (separator if _bar else ", ").join(format(entry, item) for entry in value)
        if isinstance(value, Mapping):
            return "{" + ", ".join(f"{key}: {entry}" for key, entry in value.items()) + "}"
        return format(value, format_spec)


_FORMAT = _Formatter()


def text(template: Text, values: Mapping[str, Any]) -> str | None:
    """The first alternative of ``template`` that applies to ``values``; None if none does."""
    for choice in template if isinstance(template, list) else [template]:
        if isinstance(choice, dict):
            if not values[choice["if"]]:
                continue
            choice = choice["text"]
        try:
            return _FORMAT.vformat(choice, (), values)
        except _Absent:
            continue
    return None


def cell(column: Mapping[str, Any], row: Mapping[str, Any]) -> str:
    return (text(column["cell"], row) or "").replace("|", "&#124;")


def table(spec: Mapping[str, Any]) -> str:
    columns = spec["columns"]
    lines = ["| " + " | ".join(c["label"] for c in columns) + " |",
             "|" + "|".join("---:" if c.get("align") == "right" else "---" for c in columns) + "|"]
    lines += ["| " + " | ".join(cell(c, row) for c in columns) + " |" for row in spec["rows"]]
    return "\n".join(lines)


def namespace(document: Mapping[str, Any]) -> dict[str, Any]:
    """What a paragraph's template may name."""
    return {**document["parameters"], **document["figures"], "command": document["command"],
            "machine": document["machine"], **document["notes"]}


def block(document: Mapping[str, Any], entry: Any, values: Mapping[str, Any]) -> str | None:
    if isinstance(entry, dict) and "heading" in entry:
        return f"## {entry['heading']}"
    if isinstance(entry, dict) and "table" in entry:
        return table(document["tables"][entry["table"]])
    if isinstance(entry, dict) and "list" in entry:
        found = values[entry["list"]]
        pairs = found.items() if isinstance(found, Mapping) else ((None, item) for item in found)
        items = [text(entry["item"], {"key": key, "value": item, "item": item}) for key, item in pairs]
        return "\n".join(i for i in items if i is not None) or entry["empty"]
    return text(entry, values)


def markdown(document: Mapping[str, Any]) -> str:
    """The Markdown report of a result document."""
    values = namespace(document)
    blocks = [f"# {document['title']}"]
    blocks += [b for b in (block(document, entry, values) for entry in document["body"]) if b is not None]
    return "\n\n".join(blocks) + "\n"


def read(path: Path) -> Document:
    document: Document = json.loads(path.read_text(encoding="utf-8"))
    return document


def write_markdown(source: Path) -> Path:
    """``NAME.md`` rendered beside ``NAME.json``."""
    target = source.with_suffix(".md")
    target.write_text(markdown(read(source)), encoding="utf-8")
    return target


def publish(document: Document, out: Path) -> Path:
    """Write a benchmark's result document to ``out`` (``NAME.json``), its report beside it
    (``NAME.md``, rendered from the file just written), and print the report."""
    if out.suffix != ".json":
        raise SystemExit(f"{out}: a result is written as NAME.json (its report goes beside it as NAME.md)")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    report = write_markdown(out)
    print(report.read_text(encoding="utf-8"))
    print(f"wrote {out} and {report.name}", file=sys.stderr)
    return out


def run_repeated(name: str, description: str, run: Callable[[argparse.Namespace], Any],
                 document: Callable[[Any, argparse.Namespace, str], Document], *, repeat: int = 3) -> None:
    """The command line of a benchmark whose one option is ``--repeat`` (rounds) besides ``--out``:
    runs ``benchmarks/{name}.py``'s ``run``, then publishes its ``document`` (to
    ``benchmarks/results/{name}.json`` unless ``--out`` says otherwise)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--repeat", type=int, default=repeat)
    parser.add_argument("--out", type=Path, default=REPO / f"benchmarks/results/{name}.json")
    args = parser.parse_args()
    result = run(args)
    publish(document(result, args, f"python benchmarks/{name}.py --repeat {args.repeat}"), args.out)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Render every result document of a folder as Markdown.")
    parser.add_argument("--results", type=Path, default=REPO / "benchmarks/results")
    args = parser.parse_args(argv)
    for source in sorted(args.results.glob("*.json")):
        print(f"wrote {write_markdown(source)}", file=sys.stderr)


if __name__ == "__main__":
    main()
