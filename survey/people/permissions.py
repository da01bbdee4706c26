"""Declared permissions: which role may do what, always within the subtree of its unit.

``can`` is plain Python over loaded objects so that it is testable without a request;
``permission_required`` declares the check next to a view.
"""
from __future__ import annotations

import enum
from functools import wraps
from typing import Any, Callable, Iterable

from flask import abort
from flask_login import current_user
from sqlalchemy import or_

from survey.orgs.models import OrgUnit
from survey.people.models import Role


class Permission(enum.Enum):
    view_orgs = "view_orgs"
    edit_orgs = "edit_orgs"
    view_users = "view_users"
    manage_users = "manage_users"
    view_audit = "view_audit"
    view_surveys = "view_surveys"  # projects, questionnaires, campaigns and their results
    manage_surveys = "manage_surveys"
    view_matters = "view_matters"  # the five deliberations
    manage_matters = "manage_matters"
    view_opinions = "view_opinions"  # the opinion box and whistles sent from it
    manage_opinions = "manage_opinions"
    log_opinions = "log_opinions"  # grid workers write down what they hear at the door
    answer_whistles = "answer_whistles"  # a department's liaison reports on whistles sent to it
    view_appraisal = "view_appraisal"  # cadres, appraisal cycles, their results and sheets
    manage_appraisal = "manage_appraisal"  # cycles, ballots, targets, grades, notice, publish
    view_members = "view_members"  # reporting party members (双报到) and their scores
    manage_members = "manage_members"  # service records, check-ins, the party organisation's assessment


_READ = {
    Permission.view_orgs, Permission.view_users, Permission.view_audit, Permission.view_surveys,
    Permission.view_matters, Permission.view_opinions,
}
_ADMIN = _READ | {
    Permission.edit_orgs, Permission.manage_users, Permission.manage_surveys, Permission.manage_matters,
    Permission.manage_opinions,
}

_APPRAISAL_READ = {Permission.view_appraisal, Permission.view_members}
_APPRAISAL_ADMIN = _APPRAISAL_READ | {Permission.manage_appraisal, Permission.manage_members}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.district_admin: frozenset(_ADMIN | _APPRAISAL_ADMIN),
    Role.street_admin: frozenset(_ADMIN | _APPRAISAL_ADMIN),
    Role.committee_member: frozenset(
        {
            Permission.view_orgs, Permission.edit_orgs, Permission.view_users, Permission.view_surveys,
            Permission.manage_surveys, Permission.view_matters, Permission.manage_matters, Permission.view_opinions,
            Permission.manage_opinions, Permission.log_opinions,
        }
        # The community confirms members' service and gives the party organisation's assessment.
        | {Permission.view_members, Permission.manage_members}
    ),
    Role.grid_worker: frozenset({Permission.view_orgs, Permission.view_opinions, Permission.log_opinions}),
    Role.auditor: frozenset(_READ | _APPRAISAL_READ),
    Role.department_liaison: frozenset({Permission.view_orgs, Permission.answer_whistles}),
}


def units_with(user, permission: Permission) -> list[OrgUnit]:
    """The units on whose subtree ``user`` holds ``permission``."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    return [a.unit for a in user.roles if permission in ROLE_PERMISSIONS[a.role]]


def can(user, permission: Permission, unit: OrgUnit) -> bool:
    return any(scope.contains(unit) for scope in units_with(user, permission))


def can_all(user, permission: Permission, units: Iterable[OrgUnit]) -> bool:
    """Every unit in ``units`` is in scope. An object tied to no unit needs district scope."""
    units = list(units)
    if not units:
        return any(u.parent_id is None for u in units_with(user, permission))
    return all(can(user, permission, u) for u in units)


def in_scope(user, permission: Permission, path_column) -> Any:
    """A SQL condition: ``path_column`` lies in a subtree where ``user`` holds ``permission``."""
    scopes = units_with(user, permission)
    if not scopes:
        return path_column.is_(None) & path_column.isnot(None)  # always false, portable
    return or_(*(path_column.startswith(u.path, autoescape=True) for u in scopes))


def permission_required(permission: Permission, load: Callable[..., Any] | None = None):
    """Refuse the view unless the user holds ``permission`` over the object ``load`` returns.

    ``load`` receives the view's URL arguments and returns an OrgUnit or an object with
    ``permission_units``; the view is then called with that object alone. Without ``load`` the
    permission must be held somewhere, and the view filters by scope itself.
    """

    def decorator(view):
        @wraps(view)
        def wrapped(**kwargs):
            from survey.extensions import login_manager

            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if load is None:
                if not units_with(current_user, permission):
                    abort(403)
                return view(**kwargs)
            target = load(**kwargs)
            units = [target] if isinstance(target, OrgUnit) else list(target.permission_units)
            if not can_all(current_user, permission, units):
                abort(403)
            return view(target)

        wrapped.required_permission = permission
        return wrapped

    return decorator
