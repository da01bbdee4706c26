"""Community self-governance platform: satisfaction ratings, five deliberations, appraisal."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Mapping

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the application. ``config`` overrides settings, as the Flask tutorial does."""
    from config import CONFIGS, DEFAULT_SECRET_KEY

    overrides = dict(config or {})
    name = overrides.pop("CONFIG_NAME", None) or os.environ.get("SURVEY_CONFIG", "development")
    if overrides.get("TESTING"):
        name = "testing"
    app = Flask(__name__, instance_relative_config=True, template_folder=str(ROOT / "templates"))
    app.config.from_object(CONFIGS[name])
    app.config.from_prefixed_env("SURVEY")
    app.config.update(overrides)
    app.config["CONFIG_NAME"] = name

    if name == "production" and app.config["SECRET_KEY"] in (DEFAULT_SECRET_KEY, "", None):
        raise RuntimeError("Production refuses to start with the default SECRET_KEY: set SECRET_KEY.")

    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    _configure_database(app)
    _configure_rate_limits(app)
    if app.config["TRUSTED_PROXIES"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        n = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)

    _init_extensions(app)
    _register_blueprints(app)

    from survey.core.errors import register_error_handlers
    from survey.core.web import register_request_hooks
    from survey.cli import register_cli

    register_error_handlers(app)
    register_request_hooks(app)
    register_cli(app)
    return app


def _configure_database(app: Flask) -> None:
    from survey.core.database import normalise_url, sqlite_url

    uri = app.config.get("SQLALCHEMY_DATABASE_URI")
    uri = normalise_url(uri) if uri else sqlite_url(app.instance_path)
    app.config["SQLALCHEMY_DATABASE_URI"] = uri
    if uri.startswith("sqlite"):
        options = dict(app.config["SQLALCHEMY_ENGINE_OPTIONS"])
        options["connect_args"] = {"timeout": app.config["SQLITE_BUSY_TIMEOUT_MS"] / 1000}
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def _configure_rate_limits(app: Flask) -> None:
    if not app.config.get("RATELIMIT_STORAGE_URI"):
        app.config["RATELIMIT_STORAGE_URI"] = app.config["REDIS_URL"] or "memory://"


def _init_extensions(app: Flask) -> None:
    from survey.core import i18n
    from survey.extensions import babel, csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=None)
    login_manager.init_app(app)

    from survey.people import auth

    auth.configure_login(login_manager)


BLUEPRINT_MODULES = (
    "survey.core.views",
    "survey.orgs.views",
    "survey.people.views",
    "survey.projects.views",
    "survey.opinions.public",
    "survey.opinions.views",
    "survey.opinions.whistles",
    "survey.questionnaires.answering",
    "survey.questionnaires.views",
    "survey.deliberations.views",
    "survey.deliberations.board",
    "survey.appraisal.views",
    "survey.appraisal.public",
)


def _register_blueprints(app: Flask) -> None:
    import importlib

    for module in BLUEPRINT_MODULES:
        app.register_blueprint(importlib.import_module(module).bp)
