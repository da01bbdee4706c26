"""Resident pages: open a questionnaire from a QR code or link, answer, get a receipt.

No login, no JavaScript. A code link carries its household code; an open link allows one
response per device (a signed cookie) and both are rate-limited per address.
"""
from __future__ import annotations

from flask import Blueprint, abort, current_app, make_response, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeSerializer
from markupsafe import Markup
from sqlalchemy import select

from survey.core.errors import DomainError
from survey.core.views import safe_next
from survey.extensions import db, limiter
from survey.forms.answering import (
    AnswerFormBase, CodeEntryForm, accepted_answers, answer_form, answered_count, collected_answers, fresh_form, started_at,
    unknown_fields,
)
from survey.questionnaires import operations
from survey.questionnaires.codes import display as display_code
from survey.questionnaires.models import Campaign, QuestionnaireVersion, Response, ResponseChannel
from survey.people.models import Role

bp = Blueprint("answering", __name__)

DEVICE_COOKIE = "answered"
LARGE_TEXT_COOKIE = "large_text"


def _submit_limit() -> str:
    return current_app.config["RESIDENT_SUBMIT_LIMIT"]


def _device_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="device-answered")


def _device_receipts() -> dict[str, str]:
    try:
        data = _device_serializer().loads(request.cookies.get(DEVICE_COOKIE, ""))
        return data if isinstance(data, dict) else {}
    except BadSignature:
        return {}


def _problem(campaign_id: int | None, message, status: int = 200):
    """A refusal page with the community office's phone; rare, so it reads the campaign in full."""
    campaign = db.session.get(Campaign, campaign_id) if campaign_id is not None else None
    phone = campaign.unit.office_phone if campaign else None
    return render_template("answering/problem.html", campaign=campaign, message=message, phone=phone), status


def _earlier_receipt():
    """A retried submission (the phone lost the first answer) gets the receipt it already has.

    Asked only where the request would otherwise be refused (a code spent by that first attempt,
    a device that has answered, a campaign closed since): the way in stays one query shorter.
    """
    if request.method != "POST":
        return None
    earlier = operations.response_by_submission((request.form.get("submission_id") or "")[:64])
    if earlier is None:
        return None
    return redirect(url_for("answering.receipt", receipt=earlier.receipt))


def _assisting() -> bool:
    """A logged-in grid worker entering answers for a household."""
    return current_user.is_authenticated and any(a.role is Role.grid_worker for a in current_user.roles)


@bp.route("/s/<token>", methods=["GET", "POST"])
@limiter.limit(_submit_limit, methods=["POST"])
def open_link(token: str):
    campaign = operations.answering_campaign(token)
    if campaign is None or not campaign.access_mode.uses_link:
        abort(404)
    receipt = _device_receipts().get(str(campaign.id))
    if receipt and not _assisting():
        return _earlier_receipt() or render_template(
            "answering/already.html", campaign=campaign, receipt=receipt,
        )
    return _answer(campaign, channel=ResponseChannel.open_link)


@bp.route("/c/", methods=["GET", "POST"])
@limiter.limit(_submit_limit, methods=["POST"])
def enter_code():
    form = CodeEntryForm()
    if form.validate_on_submit():
        check = operations.check_code(form.code.data)
        if check.problem is None or check.problem is operations.CodeProblem.spent:
            return redirect(url_for("answering.code_link", code=check.code.code))
        form.code.errors.append(check.problem.message)
    return render_template("answering/enter_code.html", form=form, heading=_("Enter the code on your slip"))


@bp.route("/c/<code>", methods=["GET", "POST"])
@limiter.limit(_submit_limit, methods=["POST"])
def code_link(code: str):
    check = operations.check_code(code)
    if check.problem is not None:
        return _earlier_receipt() or _problem(check.campaign.id if check.campaign else None, check.problem.message)
    return _answer(check.campaign, channel=ResponseChannel.code, code=check.code)


def _answer(campaign: operations.AnsweringCampaign, *, channel: ResponseChannel, code: operations.HouseholdCode | None = None):
    problem = operations.not_accepting_because(campaign)
    if problem is not None:
        return _earlier_receipt() or _problem(campaign.id, problem.message)
    version = campaign.version
    if request.method == "GET":
        questions_html = _blank_questions(version)
        form = fresh_form() if questions_html is not None else answer_form(version)
        return _questionnaire(campaign, form, code=code, questions_html=questions_html)
    if unknown_fields(version, request.form):
        form = answer_form(version, request.form)
        form.form_errors.append(_("The form contains questions that this questionnaire does not have. Please reload the page."))
        return _questionnaire(campaign, form, code=code, status=400)
    # A plainly valid form is taken as it is; otherwise the full form validation decides and explains.
    form = None
    answers = accepted_answers(version, request.form)
    submission_id = request.form.get("submission_id")
    if answers is None:
        form = answer_form(version, request.form)
        if not form.validate():
            return _questionnaire(campaign, form, code=code, status=400)
        answers = collected_answers(version, form)
        submission_id = form.submission_id.data  # a form sent without one was given a fresh one
    assisted = _assisting()

    def submit():
        return operations.submit_response(
            campaign, answers, submission_id=submission_id, channel=channel, code=code,
            started_at=started_at(request.form.get("started")), assisted=assisted,
        )

    try:
        receipt_number, _created = operations.store_once(submit, submission_id)
    except operations.SubmissionRefused as refused:
        return _problem(campaign.id, refused.message)
    except DomainError as error:
        form = form or answer_form(version, request.form)
        form.form_errors.append(str(error))
        return _questionnaire(campaign, form, code=code, status=400)
    return _receipt_redirect(campaign, receipt_number, remember=channel is ResponseChannel.open_link and not assisted)


def _questionnaire(
    campaign: operations.AnsweringCampaign, form: AnswerFormBase, *, code: operations.HouseholdCode | None = None,
    questions_html: Markup | None = None, status: int = 200,
):
    version = campaign.version
    return render_template(
        "answering/questionnaire.html", campaign=campaign, version=version, form=form, code=code,
        display_code=display_code, answered=0 if questions_html else answered_count(version, form),
        assisting=_assisting(), questions_html=questions_html,
    ), status


def _blank_questions(version: QuestionnaireVersion) -> Markup | None:
    """A published version's questions as a fresh form shows them, rendered once per language.

    Every resident who opens the page gets the same questions, and rendering them was most of
    the cost of the page residents open most. Kept per application (a version id is only unique
    within its database); a form sent back with answers or errors is rendered in full.
    """
    if not version.is_frozen:
        return None
    cache = current_app.extensions.setdefault("answering.blank_questions", {})
    key = (version.id, str(get_locale()))
    html = cache.get(key)
    if html is None:
        if len(cache) >= 512:
            cache.clear()
        html = cache[key] = Markup(render_template(
            "answering/_questions.html", questions=version.question_types(), form=answer_form(version),
        ))
    return html


def _receipt_redirect(campaign: operations.AnsweringCampaign, receipt: str, *, remember: bool):
    target = make_response(redirect(url_for("answering.receipt", receipt=receipt)))
    if remember:
        receipts = _device_receipts()
        receipts[str(campaign.id)] = receipt
        target.set_cookie(
            DEVICE_COOKIE, _device_serializer().dumps(receipts), max_age=400 * 24 * 3600,
            httponly=True, samesite="Lax", secure=request.is_secure,
        )
    return target


@bp.get("/r/<receipt>")
def receipt(receipt: str):
    response = db.session.scalar(select(Response).filter_by(receipt=receipt[:16]))
    if response is None:
        abort(404)
    return render_template("answering/receipt.html", response=response, campaign=response.campaign)


@bp.get("/large-text")
def large_text():
    """The large-text switch, remembered for the device."""
    target = make_response(redirect(safe_next(request.args.get("next"), url_for("core.home"))))
    on = request.args.get("on") == "1"
    target.set_cookie(LARGE_TEXT_COOKIE, "1" if on else "0", max_age=400 * 24 * 3600, samesite="Lax", secure=request.is_secure)
    return target
