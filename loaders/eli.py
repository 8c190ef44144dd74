"""ELI as the ELI ontology (1.5) defines it: what every loader of legal texts writes the same way
(the instruments, and each reader of national legislation). docs/model.md "ELI" says which term
means what.

- **Works.** A law, an instrument: ``eli:LegalResource``; each of its units (an article, a section,
  a chapter, a paragraph...) also ``eli:LegalResourceSubdivision``, asserted by the loader (the
  public endpoint does no RDFS reasoning), ``eli:is_part_of`` its direct parent.
- **Language versions.** Every language a work or unit has a title or words in is one
  ``eli:LegalExpression`` of it, :meth:`Iris.expression <sherloc_kg.iris.Iris.expression>`
  (``{work}/{tag}``): ``eli:realizes`` the work (which ``eli:is_realized_by`` it), ``eli:language``
  its entry in the EU language authority table (sherloc_kg/links_out.py; none for a tag the table
  lacks), ``eli:title`` the work's title in that language and ``sherloc:text`` its words (ELI has no
  property for the words themselves: its manifestations are files). The work keeps its
  ``dcterms:title`` and ``sherloc:text`` in every language, which the pages and the search read. A
  text with no language tag (a law of our format that gives no ``language``) is in no known
  language and makes no expression.
- **In force.** ``eli:in_force`` one of ELI's in-force table (:func:`in_force`), on works only.
"""

from __future__ import annotations

from collections.abc import Iterable

from rdflib import Literal, URIRef
from rdflib.term import Node

from sherloc_kg.iris import Iris
from sherloc_kg.links_out import eu_language
from sherloc_kg.namespaces import ELI, IN_FORCE, NOT_IN_FORCE, RDF, SHERLOC

Triple = tuple[URIRef, URIRef, Node]


def in_force(value: bool) -> URIRef:
    """The ``eli:in_force`` value of a yes or no: ELI's ``InForce-inForce`` or ``InForce-notInForce``."""
    return IN_FORCE if value else NOT_IN_FORCE


def language_versions(work: URIRef, titles: Iterable[Literal] = (), texts: Iterable[Literal] = ()) -> list[Triple]:
    """The triples of the language versions of ``work``: one ``eli:LegalExpression`` per language
    tag among ``titles`` (its ``eli:title``) and ``texts`` (its ``sherloc:text``), in the order met."""
    by_language: dict[str, list[Triple]] = {}
    for predicate, literals in ((ELI.title, titles), (SHERLOC.text, texts)):
        for literal in literals:
            language = literal.language if isinstance(literal, Literal) else None
            if not language:
                continue
            expression = Iris.expression(work, language)
            if language not in by_language:
                by_language[language] = [(work, ELI.is_realized_by, expression),
                                         (expression, RDF.type, ELI.LegalExpression),
                                         (expression, ELI.realizes, work)]
                authority = eu_language(language)
                if authority is not None:
                    by_language[language].append((expression, ELI.language, authority))
            by_language[language].append((expression, predicate, literal))
    return [triple for triples in by_language.values() for triple in triples]


def expressions_of(triples: Iterable[Triple]) -> list[URIRef]:
    """The expressions among ``triples`` (as :func:`language_versions` writes them)."""
    return [s for s, p, o in triples if p == RDF.type and o == ELI.LegalExpression]
