"""Provenance of loads (issue 19, item 6; sherloc_kg/provenance.py): every load activity attributed to
an agent (the operator, SHERLOC_OPERATOR, for the command line; the token's holder for the API), never
an account of the machine; and reloading unchanged data changes nothing: two ``init`` in a row give
byte-identical dumps, while a changed file, or data removed behind the pipeline's back, is written
again.
"""

from __future__ import annotations

import getpass
import io
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from sherloc_kg.access import Role, Tokens
from sherloc_kg.api.app import create_app
from sherloc_kg.config import Settings
from sherloc_kg.ingest import Ingest
from sherloc_kg.iris import Iris
from sherloc_kg.namespaces import DCTERMS, FOAF, PROV
from sherloc_kg.provenance import UNNAMED_OPERATOR
from sherloc_kg.reference import install_reference
from sherloc_kg.store import Dataset
from sherloc_kg.store.embedded import EmbeddedStore

from .conftest import NQUADS, snapshot
from .servers import serving

EXE = str(Path(sys.executable).with_name("sherloc-kg"))
IRIS = Iris()
PROVENANCE = str(IRIS.graph("provenance"))
CASES = "cases/sherloc-cases-tip-2026-08.jsonl"


def sherloc(store: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    done = subprocess.run([EXE, "--store", str(store), *args], capture_output=True, text=True, timeout=1200,
                          env={**os.environ, "COLUMNS": "200", **(env or {})})
    assert done.returncode == 0, f"exit {done.returncode}\nstdout: {done.stdout}\nstderr: {done.stderr}"
    return done


def activities(store: EmbeddedStore, graph: str = PROVENANCE) -> list[dict]:
    return store.select(f"SELECT ?a ?agent ?t WHERE {{ ?a a <{PROV.Activity}> ; <{PROV.endedAtTime}> ?t "
                        f"OPTIONAL {{ ?a <{PROV.wasAssociatedWith}> ?agent }} }}",
                        dataset=Dataset(default=[graph], named=[])).rows


def dump(store: EmbeddedStore) -> bytes:
    buffer = io.BytesIO()
    store.dump(buffer, media_type=NQUADS)
    return buffer.getvalue()


def test_two_inits_give_byte_identical_dumps_and_name_the_operator(tmp_path: Path) -> None:
    """``sherloc-kg init`` twice on an on-disk store: the second writes nothing, and the exports are
    the same bytes; the install is the operator's (SHERLOC_OPERATOR), never the machine's account.
    (``--no-data``: the loads of the bundled data are the next test's, in process, to keep it short.)"""
    store, env = tmp_path / "store", {"SHERLOC_OPERATOR": "UNODC SHERLOC team"}
    sherloc(store, "init", "--no-data", env=env)
    sherloc(store, "export", "--format", "nq", "-o", str(tmp_path / "first.nq"))
    sherloc(store, "init", "--no-data", env=env)
    sherloc(store, "export", "--format", "nq", "-o", str(tmp_path / "second.nq"))
    first, second = (tmp_path / "first.nq").read_bytes(), (tmp_path / "second.nq").read_bytes()
    assert first == second
    text = first.decode()
    operator = f"<{IRIS.base}id/agent/operator/unodc-sherloc-team>"
    # quads whose predicate it is (a version log's literal quotes the ontology, which declares the property)
    lines = [line for line in text.splitlines() if line.split(" ", 2)[1:2] == [f"<{PROV.wasAssociatedWith}>"]]
    assert lines and all(operator in line for line in lines)  # the reference install's activity
    assert f'{operator} <{FOAF.name}> "UNODC SHERLOC team"' in text
    assert f"<{DCTERMS.creator}>" not in "\n".join(line for line in text.splitlines() if "/id/activity/" in line)
    assert f'"{getpass.getuser()}"' not in text


def some_cases(settings: Settings, folder: Path) -> Path:
    """The first 40 bundled cases (test_ingest reloads the whole file), as a file of their own."""
    source = folder / "cases.jsonl"
    lines = (settings.data_dir / CASES).read_text(encoding="utf-8").splitlines()
    source.write_text("\n".join(lines[:42]) + "\n", encoding="utf-8")
    return source


def test_reloading_a_file_writes_nothing_and_a_changed_one_is_written(store: EmbeddedStore, settings: Settings,
                                                                      tmp_path: Path) -> None:
    ingest = Ingest(store, settings)
    source = some_cases(settings, tmp_path)
    first = ingest.load("cases", [source])
    assert first.written and not first.unchanged
    before, times = dump(store), {str(r["a"]): r["t"] for r in activities(store)}
    again = ingest.load("cases", [source])
    assert again.written and again.unchanged and again.records_written == first.records_written
    assert dump(store) == before
    # another version of a record: written, as its own activity
    lines = source.read_text(encoding="utf-8").splitlines()
    first_record = next(i for i, line in enumerate(lines) if line.startswith("{"))
    lines[first_record] = lines[first_record].replace('"title": "', '"title": "Renamed: ', 1)
    changed = tmp_path / "changed.jsonl"
    changed.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert not ingest.load("cases", [changed]).unchanged
    assert dump(store) != before and "Renamed: " in dump(store).decode()
    # and the first file again: written (the store holds the other version), its activity's end time moves on
    back = ingest.load("cases", [source])
    assert back.written and not back.unchanged
    after = {str(r["a"]): r["t"] for r in activities(store)}
    restored = [a for a in after if a in times and after[a].toPython() > times[a].toPython()]
    assert len(restored) == 1
    data = (f"<{IRIS.graph('cases')}> .", f"<{IRIS.graph('inferred')}> .")
    assert {q for q in snapshot(store) if q.endswith(data)} == {q for q in before.decode().splitlines() if q.endswith(data)}


def test_data_removed_behind_the_pipeline_are_written_again(store: EmbeddedStore, settings: Settings,
                                                            tmp_path: Path) -> None:
    ingest = Ingest(store, settings)
    source = some_cases(settings, tmp_path)
    ingest.load("cases", [source])
    held = store.count(str(IRIS.graph("cases")))
    store.update(f"DROP GRAPH <{IRIS.graph('cases')}>")  # a raw repair gone wrong
    report = ingest.load("cases", [source])
    assert report.written and not report.unchanged
    assert store.count(str(IRIS.graph("cases"))) == held > 400


def test_installing_the_same_reference_graphs_again_writes_nothing(store: EmbeddedStore, settings: Settings) -> None:
    before = dump(store)
    install_reference(store, settings)
    assert dump(store) == before
    install_reference(store, settings, with_examples=True)  # the fictional States: a change
    assert dump(store) != before


def test_an_unnamed_operator_is_no_account_of_the_machine(store: EmbeddedStore, settings: Settings,
                                                          tmp_path: Path) -> None:
    Ingest(store, settings.with_(operator="")).load("cases", [some_cases(settings, tmp_path)])
    agents = {str(r["agent"]) for r in activities(store)}
    assert agents == {f"{IRIS.base}id/agent/operator"}
    names = store.select(f"SELECT ?name WHERE {{ <{IRIS.base}id/agent/operator> <{FOAF.name}> ?name }}").rows
    assert [str(r["name"]) for r in names] == [UNNAMED_OPERATOR]


@pytest.fixture
def served(settings: Settings, store: EmbeddedStore, tmp_path: Path) -> Iterator[tuple[httpx.Client, dict[str, str]]]:
    tokens = Tokens(tmp_path / "tokens.json")
    secret = tokens.create(Role.EDITOR, name="Jane Editor")
    with serving(create_app(settings.with_(tokens=tmp_path / "tokens.json"), store=store)) as url, \
            httpx.Client(base_url=url, timeout=300) as client:
        yield client, {"Authorization": f"Bearer {secret}"}


def test_a_load_through_the_api_is_the_tokens_holders(served, store: EmbeddedStore) -> None:
    """Attributed to the token's holder: its agent IRI (from the token's secret hash, as review
    versions name it) and role in public; its name only in the restricted provenance graph."""
    client, headers = served
    case = ('{"id": "TST-AGENT-001", "title": "A case an editor loads", "country": "BRA", "year": 2015, '
            '"crime_types": ["trafficking-in-persons"]}\n')
    answer = client.post("/api/records/cases", content=case.encode(),
                         headers={**headers, "Content-Type": "application/x-ndjson"})
    assert answer.status_code == 200, answer.text
    loads = [r for r in activities(store) if "/activity/cases-" in str(r["a"])]
    assert len(loads) == 1
    agent = str(loads[0]["agent"])
    assert agent.startswith(f"{IRIS.base}id/agent/") and "operator" not in agent
    public = store.select(f"SELECT ?p ?o WHERE {{ <{agent}> ?p ?o }}",
                          dataset=Dataset(default=[PROVENANCE], named=[])).rows
    assert ("http://www.w3.org/2004/02/skos/core#note", "editor token") in {(str(r["p"]), str(r["o"])) for r in public}
    assert "Jane Editor" not in {str(r["o"]) for r in public}
    restricted = store.select(f"SELECT ?name WHERE {{ <{agent}> <{FOAF.name}> ?name }}",
                              dataset=Dataset(default=[str(IRIS.graph("provenance-restricted"))], named=[])).rows
    assert [str(r["name"]) for r in restricted] == ["Jane Editor"]
    # the same file by the same holder again: nothing written
    before = dump(store)
    again = client.post("/api/records/cases", content=case.encode(),
                        headers={**headers, "Content-Type": "application/x-ndjson"})
    assert again.status_code == 200 and dump(store) == before
