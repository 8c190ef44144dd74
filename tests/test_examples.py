"""The illustrative examples (data/examples/, ``sherloc-kg init --with-examples``): invented records
about fictional States only, each marked as illustrative, together exercising the full chain
Convention provision → national provision → case → authority → strategy/publication."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from sherloc_kg.config import Settings
from sherloc_kg.iris import Iris
from sherloc_kg.reference import EXAMPLES, FICTIONAL_STATES, install_reference, load_examples
from sherloc_kg.store.embedded import EmbeddedStore

FICTIONAL = {"XAA", "XAB", "XAC"}
PREFIX = "[Illustrative]"
BASE = "https://w3id.org/sherloc/"
G = BASE + "graph/"
PREFIXES = """
PREFIX sherloc: <https://w3id.org/sherloc/ontology#>
PREFIX eli: <http://data.europa.eu/eli/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX vcard: <http://www.w3.org/2006/vcard/ns#>
PREFIX prov: <http://www.w3.org/ns/prov#>
"""


@pytest.fixture(scope="module")
def examples_store(settings: Settings) -> tuple[EmbeddedStore, list]:
    """A fresh store as ``init --no-data --with-examples`` leaves it, and the load reports."""
    store = EmbeddedStore(None)
    install_reference(store, settings, with_examples=True)
    reports = load_examples(store, settings)
    return store, reports


def ask(store: EmbeddedStore, body: str) -> bool:
    return store.ask(PREFIXES + "ASK { " + body + " }")


def example_records(settings: Settings) -> list[tuple[str, dict]]:
    """Every record of every JSON Lines example file, with its kind."""
    found = []
    for kind, relative in EXAMPLES:
        path = settings.data_dir / relative
        if path.suffix != ".jsonl":
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("#"):
                found.append((kind, json.loads(line)))
    return found


# -- loading -----------------------------------------------------------------------------------

def test_every_example_loads_without_a_violation(examples_store) -> None:
    _store, reports = examples_store
    assert {r.kind for r in reports} >= {"legislation", "cases", "authorities", "strategies", "treaties",
                                         "guide", "review"}
    for report in reports:
        assert report.written, report.kind
        assert report.records_written == report.records_read > 0, report.kind
        assert not report.violations, (report.kind, [i.message for i in report.violations])


def test_examples_load_in_dependency_order() -> None:
    kinds = [kind for kind, _ in EXAMPLES]
    assert kinds.index("legislation") < kinds.index("cases")
    assert kinds.index("legislation") < kinds.index("review")


def test_participation_examples_load(examples_store) -> None:
    _store, reports = examples_store
    [report] = [r for r in reports if r.kind == "participation"]
    assert report.records_written == 6 and not report.violations


# -- the chain ---------------------------------------------------------------------------------

def test_chain_convention_provision_to_national_provision_to_case(examples_store) -> None:
    store, _ = examples_store
    rows = store.select(PREFIXES + f"""
        SELECT ?convention ?national ?case WHERE {{
            VALUES ?convention {{ <{BASE}id/instrument/untoc/art/5/1/a> <{BASE}id/instrument/tip/art/5> }}
            GRAPH <{G}legislation> {{ ?national a sherloc:NationalProvision ; eli:ensures_implementation_of ?convention }}
            GRAPH <{G}cases> {{ ?case sherloc:appliesNationalProvision ?national }}
            GRAPH <{G}inferred> {{ ?case sherloc:concernsProvision ?convention }}
        }}""").rows
    found = {(str(r["convention"]).removeprefix(BASE + "id/instrument/"),
              str(r["national"]).removeprefix(BASE + "id/legislation/"),
              str(r["case"]).removeprefix(BASE + "id/case/")) for r in rows}
    assert found == {("untoc/art/5/1/a", "XAA/XAA-penal-code/art/150", "XAA-EX-001"),
                     ("tip/art/5", "XAA/XAA-penal-code/art/210", "XAA-EX-001")}
    # the provision the case refers to directly is inferred too
    assert ask(store, f"GRAPH <{G}inferred> {{ <{BASE}id/case/XAA-EX-001> sherloc:concernsProvision "
                      f"<{BASE}id/instrument/tip/art/3/a> }}")


def test_chain_authority_designated_under_untoc_18_13(examples_store) -> None:
    store, _ = examples_store
    assert ask(store, f"""GRAPH <{G}authorities> {{
        ?authority a sherloc:CompetentNationalAuthority ; sherloc:country <{BASE}id/country/XAA> ;
                   sherloc:designation ?d .
        ?d sherloc:designatedUnder <{BASE}id/instrument/untoc/art/18/13> ;
           sherloc:designationMatter <{BASE}vocab/designation-matter/mutual-legal-assistance> }}""")


def test_chain_strategy_about_trafficking_in_persons(examples_store) -> None:
    store, _ = examples_store
    assert ask(store, f"""GRAPH <{G}strategies> {{ ?s a sherloc:Strategy ; sherloc:country <{BASE}id/country/XAA> ;
        sherloc:crimeType <{BASE}vocab/crime-type/trafficking-in-persons> }}""")


def test_chain_publication_about_trafficking_in_persons(examples_store) -> None:
    store, _ = examples_store
    assert ask(store, f"""GRAPH <{G}bibliography> {{ ?p sherloc:concernsCountry <{BASE}id/country/XAA> ;
        sherloc:crimeType <{BASE}vocab/crime-type/trafficking-in-persons> }}""")


def test_treaty_guide_and_review_examples(examples_store) -> None:
    store, _ = examples_store
    assert ask(store, f"""GRAPH <{G}treaties> {{ ?t sherloc:party <{BASE}id/country/XAA>, <{BASE}id/country/XAB> }}""")
    assert ask(store, f"""GRAPH <{G}guide> {{ ?g sherloc:explainsProvision <{BASE}id/instrument/untoc/art/5> }}""")
    assert ask(store, f"GRAPH <{G}review> {{ <{BASE}id/review/XAA-review-untoc-art-5-1-a> sherloc:published true }}")
    assert ask(store, f"GRAPH <{G}review-restricted/XAA> {{ <{BASE}id/review/XAA-review-tip-art-5> sherloc:published false }}")
    assert not ask(store, f"GRAPH <{G}review> {{ <{BASE}id/review/XAA-review-tip-art-5> ?p ?o }}")


# -- restricted contact details ----------------------------------------------------------------

def test_contact_details_only_in_authorities_restricted(examples_store) -> None:
    store, _ = examples_store
    contact = "VALUES ?p { vcard:hasAddress vcard:hasTelephone vcard:hasEmail sherloc:fax sherloc:officeHours sherloc:contactPerson }"
    assert ask(store, f"GRAPH <{G}authorities-restricted> {{ {contact} ?a ?p ?o }}")
    rows = store.select(PREFIXES + f"SELECT DISTINCT ?g WHERE {{ {contact} GRAPH ?g {{ ?a ?p ?o }} }}").rows
    assert {str(r["g"]) for r in rows} == {G + "authorities-restricted"}
    assert ask(store, f"GRAPH <{G}authorities-restricted> {{ ?a vcard:hasEmail <mailto:central-authority@example.org> }}")


def test_an_unpublished_review_answer_leaves_no_public_trace(examples_store, settings: Settings) -> None:
    """Not even its provenance: that the answer exists, and the file it came from, stay restricted."""
    store, _ = examples_store
    unpublished = "https://w3id.org/sherloc/id/review/XAA-review-tip-art-5"
    published = "https://w3id.org/sherloc/id/review/XAA-review-untoc-art-5-1-a"
    mentions = f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ {{ <{unpublished}> ?p ?o }} UNION {{ ?s ?p <{unpublished}> }} }} }}"
    graphs = {str(r["g"]) for r in store.select(mentions).rows}
    # its State's graphs only, and the change feed's log of the one (sherloc_kg/versions.py: each caller
    # reads the log of a graph it may read, no one else)
    assert graphs == {G + "review-restricted/XAA", G + "provenance-restricted/XAA", G + "versions/review-restricted/XAA"}
    assert str(Iris().version_log(G + "review-restricted/XAA")) == G + "versions/review-restricted/XAA"
    assert ask(store, f"GRAPH <{G}provenance> {{ <{published}> prov:wasDerivedFrom ?file }}")
    assert not ask(store, f"GRAPH ?g {{ <{published}> ?p ?o }} FILTER(STRSTARTS(STR(?g), '{G}provenance-restricted'))")


# -- fictional States only, marked illustrative -------------------------------------------------

def test_no_example_names_a_real_state(examples_store) -> None:
    store, _ = examples_store
    rows = store.select(PREFIXES + f"""
        SELECT DISTINCT ?country WHERE {{
            VALUES ?g {{ {" ".join(f"<{G}{name}>" for name in ("cases", "legislation", "authorities", "authorities-restricted",
                                                             "strategies", "treaties", "guide", "review", "review-restricted/XAA",
                                                             "participation", "bibliography"))} }}
            GRAPH ?g {{ ?s ?p ?country }}
            FILTER (STRSTARTS(STR(?country), "{BASE}id/country/") || STRSTARTS(STR(?country), "{BASE}id/jurisdiction/"))
        }}""").rows
    codes = {str(r["country"]).rsplit("/", 1)[1] for r in rows}
    assert codes and codes <= FICTIONAL, codes


def test_example_files_use_only_fictional_states(settings: Settings) -> None:
    for kind, record in example_records(settings):
        codes = set()
        for name in ("country", "jurisdiction"):
            if name in record:
                codes.add(record[name])
        for name in ("parties", "involved_countries", "countries"):
            codes.update(record.get(name, []))
        codes.update(d["nationality"] for d in record.get("defendants", []) if "nationality" in d)
        assert codes <= FICTIONAL, (kind, record["id"], codes)
        assert record["id"].startswith("XAA-"), (kind, record["id"])
    [relative] = [relative for kind, relative in EXAMPLES if kind == "participation"]
    with (settings.data_dir / relative).open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows and {row["country"] for row in rows} == FICTIONAL
    assert all(row["declarations"].startswith(PREFIX) for row in rows)


def test_every_example_title_is_marked_illustrative(settings: Settings, examples_store) -> None:
    for kind, record in example_records(settings):
        if kind == "authorities":
            titles = [record["name"]]
        elif kind == "review":
            titles = [record["practices"]]  # a review response has no title
        else:
            title = record["title"]
            titles = list(title.values()) if isinstance(title, dict) else [title]
        titles += [p["heading"] for p in record.get("provisions", []) if isinstance(p, dict)]
        assert titles and all(t.startswith(PREFIX) for t in titles), (kind, record["id"], titles)
        if kind in ("cases", "bibliography"):
            assert "illustrative-example" in record["keywords"]
    store, _ = examples_store
    rows = store.select(PREFIXES + """SELECT ?s ?t WHERE { GRAPH ?g { ?s dcterms:title|skos:prefLabel ?t }
        FILTER (?g NOT IN (<%sontology>, <%svocabularies>, <%sinstruments>, <%scountries>, <%sprovenance>)) }"""
                        % (G, G, G, G, G)).rows
    assert rows
    unmarked = [(str(r["s"]), str(r["t"])) for r in rows if not str(r["t"]).startswith(PREFIX)]
    assert not unmarked, unmarked


def test_fictional_states_are_said_to_be_fictional(examples_store) -> None:
    store, _ = examples_store
    for code in sorted(FICTIONAL):
        assert ask(store, f"""GRAPH <{G}countries> {{ <{BASE}id/country/{code}> a sherloc:Country ;
            skos:prefLabel ?label ; skos:scopeNote ?note . FILTER (CONTAINS(?label, "fictional")) }}""")


def test_default_install_has_no_fictional_state(store: EmbeddedStore, settings: Settings) -> None:
    """The session's reference graphs are built with_examples=False: no fictional State in them."""
    assert (settings.data_dir / FICTIONAL_STATES).is_file()
    for code in sorted(FICTIONAL):
        assert not ask(store, f"<{BASE}id/country/{code}> ?p ?o")
    assert not ask(store, "?s skos:scopeNote ?n . FILTER (CONTAINS(STR(?n), \"Fictional State\"))")


def test_fictional_codes_must_be_user_assigned(tmp_path: Path) -> None:
    from sherloc_kg.loaders.countries import fictional_states

    bad = tmp_path / "states.csv"
    bad.write_text("code,name,note\nFRA,Not fictional,\n", encoding="utf-8")
    with pytest.raises(ValueError, match="user-assigned"):
        fictional_states(bad)


def test_cli_init_with_examples(tmp_path: Path) -> None:
    """``sherloc-kg init --no-data --with-examples`` as a user runs it: the examples are loaded."""
    from .test_cli import sherloc, stats

    store = tmp_path / "store"
    done = sherloc(store, "init", "--no-data", "--with-examples")
    for kind in ("legislation", "cases", "authorities", "strategies", "treaties", "guide", "review"):
        assert f"example {kind}:" in done.stdout, done.stdout
    assert "0 violation(s)" in done.stdout and "not written" not in done.stdout
    figures = stats(store)
    assert figures["records"]["cases"] == 1 and figures["records"]["legislation"] == 1
