"""Cadres, reporting party members, ballots and annual appraisal cycles (年度考核).

The numbers are never computed here: ``survey.appraisal.operations`` loads rows, calls
``survey.scoring`` and stores each result with the configuration version that produced it.
A published cycle is frozen: the database refuses impossible states (check constraints) and a
flush listener refuses any change to a published cycle or to anything that belongs to it.
"""
from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON, Boolean, CheckConstraint, Column, Date, DateTime, ForeignKey, Integer, Numeric, String, Table, Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.core.db import TimestampMixin, enum_column
from survey.extensions import db
from survey.orgs.models import OrgUnit
from survey.people.models import User
from survey.projects.models import Project


class PostLevel(enum.Enum):
    """Level of post: with the unit, it makes the pool in which cadres are compared."""

    chief = "chief"  # 正职
    deputy = "deputy"  # 副职
    staff = "staff"  # 一般干部

    @property
    def label(self):
        return POST_LEVEL_LABELS[self]


POST_LEVEL_LABELS = {
    PostLevel.chief: _l("Principal post"),
    PostLevel.deputy: _l("Deputy post"),
    PostLevel.staff: _l("Staff"),
}


class BarKind(enum.Enum):
    sanction = "sanction"  # 受处分
    probation = "probation"  # 试用期
    other = "other"

    @property
    def label(self):
        return BAR_LABELS[self]


BAR_LABELS = {
    BarKind.sanction: _l("Disciplinary sanction"),
    BarKind.probation: _l("On probation"),
    BarKind.other: _l("Other bar"),
}


class CycleStatus(enum.Enum):
    draft = "draft"
    proposed = "proposed"
    notice = "notice"
    published = "published"

    @property
    def label(self):
        return CYCLE_STATUS_LABELS[self]


CYCLE_STATUS_LABELS = {
    CycleStatus.draft: _l("Draft"),
    CycleStatus.proposed: _l("Grades proposed"),
    CycleStatus.notice: _l("In public notice"),
    CycleStatus.published: _l("Published"),
}

GRADES = ("excellent", "competent", "basic", "incompetent")
GRADE_LABELS = {
    "excellent": _l("Excellent"),
    "competent": _l("Competent"),
    "basic": _l("Basically competent"),
    "incompetent": _l("Incompetent"),
}
FLAG_LABELS = {
    "tie_at_quota": _l("tied at the quota line"),
    "needs_review": _l("needs review"),
    "not_eligible": _l("not eligible for excellent"),
    "incomplete": _l("incomplete: D or K missing"),
    "renormalised": _l("weights re-normalised"),
}
REGULAR_LEVELS = ("好", "较好", "一般", "较差")
ASSESSMENTS = ("好", "较好", "一般", "差")
BALLOT_CHOICES = ("excellent", "competent", "basic", "incompetent")

cadre_project = Table(
    "cadre_project",
    db.metadata,
    Column("cadre_id", ForeignKey("cadre.id", ondelete="CASCADE"), primary_key=True),
    Column("project_id", ForeignKey("project.id", ondelete="CASCADE"), primary_key=True),
)


class ReportingMember(TimestampMixin, db.Model):
    """An in-service party member who reports to the community where they live (双报到)."""

    __tablename__ = "reporting_member"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    home_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id", ondelete="RESTRICT"), index=True)
    employer: Mapped[str] = mapped_column(String(200), default="")  # unit of employment
    posts_claimed: Mapped[str] = mapped_column(Text, default="")  # 认领岗位, one per line
    reported_on: Mapped[date | None] = mapped_column(Date)

    home_unit: Mapped[OrgUnit] = relationship()
    records: Mapped[list[ServiceRecord]] = relationship(back_populates="member", order_by="ServiceRecord.served_on")
    assessments: Mapped[list[MemberAssessment]] = relationship(
        back_populates="member", order_by="(MemberAssessment.year, MemberAssessment.half)")

    @property
    def permission_units(self) -> list[OrgUnit]:
        return [self.home_unit]

    @property
    def posts(self) -> list[str]:
        return [line.strip() for line in (self.posts_claimed or "").splitlines() if line.strip()]


class ServiceRecord(TimestampMixin, db.Model):
    """One service to the home community; a home service day (Saturday) counts as a check-in
    once a committee member has confirmed it."""

    __tablename__ = "service_record"
    __table_args__ = (
        CheckConstraint("hours > 0 AND hours <= 24", name="hours_in_range"),
        CheckConstraint("(confirmed_by_id IS NULL) = (confirmed_at IS NULL)", name="confirmed_has_time"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("reporting_member.id", ondelete="CASCADE"), index=True)
    served_on: Mapped[date] = mapped_column(Date)
    hours: Mapped[Decimal] = mapped_column(Numeric(4, 1))
    activity: Mapped[str] = mapped_column(String(300))
    checkin: Mapped[bool] = mapped_column(Boolean, default=False)  # home service day check-in
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime)

    member: Mapped[ReportingMember] = relationship(back_populates="records")
    confirmed_by: Mapped[User | None] = relationship()

    @property
    def half(self) -> int:
        return 1 if self.served_on.month <= 6 else 2


class MemberAssessment(TimestampMixin, db.Model):
    """The community party organisation's half-year assessment of a member (好/较好/一般/差)."""

    __tablename__ = "member_assessment"
    __table_args__ = (
        UniqueConstraint("member_id", "year", "half"),
        CheckConstraint("half IN (1, 2)", name="half_is_1_or_2"),
        CheckConstraint("assessment IS NULL OR assessment IN ('好', '较好', '一般', '差')", name="known_assessment"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("reporting_member.id", ondelete="CASCADE"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    half: Mapped[int] = mapped_column(Integer)
    assessment: Mapped[str | None] = mapped_column(String(8))
    reported: Mapped[bool] = mapped_column(Boolean, default=True)  # reported to the community this half
    note: Mapped[str] = mapped_column(Text, default="")

    member: Mapped[ReportingMember] = relationship(back_populates="assessments")


class Cadre(TimestampMixin, db.Model):
    __tablename__ = "cadre"
    __table_args__ = (
        CheckConstraint("bar_kind IS NULL OR bar_reason <> ''", name="bar_has_reason"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id", ondelete="RESTRICT"), index=True)
    post: Mapped[str] = mapped_column(String(120))
    post_level: Mapped[PostLevel] = mapped_column(enum_column(PostLevel, "post_level"))
    bar_kind: Mapped[BarKind | None] = mapped_column(enum_column(BarKind, "bar_kind"))
    bar_reason: Mapped[str] = mapped_column(String(300), default="")
    # Where the cadre is also an in-service party member reporting to a community: M applies.
    member_id: Mapped[int | None] = mapped_column(ForeignKey("reporting_member.id", ondelete="SET NULL"))

    unit: Mapped[OrgUnit] = relationship()
    member: Mapped[ReportingMember | None] = relationship()
    projects: Mapped[list[Project]] = relationship(secondary=cadre_project, order_by="Project.id")

    @property
    def barred(self) -> bool:
        return self.bar_kind is not None

    @property
    def permission_units(self) -> list[OrgUnit]:
        return [self.unit]


class AppraisalCycle(TimestampMixin, db.Model):
    """One year's appraisal of one pool: the cadres of a unit at one level of post."""

    __tablename__ = "appraisal_cycle"
    __table_args__ = (
        UniqueConstraint("year", "unit_id", "post_level"),
        CheckConstraint("year BETWEEN 2000 AND 2100", name="year_in_range"),
        CheckConstraint("status = 'draft' OR proposed_at IS NOT NULL", name="proposed_has_time"),
        CheckConstraint(
            "status NOT IN ('notice', 'published') OR (notice_starts_on IS NOT NULL AND notice_ends_on IS NOT NULL)",
            name="notice_has_period"),
        CheckConstraint("notice_ends_on IS NULL OR notice_ends_on >= notice_starts_on", name="notice_in_order"),
        CheckConstraint("(status = 'published') = (published_at IS NOT NULL)", name="published_has_time"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id", ondelete="RESTRICT"), index=True)
    post_level: Mapped[PostLevel] = mapped_column(enum_column(PostLevel, "post_level"))
    status: Mapped[CycleStatus] = mapped_column(enum_column(CycleStatus, "cycle_status"), default=CycleStatus.draft)
    # weights, quota, rounding, excellent_min, bars: see operations.cycle_config
    config: Mapped[dict[str, Any]] = mapped_column(JSON)
    config_version: Mapped[str] = mapped_column(String(64))
    proposed_at: Mapped[datetime | None] = mapped_column(DateTime)
    notice_starts_on: Mapped[date | None] = mapped_column(Date)
    notice_ends_on: Mapped[date | None] = mapped_column(Date)
    published_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Pool summary (places, used, unused, tied) and the project appraisal, kept when computed.
    summary: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    unit: Mapped[OrgUnit] = relationship()
    appraisals: Mapped[list[Appraisal]] = relationship(back_populates="cycle", order_by="Appraisal.id")
    tallies: Mapped[list[BallotTally]] = relationship(back_populates="cycle")
    objections: Mapped[list[AppraisalObjection]] = relationship(back_populates="cycle", order_by="AppraisalObjection.id")

    @property
    def permission_units(self) -> list[OrgUnit]:
        return [self.unit]

    @property
    def frozen(self) -> bool:
        return self.status is CycleStatus.published

    @property
    def pool_label(self) -> str:
        return f"{self.unit.name} · {self.post_level.label}"


class Appraisal(TimestampMixin, db.Model):
    """One cadre in one cycle: inputs (J, K, bonus, deduction), gathered components, results."""

    __tablename__ = "appraisal"
    __table_args__ = (
        UniqueConstraint("cycle_id", "cadre_id"),
        CheckConstraint("regular_level IS NULL OR regular_level IN ('好', '较好', '一般', '较差')", name="known_level"),
        CheckConstraint("target_score IS NULL OR (target_score >= 0 AND target_score <= 100)", name="k_in_range"),
        CheckConstraint("bonus >= 0 AND deduction >= 0", name="adjustments_not_negative"),
        CheckConstraint("status IS NULL OR status IN ('ok', 'incomplete')", name="known_status"),
        CheckConstraint("(status = 'ok') = (composite IS NOT NULL)", name="ok_has_composite"),
        CheckConstraint("proposed_grade IS NULL OR proposed_grade IN ('excellent', 'competent', 'basic', 'incompetent')",
                        name="known_proposed_grade"),
        CheckConstraint("final_grade IS NULL OR final_grade IN ('excellent', 'competent', 'basic', 'incompetent')",
                        name="known_final_grade"),
        CheckConstraint("final_grade IS NULL OR final_grade = proposed_grade OR final_reason <> ''",
                        name="differing_grade_has_reason"),
        CheckConstraint("(final_grade IS NULL) = (confirmed_at IS NULL)", name="confirmed_has_time"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("appraisal_cycle.id", ondelete="CASCADE"), index=True)
    cadre_id: Mapped[int] = mapped_column(ForeignKey("cadre.id", ondelete="RESTRICT"), index=True)
    # Inputs
    regular_level: Mapped[str | None] = mapped_column(String(8))  # J
    target_score: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))  # K
    bonus: Mapped[Decimal] = mapped_column(Numeric(5, 2), default=Decimal(0))
    deduction: Mapped[Decimal] = mapped_column(Numeric(5, 2), default=Decimal(0))
    barred: Mapped[bool] = mapped_column(Boolean, default=False)  # as applied when computed
    # Gathered components (0-100, None when missing) and what they rest on
    d_score: Mapped[Decimal | None] = mapped_column(Numeric(7, 4))
    j_score: Mapped[Decimal | None] = mapped_column(Numeric(7, 4))
    k_score: Mapped[Decimal | None] = mapped_column(Numeric(7, 4))
    s_score: Mapped[Decimal | None] = mapped_column(Numeric(7, 4))
    m_score: Mapped[Decimal | None] = mapped_column(Numeric(7, 4))
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # Results
    status: Mapped[str | None] = mapped_column(String(16))
    composite: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    proposed_grade: Mapped[str | None] = mapped_column(String(16))
    flags: Mapped[str] = mapped_column(String(200), default="")  # comma separated
    rank: Mapped[int | None] = mapped_column(Integer)
    config_version: Mapped[str | None] = mapped_column(String(64))
    computed_at: Mapped[datetime | None] = mapped_column(DateTime)
    # The committee's decision
    final_grade: Mapped[str | None] = mapped_column(String(16))
    final_reason: Mapped[str] = mapped_column(Text, default="")
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime)

    cycle: Mapped[AppraisalCycle] = relationship(back_populates="appraisals")
    cadre: Mapped[Cadre] = relationship()
    confirmed_by: Mapped[User | None] = relationship()

    @property
    def permission_units(self) -> list[OrgUnit]:
        return [self.cycle.unit]

    @property
    def flag_list(self) -> list[str]:
        return [f for f in (self.flags or "").split(",") if f]

    def component(self, name: str) -> Decimal | None:
        return getattr(self, f"{name.lower()}_score")


class BallotTally(TimestampMixin, db.Model):
    """Democratic evaluation (民主测评) of one cadre in one cycle, as counted."""

    __tablename__ = "ballot_tally"
    __table_args__ = (
        UniqueConstraint("cycle_id", "cadre_id"),
        CheckConstraint("excellent >= 0 AND competent >= 0 AND basic >= 0 AND incompetent >= 0 AND void >= 0",
                        name="counts_not_negative"),
        CheckConstraint("source IN ('tally', 'paper')", name="known_source"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("appraisal_cycle.id", ondelete="CASCADE"), index=True)
    cadre_id: Mapped[int] = mapped_column(ForeignKey("cadre.id", ondelete="RESTRICT"), index=True)
    excellent: Mapped[int] = mapped_column(Integer, default=0)
    competent: Mapped[int] = mapped_column(Integer, default=0)
    basic: Mapped[int] = mapped_column(Integer, default=0)
    incompetent: Mapped[int] = mapped_column(Integer, default=0)
    void: Mapped[int] = mapped_column(Integer, default=0)
    source: Mapped[str] = mapped_column(String(8), default="tally")

    cycle: Mapped[AppraisalCycle] = relationship(back_populates="tallies")
    cadre: Mapped[Cadre] = relationship()

    @property
    def votes(self) -> dict[str, int]:
        return {c: int(getattr(self, c) or 0) for c in BALLOT_CHOICES}

    @property
    def valid(self) -> int:
        return sum(self.votes.values())


class PaperBallot(TimestampMixin, db.Model):
    """One paper ballot keyed in: the boxes ticked as read; void when not exactly one."""

    __tablename__ = "paper_ballot"
    __table_args__ = (
        UniqueConstraint("cycle_id", "cadre_id", "serial"),
        CheckConstraint("(choice IS NULL) = (void_reason IS NOT NULL)", name="void_has_reason"),
        CheckConstraint("choice IS NULL OR choice IN ('excellent', 'competent', 'basic', 'incompetent')",
                        name="known_choice"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("appraisal_cycle.id", ondelete="CASCADE"), index=True)
    cadre_id: Mapped[int] = mapped_column(ForeignKey("cadre.id", ondelete="RESTRICT"), index=True)
    serial: Mapped[int] = mapped_column(Integer)
    marks: Mapped[str] = mapped_column(String(64), default="")  # boxes ticked, comma separated
    choice: Mapped[str | None] = mapped_column(String(16))
    void_reason: Mapped[str | None] = mapped_column(String(64))


class AppraisalObjection(TimestampMixin, db.Model):
    """An objection raised during the public notice of proposed excellent cadres."""

    __tablename__ = "appraisal_objection"
    __table_args__ = (
        CheckConstraint("(answer IS NULL) = (answered_at IS NULL)", name="answer_has_time"),
        CheckConstraint("outcome IS NULL OR outcome IN ('upheld', 'dismissed')", name="known_outcome"),
        CheckConstraint("(outcome IS NULL) = (answer IS NULL)", name="answer_has_outcome"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("appraisal_cycle.id", ondelete="CASCADE"), index=True)
    appraisal_id: Mapped[int | None] = mapped_column(ForeignKey("appraisal.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    received_on: Mapped[date] = mapped_column(Date)
    answer: Mapped[str | None] = mapped_column(Text)
    outcome: Mapped[str | None] = mapped_column(String(16))
    answered_at: Mapped[datetime | None] = mapped_column(DateTime)

    cycle: Mapped[AppraisalCycle] = relationship(back_populates="objections")
    appraisal: Mapped[Appraisal | None] = relationship()
