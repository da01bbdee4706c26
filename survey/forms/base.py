"""Shared form pieces."""
from __future__ import annotations

import re
from functools import lru_cache

from babel import support
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms.i18n import messages_path
from wtforms.validators import Regexp, StopValidation

CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$"
# The id a form carries so that sending it twice stores it once: 32 hex digits from uuid4.
SUBMISSION_ID = re.compile(r"[0-9a-f]{32}")
submission_id_format = Regexp(SUBMISSION_ID.pattern + r"\Z")
code_validator = Regexp(
    CODE_PATTERN,
    message=_l("Use 1 to 32 letters, digits, '-', '_' or '.', starting with a letter or digit."),
)


@lru_cache(maxsize=8)
def _wtforms_catalog(locale: str) -> support.NullTranslations:
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


class _WTFormsTranslations:
    """WTForms' own messages in the request's language, each catalog read once per process.

    Flask-WTF's version reads and parses the catalog file again on every request that builds a
    form, which was a tenth of the cost of the resident's answer page.
    """

    def gettext(self, string):
        locale = get_locale()
        return _wtforms_catalog(str(locale)).ugettext(string) if locale else string

    def ngettext(self, singular, plural, n):
        locale = get_locale()
        if locale:
            return _wtforms_catalog(str(locale)).ungettext(singular, plural, n)
        return singular if n == 1 else plural


class Form(FlaskForm):
    """Base of every form: CSRF protected through Flask-WTF."""

    class Meta:
        def get_translations(self, form):
            return _WTFORMS_TRANSLATIONS


_WTFORMS_TRANSLATIONS = _WTFormsTranslations()


def strip(value):
    return value.strip() if isinstance(value, str) else value


class OptionalAnswer:
    """Unanswered is fine, but whatever is sent must still be a valid answer.

    WTForms' ``Optional`` also passes a field holding only whitespace and clears the errors found
    before it, which would let a forged space or carriage return past a choice field's check of its options.
    """

    field_flags = {"optional": True}

    def __call__(self, form, field):
        if not field.raw_data or all(value == "" for value in field.raw_data):
            field.errors[:] = []
            raise StopValidation()
