"""Helpers for the opinion box tests (plain functions; fixtures are in conftest.py)."""
from __future__ import annotations

import io
import re

from sqlalchemy import select

from survey.extensions import db

TRACK_RE = re.compile(r"/opinions/receipt/([A-Z0-9]{10})")


def image_bytes(kind: str = "PNG", size=(40, 30), **save) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format=kind, **save)
    return buffer.getvalue()


def opinion_row(opinion_id: int):
    from survey.opinions.models import Opinion

    return db.session.get(Opinion, opinion_id)


def submit_public(client, community="LJ0101", **fields):
    data = {"category": "environment", "grid": "", "text": "楼道堆满杂物", **fields}
    return client.submit(f"/opinions/{community}/new", data, page=f"/opinions/{community}/new",
                         content_type="multipart/form-data")


def tracking_code(response) -> str:
    match = TRACK_RE.search(response.headers.get("Location", ""))
    assert match, response.get_data(as_text=True)[:1000]
    return match.group(1)


def audit_text() -> str:
    from survey.core.audit import AuditEntry

    return "\n".join(e.payload for e in db.session.scalars(select(AuditEntry)))
