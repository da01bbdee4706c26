"""Rank comparisons: Kruskal-Wallis and pairwise Mann-Whitney with Holm's correction."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from survey.scoring import compare_ranks
from survey.scoring.compare import holm_adjust


def test_holm_by_hand():
    # sorted p: 0.01, 0.02, 0.04 with m = 3 -> 0.03, 0.04, max(0.04, 0.04) = 0.04
    np.testing.assert_allclose(holm_adjust([0.04, 0.01, 0.02]), [0.04, 0.03, 0.04])
    np.testing.assert_allclose(holm_adjust([0.5, 0.6]), [1.0, 1.0])


def test_pairs_use_mann_whitney_and_holm():
    groups = {"canteen": [60, 70, 75, 80, 85], "station": [90, 95, 88, 99], "centre": [55, 50, 65, 70, 72]}
    result = compare_ranks(groups)
    h, p = stats.kruskal(*groups.values())
    assert result.statistic == pytest.approx(h) and result.p_value == pytest.approx(p)
    raw = [stats.mannwhitneyu(groups[a], groups[b], alternative="two-sided").pvalue
           for a, b in [("canteen", "station"), ("canteen", "centre"), ("station", "centre")]]
    assert [pair.p_value for pair in result.pairs] == pytest.approx(raw)
    order = np.argsort(raw)
    m = 3
    expected = np.minimum(np.maximum.accumulate([(m - i) * raw[j] for i, j in enumerate(order)]), 1)
    adjusted = np.empty(3)
    adjusted[order] = expected
    assert [pair.p_holm for pair in result.pairs] == pytest.approx(adjusted)
    assert "Kruskal-Wallis" in result.explain("en") and "不用于评定等次" in result.explain("zh")
