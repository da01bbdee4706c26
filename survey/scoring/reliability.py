"""Cronbach's alpha with the Feldt interval, for one matrix or per group (version x period)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import special

from . import texts
from .config import DEFAULT_CONFIG


@dataclass(frozen=True)
class Alpha:
    alpha: float
    low: float
    high: float
    n: int
    k: int
    flags: tuple[str, ...] = ()
    confidence: float = 0.95

    @property
    def low_reliability(self) -> bool:
        return "low_reliability" in self.flags

    def explain(self, lang: str = "zh") -> str:
        text = texts.render(
            lang, "alpha", alpha=texts.num(self.alpha, 3), low=texts.num(self.low, 3),
            high=texts.num(self.high, 3), n=self.n, k=self.k, conf=texts.num(100 * self.confidence, 0),
        )
        if self.low_reliability:
            text += " " + texts.render(lang, "alpha_low", min=DEFAULT_CONFIG.alpha_min)
        return text


def cronbach_alpha_from_cov(cov: object) -> float:
    c = np.asarray(cov, dtype=np.float64)
    if c.ndim != 2 or c.shape[0] != c.shape[1] or c.shape[0] < 2:
        raise ValueError("need a square covariance matrix of at least 2 items")
    k = c.shape[0]
    return float(k / (k - 1) * (1.0 - np.trace(c) / c.sum()))


def feldt_interval(alpha: np.ndarray | float, n: np.ndarray | int, k: int, confidence: float) -> tuple:
    df1 = np.asarray(n, dtype=np.float64) - 1.0
    df2 = df1 * (k - 1)
    with np.errstate(invalid="ignore"):
        upper_f = special.fdtri(df1, df2, 1.0 - (1.0 - confidence) / 2.0)
        lower_f = special.fdtri(df1, df2, (1.0 - confidence) / 2.0)
    one_minus = 1.0 - np.asarray(alpha, dtype=np.float64)
    return 1.0 - one_minus * upper_f, 1.0 - one_minus * lower_f


def _flags(alpha: float, alpha_min: float) -> tuple[str, ...]:
    return ("low_reliability",) if not math.isnan(alpha) and alpha < alpha_min else ()


def cronbach_alpha(matrix: object, confidence: float = 0.95) -> Alpha:
    x = np.asarray(matrix, dtype=np.float64)
    if x.ndim != 2 or x.shape[1] < 2:
        raise ValueError("need a respondents x items matrix with at least 2 items")
    x = x[~np.isnan(x).any(axis=1)]
    n, k = x.shape
    if n < 2:
        return Alpha(math.nan, math.nan, math.nan, n, k, (), confidence)
    item_var = x.var(axis=0, ddof=1).sum()
    total_var = x.sum(axis=1).var(ddof=1)
    alpha = k / (k - 1) * (1.0 - item_var / total_var) if total_var > 0 else math.nan
    low, high = feldt_interval(alpha, n, k, confidence)
    return Alpha(float(alpha), float(low), float(high), n, k, _flags(alpha, DEFAULT_CONFIG.alpha_min), confidence)


def cronbach_alpha_grouped(
    matrix: np.ndarray, groups: np.ndarray, n_groups: int, confidence: float = 0.95,
    alpha_min: float = DEFAULT_CONFIG.alpha_min,
) -> list[Alpha]:
    """Alpha per group from grouped sums (complete rows only; nan marks a missing answer)."""
    x = np.asarray(matrix, dtype=np.float64)
    complete = ~np.isnan(x).any(axis=1)
    return _alpha_from_sums(x[complete], np.asarray(groups)[complete], n_groups, confidence, alpha_min)


def cronbach_alpha_codes(
    codes_t: np.ndarray, code_sum: np.ndarray, code_sumsq: np.ndarray, groups: np.ndarray, n_groups: int,
    confidence: float = 0.95, alpha_min: float = DEFAULT_CONFIG.alpha_min,
) -> list[Alpha]:
    """Alpha per group from integer answer codes of complete responses (items x responses).

    Sums of small integers are exact in float64, so the one-pass variance formula is exact
    up to its final subtraction; that keeps this to a few bincounts over the rows."""
    k = codes_t.shape[0]
    g = np.asarray(groups)
    n = np.bincount(g, minlength=n_groups).astype(np.float64)
    item_sq_of_sums = np.zeros(n_groups)
    for j in range(k):
        s1 = np.bincount(g, weights=codes_t[j].astype(np.float64), minlength=n_groups)
        item_sq_of_sums += s1 * s1
    sum_sq = np.bincount(g, weights=code_sumsq.astype(np.float64), minlength=n_groups)
    t1 = np.bincount(g, weights=code_sum.astype(np.float64), minlength=n_groups)
    t2 = np.bincount(g, weights=code_sum.astype(np.float64) ** 2, minlength=n_groups)
    with np.errstate(invalid="ignore", divide="ignore"):
        item_ss = sum_sq - item_sq_of_sums / n  # sum over items of (n-1) var_j
        total_ss = t2 - t1 * t1 / n
        alpha = k / (k - 1) * (1.0 - item_ss / total_ss)
    return _alphas(alpha, n, total_ss, k, confidence, alpha_min)


def _alpha_from_sums(x: np.ndarray, g: np.ndarray, n_groups: int, confidence: float,
                     alpha_min: float) -> list[Alpha]:
    k = x.shape[1]
    n = np.bincount(g, minlength=n_groups).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.stack([np.bincount(g, weights=x[:, j], minlength=n_groups) for j in range(k)], axis=1) / n[:, None]
        total = x.sum(axis=1)
        total_mean = np.bincount(g, weights=total, minlength=n_groups) / n
        # Centre before squaring: sums of squares of raw values lose digits for real-valued data.
        resid = x - mean[g]
        item_ss = np.bincount(g, weights=np.einsum("ij,ij->i", resid, resid), minlength=n_groups)
        tres = total - total_mean[g]
        total_ss = np.bincount(g, weights=tres * tres, minlength=n_groups)
        alpha = k / (k - 1) * (1.0 - item_ss / total_ss)
    return _alphas(alpha, n, total_ss, k, confidence, alpha_min)


def _alphas(alpha: np.ndarray, n: np.ndarray, total_ss: np.ndarray, k: int, confidence: float,
            alpha_min: float) -> list[Alpha]:
    alpha = np.where((n >= 2) & (total_ss > 1e-12), alpha, np.nan)
    low, high = feldt_interval(alpha, np.maximum(n, 2), k, confidence)
    out = []
    for a, lo, hi, m in zip(alpha, low, high, n):
        ok = not math.isnan(a)
        out.append(Alpha(float(a), float(lo) if ok else math.nan, float(hi) if ok else math.nan,
                         int(m), k, _flags(float(a), alpha_min), confidence))
    return out
