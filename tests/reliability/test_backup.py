"""``flask backup`` and ``flask restore``: a restored copy has the same rows and an intact audit chain.

SQLite always; PostgreSQL when TEST_DATABASE_URL is set, each test in schemas of its own that it
creates and drops (the shared ``test`` database is left as it was found).
"""
from __future__ import annotations

import os
import sqlite3
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from survey import create_app
from survey.core.backup import libpq_connection, search_path_schema
from survey.extensions import db

PG_URL = os.environ.get("TEST_DATABASE_URL")
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.skipif(not PG_URL, reason="TEST_DATABASE_URL not set"))]


class Databases:
    """Fresh, empty databases of one kind: files in tmp_path, or schemas dropped afterwards."""

    def __init__(self, kind: str, tmp_path: Path):
        self.kind, self.tmp_path, self.schemas = kind, tmp_path, []
        self.engine = create_engine(PG_URL) if kind == "postgresql" else None

    def new(self) -> str:
        if self.kind == "sqlite":
            return f"sqlite:///{self.tmp_path / f'db-{uuid.uuid4().hex[:8]}.sqlite3'}"
        schema = f"b_{uuid.uuid4().hex[:12]}"
        with self.engine.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        self.schemas.append(schema)
        sep = "&" if "?" in PG_URL else "?"
        return f"{PG_URL}{sep}options={quote(f'-csearch_path={schema}')}"

    def drop(self, url: str) -> None:
        """Lose a database (as a disk or a server is lost)."""
        if self.kind == "sqlite":
            Path(make_url(url).database).unlink()
        else:
            with self.engine.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{search_path_schema(make_url(url))}" CASCADE'))

    def close(self) -> None:
        if self.engine is not None:
            with self.engine.begin() as conn:
                for schema in self.schemas:
                    conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            self.engine.dispose()


@pytest.fixture(params=BACKENDS)
def databases(request, tmp_path):
    dbs = Databases(request.param, tmp_path)
    yield dbs
    dbs.close()


def make_app(url: str, tmp_path: Path):
    return create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_STORAGE_URI": "memory://",
                       "OPINION_PHOTO_FOLDER": str(tmp_path / "photos")})


def fill(app) -> None:
    """The demo district, an opinion with a contact and an objection: rows in many tables and the audit log."""
    from survey.demo import seed
    from survey.opinions import operations as opinion_ops
    from survey.opinions.models import OpinionCategory
    from survey.opinions.operations import Contact
    from survey.orgs.operations import unit_by_code

    with app.app_context():
        db.create_all()
        seed(app.config["DEMO_PASSWORD"])
        opinion_ops.submit_opinion(unit_by_code("LJ0101"), OpinionCategory.facilities, "3号楼路灯坏了",
                                   contact=Contact(name="张三", phone="13800001111"))
        db.session.commit()


def row_counts(app) -> dict[str, int]:
    with app.app_context():
        with db.engine.connect() as conn:
            counts = {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one() for t in db.metadata.sorted_tables}
        db.engine.dispose()
    return counts


def dispose(app) -> None:
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_backup_restores_into_a_fresh_database_with_the_same_rows_and_an_intact_chain(databases, tmp_path):
    source_url = databases.new()
    source = make_app(source_url, tmp_path)
    fill(source)
    before = row_counts(source)
    assert before["audit_entry"] > 0 and before["opinion"] == 1 and before["org_unit"] > 10

    out = tmp_path / "backups" / "survey.backup"
    result = source.test_cli_runner().invoke(args=["backup", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "backup written" in result.output and out.stat().st_size > 0
    assert [p.name for p in out.parent.iterdir()] == ["survey.backup"]  # no temporary file left behind
    assert out.read_bytes()[:5] == (b"SQLit" if databases.kind == "sqlite" else b"PGDMP")
    dispose(source)
    databases.drop(source_url)  # the original is lost

    target = make_app(databases.new(), tmp_path)
    runner = target.test_cli_runner()
    result = runner.invoke(args=["restore", str(out)])
    assert result.exit_code == 0, result.output
    verify = runner.invoke(args=["audit", "verify"])
    assert verify.exit_code == 0 and "audit chain intact" in verify.output
    assert f"{before['audit_entry']} entries" in verify.output
    assert row_counts(target) == before
    dispose(target)


def test_restore_refuses_a_database_that_is_not_empty_unless_forced(databases, tmp_path):
    app = make_app(databases.new(), tmp_path)
    fill(app)
    out = tmp_path / "b.backup"
    runner = app.test_cli_runner()
    assert runner.invoke(args=["backup", "--out", str(out)]).exit_code == 0
    with app.app_context():
        from survey.opinions.models import Opinion

        db.session.execute(Opinion.__table__.delete())
        db.session.commit()
    refused = runner.invoke(args=["restore", str(out)])
    assert refused.exit_code == 1 and "not empty" in refused.output and "--force" in refused.output
    assert row_counts(app)["opinion"] == 0
    forced = runner.invoke(args=["restore", "--force", str(out)])
    assert forced.exit_code == 0, forced.output
    assert row_counts(app)["opinion"] == 1
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0
    dispose(app)


def test_sqlite_backup_is_consistent_while_a_connection_holds_an_open_write(tmp_path):
    """The online backup copies the last committed state, not a half-done transaction."""
    app = make_app(f"sqlite:///{tmp_path / 'live.sqlite3'}", tmp_path)
    fill(app)
    before = row_counts(app)
    writer = sqlite3.connect(tmp_path / "live.sqlite3")
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("DELETE FROM opinion")
    try:
        out = tmp_path / "live.backup"
        result = app.test_cli_runner().invoke(args=["backup", "--out", str(out)])
        assert result.exit_code == 0, result.output
    finally:
        writer.rollback()
        writer.close()
    copy = sqlite3.connect(out)
    assert copy.execute("SELECT count(*) FROM opinion").fetchone()[0] == before["opinion"] == 1
    assert copy.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    copy.close()
    dispose(app)


def test_clear_errors_and_exit_codes(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'e.sqlite3'}", tmp_path)
    with app.app_context():
        db.create_all()
    runner = app.test_cli_runner()
    missing = runner.invoke(args=["restore", str(tmp_path / "nope.backup")])
    assert missing.exit_code == 1 and "is not a file" in missing.output
    junk = tmp_path / "junk.backup"
    junk.write_bytes(b"not a backup at all")
    wrong = runner.invoke(args=["restore", str(junk)])
    assert wrong.exit_code == 1 and "neither a SQLite backup nor a pg_dump" in wrong.output
    pgdump = tmp_path / "pg.backup"
    pgdump.write_bytes(b"PGDMP\x01\x0e\x00")
    mismatch = runner.invoke(args=["restore", str(pgdump)])
    assert mismatch.exit_code == 1 and "configured database is sqlite" in mismatch.output
    directory = runner.invoke(args=["backup", "--out", str(tmp_path)])
    assert directory.exit_code != 0
    gone = make_app(f"sqlite:///{tmp_path / 'never-created.sqlite3'}", tmp_path)
    gone_result = gone.test_cli_runner().invoke(args=["backup", "--out", str(tmp_path / "x.backup")])
    assert gone_result.exit_code == 1 and "does not exist" in gone_result.output
    assert not (tmp_path / "x.backup").exists()
    dispose(app)


def test_libpq_connection_from_a_sqlalchemy_url():
    url = make_url("postgresql+psycopg://alice:s3cret@db.example:6543/survey?options=-csearch_path%3Dt_abc&sslmode=require")
    uri, env = libpq_connection(url)
    assert uri.startswith("postgresql://alice@db.example:6543/survey?")
    assert "s3cret" not in uri and env["PGPASSWORD"] == "s3cret"
    assert "sslmode=require" in uri and "psycopg" not in uri
    assert search_path_schema(url) == "t_abc"
    assert search_path_schema(make_url("postgresql+psycopg://u@h/d")) is None
