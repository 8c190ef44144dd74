"""What a resource is called, for lists of them: the label, notation, ISO 3166-1 code and
identifier of many IRIs at once (the values of a search's facets, the countries and concepts of
its items), and the one rule that picks a label among the texts of a resource (:func:`label_of`,
shared with the JSON of ``/api/resource``).

The label is the best text of the first label property a resource has (skos:prefLabel,
dcterms:title, rdfs:label, foaf:name), else its skos:notation; the best text of a property is the
English one, else one without language, else any (ties broken by text, so the choice is stable).
The SPARQL is ``sparql/internal/search-labels.rq``.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from rdflib import Literal, URIRef

from .namespaces import PREFIXES, SHERLOC
from .queries import internal
from .store import Dataset, Store

#: The label properties, in order of preference.
LABEL_PROPERTIES = tuple(PREFIXES[prefix] + local for prefix, local in (
    ("skos", "prefLabel"), ("dcterms", "title"), ("rdfs", "label"), ("foaf", "name")))
NOTATION = PREFIXES["skos"] + "notation"
_IRI = re.compile(r"[a-z][a-z0-9+.-]*:[^\x00-\x20<>\"{}|\\^`]+")
#: IRIs per query.
_CHUNK = 500


#: What :func:`describe` says of an IRI: ``label``, ``notation``, ``iso3``, ``id`` (each None when it has none).
Described = dict[str, str | None]


def best(values: Sequence[Literal]) -> str | None:
    """The English value, else one without language, else any; ties broken by text (stable)."""
    if not values:
        return None
    rank = {"en": 0, None: 1}
    return str(min(values, key=lambda v: (rank.get(v.language, 2), v.language or "", str(v))))


def label_of(texts: Mapping[str, Sequence[Literal]]) -> str | None:
    """The label of a resource from its literals by property IRI (see the module docstring)."""
    for prop in LABEL_PROPERTIES:
        label = best(texts.get(prop, []))
        if label:
            return label
    return best(texts.get(NOTATION, []))


def describe(store: Store, iris_list: Sequence[str], dataset: Dataset) -> dict[str, Described]:
    """For each IRI: ``label`` (:func:`label_of`), ``notation``, ``iso3``, ``id`` (dcterms:identifier)."""
    result: dict[str, Described] = {}
    query = internal("search-labels")
    for start in range(0, len(iris_list), _CHUNK):
        chunk = [URIRef(i) for i in iris_list[start:start + _CHUNK] if _IRI.fullmatch(i)]
        if not chunk:
            continue
        found: dict[str, dict[str, list[Literal]]] = defaultdict(lambda: defaultdict(list))
        for row in store.select(query.with_rows({"x": chunk}), dataset=dataset).rows:
            value = row["o"]
            assert isinstance(value, Literal)
            found[str(row["x"])][str(row["p"])].append(value)
        for iri, props in found.items():
            result[iri] = {
                "label": label_of(props),
                "notation": best(props.get(NOTATION, [])),
                "iso3": best(props.get(str(SHERLOC.iso3166Alpha3), [])),
                "id": best(props.get(PREFIXES["dcterms"] + "identifier", [])),
            }
    return result
