"""Fixtures in the style of the Flask tutorial: an app per test on a fresh database.

SQLite: a new file per test. PostgreSQL (when TEST_DATABASE_URL is set): one schema of our own
for the whole run, emptied after each test and dropped at the end, so that the shared ``test``
database is left as it was found.
"""
from __future__ import annotations

import os
import re
import uuid
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text

from survey import ROOT, create_app
from survey.extensions import db

pytest_plugins = ["tests.browser"]

PG_URL = os.environ.get("TEST_DATABASE_URL")
CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def compile_catalogs() -> None:
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po in (ROOT / "survey" / "translations").glob("*/LC_MESSAGES/messages.po"):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            with po.open("rb") as f:
                catalog = read_po(f)
            with mo.open("wb") as f:
                write_mo(f, catalog)


compile_catalogs()


@contextmanager
def private_schema(prefix: str):
    """A schema of its own in the shared PostgreSQL test database: (URL using it, name); dropped after."""
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    engine = create_engine(PG_URL)
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in PG_URL else "?"
    try:
        yield f"{PG_URL}{sep}options={quote(f'-csearch_path={schema}')}", schema
    finally:
        with engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


@pytest.fixture(scope="session")
def pg_schema_url():
    """A private schema in the shared PostgreSQL test database, dropped after the run."""
    if not PG_URL:
        yield None
        return
    with private_schema("t") as (url, schema):
        yield url, schema


@pytest.fixture(scope="session")
def _pg_tables(pg_schema_url):
    """Create the tables once per run on PostgreSQL."""
    if pg_schema_url is None:
        return None
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": pg_schema_url[0]})
    with app.app_context():
        db.create_all()
        db.engine.dispose()
    return pg_schema_url[0]


def database_url(tmp_path: Path, pg_url: str | None) -> str:
    return pg_url or f"sqlite:///{tmp_path / 'test.sqlite3'}"


class Client(FlaskClient):
    """A test client that submits forms as a browser does: with the page's CSRF token."""

    def csrf_token(self, page_url: str) -> str:
        page = self.get(page_url)
        match = CSRF_RE.search(page.get_data(as_text=True))
        assert match, f"no CSRF token on {page_url} (status {page.status_code})"
        return match.group(1) or match.group(2)

    def submit(self, url: str, data: dict | None = None, *, page: str | None = None, **kwargs):
        data = dict(data or {})
        data.setdefault("csrf_token", self.csrf_token(page or url))
        return self.post(url, data=data, **kwargs)


@pytest.fixture
def empty_database_url(tmp_path):
    """An empty database for running the migrations: a SQLite file, or a schema of its own on PostgreSQL."""
    if not PG_URL:
        yield f"sqlite:///{tmp_path / 'migrated.sqlite3'}"
        return
    with private_schema("m") as (url, _schema):
        yield url


@pytest.fixture
def app(request, tmp_path, _pg_tables):
    """Settings can be changed per test with ``@pytest.mark.app_config(NAME=value)``."""
    settings = {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url(tmp_path, _pg_tables),
        "RATELIMIT_STORAGE_URI": "memory://",
    }
    marker = request.node.get_closest_marker("app_config")
    if marker is not None:
        settings.update(marker.kwargs)
    app = create_app(settings)
    app.test_client_class = Client
    with app.app_context():
        if _pg_tables is None:
            db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        if _pg_tables is not None:
            names = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
            with db.engine.begin() as conn:
                conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        db.engine.dispose()


@pytest.fixture
def client(app) -> Client:
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def demo(app):
    """The demo district with one account per role (see survey/demo.py)."""
    from survey.demo import seed

    with app.app_context():
        seed(app.config["DEMO_PASSWORD"])
        db.session.commit()
    return app.config["DEMO_PASSWORD"]


@pytest.fixture
def login(client, demo):
    """login("committee") logs the client in as that demo account."""

    def do_login(username: str, password: str | None = None):
        response = client.submit("/login", {"username": username, "password": password or demo})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return response

    return do_login
