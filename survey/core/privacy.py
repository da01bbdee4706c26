"""Personal data kept only for a configurable period, then purged (PIPL: storage limitation).

What counts as personal data here, and where it lives:
- ``opinion.contact_name``, ``opinion.contact_phone``: the optional contact a resident leaves in
  the opinion box (or a grid worker notes at the door);
- ``opinion.photo_file``: the random name of a photo stored under the photo folder
  (``OPINION_PHOTO_FOLDER``, by default ``instance/opinion_photos``);
- ``matter_objection.name``, ``matter_objection.contact``: an objection's optional name and contact.

The purge clears those fields and deletes the photo files of rows created before the cut-off;
the opinions, objections, answers and the audit chain stay as they are (the audit payloads never
held the contact or the photo, only whether there was one). Household invitation codes name the
grid and whether they were spent, never a household, so there is no code-to-household mapping to
purge. Names of reporting party members are part of the appraisal record and are not purged.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import or_, select

from survey.core import audit
from survey.core.db import utcnow
from survey.extensions import db


@dataclass
class PurgeReport:
    cutoff: datetime
    opinion_contacts: int = 0
    opinion_photos: int = 0
    objection_contacts: int = 0
    dry_run: bool = False
    # Photo files to delete once the purge is committed (never before: a rollback must not lose them).
    photo_files: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.opinion_contacts + self.opinion_photos + self.objection_contacts

    def counts(self) -> dict[str, int]:
        return {"opinion_contacts": self.opinion_contacts, "opinion_photos": self.opinion_photos,
                "objection_contacts": self.objection_contacts}


def retention_days() -> int:
    return int(current_app.config["PERSONAL_DATA_RETENTION_DAYS"])


def purge_personal_data(older_than_days: int | None = None, *, dry_run: bool = False,
                        now: datetime | None = None, actor=None) -> PurgeReport:
    """Clear contacts and photo references of rows created more than ``older_than_days`` ago.

    Flushes and appends one audit entry (counts only) unless ``dry_run``; the caller commits and
    then calls ``remove_photo_files(report)``.
    """
    from survey.deliberations.models import Objection
    from survey.opinions.models import Opinion

    days = retention_days() if older_than_days is None else older_than_days
    if days < 0:
        raise ValueError("the retention period cannot be negative")
    cutoff = (now or utcnow()) - timedelta(days=days)
    report = PurgeReport(cutoff=cutoff, dry_run=dry_run)

    opinions = db.session.scalars(
        select(Opinion).where(
            Opinion.created_at < cutoff,
            or_(Opinion.contact_name.is_not(None), Opinion.contact_phone.is_not(None), Opinion.photo_file.is_not(None)),
        ).order_by(Opinion.id)
    ).all()
    for opinion in opinions:
        if opinion.contact_name is not None or opinion.contact_phone is not None:
            report.opinion_contacts += 1
        if opinion.photo_file is not None:
            report.opinion_photos += 1
            report.photo_files.append(opinion.photo_file)
        if not dry_run:
            opinion.contact_name = opinion.contact_phone = opinion.photo_file = None

    objections = db.session.scalars(
        select(Objection).where(
            Objection.created_at < cutoff, or_(Objection.name.is_not(None), Objection.contact.is_not(None))
        ).order_by(Objection.id)
    ).all()
    report.objection_contacts = len(objections)
    if not dry_run:
        for objection in objections:
            objection.name = objection.contact = None

    if dry_run:
        db.session.rollback()
        report.photo_files = []
        return report
    db.session.flush()
    audit.record("personal_data_purged", ("personal_data", cutoff.date().isoformat()), actor=actor,
                 payload={**report.counts(), "older_than_days": days, "cutoff": cutoff.isoformat(timespec="seconds")})
    return report


def remove_photo_files(report: PurgeReport) -> int:
    """Delete the purged photos' files (after the commit); returns how many existed."""
    from survey.opinions import photos

    removed = 0
    for name in report.photo_files:
        try:
            path = photos.path_of(name)
        except FileNotFoundError:
            continue
        if path.exists():
            removed += 1
        photos.remove(name)
    return removed
