"""Review under article 32: States Parties submit their answers, officials publish and withdraw them.

    POST /api/review/submissions               a submitter (or official) of State X sends answers
                                               for X, with ids beginning "X-" (check_writable);
                                               an admin, for any State. JSON (one answer,
                                               a list, or {"answers": [...]}) in the field names of
                                               data/examples/review.jsonl, or JSON-LD.
    POST /api/review/submissions/{id}/publish  an official of the answer's State, or an admin,
                                               publishes the answer's current version;
    POST /api/review/submissions/{id}/withdraw the same withdraw a published answer (both routes
                                               in api/review_publication.py).
    GET  /api/review/submissions?country=X     the answers the caller may see (JSON).
    GET  /api/review/submissions/{id}          one answer with every version the caller may see.

Answers pass the same SHACL gate as ``sherloc-kg load review`` (``sherloc_kg.ingest``: the review
loader, then ``shapes/review.ttl`` with the store as context). A refused submission stores
nothing and answers 422 with a report: JSON, one entry per problem (index and id of the answer,
field, message, value), or, for ``Accept: text/turtle``, the ``sh:ValidationReport``.

Accepted answers are written, all in one transaction, to their State's restricted graph
``review-restricted/{ISO3}`` (only officials of that State, officials of no State and admins read
it): the answer's state (the record ``{base}id/review/{id}``) and a new version
``{answer}/version/{n}``, a copy of what it says, who submitted it (``prov:wasAttributedTo`` an
agent ``{base}id/agent/{agent}``, named from the token's secret hash, never by its id;
``dcterms:creator`` the token's name) and when
(``prov:generatedAtTime``), with ``prov:wasRevisionOf`` the version before.
``sherloc:currentVersion`` (answer → version) is kept in the provenance graph of the answer's side,
so that re-loading the answer from a file (which replaces the record) never deletes a version.
Earlier versions are never changed: publishing moves the answer and its current version to
``review``, except the names of people: the version's ``dcterms:creator`` and the agents'
``foaf:name`` stay in the State's restricted graph, and the public sees the agents by their role
and State only. A new submission for a published answer, or a withdrawal by an official of its
State (or an admin), takes the answer's public state back to the State's restricted graph, one way
for both (:func:`restricted_writes`); its published versions stay public, as history, and a
withdrawal is recorded with them (``{answer}/withdrawal/{instant}``, ``a sherloc:ReviewWithdrawal``:
who, by role and State, and when). docs/model.md "review" gives the model.
"""

from __future__ import annotations

import json
import re
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import FOAF, XSD

from sherloc_kg.access import WRITE_READS, Caller, Role
from sherloc_kg.errors import Forbidden, Issue, Location, NotFound, StoreError, UnsupportedMediaType, UsageError
from sherloc_kg.ingest import Ingest
from sherloc_kg.iris import Iris, is_iso3, segment
from sherloc_kg.loaders.review import PUBLIC, RESTRICTED
from sherloc_kg.namespaces import DCTERMS, PROV, RDF, SH, SHERLOC, SKOS
from sherloc_kg.queries import internal
from sherloc_kg.store import Dataset, RecordWrite, Store
from sherloc_kg.validation import Gate

from .context import Context, caller, context, reading
from .negotiation import choose, content_type
from .review_versions import VERSION_ATTEMPTS, write_versions, writing

router = APIRouter(tags=["review"])

SUBMIT_ROLES = (Role.SUBMITTER, Role.OFFICIAL, Role.ADMIN)
PUBLISH_ROLES = (Role.OFFICIAL, Role.ADMIN)
REPORT_TYPES = ("application/json", "text/turtle")
MAX_ANSWERS = 500
#: The deepest nesting of JSON arrays and objects a submission may have. An answer is an object of
#: plain values in a list or ``{"answers": [...]}``; JSON-LD adds ``@context``, ``@graph`` and value
#: objects: under ten levels. The bound is checked by a scan that does not recurse, before any
#: parser does: Oxigraph's JSON-LD parser recurses per level and overflows its stack (a crash of the
#: whole server) near 8,000, Python's json module raises RecursionError near 1,000.
MAX_JSON_DEPTH = 32
_JSON_TOKENS = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)
#: Field of the review format → predicate, for reading answers back (JSON out, JSON-LD in).
PREDICATES = {
    "country": SHERLOC.country, "cycle": SHERLOC.reviewCycle, "cluster": SHERLOC.reviewCluster,
    "provision": SHERLOC.aboutProvision, "status": SHERLOC.implementationStatus,
    "measures": SHERLOC.citesMeasure, "practices": SHERLOC.practices, "difficulties": SHERLOC.difficulties,
    "assistance_needs": SHERLOC.assistanceNeed, "date": DCTERMS.date, "published": SHERLOC.published,
}
FIELD_OF = {str(p): name for name, p in PREDICATES.items()}
MULTI = ("measures", "assistance_needs", "practices", "difficulties")


# -- who may do what ----------------------------------------------------------------------------

def _may_write_for(who: Caller, country: str | None) -> bool:
    return who.role is Role.ADMIN or (who.country is not None and who.country == country)


def check_writable(who: Caller, answer: dict[str, Any], what: str, then: str = "") -> None:
    """Refuse (403) an answer ``who`` may not write, before anything is looked up: a submitter or
    official writes answers of its own State only, under ids that begin with that State's code
    and a hyphen (``XAA-...``); an admin those of any State. Answer ids are one namespace for every
    State, so a State could not otherwise be told "that id is taken" without learning that another
    State has an answer there (issue 24, finding 7): with the prefix, an id of another State's range
    is refused with the same words whether an answer holds it or not, and since every answer's id
    is in its own State's range (the review loader refuses any other, whoever loads it: admins
    too), an id of one's own range can be held only by one's own answer. ``what`` names the answer
    (``answer 0 (id 'XAA-1')``); ``then`` ends the message."""
    if who.role is Role.ADMIN:
        return
    country, answer_id = answer.get("country"), answer.get("id")
    own = who.country or "no State"
    if not _may_write_for(who, country if isinstance(country, str) else None):
        raise Forbidden(f"{what} is for State {country!r}: a {who.role.value} token of {own} submits answers of its "
                        f"own State only.{then}")
    if not (isinstance(answer_id, str) and answer_id.startswith(f"{who.country}-")):
        raise Forbidden(f"{what}: a {who.role.value} token of {own} submits answers whose id begins with "
                        f"'{who.country}-' (e.g. '{who.country}-review-untoc-art-5'); answer ids are shared by every "
                        f"State, so each writes in its own range.{then}")


def agent_iri(iris: Iris, who: Caller) -> URIRef:
    # The token's agent name, never its id: published versions name this agent (issue 24).
    return URIRef(f"{iris.base}id/agent/{segment(who.agent or 'unknown')}")


def agent_triples(iris: Iris, who: Caller) -> list[tuple]:
    agent = agent_iri(iris, who)
    triples = [(agent, RDF.type, PROV.Agent), (agent, FOAF.name, Literal(who.name or f"token {who.agent}")),
               (agent, SKOS.note, Literal(f"{who.role.value} token"))]
    if who.country:
        triples.append((agent, SHERLOC.country, iris.country(who.country)))
    return triples


#: What names a person, and so never leaves the restricted graph when an answer is published.
PERSONAL = (FOAF.name, DCTERMS.creator)


def _impersonal(triples: list[tuple]) -> list[tuple]:
    """``triples`` without the names of people (PERSONAL): what may become public of an agent or
    a version. The agent keeps its role (``skos:note``) and State."""
    return [t for t in triples if t[1] not in PERSONAL]


def _now() -> Literal:
    return Literal(datetime.now(timezone.utc).isoformat(timespec="seconds"), datatype=XSD.dateTime)


# -- reading a submission -----------------------------------------------------------------------

def json_depth(body: bytes, *, stop_after: int = MAX_JSON_DEPTH) -> int:
    """How deeply arrays and objects nest in a JSON text (strings skipped), read without
    recursion; stops counting once past ``stop_after``."""
    depth = deepest = 0
    for token in _JSON_TOKENS.finditer(body):
        mark = token.group()
        if mark in (b"[", b"{"):
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > stop_after:
                    break
        elif mark in (b"]", b"}"):
            depth -= 1
    return deepest


def _check_depth(body: bytes) -> None:
    depth = json_depth(body)
    if depth > MAX_JSON_DEPTH:
        raise UsageError(f"the submission nests arrays and objects more than {MAX_JSON_DEPTH} levels deep, the most "
                         "this endpoint reads: an answer is one JSON object of plain values")


async def _answers(request: Request, iris: Iris) -> list[dict[str, Any]]:
    media_type = (request.headers.get("content-type") or "application/json").split(";", 1)[0].strip().lower()
    body = await request.body()
    if media_type in ("application/ld+json", "application/json", "text/json"):
        _check_depth(body)
    if media_type == "application/ld+json":
        return _from_jsonld(body, iris)
    if media_type not in ("application/json", "text/json"):
        raise UnsupportedMediaType(f"send the answers as application/json or application/ld+json, not {media_type}")
    try:
        value = json.loads(body or b"null")
    except ValueError as error:
        raise UsageError(f"the request body is not JSON: {error}") from error
    if isinstance(value, dict) and isinstance(value.get("answers"), list):
        value = value["answers"]
    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, list) or not value:
        raise UsageError('send one answer (a JSON object), a list of answers, or {"answers": [...]}')
    if len(value) > MAX_ANSWERS:
        raise UsageError(f"at most {MAX_ANSWERS} answers per submission; send the rest in another")
    for index, answer in enumerate(value):
        if not isinstance(answer, dict):
            raise UsageError(f"answer {index} is not a JSON object")
    return value


def _from_jsonld(body: bytes, iris: Iris) -> list[dict[str, Any]]:
    """The answers of a JSON-LD document (nodes typed sherloc:ReviewResponse), as review fields."""
    import pyoxigraph as ox

    from sherloc_kg.store.terms import from_oxigraph

    graph = Graph()
    try:  # Oxigraph's parser: it fetches no remote @context
        for quad in ox.parse(body, ox.RdfFormat.JSON_LD):
            graph.add((from_oxigraph(quad.subject), from_oxigraph(quad.predicate), from_oxigraph(quad.object)))
    except (SyntaxError, ValueError) as error:
        raise UsageError(f"the JSON-LD does not parse: {error}") from error
    answers = []
    for node in sorted(set(graph.subjects(RDF.type, SHERLOC.ReviewResponse)), key=str):
        fields: dict[str, Any] = {}
        identifier = graph.value(node, DCTERMS.identifier)
        local = iris.below(str(node), "id/review/") if isinstance(node, URIRef) else None
        if identifier is not None:
            fields["id"] = str(identifier)
        elif local is not None and "/" not in local:
            from urllib.parse import unquote
            fields["id"] = unquote(local)
        for p, o in graph.predicate_objects(node):
            name = FIELD_OF.get(str(p))
            if name is None:
                continue
            value: Any = _field_value(name, o, iris)
            if name in MULTI:
                fields.setdefault(name, []).append(value)
            else:
                fields[name] = value
        for name in ("practices", "difficulties"):
            if name in fields and len(fields[name]) == 1:
                fields[name] = fields[name][0]
        answers.append(fields)
    if not answers:
        raise UsageError("the JSON-LD holds no node of type sherloc:ReviewResponse")
    return answers


def _field_value(name: str, term: Any, iris: Iris) -> Any:
    """A term as the review format writes it (``untoc/art/5``, ``MEX``, ``implemented``...)."""
    text = str(term)
    if isinstance(term, Literal):
        value = term.toPython()
        return value if isinstance(value, (bool, int)) else text
    if name == "provision":
        return iris.provision_reference(text) or text
    if name == "country":
        return text.rsplit("/", 1)[-1]
    if name in ("status", "assistance_needs"):
        return text.rsplit("/", 1)[-1]
    if name == "measures":
        parts = (iris.below(text, "id/legislation/") or "").split("/")
        if len(parts) == 4 and parts[2] == "art":
            return f"{parts[0]}:{parts[1]}#{parts[3]}"
    return text


# -- the report people act on -------------------------------------------------------------------

def _problem(issue: Issue, answers: list[dict[str, Any]]) -> dict[str, Any]:
    index = issue.location.line - 1 if issue.location.line else None
    answer_id = issue.location.record
    if answer_id is None and index is not None and 0 <= index < len(answers):
        answer_id = answers[index].get("id")
    return {"index": index, "id": answer_id, "field": issue.location.field, "severity": issue.severity,
            "message": issue.message, "value": issue.value, "focus": issue.focus, "shape": issue.shape}


def _report_graph(issues: list[Issue], answers: list[dict[str, Any]], iris: Iris, shapes: Graph) -> Graph:
    """The problems as a SHACL ``sh:ValidationReport`` (results of the loader, too, for fields
    that could not even be read: their focus is the answer they are in)."""
    graph = Graph()
    graph.bind("sh", SH)
    graph.bind("sherloc", SHERLOC._NS)
    report = BNode()
    graph.add((report, RDF.type, SH.ValidationReport))
    graph.add((report, SH.conforms, Literal(not any(i.severity == "Violation" for i in issues))))
    for issue in issues:
        problem = _problem(issue, answers)
        result = BNode()
        graph.add((report, SH.result, result))
        graph.add((result, RDF.type, SH.ValidationResult))
        graph.add((result, SH.resultSeverity, SH[issue.severity]))
        graph.add((result, SH.resultMessage, Literal(issue.message, lang="en")))
        focus = issue.focus or (str(iris.review(str(problem["id"]))) if problem["id"] else None)
        if focus:
            graph.add((result, SH.focusNode, URIRef(focus)))
        if issue.shape:
            graph.add((result, SH.sourceShape, URIRef(issue.shape)))
            path = shapes.value(URIRef(issue.shape), SH.path)
            if isinstance(path, URIRef):
                graph.add((result, SH.resultPath, path))
        if issue.value is not None:
            graph.add((result, SH.value, Literal(issue.value)))
        if problem["field"]:
            graph.add((result, SKOS.note, Literal(f"field: {problem['field']}")))
            if not issue.shape and problem["field"] in PREDICATES:
                graph.add((result, SH.resultPath, PREDICATES[problem["field"]]))
        if problem["index"] is not None:
            graph.add((result, SKOS.notation, Literal(f"answer {problem['index']}")))
    return graph


def _refused(accept: str | None, issues: list[Issue], answers: list[dict[str, Any]], iris: Iris,
             gate: Gate | None) -> Response:
    media_type = choose(accept or "application/json", REPORT_TYPES)
    violations = [i for i in issues if i.severity == "Violation"]
    if media_type == "text/turtle":
        graph = _report_graph(issues, answers, iris, gate.shapes if gate else Graph())
        return Response(graph.serialize(format="turtle"), status_code=422,
                        media_type=content_type("text/turtle"), headers={"Vary": "Accept"})
    return JSONResponse({
        "error": "ValidationFailed", "stored": False,
        "message": f"{len(violations)} problem(s) in the submission: nothing was stored; fix them and send it again",
        "problems": [_problem(i, answers) for i in violations],
        "warnings": [_problem(i, answers) for i in issues if i.severity != "Violation"],
    }, status_code=422, headers={"Vary": "Accept"})


# -- the store ----------------------------------------------------------------------------------

#: The reads of a write (a submission, a publication) look for the answer in every graph, other
#: States' included (access.py decides it: WRITE_READS); what they find is never answered.
ALL = WRITE_READS


def _rows(store: Store, iris: Iris, name: str, dataset: Dataset, **values: str) -> list[dict]:
    """The rows of the internal query ``name`` (sparql/internal/{name}.rq), its parameters bound."""
    named = internal(name)
    return store.select(named.text, bindings=named.bindings(values, iris), dataset=dataset).rows


def _existing(store: Store, iris: Iris, answer: URIRef) -> dict[str, Any]:
    """Where an answer is now: its graphs, its country, its current and highest version, for a
    write (ALL)."""
    rows = _rows(store, iris, "review-answer-graphs", ALL, answer=str(answer))
    graphs = {str(r["g"]) for r in rows}
    highest = _rows(store, iris, "review-highest-version", ALL, answer=str(answer))
    current = _rows(store, iris, "review-current-version", ALL, answer=str(answer))
    top = highest[0].get("max") if highest else None
    return {"graphs": graphs, "country": str(rows[0]["country"]).rsplit("/", 1)[-1] if rows else None,
            "highest": int(top) if top is not None else 0,
            "current": current[0]["v"] if current else None}


def _review_restricted(iris: Iris, graph: str) -> bool:
    """Whether ``graph`` holds unpublished answers: a State's ``review-restricted/{ISO3}``, or the
    single ``review-restricted`` of the stores made before the graphs were split by State."""
    old = str(iris.graph(RESTRICTED))
    return graph == old or graph in iris.state_graphs([graph], RESTRICTED)


def restricted_writes(store: Store, iris: Iris, answer: URIRef, graphs: set[str], name: str,
                      version: URIRef | None, state: list[tuple], public: list[tuple] | None = None) -> list[RecordWrite]:
    """The writes that put an answer's ``state`` in its State's restricted graph ``name``
    (``review-restricted/{ISO3}``) and out of every other graph it is in (``graphs``: the public
    ``review``, the old single restricted graph, another State's: an admin may change an answer's
    State), with the pointer to its current ``version`` in that State's ``provenance-restricted/{ISO3}``
    only. One way for both a new submission (api/review_versions.py) and a withdrawal
    (api/review_publication.py) to take an answer's state back from the public; its published
    versions, below the answer but not linked from it, stay in ``review`` as history. ``public``:
    triples to write in ``review`` at the same time (a withdrawal's record)."""
    home, public_graph = str(iris.graph(name)), str(iris.graph(PUBLIC))
    writes = [RecordWrite(g, [str(answer)], (public or []) if g == public_graph else [])
              for g in sorted(graphs | {public_graph}) if g != home and (g == public_graph or _review_restricted(iris, g))]
    writes.append(RecordWrite(home, [str(answer)], state))
    pointer = str(iris.state_graph("provenance-restricted", name.partition("/")[2]))
    writes += [RecordWrite(g, [str(answer)]) for g in _provenance_graphs(store, iris, answer) if g != pointer]
    writes.append(RecordWrite(pointer, [str(answer)], [(answer, SHERLOC.currentVersion, version)] if version is not None else []))
    return writes


def _provenance_graphs(store: Store, iris: Iris, answer: URIRef) -> list[str]:
    """The provenance graphs an answer's pointer to its current version may be in: ``provenance``,
    ``provenance-restricted`` (stores made before the split by State) and every State's
    ``provenance-restricted/{ISO3}`` holding something about the answer."""
    fixed = [str(iris.graph("provenance")), str(iris.graph("provenance-restricted"))]
    return fixed + iris.state_graphs(_graphs_of(store, iris, answer), "provenance-restricted")


def _graphs_of(store: Store, iris: Iris, subject: URIRef) -> set[str]:
    """The graphs holding triples about ``subject``."""
    return {str(r["g"]) for r in _rows(store, iris, "review-graphs-of", ALL, subject=str(subject))}


def _triples_of(store: Store, iris: Iris, graph: str, subject: URIRef) -> list[tuple]:
    rows = _rows(store, iris, "review-triples-of", ALL, graph=graph, subject=str(subject))
    return [(subject, r["p"], r["o"]) for r in rows]


def _version_triples(record_triples: list[tuple], answer: URIRef, version: URIRef, number: int,
                     previous: URIRef | None, who: Caller, iris: Iris, when: Literal) -> list[tuple]:
    triples = [(version, RDF.type, SHERLOC.ReviewResponseVersion), (version, DCTERMS.isVersionOf, answer),
               (version, SHERLOC.versionNumber, Literal(number, datatype=XSD.integer)),
               (version, PROV.generatedAtTime, when), (version, PROV.wasAttributedTo, agent_iri(iris, who)),
               (version, DCTERMS.creator, Literal(who.name or f"token {who.agent}"))]
    if previous is not None:
        triples.append((version, PROV.wasRevisionOf, previous))
    skip = {RDF.type, SHERLOC.published, DCTERMS.identifier}
    triples += [(version, p, o) for (s, p, o) in record_triples if s == answer and p not in skip]
    return triples


# -- routes -------------------------------------------------------------------------------------

@router.post("/api/review/submissions", status_code=201)
async def submit(request: Request, ctx: Context = Depends(context), who: Caller = Depends(caller)) -> Response:
    """Submit answers of the caller's State (any State for an admin): validated, then stored,
    restricted, each as a new version. 422 with a report (JSON, or Turtle) if any answer is wrong."""
    who.require(*SUBMIT_ROLES)
    answers = await _answers(request, ctx.iris)
    for index, answer in enumerate(answers):
        check_writable(who, answer, f"answer {index} (id {answer.get('id')!r})")
    # Blocking work (validation, the store) runs in the thread pool, as plain routes do.
    from starlette.concurrency import run_in_threadpool
    return await run_in_threadpool(store_answers, ctx, who, answers, accept=request.headers.get("accept"))


def store_answers(ctx: Context, who: Caller, answers: list[dict[str, Any]], *, accept: str | None = None) -> Response:
    """Validate ``answers`` and store them, each as a new restricted version, all or none: 201 with
    what was stored, or 422 with the report (JSON, or Turtle by ``accept``). The caller has
    already checked the role and the State of each answer (``submit``; the explorer's CSV upload)."""
    iris = ctx.iris
    extra: list[Issue] = []
    for index, answer in enumerate(answers):
        if answer.get("published") not in (None, False, "false", "no", "0", ""):
            extra.append(Issue("Violation", "a submission is stored unpublished: leave `published` out, and "
                               "publish with POST /api/review/submissions/{id}/publish (an official of the State)",
                               Location("request body", index + 1, str(answer.get("id")), "published"),
                               value=str(answer.get("published"))))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "submission.jsonl"
        path.write_text("".join(json.dumps({k: v for k, v in a.items() if k != "published"}) + "\n"
                                for a in answers), encoding="utf-8")
        records, report, gate = Ingest(ctx.store, ctx.settings).check("review", [path], source_format="jsonl")
    issues = extra + report.issues
    if any(i.severity == "Violation" for i in issues):
        return _refused(accept, issues, answers, iris, gate)

    when = _now()
    stored = []
    # The reads inside a write (where each answer is now, the version numbers) go to the store
    # itself, not the request's bounded reads: they are the write's own read-modify-write, in its
    # turn, fixed lookups of one IRI each, and must not stop halfway through it.
    with writing(ctx):
        for record in records:
            existing = _existing(ctx.store, iris, record.iri)
            if existing["country"] is not None and not _may_write_for(who, existing["country"]):
                # Not naming the State: whose answer it is is restricted. Reached only for an id
                # of the caller's own range that an admin gave to another State (check_writable).
                raise Forbidden(f"answer {record.location.record!r} cannot be written with this token: choose "
                                "another id for your State's answer")
        # Each answer's version number is taken inside the write (see _write_versions).
        numbered: dict[URIRef, tuple[int, URIRef, str]] = {}
        pending = list(records)
        for _attempt in range(VERSION_ATTEMPTS):
            pending = write_versions(ctx, who, pending, when, numbered)
            if not pending:
                break
        else:
            raise StoreError(f"{len(pending)} answer(s) lost the race for a version number {VERSION_ATTEMPTS} times "
                             "to other submissions of the same answers")
        for record in records:
            number, version, name = numbered[record.iri]
            stored.append({"id": record.location.record, "iri": str(record.iri), "version": number,
                           "version_iri": str(version), "graph": name, "published": False})
    return JSONResponse({"stored": stored, "submitted_at": str(when), "submitted_by": who.name,
                         "warnings": [_problem(i, answers) for i in issues if i.severity != "Violation"]},
                        status_code=201)


def _describe(store: Store, iris: Iris, subjects: list[URIRef], dataset: Dataset) -> dict[str, dict]:
    if not subjects:
        return {}
    rows = store.select(internal("review-describe").with_rows({"s": subjects}), dataset=dataset).rows
    out: dict[str, dict] = {str(s): {} for s in subjects}
    for row in rows:
        item = out[str(row["s"])]
        p, o = str(row["p"]), row["o"]
        name = FIELD_OF.get(p)
        if p == str(DCTERMS.identifier):
            item["id"] = str(o)
        elif name is not None:
            value = _field_value(name, o, iris)
            if name in MULTI:
                item.setdefault(name, []).append(value)
            else:
                item[name] = value
        elif p == str(SHERLOC.currentVersion):
            item["current_version"] = str(o)
        elif p == str(SHERLOC.versionNumber):
            item["version"] = int(o.toPython())
        elif p == str(PROV.generatedAtTime):
            item["submitted_at"] = str(o)
        elif p == str(DCTERMS.creator):
            item["submitted_by"] = str(o)
        elif p == str(PROV.wasRevisionOf):
            item["revision_of"] = str(o)
        elif p == str(DCTERMS.issued):
            item["published_at"] = str(o)
        elif p == str(DCTERMS.modified):
            item["modified"] = str(o)
    for iri, item in out.items():
        for name in MULTI:
            if name in item:
                item[name] = sorted(item[name])
        for name in ("practices", "difficulties"):  # one text, as the review format writes it
            if len(item.get(name, [])) == 1:
                item[name] = item[name][0]
        item["iri"] = iri
    return out


@router.get("/api/review/submissions")
def listing(country: str | None = None, ctx: Context = Depends(reading),
            who: Caller = Depends(caller)) -> dict:
    """The review answers the caller may see, of one State (``country``, ISO 3166-1 alpha-3), or
    all it may see; a submitter, left without ``country``, gets its own State's."""
    store = ctx.reads
    if country is None and who.role is Role.SUBMITTER:
        country = who.country
    if country is not None and not is_iso3(country):
        raise UsageError(f"country {country!r} is not an ISO 3166-1 alpha-3 code (three capital letters)")
    # What access.py grants the caller for review answers: a submitter or official reads its own
    # State's, restricted ones included (with their current version, whose pointer is in its
    # State's ``provenance-restricted/{ISO3}``), and no other State's but the published ones.
    dataset = who.review_dataset(ctx.iris)
    rows = _rows(store, ctx.iris, "review-answers", dataset, **({"country": country} if country is not None else {}))
    answers = [URIRef(r["a"]) for r in rows]  # IRIs: answers are minted by the review loader
    described = _describe(store, ctx.iris, answers, dataset)
    return {"country": country, "count": len(answers), "answers": [described[str(a)] for a in answers]}


@router.get("/api/review/submissions/{answer_id}")
def one(answer_id: str, ctx: Context = Depends(reading), who: Caller = Depends(caller)) -> dict:
    """One answer and every version of it the caller may see, oldest first."""
    store = ctx.reads
    answer = ctx.iris.review(answer_id)
    dataset = who.review_dataset(ctx.iris)  # another State's answer: its published parts only
    exists = internal("review-answer-exists")
    found = store.ask(exists.text, bindings=exists.bindings({"answer": str(answer)}, ctx.iris), dataset=dataset)
    rows = _rows(store, ctx.iris, "review-versions", dataset, answer=str(answer))
    versions = [URIRef(r["v"]) for r in rows]  # IRIs (see _version_triples)
    if not found and not versions:
        raise NotFound(f"no review answer with id {answer_id!r}")
    described = _describe(store, ctx.iris, ([answer] if found else []) + versions, dataset)
    return {"answer": described.get(str(answer)), "versions": [described[str(v)] for v in versions]}
