"""A campaign's results: the bridge from stored responses to ``survey.scoring``.

Individual answers never leave this module: it returns counts, estimates and flags. Manually
excluded responses are left out before scoring and listed with their reasons.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from survey.extensions import db
from survey.orgs.models import OrgUnit
from survey.questionnaires.models import Answer, Campaign, CampaignStatus, Response
from survey.questionnaires.operations import campaign_grids
from survey.questionnaires.questions import QuestionType
from survey.scoring import ProjectIndex, ResponseTable, score_projects
from survey.scoring.config import DEFAULT_CONFIG

STATUS_LABELS = {
    "ok": _l("Published"),
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


def _load(campaign: Campaign):
    rows = db.session.execute(
        select(
            Response.id, Response.receipt, Response.grid_id, Response.submitted_at, Response.duration_seconds,
            Response.assisted, Response.excluded, Response.excluded_reason, Response.version_id,
        ).where(Response.campaign_id == campaign.id).order_by(Response.id)
    ).all()
    answers = db.session.execute(
        select(Answer.response_id, Answer.question_key, Answer.value_num, Answer.value_text)
        .join(Response, Response.id == Answer.response_id)
        .where(Response.campaign_id == campaign.id)
    ).all()
    return rows, answers


def campaign_results(campaign: Campaign) -> CampaignResults:
    rows, answers = _load(campaign)
    version = campaign.version
    questions = version.question_types()
    grids = campaign_grids(campaign)
    by_grid = Counter(r.grid_id for r in rows)
    coverage = [GridCoverage(g.code, g.name, g.households or 0, by_grid.get(g.id, 0)) for g in grids]

    values: dict[str, dict[int, list[Any]]] = {q.key: {} for q in questions}
    for response_id, key, num, text in answers:
        if key in values:
            values[key].setdefault(response_id, []).append(num if num is not None else text)
    counted_ids = {r.id for r in rows if not r.excluded}

    index, validity_rows = _score(campaign, rows, values, questions, grids)
    items = [_summarise(i, q, values[q.key], counted_ids) for i, q in enumerate(questions, start=1)]
    texts = {
        q.key: [v[0] for rid, v in values[q.key].items() if rid in counted_ids and isinstance(v[0], str) and v[0]]
        for q in questions if q.name in ("short_text", "long_text")
    }
    flagged = [
        FlaggedResponse(
            r.id, r.receipt, r.submitted_at.date().isoformat(), validity_rows.get(r.id, ((), None))[0],
            validity_rows.get(r.id, ((), None))[1], r.excluded, r.excluded_reason,
        )
        for r in rows
        if r.excluded or validity_rows.get(r.id, ((), None))[0]
    ]
    return CampaignResults(
        campaign.id, index, len(rows), sum(c.households for c in coverage), coverage, items, flagged, texts
    )


def _score(campaign, rows, values, questions, grids: list[OrgUnit]):
    scored = [q for q in questions if q.scored]
    counted = [r for r in rows if not r.excluded]
    if not scored or not counted:
        return None, {}
    scale = max(int(q.spec.get("points", 5)) for q in scored)
    matrix = np.full((len(counted), len(scored)), np.nan)
    for j, q in enumerate(scored):
        column = values[q.key]
        for i, r in enumerate(counted):
            v = column.get(r.id)
            if v is not None and v[0] is not None:
                matrix[i, j] = v[0]
    overall = next((j for j, q in enumerate(scored) if q.spec.get("overall")), len(scored) - 1)
    parent_of = {g.id: g.parent_id for g in grids}
    grid = np.array([r.grid_id if r.grid_id is not None else -1 for r in counted])
    table = ResponseTable(
        project=np.zeros(len(counted), dtype=np.int64),
        answers=matrix,
        scale=scale,
        item_weights=np.array([float(q.spec.get("weight", 1)) for q in scored]),
        overall_item=overall,
        submitted_at=np.array([r.submitted_at.timestamp() for r in counted]),
        duration=np.array([np.nan if r.duration_seconds is None else r.duration_seconds for r in counted]),
        assisted=np.array([bool(r.assisted) for r in counted]),
        grid=grid if grids and (grid >= 0).all() else None,
        community=np.array([parent_of.get(g, -1) for g in grid]) if grids and (grid >= 0).all() else None,
        version=np.array([r.version_id for r in counted]),
    )
    households = {g.id: float(g.households) for g in grids if g.households}
    scores = score_projects(table, DEFAULT_CONFIG, households if table.grid is not None and households else None,
                            projects=np.zeros(1, dtype=np.int64))
    from survey.scoring.validity import REASONS

    per_row = {}
    for i, r in enumerate(counted):
        flags = scores.validity.flag_names(i)
        reason = REASONS[int(scores.validity.reason[i])] or None
        if flags or reason:
            per_row[r.id] = (flags, reason)
    return scores.project(0), per_row


def _summarise(number: int, question: QuestionType, answers: dict[int, list[Any]], counted: set[int]) -> ItemSummary:
    categories = question.categories()
    counts = Counter()
    answered = 0
    for response_id, given in answers.items():
        if response_id not in counted:
            continue
        answered += 1
        for value in given:
            if isinstance(value, float):
                counts[str(int(value))] += 1
    suppressed = answered < MIN_CELL
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
