"""Grade proposals per pool (unit x level of post): bars, vote rules, thresholds, quota, ties.

The platform proposes; the party committee decides. Nothing here breaks a tie by id, by input
order or at random: candidates tied on both ranking keys share their fate.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Mapping, Sequence

from . import texts
from ._decimal import round2, to_decimal
from .config import DEFAULT_CONFIG, QUOTA_ROUNDINGS, ScoringConfig

GRADES: tuple[str, ...] = ("excellent", "competent", "basic", "incompetent")
_ROUNDING = {"floor": ROUND_FLOOR, "half_up": ROUND_HALF_UP, "ceil": ROUND_CEILING}


@dataclass(frozen=True)
class Candidate:
    id: object
    pool: object
    score: object  # A; compared at two decimals, rounded half up
    votes: Mapping[str, int] = field(default_factory=dict)
    barred: bool = False


@dataclass(frozen=True)
class Proposal:
    id: object
    grade: str
    flags: tuple[str, ...]
    rank: int | None

    def explain(self, lang: str = "zh") -> str:
        rank = "" if self.rank is None else (f"，评优排名第 {self.rank}" if lang == "zh" else f", rank {self.rank} among the eligible")
        flags = "" if not self.flags else (("；" if lang == "zh" else "; ") + texts.render(lang, "flags", flags=texts.labels(lang, self.flags)))
        return texts.render(lang, "proposal", id=self.id, grade=texts.label(lang, self.grade), rank=rank, flags=flags)


@dataclass(frozen=True)
class PoolSummary:
    pool: object
    size: int
    places: int  # excellent places the quota allows
    used: int  # proposed excellent
    unused: int  # places left, e.g. for want of eligible candidates or by a tie at the line
    eligible: int
    tied: tuple[object, ...]  # ids held back by a tie across the quota line

    def explain(self, lang: str = "zh") -> str:
        return texts.render(lang, "pool", pool=self.pool, size=self.size, places=self.places,
                            used=self.used, unused=self.unused)


@dataclass(frozen=True)
class GradeRun:
    proposals: tuple[Proposal, ...]
    pools: Mapping[object, PoolSummary]
    quota: float
    rounding: str
    excellent_min: float
    config_version: str


def quota_places(size: int, quota: float = 0.20, rounding: str = "floor") -> int:
    """Q = quota x N rounded as configured; computed in decimals so 0.2 x 5 is exactly 1."""
    if rounding not in QUOTA_ROUNDINGS:
        raise ValueError(f"rounding must be one of {QUOTA_ROUNDINGS}")
    exact = to_decimal(quota) * Decimal(size)
    return int(exact.quantize(Decimal(1), rounding=_ROUNDING[rounding]))


def _shares(votes: Mapping[str, int]) -> tuple[Fraction, Fraction, Fraction] | None:
    """(incompetent share, excellent+competent share, excellent share) as exact fractions."""
    unknown = set(votes) - set(GRADES)
    if unknown:
        raise ValueError(f"unknown ballot choices: {sorted(unknown)}")
    total = sum(int(v) for v in votes.values())
    if total == 0:
        return None
    get = lambda c: int(votes.get(c, 0))  # noqa: E731
    return (Fraction(get("incompetent"), total), Fraction(get("excellent") + get("competent"), total),
            Fraction(get("excellent"), total))


def _base_grade(score: Decimal) -> str:
    if score < 60:
        return "incompetent"
    if score < 70:
        return "basic"
    return "competent"


def _propose_pool(members: list[tuple[int, Candidate]], quota: float, rounding: str, excellent_min: Decimal,
                  out: dict[int, Proposal]) -> PoolSummary:
    places = quota_places(len(members), quota, rounding)
    eligible: list[tuple[Decimal, Fraction, int, Candidate]] = []
    base: dict[int, tuple[object, str, tuple[str, ...]]] = {}
    for pos, cand in members:
        score = round2(cand.score)
        shares = _shares(cand.votes)
        grade, flags = _base_grade(score), []
        if shares is not None and shares[0] > Fraction(1, 3):
            grade, flags = "incompetent", ["needs_review"]
        voted_out = shares is None or shares[1] < Fraction(2, 3) or shares[0] > Fraction(1, 3)
        if cand.barred or voted_out:
            flags.append("not_eligible")
        elif grade == "competent" and score >= excellent_min:
            eligible.append((score, shares[2], pos, cand))  # type: ignore[index]
        base[pos] = (cand.id, grade, tuple(flags))
    for pos, (cid, grade, flags) in base.items():
        out[pos] = Proposal(cid, grade, flags, None)
    # Highest score first, then highest excellent share; equal keys are genuinely tied.
    eligible.sort(key=lambda e: (e[0], e[1]), reverse=True)
    keys = [(e[0], e[1]) for e in eligible]
    ranks = _competition_ranks(keys)
    tied_ids: list[object] = []
    used = 0
    cut_key = keys[places - 1] if 0 < places < len(keys) else None
    straddles = cut_key is not None and keys[places] == cut_key
    for (score, _, pos, cand), key, rank in zip(eligible, keys, ranks):
        if straddles and key == cut_key:
            out[pos] = Proposal(cand.id, "competent", ("tie_at_quota",), rank)
            tied_ids.append(cand.id)
        elif rank <= places:
            out[pos] = Proposal(cand.id, "excellent", (), rank)
            used += 1
        else:
            out[pos] = Proposal(cand.id, "competent", (), rank)
    return PoolSummary(members[0][1].pool, len(members), places, used, places - used, len(eligible), tuple(tied_ids))


def _competition_ranks(sorted_keys: list[tuple[Decimal, Fraction]]) -> list[int]:
    """1-based ranks where tied keys share the best rank ("1224"): ties stay visible."""
    ranks: list[int] = []
    for i, key in enumerate(sorted_keys):
        ranks.append(ranks[-1] if i and sorted_keys[i - 1] == key else i + 1)
    return ranks


def grade_pools(
    candidates: Sequence[Candidate],
    quota: float = 0.20,
    rounding: str = "floor",
    excellent_min: float = 85.0,
    config_version: str = DEFAULT_CONFIG.version,
) -> GradeRun:
    """Proposals for every candidate (input order) and a summary per pool with unused places."""
    pools: dict[object, list[tuple[int, Candidate]]] = defaultdict(list)
    for pos, cand in enumerate(candidates):
        if cand.score is None:
            raise ValueError(f"candidate {cand.id!r} has no score: an incomplete appraisal gets no grade")
        pools[cand.pool].append((pos, cand))
    out: dict[int, Proposal] = {}
    summaries = {pool: _propose_pool(members, quota, rounding, to_decimal(excellent_min), out)
                 for pool, members in pools.items()}
    proposals = tuple(out[pos] for pos in range(len(candidates)))
    return GradeRun(proposals, summaries, quota, rounding, excellent_min, config_version)


def propose_grades(
    candidates: Sequence[Candidate],
    quota: float = 0.20,
    rounding: str = "floor",
    excellent_min: float = 85.0,
) -> list[Proposal]:
    """One Proposal per candidate, same order (see SCORING.md, "Grade proposal")."""
    return list(grade_pools(candidates, quota, rounding, excellent_min).proposals)


def grade_cycle(candidates: Sequence[Candidate], config: ScoringConfig = DEFAULT_CONFIG) -> GradeRun:
    """grade_pools with an appraisal cycle's configured quota, rounding and excellent_min."""
    return grade_pools(candidates, config.quota, config.quota_rounding, config.excellent_min, config.version)
