"""Descriptive rank comparisons between projects: Kruskal-Wallis, then pairwise Mann-Whitney
with Holm's correction. Never used for grades: it says whether differences look real."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations
from typing import Mapping, Sequence

import numpy as np

from . import texts


@dataclass(frozen=True)
class PairComparison:
    a: object
    b: object
    u: float
    p_value: float
    p_holm: float


@dataclass(frozen=True)
class RankComparison:
    statistic: float
    df: int
    p_value: float
    n: tuple[int, ...]
    pairs: tuple[PairComparison, ...]

    def explain(self, lang: str = "zh") -> str:
        lines = [texts.render(lang, "ranks", h=texts.num(self.statistic, 3), df=self.df, p=texts.num(self.p_value, 3))]
        lines += [texts.render(lang, "pair", a=p.a, b=p.b, u=texts.num(p.u, 1), p=texts.num(p.p_holm, 3))
                  for p in self.pairs]
        return "\n".join(lines)


def holm_adjust(p_values: Sequence[float]) -> np.ndarray:
    """Holm step-down adjusted p-values (monotone, capped at 1), in the input order."""
    p = np.asarray(p_values, dtype=np.float64)
    m = p.size
    order = np.argsort(p, kind="stable")
    stepped = (m - np.arange(m)) * p[order]
    adjusted = np.minimum(np.maximum.accumulate(stepped), 1.0)
    out = np.empty(m)
    out[order] = adjusted
    return out


def compare_ranks(groups: Mapping[object, Sequence[float]] | Sequence[Sequence[float]]) -> RankComparison:
    labelled = dict(groups) if isinstance(groups, Mapping) else dict(enumerate(groups))
    data = {k: np.asarray(v, dtype=np.float64)[~np.isnan(np.asarray(v, dtype=np.float64))] for k, v in labelled.items()}
    if len(data) < 2 or any(v.size == 0 for v in data.values()):
        raise ValueError("need at least two non-empty groups")
    # Imported here: scipy.stats costs every worker about 46 MB and 0.4 s, and nothing else needs it
    # (the intervals use scipy.special).
    from scipy import stats

    h, p = stats.kruskal(*data.values())
    pairs = list(combinations(data, 2))
    tests = [stats.mannwhitneyu(data[a], data[b], alternative="two-sided") for a, b in pairs]
    adjusted = holm_adjust([t.pvalue for t in tests])
    return RankComparison(
        float(h), len(data) - 1, float(p), tuple(v.size for v in data.values()),
        tuple(PairComparison(a, b, float(t.statistic), float(t.pvalue), float(q))
              for (a, b), t, q in zip(pairs, tests, adjusted)),
    )
