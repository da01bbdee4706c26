import hashlib
import json

from sqlalchemy import select, text

from survey.core import audit
from survey.core.audit import GENESIS_HASH, AuditEntry, canonical_json, verify_chain
from survey.extensions import db


def test_entries_form_a_chain_of_sha256(app, demo):
    with app.app_context():
        entries = list(db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)))
        assert len(entries) > 40
        assert entries[0].prev_hash == GENESIS_HASH
        for before, entry in zip(entries, entries[1:]):
            assert entry.prev_hash == before.hash
        first = entries[0]
        # recompute by hand from the stored columns, independently of AuditEntry.compute_hash
        content = {
            "created_at": first.created_at.isoformat(timespec="microseconds"),
            "actor_id": first.actor_id,
            "actor_name": first.actor_name,
            "action": first.action,
            "object_type": first.object_type,
            "object_id": first.object_id,
            "unit_path": first.unit_path,
            "payload": json.loads(first.payload),
        }
        raw = GENESIS_HASH + json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        assert first.hash == hashlib.sha256(raw.encode()).hexdigest()
        assert verify_chain().ok


def test_verify_names_the_first_altered_entry(app, demo, runner):
    with app.app_context():
        target = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id).offset(10).limit(1)).one()
        target_id = target.id
        payload = json.loads(target.payload)
        payload["name"] = "被改过"
        # behind the log's back: plain SQL, as someone with database access would
        db.session.execute(
            text("UPDATE audit_entry SET payload = :p WHERE id = :id"), {"p": canonical_json(payload), "id": target_id}
        )
        db.session.commit()
        report = verify_chain()
        assert not report.ok and report.broken_id == target_id and report.entries == 10
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"entry {target_id}" in result.output


def test_verify_finds_a_deleted_entry(app, demo, runner):
    with app.app_context():
        db.session.execute(text("DELETE FROM audit_entry WHERE id = 5"))
        db.session.commit()
        report = verify_chain()
        assert not report.ok and report.broken_id == 6
    assert runner.invoke(args=["audit", "verify"]).exit_code == 1


def test_verify_command_passes_on_intact_chain(app, demo, runner):
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0
    assert "intact" in result.output


def test_changes_through_pages_are_logged(app, client, login):
    login("committee")
    client.submit("/orgs/LJ0101-02/edit", {"name": "第二网格", "households": "300", "residents": "700"})
    with app.app_context():
        last = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)).one()
        assert last.action == "org.update" and last.actor_name == "committee"
        assert last.payload_data["after"]["households"] == 300
        assert verify_chain().ok


def test_a_second_writer_cannot_fork_the_chain(app, demo):
    """Two entries claiming the same predecessor: the database refuses the second."""
    import pytest
    from sqlalchemy.exc import IntegrityError

    with app.app_context():
        head = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)).one()
        twin = AuditEntry(
            created_at=head.created_at, actor_name="x", action="x", object_type="x", object_id="1",
            payload="{}", prev_hash=head.prev_hash, hash="f" * 64,
        )
        db.session.add(twin)
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()


def test_public_verify_page(client, demo):
    page = client.get("/audit/verify")
    assert page.status_code == 200
    assert "日志链完整" in page.get_data(as_text=True)


def test_audit_log_page_is_scoped(app, client, login):
    from survey.orgs.operations import unit_by_code

    with app.app_context():
        audit.record("test.in_village", ("x", 1), unit=unit_by_code("LJ0202"))
        audit.record("test.in_chaoyang", ("x", 2), unit=unit_by_code("LJ0101"))
        db.session.commit()
    login("street")
    page = client.get("/audit/").get_data(as_text=True)
    assert "test.in_chaoyang" in page and "test.in_village" not in page
