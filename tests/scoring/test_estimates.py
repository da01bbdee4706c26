"""Likert transform, intervals, drop-extremes mean, alpha from a covariance, weights."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from survey.scoring import (
    ConvergenceError, cronbach_alpha, cronbach_alpha_from_cov, drop_extremes_mean, likert_to_100,
    mean_interval, post_stratify, rake, wilson_interval,
)


def test_likert_maps_ends_and_missing():
    out = likert_to_100([1, 2, 3, 4, 5, 0, np.nan], 5)
    np.testing.assert_allclose(out[:5], [0, 25, 50, 75, 100])
    assert np.isnan(out[5]) and np.isnan(out[6])  # "don't know" is missing, never low
    np.testing.assert_allclose(likert_to_100([1, 4, 7], 7), [0, 50, 100])


@pytest.mark.parametrize("bad", [[6], [-1], [2.5], [np.inf]])
def test_likert_rejects_values_outside_the_scale(bad):
    with pytest.raises(ValueError):
        likert_to_100(bad, 5)


def test_unweighted_interval_is_the_student_t_interval():
    y = np.array([70.0, 85, 90, 55, 100, 75, np.nan, 60])
    clean = y[~np.isnan(y)]
    est = mean_interval(y)
    low, high = stats.t.interval(0.95, df=clean.size - 1, loc=clean.mean(), scale=stats.sem(clean))
    assert est.value == pytest.approx(clean.mean())
    assert (est.low, est.high) == (pytest.approx(low), pytest.approx(high))
    assert est.n == 7 and est.n_eff == pytest.approx(7)


def test_weighted_interval_by_hand():
    y = np.array([50.0, 75, 100, 25])
    w = np.array([1.0, 2, 1, 0.5])
    est = mean_interval(y, weights=w)
    ybar = (50 * 1 + 75 * 2 + 100 * 1 + 25 * 0.5) / 4.5
    n_eff = 4.5 ** 2 / (1 + 4 + 1 + 0.25)
    se = math.sqrt(4 / 3 * sum(wi ** 2 * (yi - ybar) ** 2 for yi, wi in zip(y, w))) / 4.5
    half = stats.t.ppf(0.975, n_eff - 1) * se
    assert est.value == pytest.approx(ybar)
    assert est.n_eff == pytest.approx(n_eff)
    assert est.low == pytest.approx(ybar - half) and est.high == pytest.approx(ybar + half)


def test_interval_needs_two_values():
    est = mean_interval([80.0, np.nan])
    assert est.value == 80.0 and est.n == 1
    assert math.isnan(est.low) and math.isnan(est.high)


def test_wilson_by_hand_and_with_effective_n():
    z = stats.norm.ppf(0.975)
    s, n = 12.5, 20.7
    p = s / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    assert wilson_interval(s, n) == (pytest.approx(centre - half), pytest.approx(centre + half))
    assert wilson_interval(20, 20)[1] == 1.0
    with pytest.raises(ValueError):
        wilson_interval(0, 0)


def test_drop_extremes_mean():
    assert drop_extremes_mean([60, 70, 80, 90, 100, 40]) == pytest.approx((60 + 70 + 80 + 90) / 4)
    # Only one copy of each extreme goes: two 100s leave one 100 in.
    assert drop_extremes_mean([100, 100, 80, 80, 60, 60]) == pytest.approx((100 + 80 + 80 + 60) / 4)
    assert drop_extremes_mean([60, 70, 80, 90, 100]) == pytest.approx(80)  # below min_n: plain mean
    assert drop_extremes_mean([60, np.nan, 90]) == pytest.approx(75)


def test_alpha_from_cov_agrees_with_alpha_from_data():
    rng = np.random.default_rng(3)
    x = rng.integers(1, 6, (40, 5)).astype(float) + rng.integers(0, 2, (40, 1))
    assert cronbach_alpha_from_cov(np.cov(x, rowvar=False)) == pytest.approx(cronbach_alpha(x).alpha)


def test_alpha_drops_incomplete_rows_and_flags_low_values():
    x = np.array([[1, 2, 3], [2, 2, np.nan], [3, 1, 2], [4, 5, 4], [2, 3, 1]], dtype=float)
    result = cronbach_alpha(x)
    assert result.n == 4
    complete = x[[0, 2, 3, 4]]
    k = 3
    expected = k / (k - 1) * (1 - complete.var(axis=0, ddof=1).sum() / complete.sum(axis=1).var(ddof=1))
    assert result.alpha == pytest.approx(expected)
    assert result.low_reliability == (expected < 0.7)
    assert result.low < result.alpha < result.high


def test_post_stratify_by_hand():
    strata = np.array(["a", "a", "a", "b"])
    g = post_stratify(strata, {"a": 100, "b": 300, "unused": 50})
    # over the strata present: N = 400; a: (100/400)/(3/4) = 1/3; b: (300/400)/(1/4) = 3
    np.testing.assert_allclose(g, [1 / 3, 1 / 3, 1 / 3, 3])
    with pytest.raises(ValueError):
        post_stratify(["a", "c"], {"a": 1})


def test_rake_meets_both_margins():
    sex = np.array(["m", "m", "f", "f", "f"])
    age = np.array(["y", "o", "y", "o", "o"])
    w = rake(np.ones(5), [(sex, {"m": 50, "f": 50}), (age, {"y": 40, "o": 60})])
    assert np.bincount((sex == "m").astype(int), weights=w)[1] == pytest.approx(50, rel=1e-6)
    assert w[age == "y"].sum() == pytest.approx(40, rel=1e-6)
    assert w[age == "o"].sum() == pytest.approx(60, rel=1e-6)


def test_rake_raises_when_margins_disagree():
    sex = np.array(["m", "f"])
    with pytest.raises(ConvergenceError):
        rake(np.ones(2), [(sex, {"m": 10, "f": 10}), (sex, {"m": 30, "f": 10})], max_iter=20)


def test_grouped_alpha_matches_alpha_per_group():
    from survey.scoring.reliability import cronbach_alpha_grouped
    rng = np.random.default_rng(8)
    x = np.clip(rng.integers(1, 6, (90, 1)) + rng.normal(0, 0.8, (90, 4)), 1, 5)
    x[5, 2] = np.nan
    groups = np.arange(90) % 3
    result = cronbach_alpha_grouped(x, groups, 3)
    for g in range(3):
        expected = cronbach_alpha(x[groups == g])
        assert result[g].alpha == pytest.approx(expected.alpha) and result[g].n == expected.n
        assert result[g].low == pytest.approx(expected.low)
