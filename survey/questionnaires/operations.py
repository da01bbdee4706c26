"""Verbs on questionnaires, campaigns, codes and responses. They flush; the caller commits."""
from __future__ import annotations

import copy
import enum
import secrets
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, event, func, insert, inspect, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from survey.core import audit
from survey.core.db import utcnow
from survey.core.errors import DomainError
from survey.extensions import db
from survey.orgs.models import OrgLevel, OrgUnit
from survey.projects.models import Project
from survey.questionnaires import codes as code_rules
from survey.questionnaires.models import (
    AccessMode, Answer, Campaign, CampaignStatus, InvitationCode, Questionnaire, QuestionnaireVersion, Response,
    ResponseChannel, VersionStatus,
)
from survey.questionnaires.questions import StoredAnswer, check_spec

# --- versions -------------------------------------------------------------------------------


class FrozenVersionError(DomainError):
    pass


@event.listens_for(Session, "before_flush")
def _refuse_changes_to_published_versions(session, flush_context, instances) -> None:
    """A published version is frozen: whatever code path tries to change it, the flush fails."""
    for obj in session.dirty:
        if isinstance(obj, QuestionnaireVersion):
            state = inspect(obj)
            was_published = state.attrs.status.history.deleted or [obj.status]
            if was_published[0] is VersionStatus.published and any(
                state.attrs[name].history.has_changes() for name in ("questions", "intro", "status", "number")
            ):
                raise FrozenVersionError(_l("A published questionnaire version cannot be changed."))
    for obj in session.deleted:
        if isinstance(obj, QuestionnaireVersion) and obj.status is VersionStatus.published:
            raise FrozenVersionError(_l("A published questionnaire version cannot be changed."))


def create_questionnaire(actor, unit: OrgUnit, title: str, *, is_template: bool = False, intro: str = "") -> Questionnaire:
    if is_template and unit.level not in (OrgLevel.district, OrgLevel.street):
        raise DomainError(_("Templates are made at district or street level."))
    questionnaire = Questionnaire(unit=unit, title=title, is_template=is_template)
    questionnaire.versions.append(QuestionnaireVersion(number=1, intro=intro, questions=[]))
    db.session.add(questionnaire)
    audit.record("questionnaire.create", questionnaire, actor=actor, unit=unit, payload={"title": title, "template": is_template})
    return questionnaire


def _editable(version: QuestionnaireVersion) -> None:
    if version.is_frozen:
        raise FrozenVersionError(_("A published questionnaire version cannot be changed."))


def _clean_spec(spec: dict[str, Any]) -> dict[str, Any]:
    problems = check_spec(spec)
    if problems:
        raise DomainError(_("The question is incomplete: %(problems)s.", problems=", ".join(problems)))
    allowed = {"key", "type", "text", "help", "required", "weight", "overall", "section", "options", "points", "dont_know", "min", "max"}
    return {k: v for k, v in spec.items() if k in allowed}


def add_question(actor, version: QuestionnaireVersion, spec: dict[str, Any]) -> dict[str, Any]:
    _editable(version)
    spec = _clean_spec(spec)
    # A key names one question for good: a removed question's key is never given to a new one,
    # so answers to any version line up with the right question.
    used = [int(q["key"][1:]) for v in version.questionnaire.versions for q in v.questions if q["key"][1:].isdigit()]
    spec["key"] = f"q{max(used, default=0) + 1}"
    questions = copy.deepcopy(version.questions) + [spec]
    _set_questions(version, questions)
    return spec


def update_question(actor, version: QuestionnaireVersion, key: str, spec: dict[str, Any]) -> None:
    _editable(version)
    spec = _clean_spec({**spec, "key": key})
    questions = [spec if q["key"] == key else q for q in copy.deepcopy(version.questions)]
    _set_questions(version, questions)


def remove_question(actor, version: QuestionnaireVersion, key: str) -> None:
    _editable(version)
    _set_questions(version, [q for q in copy.deepcopy(version.questions) if q["key"] != key])


def move_question(actor, version: QuestionnaireVersion, key: str, offset: int) -> None:
    _editable(version)
    questions = copy.deepcopy(version.questions)
    index = next(i for i, q in enumerate(questions) if q["key"] == key)
    target = min(max(index + offset, 0), len(questions) - 1)
    questions.insert(target, questions.pop(index))
    _set_questions(version, questions)


def _set_questions(version: QuestionnaireVersion, questions: list[dict[str, Any]]) -> None:
    if sum(1 for q in questions if q.get("overall")) > 1:
        raise DomainError(_("Only one question can be the overall satisfaction question."))
    version.questions = questions  # a new list, so that the JSON column sees the change
    db.session.flush()


def publish(actor, version: QuestionnaireVersion) -> None:
    _editable(version)
    if not version.questions:
        raise DomainError(_("A questionnaire needs at least one question before it is published."))
    overall = [q for q in version.questions if q.get("overall")]
    if overall and overall[0]["type"] != "likert":
        raise DomainError(_("The overall satisfaction question must use the satisfaction scale."))
    version.status = VersionStatus.published
    version.published_at = utcnow()
    db.session.flush()
    audit.record(
        "questionnaire.publish", version, actor=actor, unit=version.questionnaire.unit,
        payload={"questionnaire": version.questionnaire_id, "number": version.number, "questions": version.questions},
    )


def new_draft(actor, questionnaire: Questionnaire) -> QuestionnaireVersion:
    """Editing a published questionnaire starts here: a new draft copied from the latest version."""
    if questionnaire.draft is not None:
        return questionnaire.draft
    source = questionnaire.versions[-1]
    draft = QuestionnaireVersion(
        number=source.number + 1, intro=source.intro, questions=copy.deepcopy(source.questions)
    )
    questionnaire.versions.append(draft)
    db.session.flush()
    return draft


def copy_template(actor, template: Questionnaire, unit: OrgUnit) -> Questionnaire:
    """A community's own questionnaire started from a district or street template."""
    source = template.latest_published
    if source is None:
        raise DomainError(_("This template has no published version yet."))
    questionnaire = create_questionnaire(actor, unit, template.title, intro=source.intro)
    questionnaire.versions[0].questions = copy.deepcopy(source.questions)
    db.session.flush()
    return questionnaire


# --- campaigns ------------------------------------------------------------------------------

CAMPAIGN_TRANSITIONS = {
    CampaignStatus.draft: {CampaignStatus.open},
    CampaignStatus.open: {CampaignStatus.closed},
    CampaignStatus.closed: set(),
}


def check_transition(current: CampaignStatus, target: CampaignStatus) -> None:
    if target not in CAMPAIGN_TRANSITIONS[current]:
        raise DomainError(
            _("A campaign cannot go from %(a)s to %(b)s.", a=current.label, b=target.label)
        )


def create_campaign(
    actor, unit: OrgUnit, version: QuestionnaireVersion, project: Project | None, title: str,
    access_mode: AccessMode, opens_on: date, closes_on: date, results_on: date | None = None,
) -> Campaign:
    if not version.is_frozen:
        raise DomainError(_("Only a published questionnaire version can be used in a campaign."))
    if closes_on < opens_on:
        raise DomainError(_("The closing date must not be before the opening date."))
    if project is not None and not unit.contains(project.unit) and not project.unit.contains(unit):
        raise DomainError(_("The project does not belong to this unit."))
    campaign = Campaign(
        unit=unit, version=version, project=project, target_type="project", title=title, access_mode=access_mode,
        opens_on=opens_on, closes_on=closes_on, results_on=results_on, link_token=secrets.token_urlsafe(12),
    )
    db.session.add(campaign)
    audit.record("campaign.create", campaign, actor=actor, unit=unit, payload={"title": title, "version": version.id})
    return campaign


def open_campaign(actor, campaign: Campaign) -> None:
    check_transition(campaign.status, CampaignStatus.open)
    campaign.status = CampaignStatus.open
    campaign.opened_at = utcnow()
    audit.record("campaign.open", campaign, actor=actor, unit=campaign.unit)


def close_campaign(actor, campaign: Campaign, frozen_result: dict[str, Any] | None = None) -> None:
    check_transition(campaign.status, CampaignStatus.closed)
    campaign.status = CampaignStatus.closed
    campaign.closed_at = utcnow()
    campaign.frozen_result = frozen_result
    audit.record("campaign.close", campaign, actor=actor, unit=campaign.unit, payload={"result": frozen_result or {}})


def not_accepting_because(campaign: Campaign | AnsweringCampaign, today: date | None = None) -> CodeProblem | None:
    """Why a campaign takes no answers today (not started yet, or over); None when it does."""
    today = today or date.today()
    if campaign.status is CampaignStatus.draft or (campaign.status is CampaignStatus.open and today < campaign.opens_on):
        return CodeProblem.not_started
    if campaign.status is CampaignStatus.closed or today > campaign.closes_on:
        return CodeProblem.closed
    return None


# --- household codes ------------------------------------------------------------------------


def campaign_grids(campaign: Campaign) -> list[OrgUnit]:
    return list(
        db.session.scalars(
            select(OrgUnit)
            .where(OrgUnit.level == OrgLevel.grid, OrgUnit.path.startswith(campaign.unit.path, autoescape=True))
            .order_by(OrgUnit.path)
        )
    )


def generate_codes(actor, campaign: Campaign) -> int:
    """One code per household of each grid, topping up grids that have fewer codes than households."""
    if not campaign.access_mode.uses_codes:
        raise DomainError(_("This campaign uses an open link only."))
    if campaign.status is CampaignStatus.closed:
        raise DomainError(_("The campaign is closed."))
    existing = dict(
        db.session.execute(
            select(InvitationCode.grid_id, func.count()).where(InvitationCode.campaign_id == campaign.id).group_by(InvitationCode.grid_id)
        ).all()
    )
    created = 0
    for grid in campaign_grids(campaign):
        for _i in range(max((grid.households or 0) - existing.get(grid.id, 0), 0)):
            db.session.add(InvitationCode(campaign=campaign, grid=grid, code=code_rules.new_code()))
            created += 1
    db.session.flush()
    audit.record("campaign.codes", campaign, actor=actor, unit=campaign.unit, payload={"created": created})
    return created


class CodeProblem(enum.Enum):
    mistyped = "mistyped"
    unknown = "unknown"
    spent = "spent"
    closed = "closed"
    not_started = "not_started"
    other_campaign = "other_campaign"

    @property
    def message(self):
        return CODE_MESSAGES[self]


CODE_MESSAGES = {
    CodeProblem.mistyped: _l("The invitation code is not right. Please check it against your slip."),
    CodeProblem.unknown: _l("We do not know this invitation code. Please check it against your slip."),
    CodeProblem.spent: _l("This invitation code has already been used."),
    CodeProblem.closed: _l("This rating has ended."),
    CodeProblem.not_started: _l("This rating has not started yet."),
    CodeProblem.other_campaign: _l("This invitation code belongs to another rating."),
}


# The resident's pages are the ones most often served: what they need of a campaign and its
# code is read in one statement as plain rows, and the published version (which never changes)
# once per process, rather than as ORM objects on every request.


@dataclass(frozen=True)
class AnsweringCampaign:
    """What the resident's pages need of a campaign."""

    id: int
    title: str
    status: CampaignStatus
    opens_on: date
    closes_on: date
    access_mode: AccessMode
    version_id: int
    unit_name: str

    @property
    def version(self) -> QuestionnaireVersion:
        return published_version(self.version_id)


@dataclass(frozen=True)
class HouseholdCode:
    id: int
    code: str
    spent: bool
    grid_id: int
    campaign_id: int


_ANSWERING_COLUMNS = (
    Campaign.id, Campaign.title, Campaign.status, Campaign.opens_on, Campaign.closes_on, Campaign.access_mode,
    Campaign.version_id, OrgUnit.name,
)
# Built once: composing a statement costs more than running it on these pages.
_CAMPAIGN_BY_LINK = (
    select(*_ANSWERING_COLUMNS).join(OrgUnit, OrgUnit.id == Campaign.unit_id).where(Campaign.link_token == bindparam("token"))
)
_CODE_WITH_CAMPAIGN = (
    select(InvitationCode.id, InvitationCode.code, InvitationCode.spent, InvitationCode.grid_id, *_ANSWERING_COLUMNS)
    .join(Campaign, Campaign.id == InvitationCode.campaign_id)
    .join(OrgUnit, OrgUnit.id == Campaign.unit_id)
    .where(InvitationCode.code == bindparam("code"))
)


def answering_campaign(link_token: str) -> AnsweringCampaign | None:
    row = db.session.connection().execute(_CAMPAIGN_BY_LINK, {"token": link_token}).first()
    return AnsweringCampaign(*row) if row else None


def published_version(version_id: int) -> QuestionnaireVersion:
    """A published version, read once per process: publishing froze it (see the flush guard).

    Kept per application, because a version id is only unique within its database; the
    instance is detached from any session and only its columns are read.
    """
    cache = current_app.extensions.setdefault("questionnaires.published_versions", {})
    version = cache.get(version_id)
    if version is None:
        version = db.session.get(QuestionnaireVersion, version_id)
        if version is None or not version.is_frozen:
            return version
        db.session.expunge(version)
        if len(cache) >= 512:
            cache.clear()
        cache[version_id] = version
    return version


@dataclass(frozen=True)
class CodeCheck:
    code: HouseholdCode | None
    problem: CodeProblem | None
    campaign: AnsweringCampaign | None = None


def check_code(typed: str) -> CodeCheck:
    value = code_rules.normalise(typed)
    if not code_rules.is_well_formed(value):
        return CodeCheck(None, CodeProblem.mistyped)
    row = db.session.connection().execute(_CODE_WITH_CAMPAIGN, {"code": value}).first()
    if row is None:
        return CodeCheck(None, CodeProblem.unknown)
    campaign = AnsweringCampaign(*row[4:])
    code = HouseholdCode(*row[:4], campaign_id=campaign.id)
    problem = not_accepting_because(campaign)
    if problem is None and code.spent:
        problem = CodeProblem.spent
    return CodeCheck(code, problem, campaign)


# --- responses ------------------------------------------------------------------------------


class SubmissionRefused(DomainError):
    def __init__(self, message, problem: CodeProblem | None = None):
        super().__init__(message)
        self.problem = problem


def response_by_submission(submission_id: str) -> Response | None:
    return db.session.scalar(select(Response).filter_by(submission_id=submission_id))


def _new_receipt() -> str:
    return "".join(secrets.choice(code_rules.ALPHABET) for _ in range(8))


_SPEND_CODE = (
    update(InvitationCode)
    .where(InvitationCode.id == bindparam("code_id"), InvitationCode.spent.is_(False))
    .values(spent=True, spent_on=bindparam("day"))
)
_INSERT_RESPONSE = insert(Response)
_INSERT_ANSWERS = insert(Answer)


def submit_response(
    campaign: Campaign | AnsweringCampaign,
    answers: dict[str, list[StoredAnswer]],
    *,
    submission_id: str,
    channel: ResponseChannel,
    code: InvitationCode | HouseholdCode | None = None,
    grid: OrgUnit | None = None,
    started_at: datetime | None = None,
    assisted: bool = False,
    today: date | None = None,
) -> str:
    """Store one response and return its receipt; with a code, spend it in the same transaction (exactly once)."""
    problem = not_accepting_because(campaign, today)
    if problem is not None:
        raise SubmissionRefused(problem.message, problem)
    version = campaign.version
    known = {spec["key"] for spec in version.questions}
    if set(answers) - known:
        raise SubmissionRefused(_l("The form contains questions that this questionnaire does not have."))
    db.session.flush()  # the statements below go to the connection, past the session's autoflush
    connection = db.session.connection()
    if channel is ResponseChannel.code:
        if code is None or code.campaign_id != campaign.id:
            raise SubmissionRefused(CodeProblem.other_campaign.message, CodeProblem.other_campaign)
        # The conditional update is the lock: of two concurrent submissions only one sees a row.
        spent = connection.execute(_SPEND_CODE, {"code_id": code.id, "day": today or date.today()}).rowcount
        if spent != 1:
            raise SubmissionRefused(CodeProblem.spent.message, CodeProblem.spent)
        grid_id = code.grid_id
    else:
        grid_id = grid.id if grid is not None else None
    now = utcnow()
    receipt = _new_receipt()
    # Statements rather than ORM objects: this is the path every resident takes.
    response_id = connection.execute(_INSERT_RESPONSE, dict(
        campaign_id=campaign.id,
        version_id=version.id,
        submission_id=submission_id,
        receipt=receipt,
        grid_id=grid_id,
        channel=channel,
        assisted=assisted or channel is ResponseChannel.assisted,
        submitted_at=now,
        duration_seconds=max((now - started_at).total_seconds(), 0) if started_at else None,
        scale_answers=scale_answers(version, answers),
    )).inserted_primary_key[0]
    rows = [
        {"response_id": response_id, "question_key": key, "value_num": row.value_num, "value_text": row.value_text}
        for key, given in answers.items() for row in given
    ]
    if rows:
        connection.execute(_INSERT_ANSWERS, rows)
    return receipt


def scale_answers(version: QuestionnaireVersion, answers: dict[str, list[StoredAnswer]]) -> str:
    digits = []
    for question in version.scored_questions:
        rows = answers.get(question.key) or []
        value = rows[0].value_num if rows and rows[0].value_num is not None else 0
        digits.append(str(int(value)))
    return "".join(digits)


def store_once(submit, submission_id: str) -> tuple[str, bool]:
    """Run ``submit`` (which returns a receipt) and commit; a retry of the same submission gets the stored receipt.

    Returns (receipt, created). This is the one place the answering flow commits, because the
    unique submission id can only be trusted once the transaction is in. The stored receipt
    is looked up only when storing fails: a first attempt that got in holds the submission id
    (the unique constraint) or has spent the code.
    """
    try:
        receipt = submit()
        db.session.commit()
        return receipt, True
    except IntegrityError:
        db.session.rollback()
        existing = response_by_submission(submission_id)
        if existing is None:
            raise
        return existing.receipt, False
    except DomainError:
        db.session.rollback()
        existing = response_by_submission(submission_id)
        if existing is not None:  # the first attempt spent the code: same receipt
            return existing.receipt, False
        raise


def set_excluded(actor, response: Response, excluded: bool, reason: str) -> None:
    if not reason.strip():
        raise DomainError(_("A reason is required."))
    if response.campaign.status is CampaignStatus.closed:
        raise DomainError(_("The campaign is closed; its results are frozen."))
    response.excluded = excluded
    response.excluded_reason = reason.strip()[:200] if excluded else None
    audit.record(
        "response.exclude" if excluded else "response.restore", response, actor=actor, unit=response.campaign.unit,
        payload={"reason": reason.strip()[:200], "campaign": response.campaign_id},
    )
