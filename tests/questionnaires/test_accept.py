"""The resident's answers are first checked by the question types alone (``accept``), without
building a form. That check must never take what the full form validation refuses, nor keep
other rows than it would: checked here against WTForms on generated forms, valid and not.
"""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings, strategies as st
from werkzeug.datastructures import MultiDict

from survey.forms.answering import accepted_answers, answer_form, collected_answers
from survey.questionnaires.models import QuestionnaireVersion, VersionStatus

QUESTIONS = [
    {"key": "q1", "type": "likert", "text": "口味"},
    {"key": "q2", "type": "likert", "text": "价格", "points": 3, "dont_know": False, "required": False},
    {"key": "q3", "type": "single", "text": "多久来一次", "options": ["每天", "每周", "偶尔"]},
    {"key": "q4", "type": "multiple", "text": "常吃什么", "options": ["米饭", "面条", "饺子"], "required": False},
    {"key": "q5", "type": "multiple", "text": "为何来", "options": ["近", "便宜"]},
    {"key": "q6", "type": "rating", "text": "打分", "required": False},
    {"key": "q7", "type": "number", "text": "几口人", "min": 1, "max": 20},
    {"key": "q8", "type": "number", "text": "几岁", "required": False, "min": 0, "max": 120},
    {"key": "q9", "type": "short_text", "text": "称呼", "required": False},
    {"key": "q10", "type": "long_text", "text": "意见"},
]
VALID = {
    "q1": "4", "q2": "3", "q3": "2", "q4": ["1", "3"], "q5": "2", "q6": "10", "q7": "3", "q8": "67",
    "q9": "王阿姨", "q10": "饭菜可以再软一点",
}
SUBMISSION = "0123456789abcdef0123456789abcdef"

# Values near every edge the full validation draws: options and not, empty and blank, signs,
# spaces, other digit systems, numbers at and past the range, text at and past its length.
ODD_VALUES = [
    "", " ", "0", "1", "2", "3", "4", "5", "6", "10", "11", "-1", "+3", " 3", "3 ", "03", "1e1", "٣", "3.0",
    "abc", "饭", "\t", "\n", "121", "20", "21", "x" * 200, "x" * 201, "y" * 2000, "y" * 2001, "  padded  ",
]
values = st.lists(st.sampled_from(ODD_VALUES), max_size=3)


def version() -> QuestionnaireVersion:
    return QuestionnaireVersion(id=None, number=1, questions=QUESTIONS, status=VersionStatus.draft)


def formdata(fields: dict) -> MultiDict:
    data = MultiDict()
    for name, value in fields.items():
        for one in (value if isinstance(value, list) else [value]):
            data.add(name, one)
    return data


def both(app, data: MultiDict):
    with app.test_request_context("/", method="POST"):
        v = version()
        fast = accepted_answers(v, data)
        form = answer_form(v, data)
        full = collected_answers(v, form) if form.validate() else None
    return fast, full


def test_a_plainly_valid_form_is_taken_as_the_full_validation_takes_it(app):
    data = formdata({"submission_id": SUBMISSION, **{f"q_{k}": v for k, v in VALID.items()}})
    fast, full = both(app, data)
    assert fast is not None and fast == full
    assert [row.value_num for row in fast["q4"]] == [1.0, 3.0]
    assert fast["q10"][0].value_text == "饭菜可以再软一点"


def test_optional_questions_left_out_are_taken(app):
    required = {k: v for k, v in VALID.items() if k in ("q1", "q3", "q5", "q7", "q10")}
    fast, full = both(app, formdata({"submission_id": SUBMISSION, **{f"q_{k}": v for k, v in required.items()}}))
    assert fast is not None and fast == full and set(fast) == set(required)


def test_each_odd_value_in_each_question(app):
    """Every question with each odd value alone, none, and in pairs: the edges one by one."""
    cases = [[value] for value in ODD_VALUES] + [[]] + [[a, b] for a in ("", "1", "3", "x") for b in ("", "2", "3", "9")]
    taken = 0
    for key in VALID:
        for sent in cases:
            fields = {f"q_{k}": v for k, v in VALID.items()}
            fields[f"q_{key}"] = sent
            fast, full = both(app, formdata({"submission_id": SUBMISSION, **fields}))
            if fast is not None:
                taken += 1
                assert full is not None, f"{key} = {sent!r} taken, but the form refuses it"
                assert fast == full, f"{key} = {sent!r} kept other rows"
    assert taken > 100  # the quick check does take most ordinary answers


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    changed=st.dictionaries(st.sampled_from(sorted(VALID)), values, max_size=4),
    submission=st.sampled_from([SUBMISSION, "", SUBMISSION + "\n", SUBMISSION.upper(), SUBMISSION[:-1], None]),
)
def test_never_takes_what_the_form_refuses(app, changed, submission):
    fields = {f"q_{k}": v for k, v in VALID.items()}
    for key, sent in changed.items():
        fields[f"q_{key}"] = sent
    if submission is not None:
        fields["submission_id"] = submission
    fast, full = both(app, formdata(fields))
    if fast is not None:
        assert full is not None, f"taken without checks passing: {changed!r}"
        assert fast == full
