"""The migrations build exactly the schema of the models, on SQLite and on PostgreSQL."""
from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from survey import create_app
from survey.extensions import db


def test_migrations_match_the_models(empty_database_url):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True, "compare_server_default": False})
            diff = compare_metadata(context, db.metadata)
        tables = set(inspect(db.engine).get_table_names())
        db.engine.dispose()
    assert diff == []
    assert {"org_unit", "user_account", "role_assignment", "audit_entry"} <= tables


def test_constraints_are_named_in_the_migrated_schema(empty_database_url):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        upgrade()
        inspector = inspect(db.engine)
        checks = {c["name"] for c in inspector.get_check_constraints("org_unit")}
        uniques = {c["name"] for c in inspector.get_unique_constraints("audit_entry")}
        db.engine.dispose()
    assert "ck_org_unit_households_not_negative" in checks
    assert "ck_org_unit_only_district_is_root" in checks
    assert "uq_audit_entry_prev_hash" in uniques


def test_downgrade_to_base_and_up_again(empty_database_url):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        upgrade()
        downgrade(revision="base")
        assert not {"org_unit", "audit_entry"} & set(inspect(db.engine).get_table_names())
        upgrade()
        assert "org_unit" in inspect(db.engine).get_table_names()
        db.engine.dispose()


def test_check_constraints_added_by_hand_are_in_the_migrated_schema(empty_database_url):
    """Autogenerate does not see CHECK constraints added to an existing table; these were written."""
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        upgrade()
        inspector = inspect(db.engine)
        campaign = {c["name"] for c in inspector.get_check_constraints("campaign")}
        org_unit = {c["name"]: c["sqltext"] for c in inspector.get_check_constraints("org_unit")}
        db.engine.dispose()
    assert {"ck_campaign_member_target_has_member", "ck_campaign_known_target_type"} <= campaign
    assert "department" in org_unit["ck_org_unit_org_level"]


def test_the_whistle_index_migration_names_opinions_with_two_open_whistles(empty_database_url, capfd):
    """Before 0007 only the application kept one open whistle per opinion: doubles left by a race
    stop the upgrade with a message naming the opinions, and the upgrade works once resolved."""
    from sqlalchemy import text

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        upgrade(revision="0006_appraisal")
        now = "2026-11-20 09:00:00"
        with db.engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO org_unit (id, code, name, level, parent_id, path, created_at) "
                f"VALUES (1, 'D', '区', 'district', NULL, '/1/', '{now}'), (2, 'B', '城管局', 'department', 1, '/1/2/', '{now}')"
            ))
            conn.execute(text(
                "INSERT INTO opinion (id, tracking_code, community_id, category, text, source, status, due_at, accepted_at, created_at) "
                f"VALUES (7, 'T123456789', 1, 'environment', '路灯坏了', 'resident', 'accepted', '2026-12-05 09:00:00', '{now}', '{now}')"
            ))
            for whistle_id in (1, 2):
                conn.execute(text(
                    "INSERT INTO whistle (id, opinion_id, department_id, status, request, sent_at, due_at, created_at) "
                    f"VALUES ({whistle_id}, 7, 2, 'sent', '请处理', '{now}', '2026-12-01 09:00:00', '{now}')"
                ))
        with pytest.raises(SystemExit):  # `flask db upgrade` prints the message and exits with 1
            upgrade()
        printed = capfd.readouterr()
        assert "Opinions with more than one open whistle (withdraw all but one, then upgrade again): 7" in printed.out + printed.err
        with db.engine.begin() as conn:
            conn.execute(text(f"UPDATE whistle SET status = 'withdrawn', withdrawn_at = '{now}' WHERE id = 2"))
        upgrade()
        assert "ix_whistle_one_open_per_opinion" in {i["name"] for i in inspect(db.engine).get_indexes("whistle")}
