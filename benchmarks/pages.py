"""Explorer pages against the SPARQL they run: is a page worth more than its queries?

For each kind of page (home, the instruments, a table of contents, an article, a paragraph, a
filtered case search and its CSV, the countries, a country, the trends, the gap matrix, the SPARQL workbench running
a named query, a case's and a provision's Linked Data page):

1. **queries per page**: the page is rendered in this process over the same on-disk store wrapped
   in a recorder (every ``select`` / ``ask`` / ``query_serialized`` of the store is one query;
   other store calls such as ``count`` are counted apart), which also gives the time the page spends
   in the store (median over the repeats);
2. **page over HTTP**: median time of ``GET`` the page from a real ``sherloc-kg serve`` on the
   on-disk store (loopback, a fresh connection-pooled client, after a warm-up);
3. **its SPARQL over HTTP**: the very queries the page ran, each sent to that server's ``/sparql``
   (SPARQL JSON, or N-Triples for CONSTRUCT / DESCRIBE), its parameters written in as constants
   (see :func:`replay_texts`); the median of each, summed per page;
4. the ratio page / SPARQL: the cost of the page beyond its queries (HTTP once instead of N times,
   rendering, the neighbourhood picture, charts). Goal: within 2x.

Data: the bundled cases with the illustrative examples (``sherloc-kg init --with-examples``), or
with ``--triples N`` a generated set of about N record triples (``sherloc-kg generate --triples N
--seed 1 --register`` loaded kind by kind in the generator's load order, as benchmarks/endpoint.py
does); the country pages then show the State with the most cases and the case page one of its cases.

Usage: ``python benchmarks/pages.py [--repeat 9] [--triples N] [--page NAME]... [--out FILE]``; the result goes to
``benchmarks/results/pages.json`` (``pages-{N}.json`` with ``--triples``), its report beside it (``.md``).
"""

from __future__ import annotations

import argparse
import json
import re
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.endpoint import free_port, load_synthetic, wait_until_up, with_values  # noqa: E402
from benchmarks.render import publish  # noqa: E402
from sherloc_kg.config import PROJECT_ROOT, Settings  # noqa: E402
from sherloc_kg.queries import QueryLibrary  # noqa: E402
from sherloc_kg.sparql_text import query_form  # noqa: E402
from sherloc_kg.store.terms import sparql_term  # noqa: E402

BIN = Path(sys.executable).parent
#: Characters of encoded query sent in a URL; a longer query is posted (as api/static/sparql.js does).
URL_ROOM = 6000
COUNT_QUADS = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


def pages(country: str, case: str) -> list[tuple[str, str]]:
    """(page type, path) for each kind of page measured."""
    return [
        ("home", "/"),
        ("instruments list", "/explore/instruments"),
        ("instrument contents", "/explore/instruments/untoc"),
        ("article page", "/explore/instruments/untoc/art/5"),
        ("paragraph page", "/explore/instruments/untoc/art/5/1"),
        ("search cases (country filter)", f"/explore/search/cases?country={country}"),
        ("search cases CSV", f"/explore/search/cases.csv?country={country}"),
        ("country list", "/explore/countries"),
        ("country page", f"/explore/countries/{country}"),
        ("trends", "/explore/trends"),
        ("gap matrix", "/explore/gaps"),
        ("SPARQL page, named query", f"/explore/sparql?query=cases-of-country&country={country}"),
        ("case resource page", f"/id/case/{case}"),
        ("provision resource page", "/id/instrument/untoc/art/5/1"),
    ]


@dataclass
class Call:
    method: str
    sparql: str
    bindings: dict
    seconds: float


@dataclass
class Recorder:
    """A store that records the queries run through it (and how long each took)."""

    #: Not the local store it wraps: its queries run through it, in this process, never in the
    #: query workers over the store's directory (store.contract.local_store).
    on_disk = False
    inner: object
    calls: list[Call] = field(default_factory=list)
    other: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def _timed(self, method: str, sparql: str, bindings, run):
        started = time.perf_counter()
        try:
            return run()
        finally:
            with self.lock:
                self.calls.append(Call(method, sparql, dict(bindings or {}), time.perf_counter() - started))

    def select(self, sparql, *, bindings=None, dataset=None):
        return self._timed("select", sparql, bindings,
                           lambda: self.inner.select(sparql, bindings=bindings, dataset=dataset))

    def ask(self, sparql, *, bindings=None, dataset=None):
        return self._timed("ask", sparql, bindings, lambda: self.inner.ask(sparql, bindings=bindings, dataset=dataset))

    def query_serialized(self, sparql, output, *, media_type, bindings=None, dataset=None):
        return self._timed("query_serialized", sparql, bindings, lambda: self.inner.query_serialized(
            sparql, output, media_type=media_type, bindings=bindings, dataset=dataset))

    def __getattr__(self, name):
        value = getattr(self.inner, name)
        if callable(value) and name not in ("close",):
            def counted(*args, **kwargs):
                with self.lock:
                    self.other.append(name)
                return value(*args, **kwargs)
            return counted
        return value


def capture(store_dir: Path, measured: list[tuple[str, str]], repeat: int) -> dict[str, dict]:
    """Render each page in this process over the recorded store: its queries (from the first
    rendering) and the median time the page spent in the store."""
    from fastapi.testclient import TestClient

    from sherloc_kg.api.app import create_app
    from sherloc_kg.store import open_store

    settings = Settings.from_env(store=str(store_dir))
    inner = open_store(settings)
    recorder = Recorder(inner)
    found: dict[str, dict] = {}
    try:
        with TestClient(create_app(settings, store=recorder)) as client:  # type: ignore[arg-type]
            for name, path in measured:
                recorder.calls.clear()
                recorder.other.clear()
                response = client.get(path)
                if response.status_code != 200:
                    raise SystemExit(f"{path}: {response.status_code} in process")
                queries, other = list(recorder.calls), list(recorder.other)
                store_times = []
                for _ in range(repeat):
                    recorder.calls.clear()
                    client.get(path)
                    store_times.append(sum(c.seconds for c in recorder.calls))
                found[name] = {"queries": queries, "other": other, "store": statistics.median(store_times)}
    finally:
        inner.close()
    return found


_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)


def replay_texts(call: Call) -> list[str]:
    """The query as a client of /sparql would send it, its bound parameters written in (the
    protocol has no bindings), best first. First: each parameter given by a ``VALUES`` block at the
    start of the first WHERE clause (so it is still projected) and written as a constant in the
    rest of the text (so that the engine starts from it everywhere, as it does from a bound
    parameter; a VALUES block alone is not pushed into the property paths of a UNION, which made a
    lookup of one provision seconds slower). Then, should that not parse (a parameter named again in
    a subquery's projection or a BIND), the VALUES block alone; then a trailing VALUES clause."""
    if not call.bindings:
        return [call.sparql]
    match = _WHERE.search(call.sparql)
    if match is None:
        return [with_values(call.sparql, call.bindings)]
    names = " ".join(f"?{name}" for name in call.bindings)
    values = " ".join(sparql_term(term) for term in call.bindings.values())
    head, body = call.sparql[:match.end()], call.sparql[match.end():]
    block = f"\n  VALUES ({names}) {{ ({values}) }}"
    written = body
    for name, term in call.bindings.items():
        term_text = sparql_term(term)
        written = re.sub(rf"[?$]{re.escape(name)}\b", lambda _m, t=term_text: t, written)
    return [head + block + written, head + block + body, with_values(call.sparql, call.bindings)]


def accept_for(sparql: str) -> str:
    form = query_form(sparql) or "SELECT"
    return "application/n-triples" if form in ("CONSTRUCT", "DESCRIBE") else "application/sparql-results+json"


def median_get(client: httpx.Client, url: str, repeat: int, *, method: str = "GET", **kwargs) -> float:
    first = client.request(method, url, **kwargs)  # warm-up
    if first.status_code != 200:
        raise SystemExit(f"{url}: {first.status_code}: {first.text[:300]}")
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.request(method, url, **kwargs)
        times.append(time.perf_counter() - started)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(times)


def first_line(sparql: str) -> str:
    """The first line of a query that is not a PREFIX, a comment or blank, shortened."""
    for line in sparql.splitlines():
        line = line.strip()
        if line and not line.startswith(("#", "PREFIX", "prefix", "BASE")):
            return (line[:60] + "…") if len(line) > 60 else line
    return "?"


def machine() -> str:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"{platform.machine()}{', ' + model if model else ''}, {os.cpu_count()} cores, "
            f"Python {platform.python_version()}, {platform.system()} {platform.release()}")


def first_case_of(cases_file: Path, country: str) -> str:
    with cases_file.open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip() and not line.startswith("#"):
                record = json.loads(line)
                if record.get("country") == country:
                    return record["id"]
    raise SystemExit(f"no case of {country} in {cases_file}")


def main() -> None:
    from sherloc_kg.generate import FILES

    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--triples", type=int, default=0,
                        help="use a generated set of about N record triples instead of the bundled cases")
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--page", action="append", default=[],
                        help="measure only this kind of page (as named in the table, e.g. 'gap matrix'); repeatable")
    args = parser.parse_args()
    if args.out is None:
        args.out = PROJECT_ROOT / "benchmarks/results" / (f"pages-{args.triples}.json" if args.triples else "pages.json")

    work = Path(tempfile.mkdtemp(prefix="sherloc-bench-pages-"))
    process: subprocess.Popen | None = None
    try:
        store = work / "store"
        cli = [str(BIN / "sherloc-kg"), "--store", str(store)]
        if args.triples:
            country = load_synthetic(cli, work / "synthetic", args.triples)
            case = first_case_of(work / "synthetic" / FILES["cases"], country)
            described = (f"a generated set of about {args.triples:,} record triples (`sherloc-kg generate --triples "
                         f"{args.triples} --seed 1 --register`, fictional States) loaded through the pipeline, with "
                         f"the reference graphs and the examples; country pages show {country}, the State with "
                         f"the most cases")
        else:
            print("sherloc-kg init --with-examples", file=sys.stderr, flush=True)
            subprocess.run(cli + ["init", "--with-examples"], check=True, capture_output=True)
            country, case = "BRA", "BRA001"
            described = ("the reference graphs, the 1,164 bundled SHERLOC cases and the illustrative examples "
                         "(`sherloc-kg init --with-examples`)")
        measured = pages(country, case)
        if args.page:
            unknown = set(args.page) - {name for name, _ in measured}
            if unknown:
                raise SystemExit(f"--page: no page named {', '.join(sorted(unknown))}; "
                                 f"the pages: {', '.join(name for name, _ in measured)}")
            measured = [(name, path) for name, path in measured if name in args.page]

        print("capturing the queries of each page (in process)", file=sys.stderr, flush=True)
        captured = capture(store, measured, args.repeat)

        port = free_port()
        log = work / "serve.log"
        with log.open("wb") as sink:
            process = subprocess.Popen(cli + ["serve", "--port", str(port)], stdout=sink, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        wait_until_up(base + "/sparql?query=ASK%7B%7D", process, log)
        with httpx.Client(timeout=600) as client:
            counted = client.get(base + "/sparql", params={"query": COUNT_QUADS},
                                 headers={"Accept": "application/sparql-results+json"})
            triples = int(counted.json()["results"]["bindings"][0]["n"]["value"])
            table = []
            detail: list[tuple[str, str, float, float | None]] = []
            library = QueryLibrary(PROJECT_ROOT / "sparql")
            names = {q.text.strip(): q.name for q in library.all()}
            for name, path in measured:
                page = median_get(client, base + path, args.repeat)
                sparql = 0.0
                refused = 0
                for call in captured[name]["queries"]:
                    status = 0
                    for text in replay_texts(call):
                        # as a client would send it: GET, or POST (a form) when too long for a URL
                        where = ({"method": "POST", "data": {"query": text}} if len(quote(text)) > URL_ROOM
                                 else {"params": {"query": text}})
                        status = client.request(where.get("method", "GET"), base + "/sparql", headers={
                            "Accept": accept_for(text)}, **{k: v for k, v in where.items() if k != "method"}
                        ).status_code
                        if status in (200, 413):  # 413: longer than /sparql takes (a CSV's list of records)
                            break
                    if status != 200:
                        refused += 1
                        detail.append((name, names.get(call.sparql.strip(), "inline: " + first_line(call.sparql)),
                                       call.seconds, None))
                        continue
                    one = median_get(client, base + "/sparql", args.repeat,
                                     headers={"Accept": accept_for(text)}, **where)
                    sparql += one
                    detail.append((name, names.get(call.sparql.strip(), "inline: " + first_line(call.sparql)),
                                   call.seconds, one))
                entry = captured[name]
                table.append((name, path, len(entry["queries"]), len(entry["other"]), page, sparql, entry["store"],
                              refused))
                print(f"{name:32} queries={len(entry['queries']):3} other={len(entry['other'])} "
                      f"page={page*1000:8.1f} ms sparql={sparql*1000:8.1f} ms "
                      f"ratio={(page / sparql if sparql else float('nan')):5.2f}", flush=True)
    finally:
        if process is not None:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        shutil.rmtree(work, ignore_errors=True)

    publish(document(args, described, triples, table, detail), args.out)


PAGE_UNITS = {"queries": "queries", "other": "calls", "page_ms": "ms", "sparql_ms": "ms", "refused": "queries",
              "page_per_sparql": "ratio", "store_ms": "ms"}
PAGE_COLUMNS = [
    {"label": "page", "cell": "{page}"},
    {"label": "path", "cell": "`{path}`"},
    {"label": "queries", "cell": "{queries}", "align": "right"},
    {"label": "other store calls", "cell": "{other}", "align": "right"},
    {"label": "page (ms)", "cell": "{page_ms:.1f}", "align": "right"},
    {"label": "its SPARQL over /sparql (ms)", "align": "right", "cell": [
        {"if": "refused", "text": "{sparql_ms:.1f} ({refused} refused: too long for /sparql)"}, "{sparql_ms:.1f}"]},
    {"label": "page / SPARQL", "align": "right", "chart": "page_per_sparql", "goal": 2.0, "cell": [
        {"if": "refused", "text": "{page_per_sparql:.2f}x*"}, "{page_per_sparql:.2f}x",
        {"if": "refused", "text": "n/a*"}, "n/a"]},
    {"label": "in store, in process (ms)", "cell": "{store_ms:.1f}", "align": "right"},
]
QUERY_UNITS = {"store_ms": "ms", "sparql_ms": "ms"}
QUERY_COLUMNS = [
    {"label": "page", "cell": "{page}"},
    {"label": "query", "cell": "{query}"},
    {"label": "in store (ms)", "cell": "{store_ms:.1f}", "align": "right"},
    {"label": "over /sparql (ms)", "cell": ["{sparql_ms:.1f}", "refused (too long)"], "align": "right"},
]
BODY = [
    "Machine: {machine}.\nData: {data}; {quads:,} quads in the store (all graphs), on disk.\n"
    "Command: `{command}` (also `make bench`).",
    "Page: median wall-clock time of `GET` the page from `sherloc-kg serve` on loopback, over {repeat} requests "
    "after a warm-up. SPARQL: the store queries the page runs (recorded by rendering it in process over the same "
    "store), each sent to the same server's `/sparql` with its parameters written into the text (a `VALUES` block "
    "opening the WHERE clause, and constants in the rest of it); the sum of their medians. In store: median time "
    "the page spends in store calls when rendered in process (no HTTP). Queries: `select` / `ask` / "
    "`query_serialized` calls per page; other: other store calls (`count`, `graphs`...), which `/sparql` cannot "
    "replay. Goal: page / SPARQL within 2x.",
    {"table": "pages"},
    [{"if": "refused_queries", "text": "\\* Some of the page's queries are longer than `/sparql` accepts "
      "(SHERLOC_QUERY_MAX_LENGTH): the CSV fetches its records by a `VALUES` list of their IRIs. The SPARQL column "
      "sums only the others, so the ratio overstates the page's own cost."}],
    [{"if": "over_goal", "text": "Pages over the 2x goal: {over_goal}."}, "Every page is within the 2x goal."],
    {"heading": "The queries of each page"},
    "Each store query a page ran: the named query (``sparql/NAME.rq``) or the first line of an inline one; its "
    "time in the store when the page was rendered in process (first rendering), and its median over `/sparql`.",
    {"table": "queries"},
]


def document(args: argparse.Namespace, described: str, quads: int, table: list[tuple], detail: list[tuple]) -> dict:
    """The run's result document (benchmarks/render.py); times in ``table`` and ``detail`` in seconds."""
    pages = [{"page": name, "path": path, "queries": queries, "other": other, "page_ms": page * 1000,
              "sparql_ms": sparql * 1000, "refused": refused, "page_per_sparql": page / sparql if sparql else None,
              "store_ms": store_time * 1000}
             for name, path, queries, other, page, sparql, store_time, refused in table]
    return {
        "benchmark": "pages",
        "title": "Explorer pages vs the SPARQL they run",
        "command": f"{Path(sys.executable).name} benchmarks/pages.py --repeat {args.repeat}"
                   + (f" --triples {args.triples}" if args.triples else "")
                   + "".join(f" --page '{page}'" for page in args.page),
        "parameters": {"repeat": args.repeat, "triples": args.triples, "pages": args.page},
        "machine": machine(),
        "notes": {"data": described},
        "figures": {"quads": quads, "refused_queries": sum(row["refused"] for row in pages),
                    "over_goal": [row["page"] for row in pages if (row["page_per_sparql"] or 0) > 2]},
        "units": {"quads": "quads", "refused_queries": "queries"},
        "tables": {
            "pages": {"units": PAGE_UNITS, "columns": PAGE_COLUMNS, "rows": pages},
            "queries": {"units": QUERY_UNITS, "columns": QUERY_COLUMNS, "rows": [
                {"page": name, "query": query, "store_ms": in_store * 1000,
                 "sparql_ms": over_http * 1000 if over_http is not None else None}
                for name, query, in_store, over_http in detail]},
        },
        "body": BODY,
    }


if __name__ == "__main__":
    main()
