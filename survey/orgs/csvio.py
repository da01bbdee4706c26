"""Import and export of the org tree as CSV (the format is documented in docs/orgs-csv.md).

An import is all or nothing: every row is checked first, every problem is reported with its
line number, and only a file without problems changes the database.

Export guards every cell against formula injection with the responses export's
:func:`~survey.core.spreadsheets.escape_formula` (``=SUM(A1)`` is written ``'=SUM(A1)``), and
import takes that quote off again, so that an export imports back to the same tree.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import IO, Iterable

from flask_babel import gettext as _
from sqlalchemy import select

from survey.core import audit
from survey.core.errors import DomainError
from survey.core.spreadsheets import FORMULA_STARTS, escape_formula
from survey.extensions import db
from survey.orgs import operations
from survey.orgs.models import CommunityKind, OrgLevel, OrgUnit

COLUMNS = ("code", "name", "level", "parent_code", "kind", "households", "residents", "phone")
REQUIRED_COLUMNS = ("code", "name", "level", "parent_code")


@dataclass
class RowError:
    line: int
    message: str

    def __str__(self) -> str:
        return _("line %(line)d: %(message)s", line=self.line, message=self.message)


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)


class ImportRefused(DomainError):
    def __init__(self, errors: list[RowError]):
        super().__init__(_("The file was not imported: %(count)d problem(s).", count=len(errors)))
        self.errors = errors


@dataclass
class _Row:
    line: int
    code: str
    level: OrgLevel
    parent_code: str
    fields: operations.UnitFields


def _looks_escaped(value: str) -> bool:
    """``'=1``, ``''=1``: quotes in front of what a spreadsheet would take for a formula."""
    return value.startswith("'") and value.lstrip("'").startswith(FORMULA_STARTS)


def _export_cell(value: str) -> str:
    # A text that already looks escaped gets one more quote, so that import, which takes one
    # quote off such a text, gives back every text exactly as it was.
    return "'" + value if _looks_escaped(value) else escape_formula(value)


def _import_cell(value: str) -> str:
    return value[1:] if _looks_escaped(value) else value


def _int_or_none(value: str, column: str, errors: list[str]) -> int | None:
    value = value.strip()
    if not value:
        return None
    try:
        number = int(value)
    except ValueError:
        errors.append(_("%(column)s must be a whole number, not %(value)s.", column=column, value=value))
        return None
    if number < 0:
        errors.append(_("%(column)s cannot be negative.", column=column))
    return number


def _parse(stream: IO[str]) -> tuple[list[_Row], list[RowError]]:
    reader = csv.DictReader(stream)
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        return [], [RowError(1, _("missing column(s): %(columns)s", columns=", ".join(missing)))]
    unknown = [c for c in header if c not in COLUMNS]
    if unknown:
        return [], [RowError(1, _("unknown column(s): %(columns)s", columns=", ".join(unknown)))]
    reader.fieldnames = header
    rows, errors = [], []
    for record in reader:
        line = reader.line_num
        if None in record:
            errors.append(RowError(line, _("more values than columns")))
            continue
        get = lambda key: _import_cell((record.get(key) or "").strip())  # noqa: E731
        if not any(get(c) for c in header):
            continue  # blank line
        problems: list[str] = []
        code = get("code")
        if not operations._CODE_RE.match(code):
            problems.append(_("the code %(code)s is not valid", code=code or "—"))
        try:
            level = OrgLevel(get("level"))
        except ValueError:
            problems.append(_("level must be one of district, street, community, grid, department"))
            level = None
        kind = None
        if get("kind"):
            try:
                kind = CommunityKind(get("kind"))
            except ValueError:
                problems.append(_("kind must be urban or village"))
        households = _int_or_none(get("households"), "households", problems)
        residents = _int_or_none(get("residents"), "residents", problems)
        fields = operations.UnitFields(get("name"), kind, households, residents, get("phone") or None)
        if level is not None:
            problems += operations.check_fields(level, fields)
        if problems:
            errors.extend(RowError(line, p) for p in problems)
        else:
            rows.append(_Row(line, code, level, get("parent_code"), fields))
    return rows, errors


def import_units(actor, stream: IO[str], *, scope: OrgUnit | None = None) -> ImportReport:
    """Create or update the units in ``stream``. ``scope``: every row must fall inside it."""
    rows, errors = _parse(stream)
    existing = {u.code: u for u in db.session.scalars(select(OrgUnit))}
    seen: dict[str, _Row] = {}
    for row in rows:
        if row.code in seen:
            errors.append(RowError(row.line, _("the code %(code)s appears already on line %(other)d", code=row.code, other=seen[row.code].line)))
            continue
        seen[row.code] = row
        if row.code not in existing and operations.is_reserved_code(row.code):
            errors.append(RowError(row.line, operations.reserved_code_message(row.code)))
        parent_levels = row.level.allowed_parents
        if not parent_levels:
            if row.parent_code:
                errors.append(RowError(row.line, _("a district has no parent_code")))
        else:
            parent_row = seen.get(row.parent_code)
            parent = existing.get(row.parent_code)
            found_level = parent_row.level if parent_row else (parent.level if parent else None)
            if found_level is None:
                errors.append(RowError(row.line, _("the parent %(code)s is neither in the database nor on an earlier line", code=row.parent_code or "—")))
            elif found_level not in parent_levels:
                errors.append(RowError(row.line, _("a %(level)s must belong to a %(parent)s", level=row.level.value, parent=" / ".join(p.value for p in parent_levels))))
        old = existing.get(row.code)
        if old is not None and (old.level is not row.level or (old.parent.code if old.parent else "") != row.parent_code):
            errors.append(RowError(row.line, _("%(code)s exists with another level or parent; moving units is not done by import", code=row.code)))
    if scope is not None:
        errors.extend(_out_of_scope(rows, existing, scope))
    if errors:
        raise ImportRefused(sorted(errors, key=lambda e: e.line))

    report = ImportReport()
    units = dict(existing)
    for row in rows:
        unit = units.get(row.code)
        if unit is None:
            parent = units.get(row.parent_code) if row.parent_code else None
            units[row.code] = _create_quietly(parent, row)
            report.created += 1
        elif _differs(unit, row.fields):
            for key, value in vars(row.fields).items():
                setattr(unit, key, value)
            report.updated += 1
        else:
            report.unchanged += 1
    db.session.flush()
    audit.record(
        "org.import",
        ("org_unit", "*"),
        actor=actor,
        unit=scope,
        payload={"created": report.created, "updated": report.updated, "rows": len(rows)},
    )
    return report


def _create_quietly(parent: OrgUnit | None, row: _Row) -> OrgUnit:
    # One audit entry covers the whole import; one per unit would bury the log.
    unit = OrgUnit(
        code=row.code,
        level=row.level,
        parent=parent,
        path=(parent.path if parent else "/") + row.code + "/",
        **vars(row.fields),
    )
    db.session.add(unit)
    return unit


def _differs(unit: OrgUnit, fields: operations.UnitFields) -> bool:
    return any(getattr(unit, key) != value for key, value in vars(fields).items())


def _out_of_scope(rows: list[_Row], existing: dict[str, OrgUnit], scope: OrgUnit) -> list[RowError]:
    paths = {code: u.path for code, u in existing.items()}
    errors = []
    for row in rows:
        parent_path = paths.get(row.parent_code, "")
        paths[row.code] = parent_path + row.code + "/" if parent_path else "/" + row.code + "/"
        if not paths[row.code].startswith(scope.path) or paths[row.code] == scope.path:
            errors.append(RowError(row.line, _("%(code)s lies outside your scope", code=row.code)))
    return errors


def export_rows(units: Iterable[OrgUnit]) -> Iterable[list[str]]:
    yield list(COLUMNS)
    for u in units:
        row = [
            u.code,
            u.name,
            u.level.value,
            u.parent.code if u.parent else "",
            u.kind.value if u.kind else "",
            "" if u.households is None else str(u.households),
            "" if u.residents is None else str(u.residents),
            u.phone or "",
        ]
        yield [_export_cell(value) for value in row]


def export_csv(units: Iterable[OrgUnit]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(export_rows(units))
    return out.getvalue()
