"""Factories for projects, questionnaires and campaigns on top of the demo district."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from survey.extensions import db
from survey.orgs.operations import unit_by_code
from survey.projects.models import Project, ProjectStatus, ProjectType
from survey.questionnaires import operations as ops
from survey.questionnaires.models import AccessMode

CANTEEN_QUESTIONS = [
    {"type": "likert", "text": "您对长者食堂饭菜的口味满意吗？"},
    {"type": "likert", "text": "您对饭菜的价格满意吗？"},
    {"type": "likert", "text": "您对就餐环境和卫生满意吗？"},
    {"type": "likert", "text": "您对工作人员的服务态度满意吗？"},
    {"type": "single", "text": "您多久来一次？", "options": ["每天", "每周几次", "偶尔"], "required": False},
    {"type": "long_text", "text": "您还有什么意见和建议？", "required": False},
    {"type": "likert", "text": "总体来说，您对长者食堂满意吗？", "overall": True},
]


@pytest.fixture
def make_campaign(app, demo):
    """make_campaign(access_mode=..., questions=..., grids_households=None) -> campaign id (open)."""

    def make(access_mode=AccessMode.both, questions=CANTEEN_QUESTIONS, community="LJ0101", open_=True, codes=True):
        with app.app_context():
            unit = unit_by_code(community)
            project = Project(unit=unit, name="朝阳社区长者食堂", project_type=ProjectType.elderly_canteen, status=ProjectStatus.in_progress)
            db.session.add(project)
            questionnaire = ops.create_questionnaire(None, unit, "长者食堂满意度评议")
            version = questionnaire.versions[0]
            for spec in questions:
                ops.add_question(None, version, dict(spec))
            ops.publish(None, version)
            today = date.today()
            campaign = ops.create_campaign(
                None, unit, version, project, "朝阳社区长者食堂 满意度评议", access_mode,
                today - timedelta(days=1), today + timedelta(days=13), today + timedelta(days=20),
            )
            if codes and access_mode.uses_codes:
                ops.generate_codes(None, campaign)
            if open_:
                ops.open_campaign(None, campaign)
            db.session.commit()
            return campaign.id

    return make


@pytest.fixture
def unspent_code(app):
    def first(campaign_id: int, skip: int = 0) -> str:
        from sqlalchemy import select

        from survey.questionnaires.models import InvitationCode

        with app.app_context():
            return db.session.scalars(
                select(InvitationCode.code).filter_by(campaign_id=campaign_id, spent=False).order_by(InvitationCode.id).offset(skip).limit(1)
            ).one()

    return first


def full_answers(value: str = "4") -> dict[str, str]:
    """Form data answering every required question of CANTEEN_QUESTIONS."""
    return {"q_q1": value, "q_q2": value, "q_q3": value, "q_q4": value, "q_q7": value}
