"""Exact decimal arithmetic for published scores: compared at two decimals, rounded half up."""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

TWO_PLACES = Decimal("0.01")


def to_decimal(x: object) -> Decimal:
    """Decimal of the number as people read it (84.995, not the binary 84.99499999...)."""
    if isinstance(x, Decimal):
        return x
    if isinstance(x, int):
        return Decimal(x)
    value = float(x)  # type: ignore[arg-type]
    if math.isnan(value) or math.isinf(value):
        raise ValueError("a score must be a finite number")
    return Decimal(repr(value))


def round2(x: object) -> Decimal:
    return to_decimal(x).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def optional(x: object) -> Decimal | None:
    if x is None:
        return None
    if isinstance(x, float) and math.isnan(x):
        return None
    return to_decimal(x)
