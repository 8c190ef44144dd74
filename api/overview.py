"""What the graph holds, as the explorer's home page shows it: records per database, triples, the
last update, the Convention and its Protocols, the crime types with their cases, and the named
queries. ``GET /api/overview`` is the home page's JSON twin (api/explorer/twins.py); the page
(:mod:`api.explorer.home`) renders the same :class:`Overview`.

Over the graphs the caller may read (``Caller.dataset``): the public's figures count the public
graphs only (the review answers it sees are the published ones).
"""

from __future__ import annotations

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from sherloc_kg.access import Caller
from sherloc_kg.iris import INSTRUMENTS
from sherloc_kg.queries import internal

from . import library
from .context import Context, caller, reading
from .explorer import twins
from .explorer.i18n import N_
from .explorer.layout import url
from .instruments import instrument_list

router = APIRouter(tags=["explorer"], dependencies=[Depends(twins.links_back)])

#: Record kinds on the home page: (kind in the statistics, label, where to browse them).
DATABASES = (
    ("cases", N_("Case law"), "/explore/search/cases"),
    ("legislation", N_("Legislation"), "/explore/search/legislation"),
    ("treaties", N_("Treaties"), "/explore/search/treaties"),
    ("strategies", N_("Strategies"), "/explore/search/strategies"),
    ("bibliography", N_("Bibliography"), "/explore/search/publications"),
    ("authorities", N_("Competent national authorities"), "/explore/search/authorities"),
    ("participation", N_("Treaty actions (signatures, ratifications, accessions)"), "/explore/countries"),
    ("provisions", N_("Convention and Protocol provisions"), "/explore/instruments"),
    ("review", N_("Review answers under Article 32 (published, or your State's)"), None),
)


class Database(BaseModel):
    kind: str = Field(description="The record kind, as /api/stats counts it.")
    label: str
    records: int = Field(description="How many records of the kind the caller may read.")
    href: str | None = Field(description="Where the explorer browses them.")


class InstrumentEntry(BaseModel):
    code: str = Field(description="untoc, tip, som or fp.")
    title: str = Field(description="Its title in English (the code in capitals where the data has none).")
    href: str = Field(description="Its table of contents in the explorer.")


class CrimeType(BaseModel):
    notation: str = Field(description="The concept's notation in the crime-type vocabulary.")
    label: str = Field(description="Its English label.")
    cases: int = Field(description="How many cases record it.")
    href: str = Field(description="The search for those cases.")


class QueryEntry(BaseModel):
    name: str
    title: str
    href: str = Field(description="The query in the explorer's SPARQL workbench.")


class Overview(BaseModel):
    """The home page's figures and entry points."""

    databases: list[Database]
    triples: int = Field(description="Triples in the graphs the caller may read.")
    last_update: str | None = Field(description="When the last load ended (xsd:dateTime), if recorded.")
    instruments: list[InstrumentEntry]
    crime_types: list[CrimeType] = Field(description="Most cases first.")
    queries: list[QueryEntry] = Field(description="The named queries (sparql/), by name.")


def overview(ctx: Context, who: Caller) -> Overview:
    """The home page's data, over ``who``'s graphs."""
    figures = library.statistics(ctx.reads, ctx.iris, who)
    dataset = who.dataset(ctx.iris)
    titles = {i.code: i.title.text for i in instrument_list(ctx, who, "en").instruments}
    crime_types = internal("explorer-crime-types")
    rows = ctx.reads.select(crime_types.text, bindings=crime_types.bindings(
        {"scheme": str(ctx.iris.scheme("crime-type"))}, ctx.iris), dataset=dataset).rows
    last = ctx.reads.select(internal("explorer-last-update").text, dataset=dataset).rows
    return Overview(
        databases=[Database(kind=kind, label=label, records=figures["records"].get(kind, 0), href=href)
                   for kind, label, href in DATABASES],
        triples=figures["triples"],
        last_update=str(last[0]["last"]) if last and last[0].get("last") else None,
        instruments=[InstrumentEntry(code=code, title=titles.get(code, code.upper()),
                                     href=f"/explore/instruments/{code}") for code in INSTRUMENTS],
        crime_types=[CrimeType(notation=str(row["notation"]), label=str(row["label"]), cases=int(row["cases"]),
                               href=url("/explore/search/cases", crime_type=str(row["notation"]))) for row in rows],
        queries=[QueryEntry(name=q.name, title=q.title, href=url("/explore/sparql", query=q.name))
                 for q in ctx.library.all()])


@router.get("/api/overview", response_model=Overview, summary="What the graph holds (the home page's data)")
def overview_json(ctx: Context = Depends(reading), who: Caller = Depends(caller)) -> Overview:
    """Records per database, triples, the last update, the instruments, the crime types with their
    cases and the named queries: over the graphs the caller may read."""
    return overview(ctx, who)
