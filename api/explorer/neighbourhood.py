"""A small picture of a resource's neighbourhood: an SVG drawn on the server, deterministic.

The resource sits in the centre; the resources that link to it are in the left column, those it
links to in the right column, each edge labelled with its relation and each node a link to its own
page. At most :data:`LIMIT` nodes are drawn; a column that had to leave some out says how many
("and 12 more", a link to the full list on the page). The picture is built from the links the page
already lists (no query of its own) and every text in it is escaped.

The picture is ``role="group"`` (its nodes are links: inside ``role="img"`` they would be
presentational, axe's nested-interactive) with a title and a description; its links are for the mouse
(``tabindex="-1"``): the same links are listed on the page, grouped by relation, where the keyboard
and screen readers find them, rather than hidden inside an image.

No script, no inline style (the content security policy forbids both): only SVG presentation
attributes and the classes ``explorer.css`` styles.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

from . import i18n

#: Most nodes drawn around the centre, both columns together.
LIMIT = 24

WIDTH = 1000
COLUMN = 270          # width of a node box
CENTRE = 220         # width of the centre box
ROW = 30             # vertical distance between two nodes
BOX = 22             # height of a node box
TOP = 34             # room for the column headings
LABEL_CHARS = 34     # a node's text is cut to this many characters (the full text is its tooltip)
RELATION_CHARS = 24  # an edge's label likewise


@dataclass(frozen=True)
class Link:
    """One edge: the relation (its label), the resource at the other end (its page and its label)."""

    relation: str
    href: str
    label: str


@dataclass(frozen=True)
class _Node:
    href: str
    label: str
    relations: tuple[str, ...]


def _nodes(links: list[Link]) -> list[_Node]:
    """One node per linked resource, however many relations lead to it, in the order first seen."""
    relations: dict[str, list[str]] = {}
    labels: dict[str, str] = {}
    for link in links:
        labels.setdefault(link.href, link.label)
        found = relations.setdefault(link.href, [])
        if link.relation not in found:
            found.append(link.relation)
    return [_Node(href, labels[href], tuple(relations[href])) for href in relations]


def _cut(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _budget(incoming: int, outgoing: int, limit: int) -> tuple[int, int]:
    """How many nodes each column shows: half the limit each, a column with fewer giving the rest to the other."""
    half = limit // 2
    shown_out = min(outgoing, max(half, limit - incoming))
    shown_in = min(incoming, limit - shown_out)
    return shown_in, shown_out


def picture(title: str, href: str, outgoing: list[Link], incoming: list[Link], *,
            incoming_total: int | None = None, limit: int = LIMIT,
            incoming_anchor: str = "#incoming", outgoing_anchor: str = "#outgoing", lang: str = "en") -> Markup:
    """The SVG of one resource (``title``, its page ``href``) with its links out and in.

    ``incoming_total`` is how many resources link to it in all, when ``incoming`` holds only a page
    of them; the "and N more" of the left column counts from it. Its words and numbers in ``lang``."""
    gettext = i18n.translations(lang).gettext
    heading = gettext("Neighbourhood of %(title)s") % {"title": title}
    to_this, from_this = gettext("Links to this"), gettext("Links from this")
    outs, ins = _nodes(outgoing), _nodes(incoming)
    shown_in, shown_out = _budget(len(ins), len(outs), limit)
    more_in = max(len(ins), incoming_total or 0) - shown_in
    more_out = len(outs) - shown_out
    rows = max(shown_in + (1 if more_in > 0 else 0), shown_out + (1 if more_out > 0 else 0), 1)
    height = TOP + rows * ROW + 10
    centre_y = TOP + (rows * ROW) / 2
    left_x, right_x = 10, WIDTH - 10 - COLUMN
    centre_x = (WIDTH - CENTRE) / 2

    description = gettext("%(title)s: linked from %(incoming)s resource(s) (left) and linking to %(outgoing)s "
                          "(right).") % {"title": title, "incoming": i18n.number(max(len(ins), incoming_total or 0), lang),
                                         "outgoing": i18n.number(len(outs), lang)}
    parts: list[str] = [
        f'<svg class="neighbourhood" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height:g}" '
        f'width="{WIDTH}" height="{height:g}" role="group" aria-labelledby="neighbourhood-title neighbourhood-desc">',
        f'<title id="neighbourhood-title">{escape(heading)}</title>',
        f'<desc id="neighbourhood-desc">{escape(description)}</desc>',
        '<defs><marker id="neighbourhood-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#4a4a4a"/></marker></defs>',
    ]
    if ins:
        parts.append(f'<text class="heading" x="{left_x}" y="16" font-size="13" font-weight="600">{escape(to_this)}</text>')
    if outs:
        parts.append(f'<text class="heading" x="{right_x + COLUMN}" y="16" font-size="13" font-weight="600" '
                     f'text-anchor="end">{escape(from_this)}</text>')

    def column(nodes: list[_Node], x: float, side: str, more: int, anchor: str) -> None:
        for index, node in enumerate(nodes):
            y = TOP + index * ROW + (ROW - BOX) / 2
            middle = y + BOX / 2
            relation = ", ".join(node.relations)
            if side == "out":
                x1, x2, label_x, label_anchor = centre_x + CENTRE, x, x - 6, "end"
                line = f'x1="{x1:g}" y1="{centre_y:g}" x2="{x2:g}" y2="{middle:g}" marker-end="url(#neighbourhood-arrow)"'
            else:
                x1, x2, label_x, label_anchor = x + COLUMN, centre_x, x + COLUMN + 6, "start"
                line = f'x1="{x1:g}" y1="{middle:g}" x2="{x2:g}" y2="{centre_y:g}" marker-end="url(#neighbourhood-arrow)"'
            parts.append(f'<g class="edge {side}"><line {line} stroke="#8a96a3" stroke-width="1"/>'
                         f'<text x="{label_x:g}" y="{middle - 4:g}" font-size="11" fill="#4a4a4a" '
                         f'text-anchor="{label_anchor}">{escape(_cut(relation, RELATION_CHARS))}</text></g>')
            parts.append(
                f'<a class="node {side}" href="{escape(node.href)}" tabindex="-1">'
                f'<title>{escape(node.label)} ({escape(relation)})</title>'
                f'<rect x="{x:g}" y="{y:g}" width="{COLUMN}" height="{BOX}" rx="4" fill="#eef2f6" stroke="#0b4f8a"/>'
                f'<text x="{x + 8:g}" y="{middle + 4:g}" font-size="12" fill="#0b4f8a">'
                f'{escape(_cut(node.label, LABEL_CHARS))}</text>'
                '</a>')
        if more > 0:
            y = TOP + len(nodes) * ROW + ROW / 2 + 4
            text_x, text_anchor = (x, "start") if side == "in" else (x + COLUMN, "end")
            and_more = gettext("and %(num)s more") % {"num": i18n.number(more, lang)}
            parts.append(f'<a class="more" href="{escape(anchor)}" tabindex="-1"><text x="{text_x:g}" y="{y:g}" font-size="12" '
                         f'fill="#0b4f8a" text-anchor="{text_anchor}">{escape(and_more)}</text></a>')

    column(ins[:shown_in], left_x, "in", more_in, incoming_anchor)
    column(outs[:shown_out], right_x, "out", more_out, outgoing_anchor)
    box_y = centre_y - BOX / 2 - 4
    parts.append(
        f'<a class="node centre" href="{escape(href)}" aria-current="page" tabindex="-1"><title>{escape(title)}</title>'
        f'<rect x="{centre_x:g}" y="{box_y:g}" width="{CENTRE}" height="{BOX + 8}" rx="6" fill="#0b4f8a"/>'
        f'<text x="{WIDTH / 2:g}" y="{centre_y + 5:g}" font-size="13" font-weight="600" fill="#ffffff" '
        f'text-anchor="middle">{escape(_cut(title, 30))}</text></a>')
    parts.append("</svg>")
    return Markup("\n".join(parts))
