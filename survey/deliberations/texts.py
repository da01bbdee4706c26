"""Words for the workflow's structured refusals ("公议期未满：还剩 3 天", "出席人数未过半数：42 / 90")."""
from __future__ import annotations

from fractions import Fraction
from typing import Any, Mapping

from flask_babel import format_date
from flask_babel import gettext as _

from survey.deliberations.models import BODY_LABELS, STAGE_LABELS
from survey.deliberations.workflow import Body, Refusal, Stage, Threshold


def fraction_words(fraction: Fraction) -> str:
    if fraction == Fraction(1, 2):
        return _("half")
    if fraction == Fraction(2, 3):
        return _("two thirds")
    if fraction == Fraction(3, 4):
        return _("three quarters")
    return _("%(num)d/%(den)d", num=fraction.numerator, den=fraction.denominator)


def threshold_words(threshold: Threshold) -> str:
    words = fraction_words(threshold.fraction)
    return _("more than %(share)s", share=words) if threshold.strict else _("%(share)s or more", share=words)


def _threshold(params: Mapping[str, Any], prefix: str) -> Threshold:
    return Threshold.from_data({k: params[f"{prefix}_{k}"] for k in ("num", "den", "strict")})


def refusal_text(refusal: Refusal) -> str:
    p = refusal.params
    code = refusal.code
    if code == "proposal_missing":
        return _("The proposal has not been recorded.")
    if code == "signatures_too_few":
        return _("Too few joint signatures: %(count)d, at least %(minimum)d needed", **p)
    if code == "motion_missing":
        return _("The party organisation's meeting has not been recorded.")
    if code == "motion_declined":
        return _("The party organisation's meeting decided not to proceed.")
    if code == "consultation_missing":
        return _("The consultation meeting has not been recorded.")
    if code == "figures_inconsistent":
        return _("The meeting figures do not add up: %(present)d present, %(eligible)d eligible, %(votes)d votes", **p)
    if code == "no_quorum":
        quorum = _threshold(p, "quorum")
        if quorum == Threshold(Fraction(1, 2), True):
            text = _("Attendance is not more than half: %(present)d / %(eligible)d", present=p["present"], eligible=p["eligible"])
        else:
            text = _("Attendance is below %(rule)s: %(present)d / %(eligible)d", rule=threshold_words(quorum),
                     present=p["present"], eligible=p["eligible"])
        if "eligible_households" in p:
            text += _("; household representatives %(present)d / %(eligible)d, %(needed)d needed",
                      present=p["present_households"], eligible=p["eligible_households"], needed=p["needed_households"])
        return text
    if code == "no_majority":
        majority = _threshold(p, "majority")
        if majority == Threshold(Fraction(1, 2), True):
            return _("Votes in favour are not more than half of those present: %(votes)d / %(present)d",
                     votes=p["votes_for"], present=p["present"])
        return _("Votes in favour are below %(rule)s of those present: %(votes)d / %(present)d",
                 rule=threshold_words(majority), votes=p["votes_for"], present=p["present"])
    if code == "review_missing":
        return _("The public notice has not been posted.")
    if code == "review_running":
        return _("The public review period is not over: %(days)d days left", days=p["days_left"])
    if code == "review_too_short":
        return _("The public review is shorter than %(minimum)d days.", minimum=p["minimum"])
    if code == "objections_unanswered":
        return _("%(count)d objections not answered", count=p["count"])
    if code == "evaluation_missing":
        return _("No satisfaction campaign is linked yet.")
    if code == "campaign_open":
        return _("The satisfaction campaign is not closed yet.")
    if code == "campaign_without_result":
        return _("The satisfaction campaign has no result.")
    if code == "stage_final":
        return _("The matter is finished.")
    if code == "move_not_allowed":
        return _("This move is not allowed: from %(from_stage)s to %(to_stage)s",
                 from_stage=STAGE_LABELS[Stage(p["from"])], to_stage=STAGE_LABELS[Stage(p["to"])])
    if code == "reason_required":
        return _("A reason is required.")
    if code == "review_days_too_short":
        return _("The public review cannot be shorter than %(minimum)d days.", minimum=p["minimum"])
    if code == "signatures_minimum_too_low":
        return _("The joint-signature minimum cannot be lower than %(minimum)d.", minimum=p["minimum"])
    if code in ("quorum_loosened", "majority_loosened", "households_loosened"):
        return _("%(body)s: a community may make the rule stricter, never looser than the law.",
                 body=BODY_LABELS[Body(p["body"])])
    return code


def refusal_texts(refusals: list[Refusal]) -> list[str]:
    return [refusal_text(r) for r in refusals]


def long_date(value) -> str:
    return format_date(value, "long")
