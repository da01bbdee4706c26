"""The A4 notice poster, and a community's own (stricter) rules applied by the operations."""
from __future__ import annotations

import subprocess
from datetime import timedelta

import pytest

from survey.core.errors import DomainError
from survey.deliberations import operations as ops
from survey.deliberations import workflow as wf
from survey.deliberations.models import Matter
from survey.extensions import db
from survey.orgs.operations import unit_by_code
from tests.deliberations.conftest import local_today


def pdf_facts(pdf: bytes, tmp_path) -> tuple[int, str]:
    path = tmp_path / "notice.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return pages, text


@pytest.mark.app_config(PUBLIC_BASE_URL="https://zz.example.cn")
def test_notice_poster_is_one_a4_page_with_deadline_votes_and_link(app, client, login, make_matter, tmp_path):
    matter_id = make_matter("public_review")
    login("committee")
    response = client.get(f"/matters/{matter_id}/notice.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    pages, text = pdf_facts(response.data, tmp_path)
    assert pages == 1
    with app.app_context():
        review = db.session.get(Matter, matter_id).review
        last_day = review.last_day
    assert f"{last_day.year}年{last_day.month}月{last_day.day}日" in text
    assert "3号楼加装电梯" in text and "朝阳社区" in text
    for figure in ("90", "60", "50"):  # eligible, present, votes for
        assert figure in text
    assert f"https://zz.example.cn/board/LJ0101/matters/{matter_id}" in text.replace(" ", "").replace("\n", "")
    # no notice outside public review
    other = make_matter("consultation", title="停车位")
    assert client.get(f"/matters/{other}/notice.pdf").status_code == 404


def test_a_community_may_tighten_its_rules_but_not_loosen_them(app, demo, make_matter):
    with app.app_context():
        unit = unit_by_code("LJ0101")
        loose = wf.CommunityRules(review_days=5)
        with pytest.raises(ops.MoveRefused) as refused:
            ops.set_community_rules(None, unit, loose)
        assert [r.code for r in refused.value.reasons] == ["review_days_too_short"]
        strict_meeting = wf.tightened(wf.LEGAL_RULES[wf.Body.residents_meeting], quorum=wf.TWO_THIRDS)
        ops.set_community_rules(None, unit, wf.CommunityRules(
            review_days=10, quorum={**wf.LEGAL_RULES, wf.Body.residents_meeting: strict_meeting}))
        db.session.commit()
        rules = ops.community_rules(unit)
        assert rules.review_days == 10 and rules.rule(wf.Body.residents_meeting) == strict_meeting
        assert ops.community_rules(unit_by_code("LJ0102")) == wf.CommunityRules()  # the neighbour keeps the law's
    matter_id = make_matter("consultation")
    with app.app_context():
        matter = db.session.get(Matter, matter_id)
        ops.record_consultation(None, matter, "residents_meeting", local_today(), 90, 59, 50, 5, 4)
        reasons = ops.blocking(matter)
        assert [r.code for r in reasons] == ["no_quorum"] and reasons[0].params["needed"] == 60
        ops.record_consultation(None, matter, "residents_meeting", local_today(), 90, 60, 50, 5, 4)
        assert ops.blocking(matter) == []
        assert matter.consultation.rule["quorum"] == {"num": 2, "den": 3, "strict": False}
        ops.move(None, matter, "public_review")
        with pytest.raises(DomainError):  # the community's 10 days, not the default 7
            ops.start_public_review(None, matter, "公示", days=7)
        review = ops.start_public_review(None, matter, "公示")
        assert review.ends_on - review.starts_on == timedelta(days=10)
        db.session.commit()


def test_records_only_at_their_stage(app, make_matter):
    matter_id = make_matter("motion")
    with app.app_context():
        matter = db.session.get(Matter, matter_id)
        with pytest.raises(DomainError):
            ops.record_consultation(None, matter, "residents_meeting", local_today(), 90, 60, 50, 5, 4)
        with pytest.raises(DomainError):
            ops.start_public_review(None, matter, "公示")
        with pytest.raises(DomainError):
            ops.add_objection(matter, "反对")
        motion = ops.record_motion(None, matter, local_today(), "5人", False, "暂不提交")
        assert [r.code for r in ops.blocking(matter)] == ["motion_declined"]
        with pytest.raises(ops.MoveRefused):
            ops.move(None, matter, "consultation")
        assert motion.id and matter.stage is wf.Stage.motion
