"""Committee pages: questionnaires and their versions, campaigns, codes, results."""
from __future__ import annotations

from datetime import date, timedelta

from flask import (
    Blueprint, Response, abort, current_app, flash, redirect, render_template, request, stream_with_context, url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, or_, select

from survey.core import todo
from survey.core.errors import DomainError
from survey.core.web import commit_or_refuse
from survey.core.scope import pick, unit_choices, units_in_scope
from survey.extensions import db
from survey.forms.people import ActionForm
from survey.forms.surveys import CampaignForm, ExcludeForm, QuestionForm, QuestionnaireForm
from survey.orgs.models import OrgLevel, OrgUnit
from survey.people.permissions import Permission, can, in_scope, permission_required, units_with
from survey.projects.models import Project
from survey.questionnaires import exports, printouts
from survey.questionnaires import operations as ops
from survey.questionnaires.models import (
    AccessMode, Campaign, CampaignStatus, InvitationCode, Questionnaire, QuestionnaireVersion, Response as SurveyResponse,
    VersionStatus,
)
from survey.questionnaires.results import FLAG_LABELS, STATUS_LABELS, campaign_results, frozen_summary

bp = Blueprint("surveys", __name__)


@todo.provider
def _campaign_todo(user) -> list[todo.TodoItem]:
    if not units_with(user, Permission.view_surveys):
        return []
    today = date.today()
    scoped = (
        select(func.count(Campaign.id)).join(OrgUnit, Campaign.unit_id == OrgUnit.id)
        .where(in_scope(user, Permission.view_surveys, OrgUnit.path))
    )
    ending = db.session.scalar(scoped.where(
        Campaign.status == CampaignStatus.open, Campaign.closes_on <= today + timedelta(days=3)
    ))
    unopened = db.session.scalar(scoped.where(Campaign.status == CampaignStatus.draft))
    url = url_for("surveys.campaigns")
    return [
        todo.TodoItem(todo.ENDING, _("satisfaction campaigns close within 3 days"), ending or 0, url),
        todo.TodoItem(todo.REVIEW, _("campaigns prepared but not opened"), unopened or 0, url),
    ]


def _questionnaire(questionnaire_id: int, **_ignored) -> Questionnaire:
    return db.session.get(Questionnaire, questionnaire_id) or abort(404)


def _campaign(campaign_id: int, **_ignored) -> Campaign:
    return db.session.get(Campaign, campaign_id) or abort(404)


def _done(message: str | None = None):
    db.session.commit()
    flash(message or _("Saved."), "success")


def _usable_templates() -> list[Questionnaire]:
    """Templates owned by a unit above (or at) one of the user's scopes."""
    scopes = units_with(current_user, Permission.view_surveys)
    paths = {p for u in scopes for p in u.lineage_paths}
    if not paths:
        return []
    query = select(Questionnaire).join(OrgUnit).where(Questionnaire.is_template.is_(True), OrgUnit.path.in_(paths))
    return list(db.session.scalars(query.order_by(Questionnaire.title)))


# --- questionnaires ------------------------------------------------------------------------


@bp.get("/questionnaires/")
@permission_required(Permission.view_surveys)
def questionnaires():
    own = db.session.scalars(
        select(Questionnaire).join(OrgUnit).where(in_scope(current_user, Permission.view_surveys, OrgUnit.path))
        .order_by(OrgUnit.path, Questionnaire.title)
    )
    own = list(own)
    templates = [t for t in _usable_templates() if t not in own]
    can_add = bool(units_with(current_user, Permission.manage_surveys))
    return render_template("surveys/questionnaires.html", own=own, templates=templates, can_add=can_add, copy=ActionForm())


@bp.route("/questionnaires/new", methods=["GET", "POST"])
@permission_required(Permission.manage_surveys)
def new_questionnaire():
    units = units_in_scope(Permission.manage_surveys, OrgLevel.district, OrgLevel.street, OrgLevel.community)
    form = QuestionnaireForm()
    form.unit.choices = unit_choices(units)
    if form.validate_on_submit():
        unit = pick(units, form.unit.data) or abort(403)
        try:
            questionnaire = ops.create_questionnaire(
                current_user, unit, form.title.data, is_template=form.is_template.data, intro=form.intro.data or ""
            )
        except DomainError as error:
            db.session.rollback()
            form.is_template.errors.append(str(error))
        else:
            _done()
            return redirect(url_for("surveys.questionnaire", questionnaire_id=questionnaire.id))
    return render_template("surveys/questionnaire_new.html", form=form)


def _can_read_questionnaire(questionnaire: Questionnaire) -> bool:
    return can(current_user, Permission.view_surveys, questionnaire.unit) or questionnaire in _usable_templates()


@bp.get("/questionnaires/<int:questionnaire_id>")
@permission_required(Permission.view_surveys)
def questionnaire(questionnaire_id: int):
    questionnaire = _questionnaire(questionnaire_id)
    if not _can_read_questionnaire(questionnaire):
        abort(403)
    editable = can(current_user, Permission.manage_surveys, questionnaire.unit)
    return render_template(
        "surveys/questionnaire.html", questionnaire=questionnaire, editable=editable, question_form=QuestionForm(),
        action=ActionForm(),
    )


@bp.post("/questionnaires/<int:questionnaire_id>/questions")
@permission_required(Permission.manage_surveys, load=_questionnaire)
def add_question(questionnaire: Questionnaire):
    form = QuestionForm()
    draft = questionnaire.draft or abort(409)
    if form.validate_on_submit():
        commit_or_refuse(lambda: ops.add_question(current_user, draft, form.spec()), _("Saved."))
    else:
        for field in form:
            for error in field.errors:
                flash(_("%(field)s: %(error)s", field=field.label.text, error=error), "error")
    return redirect(url_for("surveys.questionnaire", questionnaire_id=questionnaire.id, _anchor="add"))


@bp.post("/questionnaires/<int:questionnaire_id>/questions/<key>/<action>")
@permission_required(Permission.manage_surveys, load=_questionnaire)
def change_question(questionnaire: Questionnaire):
    if not ActionForm().validate_on_submit():
        abort(400)
    key, action = request.view_args["key"], request.view_args["action"]
    draft = questionnaire.draft or abort(409)
    if key not in {q["key"] for q in draft.questions}:
        abort(404)
    if action == "remove":
        commit_or_refuse(lambda: ops.remove_question(current_user, draft, key), _("Saved."))
    elif action in ("up", "down"):
        commit_or_refuse(lambda: ops.move_question(current_user, draft, key, -1 if action == "up" else 1), _("Saved."))
    else:
        abort(404)
    return redirect(url_for("surveys.questionnaire", questionnaire_id=questionnaire.id))


@bp.post("/questionnaires/<int:questionnaire_id>/<action>")
@permission_required(Permission.manage_surveys, load=_questionnaire)
def questionnaire_action(questionnaire: Questionnaire):
    if not ActionForm().validate_on_submit():
        abort(400)
    action = request.view_args["action"]
    try:
        if action == "publish":
            ops.publish(current_user, questionnaire.draft or abort(409))
            message = _("Published. This version can no longer change; edits go into a new version.")
        elif action == "new-version":
            ops.new_draft(current_user, questionnaire)
            message = _("A new draft version was made from the latest one.")
        else:
            abort(404)
    except DomainError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        _done(message)
    return redirect(url_for("surveys.questionnaire", questionnaire_id=questionnaire.id))


@bp.post("/questionnaires/<int:questionnaire_id>/copy")
@permission_required(Permission.manage_surveys)
def copy_template(questionnaire_id: int):
    template = _questionnaire(questionnaire_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    communities = units_in_scope(Permission.manage_surveys, OrgLevel.community)
    target = pick(communities, request.form.get("unit", "")) or (communities[0] if len(communities) == 1 else None)
    if not template.is_template or template not in _usable_templates() or target is None:
        abort(403)
    try:
        copy = ops.copy_template(current_user, template, target)
    except DomainError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("surveys.questionnaires"))
    _done()
    return redirect(url_for("surveys.questionnaire", questionnaire_id=copy.id))


# --- campaigns -----------------------------------------------------------------------------


@bp.get("/campaigns/")
@permission_required(Permission.view_surveys)
def campaigns():
    counts = (
        select(SurveyResponse.campaign_id, func.count().label("n")).group_by(SurveyResponse.campaign_id).subquery()
    )
    rows = db.session.execute(
        select(Campaign, func.coalesce(counts.c.n, 0))
        .join(OrgUnit, Campaign.unit_id == OrgUnit.id)
        .outerjoin(counts, counts.c.campaign_id == Campaign.id)
        .where(in_scope(current_user, Permission.view_surveys, OrgUnit.path))
        .order_by(Campaign.closes_on.desc(), Campaign.id.desc())
    ).all()
    can_add = bool(units_in_scope(Permission.manage_surveys, OrgLevel.community))
    return render_template("surveys/campaigns.html", rows=rows, can_add=can_add)


def _published_versions() -> list[QuestionnaireVersion]:
    scoped = select(Questionnaire.id).join(OrgUnit).where(in_scope(current_user, Permission.manage_surveys, OrgUnit.path))
    ids = {q.id for q in _usable_templates()}
    query = select(QuestionnaireVersion).where(
        QuestionnaireVersion.status == VersionStatus.published,
        or_(QuestionnaireVersion.questionnaire_id.in_(scoped), QuestionnaireVersion.questionnaire_id.in_(ids or [-1])),
    )
    return list(db.session.scalars(query.order_by(QuestionnaireVersion.questionnaire_id, QuestionnaireVersion.number)))


@bp.route("/campaigns/new", methods=["GET", "POST"])
@permission_required(Permission.manage_surveys)
def new_campaign():
    from wtforms.fields.choices import SelectChoice

    units = units_in_scope(Permission.manage_surveys, OrgLevel.community)
    projects = list(
        db.session.scalars(
            select(Project).join(OrgUnit).where(in_scope(current_user, Permission.manage_surveys, OrgUnit.path))
            .order_by(Project.name)
        )
    )
    versions = _published_versions()
    form = CampaignForm()
    form.unit.choices = unit_choices(units)
    form.project.choices = [SelectChoice(str(p.id), f"{p.name}（{p.unit.name}）") for p in projects]
    form.version.choices = [
        SelectChoice(str(v.id), _("%(title)s, version %(n)d", title=v.questionnaire.title, n=v.number)) for v in versions
    ]
    if form.validate_on_submit():
        unit = pick(units, form.unit.data) or abort(403)
        project = next((p for p in projects if str(p.id) == form.project.data), None) or abort(403)
        version = next((v for v in versions if str(v.id) == form.version.data), None) or abort(403)
        try:
            campaign = ops.create_campaign(
                current_user, unit, version, project, form.title.data, AccessMode(form.access_mode.data),
                form.opens_on.data, form.closes_on.data, form.results_on.data,
            )
        except DomainError as error:
            db.session.rollback()
            form.form_errors.append(str(error))
        else:
            _done()
            return redirect(url_for("surveys.campaign", campaign_id=campaign.id))
    return render_template("surveys/campaign_new.html", form=form)


@bp.get("/campaigns/<int:campaign_id>")
@permission_required(Permission.view_surveys, load=_campaign)
def campaign(campaign: Campaign):
    codes = dict(
        db.session.execute(
            select(InvitationCode.spent, func.count()).where(InvitationCode.campaign_id == campaign.id)
            .group_by(InvitationCode.spent)
        ).all()
    )
    link = current_app.config["PUBLIC_BASE_URL"].rstrip("/") + url_for("answering.open_link", token=campaign.link_token)
    return render_template(
        "surveys/campaign.html", campaign=campaign, codes_total=sum(codes.values()), codes_spent=codes.get(True, 0),
        link=link, action=ActionForm(), manageable=can(current_user, Permission.manage_surveys, campaign.unit),
        grids=ops.campaign_grids(campaign) if campaign.access_mode.uses_codes else [],
    )


@bp.post("/campaigns/<int:campaign_id>/<action>")
@permission_required(Permission.manage_surveys, load=_campaign)
def campaign_action(campaign: Campaign):
    if not ActionForm().validate_on_submit():
        abort(400)
    action = request.view_args["action"]
    try:
        if action == "open":
            ops.open_campaign(current_user, campaign)
        elif action == "close":
            ops.close_campaign(current_user, campaign, frozen_summary(campaign_results(campaign)))
        elif action == "codes":
            created = ops.generate_codes(current_user, campaign)
            flash(_("%(n)d codes were made.", n=created), "success")
        else:
            abort(404)
    except DomainError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        _done()
    return redirect(url_for("surveys.campaign", campaign_id=campaign.id))


@bp.get("/campaigns/<int:campaign_id>/results")
@permission_required(Permission.view_surveys, load=_campaign)
def results(campaign: Campaign):
    from survey.questionnaires.charts import distribution_svg

    result = campaign_results(campaign)
    manageable = can(current_user, Permission.manage_surveys, campaign.unit) and campaign.status is not CampaignStatus.closed
    return render_template(
        "surveys/results.html", campaign=campaign, result=result, chart=distribution_svg, manageable=manageable,
        exclude=ExcludeForm(), status_labels=STATUS_LABELS, flag_labels=FLAG_LABELS,
    )


@bp.post("/campaigns/<int:campaign_id>/exclude-by-receipt")
@permission_required(Permission.manage_surveys, load=_campaign)
def exclude_by_receipt(campaign: Campaign):
    """Exclude a response that no rule flagged, e.g. one a grid worker found to be a duplicate."""
    receipt = (request.form.get("receipt") or "").strip().upper()[:16]
    response = db.session.scalar(select(SurveyResponse).filter_by(campaign_id=campaign.id, receipt=receipt))
    form = ExcludeForm()
    if response is None:
        flash(_("No response of this campaign has the receipt %(receipt)s.", receipt=receipt or "—"), "error")
    elif form.validate_on_submit():
        commit_or_refuse(lambda: ops.set_excluded(current_user, response, True, form.reason.data), _("Saved."))
    else:
        flash(_("A reason is required."), "error")
    return redirect(url_for("surveys.results", campaign_id=campaign.id, _anchor="flagged"))


@bp.post("/campaigns/<int:campaign_id>/responses/<int:response_id>/<action>")
@permission_required(Permission.manage_surveys, load=_campaign)
def set_excluded(campaign: Campaign):
    form = ExcludeForm()
    response = db.session.get(SurveyResponse, request.view_args["response_id"])
    if response is None or response.campaign_id != campaign.id or request.view_args["action"] not in ("exclude", "restore"):
        abort(404)
    if form.validate_on_submit():
        commit_or_refuse(lambda: ops.set_excluded(current_user, response, request.view_args["action"] == "exclude", form.reason.data), _("Saved."))
    else:
        flash(_("A reason is required."), "error")
    return redirect(url_for("surveys.results", campaign_id=campaign.id, _anchor="flagged"))


# --- what the committee hands out and takes away -------------------------------------------

# A bigger print run belongs to `flask campaign slips`: one request must not render hundreds of pages.
SLIPS_PER_REQUEST = 400


@bp.get("/campaigns/<int:campaign_id>/codes.csv")
@permission_required(Permission.manage_surveys, load=_campaign)
def codes_csv(campaign: Campaign):
    text, _total, _spent = printouts.codes_csv(campaign)
    return Response(
        "\ufeff" + text, mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename=campaign-{campaign.id}-codes.csv"},
    )


@bp.get("/campaigns/<int:campaign_id>/slips.pdf")
@permission_required(Permission.manage_surveys, load=_campaign)
def slips_pdf(campaign: Campaign):
    grid = None
    if request.args.get("grid"):
        grid = next((g for g in ops.campaign_grids(campaign) if g.code == request.args["grid"]), None) or abort(404)
    per_page = 10 if request.args.get("per_page") == "10" else 8
    slips = printouts.slips(campaign, grid=grid)
    if not slips:
        flash(_("There are no unused codes to print."), "error")
        return redirect(url_for("surveys.campaign", campaign_id=campaign.id))
    if len(slips) > SLIPS_PER_REQUEST:
        flash(_("%(n)d slips are too many for one download: print them grid by grid.", n=len(slips)), "error")
        return redirect(url_for("surveys.campaign", campaign_id=campaign.id, _anchor="slips"))
    name = f"campaign-{campaign.id}-slips{'-' + grid.code if grid else ''}.pdf"
    return Response(printouts.slips_pdf(slips, per_page), mimetype="application/pdf",
                    headers={"Content-Disposition": f"attachment; filename={name}"})


@bp.get("/campaigns/<int:campaign_id>/responses.<fmt>")
@permission_required(Permission.manage_surveys, load=_campaign)
def export_responses(campaign: Campaign):
    fmt = request.view_args["fmt"]
    if fmt not in ("csv", "xlsx"):
        abort(404)
    campaign_id = campaign.id

    def chunks():
        # Runs after the view has returned and its database session is gone: load afresh.
        yield from exports.export_chunks(db.session.get(Campaign, campaign_id), fmt)

    return Response(
        stream_with_context(chunks()), mimetype=exports.mimetype(fmt),
        headers={"Content-Disposition": f"attachment; filename={exports.filename(campaign, fmt)}"},
    )
