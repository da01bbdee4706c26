"""One open whistle per opinion in the database too; overdue whistles escalated (audited) once."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, inspect, select, text
from sqlalchemy.exc import IntegrityError

from opinion_helpers import opinion_row
from survey.core.audit import AuditEntry, verify_chain
from survey.core.db import utcnow
from survey.core.errors import DomainError
from survey.extensions import db
from survey.opinions import operations as ops
from survey.opinions.models import Opinion, Whistle, WhistleStatus

REFUSAL_ZH = "已有职能部门在办理此意见。"  # "A department already has this opinion."


@pytest.fixture
def accepted(app, make_opinion, user):
    def make(text="占道经营，晚上很吵", *, now=None):
        opinion_id = make_opinion(text, now=now)
        with app.app_context():
            ops.accept(user("committee"), opinion_row(opinion_id), now=now)
            db.session.commit()
        return opinion_id

    return make


def _departments(opinion):
    return {d.code: d for d in ops.departments_for(opinion.community)}


def _direct_whistle(opinion, department, **fields):
    """A whistle stored without blow_whistle's checks, as a racing writer would store it."""
    now = utcnow()
    fields = {"status": WhistleStatus.sent, **fields}
    whistle = Whistle(
        opinion_id=opinion.id, department_id=department.id, request="直接写入", sent_at=now,
        due_at=now + timedelta(days=3), created_at=now, **fields,
    )
    db.session.add(whistle)
    db.session.flush()
    return whistle


def _entries(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).filter_by(action=action).order_by(AuditEntry.id)))


# --- one open whistle per opinion -----------------------------------------------------------


def test_the_database_refuses_a_second_open_whistle(app, accepted, user):
    opinion_id = accepted()
    with app.app_context():
        opinion = opinion_row(opinion_id)
        departments = _departments(opinion)
        ops.blow_whistle(user("committee"), opinion, departments["LJ-CG"], "请处理")
        db.session.commit()
        for status in (WhistleStatus.sent, WhistleStatus.acknowledged, WhistleStatus.in_progress):
            extra = {} if status is WhistleStatus.sent else {"acknowledged_at": utcnow()}
            with pytest.raises(IntegrityError):
                _direct_whistle(opinion, departments["LJ-GA"], status=status, **extra)
            db.session.rollback()
        # a closed (withdrawn) whistle beside the open one is fine
        _direct_whistle(opinion, departments["LJ-GA"], status=WhistleStatus.withdrawn, withdrawn_at=utcnow())
        db.session.commit()
        assert db.session.scalar(select(func.count(Whistle.id))) == 2


@pytest.mark.parametrize("end", ["answer", "withdraw"])
def test_a_new_whistle_once_the_first_is_answered_or_withdrawn(app, accepted, user, end):
    opinion_id = accepted()
    with app.app_context():
        opinion, committee = opinion_row(opinion_id), user("committee")
        departments = _departments(opinion)
        first = ops.blow_whistle(committee, opinion, departments["LJ-CG"], "请处理")
        db.session.commit()
        if end == "answer":
            ops.acknowledge(user("chengguan"), first)
            ops.answer_whistle(user("chengguan"), first, "已处理")
        else:
            ops.withdraw_whistle(committee, first, "吹错了部门")
        db.session.commit()
        _direct_whistle(opinion, departments["LJ-GA"])  # bypassing the check: the index allows it
        db.session.rollback()
        second = ops.blow_whistle(committee, opinion, departments["LJ-GA"], "请再处理")  # and through the verb
        db.session.commit()
        assert opinion.active_whistle is second
        with pytest.raises(IntegrityError):  # still only one open at a time
            _direct_whistle(opinion, departments["LJ-WJ"])
        db.session.rollback()


@pytest.fixture
def check_skipped(monkeypatch):
    """The Python check sees no open whistle, as when another member's whistle is not committed yet."""
    monkeypatch.setattr(Opinion, "active_whistle", property(lambda self: None))


def test_a_lost_race_is_refused_like_the_check(app, accepted, user, monkeypatch):
    opinion_id = accepted()
    with app.app_context():
        opinion, committee = opinion_row(opinion_id), user("committee")
        departments = _departments(opinion)
        ops.blow_whistle(committee, opinion, departments["LJ-CG"], "请处理")
        db.session.commit()
        with pytest.raises(DomainError) as checked:
            ops.blow_whistle(committee, opinion, departments["LJ-GA"], "再吹一次")
        db.session.rollback()
        monkeypatch.setattr(Opinion, "active_whistle", property(lambda self: None))
        with pytest.raises(DomainError) as raced:
            ops.blow_whistle(committee, opinion, departments["LJ-GA"], "再吹一次")
        db.session.rollback()
        assert str(raced.value) == str(checked.value)
        assert db.session.scalar(select(func.count(Whistle.id))) == 1
        assert len(_entries("whistle.send")) == 1


def test_a_whistle_committed_by_another_connection_meanwhile(app, accepted, user):
    """No monkeypatching: the opinion's whistles were loaded before another member's whistle was
    committed on another connection, so the Python check passes and the index refuses."""
    opinion_id = accepted()
    with app.app_context():
        opinion, committee = opinion_row(opinion_id), user("committee")
        departments = _departments(opinion)
        assert opinion.active_whistle is None  # loaded now, before the other member's whistle
        now = utcnow()
        with db.engine.begin() as other:
            other.execute(Whistle.__table__.insert().values(
                opinion_id=opinion.id, department_id=departments["LJ-CG"].id, status="sent", request="另一位委员吹的哨",
                sent_at=now, due_at=now + timedelta(days=3), created_at=now,
            ))
        with pytest.raises(DomainError) as refused:
            ops.blow_whistle(committee, opinion, departments["LJ-GA"], "再吹一次")
        db.session.rollback()
        assert "department already has this opinion" in str(refused.value) or REFUSAL_ZH in str(refused.value)
        assert [w.department.code for w in db.session.scalars(select(Whistle))] == ["LJ-CG"]
        assert _entries("whistle.send") == []


def test_a_lost_race_through_the_page_shows_the_refusal_and_stores_nothing(
    app, client, login, accepted, user, check_skipped
):
    opinion_id = accepted()
    with app.app_context():
        opinion = opinion_row(opinion_id)
        ops.blow_whistle(user("committee"), opinion, _departments(opinion)["LJ-CG"], "请处理")
        db.session.commit()
        due_before = opinion.due_at
    login("committee")
    url = f"/opinions/{opinion_id}"
    due = (utcnow() + timedelta(days=20)).date().isoformat()  # would extend the opinion's deadline
    response = client.submit(f"{url}/whistle", {"department": "LJ-GA", "request": "再吹一次", "due": due}, page=url,
                             follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and 'class="flash error"' in page and REFUSAL_ZH in page
    with app.app_context():
        whistles = db.session.scalars(select(Whistle)).all()
        assert [w.department.code for w in whistles] == ["LJ-CG"]
        assert len(_entries("whistle.send")) == 1
        assert opinion_row(opinion_id).due_at == due_before
        assert verify_chain().ok


def test_the_migration_creates_the_partial_unique_index(empty_database_url):
    from flask_migrate import downgrade, upgrade

    from survey import create_app

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        upgrade()
        inspector = inspect(db.engine)
        indexes = {i["name"]: i for i in inspector.get_indexes("whistle")}
        columns = {c["name"] for c in inspector.get_columns("whistle")}
        index = indexes["ix_whistle_one_open_per_opinion"]
        assert index["unique"] and index["column_names"] == ["opinion_id"]
        if db.engine.dialect.name == "postgresql":
            where = index["dialect_options"]["postgresql_where"]
        else:
            with db.engine.connect() as conn:
                where = conn.execute(
                    text("SELECT sql FROM sqlite_master WHERE name = 'ix_whistle_one_open_per_opinion'")
                ).scalar()
        assert all(s in where for s in ("sent", "acknowledged", "in_progress"))
        assert not any(s in where for s in ("answered", "withdrawn"))
        assert "escalated_at" in columns
        downgrade(revision="0006_appraisal")
        inspector = inspect(db.engine)
        assert "ix_whistle_one_open_per_opinion" not in {i["name"] for i in inspector.get_indexes("whistle")}
        assert "escalated_at" not in {c["name"] for c in inspector.get_columns("whistle")}
        db.engine.dispose()


# --- escalation to the street ---------------------------------------------------------------


@pytest.fixture
def late_and_fresh(app, accepted, user):
    """One whistle past its deadline, one not yet: (late id, fresh id)."""
    start = utcnow() - timedelta(days=10)
    late_opinion, fresh_opinion = accepted("井盖丢失多日", now=start), accepted("树枝挡住路灯")
    with app.app_context():
        committee = user("committee")
        cg = _departments(opinion_row(late_opinion))["LJ-CG"]
        late = ops.blow_whistle(committee, opinion_row(late_opinion), cg, "请补井盖", start + timedelta(days=3), now=start)
        fresh = ops.blow_whistle(committee, opinion_row(fresh_opinion), cg, "请修剪", utcnow() + timedelta(days=3))
        db.session.commit()
        return late.id, fresh.id


def test_an_overdue_whistle_is_escalated_once_by_the_list_and_the_command(app, client, login, runner, late_and_fresh):
    late_id, fresh_id = late_and_fresh
    login("street")
    for _ in range(3):
        assert "井盖丢失多日" in client.get("/whistles/street/LJ01").get_data(as_text=True)
    for _ in range(2):
        result = runner.invoke(args=["opinions", "escalate"])
        assert result.exit_code == 0, result.output
        assert "0 whistle(s) escalated." in result.output
    with app.app_context():
        entries = _entries("whistle.escalate")
        assert [e.object_id for e in entries] == [str(late_id)]
        entry, late = entries[0], db.session.get(Whistle, late_id)
        assert entry.object_type == "whistle" and entry.actor_id is None and entry.actor_name == "system"
        payload = json.loads(entry.payload)
        assert payload["department"] == "LJ-CG" and payload["source"] == "street_list"
        assert payload["due_at"] == str(late.due_at) and payload["opinion"] == late.opinion.tracking_code
        assert entry.unit_path == late.opinion.community.path
        assert late.escalated_at is not None and db.session.get(Whistle, fresh_id).escalated_at is None
        assert verify_chain().ok
    verified = runner.invoke(args=["audit", "verify"])
    assert verified.exit_code == 0 and "intact" in verified.output


def test_the_command_escalates_for_cron_and_later_runs_add_nothing(app, runner, late_and_fresh):
    late_id, fresh_id = late_and_fresh
    first = runner.invoke(args=["opinions", "escalate"])
    assert first.exit_code == 0 and f"whistle {late_id}: LJ-CG" in first.output and "1 whistle(s) escalated." in first.output
    assert "0 whistle(s) escalated." in runner.invoke(args=["opinions", "escalate"]).output
    with app.app_context():
        entries = _entries("whistle.escalate")
        assert [e.object_id for e in entries] == [str(late_id)]
        assert json.loads(entries[0].payload)["source"] == "command"
        # the fresh one escalates when its own deadline has passed, once as well
        later = db.session.get(Whistle, fresh_id).due_at + timedelta(minutes=1)
        assert [w.id for w in ops.escalate_overdue(later)] == [fresh_id]
        db.session.commit()
        assert ops.escalate_overdue(later + timedelta(days=1)) == []
        db.session.commit()
        assert sorted(e.object_id for e in _entries("whistle.escalate")) == sorted([str(late_id), str(fresh_id)])
        assert verify_chain().ok


def test_answered_or_out_of_scope_whistles_are_not_escalated(app, user, late_and_fresh):
    late_id, fresh_id = late_and_fresh
    with app.app_context():
        late = db.session.get(Whistle, late_id)
        ops.acknowledge(user("chengguan"), late)
        ops.answer_whistle(user("chengguan"), late, "已补上")  # late, but answered before anyone looked
        db.session.commit()
        assert ops.escalate_overdue() == []
        later = db.session.get(Whistle, fresh_id).due_at + timedelta(hours=1)
        assert ops.escalate_overdue(later, scope_paths=["/LJ/LJ02/"]) == []  # another street's list
        assert ops.escalate_overdue(later, scope_paths=[]) == []
        db.session.commit()
        assert _entries("whistle.escalate") == []
