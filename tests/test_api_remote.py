"""The API test suite again, on a remote store: every test of the SPARQL endpoint, Linked Data,
the resource's JSON and documents (test_resource_data: its inferred marks, its list resources),
search, dataset and SPARQL client modules, and of the explorer's pages (``test_explorer_*``,
except the chart drawing, which reads no store, and the review upload, which serves its own
store; and ``test_dataset_page``, ``/dataset`` for a browser), unchanged, against an application
whose store is a ``RemoteStore`` on a real ``oxigraph serve`` and a real Virtuoso 7
(tests/backends.py).

The test functions and the fixtures that serve an application are those of the API modules,
imported as they are; only the stores underneath are swapped:

- ``loaded_store`` (reference graphs and the bundled cases): the embedded ``loaded_store``'s
  N-Quads dump, ``restore``\\ d into the server;
- ``example_store`` (reference graphs with the fictional States, and every example, whose CNA
  contact details sit in the restricted graph): loaded through the normal pipeline
  (``install_reference``, ``load_examples``) into the server, as the CLI does;
- ``site_store`` (the SPARQL endpoint's secrets in the restricted graphs): filled through
  ``restore`` and ``load_graph`` as the endpoint module fills its embedded one;
- ``empty_store``: an emptied server, for the tests that write;
- ``explorer_store`` and ``explorer`` (what the explorer shows, and the application serving it):
  loaded into the server as tests/conftest.py loads the embedded one (reference graphs with the
  fictional States, the bundled data through the validated pipeline, every example).

Each dataset has its own server (one database each). The tests read their expectations from the
store they are given, the remote one; ``test_the_remote_copy_is_the_embedded_store`` and
``test_the_pipeline_writes_what_it_writes_embedded`` check that the remote stores hold what the
embedded ones hold, so that those expectations are the embedded store's too.

Both servers run every test. A query Virtuoso 7.2 cannot be trusted with is never sent to it
(store/servers.py): the named queries whose header says so are answered over a copy of what the
caller may read (``test_a_named_query_a_server_is_not_trusted_with_is_answered_all_the_same``), and
SERVICE is refused saying why (``test_a_running_query_does_not_block_other_requests`` then checks
that refusal).
"""

from __future__ import annotations

import functools
import inspect
import io
import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pyoxigraph as ox
import pytest

from sherloc_kg.config import Settings
from sherloc_kg.queries import QueryLibrary
from sherloc_kg.reference import install_reference, load_examples
from sherloc_kg.store.embedded import EmbeddedStore
from sherloc_kg.store.remote import RemoteStore
from sherloc_kg.store.servers import OxigraphServer, Server, VirtuosoServer

from sherloc_kg.api.app import create_app

from . import (test_dataset_api, test_dataset_page, test_explorer_convention, test_explorer_countries, test_explorer_home,
               test_explorer_resource, test_explorer_search, test_explorer_sparql, test_explorer_trends,
               test_linked_data, test_resource_data, test_search_api, test_sparql_clients, test_sparql_endpoint)
from .backends import REPO, empty, oxigraph_server, virtuoso_server
from .conftest import fill_explorer_store
from .servers import serving

#: The fixtures of each API module that its tests use, other than the stores swapped below.
FIXTURES = {
    test_sparql_endpoint: ["site"],
    test_linked_data: ["cases", "server", "context_document", "examples"],
    test_resource_data: [],  # served by test_linked_data's server, over the same loaded_store
    test_search_api: ["source", "client", "search_examples"],
    test_dataset_api: ["served"],
    test_sparql_clients: ["source_cases", "endpoint"],
}

for _module, _fixtures in FIXTURES.items():
    for _name, _value in vars(_module).items():
        if _name.startswith("test_") and callable(_value) or _name in _fixtures:
            assert _name not in globals(), f"{_name} of {_module.__name__} is defined twice"
            globals()[_name] = _value

#: The explorer modules (their pages over HTTP, on ``explorer`` and ``explorer_store``), and their
#: own fixtures. A fixture whose name another module's fixture already has here (``cases``,
#: ``source``) is registered under the module's name as well (``test_explorer_trends__cases``), and
#: that module's tests and fixtures ask for it by that name.
EXPLORER = {
    test_explorer_convention: [],
    test_explorer_countries: ["cases", "official"],
    test_explorer_home: [],
    test_explorer_resource: ["a_case"],  # and test_linked_data's cases, imported above
    test_explorer_search: ["source"],
    test_explorer_sparql: ["emails"],
    test_explorer_trends: ["cases", "page"],
    test_dataset_page: ["client", "page", "described", "with_tokens"],
}


def _asking_for(function, names: dict[str, str]):
    """``function`` asking pytest for its parameters renamed through ``names``."""
    signature = inspect.signature(function)
    if not names.keys() & signature.parameters.keys():
        return function
    back = {new: old for old, new in names.items()}

    if inspect.isgeneratorfunction(function):
        @functools.wraps(function)
        def renamed(*args, **kwargs):
            yield from function(*args, **{back.get(k, k): v for k, v in kwargs.items()})
    else:
        @functools.wraps(function)
        def renamed(*args, **kwargs):
            return function(*args, **{back.get(k, k): v for k, v in kwargs.items()})

    renamed.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=[p.replace(name=names.get(p.name, p.name)) for p in signature.parameters.values()])
    return renamed


for _module, _fixtures in EXPLORER.items():
    _names = {n: f"{_module.__name__.rpartition('.')[2]}__{n}" for n in _fixtures if n in globals()}
    for _name, _value in vars(_module).items():
        if _name in _fixtures:
            marker = _value._fixture_function_marker
            _value = pytest.fixture(_asking_for(_value.__wrapped__, _names), scope=marker.scope,
                                    name=_names.get(_name, _name))
            _name = _names.get(_name, _name)
        elif _name.startswith("test_") and callable(_value):
            _value = _asking_for(_value, _names)
        else:
            continue
        assert _name not in globals(), f"{_name} of {_module.__name__} is defined twice"
        globals()[_name] = _value

NQUADS = "application/n-quads"
SERVERS = {"oxigraph": oxigraph_server, "virtuoso": virtuoso_server}
#: The stores this module runs on.
REMOTES = list(SERVERS)


@pytest.fixture(scope="module", params=REMOTES)
def remote_kind(request: pytest.FixtureRequest) -> str:
    return request.param


@contextmanager
def remote(kind: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RemoteStore]:
    """A RemoteStore on a server of its own, over an empty database."""
    with SERVERS[kind](tmp_path_factory.mktemp(kind)) as server_settings:
        store = RemoteStore(server_settings)
        try:
            yield store
        finally:
            store.close()


def nquads(store) -> bytes:
    buffer = io.BytesIO()
    store.dump(buffer, media_type=NQUADS)
    return buffer.getvalue()


#: The embedded ``loaded_store``'s dump, by the server it was restored into.
EMBEDDED_DUMPS: dict[str, bytes] = {}


@pytest.fixture(scope="module")
def loaded_store(remote_kind: str, loaded_store: EmbeddedStore,
                 tmp_path_factory: pytest.TempPathFactory) -> Iterator[RemoteStore]:
    """The embedded ``loaded_store`` (reference graphs and bundled cases) restored into a server."""
    EMBEDDED_DUMPS[remote_kind] = nquads(loaded_store)
    with remote(remote_kind, tmp_path_factory) as store:
        store.restore(io.BytesIO(EMBEDDED_DUMPS[remote_kind]), media_type=NQUADS)
        yield store


@pytest.fixture(scope="module")
def example_store(remote_kind: str, settings: Settings,
                  tmp_path_factory: pytest.TempPathFactory) -> Iterator[RemoteStore]:
    """The examples, loaded into a server through the pipeline."""
    with remote(remote_kind, tmp_path_factory) as store:
        install_reference(store, settings, with_examples=True)
        load_examples(store, settings)
        yield store


@pytest.fixture(scope="module")
def site_store(remote_kind: str, reference_dump: bytes,
               tmp_path_factory: pytest.TempPathFactory) -> Iterator[RemoteStore]:
    with remote(remote_kind, tmp_path_factory) as store:
        yield test_sparql_endpoint.fill_site(store, reference_dump)


@pytest.fixture(scope="module")
def _scratch(remote_kind: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RemoteStore]:
    with remote(remote_kind, tmp_path_factory) as store:
        yield store


@pytest.fixture
def empty_store(_scratch: RemoteStore) -> RemoteStore:
    empty(_scratch)
    assert _scratch.count() == 0
    return _scratch


#: The embedded ``explorer_store``'s dump, by the server the same data was loaded into.
EXPLORER_DUMPS: dict[str, bytes] = {}


@pytest.fixture(scope="module")
def explorer_store(remote_kind: str, settings: Settings, explorer_store: EmbeddedStore,
                   tmp_path_factory: pytest.TempPathFactory) -> Iterator[RemoteStore]:
    """What the explorer shows, loaded into a server as tests/conftest.py loads the embedded
    ``explorer_store`` (reference graphs with the fictional States, the bundled data through the
    validated pipeline, every example); the embedded one is kept to compare with."""
    EXPLORER_DUMPS[remote_kind] = nquads(explorer_store)
    with remote(remote_kind, tmp_path_factory) as store:
        fill_explorer_store(store, settings)
        yield store


@pytest.fixture(scope="module")
def explorer(settings: Settings, explorer_store: RemoteStore) -> Iterator[str]:
    """The application over the remote ``explorer_store``, served on a free loopback port."""
    with serving(create_app(settings, store=explorer_store)) as url:
        yield url


# -- the remote stores hold what the embedded ones hold -------------------------------------------
def _per_graph(dump: bytes) -> Counter:
    return Counter(quad.graph_name.value for quad in ox.parse(dump, ox.RdfFormat.N_QUADS))


_DATE_TIME = ox.NamedNode("http://www.w3.org/2001/XMLSchema#dateTime")


def _ground(dump: bytes) -> set[ox.Quad]:
    """The quads without a blank node (a server may rename blank nodes), their times in one form
    (Virtuoso writes six digits of a second's fraction, ``…36.521610Z``, the embedded store no
    trailing zero, ``…36.52161Z``: the same value)."""
    return {_one_form(q) for q in ox.parse(dump, ox.RdfFormat.N_QUADS)
            if not any(isinstance(t, ox.BlankNode) for t in (q.subject, q.object))}


def _one_form(quad: ox.Quad) -> ox.Quad:
    value = quad.object
    if not (isinstance(value, ox.Literal) and value.datatype == _DATE_TIME and "." in value.value):
        return quad
    whole, _, rest = value.value.partition(".")
    digits = rest.rstrip("Z").rstrip("0")
    time = ox.Literal(f"{whole}.{digits}Z" if digits else f"{whole}Z", datatype=_DATE_TIME) if rest.endswith("Z") else value
    return ox.Quad(quad.subject, quad.predicate, time, quad.graph_name)


def _same(found: Counter | set, expected: Counter | set) -> None:
    """``found == expected``, told in a few lines: pytest's own report of two unequal collections of
    tens of thousands of quads is a diff that runs for hours (it stalled CI, stop 29)."""
    if found == expected:
        return
    missing = sorted(str(q) for q in (expected - found))
    extra = sorted(str(q) for q in (found - expected))
    pytest.fail(f"{len(missing)} missing, {len(extra)} extra; first missing: {[m[:300] for m in missing[:3]]}; "
                f"first extra: {[e[:300] for e in extra[:3]]}", pytrace=False)


def test_the_remote_copy_is_the_embedded_store(loaded_store: RemoteStore, remote_kind: str) -> None:
    embedded, copied = EMBEDDED_DUMPS[remote_kind], nquads(loaded_store)
    _same(_per_graph(copied), _per_graph(embedded))
    _same(_ground(copied), _ground(embedded))


_ACTIVITY = re.compile(r"<[^>]*/id/activity/[^>]*>")
#: A version of the change feed: its IRI is its time (sherloc_kg/versions.py).
_VERSION = re.compile(r"<[^>]*/feed/version/[^>]*>")
_WHEN = re.compile(r'"[^"]*"\^\^<http://www\.w3\.org/2001/XMLSchema#dateTime>')
_BLANK = re.compile(r"_:[A-Za-z0-9]+")


def _comparable(dump: bytes) -> Counter:
    """The quads as lines, with what differs between two runs of the same loads blanked: the load
    activities' IRIs and times, the change feed's versions' IRIs (a server may also rename blank nodes)."""
    lines = [line for line in dump.decode().splitlines() if line.strip()]
    return Counter(_BLANK.sub("_:b", _WHEN.sub('"when"', _VERSION.sub("<version>", _ACTIVITY.sub("<activity>", line))))
                   for line in lines)


def test_the_explorer_data_is_what_the_embedded_explorer_shows(explorer_store: RemoteStore, remote_kind: str) -> None:
    embedded, loaded = EXPLORER_DUMPS[remote_kind], nquads(explorer_store)
    _same(_per_graph(loaded), _per_graph(embedded))
    _same(_comparable(loaded), _comparable(embedded))


def test_the_pipeline_writes_what_it_writes_embedded(example_store: RemoteStore, settings: Settings) -> None:
    embedded = nquads(test_search_api.examples_store(settings))
    loaded = nquads(example_store)
    _same(_per_graph(loaded), _per_graph(embedded))
    _same(_comparable(loaded), _comparable(embedded))


#: A call of each named query some server is not trusted with (its header: ``# not-on``).
DISTRUSTED_SOMEWHERE = {"gap-matrix": {"instrument": "tip"},
                        "implementation-profile": {"country": "CAN", "instrument": "tip"}}


def test_a_named_query_a_server_is_not_trusted_with_is_answered_all_the_same(explorer: str,
                                                                             explorer_store: RemoteStore) -> None:
    """Never a wrong answer, and no page lost: where the store's server cannot be trusted with a
    named query, the store answers it over a copy of what the caller may read (tests/test_store.py;
    tests/test_backend_answers.py compares the answers), so the API and its explorer page answer."""
    library = QueryLibrary(REPO / "sparql")
    servers = (Server(), OxigraphServer(), VirtuosoServer())
    assert {q.name for q in library.all() if any(s.distrusts(q.text) for s in servers)} == set(DISTRUSTED_SOMEWHERE)
    pages = {"gap-matrix": "/explore/gaps", "implementation-profile": "/explore/countries/CAN/implementation"}
    with httpx.Client(base_url=explorer, timeout=300) as client:
        for name, params in DISTRUSTED_SOMEWHERE.items():
            assert explorer_store.refusal(library.get(name).text) is None
            response = client.get(f"/api/queries/{name}", params=params)
            assert response.status_code == 200, response.text
            assert response.json()["results"]["bindings"], name
            page = client.get(pages[name], params={"instrument": "tip"})
            assert page.status_code == 200, page.text
