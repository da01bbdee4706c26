"""Read-side: scoped lists, overdue items, department response times, counts for the home page."""
from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime
from typing import Iterable

from sqlalchemy import func, or_, select
from sqlalchemy.orm import aliased

from survey.core.db import utcnow
from survey.extensions import db
from survey.opinions.models import Opinion, OpinionStatus, Whistle, WhistleStatus
from survey.orgs.models import OrgUnit
from survey.people.permissions import Permission, can, in_scope, units_with

OPEN_WHISTLE = (WhistleStatus.sent, WhistleStatus.acknowledged, WhistleStatus.in_progress)



def _community():
    """Aliases made on use: building them at import would configure every mapper too early."""
    return aliased(OrgUnit, name="community")


def readable(user, opinion: Opinion) -> bool:
    """The community's committee (and those above it), the grid's worker, and the assignee."""
    if can(user, Permission.view_opinions, opinion.community):
        return True
    if opinion.grid is not None and can(user, Permission.view_opinions, opinion.grid):
        return True
    return opinion.assigned_to_id is not None and opinion.assigned_to_id == getattr(user, "id", None)


def sees_private(user, opinion: Opinion) -> bool:
    """Contact and photo: only those who handle the opinion for the community."""
    return can(user, Permission.manage_opinions, opinion.community)


def opinions_query(user, *, status: str | None = None, category: str | None = None, grid: str | None = None,
                   community: str | None = None, overdue: bool = False, mine: bool = False, whistled: bool = False,
                   now: datetime | None = None):
    now = now or utcnow()
    Community, Grid = _community(), aliased(OrgUnit, name="grid")
    query = (
        select(Opinion).join(Community, Opinion.community_id == Community.id).outerjoin(Grid, Opinion.grid_id == Grid.id)
        .where(
            or_(
                in_scope(user, Permission.view_opinions, Community.path),
                in_scope(user, Permission.view_opinions, Grid.path),
                Opinion.assigned_to_id == user.id,
            )
        )
    )
    if status:
        query = query.where(Opinion.status == OpinionStatus(status))
    if category:
        query = query.where(Opinion.category == category)
    if grid:
        query = query.where(Grid.code == grid)
    if community:
        query = query.where(Community.code == community)
    if overdue:
        query = query.where(Opinion.due_at < now)
    if mine:
        query = query.where(Opinion.assigned_to_id == user.id)
    if whistled:
        query = query.where(
            select(Whistle.id).where(Whistle.opinion_id == Opinion.id, Whistle.status.in_(OPEN_WHISTLE)).exists()
        )
    # Overdue first (oldest deadline first), then the rest by deadline, closed ones last.
    return query.order_by(Opinion.due_at.is_(None), Opinion.due_at, Opinion.id.desc())


def overdue_whistles_query(scope_paths: Iterable[str] | None = None, *, department: OrgUnit | None = None,
                           now: datetime | None = None):
    """Open whistles past their deadline, from communities under ``scope_paths`` or to ``department``."""
    now = now or utcnow()
    Community = _community()
    query = (
        select(Whistle).join(Opinion, Whistle.opinion_id == Opinion.id).join(Community, Opinion.community_id == Community.id)
        .where(Whistle.status.in_(OPEN_WHISTLE), Whistle.due_at < now)
    )
    if scope_paths is not None:
        paths = list(scope_paths)
        if not paths:
            return query.where(Whistle.id.is_(None))
        query = query.where(or_(*(Community.path.startswith(p, autoescape=True) for p in paths)))
    if department is not None:
        query = query.where(Whistle.department_id == department.id)
    return query.order_by(Whistle.due_at, Whistle.id)


# --- response times -------------------------------------------------------------------------


@dataclass(frozen=True)
class WhistleTimes:
    sent_at: datetime
    due_at: datetime
    answered_at: datetime | None


@dataclass(frozen=True)
class ResponseFigures:
    sent: int  # whistles sent in the period
    answered: int
    decided: int  # answered, or open past the deadline: those whose timeliness is known
    in_time: int  # answered by the deadline
    overdue_open: int  # still open past the deadline
    median_hours: float | None  # over the answered ones

    @property
    def in_time_share(self) -> float | None:
        return self.in_time / self.decided if self.decided else None


def response_figures(rows: Iterable[WhistleTimes], now: datetime) -> ResponseFigures:
    """Pure: the figures of one department from its whistles' times.

    The share within the deadline counts every whistle whose outcome is known: answered ones
    (in time or late) and open ones already past the deadline (late for sure). Open ones still
    within their deadline are left out; withdrawn ones are not passed in.
    """
    rows = list(rows)
    answered = [r for r in rows if r.answered_at is not None]
    in_time = sum(1 for r in answered if r.answered_at <= r.due_at)
    overdue_open = sum(1 for r in rows if r.answered_at is None and r.due_at < now)
    hours = [(r.answered_at - r.sent_at).total_seconds() / 3600 for r in answered]
    return ResponseFigures(
        sent=len(rows), answered=len(answered), decided=len(answered) + overdue_open, in_time=in_time,
        overdue_open=overdue_open, median_hours=statistics.median(hours) if hours else None,
    )


def department_response_times(scope: OrgUnit, start: datetime, end: datetime, *, now: datetime | None = None
                              ) -> list[tuple[OrgUnit, ResponseFigures]]:
    """Per department: whistles sent in [start, end) from the communities under ``scope``."""
    now = now or utcnow()
    Community = _community()
    rows = db.session.execute(
        select(Whistle.department_id, Whistle.sent_at, Whistle.due_at, Whistle.answered_at)
        .join(Opinion, Whistle.opinion_id == Opinion.id).join(Community, Opinion.community_id == Community.id)
        .where(
            Community.path.startswith(scope.path, autoescape=True), Whistle.status != WhistleStatus.withdrawn,
            Whistle.sent_at >= start, Whistle.sent_at < end,
        )
    ).all()
    by_department: dict[int, list[WhistleTimes]] = {}
    for department_id, sent_at, due_at, answered_at in rows:
        by_department.setdefault(department_id, []).append(WhistleTimes(sent_at, due_at, answered_at))
    if not by_department:
        return []
    departments = db.session.scalars(select(OrgUnit).where(OrgUnit.id.in_(by_department)).order_by(OrgUnit.code))
    return [(d, response_figures(by_department[d.id], now)) for d in departments]


def format_hours(hours: float | None) -> str | None:
    if hours is None:
        return None
    return f"{hours / 24:.1f}" if hours >= 48 else f"{hours:.1f}"


# --- home page ------------------------------------------------------------------------------


@dataclass(frozen=True)
class HomeItem:
    key: str
    count: int
    endpoint: str
    args: dict


def home_items(user, now: datetime | None = None) -> list[HomeItem]:
    """What the opinion box asks of ``user`` today, most urgent first (zero counts left out)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    now = now or utcnow()
    Community = _community()
    items: list[HomeItem] = []
    if units_with(user, Permission.manage_opinions):
        managed = select(Opinion.id).join(Community, Opinion.community_id == Community.id).where(
            in_scope(user, Permission.manage_opinions, Community.path)
        )
        overdue = db.session.scalar(
            select(func.count()).select_from(managed.where(Opinion.due_at < now).subquery())
        )
        waiting = db.session.scalar(
            select(func.count()).select_from(managed.where(Opinion.status == OpinionStatus.submitted).subquery())
        )
        whistles = db.session.scalar(
            select(func.count(Whistle.id)).join(Opinion, Whistle.opinion_id == Opinion.id)
            .join(Community, Opinion.community_id == Community.id)
            .where(in_scope(user, Permission.manage_opinions, Community.path), Whistle.status.in_(OPEN_WHISTLE))
        )
        items += [
            HomeItem("opinions_overdue", overdue, "opinions.index", {"overdue": 1}),
            HomeItem("opinions_new", waiting, "opinions.index", {"status": "submitted"}),
            HomeItem("whistles_waiting", whistles, "opinions.index", {"whistled": 1}),
        ]
    streets = [u for u in units_with(user, Permission.view_opinions) if u.level.value in ("street", "district")]
    if streets:
        escalated = db.session.scalar(
            select(func.count()).select_from(overdue_whistles_query([u.path for u in streets], now=now).subquery())
        )
        items.append(HomeItem("whistles_escalated", escalated, "whistles.street", {"code": streets[0].code}))
    for department in units_with(user, Permission.answer_whistles):
        if department.level.value != "department":
            continue
        open_count = db.session.scalar(
            select(func.count(Whistle.id)).where(Whistle.department_id == department.id, Whistle.status.in_(OPEN_WHISTLE))
        )
        late = db.session.scalar(
            select(func.count(Whistle.id)).where(
                Whistle.department_id == department.id, Whistle.status.in_(OPEN_WHISTLE), Whistle.due_at < now
            )
        )
        items += [
            HomeItem("department_overdue", late, "whistles.inbox", {"code": department.code}),
            HomeItem("department_open", open_count, "whistles.inbox", {"code": department.code}),
        ]
    return [item for item in items if item.count]
