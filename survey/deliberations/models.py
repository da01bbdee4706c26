"""Matters and the records of their five stages.

Stage records are append-only: a matter sent back and done again gets a new record, and the
latest one is the one the guards read. Every write also goes to the hash-chained audit log.
"""
from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.core.db import TimestampMixin, enum_column, utcnow
from survey.deliberations.workflow import Body, MoveKind, SourceKind, Stage
from survey.extensions import db
from survey.orgs.models import OrgUnit

STAGE_LABELS = {
    Stage.proposal: _l("Proposal"),
    Stage.motion: _l("Motion"),
    Stage.consultation: _l("Consultation"),
    Stage.public_review: _l("Public review"),
    Stage.evaluation: _l("Evaluation"),
    Stage.closed: _l("Closed"),
    Stage.rejected: _l("Rejected"),
    Stage.withdrawn: _l("Withdrawn"),
}
SOURCE_LABELS = {
    SourceKind.resident_opinion: _l("A resident's opinion"),
    SourceKind.grid: _l("A grid"),
    SourceKind.party_organisation: _l("The party organisation"),
    SourceKind.joint_signatures: _l("Residents' joint signatures"),
}
BODY_LABELS = {
    Body.residents_meeting: _l("Residents' meeting"),
    Body.residents_representatives: _l("Residents' representatives' meeting"),
    Body.villagers_meeting: _l("Villagers' meeting"),
    Body.villagers_representatives: _l("Villagers' representatives' meeting"),
}
MOVE_LABELS = {
    MoveKind.forward: _l("Moved on"),
    MoveKind.back: _l("Sent back"),
    MoveKind.reject: _l("Rejected"),
    MoveKind.withdraw: _l("Withdrawn"),
}


class AttachmentKind(enum.Enum):
    sign_in_sheet = "sign_in_sheet"
    minutes = "minutes"
    other = "other"

    @property
    def label(self):
        return {
            AttachmentKind.sign_in_sheet: _l("Sign-in sheet"),
            AttachmentKind.minutes: _l("Minutes"),
            AttachmentKind.other: _l("Other document"),
        }[self]


class DeliberationSettings(db.Model):
    """A community's own rules: only ever stricter than the law and the defaults."""

    __tablename__ = "deliberation_settings"
    __table_args__ = (
        CheckConstraint("review_days >= 7", name="review_days_at_least_default"),
        CheckConstraint("min_signatures >= 1", name="min_signatures_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id", ondelete="CASCADE"), unique=True)
    review_days: Mapped[int] = mapped_column(Integer, default=7)
    min_signatures: Mapped[int] = mapped_column(Integer, default=10)
    # {body: {"quorum": {"num", "den", "strict"}, "households": {...} | null, "majority": {...}}}
    quorum_rules: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    unit: Mapped[OrgUnit] = relationship()


class Matter(TimestampMixin, db.Model):
    __tablename__ = "matter"
    __table_args__ = (
        CheckConstraint("(stage IN ('rejected', 'withdrawn')) = (end_reason IS NOT NULL)", name="ending_has_reason"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id", ondelete="RESTRICT"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    stage: Mapped[Stage] = mapped_column(enum_column(Stage, "matter_stage"), default=Stage.proposal, index=True)
    end_reason: Mapped[str | None] = mapped_column(Text)
    stage_since: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    unit: Mapped[OrgUnit] = relationship()
    transitions: Mapped[list[MatterTransition]] = relationship(
        back_populates="matter", order_by="MatterTransition.id", cascade="all, delete-orphan"
    )
    proposals: Mapped[list[Proposal]] = relationship(order_by="Proposal.id", cascade="all, delete-orphan")
    motions: Mapped[list[Motion]] = relationship(order_by="Motion.id", cascade="all, delete-orphan")
    consultations: Mapped[list[Consultation]] = relationship(order_by="Consultation.id", cascade="all, delete-orphan")
    reviews: Mapped[list[PublicReview]] = relationship(order_by="PublicReview.id", cascade="all, delete-orphan")
    evaluations: Mapped[list[Evaluation]] = relationship(order_by="Evaluation.id", cascade="all, delete-orphan")
    attachments: Mapped[list[Attachment]] = relationship(order_by="Attachment.id", cascade="all, delete-orphan")

    @property
    def permission_units(self) -> list[OrgUnit]:
        return [self.unit]

    @property
    def stage_label(self):
        return STAGE_LABELS[self.stage]

    @property
    def proposal(self) -> Proposal | None:
        return self.proposals[-1] if self.proposals else None

    @property
    def motion(self) -> Motion | None:
        return self.motions[-1] if self.motions else None

    @property
    def consultation(self) -> Consultation | None:
        return self.consultations[-1] if self.consultations else None

    @property
    def review(self) -> PublicReview | None:
        return self.reviews[-1] if self.reviews else None

    @property
    def evaluation(self) -> Evaluation | None:
        return self.evaluations[-1] if self.evaluations else None


class MatterTransition(db.Model):
    """One stage change: who, when, from, to, and why (required for every move but forward)."""

    __tablename__ = "matter_transition"
    __table_args__ = (
        CheckConstraint("kind = 'forward' OR reason IS NOT NULL", name="non_forward_has_reason"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    matter_id: Mapped[int] = mapped_column(ForeignKey("matter.id", ondelete="CASCADE"), index=True)
    from_stage: Mapped[Stage] = mapped_column(enum_column(Stage, "transition_from_stage"))
    to_stage: Mapped[Stage] = mapped_column(enum_column(Stage, "transition_to_stage"))
    kind: Mapped[MoveKind] = mapped_column(enum_column(MoveKind, "transition_kind"))
    reason: Mapped[str | None] = mapped_column(Text)
    actor_id: Mapped[int | None] = mapped_column(Integer)  # no FK: the record outlives accounts
    actor_name: Mapped[str] = mapped_column(String(120))
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    matter: Mapped[Matter] = relationship(back_populates="transitions")

    @property
    def kind_label(self):
        return MOVE_LABELS[self.kind]


class Proposal(TimestampMixin, db.Model):
    __tablename__ = "matter_proposal"
    __table_args__ = (
        CheckConstraint("signatures IS NULL OR signatures >= 1", name="signatures_positive"),
        CheckConstraint("source_kind <> 'joint_signatures' OR signatures IS NOT NULL", name="joint_has_signatures"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    matter_id: Mapped[int] = mapped_column(ForeignKey("matter.id", ondelete="CASCADE"), index=True)
    source_kind: Mapped[SourceKind] = mapped_column(enum_column(SourceKind, "proposal_source_kind"))
    source_detail: Mapped[str] = mapped_column(Text, default="")  # who raised it, and why
    source_reference: Mapped[str | None] = mapped_column(String(64))  # e.g. the opinion's tracking code
    signatures: Mapped[int | None] = mapped_column(Integer)

    @property
    def source_label(self):
        return SOURCE_LABELS[self.source_kind]


class Motion(TimestampMixin, db.Model):
    """The community party organisation's meeting that puts the matter on the agenda (or not)."""

    __tablename__ = "matter_motion"

    id: Mapped[int] = mapped_column(primary_key=True)
    matter_id: Mapped[int] = mapped_column(ForeignKey("matter.id", ondelete="CASCADE"), index=True)
    meeting_on: Mapped[date] = mapped_column(Date)
    attendees: Mapped[str] = mapped_column(Text)
    proceed: Mapped[bool] = mapped_column(default=True)
    decision: Mapped[str] = mapped_column(Text)


class Consultation(TimestampMixin, db.Model):
    __tablename__ = "matter_consultation"
    __table_args__ = (
        CheckConstraint("eligible_persons >= 1", name="eligible_positive"),
        CheckConstraint("present_persons >= 0 AND present_persons <= eligible_persons", name="present_within_eligible"),
        CheckConstraint(
            "votes_for >= 0 AND votes_against >= 0 AND votes_abstain >= 0 "
            "AND votes_for + votes_against + votes_abstain <= present_persons",
            name="votes_within_present",
        ),
        CheckConstraint(
            "(eligible_households IS NULL) = (present_households IS NULL)", name="households_both_or_neither"
        ),
        CheckConstraint(
            "eligible_households IS NULL OR (eligible_households >= 1 AND present_households >= 0 "
            "AND present_households <= eligible_households)",
            name="households_within_eligible",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    matter_id: Mapped[int] = mapped_column(ForeignKey("matter.id", ondelete="CASCADE"), index=True)
    body: Mapped[Body] = mapped_column(enum_column(Body, "deciding_body"))
    held_on: Mapped[date] = mapped_column(Date)
    eligible_persons: Mapped[int] = mapped_column(Integer)
    present_persons: Mapped[int] = mapped_column(Integer)
    eligible_households: Mapped[int | None] = mapped_column(Integer)
    present_households: Mapped[int | None] = mapped_column(Integer)
    votes_for: Mapped[int] = mapped_column(Integer)
    votes_against: Mapped[int] = mapped_column(Integer)
    votes_abstain: Mapped[int] = mapped_column(Integer)
    minutes: Mapped[str] = mapped_column(Text, default="")
    # The rule applied, copied when recorded: a later tightening does not rewrite the past.
    rule: Mapped[dict[str, Any]] = mapped_column(JSON)

    @property
    def body_label(self):
        return BODY_LABELS[self.body]


class Attachment(db.Model):
    """A scanned sign-in sheet or minutes. Stored under the instance folder by a random name."""

    __tablename__ = "matter_attachment"
    __table_args__ = (
        CheckConstraint("size_bytes > 0", name="size_positive"),
        CheckConstraint("content_type IN ('application/pdf', 'image/jpeg', 'image/png')", name="allowed_type"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    matter_id: Mapped[int] = mapped_column(ForeignKey("matter.id", ondelete="CASCADE"), index=True)
    stage: Mapped[Stage] = mapped_column(enum_column(Stage, "attachment_stage"))
    kind: Mapped[AttachmentKind] = mapped_column(enum_column(AttachmentKind, "attachment_kind"))
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    content_type: Mapped[str] = mapped_column(String(32))
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    uploaded_by: Mapped[str] = mapped_column(String(120))

    @property
    def stage_label(self):
        return STAGE_LABELS[self.stage]


class PublicReview(TimestampMixin, db.Model):
    __tablename__ = "matter_review"
    __table_args__ = (CheckConstraint("ends_on > starts_on", name="ends_after_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    matter_id: Mapped[int] = mapped_column(ForeignKey("matter.id", ondelete="CASCADE"), index=True)
    notice: Mapped[str] = mapped_column(Text)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)  # objections are accepted until the end of the day before

    objections: Mapped[list[Objection]] = relationship(
        back_populates="review", order_by="Objection.id", cascade="all, delete-orphan"
    )

    @property
    def unanswered(self) -> list[Objection]:
        return [o for o in self.objections if o.answer is None]

    @property
    def last_day(self) -> date:
        from datetime import timedelta

        return self.ends_on - timedelta(days=1)


class Objection(db.Model):
    """A resident's objection during public review. Name and contact are never shown publicly."""

    __tablename__ = "matter_objection"
    __table_args__ = (
        CheckConstraint("(answer IS NULL) = (answered_at IS NULL)", name="answer_has_time"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("matter_review.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    name: Mapped[str | None] = mapped_column(String(60))
    contact: Mapped[str | None] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    answer: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None] = mapped_column(DateTime)
    answered_by: Mapped[str | None] = mapped_column(String(120))

    review: Mapped[PublicReview] = relationship(back_populates="objections")


class Evaluation(TimestampMixin, db.Model):
    """The satisfaction campaign that rates the matter after implementation, and its frozen result."""

    __tablename__ = "matter_evaluation"

    id: Mapped[int] = mapped_column(primary_key=True)
    matter_id: Mapped[int] = mapped_column(ForeignKey("matter.id", ondelete="CASCADE"), index=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="RESTRICT"), index=True)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    campaign = relationship("Campaign")
