"""``flask appraisal ...``: print a pool's sheets to one PDF with a progress bar."""
from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from survey.extensions import db

appraisal_cli = AppGroup("appraisal", help="Annual appraisal cycles and their printed sheets.")


@appraisal_cli.command("print")
@click.option("--cycle", "year", required=True, type=int, help="Year of the appraisal cycle.")
@click.option("--unit", "unit_code", required=True, help="Code of the pool's unit (e.g. LJ01).")
@click.option("--level", default=None, type=click.Choice(["chief", "deputy", "staff"]),
              help="Level of post; all pools of the unit and year when left out.")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, writable=True))
def print_sheets(year: int, unit_code: str, level: str | None, out: str) -> None:
    """All appraisal sheets of a unit's pool(s) for YEAR as one PDF."""
    from survey.appraisal.models import AppraisalCycle, PostLevel
    from survey.orgs.operations import unit_by_code
    from survey.printing.sheets import pool_appraisals, pool_pdf

    unit = unit_by_code(unit_code)
    if unit is None:
        raise click.ClickException(f"no org unit with code {unit_code}")
    query = select(AppraisalCycle).filter_by(unit_id=unit.id, year=year).order_by(AppraisalCycle.post_level)
    if level:
        query = query.filter_by(post_level=PostLevel(level))
    cycles = db.session.scalars(query).all()
    if not cycles:
        raise click.ClickException(f"no appraisal cycle {year} for {unit_code}")
    appraisals = [a for c in cycles for a in pool_appraisals(c)]
    with click.progressbar(length=len(appraisals), label=f"{year} {unit.name}", show_pos=True) as bar:
        last = [0]

        def progress(done: int, total: int) -> None:
            bar.update(done - last[0])
            last[0] = done

        pdf = pool_pdf(appraisals, progress=progress)
    with open(out, "wb") as f:
        f.write(pdf)
    click.echo(f"written {out}: {len(appraisals)} sheet(s)")
