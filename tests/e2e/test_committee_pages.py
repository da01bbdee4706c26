"""The committee's main pages at phone size: reachable from the menu, accessible, nothing wider than the phone."""
import pytest

from tests.e2e.axe import serious_violations

pytestmark = pytest.mark.e2e


def test_committee_pages_on_a_phone(app, live_server, phone, screenshot, demo):
    from survey.demo import seed_deliberations, seed_surveys
    from survey.extensions import db

    with app.app_context():
        seed_surveys()
        seed_deliberations()
        db.session.commit()
    phone.goto(f"{live_server}/login")
    phone.get_by_label("用户名").fill("committee")
    phone.get_by_label("密码").fill(demo)
    phone.get_by_role("button", name="登录").click()
    phone.wait_for_url(f"{live_server}/")
    assert phone.get_by_text("待办事项").is_visible()

    phone.get_by_role("link", name="评议活动").click()
    phone.get_by_role("link", name="朝阳社区长者食堂 满意度评议").click()
    phone.get_by_role("link", name="评议结果").click()
    assert phone.get_by_text("满意度指数").first.is_visible()
    problems = {}
    for name, path in [
        ("results", None), ("campaigns", "/campaigns/"), ("questionnaires", "/questionnaires/"),
        ("projects", "/projects/"), ("matters", "/matters/"), ("opinions", "/opinions/"), ("home", "/"),
    ]:
        if path:
            phone.goto(f"{live_server}{path}")
        screenshot(f"committee-{name}")
        problems[name] = serious_violations(phone)
        problems[name] += ["wider than the phone"] if phone.evaluate(
            "document.documentElement.scrollWidth > window.innerWidth") else []
    assert problems == {name: [] for name in problems}
