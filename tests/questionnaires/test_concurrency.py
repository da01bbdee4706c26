"""Two phones submitting with one household code at the same moment: one response, one refusal."""
from __future__ import annotations

import re
import threading

from sqlalchemy import func, select

from survey.extensions import db
from survey.questionnaires.models import InvitationCode, Response
from tests.questionnaires.conftest import full_answers

HIDDEN = re.compile(r'name="(submission_id|started|csrf_token)" type="hidden" value="([^"]*)"')


def race(app, url: str, forms: list[dict]) -> list[int]:
    """POST every form to ``url`` from its own thread and client, released together."""
    clients = [app.test_client() for _ in forms]
    prepared = []
    for client, answers in zip(clients, forms):
        hidden = dict(HIDDEN.findall(client.get(url).get_data(as_text=True)))
        prepared.append({**hidden, **answers})
    barrier = threading.Barrier(len(forms))
    statuses: list[int] = [0] * len(forms)

    def post(i: int) -> None:
        barrier.wait()
        statuses[i] = clients[i].post(url, data=prepared[i]).status_code

    threads = [threading.Thread(target=post, args=(i,)) for i in range(len(forms))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return statuses


def test_one_code_two_concurrent_submissions_store_one_response(app, make_campaign, unspent_code):
    campaign_id = make_campaign()
    for attempt in range(3):  # a few rounds: the race must never let both through
        code = unspent_code(campaign_id)
        statuses = race(app, f"/c/{code}", [full_answers("4"), full_answers("5")])
        assert sorted(statuses) == [200, 302], statuses  # one receipt, one "already used" page
        with app.app_context():
            assert db.session.scalar(select(func.count(Response.id))) == attempt + 1
            assert db.session.scalar(select(InvitationCode.spent).filter_by(code=code)) is True


def test_the_same_submission_sent_twice_at_once_is_stored_once(app, make_campaign, unspent_code):
    campaign_id = make_campaign()
    code = unspent_code(campaign_id)
    client = app.test_client()
    hidden = dict(HIDDEN.findall(client.get(f"/c/{code}").get_data(as_text=True)))
    data = {**hidden, **full_answers()}
    barrier = threading.Barrier(2)
    locations: list[str | None] = [None, None]

    def post(i: int) -> None:
        barrier.wait()
        response = client.post(f"/c/{code}", data=data)  # one phone, the form sent twice
        locations[i] = response.headers.get("Location")

    threads = [threading.Thread(target=post, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    with app.app_context():
        receipts = db.session.scalars(select(Response.receipt)).all()
    assert len(receipts) == 1
    # both answers lead to the one receipt (the loser finds the stored response by its submission id)
    assert [loc for loc in locations if loc] and all(loc.endswith(receipts[0]) for loc in locations if loc)
