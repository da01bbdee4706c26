"""The resident's pages are served most: what they read and render is kept to a known minimum.

These tests pin the work per request (SQL statements, cached renderings) rather than its time,
which is measured by bench/submissions.py.
"""
from __future__ import annotations

import re
from contextlib import contextmanager

from flask import render_template
from sqlalchemy import event

from survey.extensions import db
from survey.questionnaires import operations
from survey.questionnaires.answering import _blank_questions
from survey.forms.answering import answer_form
from tests.questionnaires.conftest import full_answers

HIDDEN = re.compile(r'name="(submission_id|started|csrf_token)" type="hidden" value="([^"]*)"')


@contextmanager
def statements(app):
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement.split(None, 1)[0].upper())

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_a_warm_answer_page_reads_one_row_and_a_submission_writes_three_statements(app, client, make_campaign, unspent_code):
    campaign_id = make_campaign()
    client.get(f"/c/{unspent_code(campaign_id, skip=1)}")  # warm: version and questions now cached
    code = unspent_code(campaign_id)
    with statements(app) as seen:
        page = client.get(f"/c/{code}")
    assert page.status_code == 200
    assert seen == ["SELECT"]  # the code with its campaign and community, nothing else
    fields = dict(HIDDEN.findall(page.get_data(as_text=True)))
    with statements(app) as seen:
        posted = client.post(f"/c/{code}", data={**fields, **full_answers("5")})
    assert posted.status_code == 302 and "/r/" in posted.headers["Location"]
    # the code again (it may have been spent meanwhile), spend it, the response, its answers
    assert seen == ["SELECT", "UPDATE", "INSERT", "INSERT"]


def test_cached_questions_are_the_markup_the_full_template_renders(app, make_campaign):
    campaign_id = make_campaign()
    with app.test_request_context("/"):
        campaign = db.session.get(operations.Campaign, campaign_id)
        version = operations.published_version(campaign.version_id)
        questions = version.question_types()
        form = answer_form(version)
        full = render_template("answering/_questions.html", questions=questions, form=form)
        app.extensions.pop("answering.blank_questions", None)
        cached = _blank_questions(version)
        assert str(cached) == full
        assert _blank_questions(version) is cached  # rendered once
        assert "非常满意" in full and 'name="q_q1"' in full and "checked" not in full


def test_questions_cached_per_language(app, client, make_campaign, unspent_code):
    campaign_id = make_campaign()
    code = unspent_code(campaign_id)
    chinese = client.get(f"/c/{code}").get_data(as_text=True)
    client.get("/lang/en")
    english = client.get(f"/c/{code}").get_data(as_text=True)
    assert "（选答）" in chinese and "（optional）" not in chinese
    assert "（optional）" in english and "选答" not in english
    keys = {locale for (_version, locale) in app.extensions["answering.blank_questions"]}
    assert keys == {"zh_Hans_CN", "en"}


def test_a_form_sent_back_with_errors_shows_what_was_chosen(client, make_campaign, unspent_code):
    code = unspent_code(make_campaign())
    fields = dict(HIDDEN.findall(client.get(f"/c/{code}").get_data(as_text=True)))
    answers = full_answers("4")
    del answers["q_q7"]  # the overall question is required
    page = client.post(f"/c/{code}", data={**fields, **answers})
    html = page.get_data(as_text=True)
    assert page.status_code == 400
    assert re.search(r'name="q_q1" id="q_q1-4" value="4" checked', html)
    assert 'id="question-q7"' in html and "has-error" in html
    assert dict(HIDDEN.findall(html))["submission_id"] == fields["submission_id"]  # a resend is the same submission


def test_published_versions_are_kept_per_application(app, make_campaign):
    campaign_id = make_campaign()
    with app.test_request_context("/"):
        version_id = db.session.get(operations.Campaign, campaign_id).version_id
        first = operations.published_version(version_id)
        assert operations.published_version(version_id) is first
        assert first not in db.session  # detached: no request's session holds it
    assert app.extensions["questionnaires.published_versions"] == {version_id: first}
