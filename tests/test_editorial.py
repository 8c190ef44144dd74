"""The `editorial` loader kind (loaders/editorial.py, shapes/editorial.ttl): our editors' claims,
each with who, when and why, in the public graph `editorial`; what they name must be in the store;
a bad claim refuses the whole file, naming file, line and field, and nothing is written. An
implementation claim counts like a recorded one for the inference rules, and `why-inferred` says it
rests on an editorial claim; replacing a claim retracts what it stated."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from sherloc_kg.config import Settings
from sherloc_kg.errors import ValidationFailed
from sherloc_kg.inference import Inference
from sherloc_kg.ingest import Ingest
from sherloc_kg.access import public_graphs
from sherloc_kg.iris import Iris
from sherloc_kg.namespaces import ELI, SHERLOC
from sherloc_kg.queries import QueryLibrary
from sherloc_kg.reference import install_reference, load_examples
from sherloc_kg.store import Dataset
from sherloc_kg.store.embedded import EmbeddedStore

from .conftest import REPO, snapshot

IRIS = Iris()
NQUADS = "application/n-quads"
ART210 = "legislation/XAA/XAA-penal-code/art/210"  # implements tip/art/5 (the examples)
ART150 = "legislation/XAA/XAA-penal-code/art/150"  # implements untoc/art/5/1/a; applied by case XAA-EX-001
WHO = {"reason": "Section 210 makes the smuggling of migrants for a material benefit an offence.",
       "editor": "A. Editor", "date": "2026-12-01"}


def claim(**fields) -> dict:
    return {**WHO, **fields}


def write(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def inferred(store: EmbeddedStore) -> set[tuple]:
    rows = store.select(f"SELECT ?s ?p ?o WHERE {{ GRAPH <{IRIS.graph('inferred')}> {{ ?s ?p ?o }} }}").rows
    return {(r["s"], r["p"], r["o"]) for r in rows}


def whole(store: EmbeddedStore, settings: Settings) -> set[tuple]:
    buffer = io.BytesIO()
    store.dump(buffer, media_type=NQUADS)
    copy = EmbeddedStore(None)
    copy.restore(io.BytesIO(buffer.getvalue()), media_type=NQUADS)
    copy.write([], then=Inference(settings, IRIS).whole())
    return inferred(copy)


def why(store: EmbeddedStore, subject: str, provision: str) -> list[dict]:
    query = QueryLibrary(Settings(store="memory", home=REPO).queries_dir).get("why-inferred")
    public = Dataset(default=public_graphs(IRIS), named=public_graphs(IRIS))
    return store.select(query.text, bindings=query.bindings({"subject": subject, "provision": provision}, IRIS),
                        dataset=public).rows


def national(path: str):
    return IRIS.base + "id/" + path


@pytest.fixture(scope="module")
def examples_dump(settings: Settings) -> bytes:
    store = EmbeddedStore(None)
    install_reference(store, settings, with_examples=True)
    load_examples(store, settings)
    buffer = io.BytesIO()
    store.dump(buffer, media_type=NQUADS)
    return buffer.getvalue()


@pytest.fixture
def store(examples_dump: bytes) -> EmbeddedStore:
    fresh = EmbeddedStore(None)
    fresh.restore(io.BytesIO(examples_dump), media_type=NQUADS)
    return fresh


def test_an_implementation_claim_counts_like_a_recorded_one(store: EmbeddedStore, settings: Settings,
                                                            tmp_path: Path) -> None:
    path = write(tmp_path / "claims.jsonl", [
        claim(id="XAA-150-som", claim="implements", national=ART150, provision="som/art/6/1/a")])
    report = Ingest(store, settings).load("editorial", [path])
    assert report.written and not report.violations
    editorial, art150 = IRIS.graph("editorial"), national(ART150)
    assert store.ask(f"ASK {{ GRAPH <{editorial}> {{ <{art150}> <{ELI.ensures_implementation_of}> <{IRIS.provision('som/art/6/1/a')}> }} }}")
    # not in the legislation graph: the source does not say it
    assert not store.ask(f"ASK {{ GRAPH <{IRIS.graph('legislation')}> {{ <{art150}> <{ELI.ensures_implementation_of}> "
                         f"<{IRIS.provision('som/art/6/1/a')}> }} }}")
    now = inferred(store)
    # implementation counts for the paragraph and the article; the case applying art. 150 concerns all three
    assert {(art150, ELI.ensures_implementation_of, IRIS.provision(p)) for p in ("som/art/6/1", "som/art/6")} <= {
        (str(s), p, o) for s, p, o in now}
    case = IRIS.case("XAA-EX-001")
    assert {(case, SHERLOC.concernsProvision, IRIS.provision(p)) for p in ("som/art/6/1/a", "som/art/6/1", "som/art/6")} <= now
    assert now == whole(store, settings)
    # why: resting on the editorial claim
    rows = why(store, "case/XAA-EX-001", "som/art/6")
    applies = [r for r in rows if r["factProperty"] == ELI.ensures_implementation_of]
    assert applies and {str(r["factGraph"]) for r in applies} == {str(editorial)}
    assert {str(r["rule"]) for r in rows} == {"case-concerns-provision"}
    rows = why(store, ART150, "som/art/6")
    assert {(str(r["factProperty"]), str(r["factGraph"])) for r in rows} == {
        (str(ELI.ensures_implementation_of), str(editorial)), (str(ELI.is_part_of), str(IRIS.graph("instruments")))}
    # who claimed it, when and why
    who = store.select(f"""SELECT ?reason ?editor ?date WHERE {{ GRAPH <{editorial}> {{
        ?claim <{SHERLOC.claimStatement}> ?st ; <http://www.w3.org/2004/02/skos/core#editorialNote> ?reason ;
               <http://purl.org/dc/terms/creator> ?editor ; <http://purl.org/dc/terms/date> ?date .
        ?st <{SHERLOC.claimSubject}> <{art150}> ; <{SHERLOC.claimProperty}> <{ELI.ensures_implementation_of}> ;
            <{SHERLOC.claimObject}> <{IRIS.provision('som/art/6/1/a')}> }} }}""").rows
    assert [(str(r["reason"]), str(r["editor"]), str(r["date"])) for r in who] == [
        (WHO["reason"], WHO["editor"], WHO["date"])]


def test_changing_a_claim_retracts_what_it_stated(store: EmbeddedStore, settings: Settings, tmp_path: Path) -> None:
    ingest = Ingest(store, settings)
    first = claim(id="XAA-150-som", claim="implements", national=ART150, provision="som/art/6/1/a")
    same = claim(id="XAA-150-som-again", claim="implements", national=ART150, provision="som/art/6/1/a")
    ingest.load("editorial", [write(tmp_path / "a.jsonl", [first, same])])
    art150, editorial = national(ART150), IRIS.graph("editorial")
    stated = f"ASK {{ GRAPH <{editorial}> {{ <{art150}> <{ELI.ensures_implementation_of}> <{IRIS.provision('som/art/6/1/a')}> }} }}"
    # one of two claims of the same triple changes: the other still states it
    ingest.load("editorial", [write(tmp_path / "b.jsonl", [{**first, "provision": "fp/art/5/1/b"}])])
    assert store.ask(stated)
    assert inferred(store) == whole(store, settings)
    # the other one too: the triple goes, and the inferences resting on it with it
    ingest.load("editorial", [write(tmp_path / "c.jsonl", [{**same, "provision": "fp/art/5/1/b"}])])
    assert not store.ask(stated)
    now = inferred(store)
    assert (IRIS.case("XAA-EX-001"), SHERLOC.concernsProvision, IRIS.provision("som/art/6")) not in now
    assert (IRIS.case("XAA-EX-001"), SHERLOC.concernsProvision, IRIS.provision("fp/art/5")) in now
    assert now == whole(store, settings)
    # reloading the same claims changes nothing
    before = snapshot(store)
    ingest.load("editorial", [tmp_path / "c.jsonl"])
    assert snapshot(store) - {q for q in snapshot(store) if "/graph/provenance" in q} == \
        before - {q for q in before if "/graph/provenance" in q}


def test_case_claims_attribute_a_court_and_one_judgment(store: EmbeddedStore, settings: Settings,
                                                        tmp_path: Path) -> None:
    examples = [json.loads(line) for line in (REPO / "data/examples/cases.jsonl").read_text(encoding="utf-8").splitlines()
                if line.startswith("{")]
    # the same judgment recorded a second time, under another id
    Ingest(store, settings).load("cases", [write(tmp_path / "twice.jsonl", [{**examples[0], "id": "XAA-EX-002"}])])
    path = write(tmp_path / "claims.jsonl", [
        claim(id="court", claim="decided-by", case="XAA-EX-001", jurisdiction="ECHR", respondents=["XAA"]),
        claim(id="twice", claim="same-judgment", case="XAA-EX-001", same_as=["XAA-EX-002"]),
    ])
    Ingest(store, settings).load("editorial", [path])
    editorial = IRIS.graph("editorial")
    case = IRIS.case("XAA-EX-001")
    assert store.ask(f"ASK {{ GRAPH <{editorial}> {{ <{case}> <{SHERLOC.decidedByBody}> <{IRIS.jurisdiction('ECHR')}> ; "
                     f"<{SHERLOC.involvedCountry}> <{IRIS.country('XAA')}> ; "
                     f"<{SHERLOC.sameJudgmentAs}> <{IRIS.case('XAA-EX-002')}> }} }}")
    # counted once, by the State's courts
    query = QueryLibrary(Settings(store="memory", home=REPO).queries_dir).get("cases-by-country")
    public = Dataset(default=public_graphs(IRIS), named=public_graphs(IRIS))
    rows = store.select(query.text, dataset=public).rows
    assert [int(r["cases"]) for r in rows if r["jurisdiction"] == IRIS.country("XAA")] == [1]


BAD = [
    ("unknown national provision", claim(id="x", claim="implements", national="legislation/XAA/XAA-penal-code/art/999",
                                         provision="som/art/6/1/a"), "national"),
    ("not a national provision path", claim(id="x", claim="implements", national="case/XAA-EX-001",
                                            provision="som/art/6/1/a"), "national"),
    ("unknown Convention provision", claim(id="x", claim="implements", national=ART150, provision="som/art/99"),
     "provision"),
    ("unknown case", claim(id="x", claim="decided-by", case="NOPE-001", jurisdiction="ECHR"), "case"),
    ("unknown court", claim(id="x", claim="decided-by", case="XAA-EX-001", jurisdiction="NOPE"), "jurisdiction"),
    ("unknown respondent", claim(id="x", claim="decided-by", case="XAA-EX-001", jurisdiction="ECHR",
                                 respondents=["QQQ"]), "respondents"),
    ("unknown other record", claim(id="x", claim="same-judgment", case="XAA-EX-001", same_as=["NOPE-001"]), "same_as"),
    ("missing reason", {k: v for k, v in claim(id="x", claim="implements", national=ART150,
                                               provision="som/art/6/1/a").items() if k != "reason"}, "reason"),
    ("reason of two lines", claim(id="x", claim="implements", national=ART150, provision="som/art/6/1/a",
                                  reason="one\ntwo"), "reason"),
    ("missing editor", {k: v for k, v in claim(id="x", claim="implements", national=ART150,
                                               provision="som/art/6/1/a").items() if k != "editor"}, "editor"),
    ("bad date", claim(id="x", claim="implements", national=ART150, provision="som/art/6/1/a", date="2026-13-01"), "date"),
    ("a year is no date", claim(id="x", claim="implements", national=ART150, provision="som/art/6/1/a", date="2026"),
     "date"),
    ("unknown claim type", claim(id="x", claim="believes", national=ART150), "claim"),
    ("field of another claim type", claim(id="x", claim="implements", national=ART150, provision="som/art/6/1/a",
                                          case="XAA-EX-001"), "case"),
]


@pytest.mark.parametrize(("problem", "bad", "field"), BAD, ids=[b[0] for b in BAD])
def test_a_bad_claim_refuses_the_file_naming_line_and_field(store: EmbeddedStore, settings: Settings, tmp_path: Path,
                                                            problem: str, bad: dict, field: str) -> None:
    good = claim(id="good", claim="implements", national=ART210, provision="som/art/6/1/a")
    path = write(tmp_path / "claims.jsonl", [good, bad])
    before = snapshot(store)
    with pytest.raises(ValidationFailed) as refused:
        Ingest(store, settings).load("editorial", [path])
    violations = [i for i in refused.value.issues if i.severity == "Violation"]
    assert violations, problem
    assert {(i.location.file, i.location.line, i.location.field) for i in violations} == {(str(path), 2, field)}, \
        [str(i) for i in violations]
    assert snapshot(store) == before  # nothing written, the good claim neither


def test_the_bundled_claims_load_after_the_cases(loaded_store: EmbeddedStore) -> None:
    """`sherloc-kg init` loads data/editorial/cases-international.jsonl after the cases it names."""
    rows = loaded_store.select(f"SELECT ?type (COUNT(?c) AS ?n) WHERE {{ GRAPH <{IRIS.graph('editorial')}> "
                               f"{{ ?c a <{SHERLOC.EditorialClaim}> ; <{SHERLOC.claimType}> ?type }} }} GROUP BY ?type").rows
    counts = {str(r["type"]): int(r["n"]) for r in rows}
    # cases-international.jsonl: 9 attributions and 1 judgment recorded twice; the implementation
    # mappings of data/editorial/implementation-{CAN,LUX}.jsonl: 29 and 7
    assert counts == {"decided-by": 9, "same-judgment": 1, "implements": 36}, counts
