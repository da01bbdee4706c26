"""Verbs on questionnaires, campaigns, codes and responses. They flush; the caller commits."""
from __future__ import annotations

import copy
import enum
import secrets
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import event, func, insert, inspect, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

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


def not_accepting_because(campaign: Campaign, today: date | None = None) -> CodeProblem | None:
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


@dataclass(frozen=True)
class CodeCheck:
    code: InvitationCode | None
    problem: CodeProblem | None


def check_code(typed: str, campaign: Campaign | None = None) -> CodeCheck:
    value = code_rules.normalise(typed)
    if not code_rules.is_well_formed(value):
        return CodeCheck(None, CodeProblem.mistyped)
    # Everything the answer page needs, in one query: this is the page every resident opens.
    code = db.session.scalar(
        select(InvitationCode).filter_by(code=value).options(
            joinedload(InvitationCode.campaign).joinedload(Campaign.version),
            joinedload(InvitationCode.campaign).joinedload(Campaign.unit),
        )
    )
    if code is None:
        return CodeCheck(None, CodeProblem.unknown)
    if campaign is not None and code.campaign_id != campaign.id:
        return CodeCheck(code, CodeProblem.other_campaign)
    problem = not_accepting_because(code.campaign)
    if problem is not None:
        return CodeCheck(code, problem)
    if code.spent:
        return CodeCheck(code, CodeProblem.spent)
    return CodeCheck(code, None)


# --- responses ------------------------------------------------------------------------------


class SubmissionRefused(DomainError):
    def __init__(self, message, problem: CodeProblem | None = None):
        super().__init__(message)
        self.problem = problem


def response_by_submission(submission_id: str) -> Response | None:
    return db.session.scalar(select(Response).filter_by(submission_id=submission_id))


def _new_receipt() -> str:
    return "".join(secrets.choice(code_rules.ALPHABET) for _ in range(8))


def submit_response(
    campaign: Campaign,
    answers: dict[str, list[StoredAnswer]],
    *,
    submission_id: str,
    channel: ResponseChannel,
    code: InvitationCode | None = None,
    grid: OrgUnit | None = None,
    started_at: datetime | None = None,
    assisted: bool = False,
    today: date | None = None,
) -> Response:
    """Store one response; with a code, spend it in the same transaction (exactly once)."""
    problem = not_accepting_because(campaign, today)
    if problem is not None:
        raise SubmissionRefused(problem.message, problem)
    version = campaign.version
    known = {spec["key"] for spec in version.questions}
    if set(answers) - known:
        raise SubmissionRefused(_l("The form contains questions that this questionnaire does not have."))
    if channel is ResponseChannel.code:
        if code is None or code.campaign_id != campaign.id:
            raise SubmissionRefused(CodeProblem.other_campaign.message, CodeProblem.other_campaign)
        # The conditional update is the lock: of two concurrent submissions only one sees a row.
        spent = db.session.execute(
            update(InvitationCode)
            .where(InvitationCode.id == code.id, InvitationCode.spent.is_(False))
            .values(spent=True, spent_on=today or date.today())
            .execution_options(synchronize_session=False)
        ).rowcount
        if spent != 1:
            raise SubmissionRefused(CodeProblem.spent.message, CodeProblem.spent)
        grid_id = code.grid_id
    else:
        grid_id = grid.id if grid is not None else None
    now = utcnow()
    response = Response(
        campaign_id=campaign.id,
        version_id=version.id,
        submission_id=submission_id,
        receipt=_new_receipt(),
        grid_id=grid_id,
        channel=channel,
        assisted=assisted or channel is ResponseChannel.assisted,
        submitted_at=now,
        duration_seconds=max((now - started_at).total_seconds(), 0) if started_at else None,
        scale_answers=scale_answers(version, answers),
    )
    db.session.add(response)
    db.session.flush()
    rows = [
        {"response_id": response.id, "question_key": key, "value_num": row.value_num, "value_text": row.value_text}
        for key, given in answers.items() for row in given
    ]
    if rows:  # one statement for all answers: this is the path every resident takes
        db.session.execute(insert(Answer), rows)
    return response


def scale_answers(version: QuestionnaireVersion, answers: dict[str, list[StoredAnswer]]) -> str:
    digits = []
    for question in version.scored_questions:
        rows = answers.get(question.key) or []
        value = rows[0].value_num if rows and rows[0].value_num is not None else 0
        digits.append(str(int(value)))
    return "".join(digits)


def store_once(submit, submission_id: str, *, looked_up: bool = False) -> tuple[str, bool]:
    """Run ``submit`` and commit; a retry of the same submission gets the stored receipt.

    Returns (receipt, created). This is the one place the answering flow commits, because the
    unique submission id can only be trusted once the transaction is in. ``looked_up``: the
    caller has just found no response with this submission id.
    """
    existing = None if looked_up else response_by_submission(submission_id)
    if existing is not None:
        return existing.receipt, False
    try:
        response = submit()
        receipt = response.receipt  # read before the commit expires it
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
