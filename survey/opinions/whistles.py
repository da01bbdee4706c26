"""Whistle and report (网格吹哨、部门报到): department inboxes, the street's escalation list and
the departments' response times.

A liaison holds ``answer_whistles`` on its department only, so the declared permission check on
the department (or on the whistle's department) keeps every other department's whistles out.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from survey.core.db import utcnow
from survey.core.web import commit_or_refuse, flash_form_errors
from survey.extensions import db
from survey.forms.opinions import ProgressForm, WhistleAnswerForm
from survey.forms.people import ActionForm
from survey.opinions import codes, queries
from survey.opinions import operations as ops
from survey.opinions.models import Whistle, WhistleStatus
from survey.orgs.models import OrgLevel, OrgUnit
from survey.people.permissions import Permission, permission_required, units_with

bp = Blueprint("whistles", __name__)


def _unit(code: str, *levels: OrgLevel) -> OrgUnit:
    unit = db.session.scalar(select(OrgUnit).filter_by(code=code[:32]))
    if unit is None or unit.level not in levels:
        abort(404)
    return unit


def _department(code: str, **_ignored) -> OrgUnit:
    return _unit(code, OrgLevel.department)


def _street(code: str, **_ignored) -> OrgUnit:
    return _unit(code, OrgLevel.street, OrgLevel.district)


def _whistle(whistle_id: int, **_ignored) -> Whistle:
    return db.session.get(Whistle, whistle_id) or abort(404)


@bp.get("/whistles/")
def start():
    """Where the nav link leads: the department's inbox, or the street's list."""
    if not current_user.is_authenticated:
        from survey.extensions import login_manager

        return login_manager.unauthorized()
    departments = [u for u in units_with(current_user, Permission.answer_whistles) if u.level is OrgLevel.department]
    if departments:
        return redirect(url_for("whistles.inbox", code=departments[0].code))
    streets = [u for u in units_with(current_user, Permission.view_opinions) if u.level in (OrgLevel.street, OrgLevel.district)]
    if streets:
        return redirect(url_for("whistles.street", code=streets[0].code))
    if units_with(current_user, Permission.view_opinions):
        return redirect(url_for("opinions.index", whistled=1))
    abort(403)


@bp.get("/whistles/dept/<code>")
@permission_required(Permission.answer_whistles, load=_department)
def inbox(department: OrgUnit):
    now = utcnow()
    show = request.args.get("show")
    query = select(Whistle).where(Whistle.department_id == department.id)
    if show == "done":
        query = query.where(Whistle.status.in_([WhistleStatus.answered, WhistleStatus.withdrawn]))
        query = query.order_by(Whistle.answered_at.desc(), Whistle.id.desc())
    else:
        query = query.where(Whistle.status.in_(queries.OPEN_WHISTLE)).order_by(Whistle.due_at, Whistle.id)
    pagination = db.paginate(query, page=max(request.args.get("page", 1, type=int) or 1, 1), per_page=50, error_out=False)
    overdue = db.session.scalars(queries.overdue_whistles_query(department=department, now=now)).all()
    return render_template(
        "opinions/inbox.html", department=department, pagination=pagination, overdue=overdue, now=now, show=show,
        display=codes.display,
    )


@bp.get("/whistles/<int:whistle_id>")
@permission_required(Permission.answer_whistles, load=_whistle)
def detail(whistle: Whistle):
    return render_template(
        "opinions/whistle.html", whistle=whistle, opinion=whistle.opinion, now=utcnow(), display=codes.display,
        action=ActionForm(), progress=ProgressForm(), answer=WhistleAnswerForm(),
    )


def _run(whistle: Whistle, form, action, message: str):
    if not form.validate_on_submit():
        flash_form_errors(form)
    else:
        commit_or_refuse(lambda: action(form), message)
    return redirect(url_for("whistles.detail", whistle_id=whistle.id))


@bp.post("/whistles/<int:whistle_id>/acknowledge")
@permission_required(Permission.answer_whistles, load=_whistle)
def acknowledge(whistle: Whistle):
    return _run(whistle, ActionForm(), lambda f: ops.acknowledge(current_user, whistle), _("Acknowledged."))


@bp.post("/whistles/<int:whistle_id>/progress")
@permission_required(Permission.answer_whistles, load=_whistle)
def progress(whistle: Whistle):
    return _run(whistle, ProgressForm(), lambda f: ops.report_progress(current_user, whistle, f.note.data), _("Progress reported."))


@bp.post("/whistles/<int:whistle_id>/answer")
@permission_required(Permission.answer_whistles, load=_whistle)
def answer(whistle: Whistle):
    return _run(whistle, WhistleAnswerForm(), lambda f: ops.answer_whistle(current_user, whistle, f.text.data), _("Answer sent."))


@bp.get("/whistles/street/<code>")
@permission_required(Permission.view_opinions, load=_street)
def street(unit: OrgUnit):
    now = utcnow()
    # The list is where the street sees them first: each newly overdue whistle is escalated
    # (audited) once, here or by ``flask opinions escalate``, whichever comes first.
    if ops.escalate_overdue(now, scope_paths=[unit.path], source="street_list"):
        db.session.commit()
    overdue = db.session.scalars(queries.overdue_whistles_query([unit.path], now=now)).all()
    return render_template("opinions/street.html", unit=unit, overdue=overdue, now=now, display=codes.display)


def _parse_day(value: str | None, fallback: date) -> date:
    try:
        return date.fromisoformat(value) if value else fallback
    except ValueError:
        return fallback


@bp.get("/whistles/street/<code>/times")
@permission_required(Permission.view_opinions, load=_street)
def times(unit: OrgUnit):
    today = utcnow().date()
    start = _parse_day(request.args.get("start"), today - timedelta(days=90))
    end = _parse_day(request.args.get("end"), today)
    if end < start:
        start, end = end, start
    rows = queries.department_response_times(
        unit, datetime.combine(start, datetime.min.time()), datetime.combine(end + timedelta(days=1), datetime.min.time())
    )
    return render_template(
        "opinions/times.html", unit=unit, rows=rows, start=start, end=end, format_hours=queries.format_hours,
    )
