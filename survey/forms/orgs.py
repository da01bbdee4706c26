from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from survey.forms.base import Form, OptionalAnswer, code_validator, strip
from survey.orgs.models import CommunityKind

PHONE_PATTERN = r"^[0-9+() -]{3,32}$"


class OrgUnitForm(Form):
    name = StringField(_l("Name"), filters=[strip], validators=[DataRequired(), Length(max=120)])
    kind = SelectField(
        _l("Kind"),
        choices=[SelectChoice("", "—")] + [SelectChoice(k.value, k.label) for k in CommunityKind],
        validators=[OptionalAnswer()],
    )
    households = IntegerField(_l("Households"), validators=[Optional(), NumberRange(min=0, max=1_000_000)])
    residents = IntegerField(_l("Residents"), validators=[Optional(), NumberRange(min=0, max=10_000_000)])
    phone = StringField(
        _l("Office phone"),
        filters=[strip],
        validators=[Optional(), Regexp(PHONE_PATTERN, message=_l("Enter a phone number of digits."))],
    )
    submit = SubmitField(_l("Save"))


class NewOrgUnitForm(OrgUnitForm):
    code = StringField(_l("Code"), filters=[strip], validators=[DataRequired(), code_validator])
