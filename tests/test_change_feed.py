"""The change feed (issue 19, item 8): a store replicated through its Linked Data Event Stream alone.

Store A holds the bundled data (reference graphs with the fictional States, every bundled file, every
example) and is served by the application. A harvester that knows only LDES and TREE (rdflib parsing
the pages, following ``tree:relation``, reading ``ldes:timestampPath``, ``ldes:versionOfPath`` and
``ldes:versionDeleteObject`` from the root, each member's triples from its named graph) rebuilds store
B from the feed: the latest version of each member, deletions applied. A and B are then compared
graph by graph, for every public graph the feed covers (isomorphic). Then A changes (a case updated, a
published review answer withdrawn by reloading it unpublished, a graph dropped through the Graph
Store; then a new case, a review answer submitted, published and submitted again, a graph replaced
by a Graph Store PUT), and an incremental harvest from the last page the harvester saw gives B equal
to A again.

Besides: loading unchanged records again adds no version; a restricted record never appears in the
public feed (an admin's feed has it); paging is stable (each version on exactly one page of a walk,
full pages unchanged by later writes, ETag and 304); every format carries the same dataset. The same
replication runs on a real Oxigraph server (tests/backends.py); not yet on Virtuoso.
"""

from __future__ import annotations

import io
import json
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from rdflib import Dataset, Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, RDF

from sherloc_kg.access import Tokens, is_restricted_graph, public_graphs
from sherloc_kg.api.app import create_app
from sherloc_kg.config import Settings
from sherloc_kg.ingest import Ingest
from sherloc_kg.iris import Iris
from sherloc_kg.reference import BUNDLED, install_reference, load_examples
from sherloc_kg.store import Store, open_store
from sherloc_kg.access import WRITE_READS
from sherloc_kg.versions import PIECE, joined, logged, pieces

from .backends import oxigraph_server, virtuoso_server
from .servers import serving

LDES = Namespace("https://w3id.org/ldes#")
TREE = Namespace("https://w3id.org/tree#")
PROV_VALUE = URIRef("http://www.w3.org/ns/prov#value")
TRIG = "application/trig"
PARSERS = {"application/trig": "trig", "application/n-quads": "nquads", "application/ld+json": "json-ld"}
REPO = Path(__file__).resolve().parents[1]


# -- a harvester that knows LDES and TREE, nothing of SHERLOC-KG -----------------------------------

@dataclass
class Member:
    version: str
    of: str
    graph: str
    time: object
    deleted: bool
    triples: list


@dataclass
class Harvester:
    """An LDES client: fetches the root, follows ``tree:relation``/``tree:node``, processes each
    member once, and keeps the latest version of each member (``ldes:versionOfPath``, and the named
    graph ``dcterms:isPartOf`` it goes to). ``fetch`` is given an IRI and answers with its document,
    as w3id.org would redirect it to the server under test."""

    client: httpx.Client
    base: str
    headers: dict[str, str] = field(default_factory=dict)
    accept: str = TRIG
    stream: URIRef | None = None
    paths: dict[str, URIRef] = field(default_factory=dict)
    processed: set[str] = field(default_factory=set)
    latest: dict[tuple[str, str], Member] = field(default_factory=dict)
    last_page: str | None = None
    walk: list[list[str]] = field(default_factory=list)  # the member IRIs of each page fetched, in order
    kinds: list[str] = field(default_factory=list)  # the rdf:type of each member processed, in order

    def fetch(self, iri: str) -> tuple[Dataset, httpx.Response]:
        assert iri.startswith(self.base), iri
        response = self.client.get("/" + iri[len(self.base):], headers={"Accept": self.accept, **self.headers})
        assert response.status_code == 200, response.text
        dataset = Dataset()
        with warnings.catch_warnings():  # rdflib's Dataset uses its own deprecated ConjunctiveGraph
            warnings.simplefilter("ignore", DeprecationWarning)
            dataset.parse(data=response.content, format=PARSERS[self.accept], publicID=iri)
        return dataset, response

    def harvest(self, start: str | None = None) -> list[Member]:
        """Walk from the root (or from ``start``, the last page seen) to the end; the new members."""
        entry = start or self.base + "feed"
        found: list[Member] = []
        queue, visited = [entry], set()
        while queue:
            page = queue.pop(0)
            if page in visited:
                continue
            visited.add(page)
            dataset, _ = self.fetch(page)
            with warnings.catch_warnings():  # rdflib's Dataset uses its own deprecated ConjunctiveGraph
                warnings.simplefilter("ignore", DeprecationWarning)
                found += self._read(page, dataset, queue)
        for member in sorted(found, key=lambda m: (m.time, m.version)):  # in the stream's order
            self.processed.add(member.version)
            key = (member.of, member.graph)
            known = self.latest.get(key)
            if known is None or (member.time, member.version) > (known.time, known.version):
                self.latest[key] = member
        return found

    def _read(self, page: str, dataset: Dataset, queue: list[str]) -> list[Member]:
        """The members of one page not processed yet; the nodes its relations lead to go on ``queue``."""
        found = []
        default = dataset.default_graph
        if self.stream is None:  # TREE initialisation: ?c tree:view <the URL>
            views = list(default.subjects(TREE.view, URIRef(page)))
            assert len(views) == 1, f"{page} is no root node"
            self.stream = views[0]
            self.paths = {name: default.value(self.stream, LDES[name]) for name in
                          ("timestampPath", "versionOfPath", "versionDeletePath", "versionDeleteObject")}
            assert all(self.paths.values()), self.paths
        members = sorted(str(m) for m in default.objects(self.stream, TREE.member))
        self.walk.append(members)
        for member in members:
            if member in self.processed:
                continue
            node = URIRef(member)
            found.append(Member(member, str(default.value(node, self.paths["versionOfPath"])),
                                str(default.value(node, DCTERMS.isPartOf)),
                                default.value(node, self.paths["timestampPath"]).toPython(),
                                (node, self.paths["versionDeletePath"], self.paths["versionDeleteObject"]) in default,
                                list(dataset.graph(node))))
            self.kinds.append(str(default.value(node, RDF.type)))
        for relation in default.objects(URIRef(page), TREE.relation):
            queue.append(str(default.value(relation, TREE.node)))
        self.last_page = page
        return found

    def rebuild(self) -> dict[str, Graph]:
        """Store B: each graph, the triples of the latest live version of each of its members."""
        graphs: dict[str, Graph] = {}
        for member in self.latest.values():
            if not member.deleted:
                graph = graphs.setdefault(member.graph, Graph())
                for triple in member.triples:
                    graph.add(triple)
        return graphs


def graph_of(store: Store, graph: str) -> Graph:
    buffer = io.BytesIO()
    store.read_graph(graph, buffer, media_type="application/n-triples")
    found = Graph()
    found.parse(data=buffer.getvalue(), format="nt")
    return found


def covered(iris: Iris) -> list[str]:
    """The public graphs the feed covers (all but the inferred and provenance graphs)."""
    return [g for g in public_graphs(iris) if logged(iris, g)]


def assert_replicated(store: Store, harvester: Harvester, iris: Iris) -> None:
    rebuilt = harvester.rebuild()
    assert set(rebuilt) <= set(covered(iris)), "the public feed has members of graphs the public does not read"
    for graph in covered(iris):
        a, b = graph_of(store, graph), rebuilt.get(graph, Graph())
        if not isomorphic(a, b):
            missing, extra = set(a) - set(b), set(b) - set(a)
            raise AssertionError(f"{graph}: A {len(a)} triples, B {len(b)}; in A only {sorted(missing)[:3]}, "
                                 f"in B only {sorted(extra)[:3]}")


# -- store A, served -------------------------------------------------------------------------------

@dataclass
class Served:
    client: httpx.Client
    store: Store
    iris: Iris
    bearer: dict[str, dict[str, str]]
    settings: Settings


def tokens_for(settings: Settings, folder: Path) -> tuple[Settings, dict[str, dict[str, str]]]:
    tokens = Tokens(folder / "tokens.json")
    made = {"editor": tokens.create("editor", name="an editor"), "admin": tokens.create("admin", name="the admin"),
            "submitter-XAA": tokens.create("submitter", country="XAA", name="Aurelia expert"),
            "official-XAA": tokens.create("official", country="XAA", name="Aurelia focal point")}
    bearer: dict[str, dict[str, str]] = {"public": {}}
    bearer |= {who: {"Authorization": f"Bearer {token}"} for who, token in made.items()}
    return settings.with_(tokens=folder / "tokens.json"), bearer


def fill(store: Store, settings: Settings, *, bundled: bool = True) -> None:
    """The bundled data (reference graphs with the fictional States, every bundled file unless not
    ``bundled``, every example), loaded through the pipeline as ``init --with-examples`` does."""
    install_reference(store, settings, with_examples=True)
    if bundled:
        ingest = Ingest(store, settings)
        for kind, relative in BUNDLED:
            ingest.load(kind, [settings.data_dir / relative])
    load_examples(store, settings)


@contextmanager
def served_store(store: Store, settings: Settings, folder: Path) -> Iterator[Served]:
    with_tokens, bearer = tokens_for(settings, folder)
    with serving(create_app(with_tokens, store=store)) as url, httpx.Client(base_url=url, timeout=600) as client:
        yield Served(client, store, Iris(settings.base), bearer, settings)


@pytest.fixture(scope="module")
def served(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    store = open_store(settings)  # in memory, with the public mirror, as `serve` has it
    fill(store, settings)
    with served_store(store, settings, tmp_path_factory.mktemp("feed-tokens")) as found:
        yield found


def harvester(served: Served, who: str = "public", accept: str = TRIG) -> Harvester:
    return Harvester(served.client, served.iris.base, served.bearer[who], accept)


# -- changes made to A -----------------------------------------------------------------------------

def bundled_case(case_id: str) -> dict:
    path = REPO / "data" / BUNDLED[0][1]
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("{") and json.loads(line)["id"] == case_id:
            return json.loads(line)
    raise AssertionError(case_id)


def load(served: Served, kind: str, records: list[dict], name: str, who: str = "editor") -> dict:
    body = "".join(json.dumps(r) + "\n" for r in records).encode()
    response = served.client.post(f"/api/records/{kind}", params={"filename": name}, content=body,
                                  headers={"Content-Type": "application/x-ndjson", **served.bearer[who]})
    assert response.status_code == 200, response.text
    return response.json()


def review_answer(answer_id: str, practices: str) -> dict:
    return {"id": answer_id, "country": "XAA", "cycle": 1, "cluster": 1, "provision": "untoc/art/6",
            "status": "partially-implemented", "measures": ["XAA-penal-code#150"],
            "practices": f"[Illustrative] {practices}", "assistance_needs": ["training"], "date": "2024-05-01"}


def submit(served: Served, answer: dict) -> None:
    response = served.client.post("/api/review/submissions", json=[answer], headers=served.bearer["submitter-XAA"])
    assert response.status_code == 201, response.text


def publish(served: Served, answer_id: str) -> None:
    response = served.client.post(f"/api/review/submissions/{answer_id}/publish", headers=served.bearer["official-XAA"])
    assert response.status_code == 200, response.text


def first_changes(served: Served) -> None:
    """An update (a case's title), a record deleted from a public graph (a published review answer
    reloaded unpublished: it leaves ``review``), and a graph dropped through the Graph Store."""
    case = bundled_case("ALB001") | {"title": "Decision No. 648 (title corrected)"}
    assert load(served, "cases", [case], "correction.jsonl")["written"]
    withdrawn = json.loads((REPO / "data" / "examples" / "review.jsonl").read_text().splitlines()[1])
    assert withdrawn["published"] is True
    assert load(served, "review", [withdrawn | {"published": False}], "withdrawn.jsonl")["written"]
    strategies = served.iris.graph("strategies")
    dropped = served.client.delete("/rdf-graph-store", params={"graph": str(strategies)}, headers=served.bearer["admin"])
    assert dropped.status_code == 204, dropped.text


def second_changes(served: Served) -> None:
    """A new case and the corrected one changed again; a review answer submitted (restricted),
    published, then submitted anew (its public state withdrawn, its published version kept); and a
    graph of records replaced whole by a Graph Store PUT."""
    new = bundled_case("ALB002") | {"id": "ALB900", "title": "Decision No. 900 (invented for the feed's test)"}
    changed = bundled_case("ALB001") | {"title": "Decision No. 648 (corrected twice)", "year": 2010}
    assert load(served, "cases", [new, changed], "second.jsonl")["written"]
    submit(served, review_answer("XAA-feed-1", "Invented answer, first version."))
    publish(served, "XAA-feed-1")
    submit(served, review_answer("XAA-feed-1", "Invented answer, second version."))
    treaties = str(served.iris.graph("treaties"))
    turtle = served.client.get("/rdf-graph-store", params={"graph": treaties},
                               headers={"Accept": "text/turtle", **served.bearer["admin"]})
    assert turtle.status_code == 200, turtle.text
    graph = Graph().parse(data=turtle.text, format="turtle")
    dropped = next(iter(sorted(graph)))
    graph.remove(dropped)
    graph.add((URIRef(served.iris.base + "id/treaty/XAA-XAB-mla-2010"), DCTERMS.description,
               Literal("[Illustrative] A note put in by a Graph Store PUT.", lang="en")))
    put = served.client.put("/rdf-graph-store", params={"graph": treaties}, content=graph.serialize(format="nt"),
                            headers={"Content-Type": "application/n-triples", **served.bearer["admin"]})
    assert put.status_code == 204, put.text


# -- the tests -------------------------------------------------------------------------------------

def test_a_store_is_replicated_through_the_feed_alone_and_kept_in_step(served: Served) -> None:
    harvest = harvester(served)
    first = harvest.harvest()
    assert len(harvest.walk) > 1, "the bundled data should fill more than one page"
    assert {m.graph for m in first} <= set(covered(served.iris))
    assert_replicated(served.store, harvest, served.iris)

    first_changes(served)
    last = harvest.last_page
    assert last is not None
    changed = harvest.harvest(start=last)
    kinds = harvest.kinds[-len(changed):]
    assert str(URIRef("https://www.w3.org/ns/activitystreams#Delete")) in kinds
    assert str(URIRef("https://www.w3.org/ns/activitystreams#Update")) in kinds
    assert any(m.of == served.iris.base + "id/case/ALB001" for m in changed)
    assert_replicated(served.store, harvest, served.iris)

    second_changes(served)
    again = harvest.harvest(start=harvest.last_page)
    assert any(m.of == served.iris.base + "id/case/ALB900" for m in again)
    assert any(m.of == served.iris.base + "id/review/XAA-feed-1" for m in again)
    assert_replicated(served.store, harvest, served.iris)

    # a harvester starting now, from the root, rebuilds the same store
    fresh = harvester(served)
    fresh.harvest()
    assert_replicated(served.store, fresh, served.iris)


def test_loading_unchanged_records_again_adds_no_version(served: Served) -> None:
    cases = [bundled_case("ALB003"), bundled_case("ALB004")]
    load(served, "cases", cases, "twice.jsonl")
    before = harvester(served, "admin")
    before.harvest()
    # the same records under another file name: the load is written (its provenance differs), no version
    report = load(served, "cases", cases, "twice-again.jsonl")
    assert report["written"]
    after = harvester(served, "admin")
    after.harvest()
    assert after.processed == before.processed


def test_a_restricted_record_never_appears_in_the_public_feed(served: Served) -> None:
    secret = "Invented restricted answer 7f3c1e"
    submit(served, review_answer("XAA-feed-secret", secret))
    restricted = [g for g in served.store.graphs() if is_restricted_graph(served.iris, g)]
    assert restricted, "the examples and the submission put records in restricted graphs"
    public = harvester(served)
    public.harvest()
    assert not {m.graph for m in public.latest.values()} & set(restricted)
    for accept in ("application/trig", "text/turtle"):
        for page in [served.iris.base + "feed", *(p for p in ([public.last_page] if public.last_page else []))]:
            body = served.client.get("/" + page[len(served.iris.base):], headers={"Accept": accept}).text
            assert secret not in body and "XAA-feed-secret" not in body
            assert "authorities-restricted" not in body
    admin = harvester(served, "admin")
    admin.harvest()
    graphs = {m.graph for m in admin.latest.values()}
    assert str(served.iris.state_graph("review-restricted", "XAA")) in graphs
    assert str(served.iris.graph("authorities-restricted")) in graphs
    assert any(m.of == served.iris.base + "id/review/XAA-feed-secret" for m in admin.latest.values())


def test_paging_is_stable(served: Served) -> None:
    walk = harvester(served)
    walk.harvest()
    versions = [v for page in walk.walk for v in page]
    assert len(versions) == len(set(versions)), "a version is on two pages"
    keys = [v.rsplit("/", 1)[1] for v in versions]
    assert keys == sorted(keys), "the pages are not in the order of the versions' times"
    # a page that links on is full and never changes: same body, same ETag, 304 on revalidation
    assert len(walk.walk) > 2
    second = served.iris.base + "feed?after=" + walk.walk[0][-1].rsplit("/", 1)[1]
    _, before = walk.fetch(second)
    assert "immutable" in before.headers["cache-control"] and before.headers["etag"]
    load(served, "cases", [bundled_case("ALB005") | {"title": "Decision (for the paging test)"}], "paging.jsonl")
    _, after = walk.fetch(second)
    assert after.headers["etag"] == before.headers["etag"] and after.content == before.content
    revalidated = served.client.get("/feed", params={"after": second.rsplit("=", 1)[1]},
                                    headers={"Accept": TRIG, "If-None-Match": before.headers["etag"]})
    assert revalidated.status_code == 304
    head = served.client.head("/feed", headers={"Accept": TRIG})
    assert head.status_code == 200 and head.headers["etag"]
    # the walk resumed from its last page sees the new version, once
    new = walk.harvest(start=walk.last_page)
    assert [m.of for m in new] == [served.iris.base + "id/case/ALB005"]


def test_a_version_iri_dereferences_to_what_its_page_says(served: Served) -> None:
    walk = harvester(served)
    page, _ = walk.fetch(served.iris.base + "feed")
    version = max(page.default_graph.objects(None, TREE.member))
    alone, response = walk.fetch(str(version))
    assert "immutable" in response.headers["cache-control"] and response.headers["etag"]
    assert isomorphic(alone.graph(version), page.graph(version)) and len(alone.graph(version)) > 0
    described = set(alone.default_graph)
    assert described and described == set(page.default_graph.triples((version, None, None)))
    # a version of a restricted graph: the admin reads it, the public is told there is none
    admin = harvester(served, "admin")
    admin.harvest()
    restricted = next(m.version for m in admin.latest.values() if is_restricted_graph(served.iris, m.graph))
    path = "/" + restricted[len(served.iris.base):]
    assert served.client.get(path, headers={"Accept": TRIG}).status_code == 404
    assert "restricted" not in served.client.get(path, headers={"Accept": TRIG}).text
    secret, _ = admin.fetch(restricted)
    assert len(secret.graph(URIRef(restricted))) > 0
    assert served.client.get("/feed/version/yesterday").status_code == 400


def test_a_graph_version_is_stored_in_pieces_and_served_whole(served: Served) -> None:
    """The instruments graph, versioned whole at ``init``, is millions of characters of N-Triples:
    the log keeps them as several ``prov:value`` pieces of whole lines (Virtuoso's time to store one
    literal grows with the square of its length), and the feed gives the whole text, one literal."""
    instruments = served.iris.graph("instruments")
    rows = served.store.select(
        "PREFIX dcterms: <http://purl.org/dc/terms/> PREFIX prov: <http://www.w3.org/ns/prov#> "
        f"SELECT ?v ?piece WHERE {{ ?v dcterms:isVersionOf <{instruments}> ; prov:value ?piece }}",
        dataset=WRITE_READS).rows
    stored = [str(r["piece"]) for r in rows]
    assert len({str(r["v"]) for r in rows}) == 1 and len(stored) > 1
    assert max(len(piece) for piece in stored) <= PIECE
    assert all(not piece.endswith("\n") and not piece.startswith("\n") for piece in stored)
    version = str(rows[0]["v"])
    served_text = served.client.get("/" + version[len(served.iris.base):], headers={"Accept": "text/turtle"})
    assert served_text.status_code == 200
    described = Graph().parse(data=served_text.text, format="turtle")
    whole = [str(o) for o in described.objects(URIRef(version), PROV_VALUE)]
    assert len(whole) == 1 and whole[0] == joined({"version": version, "content": p} for p in stored)[version]
    assert isomorphic(Graph().parse(data=whole[0], format="nt"), graph_of(served.store, instruments))


def test_pieces_are_whole_lines_that_join_back_in_any_order() -> None:
    lines = sorted(f'<urn:s{i}> <urn:p> "{"x" * (i % 97)}" .' for i in range(3000))
    text = "\n".join(lines)
    for size in (40, 1000, len(text)):
        cut = pieces(text, size)
        assert all(len(piece) <= size or "\n" not in piece for piece in cut)
        assert {line for piece in cut for line in piece.split("\n")} == set(lines)
        assert joined({"version": "v", "content": piece} for piece in reversed(cut)) == {"v": text}
    assert pieces("") == [] and joined([{"version": "v", "content": None}]) == {}


@pytest.mark.parametrize("accept", ["application/n-quads", "application/ld+json"])
def test_every_format_carries_the_same_dataset(served: Served, accept: str) -> None:
    trig, other = harvester(served), harvester(served, accept=accept)
    page = served.iris.base + "feed"
    a, _ = trig.fetch(page)
    b, response = other.fetch(page)
    assert response.headers["content-type"].startswith(accept)
    for graph in {g.identifier for g in a.graphs()} | {g.identifier for g in b.graphs()}:
        assert isomorphic(a.graph(graph), b.graph(graph)), graph
    turtle = served.client.get("/feed", headers={"Accept": "text/turtle"})
    assert turtle.status_code == 200
    described = Graph().parse(data=turtle.text, format="turtle")
    assert (URIRef(served.iris.base + "feed#stream"), LDES.timestampPath, None) in described
    assert served.client.get("/feed", params={"after": "yesterday"}).status_code == 400
    assert served.client.get("/feed", headers={"Accept": "text/html"}).status_code == 406


# -- the same replication on the remote stores -----------------------------------------------------

@pytest.mark.parametrize("server", [oxigraph_server, virtuoso_server], ids=["oxigraph", "virtuoso"])
def test_a_remote_store_is_replicated_through_the_feed(server, settings: Settings,
                                                       tmp_path_factory: pytest.TempPathFactory) -> None:
    """The reference graphs and the examples (the bundled files are left out: the remote loads are
    slow), the same changes, on a real Oxigraph server and a real Virtuoso 7."""
    from sherloc_kg.store.remote import RemoteStore

    with server(tmp_path_factory.mktemp("feed-remote")) as server_settings:
        store = RemoteStore(server_settings)
        try:
            fill(store, settings, bundled=False)
            remote_settings = settings.with_(store=server_settings.store)
            with served_store(store, remote_settings, tmp_path_factory.mktemp("feed-remote-tokens")) as found:
                found.client.get("/feed").raise_for_status()
                harvest = harvester(found)
                harvest.harvest()
                assert_replicated(store, harvest, found.iris)
                first_changes(found)
                harvest.harvest(start=harvest.last_page)
                assert_replicated(store, harvest, found.iris)
                second_changes(found)
                harvest.harvest(start=harvest.last_page)
                assert_replicated(store, harvest, found.iris)
        finally:
            store.close()
