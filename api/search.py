"""JSON for applications: faceted search over the record kinds.

    GET /api/search/{kind}      kind: cases, legislation, treaties, strategies, publications, authorities

The logic lives in :mod:`sherloc_kg.search` (shared with the explorer); this module declares the
parameters and the response models, so that /openapi.json documents every key. Every query runs
over the graphs the caller may see (``Caller.dataset``): the public never sees restricted data.
Any record as JSON (``/api/resource``) is api/resource_json.py's; its routes are served through
this module's router.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, Field

from sherloc_kg import search as core
from sherloc_kg.access import Caller

from . import resource_json
from .explorer import twins
from .context import Context, caller, reading

router = APIRouter(tags=["search"])
router.include_router(resource_json.router)


# -- response models ---------------------------------------------------------------------------
class FacetValue(BaseModel):
    value: str = Field(description="The value as the matching query parameter takes it: an ISO 3166-1 alpha-3 "
                                   "code (or an international jurisdiction's code, e.g. IRB), a provision "
                                   "reference (untoc/art/5/1/a), a vocabulary notation, or a year.")
    label: str = Field(description="A human-readable label (English where known).")
    count: int = Field(description="Records matching every other active filter and this value. The facet's own "
                                   "filter is left out, so the counts say what choosing a value would give.")


class SearchItem(BaseModel):
    id: str = Field(description="The record's identifier (dcterms:identifier).")
    iri: str = Field(description="The record's IRI; dereferenceable, and readable as JSON at /api/resource?iri=.")
    title: str | None = Field(description="Title (English where there are several); an authority's name.")
    country: list[str] = Field(description="ISO 3166-1 alpha-3 codes (jurisdiction codes for international "
                                           "bodies): the deciding State of a case, the State of a law, strategy "
                                           "or authority, the parties of a treaty, the countries a publication "
                                           "concerns.")
    year: int | None = Field(description="Year of decision (cases), adoption (legislation, strategies), signature "
                                         "(treaties) or publication; null where unknown. Absent for authorities.",
                             default=None)
    summary: str | None = Field(default=None, description="Summary or abstract (cases, strategies, publications).")
    provisions: list[str] | None = Field(default=None, description="Convention provisions the record is linked "
                                         "to (cases: referred to or, inferred, concerned; legislation: implemented; "
                                         "strategies: addressed; authorities: designated under).")
    crime_types: list[str] | None = Field(default=None, description="Crime-type notations.")
    issues: list[str] | None = Field(default=None, description="Cross-cutting issue notations.")


class SearchResponse(BaseModel):
    kind: str = Field(description="The kind searched.")
    total: int = Field(description="How many records match every filter.")
    page: int = Field(description="This page's number, from 1.")
    size: int = Field(description="Page size (at most 100).")
    sort: str = Field(description="The order applied: year_desc, year_asc, title or id; ties go by id, then IRI.")
    items: list[SearchItem] = Field(description="This page's records, in the stable order.")
    facets: dict[str, list[FacetValue]] = Field(
        description="Facet name → values with counts, for the facets this kind has: cases: country, provision, "
                    "crime_type, issue, year; legislation and strategies: the same; treaties: country, year; "
                    "publications: country, crime_type, year; authorities: country, provision. Values by count "
                    "(highest first), years newest first.")


# -- routes ------------------------------------------------------------------------------------
_LIST = Query(None)


@router.get("/api/search/{kind}", response_model=SearchResponse, response_model_exclude_unset=True,
            dependencies=[Depends(twins.links_back)],
            summary="Search records with facets",
            description=core.__doc__.split("Semantics (the README repeats them):")[1].split("Every query")[0].strip())
def search(request: Request,
           kind: str = Path(description=f"One of: {', '.join(core.KINDS)}."),
           country: list[str] | None = Query(None, description="ISO 3166-1 alpha-3 code; repeatable (any of)."),
           provision: list[str] | None = Query(None, description="Convention provision, e.g. untoc/art/5; matches "
                                               "its parts too; repeatable."),
           crime_type: list[str] | None = Query(None, description="Crime-type notation, e.g. trafficking-in-persons; "
                                                "repeatable."),
           issue: list[str] | None = Query(None, description="Cross-cutting issue notation; matches narrower issues; "
                                           "repeatable."),
           year_from: str | None = Query(None, description="Earliest year, inclusive."),
           year_to: str | None = Query(None, description="Latest year, inclusive."),
           q: str | None = Query(None, description="Words that must all occur (case- and accent-insensitive) "
                                 "on the record: title, summary, identifier, keywords, or the labels (any "
                                 "language) of its country, court, crime types, issues and TIP elements."),
           page: str | None = Query(None, description="Page number, from 1."),
           size: str | None = Query(None, description=f"Page size, 1 to {core.MAX_SIZE} (default {core.DEFAULT_SIZE})."),
           sort: str | None = Query(None, description="year_desc (default where the kind has a year), year_asc, "
                                    "title (default for authorities) or id."),
           ctx: Context = Depends(reading), who: Caller = Depends(caller)) -> SearchResponse:
    params: dict[str, list[str]] = {}
    for name, value in request.query_params.multi_items():
        params.setdefault(name, []).append(value)
    parsed = core.parse(kind, params)
    result = core.search(ctx.reads, ctx.iris, parsed, who.dataset(ctx.iris))
    return SearchResponse.model_validate(result)
