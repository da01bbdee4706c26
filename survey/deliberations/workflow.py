"""The five deliberations as pure rules: stages, moves, guards and quorum rules.

No Flask, no database: plain values in, plain values out. The operations module gathers the
facts of a matter from its records (``MatterFacts``), asks ``refusals`` whether a move is
allowed, and raises a domain error with the structured reasons when it is not. The views turn
each ``Refusal`` (a code and its parameters) into words such as "公议期未满：还剩 3 天".

Quorum and majority rules are data, one ``QuorumRule`` per deciding body, with the legal text
they come from. Thresholds are exact fractions compared with integer arithmetic: "more than
half" of 90 is 46 (45 is not enough), "two thirds or more" of 30 households is 20.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace
from datetime import date
from fractions import Fraction
from typing import Any, Mapping


class Stage(enum.Enum):
    proposal = "proposal"
    motion = "motion"
    consultation = "consultation"
    public_review = "public_review"
    evaluation = "evaluation"
    closed = "closed"
    rejected = "rejected"
    withdrawn = "withdrawn"

    @property
    def is_final(self) -> bool:
        return self in (Stage.closed, Stage.rejected, Stage.withdrawn)

    @property
    def position(self) -> int | None:
        """0..5 along the main line, None for the two side endings."""
        return ORDER.index(self) if self in ORDER else None


ORDER: tuple[Stage, ...] = (
    Stage.proposal, Stage.motion, Stage.consultation, Stage.public_review, Stage.evaluation, Stage.closed,
)
# The five deliberations themselves (the stepper shows these).
FIVE: tuple[Stage, ...] = ORDER[:5]


class MoveKind(enum.Enum):
    forward = "forward"
    back = "back"
    reject = "reject"
    withdraw = "withdraw"


@dataclass(frozen=True)
class Refusal:
    """One reason a move is refused: a stable code and the numbers that go into its words."""

    code: str
    params: Mapping[str, Any] = field(default_factory=dict)


def next_stage(stage: Stage) -> Stage | None:
    if stage.is_final:
        return None
    return ORDER[ORDER.index(stage) + 1]


def previous_stage(stage: Stage) -> Stage | None:
    if stage.is_final or stage is Stage.proposal:
        return None
    return ORDER[ORDER.index(stage) - 1]


def move_kind(current: Stage, target: Stage) -> MoveKind | None:
    """Which kind of move goes from ``current`` to ``target``; None when no move does."""
    if current.is_final:
        return None
    if target is next_stage(current):
        return MoveKind.forward
    if target is previous_stage(current):
        return MoveKind.back
    if target is Stage.rejected:
        return MoveKind.reject
    if target is Stage.withdrawn:
        return MoveKind.withdraw
    return None


def allowed_targets(current: Stage) -> list[tuple[MoveKind, Stage]]:
    """Every move the stage machine allows from ``current`` (guards not yet applied)."""
    if current.is_final:
        return []
    moves = [(MoveKind.forward, next_stage(current))]
    back = previous_stage(current)
    if back is not None:
        moves.append((MoveKind.back, back))
    moves += [(MoveKind.reject, Stage.rejected), (MoveKind.withdraw, Stage.withdrawn)]
    return moves


# --- thresholds and quorum rules -------------------------------------------------------------


@dataclass(frozen=True)
class Threshold:
    """``strict``: more than ``fraction`` of the base; otherwise ``fraction`` of it or more."""

    fraction: Fraction
    strict: bool

    def met(self, count: int, base: int) -> bool:
        if base <= 0:
            return False
        left, right = count * self.fraction.denominator, self.fraction.numerator * base
        return left > right if self.strict else left >= right

    def needed(self, base: int) -> int:
        """The smallest count that meets the threshold for ``base``."""
        exact = self.fraction * base
        whole = exact.numerator // exact.denominator
        if self.strict:
            return whole + 1
        return whole if exact.denominator == 1 else whole + 1

    def at_least_as_strict_as(self, other: Threshold) -> bool:
        """True when meeting ``self`` always means meeting ``other``."""
        if self.fraction != other.fraction:
            return self.fraction > other.fraction
        return self.strict or not other.strict

    def as_data(self) -> dict[str, Any]:
        return {"num": self.fraction.numerator, "den": self.fraction.denominator, "strict": self.strict}

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Threshold:
        return cls(Fraction(int(data["num"]), int(data["den"])), bool(data["strict"]))


MORE_THAN_HALF = Threshold(Fraction(1, 2), strict=True)
TWO_THIRDS = Threshold(Fraction(2, 3), strict=False)


class Body(enum.Enum):
    """The bodies that decide in the consultation stage."""

    residents_meeting = "residents_meeting"
    residents_representatives = "residents_representatives"
    villagers_meeting = "villagers_meeting"
    villagers_representatives = "villagers_representatives"


@dataclass(frozen=True)
class QuorumRule:
    body: Body
    quorum: Threshold  # of the eligible persons (or of the body's members)
    households: Threshold | None  # the alternative: representatives of households present
    majority: Threshold  # votes for, of those present
    source: str  # the legal text the rule comes from, shown next to the figures

    def quorum_met(self, present: int, eligible: int, present_households: int | None = None,
                   eligible_households: int | None = None) -> bool:
        if self.quorum.met(present, eligible):
            return True
        if self.households is not None and present_households is not None and eligible_households:
            return self.households.met(present_households, eligible_households)
        return False

    def passed(self, votes_for: int, present: int) -> bool:
        return self.majority.met(votes_for, present)

    def as_data(self) -> dict[str, Any]:
        return {
            "quorum": self.quorum.as_data(),
            "households": None if self.households is None else self.households.as_data(),
            "majority": self.majority.as_data(),
        }


LEGAL_RULES: dict[Body, QuorumRule] = {
    Body.residents_meeting: QuorumRule(
        Body.residents_meeting, MORE_THAN_HALF, MORE_THAN_HALF, MORE_THAN_HALF,
        "《中华人民共和国城市居民委员会组织法》第十条：居民会议必须有全体十八周岁以上的居民、户的代表"
        "或者居民小组选举的代表的过半数出席，才能举行。会议的决定，由出席人的过半数通过。",
    ),
    Body.residents_representatives: QuorumRule(
        Body.residents_representatives, TWO_THIRDS, None, MORE_THAN_HALF,
        "城市居民委员会组织法未对居民代表会议的法定人数作出规定；本平台参照《中华人民共和国村民委员会"
        "组织法》第二十六条及各地实施办法的通行做法：应有三分之二以上组成人员出席，所作决定经到会人员"
        "过半数同意。请以本地实施办法为准，可在社区设置中从严。",
    ),
    Body.villagers_meeting: QuorumRule(
        Body.villagers_meeting, MORE_THAN_HALF, TWO_THIRDS, MORE_THAN_HALF,
        "《中华人民共和国村民委员会组织法》第二十二条：召开村民会议，应当有本村十八周岁以上村民的过半数，"
        "或者本村三分之二以上的户的代表参加，村民会议所作决定应当经到会人员的过半数同意。",
    ),
    Body.villagers_representatives: QuorumRule(
        Body.villagers_representatives, TWO_THIRDS, None, MORE_THAN_HALF,
        "《中华人民共和国村民委员会组织法》第二十六条：村民代表会议有三分之二以上的组成人员参加方可召开，"
        "所作决定应当经到会人员的过半数同意。",
    ),
}

DEFAULT_REVIEW_DAYS = 7
DEFAULT_MIN_SIGNATURES = 10


@dataclass(frozen=True)
class CommunityRules:
    """The rules a community works by: the legal ones, possibly tightened, never loosened."""

    review_days: int = DEFAULT_REVIEW_DAYS
    min_signatures: int = DEFAULT_MIN_SIGNATURES
    quorum: Mapping[Body, QuorumRule] = field(default_factory=lambda: dict(LEGAL_RULES))

    def rule(self, body: Body) -> QuorumRule:
        return self.quorum.get(body, LEGAL_RULES[body])


def tightening_refusals(candidate: CommunityRules, base: CommunityRules | None = None) -> list[Refusal]:
    """Why ``candidate`` would loosen ``base`` (the law and the defaults); empty when it does not."""
    base = base or CommunityRules()
    problems: list[Refusal] = []
    if candidate.review_days < base.review_days:
        problems.append(Refusal("review_days_too_short", {"days": candidate.review_days, "minimum": base.review_days}))
    if candidate.min_signatures < base.min_signatures:
        problems.append(Refusal("signatures_minimum_too_low", {"count": candidate.min_signatures, "minimum": base.min_signatures}))
    for body in Body:
        legal, mine = base.rule(body), candidate.rule(body)
        for part in ("quorum", "majority"):
            if not getattr(mine, part).at_least_as_strict_as(getattr(legal, part)):
                problems.append(Refusal(f"{part}_loosened", {"body": body.value}))
        if mine.households is not None and (
            legal.households is None or not mine.households.at_least_as_strict_as(legal.households)
        ):
            problems.append(Refusal("households_loosened", {"body": body.value}))
    return problems


def tightened(base: QuorumRule, *, quorum: Threshold | None = None, households: Threshold | None | bool = True,
              majority: Threshold | None = None) -> QuorumRule:
    """A copy of ``base`` with stricter parts; ``households=None`` drops the household alternative."""
    return replace(
        base,
        quorum=quorum or base.quorum,
        households=base.households if households is True else households,
        majority=majority or base.majority,
    )


def rules_from_data(data: Mapping[str, Any] | None, review_days: int, min_signatures: int) -> CommunityRules:
    """Community rules from their stored form (JSON: body -> thresholds)."""
    quorum = dict(LEGAL_RULES)
    for key, value in (data or {}).items():
        body = Body(key)
        legal = LEGAL_RULES[body]
        quorum[body] = replace(
            legal,
            quorum=Threshold.from_data(value["quorum"]),
            households=None if value.get("households") is None else Threshold.from_data(value["households"]),
            majority=Threshold.from_data(value["majority"]),
        )
    return CommunityRules(review_days=review_days, min_signatures=min_signatures, quorum=quorum)


# --- the facts the guards look at ------------------------------------------------------------


class SourceKind(enum.Enum):
    resident_opinion = "resident_opinion"
    grid = "grid"
    party_organisation = "party_organisation"
    joint_signatures = "joint_signatures"


@dataclass(frozen=True)
class ProposalFacts:
    source_kind: SourceKind
    signatures: int | None = None


@dataclass(frozen=True)
class MotionFacts:
    decided_to_proceed: bool


@dataclass(frozen=True)
class ConsultationFacts:
    body: Body
    eligible: int
    present: int
    votes_for: int
    votes_against: int = 0
    votes_abstain: int = 0
    eligible_households: int | None = None
    present_households: int | None = None


@dataclass(frozen=True)
class ReviewFacts:
    starts_on: date
    ends_on: date
    unanswered_objections: int


@dataclass(frozen=True)
class EvaluationFacts:
    campaign_closed: bool
    has_result: bool


@dataclass(frozen=True)
class MatterFacts:
    stage: Stage
    proposal: ProposalFacts | None = None
    motion: MotionFacts | None = None
    consultation: ConsultationFacts | None = None
    review: ReviewFacts | None = None
    evaluation: EvaluationFacts | None = None


# --- guards ----------------------------------------------------------------------------------


def consultation_refusals(facts: ConsultationFacts, rules: CommunityRules) -> list[Refusal]:
    rule = rules.rule(facts.body)
    problems: list[Refusal] = []
    counted = facts.votes_for + facts.votes_against + facts.votes_abstain
    if facts.present > facts.eligible or counted > facts.present or min(facts.present, facts.votes_for, facts.votes_against, facts.votes_abstain) < 0:
        problems.append(Refusal("figures_inconsistent", {"present": facts.present, "eligible": facts.eligible, "votes": counted}))
        return problems
    if not rule.quorum_met(facts.present, facts.eligible, facts.present_households, facts.eligible_households):
        params: dict[str, Any] = {
            "present": facts.present, "eligible": facts.eligible, "body": facts.body.value,
            "needed": rule.quorum.needed(facts.eligible), **{f"quorum_{k}": v for k, v in rule.quorum.as_data().items()},
        }
        if rule.households is not None and facts.eligible_households:
            params.update(
                present_households=facts.present_households or 0, eligible_households=facts.eligible_households,
                needed_households=rule.households.needed(facts.eligible_households),
                **{f"households_{k}": v for k, v in rule.households.as_data().items()},
            )
        problems.append(Refusal("no_quorum", params))
    if not rule.passed(facts.votes_for, facts.present):
        problems.append(Refusal("no_majority", {
            "votes_for": facts.votes_for, "present": facts.present, "needed": rule.majority.needed(facts.present),
            **{f"majority_{k}": v for k, v in rule.majority.as_data().items()},
        }))
    return problems


def review_refusals(review: ReviewFacts, rules: CommunityRules, today: date) -> list[Refusal]:
    problems: list[Refusal] = []
    length = (review.ends_on - review.starts_on).days
    if length < rules.review_days:
        problems.append(Refusal("review_too_short", {"days": length, "minimum": rules.review_days}))
    if today < review.ends_on:
        problems.append(Refusal("review_running", {"days_left": (review.ends_on - today).days, "ends_on": review.ends_on}))
    if review.unanswered_objections:
        problems.append(Refusal("objections_unanswered", {"count": review.unanswered_objections}))
    return problems


def forward_refusals(facts: MatterFacts, rules: CommunityRules, today: date) -> list[Refusal]:
    """Why the matter may not move on to the next stage now; empty when it may."""
    stage = facts.stage
    if stage is Stage.proposal:
        if facts.proposal is None:
            return [Refusal("proposal_missing")]
        if facts.proposal.source_kind is SourceKind.joint_signatures and (facts.proposal.signatures or 0) < rules.min_signatures:
            return [Refusal("signatures_too_few", {"count": facts.proposal.signatures or 0, "minimum": rules.min_signatures})]
        return []
    if stage is Stage.motion:
        if facts.motion is None:
            return [Refusal("motion_missing")]
        if not facts.motion.decided_to_proceed:
            return [Refusal("motion_declined")]
        return []
    if stage is Stage.consultation:
        if facts.consultation is None:
            return [Refusal("consultation_missing")]
        return consultation_refusals(facts.consultation, rules)
    if stage is Stage.public_review:
        if facts.review is None:
            return [Refusal("review_missing")]
        return review_refusals(facts.review, rules, today)
    if stage is Stage.evaluation:
        if facts.evaluation is None:
            return [Refusal("evaluation_missing")]
        if not facts.evaluation.campaign_closed:
            return [Refusal("campaign_open")]
        if not facts.evaluation.has_result:
            return [Refusal("campaign_without_result")]
        return []
    return [Refusal("stage_final", {"stage": stage.value})]


def refusals(facts: MatterFacts, target: Stage, rules: CommunityRules, today: date, reason: str | None = None) -> list[Refusal]:
    """Why moving ``facts.stage`` -> ``target`` is refused; an empty list means it is allowed."""
    kind = move_kind(facts.stage, target)
    if kind is None:
        return [Refusal("move_not_allowed", {"from": facts.stage.value, "to": target.value})]
    if kind is MoveKind.forward:
        return forward_refusals(facts, rules, today)
    if not (reason or "").strip():
        return [Refusal("reason_required", {"move": kind.value})]
    return []
