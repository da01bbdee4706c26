"""The demo district: two streets, six communities (urban and village), forty grids."""
from __future__ import annotations

import random
import uuid
from datetime import date, datetime, timedelta

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


# --- annual appraisal (seed_appraisal) -------------------------------------------------------

APPRAISAL_PROJECTS = [
    # community, name, type, responsible cadre, satisfaction mood (mean answer), responses
    ("LJ0101", "朝阳社区长者食堂（上年度）", ProjectType.elderly_canteen, "周建华", 4.3, 64),
    ("LJ0102", "和平社区长者食堂", ProjectType.elderly_canteen, "吴晓燕", 3.9, 52),
    ("LJ0103", "春晖社区长者食堂", ProjectType.elderly_canteen, "郑国平", 4.1, 45),
    ("LJ0101", "朝阳社区垃圾分类屋（上年度）", ProjectType.garbage_sorting, "周建华", 3.7, 38),
    ("LJ0102", "和平社区垃圾分类屋", ProjectType.garbage_sorting, "王海涛", 4.0, 22),  # too few: not counted
]
# name, post, K, J, ballots (excellent, competent, basic, incompetent, void), bar
APPRAISAL_CADRES = [
    ("周建华", "党工委副书记", 93, "好", (38, 9, 1, 0, 1), None),
    ("吴晓燕", "办事处副主任", 90, "好", (33, 13, 2, 0, 0), None),
    ("郑国平", "办事处副主任", 88, "较好", (30, 15, 3, 0, 1), None),
    ("王海涛", "党工委委员", 86, "较好", (25, 19, 4, 0, 0), None),
    ("孙丽萍", "人大工委副主任", 91, "好", (36, 11, 1, 0, 0), ("probation", "2024年7月任职，试用期一年")),
    ("陈志强", "武装部部长", 80, "一般", (12, 26, 9, 1, 2), None),
    ("林雪梅", "办事处副主任", 84, "较好", (22, 21, 5, 0, 0), None),
    ("黄振东", "党工委委员", 72, "一般", (8, 22, 14, 4, 1), None),
    ("刘晓光", "纪工委副书记", 87, "较好", (28, 17, 3, 0, 0), None),
    ("许文静", "办事处副主任", 82, "好", (20, 24, 4, 0, 1), None),
]
MEMBERS = [
    ("周建华", "LJ0101", "滨江街道办事处", "楼道长\n垃圾分类督导员"),
    ("马俊", "LJ0101", "区财政局", "文明创建志愿者"),
    ("胡敏", "LJ0102", "区人民医院", "健康义诊"),
]


def _rated_campaign(version, project, year: int, rng: random.Random, mood: float, n: int) -> None:
    """A closed satisfaction campaign of last year with ``n`` answers around ``mood``."""
    start, end = date(year, 10, 8), date(year, 10, 31)
    campaign = survey_ops.create_campaign(None, project.unit, version, project, f"{project.name} 满意度评议",
                                          AccessMode.codes, start, end, date(year, 11, 10))
    survey_ops.generate_codes(None, campaign)
    survey_ops.open_campaign(None, campaign)
    codes = survey_ops.db.session.scalars(
        select(InvitationCode).filter_by(campaign_id=campaign.id).order_by(InvitationCode.id)).all()
    for code in rng.sample(codes, min(n, len(codes))):
        base = mood + rng.gauss(0, 0.7)
        answers = {key: [StoredAnswer(value_num=float(min(5, max(1, round(base + rng.choice([-1, 0, 0, 0, 1]))))))]
                   for key in ("q1", "q2", "q3", "q4", "q7")}
        survey_ops.submit_response(campaign, answers, submission_id=uuid.uuid4().hex, channel=ResponseChannel.code,
                                   code=code, started_at=survey_ops.utcnow() - timedelta(seconds=rng.randint(60, 240)),
                                   today=date(year, 10, 20))
    from survey.questionnaires.results import campaign_results, frozen_summary

    survey_ops.close_campaign(None, campaign, frozen_summary(campaign_results(campaign)))
    campaign.closed_at = datetime(year, 11, 1, 2, 0)  # as it was, last year (the audit entry keeps today's time)


def seed_appraisal(today: date | None = None) -> int | None:
    """Cadres of 滨江街道 (LJ01), reporting members, rated projects, ballots and last year's
    appraisal cycle (proposed, confirmed, noticed and, once the notice is over, published)."""
    from survey.appraisal import operations as ops
    from survey.appraisal.models import BarKind, Cadre, PostLevel

    if survey_ops.db.session.scalar(select(Cadre.id).where(Cadre.name == APPRAISAL_CADRES[0][0])) is not None:
        return None
    today = today or date.today()
    year = today.year - 1
    rng = random.Random(11)
    street = unit_by_code("LJ01")
    template = survey_ops.db.session.scalar(select(Questionnaire).filter_by(title=TEMPLATE_TITLE))
    members = {}
    for name, home, employer, posts in MEMBERS:
        member = ops.create_member(None, unit_by_code(home), name, employer, posts, date(year - 1, 3, 1))
        members[name] = member
        committee = user_by_username("committee")
        for month in (3, 5, 9, 11):
            saturday = date(year, month, 1) + timedelta(days=(5 - date(year, month, 1).weekday()) % 7)
            record = ops.add_service(None, member, saturday, 3, "周六到社区报到服务：" + posts.splitlines()[0], checkin=True)
            if committee is not None and (name != "胡敏" or month < 6):
                ops.confirm_service(committee, record)
        ops.set_assessment(None, member, year, 1, "好" if name != "胡敏" else "较好")
        ops.set_assessment(None, member, year, 2, "较好", reported=name != "胡敏")
    cadres = {}
    for name, post, _, _, _, bar in APPRAISAL_CADRES:
        cadres[name] = ops.create_cadre(None, street, name, post, PostLevel.deputy,
                                        BarKind(bar[0]) if bar else None, bar[1] if bar else "", members.get(name))
    version = template.versions[0] if template is not None else None
    for code, name, kind, lead, mood, n in APPRAISAL_PROJECTS:
        project = Project(unit=unit_by_code(code), name=name, project_type=kind, status=ProjectStatus.completed,
                          start_date=date(year, 3, 1), end_date=date(year, 9, 30), responsible=lead)
        survey_ops.db.session.add(project)
        if version is not None:
            _rated_campaign(version, project, year, rng, mood, n)
        ops.link_project(None, cadres[lead], project)
    cycle = ops.create_cycle(None, street, year, PostLevel.deputy)
    for name, _, K, J, (e, c, b, i, v), _ in APPRAISAL_CADRES:
        ops.set_inputs(None, ops.appraisal_of(cycle, cadres[name]), K=K, J=J)
        ops.set_tally(None, cycle, cadres[name], excellent=e, competent=c, basic=b, incompetent=i, void=v)
    ops.compute(None, cycle)
    district = user_by_username("district")
    for appraisal in cycle.appraisals:
        if appraisal.status == "ok":
            ops.confirm_grade(district, appraisal, appraisal.proposed_grade)
    starts = date(year + 1, 1, 5)
    ops.start_notice(district, cycle, starts)
    excellent = ops.notice_list(cycle)
    if excellent:
        objection = ops.add_objection(None, cycle, "该同志分管的长者食堂周末不供餐，群众有意见。", starts + timedelta(days=1),
                                      excellent[0])
        ops.answer_objection(district, objection, "经核实，周末供餐已于11月起恢复，异议不成立。", "dismissed")
    if today > cycle.notice_ends_on:
        ops.publish(district, cycle, today)
    return cycle.id


def seed_deliberations(today: date | None = None) -> int | None:
    """A matter of 朝阳社区 in public review with a resident's objection, and an opinion in the box,
    so that the public board and the committee's lists show something on first start."""
    from survey.deliberations import operations as dops
    from survey.deliberations.models import Matter
    from survey.deliberations.workflow import Stage
    from survey.opinions import operations as oops
    from survey.opinions.models import OpinionCategory

    title = "3号楼加装电梯"
    if survey_ops.db.session.scalar(select(Matter.id).where(Matter.title == title)) is not None:
        return None
    today = today or dops.local_today()
    community = unit_by_code("LJ0101")
    matter = dops.create_matter(
        None, community, title, "3号楼共7层，住有老人21位，居民联名提议加装电梯，费用按楼层分摊。",
        "joint_signatures", "3号楼居民", signatures=26,
    )
    dops.move(None, matter, Stage.motion, today=today - timedelta(days=20))
    dops.record_motion(None, matter, today - timedelta(days=18), "社区党委委员5人", True, "同意提交居民代表会议商议")
    dops.move(None, matter, Stage.consultation, today=today - timedelta(days=18))
    dops.record_consultation(None, matter, "residents_representatives", today - timedelta(days=10), 45, 38, 33, 3, 2,
                             "会议听取了设计方案和费用分摊办法，表决通过。")
    dops.move(None, matter, Stage.public_review, today=today - timedelta(days=3))
    dops.start_public_review(None, matter, "经居民代表会议表决通过（应到45人，实到38人，赞成33票），拟为3号楼加装电梯。",
                             today - timedelta(days=2))
    dops.add_objection(matter, "一楼住户担心采光受影响，希望看到日照分析。")
    oops.submit_opinion(community, OpinionCategory.facilities, "2号楼楼道灯坏了一个多月，晚上老人上下楼不安全。",
                        grid=unit_by_code("LJ0101-02"))
    return matter.id
