"""``flask campaign``: list, codes, export, slips; clear errors and non-zero exits."""
from __future__ import annotations

import csv
import io
import zipfile
from urllib.parse import urlsplit

import pytest
from sqlalchemy import delete, func, select

from survey.extensions import db
from survey.questionnaires.models import AccessMode, InvitationCode
from tests.questionnaires.conftest import full_answers
from tests.questionnaires.test_answering import form_fields


def answer(client, code: str, value: str = "4") -> None:
    data = form_fields(client.get(f"/c/{code}").get_data(as_text=True))
    assert client.post(f"/c/{code}", data={**data, **full_answers(value)}).status_code == 302


def code_count(app, campaign_id: int) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(InvitationCode).filter_by(campaign_id=campaign_id))


def assert_clean_failure(result, message: str) -> None:
    assert result.exit_code == 1, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)  # click's own exit, not an escaped error


def test_list_prints_each_campaign_with_its_counts(app, client, runner, make_campaign, unspent_code):
    codes_id = make_campaign()
    link_id = make_campaign(access_mode=AccessMode.open_link, open_=False)
    answer(client, unspent_code(codes_id))
    answer(client, unspent_code(codes_id), "5")
    total = code_count(app, codes_id)
    result = runner.invoke(args=["campaign", "list"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["id", "state", "responses", "codes", "spent/total", "target"]
    assert lines[1].split() == [str(codes_id), "open", "2", f"2/{total}", "朝阳社区长者食堂"]
    assert lines[2].split() == [str(link_id), "draft", "0", "0/0", "朝阳社区长者食堂"]


def test_list_without_campaigns(runner, demo):
    result = runner.invoke(args=["campaign", "list"])
    assert result.exit_code == 0 and "no campaigns" in result.output


def test_codes_csv_has_one_row_per_code_with_working_links(app, client, runner, make_campaign, unspent_code, tmp_path):
    campaign_id = make_campaign()
    spent = unspent_code(campaign_id)
    answer(client, spent)
    out = tmp_path / "codes.csv"
    result = runner.invoke(args=["campaign", "codes", str(campaign_id), "--csv", str(out)])
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert rows[0] == ["code", "url", "grid"]
    with app.app_context():
        stored = dict(db.session.execute(
            select(InvitationCode.code, InvitationCode.grid_id).filter_by(campaign_id=campaign_id)
        ).all())
        from survey.orgs.models import OrgUnit

        grid_codes = dict(db.session.execute(select(OrgUnit.id, OrgUnit.code)).all())
    assert len(rows) - 1 == len(stored) > 1  # every code, spent ones included
    assert {row[0] for row in rows[1:]} == set(stored)
    base = app.config["PUBLIC_BASE_URL"].rstrip("/")
    for code, url, grid in rows[1:]:
        assert url == f"{base}/c/{code}"
        assert grid == grid_codes[stored[code]] and grid.startswith("LJ0101-")
    by_code = {row[0]: row for row in rows[1:]}
    fresh = unspent_code(campaign_id)
    page = client.get(urlsplit(by_code[fresh][1]).path)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "朝阳社区长者食堂 满意度评议" in html and "非常满意" in html
    used = client.get(urlsplit(by_code[spent][1]).path)
    assert "已经使用过" in used.get_data(as_text=True)
    assert f"({1} spent)" in result.output


@pytest.mark.app_config(PUBLIC_BASE_URL="https://pingyi.example.gov.cn/survey/")
def test_code_links_keep_the_path_of_the_public_base_url(app, runner, make_campaign, unspent_code, tmp_path):
    campaign_id = make_campaign()
    out = tmp_path / "codes.csv"
    assert runner.invoke(args=["campaign", "codes", str(campaign_id), "--csv", str(out)]).exit_code == 0
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8"))))
    code, url, _grid = rows[1]
    assert url == f"https://pingyi.example.gov.cn/survey/c/{code}"


def test_export_csv_and_xlsx(app, client, runner, make_campaign, unspent_code, tmp_path):
    campaign_id = make_campaign()
    for value in ("5", "0", "3"):
        answer(client, unspent_code(campaign_id), value)
    csv_out = tmp_path / "responses.csv"
    result = runner.invoke(args=["campaign", "export", str(campaign_id), "--format", "csv", "--out", str(csv_out)])
    assert result.exit_code == 0, result.output
    text = csv_out.read_bytes().decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert len(rows) == 4
    assert sorted(row[8] for row in rows[1:]) == sorted(["非常满意", "不了解", "一般"])
    assert not (tmp_path / "responses.csv.part").exists()

    xlsx_out = tmp_path / "responses.xlsx"
    result = runner.invoke(args=["campaign", "export", str(campaign_id), "--out", str(xlsx_out)])  # format from the name
    assert result.exit_code == 0, result.output
    assert "3 responses" in result.output
    with zipfile.ZipFile(xlsx_out) as workbook:
        assert "xl/worksheets/sheet1.xml" in workbook.namelist()
        sheet = workbook.read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert sheet.count("<row ") == 4 and "非常满意" in sheet and "不了解" in sheet


def test_unknown_campaign_is_a_clear_error(runner, demo, tmp_path):
    outputs = [tmp_path / "c.csv", tmp_path / "e.csv", tmp_path / "s.pdf"]
    for args in (
        ["campaign", "codes", "999", "--csv", str(outputs[0])],
        ["campaign", "export", "999", "--out", str(outputs[1])],
        ["campaign", "slips", "999", "--out", str(outputs[2])],
    ):
        result = runner.invoke(args=args)
        assert_clean_failure(result, "no campaign with id 999")
    assert not any(p.exists() or p.with_name(p.name + ".part").exists() for p in outputs)


def test_unwritable_output_is_a_clear_error(runner, make_campaign, tmp_path):
    campaign_id = make_campaign()
    missing = tmp_path / "no-such-dir" / "out.csv"
    assert_clean_failure(
        runner.invoke(args=["campaign", "export", str(campaign_id), "--out", str(missing)]), f"cannot write {missing}"
    )
    assert_clean_failure(
        runner.invoke(args=["campaign", "codes", str(campaign_id), "--csv", str(missing)]), f"cannot write {missing}"
    )
    assert_clean_failure(
        runner.invoke(args=["campaign", "export", str(campaign_id), "--out", str(tmp_path)]), "is a directory"
    )
    result = runner.invoke(args=["campaign", "export", str(campaign_id), "--format", "ods", "--out", str(tmp_path / "x")])
    assert result.exit_code == 2 and "Traceback" not in result.output


def test_codes_of_an_open_link_campaign_is_a_clear_error(runner, make_campaign, tmp_path):
    campaign_id = make_campaign(access_mode=AccessMode.open_link)
    assert_clean_failure(
        runner.invoke(args=["campaign", "codes", str(campaign_id), "--csv", str(tmp_path / "c.csv")]), "has no household codes"
    )


def test_slips_pdf_of_unspent_codes(app, client, runner, make_campaign, unspent_code, tmp_path):
    campaign_id = make_campaign()
    with app.app_context():
        keep = db.session.scalars(
            select(InvitationCode.id).filter_by(campaign_id=campaign_id).order_by(InvitationCode.id).limit(3)
        ).all()
        db.session.execute(delete(InvitationCode).where(InvitationCode.campaign_id == campaign_id, InvitationCode.id.not_in(keep)))
        db.session.commit()
    answer(client, unspent_code(campaign_id))
    out = tmp_path / "slips.pdf"
    result = runner.invoke(args=["campaign", "slips", str(campaign_id), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "written 2 slips" in result.output
    assert out.read_bytes().startswith(b"%PDF-")
    result = runner.invoke(args=["campaign", "slips", str(campaign_id), "--all", "--out", str(out)])
    assert "written 3 slips" in result.output
