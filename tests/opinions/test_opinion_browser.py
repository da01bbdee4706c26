"""A resident drops an opinion on a phone, without JavaScript-dependent controls, and follows it."""
from __future__ import annotations

import re

import pytest

from tests.e2e.axe import serious_violations
from tests.browser import PHONE

pytestmark = pytest.mark.e2e


def test_resident_sends_an_opinion_and_follows_it_on_a_phone(live_server, phone):  # noqa: F811
    phone.goto(f"{live_server}/opinions/LJ0101/new")
    assert phone.locator("html").get_attribute("lang") == "zh-Hans-CN"
    assert serious_violations(phone) == []
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # the category buttons are large targets
    box = phone.locator("label.r-choice").first.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 300
    phone.locator("label.r-choice", has=phone.locator("input[value=environment]")).click()
    phone.select_option("select[name=grid]", "LJ0101-02")
    phone.fill("textarea[name=text]", "5号楼前的垃圾桶满了三天没人清")
    phone.fill("input[name=contact_phone]", "13800001111")
    phone.locator("button.r-submit").click()
    phone.wait_for_url(re.compile(r".*/opinions/receipt/[A-Z0-9]{10}$"))
    code = phone.url.rsplit("/", 1)[1]
    assert f"{code[:5]}-{code[5:]}" in phone.content()
    assert serious_violations(phone) == []
    phone.locator("a.r-button").click()
    phone.wait_for_url(f"{live_server}/opinions/track/{code}")
    text = phone.content()
    assert "5号楼前的垃圾桶满了三天没人清" in text and "13800001111" not in text
    assert serious_violations(phone) == []
    # large-text mode
    phone.locator("a.r-large").click()
    phone.wait_for_url(f"{live_server}/opinions/track/{code}")
    assert "large-text" in (phone.locator("body").get_attribute("class") or "")
