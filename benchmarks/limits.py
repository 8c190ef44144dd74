"""What bounded work costs per query: the same queries over the bundled data on disk, answered

1. in-process, uncapped (``Store.query_serialized``: what /sparql did before issue 7);
2. in-process, capped (``answer_capped`` with the default row and size caps: what /sparql does on
   the in-memory and remote stores);
3. by a worker process (``QueryRunner`` over a ``WorkerPool``: what /sparql does on the on-disk
   store, so that the timeout can kill the query), caps included.

No HTTP: the difference between the columns is the cost of the caps and of the worker path
(pickling the request, the pipe, the store-directory fingerprint, bytes back). Each query runs as
the public would (the public graphs), in SPARQL JSON. Median wall-clock per query, and ratios, in
``benchmarks/results/limits.json`` (the report rendered beside it, limits.md, and on stdout).

Usage: ``python benchmarks/limits.py [--repeat 30] [--out benchmarks/results/limits.json]``
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sherloc_kg.access import PUBLIC
from sherloc_kg.config import PROJECT_ROOT, Settings
from sherloc_kg.ingest import Ingest
from sherloc_kg.iris import Iris
from sherloc_kg.queries import QueryLibrary
from sherloc_kg.query_limits import Caps, answer_capped
from sherloc_kg.reference import BUNDLED, install_reference
from sherloc_kg.sparql_text import query_form
from sherloc_kg.store.embedded import EmbeddedStore
from sherloc_kg.store.terms import sparql_term

sys.path.insert(0, str(PROJECT_ROOT))
from api.limits import QueryRunner  # noqa: E402 - the API package lives beside sherloc_kg
from benchmarks.render import publish  # noqa: E402

JSON = "application/sparql-results+json"
#: (label, query text or a named query with its parameters).
QUERIES = [
    ("ask", "ASK { ?s ?p ?o }", {}),
    ("lookup, LIMIT 10", "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 10", {}),
    ("cases-by-country", "cases-by-country", {}),
    ("cases-of-country BRA", "cases-of-country", {"country": "BRA"}),
    ("instrument-articles tip", "instrument-articles", {"instrument": "tip"}),
    ("5000 rows", "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 5000", {}),
]


def text_of(query: str, parameters: dict[str, str], library: QueryLibrary, iris: Iris) -> str:
    if query.startswith(("ASK", "SELECT")):
        return query
    named = library.get(query)
    bindings = named.bindings(parameters, iris)
    if not bindings:
        return named.text
    names = " ".join(f"?{name}" for name in bindings)
    values = " ".join(sparql_term(term) for term in bindings.values())
    return f"{named.text}\nVALUES ({names}) {{ ({values}) }}"


def median_ms(run, repeat: int) -> float:
    run()  # warm-up
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "benchmarks/results/limits.json")
    arguments = parser.parse_args()
    settings = Settings(store="memory", home=PROJECT_ROOT)
    iris, library = Iris(settings.base), QueryLibrary(settings.queries_dir)
    with tempfile.TemporaryDirectory() as folder:
        store = EmbeddedStore(Path(folder) / "store")
        install_reference(store, settings)
        ingest = Ingest(store, settings)
        for kind, relative in BUNDLED:
            ingest.load(kind, [settings.data_dir / relative])
        total = store.count()
        runner = QueryRunner(settings.with_(store=store.location, query_workers=1), store)
        caps = Caps(rows=settings.query_max_rows, bytes=settings.query_max_bytes)
        dataset = PUBLIC.dataset(iris)
        rows = []
        try:
            for label, query, parameters in QUERIES:
                text = text_of(query, parameters, library, iris)
                form = query_form(text) or "SELECT"

                # each bound to this query's text and form (called here, within the iteration)
                def plain(text: str = text) -> bytes:
                    buffer = io.BytesIO()
                    store.query_serialized(text, buffer, media_type=JSON, dataset=dataset)
                    return buffer.getvalue()

                def capped(text: str = text, form: str = form) -> bytes:
                    return answer_capped(store, text, form=form, media_type=JSON, dataset=dataset, caps=caps)

                def worker(text: str = text, form: str = form) -> bytes:
                    return runner.answer(text, form=form, media_type=JSON, dataset=dataset, caps=caps)

                if not plain() == capped() == worker():
                    raise SystemExit(f"{label}: the three paths gave different answers")
                size = len(plain())
                medians = [median_ms(run, arguments.repeat) for run in (plain, capped, worker)]
                rows.append((label, size, *medians))
        finally:
            runner.close()
            store.close()
    publish({
        "benchmark": "limits",
        "title": "Bounded queries: the cost of the caps and of the worker process",
        "command": f"python benchmarks/limits.py --repeat {arguments.repeat}",
        "parameters": {"repeat": arguments.repeat},
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
                   f"{platform.system()} {platform.release()}",
        "notes": {},
        "figures": {"quads": total},
        "units": {"quads": "quads"},
        "tables": {"queries": {"units": UNITS, "columns": COLUMNS, "rows": [
            {"query": label, "answer_bytes": size, "in_process_ms": plain, "capped_ms": capped, "worker_ms": worker,
             "capped_per_in_process": capped / plain, "worker_per_in_process": worker / plain,
             "worker_overhead_ms": worker - plain} for label, size, plain, capped, worker in rows]}},
        "body": BODY,
    }, arguments.out)


UNITS = {"answer_bytes": "bytes", "in_process_ms": "ms", "capped_ms": "ms", "worker_ms": "ms",
         "capped_per_in_process": "ratio", "worker_per_in_process": "ratio", "worker_overhead_ms": "ms"}
COLUMNS = [
    {"label": "query", "cell": "{query}"},
    {"label": "answer (bytes)", "cell": "{answer_bytes}", "align": "right"},
    {"label": "in-process (ms)", "cell": "{in_process_ms:.2f}", "align": "right"},
    {"label": "in-process, capped (ms)", "cell": "{capped_ms:.2f}", "align": "right"},
    {"label": "worker, capped (ms)", "cell": "{worker_ms:.2f}", "align": "right"},
    {"label": "capped / in-process", "cell": "{capped_per_in_process:.2f}x", "align": "right",
     "chart": "capped_per_in_process"},
    {"label": "worker / in-process", "cell": "{worker_per_in_process:.2f}x", "align": "right",
     "chart": "worker_per_in_process"},
    {"label": "worker overhead (ms)", "cell": "{worker_overhead_ms:+.2f}", "align": "right"},
]
BODY = [
    "Machine: {machine}.\nData: the reference graphs and the bundled cases on disk (embedded Oxigraph), {quads} "
    "quads; every query as the public runs it (the public graphs), SPARQL JSON results.\nCommand: `{command}`. "
    "Median wall-clock of one query over {repeat} runs after a warm-up, no HTTP.",
    {"table": "queries"},
]


if __name__ == "__main__":
    main()
