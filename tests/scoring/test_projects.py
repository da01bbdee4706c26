"""Project satisfaction index from response rows: validity, weights, status, shrinkage."""

from __future__ import annotations

import numpy as np
import pytest

from survey.scoring import (
    ResponseTable, ScoringConfig, campaign_index, credibility_shrink, likert_to_100, mean_interval,
    score_projects, wilson_interval,
)
from survey.scoring.validity import BURST, SPEEDING, STRAIGHTLINE

K = 8


def varied(n, seed=0):
    """Answers that are not straight lines (so only the rule under test fires)."""
    rng = np.random.default_rng(seed)
    a = rng.integers(2, 6, (n, K)).astype(float)
    a[:, 0], a[:, 1] = 4, 3
    return a


def table(answers, **cols):
    answers = np.asarray(answers, dtype=float)
    cols.setdefault("project", np.zeros(len(answers), dtype=int))
    return ResponseTable(answers=answers, **cols)


def test_index_is_mean_interval_of_respondent_scores():
    rng = np.random.default_rng(1)
    a = rng.integers(1, 6, (60, K)).astype(float)
    a[rng.random(a.shape) < 0.1] = np.nan
    a[rng.random(a.shape) < 0.05] = 0  # don't know
    a[:, 0] = rng.integers(1, 6, 60)
    res = campaign_index(a)
    per_item = likert_to_100(a, 5)
    answered = (~np.isnan(per_item)).sum(axis=1)
    scores = np.nanmean(np.where(answered[:, None] >= K / 2, per_item, np.nan), axis=1)
    expected = mean_interval(scores)
    assert res.n_valid == int((answered >= K / 2).sum())
    assert res.index.value == pytest.approx(expected.value)
    assert res.index.low == pytest.approx(expected.low) and res.index.high == pytest.approx(expected.high)
    valid = answered >= K / 2
    sat = (a[valid, 0] >= 4).sum()
    assert res.satisfied_rate.value == pytest.approx(sat / valid.sum())
    low, high = wilson_interval(sat, valid.sum())
    assert res.satisfied_rate.low == pytest.approx(low) and res.satisfied_rate.high == pytest.approx(high)


def test_item_weights_and_the_half_weight_rule():
    a = np.full((40, 4), np.nan)
    a[:, 0] = 5
    a[:, 1] = 1  # answered weight 0.2 + 0.3 = 0.5: exactly half is enough
    res = campaign_index(a, item_weights=np.array([0.2, 0.3, 0.25, 0.25]))
    assert res.n_valid == 40
    assert res.index.value == pytest.approx((0.2 * 100 + 0.3 * 0) / 0.5)
    b = a.copy()
    b[:, 1] = np.nan  # only 0.2 answered
    assert campaign_index(b, item_weights=np.array([0.2, 0.3, 0.25, 0.25])).excluded["incomplete"] == 40


def test_duplicate_household_keeps_the_first_submission():
    a = varied(3)
    a[0, 2] = 5
    t = table(a, household=np.array([7, 7, 8]), submitted_at=np.array([100.0, 50.0, 70.0]))
    res = score_projects(t)
    assert list(res.validity.reason) == [1, 0, 0]  # row 0 came later than row 1
    reordered = score_projects(table(a[[1, 0, 2]], household=np.array([7, 7, 8]),
                                     submitted_at=np.array([50.0, 100.0, 70.0])))
    assert list(reordered.validity.reason) == [0, 1, 0]


def test_burst_of_five_identical_answer_vectors_in_ten_minutes():
    same = np.tile(varied(1)[0], (5, 1))
    others = varied(3, seed=5)
    a = np.vstack([same, others])
    times = np.array([0, 60, 120, 300, 599, 0, 10, 20], dtype=float)
    res = score_projects(table(a, submitted_at=times))
    assert list(res.validity.has(BURST)) == [True] * 5 + [False] * 3
    assert res.project(0).excluded["burst"] == 5
    # spread over 20 minutes no ten-minute window holds five
    spread = score_projects(table(a, submitted_at=np.array([0, 300, 600, 900, 1200, 0, 10, 20], dtype=float)))
    assert not spread.validity.has(BURST).any()
    # a grid worker's assisted answers do not count towards a burst
    assisted = np.array([True, False, False, False, False, False, False, False])
    helped = score_projects(table(a, submitted_at=times, assisted=assisted))
    assert not helped.validity.has(BURST).any()
    # the same vectors in two different projects are two campaigns, not one burst
    two = score_projects(table(a, submitted_at=times, project=np.array([0, 0, 0, 1, 1, 0, 0, 1])))
    assert not two.validity.has(BURST).any()


def test_straightlining_alone_is_flagged_with_speeding_excluded():
    a = np.vstack([np.full((2, K), 5.0), varied(2)])
    duration = np.array([300.0, 5.0, 300.0, 5.0])  # 1.5 s x 8 items = 12 s
    res = score_projects(table(a, duration=duration))
    v = res.validity
    assert list(v.has(STRAIGHTLINE)) == [True, True, False, False]
    assert list(v.has(SPEEDING)) == [False, True, False, True]
    assert list(v.excluded) == [False, True, False, False]
    assert res.project(0).excluded["straightline_speeding"] == 1
    assert v.flag_names(0) == ("straightline",)


def test_straightline_needs_four_answered_items():
    a = np.full((2, K), np.nan)
    a[0, :4] = 5
    a[1, :3] = 5
    a[1, 3] = 4
    res = score_projects(table(a))
    assert list(res.validity.has(STRAIGHTLINE)) == [True, False]


def test_status_insufficient_sample_and_threshold():
    assert campaign_index(varied(29)).status == "insufficient_sample"
    result = campaign_index(varied(30))
    assert result.status == "ok" and result.published
    assert "不公布分数" in campaign_index(varied(29)).explain("zh")
    assert "no score is published" in campaign_index(varied(29)).explain("en")


def test_status_low_precision():
    a = np.vstack([np.full((15, K), 1.0), np.full((15, K), 5.0)])
    a[:, 0] = np.r_[np.full(15, 2.0), np.full(15, 4.0)]
    res = campaign_index(a)
    # scores near 0 and 100: SE about 8.8, half width about 18 > 10
    assert res.index.half_width > 10
    assert res.status == "low_precision"


def test_status_under_review_above_twenty_percent():
    def run(n_dup):
        a = varied(40)
        household = np.arange(40)
        household[:n_dup] = household[20:20 + n_dup]
        return campaign_index(a, household=household, submitted_at=np.arange(40, dtype=float) + 1000 * (household != np.arange(40)))

    at_limit = run(8)  # 8 / 40 = 20%: not more than 20%
    assert at_limit.excluded["duplicate"] == 8 and "under_review" not in at_limit.flags
    over = run(9)
    assert over.excluded["duplicate"] == 9 and over.status == "under_review"


def test_grid_post_stratification_with_small_grids_merged():
    a = varied(18, seed=2)
    grid = np.array(["g1"] * 10 + ["g2"] * 5 + ["g3"] * 2 + ["g4"])
    community = np.array(["c1"] * 15 + ["c2"] * 3)
    households = {"g1": 100, "g2": 100, "g3": 50, "g4": 50}
    res = score_projects(table(a, grid=grid, community=community), ScoringConfig(n_min_project=10), households)
    # strata g1, g2 and c2 (g3+g4: 100 households, 3 responses); N = 300, n = 18
    expected = np.r_[np.full(10, (100 / 300) / (10 / 18)), np.full(5, (100 / 300) / (5 / 18)), np.full(3, (100 / 300) / (3 / 18))]
    np.testing.assert_allclose(res.weight, expected)
    scores = np.nanmean(likert_to_100(a, 5), axis=1)
    est = mean_interval(scores, weights=expected)
    assert res.index[0] == pytest.approx(est.value)
    assert res.n_eff[0] == pytest.approx(est.n_eff)
    assert res.low[0] == pytest.approx(est.low) and res.high[0] == pytest.approx(est.high)


def test_weights_are_trimmed_to_three_times_the_mean():
    a = varied(31, seed=4)
    grid = np.array(["big"] * 3 + ["small"] * 28)
    res = score_projects(table(a, grid=grid), grid_households={"big": 1000, "small": 10})
    raw = np.r_[np.full(3, (1000 / 1010) / (3 / 31)), np.full(28, (10 / 1010) / (28 / 31))]
    mean = raw.mean()
    np.testing.assert_allclose(res.weight, np.clip(raw, 0.3 * mean, 3 * mean))
    assert res.weight.max() == pytest.approx(3 * mean)


def test_shrinkage_across_comparable_projects():
    rng = np.random.default_rng(11)
    sizes = [40, 60, 80, 35, 50, 45, 30]
    project = np.repeat(np.arange(7), sizes)
    a = np.clip(rng.integers(1, 6, (project.size, K)) + (project[:, None] % 3 == 0), 1, 5).astype(float)
    classes = np.where(project < 5, "canteen/street-1/2025H1", "greening/street-2/2025H1")
    res = score_projects(table(a, project=project, comparable=classes))
    big = credibility_shrink(res.index[:5], res.n_eff[:5], res.variance[:5])
    np.testing.assert_allclose(res.shrunk[:5], big.values)
    small = credibility_shrink(res.index[5:], res.n_eff[5:], res.variance[5:], k=10.0)
    np.testing.assert_allclose(res.shrunk[5:], small.values)
    # the variance handed to shrinkage is the within-project variance of respondent scores
    scores = res.respondent_score[project == 0]
    assert res.variance[0] == pytest.approx(scores.var(ddof=1))


def test_insufficient_projects_are_not_shrunk_or_used():
    a = varied(70, seed=9)
    project = np.r_[np.zeros(50, int), np.ones(20, int)]
    res = score_projects(table(a, project=project))
    assert np.isnan(res.shrunk[1]) and res.project(1).shrunk is None
    assert res.grand_mean[0] == pytest.approx(res.index[0])  # alone in its class


def test_reliability_per_version_matches_cronbach_alpha():
    from survey.scoring import cronbach_alpha
    rng = np.random.default_rng(5)
    base = rng.integers(1, 6, (80, 1))
    a = np.clip(base + rng.integers(-1, 2, (80, K)), 1, 5).astype(float)
    a[3, 4] = np.nan
    version = np.where(np.arange(80) < 40, "v1", "v2")
    project = np.where(np.arange(80) < 40, 0, 1)
    res = score_projects(table(a, project=project, version=version), ScoringConfig(n_min_project=10))
    for v, rows in (("v1", slice(0, 40)), ("v2", slice(40, 80))):
        expected = cronbach_alpha(a[rows])
        got = res.reliability[v]
        assert got.alpha == pytest.approx(expected.alpha) and got.n == expected.n
        assert got.low == pytest.approx(expected.low) and got.high == pytest.approx(expected.high)
    assert res.project(1).reliability is res.reliability["v2"]


def test_config_version_travels_into_results():
    cfg = ScoringConfig(version="cycle-2025-test")
    assert campaign_index(varied(30), config=cfg).config_version == "cycle-2025-test"
    assert "cycle-2025-test" in campaign_index(varied(30), config=cfg).explain("en")


def test_invalid_answers_raise():
    with pytest.raises(ValueError):
        campaign_index(np.array([[1, 2, 6, 3]], dtype=float))
    with pytest.raises(ValueError):
        campaign_index(np.array([[1, 2, 2.5, 3]]))


def test_campaign_without_responses_is_insufficient_not_an_error():
    res = campaign_index(np.zeros((0, K)))
    assert res.status == "insufficient_sample" and res.n_submitted == 0 and not res.published
    listed = score_projects(table(varied(30)), projects=np.array([0, 5]))
    assert list(listed.projects) == [0, 5]
    assert list(listed.status) == ["ok", "insufficient_sample"]


def test_a_grid_in_two_communities_is_refused():
    a = varied(6)
    with pytest.raises(ValueError):
        score_projects(table(a, grid=np.array([1] * 6), community=np.array([1, 1, 1, 2, 2, 2])),
                       grid_households={1: 10})


def test_low_reliability_is_flagged_and_explained():
    rng = np.random.default_rng(21)
    a = rng.integers(1, 6, (200, K)).astype(float)  # independent items: alpha near 0
    res = campaign_index(a, version=np.array(["v1"] * 200))
    assert res.reliability.alpha < 0.7 and res.reliability.low_reliability
    assert "谨慎" in res.explain("zh") and "with care" in res.explain("en")


def test_explain_speaks_both_languages_and_refuses_others():
    res = campaign_index(varied(40), household=np.arange(40))
    zh, en = res.explain("zh"), res.explain("en")
    assert "满意度指数" in zh and "有效 40 份" in zh
    assert "satisfaction index" in en and "40 valid" in en
    with pytest.raises(ValueError):
        res.explain("fr")


def test_rows_without_household_code_are_never_duplicates():
    a = varied(4)
    ints = score_projects(table(a, household=np.array([-1, -1, 3, 3]), submitted_at=np.arange(4.0)))
    assert list(ints.validity.reason) == [0, 0, 0, 1]
    objs = score_projects(table(a, household=np.array([None, None, "A-17", "A-17"], dtype=object),
                                submitted_at=np.arange(4.0)))
    assert list(objs.validity.reason) == [0, 0, 0, 1]
