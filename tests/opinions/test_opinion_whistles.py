"""Whistle and report: the lifecycle, department scoping, escalation to the street, response times."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from opinion_helpers import audit_text, opinion_row
from survey.core.db import utcnow
from survey.core.errors import DomainError
from survey.extensions import db
from survey.opinions import operations as ops
from survey.opinions.models import OpinionStatus, Whistle, WhistleStatus
from survey.opinions.queries import WhistleTimes, department_response_times, home_items, response_figures
from survey.orgs.models import OrgLevel
from survey.people.models import Role


@pytest.fixture
def accounts(app, demo):
    """A second liaison (police), a street department of 青山镇 and its admin."""
    from survey.orgs.operations import UnitFields, create_unit, unit_by_code
    from survey.people.operations import create_user

    with app.app_context():
        create_user(None, "gongan", "周警官", demo, Role.department_liaison, unit_by_code("LJ-GA"))
        qs_dept = create_unit(None, unit_by_code("LJ02"), "LJ02-ZF", OrgLevel.department, UnitFields("青山镇综合执法队"))
        create_user(None, "qingshan", "吴镇长", demo, Role.street_admin, unit_by_code("LJ02"))
        create_user(None, "zhifa", "郑队长", demo, Role.department_liaison, qs_dept)
        db.session.commit()


@pytest.fixture
def accepted(app, make_opinion, user):
    def make(text="占道经营，晚上很吵", *, now=None, community="LJ0101"):
        opinion_id = make_opinion(text, now=now, community=community)
        with app.app_context():
            ops.accept(user("committee" if community == "LJ0101" else "village"), opinion_row(opinion_id), now=now)
            db.session.commit()
        return opinion_id

    return make


def _logout(client):
    client.post("/logout", data={"csrf_token": client.csrf_token("/")})


def test_whistle_lifecycle_through_the_pages(app, client, login, accepted, accounts):
    opinion_id = accepted()
    url = f"/opinions/{opinion_id}"
    login("committee")
    form = client.get(url).get_data(as_text=True)
    assert "LJ-CG" in form and "LJ02-ZF" not in form  # only departments above this community
    due = (utcnow() + timedelta(days=4)).date().isoformat()
    response = client.submit(f"{url}/whistle", {"department": "LJ-CG", "request": "请派人清理占道摊位", "due": due}, page=url)
    assert response.status_code == 302
    with app.app_context():
        whistle = db.session.scalar(select(Whistle))
        assert whistle.status is WhistleStatus.sent and whistle.department.code == "LJ-CG"
        whistle_id, code = whistle.id, whistle.opinion.tracking_code
    # the committee cannot answer the resident while the department has it
    client.submit(f"{url}/answer", {"text": "太早了"}, page=url)
    with app.app_context():
        assert opinion_row(opinion_id).status is OpinionStatus.accepted
    # the resident sees which department has it
    _logout(client)
    public = client.get(f"/opinions/track/{code}").get_data(as_text=True)
    assert "区城市管理局" in public
    # the department's liaison acknowledges, acts and answers
    login("chengguan")
    inbox = client.get("/whistles/dept/LJ-CG").get_data(as_text=True)
    assert f"/whistles/{whistle_id}" in inbox and "占道经营" in inbox
    assert client.get("/whistles/").headers["Location"].endswith("/whistles/dept/LJ-CG")
    page = f"/whistles/{whistle_id}"
    assert client.submit(f"{page}/acknowledge", {}, page=page).status_code == 302
    assert client.submit(f"{page}/progress", {"note": "已安排执法队员晚间巡查"}, page=page).status_code == 302
    assert client.submit(f"{page}/answer", {"text": "摊位已清理，将持续巡查"}, page=page).status_code == 302
    with app.app_context():
        whistle = db.session.get(Whistle, whistle_id)
        assert whistle.status is WhistleStatus.answered and whistle.answered_in_time()
        assert whistle.acknowledged_by.username == "chengguan"
    _logout(client)
    public = client.get(f"/opinions/track/{code}").get_data(as_text=True)
    assert "区城市管理局" in public and "摊位已清理，将持续巡查" in public
    # the committee answers, the resident rates, the committee closes the loop
    login("committee")
    assert client.submit(f"{url}/answer", {"text": "城管已处理"}, page=url).status_code == 302
    _logout(client)
    assert client.submit(f"/opinions/track/{code}", {"rating": "5"}).status_code == 302
    login("committee")
    assert client.submit(f"{url}/close", {}, page=url).status_code == 302
    with app.app_context():
        opinion = opinion_row(opinion_id)
        assert opinion.status is OpinionStatus.closed and opinion.rating == 5
        log = audit_text()
        for action in ("whistle.send", "whistle.acknowledge", "whistle.progress", "whistle.answer"):
            from survey.core.audit import AuditEntry

            assert db.session.scalar(select(AuditEntry).filter_by(action=action)) is not None, action
        assert "请派人清理占道摊位" in log


def test_a_liaison_sees_only_its_own_departments_whistles(app, client, login, accepted, accounts, user):
    opinion_id = accepted()
    with app.app_context():
        opinion = opinion_row(opinion_id)
        cg = next(d for d in ops.departments_for(opinion.community) if d.code == "LJ-CG")
        whistle = ops.blow_whistle(user("committee"), opinion, cg, "请处理")
        db.session.commit()
        whistle_id = whistle.id
    login("gongan")
    assert client.get("/whistles/dept/LJ-CG").status_code == 403
    assert client.get(f"/whistles/{whistle_id}").status_code == 403
    token = client.csrf_token("/whistles/dept/LJ-GA")
    for action in ("acknowledge", "progress", "answer"):
        assert client.post(f"/whistles/{whistle_id}/{action}", data={"csrf_token": token, "note": "x", "text": "x"}).status_code == 403
    own = client.get("/whistles/dept/LJ-GA")
    assert own.status_code == 200 and f"/whistles/{whistle_id}" not in own.get_data(as_text=True)
    assert client.get(f"/opinions/{opinion_id}").status_code == 403  # liaisons do not browse the opinion box
    with app.app_context():
        assert db.session.get(Whistle, whistle_id).status is WhistleStatus.sent
    # committees and administrators do not answer for a department
    for username in ("committee", "district", "street"):
        _logout(client)
        login(username)
        assert client.get("/whistles/dept/LJ-CG").status_code == 403, username
        assert client.get(f"/whistles/{whistle_id}").status_code == 403, username


def test_a_whistle_past_its_deadline_is_overdue_for_the_street_and_the_department(
    app, client, login, accepted, accounts, user
):
    start = utcnow() - timedelta(days=10)
    late_id = accepted("井盖丢失多日", now=start)
    fresh_id = accepted("树枝挡住路灯")
    with app.app_context():
        committee, community = user("committee"), opinion_row(late_id).community
        cg = next(d for d in ops.departments_for(community) if d.code == "LJ-CG")
        ops.blow_whistle(committee, opinion_row(late_id), cg, "请补井盖", start + timedelta(days=3), now=start)
        ops.blow_whistle(committee, opinion_row(fresh_id), cg, "请修剪", utcnow() + timedelta(days=3))
        db.session.commit()
        items = {i.key: i.count for i in home_items(user("chengguan"))}
        assert items == {"department_overdue": 1, "department_open": 2}
        assert {i.key: i.count for i in home_items(user("street"))}["whistles_escalated"] == 1
        assert {i.key: i.count for i in home_items(user("committee"))}["whistles_waiting"] == 2
    login("street")
    page = client.get("/whistles/street/LJ01").get_data(as_text=True)
    assert "井盖丢失多日" in page and "树枝挡住路灯" not in page and "区城市管理局" in page
    assert 'class="badge bad"' in page
    _logout(client)
    login("district")
    assert "井盖丢失多日" in client.get("/whistles/street/LJ01").get_data(as_text=True)
    assert "井盖丢失多日" in client.get("/whistles/street/LJ").get_data(as_text=True)
    _logout(client)
    login("qingshan")  # another street: not its whistles, not its page
    assert client.get("/whistles/street/LJ01").status_code == 403
    assert "井盖丢失多日" not in client.get("/whistles/street/LJ02").get_data(as_text=True)
    _logout(client)
    login("committee")
    assert client.get("/whistles/street/LJ01").status_code == 403
    _logout(client)
    login("chengguan")
    inbox = client.get("/whistles/dept/LJ-CG").get_data(as_text=True)
    assert 'class="flash error"' in inbox  # the escalation notice
    assert inbox.count('class="badge bad"') == 1
    assert inbox.index("井盖丢失多日") < inbox.index("树枝挡住路灯")  # oldest deadline first


def test_answering_after_the_deadline_counts_as_late(app, accepted, user):
    start = utcnow() - timedelta(days=10)
    opinion_id = accepted(now=start)
    with app.app_context():
        opinion = opinion_row(opinion_id)
        cg = next(d for d in ops.departments_for(opinion.community) if d.code == "LJ-CG")
        whistle = ops.blow_whistle(user("committee"), opinion, cg, "请处理", start + timedelta(days=2), now=start)
        ops.acknowledge(user("chengguan"), whistle, now=start + timedelta(days=1))
        ops.answer_whistle(user("chengguan"), whistle, "已处理", now=start + timedelta(days=5))
        assert whistle.answered_in_time() is False and not whistle.is_overdue()


def test_whistle_rules(app, accepted, make_opinion, user, accounts):
    opinion_id = accepted()
    with app.app_context():
        committee = user("committee")
        opinion = opinion_row(opinion_id)
        departments = {d.code: d for d in ops.departments_for(opinion.community)}
        assert set(departments) == {"LJ-CG", "LJ-GA", "LJ-WJ", "LJ-ZJ", "LJ-SJ"}  # not 青山镇's own
        from survey.orgs.operations import unit_by_code

        with pytest.raises(DomainError):
            ops.blow_whistle(committee, opinion, unit_by_code("LJ02-ZF"), "别的街道的部门")
        with pytest.raises(DomainError):
            ops.blow_whistle(committee, opinion, unit_by_code("LJ0102"), "不是部门")
        with pytest.raises(DomainError):
            ops.blow_whistle(committee, opinion, departments["LJ-CG"], "过去的期限", utcnow() - timedelta(hours=1))
        whistle = ops.blow_whistle(committee, opinion, departments["LJ-CG"], "请处理")
        assert whistle.due_at - whistle.sent_at == timedelta(days=app.config["WHISTLE_ANSWER_DAYS"])
        with pytest.raises(DomainError):  # one department at a time
            ops.blow_whistle(committee, opinion, departments["LJ-GA"], "再吹一次")
        with pytest.raises(DomainError):  # answer before acknowledging
            ops.answer_whistle(user("chengguan"), whistle, "直接答复")
        with pytest.raises(DomainError):
            ops.close(committee, opinion, "先关掉")
        ops.withdraw_whistle(committee, whistle, "吹错了部门")
        second = ops.blow_whistle(committee, opinion, departments["LJ-GA"], "请派出所处理")
        assert opinion.active_whistle is second and opinion.latest_whistle is second
        with pytest.raises(DomainError):
            ops.acknowledge(user("chengguan"), whistle)  # withdrawn: nothing more
        db.session.rollback()
        fresh = make_opinion("未受理")
        with pytest.raises(DomainError):  # not before acceptance
            ops.blow_whistle(committee, opinion_row(fresh), departments["LJ-CG"], "请处理")


def test_whistle_deadline_extends_the_opinions_own(app, accepted, user):
    opinion_id = accepted()
    with app.app_context():
        opinion = opinion_row(opinion_id)
        far = utcnow() + timedelta(days=30)
        cg = next(d for d in ops.departments_for(opinion.community) if d.code == "LJ-CG")
        ops.blow_whistle(user("committee"), opinion, cg, "请处理", far)
        assert opinion.due_at == far


def test_withdraw_through_the_page(app, client, login, accepted, user):
    opinion_id = accepted()
    with app.app_context():
        opinion = opinion_row(opinion_id)
        cg = next(d for d in ops.departments_for(opinion.community) if d.code == "LJ-CG")
        whistle_id = ops.blow_whistle(user("committee"), opinion, cg, "请处理").id
        db.session.commit()
    login("committee")
    url = f"/opinions/{opinion_id}"
    assert client.submit(f"{url}/whistles/{whistle_id}/withdraw", {"reason": "已自行解决"}, page=url).status_code == 302
    with app.app_context():
        whistle = db.session.get(Whistle, whistle_id)
        assert whistle.status is WhistleStatus.withdrawn and whistle.withdraw_reason == "已自行解决"


# --- response times -------------------------------------------------------------------------

T0 = datetime(2026, 3, 1, 8, 0)


def _times(sent_h, due_h, answered_h=None):
    return WhistleTimes(T0 + timedelta(hours=sent_h), T0 + timedelta(hours=due_h),
                        None if answered_h is None else T0 + timedelta(hours=answered_h))


def test_response_figures_on_hand_made_data():
    rows = [
        _times(0, 72, 10),  # 10 h, in time
        _times(0, 72, 30),  # 30 h, in time
        _times(0, 72, 100),  # 100 h, late
        _times(0, 72, 72),  # exactly at the deadline: in time
        _times(0, 48),  # open, past its deadline at "now": late for sure
        _times(200, 400),  # open, still within its deadline: not counted
    ]
    figures = response_figures(rows, now=T0 + timedelta(hours=300))
    assert figures.sent == 6
    assert figures.answered == 4
    assert figures.median_hours == pytest.approx((30 + 72) / 2)
    assert figures.in_time == 3
    assert figures.overdue_open == 1
    assert figures.decided == 5
    assert figures.in_time_share == pytest.approx(3 / 5)


def test_response_figures_without_answers():
    figures = response_figures([_times(0, 48)], now=T0 + timedelta(hours=1))
    assert figures.median_hours is None and figures.in_time_share is None and figures.decided == 0
    odd = response_figures([_times(0, 72, 5), _times(0, 72, 9), _times(0, 72, 50)], now=T0)
    assert odd.median_hours == 9 and odd.in_time_share == 1


def test_response_times_per_department_for_the_street(app, client, login, accepted, user, accounts):
    now = utcnow()
    base = now - timedelta(days=20)
    with app.app_context():
        committee = user("committee")

        def whistle(code, sent_days, due_days, answered_days=None, community="LJ0101", withdraw=False):
            opinion_id = accepted(f"意见{code}{sent_days}", now=base + timedelta(days=sent_days), community=community)
            opinion = opinion_row(opinion_id)
            department = next(d for d in ops.departments_for(opinion.community) if d.code == code)
            sent = base + timedelta(days=sent_days)
            w = ops.blow_whistle(committee, opinion, department, "请处理", sent + timedelta(days=due_days), now=sent)
            if answered_days is not None:
                liaison = user("chengguan")
                ops.acknowledge(liaison, w, now=sent + timedelta(hours=1))
                ops.answer_whistle(liaison, w, "已处理", now=sent + timedelta(days=answered_days))
            if withdraw:
                ops.withdraw_whistle(committee, w, "撤回")
            db.session.commit()

        whistle("LJ-CG", 1, 3, 1)  # 24 h, in time
        whistle("LJ-CG", 2, 3, 2)  # 48 h, in time
        whistle("LJ-CG", 3, 3, 5)  # 120 h, late
        whistle("LJ-CG", 4, 2)  # open and overdue
        whistle("LJ-CG", 5, 2, withdraw=True)  # withdrawn: left out
        whistle("LJ-GA", 1, 30)  # open, within its deadline
        whistle("LJ-CG", 1, 3, 9, community="LJ0202")  # another street: left out for LJ01
        street = db.session.scalar(select(Whistle).limit(1)).opinion.community.parent
        rows = dict((d.code, f) for d, f in department_response_times(street, base, now + timedelta(days=1), now=now))
        assert set(rows) == {"LJ-CG", "LJ-GA"}
        cg = rows["LJ-CG"]
        assert (cg.sent, cg.answered, cg.in_time, cg.decided) == (4, 3, 2, 4)
        assert cg.median_hours == pytest.approx(48)
        assert cg.in_time_share == pytest.approx(0.5)
        assert rows["LJ-GA"].decided == 0 and rows["LJ-GA"].in_time_share is None
        # a period that starts later leaves the early whistles out
        later = dict((d.code, f) for d, f in department_response_times(street, base + timedelta(days=3), now, now=now))
        assert later["LJ-CG"].sent == 2
    login("street")
    page = client.get("/whistles/street/LJ01/times?start=" + base.date().isoformat())
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "区城市管理局" in html and "50% (2 / 4)" in html
    assert 'class="median">2.0 ' in html  # 48 hours shown as 2.0 days
    _logout(client)
    login("committee")
    assert client.get("/whistles/street/LJ01/times").status_code == 403
    _logout(client)
    login("chengguan")
    assert client.get("/whistles/street/LJ01/times").status_code == 403
