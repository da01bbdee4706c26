"""Committee flows: build and publish a questionnaire, run a campaign, read and review results."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from survey.core.audit import AuditEntry, verify_chain
from survey.extensions import db
from survey.projects.models import Project
from survey.questionnaires import operations as ops
from survey.questionnaires.models import (
    Campaign, CampaignStatus, InvitationCode, Questionnaire, QuestionnaireVersion, Response, VersionStatus,
)
from tests.questionnaires.conftest import full_answers


def post_answer(client, code: str, answers: dict[str, str]):
    html = client.get(f"/c/{code}").get_data(as_text=True)
    hidden = dict(re.findall(r'name="(submission_id|started|csrf_token)" type="hidden" value="([^"]*)"', html))
    return client.post(f"/c/{code}", data={**hidden, **answers})


def test_committee_builds_publishes_and_versions_a_questionnaire(app, client, login):
    login("committee")
    response = client.submit("/questionnaires/new", {"unit": "LJ0101", "title": "垃圾分类屋评议", "intro": "请如实评价"})
    assert response.status_code == 302
    qid = int(response.headers["Location"].rsplit("/", 1)[1])
    page = f"/questionnaires/{qid}"
    for text, overall in [("分类屋的卫生状况", ""), ("开放时间是否方便", ""), ("总体满意度", "y")]:
        data = {"type": "likert", "text": text, "required": "y", "dont_know": "y", "weight": "1"}
        if overall:
            data["overall"] = "y"
        assert client.submit(f"{page}/questions", data, page=page).status_code == 302
    client.submit(f"{page}/questions", {"type": "single", "text": "您多久去一次", "options": "每天\n每周\n很少", "weight": "1"}, page=page)
    assert client.submit(f"{page}/questions/q2/up", {}, page=page).status_code == 302
    assert client.submit(f"{page}/publish", {}, page=page).status_code == 302
    with app.app_context():
        version = db.session.scalar(select(QuestionnaireVersion).filter_by(questionnaire_id=qid))
        assert version.status is VersionStatus.published
        assert [q["text"] for q in version.questions][:2] == ["开放时间是否方便", "分类屋的卫生状况"]
        assert version.overall_key == "q3"
    # a published version cannot change: the builder refuses and the database guard too
    client.submit(f"{page}/questions", {"type": "likert", "text": "新题", "weight": "1"}, page=page)
    with app.app_context():
        assert len(db.session.scalar(select(QuestionnaireVersion).filter_by(questionnaire_id=qid)).questions) == 4
    # editing makes a new draft version, copied from the published one
    assert client.submit(f"{page}/new-version", {}, page=page).status_code == 302
    client.submit(f"{page}/questions", {"type": "likert", "text": "新题", "weight": "1"}, page=page)
    with app.app_context():
        versions = db.session.scalars(select(QuestionnaireVersion).filter_by(questionnaire_id=qid).order_by(QuestionnaireVersion.number)).all()
        assert [v.number for v in versions] == [1, 2]
        assert len(versions[0].questions) == 4 and len(versions[1].questions) == 5


def test_a_published_version_cannot_be_changed_by_any_code_path(app, make_campaign):
    make_campaign()
    with app.app_context():
        version = db.session.scalars(select(QuestionnaireVersion)).first()
        with pytest.raises(ops.FrozenVersionError):
            ops.add_question(None, version, {"type": "likert", "text": "x"})
        version.questions = version.questions + [{"key": "q99", "type": "likert", "text": "偷偷加的"}]
        with pytest.raises(ops.FrozenVersionError):
            db.session.flush()
        db.session.rollback()
        version = db.session.scalars(select(QuestionnaireVersion)).first()
        version.intro = "改过的介绍"
        with pytest.raises(ops.FrozenVersionError):
            db.session.commit()


def test_a_response_to_an_old_version_still_reports_correctly(app, client, make_campaign, unspent_code):
    campaign_id = make_campaign()
    code = unspent_code(campaign_id)
    assert post_answer(client, code, full_answers("5")).status_code == 302
    with app.app_context():
        campaign = db.session.get(Campaign, campaign_id)
        old_version_id = campaign.version_id
        draft = ops.new_draft(None, campaign.version.questionnaire)
        ops.remove_question(None, draft, "q1")
        ops.publish(None, draft)
        db.session.commit()
        response = db.session.scalars(select(Response)).one()
        assert response.version_id == old_version_id
        assert {a.question_key for a in response.answers} >= {"q1", "q7"}
        from survey.questionnaires.results import campaign_results

        result = campaign_results(campaign)
        item = next(i for i in result.items if i.key == "q1")
        assert item.answered == 1 and item.text == "您对长者食堂饭菜的口味满意吗？"


def test_campaign_lifecycle_codes_results_and_freezing(app, client, login, make_campaign, unspent_code):
    campaign_id = make_campaign(open_=False, codes=False)
    login("committee")
    page = f"/campaigns/{campaign_id}"
    assert client.submit(f"{page}/codes", {}, page=page).status_code == 302
    with app.app_context():
        campaign = db.session.get(Campaign, campaign_id)
        codes = db.session.scalars(select(InvitationCode).filter_by(campaign_id=campaign_id)).all()
        households = sum(g.households for g in ops.campaign_grids(campaign))
        assert len(codes) == households and len({c.code for c in codes}) == households
    # not open yet: the resident is told it has not started
    assert "本次评议尚未开始" in client.get(f"/c/{codes[0].code}").get_data(as_text=True)
    assert client.submit(f"{page}/open", {}, page=page).status_code == 302
    resident = app.test_client()
    for i in range(6):
        value = "5" if i % 2 else "4"  # respondent scores 85 and 75: (100 + 75 + v + 50 + v) / 5
        answers = {"q_q1": "5", "q_q2": "4", "q_q3": value, "q_q4": "3", "q_q7": value}
        assert post_answer(resident, unspent_code(campaign_id), answers).status_code == 302
    results = client.get(f"{page}/results").get_data(as_text=True)
    assert "样本不足" in results  # 6 valid responses < 30
    assert "6 / " in results
    assert "<svg" in results
    assert client.submit(f"{page}/close", {}, page=page).status_code == 302
    with app.app_context():
        campaign = db.session.get(Campaign, campaign_id)
        assert campaign.status is CampaignStatus.closed
        assert campaign.frozen_result["responses"] == 6
        assert campaign.frozen_result["status"] == "insufficient_sample"
        assert campaign.frozen_result["n_valid"] == 6
        assert campaign.frozen_result["index"] == pytest.approx(80.0)
    # a closed campaign refuses answers
    assert "本次评议已结束" in resident.get(f"/c/{unspent_code(campaign_id)}").get_data(as_text=True)
    # and cannot be opened again
    client.submit(f"{page}/open", {}, page=page)
    with app.app_context():
        assert db.session.get(Campaign, campaign_id).status is CampaignStatus.closed


def test_exclude_and_restore_with_reason_are_audited(app, client, login, make_campaign, unspent_code):
    campaign_id = make_campaign()
    post_answer(app.test_client(), unspent_code(campaign_id), full_answers("1"))
    login("committee")
    with app.app_context():
        response_id = db.session.scalar(select(Response.id))
    url = f"/campaigns/{campaign_id}/responses/{response_id}"
    page = f"/campaigns/{campaign_id}/results"
    assert client.submit(f"{url}/exclude", {"reason": ""}, page=page).status_code == 302
    with app.app_context():
        assert not db.session.get(Response, response_id).excluded
    client.submit(f"{url}/exclude", {"reason": "网格员核实为同一户重复填写"}, page=page)
    with app.app_context():
        response = db.session.get(Response, response_id)
        assert response.excluded and response.excluded_reason == "网格员核实为同一户重复填写"
    assert "网格员核实为同一户重复填写" in client.get(page).get_data(as_text=True)
    client.submit(f"{url}/restore", {"reason": "复核后确认有效"}, page=page)
    with app.app_context():
        assert not db.session.get(Response, response_id).excluded
        actions = [e.action for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
        assert actions[-2:] == ["response.exclude", "response.restore"]
        assert verify_chain().ok


def test_campaign_pages_are_scoped(app, client, login, make_campaign):
    campaign_id = make_campaign()
    login("village")
    assert client.get(f"/campaigns/{campaign_id}").status_code == 403
    assert client.get(f"/campaigns/{campaign_id}/results").status_code == 403
    assert "朝阳社区长者食堂" not in client.get("/campaigns/").get_data(as_text=True)
    response = client.submit(f"/campaigns/{campaign_id}/close", {}, page="/campaigns/")
    assert response.status_code == 403
    with app.app_context():
        assert db.session.get(Campaign, campaign_id).status is CampaignStatus.open


def test_grid_worker_entering_for_a_household_marks_the_response_assisted(app, client, login, make_campaign, unspent_code):
    campaign_id = make_campaign()
    login("grid")
    page = client.get(f"/c/{unspent_code(campaign_id)}").get_data(as_text=True)
    assert "协助填写" in page
    post_answer(client, unspent_code(campaign_id), full_answers())
    with app.app_context():
        assert db.session.scalars(select(Response)).one().assisted


def test_district_template_is_reused_by_a_community(app, client, login):
    with app.app_context():
        from survey.orgs.operations import unit_by_code

        template = ops.create_questionnaire(None, unit_by_code("LJ"), "长者食堂满意度（区模板）", is_template=True)
        ops.add_question(None, template.versions[0], {"type": "likert", "text": "总体满意度", "overall": True})
        ops.publish(None, template.versions[0])
        db.session.commit()
        template_id = template.id
    login("committee")
    listing = client.get("/questionnaires/").get_data(as_text=True)
    assert "长者食堂满意度（区模板）" in listing
    response = client.submit(f"/questionnaires/{template_id}/copy", {}, page="/questionnaires/")
    assert response.status_code == 302
    with app.app_context():
        copies = db.session.scalars(select(Questionnaire).filter_by(is_template=False)).all()
        assert [c.unit.code for c in copies] == ["LJ0101"]
        assert copies[0].versions[0].questions[0]["text"] == "总体满意度"
    # a community cannot make templates
    refused = client.submit("/questionnaires/new", {"unit": "LJ0101", "title": "社区模板", "is_template": "y"})
    assert refused.status_code == 200


def test_project_is_added_and_listed_in_scope(app, client, login):
    login("committee")
    response = client.submit(
        "/projects/new",
        {"unit": "LJ0101", "name": "朝阳社区垃圾分类屋", "project_type": "garbage_sorting", "status": "in_progress",
         "start_date": "2026-03-01", "end_date": "2026-02-01"},
    )
    assert response.status_code == 200 and "不能早于" in response.get_data(as_text=True)
    response = client.submit(
        "/projects/new",
        {"unit": "LJ0101", "name": "朝阳社区垃圾分类屋", "project_type": "garbage_sorting", "status": "in_progress",
         "start_date": "2026-03-01", "responsible": "张丽"},
    )
    assert response.status_code == 302
    assert "朝阳社区垃圾分类屋" in client.get("/projects/").get_data(as_text=True)
    assert client.submit("/projects/new", {"unit": "LJ0202", "name": "越界", "project_type": "other", "status": "planned"}).status_code == 200
    with app.app_context():
        assert db.session.scalar(select(Project).filter_by(name="越界")) is None


def test_results_follow_new_responses_and_exclusions(app, client, login, make_campaign, unspent_code):
    campaign_id = make_campaign()
    resident = app.test_client()
    post_answer(resident, unspent_code(campaign_id), {"q_q1": "5", "q_q2": "4", "q_q3": "3", "q_q4": "4", "q_q7": "4"})
    login("committee")
    page = f"/campaigns/{campaign_id}/results"
    assert "1 / " in client.get(page).get_data(as_text=True)
    post_answer(resident, unspent_code(campaign_id), {"q_q1": "2", "q_q2": "4", "q_q3": "3", "q_q4": "4", "q_q7": "2"})
    assert "2 / " in client.get(page).get_data(as_text=True)
    with app.app_context():
        from survey.questionnaires.results import campaign_results

        first_id = db.session.scalars(select(Response.id).order_by(Response.id)).first()
        before = campaign_results(db.session.get(Campaign, campaign_id)).index.n_valid
        ops.set_excluded(None, db.session.get(Response, first_id), True, "核实为重复")
        db.session.commit()
        after = campaign_results(db.session.get(Campaign, campaign_id)).index.n_valid
    assert (before, after) == (2, 1)


def test_a_removed_questions_key_is_never_reused(app, make_campaign):
    make_campaign()
    with app.app_context():
        questionnaire = db.session.scalars(select(Questionnaire)).first()
        draft = ops.new_draft(None, questionnaire)
        ops.remove_question(None, draft, "q3")
        ops.remove_question(None, draft, "q7")
        added = ops.add_question(None, draft, {"type": "likert", "text": "新的一题"})
        assert added["key"] == "q8"
        assert "q3" not in {q["key"] for q in draft.questions}


def test_downloads_codes_slips_and_exports(app, client, login, make_campaign, unspent_code):
    campaign_id = make_campaign()
    post_answer(app.test_client(), unspent_code(campaign_id), full_answers())
    login("committee")
    codes = client.get(f"/campaigns/{campaign_id}/codes.csv")
    lines = codes.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert lines[0] == "code,url,grid" and lines[1].split(",")[1].endswith("/c/" + lines[1].split(",")[0])
    slips = client.get(f"/campaigns/{campaign_id}/slips.pdf?grid=LJ0101-01")
    assert slips.mimetype == "application/pdf" and slips.data.startswith(b"%PDF")
    whole = client.get(f"/campaigns/{campaign_id}/slips.pdf")  # 2,687 households: too many for one request
    assert whole.status_code == 302
    assert client.get(f"/campaigns/{campaign_id}/slips.pdf?grid=LJ0202-01").status_code == 404
    export = client.get(f"/campaigns/{campaign_id}/responses.csv")
    rows = export.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert len(rows) == 2 and "满意" in rows[1]
    assert client.get(f"/campaigns/{campaign_id}/responses.xlsx").data[:2] == b"PK"
    assert client.get(f"/campaigns/{campaign_id}/responses.txt").status_code == 404


def test_downloads_need_the_right_to_manage(app, client, login, make_campaign):
    campaign_id = make_campaign()
    login("auditor")
    for path in ("codes.csv", "slips.pdf?grid=LJ0101-01", "responses.csv"):
        assert client.get(f"/campaigns/{campaign_id}/{path}").status_code == 403


def test_exclude_a_response_by_its_receipt(app, client, login, make_campaign, unspent_code):
    campaign_id = make_campaign()
    post_answer(app.test_client(), unspent_code(campaign_id), {"q_q1": "5", "q_q2": "4", "q_q3": "3", "q_q4": "4", "q_q7": "4"})
    with app.app_context():
        receipt = db.session.scalar(select(Response.receipt))
    login("committee")
    page = f"/campaigns/{campaign_id}/results"
    client.submit(f"/campaigns/{campaign_id}/exclude-by-receipt", {"receipt": "NOPE", "reason": "x"}, page=page)
    client.submit(f"/campaigns/{campaign_id}/exclude-by-receipt", {"receipt": receipt.lower(), "reason": "同户重复"}, page=page)
    with app.app_context():
        assert db.session.scalar(select(Response.excluded_reason)) == "同户重复"


def test_home_lists_campaigns_closing_soon(app, client, login, make_campaign):
    campaign_id = make_campaign()
    with app.app_context():
        campaign = db.session.get(Campaign, campaign_id)
        campaign.closes_on = date.today() + timedelta(days=2)
        db.session.commit()
    login("committee")
    home = client.get("/").get_data(as_text=True)
    assert "3 天内结束" in home
    client.post("/logout", data={"csrf_token": client.csrf_token("/")})
    login("village")
    assert "3 天内结束" not in client.get("/").get_data(as_text=True)
