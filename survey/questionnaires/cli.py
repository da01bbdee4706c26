"""``flask campaign``: list campaigns, write household codes, export responses, print slips.

Every failure a user can cause (an unknown campaign, a file that cannot be written) ends with a
one-line message and exit status 1, never a traceback. Files are written beside their target
and renamed into place, so that a failed run leaves no half-written file behind.
"""
from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import click
from flask.cli import AppGroup
from sqlalchemy import case, func, select

from survey.extensions import db
from survey.questionnaires import printouts
from survey.questionnaires.models import Campaign, InvitationCode, Response

campaign_cli = AppGroup("campaign", help="Satisfaction campaigns: codes, exports, slips.")


def _campaign(campaign_id: int) -> Campaign:
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None:
        raise click.ClickException(f"no campaign with id {campaign_id} (see `flask campaign list`)")
    return campaign


@contextmanager
def _atomic_output(path: str, mode: str = "wb", **kwargs) -> Iterator:
    """Open ``path + '.part'``; rename it over ``path`` on success, remove it on failure."""
    target = Path(path)
    if target.is_dir():
        raise click.ClickException(f"cannot write {path}: it is a directory")
    partial = target.with_name(target.name + ".part")
    try:
        stream = open(partial, mode, **kwargs)
    except OSError as error:
        raise click.ClickException(f"cannot write {path}: {error.strerror or error}") from error
    try:
        with stream:
            yield stream
        os.replace(partial, target)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise click.ClickException(f"cannot write {path}: {error.strerror or error}") from error
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


@campaign_cli.command("list")
def campaign_list() -> None:
    """Each campaign's id, target, state, responses and codes (total/spent)."""
    responses = dict(db.session.execute(select(Response.campaign_id, func.count()).group_by(Response.campaign_id)).all())
    codes = {
        campaign_id: (total, spent or 0)
        for campaign_id, total, spent in db.session.execute(
            select(
                InvitationCode.campaign_id, func.count(),
                func.sum(case((InvitationCode.spent.is_(True), 1), else_=0)),
            ).group_by(InvitationCode.campaign_id)
        )
    }
    campaigns = db.session.scalars(select(Campaign).order_by(Campaign.id)).all()
    if not campaigns:
        click.echo("no campaigns")
        return
    click.echo(f"{'id':>5}  {'state':<7}  {'responses':>9}  {'codes spent/total':>17}  target")
    for campaign in campaigns:
        target = campaign.project.name if campaign.project is not None else campaign.title
        total, spent = codes.get(campaign.id, (0, 0))
        click.echo(
            f"{campaign.id:>5}  {campaign.status.value:<7}  {responses.get(campaign.id, 0):>9}  "
            f"{f'{spent}/{total}':>17}  {target}"
        )


@campaign_cli.command("codes")
@click.argument("campaign_id", type=int)
@click.option("--csv", "csv_path", required=True, metavar="FILE", help="Where to write code,url,grid rows.")
def campaign_codes(campaign_id: int, csv_path: str) -> None:
    """Write every household code of a campaign as code,url,grid (grid code) rows."""
    campaign = _campaign(campaign_id)
    text, total, spent = printouts.codes_csv(campaign)
    if not total:
        raise click.ClickException(f"campaign {campaign.id} has no household codes")
    with _atomic_output(csv_path, "w", encoding="utf-8", newline="") as out:
        out.write(text)
    click.echo(f"written {total} codes ({spent} spent) to {csv_path}")


@campaign_cli.command("export")
@click.argument("campaign_id", type=int)
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default=None,
              help="csv or xlsx (default: from the file name, else csv).")
@click.option("--out", "out_path", required=True, metavar="FILE", help="Where to write the export.")
def campaign_export(campaign_id: int, fmt: str | None, out_path: str) -> None:
    """Export a campaign's responses, one row per response (streamed; any size)."""
    from survey.questionnaires import exports

    campaign = _campaign(campaign_id)
    fmt = fmt or ("xlsx" if out_path.lower().endswith(".xlsx") else "csv")
    with _atomic_output(out_path, "wb") as out:
        if fmt == "xlsx":
            rows = exports.write_xlsx(campaign, out)
        else:
            rows = None
            exports.write_export(campaign, fmt, out)
    size = os.path.getsize(out_path)
    counted = f"{rows} responses, " if rows is not None else ""
    click.echo(f"written {out_path} ({fmt}, {counted}{size} bytes)")


@campaign_cli.command("slips")
@click.argument("campaign_id", type=int)
@click.option("--out", "out_path", required=True, metavar="FILE.pdf", help="Where to write the PDF.")
@click.option("--per-page", type=click.Choice(["8", "10"]), default="8", help="Slips per A4 sheet.")
@click.option("--all", "include_spent", is_flag=True, help="Include codes that are already spent.")
def campaign_slips(campaign_id: int, out_path: str, per_page: str, include_spent: bool) -> None:
    """Print household invitation slips (A4 PDF, QR code and code on each), grid by grid."""
    campaign = _campaign(campaign_id)
    slips = printouts.slips(campaign, include_spent=include_spent)
    if not slips:
        raise click.ClickException(f"campaign {campaign.id} has no {'' if include_spent else 'unspent '}household codes")
    pdf = printouts.slips_pdf(slips, per_page=int(per_page))
    with _atomic_output(out_path, "wb") as out:
        out.write(pdf)
    click.echo(f"written {len(slips)} slips to {out_path}")
