"""Charts drawn on the server as SVG: no script, no style attribute (the content security policy
forbids both), only SVG presentation attributes.

Each function returns a :class:`markupsafe.Markup` ``<svg>`` that is

- accessible: ``role="img"`` (``role="group"`` where bars are links), a ``<title>`` and a
  ``<desc>`` it is labelled by, and a ``<title>``
  (a tooltip) on every bar or point giving its exact number; the page shows the same numbers as a
  table too (:func:`table_rows` helps);
- safe: every text (labels, titles, links) is escaped, so a label ``<script>`` is drawn as text;
- deterministic: the same input gives the same bytes (coordinates rounded to 0.1), so tests can
  parse it with :mod:`xml.etree` and check bars and heights.

Bars are ``<rect class="bar" data-value="n">``; a bar with a link is wrapped in ``<a href>``.
The palette (:data:`PALETTE`) holds colours with a contrast of at least 4.5:1 on white that a
reader with a colour-vision deficiency tells apart too, and stacked segments are separated by a
white line, so neighbouring series stay apart.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from markupsafe import Markup, escape

from . import i18n

#: Series colours, each at least 4.5:1 against white (WCAG 1.4.11 asks 3:1 for graphics), chosen so
#: that any two stay apart (CIE ΔE above 25) with typical vision, protanopia, deuteranopia and
#: tritanopia alike (tests/colour_vision.py): blue, rust, mauve, crimson, then darker ones.
PALETTE = ("#0066ff", "#bb5511", "#885599", "#dd0055", "#001122", "#551100", "#1100aa", "#440066")
INK = "#1a1a1a"
GRID = "#c8ced6"
FONT = 12


def colour(index: int) -> str:
    """The palette colour of series ``index`` (the palette repeats after eight)."""
    return PALETTE[index % len(PALETTE)]


def _n(value: float) -> str:
    """A coordinate, rounded to 0.1, without a trailing ``.0``."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _ident(ident: str) -> str:
    """An id prefix safe in XML and unique per chart on a page."""
    return re.sub(r"[^A-Za-z0-9_-]+", "-", ident).strip("-") or "chart"


def _number(value: float, lang: str = "en") -> str:
    """``value`` as ``lang`` writes numbers: whole, or with two decimals (1,234 · 1 234 · 2.50)."""
    return i18n.number(value, lang, "#,##0" if float(value).is_integer() else "#,##0.00")


def _with_unit(value: float, unit: str, lang: str = "en") -> str:
    """``12 cases``, ``1 case``, ``1 party``: the number with its unit (given in the plural), in
    ``lang`` for the units the pages use (cases, parties)."""
    number = _number(value, lang)
    ngettext = i18n.translations(lang).ngettext
    if unit == "cases" and float(value).is_integer():
        return ngettext("%(num)s case", "%(num)s cases", int(value)) % {"num": number}
    if unit == "parties" and float(value).is_integer():
        return ngettext("%(num)s party", "%(num)s parties", int(value)) % {"num": number}
    if not unit:
        return number
    if value == 1:
        unit = unit[:-3] + "y" if unit.endswith("ies") else unit[:-1] if unit.endswith("s") else unit
    return f"{number} {unit}"


def nice_maximum(value: float, ticks: int = 5) -> tuple[float, float]:
    """An axis maximum at or above ``value`` and its tick step, both round (1, 2, 2.5 or 5 × 10ⁿ)."""
    if value <= 0:
        return 1.0, 1.0
    raw = value / ticks
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        step = factor * power
        if step >= raw:
            break
    if step < 1 and float(value).is_integer():
        step = 1.0
    return step * math.ceil(value / step), step


def _frame(ident: str, width: float, height: float, title: str, description: str, body: list[str]) -> Markup:
    ident = _ident(ident)
    # a picture whose bars are links is a labelled group: role="img" would make its links
    # presentational children that no screen reader reaches (axe: nested-interactive)
    role = "group" if any(part.startswith("<a ") for part in body) else "img"
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="{role}" '
            f'width="{_n(width)}" height="{_n(height)}" viewBox="0 0 {_n(width)} {_n(height)}" '
            f'aria-labelledby="{ident}-title {ident}-desc" font-size="{FONT}">'
            f'<title id="{ident}-title">{escape(title)}</title>'
            f'<desc id="{ident}-desc">{escape(description)}</desc>')
    return Markup(head + "".join(body) + "</svg>")


def _text(x: float, y: float, text: object, *, anchor: str = "middle", rotate: float | None = None,
          css: str | None = None, weight: str | None = None) -> str:
    attributes = f'x="{_n(x)}" y="{_n(y)}" text-anchor="{anchor}" fill="{INK}"'
    if rotate is not None:
        attributes += f' transform="rotate({_n(rotate)} {_n(x)} {_n(y)})"'
    if css:
        attributes += f' class="{css}"'
    if weight:
        attributes += f' font-weight="{weight}"'
    return f"<text {attributes}>{escape(str(text))}</text>"


def _bar(x: float, y: float, w: float, h: float, fill: str, value: float, tooltip: str,
         href: str | None = None, series: int | None = None) -> str:
    extra = f' data-series="{series}"' if series is not None else ""
    rect = (f'<rect class="bar" x="{_n(x)}" y="{_n(y)}" width="{_n(w)}" height="{_n(h)}" fill="{fill}" '
            f'stroke="#ffffff" stroke-width="0.5" data-value="{_n(value)}"{extra}>'
            f"<title>{escape(tooltip)}</title></rect>")
    return f'<a href="{escape(href)}">{rect}</a>' if href else rect


def _value_axis(left: float, top: float, plot_w: float, plot_h: float, maximum: float, step: float,
                lang: str = "en") -> list[str]:
    """Horizontal grid lines with their values, for a vertical value axis from 0 to ``maximum``."""
    parts = ['<g class="axis">']
    ticks = int(round(maximum / step))
    for i in range(ticks + 1):
        value = step * i
        y = top + plot_h - plot_h * value / maximum
        parts.append(f'<line x1="{_n(left)}" y1="{_n(y)}" x2="{_n(left + plot_w)}" y2="{_n(y)}" '
                     f'stroke="{GRID}" stroke-width="1"/>')
        parts.append(_text(left - 6, y + 4, _number(value, lang), anchor="end"))
    parts.append(f'<line x1="{_n(left)}" y1="{_n(top + plot_h)}" x2="{_n(left + plot_w)}" '
                 f'y2="{_n(top + plot_h)}" stroke="{INK}" stroke-width="1"/>')
    parts.append("</g>")
    return parts


def _label_every(count: int, slot: float, longest: int) -> int:
    """Show every n-th category label so that labels do not overlap."""
    needed = FONT * 1.1 if longest > 4 else FONT * 0.62 * longest + 6
    return max(1, math.ceil(needed / slot)) if slot > 0 else 1


def _category_labels(labels: Sequence[str], left: float, slot: float, y: float) -> list[str]:
    longest = max((len(str(label)) for label in labels), default=0)
    rotate = longest > 4 and slot < FONT * 0.62 * longest + 6
    every = _label_every(len(labels), slot, longest if rotate else min(longest, 4))
    parts = ['<g class="labels">']
    for i, label in enumerate(labels):
        if i % every:
            continue
        x = left + slot * (i + 0.5)
        if rotate:
            parts.append(_text(x, y + 4, label, anchor="end", rotate=-45))
        else:
            parts.append(_text(x, y + FONT + 2, label))
    parts.append("</g>")
    return parts


def _bottom_margin(labels: Sequence[str], slot: float) -> float:
    longest = max((len(str(label)) for label in labels), default=0)
    if longest > 4 and slot < FONT * 0.62 * longest + 6:
        return min(24 + FONT * 0.45 * longest, 160)
    return 28


def bar_chart(labels: Sequence[str], values: Sequence[float], *, title: str, description: str,
              ident: str, hrefs: Sequence[str | None] | None = None, unit: str = "",
              width: int = 720, height: int = 280, lang: str = "en") -> Markup:
    """Vertical bars, one per label, as high as its value; ``hrefs`` (one per bar, None for none)
    makes each bar a link. ``unit`` follows the number in each tooltip ("12 cases")."""
    if len(labels) != len(values) or (hrefs is not None and len(hrefs) != len(values)):
        raise ValueError("labels, values and hrefs must have the same length")
    left, top, right = 48.0, 12.0, 12.0
    plot_w = width - left - right
    slot = plot_w / max(len(values), 1)
    bottom = _bottom_margin(labels, slot)
    plot_h = height - top - bottom
    maximum, step = nice_maximum(max(values, default=0))
    body = _value_axis(left, top, plot_w, plot_h, maximum, step, lang)
    body.append('<g class="bars">')
    gap = min(slot * 0.2, 8)
    for i, (label, value) in enumerate(zip(labels, values)):
        h = plot_h * value / maximum
        tooltip = f"{label}: {_with_unit(value, unit, lang)}"
        body.append(_bar(left + slot * i + gap / 2, top + plot_h - h, slot - gap, h, colour(0), value, tooltip,
                         hrefs[i] if hrefs else None))
    body.append("</g>")
    body += _category_labels(labels, left, slot, top + plot_h)
    return _frame(ident, width, height, title, description, body)


def stacked_bar_chart(categories: Sequence[str], series: Sequence[tuple[str, Sequence[float]]], *,
                      title: str, description: str, ident: str, unit: str = "",
                      width: int = 900, height: int = 320, lang: str = "en") -> Markup:
    """One bar per category, stacked from the series (``(name, one value per category)``), in the
    order given, first at the bottom; a legend names each series with its colour."""
    for name, values in series:
        if len(values) != len(categories):
            raise ValueError(f"series {name!r} has {len(values)} values for {len(categories)} categories")
    legend_rows = len(series)
    legend_h = 18.0 * legend_rows + 8 if series else 0
    left, top, right = 48.0, 12.0, 12.0
    plot_w = width - left - right
    slot = plot_w / max(len(categories), 1)
    bottom = _bottom_margin(categories, slot)
    total_h = height + legend_h
    plot_h = height - top - bottom
    totals = [sum(values[i] for _, values in series) for i in range(len(categories))]
    maximum, step = nice_maximum(max(totals, default=0))
    body = _value_axis(left, top, plot_w, plot_h, maximum, step, lang)
    body.append('<g class="bars">')
    gap = min(slot * 0.2, 8)
    for i, category in enumerate(categories):
        base = top + plot_h
        for s, (name, values) in enumerate(series):
            value = values[i]
            if not value:
                continue
            h = plot_h * value / maximum
            base -= h
            tooltip = (f"{category}, {name}: " + i18n.translations(lang).gettext("%(value)s (of %(total)s)")
                       % {"value": _with_unit(value, unit, lang), "total": _number(totals[i], lang)})
            body.append(_bar(left + slot * i + gap / 2, base, slot - gap, h, colour(s), value, tooltip, series=s))
    body.append("</g>")
    body += _category_labels(categories, left, slot, top + plot_h)
    if series:
        body.append('<g class="legend">')
        y0 = height + 4
        for s, (name, values) in enumerate(series):
            y = y0 + 18 * s
            body.append(f'<rect class="swatch" x="{_n(left)}" y="{_n(y)}" width="12" height="12" fill="{colour(s)}"/>')
            body.append(_text(left + 18, y + 10, f"{name} ({_number(sum(values), lang)})", anchor="start"))
        body.append("</g>")
    return _frame(ident, width, total_h, title, description, body)


def horizontal_bar_chart(labels: Sequence[str], values: Sequence[float], *, title: str, description: str,
                         ident: str, hrefs: Sequence[str | None] | None = None,
                         groups: Sequence[int] | None = None, unit: str = "", width: int = 720,
                         row: int = 22, lang: str = "en") -> Markup:
    """Horizontal bars, one row per label, as long as its value, the number written after it.
    ``groups`` (one index per bar) colours bars by group (e.g. act, means, purpose). A label too
    long for the left margin is cut with "…"; the bar's tooltip keeps it whole."""
    if len(labels) != len(values) or (hrefs is not None and len(hrefs) != len(values)):
        raise ValueError("labels, values and hrefs must have the same length")
    longest = max((len(str(label)) for label in labels), default=0)
    left = min(max(60.0, FONT * 0.6 * longest + 12), width * 0.45)
    right, top = 56.0, 8.0
    plot_w = width - left - right
    height = top * 2 + row * len(values)
    maximum = max(values, default=0) or 1
    body = [f'<line x1="{_n(left)}" y1="{_n(top)}" x2="{_n(left)}" y2="{_n(height - top)}" stroke="{INK}" stroke-width="1"/>',
            '<g class="bars">']
    for i, (label, value) in enumerate(zip(labels, values)):
        y = top + row * i
        w = plot_w * value / maximum
        fill = colour(groups[i] if groups else 0)
        tooltip = f"{label}: {_with_unit(value, unit, lang)}"
        body.append(_bar(left, y + 3, w, row - 6, fill, value, tooltip, hrefs[i] if hrefs else None,
                         series=groups[i] if groups else None))
        body.append(_text(left + w + 4, y + row / 2 + 4, _number(value, lang), anchor="start"))
    body.append("</g>")
    body.append('<g class="labels">')
    budget = max(4, int((left - 12) / (FONT * 0.6)))
    for i, label in enumerate(labels):
        text = str(label)
        shown = text if len(text) <= budget else text[:budget - 1].rstrip() + "…"
        body.append(_text(left - 6, top + row * i + row / 2 + 4, shown, anchor="end"))
    body.append("</g>")
    return _frame(ident, width, height, title, description, body)


def cumulative_counts(series: Sequence[tuple[str, Sequence[int]]]) -> tuple[list[int], list[tuple[str, list[int]]]]:
    """From the year of each event per series, the years from the first to the last event and,
    per series, how many events happened up to the end of each of those years."""
    years = [year for _, events in series for year in events]
    if not years:
        return [], [(name, []) for name, _ in series]
    span = list(range(min(years), max(years) + 1))
    result = []
    for name, events in series:
        running, counts = 0, []
        per_year = {year: 0 for year in span}
        for year in events:
            per_year[year] += 1
        for year in span:
            running += per_year[year]
            counts.append(running)
        result.append((name, counts))
    return span, result


def cumulative_chart(series: Sequence[tuple[str, Sequence[int]]], *, title: str, description: str,
                     ident: str, unit: str = "", width: int = 720, height: int = 300,
                     lang: str = "en") -> Markup:
    """A step line per series: how many events (e.g. ratifications and accessions of one
    instrument, given as their years) have happened by the end of each year. Each step is a point
    with a tooltip; each line is ``<path class="line">``, each point ``<circle class="point">``."""
    years, counts = cumulative_counts(series)
    legend_h = 18.0 * len(series) + 8 if series else 0
    left, top, right = 48.0, 12.0, 16.0
    plot_w = width - left - right
    slot = plot_w / max(len(years), 1)
    bottom = 28.0
    plot_h = height - top - bottom
    maximum, step = nice_maximum(max((c[-1] for _, c in counts if c), default=0))
    body = _value_axis(left, top, plot_w, plot_h, maximum, step, lang)
    body += _category_labels([str(y) for y in years], left, slot, top + plot_h)

    def y_of(value: float) -> float:
        return top + plot_h - plot_h * value / maximum

    for s, (name, values) in enumerate(counts):
        if not values:
            continue
        x0 = left
        d = f"M{_n(x0)} {_n(y_of(0))}"
        for i, value in enumerate(values):
            d += f" H{_n(left + slot * i + slot / 2)} V{_n(y_of(value))}"
        d += f" H{_n(left + plot_w)}"
        body.append(f'<path class="line" d="{d}" fill="none" stroke="{colour(s)}" stroke-width="2" data-series="{s}"/>')
        previous = 0
        for i, value in enumerate(values):
            if value == previous:
                continue
            tooltip = f"{name}, {years[i]}: {_with_unit(value, unit, lang)} (+{_number(value - previous, lang)})"
            body.append(f'<circle class="point" cx="{_n(left + slot * i + slot / 2)}" cy="{_n(y_of(value))}" r="3.5" '
                        f'fill="{colour(s)}" data-series="{s}" data-value="{_n(value)}"><title>{escape(tooltip)}</title></circle>')
            previous = value
    if series:
        body.append('<g class="legend">')
        for s, (name, values) in enumerate(counts):
            y = height + 4 + 18 * s
            body.append(f'<rect class="swatch" x="{_n(left)}" y="{_n(y)}" width="12" height="12" fill="{colour(s)}"/>')
            body.append(_text(left + 18, y + 10, f"{name} ({_number(values[-1] if values else 0, lang)})", anchor="start"))
        body.append("</g>")
    return _frame(ident, width, height + legend_h, title, description, body)
