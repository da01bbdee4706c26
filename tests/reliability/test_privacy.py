"""Personal data: purged after the retention period, never in public exports, never in the logs."""
from __future__ import annotations

import io
import logging
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from survey.core.audit import AuditEntry, verify_chain
from survey.core.db import utcnow
from survey.extensions import db
from tests.deliberations.conftest import local_today, make_matter  # noqa: F401  (fixture reuse)
from tests.opinions.opinion_helpers import image_bytes, submit_public, tracking_code
from tests.questionnaires.conftest import full_answers, make_campaign, unspent_code  # noqa: F401

NAME, PHONE = "隐私姓名甲", "13912345678"
OBJ_NAME, OBJ_CONTACT = "隐私姓名乙", "13700009999"


@pytest.fixture
def photos(app, tmp_path) -> Path:
    folder = tmp_path / "photos"
    app.config["OPINION_PHOTO_FOLDER"] = str(folder)
    return folder


def age(app, model, days: int, **where) -> None:
    with app.app_context():
        db.session.execute(update(model).filter_by(**where).values(created_at=utcnow() - timedelta(days=days)))
        db.session.commit()


def object_on_board(client, matter_id: int, text: str, **fields):
    public = f"/board/LJ0101/matters/{matter_id}"
    return client.submit(f"{public}/objections", {"text": text, **fields}, page=public)


@pytest.fixture
def personal_data(app, client, demo, photos, make_matter):
    """Two opinions with contact and photo (one old, one recent) and two objections (old, recent)."""
    from survey.deliberations.models import Objection
    from survey.opinions.models import Opinion

    old = tracking_code(submit_public(client, text="旧意见：路灯坏了", contact_name=NAME, contact_phone=PHONE,
                                      photo=(io.BytesIO(image_bytes("PNG")), "a.png", "image/png")))
    new = tracking_code(submit_public(client, text="新意见：井盖松动", contact_name="新姓名", contact_phone="13600000000",
                                      photo=(io.BytesIO(image_bytes("JPEG")), "b.jpg", "image/jpeg")))
    matter_id = make_matter("public_review", review_started=local_today() - timedelta(days=2))
    assert object_on_board(client, matter_id, "旧异议", name=OBJ_NAME, contact=OBJ_CONTACT).status_code == 302
    assert object_on_board(client, matter_id, "新异议", name="新异议人", contact="13500000000").status_code == 302
    age(app, Opinion, 400, tracking_code=old)
    age(app, Objection, 400, text="旧异议")
    with app.app_context():
        files = dict(db.session.execute(select(Opinion.tracking_code, Opinion.photo_file)).all())
    assert all((photos / name).exists() for name in files.values())
    return {"old": old, "new": new, "files": files, "matter_id": matter_id}


def test_purge_clears_contacts_and_photos_past_retention_and_keeps_the_chain(app, runner, personal_data, photos):
    from survey.deliberations.models import Objection
    from survey.opinions.models import Opinion

    with app.app_context():
        entries_before = verify_chain().entries
        payloads = "\n".join(db.session.scalars(select(AuditEntry.payload)))
        # The audit payloads never held the personal data, so clearing it cannot break a hash.
        for secret in (NAME, PHONE, OBJ_NAME, OBJ_CONTACT, *personal_data["files"].values()):
            assert secret not in payloads

    dry = runner.invoke(args=["purge-personal-data", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "would purge" in dry.output and "opinion contacts 1, opinion photos 1, objection contacts 1" in dry.output
    with app.app_context():
        assert db.session.scalar(select(Opinion.contact_phone).filter_by(tracking_code=personal_data["old"])) == PHONE
        assert verify_chain().entries == entries_before  # a dry run writes nothing

    result = runner.invoke(args=["purge-personal-data"])  # default: PERSONAL_DATA_RETENTION_DAYS = 365
    assert result.exit_code == 0, result.output
    assert "purged" in result.output and "opinion contacts 1, opinion photos 1, objection contacts 1" in result.output
    old_file, new_file = personal_data["files"][personal_data["old"]], personal_data["files"][personal_data["new"]]
    assert not (photos / old_file).exists() and (photos / new_file).exists()
    with app.app_context():
        old = db.session.scalar(select(Opinion).filter_by(tracking_code=personal_data["old"]))
        new = db.session.scalar(select(Opinion).filter_by(tracking_code=personal_data["new"]))
        assert (old.contact_name, old.contact_phone, old.photo_file) == (None, None, None)
        assert old.text == "旧意见：路灯坏了"  # the opinion itself stays
        assert (new.contact_name, new.contact_phone, new.photo_file) == ("新姓名", "13600000000", new_file)
        objections = {o.text: o for o in db.session.scalars(select(Objection))}
        assert (objections["旧异议"].name, objections["旧异议"].contact) == (None, None)
        assert (objections["新异议"].name, objections["新异议"].contact) == ("新异议人", "13500000000")
        report = verify_chain()
        assert report.ok and report.entries == entries_before + 1
        entry = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
        assert entry.action == "personal_data_purged"
        data = entry.payload_data
        assert (data["opinion_contacts"], data["opinion_photos"], data["objection_contacts"]) == (1, 1, 1)
        assert data["older_than_days"] == 365
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0

    again = runner.invoke(args=["purge-personal-data"])
    assert "opinion contacts 0, opinion photos 0, objection contacts 0" in again.output
    everything = runner.invoke(args=["purge-personal-data", "--older-than", "0"])
    assert "opinion contacts 1, opinion photos 1, objection contacts 1" in everything.output
    assert not (photos / new_file).exists()
    assert runner.invoke(args=["purge-personal-data", "--older-than", "-1"]).exit_code == 2


@pytest.mark.app_config(PERSONAL_DATA_RETENTION_DAYS=500)
def test_retention_period_comes_from_the_settings(app, runner, personal_data):
    result = runner.invoke(args=["purge-personal-data"])
    assert "opinion contacts 0, opinion photos 0, objection contacts 0" in result.output  # 400 days < 500


def test_public_pages_and_exports_hold_no_personal_data(app, client, login, personal_data, make_campaign, unspent_code):
    from tests.questionnaires.test_committee import post_answer

    campaign_id = make_campaign()
    post_answer(app.test_client(), unspent_code(campaign_id), full_answers())
    matter_id = personal_data["matter_id"]
    secrets = (NAME, PHONE, OBJ_NAME, OBJ_CONTACT, "新异议人", "13500000000", *personal_data["files"].values())
    public = [f"/board/LJ0101", f"/board/LJ0101/matters/{matter_id}", f"/board/LJ0101/matters/{matter_id}/verify",
              f"/opinions/track/{personal_data['old']}", f"/opinions/receipt/{personal_data['old']}"]
    for url in public:
        page = client.get(url)
        assert page.status_code == 200, url
        html = page.get_data(as_text=True)
        assert not [s for s in secrets if s in html], url
    assert "旧异议" in client.get(f"/board/LJ0101/matters/{matter_id}").get_data(as_text=True)
    login("committee")
    for fmt in ("csv", "xlsx"):
        export = client.get(f"/campaigns/{campaign_id}/responses.{fmt}")
        assert export.status_code == 200
        data = export.data
        if fmt == "xlsx":
            import openpyxl

            book = openpyxl.load_workbook(io.BytesIO(data))
            data = "\n".join(str(c.value) for sheet in book for row in sheet.iter_rows() for c in row).encode()
        assert not [s for s in secrets if s.encode() in data], fmt


def test_logs_never_hold_the_contact(app, client, demo, photos, caplog):
    from survey.opinions.models import Opinion

    app.logger.setLevel(logging.DEBUG)
    with caplog.at_level(logging.DEBUG):
        logging.getLogger().setLevel(logging.DEBUG)
        response = submit_public(client, text="楼道灯坏了", contact_name=NAME, contact_phone=PHONE,
                                 photo=(io.BytesIO(image_bytes("PNG")), "p.png", "image/png"))
        # A refused submission (bad phone) must not log what was typed either.
        refused = submit_public(client, text="楼道灯坏了", contact_name=NAME, contact_phone=PHONE + "<x>")
        app.logger.info("capture check")  # the capture does see the app's records
    assert response.status_code == 302 and refused.status_code in (200, 400, 422)
    with app.app_context():
        assert db.session.scalar(select(Opinion.contact_phone)) == PHONE  # it was stored, so it passed through
    records = caplog.records
    assert any(r.getMessage() == "capture check" for r in records)
    for record in records:
        text = record.getMessage() + repr(record.args) + repr(getattr(record, "__dict__", {}))
        assert PHONE not in text and NAME not in text, record
