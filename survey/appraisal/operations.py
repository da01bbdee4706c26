"""The verbs of the annual appraisal: the only bridge from the database to ``survey.scoring``.

Every number comes from ``survey.scoring`` (democratic_score, regular_score, shrink_comparable,
leadership_satisfaction_from, member_half_year_score, member_annual_score, cadre_composite,
grade_cycle); this module only loads rows, calls it, stores the result with the configuration
version, and writes each step to the audit log. Each function flushes; the caller commits.

Cycle states: draft -> proposed -> notice -> published, and proposed -> draft to correct inputs.
Published is frozen: ``_refuse_changes_to_published`` fails any flush that would change it.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import math
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, Iterable, Mapping

import numpy as np
from flask_babel import lazy_gettext as _l
from sqlalchemy import event, extract, select
from sqlalchemy.orm import Session

from survey.appraisal.models import (
    ASSESSMENTS, BALLOT_CHOICES, GRADES, REGULAR_LEVELS, Appraisal, AppraisalCycle, BallotTally, BarKind, Cadre,
    CycleStatus, MemberAssessment, AppraisalObjection, PaperBallot, PostLevel, ReportingMember, ServiceRecord,
)
from survey.core import audit
from survey.core.db import utcnow
from survey.core.errors import DomainError
from survey.extensions import db
from survey.orgs.models import OrgLevel, OrgUnit
from survey.projects.models import Project
from survey.scoring import (
    Candidate, DEFAULT_CONFIG, ProjectIndex, ResponseTable, ScoringConfig, cadre_composite, democratic_score,
    grade_cycle, leadership_satisfaction_from, mean_interval, member_annual_score, member_half_year_score,
    regular_score, score_projects, shrink_comparable,
)
from survey.scoring.estimates import t_quantile

NOTICE_MIN_WORKING_DAYS = 5
TRANSITIONS: dict[CycleStatus, set[CycleStatus]] = {
    CycleStatus.draft: {CycleStatus.proposed},
    CycleStatus.proposed: {CycleStatus.draft, CycleStatus.notice},
    CycleStatus.notice: {CycleStatus.published},
    CycleStatus.published: set(),
}


class FrozenCycleError(DomainError):
    pass


def _d(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _f(value) -> float | None:
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) else value


# --- the freeze ------------------------------------------------------------------------------

FROZEN_MESSAGE = _l("This appraisal cycle is published and frozen: nothing in it can be changed.")


def _cycle_of(obj) -> AppraisalCycle | None:
    if isinstance(obj, AppraisalCycle):
        return obj
    cycle = getattr(obj, "cycle", None)
    if cycle is not None:
        return cycle
    cycle_id = getattr(obj, "cycle_id", None)
    return None if cycle_id is None else db.session.get(AppraisalCycle, cycle_id)


def _stored_status(session, cycle_id: int | None) -> CycleStatus | None:
    """The status as stored (not as set in memory: an expired attribute keeps no old value)."""
    if cycle_id is None:
        return None
    return session.execute(select(AppraisalCycle.status).where(AppraisalCycle.id == cycle_id)).scalar()


@event.listens_for(Session, "before_flush")
def _refuse_changes_to_published(session, flush_context, instances) -> None:
    """Whatever code path tries it, a flush that changes a published cycle fails."""
    kinds = (AppraisalCycle, Appraisal, BallotTally, PaperBallot, AppraisalObjection)
    touched = [o for o in list(session.dirty) + list(session.deleted) + list(session.new) if isinstance(o, kinds)]
    if not touched:
        return
    with session.no_autoflush:
        for obj in touched:
            if obj in session.dirty and not session.is_modified(obj):
                continue
            if isinstance(obj, AppraisalCycle):
                if obj in session.new:
                    if obj.status is CycleStatus.published:
                        raise FrozenCycleError(FROZEN_MESSAGE)
                elif _stored_status(session, obj.id) is CycleStatus.published:
                    raise FrozenCycleError(FROZEN_MESSAGE)
                continue
            cycle = _cycle_of(obj)
            if cycle is not None and _stored_status(session, cycle.id) is CycleStatus.published:
                raise FrozenCycleError(FROZEN_MESSAGE)


def _require(cycle: AppraisalCycle, *states: CycleStatus) -> None:
    if cycle.status is CycleStatus.published:
        raise FrozenCycleError(FROZEN_MESSAGE)
    if cycle.status not in states:
        raise DomainError(_l("Not possible while the cycle is %(state)s."), state=cycle.status.label)


def check_transition(current: CycleStatus, target: CycleStatus) -> None:
    if target not in TRANSITIONS[current]:
        if current is CycleStatus.published:
            raise FrozenCycleError(FROZEN_MESSAGE)
        raise DomainError(_l("A cycle cannot go from %(a)s to %(b)s."), a=current.label, b=target.label)


# --- configuration ---------------------------------------------------------------------------

DEFAULT_CYCLE_CONFIG: dict[str, Any] = {
    "weights": dict(DEFAULT_CONFIG.cadre_weights),
    "quota": DEFAULT_CONFIG.quota,
    "rounding": DEFAULT_CONFIG.quota_rounding,
    "excellent_min": DEFAULT_CONFIG.excellent_min,
    "bars": [b.value for b in BarKind],
    "notice_days": NOTICE_MIN_WORKING_DAYS,
}


def normalise_config(values: Mapping[str, Any] | None) -> dict[str, Any]:
    """A complete, validated cycle configuration (ScoringConfig checks weights, quota, rounding)."""
    config = json.loads(json.dumps(DEFAULT_CYCLE_CONFIG))
    config.update({k: v for k, v in dict(values or {}).items() if v is not None})
    config["weights"] = {c: float(config["weights"].get(c, 0)) for c in ("K", "D", "J", "S", "M")}
    config["quota"], config["excellent_min"] = float(config["quota"]), float(config["excellent_min"])
    config["notice_days"] = int(config["notice_days"])
    config["bars"] = sorted({str(b) for b in config["bars"]})
    if not set(config["bars"]) <= {b.value for b in BarKind}:
        raise DomainError(_l("Unknown bar in the configuration."))
    if config["notice_days"] < NOTICE_MIN_WORKING_DAYS:
        raise DomainError(_l("The public notice lasts at least %(n)s working days."), n=NOTICE_MIN_WORKING_DAYS)
    try:
        _scoring_config(config, "check")
    except ValueError as error:
        raise DomainError(_l("Invalid configuration: %(error)s"), error=str(error)) from error
    return config


def config_version(config: Mapping[str, Any]) -> str:
    """The scoring rules' version plus a digest of the cycle's own settings."""
    digest = hashlib.sha256(json.dumps(config, sort_keys=True).encode()).hexdigest()[:8]
    return f"{DEFAULT_CONFIG.version}+{digest}"


def _scoring_config(config: Mapping[str, Any], version: str) -> ScoringConfig:
    return DEFAULT_CONFIG.replace(
        version=version, cadre_weights=tuple(config["weights"].items()), quota=config["quota"],
        quota_rounding=config["rounding"], excellent_min=config["excellent_min"],
    )


def scoring_config(cycle: AppraisalCycle) -> ScoringConfig:
    return _scoring_config(cycle.config, cycle.config_version)


# --- cadres and projects ---------------------------------------------------------------------


def create_cadre(actor, unit: OrgUnit, name: str, post: str, post_level: PostLevel,
                 bar_kind: BarKind | None = None, bar_reason: str = "", member: ReportingMember | None = None) -> Cadre:
    if not name.strip() or not post.strip():
        raise DomainError(_l("A cadre needs a name and a post."))
    if bar_kind is not None and not bar_reason.strip():
        raise DomainError(_l("Give the reason of the bar."))
    cadre = Cadre(unit=unit, name=name.strip(), post=post.strip(), post_level=post_level, bar_kind=bar_kind,
                  bar_reason=bar_reason.strip(), member=member)
    db.session.add(cadre)
    audit.record("cadre.create", cadre, actor=actor, unit=unit,
                 payload={"name": cadre.name, "post": cadre.post, "level": post_level.value,
                          "bar": bar_kind.value if bar_kind else None})
    return cadre


def set_bar(actor, cadre: Cadre, bar_kind: BarKind | None, reason: str = "") -> None:
    if bar_kind is not None and not reason.strip():
        raise DomainError(_l("Give the reason of the bar."))
    cadre.bar_kind, cadre.bar_reason = bar_kind, reason.strip() if bar_kind else ""
    audit.record("cadre.bar", cadre, actor=actor, unit=cadre.unit,
                 payload={"bar": bar_kind.value if bar_kind else None, "reason": cadre.bar_reason})


def link_project(actor, cadre: Cadre, project: Project, linked: bool = True) -> None:
    if linked and project not in cadre.projects:
        cadre.projects.append(project)
    elif not linked and project in cadre.projects:
        cadre.projects.remove(project)
    audit.record("cadre.link_project" if linked else "cadre.unlink_project", cadre, actor=actor, unit=cadre.unit,
                 payload={"project": project.id, "name": project.name})


# --- reporting party members -----------------------------------------------------------------


def create_member(actor, home: OrgUnit, name: str, employer: str, posts: str = "",
                  reported_on: date | None = None) -> ReportingMember:
    if home.level is not OrgLevel.community:
        raise DomainError(_l("A member reports to a community or village."))
    if not name.strip():
        raise DomainError(_l("A member needs a name."))
    member = ReportingMember(home_unit=home, name=name.strip(), employer=employer.strip(), posts_claimed=posts.strip(),
                             reported_on=reported_on)
    db.session.add(member)
    audit.record("member.create", member, actor=actor, unit=home, payload={"name": member.name, "employer": member.employer})
    return member


def add_service(actor, member: ReportingMember, served_on: date, hours, activity: str, checkin: bool = False) -> ServiceRecord:
    hours = _d(hours)
    if hours is None or not Decimal(0) < hours <= Decimal(24):
        raise DomainError(_l("Hours must be more than 0 and at most 24."))
    if checkin and served_on.weekday() != 5:
        raise DomainError(_l("A home service day check-in is on a Saturday."))
    if not activity.strip():
        raise DomainError(_l("Say what the service was."))
    record = ServiceRecord(member=member, served_on=served_on, hours=hours, activity=activity.strip(), checkin=checkin)
    db.session.add(record)
    audit.record("member.service", record, actor=actor, unit=member.home_unit,
                 payload={"member": member.id, "on": served_on.isoformat(), "hours": str(hours), "checkin": checkin})
    return record


def confirm_service(actor, record: ServiceRecord) -> None:
    if record.confirmed_at is not None:
        raise DomainError(_l("This service record is already confirmed."))
    if actor is None:
        raise DomainError(_l("A committee member confirms service records."))
    record.confirmed_by, record.confirmed_at = actor, utcnow()
    audit.record("member.service_confirm", record, actor=actor, unit=record.member.home_unit)


def set_assessment(actor, member: ReportingMember, year: int, half: int, assessment: str | None,
                   reported: bool = True, note: str = "") -> MemberAssessment:
    if half not in (1, 2):
        raise DomainError(_l("The half-year is 1 or 2."))
    if assessment is not None and assessment not in ASSESSMENTS:
        raise DomainError(_l("Unknown assessment."))
    row = db.session.scalar(select(MemberAssessment).filter_by(member_id=member.id, year=year, half=half))
    if row is None:
        row = MemberAssessment(member=member, year=year, half=half)
        db.session.add(row)
    row.assessment, row.reported, row.note = assessment, reported, note
    audit.record("member.assess", row, actor=actor, unit=member.home_unit,
                 payload={"member": member.id, "year": year, "half": half, "assessment": assessment, "reported": reported})
    return row


def create_member_campaign(actor, member: ReportingMember, version, title: str, opens_on: date, closes_on: date):
    """A residents' rating campaign of one member's service (target ``member``)."""
    import secrets

    from survey.questionnaires.models import AccessMode, Campaign

    if not version.is_frozen:
        raise DomainError(_l("Only a published questionnaire version can be used in a campaign."))
    if closes_on < opens_on:
        raise DomainError(_l("The closing date must not be before the opening date."))
    campaign = Campaign(unit=member.home_unit, version=version, target_type="member", member_id=member.id,
                        title=title, access_mode=AccessMode.open_link, opens_on=opens_on, closes_on=closes_on,
                        link_token=secrets.token_urlsafe(12))
    db.session.add(campaign)
    audit.record("campaign.create", campaign, actor=actor, unit=member.home_unit,
                 payload={"title": title, "version": version.id, "member": member.id})
    return campaign


def _half_bounds(year: int, half: int) -> tuple[date, date]:
    return (date(year, 1, 1), date(year, 6, 30)) if half == 1 else (date(year, 7, 1), date(year, 12, 31))


def member_ratings(member: ReportingMember, year: int, half: int) -> list[float]:
    """Respondent scores (0-100) of the valid responses to closed campaigns rating this member."""
    from survey.questionnaires.models import Campaign, CampaignStatus, Response

    start, end = _half_bounds(year, half)
    campaigns = db.session.scalars(select(Campaign).where(
        Campaign.target_type == "member", Campaign.member_id == member.id, Campaign.status == CampaignStatus.closed,
        Campaign.closes_on >= start, Campaign.closes_on <= end)).all()
    ratings: list[float] = []
    for campaign in campaigns:
        scored = [q for q in campaign.version.question_types() if q.scored]
        if not scored:
            continue
        digits = db.session.scalars(select(Response.scale_answers).where(
            Response.campaign_id == campaign.id, Response.excluded.is_(False))).all()
        if not digits:
            continue
        k = len(scored)
        answers = np.array([[int(c) for c in (d or "").ljust(k, "0")[:k]] for d in digits], dtype=float)
        table = ResponseTable(project=np.zeros(len(digits), dtype=np.int64), answers=answers,
                              scale=max(int(q.spec.get("points", 5)) for q in scored))
        result = score_projects(table)
        valid = result.validity.reason == 0
        ratings.extend(float(x) for x in result.respondent_score[valid] if not math.isnan(x))
    return ratings


def member_half_year(member: ReportingMember, year: int, half: int):
    start, end = _half_bounds(year, half)
    checkins = sum(1 for r in member.records
                   if r.checkin and r.confirmed_at is not None and start <= r.served_on <= end)
    row = next((a for a in member.assessments if a.year == year and a.half == half), None)
    return member_half_year_score(checkins, member_ratings(member, year, half), row.assessment if row else None,
                                  reported=True if row is None else row.reported, member=member.name)


def member_annual(member: ReportingMember, year: int):
    halves = [member_half_year(member, year, h) for h in (1, 2)]
    return halves, member_annual_score(halves, member=member.name)


# --- cycles ----------------------------------------------------------------------------------


def pool_cadres(unit: OrgUnit, post_level: PostLevel) -> list[Cadre]:
    return list(db.session.scalars(select(Cadre).filter_by(unit_id=unit.id, post_level=post_level).order_by(Cadre.id)))


def create_cycle(actor, unit: OrgUnit, year: int, post_level: PostLevel, config: Mapping[str, Any] | None = None) -> AppraisalCycle:
    if db.session.scalar(select(AppraisalCycle.id).filter_by(unit_id=unit.id, year=year, post_level=post_level)):
        raise DomainError(_l("This pool already has a cycle for that year."))
    cfg = normalise_config(config)
    cycle = AppraisalCycle(unit=unit, year=year, post_level=post_level, config=cfg, config_version=config_version(cfg))
    db.session.add(cycle)
    for cadre in pool_cadres(unit, post_level):
        db.session.add(Appraisal(cycle=cycle, cadre=cadre, bonus=Decimal(0), deduction=Decimal(0)))
    audit.record("appraisal_cycle.create", cycle, actor=actor, unit=unit,
                 payload={"year": year, "level": post_level.value, "config": cfg, "version": cycle.config_version})
    return cycle


def sync_cadres(actor, cycle: AppraisalCycle) -> int:
    """Add the pool's cadres that joined since the cycle was created (draft only)."""
    _require(cycle, CycleStatus.draft)
    present = {a.cadre_id for a in cycle.appraisals}
    added = 0
    for cadre in pool_cadres(cycle.unit, cycle.post_level):
        if cadre.id not in present:
            db.session.add(Appraisal(cycle=cycle, cadre=cadre, bonus=Decimal(0), deduction=Decimal(0)))
            added += 1
    if added:
        audit.record("appraisal_cycle.sync", cycle, actor=actor, unit=cycle.unit, payload={"added": added})
    return added


def set_config(actor, cycle: AppraisalCycle, config: Mapping[str, Any]) -> None:
    _require(cycle, CycleStatus.draft)
    cfg = normalise_config(config)
    cycle.config, cycle.config_version = cfg, config_version(cfg)
    audit.record("appraisal_cycle.config", cycle, actor=actor, unit=cycle.unit,
                 payload={"config": cfg, "version": cycle.config_version})


def appraisal_of(cycle: AppraisalCycle, cadre: Cadre) -> Appraisal:
    found = next((a for a in cycle.appraisals if a.cadre_id == cadre.id), None)
    if found is None:
        raise DomainError(_l("%(name)s is not in this cycle's pool."), name=cadre.name)
    return found


def set_inputs(actor, appraisal: Appraisal, *, K=None, J: str | None = None, bonus=None, deduction=None) -> None:
    _require(appraisal.cycle, CycleStatus.draft)
    K, bonus, deduction = _d(K), _d(bonus), _d(deduction)
    if K is not None and not Decimal(0) <= K <= Decimal(100):
        raise DomainError(_l("K must be within 0 to 100."))
    if J is not None and J not in REGULAR_LEVELS:
        raise DomainError(_l("J must be one of 好, 较好, 一般, 较差."))
    for value in (bonus, deduction):
        if value is not None and not Decimal(0) <= value <= Decimal(20):
            raise DomainError(_l("Bonus and deduction are amounts from 0 to 20."))
    appraisal.target_score = K
    appraisal.regular_level = J
    appraisal.bonus = bonus or Decimal(0)
    appraisal.deduction = deduction or Decimal(0)
    audit.record("appraisal.inputs", appraisal, actor=actor, unit=appraisal.cycle.unit,
                 payload={"cadre": appraisal.cadre_id, "K": K, "J": J, "bonus": bonus, "deduction": deduction})


class ImportRefused(DomainError):
    def __init__(self, message, errors: list[str], **params):
        super().__init__(message, **params)
        self.errors = errors


def import_inputs(actor, cycle: AppraisalCycle, stream: Iterable[str] | io.TextIOBase) -> int:
    """K (and optionally J, bonus, deduction) per cadre from CSV; all or nothing.

    Header: ``cadre`` (id or exact name), ``K``, then optional ``J``, ``bonus``, ``deduction``.
    Each error names its line, counting the header as line 1.
    """
    _require(cycle, CycleStatus.draft)
    reader = csv.DictReader(stream)
    fields = [f.strip() for f in (reader.fieldnames or [])]
    if "cadre" not in fields or "K" not in fields:
        raise ImportRefused(_l("The file needs the columns cadre and K."), [])
    by_id = {str(a.cadre_id): a for a in cycle.appraisals}
    by_name: dict[str, list[Appraisal]] = {}
    for a in cycle.appraisals:
        by_name.setdefault(a.cadre.name, []).append(a)
    errors: list[str] = []
    rows: list[tuple[Appraisal, dict[str, Any]]] = []
    seen: set[int] = set()
    for line, raw in enumerate(reader, start=2):
        row = {(k or "").strip(): (v or "").strip() for k, v in raw.items()}
        key = row.get("cadre", "")
        appraisal = by_id.get(key) or (by_name.get(key, [None])[0] if len(by_name.get(key, [])) == 1 else None)
        if appraisal is None:
            errors.append(str(_l("line %(line)s: no single cadre %(key)s in this pool", line=line, key=key or "—")))
            continue
        if appraisal.id in seen:
            errors.append(str(_l("line %(line)s: %(key)s appears twice", line=line, key=key)))
            continue
        seen.add(appraisal.id)
        values: dict[str, Any] = {}
        for name, low, high in (("K", 0, 100), ("bonus", 0, 20), ("deduction", 0, 20)):
            text = row.get(name, "")
            if not text:
                if name == "K":
                    errors.append(str(_l("line %(line)s: K is empty", line=line)))
                continue
            try:
                value = Decimal(text)
                if not value.is_finite():
                    raise InvalidOperation
            except InvalidOperation:
                errors.append(str(_l("line %(line)s: %(name)s is not a number: %(text)s", line=line, name=name, text=text)))
                continue
            if not Decimal(low) <= value <= Decimal(high):
                errors.append(str(_l("line %(line)s: %(name)s must be within %(low)s to %(high)s", line=line, name=name,
                                     low=low, high=high)))
                continue
            values[name] = value
        level = row.get("J", "")
        if level:
            if level not in REGULAR_LEVELS:
                errors.append(str(_l("line %(line)s: J must be one of 好, 较好, 一般, 较差", line=line)))
            else:
                values["J"] = level
        rows.append((appraisal, values))
    if errors:
        raise ImportRefused(_l("Nothing was imported: %(n)s error(s)."), errors, n=len(errors))
    for appraisal, values in rows:
        appraisal.target_score = values.get("K")
        if "J" in values:
            appraisal.regular_level = values["J"]
        if "bonus" in values:
            appraisal.bonus = values["bonus"]
        if "deduction" in values:
            appraisal.deduction = values["deduction"]
    audit.record("appraisal_cycle.import_inputs", cycle, actor=actor, unit=cycle.unit,
                 payload={"rows": [{"cadre": a.cadre_id, **{k: str(v) for k, v in vals.items()}} for a, vals in rows]})
    return len(rows)


# --- ballots ---------------------------------------------------------------------------------


def set_tally(actor, cycle: AppraisalCycle, cadre: Cadre, *, excellent: int, competent: int, basic: int,
              incompetent: int, void: int = 0) -> BallotTally:
    _require(cycle, CycleStatus.draft)
    appraisal_of(cycle, cadre)
    counts = {"excellent": excellent, "competent": competent, "basic": basic, "incompetent": incompetent, "void": void}
    if any(int(v) < 0 for v in counts.values()):
        raise DomainError(_l("Ballot counts cannot be negative."))
    tally = db.session.scalar(select(BallotTally).filter_by(cycle_id=cycle.id, cadre_id=cadre.id))
    if tally is None:
        tally = BallotTally(cycle=cycle, cadre=cadre)
        db.session.add(tally)
    elif tally.source == "paper":
        raise DomainError(_l("These ballots were keyed in one by one; correct the paper ballots instead."))
    for name, value in counts.items():
        setattr(tally, name, int(value))
    tally.source = "tally"
    audit.record("ballots.tally", tally, actor=actor, unit=cycle.unit, payload={"cadre": cadre.id, **counts})
    return tally


def read_paper_ballot(marks: Iterable[str]) -> tuple[str | None, str | None]:
    """The void rules: exactly one known box ticked is valid; none, several or unknown is void."""
    ticked = sorted({m.strip() for m in marks if m and m.strip()})
    if not ticked:
        return None, "blank"
    if any(m not in BALLOT_CHOICES for m in ticked):
        return None, "unreadable"
    if len(ticked) > 1:
        return None, "several_marks"
    return ticked[0], None


def key_paper_ballot(actor, cycle: AppraisalCycle, cadre: Cadre, serial: int, marks: Iterable[str]) -> PaperBallot:
    """Key one paper ballot in and recount the cadre's tally from all keyed ballots."""
    _require(cycle, CycleStatus.draft)
    appraisal_of(cycle, cadre)
    tally = db.session.scalar(select(BallotTally).filter_by(cycle_id=cycle.id, cadre_id=cadre.id))
    if tally is not None and tally.source == "tally" and tally.valid + tally.void:
        raise DomainError(_l("A counted tally was entered for this cadre; paper ballots would count twice."))
    if db.session.scalar(select(PaperBallot.id).filter_by(cycle_id=cycle.id, cadre_id=cadre.id, serial=serial)):
        raise DomainError(_l("Ballot number %(serial)s was already keyed in."), serial=serial)
    marks = [m for m in marks if m]
    choice, void_reason = read_paper_ballot(marks)
    ballot = PaperBallot(cycle_id=cycle.id, cadre_id=cadre.id, serial=serial, marks=",".join(sorted(set(marks))),
                         choice=choice, void_reason=void_reason)
    db.session.add(ballot)
    if tally is None:
        tally = BallotTally(cycle=cycle, cadre=cadre, excellent=0, competent=0, basic=0, incompetent=0, void=0)
        db.session.add(tally)
    tally.source = "paper"
    if choice is None:
        tally.void = (tally.void or 0) + 1
    else:
        setattr(tally, choice, (getattr(tally, choice) or 0) + 1)
    audit.record("ballots.paper", ballot, actor=actor, unit=cycle.unit,
                 payload={"cadre": cadre.id, "serial": serial, "marks": ballot.marks, "choice": choice, "void": void_reason})
    return ballot


def tally_of(cycle: AppraisalCycle, cadre_id: int) -> BallotTally | None:
    return next((t for t in cycle.tallies if t.cadre_id == cadre_id), None)


# --- project indices (S) and the project appraisal -------------------------------------------


@dataclass
class ProjectRow:
    project: Project
    street: str
    campaign_id: int | None
    households: int
    result: ProjectIndex | None  # with shrunk, z, k filled when shrinkage applied
    shrunk: float | None = None
    rank: int | None = None

    @property
    def status(self) -> str:
        return "insufficient_sample" if self.result is None else self.result.status


def _street_of(unit: OrgUnit) -> str:
    parts = [p for p in unit.path.split("/") if p]
    return parts[1] if len(parts) > 1 else parts[0]


def project_rows(scope: OrgUnit, year: int, config: ScoringConfig = DEFAULT_CONFIG) -> list[ProjectRow]:
    """Each project under ``scope`` with the result of its latest campaign closed in ``year``,
    shrunk towards comparable projects (same type, same street, same year)."""
    from survey.questionnaires.models import Campaign, CampaignStatus
    from survey.questionnaires.results import campaign_results

    projects = db.session.scalars(
        select(Project).join(OrgUnit, Project.unit_id == OrgUnit.id)
        .where(OrgUnit.path.startswith(scope.path, autoescape=True)).order_by(Project.id)).all()
    campaigns = db.session.scalars(
        select(Campaign).where(Campaign.target_type == "project", Campaign.status == CampaignStatus.closed,
                               Campaign.project_id.in_([p.id for p in projects] or [-1]),
                               extract("year", Campaign.closes_on) == year)
        .order_by(Campaign.closes_on, Campaign.id)).all()
    latest = {c.project_id: c for c in campaigns}
    rows: list[ProjectRow] = []
    for project in projects:
        campaign = latest.get(project.id)
        result, households = None, 0
        if campaign is not None:
            res = campaign_results(campaign)
            result, households = res.index, res.households
        rows.append(ProjectRow(project, _street_of(project.unit), campaign.id if campaign else None, households, result))
    _shrink(rows, config)
    return rows


def _shrink(rows: list[ProjectRow], config: ScoringConfig) -> None:
    use = [r for r in rows if r.result is not None and r.result.status != "insufficient_sample"
           and _f(r.result.index.value) is not None and _f(r.result.index.low) is not None and r.result.index.n_eff > 1]
    if not use:
        return
    means = np.array([r.result.index.value for r in use])
    n_eff = np.array([r.result.index.n_eff for r in use])
    # The within-project variance behind the t interval: SE = half width / t, variance = SE^2 n_eff.
    half = np.array([r.result.index.half_width for r in use])
    se = half / np.asarray(t_quantile(config.confidence, n_eff - 1.0))
    classes = np.array([f"{r.street}|{r.project.project_type.value}" for r in use])
    shrunk = shrink_comparable(means, n_eff, se * se * n_eff, classes, config)
    for i, row in enumerate(use):
        value = float(np.clip(shrunk.values[i], 0, 100))
        row.result = replace(row.result, shrunk=value, z=float(shrunk.z[i]), k=float(shrunk.k[i]),
                             grand_mean=float(shrunk.grand_mean[i]))
        row.shrunk = value


def project_ranking(scope: OrgUnit, year: int, config: ScoringConfig = DEFAULT_CONFIG) -> list[tuple[str, str, list[ProjectRow]]]:
    """项目考核: per street and project type, projects ranked by their shrunk index."""
    groups: dict[tuple[str, str], list[ProjectRow]] = {}
    for row in project_rows(scope, year, config):
        groups.setdefault((row.street, row.project.project_type.value), []).append(row)
    out = []
    for (street, kind), rows in sorted(groups.items()):
        ranked = sorted(rows, key=lambda r: (r.shrunk is None, -(r.shrunk or 0), r.project.name))
        for i, row in enumerate(ranked):
            row.rank = None if row.shrunk is None else i + 1
        out.append((street, kind, ranked))
    return out


def _project_detail(row: ProjectRow) -> dict[str, Any]:
    idx = row.result.index if row.result else None
    return {
        "id": row.project.id, "name": row.project.name, "type": row.project.project_type.value,
        "campaign": row.campaign_id, "status": row.status, "households": row.households,
        "raw": _f(idx.value) if idx else None, "low": _f(idx.low) if idx else None, "high": _f(idx.high) if idx else None,
        "n": idx.n if idx else 0, "n_eff": _f(idx.n_eff) if idx else None, "shrunk": row.shrunk,
        "counted": row.status == "ok" and row.shrunk is not None,
    }


# --- gathering, composite and proposals ------------------------------------------------------


def _interval(values: list[float], config: ScoringConfig) -> dict[str, Any]:
    if len(values) < 2:
        return {"low": None, "high": None}
    est = mean_interval(np.array(values, dtype=float), config.confidence)
    return {"low": _f(est.low), "high": _f(est.high)}


def gather(cycle: AppraisalCycle) -> None:
    """Fill D, J, K, S, M of every appraisal in the cycle, with what each rests on."""
    config = scoring_config(cycle)
    rows = {r.project.id: r for r in project_rows(_street_unit(cycle.unit), cycle.year, config)}
    for appraisal in cycle.appraisals:
        details: dict[str, Any] = {}
        tally = tally_of(cycle, appraisal.cadre_id)
        votes = tally.votes if tally else {}
        d = democratic_score(votes) if votes else None
        ballots = [v for c, n in votes.items() for v in [{"excellent": 100, "competent": 80, "basic": 60,
                                                            "incompetent": 0}[c]] * n]
        details["D"] = {"n": sum(votes.values()), "void": tally.void if tally else 0, "votes": votes,
                        **_interval(ballots, config), "note": "" if d is not None else "no_ballots"}
        details["J"] = {"level": appraisal.regular_level, "note": "" if appraisal.regular_level else "missing"}
        details["K"] = {"note": "" if appraisal.target_score is not None else "missing"}
        led = [rows[p.id] for p in appraisal.cadre.projects if p.id in rows]
        counted = [r.result for r in led if r.result is not None and r.result.status == "ok" and r.shrunk is not None]
        s = leadership_satisfaction_from(counted) if counted else None
        details["projects"] = [_project_detail(r) for r in led]
        details["S"] = {"n": sum(r.index.n for r in counted), "n_eff": sum(r.index.n_eff for r in counted),
                        "projects": len(counted), "note": "" if s is not None else ("insufficient_sample" if led else "no_projects")}
        m = None
        member = appraisal.cadre.member
        if member is not None:
            halves, annual = member_annual(member, cycle.year)
            m = annual.score
            details["M"] = {"score": _f(annual.score), "grade": annual.grade, "halves": annual.halves,
                            "flags": list(annual.flags), "n": sum(h.n_ratings for h in halves),
                            "note": "" if m is not None else "missing"}
        else:
            details["M"] = {"note": "not_applicable"}
        appraisal.d_score = None if d is None else d.quantize(Decimal("0.0001"))
        appraisal.j_score = regular_score(appraisal.regular_level)
        appraisal.k_score = appraisal.target_score
        appraisal.s_score = None if s is None else Decimal(str(round(s, 4)))
        appraisal.m_score = m
        appraisal.details = details
        appraisal.barred = appraisal.cadre.bar_kind is not None and appraisal.cadre.bar_kind.value in cycle.config["bars"]


def _street_unit(unit: OrgUnit) -> OrgUnit:
    if unit.level in (OrgLevel.street, OrgLevel.district):
        return unit
    return next((a for a in unit.ancestors if a.level is OrgLevel.street), unit)


def compute(actor, cycle: AppraisalCycle) -> None:
    """Gather the components, compute every composite and propose grades; the cycle is proposed."""
    if cycle.status is not CycleStatus.draft:
        check_transition(cycle.status, CycleStatus.proposed)
    if not cycle.appraisals:
        raise DomainError(_l("The pool has no cadres."))
    gather(cycle)
    config = scoring_config(cycle)
    candidates, composites = [], {}
    for appraisal in cycle.appraisals:
        result = cadre_composite(D=appraisal.d_score, K=appraisal.k_score, J=appraisal.j_score, S=appraisal.s_score,
                                 M=appraisal.m_score, bonus=appraisal.bonus or 0, deduction=appraisal.deduction or 0,
                                 cadre=appraisal.cadre.name, config=config)
        composites[appraisal.id] = result
        appraisal.status, appraisal.composite = result.status, result.score
        appraisal.config_version = result.config_version
        appraisal.computed_at = utcnow()
        appraisal.details = {**appraisal.details, "weights": {k: str(v) for k, v in result.weights.items()},
                             "explain": result.explain("zh")}
        if result.status == "ok":
            candidates.append(Candidate(appraisal.id, cycle.id, result.score, tally_of(cycle, appraisal.cadre_id).votes
                                        if tally_of(cycle, appraisal.cadre_id) else {}, appraisal.barred))
    run = grade_cycle(candidates, config) if candidates else None
    proposals = {p.id: p for p in run.proposals} if run else {}
    for appraisal in cycle.appraisals:
        result = composites[appraisal.id]
        extra = tuple(f for f in result.flags if f == "renormalised")
        if result.status != "ok":
            appraisal.proposed_grade, appraisal.rank, appraisal.flags = None, None, "incomplete"
        else:
            proposal = proposals[appraisal.id]
            appraisal.proposed_grade, appraisal.rank = proposal.grade, proposal.rank
            appraisal.flags = ",".join(proposal.flags + extra)
        appraisal.final_grade, appraisal.final_reason, appraisal.confirmed_at, appraisal.confirmed_by = None, "", None, None
    pool = next(iter(run.pools.values())) if run else None
    cycle.summary = {
        "size": len(cycle.appraisals), "graded": len(candidates),
        "places": pool.places if pool else 0, "used": pool.used if pool else 0, "unused": pool.unused if pool else 0,
        "eligible": pool.eligible if pool else 0, "tied": [int(i) for i in pool.tied] if pool else [],
        "projects": [_project_detail(r) for _, _, rows in project_ranking(_street_unit(cycle.unit), cycle.year, config)
                     for r in rows],
    }
    cycle.status, cycle.proposed_at = CycleStatus.proposed, utcnow()
    audit.record("appraisal_cycle.compute", cycle, actor=actor, unit=cycle.unit, payload={
        "version": cycle.config_version, "summary": {k: v for k, v in cycle.summary.items() if k != "projects"},
        "results": [{"cadre": a.cadre_id, "composite": a.composite, "proposed": a.proposed_grade, "flags": a.flags}
                    for a in cycle.appraisals]})


def reopen(actor, cycle: AppraisalCycle, reason: str) -> None:
    check_transition(cycle.status, CycleStatus.draft)
    if not reason.strip():
        raise DomainError(_l("Give a reason for reopening the cycle."))
    cycle.status = CycleStatus.draft
    audit.record("appraisal_cycle.reopen", cycle, actor=actor, unit=cycle.unit, payload={"reason": reason.strip()})


def confirm_grade(actor, appraisal: Appraisal, grade: str, reason: str = "") -> None:
    """The committee's final grade; a reason is required where it differs from the proposal."""
    _require(appraisal.cycle, CycleStatus.proposed, CycleStatus.notice)
    if grade not in GRADES:
        raise DomainError(_l("Unknown grade."))
    if appraisal.status != "ok":
        raise DomainError(_l("An incomplete appraisal gets no grade: enter D and K first."))
    reason = (reason or "").strip()
    if grade != appraisal.proposed_grade and not reason:
        raise DomainError(_l("The final grade differs from the proposal: give the committee's reason."))
    if appraisal.cycle.status is CycleStatus.notice and grade == "excellent" and appraisal.final_grade != "excellent":
        raise DomainError(_l("A cadre not in the public notice cannot be made excellent during it."))
    appraisal.final_grade, appraisal.final_reason = grade, reason
    appraisal.confirmed_by, appraisal.confirmed_at = actor, utcnow()
    audit.record("appraisal.confirm", appraisal, actor=actor, unit=appraisal.cycle.unit,
                 payload={"cadre": appraisal.cadre_id, "proposed": appraisal.proposed_grade, "final": grade, "reason": reason})


def add_working_days(start: date, days: int) -> date:
    """The last day of a period of ``days`` working days (Mon-Fri) beginning on ``start``.

    Public holidays are not known to the platform and are not skipped: a notice that spans one
    should be started earlier or given more days."""
    day, counted = start, 0
    while True:
        if day.weekday() < 5:
            counted += 1
            if counted == days:
                return day
        day += timedelta(days=1)


def working_days_between(start: date, end: date) -> int:
    return sum(1 for i in range((end - start).days + 1) if (start + timedelta(days=i)).weekday() < 5)


def start_notice(actor, cycle: AppraisalCycle, starts_on: date, days: int | None = None) -> None:
    check_transition(cycle.status, CycleStatus.notice)
    days = days or cycle.config.get("notice_days", NOTICE_MIN_WORKING_DAYS)
    if days < NOTICE_MIN_WORKING_DAYS:
        raise DomainError(_l("The public notice lasts at least %(n)s working days."), n=NOTICE_MIN_WORKING_DAYS)
    unconfirmed = [a.cadre.name for a in cycle.appraisals if a.status == "ok" and a.final_grade is None]
    if unconfirmed:
        raise DomainError(_l("Confirm every grade before the notice: %(names)s."), names="、".join(unconfirmed))
    cycle.notice_starts_on, cycle.notice_ends_on = starts_on, add_working_days(starts_on, days)
    cycle.status = CycleStatus.notice
    audit.record("appraisal_cycle.notice", cycle, actor=actor, unit=cycle.unit, payload={
        "starts_on": starts_on.isoformat(), "ends_on": cycle.notice_ends_on.isoformat(), "working_days": days,
        "excellent": [a.cadre_id for a in notice_list(cycle)]})


def notice_list(cycle: AppraisalCycle) -> list[Appraisal]:
    return [a for a in cycle.appraisals if a.final_grade == "excellent"]


def add_objection(actor, cycle: AppraisalCycle, text: str, received_on: date, appraisal: Appraisal | None = None) -> AppraisalObjection:
    _require(cycle, CycleStatus.notice)
    if not text.strip():
        raise DomainError(_l("Write the objection."))
    if appraisal is not None and appraisal.cycle_id != cycle.id:
        raise DomainError(_l("That cadre is not in this cycle."))
    objection = AppraisalObjection(cycle=cycle, appraisal=appraisal, text=text.strip(), received_on=received_on)
    db.session.add(objection)
    audit.record("appraisal.objection", objection, actor=actor, unit=cycle.unit,
                 payload={"appraisal": appraisal.id if appraisal else None, "text": objection.text})
    return objection


def answer_objection(actor, objection: AppraisalObjection, answer: str, outcome: str) -> None:
    _require(objection.cycle, CycleStatus.notice)
    if outcome not in ("upheld", "dismissed") or not answer.strip():
        raise DomainError(_l("Answer the objection and say whether it is upheld."))
    objection.answer, objection.outcome, objection.answered_at = answer.strip(), outcome, utcnow()
    audit.record("appraisal.objection_answer", objection, actor=actor, unit=objection.cycle.unit,
                 payload={"answer": objection.answer, "outcome": outcome})


def publish_refusals(cycle: AppraisalCycle, today: date) -> list[str]:
    reasons = []
    if cycle.status is not CycleStatus.notice:
        reasons.append(str(_l("The cycle must first go through the public notice.")))
        return reasons
    if today <= cycle.notice_ends_on:
        reasons.append(str(_l("The notice period runs until %(date)s.", date=cycle.notice_ends_on.isoformat())))
    open_ = sum(1 for o in cycle.objections if o.answer is None)
    if open_:
        reasons.append(str(_l("%(n)s objection(s) not answered.", n=open_)))
    unconfirmed = sum(1 for a in cycle.appraisals if a.status == "ok" and a.final_grade is None)
    if unconfirmed:
        reasons.append(str(_l("%(n)s grade(s) not confirmed.", n=unconfirmed)))
    return reasons


def publish(actor, cycle: AppraisalCycle, today: date) -> None:
    check_transition(cycle.status, CycleStatus.published)
    reasons = publish_refusals(cycle, today)
    if reasons:
        raise DomainError("；".join(reasons))
    cycle.status, cycle.published_at = CycleStatus.published, utcnow()
    audit.record("appraisal_cycle.publish", cycle, actor=actor, unit=cycle.unit, payload={
        "version": cycle.config_version,
        "grades": [{"cadre": a.cadre_id, "composite": a.composite, "final": a.final_grade, "hash": sheet_hash(a)}
                   for a in cycle.appraisals]})


# --- the printed sheet's content and its hash ------------------------------------------------


def _num(value) -> str | None:
    return None if value is None else f"{Decimal(str(value)):.2f}"


def sheet_content(appraisal: Appraisal) -> dict[str, Any]:
    """What an appraisal sheet states; its hash is printed on the sheet and checked online."""
    cycle, cadre = appraisal.cycle, appraisal.cadre
    objections = [o for o in cycle.objections if o.appraisal_id in (None, appraisal.id)]
    return {
        "appraisal": appraisal.id, "year": cycle.year, "cycle": cycle.id, "status": cycle.status.value,
        "name": cadre.name, "unit": cadre.unit.name, "post": cadre.post, "level": cadre.post_level.value,
        "components": {c: _num(appraisal.component(c)) for c in ("K", "D", "J", "S", "M")},
        "bonus": _num(appraisal.bonus), "deduction": _num(appraisal.deduction),
        "composite": _num(appraisal.composite), "proposed": appraisal.proposed_grade, "flags": appraisal.flag_list,
        "final": appraisal.final_grade, "reason": appraisal.final_reason or "",
        "notice": [cycle.notice_starts_on.isoformat() if cycle.notice_starts_on else None,
                   cycle.notice_ends_on.isoformat() if cycle.notice_ends_on else None],
        "objections": [[o.id, o.outcome] for o in objections],
        "version": appraisal.config_version or cycle.config_version,
    }


def sheet_hash(appraisal: Appraisal) -> str:
    return hashlib.sha256(audit.canonical_json(sheet_content(appraisal)).encode("utf-8")).hexdigest()


def verification_code(digest: str) -> str:
    """The first 16 hex digits in groups of four: short enough to read out and type."""
    short = digest[:16].upper()
    return "-".join(short[i:i + 4] for i in range(0, 16, 4))


def verify_sheet(appraisal: Appraisal | None, claimed: str) -> bool:
    if appraisal is None:
        return False
    claimed = "".join(c for c in (claimed or "").lower() if c in "0123456789abcdef")
    return len(claimed) >= 16 and sheet_hash(appraisal).startswith(claimed)
