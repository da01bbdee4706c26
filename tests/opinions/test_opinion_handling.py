"""Committee handling: guarded moves, deadlines and overdue lists, rating once, proposals, escaping."""
from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from opinion_helpers import audit_text, opinion_row
from survey.core.audit import verify_chain
from survey.core.db import utcnow
from survey.core.errors import DomainError
from survey.extensions import db
from survey.opinions import operations as ops
from survey.opinions.models import Opinion, OpinionSource, OpinionStatus, WhistleStatus
from survey.opinions.workflow import OPINION_TRANSITIONS, WHISTLE_TRANSITIONS, check_opinion_move, check_whistle_move

EXPECTED_OPINION_MOVES = {
    ("submitted", "accepted"), ("submitted", "closed"),
    ("accepted", "assigned"), ("accepted", "answered"), ("accepted", "closed"),
    ("assigned", "assigned"), ("assigned", "answered"), ("assigned", "closed"),
    ("answered", "closed"),
}
EXPECTED_WHISTLE_MOVES = {
    ("sent", "acknowledged"), ("sent", "withdrawn"),
    ("acknowledged", "in_progress"), ("acknowledged", "answered"), ("acknowledged", "withdrawn"),
    ("in_progress", "in_progress"), ("in_progress", "answered"), ("in_progress", "withdrawn"),
}


@pytest.mark.parametrize("a, b", list(itertools.product(OpinionStatus, OpinionStatus)))
def test_every_opinion_move_is_allowed_or_refused_as_listed(a, b):
    if (a.value, b.value) in EXPECTED_OPINION_MOVES:
        check_opinion_move(a, b)
    else:
        with pytest.raises(DomainError):
            check_opinion_move(a, b)


@pytest.mark.parametrize("a, b", list(itertools.product(WhistleStatus, WhistleStatus)))
def test_every_whistle_move_is_allowed_or_refused_as_listed(a, b):
    if (a.value, b.value) in EXPECTED_WHISTLE_MOVES:
        check_whistle_move(a, b)
    else:
        with pytest.raises(DomainError):
            check_whistle_move(a, b)


def test_transition_tables_cover_every_state():
    assert set(OPINION_TRANSITIONS) == set(OpinionStatus)
    assert set(WHISTLE_TRANSITIONS) == set(WhistleStatus)
    assert not OPINION_TRANSITIONS[OpinionStatus.closed]
    assert not WHISTLE_TRANSITIONS[WhistleStatus.answered] and not WHISTLE_TRANSITIONS[WhistleStatus.withdrawn]


def test_deadlines_follow_each_step(app, make_opinion, user):
    start = utcnow() - timedelta(days=30)
    opinion_id = make_opinion(now=start)
    with app.app_context():
        committee = user("committee")
        opinion = opinion_row(opinion_id)
        assert opinion.due_at == start + timedelta(days=app.config["OPINION_ACCEPT_DAYS"])
        ops.accept(committee, opinion, now=start + timedelta(days=1))
        assert opinion.due_at == start + timedelta(days=1 + app.config["OPINION_ANSWER_DAYS"])
        ops.assign(committee, opinion, user("grid"), now=start + timedelta(days=2))
        assert opinion.status is OpinionStatus.assigned and opinion.assigned_to.username == "grid"
        ops.answer(committee, opinion, "已修好", now=start + timedelta(days=3))
        assert opinion.due_at == start + timedelta(days=3 + app.config["OPINION_CLOSE_DAYS"])
        ops.close(committee, opinion, now=start + timedelta(days=4))
        assert opinion.due_at is None and opinion.status is OpinionStatus.closed
        db.session.commit()
        actions = [e for e in audit_text().splitlines()]
        assert len(actions) >= 5
        assert verify_chain().ok


@pytest.mark.app_config(OPINION_ACCEPT_DAYS=3, OPINION_ANSWER_DAYS=10)
def test_deadlines_are_configurable(app, make_opinion, user):
    now = utcnow()
    opinion_id = make_opinion(now=now)
    with app.app_context():
        opinion = opinion_row(opinion_id)
        assert opinion.due_at == now + timedelta(days=3)
        ops.accept(user("committee"), opinion, now=now)
        assert opinion.due_at == now + timedelta(days=10)


def test_refused_moves_change_nothing(app, make_opinion, user):
    opinion_id = make_opinion()
    with app.app_context():
        committee = user("committee")
        opinion = opinion_row(opinion_id)
        with pytest.raises(DomainError):
            ops.answer(committee, opinion, "跳过受理")
        db.session.rollback()
        with pytest.raises(DomainError):
            ops.close(committee, opinion_row(opinion_id), "")  # closing unanswered needs a reason
        db.session.rollback()
        with pytest.raises(DomainError):
            ops.assign(committee, opinion_row(opinion_id), user("village"))  # another community's member
        db.session.rollback()
        assert opinion_row(opinion_id).status is OpinionStatus.submitted


def test_overdue_opinions_are_listed_and_highlighted(app, client, login, make_opinion, user):
    late = make_opinion("早就该受理的意见", now=utcnow() - timedelta(days=5))
    fresh = make_opinion("刚收到的意见")
    login("committee")
    page = client.get("/opinions/?overdue=1").get_data(as_text=True)
    assert "早就该受理的意见" in page and "刚收到的意见" not in page
    assert 'class="badge bad"' in page
    everything = client.get("/opinions/").get_data(as_text=True)
    assert everything.index("早就该受理的意见") < everything.index("刚收到的意见")  # overdue first
    assert everything.count('class="badge bad"') == 1
    detail = client.get(f"/opinions/{late}").get_data(as_text=True)
    assert 'class="badge bad"' in detail
    assert 'class="badge bad"' not in client.get(f"/opinions/{fresh}").get_data(as_text=True)
    # accepting restarts the clock: no longer overdue
    assert client.submit(f"/opinions/{late}/accept", {}, page=f"/opinions/{late}").status_code == 302
    assert "早就该受理的意见" not in client.get("/opinions/?overdue=1").get_data(as_text=True)
    with app.app_context():
        from survey.opinions.queries import home_items

        items = {i.key: i.count for i in home_items(user("committee"))}
        assert items.get("opinions_new") == 1 and "opinions_overdue" not in items


def test_committee_handles_an_opinion_through_the_pages(app, client, login, make_opinion, user):
    opinion_id = make_opinion("路灯坏了三天", grid="LJ0101-01")
    login("committee")
    url = f"/opinions/{opinion_id}"
    assert client.submit(f"{url}/accept", {}, page=url).status_code == 302
    with app.app_context():
        grid_worker = user("grid").id
    assert client.submit(f"{url}/assign", {"person": str(grid_worker)}, page=url).status_code == 302
    assert client.submit(f"{url}/answer", {"text": "已联系物业，明天修复"}, page=url).status_code == 302
    with app.app_context():
        opinion = opinion_row(opinion_id)
        assert opinion.status is OpinionStatus.answered and opinion.answer == "已联系物业，明天修复"
        code = opinion.tracking_code
    public = client.get(f"/opinions/track/{code}").get_data(as_text=True)
    assert "已联系物业，明天修复" in public
    assert client.submit(f"{url}/close", {}, page=url).status_code == 302
    with app.app_context():
        assert opinion_row(opinion_id).status is OpinionStatus.closed
    # a refused move is reported, not a crash
    response = client.submit(f"{url}/accept", {}, page=url, follow_redirects=True)
    assert response.status_code == 200 and 'class="flash error"' in response.get_data(as_text=True)


def test_assignee_must_belong_to_the_community(app, client, login, make_opinion, user):
    opinion_id = make_opinion()
    login("committee")
    url = f"/opinions/{opinion_id}"
    client.submit(f"{url}/accept", {}, page=url)
    with app.app_context():
        outsider = user("village").id
    client.submit(f"{url}/assign", {"person": str(outsider)}, page=url)
    with app.app_context():
        assert opinion_row(opinion_id).assigned_to_id is None


def test_grid_worker_logs_an_opinion_for_their_grid(app, client, login, demo):
    login("grid")
    page = client.get("/opinions/log").get_data(as_text=True)
    assert "LJ0101-01" in page and "LJ0101-02" not in page
    response = client.submit("/opinions/log", {"category": "neighbours", "grid": "LJ0101-01", "text": "楼上漏水"},
                             content_type="multipart/form-data")
    assert response.status_code == 302
    refused = client.submit("/opinions/log", {"category": "neighbours", "grid": "LJ0101-02", "text": "别的网格"},
                            content_type="multipart/form-data")
    assert refused.status_code == 400
    with app.app_context():
        opinion = db.session.scalar(select(Opinion))
        assert opinion.source is OpinionSource.grid_worker and opinion.logged_by.username == "grid"
        assert opinion.grid.code == "LJ0101-01" and opinion.community.code == "LJ0101"
        assert db.session.scalar(select(func.count(Opinion.id))) == 1
    # the grid worker sees it; the detail without contact or photo controls
    assert "楼上漏水" in client.get("/opinions/").get_data(as_text=True)
    assert client.get(f"/opinions/{opinion.id}").status_code == 200
    token = client.csrf_token("/opinions/")
    assert client.post(f"/opinions/{opinion.id}/accept", data={"csrf_token": token}).status_code == 403


def test_liaisons_and_other_roles_cannot_log(client, login):
    login("chengguan")
    assert client.get("/opinions/log").status_code == 403
    assert client.get("/opinions/").status_code == 403


# --- rating ---------------------------------------------------------------------------------


def _answered(app, make_opinion, user, text="小区门禁坏了"):
    opinion_id = make_opinion(text)
    with app.app_context():
        opinion = opinion_row(opinion_id)
        ops.accept(user("committee"), opinion)
        ops.answer(user("committee"), opinion, "已更换门禁")
        db.session.commit()
        return opinion_id, opinion.tracking_code


def test_resident_rates_once_only(app, client, make_opinion, user):
    opinion_id, code = _answered(app, make_opinion, user)
    url = f"/opinions/track/{code}"
    first = client.submit(url, {"rating": "4"})
    assert first.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert 'data-rating="4"' in page and 'name="rating"' not in page  # no second form
    again = client.post(url, data={"rating": "1", "csrf_token": client.csrf_token("/opinions/track")})
    assert again.status_code == 409
    with app.app_context():
        assert opinion_row(opinion_id).rating == 4
        with pytest.raises(DomainError):
            ops.rate(opinion_row(opinion_id), 2)
        assert audit_text().count('"rating":4') == 1


def test_rating_before_the_answer_is_refused(app, client, make_opinion):
    opinion_id = make_opinion()
    with app.app_context():
        code = opinion_row(opinion_id).tracking_code
    page = client.get(f"/opinions/track/{code}").get_data(as_text=True)
    assert 'name="rating"' not in page
    response = client.post(f"/opinions/track/{code}", data={"rating": "5", "csrf_token": client.csrf_token("/opinions/track")})
    assert response.status_code == 409
    with app.app_context():
        assert opinion_row(opinion_id).rating is None


def test_rating_out_of_range_is_refused(app, client, make_opinion, user):
    opinion_id, code = _answered(app, make_opinion, user)
    assert client.submit(f"/opinions/track/{code}", {"rating": "9"}).status_code == 400
    with app.app_context():
        assert opinion_row(opinion_id).rating is None
        with pytest.raises(DomainError):
            ops.rate(opinion_row(opinion_id), 0)


def test_rating_range_is_a_database_constraint(app, make_opinion, user):
    from sqlalchemy import update
    from sqlalchemy.exc import IntegrityError

    opinion_id, _code = _answered(app, make_opinion, user)
    with app.app_context():
        with pytest.raises(IntegrityError):
            db.session.execute(update(Opinion).where(Opinion.id == opinion_id).values(rating=6))
            db.session.flush()
        db.session.rollback()
    other = make_opinion("未答复")
    with app.app_context():
        with pytest.raises(IntegrityError):  # no rating before an answer, whatever Python does
            db.session.execute(update(Opinion).where(Opinion.id == other).values(rating=3))
            db.session.flush()
        db.session.rollback()


def test_committee_closes_the_loop_with_the_rating(app, client, login, make_opinion, user):
    opinion_id, code = _answered(app, make_opinion, user)
    client.submit(f"/opinions/track/{code}", {"rating": "2"})
    login("committee")
    detail = client.get(f"/opinions/{opinion_id}").get_data(as_text=True)
    assert 'data-rating="2"' in detail
    assert client.submit(f"/opinions/{opinion_id}/close", {}, page=f"/opinions/{opinion_id}").status_code == 302
    with app.app_context():
        assert opinion_row(opinion_id).status is OpinionStatus.closed
        assert '"rating":2' in audit_text()


# --- proposals ------------------------------------------------------------------------------


def test_turn_an_opinion_into_a_proposal(app, client, login, make_opinion):
    if "deliberations.matter" not in app.view_functions:
        pytest.skip("the five deliberations are not registered in this tree")
    opinion_id = make_opinion("建议在小区加装电梯\n三号楼老人多", contact=ops.Contact("私密联系人", "13700000000"))
    login("committee")
    url = f"/opinions/{opinion_id}"
    assert "/proposal" not in client.get(url).get_data(as_text=True)  # not before acceptance
    client.submit(f"{url}/accept", {}, page=url)
    assert client.submit(f"{url}/proposal", {}, page=url).status_code == 302
    from survey.deliberations.models import Matter

    with app.app_context():
        opinion = opinion_row(opinion_id)
        matter = db.session.get(Matter, opinion.matter_id)
        assert matter.title == "建议在小区加装电梯"
        assert matter.unit.code == "LJ0101"
        proposal = matter.proposals[0]
        assert proposal.source_kind.value == "resident_opinion"
        assert proposal.source_reference == opinion.tracking_code
        assert "私密联系人" not in (matter.description + proposal.source_detail)
    page = client.get(url).get_data(as_text=True)
    assert f"/matters/{opinion.matter_id}" in page
    client.submit(f"{url}/proposal", {}, page=url)  # twice: refused
    with app.app_context():
        assert db.session.scalar(select(func.count(Matter.id))) == 1


# --- escaping -------------------------------------------------------------------------------

SCRIPT = "<script>alert('x')</script>"


def test_stored_script_text_is_escaped_on_every_page(app, client, login, make_opinion, user):
    opinion_id = make_opinion(f"意见{SCRIPT}", grid="LJ0101-01",
                              contact=ops.Contact(f"名{SCRIPT}", "13800000000"), now=utcnow() - timedelta(days=20))
    with app.app_context():
        committee = user("committee")
        opinion = opinion_row(opinion_id)
        ops.accept(committee, opinion, now=utcnow() - timedelta(days=19))
        department = next(d for d in ops.departments_for(opinion.community) if d.code == "LJ-CG")
        whistle = ops.blow_whistle(committee, opinion, department, f"请处理{SCRIPT}", utcnow() - timedelta(days=1),
                                   now=utcnow() - timedelta(days=18))
        ops.acknowledge(user("chengguan"), whistle)
        ops.report_progress(user("chengguan"), whistle, f"进展{SCRIPT}")
        db.session.commit()
        whistle_id, code = whistle.id, opinion.tracking_code

    def check(url):
        response = client.get(url)
        html = response.get_data(as_text=True)
        assert response.status_code == 200, url
        assert SCRIPT not in html, url
        assert "&lt;script&gt;" in html, url

    check(f"/opinions/track/{code}")
    login("committee")
    check("/opinions/")
    check(f"/opinions/{opinion_id}")
    client.post("/logout", data={"csrf_token": client.csrf_token("/")})
    login("chengguan")
    check("/whistles/dept/LJ-CG")
    check(f"/whistles/{whistle_id}")
    client.post("/logout", data={"csrf_token": client.csrf_token("/")})
    login("street")
    check("/whistles/street/LJ01")
    with app.app_context():
        opinion = opinion_row(opinion_id)
        ops.answer_whistle(user("chengguan"), opinion.whistles[0], f"答复{SCRIPT}")
        ops.answer(user("committee"), opinion, f"社区答复{SCRIPT}")
        db.session.commit()
    client.post("/logout", data={"csrf_token": client.csrf_token("/")})
    check(f"/opinions/track/{code}")


def test_home_page_lists_what_the_opinion_box_waits_for(app, client, login, make_opinion):
    make_opinion("逾期未受理", now=utcnow() - timedelta(days=5))
    make_opinion("新意见")
    login("committee")
    html = client.get("/").get_data(as_text=True)
    assert "/opinions/?overdue=1" in html and "/opinions/?status=submitted" in html
    assert html.index("/opinions/?overdue=1") < html.index("/opinions/?status=submitted")  # most urgent first
    client.post("/logout", data={"csrf_token": client.csrf_token("/")})
    login("village")
    assert "/opinions/?overdue=1" not in client.get("/").get_data(as_text=True)
