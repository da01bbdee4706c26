"""The org tree within one's scope: browse, edit, add units, export."""
from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from survey.core.errors import DomainError
from survey.extensions import db
from survey.forms.orgs import NewOrgUnitForm, OrgUnitForm
from survey.orgs import csvio, operations
from survey.orgs.models import CommunityKind, OrgLevel, OrgUnit
from survey.people.permissions import Permission, permission_required, units_with

bp = Blueprint("orgs", __name__, url_prefix="/orgs")


def _load_unit(code: str, **_ignored) -> OrgUnit:
    return operations.unit_by_code(code) or abort(404)


def _fields(form: OrgUnitForm) -> operations.UnitFields:
    def value(name: str):
        field = getattr(form, name, None)  # fields that do not fit the level were removed
        return field.data if field is not None else None

    kind = value("kind")
    return operations.UnitFields(
        name=form.name.data,
        kind=CommunityKind(kind) if kind else None,
        households=value("households"),
        residents=value("residents"),
        phone=form.phone.data or None,
    )


def _fit_form_to_level(form: OrgUnitForm, level: OrgLevel) -> None:
    if level is not OrgLevel.community:
        del form.kind
    if level is not OrgLevel.grid:
        del form.households
        del form.residents


@bp.get("/")
@permission_required(Permission.view_orgs)
def index():
    scopes = units_with(current_user, Permission.view_orgs)
    tops = [u for u in scopes if not any(o is not u and o.contains(u) for o in scopes)]
    if len(tops) == 1:
        return redirect(url_for("orgs.unit", code=tops[0].code))
    return render_template("orgs/index.html", units=sorted(tops, key=lambda u: u.path))


@bp.get("/<code>")
@permission_required(Permission.view_orgs, load=_load_unit)
def unit(unit: OrgUnit):
    units = operations.subtree(unit)
    totals = operations.grid_totals(units)
    groups = [(level, [c for c in unit.children if c.level is level]) for level in unit.level.child_levels]
    return render_template("orgs/unit.html", unit=unit, groups=[g for g in groups if g[1]], totals=totals)


@bp.route("/<code>/edit", methods=["GET", "POST"])
@permission_required(Permission.edit_orgs, load=_load_unit)
def edit(unit: OrgUnit):
    form = OrgUnitForm(
        data={
            "name": unit.name,
            "kind": unit.kind.value if unit.kind else "",
            "households": unit.households,
            "residents": unit.residents,
            "phone": unit.phone,
        }
    )
    _fit_form_to_level(form, unit.level)
    if form.validate_on_submit():
        try:
            operations.update_unit(current_user, unit, _fields(form))
        except DomainError as error:
            db.session.rollback()
            form.form_errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("orgs.unit", code=unit.code))
    return render_template("orgs/edit.html", unit=unit, form=form)


@bp.route("/<code>/new", methods=["GET", "POST"])
@permission_required(Permission.edit_orgs, load=_load_unit)
def new_child(unit: OrgUnit):
    levels = unit.level.child_levels
    chosen = request.args.get("level", levels[0].value if levels else "")
    level = next((lv for lv in levels if lv.value == chosen), None)
    if level is None:
        abort(404)
    form = NewOrgUnitForm()
    _fit_form_to_level(form, level)
    if form.validate_on_submit():
        try:
            child = operations.create_unit(current_user, unit, form.code.data, level, _fields(form))
        except DomainError as error:
            db.session.rollback()
            form.code.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("orgs.unit", code=child.code))
    return render_template("orgs/new.html", parent=unit, level=level, form=form)


@bp.get("/<code>/export.csv")
@permission_required(Permission.view_orgs, load=_load_unit)
def export(unit: OrgUnit):
    body = "\ufeff" + csvio.export_csv(operations.subtree(unit))  # BOM: Excel opens UTF-8 correctly
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename=orgs-{unit.code}.csv"},
    )
