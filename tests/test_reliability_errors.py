"""Issue 20, item 1: a failure that is not the caller's is a 5xx with a generic message and a
reference, on every route family; the log has the reference at error level with the traceback;
no body carries the store's address, a file path or the engine's words.

The failure is real, not simulated: the application serves a remote store (``oxigraph serve``)
that is then stopped, so that every read and write of the store fails as it would in production
when the SPARQL server goes away. (The on-disk store's own failure, files lost under a query
worker, is tests/test_reliability_store.py.)"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

import httpx
import pytest

from sherloc_kg.access import Tokens
from sherloc_kg.api.app import create_app
from sherloc_kg.store.remote import RemoteStore
from sherloc_kg.store.servers import OxigraphServer

from .backends import oxigraph_server
from .servers import serving

CASE = {"id": "XAA-ERR-1", "title": "Prosecutor v. E.", "year": 2020, "country": "XAA",
        "crime_types": ["trafficking-in-persons"], "provisions": ["tip/art/3/a"]}
ANSWER = {"id": "XAA-ERR-review", "country": "XAA", "cycle": 1, "cluster": 1, "provision": "untoc/art/5/1/a",
          "status": "implemented", "practices": "an answer", "date": "2024-01-01"}

#: One request per route family: (method, path, params, role, body, content type).
REQUESTS = [
    ("GET", "/sparql", {"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 1"}, "public", None, None),
    ("POST", "/sparql", {}, "admin", b"INSERT DATA { <urn:a> <urn:b> <urn:c> }", "application/sparql-update"),
    ("GET", "/rdf-graph-store", {"graph": "https://w3id.org/sherloc/graph/cases"}, "admin", None, None),
    ("GET", "/api/queries/cases-by-country", {}, "public", None, None),
    ("GET", "/api/stats", {}, "public", None, None),
    ("GET", "/api/search/cases", {"q": "trafficking"}, "public", None, None),
    ("GET", "/api/resource", {"iri": "https://w3id.org/sherloc/id/case/XAA-1"}, "public", None, None),
    ("GET", "/api/gap-matrix", {}, "public", None, None),
    ("GET", "/api/countries/XAA/implementation", {}, "public", None, None),
    ("GET", "/api/review/submissions", {}, "submitter", None, None),
    ("POST", "/api/review/submissions", {}, "submitter", json.dumps([ANSWER]).encode(), "application/json"),
    ("POST", "/api/records/cases", {}, "editor", (json.dumps(CASE) + "\n").encode(), "application/x-ndjson"),
    ("GET", "/id/case/XAA-1", {}, "public", None, "application/ld+json"),
    ("GET", "/graph/cases", {}, "public", None, "text/turtle"),
    ("GET", "/dataset", {}, "public", None, "text/turtle"),
    ("GET", "/explore/search/cases", {"q": "trafficking"}, "public", None, "text/html"),
    ("GET", "/explore/countries/XAA", {}, "public", None, "text/html"),
    ("GET", "/explore/instruments/untoc/art/5", {}, "public", None, "text/html"),
    ("GET", "/explore/trends", {}, "public", None, "text/html"),
    ("GET", "/explore/sparql", {"sparql": "SELECT * WHERE { ?s ?p ?o } LIMIT 1"}, "public", None, "text/html"),
    ("GET", "/explore/sparql/download", {"sparql": "SELECT * WHERE { ?s ?p ?o } LIMIT 1", "as": "csv"}, "public",
     None, None),
]


def test_every_route_family_answers_a_store_failure_generically(tmp_path: Path, settings,
                                                                caplog: pytest.LogCaptureFixture) -> None:
    tokens = Tokens(tmp_path / "tokens.json")
    bearer = {"public": {}}
    for role, country in (("admin", None), ("editor", None), ("submitter", "XAA")):
        bearer[role] = {"Authorization": "Bearer " + tokens.create(role, country=country, name=f"errors {role}")}
    with oxigraph_server(tmp_path) as remote:
        local = remote.with_(tokens=tmp_path / "tokens.json", query_workers=0)
        store = RemoteStore(local, server=OxigraphServer())
        app = create_app(local, store)
        address = remote.store.split("/query")[0]
    port = address.rsplit(":", 1)[-1]
    # The SPARQL server is gone now: every request that reaches the store fails.
    leaks = re.compile("|".join([re.escape(address), rf"\b{port}\b", "Traceback", "Errno", "refused",
                                 r"/tmp/", r"/work/", "httpx", "Connect"]), re.IGNORECASE)
    failed = []
    with caplog.at_level(logging.ERROR, logger="sherloc_kg.api"), serving(app) as url, \
            httpx.Client(base_url=url, timeout=120) as client:
        for method, path, params, role, body, media in REQUESTS:
            headers = {**bearer[role], **({"Content-Type": media} if body is not None and media else {}),
                       **({"Accept": media} if body is None and media else {})}
            answer = client.request(method, path, params=params, content=body, headers=headers)
            assert not leaks.search(answer.text), (path, answer.status_code, answer.text[:500])
            assert answer.status_code >= 500, (path, answer.status_code, answer.text[:300])
            if answer.headers["content-type"].startswith("application/json"):
                reply = answer.json()
                assert reply["error"] in ("ServiceUnavailable", "InternalError"), (path, reply)
                reference = reply["reference"]
            else:  # an HTML page: the same reference, in the page
                found = re.search(r"\b([0-9a-f]{12})\b", answer.text)
                assert found, (path, answer.text[:500])
                reference = found.group(1)
            failed.append((path, reference))
    store.close()
    records = [r for r in caplog.records if r.levelno >= logging.ERROR]
    for path, reference in failed:
        logged = [r for r in records if reference in r.getMessage()]
        assert logged and logged[0].exc_info is not None, (path, reference, [r.getMessage() for r in records])
    assert len(failed) == len(REQUESTS)
