"""Links out: the IRIs other publishers give the things SHERLOC-KG describes (issue 19, item 7).

Our own IRIs are minted in :mod:`sherloc_kg.iris`; this module only writes out the IRIs of others,
each by a published scheme and a stated rule, never by guesswork:

- a country: the EU Publications Office's country authority table,
  ``http://publications.europa.eu/resource/authority/country/{code}``, whose authority code is the
  ISO 3166-1 alpha-3 code (rule: the code is the same; a user-assigned code, such as a fictional
  State's, is in no table and gets no link);
- a language recorded on a record (``dcterms:language "fr"``): the EU language authority table,
  ``http://publications.europa.eu/resource/authority/language/{code}``, whose authority code is the
  ISO 639-3 code (the same as ISO 639-2/T for a language with an ISO 639-1 code) in capitals (rule:
  ``fr`` → ``fra`` by pycountry's ISO 639 tables → ``FRA``); the record keeps its own tag beside it,
  since a region subtag (``en-GB``) has no entry in the table;
- an instrument: its record in the UN Treaty Collection (chapter XVIII, Penal Matters: 12 the
  Convention, 12-a to 12-c its Protocols; the page the participation loader cites as the source of a
  status table) and the General Assembly resolution that adopted it, by its UN document symbol
  (``A/RES/55/25``) on the UN's document-symbol resolver ``https://undocs.org/``.

UN M49 has no published IRI per area from its custodian (the UN Statistics Division publishes the
codes as a table, not as Linked Data), so its regions are concepts under our own base
(``{base}vocab/m49/{code}``, :meth:`sherloc_kg.iris.Iris.m49_area`), written by loaders/countries.py
and named by a regional strategy (``sherloc:region``, loaders/strategies.py).
docs/model.md "Links out" says which property links what, and why.
"""

from __future__ import annotations

import re

from rdflib import Literal, URIRef

from .iris import is_iso3

EU_COUNTRY_TABLE = "http://publications.europa.eu/resource/authority/country"
EU_LANGUAGE_TABLE = "http://publications.europa.eu/resource/authority/language"
#: The UN Statistics Division's page of the M49 standard (its source, not an IRI per area).
M49_PAGE = URIRef("https://unstats.un.org/unsd/methodology/m49/")

#: ISO 3166-1 alpha-3 ranges reserved for user assignment (AAA-AAZ, QMA-QZZ, XAA-XZZ, ZZA-ZZZ): no
#: authority table lists them.
USER_ASSIGNED = re.compile(r"^(AA[A-Z]|Q[M-Z][A-Z]|X[A-Z]{2}|ZZ[A-Z])$")
#: A language tag as records hold it (BCP 47): ISO 639-1, or 639-2/3 where a language has no 639-1
#: code, optionally with subtags (``en``, ``en-GB``).
_LANGUAGE_TAG = re.compile(r"^([a-z]{2,3})(?:-[A-Za-z0-9]{1,8})*$")

#: Each instrument's number in chapter XVIII of the UN Treaty Collection.
UNTC_NUMBERS = {"untoc": "12", "tip": "12-a", "som": "12-b", "fp": "12-c"}
#: "General Assembly resolution 55/25", as data/instruments.csv's adopted_by column writes it.
_GA_RESOLUTION = re.compile(r"^General Assembly resolution (\d+)/(\d+)$")


def eu_country(iso3: str) -> URIRef | None:
    """The EU country authority IRI of an ISO 3166-1 alpha-3 code; None for a user-assigned code."""
    if not is_iso3(iso3) or USER_ASSIGNED.match(iso3):
        return None
    return URIRef(f"{EU_COUNTRY_TABLE}/{iso3}")


def eu_language(tag: str) -> URIRef | None:
    """The EU language authority IRI of a language tag (``fr``, ``en-GB``, ``fra``): the ISO 639-3
    code of its primary subtag, in capitals (``FRA``); None for a value that is no ISO 639 code."""
    import pycountry

    match = _LANGUAGE_TAG.match(tag.strip())
    if match is None:
        return None
    code = match.group(1)
    language = pycountry.languages.get(**{"alpha_2" if len(code) == 2 else "alpha_3": code})
    if language is None:
        return None
    return URIRef(f"{EU_LANGUAGE_TABLE}/{language.alpha_3.upper()}")


def untc_record(instrument: str) -> URIRef:
    """The instrument's page in the UN Treaty Collection (English), the depositary's record of it."""
    return URIRef("https://treaties.un.org/Pages/ViewDetails.aspx?src=TREATY"
                  f"&mtdsg_no=XVIII-{UNTC_NUMBERS[instrument]}&chapter=18&clang=_en")


def ga_resolution(adopted_by: str) -> URIRef | None:
    """The UN document of a General Assembly resolution named as data/instruments.csv names it
    (``General Assembly resolution 55/25`` → ``https://undocs.org/A/RES/55/25``); None otherwise."""
    match = _GA_RESOLUTION.match(adopted_by.strip())
    return URIRef(f"https://undocs.org/A/RES/{match.group(1)}/{match.group(2)}") if match else None


def language_values(tag: str) -> list[Literal | URIRef]:
    """The ``dcterms:language`` values of a record that gives ``tag``: the tag as the source wrote it
    (what the shapes check and the pages show), and its EU language authority IRI where it has one."""
    authority = eu_language(tag)
    return [Literal(tag), *([authority] if authority is not None else [])]
