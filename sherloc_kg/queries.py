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

Types (kinds): those of :mod:`sherloc_kg.parameters`, which checks every value in full and turns
it into an RDF term (a value that does not fit raises a UsageError naming the parameter), and
checks in one query that the provisions and concepts given name something
(:meth:`NamedQuery.check_known`); no value can change the structure of a query.

A query whose SPARQL needs a number of rows known only when it runs (the values a request names,
the triples of a write) declares an empty ``VALUES (?a ?b) { }`` block, valid SPARQL as it is, that
:meth:`NamedQuery.with_rows` fills with RDF terms.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from stat import S_ISREG
from typing import cast

from . import sparql_text
from .config import BUNDLED_HOME
from .errors import NotFound, QueryError, UsageError
from .iris import Iris
from .parameters import NOTATION, Kind, Parameter, check_known, check_names, check_required
from .store.contract import Dataset, Store, TermValue
from .store.terms import sparql_term

__all__ = ["INTERNAL", "NOTATION", "NamedQuery", "Parameter", "QueryLibrary", "Rows", "internal"]

_HEADER = re.compile(r"^#\s*(title|description|param):\s*(.*?)\s*$")
#: A line where a query takes parts of it the code puts together (``# filters``: NamedQuery.filled).
_PART_LINE = re.compile(r"^([ \t]*)#[ \t]*([a-z]+)[ \t]*$", re.MULTILINE)
_PARAM = re.compile(r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s+(?P<type>[a-z]+(?::[a-z0-9-]+)?)\s+"
                    r"(?P<need>required|optional)\s+--\s+(?P<help>.+)$")

#: The rows of empty VALUES blocks: a variable's terms, or the tuples of terms of several variables.
Rows = Mapping[str | tuple[str, ...], Iterable[TermValue] | Iterable[Sequence[TermValue]]]


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
            try:
                if not match:
                    raise UsageError("expected NAME TYPE required|optional -- help")
                Kind.parse(match["type"])
            except UsageError as error:
                raise QueryError(f"{path}: malformed parameter header '# param: {spec}' ({error})") from None
            parameters.append(Parameter(match["name"], match["type"], match["need"] == "required", match["help"]))
        return cls(path.stem, (fields["title"] or [path.stem])[0], " ".join(fields["description"]),
                   tuple(parameters), text, path)

    @functools.cached_property
    def body(self) -> str:
        """The text without its header lines (title, description, param): the SPARQL a person reads
        (read once a query: the library keeps a query until its file changes)."""
        return "".join(line for line in self.text.splitlines(keepends=True) if not _HEADER.match(line))

    def check_names(self, given: Iterable[str]) -> None:
        """Refuse (UsageError) a value for a parameter this query does not take."""
        check_names(self.name, self.parameters, given)

    def bindings(self, values: Mapping[str, str], iris: Iris) -> dict[str, TermValue]:
        """Each value as the RDF term of its parameter's kind; UsageError for a parameter the query
        does not take, a required one left out, or a value that does not fit."""
        self.check_names(values)
        check_required(self.name, self.parameters, values)
        known = {p.name: p for p in self.parameters}
        return {name: known[name].term(value, iris) for name, value in values.items()}

    def check_known(self, values: Mapping[str, str], store: Store, iris: Iris, dataset: Dataset) -> None:
        """Refuse (UsageError, 400) well-formed provisions or concepts that name nothing in ``dataset``
        (``crimeType=trafficking-in-person`` is a typo to point out, not a question whose answer is
        empty): every one of them, in one query (:func:`sherloc_kg.parameters.check_known`)."""
        check_known(store, iris, dataset, {p.name: (p.type, values[p.name]) for p in self.parameters
                                           if p.name in values})

    def checked_bindings(self, values: Mapping[str, str], iris: Iris, store: Store,
                         dataset: Dataset) -> dict[str, TermValue]:
        """:meth:`bindings`, then :meth:`check_known`: what a request running this query is bound to."""
        bindings = self.bindings(values, iris)
        self.check_known(values, store, iris, dataset)
        return bindings

    def with_rows(self, blocks: Rows) -> str:
        """The text with rows of RDF terms in its empty ``VALUES`` blocks: ``{"x": [t1, t2]}`` fills
        every ``VALUES ?x { }``, ``{("a", "b"): [(t1, t2), ...]}`` every ``VALUES (?a ?b) { }``.

        For a query that must run over as many values as a request or a write has (bindings bind one
        value per variable). The terms are written by ``sparql_term`` (never text as given); a block
        left without rows stays empty (no solution). QueryError if the text has no empty block for a
        key (a mistake in the query file or its caller). The header lines are left out (:attr:`body`)."""
        return _with_rows(self.name, self.body, blocks)

    def update_text(self, bindings: Mapping[str, TermValue], rows: Rows | None = None) -> str:
        """An update's text with each variable of ``bindings`` written as its term wherever it occurs
        (an update takes no ``bindings=``: the store reads the graphs it writes from the IRIs after
        ``GRAPH``, so those must be written in), and the rows of ``rows`` filled as :meth:`with_rows`
        does, the header lines left out (:attr:`body`). Also for a query that goes inside another, as
        one of its groups (a subquery per word of a search: sherloc_kg/search_words.py), where a
        variable must be bound to a different term in each copy. Only for a query file whose bound
        variables are never assigned (no ``AS``)."""
        return self.filled(bindings, rows)

    def filled(self, bindings: Mapping[str, TermValue] | None = None, rows: Rows | None = None, *,
               lists: Mapping[str, Iterable[TermValue]] | None = None, written: Mapping[str, str] | None = None,
               parts: Mapping[str, Iterable[str]] | None = None) -> str:
        """The text, header lines left out, as :meth:`update_text` fills it, and besides:

        - ``lists``: ``{"x": [t1, t2]}`` writes the terms, comma-separated, into every empty ``IN ()``
          list that tests ``?x`` (``?x IN ()``, ``STR(?x) IN ()``): a FILTER on as many values as a
          request names;
        - ``written``: each variable named written as the text given, wherever it occurs: another
          variable (``{"focus": "?case"}``), or a part of the code's own that no term can stand for
          (a search kind's property path or year expression, sherloc_kg/search_kinds.py); never a
          value of a request, which is a term;
        - ``parts``: each line ``# NAME`` of the text replaced by the fragments of ``parts[NAME]``
          (patterns already filled, such as :meth:`pattern` gives), one a line; a marker left
          without fragments is left as it is, a comment.

        The lists, then the variables, then the rows, then the parts: the rows (possibly hundreds of
        terms) and the parts are not read again. QueryError for a key with no place in the text."""
        return _filled(self.name, self.body, bindings, rows, lists, written, parts)

    def pattern(self, bindings: Mapping[str, TermValue] | None = None, rows: Rows | None = None, *,
                lists: Mapping[str, Iterable[TermValue]] | None = None, written: Mapping[str, str] | None = None,
                parts: Mapping[str, Iterable[str]] | None = None) -> str:
        """What the braces of the query's (first) WHERE group hold, filled as :meth:`filled` fills it:
        a fragment that another query holds (the scope of a rule's run, inference-scope.rq; the
        filters and values of a search, sparql/internal/search-*.rq). The file is a whole query, so
        that it parses and reads on its own; its prologue and projection are left out."""
        return _filled(self.name, self.where_group, bindings, rows, lists, written, parts)

    @functools.cached_property
    def where_group(self) -> str:
        """What the braces of the first WHERE group of :attr:`body` hold (QueryError if none)."""
        text = self.body
        items = sparql_text.tokens(text)
        where = next((i for i, t in enumerate(items) if t.is_word("WHERE")), None)
        if where is None or where + 1 >= len(items) or items[where + 1].text != "{":
            raise QueryError(f"query '{self.name}' has no WHERE group")
        opening = items[where + 1]
        closing = next(t for t in items[where + 2:] if t.text == "}" and t.depth == opening.depth)
        return text[opening.end:closing.start]


def _filled(name: str, text: str, bindings: Mapping[str, TermValue] | None, rows: Rows | None,
            lists: Mapping[str, Iterable[TermValue]] | None, written: Mapping[str, str] | None,
            parts: Mapping[str, Iterable[str]] | None) -> str:
    """``text`` (of the query ``name``) filled as :meth:`NamedQuery.filled` says."""
    for variable, terms in (lists or {}).items():
        text = _with_list(name, text, variable, list(terms))
    replaced = {variable: sparql_term(term) for variable, term in (bindings or {}).items()} | dict(written or {})
    if replaced:
        pieces, position = [], 0
        for token in sparql_text.tokens(text):
            if token.kind == "var" and token.text[1:] in replaced:
                pieces += [text[position:token.start], replaced[token.text[1:]]]
                position = token.end
        text = "".join(pieces) + text[position:]
    if rows:
        text = _with_rows(name, text, rows)
    return _with_parts(name, text, parts).strip()


def _with_rows(name: str, text: str, blocks: Rows) -> str:
    for key, rows in blocks.items():
        single = isinstance(key, str)
        names = (key,) if isinstance(key, str) else tuple(key)
        terms = [cast("tuple[TermValue, ...]", (row,) if single else tuple(cast("Sequence[TermValue]", row)))
                 for row in rows]
        if any(len(row) != len(names) for row in terms):
            raise QueryError(f"query '{name}': a row for VALUES {' '.join('?' + n for n in names)} "
                             f"has not {len(names)} terms")
        written = " ".join(sparql_term(row[0]) if single else "(" + " ".join(sparql_term(t) for t in row) + ")"
                           for row in terms)
        spans = _empty_values(text, names, single)
        if not spans:
            raise QueryError(f"query '{name}' has no empty block VALUES "
                             f"{'?' + names[0] if single else '(' + ' '.join('?' + n for n in names) + ')'} {{ }} to fill")
        for start, end in reversed(spans):
            text = text[:start] + "{ " + written + " }" + text[end:]
    return text


def _with_parts(name: str, text: str, parts: Mapping[str, Iterable[str]] | None) -> str:
    """``text`` with each line ``# NAME`` replaced by the fragments of ``parts[NAME]``, one a line."""
    if not parts:
        return text
    given = {marker: list(fragments) for marker, fragments in parts.items()}
    seen: set[str] = set()

    def replaced(line: re.Match[str]) -> str:
        fragments = given.get(line[2])
        if fragments is None:
            return line[0]
        seen.add(line[2])
        return "\n".join(line[1] + fragment for fragment in fragments) if fragments else line[0]

    text = _PART_LINE.sub(replaced, text)
    missing = sorted(set(given) - seen)
    if missing:
        raise QueryError(f"query '{name}' has no line '# {missing[0]}' to put its parts in")
    return text


def _with_list(name: str, text: str, variable: str, terms: list[TermValue]) -> str:
    """``text`` with ``terms`` in every empty ``IN ()`` list whose tested expression's last variable
    is ``?variable``."""
    items = sparql_text.tokens(text)
    spans = []
    for index, token in enumerate(items[:-2]):
        if token.is_word("IN") and items[index + 1].text == "(" and items[index + 2].text == ")":
            tested = next((t for t in reversed(items[:index]) if t.kind == "var"), None)
            if tested is not None and tested.text[1:] == variable:
                spans.append((items[index + 1].start, items[index + 2].end))
    if not spans:
        raise QueryError(f"query '{name}' has no empty list ?{variable} IN () to fill")
    listed = "(" + ", ".join(sparql_term(term) for term in terms) + ")"
    for start, end in reversed(spans):
        text = text[:start] + listed + text[end:]
    return text


def _empty_values(text: str, names: tuple[str, ...], single: bool) -> list[tuple[int, int]]:
    """Where the empty data blocks of ``VALUES ?x { }`` (``single``) or ``VALUES (?a ?b) { }``
    with exactly the variables ``names`` are in ``text``: (start of ``{``, end of ``}``) of each."""
    items = sparql_text.tokens(text)
    head = ["?" + names[0]] if single else ["(", *("?" + n for n in names), ")"]
    spans = []
    for index, token in enumerate(items):
        following = items[index + 1:index + 1 + len(head) + 2]
        if token.is_word("VALUES") and [t.text for t in following] == [*head, "{", "}"]:
            spans.append((following[-2].start, following[-1].end))
    return spans


class QueryLibrary:
    """The ``.rq`` files of a directory, each parsed once and parsed again only when its file
    changes (its modification time, size or inode), so that a page listing the whole library does
    not read every file on every request; the list of names is read again when the directory
    changes (a file added, removed or renamed)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._names: tuple[tuple[int, int], list[str]] | None = None
        self._parsed: dict[Path, tuple[tuple[int, int, int], NamedQuery]] = {}
        self._paths: dict[str, Path] = {}

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
        if not S_ISREG(stat.st_mode):
            raise FileNotFoundError(path)
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
        try:  # one stat of the file a call (the search runs a score of internal queries a request)
            if not re.fullmatch(r"[a-z0-9-]+", name_or_path):
                raise FileNotFoundError(name_or_path)
            path = self._paths.get(name_or_path) or self.directory / f"{name_or_path}.rq"
            named = self._parsed_file(path)
            self._paths.setdefault(name_or_path, path)  # the names of files only
            return named
        except FileNotFoundError:  # no such file, or removed in between
            raise NotFound(f"no named query '{name_or_path}'; known: {', '.join(self.names())}") from None


#: The queries the code itself runs (pages, search, statistics, review), written as the named
#: queries are (header, typed parameters bound as terms) but not offered as questions of their own:
#: ``sparql/internal/``. Read from the bundled home: they belong to this version of the code.
INTERNAL = QueryLibrary(BUNDLED_HOME / "sparql" / "internal")


def internal(name: str) -> NamedQuery:
    """The internal query ``name`` (``sparql/internal/{name}.rq``), parsed once per file change."""
    return INTERNAL.get(name)
