"""A hand-worked appraisal cycle: every composite and grade of an eleven-cadre pool.

Weights of the cycle: K 0.5, D 0.3, J 0.2 (S and M 0), so A = 0.5 K + 0.3 D + 0.2 J + bonus - deduction.
D = (100 exc + 80 comp + 60 basic + 0 inc) / valid ballots; J 好 100, 较好 80, 一般 60, 较差 40.

  甲 K 98 D (1600+320)/20 = 96   J 100: 49 + 28.8 + 20 = 97.80  barred (sanction) -> competent, not_eligible
  乙 K 95 D (1400+480)/20 = 94   J 100: 47.5 + 28.2 + 20 = 95.70 -> excellent, rank 1
  丙 K 90 D (1000+800)/20 = 90   J 80:  45 + 27 + 16 = 88.00, excellent share 10/20
  丁 K 82 D 90                   J 100: 41 + 27 + 20 = 88.00, excellent share 10/20: tied with 丙 on
     both keys at ranks 2-3 while the quota allows 2 places -> both competent, tie_at_quota, rank 2
  戊 K 88 D (800+960)/20 = 88    J 80:  44 + 26.4 + 16 + 1.5 bonus = 87.90 -> eligible, rank 4, competent
  己 K 95 D (1200+80+420)/20 = 85 J 100: 47.5 + 25.5 + 20 = 93.00, but exc+comp 13/20 < 2/3 -> competent, not_eligible
  庚 K 80 D (500+400+120)/20 = 51 J 60: 40 + 15.3 + 12 = 67.30, incompetent 8/20 > 1/3 -> incompetent, needs_review
  辛 K 60 D (200+800+480)/20 = 74 J 60: 30 + 22.2 + 12 = 64.20 -> basic (exc+comp 12/20: not eligible)
  壬 K 40 D (800+600)/20 = 70    J 40:  20 + 21 + 8 = 49.00 -> incompetent (exc+comp 10/20: not eligible)
  癸 no K                                -> incomplete, no grade
  子 paper: 4 exc, 14 comp, 2 basic, 1 blank and 1 double-marked (void): D = (400+1120+120)/20 = 82
     K 75 J 80: 37.5 + 24.6 + 16 - 2 deduction = 76.10 -> competent (below 85, not ranked)

Ten cadres are graded (癸 is incomplete), Q = floor(0.2 x 10) = 2: 乙 takes one place, the tie at
the line takes none, one place is left unused.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from survey.appraisal import operations as ops
from survey.appraisal.models import Appraisal, AppraisalCycle, BallotTally, CycleStatus
from survey.core.audit import AuditEntry, verify_chain
from survey.core.errors import DomainError
from survey.extensions import db

EXPECTED = {
    "甲": ("97.80", "competent", ("not_eligible",), None),
    "乙": ("95.70", "excellent", (), 1),
    "丙": ("88.00", "competent", ("tie_at_quota",), 2),
    "丁": ("88.00", "competent", ("tie_at_quota",), 2),
    "戊": ("87.90", "competent", (), 4),
    "己": ("93.00", "competent", ("not_eligible",), None),
    "庚": ("67.30", "incompetent", ("needs_review", "not_eligible"), None),
    "辛": ("64.20", "basic", ("not_eligible",), None),
    "壬": ("49.00", "incompetent", ("not_eligible",), None),
    "子": ("76.10", "competent", (), None),
}
EXPECTED_D = {"甲": 96, "乙": 94, "丙": 90, "丁": 90, "戊": 88, "己": 85, "庚": 51, "辛": 74, "壬": 70, "癸": 90, "子": 82}


def _computed(app, cycle_id):
    cycle = db.session.get(AppraisalCycle, cycle_id)
    ops.compute(None, cycle)
    db.session.commit()
    return cycle


def by_name(cycle) -> dict[str, Appraisal]:
    return {a.cadre.name: a for a in cycle.appraisals}


def test_hand_worked_pool_reproduces_every_composite_and_grade(app, hand_cycle):
    with app.app_context():
        cycle = _computed(app, hand_cycle)
        rows = by_name(cycle)
        for name, d in EXPECTED_D.items():
            assert rows[name].d_score == Decimal(d), name
        for name, (score, grade, flags, rank) in EXPECTED.items():
            a = rows[name]
            assert a.status == "ok", name
            assert a.composite == Decimal(score), (name, a.composite)
            assert a.proposed_grade == grade, (name, a.proposed_grade)
            assert tuple(a.flag_list) == flags, (name, a.flag_list)
            assert a.rank == rank, (name, a.rank)
        assert rows["癸"].status == "incomplete" and rows["癸"].composite is None
        assert rows["癸"].proposed_grade is None and rows["癸"].flag_list == ["incomplete"]
        assert cycle.summary["places"] == 2 and cycle.summary["used"] == 1 and cycle.summary["unused"] == 1
        assert sorted(cycle.summary["tied"]) == sorted([rows["丙"].id, rows["丁"].id])
        assert cycle.status is CycleStatus.proposed
        assert all(a.config_version == cycle.config_version for a in rows.values())
        assert cycle.config_version.startswith("scoring-2025.1+")


def test_paper_ballots_apply_the_void_rules(app, hand_cycle):
    with app.app_context():
        cycle = db.session.get(AppraisalCycle, hand_cycle)
        zi = by_name(cycle)["子"]
        tally = db.session.scalar(select(BallotTally).filter_by(cycle_id=cycle.id, cadre_id=zi.cadre_id))
        assert (tally.excellent, tally.competent, tally.basic, tally.incompetent, tally.void) == (4, 14, 2, 0, 2)
        assert tally.source == "paper"
        assert ops.read_paper_ballot(["excellent", "basic"]) == (None, "several_marks")
        assert ops.read_paper_ballot([]) == (None, "blank")
        assert ops.read_paper_ballot(["maybe"]) == (None, "unreadable")
        with pytest.raises(DomainError):
            ops.key_paper_ballot(None, cycle, zi.cadre, 1, ["excellent"])  # number 1 already keyed


def test_a_differing_final_grade_needs_its_reason(app, hand_cycle):
    with app.app_context():
        cycle = _computed(app, hand_cycle)
        rows = by_name(cycle)
        with pytest.raises(DomainError):
            ops.confirm_grade(None, rows["丙"], "excellent", "")
        ops.confirm_grade(None, rows["丙"], "excellent", "党委会研究：并列者中丙牵头完成重点项目")
        ops.confirm_grade(None, rows["乙"], "excellent")
        db.session.commit()
        assert rows["丙"].final_grade == "excellent"
        with pytest.raises(DomainError):
            ops.confirm_grade(None, rows["癸"], "competent", "x")  # incomplete: no grade
        # the database refuses it too, whatever the code path
        with pytest.raises(IntegrityError):
            db.session.execute(text("UPDATE appraisal SET final_reason = '' WHERE id = :id"), {"id": rows["丙"].id})
            db.session.flush()
        db.session.rollback()


def _through_notice(cycle, rows):
    for a in cycle.appraisals:
        if a.status == "ok":
            ops.confirm_grade(None, a, a.proposed_grade)
    ops.start_notice(None, cycle, date(2025, 1, 6))  # a Monday


def test_notice_lasts_five_working_days_and_publish_freezes(app, hand_cycle):
    with app.app_context():
        cycle = _computed(app, hand_cycle)
        rows = by_name(cycle)
        with pytest.raises(DomainError):
            ops.start_notice(None, cycle, date(2025, 1, 6))  # grades not confirmed yet
        _through_notice(cycle, rows)
        assert cycle.notice_ends_on == date(2025, 1, 10)
        assert ops.add_working_days(date(2025, 1, 9), 5) == date(2025, 1, 15)  # Thu -> next Wed
        assert [a.cadre.name for a in ops.notice_list(cycle)] == ["乙"]
        objection = ops.add_objection(None, cycle, "乙同志年内有一项工作未完成", date(2025, 1, 7), rows["乙"])
        db.session.commit()
        with pytest.raises(DomainError):
            ops.publish(None, cycle, date(2025, 1, 10))  # still in the period, objection open
        ops.answer_objection(None, objection, "经核实，该项工作已于12月完成。", "dismissed")
        ops.publish(None, cycle, date(2025, 1, 11))
        db.session.commit()
        assert cycle.status is CycleStatus.published and cycle.published_at is not None

        with pytest.raises(DomainError):
            ops.confirm_grade(None, rows["丁"], "excellent", "改")
        rows["乙"].final_reason = "悄悄改"
        with pytest.raises(DomainError):
            db.session.flush()
        db.session.rollback()
        tally = db.session.scalar(select(BallotTally).filter_by(cycle_id=cycle.id))
        tally.excellent += 1
        with pytest.raises(DomainError):
            db.session.flush()
        db.session.rollback()
        cycle.status = CycleStatus.draft
        with pytest.raises(DomainError):
            db.session.flush()
        db.session.rollback()
        with pytest.raises(DomainError):
            ops.compute(None, cycle)
        db.session.rollback()
        actions = set(db.session.scalars(select(AuditEntry.action)))
        assert {"appraisal_cycle.create", "ballots.tally", "ballots.paper", "appraisal.inputs",
                "appraisal_cycle.compute", "appraisal.confirm", "appraisal_cycle.notice", "appraisal.objection",
                "appraisal.objection_answer", "appraisal_cycle.publish"} <= actions
        assert verify_chain().ok


def test_k_import_names_the_lines_in_error(app, hand_cycle):
    with app.app_context():
        cycle = db.session.get(AppraisalCycle, hand_cycle)
        bad = "cadre,K,J\n甲,91,好\n无此人,80,\n乙,abc,\n丙,120,\n丁,85,很好\n"
        with pytest.raises(ops.ImportRefused) as refused:
            ops.import_inputs(None, cycle, bad.splitlines(keepends=True))
        errors = refused.value.errors
        assert [e.split("：")[0] for e in errors] == ["第3行", "第4行", "第5行", "第6行"]
        assert by_name(cycle)["甲"].target_score == Decimal(98)  # all or nothing
        ops.import_inputs(None, cycle, ["cadre,K,J\n", "癸,77.5,较好\n"])
        assert by_name(cycle)["癸"].target_score == Decimal("77.5")
        assert by_name(cycle)["癸"].regular_level == "较好"
