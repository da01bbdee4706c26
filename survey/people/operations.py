"""Verbs on accounts and roles. Each flushes and writes the audit log; the caller commits."""
from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from survey.core import audit
from survey.core.db import utcnow
from survey.core.errors import DomainError
from survey.extensions import db
from survey.orgs.models import OrgUnit
from survey.people.models import Role, RoleAssignment, User

# Checked when the account does not exist, so that a wrong username costs as long as a wrong password.
_DUMMY_HASH = None


def user_by_username(username: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.username) == username.strip().lower()))


def authenticate(username: str, password: str) -> User | None:
    global _DUMMY_HASH
    user = user_by_username(username)
    if user is None:
        if _DUMMY_HASH is None:
            probe = User()
            probe.set_password("not-a-password")
            _DUMMY_HASH = probe.password_hash
        User(password_hash=_DUMMY_HASH).check_password(password)
        return None
    if not user.check_password(password) or not user.active:
        return None
    user.last_login_at = utcnow()
    return user


def check_password_strength(password: str) -> None:
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password) < minimum:
        raise DomainError(_("A password needs at least %(n)d characters.", n=minimum))
    if len(set(password)) < 4:
        raise DomainError(_("This password is too easy to guess."))


def check_role_fits(role: Role, unit: OrgUnit) -> None:
    if unit.level not in role.levels:
        raise DomainError(
            _("The role %(role)s cannot be given on a %(level)s.", role=role.label, level=unit.level.label)
        )


def create_user(actor, username: str, display_name: str, password: str, role: Role, unit: OrgUnit) -> User:
    if user_by_username(username) is not None:
        raise DomainError(_("The username %(name)s is already taken.", name=username))
    check_password_strength(password)
    check_role_fits(role, unit)
    user = User(username=username, display_name=display_name, active=True)
    user.set_password(password)
    user.roles.append(RoleAssignment(role=role, unit=unit))
    db.session.add(user)
    audit.record("user.create", user, actor=actor, unit=unit, payload={"username": username, "role": role.value, "unit": unit.code})
    return user


def assign_role(actor, user: User, role: Role, unit: OrgUnit) -> RoleAssignment:
    check_role_fits(role, unit)
    if any(a.role is role and a.unit_id == unit.id for a in user.roles):
        raise DomainError(_("This account already has that role on that unit."))
    assignment = RoleAssignment(role=role, unit=unit)
    user.roles.append(assignment)
    audit.record("user.role_add", user, actor=actor, unit=unit, payload={"role": role.value, "unit": unit.code})
    return assignment


def revoke_role(actor, assignment: RoleAssignment) -> None:
    user = assignment.user
    if len(user.roles) == 1:
        raise DomainError(_("An account keeps at least one role; deactivate it instead."))
    if actor is not None and user.id == actor.id:
        raise DomainError(_("You cannot remove your own roles."))
    audit.record(
        "user.role_remove", user, actor=actor, unit=assignment.unit,
        payload={"role": assignment.role.value, "unit": assignment.unit.code},
    )
    user.roles.remove(assignment)
    db.session.flush()


def update_user(actor, user: User, display_name: str, active: bool, new_password: str | None) -> None:
    if actor is not None and user.id == actor.id and not active:
        raise DomainError(_("You cannot deactivate your own account."))
    changes = {}
    if display_name != user.display_name:
        changes["display_name"] = display_name
        user.display_name = display_name
    if active != user.active:
        changes["active"] = active
        user.active = active
        user.session_version += 1
    if new_password:
        check_password_strength(new_password)
        user.set_password(new_password)
        user.session_version += 1
        changes["password"] = "reset"
    if changes:
        audit.record("user.update", user, actor=actor, unit=user.scope_units[0] if user.roles else None, payload=changes)


def change_own_password(user: User, current: str, new: str) -> None:
    if not user.check_password(current):
        raise DomainError(_("The current password is not correct."))
    if current == new:
        raise DomainError(_("The new password must differ from the current one."))
    check_password_strength(new)
    user.set_password(new)
    user.session_version += 1
    audit.record("user.password_change", user, actor=user, payload={})
