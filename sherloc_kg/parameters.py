"""Request parameters, in one place: the kinds of value a named query, a search or the workbench
takes, how a value given as text is checked and turned into an RDF term, and the one check that
the Convention provisions and vocabulary concepts a request names are known.

Kinds (a named query's ``# param: NAME KIND required|optional -- help``, sherloc_kg/queries.py):

``iri``; ``resource`` (a resource of the dataset by its path below ``{base}id/``, e.g.
``case/XAA-EX-001`` or ``legislation/XAA/XAA-penal-code/art/150``, or its whole IRI);
``instrument`` (untoc, tip, som, fp); ``provision`` (untoc/art/5/1/a); ``country`` (ISO3);
``area`` (a State by ISO3, bound as its IRI, or a UN M49 area code of three digits, bound as the
area's concept ``{base}vocab/m49/{code}``, which ``sherloc:region`` and ``sherloc:inRegion`` name); ``case`` (UNODC number); ``concept:{scheme}`` (a
notation of that vocabulary); ``string``; ``integer``; ``date``.

Every value is checked in full (no trailing newline slips through): :meth:`Kind.term` raises a
UsageError saying what the value should look like, and :meth:`Parameter.term` names the parameter.
What passes is an RDF term, so no value can change the structure of a query.

Known values
------------
A well-formed provision or notation may still name nothing (``crimeType=trafficking-in-person``):
a typo to point out (400), not a question whose answer is empty. :func:`unknown` checks every
provision and concept of a request in ONE query (``sparql/internal/parameters-known.rq``, one
VALUES row per value) and returns those that name nothing, each with its parameter;
:func:`check_known` raises one UsageError listing them all. Both take the values as
``{parameter name: (kind, value or values)}``, so a search (several values per parameter) and a
named query (one each) call them alike::

    check_known(store, iris, dataset, {"provision": ("provision", ["untoc/art/5", "untoc/art/99"]),
                                       "crime_type": ("concept:crime-type", ["trafficking-in-person"])})
    # UsageError: parameter 'provision': no such Convention provision: untoc/art/99;
    #             parameter 'crime_type': no such concept in the crime-type vocabulary: trafficking-in-person

Values of the other kinds are passed over, so a caller may hand every parameter it has.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from .errors import UsageError
from .iris import Iris, is_iso3
from .store.contract import Dataset, Store, TermValue

#: The kinds a parameter may be of (``concept`` is written ``concept:{scheme}``).
KINDS = ("iri", "resource", "instrument", "provision", "country", "area", "case", "concept", "string",
         "integer", "date")
#: The kinds :func:`unknown` checks against the data.
CHECKED = ("provision", "concept")

#: An absolute IRI, written whole (nothing a SPARQL IRI may not hold).
IRI = re.compile(r"[a-z][a-z0-9+.-]*:[^\x00-\x20<>\"{}|\\^`]*")
#: A UN M49 area code (region, sub-region, intermediate region).
M49 = re.compile(r"[0-9]{3}")
#: A resource's path below ``{base}id/`` (``case/XAA-EX-001``).
RESOURCE = re.compile(r"[a-z]+(?:/[^/\x00-\x20<>\"{}|\\^`]+)+")
#: A concept's notation in our vocabularies (``trafficking-in-persons``).
NOTATION = re.compile(r"[a-z0-9][a-z0-9-]{0,199}")
INTEGER = re.compile(r"[+-]?[0-9]+")
DATE = re.compile(r"-?[0-9]{4,}-[0-9]{2}-[0-9]{2}")
_CONTROL = re.compile(r"[\x00-\x20\x7f]")


@dataclass(frozen=True)
class Kind:
    """A kind of parameter value: ``name`` one of :data:`KINDS`, ``scheme`` the vocabulary of a
    ``concept`` (``concept:crime-type``)."""

    name: str
    scheme: str = ""

    @classmethod
    def parse(cls, spec: str) -> "Kind":
        """``concept:crime-type`` → Kind("concept", "crime-type"); UsageError for a kind not in KINDS."""
        name, _, scheme = spec.partition(":")
        if name not in KINDS or (name == "concept") != bool(scheme):
            raise UsageError(f"unknown parameter kind '{spec}'; known: {', '.join(KINDS)} (concept:SCHEME)")
        return cls(name, scheme)

    def __str__(self) -> str:
        return f"{self.name}:{self.scheme}" if self.scheme else self.name

    @property
    def checked(self) -> bool:
        """Whether a well-formed value may still name nothing, and :func:`unknown` checks it."""
        return self.name in CHECKED

    @property
    def nothing(self) -> str:
        """What a value of a checked kind that names nothing is called in a message."""
        if self.name == "provision":
            return "no such Convention provision"
        return f"no such concept in the {self.scheme} vocabulary"

    def term(self, value: str, iris: Iris) -> TermValue:
        """The RDF term for ``value``; UsageError (without the parameter's name) if it does not fit."""
        kind = self.name
        try:
            if kind == "iri":
                if not IRI.fullmatch(value):
                    raise UsageError(f"{value!r} is not an absolute IRI")
                return URIRef(value)
            if kind == "resource":
                if IRI.fullmatch(value) and not RESOURCE.fullmatch(value):
                    return URIRef(value)
                if not RESOURCE.fullmatch(value) or {".", ".."} & set(value.split("/")):
                    raise UsageError(f"{value!r} is not a resource path like case/XAA-EX-001 (or a whole IRI)")
                return iris.at("id/" + value)
            if kind == "instrument":
                return iris.instrument(value)
            if kind == "provision":
                if _CONTROL.search(value):  # said so, before "not a reference"
                    raise UsageError(f"{value!r} holds a space, a line break or a control character")
                return iris.provision(value)
            if kind == "country":
                if not is_iso3(value):
                    raise UsageError(f"{value!r} is not an ISO 3166-1 alpha-3 code (three capital letters)")
                return iris.country(value)
            if kind == "area":
                if is_iso3(value):
                    return iris.country(value)
                if M49.fullmatch(value):
                    return iris.m49_area(value)
                raise UsageError(f"{value!r} is neither an ISO 3166-1 alpha-3 code (e.g. BRA) "
                                 "nor a UN M49 area code of three digits (e.g. 150)")
            if kind == "case":
                return iris.case(value)
            if kind == "concept":
                if not NOTATION.fullmatch(value):
                    raise UsageError(f"{value!r} is not a vocabulary notation (lower-case letters, digits and "
                                     "hyphens, e.g. trafficking-in-persons)")
                return iris.concept(self.scheme, value)
            if kind == "integer":
                if not INTEGER.fullmatch(value):
                    raise UsageError(f"{value!r} is not an integer")
                return Literal(int(value), datatype=XSD.integer)
            if kind == "date":
                literal = Literal(value, datatype=XSD.date)
                if not DATE.fullmatch(value) or literal.ill_typed:
                    raise UsageError(f"{value!r} is not a date like 2024-03-05")
                return literal
            return Literal(value)
        except ValueError as error:
            raise UsageError(str(error)) from error


@dataclass(frozen=True)
class Parameter:
    """A parameter of a named query: its name, its kind as written (``concept:crime-type``),
    whether it is required, and the help its header gives."""

    name: str
    type: str
    required: bool
    help: str

    @property
    def kind(self) -> Kind:
        return Kind.parse(self.type)

    def term(self, value: str, iris: Iris) -> TermValue:
        """The RDF term for a value given as text; UsageError naming the parameter if it does not fit."""
        try:
            return self.kind.term(value, iris)
        except UsageError as error:
            raise UsageError(f"parameter '{self.name}': {error}") from error


def check_names(query: str, parameters: Sequence[Parameter], given: Iterable[str]) -> None:
    """Refuse (UsageError) a value for a parameter query ``query`` does not take, naming those it takes."""
    known = [p.name for p in parameters]
    for name in given:
        if name not in known:
            raise UsageError(f"query '{query}' has no parameter '{name}'; it takes: {', '.join(known) or 'none'}")


def check_required(query: str, parameters: Sequence[Parameter], given: Iterable[str]) -> None:
    """Refuse (UsageError) values that leave out a required parameter, naming every one left out."""
    present = set(given)
    missing = [p.name for p in parameters if p.required and p.name not in present]
    if missing:
        raise UsageError(f"query '{query}' needs parameter(s): {', '.join(missing)}")


# -- known values ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Unknown:
    """A well-formed value that names nothing in the dataset: the parameter, the value as given, its kind."""

    parameter: str
    value: str
    kind: Kind

    def __str__(self) -> str:
        return f"parameter '{self.parameter}': {self.kind.nothing}: {self.value}"


#: The values :func:`unknown` takes: parameter name → (kind, one value or several), each as text.
Given = Mapping[str, tuple["Kind | str", "str | Sequence[str]"]]


def unknown(store: Store, iris: Iris, dataset: Dataset | None, values: Given) -> list[Unknown]:
    """The provisions and concepts among ``values`` that name nothing in ``dataset``, in the order
    given: every one of them checked in ONE query (``sparql/internal/parameters-known.rq``).

    ``values``: parameter name → (kind, value or list of values), the values as given (text); a
    kind is a :class:`Kind` or its spec (``"provision"``, ``"concept:crime-type"``). Values of
    kinds other than ``provision`` and ``concept`` are passed over. A value that does not fit its
    kind raises the UsageError of :meth:`Kind.term`, naming the parameter; callers normally have
    checked them already (a named query's ``bindings``, a search's ``parse``)."""
    from .queries import internal

    checked: list[tuple[str, str, Kind, URIRef]] = []
    for name, (spec, given) in values.items():
        kind = spec if isinstance(spec, Kind) else Kind.parse(spec)
        if not kind.checked:
            continue
        for value in [given] if isinstance(given, str) else given:
            try:
                term = kind.term(value, iris)
            except UsageError as error:
                raise UsageError(f"parameter '{name}': {error}") from error
            checked.append((name, value, kind, URIRef(term)))
    if not checked:
        return []
    provisions = sorted({term for _, _, kind, term in checked if kind.name == "provision"})
    concepts = sorted({(term, iris.scheme(kind.scheme)) for _, _, kind, term in checked if kind.name == "concept"})
    named = internal("parameters-known")
    rows = store.select(named.with_rows({"provision": provisions, ("concept", "scheme"): concepts}),
                        dataset=dataset).rows
    found = {(str(row["provision"]), "") for row in rows if "provision" in row}
    found |= {(str(row["concept"]), str(row["scheme"])) for row in rows if "concept" in row}
    return [Unknown(name, value, kind) for name, value, kind, term in checked
            if (str(term), str(iris.scheme(kind.scheme)) if kind.name == "concept" else "") not in found]


def check_known(store: Store, iris: Iris, dataset: Dataset | None, values: Given) -> None:
    """Refuse (UsageError, 400) a request whose provisions or concepts name nothing (:func:`unknown`),
    listing every such value, grouped by parameter:
    ``parameter 'provision': no such Convention provision: untoc/art/98, untoc/art/99; parameter ...``."""
    missing = unknown(store, iris, dataset, values)
    if not missing:
        return
    grouped: dict[tuple[str, Kind], list[str]] = {}
    for item in missing:
        grouped.setdefault((item.parameter, item.kind), []).append(item.value)
    raise UsageError("; ".join(f"parameter '{name}': {kind.nothing}: {', '.join(dict.fromkeys(given))}"
                               for (name, kind), given in grouped.items()))
