"""Request hooks shared by every page: security headers and template helpers; the committee's
commit-or-refuse step shared by the views."""
from __future__ import annotations

from flask import Flask, abort, flash, has_request_context, request
from flask_babel import get_locale
from flask_login import current_user

from survey.core.i18n import html_lang

# No inline script or style anywhere: everything is served from this server.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


def commit_or_refuse(operation, message) -> bool:
    """Run an operation and commit, showing ``message``; a refused one (DomainError) is rolled
    back and its reason shown instead. Returns whether it was done."""
    from survey.core.errors import DomainError
    from survey.extensions import db

    try:
        operation()
    except DomainError as error:
        db.session.rollback()
        flash(str(error), "error")
        return False
    db.session.commit()
    flash(message, "success")
    return True


def flash_form_errors(form) -> None:
    for field in form:
        for error in field.errors:
            flash(f"{field.label.text}: {error}", "error")


def _has_nul(values) -> bool:
    return any("\x00" in value for _key, listed in values for value in listed if isinstance(value, str))


def register_request_hooks(app: Flask) -> None:
    @app.before_request
    def refuse_nul_characters():
        # No text field has a use for NUL, and PostgreSQL refuses to store or even compare it.
        if "\x00" in request.path or _has_nul(request.args.lists()) or (
            request.method == "POST" and _has_nul(request.form.lists())
        ):
            abort(400)
    @app.after_request
    def security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if request.is_secure:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        if current_user and current_user.is_authenticated:
            headers.setdefault("Cache-Control", "private, no-store")
        return response

    @app.context_processor
    def template_helpers():
        from survey.people.permissions import Permission, can, units_with

        def user_can(permission: str, unit=None) -> bool:
            """In templates: ``can('edit_orgs', unit)``, or ``can('view_matters')`` anywhere in scope."""
            if unit is None:
                return bool(units_with(current_user, Permission(permission)))
            return can(current_user, Permission(permission), unit)

        return {
            "html_lang": html_lang(get_locale()),
            "can": user_can,
            "locale": str(get_locale()),
            # Templates are also rendered outside requests (PDFs from the CLI or a job).
            "large_text": has_request_context() and request.cookies.get("large_text") == "1",
        }
