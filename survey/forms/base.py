"""Shared form pieces."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms.validators import Regexp, StopValidation

CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$"
code_validator = Regexp(
    CODE_PATTERN,
    message=_l("Use 1 to 32 letters, digits, '-', '_' or '.', starting with a letter or digit."),
)


class Form(FlaskForm):
    """Base of every form: CSRF protected through Flask-WTF."""


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
