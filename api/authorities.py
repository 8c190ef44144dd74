"""A competent national authority as its reader page shows it (issue 18), as JSON:

    GET /api/authorities/{id}   the authority (CNA Directory): its name in the language asked for
                                where the data has it, its State (linked to its country page), what
                                it is designated for (the designation matter in words) and under
                                which provision (linked to the Convention browser), the languages it
                                accepts requests in (their names), the channels (in words), whether
                                it accepts the Convention as legal basis, its contact details for a
                                caller who may read them, and where the record comes from, in words

The JSON twin (api/explorer/twins.py) of ``/explore/authorities/{id}`` (:mod:`api.explorer.authorities`),
which renders the same model. The data come from the internal queries ``authority-page``,
``authority-designations`` and ``record-provenance`` (sparql/internal/), over the caller's graphs
(``Caller.dataset``): the contact details are in the restricted graph ``authorities-restricted`` only,
so the public gets ``contact: null`` and ``contacts_shown: false``, here as on the page.

Open world: a fact the record does not hold is left out (None or an empty list), never "none".
"""

from __future__ import annotations

from collections import defaultdict

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, Field
from rdflib import Literal, URIRef

from sherloc_kg.access import Caller
from sherloc_kg.errors import NotFound, UsageError
from sherloc_kg.iris import is_iso3
from sherloc_kg.queries import internal

from .cases import Named, Provenance, record_provenance
from .context import Context, caller, reading
from .countries import CHANNELS, Contact
from .explorer import twins
from .explorer.i18n import interface_language, language_name, translations
from .explorer.layout import language, pick
from .instruments import provision_words

router = APIRouter(tags=["authorities"], dependencies=[Depends(twins.links_back)])

#: The contact details (restricted): field of authority-page.rq → Contact's field.
CONTACT = {"address": "address", "telephone": "telephone", "email": "email", "fax": "fax",
           "officeHours": "hours", "contactPerson": "person"}


class Designated(BaseModel):
    """A designation: what for (the matter in words) and under which provision."""

    matter: str | None = Field(description="The designation matter in words, in the language asked for "
                                           "(else English): Mutual legal assistance.")
    matter_lang: str | None = Field(description="That label's language.")
    reference: str | None = Field(description="The provision it is made under (untoc/art/18/13).")
    provision: str | None = Field(description="That provision in words: Organized Crime Convention, Article 18 (13).")
    href: str | None = Field(description="Its page in the Convention browser.")
    date: str | None = Field(description="The date of the notification to the Secretary-General (ISO).")


class AuthorityData(BaseModel):
    """A competent national authority and what the caller may read of it."""

    language: str
    id: str
    iri: str
    resource: str = Field(description="Its linked-data page (the RDF view).")
    name: str
    name_lang: str | None = Field(description="The name's language (None: untagged).")
    state: list[Named] = Field(description="The State that designated it (its country page).")
    designations: list[Designated]
    languages: list[str] = Field(description="The languages it accepts requests in: ISO 639-1 codes (en, fr).")
    language_names: list[str] = Field(description="Their names in the language asked for, ordered by name.")
    channels: list[str] = Field(description="The channels it accepts requests through, as the data spells them.")
    channel_names: list[str] = Field(description="Those channels in words, in the language asked for.")
    legal_basis: bool | None = Field(description="Whether it accepts the Convention as legal basis for extradition.")
    contact: Contact | None = Field(description="Its contact details: only for a caller who may read them.")
    contacts_shown: bool = Field(description="Whether the caller may read the authorities' contact details.")
    provenance: Provenance


def authority(ctx: Context, who: Caller, authority_id: str, wanted: str) -> AuthorityData:
    """The authority ``authority_id`` (its identifier, unescaped); NotFound when the caller's graphs hold none."""
    if not authority_id or any(ord(c) < 32 for c in authority_id):
        raise NotFound("This is not an authority identifier.")
    try:
        iri = ctx.iris.authority(authority_id)
    except UsageError:
        raise NotFound("This is not an authority identifier.") from None
    dataset = who.dataset(ctx.iris)
    shown = interface_language(wanted)
    gettext = translations(shown).gettext

    def rows(name: str, parameter: str) -> list[dict]:
        return ctx.reads.select(internal(name).text, bindings={parameter: iri}, dataset=dataset).rows

    facts = rows("authority-page", "authority")
    if not facts:
        raise NotFound(f"No authority with the identifier “{authority_id}” is recorded.")
    literals: dict[str, dict[str | None, str]] = defaultdict(dict)
    lists: dict[str, list[str]] = defaultdict(list)
    states: dict[str, dict[str | None, str]] = {}
    for row in facts:
        field, value = str(row["field"]), row["value"]
        if field == "country":
            labels = states.setdefault(str(value), {})
            label = row.get("label")
            if isinstance(label, Literal):
                labels.setdefault(label.language, str(label))
        elif field in ("languageAccepted", "channel", "telephone", "email", "fax"):
            text = str(value).removeprefix("mailto:") if isinstance(value, URIRef) else str(value)
            if text not in lists[field]:
                lists[field].append(text)
        elif isinstance(value, Literal):
            literals[field].setdefault(value.language, str(value))

    def one(field: str) -> str | None:
        found = pick(literals.get(field, {}), wanted)
        return found.text if found else None

    state = []
    for value, labels in states.items():
        code = ctx.iris.below(value, "id/country/")
        chosen = pick(labels, wanted)
        state.append(Named(iri=value, label=chosen.text if chosen else (code or value),
                           lang=chosen.lang if chosen else None,
                           href="/explore/countries/" + code if code and is_iso3(code) else None))
    contact_values = {key: ", ".join(lists[field]) if field in lists else one(field) for field, key in CONTACT.items()}
    contact = Contact(**contact_values)
    name = pick(literals.get("name", {}), wanted)
    legal_basis = one("acceptsConventionAsLegalBasis")
    channels = sorted(lists.get("channel", []), key=lambda c: (list(CHANNELS).index(c), "") if c in CHANNELS
                      else (len(CHANNELS), c))
    return AuthorityData(
        language=wanted, id=one("id") or authority_id, iri=str(iri), resource=ctx.iris.href(str(iri)) or str(iri),
        name=name.text if name else authority_id, name_lang=name.lang if name else None,
        state=sorted(state, key=lambda n: n.label.casefold()), designations=_designations(rows("authority-designations", "authority"), wanted),
        languages=lists.get("languageAccepted", []),
        language_names=sorted((language_name(code, shown) for code in lists.get("languageAccepted", [])),
                              key=str.casefold),
        channels=channels, channel_names=[gettext(CHANNELS[c]) if c in CHANNELS else c for c in channels],
        legal_basis=None if legal_basis is None else legal_basis == "true",
        contact=contact if any(contact.model_dump().values()) else None,
        contacts_shown=who.may_see(str(ctx.iris.graph("authorities-restricted")), ctx.iris),
        provenance=record_provenance(ctx, dataset, iri, wanted))


def _designations(rows: list[dict], wanted: str) -> list[Designated]:
    """The authority's designations (the rows of authority-designations.rq), the matter picked in
    ``wanted`` (else English)."""
    found: dict[str, dict] = {}
    for row in rows:
        entry = found.setdefault(str(row["designation"]), {
            "reference": str(row["reference"]) if row.get("reference") is not None else None,
            "date": str(row["date"]) if row.get("date") is not None else None, "labels": {}})
        if row.get("matterLabel") is not None:
            entry["labels"].setdefault(row["matterLabel"].language, str(row["matterLabel"]))
    result = []
    for entry in found.values():
        matter = pick(entry["labels"], wanted)
        reference = entry["reference"]
        result.append(Designated(matter=matter.text if matter else None, matter_lang=matter.lang if matter else None,
                                 reference=reference, provision=provision_words(reference, wanted) if reference else None,
                                 href="/explore/instruments/" + reference if reference else None, date=entry["date"]))
    return result


@router.get("/api/authorities/{authority_id:path}", response_model=AuthorityData,
            summary="A competent national authority, as its reader page shows it")
def authority_json(request: Request,
                   authority_id: str = Path(description="The authority's identifier, e.g. XAA-central-authority-mla"),
                   lang: str | None = Query(None, description="The language of labels and texts (en, fr, es, ar, zh, "
                                                              "ru, de, it, nl); else the browser's, else English."),
                   ctx: Context = Depends(reading), who: Caller = Depends(caller)) -> AuthorityData:
    """Its name, State, designations (matter and provision), languages and channels in words, its
    contact details for a caller who may read them, where the record comes from."""
    return authority(ctx, who, authority_id, language(request))
