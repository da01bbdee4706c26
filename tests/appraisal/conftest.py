"""A hand-worked pool of eleven cadres (see test_appraisal_cycle.py for the arithmetic)."""
from __future__ import annotations

from decimal import Decimal

import pytest

from survey.appraisal import operations as ops
from survey.appraisal.models import BarKind, PostLevel
from survey.extensions import db
from survey.orgs.operations import unit_by_code

# Weights chosen so that a composite is easy to work by hand: A = 0.5 K + 0.3 D + 0.2 J.
WEIGHTS = {"K": 0.5, "D": 0.3, "J": 0.2, "S": 0.0, "M": 0.0}

# name: (K, J, ballots (excellent, competent, basic, incompetent), bonus, deduction, barred)
POOL = {
    "甲": (98, "好", (16, 4, 0, 0), 0, 0, True),
    "乙": (95, "好", (14, 6, 0, 0), 0, 0, False),
    "丙": (90, "较好", (10, 10, 0, 0), 0, 0, False),
    "丁": (82, "好", (10, 10, 0, 0), 0, 0, False),
    "戊": (88, "较好", (8, 12, 0, 0), Decimal("1.5"), 0, False),
    "己": (95, "好", (12, 1, 7, 0), 0, 0, False),
    "庚": (80, "一般", (5, 5, 2, 8), 0, 0, False),
    "辛": (60, "一般", (2, 10, 8, 0), 0, 0, False),
    "壬": (40, "较差", (0, 10, 10, 0), 0, 0, False),
    "癸": (None, "好", (10, 10, 0, 0), 0, 0, False),
    "子": (75, "较好", None, 0, 2, False),  # ballots keyed in on paper, see below
}
# 子's paper ballots: 4 excellent, 14 competent, 2 basic, then a blank and a double-marked one.
PAPER = [["excellent"]] * 4 + [["competent"]] * 14 + [["basic"]] * 2 + [[], ["excellent", "competent"]]


@pytest.fixture
def hand_cycle(app, demo):
    """make the pool on 滨江街道 (LJ01), deputy posts, year 2024; returns the cycle id."""
    with app.app_context():
        street = unit_by_code("LJ01")
        cadres = {}
        for name, (_, _, _, _, _, barred) in POOL.items():
            cadres[name] = ops.create_cadre(
                None, street, name, "副主任", PostLevel.deputy,
                bar_kind=BarKind.sanction if barred else None, bar_reason="2024年受党内警告处分" if barred else "")
        cycle = ops.create_cycle(None, street, 2024, PostLevel.deputy, {"weights": WEIGHTS})
        for name, (K, J, ballots, bonus, deduction, _) in POOL.items():
            appraisal = ops.appraisal_of(cycle, cadres[name])
            ops.set_inputs(None, appraisal, K=K, J=J, bonus=bonus, deduction=deduction)
            if ballots is not None:
                e, c, b, i = ballots
                ops.set_tally(None, cycle, cadres[name], excellent=e, competent=c, basic=b, incompetent=i, void=1)
        for serial, marks in enumerate(PAPER, start=1):
            ops.key_paper_ballot(None, cycle, cadres["子"], serial, marks)
        db.session.commit()
        return cycle.id
