"""The allowed moves of an opinion and of a whistle: pure tables and checks (no Flask app, no DB)."""
from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l

from survey.core.errors import DomainError
from survey.opinions.models import OpinionStatus as O
from survey.opinions.models import WhistleStatus as W

OPINION_TRANSITIONS: dict[O, frozenset[O]] = {
    O.submitted: frozenset({O.accepted, O.closed}),  # closed unaccepted: a duplicate, not a matter for us
    O.accepted: frozenset({O.assigned, O.answered, O.closed}),
    O.assigned: frozenset({O.assigned, O.answered, O.closed}),  # assigned again: handed to someone else
    O.answered: frozenset({O.closed}),
    O.closed: frozenset(),
}

WHISTLE_TRANSITIONS: dict[W, frozenset[W]] = {
    W.sent: frozenset({W.acknowledged, W.withdrawn}),
    W.acknowledged: frozenset({W.in_progress, W.answered, W.withdrawn}),
    W.in_progress: frozenset({W.in_progress, W.answered, W.withdrawn}),  # progress may be reported again
    W.answered: frozenset(),
    W.withdrawn: frozenset(),
}

# The opinion's steps during which a whistle may be blown: after acceptance, before the answer.
WHISTLE_FROM = frozenset({O.accepted, O.assigned})


def check_opinion_move(current: O, target: O) -> None:
    if target not in OPINION_TRANSITIONS[current]:
        raise DomainError(
            _l("An opinion cannot go from “%(a)s” to “%(b)s”."), a=current.label, b=target.label
        )


def check_whistle_move(current: W, target: W) -> None:
    if target not in WHISTLE_TRANSITIONS[current]:
        raise DomainError(
            _l("A whistle cannot go from “%(a)s” to “%(b)s”."), a=current.label, b=target.label
        )


def deadline(start: datetime, days: int) -> datetime:
    """A deadline ``days`` calendar days after ``start``."""
    if days < 1:
        raise ValueError("a deadline is at least one day away")
    return start + timedelta(days=days)
