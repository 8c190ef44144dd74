"""The words of a search (``q``): where they are looked for on a record, and how a word matches
whatever its accents and case (:func:`word_pattern`, a regular expression every SPARQL server
reads alike)."""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata
from collections import defaultdict

from rdflib import Literal, URIRef

from .namespaces import PREFIXES
from .queries import internal
from .search_kinds import Kind

#: A property no triple has, added to every VALUES block of properties of ``search-word.rq``, so
#: that none is empty (a kind that walks no two steps) or of one row (Virtuoso 7.2.5 reads a
#: variable a one-row VALUES binds as free in some joins: search.py, ``_NO_RECORD``).
_NO_PROPERTY = URIRef("urn:sherloc:no-property")
_PREFIXED = re.compile(r"([a-z][a-z0-9]*):([A-Za-z_][\w-]*)")


def word_filter(kind: Kind, word: str) -> str:
    """The records that have ``word`` in one of the texts a reader sees on them (the title, the
    summary and the kind's other ``texts``) or in a label of a resource they link to (the kind's
    ``labelled`` steps), as a subquery joined on ``?r``: ``sparql/internal/search-word.rq`` (whose
    header says how), the class and the word's pattern (:func:`word_pattern`) written in as terms,
    the properties of the texts and of each step in its VALUES blocks."""
    named = internal("search-word")
    texts = [prefixed_iri(p) for p in dict.fromkeys(kind.titles + kind.summaries + kind.texts)]
    walks = [[[prefixed_iri(p) for p in step.split("|")] for step in steps] for steps in kind.labelled]
    if any(len(steps) not in (1, 2) for steps in walks):
        raise ValueError(f"search kind {kind.name}: a labelled walk of one or two steps only (search-word.rq)")
    one = [p for steps in walks if len(steps) == 1 for p in steps[0]]
    two = [pair for steps in walks if len(steps) == 2 for pair in itertools.product(*steps)]
    text = named.update_text({"class": prefixed_iri(kind.cls), "pattern": Literal(word_pattern(word))},
                             {"text": [*dict.fromkeys(texts), _NO_PROPERTY],
                              "step1": [*dict.fromkeys(one), _NO_PROPERTY],
                              ("step1", "step2"): [*dict.fromkeys(two), (_NO_PROPERTY, _NO_PROPERTY)]})
    return f"{{\n{text}\n}}"


@functools.lru_cache(maxsize=256)
def prefixed_iri(name: str) -> URIRef:
    """A prefixed name of the search kinds (``sherloc:CourtCase``) as its IRI (a term to bind)."""
    match = _PREFIXED.fullmatch(name)
    if not match or match[1] not in PREFIXES:
        raise ValueError(f"search kinds: '{name}' is not a prefixed name of a known prefix")
    return URIRef(PREFIXES[match[1]] + match[2])


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
