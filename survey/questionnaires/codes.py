"""Household invitation codes: random, without look-alike characters, with a check character.

The check character is Luhn mod N over the alphabet, which catches every single mistyped
character and almost every swap of two neighbours, so a resident's typo is told apart from a
code that does not exist.
"""
from __future__ import annotations

import secrets

# No 0/O, 1/I/L or Z/2: elderly residents read these codes off paper. The size must be even:
# only then does Luhn mod N's doubling map every character to a different one.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXY"
BODY_LENGTH = 8
_INDEX = {c: i for i, c in enumerate(ALPHABET)}
_N = len(ALPHABET)


def check_character(body: str) -> str:
    factor, total = 2, 0
    for char in reversed(body):
        addend = factor * _INDEX[char]
        factor = 1 if factor == 2 else 2
        total += addend // _N + addend % _N
    return ALPHABET[(_N - total % _N) % _N]


def new_code() -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(BODY_LENGTH))
    return body + check_character(body)


def normalise(typed: str) -> str:
    """What a resident typed, as stored: upper case, without spaces or dashes."""
    return "".join(c for c in (typed or "").upper() if c.isalnum())[:32]


def is_well_formed(code: str) -> bool:
    """Right length, right alphabet and a matching check character."""
    if len(code) != BODY_LENGTH + 1 or any(c not in _INDEX for c in code):
        return False
    return check_character(code[:-1]) == code[-1]


def display(code: str) -> str:
    """Grouped for reading aloud and typing: ABC-DEF-GHJ."""
    return "-".join(code[i:i + 3] for i in range(0, len(code), 3))
