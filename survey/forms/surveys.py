"""Committee forms: projects, questionnaires and their questions, campaigns, exclusions."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, DecimalField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from survey.forms.base import Form, strip
from survey.projects.models import ProjectStatus, ProjectType
from survey.questionnaires.models import AccessMode
from survey.questionnaires.questions import REGISTRY


class ProjectForm(Form):
    unit = SelectField(_l("Community"), validators=[DataRequired()])
    name = StringField(_l("Name"), filters=[strip], validators=[DataRequired(), Length(max=200)])
    project_type = SelectField(_l("Type"), choices=[SelectChoice(t.value, t.label) for t in ProjectType])
    status = SelectField(_l("Status"), choices=[SelectChoice(s.value, s.label) for s in ProjectStatus])
    start_date = DateField(_l("Start date"), validators=[Optional()])
    end_date = DateField(_l("End date"), validators=[Optional()])
    responsible = StringField(_l("Responsible cadres"), filters=[strip], validators=[Optional(), Length(max=200)])
    description = TextAreaField(_l("Description"), filters=[strip], validators=[Optional(), Length(max=4000)])
    submit = SubmitField(_l("Save"))


class QuestionnaireForm(Form):
    unit = SelectField(_l("Owner unit"), validators=[DataRequired()])
    title = StringField(_l("Title"), filters=[strip], validators=[DataRequired(), Length(max=200)])
    is_template = BooleanField(_l("Template for the communities below (district or street only)"))
    intro = TextAreaField(_l("Introduction shown to residents"), filters=[strip], validators=[Optional(), Length(max=1000)])
    submit = SubmitField(_l("Create"))


class QuestionForm(Form):
    type = SelectField(_l("Question type"), choices=[SelectChoice(name, cls.label) for name, cls in REGISTRY.items()])
    text = StringField(_l("Question"), filters=[strip], validators=[DataRequired(), Length(max=300)])
    help = StringField(_l("Hint (optional)"), filters=[strip], validators=[Optional(), Length(max=300)])
    options = TextAreaField(_l("Options, one per line (choice questions)"), validators=[Optional(), Length(max=2000)])
    required = BooleanField(_l("Answer required"), default=True)
    dont_know = BooleanField(_l("Offer \"don't know\" (satisfaction scale)"), default=True)
    overall = BooleanField(_l("Overall satisfaction question"))
    weight = DecimalField(_l("Weight in the index"), default=1, places=2, validators=[NumberRange(min=0.1, max=10)])
    section = StringField(_l("Section (optional)"), filters=[strip], validators=[Optional(), Length(max=100)])
    submit = SubmitField(_l("Add question"))

    def spec(self) -> dict:
        spec = {
            "type": self.type.data,
            "text": self.text.data,
            "required": bool(self.required.data),
            "weight": float(self.weight.data or 1),
        }
        if self.help.data:
            spec["help"] = self.help.data
        if self.section.data:
            spec["section"] = self.section.data
        if self.type.data in ("single", "multiple"):
            spec["options"] = [line.strip() for line in (self.options.data or "").splitlines() if line.strip()][:20]
        if self.type.data == "likert":
            spec["dont_know"] = bool(self.dont_know.data)
            spec["overall"] = bool(self.overall.data)
        return spec


class CampaignForm(Form):
    unit = SelectField(_l("Community"), validators=[DataRequired()])
    project = SelectField(_l("Project rated"), validators=[DataRequired()])
    version = SelectField(_l("Questionnaire"), validators=[DataRequired()])
    title = StringField(_l("Title shown to residents"), filters=[strip], validators=[DataRequired(), Length(max=200)])
    access_mode = SelectField(_l("How residents answer"), choices=[SelectChoice(m.value, m.label) for m in AccessMode])
    opens_on = DateField(_l("Opens on"), validators=[DataRequired()])
    closes_on = DateField(_l("Closes on"), validators=[DataRequired()])
    results_on = DateField(_l("Results published on"), validators=[Optional()])
    submit = SubmitField(_l("Create campaign"))


class ExcludeForm(Form):
    reason = StringField(_l("Reason"), filters=[strip], validators=[DataRequired(), Length(max=200)])
    submit = SubmitField(_l("Confirm"))
