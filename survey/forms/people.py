from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms.fields.choices import SelectChoice
from wtforms import BooleanField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length, Regexp

from survey.forms.base import Form, strip
from survey.people.models import Role

USERNAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{2,63}$"


def role_choices():
    return [SelectChoice(r.value, r.label) for r in Role]


class LoginForm(Form):
    username = StringField(_l("Username"), filters=[strip], validators=[DataRequired(), Length(max=64)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=256)])
    submit = SubmitField(_l("Log in"))


class PasswordChangeForm(Form):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=256)])
    new_password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=256)])
    confirm = PasswordField(
        _l("New password again"),
        validators=[DataRequired(), EqualTo("new_password", message=_l("The two new passwords differ."))],
    )
    submit = SubmitField(_l("Change password"))


class UserCreateForm(Form):
    username = StringField(
        _l("Username"),
        filters=[strip],
        validators=[
            DataRequired(),
            Regexp(USERNAME_PATTERN, message=_l("Use 3 to 64 letters, digits, '.', '-' or '_'.")),
        ],
    )
    display_name = StringField(_l("Full name"), filters=[strip], validators=[DataRequired(), Length(max=120)])
    password = PasswordField(_l("Initial password"), validators=[DataRequired(), Length(max=256)])
    role = SelectField(_l("Role"), choices=role_choices, validators=[DataRequired()])
    unit = SelectField(_l("Org unit"), validators=[DataRequired()])
    submit = SubmitField(_l("Create account"))


class RoleAssignForm(Form):
    role = SelectField(_l("Role"), choices=role_choices, validators=[DataRequired()])
    unit = SelectField(_l("Org unit"), validators=[DataRequired()])
    submit = SubmitField(_l("Add role"))


class ActionForm(Form):
    """A button that only carries the CSRF token (revoke a role, deactivate an account)."""

    submit = SubmitField(_l("Confirm"))


class UserSettingsForm(Form):
    display_name = StringField(_l("Full name"), filters=[strip], validators=[DataRequired(), Length(max=120)])
    active = BooleanField(_l("Account active"))
    new_password = PasswordField(_l("New password (leave empty to keep)"), validators=[Length(max=256)])
    submit = SubmitField(_l("Save"))
