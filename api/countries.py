"""Countries, as the explorer shows them, as JSON:

    GET /api/countries          every State, international jurisdiction and regional organization
                                that a record names, with how many records of each kind it has
                                (named query ``records-per-country``); ``sort`` and ``order`` as
                                the page takes them
    GET /api/countries/{code}   one of them: its name, its participation in each instrument
                                (``participation-of-state``, with what the store covers,
                                ``participation-coverage``: where none is recorded, "none
                                recorded", never "not party"), its laws per Convention provision
                                (``laws-of-country``, ``legislation-of-country``), its cases per
                                year and the latest (``cases-of-country``), its competent national
                                authorities (``authorities-of-country``), its strategies
                                (``strategies-of-country``); who it is: ``explorer-jurisdiction``
                                of sparql/internal/

Each is the JSON twin of an explorer page (api/explorer/twins.py), which renders the same models
(:mod:`api.explorer.countries`). Every query runs over the caller's graphs: an authority's contact
details come from the restricted graph ``authorities-restricted``, so only a caller who may read it
(``Caller.may_see``, sherloc_kg/access.py) gets them, here as on the page; the public gets
``contact: null`` and ``contacts_shown: false``. (The implementation profile and the data-quality
report of a State are ``/api/countries/{code}/implementation`` and ``/quality``: api/implementation.py.)
"""

from __future__ import annotations

import re
from collections import defaultdict

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, Field
from rdflib import Literal, URIRef

from sherloc_kg.access import PUBLIC, Caller
from sherloc_kg.errors import NotFound, UsageError
from sherloc_kg.iris import INSTRUMENTS
from sherloc_kg.namespaces import SHERLOC
from sherloc_kg.queries import internal

from . import implementation as core
from .context import Context, caller, reading
from .explorer import twins
from .explorer.i18n import N_, interface_language, language_name, translations
from .explorer.layout import Picked, authority_href, case_href, language, law_href, pick
from .instruments import INSTRUMENT_NAMES, matter_labels, national_citation, provision_words

router = APIRouter(tags=["countries"], dependencies=[Depends(twins.links_back)])

#: A State's ISO 3166-1 alpha-3 code, or the code of an international jurisdiction or regional
#: organization (IRB, ECHR, EU).
CODE = re.compile(r"[A-Z][A-Z0-9]{1,15}")
#: The kinds of record counted: (kind in records-per-country, heading).
#: The headings are English (the JSON); the page shows them translated (N_: api/explorer/i18n.py).
KINDS = (("cases", N_("Cases")), ("legislation", N_("Laws")), ("participation", N_("Treaty actions")),
         ("authorities", N_("Authorities")), ("strategies", N_("Strategies")), ("treaties", N_("Treaties")),
         ("publications", N_("Publications")), ("review", N_("Review answers")))
SORTS = ("name", "code", *(kind for kind, _ in KINDS))
#: How many of a State's cases are listed (the latest).
LATEST = 10

#: The channels through which an authority accepts requests (art. 18 (13): direct transmission to the
#: central authority, the diplomatic channel, INTERPOL in urgent circumstances), as the data spells them
#: (``channels`` in the authorities format: literals of sherloc:channel, which no vocabulary names), in
#: words, in this order; the JSON keeps the codes, the page shows the words translated (N_).
CHANNELS = {"direct": N_("direct transmission"), "diplomatic": N_("diplomatic channel"), "interpol": N_("INTERPOL")}

_TYPES = {str(SHERLOC.Country): N_("State"), str(SHERLOC.InternationalJurisdiction): N_("International jurisdiction"),
          str(SHERLOC.RegionalEconomicIntegrationOrganization): N_("Regional economic integration organization")}


def _text(row: dict, name: str) -> str | None:
    value = row.get(name)
    return str(value) if value is not None and str(value) != "" else None


def _select(ctx: Context, who: Caller, name: str, bindings: dict) -> list[dict]:
    """The rows of the named query ``name`` bound to ``bindings`` (RDF terms), over the caller's graphs."""
    return ctx.reads.select(ctx.library.get(name).text, bindings=bindings, dataset=who.dataset(ctx.iris)).rows


def _select_public(ctx: Context, name: str, bindings: dict) -> list[dict]:
    """The rows of a named query about public records only (participation, legislation, cases,
    strategies: no restricted graph holds any), over the public graphs whoever asks: the same rows
    as over a signed-in official's graphs, but the embedded store answers them from its public
    mirror, 7-14x faster than over the official's list of graphs (legislation-of-country for
    Canada: 3.3 s against 0.36 s), which made an official's country page take 7.5 s."""
    return ctx.reads.select(ctx.library.get(name).text, bindings=bindings, dataset=PUBLIC.dataset(ctx.iris)).rows


# -- the list --------------------------------------------------------------------------------------

class CountryRow(BaseModel):
    code: str
    name: str = Field(description="Its English name (the code where the data has none).")
    iri: str
    href: str = Field(description="Its page in the explorer.")
    counts: dict[str, int] = Field(description="Records per kind (kinds without a record left out).")


class Column(BaseModel):
    kind: str
    label: str
    total: int = Field(description="Records of the kind over every row.")


class CountryList(BaseModel):
    sort: str = Field(description="name, code or a kind of record.")
    order: str = Field(description="asc or desc.")
    columns: list[Column] = Field(description="The kinds of record any row has, in their usual order.")
    rows: list[CountryRow] = Field(description="In the order asked for.")
    query: str = Field(default="records-per-country", description="The named query behind it.")


def _key(row: CountryRow, sort: str) -> tuple:
    if sort == "name":
        return (row.name.casefold(), row.code)
    if sort == "code":
        return (row.code,)
    return (row.counts.get(sort, 0), row.name.casefold())


def country_list(ctx: Context, who: Caller, sort: str = "name", order: str = "asc") -> CountryList:
    """Every State and jurisdiction a record names, sorted by ``sort`` (name, code or a kind; another
    value: name) in ``order`` (asc or desc; another value: asc)."""
    sort = sort if sort in SORTS else "name"
    order = order if order in ("asc", "desc") else "asc"
    rows: dict[str, CountryRow] = {}
    for record in _select(ctx, who, "records-per-country", {}):
        iri = str(record["jurisdiction"])
        code = str(record["code"]) if record.get("code") else iri.rsplit("/", 1)[-1]
        if not CODE.fullmatch(code):
            continue
        row = rows.setdefault(iri, CountryRow(code=code, name=str(record["name"]) if record.get("name") else code,
                                              iri=iri, href=f"/explore/countries/{code}", counts={}))
        row.counts[str(record["kind"])] = int(record["records"])
    table = sorted(rows.values(), key=lambda r: _key(r, sort), reverse=(order == "desc"))
    totals = {kind: sum(r.counts.get(kind, 0) for r in table) for kind, _ in KINDS}
    columns = [Column(kind=kind, label=label, total=totals[kind]) for kind, label in KINDS if totals[kind]]
    return CountryList(sort=sort, order=order, rows=table, columns=columns)


# -- one State -------------------------------------------------------------------------------------

class Participation(BaseModel):
    code: str = Field(description="The instrument: untoc, tip, som or fp.")
    name: str
    title: str | None
    status: str = Field(description="party, signatory, ... or none recorded (never \"not party\").")
    signature: str | None
    consent: str | None = Field(description="The date of the consent to be bound.")
    action: str | None = Field(description="Ratification, accession, acceptance, approval, succession.")
    declarations: str | None


class CoverageSource(BaseModel):
    source: str | None
    file: str | None
    as_at: str | None
    participants: int
    parties: int


class Coverage(BaseModel):
    """What the store records of participation in an instrument (api/implementation.py: coverage)."""

    instrument: str
    participants: int
    parties: int
    sources: list[CoverageSource]
    party_count: int | None
    counts_as_at: str | None
    sentence: str


class CountryProvision(BaseModel):
    iri: str
    href: str
    number: str
    path: str = Field(description="Its numbers from the law down.")
    citation: str
    heading: str | None
    law: str = Field(description="The law's title (its IRI where it has none).")
    law_href: str
    claim: str = Field(description="cited (the legislation record says so) or editorial (mapped by our editors).")


class ProvisionLegislation(BaseModel):
    reference: str = Field(description="The Convention or Protocol provision.")
    href: str | None
    title: str | None
    national: list[CountryProvision]


class Law(BaseModel):
    iri: str
    href: str
    title: str
    adopted: str | None
    in_force: str | None
    parts: int = Field(description="How many provisions it has.")


class YearCount(BaseModel):
    year: int
    cases: int


class CountryCase(BaseModel):
    id: str
    title: str
    year: str | None
    href: str = Field(description="Its page in the explorer (/explore/cases/{id}).")
    crime_types: list[str] = Field(description="Their notations.")
    crime_type_names: list[str] = Field(description="Their names, in the language asked for (else English).")


class Cases(BaseModel):
    total: int
    undated: int = Field(description="Cases without a year.")
    per_year: list[YearCount] = Field(description="Years with a case, oldest first.")
    latest: list[CountryCase] = Field(description=f"The latest {LATEST}.")
    query: str


class DesignationOf(BaseModel):
    reference: str = Field(description="The provision it is made under (untoc/art/18/13).")
    label: str = Field(description="That provision in words, in the language asked for "
                                   "(Organized Crime Convention, Article 18 (13)).")
    matter: str | None = Field(description="What it is designated for, in words, in the language asked for where the "
                                           "vocabulary has it, else English.")
    matter_lang: str | None = Field(description="That label's language.")
    date: str | None
    href: str | None


class Contact(BaseModel):
    address: str | None
    telephone: str | None
    email: str | None
    fax: str | None
    hours: str | None
    person: str | None


class Authority(BaseModel):
    iri: str
    href: str = Field(description="Its page for readers (/explore/authorities/{id}).")
    name: str
    legal_basis: str | None = Field(description="Whether it accepts the Convention as legal basis (true, false).")
    languages: str | None = Field(description="The languages it accepts requests in: ISO 639-1 codes (en, fr).")
    language_names: list[str] = Field(description="Their names, in the language asked for (the code where none is "
                                                  "known), ordered by name.")
    channels: str | None = Field(description="The channels it accepts requests through, as the data spells them "
                                             "(direct, diplomatic, interpol).")
    channel_names: list[str] = Field(description="Those channels in words, in the language asked for (the data's "
                                                 "spelling where none is known): direct, diplomatic, INTERPOL.")
    designations: list[DesignationOf]
    contact: Contact | None = Field(description="Its contact details: only for a caller who may read them.")


class StrategyProvision(BaseModel):
    reference: str
    href: str | None


class Strategy(BaseModel):
    href: str
    title: str
    body: str | None = Field(description="The issuing body.")
    adopted: str | None
    start: str | None
    end: str | None
    crime_types: str | None
    provisions: list[StrategyProvision]


class Country(BaseModel):
    """A State, international jurisdiction or regional organization and its records."""

    code: str
    iri: str
    href: str = Field(description="Its linked-data page.")
    kind: str = Field(description="State, International jurisdiction, Regional economic integration organization.")
    name: Picked | None = Field(description="Its name in the language asked for, or the fallback.")
    note: str | None
    language: str
    participation: list[Participation] = Field(description="Per instrument (none for an international jurisdiction).")
    coverage: list[Coverage]
    provisions: list[ProvisionLegislation] = Field(description="Its national provisions per Convention provision.")
    laws: list[Law]
    cases: Cases
    authorities: list[Authority]
    contacts_shown: bool = Field(description="Whether the caller may read the authorities' contact details.")
    strategies: list[Strategy]


def _provision_href(ctx: Context, reference: str) -> str | None:
    """The Convention browser's page of a provision given by its reference (untoc/art/18/13)."""
    try:
        ctx.iris.provision(reference)
    except UsageError:
        return None
    return "/explore/instruments/" + reference


def _provision_key(reference: str) -> tuple:
    instrument, _, rest = reference.partition("/art/")
    order = INSTRUMENTS.index(instrument) if instrument in INSTRUMENTS else len(INSTRUMENTS)
    parts = tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in rest.split("/"))
    return (order, parts)


def _number_key(number: str) -> tuple:
    match = re.match(r"(\d+)(.*)", number)
    return (0, int(match.group(1)), match.group(2)) if match else (1, 0, number)


def participation(ctx: Context, iri: URIRef) -> list[Participation]:
    return [Participation(code=str(row["code"]), name=INSTRUMENT_NAMES.get(str(row["code"]), str(row["code"])),
                          title=_text(row, "instrumentTitle"), status=str(row["status"]),
                          signature=_text(row, "signatureDate"), consent=_text(row, "consentDate"),
                          action=_text(row, "actionLabel") or _text(row, "action"),
                          declarations=_text(row, "declarations"))
            for row in _select_public(ctx, "participation-of-state", {"country": iri})]


def legislation(ctx: Context, iri: URIRef, wanted: str) -> tuple[list[ProvisionLegislation], list[Law]]:
    """(each Convention provision with the national provisions linked to it, each marked with its
    claim, cited or editorial (``legislation-of-country``); each law of the State with how many
    provisions it has (``laws-of-country``)). Titles and headings in ``wanted`` where the data has it."""
    bindings: dict[str, URIRef | Literal] = {"country": iri, "language": Literal(wanted)}
    laws = [Law(iri=str(row["law"]), href=law_href(ctx.iris, str(row["law"])) or str(row["law"]),
                title=_text(row, "lawTitle") or str(row["law"]).rsplit("/", 1)[-1],
                adopted=_text(row, "adopted"), in_force=_text(row, "inForce"),
                parts=int(str(row["parts"])) if row.get("parts") is not None else 0)
            for row in _select_public(ctx, "laws-of-country", bindings)]
    provisions: dict[str, dict] = {}
    for row in _select_public(ctx, "legislation-of-country", bindings):
        national_iri = str(row["national"])
        path = _text(row, "path") or str(row["number"])
        national = CountryProvision(
            iri=national_iri, href=law_href(ctx.iris, national_iri) or national_iri, number=str(row["number"]), path=path,
            citation=national_citation(national_iri, path, str(row["number"])), heading=_text(row, "heading"),
            law=_text(row, "lawTitle") or str(row["law"]), law_href=law_href(ctx.iris, str(row["law"])) or str(row["law"]),
            claim=_text(row, "claim") or "cited")
        provision_iri = str(row["provision"])
        reference = _text(row, "reference") or ctx.iris.provision_reference(provision_iri) or provision_iri
        entry = provisions.setdefault(reference, {"reference": reference, "href": _provision_href(ctx, reference),
                                                  "title": _text(row, "provisionTitle"), "national": {}})
        entry["national"].setdefault((national_iri, national.claim), national)
    by_provision = [ProvisionLegislation(**{**p, "national": sorted(
        p["national"].values(), key=lambda n: (n.law, [_number_key(step) for step in n.path.split()]))})
        for _, p in sorted(provisions.items(), key=lambda item: _provision_key(item[0]))]
    return by_provision, sorted(laws, key=lambda law: law.title.casefold())


def cases(ctx: Context, iri: URIRef, wanted: str) -> Cases:
    named = "cases-of-country"
    rows = _select_public(ctx, named, {"country": iri, "language": Literal(wanted)})
    per_year: dict[int, int] = defaultdict(int)
    undated = 0
    for row in rows:
        year = row.get("year")
        if year is not None and re.fullmatch(r"-?\d+", str(year)):
            per_year[int(str(year))] += 1
        else:
            undated += 1
    latest = [CountryCase(id=str(row["id"]), title=str(row["title"]), year=_text(row, "year"),
                        href=case_href(ctx.iris, str(row["case"])) or str(row["case"]),
                        crime_types=[t for t in str(row.get("crimeTypes") or "").split(";") if t],
                        crime_type_names=sorted(t for t in str(row.get("crimeTypeNames") or "").split(";") if t))
              for row in rows[:LATEST]]
    return Cases(total=len(rows), undated=undated, latest=latest, query=named,
                 per_year=[YearCount(year=y, cases=n) for y, n in sorted(per_year.items()) if n])


def _codes(value: str | None) -> list[str]:
    """The values of a GROUP_CONCAT (``fr, en``), each once."""
    return list(dict.fromkeys(v.strip() for v in (value or "").split(",") if v.strip()))


def _channel_key(code: str) -> tuple:
    return (list(CHANNELS).index(code), "") if code in CHANNELS else (len(CHANNELS), code)


def authorities(ctx: Context, who: Caller, iri: URIRef, wanted: str) -> list[Authority]:
    """The competent national authorities of ``iri``: their provisions, languages and channels by
    their codes and in words, in ``wanted`` where the interface is translated into it (else English);
    their contact details where the caller may read them."""
    shown = interface_language(wanted)
    gettext = translations(shown).gettext
    result = []
    found = _select(ctx, who, "authorities-of-country", {"country": iri})
    matters = matter_labels(ctx, who, wanted) if found else {}
    for row in found:
        designations = []
        for line in str(row.get("designations") or "").split("\n"):
            if not line.strip():
                continue
            reference, matter, date, notation = (line.split("|") + ["", "", ""])[:4]
            words = matters.get(notation)  # the matter in the language asked for, else the English label
            designations.append(DesignationOf(reference=reference, label=provision_words(reference, wanted),
                                              matter=words.text if words else matter or None,
                                              matter_lang=words.lang if words else ("en" if matter else None),
                                              date=date or None, href=_provision_href(ctx, reference)))
        email = _text(row, "email")
        contact = Contact(address=_text(row, "street"), telephone=_text(row, "telephone"),
                          email=email[len("mailto:"):] if email and email.startswith("mailto:") else email,
                          fax=_text(row, "fax"), hours=_text(row, "officeHours"), person=_text(row, "contactPerson"))
        authority = str(row["authority"])
        page = authority_href(ctx.iris, authority) or ctx.iris.href(authority) or authority
        result.append(Authority(iri=authority, href=page,
                                name=_text(row, "name") or authority.rsplit("/", 1)[-1],
                                legal_basis=_text(row, "legalBasis"), languages=_text(row, "languages"),
                                language_names=sorted((language_name(code, shown) for code in
                                                       _codes(_text(row, "languages"))), key=str.casefold),
                                channels=_text(row, "channels"),
                                channel_names=[gettext(CHANNELS[code]) if code in CHANNELS else code
                                               for code in sorted(_codes(_text(row, "channels")), key=_channel_key)],
                                designations=designations,
                                contact=contact if any(contact.model_dump().values()) else None))
    return result


def strategies(ctx: Context, iri: URIRef) -> list[Strategy]:
    return [Strategy(href=ctx.iris.href(str(row["strategy"])) or str(row["strategy"]),
                     title=_text(row, "title") or str(row["strategy"]).rsplit("/", 1)[-1],
                     body=_text(row, "issuingBody"), adopted=_text(row, "adopted"),
                     start=_text(row, "periodStart"), end=_text(row, "periodEnd"), crime_types=_text(row, "crimeTypes"),
                     provisions=[StrategyProvision(reference=ref, href=_provision_href(ctx, ref))
                                 for ref in (_text(row, "provisions") or "").split("; ") if ref])
            for row in _select_public(ctx, "strategies-of-country", {"country": iri})]


def country(ctx: Context, who: Caller, code: str, wanted: str) -> Country:
    """The State or jurisdiction ``code`` and its records; NotFound for a malformed or unknown code."""
    if not CODE.fullmatch(code):
        raise NotFound("This is not a country code: a State is named by its ISO 3166-1 alpha-3 code in capitals "
                       "(e.g. BRA).")
    identity = internal("explorer-jurisdiction")
    bindings = identity.bindings({"country": str(ctx.iris.country(code)), "body": str(ctx.iris.jurisdiction(code))},
                                 ctx.iris)
    rows = ctx.reads.select(identity.text, bindings=bindings, dataset=who.dataset(ctx.iris)).rows
    if not rows:
        raise NotFound(f"No State or jurisdiction with the code {code} is known.")
    iri = URIRef(str(rows[0]["jurisdiction"]))
    kind = _TYPES.get(str(rows[0]["type"]), N_("Jurisdiction"))
    labels = {(row["label"].language if isinstance(row["label"], Literal) else None): str(row["label"])
              for row in rows if row.get("label") is not None and str(row["jurisdiction"]) == str(iri)}
    by_provision, laws = legislation(ctx, iri, wanted)
    state_like = kind != "International jurisdiction"
    return Country(
        code=code, iri=str(iri), href=ctx.iris.href(str(iri)) or str(iri), kind=kind, name=pick(labels, wanted),
        note=next((str(row["note"]) for row in rows if row.get("note")), None), language=wanted,
        participation=participation(ctx, iri) if state_like else [],
        coverage=[Coverage.model_validate(c) for c in core.coverage(ctx, who)] if state_like else [],
        provisions=by_provision, laws=laws, cases=cases(ctx, iri, wanted),
        authorities=authorities(ctx, who, iri, wanted),
        contacts_shown=who.may_see(str(ctx.iris.graph("authorities-restricted")), ctx.iris),
        strategies=strategies(ctx, iri))


# -- routes ---------------------------------------------------------------------------------------

@router.get("/api/countries", response_model=CountryList, summary="States and jurisdictions with their records")
def countries_json(sort: str = Query("name", description="name, code, or a kind of record: "
                                                    + ", ".join(k for k, _ in KINDS)),
                   order: str = Query("asc", description="asc or desc"), ctx: Context = Depends(reading),
                   who: Caller = Depends(caller)) -> CountryList:
    """Every State, international jurisdiction and regional organization that a record names, with
    how many records of each kind it has (of the records the caller may read)."""
    return country_list(ctx, who, sort, order)


@router.get("/api/countries/{code}", response_model=Country, summary="A State or jurisdiction and its records")
def country_json(request: Request,
                 code: str = Path(description="ISO 3166-1 alpha-3 (BRA), or a jurisdiction's code (IRB)"),
                 lang: str | None = Query(None, description="The language of names and titles (en, fr, es, ar, zh, "
                                                            "ru, de, it, nl); else the browser's, else English."),
                 ctx: Context = Depends(reading), who: Caller = Depends(caller)) -> Country:
    """Its participation, its legislation per provision, its cases, its authorities (contact
    details only for a caller who may read them), its strategies."""
    return country(ctx, who, code, language(request))
