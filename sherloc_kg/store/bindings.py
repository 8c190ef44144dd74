"""How a query's parameters are bound, on every backend: written into the query text as RDF terms
(never pasted as given), so that the store's planner sees them. Oxigraph plans a query before it
applies pyoxigraph's ``substitutions``, so a substituted IRI is a free variable to the planner:
the core pattern of ``legislation-implementing`` took 164 ms substituted, 0.2 ms written in
(benchmarks/results/lookups.md)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rdflib import URIRef

from .. import sparql_text
from ..errors import UsageError
from .contract import TermValue
from .terms import sparql_term


def with_bindings(text: str, bindings: Mapping[str, TermValue] | None) -> str:
    """``text`` with ``VALUES (?a ?b) { (term term) }`` opening its outer WHERE group, so that the
    variables are bound to terms (serialised, never pasted as text) wherever the group uses them.

    Where it means the same, each IRI bound is also written in place of its variable inside the
    group: servers plan a VALUES block as one more join, and Oxigraph then walks a property path
    such as ``?node eli:is_part_of* ?provision`` from every node before the join (100 times slower
    than from the IRI: 8 s instead of 0.08 s for the explorer's provision page). The VALUES block
    still binds the variable for the projection, ORDER BY and the like. Not written in place: a
    variable of a query with a subquery or MINUS (whose scoping substitution would change), one a
    query assigns (``AS ?x``) or lists in a VALUES block of its own, and literals and blank nodes.
    A variable the query assigns is bound by a VALUES clause after the query instead."""
    if not bindings:
        return text
    items = sparql_text.tokens(text)
    opening = None
    form_seen = skip_template = False
    for index, token in enumerate(items):
        if not form_seen and token.is_word("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"):
            form_seen = True
            following = items[index + 1] if index + 1 < len(items) else None
            skip_template = token.is_word("CONSTRUCT") and following is not None and following.text == "{"
            continue
        if form_seen and token.depth == 0 and token.kind == "punct" and token.text == "{":
            if skip_template:
                skip_template = False
                continue
            opening = token
            break
    if opening is None:
        raise UsageError("cannot bind parameters: the query has no WHERE group")
    # A variable the query assigns (``BIND(... AS ?x)``, ``(... AS ?x)``) may not be bound before
    # the assignment: it is bound by a VALUES clause after the query instead, joined with the
    # WHERE group's solutions (SPARQL 1.1, 18.2.4.3).
    assigned = {items[i + 1].text[1:] for i, t in enumerate(items[:-1]) if t.is_word("AS") and items[i + 1].kind == "var"}
    body, written = _substituted(text, items, opening, bindings)
    # A variable written in place wherever the query names it needs no VALUES block: one join fewer,
    # and Virtuoso 7.2 (7.2.5) never answered law-implements with the block (it sat idle; the same
    # query without it answered at once).
    leading = [n for n in bindings if n not in assigned and n not in written]
    trailing = [n for n in bindings if n in assigned]
    opened = text[: opening.end] + _values(leading, bindings) + body
    return opened + ("\n" + _values(trailing, bindings) if trailing else "")


def _values(names: list[str], bindings: Mapping[str, TermValue]) -> str:
    if not names:
        return ""
    return (" VALUES (" + " ".join(f"?{n}" for n in names) + ") { ("
            + " ".join(sparql_term(bindings[n]) for n in names) + ") } ")


def _substituted(text: str, items: Sequence[sparql_text.Token], opening: sparql_text.Token,
                 bindings: Mapping[str, TermValue]) -> tuple[str, set[str]]:
    """The text after ``opening`` (the outer WHERE group's brace), with the variables of
    ``bindings`` bound to IRIs written as those IRIs up to the group's closing brace, where that
    means the same as the VALUES block (see :func:`with_bindings`); and the names of those of them
    the query names nowhere else (not projected, not ordered by: ``SELECT *`` projects them all)."""
    start = items.index(opening)
    close = next((i for i in range(start + 1, len(items))
                  if items[i].depth == opening.depth and items[i].kind == "punct" and items[i].text == "}"), None)
    forms = [t for t in items if t.is_word("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")]
    if close is None or len(forms) > 1 or any(t.is_word("MINUS") for t in items):
        return text[opening.end:], set()
    kept: set[str] = set()
    for index, token in enumerate(items):
        if token.is_word("AS") and index + 1 < len(items) and items[index + 1].kind == "var":
            kept.add(items[index + 1].text[1:])
        if token.is_word("VALUES"):
            for following in items[index + 1:]:
                if following.kind == "punct" and following.text == "{":
                    break
                if following.kind == "var":
                    kept.add(following.text[1:])
    iris = {name: sparql_term(value) for name, value in bindings.items()
            if isinstance(value, URIRef) and name not in kept}
    pieces, position = [], opening.end
    for token in items[start + 1:close]:
        if token.kind == "var" and token.text[1:] in iris:
            pieces.append(text[position:token.start])
            pieces.append(iris[token.text[1:]])
            position = token.end
    pieces.append(text[position:])
    outside = {t.text[1:] for i, t in enumerate(items) if t.kind == "var" and not start < i < close}
    projects_all = any(t.text == "*" and items[i - 1].is_word("SELECT", "DISTINCT", "REDUCED")
                       for i, t in enumerate(items[:start]) if i)
    return "".join(pieces), set() if projects_all else set(iris) - outside
