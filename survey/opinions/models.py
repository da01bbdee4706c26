"""The opinion box (民情意见箱) and whistles to departments (网格吹哨、部门报到).

An ``Opinion`` is what a resident dropped in the box (or what a grid worker heard at the door);
the committee accepts, assigns, answers and closes it, each step with a deadline stored on the
row (``due_at``: the deadline of the step the opinion waits for). A ``Whistle`` sends an opinion
to a department, which acknowledges, acts and answers before its own deadline.

The resident's contact and photo are private: only the committee of the community sees them.
"""
from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.core.db import TimestampMixin, enum_column, utcnow
import survey.deliberations.models  # noqa: F401  (the "matter" table that matter_id refers to)
from survey.extensions import db
from survey.orgs.models import OrgUnit
from survey.people.models import User


class OpinionCategory(enum.Enum):
    environment = "environment"
    facilities = "facilities"
    safety = "safety"
    traffic = "traffic"
    estate = "estate"  # property management (物业)
    neighbours = "neighbours"
    services = "services"
    other = "other"

    @property
    def label(self):
        return CATEGORY_LABELS[self]


CATEGORY_LABELS = {
    OpinionCategory.environment: _l("Environment and sanitation"),
    OpinionCategory.facilities: _l("Public facilities and repairs"),
    OpinionCategory.safety: _l("Safety and security"),
    OpinionCategory.traffic: _l("Roads, traffic and parking"),
    OpinionCategory.estate: _l("Property management"),
    OpinionCategory.neighbours: _l("Neighbour disputes"),
    OpinionCategory.services: _l("Elderly care and community services"),
    OpinionCategory.other: _l("Something else"),
}


class OpinionStatus(enum.Enum):
    submitted = "submitted"
    accepted = "accepted"
    assigned = "assigned"
    answered = "answered"
    closed = "closed"

    @property
    def label(self):
        return STATUS_LABELS[self]


STATUS_LABELS = {
    OpinionStatus.submitted: _l("Received, waiting to be accepted"),
    OpinionStatus.accepted: _l("Accepted"),
    OpinionStatus.assigned: _l("Being handled"),
    OpinionStatus.answered: _l("Answered"),
    OpinionStatus.closed: _l("Closed"),
}


class OpinionSource(enum.Enum):
    resident = "resident"  # through the public form
    grid_worker = "grid_worker"  # heard at the door and logged by a grid worker

    @property
    def label(self):
        return {OpinionSource.resident: _l("Opinion box"), OpinionSource.grid_worker: _l("Logged by a grid worker")}[self]


class Opinion(TimestampMixin, db.Model):
    __tablename__ = "opinion"
    __table_args__ = (
        CheckConstraint("rating IS NULL OR (rating >= 1 AND rating <= 5)", name="rating_range"),
        CheckConstraint("rating IS NULL OR status IN ('answered', 'closed')", name="rating_after_answer"),
        CheckConstraint("(status = 'closed') = (due_at IS NULL)", name="open_has_deadline"),
        CheckConstraint("(status = 'closed') = (closed_at IS NOT NULL)", name="closed_has_time"),
        CheckConstraint("status = 'submitted' OR accepted_at IS NOT NULL OR status = 'closed'", name="accepted_has_time"),
        CheckConstraint("status <> 'assigned' OR assigned_to_id IS NOT NULL", name="assigned_has_assignee"),
        CheckConstraint(
            "status NOT IN ('answered') OR (answer IS NOT NULL AND answered_at IS NOT NULL)", name="answered_has_answer"
        ),
        CheckConstraint("source <> 'grid_worker' OR logged_by_id IS NOT NULL", name="logged_has_worker"),
        CheckConstraint("length(tracking_code) = 10", name="tracking_code_length"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tracking_code: Mapped[str] = mapped_column(String(10), unique=True)
    # Client-generated: a retried submission returns the receipt it already has.
    submission_id: Mapped[str | None] = mapped_column(String(32), unique=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id", ondelete="RESTRICT"), index=True)
    grid_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id", ondelete="RESTRICT"), index=True)
    category: Mapped[OpinionCategory] = mapped_column(enum_column(OpinionCategory, "opinion_category"))
    text: Mapped[str] = mapped_column(Text)
    source: Mapped[OpinionSource] = mapped_column(
        enum_column(OpinionSource, "opinion_source"), default=OpinionSource.resident
    )
    logged_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    # Private: never on public pages, never in the audit log.
    contact_name: Mapped[str | None] = mapped_column(String(60))
    contact_phone: Mapped[str | None] = mapped_column(String(32))
    # A random file name under the instance folder; the resident's own file name is never kept.
    photo_file: Mapped[str | None] = mapped_column(String(64))

    status: Mapped[OpinionStatus] = mapped_column(
        enum_column(OpinionStatus, "opinion_status"), default=OpinionStatus.submitted, index=True
    )
    # The deadline of the step the opinion waits for: accept, then answer, then close.
    due_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime)
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    assigned_to_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    assigned_at: Mapped[datetime | None] = mapped_column(DateTime)
    answer: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None] = mapped_column(DateTime)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)
    close_note: Mapped[str | None] = mapped_column(Text)
    rating: Mapped[int | None] = mapped_column(Integer)
    rated_at: Mapped[datetime | None] = mapped_column(DateTime)
    # The matter of the five deliberations this opinion was turned into (提议), if any.
    matter_id: Mapped[int | None] = mapped_column(ForeignKey("matter.id", ondelete="SET NULL"), index=True, unique=True)

    community: Mapped[OrgUnit] = relationship(foreign_keys=[community_id])
    grid: Mapped[OrgUnit | None] = relationship(foreign_keys=[grid_id])
    logged_by: Mapped[User | None] = relationship(foreign_keys=[logged_by_id])
    accepted_by: Mapped[User | None] = relationship(foreign_keys=[accepted_by_id])
    assigned_to: Mapped[User | None] = relationship(foreign_keys=[assigned_to_id])
    answered_by: Mapped[User | None] = relationship(foreign_keys=[answered_by_id])
    whistles: Mapped[list[Whistle]] = relationship(back_populates="opinion", order_by="Whistle.id")

    def __repr__(self) -> str:
        return f"<Opinion {self.tracking_code} {self.status.value}>"

    @property
    def permission_units(self) -> list[OrgUnit]:
        return [self.community]

    def is_overdue(self, now: datetime | None = None) -> bool:
        return self.due_at is not None and self.due_at < (now or utcnow())

    @property
    def active_whistle(self) -> Whistle | None:
        return next((w for w in reversed(self.whistles) if w.status.is_open), None)

    @property
    def latest_whistle(self) -> Whistle | None:
        live = [w for w in self.whistles if w.status is not WhistleStatus.withdrawn]
        return live[-1] if live else None


class WhistleStatus(enum.Enum):
    sent = "sent"
    acknowledged = "acknowledged"
    in_progress = "in_progress"
    answered = "answered"
    withdrawn = "withdrawn"

    @property
    def label(self):
        return WHISTLE_LABELS[self]

    @property
    def is_open(self) -> bool:
        return self in (WhistleStatus.sent, WhistleStatus.acknowledged, WhistleStatus.in_progress)


# The open statuses (``WhistleStatus.is_open``) in SQL, for the partial unique index.
OPEN_WHISTLE_SQL = "status IN ('sent', 'acknowledged', 'in_progress')"

WHISTLE_LABELS = {
    WhistleStatus.sent: _l("Sent, waiting for the department"),
    WhistleStatus.acknowledged: _l("Acknowledged by the department"),
    WhistleStatus.in_progress: _l("Department acting on it"),
    WhistleStatus.answered: _l("Department answered"),
    WhistleStatus.withdrawn: _l("Withdrawn"),
}


class Whistle(TimestampMixin, db.Model):
    __tablename__ = "whistle"
    __table_args__ = (
        CheckConstraint("due_at > sent_at", name="deadline_after_sending"),
        CheckConstraint("status = 'sent' OR acknowledged_at IS NOT NULL OR status = 'withdrawn'", name="acknowledged_has_time"),
        CheckConstraint(
            "(status = 'answered') = (answered_at IS NOT NULL AND answer IS NOT NULL)", name="answered_has_answer"
        ),
        CheckConstraint("(status = 'withdrawn') = (withdrawn_at IS NOT NULL)", name="withdrawn_has_time"),
        # One department at a time: at most one open whistle per opinion. ``blow_whistle`` checks
        # it first and turns a lost race into the same refusal.
        Index(
            "ix_whistle_one_open_per_opinion", "opinion_id", unique=True,
            sqlite_where=text(OPEN_WHISTLE_SQL), postgresql_where=text(OPEN_WHISTLE_SQL),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    opinion_id: Mapped[int] = mapped_column(ForeignKey("opinion.id", ondelete="RESTRICT"), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id", ondelete="RESTRICT"), index=True)
    status: Mapped[WhistleStatus] = mapped_column(
        enum_column(WhistleStatus, "whistle_status"), default=WhistleStatus.sent, index=True
    )
    request: Mapped[str] = mapped_column(Text)  # what the committee asks the department to do
    sent_at: Mapped[datetime] = mapped_column(DateTime)
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    due_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime)
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    progress: Mapped[str | None] = mapped_column(Text)  # the department's latest note on what it does
    progress_at: Mapped[datetime | None] = mapped_column(DateTime)
    answer: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None] = mapped_column(DateTime)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime)
    withdraw_reason: Mapped[str | None] = mapped_column(Text)
    # When the whistle was first seen past its deadline and escalated to the street (audited once).
    escalated_at: Mapped[datetime | None] = mapped_column(DateTime)

    opinion: Mapped[Opinion] = relationship(back_populates="whistles")
    department: Mapped[OrgUnit] = relationship(foreign_keys=[department_id])
    sent_by: Mapped[User | None] = relationship(foreign_keys=[sent_by_id])
    acknowledged_by: Mapped[User | None] = relationship(foreign_keys=[acknowledged_by_id])
    answered_by: Mapped[User | None] = relationship(foreign_keys=[answered_by_id])

    def __repr__(self) -> str:
        return f"<Whistle {self.id} {self.department_id} {self.status.value}>"

    @property
    def permission_units(self) -> list[OrgUnit]:
        """For the department's liaisons (answer_whistles)."""
        return [self.department]

    def is_overdue(self, now: datetime | None = None) -> bool:
        return self.status.is_open and self.due_at < (now or utcnow())

    def answered_in_time(self) -> bool | None:
        if self.answered_at is None:
            return None
        return self.answered_at <= self.due_at
