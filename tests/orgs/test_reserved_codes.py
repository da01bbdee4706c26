"""Unit codes that public URLs use as fixed words are refused (web form and CSV import)."""
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from survey.extensions import db
from survey.orgs.models import OrgUnit
from survey.orgs.operations import RESERVED_CODES, is_reserved_code


def count_units(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(OrgUnit.id)))


CODE_SEGMENT = re.compile(r"<(?:[^:>]+:)?code>")  # <code>, <string:code>


def fixed_words_at_code_positions(app) -> set[str]:
    """Every fixed path segment beside a ``<code>`` segment: /opinions/track beside /opinions/<code>/new."""
    rules = [rule.rule.strip("/").split("/") for rule in app.url_map.iter_rules()]
    words = set()
    for segments in rules:
        for position, segment in enumerate(segments):
            if not CODE_SEGMENT.fullmatch(segment):
                continue
            prefix = segments[:position]
            for other in rules:
                if len(other) > position and other[:position] == prefix:
                    word = other[position]
                    if word and "<" not in word:
                        words.add(word)
    return words


def test_every_fixed_word_at_a_code_position_is_reserved(app):
    words = fixed_words_at_code_positions(app)
    assert {"track", "receipt", "log", "static"} <= words  # the check sees the known ones
    assert {w.lower() for w in words} <= RESERVED_CODES, sorted(words - RESERVED_CODES)


def test_reserved_codes_are_compared_without_case():
    assert is_reserved_code("track") and is_reserved_code("TRACK") and is_reserved_code("Static")
    assert not is_reserved_code("tracks") and not is_reserved_code("LJ0101")


@pytest.mark.parametrize("code", ["track", "Receipt"])
def test_web_form_refuses_a_reserved_code(app, client, login, code):
    login("district")
    before = count_units(app)
    url = "/orgs/LJ0101/new?level=grid"
    response = client.submit(url, {"code": code, "name": "新网格", "households": "10"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f"编码 {code} 已留作系统页面的网址" in page
    assert count_units(app) == before
    with app.app_context():
        assert db.session.scalar(select(OrgUnit).filter(func.lower(OrgUnit.code) == code.lower())) is None


def test_web_form_message_in_english(app, client, login):
    login("district")
    client.get("/lang/en")
    response = client.submit("/orgs/LJ0101/new?level=grid", {"code": "static", "name": "G"})
    assert "The code static is reserved for the site&#39;s own pages" in response.get_data(as_text=True)


def test_import_refuses_a_reserved_code_by_line(app, runner, tmp_path: Path):
    text = "code,name,level,parent_code\nHX,海曙区,district,\nTrack,南门街道,street,HX\nHX02,北门街道,street,HX\n"
    path = tmp_path / "orgs.csv"
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(args=["orgs", "import", str(path)])
    assert result.exit_code == 1
    assert "第 3 行" in result.output and "编码 Track 已留作系统页面的网址" in result.output
    assert "第 2 行" not in result.output and "第 4 行" not in result.output
    assert count_units(app) == 0
