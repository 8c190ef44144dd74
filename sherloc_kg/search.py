"""Faceted search over the record kinds, and a record as a plain JSON-able view; independent of
HTTP so that the JSON API and the explorer share one implementation.

Search
------
:func:`parse` turns query parameters (name → list of strings) into a :class:`SearchRequest`,
refusing anything malformed with a :class:`UsageError` that names the parameter; :func:`search`
runs it in the store over the caller's dataset and returns a dict::

    {"kind", "total", "page", "size", "sort", "items": [...], "facets": {name: [{"value", "label", "count"}]}}

Semantics (the README repeats them):

- Values of one facet are OR-ed (``country=ALB&country=BRA``: either), facets are AND-ed.
- ``provision`` matches a record linked to that provision or to any of its parts (``untoc/art/5``
  matches a case on ``untoc/art/5/1/a``); for cases both the asserted ``sherloc:refersToProvision``
  and the inferred ``sherloc:concernsProvision`` count. ``issue`` likewise matches narrower issues.
- ``tip_act``, ``tip_means``, ``tip_purpose`` (cases): the elements of the definition of trafficking
  in persons (TIP Protocol, art. 3 (a)) a case records (``sherloc:tipAct``/``tipMeans``/``tipPurpose``,
  notations of the tip-act/tip-means/tip-purpose schemes). They filter in every search; their counts
  are returned only when asked for (``search(..., extra_facets=True)``, as the explorer does), so the
  JSON API's facets stay those it documents.
- ``q``: every word must occur somewhere on the record, case- and accent-insensitively ("bresil"
  finds "Brésil"), as part of a word: in its title, summary, identifier and other texts
  (keywords; a publication's authors; a strategy's issuing body), or in a label, in any language
  the store holds, of what it links to (a case's State or jurisdiction, court, crime types,
  cross-cutting issues and TIP elements; a law's State and the crime types and issues of it or
  its provisions; ...): ``Kind.texts`` and ``Kind.labelled``.
- The counts of a facet are computed over the records matching every *other* filter: the facet's
  own filter is left out, so the counts say what choosing another value would give. (A facet's
  value list includes broader provisions/issues, with the count the filter on them would give.)
- Order is stable: the sort key, then the record id, then the IRI; every page of a result is a
  slice of one total order, so paging through covers each record exactly once.

Every query runs in the store (Oxigraph), over the dataset the caller may see. User values never
reach the query text raw: each is validated and then written as an RDF term (``sparql_term``).
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from rdflib import Literal, URIRef

from .errors import NotFound, UsageError
from .iris import Iris, is_iso3
from .namespaces import PREFIXES, SHERLOC
from .store import Dataset, Store
from .store.terms import sparql_term

_PROLOGUE = "".join(f"PREFIX {name}: <{ns}>\n" for name, ns in PREFIXES.items())

MAX_SIZE = 100
DEFAULT_SIZE = 20
MAX_Q_LENGTH = 200
MAX_VALUES = 50  # values of one repeatable parameter

_NOTATION = re.compile(r"[a-z0-9][a-z0-9-]{0,199}")
_YEAR = re.compile(r"-?[0-9]{1,4}")
_INT = re.compile(r"[0-9]{1,6}")
_IRI = re.compile(r"[a-z][a-z0-9+.-]*:[^\x00-\x20<>\"{}|\\^`]+")


# -- what each kind has ------------------------------------------------------------------------
@dataclass(frozen=True)
class Facet:
    """One facet: how a record (``{r}``) reaches the facet's values (``{v}``).

    ``kind`` is ``country`` (values are country or jurisdiction IRIs, shown by code),
    ``concept`` (SKOS concepts of ``scheme``, shown by notation; narrower concepts count for their
    broader ones) or ``provision`` (Convention provisions, shown by reference; parts count for the
    provisions that contain them)."""

    name: str
    path: str
    kind: str
    scheme: str | None = None
    label: str = ""

    @property
    def full_path(self) -> str:
        """The property path from a record to every value that counts for it. One path with the
        record bound goes forwards; a separate ``?x skos:broader* ?y`` step would not (Oxigraph
        enumerates a zero-length path over every node when both ends are free)."""
        if self.kind == "concept":
            return f"({self.path})/skos:broader*"
        if self.kind == "provision":
            return f"({self.path})/eli:is_part_of*"
        return self.path

    def pattern(self, r: str, v: str, n: int) -> str:
        """``{r}`` has value ``{v}`` (a variable: the values are restricted to the facet's own)."""
        if self.kind == "provision":
            return f"{r} {self.full_path} {v} . {v} sherloc:instrument ?_i{n} ."
        return f"{r} {self.full_path} {v} ."


@dataclass(frozen=True)
class Kind:
    """A searchable record kind: its class, its title and summary properties, its year, its facets."""

    name: str
    cls: str
    titles: tuple[str, ...]
    summaries: tuple[str, ...]
    facets: tuple[Facet, ...]
    year: str | None = None        # property giving the record's year (an integer or a date)
    year_is_date: bool = False
    year_label: str = ""
    extra_facets: tuple[Facet, ...] = ()  # filter always; counted only on request (the explorer)
    #: What the words of q are looked for in besides titles and summaries: literal properties of
    #: the record, and the labels (every language) of what it links to, each a tuple of steps from
    #: the record (a step: one property or an alternative of properties, never a sequence: see
    #: :func:`_word_filter`).
    texts: tuple[str, ...] = ("dcterms:identifier",)
    labelled: tuple[tuple[str, ...], ...] = ()

    def facet(self, name: str) -> Facet | None:
        return next((f for f in self.all_facets if f.name == name), None)

    @property
    def all_facets(self) -> tuple[Facet, ...]:
        return self.facets + self.extra_facets

    @property
    def facet_names(self) -> list[str]:
        return [f.name for f in self.all_facets] + (["year"] if self.year else [])

    def year_expr(self, var: str) -> str:
        """The year of a value of the year property, as an xsd:integer."""
        return f"xsd:integer(SUBSTR(STR({var}), 1, 4))" if self.year_is_date else var


def _country(path: str, label: str) -> Facet:
    return Facet("country", path, "country", label=label)


def _crime(path: str = "sherloc:crimeType") -> Facet:
    return Facet("crime_type", path, "concept", "crime-type", "crime type (sherloc:crimeType)")


def _issue(path: str = "sherloc:crossCuttingIssue") -> Facet:
    return Facet("issue", path, "concept", "cross-cutting-issue", "cross-cutting issue (sherloc:crossCuttingIssue)")


def _provision(path: str, label: str) -> Facet:
    return Facet("provision", path, "provision", label=label)


#: The elements of the definition of trafficking in persons (TIP Protocol, art. 3 (a)) a case records.
TIP_FACETS = (
    Facet("tip_act", "sherloc:tipAct", "concept", "tip-act", "TIP Protocol art. 3 (a): act (sherloc:tipAct)"),
    Facet("tip_means", "sherloc:tipMeans", "concept", "tip-means", "TIP Protocol art. 3 (a): means (sherloc:tipMeans)"),
    Facet("tip_purpose", "sherloc:tipPurpose", "concept", "tip-purpose",
          "TIP Protocol art. 3 (a): purpose of exploitation (sherloc:tipPurpose)"),
)


#: The kinds of /api/search/{kind}; facets only where docs/model.md gives the kind the property.
KINDS: dict[str, Kind] = {
    "cases": Kind(
        "cases", "sherloc:CourtCase", ("dcterms:title",), ("dcterms:abstract",),
        (_country("sherloc:jurisdiction", "deciding State or international jurisdiction (sherloc:jurisdiction)"),
         _provision("sherloc:refersToProvision|sherloc:concernsProvision",
                    "Convention provision referred to (asserted) or concerned (inferred)"),
         _crime(), _issue()),
        year="sherloc:decisionYear", year_label="year of decision (sherloc:decisionYear)",
        extra_facets=TIP_FACETS,
        texts=("dcterms:identifier", "sherloc:keyword"),
        labelled=(("sherloc:jurisdiction|sherloc:decidedBy|sherloc:decidedByBody|sherloc:courtLevel"
                   "|sherloc:crimeType|sherloc:crossCuttingIssue|sherloc:tipAct|sherloc:tipMeans|sherloc:tipPurpose",),)),
    "legislation": Kind(
        "legislation", "sherloc:NationalLegislation", ("dcterms:title",), (),
        (_country("sherloc:country", "State (sherloc:country)"),
         # a provision at any depth (a subsection of a section); cited by the record or mapped by our editors
         _provision("eli:has_part+/eli:applies",
                    "Convention provision one of its provisions implements (eli:applies: cited or editorial)"),
         # the law's or one of its provisions' (written with "?", not as an alternative: Virtuoso 7.2
         # found nothing through "crimeType|has_part/crimeType" once a provision filter was joined)
         _crime("eli:has_part?/sherloc:crimeType"),
         _issue("eli:has_part?/sherloc:crossCuttingIssue")),
        year="eli:date_document", year_is_date=True, year_label="year of adoption (eli:date_document)",
        labelled=(("sherloc:country|sherloc:crimeType|sherloc:crossCuttingIssue",),
                  ("eli:has_part", "sherloc:crimeType|sherloc:crossCuttingIssue"))),
    "treaties": Kind(
        "treaties", "sherloc:CooperationTreaty", ("dcterms:title",), (),
        (_country("sherloc:party", "party (sherloc:party)"),),
        year="sherloc:signatureDate", year_is_date=True, year_label="year of signature (sherloc:signatureDate)",
        labelled=(("sherloc:party|sherloc:treatySubject|sherloc:treatyType",),)),
    "strategies": Kind(
        "strategies", "sherloc:Strategy", ("dcterms:title",), ("dcterms:abstract",),
        (_country("sherloc:country", "State (sherloc:country)"),
         _provision("sherloc:addressesProvision", "Convention provision addressed (sherloc:addressesProvision)"),
         _crime(), _issue()),
        year="eli:date_document", year_is_date=True, year_label="year of adoption (eli:date_document)",
        texts=("dcterms:identifier", "sherloc:issuingBody"),
        labelled=(("sherloc:country|sherloc:crimeType|sherloc:crossCuttingIssue",),)),
    "publications": Kind(
        "publications", "bibo:Document", ("dcterms:title",), ("dcterms:abstract",),
        (_country("sherloc:concernsCountry", "country concerned (sherloc:concernsCountry)"), _crime()),
        year="sherloc:publicationYear", year_label="year of publication (sherloc:publicationYear)",
        texts=("dcterms:identifier", "dcterms:creator", "sherloc:keyword"),
        labelled=(("sherloc:concernsCountry|sherloc:crimeType",),)),
    "authorities": Kind(
        "authorities", "sherloc:CompetentNationalAuthority", ("skos:prefLabel",), (),
        (_country("sherloc:country", "State (sherloc:country)"),
         _provision("sherloc:designation/sherloc:designatedUnder",
                    "Convention provision it is designated under (sherloc:designatedUnder)")),
        texts=("dcterms:identifier", "skos:altLabel"),
        labelled=(("sherloc:country",),)),
}

#: Query parameters of a search; the repeatable ones may be given several times.
FACET_PARAMETERS = {"country": "country", "provision": "provision", "crime_type": "crime_type", "issue": "issue",
                    "tip_act": "tip_act", "tip_means": "tip_means", "tip_purpose": "tip_purpose",
                    "year_from": "year", "year_to": "year"}
PARAMETERS = (*FACET_PARAMETERS, "q", "page", "size", "sort")
REPEATABLE = ("country", "provision", "crime_type", "issue", "tip_act", "tip_means", "tip_purpose")
#: Concept facets: parameter → vocabulary scheme.
CONCEPT_PARAMETERS = {"crime_type": "crime-type", "issue": "cross-cutting-issue", "tip_act": "tip-act",
                      "tip_means": "tip-means", "tip_purpose": "tip-purpose"}
SORTS = ("year_desc", "year_asc", "title", "id")


@dataclass
class SearchRequest:
    kind: Kind
    countries: list[str] = field(default_factory=list)
    provisions: list[str] = field(default_factory=list)
    crime_types: list[str] = field(default_factory=list)
    issues: list[str] = field(default_factory=list)
    tip: dict[str, list[str]] = field(default_factory=dict)  # tip_act / tip_means / tip_purpose → notations
    year_from: int | None = None
    year_to: int | None = None
    words: list[str] = field(default_factory=list)
    q: str | None = None
    #: The records the words match, once :func:`_resolve_words` has listed them (None: not listed,
    #: the queries find them themselves).
    matched: list[str] | None = None
    page: int = 1
    size: int = DEFAULT_SIZE
    sort: str = "year_desc"

    def values(self, facet: str) -> list[str]:
        if facet in ("tip_act", "tip_means", "tip_purpose"):
            return self.tip.setdefault(facet, [])
        return {"country": self.countries, "provision": self.provisions, "crime_type": self.crime_types,
                "issue": self.issues}[facet]


def kind_of(name: str) -> Kind:
    if name not in KINDS:
        raise NotFound(f"no searchable kind '{name}'; kinds: {', '.join(KINDS)}")
    return KINDS[name]


def parse(kind_name: str, params: Mapping[str, Sequence[str]]) -> SearchRequest:
    """Validate query parameters; a UsageError names the first parameter that does not fit."""
    kind = kind_of(kind_name)
    for name, values in params.items():
        if name not in PARAMETERS:
            raise UsageError(f"unknown parameter '{name}'; a search takes: {', '.join(PARAMETERS)}")
        if name not in REPEATABLE and len(values) > 1:
            raise UsageError(f"parameter '{name}' may be given only once")
        if len(values) > MAX_VALUES:
            raise UsageError(f"parameter '{name}': at most {MAX_VALUES} values")
        facet = FACET_PARAMETERS.get(name)
        if facet and facet not in kind.facet_names and any(v != "" for v in values):
            raise UsageError(f"parameter '{name}': {kind.name} have no {facet} facet; "
                             f"facets of {kind.name}: {', '.join(kind.facet_names) or 'none'}")
    request = SearchRequest(kind, sort="year_desc" if kind.year else "title")

    def given(name: str) -> list[str]:
        return [v.strip() for v in params.get(name, []) if v.strip()]

    for value in given("country"):
        if not is_iso3(value):
            raise UsageError(f"parameter 'country': '{value}' is not an ISO 3166-1 alpha-3 code (three capital letters)")
        request.countries.append(value)
    for value in given("provision"):
        try:
            Iris().provision(value)
        except UsageError as error:
            raise UsageError(f"parameter 'provision': {error}") from None
        request.provisions.append(value)
    for name in CONCEPT_PARAMETERS:
        target = request.values(name)
        for value in given(name):
            if not _NOTATION.fullmatch(value):
                raise UsageError(f"parameter '{name}': '{value}' is not a vocabulary notation "
                                 "(lower-case letters, digits and hyphens, e.g. trafficking-in-persons)")
            target.append(value)
    for name in ("year_from", "year_to"):
        for value in given(name):
            if not _YEAR.fullmatch(value):
                raise UsageError(f"parameter '{name}': '{value}' is not a year (a whole number, e.g. 2010)")
            setattr(request, name, int(value))
    if request.year_from is not None and request.year_to is not None and request.year_from > request.year_to:
        raise UsageError(f"parameter 'year_from': {request.year_from} is after year_to {request.year_to}")
    for value in given("q"):
        if len(value) > MAX_Q_LENGTH:
            raise UsageError(f"parameter 'q': at most {MAX_Q_LENGTH} characters")
        request.q = value
        request.words = list(dict.fromkeys(value.lower().split()))[:20]
    for value in given("page"):
        if not _INT.fullmatch(value) or int(value) < 1:
            raise UsageError(f"parameter 'page': '{value}' is not a page number (1, 2, ...)")
        request.page = int(value)
    for value in given("size"):
        if not _INT.fullmatch(value) or not 1 <= int(value) <= MAX_SIZE:
            raise UsageError(f"parameter 'size': '{value}' is not a page size from 1 to {MAX_SIZE}")
        request.size = int(value)
    for value in given("sort"):
        if value not in SORTS:
            raise UsageError(f"parameter 'sort': '{value}' is not one of {', '.join(SORTS)}")
        if value.startswith("year") and not kind.year:
            raise UsageError(f"parameter 'sort': {kind.name} have no year; sort by title or id")
        request.sort = value
    return request


# -- building the queries ---------------------------------------------------------------------
#: A term no record has: added to a VALUES block of one term. Virtuoso 7.2.5 answers a transitive
#: path from a variable a one-row VALUES binds (``VALUES ?r { <law> } ?r eli:has_part+/eli:applies
#: ?v``) as if the variable were free: every law's provisions, not this law's (measured; two rows,
#: or two columns, are answered right). Every VALUES here joins with triples of its own, which the
#: extra term never has, so it changes no answer.
_NO_RECORD = URIRef("urn:sherloc:no-record")


def _values(var: str, terms: Sequence[URIRef | Literal]) -> str:
    listed = [*terms, _NO_RECORD] if len(terms) == 1 else list(terms)
    return f"VALUES {var} {{ {' '.join(sparql_term(t) for t in listed)} }}"


def _facet_terms(facet: Facet, values: Sequence[str], iris: Iris) -> list[URIRef]:
    if facet.kind == "country":
        return [t for code in values for t in (iris.country(code), iris.jurisdiction(code))]
    if facet.kind == "concept":
        return [iris.concept(facet.scheme, v) for v in values]  # type: ignore[arg-type]
    return [iris.provision(v) for v in values]


def _filters(request: SearchRequest, iris: Iris, *, leave_out: str | None = None) -> list[str]:
    """The patterns that keep the ?r a search matches: one per active facet (but ``leave_out``), one
    for the years, and for the words of q the records they match (listed, or a subquery per word:
    :func:`_resolve_words`). Flat, at the level of ?r; every value inside is a validated term."""
    kind = request.kind
    clauses = []
    for number, facet in enumerate(kind.all_facets):
        values = request.values(facet.name)
        if not values or facet.name == leave_out:
            continue
        # the path walked from the bound ?r to a free end, compared with the values (validated terms):
        # one row per value reached, which the searches count and group by ?r. Not one EXISTS per
        # value with the value at the path's end: Virtuoso 7.2 took over two minutes over the facet
        # counts of a search by one country (EXISTS in every branch of their UNION), and it loses
        # paths ending at a constant once other patterns are joined (README, "Remote store").
        # (compared as strings: Virtuoso 7.2 turns an IRI compared with one IRI into an equivalence
        # its SPARQL compiler then fails on, SP031 "equiv replaces filter but under deprecation")
        terms = ", ".join(sparql_term(Literal(str(term))) for term in _facet_terms(facet, values, iris))
        clauses.append(f"?r {facet.full_path} ?_f{number} . FILTER(STR(?_f{number}) IN ({terms}))")
    if kind.year and leave_out != "year" and (request.year_from is not None or request.year_to is not None):
        tests = []
        if request.year_from is not None:
            tests.append(f"{kind.year_expr('?_yv')} >= {request.year_from}")
        if request.year_to is not None:
            tests.append(f"{kind.year_expr('?_yv')} <= {request.year_to}")
        clauses.append(f"FILTER EXISTS {{ ?r {kind.year} ?_yv FILTER({' && '.join(tests)}) }}")
    if request.words and request.matched is not None:
        clauses.append(_values("?r", [URIRef(record) for record in request.matched]))
    else:
        clauses += [_word_filter(kind, word, n) for n, word in enumerate(request.words)]
    return clauses


#: The most records a search's words may match for them to be listed in its queries (``VALUES``)
#: rather than found again by each (:func:`_resolve_words`); within what Virtuoso reads in one
#: VALUES block (store/servers.py: 4,094 terms).
MAX_LISTED_MATCHES = 1000


def _resolve_words(store: Store, request: SearchRequest, dataset: Dataset) -> SearchRequest:
    """The request with the records its words match listed (``matched``), when there are at most
    :data:`MAX_LISTED_MATCHES`: one query finds them, and the search's other queries (the total,
    the page, the count of every facet) start from that list instead of each looking for the
    words again (over the bundled cases, "money laundering" took 330 ms so, 60 ms listed). Words
    match regardless of the other filters, which the facet counts leave out one by one."""
    if not request.words:
        return request
    subqueries = " ".join(_word_filter(request.kind, word, n) for n, word in enumerate(request.words))
    query = (f"{_PROLOGUE}SELECT DISTINCT ?r WHERE {{ ?r a {request.kind.cls} . {subqueries} }} "
             f"LIMIT {MAX_LISTED_MATCHES + 1}")
    records = sorted(str(row["r"]) for row in store.select(query, dataset=dataset).rows)
    return request if len(records) > MAX_LISTED_MATCHES else replace(request, matched=records)


#: The labels of a linked resource that q searches, in every language the store holds.
LABELS = "skos:prefLabel|skos:altLabel"


def _word_filter(kind: Kind, word: str, n: int) -> str:
    """The records that have ``word`` in one of the texts a reader sees on them: the title, the
    summary and the kind's other ``texts``, or a label of a resource they link to (the kind's
    ``labelled`` paths), as a subquery joined on ``?r``. The labelled resources that match are
    found first, among every label of the store (a few thousand), and the records reached from
    them: not the labels of every record's links, nor in a ``FILTER EXISTS`` run once per record
    (Oxigraph 0.5 took 4 s for the bundled cases so, against 30 ms). A UNION of plain patterns,
    not one path (a sequence inside an alternative, such as ``a|b/c``, found nothing on Virtuoso
    7.2 once other patterns were joined: README, "Remote store"). The test is a regular
    expression (:func:`word_pattern`)."""
    text, link, part = f"?_t{n}", f"?_l{n}", f"?_p{n}"
    # LCASE: Virtuoso 7.2 matched no letter outside ASCII in the STR() of a literal, but in its LCASE
    test = f"FILTER(REGEX(LCASE(STR({text})), {sparql_term(Literal(word_pattern(word)))}, \"i\"))"
    texts = "|".join(dict.fromkeys(kind.titles + kind.summaries + kind.texts))
    branches = [f"{{ ?r a {kind.cls} ; {texts} {text} {test} }}"]
    if kind.labelled:
        matching = f"{{ SELECT DISTINCT {link} WHERE {{ {link} {LABELS} {text} {test} }} }}"
        for steps in kind.labelled:
            nodes = ["?r", *(f"{part}_{i}" for i in range(len(steps) - 1)), link]
            walk = " . ".join(f"{nodes[i]} {step} {nodes[i + 1]}" for i, step in enumerate(steps))
            branches.append(f"{{ {matching} {walk} }}")
    return f"{{ SELECT DISTINCT ?r WHERE {{ {' UNION '.join(branches)} }} }}"


def _letter_variants() -> dict[str, str]:
    """Each ASCII letter → the Latin letters that are it with diacritics (é, É, ç...), both cases."""
    variants: dict[str, list[str]] = defaultdict(list)
    for code in range(0xC0, 0x250):
        char = chr(code)
        base = unicodedata.normalize("NFD", char)[0]
        if base != char and base.isascii() and base.isalpha():
            variants[base.lower()].append(char)
    return {base: "".join(chars) for base, chars in variants.items()}


_VARIANTS = _letter_variants()
#: Characters written with a backslash in a SPARQL (XPath) regular expression.
_REGEX_META = set("\\|.-^?*+{}()[]$")
#: Apostrophes a word may be typed with (l'exploitation, l’exploitation).
_APOSTROPHES = "'’ʼ"


def word_pattern(word: str) -> str:
    """A regular expression (for REGEX with the "i" flag) matching ``word`` in a text whatever
    its accents: a letter matches itself and its accented forms in both cases ("bresil" and
    "Brésil" both match "BRÉSIL"), an apostrophe any apostrophe. Groups of alternatives rather
    than character classes, so that a server reading the text as UTF-8 bytes matches the same (a
    class would take one byte of a two-byte letter); plain groups, which every regular expression
    syntax of SPARQL (XPath) and its servers reads alike."""
    out = []
    for char in unicodedata.normalize("NFC", word):
        if unicodedata.combining(char):
            continue  # a mark left over (an "i" lowered from "İ"): the letter before it matches any form
        base = unicodedata.normalize("NFD", char)[0]
        key = base.lower() if base.isascii() and base.isalpha() else None
        if key is not None and key in _VARIANTS:
            out.append(f"({key}|{'|'.join(_VARIANTS[key])})")
        elif char in _APOSTROPHES:
            out.append(f"({'|'.join(_APOSTROPHES)})")
        elif char in _REGEX_META:
            out.append("\\" + char)
        else:
            out.append(key or char)
    return "".join(out)


def _body(request: SearchRequest, iris: Iris, *, leave_out: str | None = None, extra: str = "") -> str:
    return "\n  ".join([f"?r a {request.kind.cls} .", extra, *_filters(request, iris, leave_out=leave_out)])


def _where(request: SearchRequest, iris: Iris, *, leave_out: str | None = None, extra: str = "") -> str:
    return f"WHERE {{\n  {_body(request, iris, leave_out=leave_out, extra=extra)}\n}}"


def _check_known(store: Store, request: SearchRequest, iris: Iris, dataset: Dataset) -> None:
    """A well-formed provision or notation that names nothing is a mistake: say so (400)."""
    for name, scheme in (("provision", None), *CONCEPT_PARAMETERS.items()):
        values = request.values(name)
        if not values:
            continue
        if scheme is None:
            terms = [iris.provision(v) for v in values]
            pattern = "?x sherloc:instrument ?i ."
        else:
            terms = [iris.concept(scheme, v) for v in values]
            pattern = f"?x skos:inScheme {sparql_term(iris.scheme(scheme))} ."
        rows = store.select(f"{_PROLOGUE}SELECT DISTINCT ?x WHERE {{ {_values('?x', terms)} {pattern} }}",
                            dataset=dataset).rows
        found = {str(row["x"]) for row in rows}
        missing = [v for v, t in zip(values, terms) if str(t) not in found]
        if missing:
            what = "no such Convention provision" if scheme is None else f"no such concept in the {scheme} vocabulary"
            raise UsageError(f"parameter '{name}': {what}: {', '.join(missing)}")


# -- running a search -------------------------------------------------------------------------
def search(store: Store, iris: Iris, request: SearchRequest, dataset: Dataset, *, extra_facets: bool = False) -> dict:
    """Run a search over ``dataset``; see the module docstring for the shape of the result. With
    ``extra_facets``, the kind's extra facets (the TIP elements of cases) are counted too, and
    items carry their values (``tip_act``...)."""
    _check_known(store, request, iris, dataset)
    kind = request.kind
    counted = kind.all_facets if extra_facets else kind.facets
    request = _resolve_words(store, request, dataset)
    if request.matched == []:  # the words match nothing: no record, no facet value
        facets: dict[str, list[dict]] = {facet.name: [] for facet in counted}
        if kind.year:
            facets["year"] = []
        return {"kind": kind.name, "total": 0, "page": request.page, "size": request.size, "sort": request.sort,
                "items": [], "facets": facets}
    total_rows = store.select(f"{_PROLOGUE}SELECT (COUNT(DISTINCT ?r) AS ?n) {_where(request, iris)}",
                              dataset=dataset).rows
    total = int(total_rows[0]["n"]) if total_rows else 0
    records = _page(store, iris, request, dataset)
    items = _items(store, iris, kind, records, dataset, extra_facets=extra_facets)
    facets = _all_counts(store, iris, request, counted, dataset)
    return {"kind": kind.name, "total": total, "page": request.page, "size": request.size, "sort": request.sort,
            "items": items, "facets": facets}


def export(store: Store, iris: Iris, request: SearchRequest, dataset: Dataset, *, limit: int) -> tuple[int, list[dict]]:
    """Every record a search matches, in its order, up to ``limit`` (the page and size of the
    request are ignored): (how many match, the items, with the extra facets' values). No facet
    counts. For downloads (the explorer's CSV)."""
    _check_known(store, request, iris, dataset)
    request = _resolve_words(store, request, dataset)
    if request.matched == []:
        return 0, []
    total_rows = store.select(f"{_PROLOGUE}SELECT (COUNT(DISTINCT ?r) AS ?n) {_where(request, iris)}",
                              dataset=dataset).rows
    total = int(total_rows[0]["n"]) if total_rows else 0
    records = _page(store, iris, replace(request, page=1, size=limit), dataset)
    items: list[dict] = []
    for start in range(0, len(records), 500):
        items += _items(store, iris, request.kind, records[start:start + 500], dataset, extra_facets=True)
    return total, items


def _page(store: Store, iris: Iris, request: SearchRequest, dataset: Dataset) -> list[str]:
    kind = request.kind
    optional = ["OPTIONAL { ?r dcterms:identifier ?_id }"]
    keys = ["(MIN(STR(?_id)) AS ?id)"]
    if kind.year:
        optional.append(f"OPTIONAL {{ ?r {kind.year} ?_y }}")
        keys.append(f"(MAX({kind.year_expr('?_y')}) AS ?year)")
    if request.sort == "title":
        optional.append(f"OPTIONAL {{ ?r {'|'.join(kind.titles)} ?_title }}")
        keys.append("(MIN(LCASE(STR(?_title))) AS ?title)")
    order = {
        "year_desc": "IF(BOUND(?year), 0, 1) DESC(?year) ?id STR(?r)",
        "year_asc": "IF(BOUND(?year), 0, 1) ?year ?id STR(?r)",
        "title": "IF(BOUND(?title), 0, 1) ?title ?id STR(?r)",
        "id": "?id STR(?r)",
    }[request.sort]
    # The keys are computed in a subquery and sorted outside it: Virtuoso 7.2 refuses an ORDER BY
    # naming an aggregate's alias in the query that groups (SP031 "Variable ?year is used in the
    # result set outside aggregate").
    query = (f"{_PROLOGUE}SELECT ?r ?id WHERE {{ {{\n"
             f"SELECT ?r {' '.join(keys)} {_where(request, iris, extra=' '.join(optional))}\nGROUP BY ?r\n}} }}\n"
             f"ORDER BY {order} LIMIT {request.size} OFFSET {(request.page - 1) * request.size}")
    return [str(row["r"]) for row in store.select(query, dataset=dataset).rows]


def _facet_extra(request: SearchRequest, iris: Iris, facet: Facet) -> str:
    """The pattern giving ``?v``, the facet's values of ``?r``."""
    n = len(request.kind.all_facets) + 1
    restrict = ""
    if facet.kind == "concept":
        restrict = f"?v skos:inScheme {sparql_term(iris.scheme(facet.scheme))} ."  # type: ignore[arg-type]
    return facet.pattern("?r", "?v", n) + " " + restrict


def _all_counts(store: Store, iris: Iris, request: SearchRequest, counted: Sequence[Facet],
                dataset: Dataset) -> dict[str, list[dict]]:
    """The counts of every facet of ``counted`` (and of the years, if the kind has them) in one
    query: a UNION of one branch per facet, each the search with that facet's own filter left out,
    tagged with the facet's name and grouped by (facet, value); then one :func:`describe` of every
    value. The same counts as :func:`_facet_counts` and :func:`_year_counts` one by one (the
    explorer's search page ran 16 queries for them; tests/test_search_api.py compares the two)."""
    kind = request.kind
    if not store.groups_unions:  # one grouped query per facet (see the store contract)
        counted_one_by_one = {facet.name: _facet_counts(store, iris, request, facet, dataset) for facet in counted}
        if kind.year:
            counted_one_by_one["year"] = _year_counts(store, iris, request, dataset)
        return counted_one_by_one
    branches = [f"{{\n  {_body(request, iris, leave_out=facet.name, extra=_facet_extra(request, iris, facet))}\n"
                f"  BIND({sparql_term(Literal(facet.name))} AS ?_facet)\n}}" for facet in counted]
    if kind.year:
        extra = f"?r {kind.year} ?_yv . BIND({kind.year_expr('?_yv')} AS ?v)"
        branches.append(f"{{\n  {_body(request, iris, leave_out='year', extra=extra)}\n"
                        f"  BIND(\"year\" AS ?_facet)\n}}")
    if not branches:
        return {}
    query = (f"{_PROLOGUE}SELECT ?_facet ?v (COUNT(DISTINCT ?r) AS ?n) WHERE {{\n"
             + "\nUNION\n".join(branches) + "\n}\nGROUP BY ?_facet ?v")
    counts: dict[str, dict[str, int]] = {facet.name: {} for facet in counted}
    years: list[tuple[int, int]] = []
    for row in store.select(query, dataset=dataset).rows:
        if "v" not in row:
            continue
        name = str(row["_facet"])
        if name == "year":
            years.append((int(row["v"]), int(row["n"])))
        else:
            counts[name][str(row["v"])] = int(row["n"])
    described = describe(store, sorted({iri for values in counts.values() for iri in values}), dataset)
    facets = {facet.name: _counted_values(facet, counts[facet.name], described, iris) for facet in counted}
    if kind.year:
        facets["year"] = [{"value": str(year), "label": str(year), "count": count}
                          for year, count in sorted(years, reverse=True)]
    return facets


def _facet_counts(store: Store, iris: Iris, request: SearchRequest, facet: Facet, dataset: Dataset) -> list[dict]:
    """The counts of one facet, by a query of its own (what :func:`_all_counts` does for all at once)."""
    query = (f"{_PROLOGUE}SELECT ?v (COUNT(DISTINCT ?r) AS ?n) "
             f"{_where(request, iris, leave_out=facet.name, extra=_facet_extra(request, iris, facet))}\n"
             "GROUP BY ?v")
    counts = {str(row["v"]): int(row["n"]) for row in store.select(query, dataset=dataset).rows}
    return _counted_values(facet, counts, describe(store, list(counts), dataset), iris)


def _counted_values(facet: Facet, counts: dict[str, int], described: dict[str, dict], iris: Iris) -> list[dict]:
    result: list[dict[str, Any]] = []
    for iri, count in counts.items():
        info = described.get(iri, {})
        value = _code(iri, facet, info, iris)
        if value is None:
            continue
        result.append({"value": value, "label": info.get("label") or value, "count": count})
    result.sort(key=lambda item: (-item["count"], item["value"]))
    return result


def _year_counts(store: Store, iris: Iris, request: SearchRequest, dataset: Dataset) -> list[dict]:
    kind = request.kind
    extra = f"?r {kind.year} ?_yv . BIND({kind.year_expr('?_yv')} AS ?year)"
    query = (f"{_PROLOGUE}SELECT ?year (COUNT(DISTINCT ?r) AS ?n) "
             f"{_where(request, iris, leave_out='year', extra=extra)}\nGROUP BY ?year")
    rows = [row for row in store.select(query, dataset=dataset).rows if "year" in row]
    years = sorted(((int(row["year"]), int(row["n"])) for row in rows), reverse=True)
    return [{"value": str(year), "label": str(year), "count": count} for year, count in years]


def _code(iri: str, facet: Facet, info: dict, iris: Iris) -> str | None:
    """How a facet value is written in the API: ISO3 / jurisdiction code, notation, provision reference."""
    if facet.kind == "provision":
        return iris.provision_reference(iri)
    if facet.kind == "country":
        return info.get("iso3") or info.get("notation") or iri.rsplit("/", 1)[-1]
    return info.get("notation")


# -- describing resources: labels and codes ----------------------------------------------------
_LABEL_PROPERTIES = ("skos:prefLabel", "dcterms:title", "rdfs:label", "foaf:name")


def _best(values: list[Literal]) -> str | None:
    """The English value, else one without language, else any; ties broken by text (stable)."""
    if not values:
        return None
    rank = {"en": 0, None: 1}
    return str(min(values, key=lambda v: (rank.get(v.language, 2), v.language or "", str(v))))


def describe(store: Store, iris_list: Sequence[str], dataset: Dataset) -> dict[str, dict]:
    """For each IRI: ``label`` (best of prefLabel/title/label/name), ``notation``, ``iso3``, ``id``."""
    result: dict[str, dict] = {}
    for start in range(0, len(iris_list), 500):
        chunk = [URIRef(i) for i in iris_list[start:start + 500] if _IRI.fullmatch(i)]
        if not chunk:
            continue
        query = (f"{_PROLOGUE}SELECT ?x ?p ?o WHERE {{ {_values('?x', chunk)} "
                 f"VALUES ?p {{ {' '.join(_LABEL_PROPERTIES)} skos:notation sherloc:iso3166Alpha3 dcterms:identifier }} "
                 "?x ?p ?o FILTER(isLiteral(?o)) }")
        found: dict[str, dict[str, list[Literal]]] = defaultdict(lambda: defaultdict(list))
        for row in store.select(query, dataset=dataset).rows:
            found[str(row["x"])][str(row["p"])].append(row["o"])  # type: ignore[arg-type]
        for iri, props in found.items():
            label = None
            for prop in _LABEL_PROPERTIES:
                prefix, local = prop.split(":")
                label = _best(props.get(PREFIXES[prefix] + local, []))
                if label:
                    break
            notation = _best(props.get(PREFIXES["skos"] + "notation", []))
            result[iri] = {
                "label": label or notation,
                "notation": notation,
                "iso3": _best(props.get(str(SHERLOC.iso3166Alpha3), [])),
                "id": _best(props.get(PREFIXES["dcterms"] + "identifier", [])),
            }
    return result


def _items(store: Store, iris: Iris, kind: Kind, records: list[str], dataset: Dataset, *,
           extra_facets: bool = False) -> list[dict]:
    if not records:
        return []
    terms = [URIRef(r) for r in records]
    branches = [f"{{ {_values('?r', terms)} ?r {'|'.join(kind.titles)} ?value BIND('title' AS ?field) }}",
                f"{{ {_values('?r', terms)} ?r dcterms:identifier ?value BIND('id' AS ?field) }}"]
    if kind.summaries:
        branches.append(f"{{ {_values('?r', terms)} ?r {'|'.join(kind.summaries)} ?value BIND('summary' AS ?field) }}")
    if kind.year:
        branches.append(f"{{ {_values('?r', terms)} ?r {kind.year} ?_y BIND({kind.year_expr('?_y')} AS ?value) "
                        "BIND('year' AS ?field) }")
    shown = kind.all_facets if extra_facets else kind.facets
    for facet in shown:
        # the directly linked values (a provision's parents are in the facet, not on the item)
        branches.append(f"{{ {_values('?r', terms)} ?r {facet.path} ?value BIND('{facet.name}' AS ?field) }}")
    query = f"{_PROLOGUE}SELECT ?r ?field ?value WHERE {{\n  {' UNION '.join(branches)}\n}}"
    found: dict[str, dict[str, list]] = {r: defaultdict(list) for r in records}
    for row in store.select(query, dataset=dataset).rows:
        if "value" in row:
            found[str(row["r"])][str(row["field"])].append(row["value"])
    linked = sorted({str(v) for fields in found.values() for name, values in fields.items()
                     if name in ("country", *CONCEPT_PARAMETERS) for v in values if isinstance(v, URIRef)})
    info = describe(store, linked, dataset)
    country = kind.facet("country")  # every kind has one (KINDS)
    items = []
    for record in records:
        fields = found[record]
        years = [int(v) for v in fields.get("year", []) if str(v).lstrip("-").isdigit()]
        item: dict[str, Any] = {
            "id": _best(fields.get("id", [])) or record.rsplit("/", 1)[-1],
            "iri": record,
            "title": _best(fields.get("title", [])),
            "country": sorted({_code(str(v), country, info.get(str(v), {}), iris) or str(v)
                               for v in fields.get("country", [])}) if country is not None else [],
        }
        if kind.year:
            item["year"] = max(years) if years else None
        if kind.summaries:
            item["summary"] = _best(fields.get("summary", []))
        for name, key in (("provision", "provisions"), ("crime_type", "crime_types"), ("issue", "issues")):
            named = kind.facet(name)
            if named is not None:
                codes = {_code(str(v), named, info.get(str(v), {}), iris) for v in fields.get(name, [])}
                item[key] = sorted(c for c in codes if c)
        for facet in kind.extra_facets if extra_facets else ():
            codes = {_code(str(v), facet, info.get(str(v), {}), iris) for v in fields.get(facet.name, [])}
            item[facet.name] = sorted(c for c in codes if c)
        items.append(item)
    return items


# -- a record as JSON --------------------------------------------------------------------------
_HIDDEN_ONLY = {PREFIXES["prov"] + "wasDerivedFrom", PREFIXES["prov"] + "wasGeneratedBy"}
MAX_INCOMING_EXAMPLES = 20


def _short_names(properties: set[str]) -> dict[str, str]:
    """Property IRI → short key: its local name, or ``prefix:local`` where two properties share one."""
    def split(p: str) -> tuple[str, str]:
        for prefix, ns in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
            if p.startswith(ns):
                return prefix, p[len(ns):]
        cut = max(p.rfind("#"), p.rfind("/"))
        return "", p[cut + 1:]

    parts = {p: split(p) for p in properties}
    by_local: dict[str, list[str]] = defaultdict(list)
    for p, (_, local) in parts.items():
        by_local[local].append(p)
    names = {}
    for p, (prefix, local) in parts.items():
        unique = len(by_local[local]) == 1 and local
        names[p] = local if unique else (f"{prefix}:{local}" if prefix else p)
    return names


def _value(term, labels: dict[str, dict]) -> dict:
    if isinstance(term, URIRef):
        return {"iri": str(term), "label": labels.get(str(term), {}).get("label")}
    if isinstance(term, Literal):
        datatype = str(term.datatype) if term.datatype is not None else None
        for prefix in ("xsd", "rdf"):
            if datatype and datatype.startswith(PREFIXES[prefix]):
                datatype = f"{prefix}:{datatype[len(PREFIXES[prefix]):]}"
        return {"value": str(term), "language": term.language, "datatype": datatype}
    return {"value": str(term)}


def _statements(store: Store, subjects: list[str], dataset: Dataset) -> list[tuple[str, str, str, object]]:
    """(subject, graph, property, object) of every statement about ``subjects`` in the caller's graphs.
    One subject (the one a user named) is bound as a term; several (read from the store) go in VALUES."""
    if not subjects:
        return []
    if len(subjects) == 1:
        rows = store.select("SELECT ?s ?g ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }",
                            bindings={"s": URIRef(subjects[0])}, dataset=dataset).rows
    else:
        query = (f"SELECT ?s ?g ?p ?o WHERE {{ {_values('?s', [URIRef(s) for s in subjects])} "
                 "GRAPH ?g { ?s ?p ?o } }")
        rows = store.select(query, dataset=dataset).rows
    return [(str(r["s"]), str(r["g"]), str(r["p"]), r["o"]) for r in rows]


def resource(store: Store, iris: Iris, iri: str, dataset: Dataset) -> dict:
    """A resource as JSON: its fields (short property name → values), the resources below it that
    it links to embedded one level deep, and a summary of the links to it. NotFound when the
    caller's graphs say nothing about it (provenance links alone do not make a resource visible)."""
    if not _IRI.fullmatch(iri) or len(iri) > 2000:
        raise UsageError(f"parameter 'iri': '{iri[:200]}' is not an absolute IRI")
    own = _statements(store, [iri], dataset)
    if not any(p not in _HIDDEN_ONLY for _, _, p, _ in own):
        raise NotFound(f"nothing is known about <{iri}>")
    parts = sorted({str(o) for _, _, _, o in own if isinstance(o, URIRef) and str(o).startswith(iri + "/")})
    below = _statements(store, parts, dataset)
    incoming_query = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?p ?s LIMIT 5000"
    incoming_rows = store.select(incoming_query, bindings={"o": URIRef(iri)}, dataset=dataset).rows
    count_rows = store.select("SELECT ?p ?o (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p ?o",
                              bindings={"o": URIRef(iri)}, dataset=dataset).rows
    examples: dict[str, list[str]] = defaultdict(list)
    for row in incoming_rows:
        subjects = examples[str(row["p"])]
        if len(subjects) < MAX_INCOMING_EXAMPLES and str(row["s"]) not in subjects:
            subjects.append(str(row["s"]))
    linked = {str(o) for _, _, _, o in own + below if isinstance(o, URIRef)}
    linked |= {s for subjects in examples.values() for s in subjects} | {iri}
    labels = describe(store, sorted(linked), dataset)
    names = _short_names({p for _, _, p, _ in own + below} | {str(r["p"]) for r in count_rows})

    def fields_of(subject: str, statements) -> dict[str, list[dict]]:
        fields: dict[str, list[dict]] = defaultdict(list)
        seen = set()
        for s, _, p, o in sorted(statements, key=lambda st: (st[2], str(st[3]))):
            if s != subject or (p, o) in seen:
                continue
            seen.add((p, o))
            value = _value(o, labels)
            if str(o) in parts and subject == iri:
                value["fields"] = fields_of(str(o), below)
            fields[names[p]].append(value)
        return dict(fields)

    graphs = sorted({g for _, g, _, _ in own})
    incoming: list[dict[str, Any]] = [{"property": names[str(row["p"])], "property_iri": str(row["p"]), "count": int(row["n"]),
                 "items": [{"iri": s, "label": labels.get(s, {}).get("label")} for s in examples.get(str(row["p"]), [])]}
                for row in count_rows]
    incoming.sort(key=lambda link: (-link["count"], link["property"]))
    return {
        "iri": iri,
        "label": labels.get(iri, {}).get("label"),
        "graphs": [iris.graph_name(g) or g for g in graphs],
        "fields": fields_of(iri, own),
        "properties": {names[p]: p for p in sorted({p for _, _, p, _ in own + below})},
        "incoming": incoming,
    }
