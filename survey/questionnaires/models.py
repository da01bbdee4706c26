"""Questionnaires and their versions, campaigns, household codes, responses and answers."""
from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON, Boolean, CheckConstraint, Date, DateTime, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.core.db import TimestampMixin, enum_column
from survey.extensions import db
from survey.orgs.models import OrgUnit
from survey.projects.models import Project
from survey.questionnaires.questions import question_type


class VersionStatus(enum.Enum):
    draft = "draft"
    published = "published"


class Questionnaire(TimestampMixin, db.Model):
    __tablename__ = "questionnaire"

    id: Mapped[int] = mapped_column(primary_key=True)
    # District or street questionnaires are templates that communities below them reuse.
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id", ondelete="RESTRICT"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    is_template: Mapped[bool] = mapped_column(Boolean, default=False)

    unit: Mapped[OrgUnit] = relationship()
    versions: Mapped[list[QuestionnaireVersion]] = relationship(
        back_populates="questionnaire", order_by="QuestionnaireVersion.number"
    )

    @property
    def permission_units(self) -> list[OrgUnit]:
        return [self.unit]

    @property
    def draft(self) -> QuestionnaireVersion | None:
        return next((v for v in self.versions if v.status is VersionStatus.draft), None)

    @property
    def latest_published(self) -> QuestionnaireVersion | None:
        published = [v for v in self.versions if v.status is VersionStatus.published]
        return published[-1] if published else None


class QuestionnaireVersion(TimestampMixin, db.Model):
    """A published version is frozen (see ``operations``); a response points at its version."""

    __tablename__ = "questionnaire_version"
    __table_args__ = (
        UniqueConstraint("questionnaire_id", "number"),
        CheckConstraint("number >= 1", name="number_positive"),
        CheckConstraint("(status = 'published') = (published_at IS NOT NULL)", name="published_has_time"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_id: Mapped[int] = mapped_column(ForeignKey("questionnaire.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[VersionStatus] = mapped_column(enum_column(VersionStatus, "version_status"), default=VersionStatus.draft)
    intro: Mapped[str] = mapped_column(Text, default="")
    # [{"key", "type", "text", "required", "weight", "overall", "section", "options", "points", "dont_know"}]
    questions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    published_at: Mapped[datetime | None] = mapped_column(DateTime)

    questionnaire: Mapped[Questionnaire] = relationship(back_populates="versions")

    @property
    def is_frozen(self) -> bool:
        return self.status is VersionStatus.published

    def question_types(self):
        return [question_type(spec) for spec in self.questions]

    @property
    def scored_questions(self):
        return [q for q in self.question_types() if q.scored]

    @property
    def overall_key(self) -> str | None:
        return next((q["key"] for q in self.questions if q.get("overall")), None)


class CampaignStatus(enum.Enum):
    draft = "draft"
    open = "open"
    closed = "closed"

    @property
    def label(self):
        return {CampaignStatus.draft: _l("Draft"), CampaignStatus.open: _l("Open"), CampaignStatus.closed: _l("Closed")}[self]


class AccessMode(enum.Enum):
    codes = "codes"
    open_link = "open_link"
    both = "both"

    @property
    def label(self):
        return {
            AccessMode.codes: _l("Household codes"),
            AccessMode.open_link: _l("Open link"),
            AccessMode.both: _l("Household codes and open link"),
        }[self]

    @property
    def uses_codes(self) -> bool:
        return self is not AccessMode.open_link

    @property
    def uses_link(self) -> bool:
        return self is not AccessMode.codes


class Campaign(TimestampMixin, db.Model):
    __tablename__ = "campaign"
    __table_args__ = (
        CheckConstraint("closes_on >= opens_on", name="dates_in_order"),
        CheckConstraint("(status = 'closed') = (closed_at IS NOT NULL)", name="closed_has_time"),
        CheckConstraint("target_type <> 'project' OR project_id IS NOT NULL", name="project_target_has_project"),
        CheckConstraint("target_type <> 'member' OR member_id IS NOT NULL", name="member_target_has_member"),
        CheckConstraint("target_type IN ('project', 'member')", name="known_target_type"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id", ondelete="RESTRICT"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("questionnaire_version.id", ondelete="RESTRICT"), index=True)
    target_type: Mapped[str] = mapped_column(String(32), default="project")
    project_id: Mapped[int | None] = mapped_column(ForeignKey("project.id", ondelete="RESTRICT"), index=True)
    # A half-year rating of a reporting party member's service (survey.appraisal), target "member".
    member_id: Mapped[int | None] = mapped_column(ForeignKey("reporting_member.id", ondelete="RESTRICT"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[CampaignStatus] = mapped_column(enum_column(CampaignStatus, "campaign_status"), default=CampaignStatus.draft)
    access_mode: Mapped[AccessMode] = mapped_column(enum_column(AccessMode, "access_mode"), default=AccessMode.codes)
    opens_on: Mapped[date] = mapped_column(Date)
    closes_on: Mapped[date] = mapped_column(Date)
    results_on: Mapped[date | None] = mapped_column(Date)  # "结果将于X月X日在社区公示栏公布"
    link_token: Mapped[str] = mapped_column(String(32), unique=True)
    opened_at: Mapped[datetime | None] = mapped_column(DateTime)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)
    frozen_result: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    unit: Mapped[OrgUnit] = relationship()
    version: Mapped[QuestionnaireVersion] = relationship()
    project: Mapped[Project | None] = relationship()
    member = relationship("ReportingMember")  # survey.appraisal.models: rated each half-year

    @property
    def permission_units(self) -> list[OrgUnit]:
        return [self.unit]


class InvitationCode(db.Model):
    """One household's single-use code. It names the grid, never the response it was spent on."""

    __tablename__ = "invitation_code"
    __table_args__ = (CheckConstraint("spent = (spent_on IS NOT NULL)", name="spent_has_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"), index=True)
    grid_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id", ondelete="RESTRICT"), index=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    spent: Mapped[bool] = mapped_column(Boolean, default=False)
    # The day only: a time would let someone line codes up with responses.
    spent_on: Mapped[date | None] = mapped_column(Date)

    campaign: Mapped[Campaign] = relationship()
    grid: Mapped[OrgUnit] = relationship()


class ResponseChannel(enum.Enum):
    code = "code"
    open_link = "open_link"
    assisted = "assisted"


class Response(db.Model):
    __tablename__ = "response"
    __table_args__ = (
        CheckConstraint("duration_seconds IS NULL OR duration_seconds >= 0", name="duration_not_negative"),
        CheckConstraint("excluded = (excluded_reason IS NOT NULL)", name="excluded_has_reason"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="RESTRICT"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("questionnaire_version.id", ondelete="RESTRICT"))
    # Generated when the form was shown and sent back with it: a retried submission finds its row.
    submission_id: Mapped[str] = mapped_column(String(64), unique=True)
    receipt: Mapped[str] = mapped_column(String(16), unique=True)
    grid_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id", ondelete="RESTRICT"), index=True)
    channel: Mapped[ResponseChannel] = mapped_column(enum_column(ResponseChannel, "response_channel"))
    assisted: Mapped[bool] = mapped_column(Boolean, default=False)
    submitted_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    duration_seconds: Mapped[float | None] = mapped_column(Float)
    excluded: Mapped[bool] = mapped_column(Boolean, default=False)
    excluded_reason: Mapped[str | None] = mapped_column(String(200))
    # The scale answers in the version's order, one digit each ("0" = don't know or unanswered),
    # derived from the answer rows when the response is stored. Scoring a large campaign reads
    # this one column instead of every answer row.
    scale_answers: Mapped[str | None] = mapped_column(String(64))

    campaign: Mapped[Campaign] = relationship()
    version: Mapped[QuestionnaireVersion] = relationship()
    grid: Mapped[OrgUnit | None] = relationship()
    answers: Mapped[list[Answer]] = relationship(back_populates="response", cascade="all, delete-orphan")


class Answer(db.Model):
    __tablename__ = "answer"
    __table_args__ = (
        CheckConstraint("value_num IS NOT NULL OR value_text IS NOT NULL", name="has_value"),
        # Distributions read one question's answers across a campaign.
        Index("ix_answer_question_key_response_id", "question_key", "response_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("response.id", ondelete="CASCADE"), index=True)
    question_key: Mapped[str] = mapped_column(String(32))
    value_num: Mapped[float | None] = mapped_column(Float)
    value_text: Mapped[str | None] = mapped_column(Text)

    response: Mapped[Response] = relationship(back_populates="answers")
