"""The remote backend: any SPARQL 1.1 server, spoken to through the standard protocols only.

- Queries: the SPARQL 1.1 Protocol, through SPARQLWrapper (POST, form-encoded). The dataset goes
  as ``default-graph-uri`` / ``named-graph-uri`` (or the server's union-default-graph switch), and
  any ``FROM`` / ``FROM NAMED`` of the query text is removed first, so the caller's dataset is the
  one the query sees on every server (SPARQL 1.1 Protocol, 2.1.4). Results are requested in the
  caller's media type and streamed through as the server wrote them, unless the server's own
  serialisers are not the standard's (Virtuoso): then they are read in a standard format and
  re-serialised by the engine's serialiser (pyoxigraph). ``bindings`` become a ``VALUES`` block
  at the start of the query's outer ``WHERE`` group. A named query the server is not trusted
  with (``Server.distrusts``: its header says the server answers it wrongly) is never sent: the
  graphs the caller may read are copied into an in-memory embedded store, whose engine answers it
  (at most ``SHERLOC_LOCAL_COPY_LIMIT`` quads; over it, refused saying so): :mod:`.local_copy`.
- Updates: SPARQL 1.1 Update over HTTP (httpx).
- Bulk graph writes: the Graph Store HTTP Protocol (httpx, the body streamed).

This module holds the store's reads; its writes, and what each server guarantees of them (each
commits whole or not at all), are :mod:`.remote_writes`'; the requests themselves, their timeouts,
retries and refusals, :mod:`.remote_client`'s. Per-server differences live in :mod:`.servers`;
these modules ask, never test for a product. Reads are each one request: one snapshot on Oxigraph,
whatever Virtuoso's isolation (read committed) gives.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator, Mapping, Sequence
from typing import BinaryIO

import pyoxigraph as ox

from .. import sparql_text
from ..config import Settings
from ..errors import StoreError, UsageError
from .bindings import with_bindings
from .contract import Dataset, SelectResult, TermValue
from .local_copy import local_copy
from .remote_client import Params
from .remote_writes import RemoteWrites
from .servers import N_TRIPLES, Server

#: A graph no one writes: names an empty dataset where the Protocol has no other way to say so.
EMPTY_GRAPH = "urn:sherloc:empty"


def without_dataset_clauses(text: str) -> str:
    """``text`` without its ``FROM`` / ``FROM NAMED`` clauses: the protocol's dataset replaces them."""
    items = sparql_text.tokens(text)
    cuts: list[tuple[int, int]] = []
    index = 0
    while index < len(items):
        token = items[index]
        if token.depth == 0 and token.is_word("FROM"):
            end = index + 1
            if end < len(items) and items[end].is_word("NAMED"):
                end += 1
            if end < len(items):
                cuts.append((token.start, items[end].end))
            index = end + 1
            continue
        index += 1
    for start, end in reversed(cuts):
        # blanked out, line breaks kept: a server's "error at line:column" still points into the
        # text the caller wrote
        text = text[:start] + "".join(c if c in "\r\n" else " " for c in text[start:end]) + text[end:]
    return text


def has_dataset_clauses(text: str) -> bool:
    return any(t.depth == 0 and t.is_word("FROM") for t in sparql_text.tokens(text))


def _n_quads(quads: list[ox.Quad]) -> bytes:
    data = ox.serialize(quads, format=ox.RdfFormat.N_QUADS)
    assert data is not None  # bytes when no output is given (the stub's type is bytes | None)
    return data


class RemoteStore(RemoteWrites):
    """A store held by a SPARQL server (``SHERLOC_STORE=URL``): the contract's reads here, its writes
    from :class:`.remote_writes.RemoteWrites`, the connection from :class:`.remote_client.RemoteClient`."""

    #: Not a LocalStore (store.contract): the server holds the data, and its own limits stop queries.
    on_disk = False

    @property
    def groups_unions(self) -> bool:
        return self.server.groups_unions

    def refusal(self, sparql: str) -> str | None:
        return self.server.refusal(sparql)

    def __init__(self, settings: Settings, *, server: Server | None = None) -> None:
        self.location = settings.store
        #: Most quads copied into this process to answer a named query the server is not trusted
        #: with (SHERLOC_LOCAL_COPY_LIMIT).
        self.local_copy_limit: int = settings.local_copy_limit
        super().__init__(settings, server=server)

    # -- the dataset, as the protocol's parameters ---------------------------------------------
    def _dataset_params(self, text: str, dataset: Dataset | None) -> tuple[str, Params]:
        if dataset is None or (dataset.default is None and dataset.named is None):
            if has_dataset_clauses(text):
                return text, []  # the query names its graphs; the store's whole content is allowed
            if self.server.union_parameters:
                return text, list(self.server.union_parameters.items())
            dataset = Dataset(default=None, named=None)
        everything: list[str] | None = None

        def listed(graphs: Sequence[str] | None, kind: str) -> Params:
            nonlocal everything
            if graphs is None:
                everything = self.graphs() if everything is None else everything
                graphs = everything
            return [(kind, g) for g in (graphs or [EMPTY_GRAPH])]

        params = listed(dataset.default, "default-graph-uri") + listed(dataset.named, "named-graph-uri")
        return without_dataset_clauses(text), params

    # -- reading ------------------------------------------------------------------------------
    def select(self, sparql: str, *, bindings: Mapping[str, TermValue] | None = None,
               dataset: Dataset | None = None) -> SelectResult:
        with local_copy(self, sparql, dataset) as local:
            if local is not None:
                return local.select(sparql, bindings=bindings, dataset=dataset)
        text, params = self._dataset_params(with_bindings(sparql, bindings), dataset)
        return self._select_rows(text, params)

    def ask(self, sparql: str, *, bindings: Mapping[str, TermValue] | None = None,
            dataset: Dataset | None = None) -> bool:
        with local_copy(self, sparql, dataset) as local:
            if local is not None:
                return local.ask(sparql, bindings=bindings, dataset=dataset)
        text, params = self._dataset_params(with_bindings(sparql, bindings), dataset)
        results = self._results(text, params, ox.QueryResultsFormat.XML)
        if not isinstance(results, ox.QueryBoolean):
            raise UsageError("expected an ASK query")
        return bool(results)

    def query_serialized(self, sparql: str, output: BinaryIO, *, media_type: str,
                         bindings: Mapping[str, TermValue] | None = None,
                         dataset: Dataset | None = None) -> None:
        with local_copy(self, sparql, dataset) as local:
            if local is not None:
                local.query_serialized(sparql, output, media_type=media_type, bindings=bindings, dataset=dataset)
                return
        text, params = self._dataset_params(with_bindings(sparql, bindings), dataset)
        self._serialize(text, params, output, media_type, patient=False)

    def _serialize(self, text: str, params: Params, output: BinaryIO, media_type: str, *,
                   patient: bool = True) -> None:
        graph_result = sparql_text.query_form(text) in ("CONSTRUCT", "DESCRIBE")
        fmt = (ox.RdfFormat if graph_result else ox.QueryResultsFormat).from_media_type(media_type)
        if fmt is None:
            raise UsageError(f"no serialiser for {media_type} for this kind of query")
        if self.server.faithful_results:
            response = self._request(text, fmt.media_type, params, patient=patient)
            with self._reading(response, patient=patient):
                shutil.copyfileobj(response, output)
            return
        if graph_result:
            assert isinstance(fmt, ox.RdfFormat)  # from RdfFormat, for a graph result
            response = self._request(text, N_TRIPLES, params, patient=patient)
            with self._reading(response, patient=patient):
                try:
                    ox.serialize(ox.parse(response, ox.RdfFormat.N_TRIPLES), output, fmt)
                except SyntaxError as error:
                    raise StoreError(f"{self._who(self.query_url)} sent N-Triples that do not parse: {error}") from error
            return
        self._results(text, params, ox.QueryResultsFormat.XML, patient=patient).serialize(output, fmt)

    def dump(self, output: BinaryIO, *, media_type: str, graphs: Sequence[str] | None = None) -> None:
        fmt = ox.RdfFormat.from_media_type(media_type)
        if fmt is None:
            raise UsageError(f"no RDF serialiser for {media_type}")
        if not fmt.supports_datasets:
            if graphs is None or len(graphs) != 1:
                raise UsageError(f"{fmt.name} holds one graph: name exactly one graph, or use TriG or N-Quads")
            self.read_graph(graphs[0], output, media_type=media_type)
            return
        names = self.graphs() if graphs is None else list(graphs)
        if fmt == ox.RdfFormat.N_QUADS:
            for chunk in self.dump_chunks(names):
                output.write(chunk)
            return
        quads = (q for chunk in self.dump_chunks(names) for q in ox.parse(chunk, ox.RdfFormat.N_QUADS))
        ox.serialize(quads, output, fmt)

    def dump_chunks(self, graphs: Sequence[str], *, chunk_size: int = 10_000) -> Iterator[bytes]:
        """N-Quads of ``graphs`` in pieces, from ONE query (one snapshot where the server gives
        one), its results parsed as they stream in."""
        if not graphs:
            return
        params = [("default-graph-uri", EMPTY_GRAPH)] + [("named-graph-uri", g) for g in graphs]
        fmt = self._rows_format()
        response = self._request("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }", fmt.media_type, params)
        with self._reading(response):
            try:
                solutions = ox.parse_query_results(response, fmt)
                if not isinstance(solutions, ox.QuerySolutions):
                    raise StoreError(f"{self._who(self.query_url)} answered the dump's SELECT with a boolean")
                chunk: list[ox.Quad] = []
                for row in solutions:
                    chunk.append(ox.Quad(row["s"], row["p"], row["o"], row["g"]))
                    if len(chunk) >= chunk_size:
                        yield _n_quads(chunk)
                        chunk = []
                if chunk:
                    yield _n_quads(chunk)
            except (SyntaxError, ValueError) as error:
                raise StoreError(f"{self._who(self.query_url)} sent a dump that does not parse: {error}") from error

    def count(self, graph: str | None = None) -> int:
        if graph is not None:
            rows = self._select_rows(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}", []).rows
            return int(rows[0]["n"]) if rows else 0
        return sum(self.graph_sizes().values()) + (self._count_default() if self.server.has_default_graph else 0)

    def graph_sizes(self) -> dict[str, int]:
        """The triples of each named graph (the staging graphs and the server's own left out)."""
        rows = self._select_rows("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g", []).rows
        return {str(r["g"]): int(r["n"]) for r in rows if "g" in r and not self.server.is_own_graph(str(r["g"]))}

    def _count_default(self) -> int:
        rows = self._select_rows("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", []).rows
        return int(rows[0]["n"]) if rows else 0

    def graph_exists(self, graph: str | None) -> bool:
        if graph is None:
            return self.server.has_default_graph and self._count_default() > 0
        results = self._results(f"ASK {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}", [], ox.QueryResultsFormat.XML)
        return bool(results)

    def read_graph(self, graph: str | None, output: BinaryIO, *, media_type: str) -> None:
        if ox.RdfFormat.from_media_type(media_type) is None:
            raise UsageError(f"no RDF serialiser for {media_type}")
        if graph is None:
            pattern = "{ ?s ?p ?o }" if self.server.has_default_graph else "{ FILTER(false) }"
        else:
            pattern = f"{{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
        self._serialize(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {pattern}", [], output, media_type)

    def graphs(self) -> list[str]:
        # GROUP BY, not DISTINCT: Virtuoso 7 answers this form from its graph index at once, and
        # the DISTINCT form by a scan (7 s instead of 2 ms over 28,000 quads)
        rows = self._select_rows("SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g", []).rows
        return sorted(str(r["g"]) for r in rows if "g" in r and not self.server.is_own_graph(str(r["g"])))

    def __enter__(self) -> "RemoteStore":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
