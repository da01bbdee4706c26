"""The org tree's CSV export guards against formula injection and still imports back unchanged."""
import csv
import io

import pytest
from sqlalchemy import select

from survey.core.spreadsheets import FORMULA_STARTS
from survey.extensions import db
from survey.orgs import csvio
from survey.orgs.models import OrgUnit

HOSTILE = {
    "LJ0101-01": '=HYPERLINK("http://x")',
    "LJ0101-02": "+1",
    "LJ0101-03": "-1",
    "LJ0101-04": "@SUM(A1)",
    "LJ0101-05": "'=x",  # already looks escaped: must come back with its quote
    "LJ0101-06": "''@y",
    "LJ0101-07": "'plain",  # a quote before harmless text is left alone
}


def names(app) -> dict[str, str]:
    with app.app_context():
        return dict(db.session.execute(select(OrgUnit.code, OrgUnit.name)).all())


def set_names(app, new: dict[str, str], phone: str | None = None) -> None:
    with app.app_context():
        for code, name in new.items():
            unit = db.session.scalar(select(OrgUnit).filter_by(code=code))
            unit.name = name
        if phone is not None:
            db.session.scalar(select(OrgUnit).filter_by(code="LJ0101")).phone = phone
        db.session.commit()


def test_hostile_names_are_exported_guarded_and_import_back(app, runner, tmp_path, demo):
    set_names(app, HOSTILE, phone="+86 571 8600 1101")
    before = names(app)
    out = tmp_path / "export.csv"
    assert runner.invoke(args=["orgs", "export", str(out)]).exit_code == 0
    rows = {row["code"]: row for row in csv.DictReader(io.StringIO(out.read_text(encoding="utf-8")))}
    assert rows["LJ0101-01"]["name"] == '\'=HYPERLINK("http://x")'
    assert rows["LJ0101-02"]["name"] == "'+1"
    assert rows["LJ0101-03"]["name"] == "'-1"
    assert rows["LJ0101-04"]["name"] == "'@SUM(A1)"
    assert rows["LJ0101-05"]["name"] == "''=x"
    assert rows["LJ0101-06"]["name"] == "'''@y"
    assert rows["LJ0101-07"]["name"] == "'plain"
    assert rows["LJ0101"]["phone"] == "'+86 571 8600 1101"
    cells = [value for row in rows.values() for value in row.values()]
    assert not [value for value in cells if value.startswith(FORMULA_STARTS)]

    # The same file imported as it is changes nothing ...
    result = runner.invoke(args=["orgs", "import", str(out)])
    assert result.exit_code == 0 and "created 0, updated 0" in result.output, result.output
    # ... and after the names were changed, it gives them back exactly.
    set_names(app, {code: "改过的名字" for code in HOSTILE}, phone="0571")
    result = runner.invoke(args=["orgs", "import", str(out)])
    assert result.exit_code == 0 and f"updated {len(HOSTILE) + 1}" in result.output, result.output
    assert names(app) == before
    with app.app_context():
        assert db.session.scalar(select(OrgUnit.phone).filter_by(code="LJ0101")) == "+86 571 8600 1101"


def test_the_export_page_is_guarded_too(app, client, login):
    set_names(app, {"LJ0101-01": "=1+1"})
    login("committee")
    text = client.get("/orgs/LJ0101/export.csv").get_data(as_text=True).lstrip("\ufeff")
    assert "LJ0101-01,'=1+1,grid" in text


def test_a_typed_formula_without_quote_is_imported_as_it_is(app, runner, tmp_path):
    path = tmp_path / "typed.csv"
    path.write_text("code,name,level,parent_code\nHX,=1+1,district,\n", encoding="utf-8")
    assert runner.invoke(args=["orgs", "import", str(path)]).exit_code == 0
    assert names(app) == {"HX": "=1+1"}


@pytest.mark.parametrize(
    "text",
    ["", "好", "a=b", "'", "''", "'a", "=", "'=", "''=", "'''+1", "-1", "@", "\t1", "'\t1", "\r", "'\r", "1-", "'-'"],
)
def test_export_cell_and_import_cell_undo_each_other(text):
    assert csvio._import_cell(csvio._export_cell(text)) == text
    assert not csvio._export_cell(text).startswith(FORMULA_STARTS)
