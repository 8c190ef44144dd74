"""Bounded query work: the limits a query runs under, the errors that say one was reached, and the
one function that runs a query and serializes its answer without ever passing a cap.

A cap is enforced while the answer is written, not after: the serializer writes into a
:class:`CappedOutput` that counts bytes (and, for SELECT, rows) and stops the work at the first
byte past a limit, so a query with a huge answer costs no more than the cap. A result over a cap
is refused with an error naming the limit, never cut short: SPARQL clients (SPARQLWrapper,
rdflib, Jena, browsers) ignore unknown response headers, so a truncated 200 would be silent to
them, while an error reaches every one of them with its message.

SELECT rows are counted on the engine's own TSV, where one line is one row (TSV escapes newlines
inside terms), CONSTRUCT triples on its N-Triples; for another format that text is parsed back and
written again by the engine, which keeps every term as it was (blank node labels included).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO, cast

import pyoxigraph as ox

from .errors import ResultTooLarge, UsageError
from .store import Dataset, Store


@dataclass(frozen=True)
class Caps:
    """What one query may return; ``None`` is no cap (admin tokens)."""

    rows: int | None = None
    bytes: int | None = None


_ADVICE = ("ask for less (add LIMIT, page with OFFSET, select fewer variables) or take the whole "
           "dataset from /dataset/dump.nq.gz")


class _CapReached(Exception):
    """Raised from inside the engine's serializer; turned into ResultTooLarge outside it."""


class CappedOutput(io.RawIOBase):
    """A binary sink that refuses the first byte past ``caps.bytes`` and, when ``count_lines``,
    the line past ``caps.rows`` (plus ``header_lines``)."""

    def __init__(self, caps: Caps, *, count_lines: bool = False, header_lines: int = 0,
                 what: str = "rows", named_bytes: int | None = None) -> None:
        super().__init__()
        self.what = what
        self.named_bytes = named_bytes or caps.bytes  # the cap the refusal names
        self.caps = caps
        self.count_lines = count_lines and caps.rows is not None
        self.header_lines = header_lines
        self.lines = 0
        self.chunks: list[bytes] = []
        self.size = 0
        self.reached: ResultTooLarge | None = None

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        chunk = bytes(data)
        self.size += len(chunk)
        if self.caps.bytes is not None and self.size > self.caps.bytes:
            self.reached = ResultTooLarge(f"the answer is larger than {self.named_bytes} bytes, this endpoint's "
                                          f"limit (SHERLOC_QUERY_MAX_BYTES): {_ADVICE}", f"bytes={self.named_bytes}")
            raise _CapReached
        rows = self.caps.rows
        if self.count_lines and rows is not None:  # count_lines: only with a row cap
            self.lines += chunk.count(b"\n")
            if self.lines - self.header_lines > rows:
                self.reached = _too_many(self.what, rows)
                raise _CapReached
        self.chunks.append(chunk)
        return len(chunk)

    def getvalue(self) -> bytes:
        return b"".join(self.chunks)


def _too_many(what: str, cap: int) -> ResultTooLarge:
    return ResultTooLarge(f"the answer has more than {cap} {what}, this endpoint's limit "
                          f"(SHERLOC_QUERY_MAX_ROWS): {_ADVICE}", f"{what}={cap}")


_TSV, _NTRIPLES = "text/tab-separated-values", "application/n-triples"


def _filled(output: CappedOutput, write: Callable[[BinaryIO], object]) -> bytes:
    """What ``write`` wrote into ``output``; ResultTooLarge if it went past a cap.

    The refusal is raised outside the ``except`` block on purpose: the exception caught there
    holds the frames of the serializer, and with them the engine's result iterator, which must be
    dropped on this thread (pyoxigraph's iterators are unsendable), not wherever the refusal ends."""
    try:
        # A binary sink: the engine's serializers and the store contract only call its write().
        write(cast(BinaryIO, output))
    except Exception:  # the engine may wrap what the sink raised
        if output.reached is None:
            raise
    if output.reached is not None:
        raise output.reached
    return output.getvalue()


def _written(store: Store, sparql: str, media_type: str, dataset: Dataset | None, output: CappedOutput) -> bytes:
    return _filled(output, lambda sink: store.query_serialized(sparql, sink, media_type=media_type, dataset=dataset))


def answer_capped(store: Store, sparql: str, *, form: str, media_type: str, dataset: Dataset | None,
                  caps: Caps) -> bytes:
    """The answer to ``sparql`` in ``media_type``, within ``caps``; raises ResultTooLarge at the
    first row, triple or byte past a cap, which also stops the query's work.

    Rows and triples are counted where one line is one of them: the engine's TSV for SELECT, its
    N-Triples for CONSTRUCT and DESCRIBE. For another format that text is parsed back and written
    again by the engine. Any backend of the store contract works (embedded or remote)."""
    if caps.rows is None or form == "ASK":
        return _written(store, sparql, media_type, dataset, CappedOutput(caps))
    lines_format = _NTRIPLES if form in ("CONSTRUCT", "DESCRIBE") else _TSV
    # The line-per-row text is bounded too (twice the byte cap: it may be more verbose than the answer).
    lines_caps = Caps(rows=caps.rows, bytes=caps.bytes if media_type == lines_format or caps.bytes is None
                      else 2 * caps.bytes)
    what = "triples" if lines_format == _NTRIPLES else "rows"
    lines = CappedOutput(lines_caps, count_lines=True, header_lines=0 if what == "triples" else 1, what=what,
                         named_bytes=caps.bytes)
    text = _written(store, sparql, lines_format, dataset, lines)
    if media_type == lines_format:
        return text
    output = CappedOutput(Caps(bytes=caps.bytes))
    if what == "triples":
        rdf_format = ox.RdfFormat.from_media_type(media_type)
        if rdf_format is None:
            raise UsageError(f"no serialiser for {media_type} for this kind of query")
        return _filled(output, lambda sink: ox.serialize(ox.parse(text, ox.RdfFormat.N_TRIPLES), sink, rdf_format))
    results_format = ox.QueryResultsFormat.from_media_type(media_type)
    if results_format is None:
        raise UsageError(f"no serialiser for {media_type} for this kind of query")
    return _filled(output, lambda sink: ox.parse_query_results(text, ox.QueryResultsFormat.TSV)
                   .serialize(sink, results_format))
