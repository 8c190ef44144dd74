"""The home page and the language switch."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from sherloc_kg.access import Caller
from sherloc_kg.iris import INSTRUMENTS

from .. import library
from ..context import Context, caller, reading
from .layout import LANGUAGE_COOKIE, LANGUAGES, render

router = APIRouter()

#: Record kinds on the home page: (kind in the statistics, label, where to browse them).
DATABASES = (
    ("cases", "Case law", "/explore/search/cases"),
    ("legislation", "Legislation", "/explore/search/legislation"),
    ("treaties", "Treaties", "/explore/search/treaties"),
    ("strategies", "Strategies", "/explore/search/strategies"),
    ("bibliography", "Bibliography", "/explore/search/publications"),
    ("authorities", "Competent national authorities", "/explore/search/authorities"),
    ("participation", "Treaty actions (signatures, ratifications, accessions)", "/explore/countries"),
    ("provisions", "Convention and Protocol provisions", "/explore/instruments"),
    ("review", "Review answers under Article 32 (published, or your State's)", None),
)

_INSTRUMENTS = """PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?instrument ?title WHERE {
  VALUES ?instrument { %s }
  OPTIONAL { ?instrument dcterms:title ?title FILTER(lang(?title) = "en" || lang(?title) = "") }
}"""
_CRIME_TYPES = """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX sherloc: <https://w3id.org/sherloc/ontology#>
SELECT ?notation ?label (COUNT(DISTINCT ?case) AS ?cases) WHERE {
  ?concept skos:inScheme ?scheme ; skos:notation ?notation ; skos:prefLabel ?label .
  FILTER(STRENDS(STR(?scheme), "/vocab/crime-type") && lang(?label) = "en")
  OPTIONAL { ?case sherloc:crimeType ?concept }
} GROUP BY ?notation ?label ORDER BY DESC(?cases) ?label"""
_LAST_LOAD = """PREFIX prov: <http://www.w3.org/ns/prov#>
SELECT (MAX(?t) AS ?last) WHERE { ?activity prov:endedAtTime ?t }"""


@router.get("/", response_class=HTMLResponse)
def home(request: Request, ctx: Context = Depends(reading), who: Caller = Depends(caller)) -> HTMLResponse:
    figures = library.statistics(ctx.reads, ctx.iris, who)
    dataset = who.dataset(ctx.iris)
    instruments = ctx.reads.select(
        _INSTRUMENTS % " ".join(f"<{ctx.iris.instrument(code)}>" for code in INSTRUMENTS), dataset=dataset)
    titles = {str(row["instrument"]): str(row["title"]) for row in instruments.rows if row.get("title")}
    crime_types = [{"notation": str(row["notation"]), "label": str(row["label"]), "cases": int(row["cases"])}
                   for row in ctx.reads.select(_CRIME_TYPES, dataset=dataset).rows]
    last = ctx.reads.select(_LAST_LOAD, dataset=dataset).rows
    return render(
        request, "explorer/home.html", title="Home", who=who,
        databases=[(label, figures["records"].get(kind, 0), href) for kind, label, href in DATABASES],
        triples=figures["triples"],
        last_load=str(last[0]["last"]) if last and last[0].get("last") else None,
        instruments=[(code, titles.get(str(ctx.iris.instrument(code)), code.upper())) for code in INSTRUMENTS],
        crime_types=crime_types,
        queries=ctx.library.all())


@router.get("/explore/language")
def switch_language(lang: str = Query(...), next: str = Query("/")) -> RedirectResponse:
    """Remember the chosen language (a cookie) and go back to the page it was chosen on. Only a
    path on this server is followed, never another site."""
    target = next if next.startswith("/") and not next.startswith("//") and "\\" not in next else "/"
    response = RedirectResponse(target, status_code=303)
    if lang in LANGUAGES:
        response.set_cookie(LANGUAGE_COOKIE, lang, max_age=365 * 24 * 3600, samesite="lax", httponly=True)
    return response
