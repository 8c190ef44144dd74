"""What every explorer page shares: the Jinja2 environment, the page frame (``explorer/base.html``),
the language a page is shown in, and picking a literal in that language.

Language: ``?lang=xx`` on the URL wins (so a shared link shows what its sender saw), then the
``lang`` cookie the language switch sets, then the browser's ``Accept-Language``, then English.
The interface is in the chosen language (:mod:`.i18n`: gettext catalogs; Arabic right to left);
texts and labels come in the chosen language where the data has them, and in English otherwise,
marked as such (:func:`pick` says whether it fell back).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape

from sherloc_kg.access import Caller
from sherloc_kg.iris import Iris, is_iso3
from sherloc_kg.parameters import NOTATION

from . import i18n, twins
from .i18n import N_

# The templates are package data of sherloc_kg.api, found through the import system wherever the
# package is installed.
TEMPLATES = Environment(loader=PackageLoader("sherloc_kg.api", "templates"),
                        autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True,
                        extensions=["jinja2.ext.i18n"])
i18n.install(TEMPLATES)

DEFAULT_LANGUAGE = "en"
#: The languages one can choose: English, the other five UN languages, and the other languages the
#: bundled treaty texts carry (German, Italian and Dutch translations; data/convention-texts/). A text missing in the chosen one falls back to English.
LANGUAGES = {"en": "English", "fr": "Français", "es": "Español", "ar": "العربية", "zh": "中文",
             "ru": "Русский", "de": "Deutsch", "it": "Italiano", "nl": "Nederlands"}
LANGUAGE_COOKIE = "lang"
_TAG = re.compile(r"([a-zA-Z]{2,3})(?:-[a-zA-Z0-9]+)*")

#: The main navigation: (label, path).
NAVIGATION = (
    (N_("Home"), "/"),
    (N_("Convention and Protocols"), "/explore/instruments"),
    (N_("Search"), "/explore/search/cases"),
    (N_("Countries"), "/explore/countries"),
    (N_("Trends"), "/explore/trends"),
    (N_("SPARQL"), "/explore/sparql"),
)


def language(request: Request) -> str:
    """The language this request's page is shown in (see the module docstring)."""
    for candidate in (request.query_params.get("lang"), request.cookies.get(LANGUAGE_COOKIE)):
        if candidate in LANGUAGES:
            return candidate
    for part in (request.headers.get("accept-language") or "").split(","):
        match = _TAG.fullmatch(part.split(";")[0].strip())
        if match and match.group(1).lower() in LANGUAGES:
            return match.group(1).lower()
    return DEFAULT_LANGUAGE


@dataclass(frozen=True)
class Picked:
    """A text in the language asked for, or its fallback: ``fallback`` is True when ``lang`` is not
    the one asked for (the page marks it)."""

    text: str
    lang: str | None
    fallback: bool


def pick(values: dict[str | None, str], wanted: str) -> Picked | None:
    """The value in ``wanted``, else English, else untagged, else any; ``values`` maps language
    tag (None for an untagged literal) to text."""
    if not values:
        return None
    for tag in (wanted, DEFAULT_LANGUAGE, None):
        if tag in values:
            return Picked(values[tag], tag, tag is not None and tag != wanted)
    tag = sorted(values, key=str)[0]
    return Picked(values[tag], tag, True)


def case_href(iris: Iris, iri: str) -> str | None:
    """The reader's page of a case IRI (``/explore/cases/ALB001``, api/explorer/cases.py): its
    identifier escaped as the IRI escapes it; None for an IRI that is no case of this base."""
    path = iris.case_path(iri)
    return None if path is None else "/explore/cases/" + path


def concept_href(iris: Iris, iri: str) -> str | None:
    """The reader's page of a vocabulary or concept IRI (``{base}vocab/tip-act/recruitment`` →
    ``/explore/concepts/tip-act/recruitment``, api/explorer/concepts.py); None for another IRI."""
    local = iris.below(iri, "vocab/")
    parts = local.split("/") if local else []
    if 1 <= len(parts) <= 2 and all(NOTATION.fullmatch(p) for p in parts):
        return "/explore/concepts/" + "/".join(parts)
    return None


def _below(iris: Iris, iri: str, kind: str, page: str) -> str | None:
    """The reader's page ``page`` + the identifier of a record IRI ``{base}id/{kind}/{id}`` (escaped as
    the IRI escapes it); None for an IRI that is no such record (a part of one has a further ``/``)."""
    escaped = iris.below(iri, f"id/{kind}/")
    return page + escaped if escaped and "/" not in escaped else None


def authority_href(iris: Iris, iri: str) -> str | None:
    """The reader's page of a competent national authority (``/explore/authorities/XAA-central-authority-mla``,
    api/explorer/authorities.py); None for an IRI that is no authority of this base."""
    return _below(iris, iri, "authority", "/explore/authorities/")


def publication_href(iris: Iris, iri: str) -> str | None:
    """The reader's page of a publication of the bibliography (``/explore/publications/{id}``,
    api/explorer/publications.py); None for an IRI that is no publication of this base."""
    return _below(iris, iri, "publication", "/explore/publications/")


def reader_href(iris: Iris, iri: str) -> str | None:
    """The reader's page of a record (a case, an authority, a publication, a law), None for another IRI."""
    return case_href(iris, iri) or authority_href(iris, iri) or publication_href(iris, iri) or law_href(iris, iri)


def law_href(iris: Iris, iri: str) -> str | None:
    """The reader's page of a law IRI (``/explore/laws/CAN/W-11.2``, api/explorer/laws.py), and of a
    provision of one, at its anchor (``/explore/laws/XAA/XAA-penal-code#art-210``,
    ``…/CAN/I-2.5#sec-117-1``): the segments escaped as the IRI escapes them. None for an IRI that is
    neither. A language version (``…/sec/117/1/en``) is not told apart from a unit by its IRI (a
    subparagraph may be ``ii``): give units only, or check the graph as the RDF view does."""
    below = iris.below(iri, "id/legislation/")
    parts = below.split("/") if below else []
    if len(parts) < 2 or not all(parts) or not is_iso3(parts[0]):
        return None
    page = f"/explore/laws/{parts[0]}/{parts[1]}"
    if len(parts) == 2:
        return page
    if parts[2] not in ("art", "sec") or len(parts) < 4:
        return None
    return page + "#" + "-".join(parts[2:])


def url(path: str, **params: object) -> str:
    """``path`` with query parameters; a list value repeats its parameter, None and "" are left out."""
    pairs: list[tuple[str, str]] = []
    for name, value in params.items():
        for item in value if isinstance(value, (list, tuple)) else [value]:
            if item is not None and item != "":
                pairs.append((name, str(item)))
    return path + ("?" + urlencode(pairs) if pairs else "")


def render(request: Request, template: str, *, title: str, who: Caller | None = None,
           status_code: int = 200, **variables: object) -> HTMLResponse:
    """A page in the frame: ``template`` extends ``explorer/base.html``, in the request's language
    (``title`` is translated here: pass the English text). The answer names the page's JSON twin in
    ``Link: rel="alternate"`` (:mod:`.twins`)."""
    lang = language(request)
    interface = i18n.interface_language(lang)
    translations = i18n.translations(interface)
    body = TEMPLATES.get_template(template).render(
        title=translations.gettext(title), lang=lang, interface_lang=interface, dir=i18n.direction(interface),
        translations=translations,
        languages=LANGUAGES, navigation=NAVIGATION,
        path=request.url.path, here=str(request.url.path) + (f"?{request.url.query}" if request.url.query else ""),
        role=(who.role.value if who is not None else None), url=url, **variables)
    response = HTMLResponse(body, status_code=status_code)
    twins.announce(request, response, lang)
    return response
