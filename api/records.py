"""Loads through the API (issue 7, item 5): ``POST /api/records/{kind}``, the file as the body.

The same pipeline as ``sherloc-kg load`` (:class:`sherloc_kg.ingest.Ingest`): the kind's loader,
the SHACL gate against the store, then one transaction with provenance and the inference rules.
Only ``editor``, ``admin`` and ``submitter`` tokens may load (the public is answered 401,
``official`` 403), and that is decided before the body is read. A submitter loads records about
its own State only (each record's ``country``, or a decision's ``jurisdiction``, is the token's
State; review answers unpublished): any other record refuses the whole load, 403, nothing written.

- The body is the file as uploaded (at most :data:`api.security.LOAD_BODY_LIMIT`, 64 MiB; a larger
  one is a 413 before anything is read). It is spooled to a private temporary directory, never
  held whole in memory, and removed afterwards.
- Its format: ``?format=`` (any format ``sherloc-kg load --format`` takes for the kind), else the
  ``Content-Type`` (:data:`MEDIA_TYPES`: ``application/x-ndjson`` JSON Lines, ``text/csv``,
  ``application/xml`` Akoma Ntoso / ECLI, ``application/x-bibtex``, ``application/x-research-info-systems``,
  ``application/vnd.citationstyles.csl+json``), else 415.
- ``?on_invalid=refuse`` (default): any violation refuses the load, nothing is written, and the
  answer is a 422 holding the report. ``skip``: the valid records are written (200), the invalid
  ones reported; if none is valid, 422 and nothing written.
- ``?filename=``: the name the report and the provenance give the file (default ``upload`` plus the
  format's suffix); only its last path segment, letters, digits and ``.-_`` are kept.
- XML: the Akoma Ntoso and ECLI loaders refuse any document that declares entities (a 422 naming
  the entity), as from the command line.
- Restricted kinds keep their rules: an authority's contact details go only to
  ``authorities-restricted``, unpublished review answers only to their State's ``review-restricted/{ISO3}``
  (and their provenance to ``provenance-restricted/{ISO3}``); the report holds counts and problems, never the data.

Loads are serialised within the process (one at a time); queries go on meanwhile and see the store
before or after the load, never part of it (one transaction; a ``kill -9`` during the load leaves
the previous state, ``tests/test_crash_recovery.py``).
"""

from __future__ import annotations

import codecs
import logging
import re
import shutil
import tempfile
import threading
from pathlib import Path
from typing import Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from rdflib import URIRef

from sherloc_kg.access import Caller, Role
from sherloc_kg.errors import Forbidden, Issue, SherlocError, UnsupportedMediaType, UsageError, ValidationFailed
from sherloc_kg.ingest import Ingest, LoadReport
from sherloc_kg.loaders import KINDS, loader_for, loaders
from sherloc_kg.namespaces import SHERLOC
from sherloc_kg.provenance import token_holder
from sherloc_kg.xml_shape import XmlShape

from .context import Context, caller, context
from .errors import json_error

#: The server's own log (``sherloc-kg serve`` shows uvicorn's at level info): loads started and ended.
log = logging.getLogger("uvicorn.error")

router = APIRouter(tags=["records"])

#: Content-Type (without parameters) -> (format, file suffix the loaders recognise).
MEDIA_TYPES: dict[str, tuple[str | None, str]] = {
    "application/x-ndjson": ("jsonl", ".jsonl"),
    "application/jsonl": ("jsonl", ".jsonl"),
    "application/jsonlines": ("jsonl", ".jsonl"),
    "application/x-jsonlines": ("jsonl", ".jsonl"),
    "application/json-lines": ("jsonl", ".jsonl"),
    "text/csv": ("csv", ".csv"),
    "application/csv": ("csv", ".csv"),
    "application/xml": (None, ".xml"),  # the loader tells Akoma Ntoso from ECLI by the root element
    "text/xml": (None, ".xml"),
    "application/akn+xml": (None, ".xml"),
    "application/x-bibtex": ("bibtex", ".bib"),
    "text/x-bibtex": ("bibtex", ".bib"),
    "application/x-research-info-systems": ("ris", ".ris"),
    "application/vnd.citationstyles.csl+json": ("csl", ".json"),
}
#: ``?format=`` -> the suffix the file is spooled under (the loader is told the format too): each
#: format of the loaders' formats tables, by every name it has.
FORMAT_SUFFIXES = {name: f.suffix for loader in loaders() for f in loader.formats for name in f.names}
#: Issues listed in an answer, at most (the counts are always complete).
MAX_ISSUES = 1000
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
_LOADING = threading.Lock()


class ProblemOut(BaseModel):
    severity: str = Field(description="Violation or Warning.")
    message: str = Field(description="What is wrong, said for the person fixing the file.")
    file: str = Field(description="The file, by the name given in ?filename= (or upload.EXT).")
    line: int | None = Field(default=None, description="Line (1-based) of the record, where the format has lines.")
    record: str | None = Field(default=None, description="The record's id or IRI, where known.")
    field: str | None = Field(default=None, description="The input field at fault, where known.")
    value: str | None = Field(default=None, description="The offending value, where there is one.")


class LoadReportOut(BaseModel):
    kind: str = Field(description="The kind loaded.")
    file: str = Field(description="The name the upload is known by in the report and the provenance.")
    format: str | None = Field(description="The format the file was read as (null: the loader told it from the content).")
    on_invalid: str = Field(description="The policy applied: refuse or skip.")
    written: bool = Field(description="Whether the records are in the store (false: the store is unchanged).")
    unchanged: bool = Field(description="The store held these records, from the same file and the same token's "
                                        "holder, already: nothing was written (sherloc_kg/provenance.py).")
    records_read: int
    records_written: int
    triples_written: int = Field(description="Triples written to the kind's graphs (provenance and inferred not counted).")
    violations: int = Field(description="How many violations (a record with one is not written).")
    warnings: int = Field(description="How many warnings (they never block a load).")
    problems: list[ProblemOut] = Field(description=f"The violations, then the warnings; at most {MAX_ISSUES}.")


class NotUtf8(SherlocError):
    """A text upload that is not UTF-8 (422: the file cannot be read as its format says)."""

    http_status = 422


class ParameterErrors(BaseModel):
    detail: list[dict] = Field(description="FastAPI's validation errors: one per malformed parameter.")


class ErrorOut(BaseModel):
    error: str
    message: str


class _Ingest(Ingest):
    """The pipeline, keeping its report: a refused load raises ValidationFailed, which carries the
    problems but not the counts the answer reports."""

    report: LoadReport | None = None

    #: A submitter's State: every record must be about it (see :func:`refuse_other_states`).
    state: str | None = None

    def _read(self, loader, paths, source_format, report):
        self.report = report
        records = super()._read(loader, paths, source_format, report)
        if self.state is not None:
            refuse_other_states(records, self.state, self.iris.country(self.state))
        return records


#: What says which State a record is about: its ``sherloc:country`` (laws, authorities, review
#: answers, strategies) or, for a decision, the ``sherloc:jurisdiction`` that is the State whose
#: court decided it (an international body is no State).
STATE_PREDICATES = (SHERLOC.country, SHERLOC.jurisdiction)


def refuse_other_states(records: list, state: str, country: URIRef) -> None:
    """Forbidden unless every readable record is about ``state`` and no other (issue 7: a
    submitter loads records about its own State only). Decided before anything is written, for
    the whole load, whatever ``on_invalid`` says: a token may not write what it may not write."""
    wrong = []
    for record in records:
        if record.error is not None:
            continue  # unreadable: reported by the load as a violation
        about = {o for triples in record.triples.values() for (s, p, o) in triples
                 if s == record.iri and p in STATE_PREDICATES}
        if any(s == record.iri and p == SHERLOC.published and o.toPython() is True
               for triples in record.triples.values() for (s, p, o) in triples):
            wrong.append(f"{record.location.file}:{record.location.line} record {record.location.record}, field "
                         "'published': a submitter's answers are stored unpublished (an official of the State "
                         "publishes them)")
        elif about != {country}:
            named = sorted(str(o).rsplit("/", 1)[-1] for o in about)
            wrong.append(f"{record.location.file}:{record.location.line} record {record.location.record}, field "
                         f"'country': {'is about ' + ', '.join(named) if named else 'names no State'}")
    if wrong:
        more = f"; and {len(wrong) - 5} more" if len(wrong) > 5 else ""
        raise Forbidden(f"a submitter token of {state} loads records about {state} only; nothing was written: "
                        + "; ".join(wrong[:5]) + more)


def _upload_name(filename: str | None, suffix: str) -> str:
    name = _SAFE_NAME.sub("_", (filename or "").replace("\\", "/").rsplit("/", 1)[-1]).strip("._")[:100]
    if not name:
        return "upload" + suffix
    return name if Path(name).suffix.lower() == suffix else name + suffix


def _format_of(kind: str, chosen: str | None, content_type: str | None) -> tuple[str | None, str]:
    """(the format passed to the loader, the suffix to spool the body under)."""
    if chosen:
        key = chosen.strip().lower()
        if key not in FORMAT_SUFFIXES:
            raise UsageError(f"format: unknown format {chosen!r}; known: {', '.join(sorted(FORMAT_SUFFIXES))}")
        return key, FORMAT_SUFFIXES[key]
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    if media_type in MEDIA_TYPES:
        return MEDIA_TYPES[media_type]
    if media_type == "application/json" and any(f.suffix == ".json" for f in loader_for(kind).formats):
        return None, ".json"  # a loader with a .json format (bibliography: CSL-JSON) tells it from JSON Lines
    raise UnsupportedMediaType(
        f"Content-Type {media_type or '(none)'!r}: send the file as one of {', '.join(sorted(MEDIA_TYPES))}, "
        "or name its format with ?format=")


def _problem(issue: Issue, hidden: str, shown: str) -> dict:
    location = issue.location
    return {"severity": issue.severity, "message": issue.message.replace(hidden, shown),
            "file": shown if location.file in (hidden, "?") or location.file.startswith(hidden) else location.file,
            "line": location.line, "record": location.record, "field": location.field, "value": issue.value}


def _report(report: LoadReport, *, hidden: str, shown: str, source_format: str | None, on_invalid: str) -> dict:
    ordered = report.violations + report.warnings
    return {"kind": report.kind, "file": shown, "format": source_format, "on_invalid": on_invalid,
            "written": report.written, "unchanged": report.unchanged, "records_read": report.records_read,
            "records_written": report.records_written, "triples_written": report.triples_written,
            "violations": len(report.violations), "warnings": len(report.warnings),
            "problems": [_problem(i, hidden, shown) for i in ordered[:MAX_ISSUES]]}


@router.post("/api/records/{kind}", response_model=LoadReportOut,
             summary="Load a file of records through the ingest pipeline (editor or admin)",
             responses={401: {"model": ErrorOut, "description": "No token."},
                        403: {"model": ErrorOut, "description": "A token of another role."},
                        413: {"description": "The body is larger than 64 MiB."},
                        415: {"model": ErrorOut, "description": "No format given and none told by Content-Type."},
                        422: {"model": LoadReportOut | ParameterErrors,
                              "description": "Refused: nothing was written; the report says why (or, for a "
                                             "malformed kind or parameter, FastAPI's validation error)."}},
             openapi_extra={"requestBody": {"required": True, "description": "The file, as it is.", "content": {
                 media: {"schema": {"type": "string", "format": "binary"}} for media in MEDIA_TYPES}}})
async def load_records(request: Request,
                       kind: Literal[tuple(sorted(KINDS))] = ...,  # type: ignore[valid-type]
                       format: str | None = Query(None, max_length=20, description="The source format (as "
                                                  "`sherloc-kg load --format`); by default told by Content-Type."),
                       on_invalid: Literal["refuse", "skip"] = Query("refuse", description="refuse: any "
                                                  "violation refuses the load. skip: write the valid records."),
                       filename: str | None = Query(None, max_length=200, description="The file's name, for "
                                                    "the report and the provenance."),
                       ctx: Context = Depends(context), who: Caller = Depends(caller)) -> JSONResponse:
    who.require(Role.EDITOR, Role.ADMIN, Role.SUBMITTER)
    if who.role is Role.SUBMITTER and not who.country:
        raise Forbidden("this submitter token names no State: a submitter loads records about its own State only")
    source_format, suffix = _format_of(kind, format, request.headers.get("content-type"))
    shown = _upload_name(filename, suffix)
    folder = Path(tempfile.mkdtemp(prefix="sherloc-upload-"))
    path = folder / shown
    hidden = str(path)
    try:
        # Every text format is UTF-8 (XML says its own encoding): checked as the body arrives, so a
        # file in another encoding is refused with the byte at fault rather than half-read.
        decoder = None if suffix == ".xml" else codecs.getincrementaldecoder("utf-8")()
        # XML is held to a depth and an element count as it arrives (sherloc_kg/xml_shape.py: a 422).
        shape = XmlShape(shown) if suffix == ".xml" else None
        offset = 0
        with path.open("wb") as sink:
            async for chunk in request.stream():
                if shape is not None:
                    shape.feed(chunk)
                if decoder is not None:
                    try:
                        decoder.decode(chunk)
                    except UnicodeDecodeError as error:
                        raise NotUtf8(f"the file is not UTF-8: the bytes near byte {offset + max(error.start, 0) + 1} "
                                      "cannot be decoded; save it as UTF-8") from None
                offset += len(chunk)
                sink.write(chunk)
            if shape is not None:
                shape.close()
            if decoder is not None:
                try:
                    decoder.decode(b"", final=True)
                except UnicodeDecodeError:
                    raise NotUtf8("the file is not UTF-8: it ends inside a character; save it as UTF-8") from None
        size = path.stat().st_size
        log.info("load %s started: %s, %d bytes, by %s token %s", kind, shown, size, who.role.value, who.token_id)

        # attributed to the token's holder (its role in public, its name in the restricted provenance)
        ingest = _Ingest(ctx.store, ctx.settings, agent=token_holder(ctx.iris, who.role.value, who.agent, who.name,
                                                                     who.country))
        if who.role is Role.SUBMITTER:
            ingest.state = who.country

        def run() -> LoadReport:
            with _LOADING:
                return ingest.load(kind, [path], source_format=source_format, on_invalid=on_invalid)

        try:
            report = await run_in_threadpool(run)
        except ValidationFailed as refused:
            partial = ingest.report or LoadReport(kind, [shown])
            partial.issues = refused.issues
            body = _report(partial, hidden=hidden, shown=shown, source_format=source_format, on_invalid=on_invalid)
            log.info("load %s refused: %d violation(s)", kind, body["violations"])
            return JSONResponse(body, status_code=422)
        except SherlocError as error:  # a file the loader cannot read at all: say so without our paths
            if not error.callers():
                raise  # not the caller's: a generic answer, logged (api/errors.py)
            message = str(error).replace(hidden, shown).replace(str(folder), "")
            log.info("load %s failed: %s", kind, message)
            return json_error(error, message)
        body = _report(report, hidden=hidden, shown=shown, source_format=source_format, on_invalid=on_invalid)
        log.info("load %s done: %d record(s) written", kind, report.records_written)
        return JSONResponse(body, status_code=200 if report.written or not report.violations else 422)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
