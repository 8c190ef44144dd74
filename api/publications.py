"""A publication of the bibliography as its reader page shows it (issue 18), as JSON:

    GET /api/publications/{id}   the publication: title (in the language asked for where the data
                                 has it), authors in their order, year, publisher, the journal or
                                 book it is part of, DOI, the countries and crime types it concerns
                                 (in words, linked: a country to its page, a crime type to the
                                 bibliography search filtered by it), research methods, keywords,
                                 abstract, its page at the source, where the record comes from

The JSON twin (api/explorer/twins.py) of ``/explore/publications/{id}`` (:mod:`api.explorer.publications`),
which renders the same model. The data come from the internal queries ``publication-page`` and
``record-provenance`` (sparql/internal/), over the caller's graphs (``Caller.dataset``).

Open world: a fact the record does not hold is left out (None or an empty list), never "none".
"""

from __future__ import annotations

from collections import defaultdict
from urllib.parse import unquote

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, Field
from rdflib import Literal

from sherloc_kg.access import Caller
from sherloc_kg.errors import NotFound, UsageError
from sherloc_kg.iris import is_iso3
from sherloc_kg.queries import internal

from .cases import Named, Provenance, record_provenance
from .context import Context, caller, reading
from .explorer import twins
from .explorer.layout import Picked, language, pick, url

router = APIRouter(tags=["publications"], dependencies=[Depends(twins.links_back)])


class PublicationData(BaseModel):
    """A publication of the bibliography and what it is about."""

    language: str
    id: str
    iri: str
    resource: str = Field(description="Its linked-data page (the RDF view).")
    title: Picked | None
    authors: list[str] = Field(description="In the order of the source.")
    year: str | None
    publisher: str | None
    container: str | None = Field(description="The journal or book it is part of.")
    doi: str | None
    page: str | None = Field(description="Its page at the source (a link out).")
    countries: list[Named] = Field(description="The countries it concerns (their country pages).")
    crime_types: list[Named] = Field(description="The crime types it concerns (the bibliography search filtered "
                                                 "by each).")
    methods: list[str] = Field(description="Research methods.")
    keywords: list[str]
    abstract: Picked | None
    provenance: Provenance


def publication(ctx: Context, who: Caller, publication_id: str, wanted: str) -> PublicationData:
    """The publication ``publication_id`` (its identifier, unescaped); NotFound when the caller's graphs
    hold none."""
    if not publication_id or any(ord(c) < 32 for c in publication_id):
        raise NotFound("This is not a publication identifier.")
    try:
        iri = ctx.iris.publication(publication_id)
    except UsageError:
        raise NotFound("This is not a publication identifier.") from None
    dataset = who.dataset(ctx.iris)
    facts = ctx.reads.select(internal("publication-page").text, bindings={"publication": iri}, dataset=dataset).rows
    if not facts:
        raise NotFound(f"No publication with the identifier “{publication_id}” is recorded.")
    literals: dict[str, dict[str | None, str]] = defaultdict(dict)
    lists: dict[str, list[str]] = defaultdict(list)
    authors: dict[str, int] = {}
    values: dict[str, dict[str, dict[str | None, str]]] = defaultdict(dict)
    for row in facts:
        field, value = str(row["field"]), row["value"]
        if field == "author":
            position = row.get("position")
            authors.setdefault(str(value), int(str(position)) if position is not None else len(authors) + 1)
        elif field in ("concernsCountry", "crimeType"):
            labels = values[field].setdefault(str(value), {})
            label = row.get("label")
            if isinstance(label, Literal):
                labels.setdefault(label.language, str(label))
        elif field in ("researchMethod", "keyword"):
            if str(value) not in lists[field]:
                lists[field].append(str(value))
        elif field == "page":
            literals[field].setdefault(None, str(value))
        elif isinstance(value, Literal):
            literals[field].setdefault(value.language, str(value))

    def one(field: str) -> str | None:
        found = pick(literals.get(field, {}), wanted)
        return found.text if found else None

    def named(field: str) -> list[Named]:
        result = []
        for value, labels in values.get(field, {}).items():
            code = ctx.iris.below(value, "id/country/")
            notation = ctx.iris.below(value, "vocab/crime-type/")
            href = ("/explore/countries/" + code if code and is_iso3(code) else
                    url("/explore/search/publications", crime_type=unquote(notation)) if notation else None)
            chosen = pick(labels, wanted)
            result.append(Named(iri=value, label=chosen.text if chosen else (code or notation or value),
                                lang=chosen.lang if chosen else None, href=href))
        return sorted(result, key=lambda n: n.label.casefold())

    return PublicationData(
        language=wanted, id=one("id") or publication_id, iri=str(iri), resource=ctx.iris.href(str(iri)) or str(iri),
        title=pick(literals.get("title", {}), wanted), authors=sorted(authors, key=lambda a: authors[a]),
        year=one("publicationYear"), publisher=one("publisher"), container=one("container"), doi=one("doi"),
        page=one("page"), countries=named("concernsCountry"), crime_types=named("crimeType"),
        methods=lists.get("researchMethod", []), keywords=lists.get("keyword", []),
        abstract=pick(literals.get("abstract", {}), wanted), provenance=record_provenance(ctx, dataset, iri, wanted))


@router.get("/api/publications/{publication_id:path}", response_model=PublicationData,
            summary="A publication of the bibliography, as its reader page shows it")
def publication_json(request: Request,
                     publication_id: str = Path(description="The publication's identifier, e.g. "
                                                            "XAA-example-publication-tip-2023"),
                     lang: str | None = Query(None, description="The language of labels and texts (en, fr, es, ar, "
                                                                "zh, ru, de, it, nl); else the browser's, else English."),
                     ctx: Context = Depends(reading), who: Caller = Depends(caller)) -> PublicationData:
    """Its title, authors, year, publisher, what it is about (countries, crime types) in words with
    links, its page at the source, where the record comes from."""
    return publication(ctx, who, publication_id, language(request))
