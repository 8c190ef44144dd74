"""The gap matrix, States × articles (issue 8, item 4), over HTTP on a real server with the bundled
cases, the bundled (partial) UN Treaty Collection table and the illustrative examples: every cell's
figures and gaps are computed here from data/examples/*, the bundled files and the obligation types
of the texts, and compared with the JSON, the CSV and the heat map; the unpublished self-assessment
reaches an official only.

Open world (issue 17): a State is a row as soon as the store holds any record of it (a case decided
by its courts, a law, an authority, a review answer, a participation); participation not recorded
is its own state, never "not party", and the "no-legislation" gap is a gap in the database (an
obligation, no implementing law recorded) whatever the participation recorded."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import datetime

import pycountry
import pytest

from sherloc_kg.loaders.participation import resolve_country
from sherloc_kg.reference import BUNDLED

from .jargon import Page, jargon
from .test_implementation_profile import (  # noqa: F401 (fixtures)
    REPO, article32, article32_official, article_of, article_types, expected_evidence, get, jsonl, participation,
    unpublished,
)

WEIGHT = {"mandatory": 3, "to-consider": 2, "optional": 1, "none": 0}
DATA = REPO / "data"


def bundled(kind: str) -> list:
    return [DATA / relative for k, relative in BUNDLED if k == kind]


def bundled_participation() -> dict[tuple[str, str], tuple[str | None, str | None]]:
    """(ISO3, instrument) → (signature, consent) from the bundled UNTC tables (data/participation/)."""
    def iso(cell: str) -> str | None:
        words = cell.split()
        return datetime.strptime(" ".join(words[:3]), "%d %b %Y").date().isoformat() if words else None

    found = {}
    for path in bundled("participation"):
        instrument = next(code for code in ("untoc", "tip", "som", "fp") if f"-{code}-" in path.name)
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.reader(line for line in handle if not line.startswith("#")):
                if row[0] == "Participant":
                    continue
                found[(resolve_country(row[0]), instrument)] = (iso(row[1]), iso(row[2]))
    return found


def evidence() -> dict:
    """expected_evidence() of the examples, plus the editors' implementation mappings bundled
    (data/editorial/implementation-*.jsonl): (country, article) → {"editorial": national provision paths}."""
    found = expected_evidence()
    for path in bundled("editorial"):
        for claim in (json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.startswith("{")):
            if claim.get("claim") == "implements":
                key = (claim["national"].split("/")[1], article_of(claim["provision"]))
                found[key]["editorial"].add("/id/" + claim["national"])
    return found


def laws(found: dict) -> int:
    """National provisions recorded as implementing: cited by the legislation record or mapped by the editors."""
    return len(set(found.get("national", ())) | set(found.get("editorial", ())))


def party() -> dict[tuple[str, str], str]:
    """(country, instrument) → consent date: the examples and the bundled UNTC table."""
    return participation() | {key: consent for key, (_, consent) in bundled_participation().items() if consent}


def states(with_bundled: bool = True) -> set[str]:
    """The States the matrix covers: any State with any record (a participation, a law, a review
    answer, an authority, a case decided by its courts, cited provision or not)."""
    found = {country for country, _ in participation()}
    for name in ("legislation.jsonl", "review.jsonl", "authorities.jsonl", "cases.jsonl"):
        found |= {r["country"] for r in jsonl(name)}
    if with_bundled:
        found |= {country for country, _ in bundled_participation()}
        found |= {path.name for path in bundled("legislation") if path.is_dir()}  # legislation/CAN: a State's laws
        for path in bundled("cases"):
            lines = path.read_text(encoding="utf-8").splitlines()
            # a case of an international body (IRB) is no State's
            found |= {c["country"] for c in map(json.loads, (x for x in lines if x.strip() and not x.startswith("#")))
                      if c.get("country") and pycountry.countries.get(alpha_3=c["country"])}
    return found


def expected_gaps(official: bool) -> dict[tuple[str, str], list[str]]:
    types = article_types()
    found_all = evidence()
    result = {}
    for country in states():
        for reference, kind in types.items():
            found = found_all.get((country, reference), {})
            recorded = laws(found)
            statuses = found.get("all" if official else "public", set())
            gaps = []
            # a gap in the database, whatever the participation recorded (open world)
            if WEIGHT[kind] > 0 and recorded == 0:
                gaps.append("no-legislation")
            if statuses & {"implemented", "partially-implemented"} and recorded == 0:
                gaps.append("self-assessed-without-legislation")
            if "not-implemented" in statuses and recorded > 0:
                gaps.append("legislation-but-assessed-not-implemented")
            if found.get("cases") and recorded == 0:
                gaps.append("cases-without-legislation")
            result[(country, reference)] = gaps
    return result


@pytest.fixture(scope="module")
def matrix(article32: str) -> dict:
    response = get(article32 + "/api/gap-matrix")
    assert response.status_code == 200
    return response.json()


def test_the_matrix_covers_the_states_and_every_article(matrix: dict) -> None:
    assert [s["country"] for s in matrix["states"]] == sorted(states())
    assert {a["article"] for a in matrix["articles"]} == set(article_types())
    assert len(matrix["cells"]) == len(states()) * len(article_types())
    assert matrix["region"] is None and "region" in matrix["region_note"].lower()
    # the select offers the UN M49 areas holding a State: every real country of the countries graph has one
    offered = {r["code"]: (r["name"], r["level"]) for r in matrix["regions"]}
    assert offered["150"] == ("Europe", 0) and offered["155"] == ("Western Europe", 1)
    assert offered["202"] == ("Sub-Saharan Africa", 1) and offered["011"] == ("Western Africa", 2)
    types = article_types()
    for article in matrix["articles"]:
        assert article["obligation"] == types[article["article"]]
        assert article["weight"] == WEIGHT[article["obligation"]]


def test_every_cell_matches_the_example_files(matrix: dict) -> None:
    found_all = evidence()
    parties = party()
    signed = {key: signature for key, (signature, _) in bundled_participation().items()}
    expected = expected_gaps(official=False)
    for cell in matrix["cells"]:
        key = (cell["country"], cell["article"])
        found = found_all.get(key, {})
        assert cell["national_provisions"] == laws(found), key
        assert cell["cases"] == len(found.get("cases", ())), key
        assert cell["authorities"] == len(found.get("authorities", ())), key
        assert set(cell["self_assessment"]) == found.get("public", set()), key
        instrument = (cell["country"], cell["article"].split("/")[0])
        assert cell["party_since"] == parties.get(instrument), key
        assert cell["participation"] == ("party" if instrument in parties else "not-recorded"), key
        if instrument in signed:
            assert cell["signed"] == signed[instrument], key
        assert cell["national_provisions_cited"] == len(found.get("national", ())), key
        assert cell["national_provisions_editorial"] == len(found.get("editorial", ())), key
        assert cell["gaps"] == expected[key], key
    # what the examples make of it, by hand: a mandatory article with no law for a party; a case
    # citing the TIP definitions with no law implementing them
    cells = {(c["country"], c["article"]): c for c in matrix["cells"]}
    assert cells[("XAB", "untoc/art/5")]["gaps"] == ["no-legislation"]
    assert cells[("XAA", "untoc/art/5")]["gaps"] == []
    assert cells[("XAA", "tip/art/3")]["gaps"] == ["cases-without-legislation"]
    # no participation of XAB in the Smuggling Protocol is recorded: that is not "not party"; art. 6
    # lays an obligation and no law is recorded: a gap in the database, the cell saying participation
    # is not recorded
    assert cells[("XAB", "som/art/6")]["gaps"] == ["no-legislation"]
    assert cells[("XAB", "som/art/6")]["participation"] == "not-recorded"
    # Brazil: cases only (none cites a provision), no participation recorded: a row all the same
    assert cells[("BRA", "untoc/art/5")]["participation"] == "not-recorded"
    assert cells[("BRA", "untoc/art/5")]["gaps"] == ["no-legislation"]
    # Albania, in the bundled UNTC table: party since 21 August 2002 (ratification)
    assert cells[("ALB", "untoc/art/5")]["party_since"] == "2002-08-21"
    assert cells[("ALB", "tip/art/5")]["participation"] == "not-recorded"  # the table says nothing of the Protocols


def test_filters(article32: str, matrix: dict) -> None:
    tip = get(article32 + "/api/gap-matrix", params={"instrument": "tip"}).json()
    assert {a["instrument"] for a in tip["articles"]} == {"tip"}
    assert len(tip["cells"]) == len(states()) * sum(1 for r in article_types() if r.startswith("tip/"))
    assert [c["instrument"] for c in tip["coverage"]] == ["tip"] and tip["coverage"][0]["participants"] == 3
    one = get(article32 + "/api/gap-matrix", params={"cluster": "1"}).json()
    assert all("1" in a["clusters"] for a in one["articles"])
    assert get(article32 + "/api/gap-matrix", params={"instrument": "nope"}).status_code == 400
    assert get(article32 + "/api/gap-matrix", params={"cluster": "1 OR 1"}).status_code == 400
    # the examples' States are fictional, in no UN M49 area: Europe holds the real States with a record
    europe = get(article32 + "/api/gap-matrix", params={"region": "150"}).json()
    assert not {s["country"] for s in europe["states"]} & {"XAA", "XAB", "XAC", "BRA"}
    assert {"ALB", "AUT", "BEL"} <= {s["country"] for s in europe["states"]} and europe["filters"] == {"region": "150"}
    assert europe["region"] == {"code": "150", "name": "Europe"}


@pytest.mark.parametrize("region", ["999", "15", "1500", "EUR", "150 OR 1", "XAA"])
def test_an_unknown_or_malformed_region_is_refused_naming_the_parameter(article32: str, region: str) -> None:
    for path in ("/api/gap-matrix", "/api/gap-matrix.csv"):
        answer = get(article32 + path, params={"region": region})
        assert answer.status_code == 400, (path, answer.text)
        assert "'region'" in answer.json()["message"] and region in answer.json()["message"]
    page = get(article32 + "/explore/gaps", params={"region": region})
    assert page.status_code == 400 and "region" in page.text


def test_csv_and_the_unpublished_self_assessment(article32: str, article32_official) -> None:
    hidden = unpublished()
    key = (hidden["country"], article_of(hidden["provision"]))
    public = list(csv.DictReader(io.StringIO(get(article32 + "/api/gap-matrix.csv").text)))
    assert len(public) == len(states()) * len(article_types())
    row = next(r for r in public if (r["country"], r["article"]) == key)
    assert row["self_assessment"] == ""
    for body in (get(article32 + "/api/gap-matrix.csv").text, get(article32 + "/api/gap-matrix").text,
                 get(article32 + "/explore/gaps").text):
        assert hidden["status"] not in body
    url, headers = article32_official
    official = list(csv.DictReader(io.StringIO(get(url + "/api/gap-matrix.csv", headers=headers).text)))
    row = next(r for r in official if (r["country"], r["article"]) == key)
    assert row["self_assessment"] == hidden["status"]
    cells = get(url + "/api/gap-matrix", headers=headers).json()["cells"]
    expected = expected_gaps(official=True)
    assert all(c["gaps"] == expected[(c["country"], c["article"])] for c in cells)
    # the page says the status in words (its label), the JSON and the CSV by its notation
    assert "self-assessed: " + hidden["status"].replace("-", " ") in get(url + "/explore/gaps", headers=headers).text


def test_heat_map_page(article32: str) -> None:
    response = get(article32 + "/explore/gaps")
    assert response.status_code == 200
    page = response.text
    assert " style=" not in page and "<script" not in page
    assert "region" in page.lower()
    rows = re.findall(r'<tr><th scope="row"><a href="/explore/countries/([A-Z]{3})/implementation">', page)
    assert rows == sorted(states())
    # the cell of XAB × untoc/art/5: a gap on a mandatory article, linking to the profile row
    cell = re.search(r'<td class="gap-cell (cell-[a-z-]+)"><a href="/explore/countries/XAB/implementation#untoc-art-5"', page)
    assert cell and cell.group(1) == "cell-gap-mandatory"
    cell = re.search(r'<td class="gap-cell (cell-[a-z-]+)"><a href="/explore/countries/XAA/implementation#untoc-art-5"', page)
    assert cell and cell.group(1) == "cell-evidence"
    cell = re.search(r'<td class="gap-cell (cell-[a-z-]+)"><a href="/explore/countries/XAA/implementation#tip-art-3"', page)
    assert cell and cell.group(1) == "cell-gap"
    listed = set()
    for country, row in re.findall(r'<tr class="gap-row" data-country="([A-Z]{3})">(.*?)</tr>', page, re.S):
        listed |= {(country, article) for article in re.findall(r'data-article="([^"]+)"', row)}
    expected = expected_gaps(official=False)
    assert listed == {key for key, gaps in expected.items() if gaps}
    # in words (issue 18): an article head and a cell say which article and which gap; the gap list names
    # the articles under their instrument; the references stay in data-article only
    assert not jargon(Page(page).text), sorted(jargon(Page(page).text))[:6]
    assert 'title="Organized Crime Convention, Article 5: Mandatory" data-article="untoc/art/5"' in page
    cell = re.search(r'href="/explore/countries/XAB/implementation#untoc-art-5" title="([^"]+)"', page)
    assert cell and cell.group(1).startswith("Borealis (fictional State); Organized Crime Convention, Article 5; mandatory;")
    assert cell.group(1).endswith("; gaps: no implementing legislation recorded"), cell.group(1)
    assert 'data-article="untoc/art/5">Art. 5 (M)</a>' in page
    # open world: no cell, legend or list says a State is not party; the coverage is said
    assert "not party" not in page.lower() and "not-party" not in page
    assert "cell-participation-not-recorded" in page and "no participation recorded" in page
    assert "from the UN Treaty Collection status table of UNTOC as at 4 May 2024, covering 18 participants" in page
    assert 'href="/api/gap-matrix.csv"' in page
    filtered = get(article32 + "/explore/gaps", params={"instrument": "tip", "cluster": "1"})
    assert filtered.status_code == 200 and 'value="tip" selected' in filtered.text
    assert get(article32 + "/explore/gaps", params={"instrument": "<x>"}).status_code == 400


def test_the_european_union_is_a_row_when_it_is_a_party(settings, tmp_path) -> None:
    """The EU, a regional economic integration organization (UNTOC art. 2 (j)), is party to UNTOC by
    approval (AA); its participation comes from the UN Treaty Collection status table. It is no
    ``sherloc:Country``, but the matrix shows it as a row, marked as a regional organization."""
    from sherloc_kg.api.app import create_app
    from sherloc_kg.ingest import Ingest

    from .servers import serving
    from .test_search_api import examples_store

    store = examples_store(settings)
    table = tmp_path / "untc-status-untoc-eu.csv"
    table.write_text('# instrument: untoc\nParticipant,Signature,"Ratification, Acceptance(A), Approval(AA), '
                     'Accession(a), Succession(d)"\nEuropean Union,12 Dec 2000,21 May 2004 AA\n', encoding="utf-8")
    report = Ingest(store, settings).load("participation", [table])
    assert not [i for i in report.issues if i.severity == "Violation"], report.issues
    with serving(create_app(settings, store=store)) as url:
        result = get(url + "/api/gap-matrix").json()
        page = get(url + "/explore/gaps").text
        table_csv = list(csv.DictReader(io.StringIO(get(url + "/api/gap-matrix.csv").text)))
    eu = next(s for s in result["states"] if s["country"] == "EU")
    assert eu["organization"] is True and eu["name"] == "European Union"
    assert "regional economic integration organization" in eu["note"].lower()
    assert eu["href"] == "/id/jurisdiction/EU"
    assert all(not s["organization"] for s in result["states"] if s["country"] != "EU")
    assert [s["country"] for s in result["states"]] == sorted(states(with_bundled=False) | {"EU"})
    cells = {c["article"]: c for c in result["cells"] if c["country"] == "EU"}
    assert len(cells) == len(article_types())
    assert cells["untoc/art/5"]["party_since"] == "2004-05-21"
    assert cells["untoc/art/5"]["gaps"] == ["no-legislation"]  # mandatory, party, no law recorded for the EU
    # no participation of the EU in the TIP Protocol is recorded: not "not party"; its art. 5 lays an
    # obligation and no law is recorded: a gap in the database all the same
    assert cells["tip/art/5"]["party_since"] is None and cells["tip/art/5"]["participation"] == "not-recorded"
    assert cells["tip/art/5"]["gaps"] == ["no-legislation"]
    assert sum(1 for r in table_csv if r["country"] == "EU") == len(article_types())
    assert '<a href="/id/jurisdiction/EU">European Union</a> <code>EU</code> <span class="regional-organization"' in page
    assert 'id="regional-organizations"' in page and " style=" not in page


def test_the_region_filter_keeps_the_states_of_that_un_m49_area(settings, tmp_path) -> None:
    """France (Europe 150, Western Europe 155) and Mexico (Americas 019, Latin America and the
    Caribbean 419, Central America 013) party to UNTOC beside the fictional States of the examples
    and the European Union: a region keeps only the States that the countries graph places in it."""
    from sherloc_kg.api.app import create_app
    from sherloc_kg.ingest import Ingest

    from .servers import serving
    from .test_search_api import examples_store

    store = examples_store(settings)
    table = tmp_path / "untc-status-untoc-regions.csv"
    table.write_text('# instrument: untoc\nParticipant,Signature,"Ratification, Acceptance(A), Approval(AA), '
                     'Accession(a), Succession(d)"\nFrance,12 Dec 2000,29 Oct 2002\nMexico,13 Dec 2000,4 Mar 2003\n'
                     'European Union,12 Dec 2000,21 May 2004 AA\n', encoding="utf-8")
    report = Ingest(store, settings).load("participation", [table])
    assert not [i for i in report.issues if i.severity == "Violation"], report.issues
    with serving(create_app(settings, store=store)) as url:
        everything = get(url + "/api/gap-matrix").json()
        europe = get(url + "/api/gap-matrix", params={"region": "150"}).json()
        western = list(csv.DictReader(io.StringIO(get(url + "/api/gap-matrix.csv", params={"region": "155"}).text)))
        central = get(url + "/api/gap-matrix", params={"region": "013", "instrument": "untoc"}).json()
        eastern = get(url + "/api/gap-matrix", params={"region": "151"}).json()
        page = get(url + "/explore/gaps", params={"region": "150"}).text
    assert [s["country"] for s in everything["states"]] == sorted(states(with_bundled=False) | {"EU", "FRA", "MEX"})
    # Europe: France is a row; Mexico (Americas), the EU (a regional organization, in no area) and the
    # fictional States are not
    assert [s["country"] for s in europe["states"]] == ["FRA"]
    assert europe["region"] == {"code": "150", "name": "Europe"} and europe["filters"] == {"region": "150"}
    assert len(europe["cells"]) == len(article_types())
    cells = {c["article"]: c for c in europe["cells"]}
    assert cells["untoc/art/5"]["party_since"] == "2002-10-29"
    assert cells["untoc/art/5"]["gaps"] == ["no-legislation"]  # mandatory, party, no French law recorded
    assert cells["tip/art/5"]["party_since"] is None and cells["tip/art/5"]["gaps"] == ["no-legislation"]
    assert {r["country"] for r in western} == {"FRA"} and len(western) == len(article_types())
    assert [s["country"] for s in central["states"]] == ["MEX"]  # an intermediate region
    assert {c["country"] for c in central["cells"]} == {"MEX"}
    assert len(central["cells"]) == sum(1 for r in article_types() if r.startswith("untoc/"))
    assert eastern["states"] == [] and eastern["cells"] == []  # Eastern Europe: no State of the data
    rows = re.findall(r'<tr><th scope="row"><a href="(/explore/countries/[A-Z]{3}/implementation|/id/jurisdiction/EU)">', page)
    assert rows == ["/explore/countries/FRA/implementation"]
    assert '<option value="150" selected>Europe (150)</option>' in page
    assert '<option value="155">— Western Europe (155)</option>' in page
    assert 'href="/api/gap-matrix.csv?region=150"' in page and " style=" not in page
