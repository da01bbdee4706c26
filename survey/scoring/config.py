"""Scoring configuration: every default of SCORING.md in one frozen object.

A result always carries ``config.version`` so that a printed sheet can say which rules produced
it; change the version string whenever a default changes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Mapping

CADRE_COMPONENTS: tuple[str, ...] = ("K", "D", "J", "S", "M")
MEMBER_COMPONENTS: tuple[str, ...] = ("P", "R", "C")
QUOTA_ROUNDINGS: tuple[str, ...] = ("floor", "half_up", "ceil")

Weights = tuple[tuple[str, float], ...]


def _as_pairs(weights: Mapping[str, float] | Weights, allowed: tuple[str, ...]) -> Weights:
    items = dict(weights).items() if not isinstance(weights, tuple) else weights
    pairs = tuple((str(name), float(value)) for name, value in items)
    unknown = {name for name, _ in pairs} - set(allowed)
    if unknown:
        raise ValueError(f"unknown weight component(s): {sorted(unknown)}")
    if any(value < 0 for _, value in pairs):
        raise ValueError("weights must not be negative")
    return pairs


def _sums_to_one(pairs: Weights) -> bool:
    # Decimal on the printed form: 0.35+0.25+0.15+0.15+0.10 is exactly 1, unlike in floats.
    return sum((Decimal(repr(v)) for _, v in pairs), Decimal(0)) == Decimal(1)


@dataclass(frozen=True)
class ScoringConfig:
    """Defaults of SCORING.md; override per appraisal cycle with :meth:`replace`."""

    version: str = "scoring-2025.1"
    confidence: float = 0.95
    # Project satisfaction index
    n_min_project: int = 30
    max_half_width: float = 10.0
    max_excluded_share: float = 0.20
    min_answered_weight: float = 0.5
    burst_count: int = 5
    burst_window_s: float = 600.0
    straightline_min_items: int = 4
    speeding_s_per_item: float = 1.5
    min_grid_responses: int = 3
    weight_trim: tuple[float, float] = (0.3, 3.0)
    alpha_min: float = 0.7
    # Credibility shrinkage across comparable projects
    shrink_min_projects: int = 5
    shrink_small_k: float = 10.0
    shrink_k_bounds: tuple[float, float] = (2.0, 50.0)
    # Reporting party members
    member_weights: Weights = (("P", 0.3), ("R", 0.4), ("C", 0.3))
    member_required_checkins: int = 2
    member_min_ratings: int = 5
    member_thresholds: tuple[float, float, float] = (90.0, 70.0, 60.0)
    # Annual cadre appraisal
    cadre_weights: Weights = (("K", 0.35), ("D", 0.25), ("J", 0.15), ("S", 0.15), ("M", 0.10))
    cadre_required: tuple[str, ...] = ("D", "K")
    # Grade proposal
    quota: float = 0.20
    quota_rounding: str = "floor"
    excellent_min: float = 85.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "member_weights", _as_pairs(self.member_weights, MEMBER_COMPONENTS))
        object.__setattr__(self, "cadre_weights", _as_pairs(self.cadre_weights, CADRE_COMPONENTS))
        if not _sums_to_one(self.cadre_weights):
            raise ValueError("cadre weights must sum to 1")
        if not _sums_to_one(self.member_weights):
            raise ValueError("member weights must sum to 1")
        if not 0 < self.confidence < 1:
            raise ValueError("confidence must be in (0, 1)")
        if self.quota_rounding not in QUOTA_ROUNDINGS:
            raise ValueError(f"quota_rounding must be one of {QUOTA_ROUNDINGS}")
        if not 0 <= self.quota <= 1:
            raise ValueError("quota must be in [0, 1]")
        low, high = self.shrink_k_bounds
        if not 0 < low <= high:
            raise ValueError("shrink_k_bounds must be 0 < low <= high")

    @property
    def cadre_weight_map(self) -> dict[str, float]:
        return dict(self.cadre_weights)

    @property
    def member_weight_map(self) -> dict[str, float]:
        return dict(self.member_weights)

    def replace(self, **changes: object) -> "ScoringConfig":
        return replace(self, **changes)


DEFAULT_CONFIG = ScoringConfig()
