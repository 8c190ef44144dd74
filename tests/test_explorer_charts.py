"""The server-side SVG charts (api/explorer/charts.py): parsed back with xml.etree."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from api.explorer import charts

from .colour_vision import closest_pair

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(str(svg))
    assert root.tag == SVG + "svg"
    assert root.get("role") == ("group" if root.find(".//" + SVG + "a") is not None else "img")
    title, desc = root.find(SVG + "title"), root.find(SVG + "desc")
    assert title is not None and title.text and desc is not None and desc.text
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert "style=" not in str(svg) and "<script" not in str(svg)
    return root


def bars(root: ET.Element) -> list[ET.Element]:
    return [e for e in root.iter(SVG + "rect") if e.get("class") == "bar"]


def test_bar_chart_draws_one_bar_per_value_with_heights_proportional_to_values() -> None:
    values = [3, 6, 0, 12]
    root = parse(charts.bar_chart(["2001", "2002", "2003", "2004"], values, title="Cases", description="Per year",
                                  ident="t1", unit="cases"))
    found = bars(root)
    assert len(found) == 4
    heights = [float(b.get("height")) for b in found]
    assert heights[2] == 0
    for value, height in zip(values, heights):
        assert height == pytest.approx(heights[3] * value / 12, abs=0.11)
    assert [b.get("data-value") for b in found] == ["3", "6", "0", "12"]
    # every bar says its exact number in a tooltip; bars stand on the same baseline
    assert [b.find(SVG + "title").text for b in found] == ["2001: 3 cases", "2002: 6 cases", "2003: 0 cases", "2004: 12 cases"]
    one = parse(charts.bar_chart(["2001"], [1], title="T", description="D", ident="t2", unit="cases"))
    assert bars(one)[0].find(SVG + "title").text == "2001: 1 case"
    baselines = {round(float(b.get("y")) + float(b.get("height")), 1) for b in found}
    assert len(baselines) == 1


def test_labels_and_titles_are_escaped_and_links_wrap_bars() -> None:
    svg = charts.bar_chart(["<script>alert(1)</script>", "a & b"], [1, 2], title="<b>T</b>",
                           description='"quoted"', ident="x<y", hrefs=['/explore/search/cases?country=BRA&year_from=2001', None])
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    root = parse(svg)
    assert root.find(SVG + "title").text == "<b>T</b>"
    texts = [t.text for t in root.iter(SVG + "text")]
    assert "<script>alert(1)</script>" in texts and "a & b" in texts
    links = list(root.iter(SVG + "a"))
    assert len(links) == 1 and links[0].get("href") == "/explore/search/cases?country=BRA&year_from=2001"
    assert links[0].find(SVG + "rect").get("data-value") == "1"


def test_output_is_deterministic() -> None:
    def draw() -> str:
        return str(charts.stacked_bar_chart(["2001", "2002"], [("A", [1, 2]), ("B", [3, 0])], title="T",
                                            description="D", ident="s"))
    assert draw() == draw()


def test_stacked_bars_add_up_and_have_a_legend() -> None:
    series = [("Trafficking in persons", [4, 0, 2]), ("Smuggling of migrants", [1, 3, 2])]
    root = parse(charts.stacked_bar_chart(["2001", "2002", "2003"], series, title="T", description="D", ident="s"))
    found = bars(root)
    assert len(found) == 5  # zero segments are not drawn
    by_category: dict[float, float] = {}
    unit = None
    for b in found:
        by_category[float(b.get("x"))] = by_category.get(float(b.get("x")), 0) + float(b.get("height"))
        if b.get("data-value") == "1":
            unit = float(b.get("height"))
    totals = sorted(by_category.items())
    assert [round(h / unit) for _, h in totals] == [5, 3, 4]
    assert {b.get("fill") for b in found if b.get("data-series") == "0"} == {charts.colour(0)}
    assert {b.get("fill") for b in found if b.get("data-series") == "1"} == {charts.colour(1)}
    legend = [g for g in root.iter(SVG + "g") if g.get("class") == "legend"][0]
    assert [t.text for t in legend.iter(SVG + "text")] == ["Trafficking in persons (6)", "Smuggling of migrants (6)"]
    assert "2002, Smuggling of migrants: 3 (of 3)" in [b.find(SVG + "title").text for b in found]


def test_horizontal_bars_are_as_long_as_their_values() -> None:
    root = parse(charts.horizontal_bar_chart(["Act: recruitment", "Means: <fraud>"], [10, 4], title="T",
                                             description="D", ident="h", hrefs=["/vocab/tip-act/recruitment", None],
                                             groups=[0, 1]))
    found = bars(root)
    assert [float(b.get("width")) for b in found][1] == pytest.approx(float(found[0].get("width")) * 0.4, abs=0.11)
    assert len({float(b.get("x")) for b in found}) == 1
    assert "Means: <fraud>" in [t.text for t in root.iter(SVG + "text")]
    assert [b.get("fill") for b in found] == [charts.colour(0), charts.colour(1)]


def test_cumulative_chart_counts_events_up_to_each_year() -> None:
    years, counts = charts.cumulative_counts([("UNTOC", [2004, 2006, 2012]), ("TIP", [2004, 2004, 2008])])
    assert years == list(range(2004, 2013))
    assert counts[0] == ("UNTOC", [1, 1, 2, 2, 2, 2, 2, 2, 3])
    assert counts[1] == ("TIP", [2, 2, 2, 2, 3, 3, 3, 3, 3])
    root = parse(charts.cumulative_chart([("UNTOC", [2004, 2006, 2012]), ("TIP", [2004, 2004, 2008])],
                                         title="T", description="D", ident="c", unit="parties"))
    lines = [p for p in root.iter(SVG + "path") if p.get("class") == "line"]
    assert len(lines) == 2
    points = [c for c in root.iter(SVG + "circle") if c.get("class") == "point"]
    assert [p.get("data-value") for p in points] == ["1", "2", "3", "2", "3"]
    assert points[0].find(SVG + "title").text == "UNTOC, 2004: 1 party (+1)"
    # higher counts are drawn higher
    assert float(points[2].get("cy")) < float(points[1].get("cy")) < float(points[0].get("cy"))


def test_palette_has_enough_contrast_on_white() -> None:
    def luminance(hex_colour: str) -> float:
        channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    for colour in charts.PALETTE:
        assert 1.05 / (luminance(colour) + 0.05) >= 4.5, colour


def test_palette_colours_stay_apart_with_any_colour_vision() -> None:
    # two crime types once came out in near-identical blues (#0b4f8a, #00606b: ΔE 8 with tritanopia)
    hardest = closest_pair({colour: colour for colour in charts.PALETTE})
    assert hardest[0] >= 25, hardest


def test_empty_and_mismatched_input() -> None:
    parse(charts.bar_chart([], [], title="T", description="D", ident="e"))
    parse(charts.cumulative_chart([], title="T", description="D", ident="e2"))
    with pytest.raises(ValueError):
        charts.bar_chart(["a"], [1, 2], title="T", description="D", ident="m")


def test_a_long_horizontal_label_is_cut_but_its_tooltip_is_whole() -> None:
    label = "Means: Giving or receiving of payments or benefits to achieve the consent of a person having control over another person"
    root = parse(charts.horizontal_bar_chart([label, "Act: recruitment"], [5, 9], title="T", description="D", ident="l"))
    texts = [t.text for t in root.iter(SVG + "text")]
    assert label not in texts and any(t.endswith("…") and label.startswith(t[:-1]) for t in texts)
    assert bars(root)[0].find(SVG + "title").text == f"{label}: 5"
