"""Committee pages of the opinion box: list, detail, accept, assign, answer, close, whistle.

Scoped to the community: a committee member sees and handles only the opinions of their own
community; grid workers see those of their grid and log what they hear at the door.
"""
from __future__ import annotations

from datetime import timedelta

import click
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms.fields.choices import SelectChoice
from flask_login import current_user

from survey.core.db import utcnow
from survey.core.i18n import end_of_local_day, local_today
from survey.core.web import commit_or_refuse, flash_form_errors
from survey.core.scope import units_in_scope
from survey.extensions import db
from survey.forms.opinions import AnswerForm, AssignForm, CloseForm, OpinionForm, WhistleForm, WithdrawForm
from survey.forms.people import ActionForm
from survey.opinions import codes, photos, queries
from survey.opinions import operations as ops
from survey.opinions.models import Opinion, OpinionCategory, OpinionStatus, Whistle
from survey.opinions.public import read_opinion_form
from survey.orgs.models import OrgLevel
from survey.people.permissions import Permission, can, permission_required, units_with

bp = Blueprint("opinions", __name__)


def _opinion(opinion_id: int, **_ignored) -> Opinion:
    return db.session.get(Opinion, opinion_id) or abort(404)


def _deliberations_available() -> bool:
    """The proposal button needs the matter pages (registered by the deliberations blueprint)."""
    return "deliberations.matter" in current_app.view_functions


@bp.app_context_processor
def _home_helpers():
    """``opinion_home_items()`` for the home page: counts and links of what is waiting."""

    def opinion_home_items():
        return queries.home_items(current_user)

    return {"opinion_home_items": opinion_home_items, "OPINION_HOME_LABELS": HOME_LABELS}


HOME_LABELS = {
    "opinions_overdue": _l("Opinions past their deadline"),
    "opinions_new": _l("New opinions to accept"),
    "whistles_waiting": _l("Whistles waiting on departments"),
    "whistles_escalated": _l("Whistles overdue at departments"),
    "department_overdue": _l("Whistles past their deadline"),
    "department_open": _l("Whistles to answer"),
}


def _register_home_items() -> None:
    """Contribute to the home page's "what needs doing" list, where the core provides one."""
    try:
        from survey.core import todo
    except ImportError:  # an older core without the list: the context helper above still works
        return
    urgent = {"opinions_overdue", "whistles_escalated", "department_overdue"}

    @todo.provider
    def opinion_todo(user):
        return [
            todo.TodoItem(
                todo.OVERDUE if item.key in urgent else todo.WAITING, str(HOME_LABELS[item.key]), item.count,
                url_for(item.endpoint, **item.args),
            )
            for item in queries.home_items(user)
        ]


_register_home_items()


@bp.get("/opinions/")
@permission_required(Permission.view_opinions)
def index():
    args = request.args
    status = args.get("status") if args.get("status") in {s.value for s in OpinionStatus} else None
    category = args.get("category") if args.get("category") in {c.value for c in OpinionCategory} else None
    filters = dict(
        status=status, category=category, grid=(args.get("grid") or None), community=(args.get("community") or None),
        overdue=args.get("overdue") == "1", mine=args.get("mine") == "1", whistled=args.get("whistled") == "1",
    )
    now = utcnow()
    query = queries.opinions_query(current_user, now=now, **filters)
    pagination = db.paginate(query, page=max(args.get("page", 1, type=int) or 1, 1), per_page=50, error_out=False)
    communities = units_in_scope(Permission.view_opinions, OrgLevel.community)
    return render_template(
        "opinions/index.html", pagination=pagination, filters=filters, now=now, statuses=list(OpinionStatus),
        categories=list(OpinionCategory), communities=communities, display=codes.display,
        can_log=bool(units_with(current_user, Permission.log_opinions)),
        page_args={k: v for k, v in args.items() if k != "page"},
    )


@bp.route("/opinions/log", methods=["GET", "POST"])
@permission_required(Permission.log_opinions)
def log():
    """A grid worker writes down an opinion heard at the door, for a grid of their scope."""
    grids = units_in_scope(Permission.log_opinions, OrgLevel.grid)
    if not grids:
        abort(403)
    form = OpinionForm()
    form.grid.choices = [SelectChoice(g.code, f"{g.parent.name} · {g.name}") for g in grids]
    form.grid.validators = []
    if request.method == "POST":
        grid = next((g for g in grids if g.code == form.grid.data), None)
        if grid is None:
            form.grid.errors = [_("Choose the grid.")]
            form.validate_on_submit()
        else:
            opinion = read_opinion_form(form, grid.parent, [grid], logged_by=current_user)
            if opinion is not None:
                flash(_("Logged. Tracking code for the household: %(code)s", code=codes.display(opinion.tracking_code)), "success")
                return redirect(url_for("opinions.detail", opinion_id=opinion.id))
    return render_template(
        "opinions/log.html", form=form, categories=list(OpinionCategory),
        max_mb=current_app.config["OPINION_PHOTO_MAX_BYTES"] / 1024 / 1024,
    ), (400 if request.method == "POST" else 200)


def _whistle_form(opinion: Opinion) -> WhistleForm:
    form = WhistleForm()
    form.department.choices = [SelectChoice(d.code, d.name) for d in ops.departments_for(opinion.community)]
    if not form.due.data:
        days = current_app.config["WHISTLE_ANSWER_DAYS"]
        form.due.data = local_today() + timedelta(days=days)
    return form


@bp.get("/opinions/<int:opinion_id>")
@permission_required(Permission.view_opinions)
def detail(opinion_id: int):
    opinion = _opinion(opinion_id)
    if not queries.readable(current_user, opinion):
        abort(403)
    manage = can(current_user, Permission.manage_opinions, opinion.community)
    assign = AssignForm()
    assign.person.choices = [SelectChoice(str(u.id), u.display_name) for u in ops.assignable_people(opinion.community)] if manage else []
    return render_template(
        "opinions/detail.html", opinion=opinion, manage=manage, private=queries.sees_private(current_user, opinion),
        now=utcnow(), display=codes.display, action=ActionForm(), assign=assign, answer=AnswerForm(), close=CloseForm(),
        whistle_form=_whistle_form(opinion) if manage else None, withdraw=WithdrawForm(),
        deliberations=_deliberations_available(),
    )


@bp.get("/opinions/<int:opinion_id>/photo")
@permission_required(Permission.manage_opinions, load=_opinion)
def photo(opinion: Opinion):
    if not opinion.photo_file:
        abort(404)
    try:
        path = photos.path_of(opinion.photo_file)
    except FileNotFoundError:
        abort(404)
    if not path.is_file():
        abort(404)
    response = send_file(path, mimetype="image/jpeg", max_age=0, download_name=f"opinion-{opinion.tracking_code}.jpg")
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _back(opinion: Opinion):
    return redirect(url_for("opinions.detail", opinion_id=opinion.id))


def _run(opinion: Opinion, form, action, message: str | None = None):
    """Validate ``form``, run ``action``; commit, or roll back and show the refusal."""
    if not form.validate_on_submit():
        flash_form_errors(form)
    else:
        commit_or_refuse(lambda: action(form), message or _("Saved."))
    return _back(opinion)


@bp.post("/opinions/<int:opinion_id>/accept")
@permission_required(Permission.manage_opinions, load=_opinion)
def accept(opinion: Opinion):
    return _run(opinion, ActionForm(), lambda f: ops.accept(current_user, opinion), _("Accepted."))


@bp.post("/opinions/<int:opinion_id>/assign")
@permission_required(Permission.manage_opinions, load=_opinion)
def assign(opinion: Opinion):
    form = AssignForm()
    people = ops.assignable_people(opinion.community)
    form.person.choices = [SelectChoice(str(u.id), u.display_name) for u in people]

    def act(f):
        person = next(u for u in people if str(u.id) == f.person.data)
        ops.assign(current_user, opinion, person)

    return _run(opinion, form, act, _("Assigned."))


@bp.post("/opinions/<int:opinion_id>/answer")
@permission_required(Permission.manage_opinions, load=_opinion)
def answer(opinion: Opinion):
    return _run(opinion, AnswerForm(), lambda f: ops.answer(current_user, opinion, f.text.data), _("Answer sent."))


@bp.post("/opinions/<int:opinion_id>/close")
@permission_required(Permission.manage_opinions, load=_opinion)
def close(opinion: Opinion):
    return _run(opinion, CloseForm(), lambda f: ops.close(current_user, opinion, f.note.data or ""), _("Closed."))


@bp.post("/opinions/<int:opinion_id>/whistle")
@permission_required(Permission.manage_opinions, load=_opinion)
def whistle(opinion: Opinion):
    form = _whistle_form(opinion)
    departments = ops.departments_for(opinion.community)

    def act(f):
        department = next(d for d in departments if d.code == f.department.data)
        ops.blow_whistle(current_user, opinion, department, f.request.data, end_of_local_day(f.due.data))

    return _run(opinion, form, act, _("The whistle was blown: the department has it now."))


@bp.post("/opinions/<int:opinion_id>/whistles/<int:whistle_id>/withdraw")
@permission_required(Permission.manage_opinions, load=_opinion)
def withdraw(opinion: Opinion):
    whistle = db.session.get(Whistle, request.view_args["whistle_id"])
    if whistle is None or whistle.opinion_id != opinion.id:
        abort(404)
    return _run(opinion, WithdrawForm(), lambda f: ops.withdraw_whistle(current_user, whistle, f.reason.data), _("Withdrawn."))


@bp.post("/opinions/<int:opinion_id>/proposal")
@permission_required(Permission.manage_opinions, load=_opinion)
def proposal(opinion: Opinion):
    if not _deliberations_available():
        abort(404)
    return _run(opinion, ActionForm(), lambda f: ops.turn_into_proposal(current_user, opinion), _("Turned into a proposal."))


@bp.cli.command("escalate")
def escalate_command():
    """Escalate open whistles past their deadline to the street: one audit entry each (for cron)."""
    escalated = ops.escalate_overdue(source="command")
    db.session.commit()
    for whistle in escalated:
        click.echo(f"whistle {whistle.id}: {whistle.department.code}, due {whistle.due_at:%Y-%m-%d %H:%M} UTC")
    click.echo(f"{len(escalated)} whistle(s) escalated.")
