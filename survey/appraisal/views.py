"""Pages of the annual appraisal: cycles, ballots, inputs, grades, notice, cadres, members, sheets.

Thin views: load, check the declared permission on the object's unit, call an operation, commit.
"""
from __future__ import annotations

import io
from decimal import Decimal

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from survey.appraisal import operations as ops
from survey.appraisal.models import (
    BAR_LABELS, CYCLE_STATUS_LABELS, FLAG_LABELS, GRADE_LABELS, POST_LEVEL_LABELS, Appraisal, AppraisalCycle,
    BarKind, Cadre, PostLevel, ReportingMember,
)
from survey.core.errors import DomainError
from survey.core.web import commit_or_refuse
from survey.core.i18n import local_today
from survey.core.scope import pick, unit_choices, units_in_scope
from survey.extensions import db
from survey.forms.appraisal import (
    AssessmentForm, CadreForm, ConfirmForm, CycleForm, ImportForm, LinkProjectForm, MemberCampaignForm, MemberForm, NoticeForm,
    ObjectionAnswerForm, ObjectionForm, PaperBallotForm, ReopenForm, ServiceForm, TallyForm,
)
from survey.forms.people import ActionForm
from survey.orgs.models import OrgLevel, OrgUnit
from survey.people.permissions import Permission, can, in_scope, permission_required
from survey.projects.models import Project

bp = Blueprint("appraisal", __name__, url_prefix="/appraisal")

LABELS = {"grades": GRADE_LABELS, "flags": FLAG_LABELS, "levels": POST_LEVEL_LABELS, "states": CYCLE_STATUS_LABELS,
          "bars": BAR_LABELS}


def _cycle(cycle_id: int, **_ignored) -> AppraisalCycle:
    return db.session.get(AppraisalCycle, cycle_id) or abort(404)


def _appraisal(appraisal_id: int, **_ignored) -> Appraisal:
    return db.session.get(Appraisal, appraisal_id) or abort(404)


def _cadre(cadre_id: int, **_ignored) -> Cadre:
    return db.session.get(Cadre, cadre_id) or abort(404)


def _member(member_id: int, **_ignored) -> ReportingMember:
    return db.session.get(ReportingMember, member_id) or abort(404)


def _published_versions_for(unit: OrgUnit) -> list:
    """Published questionnaires of the unit or of a unit above it (district and street templates)."""
    from survey.questionnaires.models import Questionnaire, QuestionnaireVersion, VersionStatus

    return list(db.session.scalars(
        select(QuestionnaireVersion).join(Questionnaire).join(OrgUnit, Questionnaire.unit_id == OrgUnit.id)
        .where(QuestionnaireVersion.status == VersionStatus.published, OrgUnit.path.in_(unit.lineage_paths))
        .order_by(Questionnaire.title, QuestionnaireVersion.number)
    ))


def _member_campaigns(member: ReportingMember) -> list:
    from survey.questionnaires.models import Campaign

    return list(db.session.scalars(
        select(Campaign).where(Campaign.target_type == "member", Campaign.member_id == member.id)
        .order_by(Campaign.opens_on.desc())
    ))


def _done(message: str, endpoint: str, **values):
    db.session.commit()
    flash(message, "success")
    return redirect(url_for(endpoint, **values))


# --- cycles ----------------------------------------------------------------------------------


@bp.get("/")
@permission_required(Permission.view_appraisal)
def index():
    cycles = db.session.scalars(
        select(AppraisalCycle).join(OrgUnit, AppraisalCycle.unit_id == OrgUnit.id)
        .where(in_scope(current_user, Permission.view_appraisal, OrgUnit.path))
        .order_by(AppraisalCycle.year.desc(), OrgUnit.path, AppraisalCycle.post_level)).all()
    can_add = bool(units_in_scope(Permission.manage_appraisal, OrgLevel.district, OrgLevel.street, OrgLevel.community))
    return render_template("appraisal/index.html", cycles=cycles, can_add=can_add, labels=LABELS)


@bp.route("/cycles/new", methods=["GET", "POST"])
@permission_required(Permission.manage_appraisal)
def new_cycle():
    units = units_in_scope(Permission.manage_appraisal, OrgLevel.district, OrgLevel.street, OrgLevel.community)
    defaults = ops.DEFAULT_CYCLE_CONFIG
    form = CycleForm(year=local_today().year - 1, quota=Decimal(str(defaults["quota"])), rounding=defaults["rounding"],
                     excellent_min=Decimal(str(defaults["excellent_min"])), bars=defaults["bars"],
                     notice_days=defaults["notice_days"],
                     **{f"w_{c}": Decimal(str(w)) for c, w in defaults["weights"].items()})
    form.unit.choices = unit_choices(units)
    if form.validate_on_submit():
        unit = pick(units, form.unit.data) or abort(403)
        config = {"weights": {c: float(getattr(form, f"w_{c}").data) for c in "KDJSM"}, "quota": float(form.quota.data),
                  "rounding": form.rounding.data, "excellent_min": float(form.excellent_min.data),
                  "bars": form.bars.data or [], "notice_days": form.notice_days.data}
        try:
            cycle = ops.create_cycle(current_user, unit, form.year.data, PostLevel(form.post_level.data), config)
        except DomainError as error:
            db.session.rollback()
            form.form_errors.append(str(error))
        else:
            return _done(_("The appraisal cycle was created."), "appraisal.cycle", cycle_id=cycle.id)
    return render_template("appraisal/new_cycle.html", form=form), 400 if form.errors or form.form_errors else 200


@bp.get("/cycles/<int:cycle_id>")
@permission_required(Permission.view_appraisal, _cycle)
def cycle(cycle: AppraisalCycle):
    manage = can(current_user, Permission.manage_appraisal, cycle.unit)
    confirm_forms = {}
    for a in cycle.appraisals:
        form = ConfirmForm(formdata=None, prefix=f"a{a.id}", appraisal=str(a.id), grade=a.final_grade or a.proposed_grade)
        confirm_forms[a.id] = form
    objection_form = ObjectionForm(formdata=None, received_on=local_today())
    objection_form.appraisal.choices = [SelectChoice("", "—")] + [SelectChoice(str(a.id), a.cadre.name) for a in ops.notice_list(cycle)]
    return render_template(
        "appraisal/cycle.html", cycle=cycle, manage=manage, labels=LABELS, confirm_forms=confirm_forms,
        notice_form=NoticeForm(formdata=None, starts_on=local_today()), objection_form=objection_form,
        answer_form=ObjectionAnswerForm(formdata=None), reopen_form=ReopenForm(formdata=None),
        action=ActionForm(formdata=None), refusals=ops.publish_refusals(cycle, local_today()),
        appraisals=sorted(cycle.appraisals, key=lambda a: (a.composite is None, -(a.composite or 0), a.cadre.name)),
        notice_list=ops.notice_list(cycle),
    )


@bp.post("/cycles/<int:cycle_id>/compute")
@permission_required(Permission.manage_appraisal, _cycle)
def compute(cycle: AppraisalCycle):
    if not ActionForm().validate_on_submit():
        abort(400)
    commit_or_refuse(lambda: ops.compute(current_user, cycle), _("Composites computed and grades proposed."))
    return redirect(url_for("appraisal.cycle", cycle_id=cycle.id))


@bp.post("/cycles/<int:cycle_id>/reopen")
@permission_required(Permission.manage_appraisal, _cycle)
def reopen(cycle: AppraisalCycle):
    form = ReopenForm()
    if not form.validate_on_submit():
        flash(_("Give a reason for reopening the cycle."), "error")
        return redirect(url_for("appraisal.cycle", cycle_id=cycle.id))
    commit_or_refuse(lambda: ops.reopen(current_user, cycle, form.reason.data), _("The cycle is back in draft."))
    return redirect(url_for("appraisal.cycle", cycle_id=cycle.id))


@bp.post("/cycles/<int:cycle_id>/confirm/<int:appraisal_id>")
@permission_required(Permission.manage_appraisal, _cycle)
def confirm(cycle: AppraisalCycle):
    appraisal_id = request.view_args["appraisal_id"]
    appraisal = next((a for a in cycle.appraisals if a.id == appraisal_id), None) or abort(404)
    form = ConfirmForm(prefix=f"a{appraisal.id}")
    if not form.validate_on_submit():
        abort(400)
    commit_or_refuse(lambda: ops.confirm_grade(current_user, appraisal, form.grade.data, form.reason.data or ""), _("Grade confirmed for %(name)s.", name=appraisal.cadre.name))
    return redirect(url_for("appraisal.cycle", cycle_id=cycle.id))


@bp.post("/cycles/<int:cycle_id>/notice")
@permission_required(Permission.manage_appraisal, _cycle)
def notice(cycle: AppraisalCycle):
    form = NoticeForm()
    if not form.validate_on_submit():
        abort(400)
    commit_or_refuse(lambda: ops.start_notice(current_user, cycle, form.starts_on.data), _("The public notice has started."))
    return redirect(url_for("appraisal.cycle", cycle_id=cycle.id))


@bp.post("/cycles/<int:cycle_id>/objections")
@permission_required(Permission.manage_appraisal, _cycle)
def objection(cycle: AppraisalCycle):
    form = ObjectionForm()
    form.appraisal.choices = [SelectChoice("", "—")] + [SelectChoice(str(a.id), a.cadre.name) for a in ops.notice_list(cycle)]
    if not form.validate_on_submit():
        flash(_("Write the objection and the date it was received."), "error")
        return redirect(url_for("appraisal.cycle", cycle_id=cycle.id))
    target = next((a for a in cycle.appraisals if str(a.id) == form.appraisal.data), None)
    commit_or_refuse(lambda: ops.add_objection(current_user, cycle, form.text.data, form.received_on.data, target), _("The objection was recorded."))
    return redirect(url_for("appraisal.cycle", cycle_id=cycle.id))


@bp.post("/cycles/<int:cycle_id>/objections/answer")
@permission_required(Permission.manage_appraisal, _cycle)
def answer(cycle: AppraisalCycle):
    form = ObjectionAnswerForm()
    if not form.validate_on_submit():
        flash(_("Answer the objection and say whether it is upheld."), "error")
        return redirect(url_for("appraisal.cycle", cycle_id=cycle.id))
    objection = next((o for o in cycle.objections if str(o.id) == form.objection.data), None) or abort(404)
    commit_or_refuse(lambda: ops.answer_objection(current_user, objection, form.answer.data, form.outcome.data), _("The objection was answered."))
    return redirect(url_for("appraisal.cycle", cycle_id=cycle.id))


@bp.post("/cycles/<int:cycle_id>/publish")
@permission_required(Permission.manage_appraisal, _cycle)
def publish(cycle: AppraisalCycle):
    if not ActionForm().validate_on_submit():
        abort(400)
    commit_or_refuse(lambda: ops.publish(current_user, cycle, local_today()), _("The cycle is published and frozen."))
    return redirect(url_for("appraisal.cycle", cycle_id=cycle.id))


# --- ballots and inputs ----------------------------------------------------------------------


def _cadre_choices(cycle: AppraisalCycle):
    return [SelectChoice(str(a.cadre_id), a.cadre.name) for a in sorted(cycle.appraisals, key=lambda a: a.cadre.name)]


@bp.route("/cycles/<int:cycle_id>/ballots", methods=["GET", "POST"])
@permission_required(Permission.manage_appraisal, _cycle)
def ballots(cycle: AppraisalCycle):
    tally_form, paper_form = TallyForm(prefix="t"), PaperBallotForm(prefix="p")
    tally_form.cadre.choices = paper_form.cadre.choices = _cadre_choices(cycle)
    status = 200
    if request.method == "POST":
        form = tally_form if "t-submit" in request.form else paper_form
        if form.validate_on_submit():
            cadre = db.session.get(Cadre, int(form.cadre.data))
            try:
                if form is tally_form:
                    ops.set_tally(current_user, cycle, cadre, excellent=form.excellent.data, competent=form.competent.data,
                                  basic=form.basic.data, incompetent=form.incompetent.data, void=form.void.data)
                else:
                    ballot = ops.key_paper_ballot(current_user, cycle, cadre, form.serial.data, form.marks.data or [])
            except DomainError as error:
                db.session.rollback()
                form.form_errors.append(str(error))
                status = 400
            else:
                if form is tally_form:
                    return _done(_("Tally saved for %(name)s.", name=cadre.name), "appraisal.ballots", cycle_id=cycle.id)
                message = _("Ballot %(n)s keyed in.", n=ballot.serial) if ballot.choice else \
                    _("Ballot %(n)s keyed in as void (%(reason)s).", n=ballot.serial, reason=ballot.void_reason)
                return _done(message, "appraisal.ballots", cycle_id=cycle.id)
        else:
            status = 400
    tallies = {t.cadre_id: t for t in cycle.tallies}
    return render_template("appraisal/ballots.html", cycle=cycle, tally_form=tally_form, paper_form=paper_form,
                           tallies=tallies, labels=LABELS), status


@bp.route("/cycles/<int:cycle_id>/inputs", methods=["GET", "POST"])
@permission_required(Permission.manage_appraisal, _cycle)
def inputs(cycle: AppraisalCycle):
    form = ImportForm()
    errors: list[str] = []
    status = 200
    if form.validate_on_submit():
        raw = form.file.data.read()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("gb18030", errors="replace")
        try:
            n = ops.import_inputs(current_user, cycle, io.StringIO(text, newline=""))
        except ops.ImportRefused as refused:
            db.session.rollback()
            form.form_errors.append(str(refused))
            errors, status = refused.errors, 400
        except DomainError as error:
            db.session.rollback()
            form.form_errors.append(str(error))
            status = 400
        else:
            return _done(_("%(n)s row(s) imported.", n=n), "appraisal.cycle", cycle_id=cycle.id)
    elif request.method == "POST":
        status = 400
    return render_template("appraisal/inputs.html", cycle=cycle, form=form, errors=errors), status


@bp.get("/cycles/<int:cycle_id>/projects")
@permission_required(Permission.view_appraisal, _cycle)
def projects(cycle: AppraisalCycle):
    groups = ops.project_ranking(ops._street_unit(cycle.unit), cycle.year, ops.scoring_config(cycle))
    return render_template("appraisal/projects.html", cycle=cycle, groups=groups)


@bp.get("/cycles/<int:cycle_id>/projects.pdf")
@permission_required(Permission.view_appraisal, _cycle)
def projects_pdf(cycle: AppraisalCycle):
    from survey.printing.sheets import projects_table_pdf

    scope = ops._street_unit(cycle.unit)
    groups = ops.project_ranking(scope, cycle.year, ops.scoring_config(cycle))
    pdf = projects_table_pdf(scope.name, cycle.year, groups)
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="projects-{cycle.year}-{scope.code}.pdf"'})


# --- sheets and print jobs -------------------------------------------------------------------


@bp.get("/sheets/<int:appraisal_id>.pdf")
@permission_required(Permission.view_appraisal, _appraisal)
def sheet(appraisal: Appraisal):
    from survey.printing.sheets import sheet_pdf

    return Response(sheet_pdf(appraisal), mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="sheet-{appraisal.cycle.year}-{appraisal.id}.pdf"'})


@bp.post("/cycles/<int:cycle_id>/print")
@permission_required(Permission.view_appraisal, _cycle)
def print_pool(cycle: AppraisalCycle):
    from survey.printing.jobs import start_pool_job

    if not ActionForm().validate_on_submit():
        abort(400)
    job_id = start_pool_job(cycle.id)
    return redirect(url_for("appraisal.job", job_id=job_id))


def _job(job_id: str):
    from survey.printing.jobs import job_state

    if not all(c in "0123456789abcdef" for c in job_id):
        abort(404)
    state = job_state(job_id) or abort(404)
    cycle = db.session.get(AppraisalCycle, state.cycle_id) or abort(404)
    if not can(current_user, Permission.view_appraisal, cycle.unit):
        abort(403)
    return state, cycle


@bp.get("/jobs/<job_id>")
@permission_required(Permission.view_appraisal)
def job(job_id: str):
    state, cycle = _job(job_id)
    return render_template("appraisal/job.html", state=state, cycle=cycle)


@bp.get("/jobs/<job_id>/pool.pdf")
@permission_required(Permission.view_appraisal)
def job_pdf(job_id: str):
    from flask import current_app

    from survey.printing.jobs import output_path

    state, cycle = _job(job_id)
    path = output_path(current_app, job_id)
    if state.status != "done" or not path.exists():
        abort(404)
    return send_file(path, mimetype="application/pdf", download_name=f"sheets-{cycle.year}-{cycle.unit.code}.pdf")


# --- cadres ----------------------------------------------------------------------------------


@bp.get("/cadres/")
@permission_required(Permission.view_appraisal)
def cadres():
    rows = db.session.scalars(
        select(Cadre).join(OrgUnit, Cadre.unit_id == OrgUnit.id)
        .where(in_scope(current_user, Permission.view_appraisal, OrgUnit.path))
        .order_by(OrgUnit.path, Cadre.post_level, Cadre.name)).all()
    can_add = bool(units_in_scope(Permission.manage_appraisal))
    return render_template("appraisal/cadres.html", cadres=rows, can_add=can_add, labels=LABELS)


@bp.route("/cadres/new", methods=["GET", "POST"])
@permission_required(Permission.manage_appraisal)
def new_cadre():
    units = units_in_scope(Permission.manage_appraisal, OrgLevel.district, OrgLevel.street, OrgLevel.community)
    form = CadreForm()
    form.unit.choices = unit_choices(units)
    if form.validate_on_submit():
        unit = pick(units, form.unit.data) or abort(403)
        try:
            cadre = ops.create_cadre(current_user, unit, form.name.data, form.post.data, PostLevel(form.post_level.data),
                                     BarKind(form.bar_kind.data) if form.bar_kind.data else None, form.bar_reason.data or "")
        except DomainError as error:
            db.session.rollback()
            form.form_errors.append(str(error))
        else:
            return _done(_("The cadre was added."), "appraisal.cadre", cadre_id=cadre.id)
    return render_template("appraisal/new_cadre.html", form=form), 400 if form.errors or form.form_errors else 200


@bp.route("/cadres/<int:cadre_id>", methods=["GET", "POST"])
@permission_required(Permission.view_appraisal, _cadre)
def cadre(cadre: Cadre):
    manage = can(current_user, Permission.manage_appraisal, cadre.unit)
    form = LinkProjectForm()
    candidates = db.session.scalars(
        select(Project).join(OrgUnit, Project.unit_id == OrgUnit.id)
        .where(OrgUnit.path.startswith(ops._street_unit(cadre.unit).path, autoescape=True)).order_by(Project.name)).all()
    form.project.choices = [SelectChoice(str(p.id), f"{p.name}（{p.unit.name}）") for p in candidates if p not in cadre.projects]
    if request.method == "POST":
        if not manage:
            abort(403)
        if form.validate_on_submit():
            project = next(p for p in candidates if str(p.id) == form.project.data)
            ops.link_project(current_user, cadre, project)
            return _done(_("Project linked."), "appraisal.cadre", cadre_id=cadre.id)
    appraisals = db.session.scalars(select(Appraisal).filter_by(cadre_id=cadre.id).order_by(Appraisal.id.desc())).all()
    return render_template("appraisal/cadre.html", cadre=cadre, form=form, manage=manage, appraisals=appraisals,
                           labels=LABELS)


# --- reporting party members -----------------------------------------------------------------


@bp.get("/members/")
@permission_required(Permission.view_members)
def members():
    rows = db.session.scalars(
        select(ReportingMember).join(OrgUnit, ReportingMember.home_unit_id == OrgUnit.id)
        .where(in_scope(current_user, Permission.view_members, OrgUnit.path))
        .order_by(OrgUnit.path, ReportingMember.name)).all()
    can_add = bool(units_in_scope(Permission.manage_members, OrgLevel.community))
    return render_template("appraisal/members.html", members=rows, can_add=can_add)


@bp.route("/members/new", methods=["GET", "POST"])
@permission_required(Permission.manage_members)
def new_member():
    units = units_in_scope(Permission.manage_members, OrgLevel.community)
    form = MemberForm()
    form.home.choices = unit_choices(units)
    if form.validate_on_submit():
        unit = pick(units, form.home.data) or abort(403)
        try:
            member = ops.create_member(current_user, unit, form.name.data, form.employer.data, form.posts.data or "",
                                       form.reported_on.data)
        except DomainError as error:
            db.session.rollback()
            form.form_errors.append(str(error))
        else:
            return _done(_("The member was added."), "appraisal.member", member_id=member.id)
    return render_template("appraisal/new_member.html", form=form), 400 if form.errors or form.form_errors else 200


@bp.route("/members/<int:member_id>", methods=["GET", "POST"])
@permission_required(Permission.view_members, _member)
def member(member: ReportingMember):
    manage = can(current_user, Permission.manage_members, member.home_unit)
    year = request.args.get("year", type=int) or local_today().year
    service_form = ServiceForm(prefix="s")
    assessment_form = AssessmentForm(prefix="c", year=year)
    half = 1 if local_today().month <= 6 else 2
    campaign_form = MemberCampaignForm(prefix="r", title=_("%(name)s: residents' rating of the service, %(year)s half %(half)s",
                                                          name=member.name, year=year, half=half))
    versions = _published_versions_for(member.home_unit)
    campaign_form.version.choices = [
        SelectChoice(str(v.id), _("%(title)s, version %(n)d", title=v.questionnaire.title, n=v.number)) for v in versions
    ]
    status = 200
    if request.method == "POST":
        if not manage:
            abort(403)
        try:
            if "s-submit" in request.form and service_form.validate_on_submit():
                ops.add_service(current_user, member, service_form.served_on.data, service_form.hours.data,
                                service_form.activity.data, service_form.checkin.data)
                return _done(_("Service record added."), "appraisal.member", member_id=member.id)
            if "c-submit" in request.form and assessment_form.validate_on_submit():
                ops.set_assessment(current_user, member, assessment_form.year.data, int(assessment_form.half.data),
                                   assessment_form.assessment.data or None, assessment_form.reported.data)
                return _done(_("Assessment saved."), "appraisal.member", member_id=member.id)
            if "r-submit" in request.form and campaign_form.validate_on_submit():
                version = next((v for v in versions if str(v.id) == campaign_form.version.data), None) or abort(403)
                campaign = ops.create_member_campaign(current_user, member, version, campaign_form.title.data,
                                                      campaign_form.opens_on.data, campaign_form.closes_on.data)
                db.session.flush()
                return _done(_("The rating campaign was created; open it for answers on its page."),
                             "surveys.campaign", campaign_id=campaign.id)
            confirm_id = request.form.get("confirm", type=int)
            if confirm_id and ActionForm().validate_on_submit():
                record = next((r for r in member.records if r.id == confirm_id), None) or abort(404)
                ops.confirm_service(current_user, record)
                return _done(_("Service record confirmed."), "appraisal.member", member_id=member.id)
            status = 400
        except DomainError as error:
            db.session.rollback()
            flash(str(error), "error")
            status = 400
    halves, annual = ops.member_annual(member, year)
    return render_template("appraisal/member.html", member=member, manage=manage, year=year, halves=halves,
                           annual=annual, service_form=service_form, assessment_form=assessment_form,
                           campaign_form=campaign_form, campaigns=_member_campaigns(member),
                           action=ActionForm(formdata=None), labels=LABELS), status
