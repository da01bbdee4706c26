"""Credibility (Buhlmann-Straub) shrinkage, checked against the formulas worked by hand."""

from __future__ import annotations

import numpy as np
import pytest

from survey.scoring import ScoringConfig, credibility_shrink, shrink_comparable


def bs_by_hand(m, n, s2, low=2.0, high=50.0):
    """The SCORING.md formulas written out plainly, independent of the vectorised code."""
    G, N = len(m), sum(n)
    sigma2 = sum((ng - 1) * s for ng, s in zip(n, s2)) / sum(ng - 1 for ng in n)
    ybar = sum(ng * mg for ng, mg in zip(n, m)) / N
    tau2 = (sum(ng * (mg - ybar) ** 2 for ng, mg in zip(n, m)) - (G - 1) * sigma2) / (N - sum(ng * ng for ng in n) / N)
    k = high if tau2 <= 0 else min(high, max(low, sigma2 / tau2))
    z = [ng / (ng + k) for ng in n]
    grand = sum(zg * mg for zg, mg in zip(z, m)) / sum(z)
    return k, z, grand, [zg * mg + (1 - zg) * grand for zg, mg in zip(z, m)]


def test_three_projects_by_hand():
    m, n, s2 = [70.0, 80.0, 90.0], [10, 20, 30], [100.0, 150.0, 200.0]
    k, z, grand, values = bs_by_hand(m, n, s2)
    # sigma2 = 9550/57, tau2 = (10000/3 - 2 sigma2) / (60 - 1400/60): k is about 2.05, inside the clamp
    assert k == pytest.approx((9550 / 57) / ((10000 / 3 - 2 * 9550 / 57) / (60 - 1400 / 60)))
    res = credibility_shrink(m, n, s2)
    assert res.k == pytest.approx(k)
    np.testing.assert_allclose(res.z, z)
    assert res.grand_mean == pytest.approx(grand)
    np.testing.assert_allclose(res.values, values)


def test_no_spread_between_projects_takes_the_upper_clamp():
    res = credibility_shrink([80.0, 80.5, 79.5], [40, 40, 40], [400.0, 400.0, 400.0])
    assert res.k == 50.0
    np.testing.assert_allclose(res.z, [40 / 90] * 3)


def test_given_k_is_used_as_is():
    res = credibility_shrink([60.0, 90.0], [10, 90], [100.0, 100.0], k=1.0)
    assert res.k == 1.0
    np.testing.assert_allclose(res.z, [10 / 11, 90 / 91])


def test_small_classes_take_fixed_k_and_large_classes_estimate_it():
    rng = np.random.default_rng(7)
    m = rng.uniform(55, 95, 9)
    n = rng.integers(30, 300, 9).astype(float)
    s2 = rng.uniform(200, 500, 9)
    classes = np.array(["a"] * 6 + ["b"] * 3)
    res = shrink_comparable(m, n, s2, classes, ScoringConfig())
    big = credibility_shrink(m[:6], n[:6], s2[:6])
    small = credibility_shrink(m[6:], n[6:], s2[6:], k=10.0)
    np.testing.assert_allclose(res.values[:6], big.values)
    np.testing.assert_allclose(res.values[6:], small.values)
    assert list(res.fixed_k) == [False] * 6 + [True] * 3
    np.testing.assert_allclose(res.k[6:], 10.0)
