"""The public verify page of a printed appraisal sheet (no login): the QR code on the sheet."""
from __future__ import annotations

from flask import Blueprint, render_template

from survey.appraisal import operations as ops
from survey.appraisal.models import GRADE_LABELS, Appraisal
from survey.extensions import db

bp = Blueprint("appraisal_public", __name__)


@bp.get("/verify/sheet/<int:appraisal_id>/<digest>")
def verify(appraisal_id: int, digest: str):
    appraisal = db.session.get(Appraisal, appraisal_id)
    genuine = ops.verify_sheet(appraisal, digest)
    # Nothing about the cadre is shown unless the code matches: a guessed id reveals nothing.
    return render_template(
        "appraisal/verify.html", genuine=genuine, appraisal=appraisal if genuine else None,
        code=ops.verification_code(digest.lower()) if len(digest) >= 16 else digest, grade_labels=GRADE_LABELS,
    ), 200 if genuine else 404
