"""Append-only, hash-chained audit log.

Each entry stores the hash of the previous entry; its own hash is SHA-256 over that previous
hash and the entry's canonical content. Editing, inserting or deleting any row breaks every hash
after it, which ``verify_chain`` finds. A unique constraint on ``prev_hash`` makes two concurrent
writers unable to fork the chain: the second one fails instead of silently branching.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterable

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, select, text
from sqlalchemy.orm import Mapped, mapped_column

from survey.core.db import utcnow
from survey.extensions import db

GENESIS_HASH = "0" * 64


class AuditEntry(db.Model):
    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    actor_id: Mapped[int | None] = mapped_column(Integer)  # no FK: the log outlives accounts
    actor_name: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(64), index=True)
    object_type: Mapped[str] = mapped_column(String(64))
    object_id: Mapped[str] = mapped_column(String(64))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id", ondelete="SET NULL"), index=True)
    unit_path: Mapped[str | None] = mapped_column(String(255), index=True)
    payload: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hash: Mapped[str] = mapped_column(String(64), unique=True)

    def content(self) -> dict[str, Any]:
        return {
            "created_at": self.created_at.isoformat(timespec="microseconds"),
            "actor_id": self.actor_id,
            "actor_name": self.actor_name,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "unit_path": self.unit_path,
            "payload": json.loads(self.payload),
        }

    def compute_hash(self) -> str:
        return chain_hash(self.prev_hash, self.content())

    @property
    def payload_data(self) -> dict[str, Any]:
        return json.loads(self.payload)


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def chain_hash(prev_hash: str, content: dict[str, Any]) -> str:
    return hashlib.sha256((prev_hash + canonical_json(content)).encode("utf-8")).hexdigest()


def _lock_chain_head() -> None:
    """Serialise appends on PostgreSQL so that concurrent writers queue instead of failing."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(7340201)"))


def record(action: str, obj, *, actor=None, unit=None, payload: dict[str, Any] | None = None) -> AuditEntry:
    """Append an entry for ``action`` on ``obj`` (a model instance, or a (type, id) pair)."""
    if isinstance(obj, tuple):
        object_type, object_id = obj
    else:
        db.session.flush()  # the object needs its id
        object_type, object_id = obj.__tablename__, obj.id
    _lock_chain_head()
    last = db.session.scalar(select(AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1))
    entry = AuditEntry(
        created_at=utcnow(),
        actor_id=getattr(actor, "id", None),
        actor_name=getattr(actor, "username", None) or "system",
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        unit_id=getattr(unit, "id", None),
        unit_path=getattr(unit, "path", None),
        # Round-trip through JSON so that the hashed content is exactly what is stored.
        payload=canonical_json(payload or {}),
        prev_hash=last or GENESIS_HASH,
    )
    entry.hash = entry.compute_hash()
    db.session.add(entry)
    db.session.flush()
    return entry


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    entries: int
    head: str
    broken_id: int | None = None
    reason: str | None = None


def verify_chain(entries: Iterable[AuditEntry] | None = None) -> ChainReport:
    if entries is None:
        entries = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).yield_per(1000)
    prev, count = GENESIS_HASH, 0
    for entry in entries:
        if entry.prev_hash != prev:
            return ChainReport(False, count, prev, entry.id, "previous hash does not match")
        if entry.compute_hash() != entry.hash:
            return ChainReport(False, count, prev, entry.id, "content does not match its hash")
        prev, count = entry.hash, count + 1
    return ChainReport(True, count, prev)
