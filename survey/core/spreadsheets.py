"""Text cells that a spreadsheet opens safely (CSV/formula injection).

Excel and WPS run a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
as a formula, even in a CSV file. Every export of user-typed text goes through
:func:`escape_formula`.
"""
from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def escape_formula(value: str) -> str:
    """``=1+1`` -> ``'=1+1``: a spreadsheet shows the text instead of running it."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value
