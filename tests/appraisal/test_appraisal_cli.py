"""flask appraisal print, and the demo's appraisal seed."""
from __future__ import annotations

import subprocess
from datetime import date

from sqlalchemy import select

from survey.appraisal.models import AppraisalCycle, Cadre, CycleStatus
from survey.extensions import db


def test_print_command_writes_the_pool(app, runner, hand_cycle, tmp_path):
    from survey.appraisal import operations as ops

    with app.app_context():
        ops.compute(None, db.session.get(AppraisalCycle, hand_cycle))
        db.session.commit()
    out = tmp_path / "pool.pdf"
    result = runner.invoke(args=["appraisal", "print", "--cycle", "2024", "--unit", "LJ01", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "11 sheet(s)" in result.output
    info = subprocess.run(["pdfinfo", str(out)], check=True, capture_output=True, text=True).stdout
    assert "Pages:           11" in info
    missing = runner.invoke(args=["appraisal", "print", "--cycle", "2019", "--unit", "LJ01", "--out", str(out)])
    assert missing.exit_code != 0


def test_seed_appraisal_creates_last_years_published_cycle(app, demo):
    from survey.demo import seed_appraisal, seed_surveys

    with app.app_context():
        seed_surveys(date(2025, 3, 1))
        cycle_id = seed_appraisal(date(2025, 3, 1))
        db.session.commit()
        cycle = db.session.get(AppraisalCycle, cycle_id)
        assert cycle.year == 2024 and cycle.status is CycleStatus.published
        assert len(cycle.appraisals) == 10
        assert all(a.final_grade for a in cycle.appraisals if a.status == "ok")
        zhou = next(a for a in cycle.appraisals if a.cadre.name == "周建华")
        assert zhou.s_score is not None and zhou.m_score is not None
        assert seed_appraisal(date(2025, 3, 1)) is None  # safe to run again
        assert db.session.scalar(select(db.func.count(Cadre.id))) == 10
