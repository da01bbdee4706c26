"""Declarative base with a constraint naming convention, shared column helpers."""
from __future__ import annotations

import enum
from datetime import datetime, timezone

from sqlalchemy import DateTime, Enum, Float, MetaData
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    """Naive UTC: both SQLite and PostgreSQL store and return it unchanged."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def enum_column(enum_cls: type[enum.Enum], name: str) -> Enum:
    """Store an enum by value as a string with a named CHECK constraint (portable, readable)."""
    return Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=max(len(m.value) for m in enum_cls),
        values_callable=lambda cls: [m.value for m in cls],
        validate_strings=True,
    )


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class epoch_seconds(FunctionElement):
    """Seconds since 1970 of a naive UTC timestamp, computed by the database: reading many
    timestamps as numbers skips building a Python datetime for each row."""

    type = Float()
    inherit_cache = True


@compiles(epoch_seconds, "sqlite")
def _epoch_sqlite(element, compiler, **kw):
    return "(julianday(%s) - 2440587.5) * 86400.0" % compiler.process(element.clauses, **kw)


@compiles(epoch_seconds, "postgresql")
def _epoch_postgresql(element, compiler, **kw):
    return "CAST(EXTRACT(EPOCH FROM %s) AS DOUBLE PRECISION)" % compiler.process(element.clauses, **kw)


def raw_rows(session, query) -> list[tuple]:
    """All rows of ``query`` as the driver's plain tuples, in the session's transaction.

    For the few queries that read a whole large campaign into numpy: skipping SQLAlchemy's
    row objects saves more time than the query itself takes.
    """
    connection = session.connection()
    compiled = query.compile(dialect=connection.dialect)
    params = compiled.params
    if compiled.positional:
        params = tuple(params[name] for name in compiled.positiontup)
    cursor = connection.connection.cursor()
    try:
        cursor.execute(str(compiled), params)
        return cursor.fetchall()
    finally:
        cursor.close()
