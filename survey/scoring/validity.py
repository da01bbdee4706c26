"""Response-validity checks (SCORING.md, project index step 2), vectorised over all responses.

Excluded responses are never dropped from the record: each row gets a reason code and flag
bits, and the published counts show how many were set aside and why.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._groups import factorize, key_counts
from ._rows import RowStats
from .config import DEFAULT_CONFIG, ScoringConfig

# Flag bits per response (several may be set).
DUPLICATE = 1
BURST = 2
STRAIGHTLINE = 4
SPEEDING = 8
ASSISTED = 16
INCOMPLETE = 32

FLAG_NAMES: dict[int, str] = {
    DUPLICATE: "duplicate", BURST: "burst", STRAIGHTLINE: "straightline",
    SPEEDING: "speeding", ASSISTED: "assisted", INCOMPLETE: "incomplete",
}

# Exclusion reason per response, one code, in order of precedence (0 = counted).
REASONS: tuple[str, ...] = ("", "duplicate", "burst", "straightline_speeding", "incomplete")
VALIDITY_REASONS: tuple[int, ...] = (1, 2, 3)  # the checks of step 2, which decide `under_review`


@dataclass(frozen=True, eq=False)
class Validity:
    flags: np.ndarray  # uint8 bit set per response
    reason: np.ndarray  # int8 index into REASONS per response

    @property
    def excluded(self) -> np.ndarray:
        return self.reason > 0

    def has(self, bit: int) -> np.ndarray:
        return (self.flags & bit) != 0

    def flag_names(self, row: int) -> tuple[str, ...]:
        f = int(self.flags[row])
        return tuple(name for bit, name in FLAG_NAMES.items() if f & bit)


def answer_codes(answers: object, scale: int) -> np.ndarray:
    """Raw answers -> int8 codes 0..scale with 0 meaning missing / don't know."""
    a = np.asarray(answers)
    if a.ndim != 2:
        raise ValueError("answers must be a respondents x items matrix")
    if a.dtype.kind in "iub":
        if a.size and (a.min() < 0 or a.max() > scale):
            raise ValueError(f"answers must be in 0..{scale}")
        return a.astype(np.int8, copy=False)
    x = np.asarray(a, dtype=np.float64)
    filled = np.where(np.isnan(x), 0.0, x)
    with np.errstate(invalid="ignore"):
        codes = filled.astype(np.int8)
    # Comparing back catches fractional, infinite and out-of-int8 answers in one pass.
    if np.any(codes != filled) or (codes.size and (codes.min() < 0 or codes.max() > scale)):
        raise ValueError(f"answers must be integers in 0..{scale} (0 = don't know) or nan")
    return codes


def _vector_keys(codes: np.ndarray, rows: RowStats) -> np.ndarray:
    """One integer per distinct answer vector (missing answers count as the same answer)."""
    if rows.vector_key is not None:
        return rows.vector_key
    _, inverse = np.unique(codes, axis=0, return_inverse=True)
    return inverse.reshape(-1).astype(np.int64)


def _first_per_household(project: np.ndarray, household: np.ndarray, submitted_at: np.ndarray | None,
                         codes: np.ndarray) -> np.ndarray:
    """Mask of the duplicates: every response of a household after its first one.

    Rows without a household code (None, or a negative integer: e.g. a public link) are
    never duplicates of each other."""
    household = np.asarray(household)
    if household.dtype == object:
        has_code = np.array([h is not None for h in household.tolist()], dtype=bool)
        coded = household[has_code].astype(str)
    elif household.dtype.kind in "iu":
        has_code = household >= 0
        coded = household[has_code]
    else:
        has_code = np.ones(household.size, dtype=bool)
        coded = household
    dup = np.zeros(project.size, dtype=bool)
    if not has_code.any():
        return dup
    hh = np.full(project.size, -1, dtype=np.int64)
    hh[has_code] = factorize(coded)[1]
    # A household seen once in the whole table cannot be a duplicate: sort only the others.
    seen = np.bincount(hh[has_code])
    shared = np.flatnonzero(has_code & (seen[np.maximum(hh, 0)] > 1))
    if shared.size == 0:
        return dup
    key_all = project[shared].astype(np.int64) * (int(hh.max()) + 1) + hh[shared]
    repeat = key_counts(key_all) > 1
    rows = shared[repeat]
    if rows.size == 0:
        return dup
    key = np.zeros(project.size, dtype=np.int64)
    key[rows] = key_all[repeat]
    # Earliest submission wins; identical times fall back to the answers themselves so the
    # choice never depends on the order in which rows were loaded.
    sort_keys = [codes[rows, j] for j in range(codes.shape[1] - 1, -1, -1)]
    if submitted_at is not None:
        sort_keys.append(np.asarray(submitted_at, dtype=np.float64)[rows])
    sort_keys.append(key[rows])
    order = rows[np.lexsort(sort_keys)]
    k_sorted = key[order]
    later = np.empty(order.size, dtype=bool)
    later[0] = False
    later[1:] = k_sorted[1:] == k_sorted[:-1]
    dup[order] = later
    return dup


def _bursts(project: np.ndarray, codes: np.ndarray, rows_stats: RowStats, submitted_at: np.ndarray,
            assisted: np.ndarray | None, count: int, window: float) -> np.ndarray:
    """Mask of responses inside a run of >= count identical answer vectors of one project
    submitted within `window` seconds (assisted responses are exempt: a grid worker helping
    neighbours one after another is expected)."""
    n = project.size
    burst = np.zeros(n, dtype=bool)
    candidates = np.arange(n) if assisted is None else np.flatnonzero(~assisted)
    if candidates.size < count:
        return burst
    vkey = _vector_keys(codes, rows_stats)[candidates]
    _, vcode = factorize(vkey)
    key = project[candidates].astype(np.int64) * (int(vcode.max()) + 1) + vcode
    many = key_counts(key) >= count
    rows = candidates[many]
    if rows.size == 0:
        return burst
    key = key[many]
    t = np.asarray(submitted_at, dtype=np.float64)[rows]
    order = np.lexsort((t, key))
    rows, key, t = rows[order], key[order], t[order]
    _, gid = factorize(key)
    span = float(t.max() - t.min()) + 2.0 * window + 1.0
    line = gid * span + (t - t.min())  # groups laid end to end on one time line
    ends = np.searchsorted(line, line + window, side="left")  # strictly inside the window
    starts = np.flatnonzero(ends - np.arange(rows.size) >= count)
    if starts.size == 0:
        return burst
    cover = np.bincount(starts, minlength=rows.size + 1) - np.bincount(ends[starts], minlength=rows.size + 1)
    burst[rows[np.cumsum(cover)[:-1] > 0]] = True
    return burst


def check_validity(
    project: np.ndarray,
    codes: np.ndarray,
    rows: RowStats,
    household: object = None,
    submitted_at: object = None,
    duration: object = None,
    assisted: object = None,
    config: ScoringConfig = DEFAULT_CONFIG,
) -> Validity:
    n, k = codes.shape
    flags = np.zeros(n, dtype=np.uint8)
    assisted_b = None if assisted is None else np.asarray(assisted, dtype=bool)
    if assisted_b is not None:
        flags |= np.where(assisted_b, ASSISTED, 0).astype(np.uint8)
    dup = np.zeros(n, dtype=bool)
    if household is not None:
        dup = _first_per_household(project, np.asarray(household), submitted_at, codes)
        flags |= np.where(dup, DUPLICATE, 0).astype(np.uint8)
    burst = np.zeros(n, dtype=bool)
    if submitted_at is not None:
        burst = _bursts(project, codes, rows, np.asarray(submitted_at), assisted_b,
                        config.burst_count, config.burst_window_s)
        flags |= np.where(burst, BURST, 0).astype(np.uint8)
    straight = (rows.n_answered >= config.straightline_min_items) & (rows.lowest == rows.highest)
    flags |= np.where(straight, STRAIGHTLINE, 0).astype(np.uint8)
    speeding = np.zeros(n, dtype=bool)
    if duration is not None:
        speeding = np.asarray(duration, dtype=np.float64) < config.speeding_s_per_item * k
        flags |= np.where(speeding, SPEEDING, 0).astype(np.uint8)
    incomplete = rows.answered_weight < config.min_answered_weight - 1e-12
    flags |= np.where(incomplete, INCOMPLETE, 0).astype(np.uint8)
    # Precedence fixes the single reason shown; later assignments yield to earlier rules.
    reason = np.zeros(n, dtype=np.int8)
    reason[incomplete] = 4
    reason[straight & speeding] = 3
    reason[burst] = 2
    reason[dup] = 1
    return Validity(flags, reason)
