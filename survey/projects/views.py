"""Livelihood projects, listed and edited within one's scope."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from survey.core import audit
from survey.core.scope import pick, unit_choices, units_in_scope
from survey.extensions import db
from survey.forms.surveys import ProjectForm
from survey.orgs.models import OrgLevel, OrgUnit
from survey.people.permissions import Permission, in_scope, permission_required
from survey.projects.models import Project, ProjectStatus, ProjectType

bp = Blueprint("projects", __name__, url_prefix="/projects")


def _load(project_id: int, **_ignored) -> Project:
    return db.session.get(Project, project_id) or abort(404)


@bp.get("/")
@permission_required(Permission.view_surveys)
def index():
    projects = db.session.scalars(
        select(Project).join(OrgUnit).where(in_scope(current_user, Permission.view_surveys, OrgUnit.path))
        .order_by(OrgUnit.path, Project.name)
    )
    can_add = bool(units_in_scope(Permission.manage_surveys, OrgLevel.community))
    return render_template("projects/index.html", projects=list(projects), can_add=can_add)


def _save(form: ProjectForm, project: Project | None, units: list[OrgUnit]) -> Project:
    unit = pick(units, form.unit.data) or abort(403)
    fresh = project is None
    project = project or Project(unit=unit)
    project.unit = unit
    project.name = form.name.data
    project.project_type = ProjectType(form.project_type.data)
    project.status = ProjectStatus(form.status.data)
    project.start_date, project.end_date = form.start_date.data, form.end_date.data
    project.responsible = form.responsible.data or ""
    project.description = form.description.data or ""
    db.session.add(project)
    audit.record("project.create" if fresh else "project.update", project, actor=current_user, unit=unit,
                 payload={"name": project.name, "type": project.project_type.value, "status": project.status.value})
    return project


def _dates_in_order(form: ProjectForm) -> bool:
    if form.start_date.data and form.end_date.data and form.end_date.data < form.start_date.data:
        form.end_date.errors.append(_("The end date must not be before the start date."))
        return False
    return True


@bp.route("/new", methods=["GET", "POST"])
@permission_required(Permission.manage_surveys)
def new():
    units = units_in_scope(Permission.manage_surveys, OrgLevel.community)
    form = ProjectForm()
    form.unit.choices = unit_choices(units)
    if form.validate_on_submit() and _dates_in_order(form):
        project = _save(form, None, units)
        db.session.commit()
        flash(_("Saved."), "success")
        return redirect(url_for("projects.index", _anchor=f"project-{project.id}"))
    return render_template("projects/form.html", form=form, project=None)


@bp.route("/<int:project_id>/edit", methods=["GET", "POST"])
@permission_required(Permission.manage_surveys, load=_load)
def edit(project: Project):
    units = units_in_scope(Permission.manage_surveys, OrgLevel.community)
    form = ProjectForm(data={
        "unit": project.unit.code, "name": project.name, "project_type": project.project_type.value,
        "status": project.status.value, "start_date": project.start_date, "end_date": project.end_date,
        "responsible": project.responsible, "description": project.description,
    })
    form.unit.choices = unit_choices(units)
    if form.validate_on_submit() and _dates_in_order(form):
        _save(form, project, units)
        db.session.commit()
        flash(_("Saved."), "success")
        return redirect(url_for("projects.index"))
    return render_template("projects/form.html", form=form, project=project)
