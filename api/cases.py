"""A court case as its reader page shows it (issue 18), as JSON:

    GET /api/cases/{id}   the case: title, the State or body whose courts decided (linked to its
                          country page), court, year and date, crime types and cross-cutting issues
                          in words, the elements of trafficking it records (linked to TIP art. 3 (a)),
                          the provisions it cites or concerns (each marked cited or inferred, with
                          the grounds of an inference), the national provisions it applies, its
                          SHERLOC record, where the record comes from in words, and related cases

The JSON twin (api/explorer/twins.py) of ``/explore/cases/{id}`` (:mod:`api.explorer.cases`), which
renders the same model. The data come from three internal queries (``case-page``, ``case-related``,
``case-provenance``, sparql/internal/) and the named query ``provisions-of-case``, over the caller's
graphs (``Caller.dataset``). An identifier may hold any character: the IRI is minted by
:meth:`Iris.case` and read back by :meth:`Iris.case_id`; the page's path escapes it as the IRI does.

Open world: a fact the record does not hold is left out (None or an empty list), never "none".
Labels and texts come in the language asked for where the data has them, else in English.
"""

from __future__ import annotations

from collections import defaultdict
from urllib.parse import unquote

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, Field
from rdflib import Literal, URIRef

from sherloc_kg.access import Caller
from sherloc_kg.errors import NotFound, UsageError
from sherloc_kg.iris import is_iso3
from sherloc_kg.queries import NamedQuery, internal
from sherloc_kg.store import Dataset

from .context import Context, caller, reading
from .explorer import i18n, twins
from .explorer.i18n import N_
from .explorer.layout import Picked, case_href, language, law_href, pick, url
from .instruments import GROUNDS, national_citation, provision_words

router = APIRouter(tags=["cases"], dependencies=[Depends(twins.links_back)])

#: Where SHERLOC keeps its case-law records: a case whose source is there comes "from SHERLOC".
SHERLOC_CASE_LAW = "https://www.unodc.org/cld/"
#: The definition of trafficking in persons whose elements a case records.
TIP_DEFINITION = "tip/art/3/a"
#: The kinds of element of trafficking, in the order of art. 3 (a), with their headings.
ELEMENTS = (("tipAct", N_("Act")), ("tipMeans", N_("Means")), ("tipPurpose", N_("Purpose")))
#: The vocabularies whose concepts link to the case search filtered by them: (scheme, parameter).
SEARCHED = (("crime-type", "crime_type"), ("cross-cutting-issue", "issue"))


class Named(BaseModel):
    """A resource by its label in the language asked for (else English), with the page it links to."""

    iri: str
    label: str
    lang: str | None = Field(description="The label's language (None: untagged).")
    href: str | None = Field(description="Its page for readers: a State's country page, a case's page, the search for "
                                         "a crime type's cases, TIP art. 3 (a) for an element; None for a court.")


class Element(BaseModel):
    kind: str = Field(description="tipAct, tipMeans or tipPurpose.")
    heading: str = Field(description="Act, Means, Purpose (in the language asked for).")
    values: list[Named]


class ProvisionLink(BaseModel):
    reference: str = Field(description="The provision's reference, e.g. tip/art/3/a.")
    label: str = Field(description="The provision in words: Trafficking in Persons Protocol, Article 3 (a).")
    href: str = Field(description="Its page in the Convention browser.")
    link: str = Field(description="asserted (the case record cites it) or inferred (a rule of sparql/rules/ links them).")
    why: list[str] = Field(description="The grounds of an inference (keys: cited-part, national-law, tip-elements, crime-type).")
    grounds: list[str] = Field(description="The same in words (English).")
    explain: str | None = Field(description="The workbench running why-inferred for this case and provision.")


class NationalApplied(BaseModel):
    iri: str
    href: str
    label: str = Field(description="Its law's title and its number: Penal Code, article 210.")


class Related(BaseModel):
    iri: str
    id: str
    title: str
    year: str | None
    href: str
    shared: int = Field(description="Elements of trafficking and cited provisions it has in common with the case.")


class Provenance(BaseModel):
    sherloc: str | None = Field(description="The case's record on SHERLOC, where it comes from there.")
    as_of: str | None = Field(description="The date the source's own header gives for its content (ISO).")
    loaded: str | None = Field(description="When the record was last loaded into this database (ISO date).")
    sentence: str | None = Field(description="The same in words, in the language asked for.")


class CaseData(BaseModel):
    """A court case and what the database links to it."""

    language: str
    id: str
    iri: str
    resource: str = Field(description="Its linked-data page (the RDF view).")
    title: str
    year: str | None
    date: str | None = Field(description="The date of the decision (ISO).")
    decided_by: list[Named] = Field(description="The State or body whose courts decided (its country page).")
    court: list[Named]
    court_level: list[Named]
    crime_types: list[Named]
    issues: list[Named] = Field(description="Cross-cutting issues.")
    elements: list[Element] = Field(description="The elements of trafficking in persons (TIP art. 3 (a)) it records.")
    definition: ProvisionLink | None = Field(description="TIP art. 3 (a), which the elements are those of.")
    summary: Picked | None
    involved: list[Named] = Field(description="Other countries involved.")
    appeal_of: list[Named]
    national: list[NationalApplied] = Field(description="National provisions it applies.")
    provisions: list[ProvisionLink] = Field(description="Convention and Protocol provisions it cites or concerns.")
    grounds: list[str] = Field(description="What the grounds of inference mean (in the language asked for).")
    provenance: Provenance
    related: list[Related] = Field(description="Cases decided in the same State (or by the same body) sharing a crime "
                                               "type, those sharing the most elements and cited provisions first.")
    related_rule: str = Field(description="What related means, in the language asked for.")
    queries: list[str] = Field(description="The named query behind the provisions (the workbench runs it).")


def _reader_href(ctx: Context, iri: str) -> str | None:
    """The reader's page of a value: a State's country page, a case's page, the case search for a
    crime type or a cross-cutting issue; None for a value without one (a court: its data are in the
    case's RDF view)."""
    code = ctx.iris.below(iri, "id/country/")
    if code is not None and is_iso3(code):
        return "/explore/countries/" + code
    for scheme, parameter in SEARCHED:
        notation = ctx.iris.below(iri, f"vocab/{scheme}/")
        if notation:
            return url("/explore/search/cases", **{parameter: unquote(notation)})
    return case_href(ctx.iris, iri)


def _named(ctx: Context, iri: str, labels: dict[str | None, str], wanted: str, href: str | None) -> Named:
    chosen = pick(labels, wanted)
    if chosen is None:  # no label: the case's identifier, else the IRI's last segment (the RDF view has the IRI)
        return Named(iri=iri, label=ctx.iris.case_id(iri) or iri.rstrip("/").rsplit("/", 1)[-1], lang=None, href=href)
    return Named(iri=iri, label=chosen.text, lang=chosen.lang, href=href)


def _provision(ctx: Context, reference: str, wanted: str, link: str = "asserted", why: list[str] | None = None,
               subject: str | None = None) -> ProvisionLink:
    why = why or []
    explain = None
    if link == "inferred" and subject:
        explain = url("/explore/sparql", query="why-inferred", subject=subject, provision=reference)
    return ProvisionLink(reference=reference, label=provision_words(reference, wanted),
                         href="/explore/instruments/" + reference, link=link, why=why,
                         grounds=[GROUNDS[g] for g in why if g in GROUNDS], explain=explain)


def provenance_sentence(provenance: Provenance, wanted: str) -> str | None:
    """Where the record comes from, in words: "From the SHERLOC case listing of 9 August 2026. Loaded into
    this database on 7 December 2026." (each part only where the provenance holds it)."""
    gettext = i18n.translations(i18n.interface_language(wanted)).gettext
    interface = i18n.interface_language(wanted)
    parts = []
    if provenance.sherloc and provenance.as_of:
        parts.append(gettext("From the SHERLOC case listing of %(date)s.") % {"date": i18n.date(provenance.as_of, interface)})
    elif provenance.sherloc:
        parts.append(gettext("From the SHERLOC case law database."))
    elif provenance.as_of:
        parts.append(gettext("From a source dated %(date)s.") % {"date": i18n.date(provenance.as_of, interface)})
    if provenance.loaded:
        parts.append(gettext("Loaded into this database on %(date)s.") % {"date": i18n.date(provenance.loaded, interface)})
    return " ".join(parts) or None


def record_provenance(ctx: Context, dataset: Dataset, iri: URIRef, wanted: str) -> Provenance:
    """Where a record of another kind than a case (an authority, a publication) comes from, in words:
    ``record-provenance`` (sparql/internal/) over ``dataset``."""
    found = ctx.reads.select(internal("record-provenance").text, bindings={"record": iri}, dataset=dataset).rows
    newest = found[0] if found else {}
    provenance = Provenance(sherloc=None, as_of=next((str(r["asOf"]) for r in found if r.get("asOf") is not None), None),
                            loaded=str(newest["loaded"])[:10] if newest.get("loaded") is not None else None,
                            sentence=None)
    provenance.sentence = provenance_sentence(provenance, wanted)
    return provenance


def case(ctx: Context, who: Caller, case_id: str, wanted: str) -> CaseData:
    """The case ``case_id`` (its identifier, unescaped); NotFound when the caller's graphs hold none."""
    if not case_id or any(ord(c) < 32 for c in case_id):
        raise NotFound("This is not a case identifier.")
    iri = str(ctx.iris.case(case_id))
    dataset = who.dataset(ctx.iris)
    gettext = i18n.translations(i18n.interface_language(wanted)).gettext

    def rows(query: NamedQuery) -> list[dict]:
        try:
            bindings = query.bindings({"case": case_id}, ctx.iris)
        except UsageError:
            raise NotFound("This is not a case identifier.") from None
        return ctx.reads.select(query.text, bindings=bindings, dataset=dataset).rows

    facts = rows(internal("case-page"))
    if not facts:
        raise NotFound(f"No case with the identifier “{case_id}” is recorded.")
    literals: dict[str, dict[str | None, str]] = defaultdict(dict)
    values: dict[str, dict[str, dict[str | None, str]]] = defaultdict(dict)
    national: dict[str, dict] = {}
    for row in facts:
        field, value = str(row["field"]), row["value"]
        if isinstance(value, Literal):
            literals[field].setdefault(value.language, str(value))
            continue
        labels = values[field].setdefault(str(value), {})
        if row.get("label") is not None:
            label = row["label"]
            labels.setdefault(label.language if isinstance(label, Literal) else None, str(label))
        if field == "appliesNationalProvision" and row.get("number") is not None:
            entry = national.setdefault(str(value), {"number": str(row["number"]), "titles": {}})
            if row.get("lawTitle") is not None:
                entry["titles"].setdefault(row["lawTitle"].language, str(row["lawTitle"]))

    def one(field: str) -> str | None:
        found = pick(literals.get(field, {}), wanted)
        return found.text if found else None

    def named(field: str, href: str | None = None) -> list[Named]:
        """The values of ``field`` by label, each linked to ``href`` or to its reader's page."""
        return sorted((_named(ctx, value, labels, wanted, href or _reader_href(ctx, value))
                       for value, labels in values.get(field, {}).items()), key=lambda n: n.label.casefold())

    source = next(iter(values.get("source", {})), None)
    sherloc = source if source and source.startswith(SHERLOC_CASE_LAW) else None
    provenance_rows = rows(internal("case-provenance"))
    newest = provenance_rows[0] if provenance_rows else {}
    provenance = Provenance(sherloc=sherloc,
                            as_of=next((str(r["asOf"]) for r in provenance_rows if r.get("asOf") is not None), None),
                            loaded=str(newest["loaded"])[:10] if newest.get("loaded") is not None else None,
                            sentence=None)
    provenance.sentence = provenance_sentence(provenance, wanted)

    subject = ctx.iris.below(iri, "id/") or iri
    links = [_provision(ctx, str(r["reference"]), wanted, str(r["link"]),
                        [g for g in str(r.get("why") or "").split() if g], subject)
             for r in rows(ctx.library.get("provisions-of-case")) if ctx.iris.provision_reference(str(r["provision"]))]
    definition = _provision(ctx, TIP_DEFINITION, wanted)
    elements = [Element(kind=kind, heading=gettext(heading), values=named(kind, definition.href))
                for kind, heading in ELEMENTS]
    elements = [e for e in elements if e.values]
    related = [Related(iri=str(r["other"]), id=str(r["id"]), title=str(r["title"]),
                       year=str(r["year"]) if r.get("year") is not None else None,
                       href=case_href(ctx.iris, str(r["other"])) or str(r["other"]), shared=int(str(r["shared"])))
               for r in rows(internal("case-related"))]
    used = [g for g in GROUNDS if any(g in p.why for p in links)]
    return CaseData(
        language=wanted, id=one("id") or case_id, iri=iri, resource=ctx.iris.href(iri) or iri,
        title=one("title") or case_id, year=one("decisionYear"), date=one("decisionDate"),
        decided_by=named("body") or named("jurisdiction"), court=named("decidedBy"), court_level=named("courtLevel"),
        crime_types=named("crimeType"), issues=named("crossCuttingIssue"), elements=elements,
        definition=definition if elements else None,
        summary=pick(literals.get("summary", {}), wanted), involved=named("involvedCountry"),
        appeal_of=named("appealOf"),
        national=sorted((NationalApplied(iri=n, href=law_href(ctx.iris, n) or n, label=_national_label(n, entry, wanted))
                         for n, entry in national.items()), key=lambda n: n.label.casefold()),
        provisions=links, grounds=[gettext(GROUND_WORDS[g]) for g in used if g in GROUND_WORDS],
        provenance=provenance, related=related,
        related_rule=gettext("Related cases: other cases decided in the same State or by the same body that share a "
                             "crime type with this one; those sharing the most elements of trafficking and cited "
                             "provisions come first (at most ten)."),
        queries=["provisions-of-case"])


#: The grounds of an inference, as the page explains them (translated; GROUNDS of api/instruments.py in English).
GROUND_WORDS = {
    "cited-part": N_("“part cited”: the case cites one of the provision’s parts"),
    "national-law": N_("“national law”: the case applies national law recorded (or mapped by our editors) as "
                       "implementing the provision"),
    "tip-elements": N_("“trafficking elements”: the case records the act, means and purpose of trafficking that "
                       "the Trafficking in Persons Protocol, article 3 (a) defines"),
    "crime-type": N_("“crime type”: the case’s crime type is one that the provision obliges States to criminalize"),
}
#: Short words for each ground, beside an inferred provision.
GROUND_SHORT = {"cited-part": N_("part cited"), "national-law": N_("national law"),
                "tip-elements": N_("trafficking elements"), "crime-type": N_("crime type")}


def _national_label(iri: str, entry: dict, wanted: str) -> str:
    title = pick(entry["titles"], wanted)
    cited = national_citation(iri, entry["number"], entry["number"])
    return f"{title.text}, {cited}" if title else cited


@router.get("/api/cases/{case_id:path}", response_model=CaseData, summary="A court case, as its reader page shows it")
def case_json(request: Request, case_id: str = Path(description="The case's identifier, e.g. ALB001"),
              lang: str | None = Query(None, description="The language of labels and texts (en, fr, es, ar, zh, ru, "
                                                         "de, it, nl); else the browser's, else English."),
              ctx: Context = Depends(reading), who: Caller = Depends(caller)) -> CaseData:
    """Its facts, the elements of trafficking it records, the provisions it cites or concerns (cited
    or inferred, and why), its SHERLOC record, where it comes from, related cases."""
    return case(ctx, who, case_id, language(request))
