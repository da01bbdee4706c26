"""Database URLs and per-connection settings."""
from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine

def sqlite_url(instance_path: str) -> str:
    return f"sqlite:///{Path(instance_path) / 'survey.sqlite3'}"


def normalise_url(url: str) -> str:
    """Let DATABASE_URL be written as operators usually do; use psycopg 3 for PostgreSQL."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    if not dbapi_connection.execute("PRAGMA database_list").fetchone()[2] == "":
        cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()
