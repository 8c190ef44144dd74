"""Issue 20, item 1: no request fails because of how the on-disk store keeps its files.

A real ``sherloc-kg serve`` process on a fresh on-disk store, with its query workers (which read
the store, and its public mirror, through read-only views of the same directory while the server
writes and RocksDB compacts and deletes files in the background). Hundreds of cycles of: drop a
small graph, ``PUT`` it through the Graph Store as an admin, ``SELECT`` from it as the public (the
query runs on the public mirror) and as the admin (on the main store). Every answer must be 2xx,
hold the graph just written, and no body may carry a path or the engine's words. Bounded in count
and in time; no duration is asserted.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import httpx

from sherloc_kg.access import Tokens
from sherloc_kg.config import Settings
from sherloc_kg.iris import Iris

from .servers import serve_process, stop

CYCLES = 200
BOUND = 400  # seconds for the whole loop: an upper bound, never an expectation
#: What a body must never carry: a path, the engine's error words.
LEAKS = re.compile(r"(/[\w.-]+){2,}\.(?:sst|log)|Corruption|IO error|No such file|RocksDB|\.sst\b|/tmp/|/work/",
                   re.IGNORECASE)


def test_write_read_cycles_on_a_fresh_disk_store_never_fail(tmp_path: Path, settings: Settings) -> None:
    tokens = Tokens(tmp_path / "tokens.json")
    admin = {"Authorization": "Bearer " + tokens.create("admin", name="cycles admin")}
    served = serve_process(tmp_path, tmp_path / "store", env={
        "SHERLOC_TOKENS": str(tmp_path / "tokens.json"), "SHERLOC_QUERY_WORKERS": "2", "SHERLOC_QUERY_TIMEOUT": "60"})
    graph = str(Iris(settings.base).graph("cases"))
    failures: list[str] = []
    done = 0
    try:
        with httpx.Client(base_url=served.url, timeout=60) as client:
            deadline = time.monotonic() + BOUND
            for cycle in range(CYCLES):
                if time.monotonic() > deadline:
                    break
                triples = "".join(f"<urn:x:s{cycle}> <urn:x:p> \"{cycle}-{i}\" .\n" for i in range(20))
                answers = [
                    client.delete("/rdf-graph-store", params={"graph": graph}, headers=admin),
                    client.put("/rdf-graph-store", params={"graph": graph}, content=triples.encode(),
                               headers={**admin, "Content-Type": "text/turtle"}),
                ]
                query = f"SELECT (COUNT(*) AS ?n) WHERE {{ <urn:x:s{cycle}> ?p ?o }}"
                for who in ({}, admin):
                    answer = client.get("/sparql", params={"query": query},
                                        headers={**who, "Accept": "application/sparql-results+json"})
                    answers.append(answer)
                    if answer.status_code == 200 and answer.json()["results"]["bindings"][0]["n"]["value"] != "20":
                        failures.append(f"cycle {cycle}: {answer.text[:300]}")
                for answer in answers:
                    if not (200 <= answer.status_code < 300 or (answer.request.method == "DELETE"
                                                                 and answer.status_code == 404)):
                        failures.append(f"cycle {cycle}: {answer.request.method} {answer.status_code} "
                                        f"{answer.text[:300]}")
                    if LEAKS.search(answer.text):
                        failures.append(f"cycle {cycle}: a leak in {answer.text[:300]}")
                done += 1
    finally:
        stop(served.process)
    assert done >= 100, f"only {done} cycles ran within {BOUND} s"
    assert not failures, f"{len(failures)} failures in {done} cycles:\n" + "\n".join(failures[:10])
