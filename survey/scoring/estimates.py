"""Scale transform, mean and proportion intervals, and the trimmed "drop extremes" mean."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import special

from . import texts


@dataclass(frozen=True)
class Estimate:
    """A mean with its interval and what it was computed from."""

    value: float
    low: float
    high: float
    n: int
    n_eff: float
    confidence: float = 0.95

    @property
    def half_width(self) -> float:
        return (self.high - self.low) / 2.0

    def explain(self, lang: str = "zh") -> str:
        if math.isnan(self.low):
            return texts.render(lang, "estimate_no_interval", value=texts.num(self.value), n=self.n)
        return texts.render(
            lang, "estimate", value=texts.num(self.value), low=texts.num(self.low),
            high=texts.num(self.high), n=self.n, n_eff=texts.num(self.n_eff),
            conf=texts.num(100 * self.confidence, 0),
        )


@dataclass(frozen=True)
class RateEstimate:
    """A weighted share (e.g. the satisfied rate) with its Wilson interval on n_eff."""

    value: float
    low: float
    high: float
    n: int
    n_eff: float
    confidence: float = 0.95

    def explain(self, lang: str = "zh") -> str:
        return texts.render(
            lang, "rate", value=texts.num(100 * self.value) + "%", low=texts.num(100 * self.low) + "%",
            high=texts.num(100 * self.high) + "%", n_eff=texts.num(self.n_eff),
            conf=texts.num(100 * self.confidence, 0),
        )


def likert_to_100(values: object, k: int) -> np.ndarray:
    """Map answers 1..k onto 0..100; 0 ("don't know", 不了解) and nan become nan.

    Non-integer answers or answers outside 0..k raise ValueError: they are data errors, and
    silently clipping them would move a real person's score.
    """
    if k < 2:
        raise ValueError("a Likert scale needs k >= 2")
    x = np.asarray(values, dtype=np.float64)
    missing = np.isnan(x)
    filled = np.where(missing, 0.0, x)
    if np.any((filled < 0) | (filled > k) | (filled != np.floor(filled))):
        raise ValueError(f"Likert answers must be integers in 0..{k} (0 = don't know) or nan")
    out = (filled - 1.0) * (100.0 / (k - 1))
    out[missing | (filled == 0)] = np.nan
    return out


def t_quantile(confidence: float, df: np.ndarray | float) -> np.ndarray | float:
    return special.stdtrit(df, 1.0 - (1.0 - confidence) / 2.0)


def weighted_mean_se(
    y: np.ndarray, w: np.ndarray
) -> tuple[float, float, int, float]:
    """Weighted mean, its linearisation SE, n and Kish's n_eff (SCORING.md formula)."""
    n = int(y.size)
    sw = float(w.sum())
    mean = float(np.dot(w, y) / sw)
    n_eff = sw * sw / float(np.dot(w, w))
    if n < 2:
        return mean, math.nan, n, n_eff
    resid = y - mean
    se = math.sqrt(n / (n - 1) * float(np.dot(w * w, resid * resid))) / sw
    return mean, se, n, n_eff


def mean_interval(values: object, confidence: float = 0.95, weights: object = None) -> Estimate:
    """Mean with a Student t interval; weighted: Kish n_eff and t with n_eff - 1 df."""
    y = np.asarray(values, dtype=np.float64).reshape(-1)
    keep = ~np.isnan(y)
    if weights is None:
        w = np.ones(int(keep.sum()))
    else:
        w_all = np.asarray(weights, dtype=np.float64).reshape(-1)
        if w_all.shape != y.shape:
            raise ValueError("weights must have the same length as values")
        if np.any(w_all < 0) or np.any(np.isnan(w_all[keep])):
            raise ValueError("weights must be non-negative numbers")
        w = w_all[keep]
    y = y[keep]
    if y.size == 0 or w.sum() <= 0:
        return Estimate(math.nan, math.nan, math.nan, int(y.size), 0.0, confidence)
    mean, se, n, n_eff = weighted_mean_se(y, w)
    if n < 2 or n_eff <= 1:
        return Estimate(mean, math.nan, math.nan, n, n_eff, confidence)
    half = float(t_quantile(confidence, n_eff - 1.0)) * se
    return Estimate(mean, mean - half, mean + half, n, n_eff, confidence)


def wilson_arrays(
    successes: np.ndarray, n: np.ndarray, confidence: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Vectorised Wilson score interval; n == 0 gives nan (callers decide what that means)."""
    s = np.asarray(successes, dtype=np.float64)
    nn = np.asarray(n, dtype=np.float64)
    z = float(special.ndtri(1.0 - (1.0 - confidence) / 2.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        p = s / nn
        z2n = z * z / nn
        denom = 1.0 + z2n
        centre = (p + z2n / 2.0) / denom
        half = z * np.sqrt(np.maximum(p * (1.0 - p), 0.0) / nn + z2n / (4.0 * nn)) / denom
    low = np.clip(centre - half, 0.0, 1.0)
    high = np.clip(centre + half, 0.0, 1.0)
    return low, high


def wilson_interval(successes: float, n: float, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for successes out of n (n may be an effective, fractional n)."""
    if n == 0:
        raise ValueError("the Wilson interval needs n > 0")
    if n < 0 or successes < 0 or successes > n:
        raise ValueError("need 0 <= successes <= n")
    low, high = wilson_arrays(np.float64(successes), np.float64(n), confidence)
    return float(low), float(high)


def drop_extremes_mean(values: object, min_n: int = 6) -> float:
    """Mean after dropping one highest and one lowest value (去掉一个最高分和一个最低分)."""
    y = np.asarray(values, dtype=np.float64).reshape(-1)
    y = y[~np.isnan(y)]
    if y.size == 0:
        return math.nan
    if y.size >= min_n:
        # Dropping one copy each (not every copy) of the extremes is the practice being modelled.
        return float(np.sort(y)[1:-1].mean())
    return float(y.mean())
