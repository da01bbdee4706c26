"""Committee pages and the public board through the test client."""
from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from survey.core.audit import AuditEntry
from survey.deliberations import operations as ops
from survey.deliberations.models import Attachment, Matter, MatterTransition, Objection
from survey.deliberations.workflow import Stage
from survey.extensions import db
from tests.deliberations.conftest import local_today

def _image(fmt: str) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 30, 30)).save(out, format=fmt)
    return out.getvalue()


PNG = _image("PNG")
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
JPG = _image("JPEG")


def english(client):
    client.get("/lang/en")


def audit_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AuditEntry))


def stage_of(app, matter_id: int) -> Stage:
    with app.app_context():
        return db.session.get(Matter, matter_id).stage


# --- scoping --------------------------------------------------------------------------------


def test_another_communitys_committee_gets_403_on_every_matter_page(app, client, login, make_matter):
    matter_id = make_matter("public_review")
    with app.app_context():
        matter = db.session.get(Matter, matter_id)
        attachment = ops.add_attachment(None, matter, PNG, "sheet.png", "sign_in_sheet")
        ops.add_objection(matter, "电梯噪音怎么办？")
        db.session.commit()
        attachment_id = attachment.id
        objection_id = matter.review.objections[0].id
    base = f"/matters/{matter_id}"
    gets = [base, f"{base}/attachments/{attachment_id}", f"{base}/notice.pdf"]
    posts = [f"{base}/motion", f"{base}/consultation", f"{base}/attachments", f"{base}/review", f"{base}/evaluation",
             f"{base}/forward", f"{base}/move", f"{base}/objections/{objection_id}/answer"]
    login("village")  # committee of 桃源村 (LJ0202)
    token = client.csrf_token("/matters/")
    for url in gets:
        assert client.get(url).status_code == 403, url
    for url in posts:
        assert client.post(url, data={"csrf_token": token, "reason": "x", "answer": "x"}).status_code == 403, url
    # nor does their list show it
    assert "3号楼加装电梯" not in client.get("/matters/").get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Objection, objection_id).answer is None
    # the street above the community sees it; an anonymous visitor is sent to log in
    client.post("/logout", data={"csrf_token": token})
    login("street")
    assert client.get(base).status_code == 200
    assert "3号楼加装电梯" in client.get("/matters/").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": client.csrf_token("/matters/")})
    assert client.get(base).status_code == 302


# --- guards through the page ----------------------------------------------------------------


def test_a_refused_move_shows_its_reasons_and_changes_nothing(app, client, login, make_matter):
    matter_id = make_matter("consultation")
    login("committee")
    english(client)
    page = f"/matters/{matter_id}"
    response = client.submit(f"{page}/consultation", {
        "body": "residents_meeting", "held_on": local_today().isoformat(), "eligible_persons": "90",
        "present_persons": "42", "votes_for": "20", "votes_against": "12", "votes_abstain": "10", "minutes": "纪要",
    }, page=page)
    assert response.status_code == 302
    html = client.get(page).get_data(as_text=True)
    assert "Attendance is not more than half: 42 / 90" in html  # shown before anyone presses the button
    before = audit_count(app)
    response = client.submit(f"{page}/forward", {}, page=page)
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "The move was refused" in html
    assert "Attendance is not more than half: 42 / 90" in html
    assert "Votes in favour are not more than half of those present: 20 / 42" in html
    assert stage_of(app, matter_id) is Stage.consultation
    assert audit_count(app) == before
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(MatterTransition).filter_by(matter_id=matter_id)) == 2


def test_back_reject_and_withdraw_need_a_reason(app, client, login, make_matter):
    matter_id = make_matter("consultation")
    login("committee")
    page = f"/matters/{matter_id}"
    assert client.submit(f"{page}/move", {"target": "motion", "reason": ""}, page=page).status_code == 400
    assert stage_of(app, matter_id) is Stage.consultation
    assert client.submit(f"{page}/move", {"target": "public_review", "reason": "跳过"}, page=page).status_code == 400
    assert client.submit(f"{page}/move", {"target": "motion", "reason": "会议记录需补充"}, page=page).status_code == 302
    assert stage_of(app, matter_id) is Stage.motion
    assert client.submit(f"{page}/move", {"target": "withdrawn", "reason": "提议人撤回"}, page=page).status_code == 302
    with app.app_context():
        matter = db.session.get(Matter, matter_id)
        assert matter.stage is Stage.withdrawn and matter.end_reason == "提议人撤回"
        assert [t.kind.value for t in matter.transitions][-2:] == ["back", "withdraw"]
    public = client.get(f"/board/LJ0101/matters/{matter_id}").get_data(as_text=True)
    assert "提议人撤回" in public


def test_objection_on_the_board_is_stored_and_blocks_the_end_until_answered(app, client, login, make_matter):
    matter_id = make_matter("public_review", review_started=local_today() - timedelta(days=6))
    public = f"/board/LJ0101/matters/{matter_id}"
    board = client.get("/board/LJ0101").get_data(as_text=True)
    assert "3号楼加装电梯" in board and 'href="' + public + '#objection"' in board
    response = client.submit(f"{public}/objections", {
        "text": "<script>alert(1)</script>电梯占用消防通道吗？", "name": "李阿姨", "contact": "13800000000",
    }, page=public)
    assert response.status_code == 302 and "sent=1" in response.headers["Location"]
    html = client.get(public).get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;电梯占用消防通道吗？" in html and "<script>alert" not in html
    assert "李阿姨" not in html and "13800000000" not in html  # private
    with app.app_context():
        objection = db.session.scalar(select(Objection))
        assert objection.name == "李阿姨" and objection.contact == "13800000000" and objection.answer is None
        entry = db.session.scalar(select(AuditEntry).filter_by(action="matter.objection"))
        assert "李阿姨" not in entry.payload and "13800000000" not in entry.payload
        # freeze the period through the model: it started 7 days ago and ended today
        review = db.session.get(Matter, matter_id).review
        review.starts_on -= timedelta(days=1)
        review.ends_on -= timedelta(days=1)
        db.session.commit()
        objection_id = objection.id
    login("committee")
    english(client)
    page = f"/matters/{matter_id}"
    response = client.submit(f"{page}/forward", {}, page=page)
    assert response.status_code == 409
    assert "1 objections not answered" in response.get_data(as_text=True)
    assert "period is not over" not in response.get_data(as_text=True)
    assert stage_of(app, matter_id) is Stage.public_review
    assert client.submit(f"{page}/objections/{objection_id}/answer", {"answer": "不占用，已请消防部门核实。"}, page=page).status_code == 302
    assert client.submit(f"{page}/forward", {}, page=page).status_code == 302
    assert stage_of(app, matter_id) is Stage.evaluation
    html = client.get(public).get_data(as_text=True)
    assert "不占用，已请消防部门核实。" in html


def test_review_period_still_running_shows_days_left(app, client, login, make_matter):
    matter_id = make_matter("public_review", review_started=local_today() - timedelta(days=4))
    login("committee")
    english(client)
    html = client.get(f"/matters/{matter_id}").get_data(as_text=True)
    assert "The public review period is not over: 3 days left" in html


def test_objections_are_refused_outside_public_review_and_validated(app, client, make_matter):
    matter_id = make_matter("consultation")
    public = f"/board/LJ0101/matters/{matter_id}"
    assert 'id="objection"' not in client.get(public).get_data(as_text=True)
    other = make_matter("public_review", title="小区停车")
    token = client.csrf_token(f"/board/LJ0101/matters/{other}")
    assert client.post(f"{public}/objections", data={"csrf_token": token, "text": "反对"}).status_code == 400
    public = f"/board/LJ0101/matters/{other}"
    assert client.submit(f"{public}/objections", {"text": "长" * 1001}, page=public).status_code == 400
    assert client.submit(f"{public}/objections", {"text": "  "}, page=public).status_code == 400
    # without the CSRF token nothing is stored
    assert client.post(f"{public}/objections", data={"text": "反对"}).status_code == 400
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Objection)) == 0
    # another community's board does not show the matter
    assert client.get(f"/board/LJ0202/matters/{other}").status_code == 404
    assert client.get("/board/LJ01").status_code == 404  # a street has no board


@pytest.mark.app_config(OBJECTION_LIMIT="2 per minute")
def test_objections_are_rate_limited(app, client, make_matter):
    public = f"/board/LJ0101/matters/{make_matter('public_review')}"
    token = client.csrf_token(public)
    codes = [client.post(f"{public}/objections", data={"csrf_token": token, "text": f"意见{i}"}).status_code for i in range(3)]
    assert codes == [302, 302, 429]


# --- attachments ----------------------------------------------------------------------------


def upload(client, page, data: bytes, name: str, kind="sign_in_sheet"):
    return client.submit(f"{page}/attachments", {"kind": kind, "file": (io.BytesIO(data), name)},
                         page=page, content_type="multipart/form-data")


@pytest.mark.app_config(ATTACHMENT_MAX_BYTES=1024)
def test_attachments_checked_by_content_size_and_name(app, client, login, make_matter):
    matter_id = make_matter("consultation")
    login("committee")
    english(client)
    page = f"/matters/{matter_id}"
    response = upload(client, page, b"MZ\x90\x00 not a pdf at all", "minutes.pdf")
    assert response.status_code == 400 and "Only PDF, JPG and PNG files can be attached." in response.get_data(as_text=True)
    response = upload(client, page, b"<svg xmlns='http://www.w3.org/2000/svg'/>", "sheet.png")
    assert response.status_code == 400
    response = upload(client, page, PNG + b"\x00" * 4000, "big.png")
    assert response.status_code == 400 and "larger than" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Attachment)) == 0
    folder = Path(app.instance_path) / "attachments"
    before = set(folder.iterdir()) if folder.exists() else set()
    for data, name in [(PNG, "../../../etc/passwd.png"), (PDF, "..\\..\\minutes.exe"), (JPG, "/tmp/x/签到表.jpg")]:
        assert upload(client, page, data, name).status_code == 302
    with app.app_context():
        rows = db.session.scalars(select(Attachment).order_by(Attachment.id)).all()
        assert [r.display_name for r in rows] == ["passwd.png", "minutes.pdf", "签到表.jpg"]
        assert [r.content_type for r in rows] == ["image/png", "application/pdf", "image/jpeg"]
        stored = {folder / r.stored_name for r in rows}
        ids = [r.id for r in rows]
    created = set(folder.iterdir()) - before
    assert created == stored  # exactly these files, all inside the instance folder, none by the user's name
    for path in created:
        assert path.parent.resolve() == folder.resolve() and "passwd" not in path.name and "签到" not in path.name
    served = client.get(f"{page}/attachments/{ids[0]}")
    assert served.status_code == 200 and served.data == PNG and served.mimetype == "image/png"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert client.get(f"{page}/attachments/{ids[1]}").data == PDF
    # the public never gets an attachment
    client.post("/logout", data={"csrf_token": client.csrf_token(page)})
    assert client.get(f"{page}/attachments/{ids[0]}").status_code == 302


# --- the whole way through the pages, and the public view of it -----------------------------


def test_committee_takes_a_matter_through_all_stages(app, client, login, make_campaign):
    from survey.questionnaires import operations as qops
    from survey.questionnaires.models import Campaign

    login("committee")
    response = client.submit("/matters/new", {
        "unit": "LJ0101", "title": "健身器材更新", "description": "小区健身器材老化，建议更新。",
        "source_kind": "grid", "source_detail": "第2网格网格员",
    })
    assert response.status_code == 302
    matter_id = int(response.headers["Location"].rsplit("/", 1)[1])
    page = f"/matters/{matter_id}"
    today = local_today()
    assert client.submit(f"{page}/forward", {}, page=page).status_code == 302
    assert client.submit(f"{page}/motion", {"meeting_on": today.isoformat(), "attendees": "党委委员5人", "proceed": "yes",
                                            "decision": "同意提交商议"}, page=page).status_code == 302
    assert client.submit(f"{page}/forward", {}, page=page).status_code == 302
    assert client.submit(f"{page}/consultation", {
        "body": "residents_representatives", "held_on": today.isoformat(), "eligible_persons": "30",
        "present_persons": "20", "votes_for": "11", "votes_against": "5", "votes_abstain": "4",
    }, page=page).status_code == 302
    assert client.submit(f"{page}/forward", {}, page=page).status_code == 302
    assert client.submit(f"{page}/review", {"notice": "拟更新健身器材", "starts_on": (today - timedelta(days=7)).isoformat(),
                                            "days": "7"}, page=page).status_code == 302
    pdf = client.get(f"{page}/notice.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert client.submit(f"{page}/forward", {}, page=page).status_code == 302
    campaign_id = make_campaign()
    assert client.submit(f"{page}/evaluation", {"campaign": str(campaign_id)}, page=page).status_code == 302
    assert client.submit(f"{page}/forward", {}, page=page).status_code == 409  # the campaign is still open
    result = {"index": 81.2, "low": 78.4, "high": 84.3, "satisfied": 0.8, "responses": 120, "households": 300, "status": "ok"}
    with app.app_context():
        qops.close_campaign(None, db.session.get(Campaign, campaign_id), result)
        db.session.commit()
    assert client.submit(f"{page}/forward", {}, page=page).status_code == 302
    with app.app_context():
        matter = db.session.get(Matter, matter_id)
        assert matter.stage is Stage.closed and matter.evaluation.result["index"] == 81.2
        assert [t.to_stage.value for t in matter.transitions] == ["motion", "consultation", "public_review", "evaluation", "closed"]
    public = client.get(f"/board/LJ0101/matters/{matter_id}").get_data(as_text=True)
    assert public.count("b-step b-done") == 5 and "81.2" in public
    board = client.get("/board/LJ0101").get_data(as_text=True)
    assert "约 78 至 84 分" in board and "120 / 300" in board and "80%" in board


def test_board_hides_the_score_of_an_insufficient_sample(app, client, make_campaign):
    from survey.questionnaires import operations as qops
    from survey.questionnaires.models import Campaign

    campaign_id = make_campaign()
    with app.app_context():
        qops.close_campaign(None, db.session.get(Campaign, campaign_id), {
            "index": 66.6, "low": 40.1, "high": 90.2, "satisfied": 0.5, "responses": 4, "households": 300,
            "status": "insufficient_sample"})
        db.session.commit()
    board = client.get("/board/LJ0101").get_data(as_text=True)
    assert "样本不足" in board and "66.6" not in board and "4 / 300" in board
    assert "朝阳社区长者食堂" not in client.get("/board/LJ0202").get_data(as_text=True)


# --- the audit chain ------------------------------------------------------------------------


def test_a_tampered_audit_row_is_caught(app, client, runner, make_matter):
    matter_id = make_matter("public_review")
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0
    verify = f"/board/LJ0101/matters/{matter_id}/verify"
    english(client)
    assert "none altered" in client.get(verify).get_data(as_text=True)
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).filter_by(action="matter.consultation"))
        db.session.execute(text("UPDATE audit_entry SET payload = :p WHERE id = :id"),
                           {"p": entry.payload.replace('"for":50', '"for":80'), "id": entry.id})
        db.session.commit()
        broken = entry.id
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1 and f"BROKEN at entry {broken}" in result.output
    html = client.get(verify).get_data(as_text=True)
    assert f"The chain is broken at entry {broken}." in html and "none altered" not in html


def test_every_change_is_in_the_matters_audit_trail(app, make_matter):
    matter_id = make_matter("evaluation", review_started=local_today() - timedelta(days=7))
    with app.app_context():
        actions = [e.action for e in ops.matter_audit_entries(db.session.get(Matter, matter_id))]
    assert actions == ["matter.create", "matter.move", "matter.motion", "matter.move", "matter.consultation", "matter.move",
                       "matter.review", "matter.move"]


def test_home_lists_unanswered_objections_for_the_community_only(app, client, login):
    from survey.deliberations import operations as dops
    from survey.deliberations.workflow import Stage

    with app.app_context():
        from survey.orgs.operations import unit_by_code

        matter = dops.create_matter(None, unit_by_code("LJ0101"), "加装电梯", "老旧小区加装电梯", "party_organisation", "党支部")
        matter.stage = Stage.public_review
        db.session.flush()
        dops.start_public_review(None, matter, "拟在3号楼加装电梯")
        dops.add_objection(matter, "噪音怎么办？")
        db.session.commit()
    login("committee")
    assert "异议尚未答复" in client.get("/").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": client.csrf_token("/")})
    login("village")
    assert "异议尚未答复" not in client.get("/").get_data(as_text=True)


def test_community_tightens_its_rules_and_cannot_loosen_them(app, client, login):
    from survey.deliberations import workflow as wf
    from survey.orgs.operations import unit_by_code

    login("committee")
    page = "/matters/rules/LJ0101"
    assert client.get(page).status_code == 200
    fields = {f"{body.value}_{part}": "legal" for body in wf.Body for part in ("quorum", "majority")}
    stricter = {**fields, "review_days": "10", "min_signatures": "12", "residents_meeting_quorum": "2/3"}
    assert client.submit(page, stricter).status_code == 302
    with app.app_context():
        rules = ops.community_rules(unit_by_code("LJ0101"))
        assert rules.review_days == 10 and rules.min_signatures == 12
        assert rules.rule(wf.Body.residents_meeting).quorum.met(60, 90)  # two thirds of 90
        assert not rules.rule(wf.Body.residents_meeting).quorum.met(59, 90)
    looser = {**fields, "review_days": "5", "min_signatures": "12"}
    refused = client.submit(page, looser)
    assert refused.status_code == 400 and "公示期不得少于" in refused.get_data(as_text=True)
    with app.app_context():
        assert ops.community_rules(unit_by_code("LJ0101")).review_days == 10
    client.post("/logout", data={"csrf_token": client.csrf_token("/")})
    login("village")
    assert client.get(page).status_code == 403
