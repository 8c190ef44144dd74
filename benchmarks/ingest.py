"""Ingest throughput, three ways over the same records, in one run:

1. the full pipeline (loader → SHACL gate against the store → one transaction, with provenance);
2. raw ``pyoxigraph.Store.bulk_load`` of the very triples the pipeline wrote (no checks at all);
3. the naive path: rdflib parses the same triples, pyshacl validates the whole graph at once.

Records are the bundled real cases, repeated with fictional ids up to ``--records``.
Usage: ``python benchmarks/ingest.py [--records 5000] [--out benchmarks/results/ingest.md]``
"""

from __future__ import annotations

import argparse
import io
import os
import json
import platform
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox
from pyshacl import validate
from rdflib import Dataset as RdfDataset
from rdflib import Graph

from sherloc_kg.config import PROJECT_ROOT, Settings
from sherloc_kg.ingest import Ingest
from sherloc_kg.iris import Iris
from sherloc_kg.reference import install_reference, read_turtle
from sherloc_kg.store import Dataset
from sherloc_kg.store.embedded import EmbeddedStore

BUNDLED = PROJECT_ROOT / "data/cases/sherloc-cases-tip-2026-08.jsonl"


def make_records(path: Path, count: int) -> None:
    source = [json.loads(line) for line in BUNDLED.read_text(encoding="utf-8").splitlines()
              if line.strip() and not line.startswith("#")]
    with path.open("w", encoding="utf-8") as handle:
        for n in range(count):
            handle.write(json.dumps(dict(source[n % len(source)], id=f"BENCH{n:07d}")) + "\n")


def memory_gib() -> float:
    """Total memory of the machine, from /proc/meminfo (0 where there is none)."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return 0.0


def timed(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=5000)
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "benchmarks/results/ingest.md")
    args = parser.parse_args()

    settings = Settings(store="memory", home=PROJECT_ROOT)
    iris = Iris()
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "cases.jsonl"
        make_records(source, args.records)

        # 1. the pipeline, on a store that already holds the reference graphs
        store = EmbeddedStore(None)
        install_reference(store, settings)
        reference_triples = store.count()
        pipeline_s = timed(lambda: Ingest(store, settings).load("cases", [source]))
        cases_graph = str(iris.graph("cases"))
        triples = store.count(cases_graph)
        written = io.BytesIO()
        store.dump(written, media_type="application/n-quads", graphs=[cases_graph])
        nquads = written.getvalue()

        # 2. raw bulk load of the same triples
        raw = ox.Store()
        raw_s = timed(lambda: raw.bulk_load(io.BytesIO(nquads), ox.RdfFormat.N_QUADS))
        assert len(raw) == triples

        # 3. naive: rdflib parse + pyshacl over the whole graph (the same context the gate sees)
        shapes = read_turtle([settings.shapes_dir / "cases.ttl"], iris)
        context = Graph()
        for name in ("vocabularies", "countries", "instruments"):
            rows = store.select("SELECT ?s ?p ?o WHERE { VALUES ?p { <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://www.w3.org/2004/02/skos/core#inScheme> } ?s ?p ?o }",
                                dataset=Dataset(default=[str(iris.graph(name))]))
            for row in rows.rows:
                context.add((row["s"], row["p"], row["o"]))
        context += read_turtle([settings.ontology_dir / "sherloc.ttl"], iris)

        def naive() -> None:
            dataset = RdfDataset()
            dataset.parse(data=nquads, format="nquads")
            data = Graph()
            for s, p, o, _g in dataset.quads():
                data.add((s, p, o))
            data += context
            conforms, _, _ = validate(data, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True)

        naive_s = timed(naive)

    rows = [("validated pipeline", pipeline_s), ("raw bulk_load (no checks)", raw_s), ("naive rdflib + pyshacl", naive_s)]
    lines = [
        "# Ingest throughput",
        "",
        f"Command: `python benchmarks/ingest.py --records {args.records}`  ",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, {memory_gib():.0f} GiB, Python {platform.python_version()}, "
        f"pyoxigraph {ox.__version__}  ",
        f"Data: {args.records} cases ({triples} triples in the cases graph) on a store already holding "
        f"{reference_triples} reference triples.",
        "",
        "| path | seconds | records/s | triples/s | time vs pipeline |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, seconds in rows:
        lines.append(f"| {name} | {seconds:.2f} | {args.records / seconds:,.0f} | {triples / seconds:,.0f} | "
                     f"{seconds / pipeline_s:.2f}x |")
    lines += ["", f"Pipeline / raw bulk load: {pipeline_s / raw_s:.1f}x slower; "
                  f"naive / pipeline: {naive_s / pipeline_s:.2f}x."]
    report = "\n".join(lines) + "\n"
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report, encoding="utf-8")
    print(report)


if __name__ == "__main__":
    main()
