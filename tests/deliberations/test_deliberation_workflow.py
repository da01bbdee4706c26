"""The pure rules of the five deliberations: moves, guards, quorum boundaries, tightening."""
from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction

import pytest

from survey.deliberations import workflow as wf
from survey.deliberations.workflow import (
    Body, CommunityRules, ConsultationFacts, EvaluationFacts, LEGAL_RULES, MatterFacts, MotionFacts, MoveKind,
    ProposalFacts, ReviewFacts, SourceKind, Stage, Threshold,
)

TODAY = date(2026, 5, 20)
RULES = CommunityRules()


def codes(refusals):
    return [r.code for r in refusals]


def ready(stage: Stage, **changes) -> MatterFacts:
    """Facts of a matter at ``stage`` whose forward move is allowed, with ``changes`` applied."""
    base = dict(
        stage=stage,
        proposal=ProposalFacts(SourceKind.grid),
        motion=MotionFacts(True),
        consultation=ConsultationFacts(Body.residents_meeting, 90, 46, 24),
        review=ReviewFacts(TODAY - timedelta(days=7), TODAY, 0),
        evaluation=EvaluationFacts(True, True),
    )
    base.update(changes)
    return MatterFacts(**base)


# --- the stage machine ----------------------------------------------------------------------


def test_stage_order_and_neighbours():
    assert [s.value for s in wf.ORDER] == ["proposal", "motion", "consultation", "public_review", "evaluation", "closed"]
    assert wf.next_stage(Stage.proposal) is Stage.motion
    assert wf.next_stage(Stage.evaluation) is Stage.closed
    assert wf.next_stage(Stage.closed) is None and wf.next_stage(Stage.rejected) is None
    assert wf.previous_stage(Stage.proposal) is None
    assert wf.previous_stage(Stage.public_review) is Stage.consultation


@pytest.mark.parametrize("stage", wf.FIVE)
def test_every_forward_move_is_allowed_when_its_guard_is_met(stage):
    assert wf.refusals(ready(stage), wf.next_stage(stage), RULES, TODAY) == []
    assert wf.move_kind(stage, wf.next_stage(stage)) is MoveKind.forward


@pytest.mark.parametrize("stage", wf.FIVE[1:])
def test_back_one_stage_needs_a_reason(stage):
    back = wf.previous_stage(stage)
    assert wf.move_kind(stage, back) is MoveKind.back
    assert codes(wf.refusals(ready(stage), back, RULES, TODAY)) == ["reason_required"]
    assert codes(wf.refusals(ready(stage), back, RULES, TODAY, "  ")) == ["reason_required"]
    assert wf.refusals(ready(stage), back, RULES, TODAY, "票数登记有误") == []


@pytest.mark.parametrize("stage", wf.FIVE)
@pytest.mark.parametrize("ending", [Stage.rejected, Stage.withdrawn])
def test_reject_and_withdraw_from_every_stage_need_a_reason(stage, ending):
    assert codes(wf.refusals(ready(stage), ending, RULES, TODAY)) == ["reason_required"]
    assert wf.refusals(ready(stage), ending, RULES, TODAY, "提议人撤回") == []


@pytest.mark.parametrize("stage", wf.FIVE)
def test_no_skipping_and_no_going_back_two(stage):
    for target in wf.ORDER:
        kind = wf.move_kind(stage, target)
        distance = wf.ORDER.index(target) - wf.ORDER.index(stage)
        if distance not in (1, -1):
            assert kind is None
            assert codes(wf.refusals(ready(stage), target, RULES, TODAY, "理由")) == ["move_not_allowed"]


@pytest.mark.parametrize("final", [Stage.closed, Stage.rejected, Stage.withdrawn])
def test_final_stages_allow_no_move(final):
    assert wf.allowed_targets(final) == []
    for target in Stage:
        assert codes(wf.refusals(ready(final), target, RULES, TODAY, "理由")) == ["move_not_allowed"]


def test_allowed_targets_of_a_middle_stage():
    assert wf.allowed_targets(Stage.consultation) == [
        (MoveKind.forward, Stage.public_review), (MoveKind.back, Stage.motion),
        (MoveKind.reject, Stage.rejected), (MoveKind.withdraw, Stage.withdrawn),
    ]
    assert (MoveKind.back, None) not in wf.allowed_targets(Stage.proposal)
    assert len(wf.allowed_targets(Stage.proposal)) == 3


# --- guards of each forward move ------------------------------------------------------------


def test_proposal_guard_needs_a_proposal_and_enough_signatures():
    assert codes(wf.forward_refusals(ready(Stage.proposal, proposal=None), RULES, TODAY)) == ["proposal_missing"]
    few = ready(Stage.proposal, proposal=ProposalFacts(SourceKind.joint_signatures, 9))
    [refusal] = wf.forward_refusals(few, RULES, TODAY)
    assert refusal.code == "signatures_too_few" and refusal.params == {"count": 9, "minimum": 10}
    enough = ready(Stage.proposal, proposal=ProposalFacts(SourceKind.joint_signatures, 10))
    assert wf.forward_refusals(enough, RULES, TODAY) == []


def test_motion_guard_needs_a_meeting_that_decided_to_proceed():
    assert codes(wf.forward_refusals(ready(Stage.motion, motion=None), RULES, TODAY)) == ["motion_missing"]
    assert codes(wf.forward_refusals(ready(Stage.motion, motion=MotionFacts(False)), RULES, TODAY)) == ["motion_declined"]


def test_consultation_guard_needs_a_record():
    assert codes(wf.forward_refusals(ready(Stage.consultation, consultation=None), RULES, TODAY)) == ["consultation_missing"]


def test_consultation_guard_reports_quorum_and_majority_with_figures():
    facts = ready(Stage.consultation, consultation=ConsultationFacts(Body.residents_meeting, 90, 42, 20))
    quorum, majority = wf.forward_refusals(facts, RULES, TODAY)
    assert quorum.code == "no_quorum"
    assert (quorum.params["present"], quorum.params["eligible"], quorum.params["needed"]) == (42, 90, 46)
    assert majority.code == "no_majority" and majority.params["votes_for"] == 20 and majority.params["needed"] == 22


def test_consultation_guard_refuses_inconsistent_figures():
    too_many_votes = ConsultationFacts(Body.residents_meeting, 90, 50, 40, 10, 1)
    assert codes(wf.consultation_refusals(too_many_votes, RULES)) == ["figures_inconsistent"]
    more_present_than_eligible = ConsultationFacts(Body.residents_meeting, 90, 91, 60)
    assert codes(wf.consultation_refusals(more_present_than_eligible, RULES)) == ["figures_inconsistent"]


def test_public_review_guard_period_and_objections():
    start = TODAY - timedelta(days=4)
    running = ready(Stage.public_review, review=ReviewFacts(start, start + timedelta(days=7), 1))
    period, objections = wf.forward_refusals(running, RULES, TODAY)
    assert period.code == "review_running" and period.params["days_left"] == 3
    assert objections.code == "objections_unanswered" and objections.params == {"count": 1}
    # the last day of the period is still inside it; the day it ends the move is allowed
    end = TODAY
    assert codes(wf.review_refusals(ReviewFacts(end - timedelta(days=7), end, 0), RULES, end - timedelta(days=1))) == ["review_running"]
    assert wf.review_refusals(ReviewFacts(end - timedelta(days=7), end, 0), RULES, end) == []
    # answered: nothing blocks once the period is over
    assert wf.forward_refusals(ready(Stage.public_review, review=ReviewFacts(start, start + timedelta(days=4), 0)),
                               RULES, TODAY) == [wf.Refusal("review_too_short", {"days": 4, "minimum": 7})]
    assert codes(wf.forward_refusals(ready(Stage.public_review, review=None), RULES, TODAY)) == ["review_missing"]


def test_public_review_uses_the_communitys_longer_period():
    rules = CommunityRules(review_days=10)
    facts = ready(Stage.public_review, review=ReviewFacts(TODAY - timedelta(days=7), TODAY, 0))
    assert codes(wf.forward_refusals(facts, rules, TODAY)) == ["review_too_short"]


def test_evaluation_guard_needs_a_closed_campaign_with_a_result():
    assert codes(wf.forward_refusals(ready(Stage.evaluation, evaluation=None), RULES, TODAY)) == ["evaluation_missing"]
    assert codes(wf.forward_refusals(ready(Stage.evaluation, evaluation=EvaluationFacts(False, False)), RULES, TODAY)) == ["campaign_open"]
    assert codes(wf.forward_refusals(ready(Stage.evaluation, evaluation=EvaluationFacts(True, False)), RULES, TODAY)) == ["campaign_without_result"]


# --- quorum rules at their exact boundaries -------------------------------------------------


def test_residents_meeting_exactly_half_present_is_not_a_quorum():
    rule = LEGAL_RULES[Body.residents_meeting]
    assert not rule.quorum_met(45, 90)
    assert rule.quorum_met(46, 90)
    assert not rule.quorum_met(50, 101) and rule.quorum_met(51, 101)


def test_residents_meeting_by_household_representatives():
    rule = LEGAL_RULES[Body.residents_meeting]
    assert not rule.quorum_met(30, 90, present_households=20, eligible_households=40)
    assert rule.quorum_met(30, 90, present_households=21, eligible_households=40)


@pytest.mark.parametrize("body", list(Body))
def test_majority_of_those_present_exactly_half_does_not_pass(body):
    rule = LEGAL_RULES[body]
    assert not rule.passed(30, 60)
    assert rule.passed(31, 60)
    assert not rule.passed(0, 0)


def test_villagers_meeting_half_of_adults_or_two_thirds_of_households():
    rule = LEGAL_RULES[Body.villagers_meeting]
    assert not rule.quorum_met(200, 400) and rule.quorum_met(201, 400)
    # the household alternative: exactly two thirds IS enough, one fewer is not
    assert rule.quorum_met(150, 400, present_households=20, eligible_households=30)
    assert not rule.quorum_met(150, 400, present_households=19, eligible_households=30)
    assert rule.quorum_met(10, 400, present_households=67, eligible_households=100)
    assert not rule.quorum_met(10, 400, present_households=66, eligible_households=100)


def test_villagers_meeting_households_in_the_guard():
    facts = ready(Stage.consultation, consultation=ConsultationFacts(
        Body.villagers_meeting, 400, 150, 100, eligible_households=30, present_households=20))
    assert wf.forward_refusals(facts, RULES, TODAY) == []
    facts = ready(Stage.consultation, consultation=ConsultationFacts(
        Body.villagers_meeting, 400, 150, 100, eligible_households=30, present_households=19))
    [refusal] = wf.forward_refusals(facts, RULES, TODAY)
    assert refusal.code == "no_quorum" and refusal.params["needed_households"] == 20


@pytest.mark.parametrize("body", [Body.villagers_representatives, Body.residents_representatives])
def test_representatives_meetings_two_thirds_of_members(body):
    rule = LEGAL_RULES[body]
    assert rule.quorum_met(20, 30) and not rule.quorum_met(19, 30)
    assert rule.quorum_met(21, 31) and not rule.quorum_met(20, 31)  # 2/3 of 31 is 20.67
    assert rule.households is None
    assert not rule.quorum_met(19, 30, present_households=30, eligible_households=30)


def test_every_rule_names_its_legal_source():
    assert "第二十二条" in LEGAL_RULES[Body.villagers_meeting].source
    assert "第二十六条" in LEGAL_RULES[Body.villagers_representatives].source
    assert "城市居民委员会组织法" in LEGAL_RULES[Body.residents_meeting].source
    assert "参照" in LEGAL_RULES[Body.residents_representatives].source


def test_threshold_needed_matches_met():
    for threshold in (wf.MORE_THAN_HALF, wf.TWO_THIRDS, Threshold(Fraction(3, 5), False), Threshold(Fraction(3, 4), True)):
        for base in range(1, 60):
            needed = threshold.needed(base)
            assert threshold.met(needed, base) and not threshold.met(needed - 1, base)


# --- tightening and loosening ---------------------------------------------------------------


def test_tightening_is_accepted():
    strict = wf.tightened(LEGAL_RULES[Body.residents_meeting], quorum=wf.TWO_THIRDS, majority=wf.TWO_THIRDS)
    no_households = wf.tightened(LEGAL_RULES[Body.villagers_meeting], households=None)
    rules = CommunityRules(review_days=10, min_signatures=20,
                           quorum={**LEGAL_RULES, Body.residents_meeting: strict, Body.villagers_meeting: no_households})
    assert wf.tightening_refusals(rules) == []
    # and the stricter rule is the one applied
    facts = ConsultationFacts(Body.residents_meeting, 90, 50, 33)
    assert codes(wf.consultation_refusals(facts, rules)) == ["no_quorum", "no_majority"]
    assert wf.consultation_refusals(facts, RULES) == []


def test_at_least_as_strict_comparisons():
    assert wf.TWO_THIRDS.at_least_as_strict_as(wf.MORE_THAN_HALF)
    assert not wf.MORE_THAN_HALF.at_least_as_strict_as(wf.TWO_THIRDS)
    assert Threshold(Fraction(2, 3), True).at_least_as_strict_as(wf.TWO_THIRDS)
    assert not Threshold(Fraction(1, 2), False).at_least_as_strict_as(wf.MORE_THAN_HALF)


@pytest.mark.parametrize("change, code", [
    (dict(review_days=6), "review_days_too_short"),
    (dict(min_signatures=5), "signatures_minimum_too_low"),
    (dict(quorum={**LEGAL_RULES, Body.villagers_representatives: wf.tightened(
        LEGAL_RULES[Body.villagers_representatives], quorum=wf.MORE_THAN_HALF)}), "quorum_loosened"),
    (dict(quorum={**LEGAL_RULES, Body.residents_meeting: wf.tightened(
        LEGAL_RULES[Body.residents_meeting], quorum=Threshold(Fraction(1, 2), False))}), "quorum_loosened"),
    (dict(quorum={**LEGAL_RULES, Body.villagers_meeting: wf.tightened(
        LEGAL_RULES[Body.villagers_meeting], majority=Threshold(Fraction(1, 2), False))}), "majority_loosened"),
    (dict(quorum={**LEGAL_RULES, Body.villagers_meeting: wf.tightened(
        LEGAL_RULES[Body.villagers_meeting], households=wf.MORE_THAN_HALF)}), "households_loosened"),
    (dict(quorum={**LEGAL_RULES, Body.villagers_representatives: wf.tightened(
        LEGAL_RULES[Body.villagers_representatives], households=wf.TWO_THIRDS)}), "households_loosened"),
])
def test_loosening_is_refused(change, code):
    assert code in codes(wf.tightening_refusals(CommunityRules(**change)))


def test_rules_round_trip_through_data():
    strict = wf.tightened(LEGAL_RULES[Body.villagers_meeting], quorum=wf.TWO_THIRDS, households=None)
    data = {Body.villagers_meeting.value: strict.as_data()}
    rules = wf.rules_from_data(data, 9, 12)
    assert rules.rule(Body.villagers_meeting) == strict
    assert rules.rule(Body.residents_meeting) == LEGAL_RULES[Body.residents_meeting]
    assert (rules.review_days, rules.min_signatures) == (9, 12)
