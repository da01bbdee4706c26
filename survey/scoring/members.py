"""Reporting party members (在职党员"双报到"): half-year and annual scores."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Mapping, Sequence

from . import texts
from ._decimal import optional, round2, to_decimal
from .config import DEFAULT_CONFIG, ScoringConfig
from .estimates import drop_extremes_mean

ASSESSMENT_POINTS: Mapping[str, int] = {
    "好": 100, "较好": 80, "一般": 60, "差": 40,
    "good": 100, "fairly_good": 80, "average": 60, "poor": 40,
}
MEMBER_GRADES: tuple[str, ...] = ("excellent", "qualified", "basically_qualified", "unqualified")


@dataclass(frozen=True)
class MemberHalfYear:
    member: object
    score: Decimal | None  # H at two decimals, rounded half up
    grade: str | None
    components: Mapping[str, Decimal | None]
    weights: Mapping[str, Decimal]  # weights actually used (renormalised over available)
    n_ratings: int
    flags: tuple[str, ...]
    config_version: str

    def explain(self, lang: str = "zh") -> str:
        grade = texts.label(lang, self.grade) if self.grade else "—"
        comp = {c: texts.num(self.components.get(c)) for c in ("P", "R", "C")}
        weights = ", ".join(f"{c} {texts.num(w, 3)}" for c, w in self.weights.items())
        lines = [texts.render(lang, "member_head", member=self.member, score=texts.num(self.score, 2), grade=grade),
                 texts.render(lang, "member_components", weights=weights, **comp)]
        if self.flags:
            lines.append(texts.render(lang, "flags", flags=texts.labels(lang, self.flags)))
        return "\n".join(lines + [f"[{self.config_version}]"])


@dataclass(frozen=True)
class MemberAnnual:
    member: object
    score: Decimal | None
    grade: str | None
    halves: int
    flags: tuple[str, ...]
    config_version: str

    def explain(self, lang: str = "zh") -> str:
        grade = texts.label(lang, self.grade) if self.grade else "—"
        text = texts.render(lang, "member_annual", member=self.member, score=texts.num(self.score, 2),
                            halves=self.halves, grade=grade)
        if self.flags:
            text += "\n" + texts.render(lang, "flags", flags=texts.labels(lang, self.flags))
        return text + f"\n[{self.config_version}]"


def member_grade(score: Decimal, config: ScoringConfig = DEFAULT_CONFIG) -> str:
    excellent, qualified, basic = (to_decimal(t) for t in config.member_thresholds)
    if score >= excellent:
        return "excellent"
    if score >= qualified:
        return "qualified"
    if score >= basic:
        return "basically_qualified"
    return "unqualified"


def participation(checkins: int, required: int) -> Decimal:
    if required <= 0 or checkins < 0:
        raise ValueError("need checkins >= 0 and required > 0")
    return Decimal(100) * min(Decimal(1), Decimal(checkins) / Decimal(required))


def assessment_points(assessment: str | None) -> Decimal | None:
    if assessment is None:
        return None
    if assessment not in ASSESSMENT_POINTS:
        raise ValueError(f"assessment must be one of {sorted(ASSESSMENT_POINTS)}")
    return Decimal(ASSESSMENT_POINTS[assessment])


def weighted_available(components: Mapping[str, Decimal | None], weights: Mapping[str, float]) \
        -> tuple[Decimal | None, dict[str, Decimal], bool]:
    """Weighted mean over the components present; weights re-normalised over those present."""
    present = {c: to_decimal(weights[c]) for c, x in components.items() if x is not None and weights.get(c, 0) > 0}
    total = sum(present.values(), Decimal(0))
    if total == 0:
        return None, {}, bool(weights)
    used = {c: w / total for c, w in present.items()}
    value = sum((present[c] * components[c] for c in present), Decimal(0)) / total  # type: ignore[operator]
    renormalised = set(present) != {c for c, w in weights.items() if w > 0}
    return value, used, renormalised


def member_half_year_score(
    checkins: int | None,
    ratings: Sequence[float] | None,
    assessment: str | None,
    *,
    reported: bool = True,
    member: object = None,
    required: int | None = None,
    config: ScoringConfig = DEFAULT_CONFIG,
) -> MemberHalfYear:
    """H = weighted mean of P (participation), R (residents' ratings), C (assessment)."""
    flags: list[str] = []
    ratings = [] if ratings is None else list(ratings)
    valid_ratings = [r for r in ratings if r == r]  # nan is "don't know", not a rating
    req = config.member_required_checkins if required is None else required
    components: dict[str, Decimal | None] = {
        "P": None if checkins is None else participation(checkins, req),
        "R": None,
        "C": assessment_points(assessment),
    }
    if len(valid_ratings) >= config.member_min_ratings:
        components["R"] = optional(drop_extremes_mean(valid_ratings))
    else:
        flags.append("few_ratings")
    value, used, renormalised = weighted_available(components, config.member_weight_map)
    if renormalised:
        flags.append("renormalised")
    score = None if value is None else round2(value)
    grade = None if score is None else member_grade(score, config)
    if not reported:
        # Not reporting to the community is itself the failure, whatever the numbers say.
        grade = "unqualified"
        flags.append("did_not_report")
    return MemberHalfYear(member, score, grade, components, used, len(valid_ratings), tuple(flags), config.version)


def member_annual_score(
    halves: Sequence[MemberHalfYear | Decimal | float | None],
    *,
    member: object = None,
    config: ScoringConfig = DEFAULT_CONFIG,
) -> MemberAnnual:
    """Mean of the half-year scores present; flagged `single_half` when only one exists."""
    scores: list[Decimal] = []
    flags: list[str] = []
    for half in halves:
        value = half.score if isinstance(half, MemberHalfYear) else optional(half)
        if isinstance(half, MemberHalfYear) and "did_not_report" in half.flags and "did_not_report" not in flags:
            flags.append("did_not_report")
        if value is not None:
            scores.append(value)
    if len(scores) == 1:
        flags.append("single_half")
    if not scores:
        return MemberAnnual(member, None, None, 0, tuple(flags), config.version)
    score = round2(sum(scores, Decimal(0)) / len(scores))
    return MemberAnnual(member, score, member_grade(score, config), len(scores), tuple(flags), config.version)
