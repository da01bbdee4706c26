"""Annual cadre appraisal composite A from D, J, K, S, M."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Iterable, Mapping

import numpy as np

from . import texts
from ._decimal import optional, round2, to_decimal
from .config import CADRE_COMPONENTS, DEFAULT_CONFIG, ScoringConfig
from .members import weighted_available
from .projects import ProjectIndex

BALLOT_POINTS: Mapping[str, int] = {"excellent": 100, "competent": 80, "basic": 60, "incompetent": 0}
REGULAR_POINTS: Mapping[str, int] = {
    "好": 100, "较好": 80, "一般": 60, "较差": 40,
    "good": 100, "fairly_good": 80, "average": 60, "poor": 40,
}


@dataclass(frozen=True)
class CadreComposite:
    cadre: object
    score: Decimal | None  # A at two decimals, rounded half up; None when incomplete
    unrounded: Decimal | None
    status: str  # "ok" or "incomplete"
    components: Mapping[str, Decimal | None]
    weights: Mapping[str, Decimal]  # weights actually used, re-normalised over the available
    bonus: Decimal
    deduction: Decimal
    flags: tuple[str, ...]
    config_version: str

    def explain(self, lang: str = "zh") -> str:
        if self.status == "incomplete":
            missing = ", ".join(c for c in ("D", "K") if self.components.get(c) is None)
            return texts.render(lang, "cadre_incomplete", cadre=self.cadre, missing=missing) + f"\n[{self.config_version}]"
        comps = ", ".join(f"{c} {texts.num(self.components.get(c))}" for c in CADRE_COMPONENTS)
        weights = ", ".join(f"{c} {texts.num(w, 3)}" for c, w in self.weights.items())
        lines = [texts.render(lang, "cadre_head", cadre=self.cadre, score=texts.num(self.score, 2)),
                 texts.render(lang, "cadre_components", components=comps, weights=weights,
                              bonus=texts.num(self.bonus, 2), deduction=texts.num(self.deduction, 2))]
        if self.flags:
            lines.append(texts.render(lang, "flags", flags=texts.labels(lang, self.flags)))
        return "\n".join(lines + [f"[{self.config_version}]"])


def democratic_score(votes: Mapping[str, int]) -> Decimal | None:
    """D = (100 n_exc + 80 n_comp + 60 n_basic + 0 n_inc) / n_valid; None without ballots."""
    unknown = set(votes) - set(BALLOT_POINTS)
    if unknown:
        raise ValueError(f"unknown ballot choices: {sorted(unknown)}")
    if any(int(v) < 0 for v in votes.values()):
        raise ValueError("ballot counts must not be negative")
    n_valid = sum(int(v) for v in votes.values())
    if n_valid == 0:
        return None
    points = sum(BALLOT_POINTS[c] * int(v) for c, v in votes.items())
    return Decimal(points) / Decimal(n_valid)


def regular_score(level: str | None) -> Decimal | None:
    """J: the regular (quarterly) appraisal level 好/较好/一般/较差 as 100/80/60/40."""
    if level is None:
        return None
    if level not in REGULAR_POINTS:
        raise ValueError(f"level must be one of {sorted(REGULAR_POINTS)}")
    return Decimal(REGULAR_POINTS[level])


def leadership_satisfaction(shrunk: object, n_eff: object, status: object) -> float | None:
    """S: n_eff-weighted mean of the shrunk indices of the led projects whose status is ok."""
    s = np.asarray(shrunk, dtype=np.float64).reshape(-1)
    w = np.asarray(n_eff, dtype=np.float64).reshape(-1)
    ok = (np.asarray(status, dtype=object).reshape(-1) == "ok") & np.isfinite(s) & (w > 0)
    if not ok.any():
        return None
    return float(np.dot(s[ok], w[ok]) / w[ok].sum())


def leadership_satisfaction_from(projects: Iterable[ProjectIndex]) -> float | None:
    """S from the :class:`ProjectIndex` results of the projects a cadre leads."""
    rows = [(p.shrunk, p.index.n_eff, p.status) for p in projects if p.shrunk is not None]
    if not rows:
        return None
    shrunk, n_eff, status = zip(*rows)
    return leadership_satisfaction(shrunk, n_eff, status)


def cadre_composite(
    *,
    D: object = None,
    K: object = None,
    J: object = None,
    S: object = None,
    M: object = None,
    bonus: object = 0,
    deduction: object = 0,
    cadre: object = None,
    weights: Mapping[str, float] | None = None,
    config: ScoringConfig = DEFAULT_CONFIG,
) -> CadreComposite:
    """A = clip(sum w_c X_c / sum of available w_c + bonus - deduction, 0, 100), in decimals.

    D and K are required; without either the appraisal is `incomplete` and gets no score.
    ``weights`` (per cycle) must name the five components and sum to 1.
    """
    if weights is not None:
        config = config.replace(cadre_weights=tuple(dict(weights).items()))
    components: dict[str, Decimal | None] = {"K": optional(K), "D": optional(D), "J": optional(J),
                                             "S": optional(S), "M": optional(M)}
    for name, value in components.items():
        if value is not None and not Decimal(0) <= value <= Decimal(100):
            raise ValueError(f"component {name} must be within 0..100")
    b, d = to_decimal(bonus), to_decimal(deduction)
    if b < 0 or d < 0:
        raise ValueError("bonus and deduction are given as non-negative amounts")
    missing = tuple(f"missing_{c}" for c in CADRE_COMPONENTS if components[c] is None)
    required_missing = [c for c in config.cadre_required if components[c] is None]
    if required_missing:
        return CadreComposite(cadre, None, None, "incomplete", components, {}, b, d,
                              ("incomplete_appraisal",) + missing, config.version)
    value, used, renormalised = weighted_available(components, config.cadre_weight_map)
    if value is None:  # every present component has weight 0 in this cycle's configuration
        return CadreComposite(cadre, None, None, "incomplete", components, {}, b, d,
                              ("incomplete_appraisal",) + missing, config.version)
    raw = min(Decimal(100), max(Decimal(0), value + b - d))
    flags = (("renormalised",) if renormalised else ()) + missing
    return CadreComposite(cadre, round2(raw), raw, "ok", components, used, b, d, flags, config.version)
