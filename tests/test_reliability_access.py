"""Issue 20, item 4: a submitter loads records (``POST /api/records/{kind}``) about its own State
only, as issue 7 asked; ``tokens create --country`` refuses a code that names no State."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from .conftest import snapshot
from .test_api_loads import CASE, NDJSON, count_cases, examples_reference, jsonl, served, tokens  # noqa: F401
from .test_cli import EXE, sherloc

REVIEW = {"id": "XAA-API-review-1", "country": "XAA", "cycle": 1, "cluster": 1, "provision": "untoc/art/5/1/a",
          "status": "implemented", "practices": "[Illustrative] loaded through the API", "date": "2024-01-01"}


def test_a_submitter_loads_records_of_its_own_state(served) -> None:  # noqa: F811
    client, store, headers = served
    mine = {**CASE, "id": "XAA-API-SUBMITTED"}
    answer = client.post("/api/records/cases", content=jsonl(mine), headers={**NDJSON, **headers["submitter"]})
    assert answer.status_code == 200, answer.text
    assert answer.json()["records_written"] == 1 and count_cases(store, "XAA-API-SUBMITTED") == 1
    review = client.post("/api/records/review", content=jsonl(REVIEW), headers={**NDJSON, **headers["submitter"]})
    assert review.status_code == 200, review.text


def test_a_submitter_loads_nothing_about_another_state_or_none(served) -> None:  # noqa: F811
    client, store, headers = served
    before = snapshot(store)
    refusals = {
        # one record of its own State and one of another: the whole load is refused
        "cases": ([{**CASE, "id": "XAA-API-OK"}, {**CASE, "id": "XAB-API-1", "country": "XAB"}],
                  "record XAB-API-1, field 'country': is about XAB"),
        # a decision of an international body is no State's
        "cases ": ([{**{k: v for k, v in CASE.items() if k != "country"}, "id": "IRB-API-1", "jurisdiction": "ECHR"}],
                   "record IRB-API-1, field 'country': is about ECHR"),
        # a publication names no State as its own
        "bibliography": ([{"id": "XAA-API-pub", "title": "[Illustrative] A study", "authors": ["Example, A."],
                           "year": 2023, "type": "report", "countries": ["XAA"]}], "names no State"),
        # a submitter's answers are stored unpublished: publishing is an official's
        "review": ([{**REVIEW, "id": "XAA-API-review-2", "published": True}], "field 'published'"),
    }
    for kind, (rows, said) in refusals.items():
        answer = client.post(f"/api/records/{kind.strip()}", params={"filename": "mine.jsonl"}, content=jsonl(*rows),
                             headers={**NDJSON, **headers["submitter"]})
        assert answer.status_code == 403, (kind, answer.text)
        message = answer.json()["message"]
        assert "submitter token of XAA loads records about XAA only" in message and said in message, message
        assert "mine.jsonl" in message and "sherloc-upload" not in message, message
    for skip in ("refuse", "skip"):  # whatever the policy says
        answer = client.post("/api/records/cases", params={"on_invalid": skip},
                             content=jsonl({**CASE, "id": "XAB-API-2", "country": "XAB"}),
                             headers={**NDJSON, **headers["submitter"]})
        assert answer.status_code == 403, answer.text
    assert snapshot(store) == before


def test_tokens_create_refuses_a_code_that_names_no_state(tmp_path: Path) -> None:
    # No store to read (it is never created for this): ISO 3166-1 and the examples' fictional States.
    absent = tmp_path / "absent"
    for code in ("FRA", "XAA"):
        made = subprocess.run([EXE, "--store", str(absent), "tokens", "create", "--role", "submitter", "--country", code],
                           env=dict(os.environ, SHERLOC_TOKENS=str(tmp_path / "tokens.json")), capture_output=True,
                           text=True, timeout=600)
        assert made.returncode == 0, made.stderr
    assert not absent.exists()
    refused = subprocess.run([EXE, "--store", str(absent), "tokens", "create", "--role", "submitter", "--country",
                              "ZZZ"], env=dict(os.environ, SHERLOC_TOKENS=str(tmp_path / "tokens.json")),
                             capture_output=True, text=True, timeout=600)
    assert refused.returncode == 2 and "'ZZZ' names no State" in refused.stderr, refused.stderr
    # A store that holds a countries graph: its States, the fictional ones only after --with-examples.
    store = tmp_path / "store"
    sherloc(store, "init", "--no-data")
    env = dict(os.environ, SHERLOC_TOKENS=str(tmp_path / "tokens.json"))

    def create(code: str) -> subprocess.CompletedProcess:
        return subprocess.run([EXE, "--store", str(store), "tokens", "create", "--role", "submitter", "--country",
                               code], env=env, capture_output=True, text=True, timeout=600)

    assert create("CAN").returncode == 0
    without = create("XAA")
    assert without.returncode == 2 and "'XAA' names no State known to the store's countries graph" in without.stderr
    sherloc(store, "init", "--no-data", "--with-examples")
    assert create("XAA").returncode == 0
    listed = json.dumps([line for line in subprocess.run([EXE, "tokens", "list"], env=env, capture_output=True,
                                                         text=True, timeout=600).stdout.splitlines()])
    assert "ZZZ" not in listed
