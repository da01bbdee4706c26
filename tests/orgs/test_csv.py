from pathlib import Path

from sqlalchemy import func, select

from survey.extensions import db
from survey.orgs.models import OrgLevel, OrgUnit

GOOD = """code,name,level,parent_code,kind,households,residents,phone
HX,海曙区,district,,,,,0574-1000
HX01,南门街道,street,HX,,,,
HX0101,尹江社区,community,HX01,urban,,,0574-2000
HX0101-01,第1网格,grid,HX0101,,320,810,
HX0101-02,第2网格,grid,HX0101,,275,640,
HX0102,高桥村,community,HX01,village,,,
HX0102-01,1组,grid,HX0102,,88,240,
"""


def write(tmp_path: Path, text: str, name="orgs.csv") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def count_units(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(OrgUnit.id)))


def test_import_creates_a_whole_tree(app, runner, tmp_path):
    result = runner.invoke(args=["orgs", "import", write(tmp_path, GOOD)])
    assert result.exit_code == 0, result.output
    assert "created 7" in result.output
    with app.app_context():
        grid = db.session.scalar(select(OrgUnit).filter_by(code="HX0101-02"))
        assert grid.level is OrgLevel.grid and grid.households == 275
        assert grid.path == "/HX/HX01/HX0101/HX0101-02/"
        assert [a.code for a in grid.ancestors] == ["HX", "HX01", "HX0101"]


def test_bad_rows_are_reported_by_line_and_nothing_is_imported(app, runner, tmp_path):
    bad = GOOD.replace("HX0101-02,第2网格,grid,HX0101,,275,640,", "HX0101-02,第2网格,grid,HX0101,,many,640,")
    bad = bad.replace("HX0102-01,1组,grid,HX0102,,88,240,", "HX0102-01,1组,grid,NOPE,,88,240,")
    bad += "HX0103,,community,HX01,rural,,,\n"
    result = runner.invoke(args=["orgs", "import", write(tmp_path, bad)])
    assert result.exit_code == 1
    out = result.output
    assert "第 6 行" in out and "households" in out  # line 6: households is not a number
    assert "第 8 行" in out and "NOPE" in out  # line 8: unknown parent
    assert "第 9 行" in out  # line 9: no name, unknown kind
    assert count_units(app) == 0


def test_level_must_match_the_parent(app, runner, tmp_path):
    wrong = "code,name,level,parent_code\nHX,海曙区,district,\nG1,网格,grid,HX\n"
    result = runner.invoke(args=["orgs", "import", write(tmp_path, wrong)])
    assert result.exit_code == 1 and "第 3 行" in result.output
    assert count_units(app) == 0


def test_duplicate_codes_and_missing_columns(app, runner, tmp_path):
    dup = "code,name,level,parent_code\nHX,海曙区,district,\nHX,又一个,district,\n"
    result = runner.invoke(args=["orgs", "import", write(tmp_path, dup)])
    assert result.exit_code == 1 and "第 3 行" in result.output and "第 2 行" in result.output
    result = runner.invoke(args=["orgs", "import", write(tmp_path, "code,name\nHX,海曙区\n", "cols.csv")])
    assert result.exit_code == 1 and "level" in result.output
    assert count_units(app) == 0


def test_export_then_import_round_trips(app, runner, tmp_path, demo):
    out = tmp_path / "export.csv"
    assert runner.invoke(args=["orgs", "export", str(out)]).exit_code == 0
    text = out.read_text(encoding="utf-8")
    assert text.splitlines()[0] == "code,name,level,parent_code,kind,households,residents,phone"
    assert len(text.splitlines()) == 1 + count_units(app)
    result = runner.invoke(args=["orgs", "import", str(out)])
    assert result.exit_code == 0 and "created 0, updated 0" in result.output
    lines = [l if not l.startswith("LJ0101-01,") else l.split(",")[0] + ",第一网格," + ",".join(l.split(",")[2:]) for l in text.splitlines()]
    result = runner.invoke(args=["orgs", "import", write(tmp_path, "\n".join(lines) + "\n", "changed.csv")])
    assert result.exit_code == 0 and "updated 1" in result.output
    with app.app_context():
        assert db.session.scalar(select(OrgUnit.name).filter_by(code="LJ0101-01")) == "第一网格"


def test_import_refuses_to_move_a_unit(app, runner, tmp_path, demo):
    moved = "code,name,level,parent_code\nLJ0101-01,第1网格,grid,LJ0102\n"
    result = runner.invoke(args=["orgs", "import", write(tmp_path, moved)])
    assert result.exit_code == 1 and "LJ0101-01" in result.output


def test_export_page_gives_the_subtree(client, login):
    login("committee")
    response = client.get("/orgs/LJ0101/export.csv")
    assert response.mimetype == "text/csv"
    rows = response.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert rows[1].startswith("LJ0101,朝阳社区,community,LJ01,urban")
    assert len(rows) == 1 + 1 + 8  # header, the community, its 8 grids


def test_departments_belong_to_a_district_or_street(app, runner, tmp_path):
    text = (
        "code,name,level,parent_code\nHX,海曙区,district,\nHX01,南门街道,street,HX\n"
        "HX-CG,区城管局,department,HX\nHX01-ZF,街道综合执法队,department,HX01\n"
    )
    assert runner.invoke(args=["orgs", "import", write(tmp_path, text)]).exit_code == 0
    wrong = "code,name,level,parent_code\nHX0101,尹江社区,community,HX01\nX-1,社区里的部门,department,HX0101\n"
    result = runner.invoke(args=["orgs", "import", write(tmp_path, wrong, "wrong.csv")])
    assert result.exit_code == 1 and "第 3 行" in result.output


def test_whitespace_for_an_optional_choice_is_refused_not_a_500(app, client, login):
    login("district")
    response = client.submit("/orgs/LJ0101/edit", {"name": "朝阳社区", "kind": "\r"})
    assert response.status_code == 200 and 'aria-invalid="true"' in response.get_data(as_text=True)
    with app.app_context():
        from survey.orgs.operations import unit_by_code

        assert unit_by_code("LJ0101").kind.value == "urban"
