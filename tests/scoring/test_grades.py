"""Grade proposals: bars, vote rules, thresholds, quota and ties, worked by hand."""

from __future__ import annotations

import pytest

from survey.scoring import Candidate, grade_pools, propose_grades, quota_places

GOOD = {"excellent": 12, "competent": 6, "basic": 2, "incompetent": 0}


def cand(i, score, votes=GOOD, pool="street-A", barred=False):
    return Candidate(id=i, pool=pool, score=score, votes=votes, barred=barred)


def filler(n, start=100, score=75.0, pool="street-A"):
    return [cand(start + j, score, pool=pool) for j in range(n)]


def by_id(proposals):
    return {p.id: p for p in proposals}


def test_quota_places_and_roundings():
    assert quota_places(10, 0.2) == 2
    assert quota_places(5, 0.2) == 1  # 0.2 x 5 is exactly 1, not 0.999...
    assert quota_places(4, 0.2) == 0
    assert quota_places(4, 0.2, "half_up") == 1  # 0.8
    assert quota_places(12, 0.2, "half_up") == 2  # 2.4
    assert quota_places(11, 0.2, "ceil") == 3  # 2.2
    with pytest.raises(ValueError):
        quota_places(10, 0.2, "bankers")


def test_ranks_and_quota():
    people = [cand(1, 95.0), cand(2, 91.0), cand(3, 88.0)] + filler(7)
    run = grade_pools(people)
    p = by_id(run.proposals)
    assert [p[i].grade for i in (1, 2, 3)] == ["excellent", "excellent", "competent"]
    assert [p[i].rank for i in (1, 2, 3)] == [1, 2, 3]
    assert p[100].rank is None and p[100].grade == "competent"
    summary = run.pools["street-A"]
    assert (summary.size, summary.places, summary.used, summary.unused) == (10, 2, 2, 0)


def test_barred_candidate_cannot_be_excellent():
    people = [cand(1, 98.0, barred=True), cand(2, 90.0), cand(3, 86.0)] + filler(7)
    p = by_id(propose_grades(people))
    assert p[1].grade == "competent" and p[1].flags == ("not_eligible",) and p[1].rank is None
    assert p[2].grade == "excellent" and p[2].rank == 1
    assert p[3].grade == "excellent" and p[3].rank == 2


def test_incompetent_share_above_one_third():
    at_third = {"excellent": 4, "competent": 4, "basic": 0, "incompetent": 4}  # exactly 1/3: not above
    above = {"excellent": 4, "competent": 3, "basic": 0, "incompetent": 5}  # 5/12 > 1/3
    people = [cand(1, 92.0, at_third), cand(2, 95.0, above)] + filler(8)
    p = by_id(propose_grades(people))
    assert p[2].grade == "incompetent" and p[2].flags == ("needs_review", "not_eligible")
    # at exactly 1/3 incompetent and exactly 2/3 excellent+competent: still eligible
    assert p[1].grade == "excellent" and p[1].rank == 1


def test_excellent_plus_competent_below_two_thirds_is_not_eligible():
    thin = {"excellent": 5, "competent": 2, "basic": 4, "incompetent": 1}  # 7/12 < 2/3
    people = [cand(1, 96.0, thin), cand(2, 87.0)] + filler(8)
    p = by_id(propose_grades(people))
    assert p[1].grade == "competent" and p[1].flags == ("not_eligible",)
    assert p[2].grade == "excellent"


def test_score_thresholds_at_two_decimals_half_up():
    people = [cand(1, 59.995), cand(2, 59.994), cand(3, 69.995), cand(4, 84.995), cand(5, 84.994)]
    p = by_id(propose_grades(people, quota=1.0))
    assert p[1].grade == "basic"  # 59.995 -> 60.00
    assert p[2].grade == "incompetent"  # 59.994 -> 59.99
    assert p[3].grade == "competent"  # 69.995 -> 70.00
    assert p[4].grade == "excellent"  # 84.995 -> 85.00 reaches excellent_min
    assert p[5].grade == "competent" and p[5].rank is None


def test_tie_across_the_quota_line_makes_none_of_the_tied_excellent():
    people = [cand(1, 95.0), cand(2, 90.0), cand(3, 90.0)] + filler(7)  # Q = 2, ranks 2 and 3 tie
    run = grade_pools(people)
    p = by_id(run.proposals)
    assert p[1].grade == "excellent"
    for i in (2, 3):
        assert p[i].grade == "competent" and p[i].flags == ("tie_at_quota",) and p[i].rank == 2
    summary = run.pools["street-A"]
    assert (summary.places, summary.used, summary.unused, summary.tied) == (2, 1, 1, (2, 3))
    assert "未用 1 个" in summary.explain("zh")


def test_tie_on_score_is_broken_by_excellent_share_only():
    more = {"excellent": 14, "competent": 4, "basic": 2, "incompetent": 0}
    people = [cand(1, 95.0), cand(2, 90.0), cand(3, 90.0, more)] + filler(7)
    p = by_id(propose_grades(people))
    assert p[3].grade == "excellent" and p[3].rank == 2
    assert p[2].grade == "competent" and p[2].rank == 3 and p[2].flags == ()


def test_tie_inside_the_quota_keeps_both():
    people = [cand(1, 95.0), cand(2, 90.0), cand(3, 90.0)] + filler(12)  # Q = 3
    p = by_id(propose_grades(people))
    assert [p[i].grade for i in (1, 2, 3)] == ["excellent"] * 3


def test_pool_too_small_for_any_excellent_place():
    people = [cand(1, 99.0), cand(2, 97.0), cand(3, 80.0), cand(4, 75.0)]
    run = grade_pools(people)
    assert all(p.grade != "excellent" for p in run.proposals)
    assert run.pools["street-A"].places == 0 and run.pools["street-A"].unused == 0
    assert by_id(run.proposals)[1].rank == 1  # still eligible and ranked, just no place
    p = by_id(propose_grades(people, rounding="half_up"))
    assert p[1].grade == "excellent" and p[2].grade == "competent"


def test_unused_place_when_too_few_reach_excellent_min():
    people = [cand(1, 86.0), cand(2, 84.0)] + filler(8)
    run = grade_pools(people)
    assert run.pools["street-A"].used == 1 and run.pools["street-A"].unused == 1


def test_pools_are_separate_and_order_is_kept():
    people = [cand(1, 95.0, pool="A"), cand(2, 95.0, pool="B")] + filler(4, 100, pool="A") + filler(4, 200, pool="B")
    proposals = propose_grades(people)
    assert [p.id for p in proposals] == [c.id for c in people]
    assert by_id(proposals)[1].grade == by_id(proposals)[2].grade == "excellent"


def test_incomplete_appraisal_cannot_enter_a_pool():
    with pytest.raises(ValueError):
        propose_grades([cand(1, None)])


def test_explain_names_the_committee_decision():
    p = propose_grades([cand(1, 95.0)] + filler(4))[0]
    assert "党委" in p.explain("zh") and "party committee decides" in p.explain("en")


def test_grade_cycle_uses_the_cycle_configuration():
    from survey.scoring import ScoringConfig, grade_cycle
    people = [cand(1, 95.0), cand(2, 93.0), cand(3, 91.0)] + filler(7)
    run = grade_cycle(people, ScoringConfig(version="2025-annual", quota=0.3, excellent_min=92.0))
    assert run.config_version == "2025-annual"
    assert run.pools["street-A"].places == 3 and run.pools["street-A"].used == 2  # 91 < 92
