"""The named query library: ``sparql/*.rq``, each a question with a header the CLI, the API and
the explorer read::

    # title: Cases by country
    # description: How many cases each State or international body has decided.
    # param: country country optional -- the deciding State, ISO 3166-1 alpha-3 (e.g. BRA)

A parameter is ``NAME TYPE (required|optional) -- help``. Its value is turned into an RDF term by
its TYPE and written into the query as that term (sherloc_kg/store/bindings.py), never pasted as given.
The value opens the outer WHERE group as a VALUES block, so each parameter must be a variable of
that group (and, to be seen in the results, of the SELECT clause); an optional parameter left out
stays a free variable.

Types: ``iri``; ``resource`` (a resource of the dataset by its path below ``{base}id/``, e.g.
``case/XAA-EX-001`` or ``legislation/XAA/XAA-penal-code/art/150``, or its whole IRI);
``instrument`` (untoc, tip, som, fp); ``provision`` (untoc/art/5/1/a); ``country`` (ISO3);
``area`` (a State by ISO3, bound as its IRI, or a UN M49 area code of three digits, bound as the
literal that ``sherloc:region`` holds); ``case`` (UNODC number); ``concept:{scheme}`` (a
notation); ``string``; ``integer``; ``date``.

Every value is checked in full (no trailing newline slips through) and a value that does not fit
raises a UsageError naming the parameter; what passes is an RDF term, so no value can change the
structure of a query.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from .config import BUNDLED_HOME
from .errors import NotFound, QueryError, UsageError
from .iris import Iris, is_iso3
from .namespaces import SHERLOC, SKOS
from .store.contract import Dataset, Store, TermValue
from .store.terms import sparql_term

_HEADER = re.compile(r"^#\s*(title|description|param):\s*(.*?)\s*$")
_PARAM = re.compile(r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s+(?P<type>[a-z]+(?::[a-z0-9-]+)?)\s+"
                    r"(?P<need>required|optional)\s+--\s+(?P<help>.+)$")
_TYPES = ("iri", "resource", "instrument", "provision", "country", "area", "case", "concept", "string",
          "integer", "date")
_IRI = re.compile(r"[a-z][a-z0-9+.-]*:[^\x00-\x20<>\"{}|\\^`]*")
_M49 = re.compile(r"[0-9]{3}")
_RESOURCE = re.compile(r"[a-z]+(?:/[^/\x00-\x20<>\"{}|\\^`]+)+")
#: A concept's notation in our vocabularies (``trafficking-in-persons``).
NOTATION = re.compile(r"[a-z0-9][a-z0-9-]{0,199}")


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str
    required: bool
    help: str

    def term(self, value: str, iris: Iris) -> TermValue:
        """The RDF term for a value given as text; UsageError if it does not fit the type."""
        kind, _, scheme = self.type.partition(":")
        try:
            if kind == "iri":
                if not _IRI.fullmatch(value):
                    raise UsageError(f"{value!r} is not an absolute IRI")
                return URIRef(value)
            if kind == "resource":
                if _IRI.fullmatch(value) and not _RESOURCE.fullmatch(value):
                    return URIRef(value)
                if not _RESOURCE.fullmatch(value) or {".", ".."} & set(value.split("/")):
                    raise UsageError(f"{value!r} is not a resource path like case/XAA-EX-001 (or a whole IRI)")
                return iris.at("id/" + value)
            if kind == "instrument":
                return iris.instrument(value)
            if kind == "provision":
                if re.search(r"[\x00-\x20\x7f]", value):  # said so, before "not a reference"
                    raise UsageError(f"{value!r} holds a space, a line break or a control character")
                return iris.provision(value)
            if kind == "country":
                if not is_iso3(value):
                    raise UsageError(f"{value!r} is not an ISO 3166-1 alpha-3 code (three capital letters)")
                return iris.country(value)
            if kind == "area":
                if is_iso3(value):
                    return iris.country(value)
                if _M49.fullmatch(value):
                    return Literal(value)
                raise UsageError(f"{value!r} is neither an ISO 3166-1 alpha-3 code (e.g. BRA) "
                                 "nor a UN M49 area code of three digits (e.g. 150)")
            if kind == "case":
                return iris.case(value)
            if kind == "concept":
                if not NOTATION.fullmatch(value):
                    raise UsageError(f"{value!r} is not a vocabulary notation (lower-case letters, digits and "
                                     "hyphens, e.g. trafficking-in-persons)")
                return iris.concept(scheme, value)
            if kind == "integer":
                if not re.fullmatch(r"[+-]?[0-9]+", value):
                    raise UsageError(f"{value!r} is not an integer")
                return Literal(int(value), datatype=XSD.integer)
            if kind == "date":
                literal = Literal(value, datatype=XSD.date)
                if not re.fullmatch(r"-?[0-9]{4,}-[0-9]{2}-[0-9]{2}", value) or literal.ill_typed:
                    raise UsageError(f"{value!r} is not a date like 2024-03-05")
                return literal
            return Literal(value)
        except ValueError as error:
            raise UsageError(f"parameter '{self.name}': {error}") from error
        except UsageError as error:
            raise UsageError(f"parameter '{self.name}': {error}") from error


@dataclass(frozen=True)
class NamedQuery:
    name: str
    title: str
    description: str
    parameters: tuple[Parameter, ...]
    text: str
    path: Path

    @classmethod
    def from_file(cls, path: Path) -> "NamedQuery":
        text = path.read_text(encoding="utf-8")
        fields: dict[str, list[str]] = {"title": [], "description": [], "param": []}
        for line in text.splitlines():
            match = _HEADER.match(line)
            if match:
                fields[match[1]].append(match[2])
            elif line.strip() and not line.startswith("#"):
                break
        parameters = []
        for spec in fields["param"]:
            match = _PARAM.match(spec)
            if not match or match["type"].partition(":")[0] not in _TYPES:
                raise QueryError(f"{path}: malformed parameter header '# param: {spec}' "
                                 "(expected NAME TYPE required|optional -- help)")
            parameters.append(Parameter(match["name"], match["type"], match["need"] == "required", match["help"]))
        return cls(path.stem, (fields["title"] or [path.stem])[0], " ".join(fields["description"]),
                   tuple(parameters), text, path)

    def bindings(self, values: dict[str, str], iris: Iris) -> dict[str, TermValue]:
        known = {p.name: p for p in self.parameters}
        for name in values:
            if name not in known:
                raise UsageError(f"query '{self.name}' has no parameter '{name}'; "
                                 f"it takes: {', '.join(known) or 'none'}")
        missing = [p.name for p in self.parameters if p.required and p.name not in values]
        if missing:
            raise UsageError(f"query '{self.name}' needs parameter(s): {', '.join(missing)}")
        return {name: known[name].term(value, iris) for name, value in values.items()}

    def check_known(self, values: Mapping[str, str], store: Store, iris: Iris, dataset: Dataset) -> None:
        """Refuse (UsageError, 400) a well-formed provision or concept that names nothing in ``dataset``:
        ``crimeType=trafficking-in-person`` is a typo to point out, not a question whose answer is empty."""
        for parameter in self.parameters:
            kind, _, scheme = parameter.type.partition(":")
            if parameter.name not in values or kind not in ("provision", "concept"):
                continue
            term = parameter.term(values[parameter.name], iris)
            pattern = (f"?x <{SHERLOC.instrument}> ?i" if kind == "provision"
                       else f"?x <{SKOS.inScheme}> {sparql_term(iris.scheme(scheme))}")
            if not store.ask(f"ASK {{ VALUES ?x {{ {sparql_term(term)} }} {pattern} }}", dataset=dataset):
                what = "no such Convention provision" if kind == "provision" else f"no such concept in the {scheme} vocabulary"
                raise UsageError(f"parameter '{parameter.name}': {what}: {values[parameter.name]}")


class QueryLibrary:
    """The ``.rq`` files of a directory, each parsed once and parsed again only when its file
    changes (its modification time, size or inode), so that a page listing the whole library does
    not read every file on every request; the list of names is read again when the directory
    changes (a file added, removed or renamed)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._names: tuple[tuple[int, int], list[str]] | None = None
        self._parsed: dict[Path, tuple[tuple[int, int, int], NamedQuery]] = {}

    def names(self) -> list[str]:
        try:
            stat = self.directory.stat()
        except OSError:
            return []
        key = (stat.st_mtime_ns, stat.st_ino)
        if self._names is None or self._names[0] != key:
            self._names = (key, sorted(p.stem for p in self.directory.glob("*.rq")))
        return list(self._names[1])

    def all(self) -> list[NamedQuery]:
        return [self.get(name) for name in self.names()]

    def _parsed_file(self, path: Path) -> NamedQuery:
        """The query in ``path``, parsed again only if the file changed since the last time."""
        stat = path.stat()
        key = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
        cached = self._parsed.get(path)
        if cached is not None and cached[0] == key:
            return cached[1]
        named = NamedQuery.from_file(path)
        self._parsed[path] = (key, named)
        return named

    def get(self, name_or_path: str) -> NamedQuery:
        """A query by its name in the library, or a ``.rq`` file anywhere."""
        if name_or_path.endswith(".rq"):
            path = Path(name_or_path)
            if not path.is_file():
                raise NotFound(f"no query file {path}")
            return NamedQuery.from_file(path)
        if not re.fullmatch(r"[a-z0-9-]+", name_or_path) or not (self.directory / f"{name_or_path}.rq").is_file():
            raise NotFound(f"no named query '{name_or_path}'; known: {', '.join(self.names())}")
        try:
            return self._parsed_file(self.directory / f"{name_or_path}.rq")
        except FileNotFoundError:  # removed in between
            raise NotFound(f"no named query '{name_or_path}'; known: {', '.join(self.names())}") from None


#: The queries the code itself runs (pages, search, statistics, review), written as the named
#: queries are (header, typed parameters bound as terms) but not offered as questions of their own:
#: ``sparql/internal/``. Read from the bundled home: they belong to this version of the code.
INTERNAL = QueryLibrary(BUNDLED_HOME / "sparql" / "internal")


def internal(name: str) -> NamedQuery:
    """The internal query ``name`` (``sparql/internal/{name}.rq``), parsed once per file change."""
    return INTERNAL.get(name)
