"""Tracking codes: random, from an alphabet without look-alikes, typed back forgivingly."""
from __future__ import annotations

import re
import secrets

# No 0/O/Q/D, 1/I/L, 2/Z, 5/S, 8/B, U/V: what is left cannot be misread on a phone or a note.
ALPHABET = "34679ACEFGHJKMNPRTWXY"
LENGTH = 10  # 21**10, about 1.7e13: not guessable at the look-up rate limit
_CLEAN = re.compile(r"[\s\-–—_.·]")


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def display(code: str) -> str:
    """ABCDE-FGHJK: two groups of five, easier to read out on the phone."""
    return f"{code[:5]}-{code[5:]}" if len(code) == LENGTH else code


def normalise(typed: str | None) -> str | None:
    """The stored form of what a resident typed, or None if it cannot be a tracking code."""
    code = _CLEAN.sub("", (typed or "")[:40]).upper()
    if len(code) != LENGTH or any(ch not in ALPHABET for ch in code):
        return None
    return code
