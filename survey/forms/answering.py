"""The resident's answer form, built from a questionnaire version's question types."""
from __future__ import annotations

import json
import uuid
from datetime import datetime
from functools import lru_cache

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeSerializer
from wtforms import HiddenField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from survey.core.db import utcnow
from survey.forms.base import SUBMISSION_ID, Form, submission_id_format
from survey.questionnaires.models import QuestionnaireVersion
from survey.questionnaires.questions import StoredAnswer

FIELD_PREFIX = "q_"


class AnswerFormBase(Form):
    class Meta:
        # The application-wide CSRFProtect checks every POST before the view runs; the form's
        # own token field would only be built (and a new token signed) a second time.
        csrf = False

    submission_id = HiddenField("", validators=[DataRequired(), submission_id_format])
    started = HiddenField("")
    submit = SubmitField(_l("Submit"))


@lru_cache(maxsize=256)
def _form_class(version_id: int, questions_json: str) -> type[AnswerFormBase]:
    """One form class per published version: a frozen version always builds the same fields."""
    version = QuestionnaireVersion(questions=json.loads(questions_json))
    fields = {FIELD_PREFIX + q.key: q.field() for q in version.question_types()}
    return type("AnswerForm", (AnswerFormBase,), fields)


def answer_form(version: QuestionnaireVersion, formdata=None) -> AnswerFormBase:
    """A form with one field per question (``q_<key>``)."""
    if version.is_frozen:
        form_class = _form_class(version.id, json.dumps(version.questions, sort_keys=True))
    else:  # a draft shown as a preview changes between requests
        form_class = type("AnswerForm", (AnswerFormBase,), {FIELD_PREFIX + q.key: q.field() for q in version.question_types()})
    return _with_submission_id(form_class(formdata=formdata) if formdata is not None else form_class())


def fresh_form() -> AnswerFormBase:
    """A fresh form's own fields only, for a page whose questions are already rendered."""
    return _with_submission_id(AnswerFormBase())


def _with_submission_id(form: AnswerFormBase) -> AnswerFormBase:
    if not form.submission_id.data:
        form.submission_id.data = uuid.uuid4().hex
        form.started.data = _started_signer().dumps(utcnow().isoformat())
    return form


def _started_signer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="answer-started")


def started_at(signed: str | None) -> datetime | None:
    """When the form was first shown, if the signed value is intact (for the speeding flag)."""
    try:
        return datetime.fromisoformat(_started_signer().loads(signed or ""))
    except (BadSignature, ValueError, TypeError):
        return None


def accepted_answers(version: QuestionnaireVersion, formdata) -> dict[str, list[StoredAnswer]] | None:
    """The answers of a plainly valid form, checked by the question types without building a form.

    None when the form's full validation must decide and explain (``answer_form``): a missing
    answer, a value that is not an option, anything unusual.
    """
    if not SUBMISSION_ID.fullmatch(formdata.get("submission_id", "")):
        return None
    answers = {}
    for question in version.question_types():
        rows = question.accept(formdata.getlist(FIELD_PREFIX + question.key))
        if rows is None:
            return None
        if rows:
            answers[question.key] = rows
    return answers


def unknown_fields(version: QuestionnaireVersion, formdata) -> list[str]:
    """Question fields sent that the version does not have: a forged or stale form."""
    known = {FIELD_PREFIX + spec["key"] for spec in version.questions}
    return [name for name in formdata if name.startswith(FIELD_PREFIX) and name not in known]


def collected_answers(version: QuestionnaireVersion, form: AnswerFormBase) -> dict[str, list[StoredAnswer]]:
    answers = {}
    for question in version.question_types():
        rows = question.store(form[FIELD_PREFIX + question.key].data)
        if rows:
            answers[question.key] = rows
    return answers


def answered_count(version: QuestionnaireVersion, form: AnswerFormBase) -> int:
    return sum(1 for q in version.question_types() if form[FIELD_PREFIX + q.key].data not in (None, "", []))


class CodeEntryForm(Form):
    code = StringField(
        _l("Invitation code"),
        validators=[DataRequired(message=_l("Please enter the code on your slip.")), Length(max=32)],
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"},
    )
    submit = SubmitField(_l("Continue"))
