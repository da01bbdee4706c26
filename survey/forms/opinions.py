"""Forms of the opinion box and of whistles to departments."""
from __future__ import annotations

import uuid

from flask import current_app
from flask_babel import lazy_gettext as _l
from wtforms.fields.choices import SelectChoice
from flask_wtf.file import FileField
from wtforms import DateField, HiddenField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from survey.forms.base import Form, OptionalAnswer, strip, submission_id_format
from survey.opinions.models import OpinionCategory

PHONE_PATTERN = r"^[0-9+\- ()]{5,32}$"


def category_choices():
    return [SelectChoice(c.value, c.label) for c in OpinionCategory]


class _TextLimit:
    """The text limit from the settings, read when the form is validated."""

    def __call__(self, form, field):
        limit = current_app.config["OPINION_TEXT_MAX"]
        if field.data and len(field.data) > limit:
            raise ValidationError(_l("At most %(n)d characters.", n=limit))


class OpinionForm(Form):
    # OptionalAnswer, not Optional: Optional lets a forged "\r" through as a submission id.
    submission_id = HiddenField(validators=[OptionalAnswer(), submission_id_format])
    category = RadioField(
        _l("What is it about?"), choices=category_choices,
        validators=[DataRequired(message=_l("Please choose what the opinion is about."))],
    )
    grid = SelectField(_l("Where?"), validators=[OptionalAnswer()])
    text = TextAreaField(
        _l("Your opinion"), filters=[strip],
        validators=[DataRequired(message=_l("Please write what the opinion is about.")), _TextLimit()],
        render_kw={"rows": 6},
    )
    photo = FileField(_l("Photo (optional, JPG or PNG)"), render_kw={"accept": "image/jpeg,image/png"})
    contact_name = StringField(
        _l("Your name (optional)"), filters=[strip], validators=[Optional(), Length(max=60)], render_kw={"autocomplete": "name"}
    )
    contact_phone = StringField(
        _l("Your phone (optional)"), filters=[strip],
        validators=[Optional(), Regexp(PHONE_PATTERN, message=_l("Please enter a phone number."))],
        render_kw={"autocomplete": "tel", "inputmode": "tel"},
    )
    submit = SubmitField(_l("Send"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.submission_id.data:
            self.submission_id.data = uuid.uuid4().hex


class TrackForm(Form):
    code = StringField(
        _l("Tracking code"), filters=[strip],
        validators=[DataRequired(message=_l("Please enter the tracking code on your receipt.")), Length(max=40)],
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"},
    )
    submit = SubmitField(_l("Look up"))


class RatingForm(Form):
    rating = RadioField(
        _l("How satisfied are you with the handling?"),
        choices=[
            SelectChoice("5", _l("5 — very satisfied")), SelectChoice("4", _l("4 — satisfied")),
            SelectChoice("3", _l("3 — so-so")), SelectChoice("2", _l("2 — dissatisfied")),
            SelectChoice("1", _l("1 — very dissatisfied")),
        ],
        validators=[DataRequired(message=_l("Please choose a rating."))],
    )
    submit = SubmitField(_l("Send my rating"))


class AssignForm(Form):
    person = SelectField(_l("Assign to"), validators=[DataRequired()])
    submit = SubmitField(_l("Assign"))


class AnswerForm(Form):
    text = TextAreaField(_l("Answer to the resident"), filters=[strip], validators=[DataRequired(), Length(max=4000)])
    submit = SubmitField(_l("Send the answer"))


class CloseForm(Form):
    note = TextAreaField(
        _l("Note (required when closing without an answer)"), filters=[strip], validators=[Optional(), Length(max=2000)]
    )
    submit = SubmitField(_l("Close"))


class WhistleForm(Form):
    department = SelectField(_l("Department"), validators=[DataRequired()])
    request = TextAreaField(
        _l("What the department is asked to do"), filters=[strip], validators=[DataRequired(), Length(max=2000)]
    )
    due = DateField(_l("Answer by"), validators=[DataRequired()])
    submit = SubmitField(_l("Blow the whistle"))


class ProgressForm(Form):
    note = TextAreaField(_l("What the department is doing"), filters=[strip], validators=[DataRequired(), Length(max=2000)])
    submit = SubmitField(_l("Report progress"))


class WhistleAnswerForm(Form):
    text = TextAreaField(_l("The department's answer"), filters=[strip], validators=[DataRequired(), Length(max=4000)])
    submit = SubmitField(_l("Send the answer"))


class WithdrawForm(Form):
    reason = TextAreaField(_l("Reason"), filters=[strip], validators=[DataRequired(), Length(max=2000)])
    submit = SubmitField(_l("Withdraw the whistle"))
