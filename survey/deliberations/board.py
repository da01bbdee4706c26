"""The public notice board of a community: no login, phones first, no JavaScript.

Shows the matters in public review (days left, objection form), each matter's timeline of the
five stages, the published results of the community's satisfaction campaigns, and a page that
recomputes the audit chain up to a matter's entries. Objectors' names and contacts never appear.
"""
from __future__ import annotations


from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from survey.core.audit import AuditEntry, verify_chain
from survey.core.errors import DomainError
from survey.deliberations import operations as ops
from survey.deliberations.models import BODY_LABELS, STAGE_LABELS, Matter
from survey.deliberations.workflow import Stage
from survey.extensions import db, limiter
from survey.forms.deliberations import ObjectionForm
from survey.orgs.models import OrgLevel, OrgUnit

bp = Blueprint("board", __name__, static_folder="static", static_url_path="/board/static")


ACTION_LABELS = {
    "matter.create": _l("Proposal recorded"),
    "matter.motion": _l("Motion recorded"),
    "matter.consultation": _l("Consultation recorded"),
    "matter.attachment": _l("Document attached"),
    "matter.review": _l("Public notice posted"),
    "matter.objection": _l("Objection received"),
    "matter.objection_answer": _l("Objection answered"),
    "matter.evaluation": _l("Satisfaction campaign linked"),
    "matter.move": _l("Stage changed"),
}


def _objection_limit() -> str:
    return current_app.config["OBJECTION_LIMIT"]


def _community(code: str) -> OrgUnit:
    unit = db.session.scalar(select(OrgUnit).filter_by(code=code[:32]))
    if unit is None or unit.level is not OrgLevel.community:
        abort(404)
    return unit


def _public_matter(unit: OrgUnit, matter_id: int) -> Matter:
    matter = db.session.get(Matter, matter_id)
    if matter is None or matter.unit_id != unit.id:
        abort(404)
    return matter


def published_results(unit: OrgUnit) -> list:
    """Closed campaigns of the community with their frozen results, newest first."""
    from survey.questionnaires.models import Campaign, CampaignStatus

    campaigns = db.session.scalars(
        select(Campaign).join(OrgUnit, Campaign.unit_id == OrgUnit.id)
        .where(OrgUnit.path.startswith(unit.path, autoescape=True), Campaign.status == CampaignStatus.closed)
        .order_by(Campaign.closed_at.desc())
    )
    return [c for c in campaigns if c.frozen_result]


@bp.get("/board/<code>")
def community(code: str):
    unit = _community(code)
    matters = list(db.session.scalars(
        select(Matter).where(Matter.unit_id == unit.id).order_by(Matter.stage_since.desc(), Matter.id.desc())
    ))
    today = ops.local_today()
    in_review = [(m, ops.current_review(m)) for m in matters if ops.accepting_objections(m, today)]
    return render_template(
        "board/community.html", unit=unit, matters=matters, in_review=in_review, today=today,
        stage_labels=STAGE_LABELS, results=published_results(unit),
    )


@bp.get("/board/<code>/matters/<int:matter_id>")
def matter(code: str, matter_id: int):
    unit = _community(code)
    matter = _public_matter(unit, matter_id)
    return _matter_page(unit, matter, ObjectionForm(formdata=None))


def _matter_page(unit: OrgUnit, matter: Matter, form: ObjectionForm, status: int = 200):
    today = ops.local_today()
    review = matter.review if matter.stage is not Stage.proposal else None
    return render_template(
        "board/matter.html", unit=unit, matter=matter, timeline=ops.timeline(matter), stage_labels=STAGE_LABELS,
        body_labels=BODY_LABELS, review=review, current=ops.current_review(matter),
        accepting=ops.accepting_objections(matter, today), form=form, today=today,
        sent=request.args.get("sent") == "1",
    ), status


@bp.post("/board/<code>/matters/<int:matter_id>/objections")
@limiter.limit(_objection_limit)
def object_(code: str, matter_id: int):
    unit = _community(code)
    matter = _public_matter(unit, matter_id)
    form = ObjectionForm()
    if not form.validate_on_submit():
        return _matter_page(unit, matter, form, 400)
    try:
        ops.add_objection(matter, form.text.data, form.name.data, form.contact.data)
    except DomainError as error:
        db.session.rollback()
        form.form_errors.append(str(error))
        return _matter_page(unit, db.session.get(Matter, matter.id), form, 400)
    db.session.commit()
    return redirect(url_for("board.matter", code=unit.code, matter_id=matter.id, sent=1, _anchor="objection"))


@bp.get("/board/<code>/matters/<int:matter_id>/verify")
def verify(code: str, matter_id: int):
    """Recompute the chain from its first entry up to this matter's last one."""
    unit = _community(code)
    matter = _public_matter(unit, matter_id)
    entries = ops.matter_audit_entries(matter)
    report = None
    if entries:
        last = entries[-1].id
        report = verify_chain(db.session.scalars(
            select(AuditEntry).where(AuditEntry.id <= last).order_by(AuditEntry.id)).yield_per(1000))
    intact = report is not None and report.ok
    broken_id = None if report is None else report.broken_id
    rows = []
    for entry in entries:
        ok = intact or (broken_id is not None and entry.id < broken_id)
        rows.append({"entry": entry, "ok": ok and entry.compute_hash() == entry.hash,
                     "label": ACTION_LABELS.get(entry.action, entry.action)})
    return render_template(
        "board/verify.html", unit=unit, matter=matter, report=report, rows=rows, intact=intact,
    )
