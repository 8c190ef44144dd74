"""A national law and its provisions as its reader page shows them (issue 18), as JSON:

    GET /api/laws/{ISO3}/{law id}   the law: its title in the language asked for (else English, else
                                    the language it has), the State (linked to its country page),
                                    its type, dates and in-force status, its provisions in order
                                    (each with its anchor on the page, heading and words, the
                                    Convention and Protocol provisions it gives effect to, each
                                    marked cited, editorial (with who and why) or inferred (with
                                    why), and the court cases applying it), where the record comes
                                    from in words, and the RDF view

The JSON twin (api/explorer/twins.py) of ``/explore/laws/{ISO3}/{law id}`` (:mod:`api.explorer.laws`),
which renders the same model. The data come from the internal queries ``law-page``,
``law-provisions``, ``law-implements``, ``law-cases`` and ``law-provenance`` (sparql/internal/), over
the caller's graphs (``Caller.dataset``). The law's IRI is minted by :meth:`Iris.legislation`; a
provision's place on the page by :func:`api.explorer.layout.law_href`.

Open world: a fact the record does not hold is left out (None or an empty list), never "none".
"""

from __future__ import annotations

import re
from collections import defaultdict
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, Field
from rdflib import Literal

from sherloc_kg.access import Caller
from sherloc_kg.errors import NotFound, UsageError
from sherloc_kg.iris import is_iso3
from sherloc_kg.queries import internal

from .cases import Named, Provenance
from .context import Context, caller, reading
from .explorer import i18n, twins
from .explorer.i18n import N_
from .explorer.layout import Picked, case_href, language, law_href, pick, url
from .instruments import national_citation, provision_words

router = APIRouter(tags=["laws"], dependencies=[Depends(twins.links_back)])

#: ELI's in-force table, in words.
IN_FORCE = {"InForce-inForce": N_("in force"), "InForce-notInForce": N_("not in force"),
            "InForce-partiallyInForce": N_("partially in force")}
#: A unit heading its law's units, by the segment of its IRI (``…/sec/117``, ``…/art/210``).
UNIT_WORDS = {"sec": N_("Section %(number)s"), "art": N_("Article %(number)s")}
#: The claims a link to a Convention provision rests on, in the order the page gives them.
CLAIMS = ("cited", "editorial", "inferred")


class Implementation(BaseModel):
    reference: str = Field(description="The Convention or Protocol provision, e.g. untoc/art/5/1/a.")
    label: str = Field(description="The provision in words: Organized Crime Convention, Article 5 (1) (a).")
    href: str = Field(description="Its page in the Convention browser.")
    claim: str = Field(description="cited (the legislation record says so), editorial (our editors mapped the two "
                                   "texts) or inferred (it implements one of the provision's parts).")
    reason: str | None = Field(description="Why the editors say so (their words, in English).")
    editor: str | None = Field(description="Who says so (an editorial claim).")
    date: str | None = Field(description="When the editors said so (ISO).")
    through: list[str] = Field(description="An inferred link: the parts it implements, in words.")
    explain: str | None = Field(description="The workbench running why-inferred for this provision and link.")


class Applied(BaseModel):
    iri: str
    id: str
    title: str
    year: str | None
    href: str = Field(description="The case's reader page.")


class Unit(BaseModel):
    """A provision of the law: an article, a section, or a unit below one (its children)."""

    iri: str
    anchor: str = Field(description="Its id on the law's page (art-210, sec-117-1).")
    href: str = Field(description="The law's page at this provision.")
    resource: str = Field(description="Its linked-data page (the RDF view).")
    number: str
    label: str = Field(description="Its number in words where it heads the law's units (Article 210), else (1).")
    citation: str = Field(description="Its place in the law in words (section 117 (1)).")
    title: Picked | None = Field(description="Its heading or marginal note.")
    heading: Picked | None = Field(description="The heading of the part of the law it stands under.")
    text: Picked | None
    in_force_from: str | None = Field(description="When the version recorded came into force (ISO).")
    changed_by: list[Named] = Field(description="The laws that enacted or replaced it.")
    implements: list[Implementation]
    cases: list[Applied] = Field(description="Court cases applying it.")
    children: list[Unit]


class LawData(BaseModel):
    """A national law, its provisions and what the database links to them."""

    language: str
    country: str = Field(description="ISO 3166-1 alpha-3.")
    id: str
    iri: str
    resource: str = Field(description="Its linked-data page (the RDF view).")
    title: Picked
    state: list[Named] = Field(description="The State it is a law of (its country page).")
    citation: str | None = Field(description="Its publisher's identifier (R.S.C. 1985, c. C-46).")
    type: list[Named]
    adopted: str | None = Field(description="Its date (adoption, royal assent; ISO).")
    in_force: str | None = Field(description="Its in-force status, in words.")
    pages: list[str] = Field(description="Its pages at its publisher.")
    eli: str | None = Field(description="The European Legislation Identifier it is the same as.")
    amends: list[Named]
    amended_by: list[Named]
    provisions: list[Unit] = Field(description="Its provisions in order, each with the units below it.")
    provisions_language: str | None = Field(description="The language the provisions' texts are shown in, where the "
                                                         "data has none of them in the language asked for.")
    claims: list[str] = Field(description="What cited, editorial and inferred mean (in the language asked for).")
    provenance: Provenance


def _year(value: object) -> str | None:
    return str(value) if value is not None else None


def _order(number: str, position: str | None) -> tuple:
    """A unit among its siblings: by its position where the source gives one, else by its number."""
    match = re.search(r"(\d+)(.*)", number)
    by_number = (0, int(match.group(1)), match.group(2)) if match else (1, 0, number)
    return (int(position) if position is not None else 0, by_number)


def _unit_label(iri: str, number: str, top: bool, gettext) -> str:
    """``Article 210``, ``Section 117``, a number that names its unit as written (``Art. 4.``), ``(1)``."""
    if number[:1].isalpha() and not number.isalpha():
        return number
    if not top:
        return f"({number})"
    return gettext(UNIT_WORDS["sec" if "/sec/" in iri else "art"]) % {"number": number}


def _implementations(ctx: Context, rows: list[dict], wanted: str) -> dict[str, list[Implementation]]:
    """Each unit's links to Convention provisions, cited and editorial before inferred, a link inferred
    where a claim names it too left out."""
    claims: dict[str, dict[tuple[str, str], Implementation]] = defaultdict(dict)
    for row in rows:
        unit, reference, claim = str(row["unit"]), str(row["reference"]), str(row["claim"])
        claims[unit].setdefault((reference, claim), Implementation(
            reference=reference, label=provision_words(reference, wanted), href="/explore/instruments/" + reference,
            claim=claim, reason=str(row["reason"]) if row.get("reason") is not None else None,
            editor=str(row["editor"]) if row.get("editor") is not None else None,
            date=str(row["date"]) if row.get("date") is not None else None, through=[], explain=None))
    result: dict[str, list[Implementation]] = {}
    for unit, found in claims.items():
        stated = {reference for reference, claim in found if claim != "inferred"}
        links = []
        for (reference, claim), link in found.items():
            if claim == "inferred":
                if reference in stated:
                    continue
                link.through = [provision_words(r, wanted) for r in sorted(stated) if r.startswith(reference + "/")]
                link.explain = url("/explore/sparql", query="why-inferred",
                                   subject=ctx.iris.below(unit, "id/") or unit, provision=reference)
            links.append(link)
        result[unit] = sorted(links, key=lambda i: (CLAIMS.index(i.claim), i.reference))
    return result


def law(ctx: Context, who: Caller, code: str, law_id: str, wanted: str) -> LawData:
    """The law ``law_id`` (unescaped) of the State ``code``; NotFound when the caller's graphs hold none."""
    if not is_iso3(code) or not law_id or any(ord(c) < 32 for c in law_id):
        raise NotFound("This is not a law's identifier.")
    try:
        iri = str(ctx.iris.legislation(code, law_id))
    except UsageError:
        raise NotFound("This is not a law's identifier.") from None
    dataset = who.dataset(ctx.iris)
    gettext = i18n.translations(i18n.interface_language(wanted)).gettext

    def rows(name: str) -> list[dict]:
        query = internal(name)
        return ctx.reads.select(query.text, bindings=query.bindings({"law": iri}, ctx.iris), dataset=dataset).rows

    facts = rows("law-page")
    if not facts:
        raise NotFound(f"No law with the identifier “{law_id}” is recorded for {code}.")
    literals: dict[str, dict[str | None, str]] = defaultdict(dict)
    values: dict[str, dict[str, dict[str | None, str]]] = defaultdict(dict)
    for row in facts:
        field, value = str(row["field"]), row["value"]
        if isinstance(value, Literal):
            literals[field].setdefault(value.language, str(value))
            continue
        labels = values[field].setdefault(str(value), {})
        if row.get("label") is not None:
            label = row["label"]
            labels.setdefault(label.language if isinstance(label, Literal) else None, str(label))

    def one(field: str) -> str | None:
        found = pick(literals.get(field, {}), wanted)
        return found.text if found else None

    def named(field: str) -> list[Named]:
        result = []
        for value, labels in values.get(field, {}).items():
            chosen = pick(labels, wanted)
            # a law the store has no title for is not loaded (an act another act only names): no page
            href = (law_href(ctx.iris, value) if labels else None) or (f"/explore/countries/{code}" if field == "country" else None)
            result.append(Named(iri=value, label=chosen.text if chosen else value.rstrip("/").rsplit("/", 1)[-1],
                                lang=chosen.lang if chosen else None, href=href))
        return sorted(result, key=lambda n: n.label.casefold())

    status = next((IN_FORCE[v.rsplit("#", 1)[-1]] for v in values.get("in_force", {})
                   if v.rsplit("#", 1)[-1] in IN_FORCE), None)
    local = one("id_local")
    provenance_rows = rows("law-provenance")
    newest = provenance_rows[0] if provenance_rows else {}
    description = next((str(r["description"]) for r in provenance_rows if r.get("description") is not None), None)
    provenance = Provenance(sherloc=None,
                            as_of=next((str(r["asOf"]) for r in provenance_rows if r.get("asOf") is not None), None),
                            loaded=str(newest["loaded"])[:10] if newest.get("loaded") is not None else None,
                            sentence=None)
    provenance.sentence = _sentence(provenance, description, wanted)
    units = _units(ctx, iri, rows("law-provisions"), _implementations(ctx, rows("law-implements"), wanted),
                   _cases(ctx, rows("law-cases")), wanted)
    return LawData(
        language=wanted, country=code, id=one("id") or law_id, iri=iri, resource=ctx.iris.href(iri) or iri,
        title=pick(literals.get("title", {}), wanted) or Picked(law_id, None, False), state=named("country"),
        citation=local if local and not urlsplit(local).scheme else None, type=named("type_document"),
        adopted=one("date_document"), in_force=gettext(status) if status else None,
        pages=sorted(values.get("page", {})), eli=next(iter(sorted(values.get("sameAs", {}))), None),
        amends=named("amends") + named("repeals"), amended_by=named("amended_by") + named("repealed_by"),
        provisions=units, provisions_language=_fallback(units), claims=[gettext(CLAIM_WORDS[c]) for c in CLAIMS], provenance=provenance)


def _fallback(units: list[Unit]) -> str | None:
    """The language of the first text or heading shown in another language than the one asked for."""
    for unit in units:
        for picked in (unit.title, unit.text):
            if picked is not None and picked.fallback:
                return picked.lang
        below = _fallback(unit.children)
        if below:
            return below
    return None


def _cases(ctx: Context, rows: list[dict]) -> dict[str, list[Applied]]:
    found: dict[str, list[Applied]] = defaultdict(list)
    for row in rows:
        case = str(row["case"])
        found[str(row["unit"])].append(Applied(iri=case, id=str(row["id"]), title=str(row.get("title") or row["id"]),
                                               year=_year(row.get("year")), href=case_href(ctx.iris, case) or case))
    return found


def _units(ctx: Context, law_iri: str, rows: list[dict], implements: dict[str, list[Implementation]],
           cases: dict[str, list[Applied]], wanted: str) -> list[Unit]:
    """The law's units as a tree, each level in order."""
    gettext = i18n.translations(i18n.interface_language(wanted)).gettext
    facts: dict[str, dict] = {}
    for row in rows:
        unit = str(row["unit"])
        entry = facts.setdefault(unit, {"parent": str(row["parent"]), "number": str(row["number"]),
                                        "position": _year(row.get("position")), "fields": defaultdict(dict),
                                        "changed_by": {}})
        field, value = row.get("field"), row.get("value")
        if field is None or value is None:
            continue
        if str(field) == "changed_by":
            labels = entry["changed_by"].setdefault(str(value), {})
            if row.get("label") is not None:
                labels.setdefault(row["label"].language, str(row["label"]))
        elif isinstance(value, Literal):
            entry["fields"][str(field)].setdefault(value.language, str(value))
    children: dict[str, list[str]] = defaultdict(list)
    for unit, entry in facts.items():
        children[entry["parent"]].append(unit)

    def build(unit: str, path: list[str]) -> Unit:
        entry = facts[unit]
        fields = entry["fields"]
        steps = [*path, entry["number"]]
        start = fields.get("inForceStartDate", {})
        changed = []
        for other, labels in entry["changed_by"].items():
            chosen = pick(labels, wanted)
            changed.append(Named(iri=other, label=chosen.text if chosen else other.rsplit("/", 1)[-1],
                                 lang=chosen.lang if chosen else None, href=law_href(ctx.iris, other) if labels else None))
        href = law_href(ctx.iris, unit) or unit
        return Unit(iri=unit, anchor=href.partition("#")[2], href=href, resource=ctx.iris.href(unit) or unit,
                    number=entry["number"], label=_unit_label(unit, entry["number"], not path, gettext),
                    citation=national_citation(unit, " ".join(steps), entry["number"]),
                    title=pick(fields.get("title", {}), wanted), heading=pick(fields.get("heading", {}), wanted),
                    text=pick(fields.get("text", {}), wanted), in_force_from=next(iter(start.values()), None),
                    changed_by=changed, implements=implements.get(unit, []), cases=cases.get(unit, []),
                    children=[build(c, steps) for c in ordered(unit)])

    def ordered(parent: str) -> list[str]:
        return sorted(children.get(parent, []), key=lambda u: _order(facts[u]["number"], facts[u]["position"]))

    return [build(unit, []) for unit in ordered(law_iri)]


def _sentence(provenance: Provenance, description: str | None, wanted: str) -> str | None:
    """Where the record comes from, in words: the source file's own description where it gives one,
    then when it was loaded."""
    interface = i18n.interface_language(wanted)
    gettext = i18n.translations(interface).gettext
    parts = []
    if provenance.as_of:
        parts.append(gettext("From a source dated %(date)s.") % {"date": i18n.date(provenance.as_of, interface)})
    if provenance.loaded:
        parts.append(gettext("Loaded into this database on %(date)s.") % {"date": i18n.date(provenance.loaded, interface)})
    sentence = " ".join(parts)
    return f"{description} {sentence}".strip() if description else (sentence or None)


#: What the claims mean, as the page explains them.
CLAIM_WORDS = {
    "cited": N_("“cited”: the legislation record itself says the provision gives effect to the Convention "
                "provision"),
    "editorial": N_("“editorial mapping”: our editors read the two texts and mapped them (with who, when and why); "
                    "never the State’s own statement"),
    "inferred": N_("“inferred”: the provision gives effect to a part of the Convention provision, and so counts "
                   "for the whole; a rule of this database draws the link"),
}


@router.get("/api/laws/{code}/{law_id:path}", response_model=LawData, summary="A national law, as its reader page "
                                                                               "shows it")
def law_json(request: Request, code: str = Path(description="The State, ISO 3166-1 alpha-3 (e.g. CAN)"),
             law_id: str = Path(description="The law's identifier, e.g. W-11.2"),
             lang: str | None = Query(None, description="The language of titles and texts (en, fr, es, ar, zh, ru, "
                                                        "de, it, nl); else the browser's, else English."),
             ctx: Context = Depends(reading), who: Caller = Depends(caller)) -> LawData:
    """Its title, State, dates, its provisions in order with their words, the Convention provisions
    each gives effect to (cited, editorial or inferred, and why), the cases applying them, and where
    the record comes from."""
    return law(ctx, who, code, law_id, language(request))
