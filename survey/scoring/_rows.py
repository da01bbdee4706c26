"""Per-response statistics from the answer codes in one pass over the items.

Reductions along a short row axis (8 items) are slow in numpy; looping over the few items on a
transposed, contiguous copy touches each cell once per statistic at full speed instead.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, eq=False)
class RowStats:
    codes_t: np.ndarray  # items x responses, int8, 0 = missing
    n_answered: np.ndarray  # int16
    answered_weight: np.ndarray  # share of item weight answered, 0..1
    score: np.ndarray  # weighted mean of answered items on 0..100 (nan when none answered)
    lowest: np.ndarray  # lowest answered code (127 when none)
    highest: np.ndarray  # highest code
    vector_key: np.ndarray | None  # one integer per distinct answer vector, when it fits in int64
    code_sum: np.ndarray  # sum of codes (for Cronbach's alpha on complete rows)
    code_sumsq: np.ndarray


def row_stats(codes: np.ndarray, item_weights: np.ndarray, scale: int) -> RowStats:
    n, k = codes.shape
    codes_t = np.ascontiguousarray(codes.T)
    lut = np.concatenate([[0.0], 100.0 * np.arange(scale) / (scale - 1)])  # code 0 adds nothing
    n_answered = np.zeros(n, dtype=np.int16)
    answered_w = np.zeros(n)
    total = np.zeros(n)
    lowest = np.full(n, 127, dtype=np.int8)
    highest = np.zeros(n, dtype=np.int8)
    code_sum = np.zeros(n, dtype=np.int32)
    code_sumsq = np.zeros(n, dtype=np.int32)
    base = scale + 1
    fits = k * np.log2(base) < 62
    vector_key = np.zeros(n, dtype=np.int64) if fits else None
    for j in range(k):
        c = codes_t[j]
        answered = c > 0
        n_answered += answered
        answered_w += item_weights[j] * answered
        total += (lut * item_weights[j])[c]
        np.minimum(lowest, np.where(answered, c, np.int8(127)), out=lowest)
        np.maximum(highest, c, out=highest)
        c32 = c.astype(np.int32)
        code_sum += c32
        code_sumsq += c32 * c32
        if vector_key is not None:
            vector_key *= base
            vector_key += c
    with np.errstate(invalid="ignore", divide="ignore"):
        score = total / answered_w
    return RowStats(codes_t, n_answered, answered_w, score, lowest, highest, vector_key, code_sum, code_sumsq)
