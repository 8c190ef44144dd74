"""The published JSON-LD ``@context`` (served at ``/context.jsonld``).

Every JSON-LD document the Linked Data routes and ``/dataset`` produce is compacted against this one
context and carries it inline (``"@context": {...}``, the object ``/context.jsonld`` serves), so a
document saved as a string parses alone: no base URL, no network (issue 19, item 1). A client that
asks for the expanded form (``profile="http://www.w3.org/ns/json-ld#expanded"``) gets it with no
context at all; :func:`jsonld_document` makes both. The context holds the prefixes of the model
(docs/model.md) and short terms for the properties most records use; any other property still
compacts, to a ``prefix:name``.

Terms are plain data: add one here and every representation uses it. A term that declares
``"@type": "@id"`` is used only for IRI values and one that declares a datatype only for literals
of that datatype; the JSON-LD test expands every output back and compares it with the Turtle.
"""

from __future__ import annotations

import json
from typing import Any

from rdflib import Graph

from sherloc_kg.namespaces import PREFIXES

#: The JSON-LD profiles (JSON-LD 1.1, section 9.1) a client may ask for; compacted is the default.
EXPANDED = "http://www.w3.org/ns/json-ld#expanded"
COMPACTED = "http://www.w3.org/ns/json-ld#compacted"
PROFILES = (COMPACTED, EXPANDED)

#: Prefixes of the published context: those of the model, and the few the published documents
#: (the ontology, the shapes, graph descriptions) use.
CONTEXT_PREFIXES: dict[str, str] = {
    name: PREFIXES[name]
    for name in ("sherloc", "eli", "dcterms", "skos", "prov", "org", "vcard", "bibo", "foaf", "xsd",
                 "rdfs", "rdf", "owl", "sh")
}
CONTEXT_PREFIXES["void"] = "http://rdfs.org/ns/void#"

# term -> (compact IRI, kind): kind "@id" for links, an xsd datatype for typed literals, None for
# plain or language-tagged text.
_TERMS: dict[str, tuple[str, str | None]] = {
    # labels and descriptions
    "label": ("rdfs:label", None),
    "comment": ("rdfs:comment", None),
    "prefLabel": ("skos:prefLabel", None),
    "altLabel": ("skos:altLabel", None),
    "notation": ("skos:notation", None),
    "definition": ("skos:definition", None),
    "title": ("dcterms:title", None),
    "identifier": ("dcterms:identifier", None),
    "abstract": ("dcterms:abstract", None),
    "creator": ("dcterms:creator", None),
    "publisher": ("dcterms:publisher", None),
    "date": ("dcterms:date", "xsd:date"),
    "source": ("dcterms:source", "@id"),
    "page": ("foaf:page", "@id"),
    "inScheme": ("skos:inScheme", "@id"),
    "broader": ("skos:broader", "@id"),
    "narrower": ("skos:narrower", "@id"),
    # legal resources (ELI)
    "hasPart": ("eli:has_part", "@id"),
    "isPartOf": ("eli:is_part_of", "@id"),
    "ensuresImplementationOf": ("eli:ensures_implementation_of", "@id"),
    "number": ("eli:number", None),
    "dateDocument": ("eli:date_document", "xsd:date"),
    "firstDateEntryInForce": ("eli:first_date_entry_in_force", "xsd:date"),
    "typeDocument": ("eli:type_document", "@id"),
    "inForce": ("eli:in_force", "@id"),
    # language versions (eli:LegalExpression)
    "isRealizedBy": ("eli:is_realized_by", "@id"),
    "realizes": ("eli:realizes", "@id"),
    "language": ("eli:language", "@id"),
    # the SHERLOC ontology
    "text": ("sherloc:text", None),
    "position": ("sherloc:position", "xsd:integer"),
    "instrument": ("sherloc:instrument", "@id"),
    "jurisdiction": ("sherloc:jurisdiction", "@id"),
    "country": ("sherloc:country", "@id"),
    "region": ("sherloc:region", "@id"),
    "inRegion": ("sherloc:inRegion", "@id"),
    "decisionYear": ("sherloc:decisionYear", "xsd:integer"),
    "decisionDate": ("sherloc:decisionDate", "xsd:date"),
    "decidedBy": ("sherloc:decidedBy", "@id"),
    "courtLevel": ("sherloc:courtLevel", "@id"),
    "crimeType": ("sherloc:crimeType", "@id"),
    "crossCuttingIssue": ("sherloc:crossCuttingIssue", "@id"),
    "keyword": ("sherloc:keyword", None),
    "refersToProvision": ("sherloc:refersToProvision", "@id"),
    "appliesNationalProvision": ("sherloc:appliesNationalProvision", "@id"),
    "concernsProvision": ("sherloc:concernsProvision", "@id"),
    "involvedCountry": ("sherloc:involvedCountry", "@id"),
    "appealOf": ("sherloc:appealOf", "@id"),
    "defendant": ("sherloc:defendant", "@id"),
    "defendantType": ("sherloc:defendantType", "@id"),
    "nationality": ("sherloc:nationality", "@id"),
    "outcome": ("sherloc:outcome", None),
    "sentence": ("sherloc:sentence", None),
    "tipAct": ("sherloc:tipAct", "@id"),
    "tipMeans": ("sherloc:tipMeans", "@id"),
    "tipPurpose": ("sherloc:tipPurpose", "@id"),
    "commentary": ("sherloc:commentary", None),
    "designation": ("sherloc:designation", "@id"),
    "designatedUnder": ("sherloc:designatedUnder", "@id"),
    "aboutProvision": ("sherloc:aboutProvision", "@id"),
    "addressesProvision": ("sherloc:addressesProvision", "@id"),
    "explainsProvision": ("sherloc:explainsProvision", "@id"),
    "participant": ("sherloc:participant", "@id"),
    "party": ("sherloc:party", "@id"),
    # provenance
    "wasDerivedFrom": ("prov:wasDerivedFrom", "@id"),
    "wasGeneratedBy": ("prov:wasGeneratedBy", "@id"),
}


def context_definition() -> dict[str, Any]:
    """The value of ``@context``: prefixes, then terms."""
    definition: dict[str, Any] = dict(CONTEXT_PREFIXES)
    for term, (iri, kind) in _TERMS.items():
        definition[term] = {"@id": iri, "@type": kind} if kind else {"@id": iri}
    return definition


def context_document() -> dict[str, Any]:
    """The document served at ``/context.jsonld``."""
    return {"@context": context_definition()}


def jsonld_document(graph: Graph, profile: str = COMPACTED) -> bytes:
    """``graph`` as a JSON-LD document that parses alone: compacted against the published context,
    which it carries inline (first key), or, for :data:`EXPANDED`, in expanded form (no context)."""
    if profile == EXPANDED:
        return graph.serialize(format="json-ld", encoding="utf-8")
    document = json.loads(graph.serialize(format="json-ld", context=context_definition(), auto_compact=True))
    if isinstance(document, list):
        document = {"@graph": document}
    document = {"@context": context_definition(), **{k: v for k, v in document.items() if k != "@context"}}
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")
