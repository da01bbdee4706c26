"""Shared form pieces."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms.validators import Regexp

CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$"
code_validator = Regexp(
    CODE_PATTERN,
    message=_l("Use 1 to 32 letters, digits, '-', '_' or '.', starting with a letter or digit."),
)


class Form(FlaskForm):
    """Base of every form: CSRF protected through Flask-WTF."""


def strip(value):
    return value.strip() if isinstance(value, str) else value
