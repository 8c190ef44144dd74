"""sherloc_kg/access.py alone decides who sees which graph (issue 23, item 2): no other module of
the package, the loaders or the API tests a graph for being restricted or public, or builds a
caller's dataset from graph lists; they ask access.py (``who.dataset(iris)``, ``may_see``,
``public_graphs``, ``mirror_private_graphs``...). iris.py only names the graphs. Read from the
sources (ast), so a new copy fails here. And the review routes, which once read the whole store
for a submitter, read exactly what access.py grants it: the public graphs and its own State's."""

from __future__ import annotations

import ast
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from sherloc_kg.access import (
    PUBLIC,
    RESTRICTED_GRAPHS,
    WRITE_READS,
    Caller,
    Role,
    Tokens,
    is_restricted,
    mirror_private_graphs,
    public_graphs,
)
from sherloc_kg.api.app import create_app
from sherloc_kg.config import Settings
from sherloc_kg.iris import GRAPHS, Iris

from .servers import serving
from .test_review_submissions import Server  # the served application a review test is given
from .test_search_api import examples_store

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted([*(ROOT / "sherloc_kg").rglob("*.py"), *(ROOT / "api").rglob("*.py"),
                  *(ROOT / "loaders").rglob("*.py")])
ACCESS = ROOT / "sherloc_kg" / "access.py"
#: The store applies the private graphs it is given (the public mirror); which they are, access.py says.
STORE = ROOT / "sherloc_kg" / "store"
BASE = "https://w3id.org/sherloc/"
G = BASE + "graph/"

#: What decides visibility: defined in access.py only.
DECIDERS = {"RESTRICTED_GRAPHS", "PUBLIC_GRAPHS", "is_restricted", "is_restricted_graph", "public_graphs",
            "restricted_graphs", "mirror_private_graphs", "visible_graphs", "may_see", "WRITE_READS"}


def _defined(tree: ast.AST) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names |= {t.id for t in targets if isinstance(t, ast.Name)}
    return names


def deciders_defined(source: str) -> set[str]:
    return _defined(ast.parse(source)) & DECIDERS


def restricted_tests(source: str) -> list[int]:
    """Lines that test a graph for being restricted by its name: a comparison or membership test
    against a literal ending in ``-restricted`` other than ``==`` / ``!=`` on one graph's name
    (``"review-restricted" in name``, ``name.endswith("-restricted")``, ``g not in {...restricted}``)."""
    lines = []
    tree = ast.parse(source)

    def names_restricted(node: ast.AST) -> bool:
        return any(isinstance(c, ast.Constant) and isinstance(c.value, str) and c.value.endswith("-restricted")
                   for c in ast.walk(node))

    for node in ast.walk(tree):
        if isinstance(node, ast.Compare) and any(isinstance(op, (ast.In, ast.NotIn)) for op in node.ops):
            if names_restricted(node):
                lines.append(node.lineno)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
                node.func.attr in ("endswith", "startswith") and names_restricted(node):
            lines.append(node.lineno)
    return lines


def datasets_built(source: str) -> list[int]:
    """Lines that build a dataset of graphs: ``Dataset(...)`` with a graph list (anything but the
    whole store, ``default=None``, or nothing, ``[]``)."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and ast.unparse(node.func).split(".")[-1] == "Dataset":
            values = [*node.args, *(k.value for k in node.keywords)]
            if not all(isinstance(v, ast.Constant) and v.value is None or
                       isinstance(v, ast.List) and not v.elts for v in values):
                lines.append(node.lineno)
    return lines


def test_the_checks_find_what_they_are_for() -> None:
    assert deciders_defined("RESTRICTED_GRAPHS = frozenset()\ndef public_graphs(iris): ...\n") == \
        {"RESTRICTED_GRAPHS", "public_graphs"}
    assert restricted_tests('x = [g for g in names if g not in {"review-restricted"}]\n') == [1]
    assert restricted_tests('ok = name.endswith("-restricted")\n') == [1]
    assert restricted_tests('home = name == "review-restricted"\n') == []
    assert datasets_built("d = Dataset(default=graphs, named=graphs)\n") == [1]
    assert datasets_built("d = store.Dataset(default=[g])\n") == [1]
    assert datasets_built("d = Dataset(default=None)\ne = Dataset(default=[], named=[])\n") == []


def _outside_access() -> list[Path]:
    return [p for p in SOURCES if p != ACCESS]


def test_only_access_defines_what_is_restricted_and_who_sees_it() -> None:
    found = {str(p.relative_to(ROOT)): sorted(names) for p in _outside_access()
             if (names := deciders_defined(p.read_text(encoding="utf-8")))}
    assert found == {}
    assert deciders_defined(ACCESS.read_text(encoding="utf-8")) >= {"RESTRICTED_GRAPHS", "is_restricted",
                                                                    "public_graphs", "mirror_private_graphs"}


def test_no_module_but_access_tests_a_graph_for_being_restricted() -> None:
    found = {str(p.relative_to(ROOT)): lines for p in _outside_access()
             if (lines := restricted_tests(p.read_text(encoding="utf-8")))}
    assert found == {}


def test_no_module_but_access_and_the_store_builds_a_dataset_of_graphs() -> None:
    """A caller's dataset comes from access.py; the store's own plumbing (its verbs, the remote
    protocol) may build datasets from what it is given. Whole-store reads of the server's own
    maintenance (``Dataset(default=None)``) are not a caller's dataset."""
    found = {str(p.relative_to(ROOT)): lines for p in _outside_access() if not p.is_relative_to(STORE)
             if (lines := datasets_built(p.read_text(encoding="utf-8")))}
    assert found == {}


def test_what_access_decides() -> None:
    iris = Iris()
    assert set(public_graphs(iris)) == {str(iris.graph(g)) for g in GRAPHS if not is_restricted(g)}
    assert all(is_restricted(f"{family}/XAA") for family in RESTRICTED_GRAPHS)
    # and the change feed's version logs, which only the feed reads (sherloc_kg/versions.py)
    assert mirror_private_graphs(iris) == {str(iris.graph(g)) for g in RESTRICTED_GRAPHS} | {G + "versions"}
    assert PUBLIC.dataset(iris).named == public_graphs(iris)
    assert WRITE_READS.default is None
    aurelia = Caller(Role.SUBMITTER, country="XAA").review_dataset(iris)
    assert aurelia.default == aurelia.named == public_graphs(iris) + [
        G + "provenance-restricted/XAA", G + "review-restricted/XAA"]
    # a submitter's other routes stay public; others read review answers over their dataset
    assert Caller(Role.SUBMITTER, country="XAA").dataset(iris).named == public_graphs(iris)
    for caller in (PUBLIC, Caller(Role.EDITOR), Caller(Role.OFFICIAL, country="XAB"), Caller(Role.ADMIN)):
        assert caller.review_dataset(iris) == caller.dataset(iris)
    scoped = Caller(Role.OFFICIAL, country="XAB")
    assert scoped.dataset_within(iris, [G + "review", G + "review-restricted/XAA"], [G + "review-restricted/XAB"]) \
        == type(aurelia)(default=[G + "review"], named=[G + "review-restricted/XAB"])


# -- the review routes read what access.py grants -----------------------------------------------

@pytest.fixture(scope="module")
def server(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    store = examples_store(settings)
    token_file = Path(tmp_path_factory.mktemp("one-place-tokens")) / "tokens.json"
    tokens = Tokens(token_file)
    made = {"submitter-XAA": tokens.create("submitter", country="XAA", name="Aurelia expert"),
            "submitter-XAB": tokens.create("submitter", country="XAB", name="Borealis expert")}
    bearer = {who: {"Authorization": f"Bearer {token}"} for who, token in made.items()}
    app = create_app(settings.with_(tokens=token_file), store=store)
    with serving(app) as url, httpx.Client(base_url=url, timeout=120) as client:
        yield Server(client, store, bearer)


def _answer(state: str, answer_id: str, mark: str) -> dict:
    return {"id": answer_id, "country": state, "cycle": 1, "cluster": 1, "provision": "untoc/art/6",
            "status": "partially-implemented", "measures": [],
            "practices": f"[Illustrative] Invented answer {mark}.", "date": "2024-05-01"}


def test_a_submitter_reads_its_own_states_answers_and_no_other_states(server: Server) -> None:
    mine, theirs, planted = (f"MARK{uuid.uuid4().hex[:12].upper()}" for _ in range(3))
    c = server.client
    own_id, other_id = "XAA-one-place-art-6", "XAB-one-place-art-6"
    for who, state, answer_id, mark in (("submitter-XAA", "XAA", own_id, mine),
                                        ("submitter-XAB", "XAB", other_id, theirs)):
        response = c.post("/api/review/submissions", json=_answer(state, answer_id, mark), headers=server.bearer[who])
        assert response.status_code == 201, response.text
    # A triple about Aurelia's answer in Borealis's restricted graph (as an admin's move of an
    # answer between States could leave): a dataset of the whole store would show it to Aurelia.
    server.store.update(f'INSERT DATA {{ GRAPH <{G}review-restricted/XAB> {{ <{BASE}id/review/{own_id}> '
                        f'<https://w3id.org/sherloc/ontology#practices> "{planted}" }} }}')
    aurelia = server.bearer["submitter-XAA"]
    listing = c.get("/api/review/submissions", headers=aurelia)
    assert listing.status_code == 200
    own = [a for a in listing.json()["answers"] if a["id"] == own_id]
    assert own and mine in str(own[0]["practices"]) and own[0]["current_version"].endswith("/version/1"), listing.text
    one = c.get(f"/api/review/submissions/{own_id}", headers=aurelia)
    assert one.status_code == 200 and [v["version"] for v in one.json()["versions"]] == [1], one.text
    for response in (listing, one, c.get("/api/review/submissions", params={"country": "XAB"}, headers=aurelia),
                     c.get(f"/api/review/submissions/{other_id}", headers=aurelia)):
        assert theirs not in response.text and planted not in response.text, response.text
    assert c.get(f"/api/review/submissions/{other_id}", headers=aurelia).status_code == 404
    # Borealis reads its own answer (and the planted triple, in its own graph) as before
    borealis = c.get(f"/api/review/submissions/{other_id}", headers=server.bearer["submitter-XAB"])
    assert borealis.status_code == 200 and theirs in borealis.text
