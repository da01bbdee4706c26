"""Verbs that change the org tree. Each flushes and writes the audit log; the caller commits."""
from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from survey.core import audit
from survey.core.errors import DomainError
from survey.extensions import db
from survey.forms.base import CODE_PATTERN
from survey.orgs.models import CommunityKind, OrgLevel, OrgUnit

_CODE_RE = re.compile(CODE_PATTERN)

# Fixed path segments that public URLs use where a unit's code goes: /opinions/track beside
# /opinions/<code>/new, /board/static/... beside /board/<code>. A unit with one of these codes
# would have pages that cannot be reached, so no new unit may take one (in any case: TRACK
# would only confuse). tests/orgs/test_reserved_codes.py checks the app's URL map against it.
RESERVED_CODES = frozenset({"log", "receipt", "static", "track"})


def is_reserved_code(code: str) -> bool:
    return code.lower() in RESERVED_CODES


def reserved_code_message(code: str) -> str:
    return _(
        "The code %(code)s is reserved for the site's own pages (%(words)s); choose another code.",
        code=code,
        words=", ".join(sorted(RESERVED_CODES)),
    )


@dataclass
class UnitFields:
    name: str
    kind: CommunityKind | None = None
    households: int | None = None
    residents: int | None = None
    phone: str | None = None


def unit_by_code(code: str) -> OrgUnit | None:
    return db.session.scalar(select(OrgUnit).filter_by(code=code))


def check_fields(level: OrgLevel, values: UnitFields) -> list[str]:
    """Reasons why ``values`` do not fit a unit of ``level``; empty when they do."""
    problems = []
    if not values.name or len(values.name) > 120:
        problems.append(_("A name of 1 to 120 characters is required."))
    if values.kind is not None and level is not OrgLevel.community:
        problems.append(_("Only a community or village has a kind (urban or village)."))
    if level is not OrgLevel.grid and (values.households is not None or values.residents is not None):
        problems.append(_("Household and resident counts belong to grids only."))
    for number in (values.households, values.residents):
        if number is not None and number < 0:
            problems.append(_("Counts cannot be negative."))
    return problems


def create_unit(actor, parent: OrgUnit | None, code: str, level: OrgLevel, values: UnitFields) -> OrgUnit:
    if not _CODE_RE.match(code or ""):
        raise DomainError(_("The code %(code)s is not valid.", code=code))
    if is_reserved_code(code):
        raise DomainError(reserved_code_message(code))
    if unit_by_code(code) is not None:
        raise DomainError(_("The code %(code)s is already used.", code=code))
    if (parent is None) != (level is OrgLevel.district) or (parent and parent.level not in level.allowed_parents):
        raise DomainError(_("A %(level)s cannot be placed there.", level=level.label))
    problems = check_fields(level, values)
    if problems:
        raise DomainError(" ".join(problems))
    unit = OrgUnit(
        code=code,
        level=level,
        parent=parent,
        path=(parent.path if parent else "/") + code + "/",
        **vars(values),
    )
    db.session.add(unit)
    audit.record("org.create", unit, actor=actor, unit=unit, payload={"code": code, "level": level.value, **_payload(values)})
    return unit


def update_unit(actor, unit: OrgUnit, values: UnitFields) -> OrgUnit:
    problems = check_fields(unit.level, values)
    if problems:
        raise DomainError(" ".join(problems))
    before = _payload(UnitFields(unit.name, unit.kind, unit.households, unit.residents, unit.phone))
    for key, value in vars(values).items():
        setattr(unit, key, value)
    after = _payload(values)
    if before != after:
        audit.record("org.update", unit, actor=actor, unit=unit, payload={"before": before, "after": after})
    return unit


def _payload(values: UnitFields) -> dict:
    data = vars(values).copy()
    data["kind"] = values.kind.value if values.kind else None
    return data


def subtree(unit: OrgUnit) -> list[OrgUnit]:
    return list(
        db.session.scalars(
            select(OrgUnit).where(OrgUnit.path.startswith(unit.path, autoescape=True)).order_by(OrgUnit.path)
        )
    )


def grid_totals(units: list[OrgUnit]) -> dict[int, tuple[int, int, int]]:
    """For each unit: (grids, households, residents) summed over the grids below it."""
    totals: dict[int, list[int]] = {u.id: [0, 0, 0] for u in units}
    by_path = {u.path: u for u in units}
    for grid in units:
        if grid.level is not OrgLevel.grid:
            continue
        for path in grid.lineage_paths:
            owner = by_path.get(path)
            if owner is not None:
                t = totals[owner.id]
                t[0] += 1
                t[1] += grid.households or 0
                t[2] += grid.residents or 0
    return {k: tuple(v) for k, v in totals.items()}
