"""Forms of the five deliberations (committee) and the public objection form (residents)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from survey.deliberations.models import BODY_LABELS, SOURCE_LABELS, AttachmentKind
from survey.deliberations.operations import OBJECTION_MAX_CHARS
from survey.forms.base import Form, strip


def _source_choices():
    return [SelectChoice(kind.value, label) for kind, label in SOURCE_LABELS.items()]


def _body_choices():
    return [SelectChoice(body.value, label) for body, label in BODY_LABELS.items()]


class MatterForm(Form):
    unit = SelectField(_l("Community"), validators=[DataRequired()])
    title = StringField(_l("Title"), filters=[strip], validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("What is proposed, and why"), filters=[strip], validators=[DataRequired(), Length(max=4000)])
    source_kind = SelectField(_l("Raised by"), choices=_source_choices)
    source_detail = TextAreaField(_l("Who raised it (names, grid, meeting)"), filters=[strip], validators=[Optional(), Length(max=2000)])
    signatures = IntegerField(_l("Number of joint signatures"), validators=[Optional(), NumberRange(min=1, max=100000)])
    source_reference = StringField(_l("Reference (e.g. the opinion's tracking code)"), filters=[strip], validators=[Optional(), Length(max=64)])
    submit = SubmitField(_l("Create matter"))


class MotionForm(Form):
    meeting_on = DateField(_l("Meeting date"), validators=[DataRequired()])
    attendees = TextAreaField(_l("Attendees"), filters=[strip], validators=[DataRequired(), Length(max=2000)])
    proceed = SelectField(_l("Decision"), choices=[
        SelectChoice("yes", _l("Put it to the deciding body")), SelectChoice("no", _l("Do not proceed")),
    ])
    decision = TextAreaField(_l("Decision in words"), filters=[strip], validators=[DataRequired(), Length(max=4000)])
    submit = SubmitField(_l("Record the motion"))


class ConsultationForm(Form):
    body = SelectField(_l("Deciding body"), choices=_body_choices)
    held_on = DateField(_l("Meeting date"), validators=[DataRequired()])
    eligible_persons = IntegerField(_l("Eligible (persons or members)"), validators=[DataRequired(), NumberRange(min=1, max=1000000)])
    present_persons = IntegerField(_l("Present (persons)"), validators=[InputRequired(), NumberRange(min=0, max=1000000)])
    eligible_households = IntegerField(_l("Households (if counted by household)"), validators=[Optional(), NumberRange(min=1, max=1000000)])
    present_households = IntegerField(_l("Households represented"), validators=[Optional(), NumberRange(min=0, max=1000000)])
    votes_for = IntegerField(_l("Votes for"), default=0, validators=[InputRequired(), NumberRange(min=0, max=1000000)])
    votes_against = IntegerField(_l("Votes against"), default=0, validators=[InputRequired(), NumberRange(min=0, max=1000000)])
    votes_abstain = IntegerField(_l("Abstentions"), default=0, validators=[InputRequired(), NumberRange(min=0, max=1000000)])
    minutes = TextAreaField(_l("Minutes"), filters=[strip], validators=[Optional(), Length(max=8000)])
    submit = SubmitField(_l("Record the meeting"))


class AttachmentForm(Form):
    kind = SelectField(_l("Document"), choices=lambda: [SelectChoice(k.value, k.label) for k in AttachmentKind])
    file = FileField(_l("File (PDF, JPG or PNG)"), validators=[FileRequired(message=_l("Choose a file."))])
    submit = SubmitField(_l("Upload"))


class ReviewForm(Form):
    notice = TextAreaField(_l("Text of the public notice"), filters=[strip], validators=[DataRequired(), Length(max=4000)])
    starts_on = DateField(_l("First day of the review"), validators=[DataRequired()])
    days = IntegerField(_l("Length in days"), validators=[DataRequired(), NumberRange(min=1, max=90)])
    submit = SubmitField(_l("Post the notice"))


class EvaluationForm(Form):
    campaign = SelectField(_l("Satisfaction campaign"), validators=[DataRequired()])
    submit = SubmitField(_l("Link the campaign"))


class AnswerForm(Form):
    answer = TextAreaField(_l("Answer"), filters=[strip], validators=[DataRequired(), Length(max=4000)])
    submit = SubmitField(_l("Send the answer"))


class MoveForm(Form):
    target = SelectField(_l("Action"))
    reason = TextAreaField(_l("Reason"), filters=[strip], validators=[DataRequired(message=_l("A reason is required.")), Length(max=2000)])
    submit = SubmitField(_l("Confirm"))


class ObjectionForm(Form):
    text = TextAreaField(_l("Your objection or opinion"), filters=[strip],
                         validators=[DataRequired(message=_l("Write your objection.")), Length(max=OBJECTION_MAX_CHARS)])
    name = StringField(_l("Your name (optional, not shown)"), filters=[strip], validators=[Optional(), Length(max=60)])
    contact = StringField(_l("Phone or other contact (optional, not shown)"), filters=[strip], validators=[Optional(), Length(max=60)])
    submit = SubmitField(_l("Send my objection"))


THRESHOLD_CHOICES = [
    SelectChoice("legal", _l("As the law says")),
    SelectChoice("2/3", _l("Two thirds or more")),
    SelectChoice("3/4", _l("Three quarters or more")),
]


class RulesForm(Form):
    """A community's own deliberation rules: only ever stricter than the law and the defaults."""

    review_days = IntegerField(_l("Public review, days"), validators=[InputRequired(), NumberRange(min=1, max=90)])
    min_signatures = IntegerField(
        _l("Joint signatures needed for a residents' proposal"), validators=[InputRequired(), NumberRange(min=1, max=10000)]
    )
    residents_meeting_quorum = SelectField(_l("Residents' meeting: attendance"), choices=THRESHOLD_CHOICES)
    residents_meeting_majority = SelectField(_l("Residents' meeting: votes in favour"), choices=THRESHOLD_CHOICES)
    residents_representatives_quorum = SelectField(_l("Residents' representatives' meeting: attendance"), choices=THRESHOLD_CHOICES)
    residents_representatives_majority = SelectField(_l("Residents' representatives' meeting: votes in favour"), choices=THRESHOLD_CHOICES)
    villagers_meeting_quorum = SelectField(_l("Villagers' meeting: attendance"), choices=THRESHOLD_CHOICES)
    villagers_meeting_majority = SelectField(_l("Villagers' meeting: votes in favour"), choices=THRESHOLD_CHOICES)
    villagers_representatives_quorum = SelectField(_l("Villagers' representatives' meeting: attendance"), choices=THRESHOLD_CHOICES)
    villagers_representatives_majority = SelectField(_l("Villagers' representatives' meeting: votes in favour"), choices=THRESHOLD_CHOICES)
    submit = SubmitField(_l("Save the rules"))
