"""A campaign's results: the bridge from stored responses to ``survey.scoring``.

Individual answers never leave this module: it returns counts, estimates and flags. Manually
excluded responses are left out before scoring and listed with their reasons.
"""
from __future__ import annotations

import threading
from collections import Counter, OrderedDict
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select

from survey.core.db import epoch_seconds, raw_rows
from survey.extensions import db
from survey.orgs.models import OrgUnit
from survey.questionnaires.models import Answer, Campaign, CampaignStatus, Response
from survey.questionnaires.operations import campaign_grids
from survey.questionnaires.questions import QuestionType
from survey.scoring import ProjectIndex, ResponseTable, score_projects
from survey.scoring.config import DEFAULT_CONFIG
from survey.scoring.validity import ASSISTED, REASONS

STATUS_LABELS = {
    "ok": _l("Enough answers"),
    "insufficient_sample": _l("Insufficient sample"),
    "low_precision": _l("Low precision"),
    "under_review": _l("Under review"),
}
FLAG_LABELS = {
    "duplicate": _l("duplicate"),
    "burst": _l("burst of identical answers"),
    "straightline": _l("all answers the same"),
    "speeding": _l("answered too fast"),
    "straightline_speeding": _l("all the same and too fast"),
    "assisted": _l("assisted by a grid worker"),
    "incomplete": _l("less than half answered"),
}

# Smallest count a distribution or breakdown may show: fewer could reveal a person's answer.
MIN_CELL = 5


@dataclass(frozen=True)
class GridCoverage:
    code: str
    name: str
    households: int
    responses: int

    @property
    def rate(self) -> float | None:
        return self.responses / self.households if self.households else None


@dataclass(frozen=True)
class ItemSummary:
    key: str
    number: int
    text: str
    kind: str
    counts: list[tuple[str, int]]  # (label, count), best first; empty when suppressed
    answered: int
    suppressed: bool


@dataclass(frozen=True)
class FlaggedResponse:
    id: int
    receipt: str
    submitted_on: str
    flags: tuple[str, ...]
    scoring_reason: str | None
    manually_excluded: bool
    manual_reason: str | None


@dataclass(frozen=True)
class CampaignResults:
    campaign_id: int
    index: ProjectIndex | None
    total: int
    households: int
    coverage: list[GridCoverage]
    items: list[ItemSummary]
    flagged: list[FlaggedResponse]
    texts: dict[str, list[str]] = field(default_factory=dict)

    @property
    def response_rate(self) -> float | None:
        return self.total / self.households if self.households else None


# Lists on the results page stop here; the counts above them stay complete.
LIST_LIMIT = 200


@dataclass(frozen=True)
class _Rows:
    ids: np.ndarray
    grid: np.ndarray  # -1 where unknown
    submitted_at: np.ndarray  # seconds
    duration: np.ndarray
    assisted: np.ndarray
    excluded: np.ndarray
    scale: np.ndarray  # responses x scale questions, 0 = missing


def _load_rows(campaign: Campaign, n_scale: int) -> _Rows:
    query = select(
        Response.id, Response.grid_id, epoch_seconds(Response.submitted_at), Response.duration_seconds,
        Response.assisted, Response.excluded, Response.scale_answers,
    ).where(Response.campaign_id == campaign.id).order_by(Response.id)
    rows = raw_rows(db.session, query)  # a large campaign is 100,000 rows, converted column by column
    if not rows:
        empty = np.zeros(0)
        return _Rows(empty.astype(int), empty.astype(int), empty, empty, empty.astype(bool), empty.astype(bool),
                     np.zeros((0, n_scale), dtype=np.int8))
    ids, grid, submitted, duration, assisted, excluded, digits = zip(*rows)
    packed = "".join(d for d in digits if d).encode("ascii")
    if len(packed) != len(rows) * n_scale:  # some row without the column (or of another length)
        packed = "".join((d or "").ljust(n_scale, "0")[:n_scale] for d in digits).encode("ascii")
    scale = (np.frombuffer(packed, dtype=np.uint8).reshape(len(rows), n_scale) - ord("0")).astype(np.int8)
    return _Rows(
        ids=np.array(ids, dtype=np.int64),
        grid=np.nan_to_num(np.array(grid, dtype=float), nan=-1).astype(np.int64),
        submitted_at=np.array(submitted, dtype=float),
        duration=np.array(duration, dtype=float),
        assisted=np.array(assisted, dtype=bool),
        excluded=np.array(excluded, dtype=bool),
        scale=scale,
    )


# Results change only when a response arrives or its exclusion changes, so recent ones are kept
# per process under a fingerprint of exactly that (and of the grids' household counts).
_CACHE: OrderedDict[tuple, CampaignResults] = OrderedDict()
_CACHE_SIZE = 16
_CACHE_LOCK = threading.Lock()


def _fingerprint(campaign: Campaign, grids: list[OrgUnit]) -> tuple:
    count, last, excluded = db.session.execute(
        select(
            func.count(Response.id),
            func.max(Response.id),
            func.coalesce(func.sum(case((Response.excluded.is_(True), Response.id), else_=0)), 0),
        ).where(Response.campaign_id == campaign.id)
    ).one()
    households = tuple((g.id, g.households) for g in grids)
    return (campaign.id, campaign.version_id, DEFAULT_CONFIG.version, count, last, int(excluded), households)


def campaign_results(campaign: Campaign) -> CampaignResults:
    grids = campaign_grids(campaign)
    key = _fingerprint(campaign, grids)
    with _CACHE_LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
    result = _compute(campaign, grids)
    with _CACHE_LOCK:
        _CACHE[key] = result
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return result


def _compute(campaign: Campaign, grids: list[OrgUnit]) -> CampaignResults:
    version = campaign.version
    questions = version.question_types()
    scored = [q for q in questions if q.scored]
    rows = _load_rows(campaign, len(scored))
    by_grid = Counter(rows.grid.tolist())
    coverage = [GridCoverage(g.code, g.name, g.households or 0, by_grid.get(g.id, 0)) for g in grids]

    index, flags = _score(rows, scored, grids)
    counted = ~rows.excluded
    choice_counts = _choice_counts(campaign, [q for q in questions if not q.scored and q.categories()])
    items = []
    for number, question in enumerate(questions, start=1):
        if question.scored:
            column = rows.scale[counted, scored.index(question)]
            counts = Counter({str(v): int(c) for v, c in enumerate(np.bincount(column, minlength=10)) if c})
            answered = int(column.size)  # "don't know" is an answer, not a skipped question
        else:
            counts, answered = choice_counts.get(question.key, (Counter(), 0))
        items.append(_summary(number, question, counts, answered))
    texts = _texts(campaign, [q.key for q in questions if q.name in ("short_text", "long_text")])
    return CampaignResults(
        campaign.id, index, int(rows.ids.size), sum(c.households for c in coverage), coverage, items,
        _flagged(rows, flags), texts,
    )


def _score(rows: _Rows, scored: list[QuestionType], grids: list[OrgUnit]):
    counted = ~rows.excluded
    if not scored or not counted.any():
        return None, {}
    scale = max(int(q.spec.get("points", 5)) for q in scored)
    overall = next((j for j, q in enumerate(scored) if q.spec.get("overall")), len(scored) - 1)
    parent_of = {g.id: g.parent_id for g in grids}
    grid = rows.grid[counted]
    known_grids = bool(grids) and bool((grid >= 0).all())
    table = ResponseTable(
        project=np.zeros(int(counted.sum()), dtype=np.int64),
        answers=rows.scale[counted],
        scale=scale,
        item_weights=np.array([float(q.spec.get("weight", 1)) for q in scored]),
        overall_item=overall,
        submitted_at=rows.submitted_at[counted],
        duration=rows.duration[counted],
        assisted=rows.assisted[counted],
        grid=grid if known_grids else None,
        community=np.array([parent_of.get(g, -1) for g in grid.tolist()]) if known_grids else None,
        version=np.zeros(int(counted.sum()), dtype=np.int64),
    )
    households = {g.id: float(g.households) for g in grids if g.households}
    scores = score_projects(table, DEFAULT_CONFIG, households if known_grids and households else None,
                            projects=np.zeros(1, dtype=np.int64))
    validity = scores.validity
    # Assisted alone is a fact, not a suspicion: list responses with another flag or excluded.
    notable = np.flatnonzero((validity.reason > 0) | ((validity.flags & ~np.uint8(ASSISTED)) != 0))
    ids = rows.ids[counted]
    flags = {
        int(ids[i]): (validity.flag_names(i), REASONS[int(validity.reason[i])] or None) for i in notable.tolist()
    }
    return scores.project(0), flags


def _choice_counts(campaign: Campaign, questions: list[QuestionType]) -> dict[str, tuple[Counter, int]]:
    """Counts per option of the choice questions, from the counted responses' answer rows."""
    if not questions:
        return {}
    keys = [q.key for q in questions]
    counted = (Response.campaign_id == campaign.id) & Response.excluded.is_(False)
    result: dict[str, tuple[Counter, int]] = {key: (Counter(), 0) for key in keys}
    for key, value, count in db.session.execute(
        select(Answer.question_key, Answer.value_num, func.count())
        .join(Response, Response.id == Answer.response_id)
        .where(counted, Answer.question_key.in_(keys), Answer.value_num.is_not(None))
        .group_by(Answer.question_key, Answer.value_num)
    ):
        result[key][0][str(int(value))] += count
    several = [q.key for q in questions if q.name == "multiple"]  # one response may tick several
    respondents = dict(
        db.session.execute(
            select(Answer.question_key, func.count(func.distinct(Answer.response_id)))
            .join(Response, Response.id == Answer.response_id)
            .where(counted, Answer.question_key.in_(several))
            .group_by(Answer.question_key)
        ).all()
    ) if several else {}
    return {
        key: (counts, respondents.get(key, 0) if key in several else sum(counts.values()))
        for key, (counts, _n) in result.items()
    }


def _texts(campaign: Campaign, keys: list[str]) -> dict[str, list[str]]:
    texts: dict[str, list[str]] = {key: [] for key in keys}
    if not keys:
        return texts
    rows = db.session.execute(
        select(Answer.question_key, Answer.value_text)
        .join(Response, Response.id == Answer.response_id)
        .where(Response.campaign_id == campaign.id, Response.excluded.is_(False), Answer.question_key.in_(keys),
               Answer.value_text.is_not(None))
        .order_by(Answer.id.desc())
    )
    for key, text in rows:
        if len(texts[key]) < LIST_LIMIT:
            texts[key].append(text)
    return texts


def _flagged(rows: _Rows, flags: dict[int, tuple[tuple[str, ...], str | None]]) -> list[FlaggedResponse]:
    wanted = sorted(set(flags) | set(rows.ids[rows.excluded].tolist()))[:LIST_LIMIT]
    if not wanted:
        return []
    details = db.session.execute(
        select(Response.id, Response.receipt, Response.submitted_at, Response.excluded, Response.excluded_reason)
        .where(Response.id.in_(wanted)).order_by(Response.id)
    ).all()
    return [
        FlaggedResponse(rid, receipt, at.date().isoformat(), *flags.get(rid, ((), None)), excluded, reason)
        for rid, receipt, at, excluded, reason in details
    ]


def _summary(number: int, question: QuestionType, counts: Counter, answered: int) -> ItemSummary:
    suppressed = answered < MIN_CELL
    categories = question.categories()
    shown = [] if suppressed or not categories else [(str(label), counts.get(value, 0)) for value, label in categories]
    return ItemSummary(question.key, number, question.spec["text"], question.name, shown, answered, suppressed)


def frozen_summary(results: CampaignResults) -> dict[str, Any]:
    """What is kept with the campaign when it closes (results frozen at close)."""
    index = results.index
    summary: dict[str, Any] = {"responses": results.total, "households": results.households}
    if index is not None:
        summary.update(
            index=index.index.value, low=index.index.low, high=index.index.high, n_valid=index.n_valid,
            n_eff=index.index.n_eff, satisfied=index.satisfied_rate.value, satisfied_low=index.satisfied_rate.low,
            satisfied_high=index.satisfied_rate.high, status=index.status, flags=list(index.flags),
            config_version=index.config_version,
            alpha=None if index.reliability is None else index.reliability.alpha,
        )
    return {k: (None if isinstance(v, float) and np.isnan(v) else v) for k, v in summary.items()}


def is_frozen(campaign: Campaign) -> bool:
    return campaign.status is CampaignStatus.closed
