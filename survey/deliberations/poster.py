"""The A4 notice poster (公示) of a matter in public review, for the community's notice board."""
from __future__ import annotations

from datetime import date

from flask import current_app, url_for
from flask_babel import format_date

from survey.deliberations import operations as ops
from survey.deliberations.models import BODY_LABELS, Matter
from survey.printing.pdf import render_pdf, render_print_template
from survey.printing.qr import qr_svg


def public_url(matter: Matter) -> str:
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + url_for(
        "board.matter", code=matter.unit.code, matter_id=matter.id)


def notice_html(matter: Matter, printed_on: date | None = None) -> str:
    review = ops.current_review(matter) or matter.review
    if review is None:
        raise ValueError("the matter has no public review")
    link = public_url(matter)
    return render_print_template(
        "printing/notice.html", matter=matter, review=review, motion=matter.motion, consultation=matter.consultation,
        body_labels=BODY_LABELS, link=link, qr=qr_svg(link, size_mm=38), long_date=lambda d: format_date(d, "long"),
        printed_on=printed_on or ops.local_today(), committee=matter.unit.name, phone=matter.unit.office_phone,
    )


def notice_pdf(matter: Matter, printed_on: date | None = None) -> bytes:
    return render_pdf(notice_html(matter, printed_on))
