"""Information gathered under UNTOC article 32 (the Conference of the Parties and its Review
Mechanism, COP resolutions 9/1 and 10/1): a State Party's answer about one provision. JSON Lines or
CSV in the review format of ``shared/formats/README.md``, mapped as docs/model.md "review" says.

Answers are confidential unless the State agrees to publish them: a response goes to the public
graph ``review`` only when ``published`` is true, otherwise (the default) ONLY to its State's
restricted graph ``review-restricted/{ISO3}`` (``{base}graph/review-restricted/XAA``), which an
official of that State may read and an official of another State may not (sherloc_kg/access.py).
Re-loading a response replaces it in ``review``, in the old single ``review-restricted`` graph
and in every State's restricted graph (sherloc_kg/ingest.py, ``_graph_names``): publishing it
moves it, with no copy left behind.

States Parties submit answers through the API (``POST /api/review/submissions``, api/review.py),
which reads them with this same mapping and the same SHACL gate, then keeps every version
(``{answer}/version/{n}``, docs/model.md "review"). A file loaded here replaces the answer's
current state only: the versions are separate resources that the answer does not link to in
these graphs, so they survive a re-load.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from sherloc_kg.errors import SourceError, SourceErrors, UsageError
from sherloc_kg.iris import Iris, state_graph_name
from sherloc_kg.namespaces import DCTERMS, RDF, SHERLOC

from .records import Fields, RawRecord, Record, map_records
from .registry import FLAT, Loader

PUBLIC, RESTRICTED = "review", "review-restricted"

FIELDS = frozenset({"id", "country", "cycle", "cluster", "provision", "status", "measures", "practices",
                    "difficulties", "assistance_needs", "date", "published"})
MULTI_VALUED = frozenset({"measures", "assistance_needs"})


def read(path: Path, iris: Iris, source_format: str | None = None) -> Iterator[Record]:
    yield from map_records(path, source_format, MULTI_VALUED, map_response, iris)


#: ``review-restricted`` is kept one graph per State (sherloc_kg/iris.py, STATE_GRAPHS): the
#: pipeline replaces a response in every ``review-restricted/{ISO3}`` too.
LOADER = Loader(kind="review", graphs=(PUBLIC, RESTRICTED), record_class=SHERLOC.ReviewResponse,
                formats=FLAT, read=read)


def map_response(raw: RawRecord, iris: Iris) -> Record:
    """The answer's triples; every field is read before it gives up, so that a person learns every
    problem of an answer at once: the record then carries them all (``SourceErrors``) with the
    triples of the fields that could be read, which the SHACL gate checks too (sherloc_kg/ingest.py)."""
    f = Fields(raw, FIELDS)
    problems: list[SourceError] = []
    response_id = f.text("id", required=True)
    response = iris.review(response_id)
    record = Record(response, raw.location)
    published = bool(f.collect(problems, lambda: f.boolean("published")))  # absent = false: restricted
    country = f.text("country", required=True) or ""
    # Answer ids are one namespace for every State: each State's answers are in its own range, so
    # that no one learns, from "that id is taken", that another State has an answer there (issue 24).
    if not response_id.startswith(f"{country}-"):
        raise f.error("id", f"an answer's id begins with its State's code and a hyphen ('{country}-...', e.g. "
                            f"'{country}-review-untoc-art-5'): answer ids are shared by every State, so each "
                            "State's answers are in its own range")
    target = PUBLIC if published else state_graph_name(RESTRICTED, country)

    def add(p: URIRef, o: Any) -> None:
        record.add(target, (response, p, o))

    add(RDF.type, SHERLOC.ReviewResponse)
    add(DCTERMS.identifier, Literal(response_id))
    add(SHERLOC.published, Literal(published))
    add(SHERLOC.country, iris.country(country))

    cycle = f.values.get("cycle")  # a number stays a number, anything else is text
    if isinstance(cycle, int) and not isinstance(cycle, bool):
        add(SHERLOC.reviewCycle, Literal(cycle, datatype=XSD.integer))
    elif f.collect(problems, lambda: f.text("cycle")):
        add(SHERLOC.reviewCycle, Literal(f.text("cycle")))
    cluster = f.collect(problems, lambda: f.integer("cluster"))  # clusters 1-4 (COP resolution 9/1); range: the shape
    if cluster is not None:
        add(SHERLOC.reviewCluster, Literal(cluster, datatype=XSD.integer))

    def provision() -> None:
        try:
            add(SHERLOC.aboutProvision, iris.provision(f.text("provision", required=True)))
        except UsageError as error:
            raise f.error("provision", str(error)) from error
    f.collect(problems, provision)
    status = f.collect(problems, lambda: f.text("status", required=True))
    if status:
        add(SHERLOC.implementationStatus, iris.concept("review-status", status))
    # Art. 32 (4)-(5): the legislative measures taken; `LAW#n` is a law of the reporting State.
    for reference in f.collect(problems, lambda: f.texts("measures")) or []:
        try:
            add(SHERLOC.citesMeasure, iris.national_provision_ref(reference, country))
        except UsageError as error:
            problems.append(f.error("measures", str(error), reference))
    # Art. 32 (5) programmes, plans and practices; art. 32 (4) difficulties encountered.
    for name, predicate in (("practices", SHERLOC.practices), ("difficulties", SHERLOC.difficulties)):
        if f.has(name):
            for text in f.collect(problems, functools.partial(f.title, name)) or []:
                add(predicate, text)
    for notation in f.collect(problems, lambda: f.texts("assistance_needs")) or []:
        add(SHERLOC.assistanceNeed, iris.concept("assistance-need", notation))
    when = f.collect(problems, lambda: f.date("date"))
    if when is not None:
        add(DCTERMS.date, when)
    elif not problems or problems[-1].location.field != "date":
        problems.append(f.error("date", "required field is missing: the date of the answer, YYYY-MM-DD"))
    if problems:
        record.error = SourceErrors(problems)
    return record

