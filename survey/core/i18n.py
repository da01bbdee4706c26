"""Locale choice: the user's explicit choice, then the browser's languages, then Chinese."""
from __future__ import annotations

from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

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


# Dates that residents and committees see (deadlines, review periods) are days where the
# community is, not on the server's clock; the database stores naive UTC.
def local_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def local_today() -> date:
    return datetime.now(local_zone()).date()


def local_date(moment: datetime) -> date:
    """The local calendar day of a stored (naive UTC) moment."""
    return moment.replace(tzinfo=timezone.utc).astimezone(local_zone()).date()


def end_of_local_day(day: date) -> datetime:
    """The last second of ``day`` where the district is, as the naive UTC the database stores."""
    return datetime.combine(day, time(23, 59, 59), tzinfo=local_zone()).astimezone(timezone.utc).replace(tzinfo=None)
