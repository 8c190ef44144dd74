"""Issue 20, item 3: review version numbers are taken inside the write, so that several web
processes on one remote store never give one number twice nor lose one.

``sherloc-kg serve --workers 2`` (two web processes) on a real ``oxigraph serve``; 8 submissions
of the same answer at once, from 8 threads, through both processes. Each is answered 201 with its
version; the versions are 1 to 8, each once, each with one author's instant, and the answer's
current version is the 8th. Bounded in time; no duration is asserted."""

from __future__ import annotations

import io
import threading
from pathlib import Path

import httpx

from sherloc_kg.access import Tokens
from sherloc_kg.config import Settings
from sherloc_kg.reference import install_reference, load_examples
from sherloc_kg.store import Dataset
from sherloc_kg.store.embedded import EmbeddedStore
from sherloc_kg.store.remote import RemoteStore

from .backends import oxigraph_server
from .conftest import NQUADS
from .servers import serve_process, stop

SUBMISSIONS = 8
ROUNDS = 4  # rounds of 8 at once: the race is not met on every round
TOTAL = SUBMISSIONS * ROUNDS
BOUND = 300  # seconds: an upper bound on any wait, never an expectation
BASE = "https://w3id.org/sherloc/"


def _answer(text: str) -> dict:
    return {"id": "XAA-review-concurrent", "country": "XAA", "cycle": 1, "cluster": 1, "provision": "untoc/art/6",
            "status": "partially-implemented", "measures": ["XAA-penal-code#150"],
            "practices": f"[Illustrative] Invented answer {text}.", "date": "2024-05-01"}


def test_concurrent_submissions_through_two_processes_take_each_version_once(tmp_path: Path,
                                                                            settings: Settings) -> None:
    source = EmbeddedStore(None)
    install_reference(source, settings, with_examples=True)
    load_examples(source, settings)
    dump = io.BytesIO()
    source.dump(dump, media_type=NQUADS)
    tokens = Tokens(tmp_path / "tokens.json")
    bearer = {"Authorization": "Bearer " + tokens.create("submitter", country="XAA", name="concurrent submitter")}
    with oxigraph_server(tmp_path) as remote:
        with RemoteStore(remote) as loader:
            loader.restore(io.BytesIO(dump.getvalue()), media_type=NQUADS)
        served = serve_process(tmp_path, remote.store, env={"SHERLOC_TOKENS": str(tmp_path / "tokens.json")},
                               args=("--workers", "2"), bound=BOUND)
        answers: list[httpx.Response] = []
        start = threading.Barrier(SUBMISSIONS)

        def submit(index: int) -> None:
            with httpx.Client(base_url=served.url, timeout=BOUND) as client:  # a connection of its own: either process
                start.wait(timeout=BOUND)
                answers.append(client.post("/api/review/submissions", json=_answer(f"number {index}"),
                                           headers=bearer))

        try:
            for round_ in range(ROUNDS):
                threads = [threading.Thread(target=submit, args=(round_ * SUBMISSIONS + i,))
                           for i in range(SUBMISSIONS)]
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join(timeout=BOUND)
                assert not any(t.is_alive() for t in threads)
        finally:
            stop(served.process)
        assert len(answers) == TOTAL
        assert all(a.status_code == 201 for a in answers), [(a.status_code, a.text[:300]) for a in answers]
        numbers = sorted(a.json()["stored"][0]["version"] for a in answers)
        assert numbers == list(range(1, TOTAL + 1)), numbers
        with RemoteStore(remote) as store:
            answer = f"{BASE}id/review/XAA-review-concurrent"
            rows = store.select(f"""SELECT ?n (COUNT(DISTINCT ?t) AS ?instants) (COUNT(DISTINCT ?text) AS ?texts)
                WHERE {{ GRAPH ?g {{ ?v <http://purl.org/dc/terms/isVersionOf> <{answer}> ;
                  <{BASE}ontology#versionNumber> ?n ; <http://www.w3.org/ns/prov#generatedAtTime> ?t ;
                  <{BASE}ontology#practices> ?text }} }} GROUP BY ?n ORDER BY ?n""", dataset=Dataset(default=None)).rows
            assert [int(r["n"]) for r in rows] == list(range(1, TOTAL + 1)), rows
            assert all(int(r["instants"]) == 1 and int(r["texts"]) == 1 for r in rows), rows  # never two merged
            current = store.select(f"SELECT ?v WHERE {{ GRAPH ?g {{ <{answer}> <{BASE}ontology#currentVersion> ?v }} }}",
                                   dataset=Dataset(default=None)).rows
            assert [str(r["v"]) for r in current] == [f"{answer}/version/{TOTAL}"], current
