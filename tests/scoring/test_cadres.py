"""Annual cadre composite A, worked by hand (decimal arithmetic, half up at two decimals)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from survey.scoring import ScoringConfig, cadre_composite, democratic_score, leadership_satisfaction, regular_score

VOTES = {"excellent": 10, "competent": 8, "basic": 2, "incompetent": 0}  # D = (1000+640+120)/20 = 88


def test_democratic_and_regular_scores():
    assert democratic_score(VOTES) == Decimal(88)
    assert democratic_score({"excellent": 1, "incompetent": 2}) == Decimal(100) / Decimal(3)
    assert democratic_score({}) is None
    assert regular_score("较差") == Decimal(40) and regular_score(None) is None


def test_all_components_rounds_half_up():
    a = cadre_composite(D=democratic_score(VOTES), K=90, J=regular_score("较好"), S=85.5, M=92)
    # .35*90 + .25*88 + .15*80 + .15*85.5 + .10*92 = 31.5 + 22 + 12 + 12.825 + 9.2 = 87.525
    assert a.unrounded == Decimal("87.525")
    assert a.score == Decimal("87.53")  # round() on the float would risk 87.52
    assert a.status == "ok" and a.flags == ()


def test_missing_optional_components_renormalise():
    a = cadre_composite(D=88, K=90, J=80)
    # (31.5 + 22 + 12) / 0.75 = 87.3333...
    assert a.score == Decimal("87.33")
    assert a.flags == ("renormalised", "missing_S", "missing_M")
    assert sum(a.weights.values()) == Decimal(1)
    assert a.weights["K"] == Decimal("0.35") / Decimal("0.75")


@pytest.mark.parametrize("missing", ["D", "K"])
def test_missing_required_component_is_incomplete(missing):
    parts = {"D": 88, "K": 90, "J": 80, "S": 80, "M": 80}
    parts[missing] = None
    a = cadre_composite(**parts)
    assert a.status == "incomplete" and a.score is None
    assert f"missing_{missing}" in a.flags
    assert "不评定等次" in a.explain("zh")


def test_bonus_and_deduction_then_clip():
    assert cadre_composite(D=100, K=100, J=100, S=100, M=98, bonus=3).score == Decimal("100.00")
    assert cadre_composite(D=10, K=10, deduction=15).score == Decimal("0.00")
    a = cadre_composite(D=80, K=80, J=80, S=80, M=80, bonus=1.5, deduction=0.25)
    assert a.score == Decimal("81.25")


def test_configurable_weights_must_sum_to_one():
    a = cadre_composite(D=60, K=100, J=80, S=80, M=80, weights={"K": 0.5, "D": 0.5, "J": 0, "S": 0, "M": 0})
    assert a.score == Decimal("80.00")
    with pytest.raises(ValueError):
        cadre_composite(D=60, K=100, weights={"K": 0.5, "D": 0.4})
    with pytest.raises(ValueError):
        ScoringConfig(cadre_weights={"K": 0.4, "D": 0.25, "J": 0.15, "S": 0.15, "M": 0.10})


def test_leadership_satisfaction_uses_ok_projects_weighted_by_n_eff():
    s = leadership_satisfaction([80.0, 90.0, 40.0], [100.0, 50.0, 300.0], ["ok", "ok", "low_precision"])
    assert s == pytest.approx((80 * 100 + 90 * 50) / 150)
    assert leadership_satisfaction([50.0], [10.0], ["insufficient_sample"]) is None


def test_leadership_satisfaction_from_project_results():
    import numpy as np

    from survey.scoring import ResponseTable, leadership_satisfaction_from, score_projects

    rng = np.random.default_rng(4)
    project = np.repeat([1, 2, 3], [60, 90, 10])  # project 3 is too small to count
    answers = rng.integers(2, 6, (project.size, 6)).astype(float)
    results = list(score_projects(ResponseTable(project=project, answers=answers)))
    ok = [r for r in results if r.status == "ok"]
    assert [r.project for r in ok] == [1, 2]
    expected = sum(r.shrunk * r.index.n_eff for r in ok) / sum(r.index.n_eff for r in ok)
    assert leadership_satisfaction_from(results) == pytest.approx(expected)
