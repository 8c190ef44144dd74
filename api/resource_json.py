"""A resource as plain JSON, for applications: ``/api/resource``, rendered from what
sherloc_kg/resource.py read (the same reading as its Linked Data documents and its page).

    GET /api/resource?iri=...   a record (or any resource) as JSON
    GET /api/resource/{path}    the same for ``{base}{path}`` (e.g. /api/resource/id/case/ALB001)

The JSON: its fields (short property name -> values), the resources below it that it links to
embedded one level deep, and a summary of the links to it (a count per property, the first
:data:`MAX_INCOMING_EXAMPLES` of each). A value or a link that no graph but ``inferred`` holds is
marked ``"inferred": true``, with ``rules`` (the rules of ``sparql/rules/`` that draw its
property), ``reasons`` (what each of them infers and why, as its file states it) and ``why`` (the
named query ``why-inferred`` for its subject and provision, as JSON at
``/api/queries/why-inferred``: the recorded facts it follows from; the page's marks link to the
same question on the workbench). NotFound (404) when the caller's
graphs say nothing about it (provenance links alone do not make a resource visible).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, Field
from rdflib import Literal, URIRef

from sherloc_kg.access import Caller
from sherloc_kg.errors import NotFound, UsageError
from sherloc_kg.iris import Iris
from sherloc_kg.labels import label_of
from sherloc_kg.namespaces import PREFIXES
from sherloc_kg.resource import SAMPLE_SIZE, Resource, Sample, Statement, read, rule_reasons, rules_by_property

from .context import Context, caller, reading
from .explorer.layout import url
from .negotiation import raw_path

router = APIRouter(tags=["search"])

MAX_INCOMING_EXAMPLES = SAMPLE_SIZE
_HIDDEN_ONLY = {PREFIXES["prov"] + "wasDerivedFrom", PREFIXES["prov"] + "wasGeneratedBy"}
_IRI_TEXT = r"[a-z][a-z0-9+.-]*:[^\x00-\x20<>\"{}|\\^`]+"


# -- response models ---------------------------------------------------------------------------
class Inferred(BaseModel):
    inferred: bool | None = Field(default=None, description="True when no graph but the inferred one holds the "
                                                            "statement: a rule drew it, no source records it.")
    rules: list[str] | None = Field(default=None, description="For an inferred statement: the rules "
                                                              "(sparql/rules/) that draw its property.")
    reasons: list[str] | None = Field(default=None, description="For an inferred statement: what each rule of "
                                                                "`rules` infers and why (in the same order), as the "
                                                                "rule's file states it.")
    why: str | None = Field(default=None, description="For an inferred statement: the named query why-inferred "
                                                      "for its subject and provision (/api/queries/why-inferred), "
                                                      "which lists the recorded facts it follows from and the rule "
                                                      "that drew it.")


class Linked(Inferred):
    iri: str
    label: str | None = Field(description="Its label (prefLabel, title or notation), English where known.")


class FieldValue(Inferred):
    """A linked resource (iri, label) or a literal (value, language, datatype); keys without a value
    are left out."""

    iri: str | None = Field(default=None, description="For a linked resource: its IRI.")
    label: str | None = Field(default=None, description="For a linked resource: its label.")
    value: str | None = Field(default=None, description="For a literal: its lexical form.")
    language: str | None = Field(default=None, description="For a literal: its language tag.")
    datatype: str | None = Field(default=None, description="For a literal: its datatype (xsd:date...), null for "
                                                           "plain strings.")
    fields: dict[str, list[FieldValue]] | None = Field(
        default=None, description="For a resource below the record that the record links to (a defendant, a "
                                  "designation, a national provision): its own fields.")


class IncomingLinks(BaseModel):
    property: str = Field(description="Short name of the linking property.")
    property_iri: str
    count: int = Field(description="How many resources link to this one with the property.")
    items: list[Linked] = Field(description=f"Up to {MAX_INCOMING_EXAMPLES} of them, by IRI.")


class ResourceView(BaseModel):
    iri: str
    label: str | None
    graphs: list[str] = Field(description="The named graphs the statements shown come from.")
    fields: dict[str, list[FieldValue]] = Field(
        description="Short property name (its local name; prefix:local where two properties share one) → values.")
    properties: dict[str, str] = Field(description="Short property name → full property IRI.")
    incoming: list[IncomingLinks] = Field(description="Links to this resource, by property, most frequent first.")


# -- the JSON ----------------------------------------------------------------------------------
def short_names(properties: Iterable[str]) -> dict[str, str]:
    """Property IRI → short key: its local name, or ``prefix:local`` where two properties share one."""
    def split(p: str) -> tuple[str, str]:
        for prefix, ns in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
            if p.startswith(ns):
                return prefix, p[len(ns):]
        cut = max(p.rfind("#"), p.rfind("/"))
        return "", p[cut + 1:]

    parts = {p: split(p) for p in properties}
    by_local: dict[str, list[str]] = defaultdict(list)
    for p, (_, local) in parts.items():
        by_local[local].append(p)
    names = {}
    for p, (prefix, local) in parts.items():
        unique = len(by_local[local]) == 1 and local
        names[p] = local if unique else (f"{prefix}:{local}" if prefix else p)
    return names


def _literal(term: Literal) -> dict[str, Any]:
    datatype = str(term.datatype) if term.datatype is not None else None
    for prefix in ("xsd", "rdf"):
        if datatype and datatype.startswith(PREFIXES[prefix]):
            datatype = f"{prefix}:{datatype[len(PREFIXES[prefix]):]}"
    return {"value": str(term), "language": term.language, "datatype": datatype}


def as_json(resource: Resource, iris: Iris, reasons: Mapping[str, str]) -> dict[str, Any]:
    """The JSON of ``resource`` (see the module docstring), ``reasons`` giving each rule's
    (:func:`~sherloc_kg.resource.rule_reasons`); NotFound when nothing is known of it."""
    iri = str(resource.iri)
    own = resource.own
    if not any(str(s.predicate) not in _HIDDEN_ONLY for s in own):
        raise NotFound(f"nothing is known about <{iri}>")
    labels: dict[str, dict[str, list[Literal]]] = defaultdict(lambda: defaultdict(list))
    for statement in resource.all():
        if isinstance(statement.object, Literal):
            labels[str(statement.subject)][str(statement.predicate)].append(statement.object)
    parts = {str(p) for p in resource.parts}
    names = short_names({str(s.predicate) for s in resource.statements}
                        | {str(p) for p in resource.incoming_counts})

    def marked(value: dict[str, Any], statement: Statement) -> dict[str, Any]:
        inference = resource.inference(statement, iris)
        if inference is not None:
            value.update(inferred=True, rules=list(inference.rules),
                         reasons=[reasons[rule] for rule in inference.rules],
                         why=url("/api/queries/why-inferred",
                                 **{k: v for k, v in inference.parameters.items() if k != "query"}))
        return value

    def fields_of(subject: str) -> dict[str, list[dict]]:
        fields: dict[str, list[dict]] = defaultdict(list)
        seen = set()
        for statement in sorted(resource.statements, key=lambda st: (str(st.predicate), str(st.object))):
            o = statement.object
            if str(statement.subject) != subject or (statement.predicate, o) in seen:
                continue
            seen.add((statement.predicate, o))
            if isinstance(o, URIRef):
                value: dict[str, Any] = {"iri": str(o), "label": label_of(labels.get(str(o), {}))}
            elif isinstance(o, Literal):
                value = _literal(o)
            else:
                value = {"value": str(o)}
            if str(o) in parts and subject == iri:
                value["fields"] = fields_of(str(o))
            fields[names[str(statement.predicate)]].append(marked(value, statement))
        return dict(fields)

    examples: dict[URIRef, list[dict]] = defaultdict(list)
    for statement in sorted(resource.incoming, key=lambda st: (str(st.predicate), str(st.subject))):
        subject = str(statement.subject)
        examples[statement.predicate].append(marked({"iri": subject, "label": label_of(labels.get(subject, {}))},
                                                   statement))
    incoming: list[dict[str, Any]] = [{"property": names[str(p)], "property_iri": str(p), "count": n, "items": examples.get(p, [])}
                for p, n in resource.incoming_counts.items()]
    incoming.sort(key=lambda link: (-link["count"], link["property"]))
    return {
        "iri": iri,
        "label": label_of(labels.get(iri, {})),
        "graphs": [iris.graph_name(g) or g for g in sorted({g for s in own for g in s.graphs})],
        "fields": fields_of(iri),
        "properties": {names[p]: p for p in sorted({str(s.predicate) for s in resource.statements})},
        "incoming": incoming,
    }


def resource_json(ctx: Context, who: Caller, iri: str) -> ResourceView:
    """``iri`` read for ``who`` and rendered as JSON; a malformed IRI is a UsageError naming ``iri``."""
    if not re.fullmatch(_IRI_TEXT, iri) or len(iri) > 2000:
        raise UsageError(f"parameter 'iri': '{iri[:200]}' is not an absolute IRI")
    rules = ctx.settings.queries_dir / "rules"
    resource = read(ctx.reads, ctx.iris, iri, who.dataset(ctx.iris), window=Sample(), rules=rules_by_property(rules))
    return ResourceView.model_validate(as_json(resource, ctx.iris, rule_reasons(rules)))


# -- routes ------------------------------------------------------------------------------------
@router.get("/api/resource", response_model=ResourceView, response_model_exclude_none=True,
            summary="A resource as JSON")
def resource(iri: str = Query(description="The resource's IRI."),
             ctx: Context = Depends(reading), who: Caller = Depends(caller)) -> ResourceView:
    return resource_json(ctx, who, iri)


@router.get("/api/resource/{path:path}", response_model=ResourceView, response_model_exclude_none=True,
            summary="A resource under the base as JSON")
def resource_by_path(request: Request, path: str = Path(description="The IRI's path below the base, e.g. "
                                                                    "id/case/ALB001."),
                     ctx: Context = Depends(reading), who: Caller = Depends(caller)) -> ResourceView:
    # The IRI keeps the percent-encoding it was minted with, so read the path as sent.
    raw = raw_path(request)
    prefix = "/api/resource/"
    tail = raw[len(prefix):] if raw.startswith(prefix) else path
    if not tail:
        raise UsageError("give the resource's path below the base, e.g. /api/resource/id/case/ALB001")
    return resource_json(ctx, who, str(ctx.iris.at(tail)))  # the IRI /id/... names for the same path
