"""Configuration defaults and their testing and production variants.

Every value can be set from the environment: the well-known names below (SECRET_KEY,
DATABASE_URL, REDIS_URL, ...) directly, and any other Flask setting as SURVEY_<NAME>
(read by ``app.config.from_prefixed_env("SURVEY")`` in the app factory).
"""
from __future__ import annotations

import os

DEFAULT_SECRET_KEY = "dev-not-secret-change-me"


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def _env_int(name: str, default: int) -> int:
    return int(_env(name, str(default)))


def _env_bool(name: str, default: bool) -> bool:
    return (_env(name, "1" if default else "0") or "").lower() in {"1", "true", "yes", "on"}


class Config:
    SECRET_KEY = _env("SECRET_KEY", DEFAULT_SECRET_KEY)
    # None means: a SQLite file under the instance folder, filled in by the app factory.
    SQLALCHEMY_DATABASE_URI = _env("DATABASE_URL")
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    REDIS_URL = _env("REDIS_URL")
    # Where residents reach the platform: printed on slips and QR codes, and in code CSV files.
    PUBLIC_BASE_URL = _env("PUBLIC_BASE_URL", "http://127.0.0.1:5000")
    SQLITE_BUSY_TIMEOUT_MS = _env_int("SQLITE_BUSY_TIMEOUT_MS", 5000)

    BABEL_DEFAULT_LOCALE = _env("BABEL_DEFAULT_LOCALE", "zh_Hans_CN")
    BABEL_DEFAULT_TIMEZONE = _env("BABEL_DEFAULT_TIMEZONE", "Asia/Shanghai")
    LANGUAGES = ("zh_Hans_CN", "en")

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = _env_int("SESSION_LIFETIME_SECONDS", 8 * 3600)
    WTF_CSRF_TIME_LIMIT = _env_int("CSRF_TIME_LIMIT_SECONDS", 8 * 3600)
    MAX_CONTENT_LENGTH = _env_int("MAX_CONTENT_LENGTH", 16 * 1024 * 1024)

    # Number of reverse proxies in front of the app whose X-Forwarded-* headers are trusted.
    TRUSTED_PROXIES = _env_int("TRUSTED_PROXIES", 0)

    RATELIMIT_ENABLED = _env_bool("RATELIMIT_ENABLED", True)
    RATELIMIT_HEADERS_ENABLED = True
    # Failed logins only: a successful login does not count against the limit.
    LOGIN_LIMIT_PER_ACCOUNT = _env("LOGIN_LIMIT_PER_ACCOUNT", "5 per minute;20 per hour")
    LOGIN_LIMIT_PER_ADDRESS = _env("LOGIN_LIMIT_PER_ADDRESS", "20 per minute;200 per hour")

    # Resident submissions per address (a whole family behind one home router still fits).
    RESIDENT_SUBMIT_LIMIT = _env("RESIDENT_SUBMIT_LIMIT", "30 per minute;300 per hour")

    # Opinion box (民情意见箱): deadlines in calendar days for each step, counted from the step before.
    OPINION_ACCEPT_DAYS = _env_int("OPINION_ACCEPT_DAYS", 2)
    OPINION_ANSWER_DAYS = _env_int("OPINION_ANSWER_DAYS", 7)
    OPINION_CLOSE_DAYS = _env_int("OPINION_CLOSE_DAYS", 7)
    # Whistle and report (网格吹哨、部门报到): the deadline offered when a committee whistles.
    WHISTLE_ANSWER_DAYS = _env_int("WHISTLE_ANSWER_DAYS", 5)
    OPINION_TEXT_MAX = _env_int("OPINION_TEXT_MAX", 1000)
    # Photos: JPEG or PNG by content, re-encoded as JPEG under the instance folder.
    OPINION_PHOTO_MAX_BYTES = _env_int("OPINION_PHOTO_MAX_BYTES", 5 * 1024 * 1024)
    OPINION_PHOTO_MAX_PIXELS = _env_int("OPINION_PHOTO_MAX_PIXELS", 40_000_000)
    OPINION_PHOTO_MAX_SIDE = _env_int("OPINION_PHOTO_MAX_SIDE", 2000)
    # None: the "opinion_photos" folder under the instance folder.
    OPINION_PHOTO_FOLDER = _env("OPINION_PHOTO_FOLDER")
    # Opinions per address, and tracking-code look-ups and ratings per address.
    OPINION_SUBMIT_LIMIT = _env("OPINION_SUBMIT_LIMIT", "5 per minute;30 per hour")
    # Five deliberations: objections on the public board, scanned minutes and sign-in sheets.
    OBJECTION_LIMIT = _env("OBJECTION_LIMIT", "5 per minute;30 per day")
    ATTACHMENT_MAX_BYTES = _env_int("ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
    OPINION_TRACK_LIMIT = _env("OPINION_TRACK_LIMIT", "30 per minute;300 per hour")

    # Personal data (opinion contacts and photos, objection names and contacts): kept this many
    # days after the row was created, then cleared by ``flask purge-personal-data``.
    PERSONAL_DATA_RETENTION_DAYS = _env_int("PERSONAL_DATA_RETENTION_DAYS", 365)

    PASSWORD_MIN_LENGTH = _env_int("PASSWORD_MIN_LENGTH", 10)
    PASSWORD_HASH_METHOD = _env("PASSWORD_HASH_METHOD", "scrypt")
    DEMO_PASSWORD = _env("DEMO_PASSWORD", "demo-2026-pass")


class DevelopmentConfig(Config):
    pass


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "testing-secret"
    RATELIMIT_ENABLED = True
    PASSWORD_MIN_LENGTH = 8
    # Tests create many accounts; scrypt's deliberate slowness only costs time there.
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", True)
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"


CONFIGS: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}
