"""The store contract is asked, not type-tested (issue 23, item 4): no module outside
``sherloc_kg/store/`` tests a store's or a server's class, every backend states the capabilities the
callers ask (``location``, ``on_disk``; a :class:`LocalStore` its private graphs and ``optimize``),
and what differs between servers is the server's to say."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from pathlib import Path
from typing import get_args, get_type_hints

import httpx
import pytest
from rdflib import Literal, URIRef

import sherloc_kg.store as store_package
from sherloc_kg.store import LocalStore, Store, local_store
from sherloc_kg.store import contract, embedded, local_copy, remote, remote_client, remote_writes, writes
from sherloc_kg.store.contract import RecordWrite, Triple
from sherloc_kg.store.embedded import EmbeddedStore, ReadOnlyStore
from sherloc_kg.store.remote import RemoteStore
from sherloc_kg.store.servers import OxigraphServer, Server, VirtuosoServer

ROOT = Path(__file__).resolve().parent.parent
STORE_PACKAGE = Path(store_package.__file__).resolve().parent
#: The store's callers: the package and the folders installed as its subpackages (pyproject.toml's
#: package-dir), and the benchmarks. Not the tests, whose business includes a backend's class.
SOURCES = ("sherloc_kg", "api", "loaders", "benchmarks")
TYPE_TESTS = ("isinstance", "issubclass")


def _backend_classes() -> set[str]:
    """The names of the store package's stores (classes with every verb of the contract) and
    servers (``Server`` and its subclasses)."""
    verbs = {name for name, _ in inspect.getmembers(Store, inspect.isfunction) if not name.startswith("_")}
    found = set()
    for info in pkgutil.iter_modules(store_package.__path__, store_package.__name__ + "."):
        module = importlib.import_module(info.name)
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ != module.__name__ or cls in (Store, LocalStore):
                continue
            if issubclass(cls, Server) or verbs <= set(dir(cls)):
                found.add(name)
    return found


def _named(node: ast.expr) -> list[str]:
    """The class names an isinstance's second argument names: ``C``, ``module.C``, a tuple."""
    if isinstance(node, ast.Tuple):
        return [name for element in node.elts for name in _named(element)]
    if isinstance(node, ast.Name):
        return [node.id]
    if isinstance(node, ast.Attribute):
        return [node.attr]
    return []


def type_tests(source: str, classes: set[str]) -> list[tuple[int, str]]:
    """(line, class) of every ``isinstance``/``issubclass`` against one of ``classes``, and every
    ``type(x) is C`` / ``type(x) == C``, in ``source``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in TYPE_TESTS \
                and len(node.args) == 2:
            found += [(node.lineno, name) for name in _named(node.args[1]) if name in classes]
        if isinstance(node, ast.Compare) and isinstance(node.left, ast.Call) \
                and isinstance(node.left.func, ast.Name) and node.left.func.id == "type":
            found += [(node.lineno, name) for other in node.comparators for name in _named(other) if name in classes]
    return sorted(found)


def test_the_backend_classes_are_found() -> None:
    assert _backend_classes() >= {"EmbeddedStore", "ReadOnlyStore", "RemoteStore", "Server", "OxigraphServer",
                                  "VirtuosoServer"}
    assert not _backend_classes() & {"Dataset", "SelectResult", "RecordWrite", "RdfDocument"}


def test_the_finder_sees_each_form_of_type_test() -> None:
    """The check below can fail: each way of testing a class is found, asking the contract is not."""
    classes = {"EmbeddedStore", "VirtuosoServer", "RemoteStore"}
    source = '''
if isinstance(store, EmbeddedStore) and store.location != "memory": pass
auth = DIGEST if isinstance(self.server, servers.VirtuosoServer) else BASIC
remote = isinstance(store, (int, RemoteStore))
same = type(store) is EmbeddedStore
if local_store(store) is not None and isinstance(value, str): pass
'''
    assert type_tests(source, classes) == [(2, "EmbeddedStore"), (3, "VirtuosoServer"), (4, "RemoteStore"),
                                           (5, "EmbeddedStore")]


def test_no_module_outside_the_store_package_tests_a_store_or_server_class() -> None:
    classes = _backend_classes()
    offenders = []
    for folder in SOURCES:
        for path in sorted((ROOT / folder).rglob("*.py")):
            if path.resolve().is_relative_to(STORE_PACKAGE):
                continue
            for line, name in type_tests(path.read_text(encoding="utf-8"), classes):
                offenders.append(f"{path.relative_to(ROOT)}:{line}: tests for {name}")
    assert not offenders, "ask the store contract (store.local_store, Server attributes) instead:\n" + \
        "\n".join(offenders)


#: The remote backend, in the modules it is split into (reads, writes, the connection, the local copy).
REMOTE_MODULES = (remote, remote_writes, remote_client, local_copy)


@pytest.mark.parametrize("module", REMOTE_MODULES, ids=lambda module: module.__name__)
def test_remote_asks_its_server_and_never_names_a_product(module) -> None:
    """remote.py's rule (its docstring): server differences live in servers.py."""
    source = inspect.getsource(module)
    names = {node.id for node in ast.walk(ast.parse(source)) if isinstance(node, ast.Name)}
    assert not names & {"VirtuosoServer", "OxigraphServer"}


def test_the_backends_share_their_write_operations() -> None:
    """Both write with writes.py's public operations, never the other backend's. The remote store
    uses one thing of the embedded one, its public class, as the engine that answers what its
    server is not trusted with (``store.local_copy``); the embedded store nothing of remote."""
    for backend in ((embedded,), REMOTE_MODULES):
        trees = [ast.parse(inspect.getsource(module)) for module in backend]
        imports = [node for tree in trees for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
        assert "writes" in {node.module for node in imports}
        from_backends = {(node.module, alias.name) for node in imports
                         if node.module in ("embedded", "remote") for alias in node.names}
        assert from_backends == ({("embedded", "EmbeddedStore")} if backend is REMOTE_MODULES else set()), \
            backend[0].__name__


def test_an_embedded_store_says_whether_it_is_local(tmp_path: Path) -> None:
    in_memory = EmbeddedStore(None)
    assert in_memory.location == "memory" and not in_memory.on_disk and local_store(in_memory) is None
    in_memory.close()
    on_disk = EmbeddedStore(tmp_path / "store", private_graphs=["urn:private"])
    try:
        local = local_store(on_disk)
        assert local is on_disk and local.location == str(tmp_path / "store")
        assert local.private_graphs == frozenset({"urn:private"})
    finally:
        on_disk.close()


def test_a_read_only_store_is_a_local_store_built_by_its_own_constructor(tmp_path: Path) -> None:
    location = tmp_path / "store"
    writer = EmbeddedStore(location, private_graphs=["urn:private"])
    writer.write([RecordWrite("urn:public", ["urn:a"],
                              [(URIRef("urn:a"), URIRef("urn:p"), Literal("x"))])])
    writer.close()  # flushed: no background compaction under the read-only open
    reader = ReadOnlyStore(str(location), frozenset({"urn:private"}))
    assert local_store(reader) is reader
    assert (reader.location, reader.private_graphs) == (str(location), frozenset({"urn:private"}))
    assert reader.graphs() == ["urn:public"] and reader.count("urn:public") == 1
    assert reader._uses_mirror(contract.Dataset(default=["urn:public"], named=["urn:public"]))


def test_a_read_only_open_of_no_store_is_a_store_error(tmp_path: Path) -> None:
    from sherloc_kg.errors import StoreError

    with pytest.raises(StoreError, match="to read"):
        ReadOnlyStore(str(tmp_path / "missing" / "nested"))


def test_a_remote_store_is_never_local() -> None:
    assert RemoteStore.on_disk is False


def test_each_store_says_which_queries_it_refuses_and_which_its_server_is_not_trusted_with() -> None:
    """Known before running it, so that a page names what it cannot show instead of linking to a 503."""
    from sherloc_kg.config import Settings
    from sherloc_kg.queries import QueryLibrary
    library = QueryLibrary(ROOT / "sparql")
    gap_matrix, cases = library.get("gap-matrix").text, library.get("cases-by-country").text
    virtuoso = RemoteStore(Settings(store="http://127.0.0.1:1/sparql"), server=VirtuosoServer())
    oxigraph = RemoteStore(Settings(store="http://127.0.0.1:1/query"), server=OxigraphServer())
    # not sent to Virtuoso, but answered (over a copy: tests/test_store.py), so not refused
    distrust = virtuoso.server.distrusts(gap_matrix)
    assert distrust and distrust.startswith("the named query 'gap-matrix' does not run on Virtuoso:")
    assert virtuoso.server.distrusts(cases) is None and oxigraph.server.distrusts(gap_matrix) is None
    assert virtuoso.refusal(gap_matrix) is None and virtuoso.refusal(cases) is None
    embedded_store = EmbeddedStore(None)
    assert embedded_store.refusal(gap_matrix) is None
    # Virtuoso asks the other endpoint about this store's graphs: a federated query is refused there
    federated = "SELECT * WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }"
    refusal = virtuoso.refusal(federated)
    assert refusal and refusal.startswith("SERVICE does not run on Virtuoso:")
    assert virtuoso.refusal('SELECT * WHERE { ?s ?p "SERVICE" }') is None  # a word in a string is no keyword
    assert oxigraph.refusal(federated) is None and embedded_store.refusal(federated) is None
    embedded_store.close()


@pytest.mark.parametrize(("server", "scheme", "auth", "named"), [
    (Server(), "basic", httpx.BasicAuth, {"graph": "urn:g"}),
    (OxigraphServer(), "basic", httpx.BasicAuth, {"graph": "urn:g"}),
    (VirtuosoServer(), "digest", httpx.DigestAuth, {"graph-uri": "urn:g"}),
])
def test_each_server_states_its_auth_scheme_and_graph_parameters(server: Server, scheme: str, auth: type,
                                                                   named: dict[str, str]) -> None:
    assert server.auth_scheme == scheme
    assert isinstance(server.auth("user", "secret"), auth) and server.auth(None, None) is None
    assert server.gsp_graph("urn:g") == named and server.gsp_graph(None) == {"default": ""}


def test_remote_can_send_every_auth_scheme_a_server_may_state() -> None:
    assert set(remote_client._WRAPPER_AUTH) == set(get_args(get_type_hints(Server)["auth_scheme"]))


def test_record_operations_chunk_as_asked() -> None:
    triples: list[Triple] = [(URIRef(f"urn:s{i}"), URIRef("urn:p"), Literal(i)) for i in range(5)]
    write = RecordWrite("urn:g", [f"urn:r{i}" for i in range(3)], triples)
    whole = writes.record_operations([write], ["urn:old"], insert_chunk=None)
    assert whole[0] == "DROP SILENT GRAPH <urn:old>" and len(whole) == 1 + 2 + 1
    chunked = writes.record_operations([write], [], {"urn:g": "urn:staging"}, values_limit=2, insert_chunk=2)
    assert len(chunked) == 2 * 2 + 3 and all("<urn:staging>" in op and "<urn:g>" not in op for op in chunked)
