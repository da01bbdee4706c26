"""Verbs on matters. Each changes the records, writes the audit log and flushes; the view commits.

Every audit entry of a matter is written on the object ("matter", id) so that the matter's own
trail (and its public verification page) is one query; the payload names the record.
"""
from __future__ import annotations

import hashlib
import io
import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from survey.core import audit
from survey.core.db import utcnow
from survey.core.errors import DomainError
from survey.core.i18n import local_date, local_today  # noqa: F401  (also used as ops.local_today)
from survey.deliberations import workflow as wf
from survey.deliberations.models import (
    Attachment, AttachmentKind, Consultation, DeliberationSettings, Matter, MatterTransition, Motion, Objection,
    Proposal, PublicReview,
)
from survey.deliberations.models import Evaluation
from survey.deliberations.workflow import Body, SourceKind, Stage
from survey.extensions import db
from survey.orgs.models import OrgLevel, OrgUnit

OBJECTION_MAX_CHARS = 1000


class MoveRefused(DomainError):
    """A move the guards refuse; ``reasons`` are the structured refusals for the view to word."""

    def __init__(self, reasons: list[wf.Refusal]):
        super().__init__(_l("The move is not allowed yet."))
        self.reasons = reasons


def _audit(action: str, matter: Matter, actor, payload: dict[str, Any] | None = None) -> None:
    audit.record(action, ("matter", matter.id), actor=actor, unit=matter.unit, payload=payload or {})


def _actor_name(actor) -> str:
    return getattr(actor, "username", None) or "system"


# --- settings --------------------------------------------------------------------------------


def community_rules(unit: OrgUnit) -> wf.CommunityRules:
    settings = db.session.scalar(select(DeliberationSettings).filter_by(unit_id=unit.id))
    if settings is None:
        return wf.CommunityRules()
    return wf.rules_from_data(settings.quorum_rules, settings.review_days, settings.min_signatures)


def set_community_rules(actor, unit: OrgUnit, rules: wf.CommunityRules) -> DeliberationSettings:
    """Store a community's own rules; refused when any part would loosen the law or the defaults."""
    problems = wf.tightening_refusals(rules)
    if problems:
        raise MoveRefused(problems)
    settings = db.session.scalar(select(DeliberationSettings).filter_by(unit_id=unit.id))
    if settings is None:
        settings = DeliberationSettings(unit=unit)
        db.session.add(settings)
    settings.review_days = rules.review_days
    settings.min_signatures = rules.min_signatures
    settings.quorum_rules = {body.value: rules.rule(body).as_data() for body in Body}
    db.session.flush()
    audit.record("deliberation.settings", settings, actor=actor, unit=unit, payload={
        "review_days": rules.review_days, "min_signatures": rules.min_signatures, "quorum": settings.quorum_rules,
    })
    return settings


# --- matters ---------------------------------------------------------------------------------


def create_matter(
    actor, unit: OrgUnit, title: str, description: str, source_kind: SourceKind | str, source_detail: str,
    signatures: int | None = None, *, source_reference: str | None = None,
) -> Matter:
    """A new matter in the proposal stage, with its proposal record.

    The opinion box calls this to turn a resident's opinion into a proposal
    (``source_kind="resident_opinion"``, ``source_reference`` = the opinion's tracking code).
    """
    if unit.level is not OrgLevel.community:
        raise DomainError(_("Matters belong to a community or village."))
    source_kind = SourceKind(source_kind)
    title = (title or "").strip()
    if not title:
        raise DomainError(_("A matter needs a title."))
    if source_kind is SourceKind.joint_signatures:
        if not signatures or signatures < 1:
            raise DomainError(_("Give the number of residents who signed."))
    elif signatures is not None:
        signatures = None
    matter = Matter(unit=unit, title=title[:200], description=(description or "").strip(), stage=Stage.proposal,
                    stage_since=utcnow())
    proposal = Proposal(source_kind=source_kind, source_detail=(source_detail or "").strip(),
                        source_reference=(source_reference or None) and source_reference[:64], signatures=signatures)
    matter.proposals.append(proposal)
    db.session.add(matter)
    db.session.flush()
    _audit("matter.create", matter, actor, {
        "title": matter.title, "description": matter.description, "source_kind": source_kind.value,
        "source_detail": proposal.source_detail, "source_reference": proposal.source_reference,
        "signatures": signatures, "proposal": proposal.id,
    })
    return matter


def _require_stage(matter: Matter, *stages: Stage) -> None:
    if matter.stage not in stages:
        from survey.deliberations.models import STAGE_LABELS

        raise DomainError(_("This cannot be recorded while the matter is at the stage: %(stage)s.",
                            stage=STAGE_LABELS[matter.stage]))


def record_motion(actor, matter: Matter, meeting_on: date, attendees: str, proceed: bool, decision: str) -> Motion:
    _require_stage(matter, Stage.motion)
    if not (attendees or "").strip() or not (decision or "").strip():
        raise DomainError(_("Give the attendees and the decision of the meeting."))
    motion = Motion(meeting_on=meeting_on, attendees=attendees.strip(), proceed=bool(proceed), decision=decision.strip())
    matter.motions.append(motion)
    db.session.flush()
    _audit("matter.motion", matter, actor, {
        "motion": motion.id, "meeting_on": meeting_on, "attendees": motion.attendees, "proceed": motion.proceed,
        "decision": motion.decision,
    })
    return motion


def record_consultation(
    actor, matter: Matter, body: Body | str, held_on: date, eligible_persons: int, present_persons: int,
    votes_for: int, votes_against: int, votes_abstain: int, minutes: str = "",
    eligible_households: int | None = None, present_households: int | None = None,
) -> Consultation:
    _require_stage(matter, Stage.consultation)
    body = Body(body)
    if (eligible_households is None) != (present_households is None):
        raise DomainError(_("Give both the households eligible and the households present, or neither."))
    numbers = [eligible_persons, present_persons, votes_for, votes_against, votes_abstain]
    if any(n is None or n < 0 for n in numbers) or eligible_persons < 1:
        raise DomainError(_("The figures must be whole numbers, the eligible count at least 1."))
    if present_persons > eligible_persons:
        raise DomainError(_("More people present than eligible: check the figures."))
    if votes_for + votes_against + votes_abstain > present_persons:
        raise DomainError(_("More votes than people present: check the figures."))
    if eligible_households is not None and (eligible_households < 1 or not 0 <= present_households <= eligible_households):
        raise DomainError(_("More households present than eligible: check the figures."))
    rule = community_rules(matter.unit).rule(body)
    consultation = Consultation(
        body=body, held_on=held_on, eligible_persons=eligible_persons, present_persons=present_persons,
        eligible_households=eligible_households, present_households=present_households, votes_for=votes_for,
        votes_against=votes_against, votes_abstain=votes_abstain, minutes=(minutes or "").strip(), rule=rule.as_data(),
    )
    matter.consultations.append(consultation)
    db.session.flush()
    _audit("matter.consultation", matter, actor, {
        "consultation": consultation.id, "body": body.value, "held_on": held_on, "eligible": eligible_persons,
        "present": present_persons, "eligible_households": eligible_households,
        "present_households": present_households, "for": votes_for, "against": votes_against,
        "abstain": votes_abstain, "minutes": consultation.minutes, "rule": consultation.rule,
    })
    return consultation


# --- attachments -----------------------------------------------------------------------------

# Magic bytes: the type is what the content is, whatever the name or the browser claims.
SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
)


def sniff(data: bytes) -> tuple[str, str] | None:
    """The file's real type, from its content: the first bytes, and then the whole file must hold
    together (an image decodes, a PDF ends with its end-of-file marker), so that a renamed file
    or a header glued onto something else is refused."""
    for magic, content_type, extension in SIGNATURES:
        if data.startswith(magic):
            return (content_type, extension) if _whole(data, content_type) else None
    return None


def _whole(data: bytes, content_type: str) -> bool:
    if content_type == "application/pdf":
        return b"%%EOF" in data[-1024:]
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            if Image.MIME.get(image.format) != content_type:
                return False
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return False
    return True


def attachment_dir() -> Path:
    return Path(current_app.instance_path) / "attachments"


def max_attachment_bytes() -> int:
    return int(current_app.config["ATTACHMENT_MAX_BYTES"])


def clean_display_name(name: str | None, extension: str) -> str:
    """What the committee sees in the list: the last path part, no control characters, short."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if ch.isprintable() and ch not in '<>:"|?*').strip(" .")
    stem = base.rsplit(".", 1)[0] if "." in base else base
    return f"{stem[:100] or 'file'}.{extension}"


def add_attachment(actor, matter: Matter, data: bytes, filename: str | None, kind: AttachmentKind | str) -> Attachment:
    if matter.stage.is_final:
        raise DomainError(_("The matter is finished; nothing can be attached any more."))
    limit = max_attachment_bytes()
    if not data:
        raise DomainError(_("The file is empty."))
    if len(data) > limit:
        raise DomainError(_("The file is larger than %(mb)s MB.", mb=f"{limit / 1024 / 1024:g}"))
    sniffed = sniff(data)
    if sniffed is None:
        raise DomainError(_("Only PDF, JPG and PNG files can be attached."))
    content_type, extension = sniffed
    stored_name = f"{secrets.token_hex(16)}.{extension}"
    folder = attachment_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / stored_name
    temporary = path.with_suffix(".part")
    temporary.write_bytes(data)
    temporary.replace(path)
    attachment = Attachment(
        stage=matter.stage, kind=AttachmentKind(kind), stored_name=stored_name,
        display_name=clean_display_name(filename, extension), content_type=content_type, size_bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(), uploaded_at=utcnow(), uploaded_by=_actor_name(actor),
    )
    matter.attachments.append(attachment)
    db.session.flush()
    _audit("matter.attachment", matter, actor, {
        "attachment": attachment.id, "kind": attachment.kind.value, "stage": attachment.stage.value,
        "name": attachment.display_name, "type": content_type, "size": len(data), "sha256": attachment.sha256,
    })
    return attachment


def attachment_path(attachment: Attachment) -> Path:
    # The stored name is ours (hex + extension), never the uploader's; check anyway.
    name = attachment.stored_name
    if "/" in name or "\\" in name or name.startswith("."):
        raise DomainError(_("The file cannot be found."))
    return attachment_dir() / name


# --- public review ---------------------------------------------------------------------------


def start_public_review(actor, matter: Matter, notice: str, starts_on: date | None = None, days: int | None = None) -> PublicReview:
    _require_stage(matter, Stage.public_review)
    if not (notice or "").strip():
        raise DomainError(_("Write the text of the public notice."))
    rules = community_rules(matter.unit)
    days = rules.review_days if days is None else days
    if days < rules.review_days:
        raise DomainError(_("The public review lasts at least %(days)d days.", days=rules.review_days))
    current = matter.review
    if current is not None and current.objections and _review_is_current(matter, current):
        raise DomainError(_("This public review already has objections; it cannot be restarted."))
    starts_on = starts_on or local_today()
    review = PublicReview(notice=notice.strip(), starts_on=starts_on, ends_on=starts_on + timedelta(days=days))
    matter.reviews.append(review)
    db.session.flush()
    _audit("matter.review", matter, actor, {
        "review": review.id, "notice": review.notice, "starts_on": review.starts_on, "ends_on": review.ends_on,
    })
    return review


def _review_is_current(matter: Matter, review: PublicReview) -> bool:
    """The review belongs to the present public-review stage (not to one before a send-back)."""
    entered = _entered_current_stage(matter)
    return entered is None or review.created_at >= entered


def _entered_current_stage(matter: Matter):
    for transition in reversed(matter.transitions):
        if transition.to_stage is matter.stage:
            return transition.at
    return None


def current_review(matter: Matter) -> PublicReview | None:
    review = matter.review
    if review is None or matter.stage is not Stage.public_review or not _review_is_current(matter, review):
        return None
    return review


def accepting_objections(matter: Matter, today: date | None = None) -> bool:
    review = current_review(matter)
    today = today or local_today()
    return review is not None and review.starts_on <= today < review.ends_on


def add_objection(matter: Matter, text: str, name: str | None = None, contact: str | None = None,
                  today: date | None = None) -> Objection:
    """A resident's objection from the public board (no account)."""
    if not accepting_objections(matter, today):
        raise DomainError(_("This matter is not in public review; objections are closed."))
    text = (text or "").strip()
    if not text:
        raise DomainError(_("Write your objection."))
    if len(text) > OBJECTION_MAX_CHARS:
        raise DomainError(_("Please keep it under %(n)d characters.", n=OBJECTION_MAX_CHARS))
    review = matter.review
    objection = Objection(text=text, name=(name or "").strip()[:60] or None, contact=(contact or "").strip()[:60] or None,
                          created_at=utcnow())
    review.objections.append(objection)
    db.session.flush()
    # Name and contact are private: they stay out of the log, which auditors read.
    _audit("matter.objection", matter, None, {"review": review.id, "objection": objection.id, "text": text})
    return objection


def answer_objection(actor, matter: Matter, objection: Objection, answer: str) -> Objection:
    if objection.review.matter_id != matter.id:
        raise DomainError(_("This objection belongs to another matter."))
    if matter.stage.is_final:
        raise DomainError(_("The matter is finished."))
    answer = (answer or "").strip()
    if not answer:
        raise DomainError(_("Write the answer."))
    if objection.answer is not None:
        raise DomainError(_("This objection has already been answered."))
    objection.answer = answer
    objection.answered_at = utcnow()
    objection.answered_by = _actor_name(actor)
    db.session.flush()
    _audit("matter.objection_answer", matter, actor, {"objection": objection.id, "answer": answer})
    return objection


# --- evaluation ------------------------------------------------------------------------------


def link_evaluation(actor, matter: Matter, campaign) -> Evaluation:
    _require_stage(matter, Stage.evaluation)
    if not matter.unit.contains(campaign.unit) and campaign.unit.id != matter.unit.id:
        raise DomainError(_("The campaign belongs to another community."))
    evaluation = Evaluation(campaign_id=campaign.id)
    evaluation.campaign = campaign
    matter.evaluations.append(evaluation)
    db.session.flush()
    _audit("matter.evaluation", matter, actor, {"evaluation": evaluation.id, "campaign": campaign.id})
    return evaluation


# --- moves -----------------------------------------------------------------------------------


def facts(matter: Matter) -> wf.MatterFacts:
    """The guards' view of a matter: the latest record of each stage."""
    proposal, motion, consultation = matter.proposal, matter.motion, matter.consultation
    review, evaluation = current_review(matter), matter.evaluation
    campaign = evaluation.campaign if evaluation else None
    return wf.MatterFacts(
        stage=matter.stage,
        proposal=proposal and wf.ProposalFacts(proposal.source_kind, proposal.signatures),
        motion=motion and wf.MotionFacts(motion.proceed),
        consultation=consultation and wf.ConsultationFacts(
            consultation.body, consultation.eligible_persons, consultation.present_persons, consultation.votes_for,
            consultation.votes_against, consultation.votes_abstain, consultation.eligible_households,
            consultation.present_households,
        ),
        review=review and wf.ReviewFacts(review.starts_on, review.ends_on, len(review.unanswered)),
        evaluation=evaluation and wf.EvaluationFacts(
            campaign is not None and campaign.status.value == "closed", bool(campaign and campaign.frozen_result)
        ),
    )


def blocking(matter: Matter, today: date | None = None) -> list[wf.Refusal]:
    """What stands in the way of moving on now (empty when the matter can move forward)."""
    target = wf.next_stage(matter.stage)
    if target is None:
        return []
    return wf.refusals(facts(matter), target, community_rules(matter.unit), today or local_today())


def move(actor, matter: Matter, target: Stage | str, reason: str | None = None, today: date | None = None) -> MatterTransition:
    target = Stage(target)
    reason = (reason or "").strip() or None
    reasons = wf.refusals(facts(matter), target, community_rules(matter.unit), today or local_today(), reason)
    if reasons:
        raise MoveRefused(reasons)
    kind = wf.move_kind(matter.stage, target)
    transition = MatterTransition(
        from_stage=matter.stage, to_stage=target, kind=kind, reason=reason, actor_id=getattr(actor, "id", None),
        actor_name=_actor_name(actor), at=utcnow(),
    )
    matter.transitions.append(transition)
    payload: dict[str, Any] = {"from": matter.stage.value, "to": target.value, "kind": kind.value, "reason": reason}
    matter.stage = target
    matter.stage_since = transition.at
    if target in (Stage.rejected, Stage.withdrawn):
        matter.end_reason = reason
    if target is Stage.closed and matter.evaluation is not None:
        matter.evaluation.result = dict(matter.evaluation.campaign.frozen_result or {})
        payload["result"] = matter.evaluation.result
    db.session.flush()
    _audit("matter.move", matter, actor, {"transition": transition.id, **payload})
    return transition


@dataclass(frozen=True)
class StageDate:
    stage: Stage
    reached_on: date | None
    done: bool
    current: bool


def timeline(matter: Matter) -> list[StageDate]:
    """The five stages with the day each was (last) reached, for the stepper and the public page."""
    reached: dict[Stage, date] = {Stage.proposal: local_date(matter.created_at)}
    for transition in matter.transitions:
        reached[transition.to_stage] = local_date(transition.at)
        if transition.kind is wf.MoveKind.back:
            # Stages after the one sent back to are no longer reached.
            for stage in wf.ORDER[wf.ORDER.index(transition.to_stage) + 1:]:
                reached.pop(stage, None)
    position = matter.stage.position
    if position is None:  # rejected / withdrawn: the stage it ended at is the last one reached
        last = matter.transitions[-1].from_stage if matter.transitions else Stage.proposal
        position = last.position
        ended = True
    else:
        ended = False
    rows = []
    for stage in wf.FIVE:
        index = stage.position
        rows.append(StageDate(
            stage, reached.get(stage) if index <= position else None,
            done=index < position or matter.stage is Stage.closed,
            current=index == position and not ended and matter.stage is not Stage.closed,
        ))
    return rows


def matter_audit_entries(matter: Matter):
    from survey.core.audit import AuditEntry

    return list(db.session.scalars(
        select(AuditEntry).where(AuditEntry.object_type == "matter", AuditEntry.object_id == str(matter.id))
        .order_by(AuditEntry.id)
    ))
