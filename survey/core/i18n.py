"""Locale choice: the user's explicit choice, then the browser's languages, then Chinese."""
from __future__ import annotations

from flask import current_app, has_request_context, request, session

LOCALE_ALIASES = {"zh": "zh_Hans_CN", "en": "en"}


def select_locale() -> str:
    if not has_request_context():  # CLI and background jobs
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = session.get("locale")
    if chosen in current_app.config["LANGUAGES"]:
        return chosen
    best = request.accept_languages.best_match(["zh", "zh-CN", "zh-Hans", "en"])
    if best:
        return LOCALE_ALIASES.get(best.split("-")[0], current_app.config["BABEL_DEFAULT_LOCALE"])
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def html_lang(locale) -> str:
    """BCP 47 tag for the ``lang`` attribute."""
    return "zh-Hans-CN" if str(locale).startswith("zh") else str(locale).replace("_", "-")
