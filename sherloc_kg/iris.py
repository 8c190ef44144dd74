"""The one place where IRIs are minted and read back.

Every IRI follows ARCHITECTURE.md: ``{base}id/{kind}/...`` for things, ``{base}vocab/{scheme}/{concept}``
for concepts, ``{base}graph/{name}`` for named graphs. Ids from sources are percent-encoded
segment by segment, so an id can never escape its segment or inject IRI syntax.

Both directions live here: :class:`Iris` mints, and reads an IRI back (:meth:`Iris.relative`,
:meth:`Iris.below`, :meth:`Iris.graph_name`, :meth:`Iris.provision_reference`, :meth:`Iris.href`
for a link); nothing else cuts a base off an IRI. So do the two codes IRIs are built from:
:func:`is_iso3` (a State's ISO 3166-1 alpha-3 code) and :func:`parse_provision` (a provision
reference, ``untoc/art/5/1/a``). tests/test_iris_one_place.py holds the rest of the code to it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import quote, unquote

from rdflib import URIRef

from .config import DEFAULT_BASE
from .errors import UsageError

INSTRUMENTS = ("untoc", "tip", "som", "fp")
#: The concept scheme of the UN M49 areas, ``{base}vocab/m49`` (written by loaders/countries.py).
M49_SCHEME = "m49"

#: Named graphs (ARCHITECTURE.md "Named graphs").
GRAPHS = (
    "ontology", "vocabularies", "instruments", "countries",
    "cases", "legislation", "editorial", "participation", "treaties", "strategies", "bibliography",
    "authorities", "authorities-restricted", "guide", "review", "review-restricted",
    "inferred", "provenance", "provenance-restricted",
)
#: Which of them are restricted, and who reads which, is decided in sherloc_kg/access.py, not here.
#: Graphs kept one per State: ``review-restricted/XAA`` (IRI ``{base}graph/review-restricted/XAA``)
#: holds the unpublished review answers of State XAA, ``provenance-restricted/XAA`` their provenance
#: (the file or submission each came from, its current version), so that an official of XAA can be
#: given exactly those graphs (sherloc_kg/access.py). The graph
#: ``review-restricted`` itself receives nothing any more (answers loaded before the split stay
#: there until re-loaded or re-submitted); ``provenance-restricted`` keeps the load activities of
#: files whose records are all restricted but of several States.
STATE_GRAPHS = frozenset({"review-restricted", "provenance-restricted"})


def state_graph_name(family: str, country: str) -> str:
    """The name of State ``country``'s graph of ``family``: ``review-restricted/XAA``."""
    if family not in STATE_GRAPHS:
        raise UsageError(f"'{family}' is not kept one graph per State; those are: {', '.join(sorted(STATE_GRAPHS))}")
    if not country:
        raise UsageError(f"a graph of {family} needs the State's ISO 3166-1 alpha-3 code")
    return f"{family}/{country}"


#: How an ISO 3166-1 alpha-3 code is written: three capital letters (BRA; XAA for the examples).
_ISO3 = "[A-Z]{3}"
#: A provision reference: an instrument, then ``art/{n}`` and any paragraph, subparagraph... below it
#: (lower-case letters or digits): ``untoc/art/5/1/a``. The instrument alone (``untoc``) is one too
#: where a reference may name a whole instrument (:func:`parse_provision`).
_PROVISION = re.compile("(" + "|".join(INSTRUMENTS) + r")(?:/art/(\d+)((?:/[0-9a-z]+)*))?")
#: A language tag (BCP 47) as the texts carry it: ``en``, ``fr``, ``pt-BR``.
_LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*")
_NATIONAL = re.compile(rf"^(?:(?P<country>{_ISO3}):)?(?P<law>[^#\s]+)#(?P<number>[^#\s]+)$")


def is_iso3(code: str) -> bool:
    """Whether ``code`` is written as an ISO 3166-1 alpha-3 code (three capital letters): the one
    check of a State's code."""
    return re.fullmatch(_ISO3, code) is not None


@dataclass(frozen=True)
class ProvisionReference:
    """A provision reference read: ``untoc/art/5/1/a`` is instrument ``untoc``, article ``5``,
    parts ``("1", "a")``; ``untoc`` alone has no article."""

    instrument: str
    article: str | None
    parts: tuple[str, ...]


def parse_provision(reference: str) -> ProvisionReference | None:
    """A provision reference (or an instrument's code) read; None when it is neither. The whole
    text must match: a final line break is no part of a reference."""
    match = _PROVISION.fullmatch(reference)
    if match is None:
        return None
    instrument, article, rest = match.groups()
    return ProvisionReference(instrument, article, tuple(p for p in (rest or "").split("/") if p))


def segment(value: str) -> str:
    """Percent-encode one path segment (``/`` included) of an IRI."""
    return quote(str(value), safe="-._~!$&'()*+,;=:@")


def slug(text: str) -> str:
    """A readable, stable segment from a name: ``Supreme Court (Brazil)`` → ``supreme-court-brazil``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "unnamed"


@dataclass(frozen=True)
class Iris:
    """IRIs under one base. ``Iris()`` uses the default base."""

    base: str = DEFAULT_BASE

    def _id(self, *parts: str) -> URIRef:
        return URIRef(self.base + "id/" + "/".join(parts))

    # -- named graphs ------------------------------------------------------------------------
    def all_graphs(self) -> list[str]:
        """Every SHERLOC graph, restricted ones included, except the per-State graphs
        (STATE_GRAPHS): those are as many as the States with data, and ``state_graphs`` picks them
        out of a list of graphs (``Store.graphs()``)."""
        return [str(self.graph(name)) for name in GRAPHS]

    def graph(self, name: str) -> URIRef:
        """A named graph: ``review`` → ``{base}graph/review``; ``review-restricted/XAA`` (see
        STATE_GRAPHS) → ``{base}graph/review-restricted/XAA``."""
        family, _, country = name.partition("/")
        if country and family in STATE_GRAPHS:
            return URIRef(f"{self.base}graph/{family}/{segment(country)}")
        if name not in GRAPHS:
            raise UsageError(f"unknown graph '{name}'; known: {', '.join(GRAPHS)}")
        return URIRef(f"{self.base}graph/{name}")

    def state_graph(self, family: str, country: str) -> URIRef:
        """State ``country``'s graph of ``family`` (STATE_GRAPHS): ``{base}graph/review-restricted/XAA``."""
        return self.graph(state_graph_name(family, country))

    def state_graph_prefixes(self) -> list[str]:
        """What the IRI of every per-State graph starts with: ``{base}graph/review-restricted/``."""
        return [f"{self.base}graph/{family}/" for family in sorted(STATE_GRAPHS)]

    def state_graphs(self, graphs: Iterable[str], family: str | None = None) -> list[str]:
        """The per-State graphs (of ``family``, or of any) among ``graphs``, sorted."""
        prefixes = [f"{self.base}graph/{family}/"] if family else self.state_graph_prefixes()
        return sorted({g for g in graphs if any(g.startswith(p) and len(g) > len(p) for p in prefixes)})

    # -- the Convention and its Protocols -----------------------------------------------------
    def instrument(self, code: str) -> URIRef:
        if code not in INSTRUMENTS:
            raise UsageError(f"unknown instrument '{code}'; known: {', '.join(INSTRUMENTS)}")
        return self._id("instrument", code)

    def provision(self, reference: str) -> URIRef:
        """``untoc/art/5/1/a`` → ``{base}id/instrument/untoc/art/5/1/a``. Raises UsageError if malformed."""
        parsed = parse_provision(reference)
        if parsed is None or parsed.article is None:
            raise UsageError(
                f"'{reference}' is not a Convention provision reference "
                "(expected {untoc|tip|som|fp}/art/{n}[/{paragraph}[/{subparagraph}]], e.g. untoc/art/5/1/a)"
            )
        return self._id("instrument", reference)

    def provision_reference(self, iri: str) -> str | None:
        """The reverse of :meth:`provision`: ``untoc/art/5/1/a``, or None if not a provision IRI."""
        reference = self.below(iri, "id/instrument/")
        parsed = None if reference is None else parse_provision(reference)
        return reference if parsed is not None and parsed.article is not None else None

    # -- jurisdictions -----------------------------------------------------------------------
    def country(self, iso3: str) -> URIRef:
        return self._id("country", segment(iso3))

    def jurisdiction(self, code: str) -> URIRef:
        """An international or regional body used as a jurisdiction (``IRB``, ``ECHR``)."""
        return self._id("jurisdiction", segment(code))

    def court(self, jurisdiction_code: str, name: str) -> URIRef:
        return self._id("court", segment(jurisdiction_code), slug(name))

    # -- records -----------------------------------------------------------------------------
    def case(self, case_id: str) -> URIRef:
        return self._id("case", segment(case_id))

    def case_path(self, iri: str) -> str | None:
        """A case IRI's identifier as its IRI escapes it (``ALB%209%231``, ``A%2FB``): the last part of
        a page's path that names the case (``/explore/cases/ALB%209%231``). None for an IRI that is
        no case of this base (a part of a case, ``case/X/defendant/1``, is none)."""
        escaped = self.below(iri, "id/case/")
        return escaped if escaped and "/" not in escaped else None

    def case_id(self, iri: str) -> str | None:
        """The reverse of :meth:`case`: a case IRI's identifier, unescaped (``ALB 9#1``), or None."""
        escaped = self.case_path(iri)
        return None if escaped is None else unquote(escaped)

    def legislation(self, country: str, law_id: str) -> URIRef:
        return self._id("legislation", segment(country), segment(law_id))

    def national_provision(self, country: str, law_id: str, number: str) -> URIRef:
        return self._id("legislation", segment(country), segment(law_id), "art", segment(number))

    def law_subdivision(self, country: str, law_id: str, section: str, *parts: str) -> URIRef:
        """A numbered unit of a law structured in sections (Justice Canada XML): section ``117`` →
        ``{law}/sec/117``; subsection 1 of it → ``{law}/sec/117/1``; then paragraph ``a``,
        subparagraph ``i``, clause ``A`` below it. Each label is one segment, kept as written
        (``279.01``, ``4.11``, ``xlvii.1``) and percent-encoded, so no label can escape its segment."""
        if not section or not all(parts):
            raise UsageError(f"a subdivision of {law_id} needs a label at every level, got {(section, *parts)!r}")
        return self._id("legislation", segment(country), segment(law_id), "sec", segment(section),
                        *(segment(p) for p in parts))

    def national_provision_ref(self, reference: str, default_country: str) -> URIRef:
        """``BRA-cp-1940#149-A`` (in the referring record's country) or ``BRA:BRA-cp-1940#149-A``."""
        match = _NATIONAL.match(reference)
        if not match:
            raise UsageError(
                f"'{reference}' is not a national provision reference "
                "(expected {law id}#{provision number}, e.g. BRA-cp-1940#149-A, or ISO3:{law id}#{number})"
            )
        country = match["country"] or default_country
        return self.national_provision(country, match["law"], match["number"])

    def participation(self, instrument: str, country: str) -> URIRef:
        return self._id("participation", segment(instrument), segment(country))

    def treaty(self, treaty_id: str) -> URIRef:
        return self._id("treaty", segment(treaty_id))

    def strategy(self, strategy_id: str) -> URIRef:
        return self._id("strategy", segment(strategy_id))

    def publication(self, publication_id: str) -> URIRef:
        return self._id("publication", segment(publication_id))

    def authority(self, authority_id: str) -> URIRef:
        return self._id("authority", segment(authority_id))

    def guide(self, guide_id: str) -> URIRef:
        return self._id("guide", segment(guide_id))

    def review(self, review_id: str) -> URIRef:
        return self._id("review", segment(review_id))

    def source(self, sha256: str) -> URIRef:
        """A source file, identified by its content."""
        return self._id("source", sha256)

    def activity(self, stamp: str) -> URIRef:
        return self._id("activity", segment(stamp))

    @staticmethod
    def expression(work: URIRef, language: str) -> URIRef:
        """A language version (``eli:LegalExpression``) of a legal resource or of one of its
        subdivisions: ``{work}/{language}``, the BCP 47 tag its texts carry (``…/untoc/art/5/fr``,
        ``…/legislation/CAN/I-2.5/sec/117/en``), the language last as ELI's own URI template puts
        it (Luxembourg's ELI: ``…/n6/jo/fr``). A tag is letters and hyphens only; the units below a
        work are named otherwise (``art``, ``sec``, numbers, and the Convention's letters and roman
        numerals, none of them a language of its texts), so no expression has a unit's IRI.
        Raises UsageError for anything that is no language tag."""
        if not _LANGUAGE_TAG.fullmatch(language):
            raise UsageError(f"'{language}' is not a language tag (BCP 47, e.g. en, fr, pt-BR)")
        return URIRef(f"{work}/{segment(language)}")

    @staticmethod
    def part(record: URIRef, *parts: str | int) -> URIRef:
        """A resource that exists only inside a record: ``{case}/defendant/1``."""
        return URIRef(str(record) + "/" + "/".join(segment(str(p)) for p in parts))

    # -- vocabularies ------------------------------------------------------------------------
    def scheme(self, scheme: str) -> URIRef:
        return URIRef(f"{self.base}vocab/{scheme}")

    def concept(self, scheme: str, notation: str) -> URIRef:
        return URIRef(f"{self.base}vocab/{scheme}/{segment(notation)}")

    def m49_area(self, code: str) -> URIRef:
        """A UN M49 region, sub-region or intermediate region by its three-digit code (``150``):
        ``{base}vocab/m49/150``, the concept a country's ``sherloc:inRegion`` and a regional strategy's
        ``sherloc:region`` name (M49 publishes no IRI per area: sherloc_kg/links_out.py)."""
        return self.concept(M49_SCHEME, code)

    # -- rebasing ----------------------------------------------------------------------------
    def rebase(self, iri: str) -> str:
        """An IRI written under the default base (in ontology/ files), moved under this base."""
        if self.base != DEFAULT_BASE and iri.startswith(DEFAULT_BASE) and not iri.startswith(
            DEFAULT_BASE + "ontology"
        ):
            return self.base + iri[len(DEFAULT_BASE):]
        return iri

    def at(self, path: str) -> URIRef:
        """The IRI a path on this server names (``/id/case/ALB%209%231``, ``id/case/ALB 9#1``): each
        segment decoded, then encoded the one way :func:`segment` mints it, so that ``%40`` and ``@``
        name the same resource. The reverse of :meth:`href`."""
        return URIRef(self.base + "/".join(segment(unquote(part)) for part in path.lstrip("/").split("/")))

    def relative(self, iri: str) -> str | None:
        """An IRI's part after the base (``id/case/BRA016``), escapes kept; None when the IRI is
        not under the base."""
        return self.below(iri, "")

    def below(self, iri: str, path: str) -> str | None:
        """An IRI's part after ``{base}{path}`` (``id/review/`` → ``XAA-2024-1``), escapes kept;
        None when the IRI is not there. The one place a base is cut off an IRI."""
        prefix = self.base + path
        return iri[len(prefix):] if iri.startswith(prefix) else None

    def graph_name(self, iri: str) -> str | None:
        """The reverse of :meth:`graph`: ``review``, ``review-restricted/XAA`` (escapes kept), or
        None when ``iri`` is not under ``{base}graph/``."""
        return self.below(iri, "graph/")

    def href(self, iri: str) -> str | None:
        """The path this server answers an IRI at (``/id/case/ALB%209%231``), for a link: its
        percent-escapes kept, so that following it asks for the same IRI (unescaped, ``#`` would
        start a fragment and a space break the link). None when the IRI is not under the base."""
        local = self.relative(iri)
        return None if local is None else "/" + local

    # -- the change feed (api/change_feed.py, sherloc_kg/versions.py) -------------------------
    def feed(self) -> URIRef:
        """The change feed's entry point, its root page: ``{base}feed``."""
        return URIRef(f"{self.base}feed")

    def event_stream(self) -> URIRef:
        """The ``ldes:EventStream`` the feed publishes, described on its root page."""
        return URIRef(f"{self.base}feed#stream")

    def feed_page(self, after: str) -> URIRef:
        """The feed's page of the versions after the version keyed ``after``: ``{base}feed?after={key}``."""
        return URIRef(f"{self.base}feed?after={segment(after)}")

    def version(self, key: str) -> URIRef:
        """One version of a member of the feed: ``{base}feed/version/{key}``."""
        return URIRef(f"{self.base}feed/version/{segment(key)}")

    def version_key(self, iri: str) -> str | None:
        """The reverse of :meth:`version`, or None when ``iri`` is no version."""
        key = self.below(iri, "feed/version/")
        return unquote(key) if key and "/" not in key else None

    def version_logs_root(self) -> URIRef:
        """What every version log lies below: ``{base}graph/versions``."""
        return URIRef(f"{self.base}graph/versions")

    def version_log(self, graph: str) -> URIRef | None:
        """The version log of a SHERLOC graph (``{base}graph/cases`` → ``{base}graph/versions/cases``,
        ``…/review-restricted/XAA`` → ``…/versions/review-restricted/XAA``), escapes kept; None for a
        graph outside ``{base}graph/`` or a log itself."""
        name = self.graph_name(graph)
        if not name or name == "versions" or name.startswith("versions/"):
            return None
        return URIRef(f"{self.version_logs_root()}/{name}")

    def logged_graph(self, log: str) -> str | None:
        """The reverse of :meth:`version_log`: the graph whose versions ``log`` keeps, or None."""
        name = self.below(log, "graph/versions/")
        return f"{self.base}graph/{name}" if name else None

    def version_logs(self, graphs: Iterable[str]) -> list[str]:
        """The version logs among ``graphs`` (``Store.graphs()``), sorted."""
        return sorted(g for g in graphs if self.logged_graph(g))
