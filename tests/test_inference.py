"""The inference rules (sparql/rules/*.ru): the links users rely on but no source asserts, materialised
into the inferred graph by every load (scoped to what the load may change, or whole), never mixed
with asserted facts, each explained by the named query ``why-inferred`` from the asserted facts it
follows from. Expected links are computed here from the example files, independently of the rules;
scoped runs are also compared with whole ones after loads that change, add and remove records."""

from __future__ import annotations

import io
import json
import re
import shutil
from pathlib import Path
from random import Random

import httpx
import pytest
from rdflib import Graph, URIRef

from api.app import create_app
from sherloc_kg.access import Tokens, public_graphs
from sherloc_kg.config import Settings
from sherloc_kg.generate import FILES, STATES_FILE, generate, register_states
from sherloc_kg.inference import Inference, scoped
from sherloc_kg.ingest import Ingest
from sherloc_kg.iris import Iris
from sherloc_kg.namespaces import ELI, SHERLOC
from sherloc_kg.queries import QueryLibrary
from sherloc_kg.reference import install_reference, load_examples
from sherloc_kg.store import Dataset, RecordWrite
from sherloc_kg.store.embedded import EmbeddedStore

from .conftest import REPO
from .servers import serving

IRIS = Iris()
EXAMPLES = REPO / "data/examples"
NQUADS = "application/n-quads"


def records(name: str) -> list[dict]:
    text = (EXAMPLES / name).read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip() and not line.startswith("#")]


def generated(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("{")]


def write(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def upwards(reference: str) -> list[str]:
    """A provision and those containing it, up to the article: untoc/art/5/1/a → itself, untoc/art/5/1, untoc/art/5."""
    parts = reference.split("/")
    return ["/".join(parts[:n]) for n in range(len(parts), 2, -1)]


def criminalized_under() -> dict[str, str]:
    """Crime type notation → the reference of the provision criminalizing it, as the vocabulary file says."""
    vocabulary = Graph().parse(REPO / "ontology/vocabularies/crime-type.ttl", format="turtle")
    return {str(s).rsplit("/", 1)[1]: IRIS.provision_reference(str(o)) or ""
            for s, o in vocabulary.subject_objects(SHERLOC.criminalizedUnder)}


def expected_links(iris: Iris, legislation: list[dict], cases: list[dict]) -> set[tuple[URIRef, URIRef, URIRef]]:
    """What the rules must infer from these records, worked out from the references in the files
    (and, for crime types, the vocabulary's mapping)."""
    mapping = criminalized_under()
    implements = {(law["id"], p["number"]): (law["country"], p.get("implements", []))
                  for law in legislation for p in law["provisions"]}
    links = set()
    for (law, number), (country, provisions) in implements.items():
        national = iris.national_provision(country, law, number)
        for provision in provisions:
            links |= {(national, ELI.ensures_implementation_of, iris.provision(p)) for p in upwards(provision)[1:]
                      if p not in provisions}
    for case in cases:
        subject = iris.case(case["id"])
        concerned = list(case.get("provisions", []))
        concerned += [mapping[c] for c in case.get("crime_types", []) if c in mapping]
        if any(case.get("tip_elements", {}).get(group) for group in ("acts", "means", "purposes")):
            concerned.append("tip/art/3/a")
        for reference in case.get("legislation", []):
            law, number = reference.split("#")
            concerned += implements[(law, number)][1]
        links |= {(subject, SHERLOC.concernsProvision, iris.provision(p)) for c in concerned for p in upwards(c)}
    return links


def inferred(store: EmbeddedStore, iris: Iris = IRIS) -> set[tuple]:
    rows = store.select(f"SELECT ?s ?p ?o WHERE {{ GRAPH <{iris.graph('inferred')}> {{ ?s ?p ?o }} }}").rows
    return {(r["s"], r["p"], r["o"]) for r in rows}


def why(store: EmbeddedStore, iris: Iris, subject: str, provision: str | None = None) -> list[dict]:
    named = QueryLibrary(Settings(store="memory", home=REPO).queries_dir).get("why-inferred")
    params = {"subject": subject, **({"provision": provision} if provision else {})}
    public = Dataset(default=public_graphs(iris), named=public_graphs(iris))
    return store.select(named.text, bindings=named.bindings(params, iris), dataset=public).rows


@pytest.fixture(scope="module")
def examples(settings: Settings) -> EmbeddedStore:
    """Reference graphs with the fictional States, then the examples. Read only."""
    store = EmbeddedStore(None)
    install_reference(store, settings, with_examples=True)
    load_examples(store, settings)
    return store


@pytest.fixture(scope="module")
def examples_dump(examples: EmbeddedStore) -> bytes:
    buffer = io.BytesIO()
    examples.dump(buffer, media_type=NQUADS)
    return buffer.getvalue()


@pytest.fixture
def scratch(examples_dump: bytes) -> EmbeddedStore:
    """A copy of the examples store that a test may change."""
    store = EmbeddedStore(None)
    store.restore(io.BytesIO(examples_dump), media_type=NQUADS)
    return store


# -- what is inferred --------------------------------------------------------------------------

def test_the_links_the_examples_imply_are_inferred_and_nothing_else(examples: EmbeddedStore) -> None:
    expected = expected_links(IRIS, records("legislation.jsonl"), records("cases.jsonl"))
    assert inferred(examples) == expected
    # the two kinds the issue names: a case linked to the Convention provision its national law
    # implements, and a subparagraph's implementation counting for its article
    case, art150 = IRIS.case("XAA-EX-001"), IRIS.national_provision("XAA", "XAA-penal-code", "150")
    assert (case, SHERLOC.concernsProvision, IRIS.provision("untoc/art/5/1/a")) in expected
    assert (case, SHERLOC.concernsProvision, IRIS.provision("untoc/art/5")) in expected
    assert (art150, ELI.ensures_implementation_of, IRIS.provision("untoc/art/5")) in expected
    assert (art150, ELI.ensures_implementation_of, IRIS.provision("untoc/art/5/1")) in expected
    # and the two from what every case records: its crime types, and the elements of TIP art. 3 (a)
    assert (case, SHERLOC.concernsProvision, IRIS.provision("tip/art/5/1")) in expected
    assert (case, SHERLOC.concernsProvision, IRIS.provision("tip/art/3/a")) in expected


def test_inferred_links_never_appear_in_asserted_graphs(examples: EmbeddedStore) -> None:
    links = inferred(examples)
    assert links
    others = [g for g in IRIS.all_graphs() if g != str(IRIS.graph("inferred"))]
    for s, p, o in links:
        assert not examples.ask("ASK { GRAPH ?g { ?s ?p ?o } }", bindings={"s": s, "p": p, "o": o},
                                dataset=Dataset(default=[], named=others)), (s, p, o)
    # and nothing asserted is ever written by a rule: the inferred graph holds only the two properties
    assert {p for _s, p, _o in links} == {SHERLOC.concernsProvision, ELI.ensures_implementation_of}
    assert not examples.ask(f"ASK {{ GRAPH ?g {{ ?s <{SHERLOC.concernsProvision}> ?o }} "
                            f"FILTER(?g != <{IRIS.graph('inferred')}>) }}")


def test_the_inferred_graph_is_public(examples: EmbeddedStore) -> None:
    assert str(IRIS.graph("inferred")) in public_graphs(IRIS)


# -- why: each inferred link explained by asserted facts ---------------------------------------

def test_every_inferred_link_is_explained_by_asserted_facts(examples: EmbeddedStore) -> None:
    asserted = {"cases", "legislation", "instruments", "vocabularies", "editorial"}
    elements = {SHERLOC.tipAct, SHERLOC.tipMeans, SHERLOC.tipPurpose}
    for s, p, o in inferred(examples):
        subject = str(s).removeprefix(IRIS.base + "id/")
        provision = IRIS.provision_reference(str(o))
        rows = why(examples, IRIS, subject, provision)
        assert rows, (subject, provision)
        assert {(r["subject"], r["property"], r["provision"]) for r in rows} == {(s, p, o)}
        for row in rows:
            graph = str(row["factGraph"]).removeprefix(IRIS.base + "graph/")
            assert graph in asserted, row
            fact = {"s": row["factSubject"], "p": row["factProperty"], "o": row["factObject"]}
            assert examples.ask("ASK { GRAPH ?g { ?s ?p ?o } }", bindings={**fact, "g": row["factGraph"]}), fact
        assert {str(r["rule"]) for r in rows} <= {path.stem for path in (REPO / "sparql/rules").glob("*.ru")}
        # the facts of each line of reasoning chain the subject to the provision
        for rule, basis, via in {(str(r["rule"]), r["basis"], r.get("via")) for r in rows}:
            facts = {(r["factSubject"], r["factProperty"], r["factObject"]) for r in rows
                     if (str(r["rule"]), r["basis"], r.get("via")) == (rule, basis, via)}
            if p == ELI.ensures_implementation_of:
                first = {(s, ELI.ensures_implementation_of, basis)}
            elif rule == "case-concerns-definition-by-tip-elements":
                assert IRIS.provision_reference(str(basis)) == "tip/art/3/a" and via is None
                first = {f for f in facts if f[1] in elements}
                assert first and all(f[0] == s for f in first)
            elif rule == "case-concerns-provision-by-crime-type":
                first = {(s, SHERLOC.crimeType, via), (via, SHERLOC.criminalizedUnder, basis)}
            elif via is None:
                first = {(s, SHERLOC.refersToProvision, basis)}
            else:
                first = {(s, SHERLOC.appliesNationalProvision, via), (via, ELI.ensures_implementation_of, basis)}
            steps = {(x, y) for x, q, y in facts if q == ELI.is_part_of}
            assert facts == first | {(x, ELI.is_part_of, y) for x, y in steps}
            here = basis
            while here != o:
                [here] = [y for x, y in steps if x == here]
            assert len(steps) == len(upwards(IRIS.provision_reference(str(basis)))) - len(upwards(provision))


def test_why_a_case_concerns_article_5(examples: EmbeddedStore) -> None:
    rows = why(examples, IRIS, "case/XAA-EX-001", "untoc/art/5")
    facts = {(str(r["factSubject"]).removeprefix(IRIS.base + "id/"), str(r["factProperty"]).rsplit("#", 1)[1],
              str(r["factObject"]).removeprefix(IRIS.base + "id/"),
              str(r["factGraph"]).removeprefix(IRIS.base + "graph/")) for r in rows
             if str(r["rule"]) == "case-concerns-provision"}
    assert facts == {
        ("case/XAA-EX-001", "appliesNationalProvision", "legislation/XAA/XAA-penal-code/art/150", "cases"),
        ("legislation/XAA/XAA-penal-code/art/150", "ensures_implementation_of", "instrument/untoc/art/5/1/a", "legislation"),
        ("instrument/untoc/art/5/1/a", "is_part_of", "instrument/untoc/art/5/1", "instruments"),
        ("instrument/untoc/art/5/1", "is_part_of", "instrument/untoc/art/5", "instruments"),
    }
    assert {str(r["rule"]) for r in rows} == {"case-concerns-provision", "case-concerns-provision-by-crime-type"}
    # the case is one of participation in an organized criminal group, which art. 5 (1) obliges
    # States to criminalize (the crime-type vocabulary's mapping): a second line of reasoning
    crime = {(str(r["factSubject"]).removeprefix(IRIS.base), str(r["factProperty"]).rsplit("#", 1)[1],
              str(r["factObject"]).removeprefix(IRIS.base), str(r["factGraph"]).removeprefix(IRIS.base + "graph/"))
             for r in rows if str(r["rule"]) == "case-concerns-provision-by-crime-type"}
    assert crime == {
        ("id/case/XAA-EX-001", "crimeType", "vocab/crime-type/participation-in-an-organized-criminal-group", "cases"),
        ("vocab/crime-type/participation-in-an-organized-criminal-group", "criminalizedUnder", "id/instrument/untoc/art/5/1",
         "vocabularies"),
        ("id/instrument/untoc/art/5/1", "is_part_of", "id/instrument/untoc/art/5", "instruments"),
    }
    # a link the sources assert is no inference: nothing to explain
    assert why(examples, IRIS, "legislation/XAA/XAA-penal-code/art/150", "untoc/art/5/1/a") == []
    assert why(examples, IRIS, "case/XAA-EX-001", "untoc/art/6") == []


def test_why_a_national_provision_counts_for_the_article(examples: EmbeddedStore) -> None:
    rows = why(examples, IRIS, "legislation/XAA/XAA-penal-code/art/150")
    assert {IRIS.provision_reference(str(r["provision"])) for r in rows} == {"untoc/art/5/1", "untoc/art/5"}
    assert {str(r["rule"]) for r in rows} == {"implementation-counts-for-containing-provision"}
    assert {(r["factProperty"], r["factGraph"]) for r in rows} == {
        (ELI.ensures_implementation_of, IRIS.graph("legislation")), (ELI.is_part_of, IRIS.graph("instruments"))}


# -- recomputed after every load ---------------------------------------------------------------

def test_removing_the_asserted_fact_removes_the_inference(scratch: EmbeddedStore, settings: Settings,
                                                          tmp_path: Path) -> None:
    case, art150 = IRIS.case("XAA-EX-001"), IRIS.national_provision("XAA", "XAA-penal-code", "150")
    article5 = (case, SHERLOC.concernsProvision, IRIS.provision("untoc/art/5"))
    counts_for = (art150, ELI.ensures_implementation_of, IRIS.provision("untoc/art/5"))
    assert {article5, counts_for} <= inferred(scratch)

    # the law again, art. 150 now implementing article 6 (1) (a) instead of article 5 (1) (a)
    legislation = records("legislation.jsonl")
    for provision in legislation[0]["provisions"]:
        if provision["number"] == "150":
            provision["implements"] = ["untoc/art/6/1/a"]
    Ingest(scratch, settings).load("legislation", [write(tmp_path / "legislation.jsonl", legislation)])
    now = inferred(scratch)
    # art. 5 is still concerned, by the case's crime type alone (participation in an organized
    # criminal group): no line of reasoning goes through art. 150 any more
    assert counts_for not in now
    assert not any(str(o).startswith(str(IRIS.provision("untoc/art/5"))) for s, _p, o in now if s == art150)
    assert {str(r["rule"]) for r in why(scratch, IRIS, "case/XAA-EX-001", "untoc/art/5")} == {
        "case-concerns-provision-by-crime-type"}
    assert (case, SHERLOC.concernsProvision, IRIS.provision("untoc/art/6")) in now
    assert (art150, ELI.ensures_implementation_of, IRIS.provision("untoc/art/6")) in now
    assert now == expected_links(IRIS, legislation, records("cases.jsonl"))

    # the case again, without the reference to tip/art/3/a nor the laws it applied
    cases = records("cases.jsonl")
    cases[0]["provisions"] = []
    cases[0]["legislation"] = []
    Ingest(scratch, settings).load("cases", [write(tmp_path / "cases.jsonl", cases)])
    now = inferred(scratch)
    # what is left follows from its crime types and TIP elements alone
    assert {str(r["rule"]) for o in {o for s, _p, o in now if s == case}
            for r in why(scratch, IRIS, "case/XAA-EX-001", IRIS.provision_reference(str(o)))} == {
        "case-concerns-provision-by-crime-type", "case-concerns-definition-by-tip-elements"}
    assert article5 in now and now == expected_links(IRIS, legislation, cases)


def test_reloading_the_same_data_changes_no_inference(scratch: EmbeddedStore, settings: Settings) -> None:
    before = inferred(scratch)
    Ingest(scratch, settings).load("cases", [EXAMPLES / "cases.jsonl"])
    Ingest(scratch, settings).load("legislation", [EXAMPLES / "legislation.jsonl"])
    assert inferred(scratch) == before


def whole(store: EmbeddedStore, settings: Settings, iris: Iris = IRIS) -> set[tuple]:
    """What the rules infer run whole over a copy of ``store``."""
    buffer = io.BytesIO()
    store.dump(buffer, media_type=NQUADS)
    copy = EmbeddedStore(None)
    copy.restore(io.BytesIO(buffer.getvalue()), media_type=NQUADS)
    copy.write([], then=Inference(settings, iris).whole())
    return inferred(copy, iris)


def stale(store: EmbeddedStore, triple: tuple) -> None:
    """``triple`` written into the inferred graph behind the rules' back."""
    store.update(f"INSERT DATA {{ GRAPH <{IRIS.graph('inferred')}> {{ <{triple[0]}> <{triple[1]}> <{triple[2]}> }} }}")


def test_a_load_recomputes_only_what_it_may_change(scratch: EmbeddedStore, settings: Settings,
                                                   tmp_path: Path) -> None:
    """Scoped: the inferences of the records a load writes, and of those linking to them, are
    recomputed; nothing else is read or rewritten."""
    elsewhere = (IRIS.case("XZZ-NOT-LOADED"), SHERLOC.concernsProvision, IRIS.provision("som/art/6"))
    # about a case that applies art. 150 of the penal code
    linked = (IRIS.case("XAA-EX-001"), SHERLOC.concernsProvision, IRIS.provision("som/art/6"))
    for triple in (elsewhere, linked):
        stale(scratch, triple)
    assert Inference(settings, IRIS).current(scratch)
    Ingest(scratch, settings).load("treaties", [EXAMPLES / "treaties.jsonl"])
    assert {elsewhere, linked} <= inferred(scratch)  # treaties touch no case
    # the penal code: the case links to its art. 150, so its inferences are recomputed too
    Ingest(scratch, settings).load("legislation", [write(tmp_path / "laws.jsonl", records("legislation.jsonl")[:1])])
    assert elsewhere in inferred(scratch) and linked not in inferred(scratch)
    stale(scratch, linked)
    Ingest(scratch, settings).load("cases", [EXAMPLES / "cases.jsonl"])
    assert elsewhere in inferred(scratch) and linked not in inferred(scratch)
    assert inferred(scratch) - {elsewhere} == expected_links(IRIS, records("legislation.jsonl"), records("cases.jsonl"))


def test_a_store_inferred_by_other_rules_is_recomputed_whole(scratch: EmbeddedStore, settings: Settings) -> None:
    """The fingerprint of the rules that computed the inferred graph is in the provenance graph: a
    store computed by other rules (a rule since removed) gets a whole run at its next load."""
    left = (IRIS.case("XZZ-NOT-LOADED"), SHERLOC.concernsProvision, IRIS.provision("som/art/6"))
    stale(scratch, left)
    inference = Inference(settings, IRIS)
    version = f"<{IRIS.graph('inferred')}> <http://www.w3.org/2002/07/owl#versionInfo>"
    scratch.update(f"DELETE WHERE {{ GRAPH <{IRIS.graph('provenance')}> {{ {version} ?v }} }} ;\n"
                   f"INSERT DATA {{ GRAPH <{IRIS.graph('provenance')}> {{ {version} \"rules sha256:0\" }} }}")
    assert not inference.current(scratch)
    inference.forget(scratch)  # a raw write forgets other rules' fingerprint too (no Last-Modified until a load)
    assert not scratch.ask(f"ASK {{ GRAPH <{IRIS.graph('provenance')}> {{ {version} ?v }} }}")
    assert inference.for_write(scratch, []).whole
    Ingest(scratch, settings).load("treaties", [EXAMPLES / "treaties.jsonl"])
    assert left not in inferred(scratch)
    assert inferred(scratch) == expected_links(IRIS, records("legislation.jsonl"), records("cases.jsonl"))
    assert inference.current(scratch) and not inference.for_write(scratch, []).whole


def test_what_runs_the_rules_whole(scratch: EmbeddedStore, settings: Settings) -> None:
    inference = Inference(settings, IRIS)
    case = str(IRIS.case("XAA-EX-001"))
    assert not inference.for_write(scratch, [RecordWrite(str(IRIS.graph("cases")), [case])]).whole
    # the provision tree every rule walks
    assert inference.for_write(scratch, [RecordWrite(str(IRIS.graph("instruments")), [])]).whole
    # the crime-type vocabulary's mapping to the criminalization provisions (case-concerns-provision-by-crime-type)
    assert inference.for_write(scratch, [RecordWrite(str(IRIS.graph("vocabularies")), [])]).whole
    assert inference.for_write(scratch, [], replace_graphs=[str(IRIS.graph("countries"))]).whole
    # a raw write: the next load runs whole
    inference.forget(scratch)
    assert inference.for_write(scratch, [RecordWrite(str(IRIS.graph("cases")), [case])]).whole
    # a rule that does not say its focus cannot run scoped: every write runs the rules whole
    with pytest.raises(ValueError, match="scope"):
        scoped("INSERT { ?a ?b ?c } WHERE { ?a ?b ?c }", "<urn:x>")


def test_a_rule_without_a_focus_runs_whole_at_every_load(scratch: EmbeddedStore, settings: Settings,
                                                         tmp_path: Path) -> None:
    shutil.copytree(REPO / "sparql", tmp_path / "sparql")
    rule = tmp_path / "sparql/rules/case-concerns-provision.ru"
    rule.write_text(re.sub(r"(?m)^\s*# scope \?case$", "", rule.read_text(encoding="utf-8")), encoding="utf-8")
    elsewhere = (IRIS.case("XZZ-NOT-LOADED"), SHERLOC.concernsProvision, IRIS.provision("som/art/6"))
    unscoped = settings.with_(home=tmp_path)
    for home in ("ontology", "shapes", "data"):
        (tmp_path / home).symlink_to(REPO / home)
    assert not Inference(unscoped, IRIS).scopable
    Ingest(scratch, unscoped).load("treaties", [EXAMPLES / "treaties.jsonl"])  # whole: the fingerprint changed
    stale(scratch, elsewhere)
    Ingest(scratch, unscoped).load("treaties", [EXAMPLES / "treaties.jsonl"])
    assert elsewhere not in inferred(scratch)
    assert inferred(scratch) == expected_links(IRIS, records("legislation.jsonl"), records("cases.jsonl"))


def test_a_raw_write_through_the_api_makes_the_next_load_run_whole(scratch: EmbeddedStore, settings: Settings,
                                                                  tmp_path: Path) -> None:
    """A SPARQL Update or a Graph Store write runs no rule: whatever it changed, the next load
    recomputes the inferred graph whole, so no inference it made stale survives that load."""
    configured = settings.with_(tokens=tmp_path / "tokens.json")
    admin = {"Authorization": f"Bearer {Tokens(configured.tokens).create('admin')}"}
    inference = Inference(settings, IRIS)
    legislation = IRIS.graph("legislation")
    art150 = IRIS.national_provision("XAA", "XAA-penal-code", "150")
    with serving(create_app(configured, scratch)) as base, httpx.Client(base_url=base, headers=admin) as client:
        # the raw write removes what art. 150 implements: three cases' inferences go stale
        update = f"DELETE WHERE {{ GRAPH <{legislation}> {{ <{art150}> <{ELI.ensures_implementation_of}> ?p }} }}"
        done = client.post("/sparql", content=update, headers={"Content-Type": "application/sparql-update"})
        assert done.status_code == 204, done.text
        assert not inference.current(scratch)
        Ingest(scratch, settings).load("treaties", [EXAMPLES / "treaties.jsonl"])  # touches no case
        assert inferred(scratch) == whole(scratch, settings)
        assert (art150, ELI.ensures_implementation_of, IRIS.provision("untoc/art/5")) not in inferred(scratch)
        assert inference.current(scratch)
        # a Graph Store write likewise
        turtle = f"<{IRIS.case('XZZ-GSP')}> <{SHERLOC.refersToProvision}> <{IRIS.provision('som/art/6')}> ."
        put = client.put("/rdf-graph-store", params={"graph": str(IRIS.graph("cases"))}, content=turtle,
                         headers={"Content-Type": "text/turtle"})
        assert put.status_code == 204, put.text
        assert not inference.current(scratch)


def edits(laws: list[dict], cases: list[dict], seed: int) -> tuple[list[dict], list[dict]]:
    """A fifth of the laws changed (what provisions implement, a provision dropped, one added), then
    a fifth of the cases (what they refer to and which national provision of their State they
    apply), as two lists to load in turn; ``laws`` and ``cases`` are changed in place."""
    random = Random(seed)
    provisions = sorted({p for law in laws for provision in law["provisions"] for p in provision.get("implements", [])})
    changed = random.sample(laws, len(laws) // 5)
    for law in changed:
        for provision in law["provisions"]:
            if random.random() < 0.4:
                provision["implements"] = random.sample(provisions, random.randint(0, 2))
        law["provisions"] = [p for p in law["provisions"] if p["number"] != "1" or random.random() < 0.5]
        law["provisions"].append({"number": "900", "heading": "[Synthetic] Article 900", "text": "[Synthetic] Added.",
                                  "implements": random.sample(provisions, 1)})
    by_state: dict[str, list[dict]] = {}
    for law in laws:
        by_state.setdefault(law["country"], []).append(law)
    edited = random.sample(cases, len(cases) // 5)
    for case in edited:
        case["provisions"] = random.sample(provisions, random.randint(0, 2))
        home = by_state.get(case["country"])
        if home and random.random() < 0.7:
            law = random.choice(home)
            case["legislation"] = [f"{law['id']}#{random.choice(law['provisions'])['number']}"]
        else:
            case["legislation"] = []
    return changed, edited


def test_scoped_loads_infer_what_a_whole_run_does(settings: Settings, tmp_path: Path) -> None:
    """Generated data (thousands of laws and cases), then loads that change what laws implement,
    drop and add provisions, and change what cases refer to and apply: after each, the inferred
    graph is what a whole run over the same store infers."""
    data = tmp_path / "generated"
    generate(data, triples=30_000, seed=5, settings=Settings(), kinds=("legislation", "cases"))
    store = EmbeddedStore(None)
    install_reference(store, settings, with_examples=True)
    register_states(store, settings, data / STATES_FILE)
    ingest = Ingest(store, settings)
    ingest.load("legislation", [data / FILES["legislation"]])
    ingest.load("cases", [data / FILES["cases"]])
    assert len(inferred(store)) > 1000 and inferred(store) == whole(store, settings)
    laws, cases = edits(generated(data / FILES["legislation"]), generated(data / FILES["cases"]), seed=5)
    for kind, rows in (("legislation", laws), ("cases", cases)):
        report = ingest.load(kind, [write(tmp_path / f"{kind}.jsonl", rows)])
        assert report.written and not report.violations, report.issues[:3]
        assert inferred(store) == whole(store, settings)


# -- under another base ------------------------------------------------------------------------

def test_rules_run_under_the_configured_base() -> None:
    settings = Settings(store="memory", base="https://kg.example.org/sherloc/", home=REPO)
    iris = Iris(settings.base)
    rules = Inference(settings, iris).whole()
    assert all(Iris().base + "graph/" not in rule for rule in rules)
    assert rules[0] == f"DROP SILENT GRAPH <{iris.graph('inferred')}>"

    store = EmbeddedStore(None)
    install_reference(store, settings, with_examples=True)
    load_examples(store, settings)
    assert inferred(store, iris) == expected_links(iris, records("legislation.jsonl"), records("cases.jsonl"))
    assert not any(g.startswith(Iris().base) for g in store.graphs())
    rows = why(store, iris, "case/XAA-EX-001", "untoc/art/5")
    assert len(rows) == 7 and all(str(r["factGraph"]).startswith(iris.base + "graph/") for r in rows)
