"""Login, own password, and account administration within one's scope."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from survey.core.errors import DomainError
from survey.core.scope import pick, unit_choices, units_in_scope
from survey.core.views import safe_next
from survey.extensions import db, limiter
from survey.forms.people import ActionForm, LoginForm, PasswordChangeForm, RoleAssignForm, UserCreateForm, UserSettingsForm
from survey.orgs.models import OrgUnit
from survey.people import operations
from survey.people.models import Role, RoleAssignment, User
from survey.people.permissions import Permission, can_all, in_scope, permission_required, units_with

bp = Blueprint("people", __name__)


def _login_account_key() -> str:
    return "login-account:" + (request.form.get("username") or "").strip().lower()


def _failed(response) -> bool:
    return response.status_code != 302


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"], methods=["POST"], deduct_when=_failed)
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"], key_func=_login_account_key, methods=["POST"], deduct_when=_failed
)
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = operations.authenticate(form.username.data, form.password.data)
        if user is not None:
            db.session.commit()
            login_user(user)
            return redirect(safe_next(request.args.get("next"), url_for("core.home")))
        flash(_("Wrong username or password."), "error")
    return render_template("people/login.html", form=form)


@bp.post("/logout")
def logout():
    ActionForm().validate_on_submit() or abort(400)
    logout_user()
    return redirect(url_for("core.home"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            operations.change_own_password(current_user, form.current_password.data, form.new_password.data)
        except DomainError as error:
            db.session.rollback()
            form.new_password.errors.append(str(error))
        else:
            db.session.commit()
            login_user(current_user._get_current_object())  # the session carries the new session version
            flash(_("Your password was changed."), "success")
            return redirect(url_for("core.home"))
    return render_template("people/password.html", form=form)


def _load_user(user_id: int, **_ignored) -> User:
    return db.session.get(User, user_id) or abort(404)


@bp.get("/users/")
@permission_required(Permission.view_users)
def users():
    scoped = select(RoleAssignment.user_id).join(OrgUnit).where(in_scope(current_user, Permission.view_users, OrgUnit.path))
    rows = db.session.scalars(select(User).where(User.id.in_(scoped)).order_by(User.username))
    can_manage = bool(units_with(current_user, Permission.manage_users))
    return render_template("people/users.html", users=list(rows), can_manage=can_manage)


@bp.route("/users/new", methods=["GET", "POST"])
@permission_required(Permission.manage_users)
def new_user():
    form = UserCreateForm()
    units = units_in_scope(Permission.manage_users)
    form.unit.choices = unit_choices(units)
    if form.validate_on_submit():
        unit = pick(units, form.unit.data) or abort(403)
        try:
            user = operations.create_user(
                current_user, form.username.data, form.display_name.data, form.password.data, Role(form.role.data), unit
            )
        except DomainError as error:
            db.session.rollback()
            form.form_errors.append(str(error))
        else:
            db.session.commit()
            flash(_("The account %(name)s was created.", name=user.username), "success")
            return redirect(url_for("people.user_detail", user_id=user.id))
    return render_template("people/user_new.html", form=form)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@permission_required(Permission.view_users, load=_load_user)
def user_detail(user: User):
    manageable = can_all(current_user, Permission.manage_users, user.permission_units)
    settings = UserSettingsForm(obj=user, prefix="settings")
    assign = RoleAssignForm(prefix="assign")
    units = units_in_scope(Permission.manage_users) if manageable else []
    assign.unit.choices = unit_choices(units)
    if request.method == "POST":
        if not manageable:
            abort(403)
        try:
            if "settings-submit" in request.form and settings.validate_on_submit():
                operations.update_user(
                    current_user, user, settings.display_name.data, settings.active.data, settings.new_password.data or None
                )
            elif "assign-submit" in request.form and assign.validate_on_submit():
                operations.assign_role(current_user, user, Role(assign.role.data), pick(units, assign.unit.data) or abort(403))
            else:
                return render_template("people/user_detail.html", user=user, settings=settings, assign=assign, manageable=True, revoke=ActionForm()), 400
        except DomainError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("people.user_detail", user_id=user.id))
    return render_template(
        "people/user_detail.html", user=user, settings=settings, assign=assign, manageable=manageable, revoke=ActionForm()
    )


@bp.post("/users/<int:user_id>/roles/<int:assignment_id>/revoke")
@permission_required(Permission.manage_users, load=_load_user)
def revoke_role(user: User):
    if not ActionForm().validate_on_submit():
        abort(400)
    assignment_id = request.view_args["assignment_id"]
    assignment = next((a for a in user.roles if a.id == assignment_id), None) or abort(404)
    try:
        operations.revoke_role(current_user, assignment)
    except DomainError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("The role was removed."), "success")
    return redirect(url_for("people.user_detail", user_id=user.id))

