"""Server-drawn SVG bar charts of how a question was answered.

Pure functions: counts in, markup out, no Flask. The committee reads them on phones, so the
chart is sized by a viewBox and fills its container; every bar carries its words, count and
percentage as text (never colour alone); no script, no ``style`` attribute (the site's CSP
forbids inline styles) and no reference to anything outside the SVG.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Collection, Sequence

from markupsafe import Markup

WIDTH = 360
PAD = 8
TITLE_SIZE = 16
TEXT_SIZE = 14
BAR_HEIGHT = 14
ROW_HEIGHT = 46  # label line + bar + gap
# Simplified-Chinese faces first: SVG text carries no language, and a generic family would let
# fontconfig pick the Japanese face of Noto CJK (other glyph shapes) when a PDF is printed.
# No quotes and no spaces after commas: WeasyPrint's SVG reader splits the list on bare commas
# and only strips quotes, so "a, 'b c'" would lose every family but the first.
FONT = "PingFang SC,Noto Sans CJK SC,Microsoft YaHei,system-ui,sans-serif"

# Against white: text 16.1:1, bar 7.1:1, "missing" bar 5.7:1, track 1.2:1 (the track only
# shows the 100 % scale; the value is always written out).
TEXT = "#1a1a1a"
BAR = "#1f5b92"
MISSING_BAR = "#666666"
TRACK = "#e6ebf0"


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    percent: Decimal | None  # None when nobody has answered yet
    missing: bool


def percentages(counts: Sequence[int]) -> list[Decimal | None]:
    """Each count as a percentage of the total, one decimal, rounded half up.

    Rounding never shows 100 % while someone chose otherwise, nor 0 % for a choice someone
    made: a committee reads "100%" as "everyone".
    """
    total = sum(counts)
    if total <= 0:
        return [None] * len(counts)
    step, top = Decimal("0.1"), Decimal(100)
    result = []
    for count in counts:
        value = (Decimal(count) * 100 / total).quantize(step, rounding=ROUND_HALF_UP)
        if 0 < count < total:
            value = min(max(value, step), top - step)
        result.append(value)
    return result


def format_percent(value: Decimal | None) -> str:
    if value is None:
        return "–"
    text = f"{value:.1f}"
    return (text[:-2] if text.endswith(".0") else text) + "%"


def _text_width(text: str, size: float) -> float:
    # Rough advance widths: CJK and other wide characters take a full em, Latin about half.
    return sum(size if unicodedata.east_asian_width(c) in "WF" else size * 0.56 for c in text)


def _fit(text: str, size: float, room: float) -> str:
    """Shorten ``text`` with an ellipsis so it fits ``room`` user units (the full label stays
    in the chart's accessible name and in a ``<title>`` on the row)."""
    if _text_width(text, size) <= room:
        return text
    while text and _text_width(text + "…", size) > room:
        text = text[:-1]
    return text + "…"


def _bars(categories: Sequence[tuple[str, int]], missing: Collection[str]) -> list[Bar]:
    counts = [max(0, int(count)) for _, count in categories]
    return [
        Bar(str(label), count, percent, str(label) in missing)
        for (label, _), count, percent in zip(categories, counts, percentages(counts))
    ]


def _summary(title: str, bars: Sequence[Bar], total: int, empty_text: str) -> str:
    if total == 0:
        return f"{title}: {empty_text}"
    parts = ", ".join(f"{b.label} {b.count} ({format_percent(b.percent)})" for b in bars)
    return f"{title}: {parts}; n = {total}"


def _row(bar: Bar, y: float, total: int, highlight_missing: bool) -> Markup:
    value = f"{bar.count} ({format_percent(bar.percent)})"
    room = WIDTH - 2 * PAD - _text_width(value, TEXT_SIZE) - 8
    label = _fit(bar.label, TEXT_SIZE, room)
    track = WIDTH - 2 * PAD
    length = track * bar.count / total if total else 0
    grey = bar.missing and highlight_missing
    bar_y = y + TEXT_SIZE + 6
    # A zero still gets a 2-unit stub, so "nobody chose this" is visible, not a gap.
    shown = max(length, 2.0) if total else 0.0
    return Markup(
        '<g class="row{cls}"><title>{full}: {value}</title>'
        '<text x="{x}" y="{ty}">{label}</text>'
        '<text x="{rx}" y="{ty}" text-anchor="end">{value}</text>'
        '<rect x="{x}" y="{by}" width="{track}" height="{h}" rx="2" fill="{trackc}"/>'
        '<rect x="{x}" y="{by}" width="{w:.1f}" height="{h}" rx="2" fill="{fill}"/></g>'
    ).format(
        cls=" missing" if grey else "", full=bar.label, value=value, label=label,
        x=PAD, rx=WIDTH - PAD, ty=y + TEXT_SIZE, by=bar_y, track=track, h=BAR_HEIGHT,
        trackc=TRACK, w=shown, fill=MISSING_BAR if grey else BAR,
    )


def distribution_svg(
    categories: Sequence[tuple[str, int]],
    *,
    title: str,
    highlight_missing: bool = True,
    missing: Collection[str] = (),
    empty_text: str = "No answers yet",
) -> Markup:
    """A horizontal bar chart of ``(label, count)`` pairs, in the order given.

    ``missing`` names the categories that are not an opinion ("don't know", "not answered");
    with ``highlight_missing`` they are drawn grey, after the opinions and below a rule, so
    that a reader does not take them for a point on the scale. Percentages are of all answers
    shown. Pass ``title`` and ``empty_text`` already translated.
    """
    title, empty_text = str(title), str(empty_text)  # lazy strings from gettext
    bars = _bars(categories, set(missing))
    if highlight_missing:  # opinions first, then the non-answers, keeping each group's order
        bars = [b for b in bars if not b.missing] + [b for b in bars if b.missing]
    total = sum(b.count for b in bars)
    parts: list[Markup] = [
        Markup('<text x="{x}" y="{y}" font-size="{s}" font-weight="bold">{t}</text>').format(
            x=PAD, y=PAD + TITLE_SIZE, s=TITLE_SIZE,
            t=_fit(title, TITLE_SIZE, WIDTH - 2 * PAD))
    ]
    y = PAD + TITLE_SIZE + 10
    if total == 0:
        parts.append(Markup('<text x="{x}" y="{y}">{t}</text>').format(
            x=PAD, y=y + TEXT_SIZE, t=empty_text))
        y += TEXT_SIZE + 12
    rule_drawn = False
    for bar in bars:
        if highlight_missing and bar.missing and not rule_drawn and bar is not bars[0]:
            parts.append(Markup(
                '<line x1="{x}" x2="{x2}" y1="{y}" y2="{y}" stroke="#999" '
                'stroke-dasharray="4 3"/>').format(x=PAD, x2=WIDTH - PAD, y=y + 2))
            y += 8
            rule_drawn = True
        parts.append(_row(bar, y, total, highlight_missing))
        y += ROW_HEIGHT
    height = y + PAD - (ROW_HEIGHT - TEXT_SIZE - 6 - BAR_HEIGHT) if bars else y + PAD
    return Markup(
        '<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" aria-label="{label}" '
        'viewBox="0 0 {w} {h:.0f}" width="100%" preserveAspectRatio="xMinYMin meet" '
        'font-family="{font}" font-size="{size}" fill="{text}">'
        '<title>{title}</title>{body}</svg>'
    ).format(
        label=_summary(title, bars, total, empty_text), w=WIDTH, h=height, font=FONT,
        size=TEXT_SIZE, text=TEXT, title=title, body=Markup("").join(parts),
    )
