"""What a committee hands out: household codes with their links, and printed slips."""
from __future__ import annotations

import csv
import io

from flask import current_app, url_for
from sqlalchemy import select

from survey.extensions import db
from survey.orgs.models import OrgUnit
from survey.printing.slips import Slip, household_slips_pdf
from survey.questionnaires.models import Campaign, InvitationCode


def code_urls(codes: list[str]) -> dict[str, str]:
    """The public link of each code: PUBLIC_BASE_URL (which may carry a path) + /c/<code>."""
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/") + "/"
    with current_app.test_request_context(base_url=base):
        return {code: url_for("answering.code_link", code=code, _external=True) for code in codes}


def _codes(campaign: Campaign, *, include_spent: bool = True, grid: OrgUnit | None = None):
    query = (
        select(InvitationCode.code, InvitationCode.spent, OrgUnit.code.label("grid_code"), OrgUnit.name.label("grid_name"))
        .join(OrgUnit, OrgUnit.id == InvitationCode.grid_id)
        .where(InvitationCode.campaign_id == campaign.id)
        .order_by(OrgUnit.path, InvitationCode.id)
    )
    if not include_spent:
        query = query.where(InvitationCode.spent.is_(False))
    if grid is not None:
        query = query.where(InvitationCode.grid_id == grid.id)
    return db.session.execute(query).all()


def codes_csv(campaign: Campaign) -> tuple[str, int, int]:
    """``code,url,grid`` rows for every code of the campaign; returns (text, codes, spent)."""
    rows = _codes(campaign)
    urls = code_urls([r.code for r in rows])
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["code", "url", "grid"])
    for row in rows:
        writer.writerow([row.code, urls[row.code], row.grid_code])
    return out.getvalue(), len(rows), sum(1 for r in rows if r.spent)


def slips(campaign: Campaign, *, include_spent: bool = False, grid: OrgUnit | None = None) -> list[Slip]:
    rows = _codes(campaign, include_spent=include_spent, grid=grid)
    urls = code_urls([r.code for r in rows])
    project = campaign.project.name if campaign.project is not None else campaign.title
    return [
        Slip(code=r.code, url=urls[r.code], community=campaign.unit.name, project=project,
             closing_date=campaign.closes_on, grid=r.grid_name)
        for r in rows
    ]


def slips_pdf(slips_: list[Slip], per_page: int = 8) -> bytes:
    return household_slips_pdf(slips_, per_page=per_page)
