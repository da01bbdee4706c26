"""Residents answering on their phones: codes, open links, retries, forged and late forms."""
from __future__ import annotations

import re

import pytest

from sqlalchemy import func, select

from survey.extensions import db
from survey.questionnaires.models import AccessMode, InvitationCode, Response
from tests.questionnaires.conftest import full_answers


def responses(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Response.id)))


def form_fields(html: str) -> dict[str, str]:
    return dict(re.findall(r'name="(submission_id|started|csrf_token)" type="hidden" value="([^"]*)"', html))


def test_code_link_shows_the_questionnaire_at_once(client, make_campaign, unspent_code):
    code = unspent_code(make_campaign())
    page = client.get(f"/c/{code}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "朝阳社区长者食堂 满意度评议" in html and "非常满意" in html and "不了解" in html
    assert "匿名" in html


def test_answer_with_a_code_spends_it_and_gives_a_receipt(app, client, make_campaign, unspent_code):
    campaign_id = make_campaign()
    code = unspent_code(campaign_id)
    data = form_fields(client.get(f"/c/{code}").get_data(as_text=True))
    response = client.post(f"/c/{code}", data={**data, **full_answers("5"), "q_q6": "饭菜可以再软一点"})
    assert response.status_code == 302
    receipt_page = client.get(response.headers["Location"])
    assert "已收到" in receipt_page.get_data(as_text=True)
    with app.app_context():
        stored = db.session.scalars(select(Response)).one()
        assert stored.grid.code.startswith("LJ0101-") and stored.channel.value == "code"
        assert {(a.question_key, a.value_num, a.value_text) for a in stored.answers} >= {("q1", 5.0, None), ("q6", None, "饭菜可以再软一点")}
        spent = db.session.scalar(select(InvitationCode).filter_by(code=code))
        assert spent.spent and spent.spent_on is not None
    again = client.get(f"/c/{code}")
    assert "已经使用过" in again.get_data(as_text=True)


def test_retried_submission_stores_one_row_and_returns_the_same_receipt(app, client, make_campaign, unspent_code):
    campaign_id = make_campaign()
    code = unspent_code(campaign_id)
    data = {**form_fields(client.get(f"/c/{code}").get_data(as_text=True)), **full_answers()}
    first = client.post(f"/c/{code}", data=data)
    second = client.post(f"/c/{code}", data=data)  # the phone lost the first answer and sent again
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert responses(app) == 1


def test_open_link_allows_one_response_per_device(app, client, make_campaign):
    campaign_id = make_campaign(AccessMode.open_link)
    with app.app_context():
        from survey.questionnaires.models import Campaign

        token = db.session.get(Campaign, campaign_id).link_token
    data = {**form_fields(client.get(f"/s/{token}").get_data(as_text=True)), **full_answers()}
    assert client.post(f"/s/{token}", data=data).status_code == 302
    again = client.get(f"/s/{token}")
    assert "已经在这部手机上" in again.get_data(as_text=True)
    assert responses(app) == 1


def test_missing_required_answer_keeps_the_other_answers(app, client, make_campaign, unspent_code):
    code = unspent_code(make_campaign())
    data = {**form_fields(client.get(f"/c/{code}").get_data(as_text=True)), **full_answers()}
    del data["q_q3"]
    page = client.post(f"/c/{code}", data={**data, "q_q6": "意见"})
    html = page.get_data(as_text=True)
    assert page.status_code == 400
    assert "请回答这道题" in html
    assert re.search(r'name="q_q1"[^>]*value="4"[^>]*checked|checked[^>]*name="q_q1"[^>]*value="4"', html)
    assert "意见" in html
    assert responses(app) == 0


def test_forged_fields_are_refused_and_store_nothing(app, client, make_campaign, unspent_code):
    campaign_id = make_campaign()
    code = unspent_code(campaign_id)
    base = {**form_fields(client.get(f"/c/{code}").get_data(as_text=True)), **full_answers()}
    cases = [
        {**base, "q_q99": "5"},  # a question the questionnaire does not have
        {**base, "q_q1": "9"},  # out of the scale
        {**base, "q_q1": "-1"},
        {**base, "q_q5": "7"},  # not one of the options
        {**base, "q_q6": "长" * 5000},  # oversized text
    ]
    for data in cases:
        page = client.post(f"/c/{code}", data=data)
        assert page.status_code == 400, data
        assert 'role="alert"' in page.get_data(as_text=True)
    assert responses(app) == 0
    with app.app_context():
        assert not db.session.scalar(select(InvitationCode.spent).filter_by(code=code))


def test_another_campaigns_code_cannot_answer_this_campaign(app, client, make_campaign, unspent_code):
    first, second = make_campaign(), make_campaign()
    with app.app_context():
        from survey.questionnaires.models import Campaign

        token = db.session.get(Campaign, second).link_token
    page = client.get(f"/s/{token}")
    data = {**form_fields(page.get_data(as_text=True)), **full_answers()}
    # a code of the first campaign sent to the second campaign's form address: the code decides
    code = unspent_code(first)
    assert client.post(f"/c/{code}", data=data).status_code == 302
    with app.app_context():
        assert db.session.scalars(select(Response)).one().campaign_id == first


def test_mistyped_and_unknown_codes_get_their_own_message(client, make_campaign, unspent_code):
    code = unspent_code(make_campaign())
    typo = code[:3] + ("A" if code[3] != "A" else "B") + code[4:]
    assert "邀请码有误" in client.get(f"/c/{typo}").get_data(as_text=True)
    from survey.questionnaires.codes import check_character

    unknown = "YYYYYYYY" + check_character("YYYYYYYY")
    html = client.get(f"/c/{unknown}").get_data(as_text=True)
    assert "查无此邀请码" in html


def test_closed_campaign_refuses_answers(app, client, make_campaign, unspent_code):
    campaign_id = make_campaign()
    code = unspent_code(campaign_id)
    data = {**form_fields(client.get(f"/c/{code}").get_data(as_text=True)), **full_answers()}
    with app.app_context():
        from survey.questionnaires import operations as ops
        from survey.questionnaires.models import Campaign

        ops.close_campaign(None, db.session.get(Campaign, campaign_id))
        db.session.commit()
    page = client.post(f"/c/{code}", data=data)
    assert "本次评议已结束" in page.get_data(as_text=True)
    assert "0571-8600-1101" in page.get_data(as_text=True)  # the community office's phone
    assert responses(app) == 0


def test_code_entry_page(client, make_campaign, unspent_code):
    code = unspent_code(make_campaign())
    typed = code.lower()[:3] + " - " + code.lower()[3:]
    response = client.submit("/c/", {"code": typed})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/c/{code}")
    assert "邀请码有误" in client.submit("/c/", {"code": "ABC"}).get_data(as_text=True)


def test_large_text_mode_is_remembered(client, make_campaign, unspent_code):
    code = unspent_code(make_campaign())
    client.get(f"/large-text?on=1&next=/c/{code}")
    assert 'class="large-text"' in client.get(f"/c/{code}").get_data(as_text=True)


@pytest.mark.app_config(RESIDENT_SUBMIT_LIMIT="3 per minute")
def test_resident_submissions_are_rate_limited_per_address(app, client, make_campaign):
    campaign_id = make_campaign(AccessMode.open_link)
    with app.app_context():
        from survey.questionnaires.models import Campaign

        token = db.session.get(Campaign, campaign_id).link_token
    statuses = []
    for _ in range(4):
        page = app.test_client()  # new phones behind one address (a shared home router)
        data = {**form_fields(page.get(f"/s/{token}").get_data(as_text=True)), **full_answers()}
        data.pop("q_q1")  # refused answers still count against the limit
        statuses.append(page.post(f"/s/{token}", data=data).status_code)
    assert statuses == [400, 400, 400, 429]
    assert responses(app) == 0


def test_receipt_links_to_the_community_public_board(app, client, make_campaign, unspent_code):
    code = unspent_code(make_campaign())
    data = {**form_fields(client.get(f"/c/{code}").get_data(as_text=True)), **full_answers()}
    receipt = client.get(client.post(f"/c/{code}", data=data).headers["Location"]).get_data(as_text=True)
    assert 'href="/board/LJ0101"' in receipt
    assert client.get("/board/LJ0101").status_code == 200


def test_whitespace_in_an_optional_choice_is_refused_not_a_500(app, client, make_campaign, unspent_code):
    """Found by the hostile-input tests: WTForms' Optional let "\\r" past the check of the options."""
    code = unspent_code(make_campaign())
    base = {**form_fields(client.get(f"/c/{code}").get_data(as_text=True)), **full_answers()}
    for value in ("\r", "\x0c", " ", "\t\n"):
        page = client.post(f"/c/{code}", data={**base, "q_q5": value})
        assert page.status_code == 400, repr(value)
    assert client.post(f"/c/{code}", data=base).status_code == 302  # q5 left out: fine, it is optional
    assert responses(app) == 1


def test_a_form_sent_without_its_submission_id_is_never_taken_for_another(app, client, make_campaign, unspent_code):
    """Found by the hostile-input test: an empty submission id was stored as '', so the next form
    sent without one got the first one's receipt and stored nothing."""
    campaign_id = make_campaign()
    receipts = []
    for _ in range(2):
        code = unspent_code(campaign_id)
        fields = form_fields(client.get(f"/c/{code}").get_data(as_text=True))
        response = client.post(f"/c/{code}", data={**fields, **full_answers("4"), "submission_id": ""})
        assert response.status_code == 302
        receipts.append(response.headers["Location"])
    assert receipts[0] != receipts[1]
    assert responses(app) == 2
