"""Credibility (Buhlmann-Straub) shrinkage of project indices towards comparable projects.

A project answered by 35 households should not outrank one answered by 400 on luck alone:
each raw index is pulled towards the mean of comparable projects by z = n / (n + k).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import texts
from ._groups import factorize
from .config import DEFAULT_CONFIG, ScoringConfig


@dataclass(frozen=True, eq=False)
class Shrunk:
    values: np.ndarray
    z: np.ndarray
    k: float
    grand_mean: float

    def explain(self, lang: str = "zh", raw: np.ndarray | None = None) -> str:
        parts = []
        for i, v in enumerate(self.values):
            parts.append(texts.render(
                lang, "shrunk", value=texts.num(v), raw=texts.num(None if raw is None else raw[i]),
                z=texts.num(self.z[i], 3), k=texts.num(self.k, 2), grand=texts.num(self.grand_mean),
            ))
        return texts.TEMPLATES[texts.check_lang(lang)]["sep"].join(parts)


@dataclass(frozen=True, eq=False)
class ShrunkGroups:
    """Shrinkage over several classes of comparable projects at once (arrays per project)."""

    values: np.ndarray
    z: np.ndarray
    k: np.ndarray
    grand_mean: np.ndarray
    fixed_k: np.ndarray  # True where the class had too few projects and k was fixed
    config_version: str


def _class_k(means: np.ndarray, ns: np.ndarray, variances: np.ndarray, cls: np.ndarray,
             n_cls: int, bounds: tuple[float, float]) -> np.ndarray:
    """Estimated k = sigma2 / tau2 per class, clamped; tau2 <= 0 (no real spread) -> upper bound."""
    n_tot = np.bincount(cls, weights=ns, minlength=n_cls)
    g_cnt = np.bincount(cls, minlength=n_cls).astype(np.float64)
    within = np.bincount(cls, weights=(ns - 1.0) * variances, minlength=n_cls)
    dof = np.bincount(cls, weights=ns - 1.0, minlength=n_cls)
    with np.errstate(divide="ignore", invalid="ignore"):
        sigma2 = within / dof
        ybar = np.bincount(cls, weights=ns * means, minlength=n_cls) / n_tot
        between = np.bincount(cls, weights=ns * (means - ybar[cls]) ** 2, minlength=n_cls)
        tau2 = (between - (g_cnt - 1.0) * sigma2) / (n_tot - np.bincount(cls, weights=ns * ns, minlength=n_cls) / n_tot)
        k = sigma2 / tau2
    k = np.where(np.isfinite(k) & (tau2 > 0), k, bounds[1])
    return np.clip(k, bounds[0], bounds[1])


def _apply(means: np.ndarray, ns: np.ndarray, k_per: np.ndarray, cls: np.ndarray, n_cls: int):
    z = ns / (ns + k_per)
    with np.errstate(invalid="ignore", divide="ignore"):
        grand = np.bincount(cls, weights=z * means, minlength=n_cls) / np.bincount(cls, weights=z, minlength=n_cls)
    values = z * means + (1.0 - z) * grand[cls]
    return values, z, grand


def _check(means: object, ns: object, variances: object) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    m = np.asarray(means, dtype=np.float64).reshape(-1)
    n = np.asarray(ns, dtype=np.float64).reshape(-1)
    v = np.asarray(variances, dtype=np.float64).reshape(-1)
    if not (m.shape == n.shape == v.shape):
        raise ValueError("means, ns and variances must have the same length")
    if np.any(~np.isfinite(m)) or np.any(n <= 0) or np.any(v < 0):
        raise ValueError("need finite means, positive ns and non-negative variances")
    return m, n, v


def credibility_shrink(means: object, ns: object, variances: object, k: float | None = None) -> Shrunk:
    """Buhlmann-Straub shrinkage of group means (see SCORING.md for each formula)."""
    m, n, v = _check(means, ns, variances)
    cls = np.zeros(m.size, dtype=np.int64)
    if k is None:
        k_val = float(_class_k(m, n, v, cls, 1, DEFAULT_CONFIG.shrink_k_bounds)[0])
    else:
        k_val = float(k)
    values, z, grand = _apply(m, n, np.full(m.size, k_val), cls, 1)
    return Shrunk(values, z, k_val, float(grand[0]))


def shrink_comparable(
    means: object, ns: object, variances: object, classes: object,
    config: ScoringConfig = DEFAULT_CONFIG,
) -> ShrunkGroups:
    """Shrink many projects at once, each towards its class of comparable projects
    (same type, street and period); a class of fewer than ``shrink_min_projects`` takes
    ``k = shrink_small_k`` because its spread cannot be estimated."""
    m, n, v = _check(means, ns, variances)
    _, cls = factorize(np.asarray(classes).reshape(-1))
    if cls.size != m.size:
        raise ValueError("need one class per project")
    n_cls = int(cls.max()) + 1 if cls.size else 0
    k_cls = _class_k(m, n, v, cls, n_cls, config.shrink_k_bounds)
    small = np.bincount(cls, minlength=n_cls) < config.shrink_min_projects
    k_cls = np.where(small, config.shrink_small_k, k_cls)
    values, z, grand = _apply(m, n, k_cls[cls], cls, n_cls)
    return ShrunkGroups(values, z, k_cls[cls], grand[cls], small[cls], config.version)

