"""Household invitation slips: A4 sheets of cut-out slips, each with a QR code and its code.

Grid workers hand one slip to each household. The slip must work for someone who cannot scan
(the code is printed large, the link small) and for someone who cannot read small print.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Iterator, Sequence

from flask_babel import format_date, lazy_gettext as _l

from survey.printing.pdf import render_pdf, render_print_template
from survey.printing.qr import qr_svg

# Rows of two slips; these keep each slip at least about 5.5 cm tall, enough for a QR code
# that an old phone scans from arm's length.
LAYOUTS: dict[int, int] = {8: 4, 10: 5}

DEFAULT_INSTRUCTION = _l("Scan with WeChat or open the link to rate the project")


@dataclass(frozen=True)
class Slip:
    code: str
    url: str
    community: str
    project: str
    closing_date: date | str
    grid: str | None = None


def group_code(code: str) -> str:
    """``ABCDEFGHJ`` -> ``ABC-DEF-GHJ``: short groups are easier to read out and to type.

    Groups of three when the length allows it, otherwise of four (``ABCD-EFGH``).
    """
    plain = "".join(c for c in code if c.isalnum()).upper()
    size = 3 if len(plain) % 3 == 0 else 4
    return "-".join(plain[i:i + size] for i in range(0, len(plain), size))


def _closing(value: date | str) -> str:
    return format_date(value, "long") if isinstance(value, date) else value


def _pages(slips: Sequence[Slip], per_page: int) -> Iterator[list[list[Slip]]]:
    # Pages are cut in Python, not left to the layout engine, so that a page always holds
    # exactly ``per_page`` slips and a slip can never straddle two sheets.
    for start in range(0, len(slips), per_page):
        page = list(slips[start:start + per_page])
        yield [page[i:i + 2] for i in range(0, len(page), 2)]


def household_slips_html(
    slips: Sequence[Slip], *, per_page: int = 8, instruction: str | None = None
) -> str:
    """The HTML behind :func:`household_slips_pdf`; needs an app context, not a request."""
    if per_page not in LAYOUTS:
        raise ValueError(f"per_page must be one of {sorted(LAYOUTS)}, not {per_page}")
    if not slips:
        raise ValueError("no slips to print")
    rows = LAYOUTS[per_page]
    return render_print_template(
        "printing/slips.html",
        pages=list(_pages(slips, per_page)),
        rows=rows,
        per_page=per_page,
        instruction=instruction or DEFAULT_INSTRUCTION,
        group_code=group_code,
        closing=_closing,
        qr_svg=qr_svg,
    )


def household_slips_pdf(
    slips: Sequence[Slip], *, per_page: int = 8, instruction: str | None = None
) -> bytes:
    """An A4 PDF of ``per_page`` (8 or 10) slips a sheet, with dashed cut lines."""
    return render_pdf(household_slips_html(slips, per_page=per_page, instruction=instruction))
