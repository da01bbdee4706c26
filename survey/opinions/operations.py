"""Verbs on opinions and whistles. They check the move, change, audit and flush; the caller commits.

Every verb takes ``now`` (naive UTC) so that deadlines can be tested without waiting. The audit
payloads never carry the resident's contact or photo.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import IO, Iterable

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from survey.core import audit
from survey.core.db import utcnow
from survey.core.errors import DomainError
from survey.extensions import db
from survey.opinions import codes, photos
from survey.opinions.queries import OPEN_WHISTLE, overdue_whistles_query
from survey.opinions.models import Opinion, OpinionCategory, OpinionSource, OpinionStatus, Whistle, WhistleStatus
from survey.opinions.workflow import WHISTLE_FROM, check_opinion_move, check_whistle_move, deadline
from survey.orgs.models import OrgLevel, OrgUnit
from survey.people.models import Role, RoleAssignment, User


def _days(name: str) -> int:
    return int(current_app.config[name])


def _clean(text: str | None, limit: int | None = None) -> str:
    text = (text or "").strip()
    if limit is not None and len(text) > limit:
        raise DomainError(_l("The text is too long: at most %(n)d characters."), n=limit)
    return text


# --- submitting -----------------------------------------------------------------------------


@dataclass
class Contact:
    name: str | None = None
    phone: str | None = None


def opinion_by_code(code: str | None) -> Opinion | None:
    code = codes.normalise(code)
    return db.session.scalar(select(Opinion).filter_by(tracking_code=code)) if code else None


def opinion_by_submission(submission_id: str | None) -> Opinion | None:
    if not submission_id:
        return None
    return db.session.scalar(select(Opinion).filter_by(submission_id=submission_id[:32]))


def community_grids(community: OrgUnit) -> list[OrgUnit]:
    return list(
        db.session.scalars(
            select(OrgUnit).where(OrgUnit.parent_id == community.id, OrgUnit.level == OrgLevel.grid).order_by(OrgUnit.code)
        )
    )


def submit_opinion(
    community: OrgUnit, category: OpinionCategory, text: str, *, grid: OrgUnit | None = None,
    contact: Contact | None = None, photo: IO[bytes] | None = None, submission_id: str | None = None,
    logged_by: User | None = None, now: datetime | None = None,
) -> Opinion:
    """A resident's opinion (or one a grid worker logs for a household)."""
    now = now or utcnow()
    if community.level is not OrgLevel.community:
        raise DomainError(_l("Opinions are sent to a community."))
    if grid is not None and (grid.level is not OrgLevel.grid or grid.parent_id != community.id):
        raise DomainError(_l("The grid is not in this community."))
    text = _clean(text, current_app.config["OPINION_TEXT_MAX"])
    if not text:
        raise DomainError(_l("Please write what the opinion is about."))
    contact = contact or Contact()
    photo_file = photos.store(photo) if photo is not None else None
    opinion = Opinion(
        tracking_code=codes.new_code(), submission_id=submission_id or None, community=community, grid=grid,
        category=category, text=text, source=OpinionSource.grid_worker if logged_by else OpinionSource.resident,
        logged_by=logged_by, contact_name=_clean(contact.name, 60) or None, contact_phone=_clean(contact.phone, 32) or None,
        photo_file=photo_file, status=OpinionStatus.submitted, due_at=deadline(now, _days("OPINION_ACCEPT_DAYS")),
        created_at=now,
    )
    db.session.add(opinion)
    try:
        db.session.flush()
    except Exception:
        photos.remove(photo_file)
        raise
    audit.record(
        "opinion.submit", opinion, actor=logged_by, unit=community,
        payload={
            "code": opinion.tracking_code, "category": category.value, "grid": grid.code if grid else None,
            "source": opinion.source.value, "photo": photo_file is not None, "contact": bool(opinion.contact_phone or opinion.contact_name),
        },
    )
    return opinion


def store_once(submit, submission_id: str | None) -> Opinion:
    """Run ``submit`` in a savepoint; a concurrent duplicate of the same submission returns the first."""
    try:
        with db.session.begin_nested():
            return submit()
    except IntegrityError:
        earlier = opinion_by_submission(submission_id)
        if earlier is None:
            raise
        return earlier


# --- committee handling ---------------------------------------------------------------------


def _move(opinion: Opinion, target: OpinionStatus) -> OpinionStatus:
    before = opinion.status
    check_opinion_move(before, target)
    opinion.status = target
    return before


def accept(actor, opinion: Opinion, *, now: datetime | None = None) -> None:
    now = now or utcnow()
    _move(opinion, OpinionStatus.accepted)
    opinion.accepted_at, opinion.accepted_by = now, actor
    opinion.due_at = deadline(now, _days("OPINION_ANSWER_DAYS"))
    audit.record("opinion.accept", opinion, actor=actor, unit=opinion.community, payload={"due_at": opinion.due_at})


def assignable_people(community: OrgUnit) -> list[User]:
    """Committee members of the community and grid workers of it or of its grids."""
    query = (
        select(User).join(RoleAssignment, RoleAssignment.user_id == User.id).join(OrgUnit, RoleAssignment.unit_id == OrgUnit.id)
        .where(
            User.active.is_(True),
            RoleAssignment.role.in_([Role.committee_member, Role.grid_worker]),
            OrgUnit.path.startswith(community.path, autoescape=True),
        )
        .order_by(User.display_name, User.id).distinct()
    )
    return list(db.session.scalars(query))


def assign(actor, opinion: Opinion, person: User, *, now: datetime | None = None) -> None:
    now = now or utcnow()
    if person not in assignable_people(opinion.community):
        raise DomainError(_l("Opinions can only be assigned to committee members and grid workers of the community."))
    _move(opinion, OpinionStatus.assigned)
    opinion.assigned_to, opinion.assigned_at = person, now
    audit.record("opinion.assign", opinion, actor=actor, unit=opinion.community, payload={"to": person.username})


def answer(actor, opinion: Opinion, text: str, *, now: datetime | None = None) -> None:
    now = now or utcnow()
    text = _clean(text, 4000)
    if not text:
        raise DomainError(_l("Please write the answer."))
    if opinion.active_whistle is not None:
        raise DomainError(_l("A department still has this opinion: wait for its answer or withdraw the whistle."))
    _move(opinion, OpinionStatus.answered)
    opinion.answer, opinion.answered_at, opinion.answered_by = text, now, actor
    opinion.due_at = deadline(now, _days("OPINION_CLOSE_DAYS"))
    audit.record("opinion.answer", opinion, actor=actor, unit=opinion.community, payload={"answer": text})


def close(actor, opinion: Opinion, note: str = "", *, now: datetime | None = None) -> None:
    now = now or utcnow()
    note = _clean(note, 2000)
    if opinion.status is not OpinionStatus.answered and not note:
        raise DomainError(_l("An opinion closed without an answer needs a reason for the resident."))
    if opinion.active_whistle is not None:
        raise DomainError(_l("A department still has this opinion: wait for its answer or withdraw the whistle."))
    _move(opinion, OpinionStatus.closed)
    opinion.closed_at, opinion.close_note, opinion.due_at = now, note or None, None
    audit.record(
        "opinion.close", opinion, actor=actor, unit=opinion.community, payload={"note": note, "rating": opinion.rating}
    )


def rate(opinion: Opinion, rating: int, *, now: datetime | None = None) -> None:
    """The resident's rating of the handling: once, after the answer (or the close)."""
    now = now or utcnow()
    if rating not in range(1, 6):
        raise DomainError(_l("Choose from 1 to 5 stars."))
    if opinion.status not in (OpinionStatus.answered, OpinionStatus.closed):
        raise DomainError(_l("The handling can be rated once the opinion is answered."))
    if opinion.rating is not None:
        raise DomainError(_l("This opinion has already been rated."))
    # Conditional update: two tabs sending a rating at once still store one.
    result = db.session.execute(
        update(Opinion).where(Opinion.id == opinion.id, Opinion.rating.is_(None)).values(rating=rating, rated_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise DomainError(_l("This opinion has already been rated."))
    db.session.refresh(opinion)
    audit.record("opinion.rate", opinion, unit=opinion.community, payload={"rating": rating})


# --- whistles -------------------------------------------------------------------------------


def departments_for(community: OrgUnit) -> list[OrgUnit]:
    """Departments under the community's street or district."""
    ancestors = [u.id for u in community.ancestors if u.level in (OrgLevel.street, OrgLevel.district)]
    return list(
        db.session.scalars(
            select(OrgUnit).where(OrgUnit.level == OrgLevel.department, OrgUnit.parent_id.in_(ancestors))
            .order_by(OrgUnit.path)
        )
    )


def blow_whistle(
    actor, opinion: Opinion, department: OrgUnit, request_text: str, due_at: datetime | None = None,
    *, now: datetime | None = None,
) -> Whistle:
    now = now or utcnow()
    if department not in departments_for(opinion.community):
        raise DomainError(_l("This department cannot be whistled from this community."))
    if opinion.status not in WHISTLE_FROM:
        raise DomainError(_l("A whistle is blown on an accepted opinion that has no answer yet."))
    if opinion.active_whistle is not None:
        raise DomainError(_l("A department already has this opinion."))
    request_text = _clean(request_text, 2000)
    if not request_text:
        raise DomainError(_l("Say what the department is asked to do."))
    due_at = due_at or deadline(now, _days("WHISTLE_ANSWER_DAYS"))
    if due_at <= now:
        raise DomainError(_l("The deadline must be in the future."))
    # In a savepoint: a whistle blown at the same moment from another tab or by another member
    # passes the check above too; the partial unique index refuses the second one.
    try:
        with db.session.begin_nested():
            whistle = Whistle(
                opinion=opinion, department=department, status=WhistleStatus.sent, request=request_text, sent_at=now,
                sent_by=actor, due_at=due_at, created_at=now,
            )
            db.session.add(whistle)
            db.session.flush()
    except IntegrityError:
        if _open_whistle_id(opinion) is None:
            raise
        raise DomainError(_l("A department already has this opinion.")) from None
    # The opinion's own answer deadline cannot come before the department's.
    if opinion.due_at is not None and opinion.due_at < due_at:
        opinion.due_at = due_at
    audit.record(
        "whistle.send", whistle, actor=actor, unit=opinion.community,
        payload={"opinion": opinion.tracking_code, "department": department.code, "due_at": due_at, "request": request_text},
    )
    return whistle


def _open_whistle_id(opinion: Opinion) -> int | None:
    """The opinion's open whistle as stored (committed by others included), not as loaded."""
    return db.session.scalar(
        select(Whistle.id).where(Whistle.opinion_id == opinion.id, Whistle.status.in_(OPEN_WHISTLE)).limit(1)
    )


def _whistle_move(whistle: Whistle, target: WhistleStatus) -> None:
    check_whistle_move(whistle.status, target)
    whistle.status = target


def acknowledge(actor, whistle: Whistle, *, now: datetime | None = None) -> None:
    now = now or utcnow()
    _whistle_move(whistle, WhistleStatus.acknowledged)
    whistle.acknowledged_at, whistle.acknowledged_by = now, actor
    audit.record("whistle.acknowledge", whistle, actor=actor, unit=whistle.department, payload={"opinion": whistle.opinion.tracking_code})


def report_progress(actor, whistle: Whistle, note: str, *, now: datetime | None = None) -> None:
    now = now or utcnow()
    note = _clean(note, 2000)
    if not note:
        raise DomainError(_l("Say what the department is doing."))
    _whistle_move(whistle, WhistleStatus.in_progress)
    whistle.progress, whistle.progress_at = note, now
    audit.record("whistle.progress", whistle, actor=actor, unit=whistle.department, payload={"note": note})


def answer_whistle(actor, whistle: Whistle, text: str, *, now: datetime | None = None) -> None:
    now = now or utcnow()
    text = _clean(text, 4000)
    if not text:
        raise DomainError(_l("Please write the answer."))
    _whistle_move(whistle, WhistleStatus.answered)
    whistle.answer, whistle.answered_at, whistle.answered_by = text, now, actor
    audit.record(
        "whistle.answer", whistle, actor=actor, unit=whistle.department,
        payload={"answer": text, "in_time": whistle.answered_in_time()},
    )


def withdraw_whistle(actor, whistle: Whistle, reason: str, *, now: datetime | None = None) -> None:
    now = now or utcnow()
    reason = _clean(reason, 2000)
    if not reason:
        raise DomainError(_l("Give a reason for withdrawing the whistle."))
    _whistle_move(whistle, WhistleStatus.withdrawn)
    whistle.withdrawn_at, whistle.withdraw_reason = now, reason
    audit.record("whistle.withdraw", whistle, actor=actor, unit=whistle.opinion.community, payload={"reason": reason})


def escalate_overdue(now: datetime | None = None, *, scope_paths: Iterable[str] | None = None,
                     source: str = "command") -> list[Whistle]:
    """Escalate to the street each open whistle past its deadline that is not escalated yet.

    Marks the whistle (``escalated_at``) with a conditional update, so that the entry is written
    once however often this runs, concurrently too: a second run, or a second viewer of the list
    waiting on the row, updates nothing and writes nothing (nor does a whistle answered meanwhile).
    The entry's actor is the system; ``source`` says what noticed it (the nightly command or a view of the escalation list).
    ``scope_paths`` limits it to the whistles of communities under those paths (all if None).
    """
    now = now or utcnow()
    query = overdue_whistles_query(scope_paths, now=now).where(Whistle.escalated_at.is_(None))
    escalated = []
    for whistle in db.session.scalars(query).all():
        result = db.session.execute(
            update(Whistle).where(
                Whistle.id == whistle.id, Whistle.escalated_at.is_(None), Whistle.status.in_(OPEN_WHISTLE),
                Whistle.due_at < now,
            ).values(escalated_at=now).execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:
            continue
        db.session.refresh(whistle)
        audit.record(
            "whistle.escalate", whistle, unit=whistle.opinion.community,
            payload={
                "opinion": whistle.opinion.tracking_code, "department": whistle.department.code,
                "due_at": whistle.due_at, "status": whistle.status.value, "source": source,
            },
        )
        escalated.append(whistle)
    return escalated


# --- proposals ------------------------------------------------------------------------------


def turn_into_proposal(actor, opinion: Opinion):
    """Start a matter of the five deliberations from this opinion and keep the link.

    The matter gets the opinion's text, never the resident's contact or photo.
    """
    from survey.deliberations.operations import create_matter

    if opinion.matter_id is not None:
        raise DomainError(_l("This opinion has already been turned into a proposal."))
    if opinion.status is OpinionStatus.submitted:
        raise DomainError(_l("Accept the opinion before turning it into a proposal."))
    title = opinion.text.strip().splitlines()[0][:80]
    detail = _l("Opinion box, tracking code %(code)s", code=codes.display(opinion.tracking_code))
    matter = create_matter(
        actor, opinion.community, title, opinion.text, "resident_opinion", str(detail),
        source_reference=opinion.tracking_code,
    )
    opinion.matter_id = matter.id
    db.session.flush()
    audit.record("opinion.proposal", opinion, actor=actor, unit=opinion.community, payload={"matter": matter.id})
    return matter
