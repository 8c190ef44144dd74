"""The store contract: the few verbs every backend offers, and the transaction each one promises.

Terms crossing the contract are rdflib terms, so no backend's own types leak to callers.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import BinaryIO, Protocol, cast

from rdflib import BNode, Literal, URIRef

from ..errors import SourceError, UsageError

TermValue = URIRef | Literal | BNode

#: Graphs a write uses for its own work (the remote backend's staging, the inference rules' scratch
#: graph): ``{prefix}{uuid}:{name}``, gone when the write is done, hidden from callers meanwhile.
STAGING_PREFIX = "urn:sherloc:staging:"
Triple = tuple[TermValue, URIRef, TermValue]


@dataclass(frozen=True)
class Dataset:
    """The RDF dataset a query runs over: the graphs merged into its default graph and the graphs
    ``GRAPH`` may name. ``None`` for ``default`` means the union of every graph in the store."""

    default: Sequence[str] | None = None
    named: Sequence[str] | None = None


@dataclass(frozen=True)
class SelectResult:
    variables: list[str]
    rows: list[dict[str, TermValue]]


@dataclass
class RecordWrite:
    """What one load writes to one named graph: the records it replaces and their new triples.

    ``records`` are record IRIs: every triple of the graph whose subject is a record, or a resource
    below a record IRI that the record links to (``{case}/defendant/1``), is deleted before
    ``triples`` are inserted."""

    graph: str
    records: list[str] = field(default_factory=list)
    triples: list[Triple] = field(default_factory=list)


def check_write(before: Sequence[str], replace_graphs: Sequence[str]) -> None:
    """Refuse a write with both ``before`` and ``replace_graphs`` (see ``Store.write``)."""
    if before and replace_graphs:
        raise UsageError("a write replacing whole graphs runs no operation before its records")


@dataclass(frozen=True)
class RdfDocument:
    """An RDF document to write into one graph (``Store.load_graph``): its bytes as received, its
    media type, the IRI its relative IRIs resolve against, and a name for error messages."""

    data: bytes
    media_type: str
    base_iri: str | None = None
    name: str = "request body"


class UnparsableDocument(SourceError):
    """An RDF document that does not parse; its location names the line (HTTP 400)."""

    http_status = 400


class Store(Protocol):
    """A quad store. Writes are transactions: each call commits whole or not at all.

    Callers ask a store what it can do through these attributes, never what class it is (a test,
    tests/test_store_contract.py, holds every module outside this package to that)."""

    #: Where the store is, for messages and settings: a directory, ``memory``, or an endpoint URL.
    location: str

    @property
    def on_disk(self) -> bool:
        """Whether the store is a :class:`LocalStore` in a directory on this machine, which other
        processes may open (read-only) and which can be compacted; see :func:`local_store`."""
        ...

    @property
    def groups_unions(self) -> bool:
        """Whether its engine answers a query that groups a UNION of branches (each with filters of
        its own) as SPARQL says. Where it does not (Virtuoso 7.2: rows of some branches left out,
        or the query refused), a caller runs one grouped query per branch instead."""
        ...

    def refusal(self, sparql: str) -> str | None:
        """Why the store refuses a query its server would answer wrongly and nothing else answers
        (SERVICE on Virtuoso; store/servers.py), else None: what ``select`` would raise, known
        before running it. A named query whose header says its server answers it wrongly (``#
        not-on: SERVER -- NAME: why``) is no refusal: the remote store answers it another way."""
        ...

    def select(self, sparql: str, *, bindings: Mapping[str, TermValue] | None = None,
               dataset: Dataset | None = None) -> SelectResult: ...

    def ask(self, sparql: str, *, bindings: Mapping[str, TermValue] | None = None,
            dataset: Dataset | None = None) -> bool: ...

    def query_serialized(self, sparql: str, output: BinaryIO, *, media_type: str,
                         bindings: Mapping[str, TermValue] | None = None,
                         dataset: Dataset | None = None) -> None:
        """Run a query and write its results through the engine's own serialiser.
        ``media_type`` picks the format (SPARQL JSON/XML/CSV/TSV, or an RDF syntax)."""
        ...

    def update(self, sparql: str) -> None:
        """Run a SPARQL 1.1 Update request as one transaction."""
        ...

    def write(self, writes: Sequence[RecordWrite], *, replace_graphs: Iterable[str] = (),
              before: Sequence[str] = (), then: Sequence[str] = ()) -> None:
        """In ONE transaction: run the SPARQL updates in ``before``, clear ``replace_graphs``,
        replace the records of each write, insert its triples, then run the SPARQL updates in
        ``then`` (``before`` and ``then``: the inference rules, sherloc_kg/inference.py). A write
        has ``before`` or ``replace_graphs``, not both (UsageError): a staged backend would let
        ``before`` see the replaced graphs already empty."""
        ...

    def restore(self, source: BinaryIO, *, media_type: str) -> None:
        """Add a dump (N-Quads or TriG) in one transaction."""
        ...

    def dump(self, output: BinaryIO, *, media_type: str, graphs: Sequence[str] | None = None) -> None: ...

    def dump_chunks(self, graphs: Sequence[str], *, chunk_size: int = 10_000) -> Iterator[bytes]:
        """The quads of ``graphs`` as N-Quads, yielded in pieces of at most ``chunk_size`` quads,
        read from one snapshot, so that a dump can be streamed without holding it in memory."""
        ...

    def count(self, graph: str | None = None) -> int: ...

    def graph_exists(self, graph: str | None) -> bool:
        """Whether ``graph`` holds at least one triple. ``None`` is the store's own default graph
        (not the union): SHERLOC's data live in named graphs and never write it."""
        ...

    def read_graph(self, graph: str | None, output: BinaryIO, *, media_type: str) -> None:
        """Write the triples of one graph (``None``: the store's own default graph) through the
        engine's serialiser, in a syntax for one graph (Turtle, N-Triples, RDF/XML, JSON-LD)."""
        ...

    def load_graph(self, graph: str | None, documents: Sequence[RdfDocument], *,
                   replace: bool = False) -> int:
        """In ONE transaction: clear ``graph`` if ``replace``, then add the triples of every
        document (``None``: the store's own default graph). Blank nodes stay blank, fresh per
        document. Every document is parsed before anything is written: one that does not parse
        raises UnparsableDocument (naming its line), one that names graphs (TriG, N-Quads) raises
        UsageError, and the store is left as it was. Returns the number of triples parsed."""
        ...

    def graphs(self) -> list[str]: ...

    def close(self) -> None: ...


class LocalStore(Store, Protocol):
    """A store held by this process in a directory on this machine (``location``): the embedded
    store on disk. Its query workers open the same directory read-only (sherloc_kg/query_worker.py)
    and need its private graphs to keep the public mirror to the public's queries."""

    #: The graphs the public may not read, and every graph below one (``{private}/...``): which
    #: they are, access.py says (``mirror_private_graphs``); the store only keeps them out of its mirror.
    private_graphs: frozenset[str]

    def optimize(self) -> None:
        """Compact the store's files (and its public mirror's)."""
        ...


def local_store(store: Store) -> LocalStore | None:
    """``store`` as a :class:`LocalStore` if it is one (``on_disk``), else None: what a caller asks
    instead of testing the store's class. A wrapper that forwards attributes to a local store but
    runs queries itself (a recorder, a counter) says ``on_disk = False``: its queries must go
    through it, in its process."""
    return cast(LocalStore, store) if store.on_disk else None
