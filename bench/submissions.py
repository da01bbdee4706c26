"""Benchmark of resident submissions through gunicorn, against the same server's /healthz.

Sets up a fresh database (a SQLite file in a temporary folder; with ``--postgres URL`` also a
private schema in that PostgreSQL database, dropped afterwards) holding the demo district and an
open campaign with household codes, made as tests/questionnaires/conftest.py does. Starts
gunicorn with 2 sync workers on 127.0.0.1 and a free port (production settings, rate limit for
residents raised through ``RESIDENT_SUBMIT_LIMIT``), then, with a few client threads:

(a) resident submissions per second: each submission opens the code page (GET /c/<code>),
    reads the hidden ``submission_id``, ``started`` and ``csrf_token`` fields and posts the
    answers; each uses a fresh code; a submission counts when the server answers with the
    redirect to its receipt;
(b) requests per second of the trivial endpoint /healthz, the same way, in the same run.

Prints both, and their ratio (goal: at least 0.35), and checks that the database holds exactly
one response per accepted submission. Loopback only; every phase is bounded in time and count,
and the server is stopped at the end.

Run:  .venv/bin/python bench/submissions.py [--seconds 15] [--threads 4] [--postgres URL]
"""
from __future__ import annotations

import argparse
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from queue import Empty, SimpleQueue
from urllib.parse import quote

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

QUESTIONS = [
    {"type": "likert", "text": "您对长者食堂饭菜的口味满意吗？"},
    {"type": "likert", "text": "您对饭菜的价格满意吗？"},
    {"type": "likert", "text": "您对就餐环境和卫生满意吗？"},
    {"type": "likert", "text": "您对工作人员的服务态度满意吗？"},
    {"type": "single", "text": "您多久来一次？", "options": ["每天", "每周几次", "偶尔"], "required": False},
    {"type": "long_text", "text": "您还有什么意见和建议？", "required": False},
    {"type": "likert", "text": "总体来说，您对长者食堂满意吗？", "overall": True},
]
INPUT_RE = re.compile(r"<input\b[^>]*>", re.I)
ATTR_RE = re.compile(r'(name|value)="([^"]*)"')
HIDDEN = ("submission_id", "started", "csrf_token")


def hidden_fields(html: str) -> dict[str, str]:
    fields = {}
    for tag in INPUT_RE.findall(html):
        attrs = dict(ATTR_RE.findall(tag))
        if attrs.get("name") in HIDDEN:
            fields[attrs["name"]] = attrs.get("value", "")
    return fields


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(database_url: str, community: str) -> tuple[list[str], int]:
    """Schema, demo district and an open campaign with codes; returns (codes, campaign id)."""
    from sqlalchemy import select

    from survey import create_app
    from survey.demo import seed
    from survey.extensions import db
    from survey.orgs.operations import unit_by_code
    from survey.projects.models import Project, ProjectStatus, ProjectType
    from survey.questionnaires import operations as ops
    from survey.questionnaires.models import AccessMode, InvitationCode

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "RATELIMIT_STORAGE_URI": "memory://"})
    with app.app_context():
        db.create_all()
        seed(app.config["DEMO_PASSWORD"])
        unit = unit_by_code(community)
        project = Project(unit=unit, name="朝阳社区长者食堂", project_type=ProjectType.elderly_canteen, status=ProjectStatus.in_progress)
        db.session.add(project)
        questionnaire = ops.create_questionnaire(None, unit, "长者食堂满意度评议")
        version = questionnaire.versions[0]
        for spec in QUESTIONS:
            ops.add_question(None, version, dict(spec))
        ops.publish(None, version)
        today = date.today()
        campaign = ops.create_campaign(
            None, unit, version, project, "朝阳社区长者食堂 满意度评议", AccessMode.both,
            today - timedelta(days=1), today + timedelta(days=13), today + timedelta(days=20),
        )
        ops.generate_codes(None, campaign)
        ops.open_campaign(None, campaign)
        db.session.commit()
        codes = list(db.session.scalars(select(InvitationCode.code).filter_by(campaign_id=campaign.id).order_by(InvitationCode.id)))
        campaign_id = campaign.id
        db.session.remove()
        db.engine.dispose()
    return codes, campaign_id


def count_responses(database_url: str, campaign_id: int) -> int:
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    with engine.connect() as conn:
        n = conn.execute(text("SELECT count(*) FROM response WHERE campaign_id = :c"), {"c": campaign_id}).scalar_one()
    engine.dispose()
    return n


class Server:
    """gunicorn, 2 workers, on loopback; stopped (by its own pid) on exit."""

    def __init__(self, database_url: str, workers: int, log: Path):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "SURVEY_RATELIMIT_STORAGE_URI")}
        env.update({
            "DATABASE_URL": database_url,
            "SURVEY_CONFIG": "production",
            "SECRET_KEY": secrets.token_hex(32),
            "SESSION_COOKIE_SECURE": "0",  # plain http on loopback: the CSRF session cookie must come back
            "RESIDENT_SUBMIT_LIMIT": "100000 per minute",
            "PUBLIC_BASE_URL": self.base,
        })
        gunicorn = Path(sys.executable).with_name("gunicorn")
        self.log = open(log, "w")
        self.process = subprocess.Popen(
            [str(gunicorn), "--workers", str(workers), "--bind", f"127.0.0.1:{self.port}", "--access-logfile", "-",
             "--log-level", "warning", "survey:create_app()"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=self.log,
        )

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited with {self.process.returncode}; see its log")
            try:
                if requests.get(self.base + "/healthz", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise SystemExit("gunicorn did not answer /healthz in time")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


@dataclass
class Phase:
    done: int = 0
    failed: int = 0
    seconds: float = 0.0
    total_ok: int = 0  # warm-up included

    @property
    def rate(self) -> float:
        return self.done / self.seconds if self.seconds else 0.0


def run_phase(threads: int, seconds: float, work, warmup: float = 1.0) -> Phase:
    """``work(session)`` -> True/False/None (None: nothing left); counted after a warm-up."""
    phase = Phase()
    lock = threading.Lock()
    start = time.monotonic()
    measure_from, stop_at = start + warmup, start + warmup + seconds

    def loop():
        with requests.Session() as session:
            while (now := time.monotonic()) < stop_at:
                ok = work(session)
                if ok is None:
                    return
                if ok:
                    with lock:
                        phase.total_ok += 1
                if time.monotonic() >= measure_from and now >= measure_from:
                    with lock:
                        if ok:
                            phase.done += 1
                        else:
                            phase.failed += 1

    workers = [threading.Thread(target=loop, daemon=True) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=seconds + warmup + 120)
    phase.seconds = min(time.monotonic(), stop_at) - measure_from
    return phase


def bench(label: str, database_url: str, args) -> tuple[float, float]:
    print(f"\n[{label}] preparing the database ...", flush=True)
    codes, campaign_id = prepare(database_url, args.community)
    queue: SimpleQueue[str] = SimpleQueue()
    for code in codes:
        queue.put(code)
    errors: list[str] = []
    with tempfile.NamedTemporaryFile(prefix="gunicorn-", suffix=".log", delete=False) as log_file:
        log = Path(log_file.name)
    server = Server(database_url, args.workers, log)
    try:
        server.wait_ready()
        answers = {"q_q1": "5", "q_q2": "4", "q_q3": "4", "q_q4": "3", "q_q5": "2", "q_q6": "饭菜可以再软一点", "q_q7": "4"}

        def submit(session: requests.Session):
            try:
                code = queue.get_nowait()
            except Empty:
                return None
            try:
                page = session.get(f"{server.base}/c/{code}", timeout=30)
                fields = hidden_fields(page.text)
                if page.status_code != 200 or set(fields) != set(HIDDEN):
                    errors.append(f"GET /c/{code}: {page.status_code}")
                    return False
                posted = session.post(f"{server.base}/c/{code}", data={**fields, **answers}, allow_redirects=False, timeout=30)
                if posted.status_code == 302 and "/r/" in posted.headers.get("Location", ""):
                    return True
                errors.append(f"POST /c/{code}: {posted.status_code}")
                return False
            except requests.RequestException as error:
                errors.append(str(error))
                return False

        def health(session: requests.Session):
            try:
                return session.get(f"{server.base}/healthz", timeout=30).status_code == 200
            except requests.RequestException:
                return False

        # Both phases run with the server warm; healthz second so the code pages' templates are compiled.
        submissions = run_phase(args.threads, args.seconds, submit)
        healthz = run_phase(args.threads, args.seconds, health)
    finally:
        server.stop()
    stored = count_responses(database_url, campaign_id)
    used = len(codes) - queue.qsize()
    print(f"[{label}] {len(codes):,} codes, {used:,} used; server log {log}")
    print(f"[{label}] resident submissions: {submissions.done:,} in {submissions.seconds:.1f} s = {submissions.rate:.1f}/s "
          f"({submissions.failed} failed){'  (ran out of codes)' if queue.empty() else ''}")
    print(f"[{label}] /healthz requests:    {healthz.done:,} in {healthz.seconds:.1f} s = {healthz.rate:.1f}/s ({healthz.failed} failed)")
    ratio = submissions.rate / healthz.rate if healthz.rate else 0.0
    print(f"[{label}] ratio submissions / healthz = {ratio:.3f} (goal >= 0.35: {'met' if ratio >= 0.35 else 'NOT met'})")
    # Every accepted submission (warm-up ones too) is in the database, exactly once.
    print(f"[{label}] responses stored: {stored:,} for {submissions.total_ok:,} accepted submissions "
          f"({'equal' if stored == submissions.total_ok else 'MISMATCH'})")
    if errors:
        print(f"[{label}] first errors: {errors[:3]}")
    if not args.keep_log:
        log.unlink(missing_ok=True)
    return ratio, stored


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=15.0, help="measured seconds per phase (after a 1 s warm-up)")
    parser.add_argument("--threads", type=int, default=4, help="client threads")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--community", default="LJ0101", help="demo community whose grids give the codes")
    parser.add_argument("--postgres", metavar="URL", help="also run against a private schema in this PostgreSQL database")
    parser.add_argument("--keep-log", action="store_true", help="keep gunicorn's log file")
    args = parser.parse_args()
    args.seconds = min(args.seconds, 120.0)  # bounded whatever is asked

    results = {}
    with tempfile.TemporaryDirectory(prefix="bench-submissions-") as folder:
        results["sqlite"] = bench("sqlite", f"sqlite:///{Path(folder) / 'bench.sqlite3'}", args)
    if args.postgres:
        from sqlalchemy import create_engine, text

        schema = f"bench_{uuid.uuid4().hex[:12]}"
        engine = create_engine(args.postgres)
        with engine.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        sep = "&" if "?" in args.postgres else "?"
        try:
            results["postgresql"] = bench("postgresql", f"{args.postgres}{sep}options={quote(f'-csearch_path={schema}')}", args)
        finally:
            with engine.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            engine.dispose()
    print("\nsummary: " + ", ".join(f"{name} ratio {ratio:.3f}" for name, (ratio, _n) in results.items()))


if __name__ == "__main__":
    main()
