"""The bibliography loader on the real store: our JSON Lines / CSV, BibTeX, RIS and CSL-JSON."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from rdflib import Literal, Namespace, URIRef
from rdflib.namespace import XSD

from sherloc_kg.config import Settings
from sherloc_kg.errors import UsageError, ValidationFailed
from sherloc_kg.ingest import Ingest
from sherloc_kg.iris import Iris
from sherloc_kg.loaders import bibliography
from sherloc_kg.namespaces import BIBO, DCTERMS, FOAF, RDF, SHERLOC
from sherloc_kg.store import Dataset
from sherloc_kg.store.embedded import EmbeddedStore

from .conftest import snapshot

IRIS = Iris()
#: The EU language authority table (links out, sherloc_kg/links_out.py).
EU_LANGUAGE = Namespace("http://publications.europa.eu/resource/authority/language/")

BIBTEX = r"""% Test bibliography (fictional entries)

@article{gallagher2001,
  author   = {Gallagher, Anne T. and M{\"u}ller, J{\"o}rg and Ren{\'e} Dupont},
  title    = {Human Rights and the New {UN} Protocols on Trafficking and Migrant Smuggling: {\'E}tude pr{\'e}liminaire},
  journal  = {Human Rights Quarterly},
  year     = {2001},
  doi      = {https://doi.org/10.1353/hrq.2001.0049},
  language = {English},
  keywords = {trafficking; smuggling},
}

@book{gallagher2010,
  author    = {Gallagher, Anne T.},
  title     = {The International Law of Human Trafficking},
  publisher = {Cambridge University Press},
  year      = 2010,
  doi       = {10.1017/CBO9780511761065},
  url       = {https://example.org/book},
}
"""

BIBTEX_NO_TITLE = r"""@article{ok2015,
  author = {Smith, John},
  title  = {A Title},
  year   = {2015},
}

@techreport{untitled2019,
  author      = {UNODC},
  institution = {United Nations Office on Drugs and Crime},
  year        = {2019},
}
"""

RIS = """TY  - JOUR
ID  - smith2015
AU  - Smith, John
AU  - Doe, Jane
TI  - Smuggling of migrants across the Mediterranean
T2  - Journal of Migration Studies
PY  - 2015///
DO  - 10.1000/xyz123
UR  - https://example.org/smith2015
KW  - smuggling
KW  - migration
LA  - en
AB  - An abstract.
ER  - 

TY  - RPRT
ID  - unodc2018
AU  - UNODC
TI  - Global Study on Smuggling of Migrants
PY  - 2018
PB  - United Nations
ER  - 
"""

CSL = [
    {"id": "csl-chapter", "type": "chapter", "title": "Organized crime in West Africa",
     "author": [{"family": "Adeyemi", "given": "Ade"}, {"literal": "Centre for Crime Research"}],
     "issued": {"date-parts": [[2012, 5]]}, "container-title": "Handbook of Transnational Crime",
     "publisher": "Routledge", "DOI": "10.4324/9780203123456", "keyword": "organized crime, Africa"},
    {"id": "csl-thesis", "type": "thesis", "title": "Firearms trafficking in the Balkans",
     "author": [{"family": "Petrović", "given": "Ana"}], "issued": {"date-parts": [["2019"]]},
     "publisher": "University of Belgrade", "language": "en-GB"},
]


def graph() -> Dataset:
    return Dataset(default=[str(IRIS.graph("bibliography"))])


def triples(store: EmbeddedStore, subject: URIRef) -> set[tuple]:
    rows = store.select("SELECT ?s ?p ?o WHERE { ?s ?p ?o }", bindings={"s": subject}, dataset=graph()).rows
    return {(r["p"], r["o"]) for r in rows}


def objects(store: EmbeddedStore, subject: URIRef, predicate: URIRef) -> set:
    return {o for (p, o) in triples(store, subject) if p == predicate}


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def publication(**fields: object) -> dict:
    record: dict = {
        "id": "TST-PUB-1", "title": "Trafficking in persons in the Sahel", "authors": ["Diallo, Fatou", "Smith, John"],
        "year": 2021, "type": "report", "publisher": "UNODC", "doi": "10.18356/abc123",
        "url": "https://example.org/report", "language": "fr", "countries": ["MLI", "NER"],
        "crime_types": ["trafficking-in-persons"], "research_methods": ["interviews"],
        "keywords": ["sahel"], "abstract": {"en": "An abstract.", "fr": "Un résumé."},
    }
    record.update(fields)
    return record


# -- our format ----------------------------------------------------------------------------------

def test_our_jsonl_maps_every_field(store: EmbeddedStore, settings: Settings, tmp_path: Path) -> None:
    path = write(tmp_path / "b.jsonl", json.dumps(publication()) + "\n")
    report = Ingest(store, settings).load("bibliography", [path])
    assert report.records_written == 1 and not report.violations
    iri = IRIS.publication("TST-PUB-1")
    got = triples(store, iri)
    assert {(RDF.type, BIBO.Document), (RDF.type, BIBO.Report)} <= got
    assert {(DCTERMS.identifier, Literal("TST-PUB-1")), (DCTERMS.title, Literal("Trafficking in persons in the Sahel")),
            (DCTERMS.creator, Literal("Diallo, Fatou")), (DCTERMS.creator, Literal("Smith, John")),
            (SHERLOC.publicationYear, Literal(2021, datatype=XSD.integer)), (DCTERMS.publisher, Literal("UNODC")),
            (BIBO.doi, Literal("10.18356/abc123")), (FOAF.page, URIRef("https://example.org/report")),
            (DCTERMS.language, Literal("fr")), (DCTERMS.language, EU_LANGUAGE["FRA"]),
            (SHERLOC.concernsCountry, IRIS.country("MLI")),
            (SHERLOC.concernsCountry, IRIS.country("NER")),
            (SHERLOC.crimeType, IRIS.concept("crime-type", "trafficking-in-persons")),
            (SHERLOC.researchMethod, Literal("interviews")), (SHERLOC.keyword, Literal("sahel")),
            (DCTERMS.abstract, Literal("An abstract.", lang="en")),
            (DCTERMS.abstract, Literal("Un résumé.", lang="fr"))} <= got


def test_our_csv_splits_authors_on_semicolons_in_order(tmp_path: Path) -> None:
    path = tmp_path / "b.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["id", "title", "authors", "year", "type"])
        writer.writeheader()
        writer.writerow({"id": "csv-1", "title": "T", "authors": "Zeta, Z.; Alpha, A.", "year": "2000", "type": "book"})
    [record] = list(bibliography.read(path, IRIS))
    assert record.error is None
    assert [o for (_s, p, o) in record.triples["bibliography"] if p == DCTERMS.creator] == [
        Literal("Zeta, Z."), Literal("Alpha, A.")]


def test_an_unknown_type_is_refused_naming_the_field(tmp_path: Path) -> None:
    path = write(tmp_path / "b.jsonl", json.dumps(publication(type="blog")) + "\n")
    [record] = list(bibliography.read(path, IRIS))
    assert record.error is not None and record.error.location.field == "type"


# -- BibTeX ----------------------------------------------------------------------------------------

def test_bibtex_decodes_latex_and_keeps_author_order(store: EmbeddedStore, settings: Settings, tmp_path: Path) -> None:
    path = write(tmp_path / "refs.bib", BIBTEX)
    report = Ingest(store, settings).load("bibliography", [path])
    assert report.records_written == 2 and not report.violations

    article = IRIS.publication("gallagher2001")
    got = triples(store, article)
    assert {(RDF.type, BIBO.Document), (RDF.type, BIBO.AcademicArticle),
            (DCTERMS.identifier, Literal("gallagher2001")),
            (SHERLOC.publicationYear, Literal(2001, datatype=XSD.integer)),
            (BIBO.doi, Literal("10.1353/hrq.2001.0049")),  # resolver prefix removed
            (SHERLOC.container, Literal("Human Rights Quarterly")),
            (DCTERMS.language, Literal("en")),  # "English" → ISO 639-1
            (SHERLOC.keyword, Literal("trafficking")), (SHERLOC.keyword, Literal("smuggling"))} <= got
    assert objects(store, article, DCTERMS.title) == {Literal(
        "Human Rights and the New UN Protocols on Trafficking and Migrant Smuggling: Étude préliminaire")}
    assert objects(store, article, DCTERMS.creator) == {
        Literal("Gallagher, Anne T."), Literal("Müller, Jörg"), Literal("René Dupont")}
    assert not objects(store, article, SHERLOC.crimeType)  # keywords stay keywords

    book = IRIS.publication("gallagher2010")
    got = triples(store, book)
    assert {(RDF.type, BIBO.Document), (RDF.type, BIBO.Book),
            (DCTERMS.title, Literal("The International Law of Human Trafficking")),
            (DCTERMS.publisher, Literal("Cambridge University Press")),
            (SHERLOC.publicationYear, Literal(2010, datatype=XSD.integer)),
            (BIBO.doi, Literal("10.1017/CBO9780511761065")), (FOAF.page, URIRef("https://example.org/book"))} <= got


def test_bibtex_records_hold_authors_in_source_order_and_the_entry_line(tmp_path: Path) -> None:
    records = list(bibliography.read(write(tmp_path / "refs.bib", BIBTEX), IRIS))
    assert [(r.location.record, r.location.line) for r in records] == [("gallagher2001", 3), ("gallagher2010", 13)]
    creators = [o for (_s, p, o) in records[0].triples["bibliography"] if p == DCTERMS.creator]
    assert creators == [Literal("Gallagher, Anne T."), Literal("Müller, Jörg"), Literal("René Dupont")]


def test_a_bibtex_entry_without_title_is_refused_naming_key_and_field(
        store: EmbeddedStore, settings: Settings, tmp_path: Path) -> None:
    before = snapshot(store)
    path = write(tmp_path / "refs.bib", BIBTEX_NO_TITLE)
    with pytest.raises(ValidationFailed) as caught:
        Ingest(store, settings).load("bibliography", [path])
    [issue] = [i for i in caught.value.issues if i.severity == "Violation"]
    assert issue.location.file == str(path)
    assert issue.location.record == "untitled2019"
    assert issue.location.field == "title"
    assert issue.location.line == 7
    assert snapshot(store) == before


def test_malformed_and_duplicate_bibtex_entries_are_reported(tmp_path: Path) -> None:
    text = BIBTEX + "\n@book{gallagher2010, title={Again}, year={2011}}\n\n@article{broken, title={x\n"
    records = list(bibliography.read(write(tmp_path / "refs.bib", text), IRIS))
    errors = [r.error for r in records if r.error is not None]
    assert len(errors) == 2
    assert errors[0].location.record == "gallagher2010" and "duplicate" in errors[0].message
    assert "malformed BibTeX entry: Unexpectedly reached end of file" in errors[1].message and errors[1].location.line == 24


# -- RIS and CSL-JSON ------------------------------------------------------------------------------

def test_ris_records_load_with_the_line_of_their_ty_tag(store: EmbeddedStore, settings: Settings, tmp_path: Path) -> None:
    path = write(tmp_path / "refs.ris", RIS)
    records = list(bibliography.read(path, IRIS))
    assert [(r.location.record, r.location.line) for r in records] == [("smith2015", 1), ("unodc2018", 16)]
    report = Ingest(store, settings).load("bibliography", [path])
    assert report.records_written == 2 and not report.violations
    article = IRIS.publication("smith2015")
    assert {(RDF.type, BIBO.AcademicArticle), (DCTERMS.title, Literal("Smuggling of migrants across the Mediterranean")),
            (SHERLOC.publicationYear, Literal(2015, datatype=XSD.integer)), (BIBO.doi, Literal("10.1000/xyz123")),
            (SHERLOC.container, Literal("Journal of Migration Studies")),
            (FOAF.page, URIRef("https://example.org/smith2015")),
            (DCTERMS.abstract, Literal("An abstract.", lang="en"))} <= triples(store, article)
    assert objects(store, article, DCTERMS.creator) == {Literal("Smith, John"), Literal("Doe, Jane")}
    assert [o for (_s, p, o) in records[0].triples["bibliography"] if p == DCTERMS.creator] == [
        Literal("Smith, John"), Literal("Doe, Jane")]
    report_iri = IRIS.publication("unodc2018")
    assert {(RDF.type, BIBO.Document), (RDF.type, BIBO.Report), (DCTERMS.publisher, Literal("United Nations")),
            (DCTERMS.creator, Literal("UNODC"))} <= triples(store, report_iri)


def test_csl_json_array_loads_by_suffix_or_format(store: EmbeddedStore, settings: Settings, tmp_path: Path) -> None:
    path = write(tmp_path / "refs.json", json.dumps(CSL, ensure_ascii=False))
    records = list(bibliography.read(path, IRIS))
    assert [(r.location.record, r.location.line) for r in records] == [("csl-chapter", None), ("csl-thesis", None)]
    report = Ingest(store, settings).load("bibliography", [path])
    assert report.records_written == 2 and not report.violations
    chapter = IRIS.publication("csl-chapter")
    assert {(RDF.type, BIBO.Document), (RDF.type, BIBO.Chapter),
            (SHERLOC.publicationYear, Literal(2012, datatype=XSD.integer)),
            (SHERLOC.container, Literal("Handbook of Transnational Crime")), (DCTERMS.publisher, Literal("Routledge")),
            (BIBO.doi, Literal("10.4324/9780203123456")), (SHERLOC.keyword, Literal("organized crime")),
            (SHERLOC.keyword, Literal("Africa"))} <= triples(store, chapter)
    assert [o for (_s, p, o) in records[0].triples["bibliography"] if p == DCTERMS.creator] == [
        Literal("Adeyemi, Ade"), Literal("Centre for Crime Research")]
    thesis = IRIS.publication("csl-thesis")
    assert {(RDF.type, BIBO.Thesis), (DCTERMS.creator, Literal("Petrović, Ana")),
            (SHERLOC.publicationYear, Literal(2019, datatype=XSD.integer)),
            (DCTERMS.language, Literal("en-GB")), (DCTERMS.language, EU_LANGUAGE["ENG"])} <= triples(store, thesis)

    other = write(tmp_path / "refs.txt", json.dumps(CSL))
    assert len(list(bibliography.read(other, IRIS, "csl"))) == 2
    with pytest.raises(UsageError):
        list(bibliography.read(other, IRIS))


# -- reloading -------------------------------------------------------------------------------------

def test_reloading_is_idempotent_and_replaces_changed_records(
        store: EmbeddedStore, settings: Settings, tmp_path: Path) -> None:
    ingest = Ingest(store, settings)
    path = write(tmp_path / "refs.bib", BIBTEX)
    ingest.load("bibliography", [path])
    first = triples(store, IRIS.publication("gallagher2001"))
    ingest.load("bibliography", [path])
    assert triples(store, IRIS.publication("gallagher2001")) == first

    changed = write(tmp_path / "refs2.bib", BIBTEX.replace("year     = {2001}", "year     = {2002}"))
    ingest.load("bibliography", [changed])
    assert objects(store, IRIS.publication("gallagher2001"), SHERLOC.publicationYear) == {
        Literal(2002, datatype=XSD.integer)}


# -- authors as an ordered list ------------------------------------------------------------------

def authors_in_order(store: EmbeddedStore, publication: URIRef) -> list[str]:
    """The authors as SPARQL gives them back, ordered by their position: no RDF list needed."""
    rows = store.select(
        "SELECT ?p ?name ?position WHERE { ?p <https://w3id.org/sherloc/ontology#authorship> ?a . "
        "?a <https://w3id.org/sherloc/ontology#position> ?position ; <http://xmlns.com/foaf/0.1/name> ?name } "
        "ORDER BY ?position", bindings={"p": publication}, dataset=graph()).rows
    assert [int(r["position"]) for r in rows] == list(range(1, len(rows) + 1))
    return [str(r["name"]) for r in rows]


@pytest.mark.parametrize("source_format", ["jsonl", "csv", "bibtex", "ris", "csl"])
def test_authors_keep_their_order_in_every_format(store: EmbeddedStore, settings: Settings, tmp_path: Path,
                                                   source_format: str) -> None:
    """The order is that of the source, not an alphabetical one: Zeta before Alpha before Mu."""
    names = ["Zeta, Zoë", "Alpha, Ana", "Mu, Müller"]
    if source_format == "jsonl":
        path = write(tmp_path / "b.jsonl", json.dumps(publication(id="ordered", authors=names)) + "\n")
    elif source_format == "csv":
        path = write(tmp_path / "b.csv", "id,title,authors,year,type\nordered,T,Zeta, Zoë; Alpha, Ana; Mu, Müller,2000,book\n"
                     .replace("Zeta, Zoë; Alpha, Ana; Mu, Müller", '"Zeta, Zoë; Alpha, Ana; Mu, Müller"'))
    elif source_format == "bibtex":
        path = write(tmp_path / "b.bib", "@book{ordered,\n  author = {Zeta, Zo{\\\"e} and Alpha, Ana and Mu, M{\\\"u}ller},\n"
                                          "  title = {T},\n  year = {2000},\n}\n")
    elif source_format == "ris":
        path = write(tmp_path / "b.ris", "TY  - BOOK\nID  - ordered\nAU  - Zeta, Zoë\nAU  - Alpha, Ana\nAU  - Mu, Müller\n"
                                          "TI  - T\nPY  - 2000\nER  - \n")
    else:
        path = write(tmp_path / "b.json", json.dumps([{"id": "ordered", "type": "book", "title": "T",
                                                       "issued": {"date-parts": [[2000]]},
                                                       "author": [{"family": "Zeta", "given": "Zoë"},
                                                                  {"family": "Alpha", "given": "Ana"},
                                                                  {"family": "Mu", "given": "Müller"}]}]))
    report = Ingest(store, settings).load("bibliography", [path])
    assert report.written and not report.violations, report.violations
    iri = IRIS.publication("ordered")
    assert authors_in_order(store, iri) == names
    assert objects(store, iri, DCTERMS.creator) == {Literal(n) for n in names}  # kept for simple queries


def test_fewer_authors_on_reload_leave_no_stale_authorship(store: EmbeddedStore, settings: Settings,
                                                             tmp_path: Path) -> None:
    ingest = Ingest(store, settings)
    ingest.load("bibliography", [write(tmp_path / "a.jsonl", json.dumps(publication(authors=["A", "B", "C"])) + "\n")])
    ingest.load("bibliography", [write(tmp_path / "b.jsonl", json.dumps(publication(authors=["C", "A"])) + "\n")])
    assert authors_in_order(store, IRIS.publication("TST-PUB-1")) == ["C", "A"]


def test_a_language_code_maps_to_the_eu_language_table_and_a_name_to_nothing() -> None:
    """Links out (issue 19, item 7): ISO 639-1 (or 639-3) code → the EU language authority entry
    whose code is the ISO 639-3 code in capitals; a region subtag does not change the language; a
    language name is no code and gets no IRI (the shape then refuses the value)."""
    from sherloc_kg.links_out import eu_language, language_values

    assert eu_language("fr") == eu_language("fra") == EU_LANGUAGE["FRA"]
    assert eu_language("en-GB") == EU_LANGUAGE["ENG"] and eu_language("zh") == EU_LANGUAGE["ZHO"]
    assert eu_language("de") == EU_LANGUAGE["DEU"] and eu_language("nl") == EU_LANGUAGE["NLD"]
    assert eu_language("English") is None and eu_language("xx") is None
    assert language_values("English") == [Literal("English")]

