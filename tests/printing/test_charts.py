"""Answer-distribution charts: one bar per category, words and numbers as text, escaped."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from decimal import Decimal

from markupsafe import Markup

from survey.questionnaires import charts
from survey.questionnaires.charts import distribution_svg, percentages

NS = {"s": "http://www.w3.org/2000/svg"}
LIKERT = [("非常满意", 42), ("满意", 31), ("一般", 12), ("不满意", 3), ("非常不满意", 0), ("不了解", 7)]


def parse(svg: Markup) -> ET.Element:
    return ET.fromstring(str(svg))  # also proves the markup is well-formed XML


def rows(root: ET.Element) -> list[dict]:
    found = []
    for g in root.findall("s:g", NS):
        texts = [t.text for t in g.findall("s:text", NS)]
        track, bar = g.findall("s:rect", NS)
        found.append({"label": texts[0], "value": texts[1], "title": g.find("s:title", NS).text,
                      "width": float(bar.get("width")), "track": float(track.get("width")),
                      "fill": bar.get("fill")})
    return found


def test_a_bar_per_category_with_count_and_percentage():
    svg = distribution_svg(LIKERT, title="总体评价")
    assert isinstance(svg, Markup)
    found = rows(parse(svg))
    assert [r["label"] for r in found] == [label for label, _ in LIKERT]
    assert [r["value"] for r in found] == [
        "42 (44.2%)", "31 (32.6%)", "12 (12.6%)", "3 (3.2%)", "0 (0%)", "7 (7.4%)"]
    for row, (_, count) in zip(found, LIKERT):
        expected = row["track"] * count / 95
        assert abs(row["width"] - max(expected, 2.0)) < 0.1  # a zero keeps a visible stub


def test_percentages_round_half_up_to_one_decimal():
    assert percentages([1, 7]) == [Decimal("12.5"), Decimal("87.5")]
    assert percentages([1, 2]) == [Decimal("33.3"), Decimal("66.7")]
    # Never "100%" while someone answered otherwise, never "0%" for a choice someone made.
    assert percentages([1, 1999]) == [Decimal("0.1"), Decimal("99.9")]
    assert percentages([1, 99_999]) == [Decimal("0.1"), Decimal("99.9")]
    assert percentages([5, 0]) == [Decimal("100.0"), Decimal("0.0")]
    assert percentages([0, 0]) == [None, None]


def test_labels_and_title_are_escaped():
    svg = str(distribution_svg([("<script>alert(1)</script>", 1), ('"x" onload="y"', 2)],
                               title="<b>题</b> & </svg>"))
    assert "<script" not in svg and "<b>" not in svg and "onload=\"y\"" not in svg
    root = parse(svg)
    assert root.find("s:title", NS).text == "<b>题</b> & </svg>"
    assert [r["label"] for r in rows(root)] == ["<script>alert(1)</script>", '"x" onload="y"']
    assert not root.findall(".//s:script", NS)


def test_accessible_and_self_contained():
    svg = str(distribution_svg(LIKERT, title="总体评价"))
    root = parse(svg)
    assert root.get("role") == "img"
    assert root.get("aria-label").startswith("总体评价: 非常满意 42 (44.2%)")
    assert root.find("s:title", NS).text == "总体评价"
    assert root.get("width") == "100%" and root.get("viewBox").startswith("0 0 360 ")
    # No script, no event handler, no inline style (the CSP forbids it), nothing fetched.
    assert not re.search(r"<script|\son\w+=|style=|href|url\(|https?://(?!www\.w3\.org/2000/svg)", svg)


def test_everything_drawn_fits_the_viewbox():
    root = parse(distribution_svg(LIKERT, title="很长的题目" * 10))
    _, _, width, height = map(float, root.get("viewBox").split())
    for rect in root.iter("{http://www.w3.org/2000/svg}rect"):
        assert float(rect.get("x")) + float(rect.get("width")) <= width
        assert float(rect.get("y")) + float(rect.get("height")) <= height
    title = root.find("s:text", NS).text
    assert title.endswith("…") and len(title) < 50


def test_long_labels_are_shortened_but_kept_whole_for_readers():
    label = "一个非常非常长的选项文字，用来看看截断是否正常工作的效果"
    row = rows(parse(distribution_svg([(label, 3)], title="t")))[0]
    assert row["label"].endswith("…") and label.startswith(row["label"][:-1])
    assert row["title"] == f"{label}: 3 (100%)"


def test_zero_total_draws_no_bars_and_says_so():
    svg = distribution_svg([("是", 0), ("否", 0)], title="尚无回答", empty_text="暂无回答")
    root = parse(svg)
    assert "暂无回答" in [t.text for t in root.findall("s:text", NS)]
    assert root.get("aria-label") == "尚无回答: 暂无回答"
    found = rows(root)
    assert [r["value"] for r in found] == ["0 (–)", "0 (–)"]
    assert all(r["width"] == 0 for r in found)
    assert "nan" not in str(svg).lower()
    parse(distribution_svg([], title="空"))  # no categories at all still makes a valid chart


def test_missing_answers_are_set_apart_when_highlighted():
    data = [("不了解", 7), ("满意", 10), ("不满意", 3)]
    found = rows(parse(distribution_svg(data, title="t", missing=["不了解"])))
    assert [r["label"] for r in found] == ["满意", "不满意", "不了解"]
    assert found[-1]["fill"] == charts.MISSING_BAR and found[0]["fill"] == charts.BAR
    plain = rows(parse(distribution_svg(data, title="t", missing=["不了解"], highlight_missing=False)))
    assert [r["label"] for r in plain] == ["不了解", "满意", "不满意"]
    assert {r["fill"] for r in plain} == {charts.BAR}


def _luminance(hex_colour: str) -> float:
    def channel(c: int) -> float:
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_colours_have_enough_contrast():
    assert contrast(charts.TEXT, "#ffffff") >= 7  # WCAG AAA for text
    assert contrast(charts.BAR, "#ffffff") >= 4.5  # bars: 3:1 needed for graphics
    assert contrast(charts.MISSING_BAR, "#ffffff") >= 4.5
    assert contrast(charts.BAR, charts.TRACK) >= 3
    assert contrast(charts.MISSING_BAR, charts.TRACK) >= 3
