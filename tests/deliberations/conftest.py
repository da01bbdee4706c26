"""Factories for matters on top of the demo district; fixtures reused from the e2e and survey suites."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from survey.extensions import db
from survey.orgs.operations import unit_by_code
from tests.questionnaires.conftest import make_campaign  # noqa: F401  (fixture reuse)


def local_today() -> date:
    """Today in the demo district's time zone (the app's BABEL_DEFAULT_TIMEZONE)."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    return datetime.now(ZoneInfo("Asia/Shanghai")).date()


@pytest.fixture
def make_matter(app, demo):
    """make_matter(stage="consultation", community="LJ0101") -> matter id, with every earlier record."""

    def make(stage: str = "proposal", community: str = "LJ0101", title: str = "3号楼加装电梯",
             review_started: date | None = None):
        from survey.deliberations import operations as ops
        from survey.deliberations.workflow import ORDER, Stage

        target = Stage(stage)
        with app.app_context():
            unit = unit_by_code(community)
            matter = ops.create_matter(None, unit, title, "3号楼老人上下楼困难，居民提议加装电梯。", "joint_signatures",
                                       "3号楼住户 王某等", 24)
            today = local_today()
            steps = ORDER[1:ORDER.index(target) + 1]
            for step in steps:
                if step is Stage.motion:
                    ops.move(None, matter, Stage.motion)
                elif step is Stage.consultation:
                    ops.record_motion(None, matter, today, "社区党委委员 5 人", True, "同意提交居民会议商议")
                    ops.move(None, matter, Stage.consultation)
                elif step is Stage.public_review:
                    ops.record_consultation(None, matter, "residents_meeting", today, 90, 60, 50, 6, 4, "会议纪要")
                    ops.move(None, matter, Stage.public_review)
                    started = review_started or today
                    ops.start_public_review(None, matter, "经居民会议表决通过，拟为3号楼加装电梯。", started)
                elif step is Stage.evaluation:
                    ops.move(None, matter, Stage.evaluation, today=(review_started or today) + timedelta(days=7))
            db.session.commit()
            return matter.id

    return make
