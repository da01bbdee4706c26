"""A committee member logs in on a phone and sees their community."""
import pytest

from tests.e2e.axe import serious_violations

pytestmark = pytest.mark.e2e


def test_committee_member_logs_in_and_sees_the_community(live_server, phone, screenshot, demo):
    phone.goto(f"{live_server}/login")
    assert phone.locator("html").get_attribute("lang") == "zh-Hans-CN"
    assert serious_violations(phone) == []
    screenshot("login")

    phone.get_by_label("用户名").fill("committee")
    phone.get_by_label("密码").fill(demo)
    phone.get_by_role("button", name="登录").click()
    phone.wait_for_url(f"{live_server}/")
    assert phone.get_by_role("link", name="朝阳社区").first.is_visible()
    assert serious_violations(phone) == []
    screenshot("home")

    phone.get_by_role("link", name="朝阳社区").first.click()
    phone.wait_for_url(f"{live_server}/orgs/LJ0101")
    assert phone.get_by_role("heading", name="朝阳社区").is_visible()
    assert phone.get_by_text("第8网格").is_visible()
    assert serious_violations(phone) == []
    screenshot("community")
    # nothing wider than the phone
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390


def test_wrong_password_shows_a_message(live_server, phone):
    phone.goto(f"{live_server}/login")
    phone.get_by_label("用户名").fill("committee")
    phone.get_by_label("密码").fill("wrong-password")
    phone.get_by_role("button", name="登录").click()
    assert phone.get_by_role("alert").inner_text().strip() == "用户名或密码错误。"
