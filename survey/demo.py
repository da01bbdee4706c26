"""The demo district: two streets, six communities (urban and village), forty grids."""
from __future__ import annotations

import random

from survey.orgs.models import CommunityKind, OrgLevel, OrgUnit
from survey.orgs.operations import UnitFields, create_unit, unit_by_code
from survey.people.models import Role
from survey.people.operations import create_user, user_by_username

DISTRICT = ("LJ", "临江区")
STREETS = [
    ("LJ01", "滨江街道", "0571-8600-1100", [
        ("LJ0101", "朝阳社区", CommunityKind.urban, 8, "0571-8600-1101"),
        ("LJ0102", "和平社区", CommunityKind.urban, 7, "0571-8600-1102"),
        ("LJ0103", "春晖社区", CommunityKind.urban, 7, "0571-8600-1103"),
    ]),
    ("LJ02", "青山镇", "0571-8600-2200", [
        ("LJ0201", "青山社区", CommunityKind.urban, 6, "0571-8600-2201"),
        ("LJ0202", "桃源村", CommunityKind.village, 6, "0571-8600-2202"),
        ("LJ0203", "石桥村", CommunityKind.village, 6, "0571-8600-2203"),
    ]),
]
DEPARTMENTS = [
    ("LJ-CG", "区城市管理局", "0571-8600-3001"),
    ("LJ-GA", "临江公安分局", "0571-8600-3002"),
    ("LJ-WJ", "区卫生健康局", "0571-8600-3003"),
    ("LJ-ZJ", "区住房和城乡建设局", "0571-8600-3004"),
    ("LJ-SJ", "区市场监督管理局", "0571-8600-3005"),
]
ACCOUNTS = [
    ("district", "王敏", Role.district_admin, "LJ"),
    ("street", "李强", Role.street_admin, "LJ01"),
    ("committee", "张丽", Role.committee_member, "LJ0101"),
    ("village", "陈建国", Role.committee_member, "LJ0202"),
    ("grid", "刘芳", Role.grid_worker, "LJ0101-01"),
    ("auditor", "赵刚", Role.auditor, "LJ"),
    ("chengguan", "孙磊", Role.department_liaison, "LJ-CG"),
]


def _ensure(parent: OrgUnit | None, code: str, level: OrgLevel, fields: UnitFields) -> OrgUnit:
    return unit_by_code(code) or create_unit(None, parent, code, level, fields)


def seed(password: str) -> list[tuple[str, str, str]]:
    rng = random.Random(2026)  # the same district every time
    district = _ensure(None, DISTRICT[0], OrgLevel.district, UnitFields(DISTRICT[1], phone="0571-8600-0000"))
    for street_code, street_name, street_phone, communities in STREETS:
        street = _ensure(district, street_code, OrgLevel.street, UnitFields(street_name, phone=street_phone))
        for code, name, kind, grids, phone in communities:
            community = _ensure(street, code, OrgLevel.community, UnitFields(name, kind=kind, phone=phone))
            for i in range(1, grids + 1):
                households = rng.randrange(120, 480) if kind is CommunityKind.urban else rng.randrange(60, 180)
                grid_name = f"第{i}网格" if kind is CommunityKind.urban else f"{i}组"
                _ensure(
                    community,
                    f"{code}-{i:02d}",
                    OrgLevel.grid,
                    UnitFields(grid_name, households=households, residents=int(households * rng.uniform(2.1, 2.9))),
                )
    for code, name, phone in DEPARTMENTS:
        _ensure(district, code, OrgLevel.department, UnitFields(name, phone=phone))
    accounts = []
    for username, display_name, role, unit_code in ACCOUNTS:
        if user_by_username(username) is None:
            create_user(None, username, display_name, password, role, unit_by_code(unit_code))
        accounts.append((username, role.value, unit_code))
    return accounts
