"""The data-quality report per State (issue 8, item 6): the conditions the SHACL shapes warn about,
recomputed by the named query ``data-quality-of-country`` and compared with the input files."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest

from sherloc_kg.api.implementation import QUALITY_CHECKS
from sherloc_kg.iris import segment

from .jargon import Page, jargon
from .test_implementation_profile import article32, article32_official, get, jsonl  # noqa: F401 (fixtures)

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def cases() -> list[dict]:
    found = []
    for path in [*sorted((REPO / "data/cases").glob("*.jsonl")), REPO / "data/examples/cases.jsonl"]:
        found += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
                  if line.strip() and not line.startswith("#")]
    return found


def expected(cases: list[dict], country: str) -> dict[str, set[str]]:
    """check → the ids of the records that fail it, from the input files."""
    mine = [c for c in cases if c.get("country") == country]
    laws = [law for law in jsonl("legislation.jsonl") if law["country"] == country]
    known = {f'{law["id"]}#{p["number"]}' for law in jsonl("legislation.jsonl") for p in law["provisions"]}
    return {
        "case-without-decision-date": {c["id"] for c in mine if not c.get("decision_date")},
        "case-without-provision-link": {c["id"] for c in mine if not c.get("provisions") and not c.get("legislation")},
        "case-cites-unknown-national-provision": {c["id"] for c in mine
                                                  if any(k.split(":")[-1] not in known for k in c.get("legislation", []))},
        "law-without-implemented-provision": {law["id"] for law in laws
                                              if not any(p.get("implements") for p in law["provisions"])},
        "national-provision-without-link": {f'{law["id"]}/art/{p["number"]}' for law in laws
                                            for p in law["provisions"] if not p.get("implements")},
    }


@pytest.mark.parametrize("code", ["BRA", "XAA", "XAB"])
def test_findings_match_the_input_files(article32: str, cases: list[dict], code: str) -> None:
    response = get(article32 + f"/api/countries/{code}/quality")
    assert response.status_code == 200
    report = response.json()
    checks = {c["check"]: c for c in report["checks"]}
    assert list(checks) == list(QUALITY_CHECKS)  # every check is listed, even with no finding
    for check, ids in expected(cases, code).items():
        found = {f["href"].split("/id/")[1].split("/", 2)[-1] if "/legislation/" in f["href"] else f["href"].rsplit("/", 1)[-1]
                 for f in checks[check]["findings"]}
        assert found == ids, (code, check)
        assert checks[check]["count"] == len(ids)
    assert report["total"] == sum(len(ids) for ids in expected(cases, code).values())


def test_a_real_state_has_the_warnings_of_its_cases(article32: str, cases: list[dict]) -> None:
    bra = [c for c in cases if c.get("country") == "BRA"]
    page = get(article32 + "/explore/countries/BRA/quality")
    assert page.status_code == 200
    assert " style=" not in page.text and "<script" not in page.text
    summary = re.search(r'<tr id="summary-case-without-decision-date">.*?<td class="number">(\d+)</td>', page.text, re.S)
    assert summary and int(summary.group(1)) == sum(1 for c in bra if not c.get("decision_date"))
    # the reader's page of each case, the findings in words (the JSON keeps the query's English detail)
    assert f'href="/explore/cases/{segment(bra[0]["id"])}"' in page.text and 'href="/id/' not in page.text
    assert "no Convention provision and no national provision given" in page.text and "`" not in page.text
    assert not jargon(Page(page.text).text)
    rows = list(csv.DictReader(io.StringIO(get(article32 + "/api/countries/BRA/quality.csv").text)))
    assert len(rows) == sum(len(ids) for ids in expected(cases, "BRA").values())
    assert {r["check"] for r in rows} <= set(QUALITY_CHECKS)
    assert all(r["resource"].startswith("https://w3id.org/sherloc/id/") for r in rows)


def test_a_state_without_findings_and_an_unknown_one(article32: str, article32_official) -> None:
    page = get(article32 + "/explore/countries/XAA/quality").text
    assert "0 findings" in page
    for title in QUALITY_CHECKS.values():
        assert title in page
    assert 'href="/api/countries/XAA/quality.csv"' in page
    url, headers = article32_official
    assert get(url + "/api/countries/XAA/quality", headers=headers).json()["total"] == 0
    assert get(article32 + "/explore/countries/QQQ/quality").status_code == 404
    assert get(article32 + "/api/countries/QQQ/quality.csv").status_code == 404
