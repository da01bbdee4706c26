"""Exports of a campaign's responses: CSV and XLSX, label words, old versions, formula escaping."""
from __future__ import annotations

import csv
import io
import re
import uuid
import zipfile
from datetime import datetime

import pytest
from flask import Response as FlaskResponse
from flask import stream_with_context
from flask_babel import gettext
from sqlalchemy import select

from survey.extensions import db
from survey.questionnaires import exports
from survey.questionnaires import operations as ops
from survey.questionnaires.models import AccessMode, Campaign, InvitationCode, Response, ResponseChannel
from survey.questionnaires.questions import StoredAnswer

BOM = "\ufeff"
FIXED_MSGIDS = ["Receipt number", "Submitted on", "Grid code", "Grid", "Channel", "Assisted", "Excluded", "Reason for exclusion"]
CANTEEN_TEXTS = [
    "您对长者食堂饭菜的口味满意吗？", "您对饭菜的价格满意吗？", "您对就餐环境和卫生满意吗？", "您对工作人员的服务态度满意吗？",
    "您多久来一次？", "您还有什么意见和建议？", "总体来说，您对长者食堂满意吗？",
]


def submit(campaign_id: int, answers: dict, *, code: bool = True, assisted: bool = False) -> str:
    """Store one response straight through the operation (as the answering page does); its receipt."""
    campaign = db.session.get(Campaign, campaign_id)
    invitation = None
    if code:
        invitation = db.session.scalars(
            select(InvitationCode).filter_by(campaign_id=campaign_id, spent=False).order_by(InvitationCode.id).limit(1)
        ).one()
    stored = {
        key: [StoredAnswer(value_text=v) if isinstance(v, str) else StoredAnswer(value_num=float(v)) for v in
              (value if isinstance(value, list) else [value])]
        for key, value in answers.items()
    }
    receipt = ops.submit_response(
        campaign, stored, submission_id=uuid.uuid4().hex, channel=ResponseChannel.code if code else ResponseChannel.open_link,
        code=invitation, assisted=assisted,
    )
    db.session.commit()
    return receipt


def t(app, msgid: str) -> str:
    """The msgid in the default locale (zh_Hans_CN): the catalog may not have the new ones yet."""
    with app.app_context():
        return gettext(msgid)


def fixed_header(app) -> list[str]:
    return [t(app, m) for m in FIXED_MSGIDS]


def csv_rows(campaign_id: int, **options) -> tuple[str, list[list[str]]]:
    campaign = db.session.get(Campaign, campaign_id)
    text = b"".join(exports.csv_chunks(campaign, **options)).decode("utf-8")
    return text, list(csv.reader(io.StringIO(text.removeprefix(BOM))))


def by_receipt(rows: list[list[str]]) -> dict[str, list[str]]:
    return {row[0]: row for row in rows[1:]}


def test_csv_has_a_bom_the_headers_and_label_words(app, make_campaign):
    campaign_id = make_campaign()
    with app.app_context():
        first = submit(campaign_id, {"q1": 5, "q2": 0, "q3": 1, "q4": 3, "q5": 2, "q6": "饭菜可以再软一点", "q7": 4})
        second = submit(campaign_id, {"q1": 2, "q2": 4, "q3": 4, "q4": 4, "q7": 3}, code=False, assisted=True)
        text, rows = csv_rows(campaign_id)
    assert text.startswith(BOM) and "\r\n" in text
    assert rows[0] == fixed_header(app) + CANTEEN_TEXTS
    assert len(rows) == 3
    row = by_receipt(rows)[first]
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", row[1]), row[1]  # the day only, never a time
    assert row[2].startswith("LJ0101-") and row[3]  # grid code and name
    yes, no = t(app, "Yes"), t(app, "No")
    assert row[4:8] == [t(app, "Household code"), no, no, ""]
    assert row[8:] == ["非常满意", "不了解", "非常不满意", "一般", "每周几次", "饭菜可以再软一点", "满意"]
    other = by_receipt(rows)[second]
    assert other[2:8] == ["", "", "公开链接", yes, no, ""]
    assert other[8:] == ["不满意", "满意", "满意", "满意", "", "", "一般"]


def test_submitted_date_is_the_local_day(app, make_campaign):
    """Stored times are UTC; 20:30 UTC is already the next day in Shanghai."""
    campaign_id = make_campaign()
    with app.app_context():
        receipt = submit(campaign_id, {"q1": 5, "q2": 5, "q3": 5, "q4": 5, "q7": 5})
        response = db.session.scalars(select(Response).filter_by(receipt=receipt)).one()
        response.submitted_at = datetime(2026, 3, 1, 20, 30)
        db.session.commit()
        _text, rows = csv_rows(campaign_id)
    assert by_receipt(rows)[receipt][1] == "2026-03-02"


def test_text_that_looks_like_a_formula_is_escaped(app, make_campaign):
    campaign_id = make_campaign(questions=[
        {"type": "likert", "text": "总体满意吗？", "overall": True},
        {"type": "short_text", "text": "=其他意见", "required": False},
    ])
    dangerous = ["=HYPERLINK(\"http://x\",\"点我\")", "+1+2", "-1+2", "@SUM(A1)", "\tcmd", "\rcmd", "普通意见 =1+1"]
    with app.app_context():
        receipts = [submit(campaign_id, {"q1": 4, "q2": text}) for text in dangerous]
        _text, rows = csv_rows(campaign_id)
    assert rows[0][-1] == "'=其他意见"  # headers are text from users too
    got = by_receipt(rows)
    assert [got[r][-1] for r in receipts] == [
        "'=HYPERLINK(\"http://x\",\"点我\")", "'+1+2", "'-1+2", "'@SUM(A1)", "'\tcmd", "'\rcmd", "普通意见 =1+1",
    ]


def test_excluded_response_shows_its_reason(app, make_campaign):
    campaign_id = make_campaign()
    with app.app_context():
        kept = submit(campaign_id, {"q1": 4, "q2": 4, "q3": 4, "q4": 4, "q7": 4})
        dropped = submit(campaign_id, {"q1": 1, "q2": 1, "q3": 1, "q4": 1, "q7": 1})
        response = db.session.scalars(select(Response).filter_by(receipt=dropped)).one()
        ops.set_excluded(None, response, True, "同一户重复填写")
        db.session.commit()
        _text, rows = csv_rows(campaign_id)
    got = by_receipt(rows)
    assert got[dropped][6:8] == [t(app, "Yes"), "同一户重复填写"]
    assert got[kept][6:8] == [t(app, "No"), ""]


def test_multiple_choice_is_joined_with_a_chinese_semicolon(app, make_campaign):
    campaign_id = make_campaign(questions=[
        {"type": "likert", "text": "总体满意吗？", "overall": True, "points": 3, "dont_know": False},
        {"type": "multiple", "text": "您常用哪些服务？", "options": ["助餐", "助浴", "日间照料", "上门探访"]},
        {"type": "rating", "text": "打几分？"},
        {"type": "number", "text": "每周来几次？", "min": 0, "max": 21},
    ])
    with app.app_context():
        receipt = submit(campaign_id, {"q1": 3, "q2": [4, 1, 3], "q3": 0, "q4": 7})
        _text, rows = csv_rows(campaign_id)
        workbook = b"".join(exports.xlsx_chunks(db.session.get(Campaign, campaign_id)))
    assert by_receipt(rows)[receipt][8:] == ["满意", "助餐；日间照料；上门探访", "0", "7"]
    openpyxl = pytest.importorskip("openpyxl")
    sheet = openpyxl.load_workbook(io.BytesIO(workbook), read_only=True).active
    cells = list(sheet.iter_rows(min_row=2, values_only=True))[0]
    assert list(cells[8:]) == ["满意", "助餐；日间照料；上门探访", 0, 7]  # ratings and numbers stay numbers


def test_responses_to_an_older_version_export_under_their_own_questions(app, make_campaign):
    campaign_id = make_campaign(questions=[
        {"type": "likert", "text": "总体满意吗？", "overall": True},
        {"type": "single", "text": "您多久来一次？", "options": ["每天", "每周", "偶尔"]},
        {"type": "short_text", "text": "旧版的问题", "required": False},
    ])
    with app.app_context():
        old = submit(campaign_id, {"q1": 5, "q2": 1, "q3": "旧意见"})
        campaign = db.session.get(Campaign, campaign_id)
        draft = ops.new_draft(None, campaign.version.questionnaire)
        # The options of q2 change meaning in version 2, q3 is dropped and q4 is new.
        ops.update_question(None, draft, "q2", {"type": "single", "text": "您一般几点来？", "options": ["早上", "中午", "晚上", "从不"]})
        ops.remove_question(None, draft, "q3")
        ops.add_question(None, draft, {"type": "likert", "text": "新增：价格满意吗？", "points": 3})
        ops.publish(None, draft)
        campaign.version = draft  # the campaign moves on to the new version
        db.session.commit()
        assert [q["key"] for q in draft.questions] == ["q1", "q2", "q4"]  # q3 is never given out again
        new = submit(campaign_id, {"q1": 3, "q2": 4, "q4": 1})
        _text, rows = csv_rows(campaign_id)
    # The campaign's version first; then what only version 1 asked, under version 1's wording.
    assert rows[0][8:] == ["总体满意吗？", "您一般几点来？", "新增：价格满意吗？", "您多久来一次？", "旧版的问题"]
    got = by_receipt(rows)
    assert got[old][8:] == ["非常满意", "", "", "每天", "旧意见"]  # option 1 of *its* version
    assert got[new][8:] == ["一般", "从不", "不满意", "", ""]


def test_rows_are_streamed_in_batches_and_grouped_by_response(app, make_campaign):
    campaign_id = make_campaign()
    with app.app_context():
        receipts = [submit(campaign_id, {"q1": i, "q2": i, "q3": i, "q4": i, "q7": i}) for i in (1, 2, 3, 4, 5)]
        # batch_size 3: every response's answers straddle a batch boundary at some point.
        _text, rows = csv_rows(campaign_id, batch_size=3, chunk_bytes=10)
    words = ["非常不满意", "不满意", "一般", "满意", "非常满意"]
    assert [row[0] for row in rows[1:]] == receipts
    assert [row[8] for row in rows[1:]] == words and [row[-1] for row in rows[1:]] == words


def test_a_campaign_without_responses_exports_its_header(app, make_campaign):
    campaign_id = make_campaign()
    with app.app_context():
        _text, rows = csv_rows(campaign_id)
        workbook_bytes = b"".join(exports.xlsx_chunks(db.session.get(Campaign, campaign_id)))
    assert rows == [fixed_header(app) + CANTEEN_TEXTS]
    assert zipfile.ZipFile(io.BytesIO(workbook_bytes)).testzip() is None


def test_xlsx_opens_back_with_the_same_rows(app, make_campaign, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    campaign_id = make_campaign()
    with app.app_context():
        receipts = [submit(campaign_id, {"q1": 5, "q2": 0, "q3": 3, "q4": 4, "q5": 1, "q6": f"=1+{i}", "q7": 4}) for i in range(12)]
        campaign = db.session.get(Campaign, campaign_id)
        path = tmp_path / "export.xlsx"
        path.write_bytes(b"".join(exports.xlsx_chunks(campaign, batch_size=5)))
        _text, csv_data = csv_rows(campaign_id)
    names = zipfile.ZipFile(path).namelist()
    assert "xl/worksheets/sheet1.xml" in names
    sheet = openpyxl.load_workbook(path, read_only=True).active
    rows = [["" if v is None else v for v in row] for row in sheet.iter_rows(values_only=True)]
    assert len(rows) == 13
    assert rows[0] == fixed_header(app) + CANTEEN_TEXTS
    assert [r[0] for r in rows[1:]] == receipts
    assert rows[1][8:] == ["非常满意", "不了解", "一般", "满意", "每天", "'=1+0", "满意"]
    assert rows == csv_data  # the same cells as the CSV


def test_generators_stream_through_a_flask_response_in_the_request_locale(app, make_campaign):
    campaign_id = make_campaign()
    with app.app_context():
        submit(campaign_id, {"q1": 5, "q2": 0, "q3": 5, "q4": 5, "q7": 5})
    with app.test_request_context(headers={"Accept-Language": "en"}):
        campaign = db.session.get(Campaign, campaign_id)
        response = FlaskResponse(stream_with_context(exports.csv_chunks(campaign)), mimetype=exports.mimetype("csv"))
        assert response.is_streamed
        body = b"".join(response.response).decode("utf-8")
    header, row = list(csv.reader(io.StringIO(body.removeprefix(BOM))))
    assert header[:8] == ["Receipt number", "Submitted on", "Grid code", "Grid", "Channel", "Assisted", "Excluded", "Reason for exclusion"]
    assert row[4:7] == ["Household code", "No", "No"] and row[8:10] == ["Very satisfied", "Don't know"]


def test_escape_formula():
    assert exports.escape_formula("=A1") == "'=A1"
    assert exports.escape_formula("好") == "好"
    assert exports.escape_formula("") == ""
    assert exports.escape_formula("a=b") == "a=b"


def test_unknown_format_is_refused(app, make_campaign):
    campaign_id = make_campaign(access_mode=AccessMode.open_link)
    with app.app_context(), pytest.raises(ValueError):
        exports.export_chunks(db.session.get(Campaign, campaign_id), "ods")
