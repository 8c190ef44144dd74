"""Reading SPARQL text without evaluating it: what the SPARQL endpoint must know about a request
before the engine runs it.

A small lexer (SPARQL 1.1 Query, section 19.8 "Grammar", terminals only) splits query or update
text into tokens, so that a word inside a string (``"FROM"``), an IRI (``<http://x/WHERE>``) or a
comment (``# SERVICE``) is never taken for a keyword, and braces are counted only where they
are syntax. On top of it:

- :func:`query_form`: SELECT, ASK, CONSTRUCT or DESCRIBE, to negotiate a format before running;
- :func:`dataset_clauses`: the query's FROM / FROM NAMED graphs, prefixed names resolved through
  its PREFIX declarations and relative IRIs through its BASE (SPARQL 1.1 Query, 13.2);
- :func:`update_names_dataset`: whether an update has USING, USING NAMED or WITH
  (SPARQL 1.1 Protocol, 2.2.3: such an update may not also get using-graph-uri);
- :func:`with_using`: an update rewritten so that the protocol's using-graph-uri /
  using-named-graph-uri apply to each of its DELETE/INSERT ... WHERE operations;
- :func:`keywords`: the keywords a text uses, e.g. to refuse LOAD;
- :func:`service_like`, :func:`load_like`: whether any token of the text could be read as SERVICE
  (LOAD) by an engine (``SERVICESILENT<url>``, ``SERVICEex:x``): a refusal that errs towards refusing;
- :func:`nesting_depth`: how deeply brackets nest, bounded before any engine parses the text
  (Oxigraph's recursive-descent parser overflows its stack, killing the process, near 4,000);
- :func:`has_relative_iri`: whether the text needs a base IRI; :func:`with_base`: the text with
  one, its own BASE declarations kept.

It is not a parser: malformed text gives a best-effort answer and the engine reports the error.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urljoin

#: Terminals, tried in order at each position. IRIREF excludes what the grammar excludes, so that
#: ``?a < ?b`` stays a comparison, but takes ``\\u``/``\\U`` escapes as Oxigraph does (SPARQL 1.1
#: Query 19.2: codepoint escapes in IRIs and strings); strings allow any escaped character.
_TERMINALS = [
    ("space", r"\s+"),
    ("comment", r"#[^\n\r]*"),
    ("string", r"'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^\"\\]|\\.|\"(?!\"\"))*\"\"\""
               r"|'(?:[^'\\\n\r]|\\.)*'|\"(?:[^\"\\\n\r]|\\.)*\""),
    ("iri", r"<(?:[^<>\"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>"),
    ("var", r"[?$][\w\u00B7\u00C0-\uFFFF]+"),
    ("bnode", r"_:[\w\u00C0-\uFFFF](?:[\w.\-\u00B7\u00C0-\uFFFF]*[\w\-\u00B7\u00C0-\uFFFF])?"),
    # A prefixed name, or a bare word (keyword, function name, 'a', true/false).
    ("name", r"(?:[A-Za-z\u00C0-\uFFFF](?:[\w.\-\u00B7\u00C0-\uFFFF]*[\w\-\u00B7\u00C0-\uFFFF])?)?"
             r":(?:(?:[\w:\-\u00B7\u00C0-\uFFFF]|%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%])"
             r"(?:[\w.:\-\u00B7\u00C0-\uFFFF]|%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%])*"
             r"(?<!\.))?"),
    ("word", r"[A-Za-z_][\w\-]*"),
    ("langtag", r"@[A-Za-z]+(?:-[A-Za-z0-9]+)*"),
    ("number", r"[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)"),
    ("punct", r"\^\^|&&|\|\||<=|>=|!=|[{}()\[\];,.*/+\-=<>!|^]|."),
]
_LEXER = re.compile("|".join(f"(?P<{name}>{pattern})" for name, pattern in _TERMINALS), re.DOTALL)
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")

QUERY_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")


@dataclass(frozen=True)
class Token:
    kind: str    # space/comment never reach callers: string iri var bnode name word langtag number punct
    text: str
    start: int
    end: int
    depth: int   # braces open before this token

    def is_word(self, *words: str) -> bool:
        return self.kind == "word" and self.text.upper() in words


#: Texts up to this length have their tokens kept (the endpoint reads one query text four or five
#: times: its form, its keywords, its dataset clauses, its relative IRIs, a thousandth of a second
#: each for a named query); longer ones, such as a load's update, are read once and not kept.
_KEPT_TEXT = 64 * 1024


def tokens(text: str) -> tuple[Token, ...]:
    """The tokens of ``text``, comments and white space left out, each with its brace depth.
    An unterminated string or IRI swallows the rest of the text, as the engine would read it."""
    return _kept_tokens(text) if len(text) <= _KEPT_TEXT else _lex(text)


@functools.lru_cache(maxsize=256)
def _kept_tokens(text: str) -> tuple[Token, ...]:
    return _lex(text)


def _lex(text: str) -> tuple[Token, ...]:
    found: list[Token] = []
    depth = 0
    position = 0
    while position < len(text):
        match = _LEXER.match(text, position)
        assert match is not None  # the last alternative matches any character
        kind = match.lastgroup or "punct"
        end = match.end()
        if kind == "punct" and match.group() in ("'", '"'):
            kind, end = "string", len(text)  # an unterminated string runs to the end
        if kind not in ("space", "comment"):
            value = text[position:end]
            if kind == "punct" and value == "}":
                depth = max(0, depth - 1)
            found.append(Token(kind, value, position, end, depth))
            if kind == "punct" and value == "{":
                depth += 1
        position = end
    return tuple(found)


def keywords(text: str) -> set[str]:
    """Every bare word the text uses, upper-cased (``SERVICE``, ``LOAD``, ``FROM``...)."""
    return {t.text.upper() for t in tokens(text) if t.kind == "word"}


#: What an engine could take for the SERVICE (or LOAD) keyword: a word or prefixed name that starts
#: with it (Oxigraph reads ``SERVICESILENT<url>`` as ``SERVICE SILENT <url>``, ``SERVICEex:x`` as
#: ``SERVICE ex:x``, ``LOADSILENT<url>`` as ``LOAD SILENT <url>``), or any other token but a string,
#: an IRI or a plain variable that holds it.
def keyword_like(text: str, keyword: str) -> bool:
    """Whether the text could hold ``keyword`` (upper case) as the engine reads it. Errs towards
    yes: a prefixed name ``service:x`` or a variable with letters beyond ASCII holding the word
    counts too; words inside strings, IRIs and comments do not (the lexer reads those as the
    engine's grammar does)."""
    for token in tokens(text):
        if token.kind in ("string", "iri"):
            continue
        if keyword not in token.text.upper():
            continue
        if token.kind == "var" and token.text[1:].isascii():
            continue  # ?service: a variable name, never a keyword
        return True
    return False


def service_like(text: str) -> bool:
    """Whether the text could ask the engine to call another endpoint (SERVICE, in any spelling
    the engine accepts)."""
    return keyword_like(text, "SERVICE")


def load_like(text: str) -> bool:
    """Whether an update could ask the engine to fetch and parse a document (LOAD)."""
    return keyword_like(text, "LOAD")


_OPENING, _CLOSING = "({[", ")}]"


def nesting_depth(text: str) -> int:
    """The deepest nesting of ``(``, ``{`` and ``[`` (all three together), outside strings, IRIs
    and comments: what a recursive-descent parser recurses on."""
    depth = deepest = 0
    for token in tokens(text):
        if token.kind != "punct":
            continue
        if token.text in _OPENING:
            depth += 1
            deepest = max(deepest, depth)
        elif token.text in _CLOSING:
            depth = max(0, depth - 1)
    return deepest


def has_relative_iri(text: str) -> bool:
    """Whether an IRI written in the text is relative, so that it needs a base IRI to mean anything."""
    return any(t.kind == "iri" and not _is_absolute(t.text) for t in tokens(text))


def _is_absolute(written: str) -> bool:
    return bool(_SCHEME.match(_unescape_iri(written[1:-1])))


def with_base(text: str, base: str) -> tuple[str, int]:
    """The text with ``base`` as the IRI its relative IRIs resolve against (SPARQL 1.1 Query 4.1.1;
    Protocol 2.1.5: the base "MAY be the service endpoint"), and how many lines were added before it.

    The text's own BASE declarations keep their meaning: a relative one is written resolved in its
    place (against ``base`` or the BASE before it), and ``BASE <base>`` is added before the text only
    where a relative IRI comes before any BASE of its own. So the text never holds two BASE
    declarations where it had one (Virtuoso 7 refuses a second BASE in a prologue) and a text with
    an absolute BASE of its own is sent as written."""
    items = tokens(text)
    current: str | None = None
    needs_ours = False
    edits: list[tuple[int, int, str]] = []
    for index, token in enumerate(items):
        if token.kind != "iri":
            continue
        written = _unescape_iri(token.text[1:-1])
        declares = index > 0 and items[index - 1].is_word("BASE")
        if _is_absolute(token.text):
            current = written if declares else current
        elif declares:
            current = urljoin(current or base, written)
            edits.append((token.start, token.end, f"<{current}>"))
        elif current is None:
            needs_ours = True
    for start, end, replacement in reversed(edits):
        text = text[:start] + replacement + text[end:]
    return (f"BASE <{base}>\n{text}", 1) if needs_ours else (text, 0)


@dataclass
class _Prologue:
    """PREFIX and BASE declarations read so far; resolves IRIs and prefixed names as the text does."""

    base: str | None
    prefixes: dict[str, str | None]

    def declare(self, items: Sequence[Token], index: int) -> int:
        """Read the declaration starting at ``items[index]`` if there is one; the index after it."""
        token = items[index]
        if token.is_word("BASE") and index + 1 < len(items) and items[index + 1].kind == "iri":
            self.base = self.iri(items[index + 1].text)
            return index + 2
        if (token.is_word("PREFIX") and index + 2 < len(items) and items[index + 1].kind == "name"
                and items[index + 1].text.endswith(":") and items[index + 2].kind == "iri"):
            self.prefixes[items[index + 1].text[:-1]] = self.iri(items[index + 2].text)
            return index + 3
        return index

    def iri(self, written: str) -> str | None:
        """``<rel>`` resolved against the base; None for a relative IRI when there is no base."""
        value = _unescape_iri(written[1:-1])
        if _SCHEME.match(value):
            return value
        return urljoin(self.base, value) if self.base else None

    def resolve(self, token: Token) -> str | None:
        if token.kind == "iri":
            return self.iri(token.text)
        if token.kind == "name":
            prefix, _, local = token.text.partition(":")
            namespace = self.prefixes.get(prefix)
            return None if namespace is None else namespace + re.sub(r"\\(.)", r"\1", local)
        return None


def _unescape_iri(value: str) -> str:
    return re.sub(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})",
                  lambda m: chr(int(m.group(1) or m.group(2), 16)), value)


def _skip_prologue(items: Sequence[Token], prologue: _Prologue, index: int = 0) -> int:
    while index < len(items):
        after = prologue.declare(items, index)
        if after == index:
            return index
        index = after
    return index


def first_keyword(text: str) -> str | None:
    """The first word after the prologue, upper-cased: the query form, or the first update
    operation (INSERT, DELETE, LOAD, CLEAR...); None when the text starts with something else."""
    items = tokens(text)
    index = _skip_prologue(items, _Prologue(None, {}))
    if index < len(items) and items[index].kind == "word":
        return items[index].text.upper()
    return None


def query_form(text: str) -> str | None:
    """SELECT, ASK, CONSTRUCT or DESCRIBE; None if the text starts with none of them (an
    update, or not SPARQL)."""
    word = first_keyword(text)
    return word if word in QUERY_FORMS else None


def dataset_clauses(text: str, base: str | None = None) -> tuple[list[str], list[str]]:
    """The graphs of the query's ``FROM`` and ``FROM NAMED`` clauses, as absolute IRIs.

    Only the top level counts (a subquery has no dataset clause). ``base`` is the IRI relative
    IRIs resolve against when the query has no BASE of its own; an IRI that cannot be resolved
    (unknown prefix, relative without base) is left out: the engine will refuse the query."""
    items = tokens(text)
    prologue = _Prologue(base, {})
    index = _skip_prologue(items, prologue)
    default: list[str] = []
    named: list[str] = []
    while index < len(items):
        token = items[index]
        if token.depth == 0 and token.is_word("FROM"):
            target = named if index + 1 < len(items) and items[index + 1].is_word("NAMED") else default
            index += 2 if target is named else 1
            if index < len(items):
                iri = prologue.resolve(items[index])
                if iri is not None and iri not in target:
                    target.append(iri)
        else:
            index += 1
    return default, named


def _operations(items: Sequence[Token]) -> list[list[Token]]:
    """An update request split into its operations (at top-level ``;``), prologues included."""
    operations: list[list[Token]] = [[]]
    for token in items:
        if token.depth == 0 and token.kind == "punct" and token.text == ";":
            operations.append([])
        else:
            operations[-1].append(token)
    return [operation for operation in operations if operation]


def update_names_dataset(text: str) -> bool:
    """Whether an update says itself which graphs its WHERE reads: ``USING``, ``USING NAMED`` or
    ``WITH`` in any of its operations."""
    return any(t.depth == 0 and t.is_word("USING", "WITH") for t in tokens(text))


def with_using(text: str, default_graphs: list[str], named_graphs: list[str]) -> str:
    """``text`` with ``USING <g>`` / ``USING NAMED <g>`` inserted before the WHERE of every
    DELETE/INSERT ... WHERE operation (SPARQL 1.1 Protocol, 2.2.3: the protocol's dataset applies
    as if the update named it). INSERT DATA, DELETE DATA, the DELETE WHERE short form (which has
    no USING in the grammar) and graph management operations are left as they are.

    The graphs must be absolute IRIs the caller has checked (no ``>`` or spaces)."""
    if not default_graphs and not named_graphs:
        return text
    clause = "".join(f"USING <{g}> " for g in default_graphs) + "".join(
        f"USING NAMED <{g}> " for g in named_graphs)
    inserts: list[int] = []
    for operation in _operations(tokens(text)):
        index = _skip_prologue(operation, _Prologue(None, {}))
        if index >= len(operation) or not operation[index].is_word("INSERT", "DELETE"):
            continue
        following = operation[index + 1] if index + 1 < len(operation) else None
        if following is not None and following.is_word("DATA", "WHERE"):
            continue
        where = next((t for t in operation[index + 1:] if t.depth == 0 and t.is_word("WHERE")), None)
        if where is not None:
            inserts.append(where.start)
    for position in reversed(inserts):
        text = text[:position] + clause + text[position:]
    return text
