"""Resident pages of the opinion box: no login, no JavaScript, phones first.

Drop an opinion (rate-limited per address, CSRF-protected), get a receipt with a tracking code,
follow it by that code, rate the handling once. The public pages never show the contact or the
photo: only the status, the department that has it, and the answers.
"""
from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice
from sqlalchemy import select

from survey.core.errors import DomainError
from survey.extensions import db, limiter
from survey.forms.opinions import OpinionForm, RatingForm, TrackForm
from survey.opinions import codes
from survey.opinions import operations as ops
from survey.opinions.models import OpinionCategory, OpinionStatus
from survey.orgs.models import OrgLevel, OrgUnit

bp = Blueprint("opinion_box", __name__)


def _submit_limit() -> str:
    return current_app.config["OPINION_SUBMIT_LIMIT"]


def _track_limit() -> str:
    return current_app.config["OPINION_TRACK_LIMIT"]


def _community(code: str) -> OrgUnit:
    unit = db.session.scalar(select(OrgUnit).filter_by(code=code[:32]))
    if unit is None or unit.level is not OrgLevel.community:
        abort(404)
    return unit


def grid_choices(grids: list[OrgUnit]):
    return [SelectChoice("", _("Not sure / the whole community"))] + [SelectChoice(g.code, g.name) for g in grids]


def read_opinion_form(form: OpinionForm, community: OrgUnit, grids: list[OrgUnit], *, logged_by=None):
    """Validate and submit; returns the opinion, or None with the errors left on the form."""
    if not form.validate_on_submit():
        return None
    grid = next((g for g in grids if g.code == form.grid.data), None) if form.grid.data else None
    upload = form.photo.data
    photo = upload.stream if upload is not None and getattr(upload, "filename", None) else None
    submission_id = form.submission_id.data or None
    earlier = ops.opinion_by_submission(submission_id)
    if earlier is not None:
        return earlier

    def submit():
        return ops.submit_opinion(
            community, OpinionCategory(form.category.data), form.text.data, grid=grid,
            contact=ops.Contact(form.contact_name.data, form.contact_phone.data), photo=photo,
            submission_id=submission_id, logged_by=logged_by,
        )

    try:
        opinion = ops.store_once(submit, submission_id)
    except DomainError as error:
        db.session.rollback()
        target = form.photo if isinstance(error, ops.photos.PhotoRefused) else form.text
        target.errors = list(target.errors) + [str(error)]
        return None
    db.session.commit()
    return opinion


@bp.route("/opinions/<code>/new", methods=["GET", "POST"])
@limiter.limit(_submit_limit, methods=["POST"])
def new(code: str):
    community = _community(code)
    grids = ops.community_grids(community)
    form = OpinionForm()
    form.grid.choices = grid_choices(grids)
    opinion = read_opinion_form(form, community, grids) if request.method == "POST" else None
    if opinion is not None:
        return redirect(url_for("opinion_box.receipt", code=opinion.tracking_code))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "opinions/public_new.html", community=community, form=form, categories=list(OpinionCategory),
        max_mb=current_app.config["OPINION_PHOTO_MAX_BYTES"] / 1024 / 1024,
    ), status


@bp.get("/opinions/receipt/<code>")
@limiter.limit(_track_limit)
def receipt(code: str):
    opinion = ops.opinion_by_code(code) or abort(404)
    return render_template("opinions/public_receipt.html", opinion=opinion, display=codes.display)


@bp.route("/opinions/track", methods=["GET", "POST"])
@limiter.limit(_track_limit, methods=["POST"])
def track_form():
    form = TrackForm()
    if form.validate_on_submit():
        opinion = ops.opinion_by_code(form.code.data)
        if opinion is not None:
            return redirect(url_for("opinion_box.track", code=opinion.tracking_code))
        form.code.errors.append(_("No opinion has this tracking code. Please check the code on your receipt."))
    return render_template("answering/enter_code.html", form=form, heading=_("Follow an opinion"))


@bp.route("/opinions/track/<code>", methods=["GET", "POST"])
@limiter.limit(_track_limit)
def track(code: str):
    opinion = ops.opinion_by_code(code) or abort(404)
    if opinion.tracking_code != code:  # typed with dashes or in lower case: one canonical address
        return redirect(url_for("opinion_box.track", code=opinion.tracking_code))
    form = RatingForm()
    error = None
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                ops.rate(opinion, int(form.rating.data))
            except DomainError as refused:
                db.session.rollback()
                error, status = str(refused), 409
            else:
                db.session.commit()
                return redirect(url_for("opinion_box.track", code=opinion.tracking_code, rated=1))
        else:
            status = 400
    can_rate = opinion.rating is None and opinion.status in (OpinionStatus.answered, OpinionStatus.closed)
    whistle = opinion.latest_whistle
    return render_template(
        "opinions/public_track.html", opinion=opinion, whistle=whistle, form=form, can_rate=can_rate, error=error,
        display=codes.display, rated=request.args.get("rated") == "1",
    ), status
