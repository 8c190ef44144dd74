"""The instruments loader on the real Convention and Protocol texts in ``data/convention-texts/``.

Reference facts come from the copies of the shared fixtures (the ``shared_dir`` fixture of conftest.py): the article
titles of ``fixtures/reference/untoc_articles.csv`` and the text of UNTOC article 32 as a SHERLOC
page shows it (``seed/000_ee4ea52c1b4bcfdd.txt``).
"""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef

from sherloc_kg.errors import SourceError
from sherloc_kg.iris import Iris
from sherloc_kg.loaders.instruments import instruments_graph, parse_instrument
from sherloc_kg.namespaces import DCTERMS, ELI, OWL, RDF, RDFS, SHERLOC, SKOS, XSD

from .conftest import sha256, shared_sha256

REPO = Path(__file__).resolve().parents[1]
TEXTS = REPO / "data" / "convention-texts"
METADATA = REPO / "data" / "instruments.csv"
IRIS = Iris()
ARTICLES = {"untoc": 41, "tip": 20, "som": 25, "fp": 21}
#: untoc_articles.csv names the instruments by these names.
REFERENCE_NAMES = {"UNTOC": "untoc", "TIP Protocol": "tip", "SOM Protocol": "som", "Firearms Protocol": "fp"}


@pytest.fixture(scope="module")
def graph() -> Graph:
    return instruments_graph(IRIS, TEXTS, METADATA)


def text(graph: Graph, reference: str, language: str = "en") -> str | None:
    for value in graph.objects(IRIS.provision(reference), SHERLOC.text):
        if isinstance(value, Literal) and value.language == language:
            return str(value)
    return None


def provisions(graph: Graph) -> set[URIRef]:
    return {s for s in graph.subjects(RDF.type, SHERLOC.ConventionProvision) if isinstance(s, URIRef)}


def words(value: str) -> list[str]:
    """The words of a text, without punctuation, quotes, spacing or list-marker brackets."""
    return re.findall(r"\w+", value)


# -- the texts and the outline ------------------------------------------------------------------

def test_texts_are_the_shared_fixtures_unchanged() -> None:
    originals = shared_sha256()  # the shared originals' digests (tests/fixtures/shared/SHA256SUMS)
    for code in ARTICLES:
        assert sha256(TEXTS / f"{code}.md") == originals[f"fixtures/reference/convention-texts/{code}.md"], code


@pytest.mark.parametrize("code", ARTICLES)
def test_every_line_is_placed_and_the_translation_matches(code: str) -> None:
    parsed = parse_instrument(TEXTS / f"{code}.md", code)
    assert parsed.unplaced == []
    assert parsed.differences == []  # each Dutch article has exactly the English subdivisions


@pytest.mark.parametrize("code", ARTICLES)
def test_passages_outside_the_articles_are_classified(code: str) -> None:
    parsed = parse_instrument(TEXTS / f"{code}.md", code)
    kinds = {(p.kind, p.language) for p in parsed.outside}
    assert {("title", "en"), ("title", "nl"), ("testimonium", "en"), ("testimonium", "nl")} <= kinds
    # The database's UNTOC text has no preamble and no chapters; each Protocol has both.
    has_preamble = code != "untoc"
    assert (("preamble", "en") in kinds) == has_preamble and (("preamble", "nl") in kinds) == has_preamble
    assert (("chapter", "en") in kinds) == has_preamble
    testimonium = next(p for p in parsed.outside if p.kind == "testimonium" and p.language == "en")
    assert testimonium.text.startswith("IN WITNESS WHEREOF") and testimonium.line > parsed.articles[-1].line


@pytest.mark.parametrize(("code", "count"), ARTICLES.items())
def test_article_counts(graph: Graph, code: str, count: int) -> None:
    instrument = IRIS.instrument(code)
    articles = set(graph.subjects(RDF.type, SHERLOC.Article)) & set(graph.subjects(SHERLOC.instrument, instrument))
    assert len(articles) == count
    assert set(graph.objects(instrument, ELI.has_part)) == articles
    numbers = sorted(int(graph.value(a, ELI.number)) for a in articles)
    assert numbers == list(range(1, count + 1))


def test_article_titles_match_the_reference_list(graph: Graph, shared_dir: Path) -> None:
    reference = shared_dir / "fixtures" / "reference" / "untoc_articles.csv"
    with reference.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == sum(ARTICLES.values())
    for row in rows:
        article = IRIS.provision(f"{REFERENCE_NAMES[row['instrument']]}/art/{row['article']}")
        assert Literal(row["title"], lang="en") in set(graph.objects(article, DCTERMS.title)), row
        assert any(t.language == "nl" for t in graph.objects(article, DCTERMS.title)), row


# -- the provisions -----------------------------------------------------------------------------

def test_sample_texts(graph: Graph) -> None:
    assert text(graph, "untoc/art/5/1/a/i") == (
        "Agreeing with one or more other persons to commit a serious crime for a purpose relating directly or "
        "indirectly to the obtaining of a financial or other material benefit and, where required by domestic "
        "law, involving an act undertaken by one of the participants in furtherance of the agreement or "
        "involving an organized criminal group;")
    # The export writes ``Trafficking in persons": restored to typographic quotes.
    assert (text(graph, "tip/art/3/a") or "").startswith("“Trafficking in persons” shall mean the recruitment")
    assert (text(graph, "untoc/art/2/a") or "").startswith(
        "“Organized criminal group” shall mean a structured group of three or more persons")
    assert text(graph, "untoc/art/2") == "For the purposes of this Convention:"  # introductory words only
    assert text(graph, "untoc/art/1") == ("The purpose of this Convention is to promote cooperation to prevent "
                                          "and combat transnational organized crime more effectively.")
    assert text(graph, "untoc/art/5/1/a/ii/a") == "Criminal activities of the organized criminal group;"
    # Markdown links are reduced to their words.
    assert text(graph, "fp/art/1/1") == ("This Protocol supplements the United Nations Convention against "
                                         "Transnational Organized Crime. It shall be interpreted together with the Convention.")


def test_levels_follow_the_order_of_markers_not_their_typography(graph: Graph) -> None:
    # "i)" after "h)" in UNTOC art. 2 is the ninth definition, not an item.
    assert (IRIS.provision("untoc/art/2/i"), RDF.type, SHERLOC.Subparagraph) in graph
    # The sub-items "a.", "b." of art. 5(1)(a)(ii) and then subparagraph "b)".
    assert (IRIS.provision("untoc/art/5/1/a/ii/b"), RDF.type, SHERLOC.Item) in graph
    assert (IRIS.provision("untoc/art/5/1/b"), RDF.type, SHERLOC.Subparagraph) in graph
    # SOM writes subparagraphs as "(a)".
    assert (IRIS.provision("som/art/8/2/c"), RDF.type, SHERLOC.Subparagraph) in graph
    # "2." right after the last words of 3(1)(b), with no blank line between, is paragraph 2.
    assert text(graph, "untoc/art/3/2") == ("For the purpose of paragraph 1 of this article, an offence is "
                                            "transnational in nature if:")


def test_article_32_matches_the_sherloc_page(graph: Graph, shared_dir: Path) -> None:
    """Compared as word sequences (\\w+): the page writes "3(d)" and "(a)" where the treaty database
    writes "3 (d)" and "a)", and its quotes and spaces differ; the words are the same."""
    seed = (shared_dir / "seed" / "000_ee4ea52c1b4bcfdd.txt").read_text(encoding="utf-8")
    expected = dict(re.findall(r"^(\d)\.\s*(.+)$", seed, flags=re.MULTILINE))
    article = IRIS.provision("untoc/art/32")
    paragraphs = sorted(graph.objects(article, ELI.has_part), key=lambda p: int(graph.value(p, SHERLOC.position)))
    assert [str(graph.value(p, ELI.number)) for p in paragraphs] == ["1", "2", "3", "4", "5"] == sorted(expected)
    subparagraphs = sorted(graph.objects(paragraphs[2], ELI.has_part), key=lambda p: int(graph.value(p, SHERLOC.position)))
    assert [str(graph.value(s, ELI.number)) for s in subparagraphs] == list("abcde")
    assert all((s, RDF.type, SHERLOC.Subparagraph) in graph for s in subparagraphs)
    for number in "12345":  # the five paragraphs, checked above
        ours = text(graph, f"untoc/art/32/{number}") or ""
        for sub in subparagraphs if number == "3" else []:
            ours += f" ({graph.value(sub, ELI.number)}) " + (text(graph, f"untoc/art/32/3/{graph.value(sub, ELI.number)}") or "")
        assert words(ours) == words(expected[number]), number


def test_dutch_text(graph: Graph) -> None:
    assert (text(graph, "untoc/art/2/a", "nl") or "").startswith("„criminele organisatie”: een gestructureerde groep")
    assert (text(graph, "tip/art/3/a", "nl") or "").startswith("„mensenhandel”: het werven")
    assert text(graph, "untoc/art/32/3/d", "nl") == "het periodiek toetsen van de uitvoering van dit Verdrag;"
    # Every provision with English words has Dutch words too (no article's structure differs).
    for node in provisions(graph):
        languages = {t.language for t in graph.objects(node, SHERLOC.text)}
        assert not languages or {"en", "nl"} <= languages, node


def test_every_provision_has_exactly_one_parent(graph: Graph) -> None:
    instruments = {IRIS.instrument(code) for code in ARTICLES}
    for node in provisions(graph):
        parents = list(graph.objects(node, ELI.is_part_of))
        assert len(parents) == 1, node
        parent = parents[0]
        assert (parent, ELI.has_part, node) in graph
        if (node, RDF.type, SHERLOC.Article) in graph:
            assert parent in instruments and graph.value(node, SHERLOC.instrument) == parent
        else:
            assert (parent, RDF.type, SHERLOC.ConventionProvision) in graph
            assert graph.value(node, SHERLOC.instrument) == graph.value(parent, SHERLOC.instrument)
        # The notation is the reference the IRI is minted from, and ends in the unit's number.
        reference = str(graph.value(node, SKOS.notation))
        assert IRIS.provision(reference) == node and reference.endswith("/" + str(graph.value(node, ELI.number)))


def test_no_provision_lacks_english_text_unless_purely_structural(graph: Graph) -> None:
    structural = []
    for node in provisions(graph):
        if text(graph, IRIS.provision_reference(str(node)) or "") is None:
            assert (node, ELI.has_part, None) in graph, f"{node} has neither words nor parts"
            structural.append(node)
    # Articles made only of numbered paragraphs, and UNTOC art. 6(1)(a), which is only "a)" before its items.
    assert IRIS.provision("untoc/art/6/1/a") in structural
    assert all((n, RDF.type, SHERLOC.Article) in graph for n in structural if not str(n).endswith("untoc/art/6/1/a"))


def test_positions_count_siblings_from_one(graph: Graph) -> None:
    for parent in {IRIS.instrument(c) for c in ARTICLES} | provisions(graph):
        positions = sorted(graph.value(child, SHERLOC.position) for child in graph.objects(parent, ELI.has_part))
        assert all(p.datatype == XSD.integer for p in positions)
        assert [p.toPython() for p in positions] == list(range(1, len(positions) + 1)), parent


def test_levels_per_instrument(graph: Graph) -> None:
    counts = {}
    for code in ARTICLES:
        mine = set(graph.subjects(SHERLOC.instrument, IRIS.instrument(code)))
        counts[code] = tuple(len(mine & set(graph.subjects(RDF.type, cls)))
                             for cls in (SHERLOC.Article, SHERLOC.Paragraph, SHERLOC.Subparagraph, SHERLOC.Item))
    assert counts == {"untoc": (41, 174, 110, 20), "tip": (20, 54, 23, 0), "som": (25, 66, 36, 5), "fp": (21, 46, 30, 3)}


# -- the instruments ----------------------------------------------------------------------------

#: The named queries that relate a provision to the article (or provision) containing it write the
#: walk up as fixed steps, at most this many (sparql/gap-matrix.rq and others: Virtuoso 7.2 answers
#: ``eli:is_part_of*`` wrongly on some freshly loaded stores), and find the provision itself by its
#: notation: both hold of the texts only while this test passes.
MOST_STEPS_TO_AN_ARTICLE = 4


def test_no_provision_is_further_below_its_article_than_the_queries_walk(graph: Graph) -> None:
    deepest = 0
    for node in provisions(graph):
        steps = 0
        while (node, RDF.type, SHERLOC.Article) not in graph:
            node = graph.value(node, ELI.is_part_of)
            steps += 1
        deepest = max(deepest, steps)
    # UNTOC art. 5 (1) (a) (ii) is an item of a subparagraph of a paragraph, three steps below its
    # article; its own items (a) and (b) are the deepest, four.
    assert deepest == MOST_STEPS_TO_AN_ARTICLE
    notations = [str(graph.value(node, SKOS.notation)) for node in provisions(graph)]
    assert len(set(notations)) == len(notations)
    # no other node of the graph carries a provision's notation
    assert {s for s in graph.subjects(SKOS.notation, None)} - provisions(graph) <= {IRIS.instrument(c) for c in ARTICLES}

def test_instrument_metadata(graph: Graph) -> None:
    untoc, tip, som, fp = (IRIS.instrument(c) for c in ("untoc", "tip", "som", "fp"))
    assert (untoc, RDF.type, SHERLOC.InternationalInstrument) in graph and (untoc, RDF.type, ELI.LegalResource) in graph
    assert graph.value(untoc, DCTERMS.identifier) == Literal("untoc")
    assert graph.value(untoc, ELI.date_document) == Literal("2000-11-15", datatype=XSD.date)
    assert graph.value(untoc, ELI.first_date_entry_in_force) == Literal("2003-09-29", datatype=XSD.date)
    assert graph.value(untoc, SHERLOC.adoptedBy) == Literal("General Assembly resolution 55/25")
    assert (graph.value(untoc, SHERLOC.signatoryCount), graph.value(untoc, SHERLOC.partyCount)) == (Literal(147), Literal(192))
    assert graph.value(untoc, SHERLOC.countsAsAt) == Literal("2024-05-04", datatype=XSD.date)
    assert graph.value(untoc, SHERLOC.supplements) is None
    assert all(graph.value(p, SHERLOC.supplements) == untoc for p in (tip, som, fp))
    assert (graph.value(tip, SHERLOC.partyCount), graph.value(fp, SHERLOC.partyCount)) == (Literal(182), Literal(123))
    assert graph.value(som, SHERLOC.partyCount) is None and graph.value(som, SHERLOC.countsAsAt) is None
    assert graph.value(fp, SHERLOC.adoptedBy) == Literal("General Assembly resolution 55/255")
    assert graph.value(fp, ELI.date_document) == Literal("2001-05-31", datatype=XSD.date)
    titles = {t for t in graph.objects(untoc, SKOS.prefLabel) if t.language in ("en", "nl")}
    assert titles == {t for t in graph.objects(untoc, DCTERMS.title) if t.language in ("en", "nl")} == {
        Literal("United Nations Convention against Transnational Organized Crime", lang="en"),
        Literal("Verdrag van de Verenigde Naties tegen grensoverschrijdende georganiseerde misdaad", lang="nl")}
    # The Dutch SOM heading ends in a full stop, which a title does not keep.
    assert {str(t) for t in graph.objects(som, DCTERMS.title) if t.language == "nl"} == {
        "Protocol tegen de smokkel van migranten over land, over zee en door de lucht, tot aanvulling van het "
        "Verdrag van de Verenigde Naties tegen grensoverschrijdende georganiseerde misdaad"}


def test_each_instrument_links_to_its_untc_record_and_its_general_assembly_resolution(graph: Graph) -> None:
    """Links out (issue 19, item 7): the depositary's record in the UN Treaty Collection, chapter
    XVIII (12 the Convention, 12-a TIP, 12-b SOM, 12-c Firearms; the page the participation records
    cite), and the resolution that adopted the text, by its UN document symbol (55/25 for the
    Convention and the TIP and SOM Protocols, annexes I to III; 55/255 for the Firearms Protocol).
    Neither is the instrument itself: no owl:sameAs."""
    untc = "https://treaties.un.org/Pages/ViewDetails.aspx?src=TREATY&mtdsg_no=XVIII-{}&chapter=18&clang=_en"
    expected = {"untoc": ("12", "55/25"), "tip": ("12-a", "55/25"), "som": ("12-b", "55/25"), "fp": ("12-c", "55/255")}
    for code, (number, resolution) in expected.items():
        node = IRIS.instrument(code)
        assert set(graph.objects(node, RDFS.seeAlso)) == {URIRef(untc.format(number))}, code
        assert set(graph.objects(node, SHERLOC.adoptedByResolution)) == {URIRef(f"https://undocs.org/A/RES/{resolution}")}, code
        assert graph.value(node, SHERLOC.adoptedBy) == Literal(f"General Assembly resolution {resolution}")
        assert (node, OWL.sameAs, None) not in graph
    from sherloc_kg.loaders.participation import UNTC_STATUS_PAGES
    assert {URIRef(UNTC_STATUS_PAGES[c]) for c in expected} == set(graph.objects(None, RDFS.seeAlso))


def test_an_adopting_act_that_is_no_general_assembly_resolution_is_refused(tmp_path: Path) -> None:
    texts, metadata = copy_sources(tmp_path)
    metadata.write_text(metadata.read_text(encoding="utf-8").replace(
        "General Assembly resolution 55/255", "resolution fifty-five"), encoding="utf-8")
    with pytest.raises(SourceError) as raised:
        instruments_graph(IRIS, texts, metadata)
    assert (raised.value.location.line, raised.value.location.field) == (5, "adopted_by")


# -- errors -------------------------------------------------------------------------------------

def copy_sources(tmp_path: Path) -> tuple[Path, Path]:
    texts, metadata = tmp_path / "convention-texts", tmp_path / "instruments.csv"
    shutil.copytree(TEXTS, texts)
    shutil.copy(METADATA, metadata)
    return texts, metadata


@pytest.mark.parametrize("injected", [
    "This sentence belongs to no subdivision.",  # words after a list of paragraphs
    "q) A subparagraph q that follows nothing.",  # a marker out of sequence
    "#### A title where none can be",
])
def test_an_unplaceable_line_is_reported_with_its_line_number(tmp_path: Path, injected: str) -> None:
    texts, metadata = copy_sources(tmp_path)
    path = texts / "untoc.md"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if line.startswith("2.   The knowledge, intent, aim")) + 1
    lines.insert(at, injected + "\n")  # inside UNTOC art. 5, after its paragraph 2
    path.write_text("".join(lines), encoding="utf-8")

    assert parse_instrument(path, "untoc").unplaced == [(at + 1, injected)]
    with pytest.raises(SourceError) as raised:
        instruments_graph(IRIS, texts, metadata)
    assert raised.value.location.file == str(path) and raised.value.location.line == at + 1
    assert f"line {at + 1}" in str(raised.value)


def test_a_metadata_title_that_differs_from_the_text_is_refused(tmp_path: Path) -> None:
    texts, metadata = copy_sources(tmp_path)
    metadata.write_text(metadata.read_text(encoding="utf-8").replace(
        "untoc,United Nations Convention", "untoc,The United Nations Convention"), encoding="utf-8")
    with pytest.raises(SourceError) as raised:
        instruments_graph(IRIS, texts, metadata)
    assert (raised.value.location.line, raised.value.location.field) == (2, "title_en")


def test_install_refuses_an_instruments_graph_that_breaks_its_shapes(graph: Graph) -> None:
    from sherloc_kg.config import Settings
    from sherloc_kg.errors import ValidationFailed
    from sherloc_kg.namespaces import ELI
    from sherloc_kg.reference import check_instruments

    settings, iris = Settings(store="memory"), Iris()
    check_instruments(graph, settings, iris)  # the real texts pass
    broken = Graph()
    broken += graph
    article = URIRef(str(iris.provision("untoc/art/32")))
    broken.remove((article, ELI.is_part_of, None))
    with pytest.raises(ValidationFailed) as caught:
        check_instruments(broken, settings, iris)
    assert any(i.location.record == "untoc/art/32" for i in caught.value.issues)
