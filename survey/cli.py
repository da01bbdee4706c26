"""``flask`` sub-commands: seed-demo, orgs import/export, users create, audit verify, backup, restore,
purge-personal-data."""
from __future__ import annotations

import os
import sys

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from survey.core.errors import DomainError
from survey.extensions import db

orgs_cli = AppGroup("orgs", help="The org tree.")
users_cli = AppGroup("users", help="Accounts.")
audit_cli = AppGroup("audit", help="The hash-chained audit log.")


@orgs_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def orgs_import(path: str) -> None:
    """Create or update org units from a CSV file (see docs/orgs-csv.md). All or nothing."""
    from survey.orgs.csvio import ImportRefused, import_units

    with open(path, encoding="utf-8-sig", newline="") as stream:
        try:
            report = import_units(None, stream)
        except ImportRefused as refused:
            db.session.rollback()
            click.echo(str(refused), err=True)
            for error in refused.errors:
                click.echo(f"  {error}", err=True)
            sys.exit(1)
    db.session.commit()
    click.echo(f"created {report.created}, updated {report.updated}, unchanged {report.unchanged}")


@orgs_cli.command("export")
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
def orgs_export(path: str) -> None:
    """Write the whole org tree as CSV, in the format that ``orgs import`` reads."""
    from sqlalchemy import select

    from survey.orgs.csvio import export_csv
    from survey.orgs.models import OrgUnit

    units = db.session.scalars(select(OrgUnit).order_by(OrgUnit.path))
    with open(path, "w", encoding="utf-8", newline="") as out:
        out.write(export_csv(units))
    click.echo(f"written {path}")


@users_cli.command("create")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice(
    ["district_admin", "street_admin", "committee_member", "grid_worker", "auditor", "department_liaison"]))
@click.option("--unit", "unit_code", required=True, help="Code of the org unit the role is given on.")
@click.option("--name", "display_name", default=None, help="Full name (defaults to the username).")
def users_create(username: str, role: str, unit_code: str, display_name: str | None) -> None:
    """Create an account. The password comes from SURVEY_PASSWORD or a prompt."""
    from survey.orgs.operations import unit_by_code
    from survey.people import operations
    from survey.people.models import Role

    unit = unit_by_code(unit_code)
    if unit is None:
        raise click.ClickException(f"no org unit with code {unit_code}")
    password = os.environ.get("SURVEY_PASSWORD") or click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = operations.create_user(None, username, display_name or username, password, Role(role), unit)
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"created {user.username} ({role} on {unit.code})")


@audit_cli.command("verify")
def audit_verify() -> None:
    """Recompute the hash chain; exit 1 and name the first broken entry if it was altered."""
    from survey.core.audit import verify_chain

    report = verify_chain()
    if report.ok:
        click.echo(f"audit chain intact: {report.entries} entries, head {report.head}")
        return
    click.echo(f"audit chain BROKEN at entry {report.broken_id}: {report.reason} "
               f"({report.entries} entries verified before it)", err=True)
    sys.exit(1)


@click.command("backup")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False), help="The backup file to write.")
@with_appcontext
def backup_command(out: str) -> None:
    """Back up the database: SQLite online backup, or pg_dump --format=custom for PostgreSQL."""
    from survey.core.backup import BackupError, backup

    try:
        result = backup(out)
    except BackupError as error:
        click.echo(f"backup failed: {error}", err=True)
        sys.exit(1)
    click.echo(f"backup written: {result.path} ({result.kind}, {result.size} bytes)")


@click.command("restore")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--force", is_flag=True, help="Replace a database that is not empty.")
@with_appcontext
def restore_command(path: str, force: bool) -> None:
    """Restore a backup made by ``flask backup`` into the configured database."""
    from survey.core.backup import BackupError, restore

    try:
        kind = restore(path, force=force)
    except BackupError as error:
        click.echo(f"restore failed: {error}", err=True)
        sys.exit(1)
    click.echo(f"restored {path} ({kind}); run `flask audit verify` to check the audit chain")


@click.command("purge-personal-data")
@click.option("--older-than", "older_than", type=click.IntRange(min=0), default=None,
              help="Days to keep (default: PERSONAL_DATA_RETENTION_DAYS).")
@click.option("--dry-run", is_flag=True, help="Count what would be purged, change nothing.")
@with_appcontext
def purge_personal_data_command(older_than: int | None, dry_run: bool) -> None:
    """Clear contact names and phones and delete photos of opinions and objections past retention."""
    from survey.core.privacy import purge_personal_data, remove_photo_files

    report = purge_personal_data(older_than, dry_run=dry_run)
    if not dry_run:
        db.session.commit()
        remove_photo_files(report)
    verb = "would purge" if dry_run else "purged"
    click.echo(f"{verb} personal data created before {report.cutoff:%Y-%m-%d %H:%M} UTC: "
               f"opinion contacts {report.opinion_contacts}, opinion photos {report.opinion_photos}, "
               f"objection contacts {report.objection_contacts}")


@click.command("seed-demo")
@with_appcontext
def seed_demo() -> None:
    """Create the demo district and one account per role (safe to run again)."""
    from survey.demo import seed, seed_appraisal, seed_deliberations, seed_surveys

    accounts = seed(current_app.config["DEMO_PASSWORD"])
    seed_surveys()
    seed_appraisal()
    seed_deliberations()
    db.session.commit()
    click.echo("Demo district ready. Accounts (password: %s):" % current_app.config["DEMO_PASSWORD"])
    for username, role, unit in accounts:
        click.echo(f"  {username:<12} {role:<18} {unit}")


def register_cli(app: Flask) -> None:
    from survey.appraisal.cli import appraisal_cli
    from survey.questionnaires.cli import campaign_cli

    for command in (orgs_cli, users_cli, audit_cli, seed_demo, campaign_cli, appraisal_cli,
                    backup_command, restore_command, purge_personal_data_command):
        app.cli.add_command(command)
