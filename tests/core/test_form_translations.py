"""WTForms' own messages follow the resident's language, from a catalog read once per process."""
from __future__ import annotations

from wtforms import StringField
from wtforms.validators import DataRequired

from survey.forms import base
from survey.forms.base import Form


class _NameForm(Form):
    name = StringField("name", validators=[DataRequired()])


def _error(app, accept_language: str) -> str:
    with app.test_request_context("/", method="POST", data={}, headers={"Accept-Language": accept_language}):
        form = _NameForm(meta={"csrf": False})
        assert not form.validate()
        return form.name.errors[0]


def test_builtin_messages_in_the_request_language(app):
    assert _error(app, "zh-CN") == "该字段是必填字段。"
    assert _error(app, "en") == "This field is required."


def test_catalog_read_once_per_language(app):
    base._wtforms_catalog.cache_clear()
    for _ in range(3):
        _error(app, "zh-CN")
        _error(app, "en")
    info = base._wtforms_catalog.cache_info()
    assert info.misses == 2
    assert info.hits >= 4
