"""The words of a search (``q``): where they are looked for on a record, and how a word matches
whatever its accents and case (:func:`word_pattern`, a regular expression every SPARQL server
reads alike)."""

from __future__ import annotations

import unicodedata
from collections import defaultdict

from rdflib import Literal

from .search_kinds import Kind
from .store.terms import sparql_term

#: The labels of a linked resource that q searches, in every language the store holds.
LABELS = "skos:prefLabel|skos:altLabel"


def word_filter(kind: Kind, word: str, n: int) -> str:
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
