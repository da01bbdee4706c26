"""A resident opens a code link from the printed slips' CSV on a phone, answers, gets a receipt."""
import csv

import pytest

from tests.e2e.axe import serious_violations

pytestmark = pytest.mark.e2e


def first_code_url(runner, campaign_id: int, tmp_path, base_url: str) -> tuple[str, str]:
    out = tmp_path / "codes.csv"
    result = runner.invoke(args=["campaign", "codes", str(campaign_id), "--csv", str(out)])
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8-sig") as f:
        row = next(csv.DictReader(f))
    # the CSV carries PUBLIC_BASE_URL; the browser reaches this test's live server on its own port
    path = row["url"].split("://", 1)[1].split("/", 1)[1]
    return row["code"], f"{base_url}/{path}"


def answer_all(phone, choice: str) -> None:
    for fieldset in phone.locator("fieldset.r-question").all():
        option = fieldset.get_by_text(choice, exact=True)
        if option.count():
            option.first.click()


def test_resident_answers_with_a_code_and_cannot_use_it_twice(app, runner, live_server, phone, screenshot, make_campaign, tmp_path):
    campaign_id = make_campaign()
    code, url = first_code_url(runner, campaign_id, tmp_path, live_server)
    phone.goto(url)
    assert phone.get_by_role("heading", name="朝阳社区长者食堂 满意度评议").is_visible()
    assert serious_violations(phone) == []
    screenshot("resident-questionnaire")
    # every choice row is a large touch target
    box = phone.locator("label.r-choice").first.bounding_box()
    assert box["height"] >= 48 and box["width"] >= 300

    phone.get_by_role("button", name="提交").click()  # nothing answered yet: errors, nothing lost
    assert phone.get_by_role("alert").first.is_visible()
    assert phone.get_by_text("请回答这道题。").first.is_visible()
    assert serious_violations(phone) == []
    screenshot("resident-errors")

    answer_all(phone, "满意")
    phone.get_by_role("button", name="提交").click()
    assert phone.get_by_role("heading", name="谢谢您，您的评价已收到。").is_visible()
    assert phone.get_by_text("回执编号").is_visible()
    assert serious_violations(phone) == []
    screenshot("resident-receipt")

    phone.goto(url)
    assert phone.get_by_role("heading", name="这个邀请码已经使用过。").is_visible()
    assert phone.get_by_text("0571-8600-1101").is_visible()
    screenshot("resident-spent")


def test_large_text_mode_on_a_phone(app, live_server, phone, screenshot, make_campaign, unspent_code):
    code = unspent_code(make_campaign())
    phone.goto(f"{live_server}/c/{code}")
    normal = phone.evaluate("parseFloat(getComputedStyle(document.querySelector('legend')).fontSize)")
    phone.get_by_role("link", name="大字").click()
    large = phone.evaluate("parseFloat(getComputedStyle(document.querySelector('legend')).fontSize)")
    assert normal >= 18 and large >= 22 and large > normal
    assert serious_violations(phone) == []
    screenshot("resident-large-text")
    phone.goto(f"{live_server}/c/{code}")  # remembered for the device
    assert phone.evaluate("document.body.classList.contains('large-text')")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390


def test_questionnaire_works_without_javascript(browser, app, live_server, make_campaign, unspent_code):
    code = unspent_code(make_campaign())
    context = browser.new_context(viewport={"width": 360, "height": 740}, java_script_enabled=False, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{live_server}/c/{code}")
    for fieldset in page.locator("fieldset.r-question").all():
        option = fieldset.get_by_text("非常满意", exact=True)
        if option.count():
            option.first.click()
    page.get_by_role("button", name="提交").click()
    assert page.get_by_role("heading", name="谢谢您，您的评价已收到。").is_visible()
    context.close()
