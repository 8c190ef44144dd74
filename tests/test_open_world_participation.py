"""Open world for treaty participation (issue 17, parts 4 and 5), over HTTP on a real server holding
what ``sherloc-kg init`` loads (the reference graphs, the bundled cases, the bundled partial UN
Treaty Collection table of UNTOC): a State the table does not cover (Brazil) has "no participation
recorded", never "not party", on every page and in every answer, and is a row of the gap matrix all
the same; a State it covers (Albania) is party since its ratification; every answer says what the
store covers. Country names are the UN's, in its six languages. Implementation rests on nested
national provisions and on editorial claims too, and says which."""

from __future__ import annotations

import csv
import io
import re
import shutil
from pathlib import Path

import pytest
from rdflib import Literal

from sherloc_kg.config import Settings
from sherloc_kg.iris import Iris
from sherloc_kg.loaders.countries import UN_NAME_COLUMNS, countries_graph
from sherloc_kg.namespaces import RDF, SHERLOC, SKOS
from sherloc_kg.queries import QueryLibrary

from .conftest import NQUADS
from .servers import serving
from .test_implementation_profile import get

IRIS = Iris()
NEGATIVE = re.compile(r"not[ -]party", re.I)
COVERAGE = "from the UN Treaty Collection status table of UNTOC as at 4 May 2024, covering 18 participants"
#: The participants of the bundled table (Afghanistan to Belize), by ISO 3166-1 code.
TABLE = {"AFG", "ALB", "DZA", "AND", "AGO", "ATG", "ARG", "ARM", "AUS", "AUT", "AZE", "BHS", "BHR", "BGD", "BRB",
         "BLR", "BEL", "BLZ"}


@pytest.fixture(scope="module")
def plain(settings: Settings, loaded_store) -> str:
    """The application over a plain init: reference graphs and the bundled data, no examples, in a
    store as ``serve`` opens it (with the public mirror the public's pages read: without it, each
    page of the crawl below filtered the graphs itself, and the crawl took 20 minutes)."""
    from sherloc_kg.api.app import create_app
    from sherloc_kg.store import open_store

    dump = io.BytesIO()
    loaded_store.dump(dump, media_type=NQUADS)
    store = open_store(settings)  # in memory, with the public mirror
    store.restore(io.BytesIO(dump.getvalue()), media_type=NQUADS)
    with serving(create_app(settings, store=store)) as url:
        yield url


# -- Brazil: no participation recorded ------------------------------------------------------------

def test_brazil_profile_says_no_participation_recorded_never_not_party(plain: str) -> None:
    page = get(plain + "/explore/countries/BRA/implementation")
    assert page.status_code == 200
    assert not NEGATIVE.search(page.text)
    assert "no participation recorded for Brazil" in page.text
    assert page.text.count('<span class="muted">no participation recorded</span>') == 107  # every article
    assert COVERAGE in page.text and "the UN Treaty Collection counted 192 parties as at 4 May 2024" in page.text
    answer = get(plain + "/api/countries/BRA/implementation")
    assert answer.status_code == 200 and not NEGATIVE.search(answer.text)
    profile = answer.json()
    assert profile["participation_recorded"] == []
    assert {a["participation"] for a in profile["articles"]} == {"not-recorded"}
    assert {a["participation_words"] for a in profile["articles"]} == {"no participation recorded"}
    assert all(a["party_since"] is None for a in profile["articles"])
    untoc = next(c for c in profile["coverage"] if c["instrument"] == "untoc")
    assert (untoc["participants"], untoc["parties"], untoc["party_count"]) == (18, 18, 192)
    assert untoc["sources"] == [{"source": "https://treaties.un.org/Pages/ViewDetails.aspx?src=TREATY&mtdsg_no=XVIII-12"
                                           "&chapter=18&clang=_en",
                                 "file": "untc-status-untoc-2024-05-04-partial.csv", "as_at": "2024-05-04",
                                 "participants": 18, "parties": 18}]
    assert COVERAGE in untoc["sentence"]
    for code in ("tip", "som", "fp"):  # the table says nothing of the Protocols
        protocol = next(c for c in profile["coverage"] if c["instrument"] == code)
        assert protocol["participants"] == 0 and "No participation" in protocol["sentence"]
    table = get(plain + "/api/countries/BRA/implementation.csv").text
    assert not NEGATIVE.search(table)
    rows = list(csv.DictReader(io.StringIO(table)))
    assert {r["participation"] for r in rows} == {"no participation recorded"} and len(rows) == 107


def test_brazil_is_a_row_of_the_gap_matrix_with_no_filter(plain: str, settings: Settings, loaded_store) -> None:
    matrix = get(plain + "/api/gap-matrix").json()
    states = {s["country"] for s in matrix["states"]}
    assert "BRA" in states and TABLE <= states
    cells = {(c["country"], c["article"]): c for c in matrix["cells"]}
    brazil = cells[("BRA", "untoc/art/5")]
    assert brazil["participation"] == "not-recorded" and brazil["party_since"] is None
    assert brazil["gaps"] == ["no-legislation"]  # a gap in the database: an obligation, no law recorded
    assert cells[("ALB", "untoc/art/5")]["party_since"] == "2002-08-21"
    assert cells[("ALB", "tip/art/5")]["participation"] == "not-recorded"
    assert "IRB" not in states  # an international body is no State
    assert COVERAGE in matrix["coverage"][0]["sentence"]
    # the named query itself, as the SPARQL workbench runs it
    named = QueryLibrary(settings.queries_dir).get("gap-matrix")
    rows = loaded_store.select(named.text, bindings=named.bindings({}, IRIS)).rows
    assert {str(r["iso"]) for r in rows} == states
    page = get(plain + "/explore/gaps").text
    assert '<tr><th scope="row"><a href="/explore/countries/BRA/implementation">Brazil</a> <code>BRA</code>' in page
    assert '<tr class="gap-row" data-country="BRA">' in page
    assert not NEGATIVE.search(page) and COVERAGE in page
    table = get(plain + "/api/gap-matrix.csv").text
    assert not NEGATIVE.search(table)
    assert any(r["country"] == "BRA" and r["participation"] == "no participation recorded"
               for r in csv.DictReader(io.StringIO(table)))


def test_albania_is_party_since_its_ratification(plain: str) -> None:
    """Albania,12 Dec 2000,21 Aug 2002 in the UNTC table: signed, then ratified (no suffix)."""
    page = get(plain + "/explore/countries/ALB/implementation").text
    row = re.search(r'<tr id="untoc-art-5" [^>]*>(.*?)</tr>', page, re.S)
    assert row and 'party since <time datetime="2002-08-21">21 August 2002</time>' in row.group(1)
    assert "Participation: recorded for Albania in UNTOC" in page and COVERAGE in page
    tip = re.search(r'<tr id="tip-art-5" [^>]*>(.*?)</tr>', page, re.S)
    assert tip and '<span class="muted">no participation recorded</span>' in tip.group(1)
    profile = get(plain + "/api/countries/ALB/implementation").json()
    article = next(a for a in profile["articles"] if a["article"] == "untoc/art/5")
    assert (article["participation"], article["party_since"], article["signed"]) == ("party", "2002-08-21", "2000-12-12")
    assert profile["participation_recorded"] == ["untoc"]
    country = get(plain + "/explore/countries/ALB").text
    assert "<td>Ratification</td>" in country and '<time datetime="2002-08-21">' in country


def test_no_explorer_page_of_a_state_without_participation_says_not_party(plain: str, loaded_store) -> None:
    """A crawl of the pages of every State with a record but no participation recorded."""
    rows = loaded_store.select(
        "PREFIX sherloc: <https://w3id.org/sherloc/ontology#> SELECT DISTINCT ?code WHERE { "
        "?case a sherloc:CourtCase ; sherloc:jurisdiction ?country . ?country sherloc:iso3166Alpha3 ?code "
        "FILTER NOT EXISTS { ?p sherloc:participant ?country } }").rows
    codes = sorted(str(r["code"]) for r in rows)
    assert "BRA" in codes and len(codes) > 80 and not set(codes) & TABLE
    with __import__("httpx").Client(base_url=plain, timeout=120) as http:
        for code in codes:
            for path in (f"/explore/countries/{code}", f"/explore/countries/{code}/implementation",
                         f"/explore/countries/{code}/quality", f"/explore/trends?country={code}"):
                response = http.get(path)
                assert response.status_code == 200, path
                assert not NEGATIVE.search(response.text), path
                if path == f"/explore/countries/{code}":  # the country page says what is recorded
                    assert "no participation recorded" in response.text, code
        for path in ("/explore/countries", "/explore/gaps?instrument=tip", "/explore/trends"):
            assert not NEGATIVE.search(http.get(path).text), path


# -- country names as the UN writes them ------------------------------------------------------------

def test_the_193_member_states_are_named_in_the_six_un_languages(settings: Settings) -> None:
    graph = countries_graph(IRIS, settings.data_dir / "international-bodies.csv")
    named = {}
    for country in graph.subjects(RDF.type, SHERLOC.Country):
        labels: dict[str, list[str]] = {}
        for label in graph.objects(country, SKOS.prefLabel):
            labels.setdefault(label.language, []).append(str(label))
        assert all(len(v) == 1 for v in labels.values()), (country, labels)  # one prefLabel per language
        named[str(graph.value(country, SHERLOC.iso3166Alpha3))] = {k: v[0] for k, v in labels.items()}
    with (settings.data_dir / "un-member-state-names-6-languages.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 193
    members = {code for code, labels in named.items()
               if any(labels.get("en") == r["un.name.en"] and all(labels.get(t) == r[c] for t, c in UN_NAME_COLUMNS.items())
                      for r in rows)}
    assert len(members) == 193
    assert named["BOL"]["en"] == "Bolivia (Plurinational State of)" and named["TUR"]["en"] == "Türkiye"
    assert named["CHN"]["zh"] == "中国" and named["KOR"]["en"] == "Republic of Korea"
    assert named["FRA"]["fr"] == "France" and named["MEX"]["es"] == "México"
    # pycountry's ISO names stay, as alternative labels
    bolivia = IRIS.country("BOL")
    assert Literal("Bolivia, Plurinational State of", lang="en") in set(graph.objects(bolivia, SKOS.altLabel))
    # the non-member participants, as the UN Treaty Collection spells them
    assert named["VAT"]["en"] == "Holy See" and named["PSE"]["en"] == "State of Palestine"
    assert named["COK"]["en"] == "Cook Islands" and named["NIU"]["en"] == "Niue"
    assert Literal("Holy See (Vatican City State)", lang="en") in set(graph.objects(IRIS.country("VAT"), SKOS.altLabel))
    # a territory that is no participant keeps pycountry's name
    assert named["ABW"]["en"] == "Aruba"


def test_a_member_state_row_that_does_not_resolve_is_an_error_naming_it(settings: Settings, tmp_path: Path) -> None:
    for name in ("international-bodies.csv", "regional-organizations.csv", "un-non-member-participants.csv"):
        shutil.copy(settings.data_dir / name, tmp_path / name)
    text = (settings.data_dir / "un-member-state-names-6-languages.csv").read_text(encoding="utf-8")
    (tmp_path / "un-member-state-names-6-languages.csv").write_text(
        text.replace("\nAlbania,Albanie,Albania,", "\nAlbanian Republic,Albanie,Albania,").replace(
            ",Албания,阿尔巴尼亚,ألبانيا,Albania", ",Албания,阿尔巴尼亚,ألبانيا,Albanian Republic"), encoding="utf-8")
    with pytest.raises(ValueError, match=r"un-member-state-names-6-languages.csv, line 3: .*'Albanian Republic'"):
        countries_graph(IRIS, tmp_path / "international-bodies.csv")


def test_one_english_name_per_state_in_the_store_and_the_list_sorts_by_it(plain: str, loaded_store) -> None:
    doubled = loaded_store.select(
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> PREFIX sherloc: <https://w3id.org/sherloc/ontology#> "
        "SELECT ?c WHERE { ?c a sherloc:Country ; skos:prefLabel ?n FILTER(langMatches(lang(?n), \"en\")) } "
        "GROUP BY ?c HAVING (COUNT(?n) > 1)").rows
    assert doubled == []
    page = get(plain + "/explore/countries", params={"sort": "name"}).text
    names = re.findall(r'<th scope="row"><a href="/explore/countries/[A-Z]+">([^<]+)</a>', page)
    assert names and names == sorted(names, key=str.casefold)
    assert "Bolivia (Plurinational State of)" in names or "Türkiye" in names or "Republic of Korea" in names


# -- nested national provisions and editorial claims ------------------------------------------------

def test_nested_provisions_and_editorial_claims_count_and_say_their_kind(settings: Settings, store) -> None:
    """A Canadian Act whose provision is nested (s. 117 (1) (a), part of s. 117 (1), part of s. 117,
    part of the Act) cited as implementing SOM art. 6 (1) (a), and an editorial claim that s. 118
    implements TIP art. 5 (1), written with SPARQL INSERT DATA into the graphs the loaders write."""
    from sherloc_kg.api.app import create_app

    law = f"{IRIS.base}id/legislation/CAN/test-irpa"
    legislation, editorial = IRIS.graph("legislation"), IRIS.graph("editorial")
    store.update(f"""
        PREFIX eli: <http://data.europa.eu/eli/ontology#>
        PREFIX dcterms: <http://purl.org/dc/terms/>
        PREFIX sherloc: <https://w3id.org/sherloc/ontology#>
        INSERT DATA {{
          GRAPH <{legislation}> {{
            <{law}> a eli:LegalResource, sherloc:NationalLegislation ; sherloc:country <{IRIS.country("CAN")}> ;
                    dcterms:title "Test Immigration Act"@en ; eli:has_part <{law}/sec/117>, <{law}/sec/118> .
            <{law}/sec/117> a sherloc:NationalProvision ; eli:is_part_of <{law}> ; eli:number "117" .
            <{law}/sec/117/1> a sherloc:NationalProvision ; eli:is_part_of <{law}/sec/117> ; eli:number "1" .
            <{law}/sec/117/1/a> a sherloc:NationalProvision ; eli:is_part_of <{law}/sec/117/1> ; eli:number "a" ;
                                eli:ensures_implementation_of <{IRIS.provision("som/art/6/1/a")}> .
            <{law}/sec/118> a sherloc:NationalProvision ; eli:is_part_of <{law}> ; eli:number "118" .
          }}
          GRAPH <{editorial}> {{ <{law}/sec/118> eli:ensures_implementation_of <{IRIS.provision("tip/art/5/1")}> . }}
        }}""")
    with serving(create_app(settings, store=store)) as url:
        matrix = get(url + "/api/gap-matrix").json()
        profile = get(url + "/api/countries/CAN/implementation").json()
        page = get(url + "/explore/countries/CAN/implementation").text
        gaps = get(url + "/explore/gaps").text
    assert [s["country"] for s in matrix["states"]] == ["CAN"]  # a law is a record: Canada is a row
    cells = {c["article"]: c for c in matrix["cells"]}
    assert (cells["som/art/6"]["national_provisions"], cells["som/art/6"]["national_provisions_cited"],
            cells["som/art/6"]["national_provisions_editorial"]) == (1, 1, 0)
    assert (cells["tip/art/5"]["national_provisions"], cells["tip/art/5"]["national_provisions_cited"],
            cells["tip/art/5"]["national_provisions_editorial"]) == (1, 0, 1)
    assert cells["som/art/6"]["gaps"] == [] and cells["tip/art/5"]["gaps"] == []
    assert cells["untoc/art/5"]["gaps"] == ["no-legislation"]
    articles = {a["article"]: a for a in profile["articles"]}
    [cited] = articles["som/art/6"]["national_provisions"]
    assert cited["claim"] == "cited" and cited["reference"] == "som/art/6/1/a"
    assert cited["label"] == "Test Immigration Act, sec. 117 (1) (a)" and cited["href"] == "/id/legislation/CAN/test-irpa/sec/117/1/a"
    [mapped] = articles["tip/art/5"]["national_provisions"]
    assert mapped["claim"] == "editorial" and mapped["label"] == "Test Immigration Act, sec. 118"
    assert articles["tip/art/5"]["national_provisions_editorial"] == 1 and articles["tip/art/5"]["derived_status"] == "evidence found"
    row = re.search(r'<tr id="tip-art-5" [^>]*>(.*?)</tr>', page, re.S)
    assert row and "editorial mapping" in row.group(1)
    row = re.search(r'<tr id="som-art-6" [^>]*>(.*?)</tr>', page, re.S)
    assert row and "editorial mapping" not in row.group(1) and "sec. 117 (1) (a)" in row.group(1)
    assert "editorial mapping: 1 national provision(s) mapped by the editors" in gaps
    assert not NEGATIVE.search(page) and not NEGATIVE.search(gaps)
