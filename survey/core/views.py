"""Home, language switch, and the audit log's public verification page."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask_login import current_user
from sqlalchemy import select

from survey.core.audit import AuditEntry, verify_chain
from survey.extensions import db
from survey.people.permissions import Permission, in_scope, permission_required

bp = Blueprint("core", __name__)


def safe_next(target: str | None, fallback: str) -> str:
    """Only same-site relative paths: never an open redirect."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return fallback


@bp.get("/")
def home():
    if not current_user.is_authenticated:
        return render_template("core/welcome.html")
    from survey.core import todo

    return render_template("core/home.html", units=current_user.scope_units, todo=todo.collect(current_user))


@bp.get("/healthz")
def healthz():
    """For load balancers and as the trivial baseline of the benchmarks."""
    return {"status": "ok"}


@bp.get("/lang/<code>")
def set_language(code: str):
    if code in current_app.config["LANGUAGES"]:
        session["locale"] = code
    return redirect(safe_next(request.args.get("next"), url_for("core.home")))


@bp.get("/audit/verify")
def audit_verify():
    return render_template("core/audit_verify.html", report=verify_chain())


@bp.get("/audit/")
@permission_required(Permission.view_audit)
def audit_log():
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    query = (
        select(AuditEntry)
        .where(in_scope(current_user, Permission.view_audit, AuditEntry.unit_path))
        .order_by(AuditEntry.id.desc())
    )
    pagination = db.paginate(query, page=page, per_page=50, error_out=False)
    return render_template("core/audit_log.html", pagination=pagination)
