"""Project satisfaction index (0-100) for many projects at once, from raw response rows."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Iterator, Mapping

import numpy as np

from . import texts
from ._groups import factorize
from ._rows import RowStats, row_stats
from .config import DEFAULT_CONFIG, ScoringConfig
from .estimates import Estimate, RateEstimate, t_quantile, wilson_arrays
from .reliability import Alpha, cronbach_alpha_codes
from .shrinkage import shrink_comparable
from .validity import REASONS, VALIDITY_REASONS, Validity, answer_codes, check_validity
from .weighting import grid_weights

STATUSES: tuple[str, ...] = ("ok", "low_precision", "under_review", "insufficient_sample")


@dataclass(frozen=True, eq=False)
class ResponseTable:
    """Columns of a campaign export, one row per submission (several projects allowed).

    ``answers`` holds the raw Likert answers 1..scale; 0 or nan mean "don't know" (不了解) and
    count as missing, never as low. ``overall_item`` is the column of the overall-satisfaction
    question (for the satisfied rate). Optional columns switch on what needs them:
    ``household`` the duplicate check (earliest ``submitted_at`` wins; without times the choice
    is still independent of row order), ``submitted_at`` the burst check, ``duration`` speeding,
    ``assisted`` the burst exemption, ``grid`` (+ ``community``) post-stratification,
    ``version`` Cronbach's alpha, ``comparable`` the classes for shrinkage (one class if absent).
    """

    project: np.ndarray
    answers: np.ndarray
    scale: int = 5
    item_weights: np.ndarray | None = None
    overall_item: int = 0
    household: np.ndarray | None = None
    submitted_at: np.ndarray | None = None  # seconds (any epoch)
    duration: np.ndarray | None = None  # seconds spent answering
    assisted: np.ndarray | None = None
    grid: np.ndarray | None = None
    community: np.ndarray | None = None
    version: np.ndarray | None = None  # questionnaire version x period, for Cronbach's alpha
    comparable: np.ndarray | None = None  # project class (type, street, period), per row

    def __post_init__(self) -> None:
        n = len(self.answers)
        for name in ("project", "household", "submitted_at", "duration", "assisted", "grid", "community",
                     "version", "comparable"):
            column = getattr(self, name)
            if column is not None and len(column) != n:
                raise ValueError(f"column `{name}` has {len(column)} rows, answers have {n}")


@dataclass(frozen=True)
class ProjectIndex:
    """One project's published result, with everything a printed sheet must show."""

    project: object
    index: Estimate
    satisfied_rate: RateEstimate
    status: str
    flags: tuple[str, ...]
    n_submitted: int
    n_valid: int
    excluded: Mapping[str, int]
    shrunk: float | None
    z: float | None
    k: float | None
    grand_mean: float | None
    reliability: Alpha | None
    config_version: str

    @property
    def published(self) -> bool:
        return self.status != "insufficient_sample"

    def explain(self, lang: str = "zh", config: ScoringConfig = DEFAULT_CONFIG) -> str:
        sep = texts.TEMPLATES[texts.check_lang(lang)]["sep"]
        reasons = sep.join(f"{texts.label(lang, r)} {c}" for r, c in self.excluded.items() if c) or texts.TEMPLATES[lang]["none"]
        lines = [
            texts.render(lang, "project_head", project=self.project),
            texts.render(lang, "project_counts", submitted=self.n_submitted, valid=self.n_valid,
                         excluded=self.n_submitted - self.n_valid, reasons=reasons),
        ]
        if self.published:
            lines.append(self.index.explain(lang))
            lines.append(self.satisfied_rate.explain(lang))
            if self.shrunk is not None:
                lines.append(texts.render(lang, "shrunk", value=texts.num(self.shrunk), raw=texts.num(self.index.value),
                                          z=texts.num(self.z, 3), k=texts.num(self.k, 2), grand=texts.num(self.grand_mean)))
        for status in self.flags or ("ok",):
            lines.append(texts.render(lang, f"status_{status}", n_min=config.n_min_project, max_hw=config.max_half_width,
                                      share=texts.num(100 * config.max_excluded_share, 0)))
        if self.reliability is not None:
            lines.append(self.reliability.explain(lang))
        lines.append(f"[{self.config_version}]")
        return "\n".join(lines)


@dataclass(frozen=True, eq=False)
class ProjectScores:
    """Columnar results: arrays aligned with ``projects`` (sorted labels) and, for responses,
    with the input rows. ``project(label)`` gives one project's :class:`ProjectIndex`."""

    projects: np.ndarray
    n_submitted: np.ndarray
    n_valid: np.ndarray
    excluded_by_reason: np.ndarray  # projects x len(REASONS)
    index: np.ndarray
    low: np.ndarray
    high: np.ndarray
    half_width: np.ndarray
    n_eff: np.ndarray
    variance: np.ndarray  # weighted within-project variance (SE^2 x n_eff)
    satisfied: np.ndarray
    satisfied_low: np.ndarray
    satisfied_high: np.ndarray
    satisfied_n: np.ndarray
    satisfied_n_eff: np.ndarray
    insufficient: np.ndarray
    low_precision: np.ndarray
    under_review: np.ndarray
    shrunk: np.ndarray
    z: np.ndarray
    k: np.ndarray
    grand_mean: np.ndarray
    validity: Validity
    respondent_score: np.ndarray
    weight: np.ndarray
    reliability: Mapping[object, Alpha]
    project_version: np.ndarray | None
    config_version: str
    confidence: float = 0.95
    _position: dict = field(default_factory=dict, repr=False)

    @property
    def status(self) -> np.ndarray:
        """Most serious status per project (insufficient > under review > low precision > ok)."""
        out = np.full(self.projects.size, "ok", dtype=object)
        out[self.low_precision] = "low_precision"
        out[self.under_review] = "under_review"
        out[self.insufficient] = "insufficient_sample"
        return out

    def flags_of(self, i: int) -> tuple[str, ...]:
        names = (("insufficient_sample", self.insufficient), ("under_review", self.under_review),
                 ("low_precision", self.low_precision))
        return tuple(name for name, arr in names if arr[i])

    def project(self, label: object) -> ProjectIndex:
        if not self._position:
            self._position.update({p: i for i, p in enumerate(self.projects.tolist())})
        return self._at(self._position[label])

    def __iter__(self) -> Iterator[ProjectIndex]:
        return (self._at(i) for i in range(self.projects.size))

    def _at(self, i: int) -> ProjectIndex:
        def opt(x: float) -> float | None:
            return None if math.isnan(x) else float(x)

        flags = self.flags_of(i)
        excluded = {REASONS[r]: int(self.excluded_by_reason[i, r]) for r in range(1, len(REASONS))}
        rel = None
        if self.project_version is not None:
            rel = self.reliability.get(self.project_version[i])
        return ProjectIndex(
            project=self.projects[i].item() if hasattr(self.projects[i], "item") else self.projects[i],
            index=Estimate(float(self.index[i]), float(self.low[i]), float(self.high[i]),
                           int(self.n_valid[i]), float(self.n_eff[i]), self.confidence),
            satisfied_rate=RateEstimate(float(self.satisfied[i]), float(self.satisfied_low[i]),
                                        float(self.satisfied_high[i]), int(self.satisfied_n[i]),
                                        float(self.satisfied_n_eff[i]), self.confidence),
            status=flags[0] if flags else "ok",
            flags=flags,
            n_submitted=int(self.n_submitted[i]),
            n_valid=int(self.n_valid[i]),
            excluded=excluded,
            shrunk=opt(self.shrunk[i]), z=opt(self.z[i]), k=opt(self.k[i]), grand_mean=opt(self.grand_mean[i]),
            reliability=rel,
            config_version=self.config_version,
        )


def _item_weights(table: ResponseTable, k: int) -> np.ndarray:
    w = np.ones(k) if table.item_weights is None else np.asarray(table.item_weights, dtype=np.float64)
    if w.shape != (k,) or np.any(w < 0) or w.sum() <= 0:
        raise ValueError("item_weights must be k non-negative numbers, not all zero")
    return w / w.sum()


def score_projects(
    table: ResponseTable,
    config: ScoringConfig = DEFAULT_CONFIG,
    grid_households: Mapping[object, float] | None = None,
    projects: object = None,
) -> ProjectScores:
    """Validity, weights, index with t interval, satisfied rate with Wilson interval, status,
    Cronbach's alpha and credibility shrinkage for every project in ``table`` at once.

    ``projects`` may list projects expected in the result even without any response (they come
    out as `insufficient_sample`, which is what a committee needs to see)."""
    scale = int(table.scale)
    codes = answer_codes(table.answers, scale)
    n_rows, k = codes.shape
    if not 0 <= table.overall_item < k:
        raise ValueError("overall_item must name one of the answer columns")
    if projects is None:
        labels, project = factorize(np.asarray(table.project))
    else:
        labels = np.unique(np.concatenate([np.asarray(projects).reshape(-1), np.asarray(table.project)]))
        project = np.searchsorted(labels, np.asarray(table.project)).astype(np.int64)
    if project.size != n_rows:
        raise ValueError("one project label per response row")
    n_proj = labels.size
    rows = row_stats(codes, _item_weights(table, k), scale)
    score = rows.score
    validity = check_validity(project, codes, rows, table.household, table.submitted_at,
                              table.duration, table.assisted, config)
    valid = validity.reason == 0
    n_submitted = np.bincount(project, minlength=n_proj)
    excluded_by_reason = np.zeros((n_proj, len(REASONS)), dtype=np.int64)
    for r in range(1, len(REASONS)):
        excluded_by_reason[:, r] = np.bincount(project, weights=validity.reason == r, minlength=n_proj)

    vp = project[valid]
    weight = np.zeros(n_rows)
    if grid_households is not None and table.grid is not None:
        community = None if table.community is None else np.asarray(table.community)[valid]
        weight[valid] = grid_weights(vp, n_proj, np.asarray(table.grid)[valid], community, grid_households,
                                     config.min_grid_responses, config.weight_trim)
    else:
        weight[valid] = 1.0
    est = _grouped_mean_interval(score[valid], weight[valid], vp, n_proj, config.confidence)
    sat = _grouped_satisfied(rows.codes_t[table.overall_item][valid], weight[valid], vp, n_proj, scale,
                             config.confidence)

    n_valid = est["n"]
    insufficient = n_valid < config.n_min_project
    low_precision = ~insufficient & ~(est["half"] <= config.max_half_width)
    validity_excluded = excluded_by_reason[:, list(VALIDITY_REASONS)].sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        under_review = validity_excluded / np.maximum(n_submitted, 1) > config.max_excluded_share

    reliability, project_version = _reliability(table, rows, valid, project, n_proj, config)
    shrunk = _shrink(table, project, n_proj, est, insufficient, config)
    return ProjectScores(
        projects=labels, n_submitted=n_submitted, n_valid=n_valid, excluded_by_reason=excluded_by_reason,
        # Clipping only removes float noise (an all-100 project must print 100, not 100.00000000000001).
        index=np.clip(est["mean"], 0, 100), low=np.clip(est["low"], 0, 100), high=np.clip(est["high"], 0, 100),
        half_width=est["half"], n_eff=est["n_eff"], variance=est["var"],
        satisfied=np.clip(sat["rate"], 0, 1), satisfied_low=sat["low"], satisfied_high=sat["high"],
        satisfied_n=sat["n"], satisfied_n_eff=sat["n_eff"],
        insufficient=insufficient, low_precision=low_precision, under_review=under_review,
        shrunk=shrunk[0], z=shrunk[1], k=shrunk[2], grand_mean=shrunk[3],
        validity=validity, respondent_score=score, weight=weight,
        reliability=reliability, project_version=project_version,
        config_version=config.version, confidence=config.confidence,
    )


def _grouped_mean_interval(y: np.ndarray, w: np.ndarray, g: np.ndarray, n_groups: int,
                           confidence: float) -> dict[str, np.ndarray]:
    """`mean_interval` (weighted form) for every group in a few bincount passes."""
    n = np.bincount(g, minlength=n_groups)
    sw = np.bincount(g, weights=w, minlength=n_groups)
    sww = np.bincount(g, weights=w * w, minlength=n_groups)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.bincount(g, weights=w * y, minlength=n_groups) / sw
        resid = y - mean[g]
        wr = w * resid
        ss = np.bincount(g, weights=wr * wr, minlength=n_groups)
        se = np.sqrt(n / (n - 1.0) * ss) / sw
        n_eff = sw * sw / sww
        ok = (n >= 2) & (n_eff > 1)
        t = np.full(n_groups, np.nan)
        t[ok] = t_quantile(confidence, n_eff[ok] - 1.0)
        half = np.where(ok, t * se, np.nan)
    return {"n": n, "mean": mean, "low": mean - half, "high": mean + half, "half": half,
            "n_eff": np.nan_to_num(n_eff), "var": se * se * n_eff}


def _grouped_satisfied(overall: np.ndarray, w: np.ndarray, g: np.ndarray, n_groups: int, scale: int,
                       confidence: float) -> dict[str, np.ndarray]:
    """Weighted share answering in the top two boxes (4-5 of 5) of the overall item."""
    answered = overall > 0
    wa = np.where(answered, w, 0.0)
    sw = np.bincount(g, weights=wa, minlength=n_groups)
    sww = np.bincount(g, weights=wa * wa, minlength=n_groups)
    hit = np.bincount(g, weights=np.where(overall >= scale - 1, wa, 0.0), minlength=n_groups)
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = hit / sw
        n_eff = sw * sw / sww
    low, high = wilson_arrays(rate * n_eff, n_eff, confidence)
    return {"rate": rate, "low": low, "high": high, "n": np.bincount(g, weights=answered, minlength=n_groups).astype(np.int64),
            "n_eff": np.nan_to_num(n_eff)}


def _per_project(labels_per_row: np.ndarray, project: np.ndarray, n_proj: int, what: str) -> np.ndarray:
    """The one value of a per-project column (checked to be constant within each project)."""
    uniques, codes = factorize(np.asarray(labels_per_row))
    per = np.zeros(n_proj, dtype=np.int64)
    per[project] = codes
    if np.any(per[project] != codes):
        raise ValueError(f"`{what}` must be the same on every row of a project")
    return uniques[per]


def _reliability(table: ResponseTable, rows: RowStats, valid: np.ndarray, project: np.ndarray, n_proj: int,
                 config: ScoringConfig) -> tuple[dict, np.ndarray | None]:
    """Cronbach's alpha per questionnaire version (x period) over valid, complete responses."""
    if table.version is None:
        return {}, None
    project_version = _per_project(table.version, project, n_proj, "version")
    k = rows.codes_t.shape[0]
    use = valid & (rows.n_answered == k)
    uniques, vcode = factorize(np.asarray(table.version)[use])
    alphas = cronbach_alpha_codes(rows.codes_t[:, use], rows.code_sum[use], rows.code_sumsq[use], vcode,
                                  uniques.size, config.confidence, config.alpha_min)
    return dict(zip(uniques.tolist(), alphas)), np.asarray(project_version.tolist(), dtype=object)


def _shrink(table: ResponseTable, project: np.ndarray, n_proj: int, est: dict, insufficient: np.ndarray,
            config: ScoringConfig) -> tuple[np.ndarray, ...]:
    """Shrink published projects towards their comparable class; unpublished ones get nan."""
    out = tuple(np.full(n_proj, np.nan) for _ in range(4))
    classes = np.zeros(n_proj, dtype=np.int64) if table.comparable is None else \
        _per_project(table.comparable, project, n_proj, "comparable")
    use = ~insufficient & np.isfinite(est["mean"]) & np.isfinite(est["var"])
    if not use.any():
        return out
    res = shrink_comparable(est["mean"][use], est["n_eff"][use], est["var"][use], classes[use], config)
    for arr, vals in zip(out, (np.clip(res.values, 0, 100), res.z, res.k, np.clip(res.grand_mean, 0, 100))):
        arr[use] = vals
    return out


def campaign_index(
    answers: object,
    *,
    config: ScoringConfig = DEFAULT_CONFIG,
    grid_households: Mapping[object, float] | None = None,
    **columns: object,
) -> ProjectIndex:
    """One campaign (one project) from its response rows; columns as in :class:`ResponseTable`.

    Shrinkage needs comparable projects, so it is left to :func:`score_projects` here."""
    a = np.asarray(answers)
    table = ResponseTable(project=np.zeros(a.shape[0], dtype=np.int64), answers=a, **columns)  # type: ignore[arg-type]
    result = score_projects(table, config, grid_households, projects=np.zeros(1, dtype=np.int64)).project(0)
    return replace(result, shrunk=None, z=None, k=None, grand_mean=None)
