"""Loads through the API (issue 7, item 5): ``POST /api/records/{kind}`` over real HTTP, against an
in-memory store with the public mirror (as ``serve`` opens it) holding the reference graphs and the
fictional States. Who may load, what the report says, refusal writes nothing, the body limit, XML
entities, and the restricted graphs of authorities."""

from __future__ import annotations

import io
import json
import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from sherloc_kg.access import Tokens
from sherloc_kg.api import security
from sherloc_kg.api.app import create_app
from sherloc_kg.config import Settings
from sherloc_kg.reference import install_reference
from sherloc_kg.store import open_store
from sherloc_kg.store.embedded import EmbeddedStore

from .conftest import NQUADS, snapshot
from .servers import serving

BASE = "https://w3id.org/sherloc/"
NDJSON = {"Content-Type": "application/x-ndjson"}
CASE = {"id": "XAA-API-001", "title": "Prosecutor v. Z. (loaded through the API)", "year": 2020, "country": "XAA",
        "crime_types": ["trafficking-in-persons"], "provisions": ["tip/art/3/a"]}



def jsonl(*rows: dict) -> bytes:
    return "".join(json.dumps(r) + "\n" for r in rows).encode()


@pytest.fixture(scope="module")
def examples_reference(settings: Settings) -> bytes:
    store = EmbeddedStore(None)
    install_reference(store, settings, with_examples=True)
    buffer = io.BytesIO()
    store.dump(buffer, media_type=NQUADS)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def tokens(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, dict[str, str]]]:
    path = tmp_path_factory.mktemp("loads") / "tokens.json"
    made = Tokens(path)
    headers = {role: {"Authorization": "Bearer " + made.create(role, name=f"{role} test",
                                                                country="XAA" if role == "submitter" else None)}
               for role in ("admin", "editor", "official", "submitter")}
    headers["public"] = {}
    return path, headers


@pytest.fixture
def served(settings: Settings, examples_reference: bytes, tokens) -> Iterator[tuple[httpx.Client, EmbeddedStore, dict]]:
    path, headers = tokens
    local = settings.with_(tokens=path)
    store = open_store(local)  # in memory, with the public mirror
    store.restore(io.BytesIO(examples_reference), media_type=NQUADS)
    with serving(create_app(local, store=store)) as url, httpx.Client(base_url=url, timeout=300) as client:
        yield client, store, headers


def count_cases(store: EmbeddedStore, case_id: str) -> int:
    return len(store.select("SELECT ?c WHERE { GRAPH <" + BASE + "graph/cases> { ?c <http://purl.org/dc/terms/identifier> "
                            "?id } FILTER(STR(?id) = " + json.dumps(case_id) + ") }").rows)


@pytest.mark.parametrize("role,status", [("public", 401), ("official", 403)])
def test_only_editors_admins_and_submitters_load(served, role: str, status: int) -> None:
    client, store, headers = served
    before = snapshot(store)
    answer = client.post("/api/records/cases", content=jsonl(CASE), headers={**NDJSON, **headers[role]})
    assert answer.status_code == status, answer.text
    assert "editor or admin" in answer.json()["message"]
    if status == 401:
        assert answer.headers["www-authenticate"].startswith("Bearer")
    assert snapshot(store) == before


@pytest.mark.parametrize("role", ["editor", "admin"])
def test_a_load_answers_its_report_and_writes_with_provenance(served, role: str) -> None:
    client, store, headers = served
    answer = client.post("/api/records/cases", params={"filename": "../../etc/new cases.jsonl"},
                         content=jsonl(CASE), headers={**NDJSON, **headers[role]})
    assert answer.status_code == 200, answer.text
    report = answer.json()
    assert report["written"] is True and report["kind"] == "cases" and report["format"] == "jsonl"
    assert report["records_read"] == 1 and report["records_written"] == 1 and report["triples_written"] > 5
    assert report["violations"] == 0 and report["file"] == "new_cases.jsonl"
    assert count_cases(store, "XAA-API-001") == 1
    # provenance names the upload by its cleaned name, never a temporary path
    titles = {str(r["t"]) for r in store.select(
        "SELECT ?t WHERE { GRAPH <" + BASE + "graph/provenance> { ?s a <http://www.w3.org/ns/prov#Entity> ; "
        "<http://purl.org/dc/terms/title> ?t } }").rows}
    assert "new_cases.jsonl" in titles and not any("sherloc-upload" in t for t in titles)
    # the same case is public at once
    assert client.get("/api/search/cases", params={"country": "XAA", "q": "API"}).json()["total"] == 1
    # loading it again is idempotent
    again = client.post("/api/records/cases", content=jsonl(CASE), headers={**NDJSON, **headers[role]})
    assert again.status_code == 200 and count_cases(store, "XAA-API-001") == 1


def test_refused_load_is_422_with_the_report_and_writes_nothing(served) -> None:
    client, store, headers = served
    before = snapshot(store)
    bad = {**CASE, "id": "XAA-API-002", "year": "not a year"}
    missing = {k: v for k, v in CASE.items() if k != "title"} | {"id": "XAA-API-003"}
    answer = client.post("/api/records/cases", content=jsonl(CASE, bad, missing),
                         params={"filename": "mixed.jsonl"}, headers={**NDJSON, **headers["editor"]})
    assert answer.status_code == 422, answer.text
    report = answer.json()
    assert report["written"] is False and report["records_written"] == 0 and report["records_read"] == 3
    assert report["violations"] == 2
    problems = [p for p in report["problems"] if p["severity"] == "Violation"]
    assert {p["line"] for p in problems} == {2, 3} and {p["file"] for p in problems} == {"mixed.jsonl"}
    assert {p["field"] for p in problems} == {"year", "title"}
    assert all("sherloc-upload" not in json.dumps(p) for p in problems)
    assert snapshot(store) == before


def test_skip_writes_the_valid_records_and_reports_the_rest(served) -> None:
    client, store, headers = served
    bad = {**CASE, "id": "XAA-API-002", "year": "not a year"}
    answer = client.post("/api/records/cases", params={"on_invalid": "skip"}, content=jsonl(CASE, bad),
                         headers={**NDJSON, **headers["editor"]})
    assert answer.status_code == 200, answer.text
    report = answer.json()
    assert report["written"] and report["records_written"] == 1 and report["violations"] == 1
    assert report["on_invalid"] == "skip"
    assert count_cases(store, "XAA-API-001") == 1 and count_cases(store, "XAA-API-002") == 0
    # nothing valid: refused even under skip
    only_bad = client.post("/api/records/cases", params={"on_invalid": "skip"}, content=jsonl(bad),
                           headers={**NDJSON, **headers["editor"]})
    assert only_bad.status_code == 422 and only_bad.json()["written"] is False


def test_format_by_parameter_and_by_content_type(served) -> None:
    client, store, headers = served
    csv_text = b"id,title,year,country,crime_types\nXAA-API-CSV,A case from CSV,2019,XAA,trafficking-in-persons\n"
    by_type = client.post("/api/records/cases", content=csv_text,
                          headers={"Content-Type": "text/csv; charset=utf-8", **headers["editor"]})
    assert by_type.status_code == 200 and by_type.json()["format"] == "csv", by_type.text
    by_param = client.post("/api/records/cases", params={"format": "csv"}, content=csv_text,
                           headers={"Content-Type": "application/octet-stream", **headers["editor"]})
    assert by_param.status_code == 200 and by_param.json()["records_written"] == 1
    unknown_type = client.post("/api/records/cases", content=csv_text,
                               headers={"Content-Type": "application/octet-stream", **headers["editor"]})
    assert unknown_type.status_code == 415 and "format=" in unknown_type.json()["message"]
    unknown_format = client.post("/api/records/cases", params={"format": "yaml"}, content=csv_text,
                                 headers={**NDJSON, **headers["editor"]})
    assert unknown_format.status_code == 400 and "format" in unknown_format.json()["message"]
    unknown_kind = client.post("/api/records/nope", content=csv_text, headers={**NDJSON, **headers["editor"]})
    assert unknown_kind.status_code == 422
    unknown_policy = client.post("/api/records/cases", params={"on_invalid": "maybe"}, content=csv_text,
                                 headers={**NDJSON, **headers["editor"]})
    assert unknown_policy.status_code == 422


def test_an_empty_or_unreadable_body_is_refused(served) -> None:
    client, store, headers = served
    before = snapshot(store)
    empty = client.post("/api/records/cases", content=b"", headers={**NDJSON, **headers["editor"]})
    assert empty.status_code == 422 and "no records" in empty.text
    garbage = client.post("/api/records/cases", content=b"\xff\xfe{not json\n",
                          headers={**NDJSON, **headers["editor"]})
    assert garbage.status_code == 422 and "UTF-8" in garbage.json()["message"], garbage.text
    assert snapshot(store) == before


@pytest.mark.parametrize("kind", ["cases", "legislation"])
def test_xml_declaring_entities_is_refused(served, kind: str) -> None:
    client, store, headers = served
    before = snapshot(store)
    bomb = (b'<?xml version="1.0"?>\n<!DOCTYPE akomaNtoso [\n<!ENTITY secret SYSTEM "file:///etc/passwd">\n'
            b'<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">\n]>\n'
            b'<akomaNtoso xmlns="http://docs.oasis-open.org/legaldocml/ns/akn/3.0"><act>&secret;&lol2;</act></akomaNtoso>\n')
    answer = client.post(f"/api/records/{kind}", content=bomb, params={"filename": "bomb.xml"},
                         headers={"Content-Type": "application/xml", **headers["editor"]})
    assert answer.status_code == 422, answer.text
    assert "entit" in answer.text and "secret" in answer.text and "root:" not in answer.text
    assert "sherloc-upload" not in answer.text and "/tmp" not in answer.text
    assert snapshot(store) == before


def test_the_body_limit_is_64_mib(served) -> None:
    client, store, headers = served
    assert security.body_limit("POST", "/api/records/cases", "application/x-ndjson") == 64 * 1024 * 1024
    assert security.body_limit("POST", "/api/search/cases", "application/json") == 1024 * 1024
    before = snapshot(store)
    host, port = str(client.base_url.host), int(client.base_url.port)
    with socket.create_connection((host, port), timeout=60) as raw:  # declares 65 MiB, sends none of it
        raw.sendall(f"POST /api/records/cases HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/x-ndjson\r\n"
                    f"Authorization: {headers['editor']['Authorization']}\r\n"
                    f"Content-Length: {65 * 1024 * 1024}\r\n\r\n".encode())
        head = raw.recv(65536).decode("latin-1")
    assert head.startswith("HTTP/1.1 413") and f"sherloc-limit: body={64 * 1024 * 1024}" in head.lower()

    def chunks() -> Iterator[bytes]:  # chunked: counted as it arrives
        line = jsonl(CASE)
        block = line * (1024 * 1024 // len(line) + 1)
        for _ in range(66):
            yield block

    streamed = client.post("/api/records/cases", content=chunks(), headers={**NDJSON, **headers["editor"]})
    assert streamed.status_code == 413, streamed.text[:300]
    assert snapshot(store) == before


def test_authority_contacts_go_only_to_the_restricted_graph(served, settings: Settings) -> None:
    client, store, headers = served
    source = (settings.data_dir / "examples" / "authorities.jsonl").read_bytes()
    answer = client.post("/api/records/authorities", content=source, headers={**NDJSON, **headers["editor"]})
    assert answer.status_code == 200, answer.text
    assert answer.json()["records_written"] >= 1
    email = next(str(r["o"]) for r in store.select(
        "SELECT ?o WHERE { GRAPH <" + BASE + "graph/authorities-restricted> { ?s ?p ?o "
        "FILTER(CONTAINS(STR(?o), '@')) } } LIMIT 1").rows)
    in_public = store.ask("ASK { GRAPH ?g { ?s ?p ?o FILTER(STR(?o) = " + json.dumps(email) + ") } FILTER(?g != <"
                          + BASE + "graph/authorities-restricted>) }")
    assert not in_public
    # the report holds counts and problems, never the data
    assert email not in answer.text
    # and the public does not read it anywhere
    page = client.get("/api/resource", params={"iri": BASE + "id/authority/XAA-central-authority-mla"})
    assert page.status_code == 200 and email not in page.text
    official = client.get("/api/resource", params={"iri": BASE + "id/authority/XAA-central-authority-mla"},
                          headers=headers["official"])
    assert email in official.text
