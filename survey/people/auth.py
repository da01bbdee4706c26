"""Flask-Login wiring: sessions name the account and its session version."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_login import LoginManager

from survey.extensions import db
from survey.people.models import User


def configure_login(manager: LoginManager) -> None:
    manager.login_view = "people.login"
    manager.login_message = _l("Please log in to see this page.")
    manager.login_message_category = "info"
    manager.session_protection = "basic"

    @manager.user_loader
    def load_user(session_id: str) -> User | None:
        user_id, _, version = session_id.partition(":")
        if not user_id.isdigit() or not version.isdigit():
            return None
        user = db.session.get(User, int(user_id))
        if user is None or user.session_version != int(version) or not user.active:
            return None
        return user
