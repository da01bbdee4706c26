"""The demo district: two streets, six communities (urban and village), forty grids."""
from __future__ import annotations

import random
import uuid
from datetime import date, timedelta

from sqlalchemy import select

from survey.orgs.models import CommunityKind, OrgLevel, OrgUnit
from survey.orgs.operations import UnitFields, create_unit, unit_by_code
from survey.people.models import Role
from survey.people.operations import create_user, user_by_username
from survey.projects.models import Project, ProjectStatus, ProjectType
from survey.questionnaires import operations as survey_ops
from survey.questionnaires.models import AccessMode, InvitationCode, Questionnaire, ResponseChannel
from survey.questionnaires.questions import StoredAnswer

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


TEMPLATE_TITLE = "长者食堂满意度评议（区模板）"
CANTEEN_QUESTIONS = [
    {"type": "likert", "text": "您对饭菜的口味和品种满意吗？"},
    {"type": "likert", "text": "您对饭菜的价格满意吗？"},
    {"type": "likert", "text": "您对就餐环境和卫生满意吗？"},
    {"type": "likert", "text": "您对工作人员的服务态度满意吗？"},
    {"type": "single", "text": "您多久在长者食堂就餐一次？", "options": ["几乎每天", "每周几次", "偶尔", "从不"], "required": False},
    {"type": "long_text", "text": "您对长者食堂还有什么意见和建议？", "required": False},
    {"type": "likert", "text": "总体来说，您对长者食堂满意吗？", "overall": True},
]
PROJECTS = [
    ("LJ0101", "朝阳社区长者食堂", ProjectType.elderly_canteen, "张丽"),
    ("LJ0101", "朝阳社区垃圾分类屋", ProjectType.garbage_sorting, "张丽"),
    ("LJ0102", "和平社区居家养老服务中心", ProjectType.home_elderly_care, ""),
    ("LJ0202", "桃源村村道硬化", ProjectType.road_works, "陈建国"),
]
COMMENTS = ["饭菜可以再软一点，老人牙口不好", "希望增加周末供餐", "价格实惠，服务很好", "排队时间有点长", ""]


def seed_surveys(today: date | None = None) -> int | None:
    """Projects, a district questionnaire template, and an open campaign with codes and answers."""
    if survey_ops.db.session.scalar(select(Questionnaire).filter_by(title=TEMPLATE_TITLE)) is not None:
        return None
    today = today or date.today()
    rng = random.Random(7)
    projects = {}
    for code, name, kind, responsible in PROJECTS:
        project = Project(unit=unit_by_code(code), name=name, project_type=kind, status=ProjectStatus.in_progress,
                          start_date=today - timedelta(days=200), responsible=responsible)
        survey_ops.db.session.add(project)
        projects[name] = project
    template = survey_ops.create_questionnaire(None, unit_by_code("LJ"), TEMPLATE_TITLE, is_template=True,
                                               intro="请根据您最近三个月的实际感受评价。")
    for spec in CANTEEN_QUESTIONS:
        survey_ops.add_question(None, template.versions[0], dict(spec))
    survey_ops.publish(None, template.versions[0])
    community = unit_by_code("LJ0101")
    own = survey_ops.copy_template(None, template, community)
    survey_ops.publish(None, own.versions[0])
    campaign = survey_ops.create_campaign(
        None, community, own.versions[0], projects["朝阳社区长者食堂"], "朝阳社区长者食堂 满意度评议",
        AccessMode.both, today - timedelta(days=3), today + timedelta(days=11), today + timedelta(days=18),
    )
    survey_ops.generate_codes(None, campaign)
    survey_ops.open_campaign(None, campaign)
    codes = survey_ops.db.session.scalars(
        select(InvitationCode).filter_by(campaign_id=campaign.id).order_by(InvitationCode.id)
    ).all()
    for code in rng.sample(codes, 48):  # 48 households have answered so far
        mood = rng.choice([3, 4, 4, 4, 5, 5])
        answers = {
            key: [StoredAnswer(value_num=float(min(5, max(1, mood + rng.choice([-1, 0, 0, 1])))))]
            for key in ("q1", "q2", "q3", "q4", "q7")
        }
        answers["q5"] = [StoredAnswer(value_num=float(rng.randint(1, 4)))]
        comment = rng.choice(COMMENTS)
        if comment:
            answers["q6"] = [StoredAnswer(value_text=comment)]
        survey_ops.submit_response(
            campaign, answers, submission_id=uuid.uuid4().hex, channel=ResponseChannel.code, code=code,
            started_at=survey_ops.utcnow() - timedelta(seconds=rng.randint(60, 240)), today=today,
        )
    return campaign.id
