"""Language, security headers, error pages."""
import re

import pytest

from config import DEFAULT_SECRET_KEY
from survey import create_app


def test_chinese_by_default_and_english_on_request(client, demo):
    assert "登录" in client.get("/login").get_data(as_text=True)
    page = client.get("/login")
    assert 'lang="zh-Hans-CN"' in page.get_data(as_text=True)
    switched = client.get("/lang/en?next=/login")
    assert switched.headers["Location"] == "/login"
    english = client.get("/login").get_data(as_text=True)
    assert "Log in" in english and 'lang="en"' in english


def test_browser_language_is_respected_until_a_choice_is_made(client, demo):
    assert "Log in" in client.get("/login", headers={"Accept-Language": "en-US,en;q=0.9"}).get_data(as_text=True)
    assert "登录" in client.get("/login", headers={"Accept-Language": "zh-CN,zh;q=0.9"}).get_data(as_text=True)


def test_language_switch_refuses_foreign_redirects(client):
    assert client.get("/lang/en?next=https://evil.example/").headers["Location"] == "/"


@pytest.mark.parametrize("path", ["/", "/login", "/audit/verify", "/nope"])
def test_security_headers_and_no_inline_script(client, demo, path):
    response = client.get(path)
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    html = response.get_data(as_text=True)
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)
    assert not re.search(r"\sstyle=|<style", html)
    assert not re.search(r'(src|href)="(https?:)?//', html)  # nothing from outside the server


def test_session_cookie_is_httponly(client, demo):
    response = client.submit("/login", {"username": "committee", "password": demo})
    cookie = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_error_pages_in_the_users_language(client):
    missing = client.get("/does-not-exist")
    assert missing.status_code == 404 and "页面不存在" in missing.get_data(as_text=True)
    client.get("/lang/en")
    assert "does not exist" in client.get("/does-not-exist").get_data(as_text=True)


def test_unexpected_error_gives_a_500_page_in_chinese(app, client):
    @app.get("/boom")
    def boom():
        raise RuntimeError("boom")

    response = client.get("/boom")
    assert response.status_code == 500
    assert "出错了" in response.get_data(as_text=True)


def test_production_refuses_the_default_secret_key(monkeypatch):
    monkeypatch.setenv("SURVEY_CONFIG", "production")
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({"SECRET_KEY": DEFAULT_SECRET_KEY, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    app = create_app({"SECRET_KEY": "a-real-secret", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_environment_sets_configuration(monkeypatch, tmp_path):
    monkeypatch.setenv("SURVEY_SOME_LIMIT", "42")
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@db.example/prod")
    import importlib

    import config

    importlib.reload(config)
    try:
        app = create_app({"TESTING": True})
        assert app.config["SOME_LIMIT"] == 42
        assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db.example/prod"
    finally:
        monkeypatch.delenv("DATABASE_URL")
        importlib.reload(config)


def test_sqlite_runs_with_wal_and_foreign_keys(app):
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("SQLite only")
    from sqlalchemy import text

    from survey.extensions import db

    with app.app_context():
        assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert db.session.execute(text("PRAGMA busy_timeout")).scalar() == app.config["SQLITE_BUSY_TIMEOUT_MS"]


def test_database_outage_gives_a_503_asking_to_try_again(app, client):
    from sqlalchemy.exc import OperationalError

    @app.get("/db-down")
    def db_down():
        raise OperationalError("SELECT 1", {}, Exception("the database system is shutting down"))

    response = client.get("/db-down")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert "不会重复计算" in response.get_data(as_text=True)


def test_a_connection_cut_after_the_page_was_made_does_not_turn_it_into_a_500(app, client, monkeypatch):
    """The database restarting between the last query and the end of the request: the session's
    closing rollback fails. The page already made is still the answer, and the next one works."""
    import sqlite3

    import psycopg
    from sqlalchemy import text

    from survey.extensions import db

    @app.get("/reads-the-database")
    def reads_the_database():
        return {"one": db.session.execute(text("SELECT 1")).scalar_one()}

    assert client.get("/reads-the-database").status_code == 200  # connected: the pool's first connect rolls back too
    with app.app_context():
        dialect = db.engine.dialect
    cut = sqlite3.OperationalError if dialect.name == "sqlite" else psycopg.OperationalError
    real_rollback = dialect.do_rollback
    calls = []

    def rollback_on_a_cut_connection(dbapi_connection):
        calls.append(1)
        raise cut("terminating connection due to administrator command")

    monkeypatch.setattr(dialect, "do_rollback", rollback_on_a_cut_connection)
    response = client.get("/reads-the-database")
    assert calls, "the request's session did not roll back at the end: the test shows nothing"
    assert response.status_code == 200 and response.get_json() == {"one": 1}
    monkeypatch.setattr(dialect, "do_rollback", real_rollback)
    assert client.get("/reads-the-database").get_json() == {"one": 1}
