"""A search as asked: :func:`parse` turns query parameters (name → list of strings) into a
:class:`SearchRequest`, refusing anything malformed with a :class:`UsageError` that names the
parameter (a well-formed value that names nothing is refused by the search itself, against the
store: sherloc_kg/search.py)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from .errors import NotFound, UsageError
from .iris import Iris, is_iso3
from .search_kinds import CONCEPT_PARAMETERS, FACET_PARAMETERS, KINDS, PARAMETERS, REPEATABLE, SORTS, Kind

MAX_SIZE = 100
DEFAULT_SIZE = 20
MAX_Q_LENGTH = 200
MAX_VALUES = 50  # values of one repeatable parameter

_NOTATION = re.compile(r"[a-z0-9][a-z0-9-]{0,199}")
_YEAR = re.compile(r"-?[0-9]{1,4}")
_INT = re.compile(r"[0-9]{1,6}")


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

