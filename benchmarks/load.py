"""A bounded load test on loopback (issue 7): mixed traffic from concurrent clients against a real
``sherloc-kg serve`` on an on-disk store holding the bundled data.

Request types (each client picks one at random by weight, then the next, with no think time):

- ``entity``: a case's Linked Data page, ``/id/case/{id}`` (HTML, or Turtle one time in three);
- ``explorer``: the home page, a country's page, the explorer's case search by country;
- ``search``: ``/api/search/cases`` with a country, a crime type, or words;
- ``named``: a named query (``cases-of-country``, ``cases-by-country``, ``instrument-articles``);
- ``sparql``: a small raw SPARQL query on ``/sparql`` (a count, a lookup, one case's triples);
- ``runaway``: every ``--runaway-every`` seconds one client sends a cartesian product
  (``?a ?b ?c . ?d ?e ?f . ?g ?h ?i``) that must hit the query timeout (503) and not take the
  server down with it.

Expected refusals are counted apart, not as errors: the runaway's 503 (``SHERLOC-Limit: timeout``),
and 429 / 503 ``concurrency`` / ``workers`` answers on /sparql (every client comes from 127.0.0.1,
so they share one address's ``SHERLOC_QUERY_CONCURRENCY``). Anything else >= 400, or a transport
error, is an error.

The result (``--out NAME.json``, its report beside it as NAME.md and on stdout): requests/s,
p50/p95/p99 per request type, status counts, errors, with the machine, the data size and the command.

Usage::

    python benchmarks/load.py [--seconds 60] [--clients 16] [--store DIR] [--timeout 5]
                              [--runaway-every 10] [--out benchmarks/results/load.json]

Without ``--store`` a store is built in a temporary directory with ``sherloc-kg init`` (reference
graphs and the bundled cases). ``--url`` load-tests a server already running instead.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.render import markdown, publish  # noqa: E402

EXE = str(Path(sys.executable).with_name("sherloc-kg"))
CASES = ROOT / "data/cases/sherloc-cases-tip-2026-08.jsonl"
JSON = {"Accept": "application/sparql-results+json"}
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
WEIGHTS = {"entity": 30, "explorer": 15, "search": 20, "named": 15, "sparql": 20}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def load_data() -> tuple[list[str], list[str]]:
    cases = [json.loads(line) for line in CASES.read_text(encoding="utf-8").splitlines()
             if line.strip() and not line.startswith("#")]
    return [c["id"] for c in cases], sorted({c["country"] for c in cases if c.get("country")})


def request_for(kind: str, rng: random.Random, ids: list[str], countries: list[str]) -> tuple[str, str, dict, dict]:
    """(method, path, params, headers) of one request of ``kind``."""
    if kind == "entity":
        case = rng.choice(ids)
        turtle = rng.random() < 1 / 3
        return "GET", f"/id/case/{case}", {}, {"Accept": "text/turtle" if turtle else "text/html"}
    if kind == "explorer":
        pick = rng.random()
        if pick < 0.2:
            return "GET", "/", {}, {"Accept": "text/html"}
        if pick < 0.6:
            return "GET", f"/explore/countries/{rng.choice(countries)}", {}, {"Accept": "text/html"}
        return "GET", "/explore/search/cases", {"country": rng.choice(countries)}, {"Accept": "text/html"}
    if kind == "search":
        pick = rng.random()
        if pick < 0.5:
            return "GET", "/api/search/cases", {"country": rng.choice(countries)}, {}
        if pick < 0.75:
            return "GET", "/api/search/cases", {"crime_type": "trafficking-in-persons", "page": str(rng.randint(1, 20))}, {}
        return "GET", "/api/search/cases", {"q": rng.choice(["decision", "court", "appeal", "v."])}, {}
    if kind == "named":
        pick = rng.random()
        if pick < 0.5:
            return "GET", "/api/queries/cases-of-country", {"country": rng.choice(countries)}, JSON
        if pick < 0.75:
            return "GET", "/api/queries/cases-by-country", {}, JSON
        return "GET", "/api/queries/instrument-articles", {"instrument": rng.choice(["untoc", "tip", "som", "fp"])}, JSON
    if kind == "sparql":
        pick = rng.random()
        if pick < 0.3:
            query = "SELECT (COUNT(?c) AS ?n) WHERE { ?c a <https://w3id.org/sherloc/ontology#CourtCase> }"
        elif pick < 0.6:
            query = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 100"
        else:
            query = ("SELECT ?p ?o WHERE { <https://w3id.org/sherloc/id/case/" + rng.choice(ids) + "> ?p ?o }")
        return "GET", "/sparql", {"query": query}, JSON
    if kind == "runaway":
        return "GET", "/sparql", {"query": RUNAWAY}, JSON
    raise ValueError(kind)


def expected_refusal(kind: str, response: httpx.Response) -> bool:
    limit = response.headers.get("sherloc-limit", "")
    if kind == "runaway":
        return response.status_code == 503 and limit.startswith("timeout")
    return kind == "sparql" and response.status_code in (429, 503) and limit.startswith(("concurrency", "workers"))


async def run(url: str, seconds: float, clients: int, runaway_every: float, seed: int) -> dict:
    ids, countries = load_data()
    latencies: dict[str, list[float]] = defaultdict(list)
    statuses: dict[str, Counter] = defaultdict(Counter)
    refused: Counter = Counter()
    errors: list[str] = []
    start = time.perf_counter()
    stop_at = start + seconds
    kinds, weights = list(WEIGHTS), list(WEIGHTS.values())
    runaway_due = [start + runaway_every / 2]  # shared: the next time a runaway query is due
    limits = httpx.Limits(max_connections=clients + 4, max_keepalive_connections=clients + 4)

    async with httpx.AsyncClient(base_url=url, timeout=120, limits=limits) as http:
        async def client(number: int) -> None:
            rng = random.Random(seed * 1000 + number)
            while time.perf_counter() < stop_at:
                now = time.perf_counter()
                if runaway_every and now >= runaway_due[0]:
                    runaway_due[0] = now + runaway_every
                    kind = "runaway"
                else:
                    kind = rng.choices(kinds, weights)[0]
                method, path, params, headers = request_for(kind, rng, ids, countries)
                began = time.perf_counter()
                try:
                    response = await http.request(method, path, params=params, headers=headers)
                    await response.aread()
                except httpx.HTTPError as error:
                    errors.append(f"{kind} {path}: {type(error).__name__}: {error}")
                    continue
                took = time.perf_counter() - began
                statuses[kind][response.status_code] += 1
                if response.status_code < 400:
                    latencies[kind].append(took)
                elif expected_refusal(kind, response):
                    refused[f"{kind} {response.status_code} {response.headers.get('sherloc-limit')}"] += 1
                    latencies[kind + " (refused)"].append(took)
                else:
                    errors.append(f"{kind} {path} {params}: {response.status_code} {response.text[:200]}")

        await asyncio.gather(*(client(n) for n in range(clients)))
    return {"elapsed": time.perf_counter() - start, "latencies": latencies, "statuses": statuses,
            "refused": refused, "errors": errors}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


UNITS = {"requests": "requests", "share": "fraction", "p50_ms": "ms", "p95_ms": "ms", "p99_ms": "ms", "max_ms": "ms"}
COLUMNS = [
    {"label": "request type", "cell": "{kind}"},
    {"label": "requests", "cell": "{requests}", "align": "right"},
    {"label": "share", "cell": "{share:.0%}", "align": "right"},
    {"label": "p50 ms", "cell": "{p50_ms:.0f}", "align": "right"},
    {"label": "p95 ms", "cell": "{p95_ms:.0f}", "align": "right"},
    {"label": "p99 ms", "cell": "{p99_ms:.0f}", "align": "right"},
    {"label": "max ms", "cell": "{max_ms:.0f}", "align": "right"},
    {"label": "statuses", "cell": "{statuses}"},
]
BODY = [
    "Command: `{command}`  \nMachine: {machine}  \nServer: `sherloc-kg serve` (one process, uvicorn), on-disk "
    "store, default settings but `SHERLOC_QUERY_TIMEOUT={timeout}`; client and server on the same machine.  \n"
    "Data: {public_triples:,} triples (public graphs), {cases:,} cases, {countries:,} countries  \nClients: "
    "{clients} concurrent (httpx async, keep-alive, no think time), {seconds:.0f} s planned, {elapsed_s:.1f} s "
    "measured.  \nLoad average of the machine (1 min) before / after the run: {load_before:.1f} / "
    "{load_after:.1f} (other work shares these cores).",
    "**{requests} requests, {requests_per_s:.1f} requests/s; errors: {errors}; expected refusals: {refusals}.**",
    {"table": "requests"},
    "Expected refusals (counted apart from errors):",
    {"list": "refused", "item": "- {key}: {value}", "empty": "- none"},
    "Errors:",
    {"list": "first_errors", "item": "- {item}", "empty": "- none"},
]


def document(result: dict, args: argparse.Namespace, command: str, stats: dict) -> dict:
    """The run's result document (benchmarks/render.py): a row per request type (a refused runaway
    query is a type of its own, without statuses), the refusals by kind, the first 20 errors."""
    total = sum(sum(c.values()) for c in result["statuses"].values()) + len(result["errors"])
    rows = []
    for kind in sorted(result["latencies"]):
        values = result["latencies"][kind]
        statuses = result["statuses"][kind.split(" ")[0]]
        rows.append({"kind": kind, "requests": len(values), "share": len(values) / max(total, 1),
                     "p50_ms": percentile(values, 0.5) * 1000, "p95_ms": percentile(values, 0.95) * 1000,
                     "p99_ms": percentile(values, 0.99) * 1000, "max_ms": max(values) * 1000,
                     "statuses": None if "(" in kind else {str(code): n for code, n in sorted(statuses.items())}})
    return {
        "benchmark": "load",
        "title": "Load test: mixed traffic on loopback",
        "command": command,
        "parameters": {"seconds": args.seconds, "clients": args.clients, "timeout": args.timeout,
                       "runaway_every": args.runaway_every, "seed": args.seed},
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
                   f"{platform.system()} {platform.release()}",
        "notes": {},
        "figures": {"public_triples": stats["triples"], "cases": stats["records"]["cases"],
                    "countries": stats["records"]["countries"], "elapsed_s": result["elapsed"],
                    "load_before": result["load_before"], "load_after": result["load_after"], "requests": total,
                    "requests_per_s": total / result["elapsed"], "errors": len(result["errors"]),
                    "refusals": sum(result["refused"].values()), "refused": dict(sorted(result["refused"].items())),
                    "first_errors": result["errors"][:20]},
        "units": {"public_triples": "triples", "cases": "cases", "countries": "countries", "elapsed_s": "s",
                  "load_before": "processes", "load_after": "processes", "requests": "requests",
                  "requests_per_s": "requests/s", "errors": "requests", "refusals": "requests"},
        "tables": {"requests": {"units": UNITS, "columns": COLUMNS, "rows": rows}},
        "body": BODY,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--store", type=Path, default=None, help="An on-disk store (default: a fresh one with the bundled data).")
    parser.add_argument("--url", default=None, help="Load-test this running server instead of starting one.")
    parser.add_argument("--timeout", type=int, default=5, help="SHERLOC_QUERY_TIMEOUT of the server started here.")
    parser.add_argument("--runaway-every", type=float, default=10, help="Seconds between runaway queries (0: none).")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=None,
                        help="Also write the result here (NAME.json, its report beside it as NAME.md).")
    args = parser.parse_args()
    command = "python benchmarks/load.py " + " ".join(shlex.quote(a) for a in sys.argv[1:])

    process = None
    workdir = tempfile.TemporaryDirectory(prefix="sherloc-load-")
    try:
        url = args.url
        if url is None:
            store = args.store or Path(workdir.name) / "store"
            if not store.exists():
                print(f"building {store} (sherloc-kg init) ...", file=sys.stderr)
                subprocess.run([EXE, "--store", str(store), "init"], check=True, capture_output=True)
            port = free_port()
            env = {**os.environ, "SHERLOC_QUERY_TIMEOUT": str(args.timeout),
                   "SHERLOC_TOKENS": str(Path(workdir.name) / "tokens.json")}
            log = open(Path(workdir.name) / "serve.log", "wb")  # noqa: SIM115 - closed with the directory
            process = subprocess.Popen([EXE, "--store", str(store), "serve", "--port", str(port)],
                                       stdout=log, stderr=subprocess.STDOUT, env=env)
            url = f"http://127.0.0.1:{port}"
            for _ in range(600):
                try:
                    httpx.get(url + "/api/stats", timeout=5)
                    break
                except httpx.TransportError:
                    if process.poll() is not None:
                        raise SystemExit("the server did not start: " + (Path(workdir.name) / "serve.log").read_text()) from None
                    time.sleep(0.1)
        stats = httpx.get(url + "/api/stats", timeout=60).json()
        # warm up: the first query of each worker opens its view of the store
        for path in ("/", "/api/search/cases", "/sparql?query=ASK%7B%7D"):
            httpx.get(url + path, timeout=60)
        load_before = os.getloadavg()[0]
        result = asyncio.run(run(url, args.seconds, args.clients, args.runaway_every, args.seed))
        result["load_before"], result["load_after"] = load_before, os.getloadavg()[0]
        measured = document(result, args, command, stats)
        if args.out:
            publish(measured, args.out)
        else:
            print(markdown(measured))
        if process is not None and process.poll() is not None:
            raise SystemExit("the server died during the run")
    finally:
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=60)
        workdir.cleanup()


if __name__ == "__main__":
    main()
