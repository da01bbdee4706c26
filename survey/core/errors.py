"""Domain errors and the error pages shown in the user's language."""
from __future__ import annotations

from flask import Flask, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException


class DomainError(Exception):
    """A refused operation; the message is a (lazy) translatable text shown to the user."""

    def __init__(self, message, **params):
        super().__init__(str(message))
        self.message = message
        self.params = params

    def __str__(self) -> str:
        return str(self.message) % self.params if self.params else str(self.message)


ERROR_TEXTS = {
    400: (_l("Bad request"), _l("The request could not be understood. Please go back and try again.")),
    403: (_l("Not allowed"), _l("You do not have permission to see or change this.")),
    404: (_l("Not found"), _l("The page you asked for does not exist.")),
    405: (_l("Not allowed"), _l("This action is not available here.")),
    413: (_l("Too large"), _l("The file or form you sent is too large.")),
    429: (_l("Too many attempts"), _l("Too many attempts in a short time. Please wait a minute and try again.")),
    500: (_l("Something went wrong"), _l("An error occurred on our side. Nothing you entered was lost; please try again later.")),
    503: (_l("Please try again in a moment"), _l("The service is briefly unavailable. Send the form again in a moment: it will not be counted twice.")),
}


def render_error(code: int, detail=None):
    title, text = ERROR_TEXTS.get(code, ERROR_TEXTS[500])
    return render_template("errors/error.html", code=code, title=title, text=detail or text), code


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        from flask_babel import gettext as _

        return render_error(400, _("The form has expired or was not sent from this site. Please reload the page and try again."))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code in ERROR_TEXTS:
            return render_error(error.code)
        return error

    @app.teardown_appcontext
    def close_session_on_a_dead_connection(_error) -> None:
        """Runs before Flask-SQLAlchemy's own teardown (registered after it).

        A connection cut after the response was made (the database restarting) would make the
        session's closing rollback raise, and a finished answer became a 500. The session is
        closed without a rollback instead; the pool replaces the connection.
        """
        from survey.extensions import db

        try:
            db.session.remove()
        except (OperationalError, InterfaceError):
            db.session().invalidate()
            db.session.remove()

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def database_unavailable(error):
        # The database restarted or a connection was cut: a moment later the same request works,
        # and a resent answer form finds its stored response by its submission id.
        app.logger.warning("Database unavailable on %s %s: %s", request.method, request.path, type(error).__name__)
        from survey.extensions import db

        try:
            db.session.rollback()
        except Exception:  # noqa: BLE001 - the connection is gone; the pool replaces it
            db.session().invalidate()
        response = render_error(503)
        return response[0], 503, {"Retry-After": "5"}

    @app.errorhandler(Exception)
    def unhandled(error: Exception):
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        from survey.extensions import db

        db.session.rollback()
        return render_error(500)
