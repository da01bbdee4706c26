"""Benchmark of the streamed response export: peak memory for 1,000,000 answer rows.

Builds a SQLite database (in a temporary folder) with the demo district and two campaigns of
8 questions each: a big one of 125,000 responses (1,000,000 answer rows) and a small one of
1,250 responses (10,000 answer rows), inserted with core executemany. Then exports each
campaign, as CSV and as XLSX, through ``survey.questionnaires.exports`` (the same generators
the web view and ``flask campaign export`` use), each in a fresh child process that reports:

- its peak resident memory (``VmHWM``, the high-water mark of ``/proc/self/status``; on other
  systems ``getrusage().ru_maxrss``) before and after the export (before = imports, app,
  database connection: the process's floor);
- optionally (``--tracemalloc``) the Python allocation peak during the export (slower).

It prints the peak for the big export (goal: under 200 MB), the growth over the process
floor, and the ratios against the small export measured in the same run: a bounded-memory
export costs about the same whatever the campaign size.

Run (a few minutes):  .venv/bin/python bench/export.py [--responses 125000] [--formats csv,xlsx]
"""
from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

QUESTIONS = [
    {"type": "likert", "text": "您对长者食堂饭菜的口味满意吗？"},
    {"type": "likert", "text": "您对饭菜的价格满意吗？"},
    {"type": "likert", "text": "您对就餐环境和卫生满意吗？"},
    {"type": "likert", "text": "您对工作人员的服务态度满意吗？"},
    {"type": "likert", "text": "您对送餐上门服务满意吗？"},
    {"type": "single", "text": "您多久来一次？", "options": ["每天", "每周几次", "偶尔"]},
    {"type": "short_text", "text": "您还有什么意见和建议？", "required": False},
    {"type": "likert", "text": "总体来说，您对长者食堂满意吗？", "overall": True},
]
COMMENTS = ["饭菜可以再软一点", "希望增加晚餐", "=HYPERLINK(\"http://x\")", "价格合适", "-", "服务态度很好，谢谢！"]
BATCH = 20_000


def make_app(db_path: Path):
    from survey import create_app

    return create_app({
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_path}", "RATELIMIT_STORAGE_URI": "memory://", "CONFIG_NAME": "development",
    })


def build(db_path: Path, sizes: list[int], seed: int = 20260101) -> tuple[list[int], dict[int, int]]:
    """The demo district and one campaign per size; returns the campaign ids and answer counts."""
    from sqlalchemy import func, insert, select

    from survey.demo import seed as seed_demo
    from survey.extensions import db
    from survey.orgs.operations import unit_by_code
    from survey.projects.models import Project, ProjectStatus, ProjectType
    from survey.questionnaires import operations as ops
    from survey.questionnaires.models import AccessMode, Answer, Response

    rng = random.Random(seed)
    app = make_app(db_path)
    ids = []
    with app.app_context():
        db.create_all()
        seed_demo("bench-password-1")
        unit = unit_by_code("LJ0101")
        grids: list[int] = []
        next_response = 1
        for size in sizes:
            project = Project(unit=unit, name=f"长者食堂 {size}", project_type=ProjectType.elderly_canteen, status=ProjectStatus.in_progress)
            db.session.add(project)
            questionnaire = ops.create_questionnaire(None, unit, "长者食堂满意度评议")
            version = questionnaire.versions[0]
            for spec in QUESTIONS:
                ops.add_question(None, version, dict(spec))
            ops.publish(None, version)
            today = date.today()
            campaign = ops.create_campaign(None, unit, version, project, f"满意度评议 {size}", AccessMode.both,
                                           today - timedelta(days=14), today + timedelta(days=14))
            ops.open_campaign(None, campaign)
            db.session.commit()
            grids = grids or [g.id for g in ops.campaign_grids(campaign)]
            keys = [q["key"] for q in version.questions]
            start = datetime(2026, 3, 1, 1, 0)
            connection = db.session.connection()
            for first in range(0, size, BATCH):
                responses, answers = [], []
                for i in range(first, min(first + BATCH, size)):
                    rid = next_response
                    next_response += 1
                    channel = "code" if i % 4 else "open_link"
                    excluded = i % 97 == 0
                    responses.append({
                        "id": rid, "campaign_id": campaign.id, "version_id": version.id,
                        "submission_id": uuid.UUID(int=rng.getrandbits(128)).hex, "receipt": f"B{rid:09d}",
                        "grid_id": rng.choice(grids) if channel == "code" else None, "channel": channel,
                        "assisted": i % 10 == 0, "submitted_at": start + timedelta(seconds=i * 7),
                        "duration_seconds": rng.uniform(40, 400), "excluded": excluded,
                        "excluded_reason": "同一户重复填写" if excluded else None,
                    })
                    base = rng.choice((3, 4, 4, 5))
                    for key, spec in zip(keys, QUESTIONS):
                        if spec["type"] == "likert":
                            value = 0 if rng.random() < 0.03 else max(1, min(5, base + rng.choice((-1, 0, 0, 1))))
                            answers.append({"response_id": rid, "question_key": key, "value_num": float(value), "value_text": None})
                        elif spec["type"] == "single":
                            answers.append({"response_id": rid, "question_key": key, "value_num": float(rng.randint(1, 3)), "value_text": None})
                        else:
                            answers.append({"response_id": rid, "question_key": key, "value_num": None, "value_text": rng.choice(COMMENTS)})
                connection.execute(insert(Response.__table__), responses)
                connection.execute(insert(Answer.__table__), answers)
            db.session.commit()
            ids.append(campaign.id)
        counts = {cid: db.session.scalar(select(func.count(Answer.id)).join(Response).where(Response.campaign_id == cid)) for cid in ids}
        db.session.remove()
        db.engine.dispose()
    return ids, counts


def peak_rss_kb() -> int:
    """This process's peak resident memory in KB.

    ``VmHWM`` from /proc (Linux) belongs to the current program image: ``ru_maxrss`` would
    carry over the parent's peak through fork and exec, and the parent built the database.
    """
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def child(db_path: Path, campaign_id: int, fmt: str, out: Path, trace: bool) -> None:
    """Run one export and print a JSON line of its figures."""
    from survey.extensions import db
    from survey.questionnaires import exports
    from survey.questionnaires.models import Campaign

    app = make_app(db_path)
    with app.app_context():
        campaign = db.session.get(Campaign, campaign_id)
        exports.question_columns(campaign)  # warm: the connection, the catalog, the versions
        before = peak_rss_kb()
        if trace:
            import tracemalloc

            tracemalloc.start()
        began = time.perf_counter()
        with open(out, "wb") as stream:
            written = exports.write_export(campaign, fmt, stream)
        seconds = time.perf_counter() - began
        traced = None
        if trace:
            import tracemalloc

            traced = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
        after = peak_rss_kb()
    print(json.dumps({"before_kb": before, "after_kb": after, "seconds": seconds, "bytes": written, "traced": traced}))


def run_child(db_path: Path, campaign_id: int, fmt: str, out: Path, trace: bool) -> dict:
    cmd = [sys.executable, __file__, "--child", str(db_path), str(campaign_id), fmt, str(out)] + (["--tracemalloc"] if trace else [])
    result = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=1800, cwd=ROOT)
    if result.returncode != 0:
        sys.exit(f"export child failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def count_rows(path: Path, fmt: str) -> int | None:
    if fmt != "csv":
        return None
    with open(path, "rb") as stream:
        return sum(1 for _ in stream) - 1  # no newlines inside our cells


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=125_000, help="responses in the big campaign (x 8 answers)")
    parser.add_argument("--baseline", type=int, default=1_250, help="responses in the small campaign (x 8 answers)")
    parser.add_argument("--formats", default="csv,xlsx")
    parser.add_argument("--tracemalloc", action="store_true", help="also trace Python allocations (slower)")
    parser.add_argument("--child", nargs=4, metavar=("DB", "CAMPAIGN", "FORMAT", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        db_path, campaign_id, fmt, out = args.child
        child(Path(db_path), int(campaign_id), fmt, Path(out), args.tracemalloc)
        return

    formats = [f for f in args.formats.split(",") if f]
    with tempfile.TemporaryDirectory(prefix="bench-export-") as folder:
        db_path = Path(folder) / "bench.sqlite3"
        began = time.perf_counter()
        (big, small), counts = build(db_path, [args.responses, args.baseline])
        print(f"built {db_path.stat().st_size / 1e6:.0f} MB SQLite: campaign {big} with {counts[big]:,} answer rows "
              f"({args.responses:,} responses), campaign {small} with {counts[small]:,} ({args.baseline:,}) "
              f"in {time.perf_counter() - began:.1f} s")
        goal_met = True
        for fmt in formats:
            figures = {}
            for label, cid in (("small", small), ("big", big)):
                out = Path(folder) / f"{label}.{fmt}"
                figures[label] = run_child(db_path, cid, fmt, out, args.tracemalloc)
                figures[label]["rows"] = count_rows(out, fmt)
                out.unlink()
            b, s = figures["big"], figures["small"]
            peak_mb, floor_mb = b["after_kb"] / 1024, b["before_kb"] / 1024
            growth_big = (b["after_kb"] - b["before_kb"]) / 1024
            growth_small = (s["after_kb"] - s["before_kb"]) / 1024
            goal_met &= peak_mb < 200
            print(f"\n{fmt.upper()}: {counts[big]:,} answer rows -> {b['bytes'] / 1e6:.1f} MB file in {b['seconds']:.1f} s "
                  f"({counts[big] / b['seconds']:,.0f} answer rows/s)" + (f", {b['rows']:,} lines" if b["rows"] is not None else ""))
            print(f"  peak RSS of the exporting process: {peak_mb:.1f} MB (goal < 200 MB: {'met' if peak_mb < 200 else 'NOT met'})")
            print(f"  process floor before exporting:    {floor_mb:.1f} MB  -> peak / floor = {peak_mb / floor_mb:.2f}")
            print(f"  growth during the export:          {growth_big:.1f} MB ({counts[big]:,} rows) vs {growth_small:.1f} MB "
                  f"({counts[small]:,} rows, peak {s['after_kb'] / 1024:.1f} MB)")
            print(f"  peak RSS ratio big / small export: {b['after_kb'] / s['after_kb']:.2f} "
                  f"for {counts[big] / counts[small]:.0f}x the rows")
            if b["traced"] is not None:
                print(f"  tracemalloc peak: {b['traced'] / 1e6:.1f} MB ({counts[big]:,} rows) vs {s['traced'] / 1e6:.1f} MB "
                      f"-> ratio {b['traced'] / s['traced']:.2f}")
        sys.exit(0 if goal_met else 1)


if __name__ == "__main__":
    main()
