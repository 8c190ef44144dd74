"""What can be searched: the record kinds of ``/api/search/{kind}`` (:data:`KINDS`), each with its
class, its texts, its year and its facets (:class:`Kind`, :class:`Facet`), and the parameters a
search takes. Plain data: sherloc_kg/search.py fills the search's queries (sparql/internal/search-*.rq)
with it, its classes and properties as terms and its property paths written in where the files name
them; the JSON API and the explorer's search pages list it."""

from __future__ import annotations

from dataclasses import dataclass


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
        """The property path from a record to every value that counts for it, which the search's
        queries write in place of their ``?path`` (sparql/internal/search-filter-facet.rq,
        search-values-*.rq). One path with the record bound goes forwards; a separate
        ``?x skos:broader* ?y`` step would not (Oxigraph enumerates a zero-length path over every
        node when both ends are free)."""
        if self.kind == "concept":
            return f"({self.path})/skos:broader*"
        if self.kind == "provision":
            return f"({self.path})/eli:is_part_of*"
        return self.path


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
    #: the record, and the labels (every language) of what it links to, each a tuple of one or two
    #: steps from the record (a step: one property or an alternative of properties, never a
    #: sequence: sparql/internal/search-word.rq, filled by search_words.word_filter).
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
        """The year of a value of the year property, as an xsd:integer: what the search's queries
        write in place of their ``?yearValue`` (sparql/internal/search-values-year.rq...)."""
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
         _provision("eli:has_part+/eli:ensures_implementation_of",
                    "Convention provision one of its provisions implements (eli:ensures_implementation_of: cited or editorial)"),
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
        # a strategy is no legal resource: its adoption is dcterms:issued (docs/model.md "strategies")
        year="dcterms:issued", year_is_date=True, year_label="year of adoption (dcterms:issued)",
        texts=("dcterms:identifier", "sherloc:issuingBody"),
        labelled=(("sherloc:country|sherloc:region|sherloc:crimeType|sherloc:crossCuttingIssue",),)),
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
