"""In a real browser at phone size: a resident's opinion becomes a matter, a committee member takes
it through all five deliberations, a resident objects on the public board and gets an answer on the
way, and the public timeline shows every stage done."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.e2e.axe import serious_violations
from tests.deliberations.conftest import local_today
from tests.browser import ARTIFACTS, PHONE

pytestmark = pytest.mark.e2e


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"deliberation-{name}.png"), full_page=True)


def fits_the_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


WIDEST = """[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 391)
  .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))"""


def forward(page):
    page.locator("form[action$='/forward'] button").click()
    page.wait_for_load_state()


def test_a_matter_from_an_opinion_through_the_five_deliberations(app, live_server, browser, phone, demo, make_campaign):
    from survey.deliberations.models import Matter
    from survey.deliberations.workflow import Stage
    from survey.extensions import db
    from survey.opinions.models import Opinion
    from survey.questionnaires import operations as qops
    from survey.questionnaires.models import Campaign

    resident = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True,
                                   locale="zh-CN").new_page()
    # 1. a resident drops an opinion in the opinion box
    resident.goto(f"{live_server}/opinions/LJ0101/new")
    resident.locator("input[name=category]").first.check()
    resident.locator("textarea[name=text]").fill("3号楼老人多，上下楼困难，希望加装电梯。")
    resident.locator("button[type=submit].r-submit").click()
    resident.wait_for_url("**/opinions/receipt/**")
    with app.app_context():
        opinion_id = db.session.scalar(select(Opinion.id).order_by(Opinion.id.desc()).limit(1))

    # 2. the committee accepts it and turns it into a proposal
    phone.goto(f"{live_server}/login")
    phone.get_by_label("用户名").fill("committee")
    phone.get_by_label("密码").fill(demo)
    phone.get_by_role("button", name="登录").click()
    phone.wait_for_url(f"{live_server}/")
    phone.goto(f"{live_server}/opinions/{opinion_id}")
    phone.locator("form[action$='/accept'] button").click()
    phone.wait_for_load_state()
    phone.locator("form[action$='/proposal'] button").click()
    phone.wait_for_load_state()
    with app.app_context():
        matter_id = db.session.get(Opinion, opinion_id).matter_id
        assert matter_id is not None
        assert db.session.get(Matter, matter_id).proposal.source_kind.value == "resident_opinion"
    page = f"{live_server}/matters/{matter_id}"
    phone.goto(page)
    assert phone.locator(".stepper .step").count() == 5
    shot(phone, "1-proposal")
    assert fits_the_phone(phone), phone.evaluate(WIDEST)

    # 3. motion: the party organisation's meeting
    forward(phone)
    today = local_today()
    phone.locator("input[name=meeting_on]").fill(today.isoformat())
    phone.locator("textarea[name=attendees]").fill("社区党委书记、委员共5人")
    phone.locator("select[name=proceed]").select_option("yes")
    phone.locator("textarea[name=decision]").fill("同意提交居民会议商议")
    phone.locator("form[action$='/motion'] button").click()
    phone.wait_for_load_state()
    forward(phone)

    # 4. consultation: first entered with too few present, the guard says why
    fields = {"eligible_persons": "90", "present_persons": "42", "votes_for": "30", "votes_against": "8", "votes_abstain": "4"}
    phone.locator("input[name=held_on]").fill(today.isoformat())
    for name, value in fields.items():
        phone.locator(f"input[name={name}]").fill(value)
    phone.locator("form[action$='/consultation'] button").click()
    phone.wait_for_load_state()
    forward(phone)
    assert "42 / 90" in phone.locator("#refused").inner_text()
    shot(phone, "2-consultation-refused")
    with app.app_context():
        assert db.session.get(Matter, matter_id).stage is Stage.consultation
    fields.update(present_persons="61", votes_for="52", votes_against="5")
    phone.locator("input[name=held_on]").fill(today.isoformat())
    for name, value in fields.items():
        phone.locator(f"input[name={name}]").fill(value)
    phone.locator("form[action$='/consultation'] button").click()
    phone.wait_for_load_state()
    forward(phone)

    # 5. public review: the notice, started six days ago so that it ends tomorrow
    phone.locator("textarea[name=notice]").fill("经居民会议表决，同意为3号楼加装电梯一部。")
    phone.locator("input[name=starts_on]").fill((today - timedelta(days=6)).isoformat())
    phone.locator("input[name=days]").fill("7")
    phone.locator("form[action$='/review'] button").click()
    phone.wait_for_load_state()
    shot(phone, "3-public-review")

    # a resident objects on the public board
    resident.goto(f"{live_server}/board/LJ0101")
    assert serious_violations(resident) == []
    assert fits_the_phone(resident)
    shot(resident, "4-board")
    resident.locator(f"a.r-button[href*='/matters/{matter_id}']").click()
    resident.locator("textarea[name=text]").fill("施工会不会占用消防通道？")
    resident.locator("input[name=contact]").fill("13800000000")
    resident.locator("button.r-submit").click()
    resident.wait_for_url("**sent=1**")
    assert resident.get_by_role("status").is_visible()
    assert "13800000000" not in resident.content()
    assert serious_violations(resident) == []
    shot(resident, "5-objection-sent")

    # the review cannot end: the period runs and the objection waits for an answer
    phone.goto(page)
    forward(phone)
    refused = phone.locator("#refused").inner_text()
    assert "1" in refused and len(phone.locator("#refused li").all()) == 2
    shot(phone, "6-review-blocked")
    phone.locator("form[action*='/objections/'] textarea[name=answer]").fill("不占用，施工方案已经消防部门审核。")
    phone.locator("form[action*='/objections/'] button").click()
    phone.wait_for_load_state()
    with app.app_context():  # the period is over: move its dates one day back through the model
        review = db.session.get(Matter, matter_id).review
        review.starts_on -= timedelta(days=1)
        review.ends_on -= timedelta(days=1)
        db.session.commit()
    phone.goto(page)
    assert phone.locator(".blocking").count() == 0
    forward(phone)

    # 6. evaluation: a satisfaction campaign, closed with its result, closes the matter
    campaign_id = make_campaign()
    phone.goto(page)
    phone.locator("select[name=campaign]").select_option(str(campaign_id))
    phone.locator("form[action$='/evaluation'] button").click()
    phone.wait_for_load_state()
    with app.app_context():
        qops.close_campaign(None, db.session.get(Campaign, campaign_id), {
            "index": 81.2, "low": 78.4, "high": 84.3, "satisfied": 0.8, "responses": 120, "households": 300, "status": "ok"})
        db.session.commit()
    phone.goto(page)
    forward(phone)
    with app.app_context():
        matter = db.session.get(Matter, matter_id)
        assert matter.stage is Stage.closed
        assert [t.to_stage.value for t in matter.transitions] == ["motion", "consultation", "public_review", "evaluation", "closed"]
    assert phone.locator(".stepper .step.done").count() == 5
    assert fits_the_phone(phone)
    shot(phone, "7-closed")

    # the public timeline shows every stage done, the objection and its answer
    resident.goto(f"{live_server}/board/LJ0101/matters/{matter_id}")
    assert resident.locator(".b-timeline .b-step.b-done").count() == 5
    assert "不占用，施工方案已经消防部门审核。" in resident.content()
    assert serious_violations(resident) == []
    assert fits_the_phone(resident)
    shot(resident, "8-public-timeline")
    resident.goto(f"{live_server}/board/LJ0101/matters/{matter_id}/verify")
    assert resident.locator(".b-ok").first.is_visible()
    shot(resident, "9-verify")
    resident.context.close()
