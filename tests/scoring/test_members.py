"""Reporting party members: half-year score H and the annual mean, worked by hand."""

from __future__ import annotations

from decimal import Decimal

from survey.scoring import member_annual_score, member_half_year_score

RATINGS = [90, 80, 70, 100, 60, 85]  # drop 100 and 60: R = (90+80+70+85)/4 = 81.25


def test_all_components():
    h = member_half_year_score(1, RATINGS, "较好")
    # P = 100*min(1, 1/2) = 50; C = 80; H = 0.3*50 + 0.4*81.25 + 0.3*80 = 71.5
    assert h.components == {"P": Decimal(50), "R": Decimal("81.25"), "C": Decimal(80)}
    assert h.score == Decimal("71.50")
    assert h.grade == "qualified"
    assert h.flags == ()


def test_missing_ratings_renormalise_the_weights():
    h = member_half_year_score(1, RATINGS[:4], "较好")
    # fewer than 5 ratings: R missing; P and C weigh 0.3/0.6 each: (50 + 80) / 2 = 65
    assert h.components["R"] is None
    assert h.score == Decimal("65.00")
    assert h.weights == {"P": Decimal("0.5"), "C": Decimal("0.5")}
    assert h.grade == "basically_qualified"
    assert h.flags == ("few_ratings", "renormalised")


def test_participation_is_capped_and_grades_follow_thresholds():
    h = member_half_year_score(5, [95] * 6, "好")
    assert h.components["P"] == Decimal(100)
    assert h.score == Decimal("98.00") and h.grade == "excellent"  # 30 + 0.4*95 + 30
    low = member_half_year_score(0, [50] * 6, "差")
    assert low.score == Decimal("32.00") and low.grade == "unqualified"  # 0 + 20 + 12


def test_did_not_report_is_unqualified_whatever_the_score():
    h = member_half_year_score(2, [100] * 6, "好", reported=False)
    assert h.score == Decimal("100.00")
    assert h.grade == "unqualified"
    assert "did_not_report" in h.flags


def test_rounds_half_up_at_two_decimals():
    # R = (70+70+70+73.45)/4 = 70.8625; H = 30 + 0.4*70.8625 + 30 = 88.345 -> 88.35 (half up)
    h = member_half_year_score(2, [0, 70, 70, 70, 73.45, 100], "好")
    assert h.score == Decimal("88.35")


def test_annual_mean_and_single_half_flag():
    first = member_half_year_score(1, RATINGS, "较好")  # 71.50
    second = member_half_year_score(1, RATINGS[:4], "较好")  # 65.00
    year = member_annual_score([first, second])
    assert year.score == Decimal("68.25") and year.grade == "basically_qualified"
    assert year.halves == 2 and year.flags == ()
    single = member_annual_score([first, None])
    assert single.score == Decimal("71.50") and single.flags == ("single_half",)
    assert "71.50" in single.explain("en") and "仅有一个半年" in single.explain("zh")
