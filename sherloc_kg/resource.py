"""One resource, read once, as typed data: what every representation of it renders.

:func:`read` reads what the caller may see of one resource (over ``dataset``, the graphs
``access.py`` grants it) into a :class:`Resource`:

- its **statements** and those of the resources below it that it links to (its *parts*: a case's
  defendants, an authority's designations, a provision's items), each with the named graphs that
  hold it (:class:`Statement`);
- the **labels** of what it links to and of who links to it (``skos:prefLabel``,
  ``dcterms:title``, ``rdfs:label``, ``skos:notation``; untagged or in :data:`LABEL_LANGUAGES`);
- the **incoming links** (who links to it), counted in full by property and read through a
  :class:`Page` (a page of :data:`INCOMING_PAGE` links, for the Linked Data documents) or a
  :class:`Sample` (the first links of each property, for the JSON summary);
- the **inferred marks**: a statement that no graph but ``inferred`` holds was drawn by a rule,
  not recorded (:attr:`Statement.inferred`); :meth:`Resource.inference` says which rules draw
  its property and what to ask the named query ``why-inferred`` for the facts behind it.

The renderers are elsewhere and read nothing more from the store for the resource: the Linked Data
documents (api/ld_documents.py: Turtle, JSON-LD, RDF/XML, N-Triples, TriG, N-Quads by the
engine's serialisers), the page (api/ld_views.py) and the JSON of ``/api/resource``
(api/resource_json.py).

List resources (``{base}id/case``, ``{base}id/legislation``...: every record of a kind) are read
the same way, a page at a time, by :func:`read_list` into a :class:`Listing`.

The SPARQL is in ``sparql/internal/resource-*.rq``, the resource bound as a term; where a query
takes a list of terms read from the store (a page of linking resources), they fill its empty VALUES
block (``NamedQuery.with_rows``).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from rdflib import BNode, Literal, URIRef

from .iris import Iris, parse_provision
from .namespaces import BIBO, SHERLOC
from .queries import internal
from .store import Dataset, Store

#: Most incoming links one Linked Data document carries; more are paged.
INCOMING_PAGE = 500
#: Most members one page of a list resource carries.
LIST_PAGE = 500
#: Labels of the resources a description links to, in these languages (the six of the UN) and
#: untagged (the queries ``resource-*.rq`` name the same); the resource's own labels come in every
#: language.
LABEL_LANGUAGES = ("en", "fr", "es", "ar", "zh", "ru")
#: How many links of each property a :class:`Sample` keeps, and how many links it reads to find them.
SAMPLE_SIZE = 20
SAMPLE_SCAN = 5000

Subject = URIRef | BNode
Object = URIRef | BNode | Literal


@dataclass(frozen=True)
class Statement:
    """One triple the caller may see, with the named graphs that hold it."""

    subject: Subject
    predicate: URIRef
    object: Object
    graphs: frozenset[str]
    #: No graph but the inferred one holds it: drawn by a rule, not recorded.
    inferred: bool = False

    @property
    def triple(self) -> tuple[Subject, URIRef, Object]:
        return self.subject, self.predicate, self.object


@dataclass(frozen=True)
class Inference:
    """Why an inferred statement holds: the rules that draw its property (``sparql/rules/``), and
    the parameters of the named query ``why-inferred`` that lists the recorded facts behind it
    (``subject``: the path below ``id/`` or the IRI; ``provision``, when it points to one)."""

    rules: tuple[str, ...]
    subject: str
    provision: str | None

    @property
    def parameters(self) -> dict[str, str]:
        found = {"query": "why-inferred", "subject": self.subject}
        if self.provision is not None:
            found["provision"] = self.provision
        return found


@dataclass(frozen=True)
class Page:
    """Incoming links by page: the ``number``-th run of ``size`` in their one order (property, then
    the linking resource)."""

    number: int = 1
    size: int = INCOMING_PAGE


@dataclass(frozen=True)
class Sample:
    """Incoming links by example: the first ``per_property`` of each property, among the first
    ``scan`` links in their order."""

    per_property: int = SAMPLE_SIZE
    scan: int = SAMPLE_SCAN


@dataclass(frozen=True)
class Resource:
    """What the caller may see of one resource (see the module docstring)."""

    iri: URIRef
    #: About the resource and its parts.
    statements: tuple[Statement, ...]
    #: The resources below it that it links to, by IRI.
    parts: tuple[URIRef, ...]
    #: Labels of what the resource and its parts link to, and of who links to it (read).
    labels: tuple[Statement, ...]
    #: The links to it that were read (a page, or a sample).
    incoming: tuple[Statement, ...]
    #: How many resources link to it with each property (all of them, not only those read).
    incoming_counts: Mapping[URIRef, int]
    window: Page | Sample = field(default_factory=Page)
    #: Property IRI -> the rules that draw it (:func:`rules_by_property`).
    rules: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def known(self) -> bool:
        """Whether the caller's graphs say anything about it, or link to it."""
        return bool(self.statements or self.incoming_counts)

    @property
    def own(self) -> tuple[Statement, ...]:
        """The statements whose subject is the resource itself."""
        return tuple(s for s in self.statements if s.subject == self.iri)

    @property
    def incoming_total(self) -> int:
        """How many (resource, property) pairs link to it."""
        return sum(self.incoming_counts.values())

    @property
    def page(self) -> int:
        return self.window.number if isinstance(self.window, Page) else 1

    @property
    def page_size(self) -> int:
        return self.window.size if isinstance(self.window, Page) else INCOMING_PAGE

    @property
    def has_next(self) -> bool:
        """Whether a page follows this one."""
        return self.page * self.page_size < self.incoming_total

    @property
    def pages(self) -> int:
        return max(1, -(-self.incoming_total // self.page_size))

    def all(self) -> Iterator[Statement]:
        """Every statement read, once: the resource's and its parts', the labels, the incoming links."""
        seen: set[tuple[Subject, URIRef, Object]] = set()
        for statement in (*self.statements, *self.labels, *self.incoming):
            if statement.triple not in seen:
                seen.add(statement.triple)
                yield statement

    def quads(self) -> Iterator[tuple[Subject, URIRef, Object, str]]:
        """Every statement read, once per graph that holds it."""
        for statement in self.all():
            for graph in sorted(statement.graphs):
                yield (*statement.triple, graph)

    def inference(self, statement: Statement, iris: Iris) -> Inference | None:
        """Why ``statement`` holds, when it is inferred (None when it is recorded)."""
        if not statement.inferred:
            return None
        provision = iris.below(str(statement.object), "id/instrument/")
        if provision is not None and parse_provision(provision) is None:
            provision = None
        return Inference(self.rules.get(str(statement.predicate), ()),
                         iris.below(str(statement.subject), "id/") or str(statement.subject), provision)


@dataclass(frozen=True)
class Listing:
    """A page of a list resource: every resource of one class whose IRI is below ``{base}id/{kind}/``."""

    iri: URIRef
    kind: str
    cls: URIRef
    total: int
    members: tuple[URIRef, ...]
    labels: tuple[Statement, ...]
    page: int = 1
    size: int = LIST_PAGE

    @property
    def has_next(self) -> bool:
        return self.page * self.size < self.total

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))


#: The list resources: ``{base}id/{kind}`` lists the resources of the class below it.
LISTS: dict[str, tuple[URIRef, str]] = {
    "case": (SHERLOC.CourtCase, "Court cases"),
    "legislation": (SHERLOC.NationalLegislation, "National legislation"),
    "instrument": (SHERLOC.InternationalInstrument, "The Convention and its Protocols"),
    "country": (SHERLOC.Country, "Countries"),
    "jurisdiction": (SHERLOC.InternationalJurisdiction, "International jurisdictions"),
    "court": (SHERLOC.Court, "Courts"),
    "treaty": (SHERLOC.CooperationTreaty, "Cooperation treaties"),
    "strategy": (SHERLOC.Strategy, "Strategies"),
    "publication": (BIBO.Document, "Publications"),
    "authority": (SHERLOC.CompetentNationalAuthority, "Competent national authorities"),
    "participation": (SHERLOC.TreatyParticipation, "Treaty participation"),
    "guide": (SHERLOC.GuideSection, "Legislative guide sections"),
    "review": (SHERLOC.ReviewResponse, "Review responses"),
}


# -- reading ---------------------------------------------------------------------------------------

def read(store: Store, iris: Iris, iri: str, dataset: Dataset, *, window: Page | Sample = Page(),
         rules: Mapping[str, tuple[str, ...]] | None = None) -> Resource:
    """What ``dataset`` holds about ``iri`` (:attr:`Resource.known` False: nothing). UsageError
    when ``iri`` is not an absolute IRI."""
    resource = URIRef(iri)
    description = internal("resource-description")
    bindings = description.bindings({"resource": iri}, iris)
    quads = _quads(store.select(description.text, bindings=bindings, dataset=dataset).rows)
    counts = {prop: int(row["n"]) for row in store.select(
        internal("resource-incoming-counts").text, bindings=bindings, dataset=dataset).rows
        if isinstance(prop := row.get("inProperty"), URIRef)}
    inferred = str(iris.graph("inferred"))
    statements = _statements(quads, inferred)
    parts = sorted({s.object for s in statements if s.subject == resource and isinstance(s.object, URIRef)
                    and str(s.object).startswith(iri + "/")})
    about = {resource, *parts}
    incoming: list[Statement] = []
    labels = [s for s in statements if s.subject not in about]
    if counts:
        pairs = _incoming_pairs(store, iris, iri, dataset, window)
        text = internal("resource-incoming-links").with_rows({("in", "inProperty"): pairs})
        rows = store.select(text, bindings=bindings, dataset=dataset).rows if pairs else []
        for statement in _statements(_quads(rows), inferred):  # a label is a literal, never the resource
            (incoming if statement.object == resource else labels).append(statement)
    return Resource(resource, tuple(s for s in statements if s.subject in about), tuple(parts), tuple(labels),
                    tuple(incoming), counts, window, rules or {})


def _incoming_pairs(store: Store, iris: Iris, iri: str, dataset: Dataset,
                    window: Page | Sample) -> list[tuple[URIRef, URIRef]]:
    """The (resource, property) pairs linking to ``iri`` that ``window`` takes."""
    query = internal("resource-incoming-page")
    limit, offset = ((window.size, (window.number - 1) * window.size) if isinstance(window, Page)
                     else (window.scan, 0))
    text = f"{query.text.rstrip()}\nLIMIT {int(limit)} OFFSET {int(offset)}"
    rows = store.select(text, bindings=query.bindings({"resource": iri}, iris), dataset=dataset).rows
    pairs = [(s, p) for row in rows if isinstance(s := row["in"], URIRef) and isinstance(p := row["inProperty"], URIRef)]
    if isinstance(window, Sample):
        taken: dict[URIRef, int] = defaultdict(int)
        kept = []
        for subject, prop in pairs:
            if taken[prop] < window.per_property:
                taken[prop] += 1
                kept.append((subject, prop))
        pairs = kept
    return pairs


def read_list(store: Store, iris: Iris, kind: str, dataset: Dataset, page: int = 1, size: int = LIST_PAGE) -> Listing:
    """A page of the list resource ``{base}id/{kind}`` (a kind of :data:`LISTS`)."""
    cls, _ = LISTS[kind]
    count, members = internal("resource-list-count"), internal("resource-list-members")
    iri = iris.at("id/" + kind)
    bindings = count.bindings({"class": str(cls), "prefix": f"{iri}/"}, iris)
    rows = store.select(count.text, bindings=bindings, dataset=dataset).rows
    total = int(rows[0]["n"]) if rows else 0
    text = f"{members.text.rstrip()}\nLIMIT {int(size)} OFFSET {int((page - 1) * size)}"
    found = tuple(row["member"] for row in store.select(text, bindings=bindings, dataset=dataset).rows
                  if isinstance(row["member"], URIRef))
    labels: tuple[Statement, ...] = ()
    if found:
        text = internal("resource-labels").with_rows({"s": found})
        labels = tuple(_statements(_quads(store.select(text, dataset=dataset).rows), str(iris.graph("inferred"))))
    return Listing(iri, kind, cls, total, found, labels, page, size)


def _quads(rows: Sequence[Mapping[str, object]]) -> list[tuple[Subject, URIRef, Object, str]]:
    quads = []
    for row in rows:
        s, p, o, g = row["s"], row["p"], row["o"], row["g"]
        assert isinstance(s, (URIRef, BNode)) and isinstance(p, URIRef) and isinstance(o, (URIRef, BNode, Literal))
        quads.append((s, p, o, str(g)))
    return quads


def _statements(quads: Sequence[tuple[Subject, URIRef, Object, str]], inferred: str) -> list[Statement]:
    """The quads as statements, one per triple with every graph that holds it, in the order read."""
    graphs: dict[tuple[Subject, URIRef, Object], set[str]] = {}
    for s, p, o, g in quads:
        graphs.setdefault((s, p, o), set()).add(g)
    return [Statement(s, p, o, frozenset(held), held == {inferred}) for (s, p, o), held in graphs.items()]


# -- the rules that draw each inferred property ---------------------------------------------------------

_PREFIX = re.compile(r"^\s*PREFIX\s+([\w-]*):\s*<([^>]*)>", re.MULTILINE | re.IGNORECASE)
_INSERTED = re.compile(r"INSERT\s*\{\s*GRAPH\s*<[^>]*>\s*\{(.*?)\}\s*\}", re.DOTALL | re.IGNORECASE)


@lru_cache(maxsize=4)
def rules_by_property(directory: Path) -> dict[str, tuple[str, ...]]:
    """Property IRI -> the names of the rules (``{directory}/*.ru``) whose INSERT template writes it."""
    found: dict[str, list[str]] = defaultdict(list)
    for path in sorted(directory.glob("*.ru")):
        text = path.read_text(encoding="utf-8")
        prefixes = dict(_PREFIX.findall(text))
        for template in _INSERTED.findall(text):
            for written in re.findall(r"\?\w+\s+(\S+)\s+\?\w+", template):
                prefix, colon, local = written.partition(":")
                iri = written[1:-1] if written.startswith("<") else (prefixes.get(prefix, "") + local if colon else "")
                if iri and path.stem not in found[iri]:
                    found[iri].append(path.stem)
    return {iri: tuple(names) for iri, names in found.items()}


@lru_cache(maxsize=4)
def rule_reasons(directory: Path) -> dict[str, str]:
    """Rule name -> what it infers and why, as its file says first: the opening paragraph of its
    header comment (``# Rule NAME: a case concerns a provision when ...``), without ``Rule NAME:``."""
    found = {}
    for path in sorted(directory.glob("*.ru")):
        lines = []
        for line in path.read_text(encoding="utf-8").splitlines():
            text = line.strip().lstrip("#").strip()
            if not line.strip().startswith("#") or not text:
                break
            lines.append(text)
        reason = " ".join(lines)
        found[path.stem] = reason.removeprefix(f"Rule {path.stem}:").strip()
    return found
