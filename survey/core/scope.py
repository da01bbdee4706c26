"""Lookups shared by views: the units and objects a user may pick, limited to their scope."""
from __future__ import annotations

from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from survey.extensions import db
from survey.orgs.models import OrgLevel, OrgUnit
from survey.people.permissions import Permission, in_scope


def units_in_scope(permission: Permission, *levels: OrgLevel) -> list[OrgUnit]:
    query = select(OrgUnit).where(in_scope(current_user, permission, OrgUnit.path)).order_by(OrgUnit.path)
    if levels:
        query = query.where(OrgUnit.level.in_(levels))
    return list(db.session.scalars(query))


def unit_choices(units: list[OrgUnit]) -> list[SelectChoice]:
    return [SelectChoice(u.code, f"{'　' * u.depth}{u.name} ({u.code})") for u in units]


def pick(units: list[OrgUnit], code: str) -> OrgUnit | None:
    return next((u for u in units if u.code == code), None)
