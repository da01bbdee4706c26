"""Question types: a registry of classes that build their form field, validate, and summarise.

A questionnaire version holds its questions as a list of plain dicts (frozen with the version
when it is published). Each dict names its ``type``; ``question_type(spec)`` returns the class
instance that knows how to show, check and count that question.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, ClassVar

from flask_babel import lazy_gettext as _l
from wtforms import Field, IntegerField, RadioField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange

from survey.forms.base import OptionalAnswer
from wtforms.widgets import CheckboxInput, ListWidget

DONT_KNOW = "0"  # "不了解": missing for scoring, never low
PLAIN_INTEGER = re.compile(r"-?[0-9]{1,9}")
SHORT_TEXT_MAX = 200
LONG_TEXT_MAX = 2000

LIKERT_WORDS = {
    5: [_l("Very dissatisfied"), _l("Dissatisfied"), _l("Neutral"), _l("Satisfied"), _l("Very satisfied")],
    3: [_l("Dissatisfied"), _l("Neutral"), _l("Satisfied")],
}
# Mouth curve of the face beside each point, worst to best (-1 frown .. 1 smile); the faces are
# drawn as inline SVG because phones' emoji fonts differ and some lack them. Words always go beside.
LIKERT_MOODS = {5: [-1.0, -0.5, 0.0, 0.5, 1.0], 3: [-0.7, 0.0, 0.7]}


@dataclass(frozen=True)
class StoredAnswer:
    value_num: float | None = None
    value_text: str | None = None


class QuestionType:
    name: ClassVar[str]
    label: ClassVar[Any]
    scored: ClassVar[bool] = False  # counts towards the satisfaction index

    def __init__(self, spec: dict[str, Any]):
        self.spec = spec

    @property
    def key(self) -> str:
        return self.spec["key"]

    @property
    def required(self) -> bool:
        return bool(self.spec.get("required", True))

    def presence(self):
        message = _l("Please answer this question.")
        return InputRequired(message=message) if self.required else OptionalAnswer()

    def field(self) -> Field:
        raise NotImplementedError

    def store(self, data) -> list[StoredAnswer]:
        """The rows kept for a validated field value (empty when unanswered)."""
        if data in (None, "", []):
            return []
        return [StoredAnswer(value_text=str(data))]

    def categories(self) -> list[tuple[str, Any]]:
        """(stored value, label) pairs for a distribution; empty for free answers."""
        return []

    def accept(self, sent: list[str]) -> list[StoredAnswer] | None:
        """The rows to keep for what a form sent, when it is plainly valid; None when the form's
        full validation (``field()``) has to decide and say what is wrong.

        The resident's answers go this way first: it needs no form object. It must never accept
        what the full validation refuses, nor keep other rows (tests/questionnaires/test_accept.py).
        """
        if not sent or all(value == "" for value in sent):
            return None if self.required else []
        return self.accept_answered(sent)

    def accept_answered(self, sent: list[str]) -> list[StoredAnswer] | None:
        """``accept`` for an answered question: one value, by default."""
        return self.accept_one(sent[0]) if len(sent) == 1 else None

    def accept_one(self, value: str) -> list[StoredAnswer] | None:
        return None


class ChoiceQuestion(QuestionType):
    """One of the stored values of ``categories()``."""

    def stored_values(self) -> set[str]:
        return {stored for stored, _label in self.categories()}

    def accept_one(self, value):
        return [StoredAnswer(value_num=float(value))] if value in self.stored_values() else None


class Likert(ChoiceQuestion):
    name = "likert"
    label = _l("Satisfaction scale")
    scored = True

    @property
    def points(self) -> int:
        return int(self.spec.get("points", 5))

    @property
    def allows_dont_know(self) -> bool:
        return bool(self.spec.get("dont_know", True))

    def categories(self):
        words = LIKERT_WORDS.get(self.points) or [str(i) for i in range(1, self.points + 1)]
        best_first = [(str(i), words[i - 1]) for i in range(self.points, 0, -1)]
        if self.allows_dont_know:
            best_first.append((DONT_KNOW, _l("Don't know")))
        return best_first

    def moods(self) -> dict[str, float]:
        return {str(i + 1): mood for i, mood in enumerate(LIKERT_MOODS.get(self.points, []))}

    def field(self):
        return RadioField(
            self.spec["text"],
            choices=[SelectChoice(v, w) for v, w in self.categories()],
            validators=[self.presence()],
            validate_choice=True,
        )

    def store(self, data):
        if data in (None, ""):
            return []
        return [StoredAnswer(value_num=float(data))]  # 0 = don't know, kept as such


class SingleChoice(ChoiceQuestion):
    name = "single"
    label = _l("Single choice")

    def categories(self):
        return [(str(i), text) for i, text in enumerate(self.spec.get("options", []), start=1)]

    def field(self):
        return RadioField(
            self.spec["text"], choices=[SelectChoice(v, t) for v, t in self.categories()],
            validators=[self.presence()],
        )

    def store(self, data):
        return [] if data in (None, "") else [StoredAnswer(value_num=float(data))]


class MultipleChoice(SingleChoice):
    name = "multiple"
    label = _l("Multiple choice")

    def field(self):
        return SelectMultipleField(
            self.spec["text"],
            choices=[SelectChoice(v, t) for v, t in self.categories()],
            validators=[self.presence()],
            widget=ListWidget(prefix_label=False),
            option_widget=CheckboxInput(),
        )

    def store(self, data):
        # An optional question sent only empty values passes as unanswered (OptionalAnswer).
        return [StoredAnswer(value_num=float(v)) for v in (data or []) if v != ""]

    def accept_answered(self, sent):
        stored = self.stored_values()
        if all(value in stored for value in sent):
            return [StoredAnswer(value_num=float(value)) for value in sent]
        return None


class Rating(ChoiceQuestion):
    name = "rating"
    label = _l("Rating 0 to 10")

    def categories(self):
        return [(str(i), str(i)) for i in range(10, -1, -1)]

    def field(self):
        return RadioField(
            self.spec["text"], choices=[SelectChoice(str(i), str(i)) for i in range(0, 11)],
            validators=[self.presence()],
        )

    def store(self, data):
        return [] if data in (None, "") else [StoredAnswer(value_num=float(data))]


class Number(QuestionType):
    name = "number"
    label = _l("Number")

    @property
    def bounds(self) -> tuple[int, int]:
        return self.spec.get("min", 0), self.spec.get("max", 1_000_000)

    def field(self):
        low, high = self.bounds
        return IntegerField(
            self.spec["text"],
            validators=[
                self.presence(),
                NumberRange(low, high, message=_l("Enter a number from %(min)s to %(max)s.")),
            ],
        )

    def store(self, data):
        return [] if data is None else [StoredAnswer(value_num=float(data))]

    def accept_one(self, value):
        if not PLAIN_INTEGER.fullmatch(value):
            return None  # signs, spaces, other digits: IntegerField decides
        number = int(value)
        low, high = self.bounds
        if low <= number <= high:
            return [StoredAnswer(value_num=float(number))]
        return None


class ShortText(QuestionType):
    name = "short_text"
    label = _l("Short text")
    max_length = SHORT_TEXT_MAX

    def field(self):
        return StringField(
            self.spec["text"],
            filters=[lambda v: v.strip() if isinstance(v, str) else v],
            validators=[self.presence(), Length(max=self.max_length, message=_l("At most %(max)d characters, please."))],
        )

    def accept_one(self, value):
        text = value.strip()
        if text and len(text) <= self.max_length:
            return [StoredAnswer(value_text=text)]
        return None


class LongText(ShortText):
    name = "long_text"
    label = _l("Long text")
    max_length = LONG_TEXT_MAX

    def field(self):
        return TextAreaField(
            self.spec["text"],
            filters=[lambda v: v.strip() if isinstance(v, str) else v],
            validators=[self.presence(), Length(max=self.max_length, message=_l("At most %(max)d characters, please."))],
        )


REGISTRY: dict[str, type[QuestionType]] = {
    cls.name: cls for cls in (Likert, SingleChoice, MultipleChoice, Rating, Number, ShortText, LongText)
}


def question_type(spec: dict[str, Any]) -> QuestionType:
    return REGISTRY[spec["type"]](spec)


def check_spec(spec: dict[str, Any]) -> list[str]:
    """Reasons a question definition is unusable (for the builder), empty when it is fine."""
    problems = []
    if spec.get("type") not in REGISTRY:
        problems.append("unknown type")
    if not (spec.get("text") or "").strip():
        problems.append("text required")
    if spec.get("type") in ("single", "multiple") and len(spec.get("options") or []) < 2:
        problems.append("at least two options")
    weight = spec.get("weight", 1)
    if not isinstance(weight, (int, float)) or weight <= 0:
        problems.append("weight must be positive")
    return problems

