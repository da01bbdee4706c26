from sqlalchemy import select

from survey.extensions import db
from survey.people.models import User


def test_users_create_reads_password_from_environment(app, runner, demo, monkeypatch):
    monkeypatch.setenv("SURVEY_PASSWORD", "cli-long-password")
    result = runner.invoke(args=["users", "create", "zhou", "--role", "grid_worker", "--unit", "LJ0101-02"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(select(User).filter_by(username="zhou"))
        assert user.check_password("cli-long-password")
        assert [(a.role.value, a.unit.code) for a in user.roles] == [("grid_worker", "LJ0101-02")]


def test_users_create_prompts_for_password(app, runner, demo, monkeypatch):
    monkeypatch.delenv("SURVEY_PASSWORD", raising=False)
    result = runner.invoke(
        args=["users", "create", "qian", "--role", "auditor", "--unit", "LJ"], input="prompted-password\nprompted-password\n"
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(select(User).filter_by(username="qian")).check_password("prompted-password")


def test_users_create_refuses_unknown_unit_and_duplicate(app, runner, demo, monkeypatch):
    monkeypatch.setenv("SURVEY_PASSWORD", "cli-long-password")
    assert runner.invoke(args=["users", "create", "x1", "--role", "auditor", "--unit", "NOPE"]).exit_code != 0
    result = runner.invoke(args=["users", "create", "committee", "--role", "auditor", "--unit", "LJ"])
    assert result.exit_code != 0
    with app.app_context():
        assert db.session.scalar(select(User).filter_by(username="x1")) is None


def test_seed_demo_is_idempotent(app, runner):
    first = runner.invoke(args=["seed-demo"])
    second = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0 and second.exit_code == 0
    with app.app_context():
        from survey.orgs.models import OrgLevel, OrgUnit

        units = list(db.session.scalars(select(OrgUnit)))
        assert len([u for u in units if u.level is OrgLevel.grid]) == 40
        assert len([u for u in units if u.level is OrgLevel.community]) == 6
        assert {u.kind.value for u in units if u.kind} == {"urban", "village"}
        assert len([u for u in units if u.level is OrgLevel.department]) == 5
        assert len(list(db.session.scalars(select(User)))) == 7
    assert "committee" in second.output


def test_seed_demo_fills_every_part_of_the_platform(app, runner, client):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    board = client.get("/board/LJ0101").get_data(as_text=True)
    assert "3号楼加装电梯" in board  # a matter in public review with its objection deadline
    assert "约" in board and "分" in board  # last year's ratings, published with their interval
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0
