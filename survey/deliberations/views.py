"""Committee pages of the five deliberations: the list, a new matter, the matter page and its forms.

Every page of a matter is declared with the matter as the permission target: a committee of
another community gets 403 on each of them.
"""
from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from wtforms.fields.choices import SelectChoice

from survey.core import todo
from survey.core.errors import DomainError
from survey.core.scope import pick, unit_choices, units_in_scope
from survey.deliberations import operations as ops
from survey.deliberations import workflow as wf
from survey.deliberations.models import (
    BODY_LABELS, MOVE_LABELS, STAGE_LABELS, Attachment, Matter, Objection, PublicReview,
)
from survey.deliberations.texts import refusal_texts
from survey.deliberations.workflow import LEGAL_RULES, MoveKind, Stage
from survey.extensions import db
from survey.forms.deliberations import (
    AnswerForm, AttachmentForm, ConsultationForm, EvaluationForm, MatterForm, MotionForm, MoveForm, ReviewForm, RulesForm,
)
from survey.forms.people import ActionForm
from survey.orgs.models import OrgLevel, OrgUnit
from survey.people.permissions import Permission, can, in_scope, permission_required, units_with

bp = Blueprint("deliberations", __name__)


@todo.provider
def _matter_todo(user) -> list[todo.TodoItem]:
    if not units_with(user, Permission.view_matters):
        return []
    in_review = (
        select(func.count(func.distinct(Matter.id)))
        .join(OrgUnit, Matter.unit_id == OrgUnit.id)
        .join(PublicReview, PublicReview.matter_id == Matter.id)
        .where(Matter.stage == Stage.public_review, in_scope(user, Permission.view_matters, OrgUnit.path))
    )
    unanswered = db.session.scalar(in_review.join(Objection, Objection.review_id == PublicReview.id)
                                   .where(Objection.answer.is_(None)))
    ending = db.session.scalar(in_review.where(PublicReview.ends_on <= ops.local_today() + timedelta(days=3)))
    url = url_for("deliberations.index")
    return [
        todo.TodoItem(todo.WAITING, _("matters in public review have unanswered objections"), unanswered or 0, url),
        todo.TodoItem(todo.ENDING, _("public reviews end within 3 days"), ending or 0, url),
    ]


def _matter(matter_id: int, **_ignored) -> Matter:
    return db.session.get(Matter, matter_id) or abort(404)


def _today() -> date:
    return ops.local_today()


# --- list and new ----------------------------------------------------------------------------


@bp.get("/matters/")
@permission_required(Permission.view_matters)
def index():
    matters = list(db.session.scalars(
        select(Matter).join(OrgUnit, Matter.unit_id == OrgUnit.id)
        .where(in_scope(current_user, Permission.view_matters, OrgUnit.path))
        .order_by(Matter.stage_since.desc(), Matter.id.desc())
    ))
    can_add = bool(units_in_scope(Permission.manage_matters, OrgLevel.community))
    communities = units_in_scope(Permission.view_matters, OrgLevel.community)
    return render_template("deliberations/index.html", matters=matters, can_add=can_add, stage_labels=STAGE_LABELS,
                           communities=communities)


@bp.route("/matters/new", methods=["GET", "POST"])
@permission_required(Permission.manage_matters)
def new():
    units = units_in_scope(Permission.manage_matters, OrgLevel.community)
    if not units:
        abort(403)
    form = MatterForm()
    form.unit.choices = unit_choices(units)
    if form.validate_on_submit():
        unit = pick(units, form.unit.data) or abort(403)
        try:
            matter = ops.create_matter(
                current_user, unit, form.title.data, form.description.data, form.source_kind.data,
                form.source_detail.data or "", form.signatures.data, source_reference=form.source_reference.data,
            )
        except DomainError as error:
            db.session.rollback()
            form.form_errors.append(str(error))
        else:
            db.session.commit()
            flash(_("The matter was recorded as a proposal."), "success")
            return redirect(url_for("deliberations.matter", matter_id=matter.id))
    return render_template("deliberations/new.html", form=form), 400 if form.errors or form.form_errors else 200


# --- the matter page -------------------------------------------------------------------------


def _campaign_choices(matter: Matter) -> list:
    from survey.questionnaires.models import Campaign

    campaigns = db.session.scalars(
        select(Campaign).join(OrgUnit, Campaign.unit_id == OrgUnit.id)
        .where(OrgUnit.path.startswith(matter.unit.path, autoescape=True)).order_by(Campaign.id.desc())
    )
    return [SelectChoice(str(c.id), f"{c.title}（{c.status.label}）") for c in campaigns]


def _move_form(matter: Matter, form: MoveForm | None = None) -> MoveForm:
    form = form or MoveForm(formdata=None)
    form.target.choices = [
        SelectChoice(target.value, f"{MOVE_LABELS[kind]}：{STAGE_LABELS[target]}" if kind is MoveKind.back else MOVE_LABELS[kind])
        for kind, target in wf.allowed_targets(matter.stage) if kind is not MoveKind.forward
    ]
    return form


def _page(matter: Matter, status: int = 200, refused: list[str] | None = None, **forms):
    rules = ops.community_rules(matter.unit)
    review = ops.current_review(matter)
    defaults = {
        "motion_form": MotionForm(formdata=None, meeting_on=_today()),
        "consultation_form": ConsultationForm(formdata=None, held_on=_today()),
        "review_form": ReviewForm(formdata=None, starts_on=_today(), days=rules.review_days),
        "evaluation_form": EvaluationForm(formdata=None),
        "attachment_form": AttachmentForm(formdata=None),
        "answer_form": AnswerForm(formdata=None),
        "move_form": None,
    }
    defaults.update(forms)
    defaults["move_form"] = _move_form(matter, defaults["move_form"])
    defaults["evaluation_form"].campaign.choices = _campaign_choices(matter)
    if matter.stage is Stage.consultation and "consultation_form" not in forms:
        kind = matter.unit.kind.value if matter.unit.kind else "urban"
        defaults["consultation_form"].body.data = "villagers_meeting" if kind == "village" else "residents_meeting"
    blocking = ops.blocking(matter, _today())
    manageable = can(current_user, Permission.manage_matters, matter.unit)
    public_url = current_app.config["PUBLIC_BASE_URL"].rstrip("/") + url_for(
        "board.matter", code=matter.unit.code, matter_id=matter.id)
    return render_template(
        "deliberations/matter.html", matter=matter, timeline=ops.timeline(matter), stage_labels=STAGE_LABELS,
        blocking=refusal_texts(blocking), refused=refused, manageable=manageable, review=review, rules=rules,
        legal_rules=LEGAL_RULES, body_labels=BODY_LABELS, next_stage=wf.next_stage(matter.stage),
        entries=ops.matter_audit_entries(matter), action=ActionForm(), public_url=public_url, today=_today(), S=Stage,
        **defaults,
    ), status


@bp.get("/matters/<int:matter_id>")
@permission_required(Permission.view_matters, load=_matter)
def matter(matter: Matter):
    return _page(matter)


def _saved(matter: Matter, message: str | None = None):
    db.session.commit()
    flash(message or _("Saved."), "success")
    return redirect(url_for("deliberations.matter", matter_id=matter.id))


def _failed(matter: Matter, error: DomainError, **forms):
    db.session.rollback()
    matter = db.session.get(Matter, matter.id)
    flash(str(error), "error")
    return _page(matter, 400, **forms)


@bp.post("/matters/<int:matter_id>/motion")
@permission_required(Permission.manage_matters, load=_matter)
def record_motion(matter: Matter):
    form = MotionForm()
    if not form.validate_on_submit():
        return _page(matter, 400, motion_form=form)
    try:
        ops.record_motion(current_user, matter, form.meeting_on.data, form.attendees.data, form.proceed.data == "yes", form.decision.data)
    except DomainError as error:
        return _failed(matter, error, motion_form=form)
    return _saved(matter)


@bp.post("/matters/<int:matter_id>/consultation")
@permission_required(Permission.manage_matters, load=_matter)
def record_consultation(matter: Matter):
    form = ConsultationForm()
    if not form.validate_on_submit():
        return _page(matter, 400, consultation_form=form)
    try:
        ops.record_consultation(
            current_user, matter, form.body.data, form.held_on.data, form.eligible_persons.data, form.present_persons.data,
            form.votes_for.data, form.votes_against.data, form.votes_abstain.data, form.minutes.data or "",
            form.eligible_households.data, form.present_households.data,
        )
    except DomainError as error:
        return _failed(matter, error, consultation_form=form)
    return _saved(matter)


@bp.post("/matters/<int:matter_id>/attachments")
@permission_required(Permission.manage_matters, load=_matter)
def add_attachment(matter: Matter):
    form = AttachmentForm()
    if not form.validate_on_submit():
        return _page(matter, 400, attachment_form=form)
    upload = form.file.data
    limit = ops.max_attachment_bytes()
    data = upload.stream.read(limit + 1)
    try:
        ops.add_attachment(current_user, matter, data, upload.filename, form.kind.data)
    except DomainError as error:
        form.file.errors = [str(error)]
        db.session.rollback()
        return _page(db.session.get(Matter, matter.id), 400, attachment_form=form)
    return _saved(matter, _("The file was attached."))


@bp.get("/matters/<int:matter_id>/attachments/<int:attachment_id>")
@permission_required(Permission.view_matters, load=_matter)
def attachment(matter: Matter):
    item = db.session.get(Attachment, request.view_args["attachment_id"])
    if item is None or item.matter_id != matter.id:
        abort(404)
    try:
        path = ops.attachment_path(item)
    except DomainError:
        abort(404)
    if not path.is_file():
        abort(404)
    response = send_file(path, mimetype=item.content_type, as_attachment=item.content_type == "application/pdf",
                         download_name=item.display_name, max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    return response


@bp.post("/matters/<int:matter_id>/review")
@permission_required(Permission.manage_matters, load=_matter)
def start_review(matter: Matter):
    form = ReviewForm()
    if not form.validate_on_submit():
        return _page(matter, 400, review_form=form)
    try:
        ops.start_public_review(current_user, matter, form.notice.data, form.starts_on.data, form.days.data)
    except DomainError as error:
        return _failed(matter, error, review_form=form)
    return _saved(matter, _("The notice is on the public board."))


@bp.post("/matters/<int:matter_id>/objections/<int:objection_id>/answer")
@permission_required(Permission.manage_matters, load=_matter)
def answer_objection(matter: Matter):
    objection = db.session.get(Objection, request.view_args["objection_id"])
    if objection is None or objection.review.matter_id != matter.id:
        abort(404)
    form = AnswerForm()
    if not form.validate_on_submit():
        flash(_("Write the answer."), "error")
        return redirect(url_for("deliberations.matter", matter_id=matter.id, _anchor=f"objection-{objection.id}"))
    try:
        ops.answer_objection(current_user, matter, objection, form.answer.data)
    except DomainError as error:
        return _failed(matter, error)
    return _saved(matter, _("The answer is published with the objection."))


@bp.post("/matters/<int:matter_id>/evaluation")
@permission_required(Permission.manage_matters, load=_matter)
def link_evaluation(matter: Matter):
    from survey.questionnaires.models import Campaign

    form = EvaluationForm()
    form.campaign.choices = _campaign_choices(matter)
    if not form.validate_on_submit():
        return _page(matter, 400, evaluation_form=form)
    campaign = db.session.get(Campaign, int(form.campaign.data)) or abort(404)
    try:
        ops.link_evaluation(current_user, matter, campaign)
    except DomainError as error:
        return _failed(matter, error, evaluation_form=form)
    return _saved(matter)


@bp.post("/matters/<int:matter_id>/forward")
@permission_required(Permission.manage_matters, load=_matter)
def forward(matter: Matter):
    if not ActionForm().validate_on_submit():
        abort(400)
    target = wf.next_stage(matter.stage)
    if target is None:
        abort(409)
    try:
        ops.move(current_user, matter, target, today=_today())
    except ops.MoveRefused as refused:
        db.session.rollback()
        return _page(db.session.get(Matter, matter.id), 409, refused=refusal_texts(refused.reasons))
    except DomainError as error:
        return _failed(matter, error)
    return _saved(matter, _("The matter moved on to: %(stage)s", stage=STAGE_LABELS[target]))


@bp.post("/matters/<int:matter_id>/move")
@permission_required(Permission.manage_matters, load=_matter)
def move(matter: Matter):
    form = _move_form(matter, MoveForm())
    if not form.validate_on_submit():
        return _page(matter, 400, move_form=form)
    try:
        ops.move(current_user, matter, form.target.data, form.reason.data, today=_today())
    except ops.MoveRefused as refused:
        db.session.rollback()
        return _page(db.session.get(Matter, matter.id), 409, refused=refusal_texts(refused.reasons))
    return _saved(matter, _("The matter is now at: %(stage)s", stage=STAGE_LABELS[Stage(form.target.data)]))


@bp.get("/matters/<int:matter_id>/notice.pdf")
@permission_required(Permission.view_matters, load=_matter)
def notice_pdf(matter: Matter):
    from survey.deliberations.poster import notice_pdf as render

    if ops.current_review(matter) is None:
        abort(404)
    pdf = render(matter)
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="notice-{matter.id}.pdf"', "Cache-Control": "private, no-store",
    })


# --- a community's own rules --------------------------------------------------------------

_THRESHOLDS = {
    "2/3": wf.Threshold(Fraction(2, 3), strict=False),
    "3/4": wf.Threshold(Fraction(3, 4), strict=False),
}


def _choice(threshold: wf.Threshold, legal: wf.Threshold) -> str:
    if threshold == legal:
        return "legal"
    return next((key for key, value in _THRESHOLDS.items() if value == threshold), "legal")


def _community(code: str, **_ignored) -> OrgUnit:
    unit = db.session.scalar(select(OrgUnit).filter_by(code=code))
    if unit is None or unit.level is not OrgLevel.community:
        abort(404)
    return unit


@bp.route("/matters/rules/<code>", methods=["GET", "POST"])
@permission_required(Permission.view_matters, load=_community)
def rules(unit: OrgUnit):
    """The community's review period, signature minimum and quorum rules: stricter than the law, never looser."""
    current = ops.community_rules(unit)
    data = {"review_days": current.review_days, "min_signatures": current.min_signatures}
    for body in wf.Body:
        legal, mine = LEGAL_RULES[body], current.rule(body)
        data[f"{body.value}_quorum"] = _choice(mine.quorum, legal.quorum)
        data[f"{body.value}_majority"] = _choice(mine.majority, legal.majority)
    form = RulesForm(data=data)
    editable = can(current_user, Permission.manage_matters, unit)
    refusals: list[str] = []
    if request.method == "POST":
        if not editable:
            abort(403)
        if form.validate_on_submit():
            quorum = {}
            for body in wf.Body:
                legal = LEGAL_RULES[body]
                pick_quorum = form[f"{body.value}_quorum"].data
                pick_majority = form[f"{body.value}_majority"].data
                quorum[body] = wf.QuorumRule(
                    body,
                    _THRESHOLDS.get(pick_quorum, legal.quorum),
                    legal.households,
                    _THRESHOLDS.get(pick_majority, legal.majority),
                    legal.source,
                )
            candidate = wf.CommunityRules(form.review_days.data, form.min_signatures.data, quorum)
            try:
                ops.set_community_rules(current_user, unit, candidate)
            except ops.MoveRefused as refused:
                db.session.rollback()
                refusals = refusal_texts(refused.reasons)
            else:
                db.session.commit()
                flash(_("Saved."), "success")
                return redirect(url_for("deliberations.rules", code=unit.code))
    return render_template(
        "deliberations/rules.html", unit=unit, form=form, editable=editable, refusals=refusals,
        legal=LEGAL_RULES, body_labels=BODY_LABELS,
    ), (400 if refusals else 200)
