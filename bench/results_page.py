"""Results page of a campaign with 100,000 responses (8 questions each).

Builds a fresh SQLite database with the demo district and one campaign, fills it with
generated responses through bulk inserts (answer rows and the per-response scale column, as
``submit_response`` stores them), then times the committee's results page through the test
client against the trivial /healthz page in the same run. Goal: the page under 0.5 s.

    .venv/bin/python bench/results_page.py [--responses 100000]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert, select  # noqa: E402

from survey import create_app  # noqa: E402
from survey.demo import seed  # noqa: E402
from survey.extensions import db  # noqa: E402
from survey.orgs.models import OrgLevel, OrgUnit  # noqa: E402
from survey.projects.models import Project, ProjectType  # noqa: E402
from survey.questionnaires import operations as ops  # noqa: E402
from survey.questionnaires.models import AccessMode, Answer, Response  # noqa: E402

QUESTIONS = [{"type": "likert", "text": f"第{i}项满意度"} for i in range(1, 7)] + [
    {"type": "single", "text": "就餐频率", "options": ["每天", "每周", "偶尔"]},
    {"type": "likert", "text": "总体满意度", "overall": True},
]


def build(app, n: int) -> int:
    rng = np.random.default_rng(1)
    with app.app_context():
        db.create_all()
        seed(app.config["DEMO_PASSWORD"])
        unit = db.session.scalar(select(OrgUnit).filter_by(code="LJ0101"))
        project = Project(unit=unit, name="长者食堂", project_type=ProjectType.elderly_canteen)
        db.session.add(project)
        questionnaire = ops.create_questionnaire(None, unit, "基准问卷")
        for spec in QUESTIONS:
            ops.add_question(None, questionnaire.versions[0], dict(spec))
        ops.publish(None, questionnaire.versions[0])
        today = datetime.utcnow().date()
        campaign = ops.create_campaign(None, unit, questionnaire.versions[0], project, "基准评议", AccessMode.open_link,
                                       today - timedelta(days=30), today + timedelta(days=1))
        ops.open_campaign(None, campaign)
        db.session.commit()
        grids = [g.id for g in db.session.scalars(select(OrgUnit).where(OrgUnit.level == OrgLevel.grid,
                                                                        OrgUnit.path.startswith(unit.path)))]
        mood = rng.integers(2, 6, n)
        scale = np.clip(mood[:, None] + rng.integers(-1, 2, (n, 7)), 1, 5)
        scale[rng.random((n, 7)) < 0.03] = 0  # some "don't know"
        start = datetime.utcnow() - timedelta(days=20)
        batch = 20_000
        for lo in range(0, n, batch):
            hi = min(n, lo + batch)
            responses = [
                {
                    "campaign_id": campaign.id, "version_id": campaign.version_id, "submission_id": uuid.uuid4().hex,
                    "receipt": f"B{i:09d}", "grid_id": grids[i % len(grids)], "channel": "open_link", "assisted": False,
                    "submitted_at": start + timedelta(seconds=int(i * 15)), "duration_seconds": float(40 + i % 120),
                    "excluded": False, "scale_answers": "".join(map(str, scale[i])),
                }
                for i in range(lo, hi)
            ]
            db.session.execute(insert(Response), responses)
            ids = db.session.scalars(select(Response.id).where(Response.receipt >= f"B{lo:09d}",
                                                               Response.receipt < f"B{hi:09d}").order_by(Response.id)).all()
            keys = ["q1", "q2", "q3", "q4", "q5", "q6", "q8"]
            answers = [
                {"response_id": rid, "question_key": key, "value_num": float(scale[lo + j, k]), "value_text": None}
                for j, rid in enumerate(ids) for k, key in enumerate(keys)
            ] + [
                {"response_id": rid, "question_key": "q7", "value_num": float(1 + (lo + j) % 3), "value_text": None}
                for j, rid in enumerate(ids)
            ]
            db.session.execute(insert(Answer), answers)
            db.session.commit()
        return campaign.id


def timed(client, url: str, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - t0)
        assert response.status_code == 200, response.status_code
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--responses", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.sqlite3", "WTF_CSRF_ENABLED": False,
                          "RATELIMIT_ENABLED": False})
        t0 = time.perf_counter()
        campaign_id = build(app, args.responses)
        print(f"built {args.responses} responses in {time.perf_counter() - t0:.1f} s")
        client = app.test_client()
        client.post("/login", data={"username": "committee", "password": app.config["DEMO_PASSWORD"]})
        from survey.questionnaires import results

        cold = []
        for _ in range(args.repeat):
            results._CACHE.clear()  # as after a new response: everything recomputed
            cold += timed(client, f"/campaigns/{campaign_id}/results", 1)
        page = timed(client, f"/campaigns/{campaign_id}/results", args.repeat)
        base = timed(client, "/healthz", args.repeat * 4)
        page_s, base_s = statistics.median(page), statistics.median(base)
        print(f"results page, recomputed: median {statistics.median(cold):.3f} s (min {min(cold):.3f}, max {max(cold):.3f})")
        print(f"results page, unchanged since last view: median {page_s:.3f} s (min {min(page):.3f}, max {max(page):.3f})")
        print(f"/healthz baseline: median {base_s * 1000:.2f} ms")
        print(f"ratio recomputed page / baseline: {statistics.median(cold) / base_s:.0f}; unchanged: {page_s / base_s:.0f}")
        for name, value in (("recomputed", statistics.median(cold)), ("unchanged", page_s)):
            print(f"goal: results page under 0.5 s ({name}) -> {'met' if value < 0.5 else 'NOT met'}")


if __name__ == "__main__":
    main()
