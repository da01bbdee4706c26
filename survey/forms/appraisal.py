"""Forms of the annual appraisal: cycles, cadres, ballots, inputs, grades, notice, members."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField, DateField, DecimalField, HiddenField, IntegerField, SelectField, SelectMultipleField, StringField,
    SubmitField, TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from survey.appraisal.models import ASSESSMENTS, BAR_LABELS, GRADE_LABELS, POST_LEVEL_LABELS
from survey.forms.base import Form, OptionalAnswer, strip


def _levels():
    return [SelectChoice(level.value, label) for level, label in POST_LEVEL_LABELS.items()]


def _bars():
    return [SelectChoice(bar.value, label) for bar, label in BAR_LABELS.items()]


def _grades():
    return [SelectChoice(g, label) for g, label in GRADE_LABELS.items()]


BALLOT_BOXES = [SelectChoice("excellent", _l("Excellent")), SelectChoice("competent", _l("Competent")),
                SelectChoice("basic", _l("Basically competent")), SelectChoice("incompetent", _l("Incompetent"))]


def _weight(label):
    return DecimalField(label, places=2, validators=[InputRequired(), NumberRange(min=0, max=1)])


class CycleForm(Form):
    year = IntegerField(_l("Year"), validators=[InputRequired(), NumberRange(min=2000, max=2100)])
    unit = SelectField(_l("Unit"), validators=[DataRequired()])
    post_level = SelectField(_l("Level of post"), choices=_levels)
    w_K = _weight(_l("Weight of K (work targets)"))
    w_D = _weight(_l("Weight of D (democratic evaluation)"))
    w_J = _weight(_l("Weight of J (regular appraisal)"))
    w_S = _weight(_l("Weight of S (project satisfaction)"))
    w_M = _weight(_l("Weight of M (reporting member score)"))
    quota = DecimalField(_l("Excellent quota (share of the pool)"), places=2, validators=[InputRequired(), NumberRange(min=0, max=1)])
    rounding = SelectField(_l("Rounding of the quota"), choices=[
        SelectChoice("floor", _l("Down")), SelectChoice("half_up", _l("Half up")), SelectChoice("ceil", _l("Up"))])
    excellent_min = DecimalField(_l("Lowest composite for excellent"), places=2, validators=[InputRequired(), NumberRange(min=0, max=100)])
    bars = SelectMultipleField(_l("Bars to excellent"), choices=_bars)
    notice_days = IntegerField(_l("Public notice (working days)"), validators=[InputRequired(), NumberRange(min=5, max=30)])
    submit = SubmitField(_l("Create cycle"))


class CadreForm(Form):
    name = StringField(_l("Name"), filters=[strip], validators=[DataRequired(), Length(max=120)])
    unit = SelectField(_l("Unit"), validators=[DataRequired()])
    post = StringField(_l("Post"), filters=[strip], validators=[DataRequired(), Length(max=120)])
    post_level = SelectField(_l("Level of post"), choices=_levels)
    bar_kind = SelectField(_l("Bar to excellent"), choices=lambda: [SelectChoice("", _l("None"))] + _bars())
    bar_reason = StringField(_l("Reason of the bar"), filters=[strip], validators=[Optional(), Length(max=300)])
    submit = SubmitField(_l("Save"))


class LinkProjectForm(Form):
    project = SelectField(_l("Project led"), validators=[DataRequired()])
    submit = SubmitField(_l("Link project"))


class TallyForm(Form):
    cadre = SelectField(_l("Cadre"), validators=[DataRequired()])
    excellent = IntegerField(_l("Excellent"), default=0, validators=[InputRequired(), NumberRange(min=0, max=10000)])
    competent = IntegerField(_l("Competent"), default=0, validators=[InputRequired(), NumberRange(min=0, max=10000)])
    basic = IntegerField(_l("Basically competent"), default=0, validators=[InputRequired(), NumberRange(min=0, max=10000)])
    incompetent = IntegerField(_l("Incompetent"), default=0, validators=[InputRequired(), NumberRange(min=0, max=10000)])
    void = IntegerField(_l("Void ballots"), default=0, validators=[InputRequired(), NumberRange(min=0, max=10000)])
    submit = SubmitField(_l("Save tally"))


class PaperBallotForm(Form):
    cadre = SelectField(_l("Cadre"), validators=[DataRequired()])
    serial = IntegerField(_l("Ballot number"), validators=[InputRequired(), NumberRange(min=1, max=100000)])
    marks = SelectMultipleField(_l("Boxes ticked on the ballot"), choices=BALLOT_BOXES)
    submit = SubmitField(_l("Key in ballot"))


class ImportForm(Form):
    file = FileField(_l("CSV file (cadre, K, optional J, bonus, deduction)"), validators=[FileRequired()])
    submit = SubmitField(_l("Import"))


class ConfirmForm(Form):
    appraisal = HiddenField(validators=[DataRequired()])
    grade = SelectField(_l("Final grade"), choices=_grades)
    reason = TextAreaField(_l("Committee's reason (required if it differs from the proposal)"), filters=[strip],
                           validators=[Optional(), Length(max=2000)])
    submit = SubmitField(_l("Confirm grade"))


class NoticeForm(Form):
    starts_on = DateField(_l("Notice starts on"), validators=[InputRequired()])
    submit = SubmitField(_l("Start public notice"))


class ObjectionForm(Form):
    appraisal = SelectField(_l("Concerning"), validators=[OptionalAnswer()])
    text = TextAreaField(_l("Objection"), filters=[strip], validators=[DataRequired(), Length(max=2000)])
    received_on = DateField(_l("Received on"), validators=[InputRequired()])
    submit = SubmitField(_l("Record objection"))


class ObjectionAnswerForm(Form):
    objection = HiddenField(validators=[DataRequired()])
    answer = TextAreaField(_l("Answer"), filters=[strip], validators=[DataRequired(), Length(max=2000)])
    outcome = SelectField(_l("Outcome"), choices=[SelectChoice("dismissed", _l("Dismissed")), SelectChoice("upheld", _l("Upheld"))])
    submit = SubmitField(_l("Answer objection"))


class ReopenForm(Form):
    reason = StringField(_l("Reason for reopening"), filters=[strip], validators=[DataRequired(), Length(max=300)])
    submit = SubmitField(_l("Back to draft"))


class MemberForm(Form):
    name = StringField(_l("Name"), filters=[strip], validators=[DataRequired(), Length(max=120)])
    home = SelectField(_l("Home community"), validators=[DataRequired()])
    employer = StringField(_l("Unit of employment"), filters=[strip], validators=[DataRequired(), Length(max=200)])
    posts = TextAreaField(_l("Posts claimed (one per line)"), filters=[strip], validators=[Optional(), Length(max=2000)])
    reported_on = DateField(_l("Reported to the community on"), validators=[Optional()])
    submit = SubmitField(_l("Save"))


class ServiceForm(Form):
    served_on = DateField(_l("Date"), validators=[InputRequired()])
    hours = DecimalField(_l("Hours"), places=1, validators=[InputRequired(), NumberRange(min=0.1, max=24)])
    activity = StringField(_l("Activity"), filters=[strip], validators=[DataRequired(), Length(max=300)])
    checkin = BooleanField(_l("Home service day check-in (Saturday)"))
    submit = SubmitField(_l("Add service record"))


class AssessmentForm(Form):
    year = IntegerField(_l("Year"), validators=[InputRequired(), NumberRange(min=2000, max=2100)])
    half = SelectField(_l("Half-year"), choices=[SelectChoice("1", _l("First half")), SelectChoice("2", _l("Second half"))])
    assessment = SelectField(_l("Party organisation's assessment"), choices=[SelectChoice("", "—")] + [SelectChoice(a, a) for a in ASSESSMENTS])
    reported = BooleanField(_l("Reported to the community this half-year"), default=True)
    submit = SubmitField(_l("Save assessment"))


class MemberCampaignForm(Form):
    """Residents rate a reporting member's service each half-year, with the survey machinery."""

    version = SelectField(_l("Questionnaire"), validators=[DataRequired()])
    title = StringField(_l("Title shown to residents"), filters=[strip], validators=[DataRequired(), Length(max=200)])
    opens_on = DateField(_l("Opens on"), validators=[DataRequired()])
    closes_on = DateField(_l("Closes on"), validators=[DataRequired()])
    submit = SubmitField(_l("Create the rating campaign"))
