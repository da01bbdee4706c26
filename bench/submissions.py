"""Benchmark of resident submissions through gunicorn, against the same server's /healthz.

Sets up a fresh database (a SQLite file in a temporary folder; with ``--postgres URL`` also a
private schema in that PostgreSQL database, dropped afterwards) holding the demo district and an
open campaign with household codes, made as tests/questionnaires/conftest.py does, except that
the household counts of the community's grids are raised first so that the campaign has at
least ``--codes`` (25,000) codes. Starts gunicorn with 2 sync workers on 127.0.0.1 and a free
port (production settings, rate limit for residents raised through ``RESIDENT_SUBMIT_LIMIT``),
then measures four kinds of load on that one server with ``--threads`` client threads (kept for
the whole run; each keeps one ``requests.Session`` per kind of load):

1. healthz: ``GET /healthz``, the trivial endpoint; the baseline of every ratio;
2. form views: ``GET /c/<code>`` on fresh codes; each thread keeps, with its own session (so
   that the CSRF session cookie matches), each page's code and hidden ``submission_id``,
   ``started`` and ``csrf_token``: these are the forms that phase 3 posts;
3. submissions: ``POST /c/<code>`` of the answered forms only, each thread posting the forms it
   fetched, in the same session; one counts when the server answers 302 to ``/r/<receipt>``.
   This is the issue's "resident submissions per second": its ratio to healthz has the goal of
   at least 0.35;
4. round trips: ``GET`` then ``POST /c/<code>`` per resident on fresh codes, in a session of
   their own: a resident opening the QR link and answering. Its ratio to healthz is printed
   beside the submissions' one, with no goal.

First one warm-up per phase, in this order (1 s each, form views 3 s so that the submissions
start with forms in stock; not measured, but their submissions count in the database check).
Then the phases run INTERLEAVED, in R = ceil(``--seconds`` / ``--slice``) rounds (10 rounds of
1 s by default): each round runs one slice of ``--seconds`` / R seconds of every phase, the
order rotated by one each round so that no phase is always first. Within a slice all client
threads start together (a barrier) and stop together: a thread starts no request after the
slice's end, and the slice's measured time is the mean over the threads of the time from their
start to the end of their last request. Why: on a shared, noisy machine (a 2-core VM whose CPU
speed drifts over tens of seconds, other people's tests) phases run one after the other see
different machines, and their ratios wandered from run to run (0.29-0.38) while the server's CPU
per request did not; interleaved, every phase sees the same mix of conditions.

A phase's counts, measured seconds and CPU are summed over its slices; its rate is total done /
total measured seconds. For the submission ratio the per-round ratios (submissions rate in round
i / healthz rate in round i) are printed too, their median and min-max beside the overall
(total-based) ratio; the goal is applied to the overall one, the median shown beside it. When a
thread runs out of forms (or codes) the slice ends there for every thread (the rate is over the
time measured until then) and the output says in how many slices that happened.

For each phase it prints the rate, its ratio to healthz and the CPU milliseconds per request
(per round trip in phase 4) used by the gunicorn processes (master and workers: utime + stime
from /proc, workers reaped meanwhile included), by this client process (``os.times``) and, with
PostgreSQL on this machine, by the app's PostgreSQL backends; also how many cores the whole
machine kept busy during its slices. It checks that the database holds exactly one response per
accepted submission (phases 3 and 4, warm-ups included) and prints MISMATCH otherwise. Loopback
only; the server is stopped at the end.

Run:  .venv/bin/python bench/submissions.py [--seconds 10] [--slice 1] [--threads 4] [--postgres URL]
"""
from __future__ import annotations

import argparse
import math
import os
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
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
ANSWERS = {"q_q1": "5", "q_q2": "4", "q_q3": "4", "q_q4": "3", "q_q5": "2", "q_q6": "饭菜可以再软一点", "q_q7": "4"}
INPUT_RE = re.compile(r"<input\b[^>]*>", re.I)
ATTR_RE = re.compile(r'(name|value)="([^"]*)"')
HIDDEN = ("submission_id", "started", "csrf_token")
GOAL = 0.35
WARMUP = 1.0
PREFETCH_EXTRA = 2.0  # the form views' warm-up is this much longer, so that the submissions start with forms in stock
KINDS = ("healthz", "form views", "submissions", "round trips")
ROUND_TRIP_SHARE = 1 / 3  # of the codes kept back from the form views for the round trips


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


def prepare(database_url: str, community: str, min_codes: int = 0) -> tuple[list[str], int]:
    """Schema, demo district and an open campaign with codes; returns (codes, campaign id).

    With ``min_codes``, the household counts of the community's grids are multiplied (all by the
    same whole factor) before the codes are made, so that there are at least that many codes.
    """
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
        if min_codes:
            grids = ops.campaign_grids(campaign)
            households = sum(grid.households or 0 for grid in grids)
            if grids and households < min_codes:
                factor = math.ceil(min_codes / households) if households else 0
                for grid in grids:
                    grid.households = (grid.households or 0) * factor if factor else math.ceil(min_codes / len(grids))
                db.session.flush()
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


# --- CPU time, from /proc -------------------------------------------------------------------------

TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str] | None:
    """Fields of /proc/<pid>/stat from the 3rd (state) on, or None if the process is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            data = f.read()
    except OSError:
        return None
    return data[data.rindex(")") + 2:].split()


def _children(pid: int) -> list[int]:
    found: list[int] = []
    tasks = Path(f"/proc/{pid}/task")
    files = list(tasks.glob("*/children")) if tasks.is_dir() else []
    if files:  # kernels built with CONFIG_PROC_CHILDREN
        for f in files:
            try:
                found += [int(p) for p in f.read_text().split()]
            except OSError:
                pass
        return found
    for entry in Path("/proc").iterdir():  # otherwise: every process whose parent is pid
        if entry.name.isdigit():
            fields = _stat(int(entry.name))
            if fields and int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) of a process and its descendants, reaped children included."""
    fields = _stat(pid)
    if fields is None:
        return 0.0
    # utime, stime, cutime, cstime are fields 14-17 of stat: 11-14 here
    ticks = sum(int(x) for x in fields[11:15])
    return ticks / TICK + sum(tree_cpu(child) for child in _children(pid))


def machine_busy() -> float:
    """CPU seconds spent on all cores, other than idle and iowait, since boot."""
    with open("/proc/stat") as f:
        values = [int(x) for x in f.readline().split()[1:]]
    return (sum(values[:8]) - values[3] - values[4]) / TICK  # user nice system idle iowait irq softirq steal


class PostgresBackends:
    """CPU of the app's PostgreSQL backends (found by the application_name in the server's URL).

    Cumulative over the backends seen so far: one that has gone since the last reading counts
    with the CPU it had then (a lower bound), so a phase's difference is never negative.
    """

    def __init__(self, admin_url: str, app_name: str):
        from sqlalchemy import create_engine

        self.app_name = app_name
        self.engine = create_engine(admin_url, connect_args={"application_name": f"{app_name}-meter"})
        self.last: dict[int, float] = {}
        self.retired = 0.0
        self.local = True

    def cpu(self) -> float | None:
        from sqlalchemy import text

        if not self.local:
            return None
        with self.engine.connect() as conn:
            pids = conn.execute(text("SELECT pid FROM pg_stat_activity WHERE application_name = :a"), {"a": self.app_name}).scalars().all()
        now: dict[int, float] = {}
        for pid in pids:
            fields = _stat(pid)
            if fields is not None:
                now[pid] = (int(fields[11]) + int(fields[12])) / TICK
        if pids and not now:  # the backends are not on this machine
            self.local = False
            return None
        self.retired += sum(seconds for pid, seconds in self.last.items() if pid not in now)
        self.last = now
        return self.retired + sum(now.values())

    def dispose(self) -> None:
        self.engine.dispose()


@dataclass
class Meter:
    server_pid: int
    postgres: PostgresBackends | None = None

    def read(self, end: bool = False) -> dict[str, float | None]:
        """Cumulative readings. Before a slice (``end`` False) this process's CPU and the clock
        are read last, after it (``end`` True) first, so that the client's column holds as
        little of the meter's own work (walking /proc, asking PostgreSQL) as possible."""
        def client() -> dict[str, float]:
            times = os.times()
            return {"client": times.user + times.system, "wall": time.monotonic()}

        first = client() if end else {}
        values = {
            "server": tree_cpu(self.server_pid),
            "postgres": self.postgres.cpu() if self.postgres else None,
            "machine": machine_busy(),
        }
        return {**values, **(first or client())}


# --- the phases -----------------------------------------------------------------------------------

class Codes:
    """Fresh household codes, shared by the threads and the phases; each code is handed out once."""

    def __init__(self, codes: list[str]):
        self.codes, self.next, self.lock = codes, 0, threading.Lock()

    def take(self, keep: int = 0) -> str | None:
        """A fresh code, or None when only ``keep`` codes are left."""
        with self.lock:
            if len(self.codes) - self.next <= keep:
                return None
            self.next += 1
            return self.codes[self.next - 1]

    @property
    def used(self) -> int:
        return self.next


@dataclass
class Slice:
    """One slice of one phase: every thread runs ``work`` until ``stop_at``."""

    work: object
    session_key: str
    threads: int
    stop_at: float = 0.0
    ran_out: bool = False  # a thread had nothing left (no codes, no forms): the slice ended there
    done: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    busy: list[float] = field(default_factory=list)  # per thread: its start to the end of its last request
    crashed: list[str] = field(default_factory=list)
    cpu: dict[str, float | None] = field(default_factory=dict)

    def __post_init__(self):
        self.done, self.failed, self.busy = [0] * self.threads, [0] * self.threads, [0.0] * self.threads

    @property
    def seconds(self) -> float:
        return sum(self.busy) / self.threads


@dataclass
class Phase:
    name: str
    done: int = 0
    failed: int = 0
    seconds: float = 0.0
    total_ok: int = 0  # warm-up included
    slices: int = 0
    ran_out: int = 0  # slices that ended early: a thread had nothing left to do before the time was up
    cpu: dict[str, float | None] = field(default_factory=dict)  # summed over the slices
    rounds: list[float | None] = field(default_factory=list)  # rate in each round (None: nothing measured)
    errors: list[str] = field(default_factory=list)

    def add(self, part: Slice) -> None:
        done, seconds = sum(part.done), part.seconds
        self.done += done
        self.failed += sum(part.failed)
        self.total_ok += done
        self.seconds += seconds
        self.slices += 1
        self.ran_out += part.ran_out
        self.rounds.append(done / seconds if seconds > 0 else None)
        for key, value in part.cpu.items():
            if key in self.cpu and self.cpu[key] is None:
                continue
            self.cpu[key] = None if value is None else (self.cpu.get(key) or 0.0) + value

    @property
    def rate(self) -> float:
        return self.done / self.seconds if self.seconds else 0.0

    def per_request_ms(self, key: str) -> float | None:
        value, requests_ = self.cpu.get(key), self.done + self.failed
        return None if value is None or not requests_ else 1000 * value / requests_


class Client:
    """``threads`` client threads, kept for the whole run and driven one slice at a time.

    The threads wait at a barrier, start the slice together, start no request after its end and
    meet again at a second barrier. Each thread keeps one ``requests.Session`` per session key
    across slices (the form views and the submissions share theirs, so that the CSRF session
    cookie matches the forms the thread fetched).
    """

    def __init__(self, threads: int, meter: Meter):
        self.threads, self.meter = threads, meter
        self.sessions: list[dict[str, requests.Session]] = [{} for _ in range(threads)]
        self.begin = threading.Barrier(threads + 1)
        self.end = threading.Barrier(threads + 1)
        self.lock = threading.Lock()
        self.job: Slice | None = None
        self.workers = [threading.Thread(target=self._loop, args=(i,), daemon=True) for i in range(threads)]
        for w in self.workers:
            w.start()

    def _loop(self, index: int) -> None:
        while True:
            try:
                self.begin.wait()
            except threading.BrokenBarrierError:
                return
            job = self.job
            if job is None:
                return
            session = self.sessions[index].setdefault(job.session_key, requests.Session())
            began = last = time.monotonic()
            try:
                while (started := time.monotonic()) < job.stop_at:
                    ok = job.work(index, session)
                    last = time.monotonic()
                    if ok is None:
                        with self.lock:
                            job.ran_out = True
                            job.stop_at = min(job.stop_at, started)
                        break
                    if ok:
                        job.done[index] += 1
                    else:
                        job.failed[index] += 1
            except Exception as error:  # a bug in the work must not hang the other threads
                with self.lock:
                    job.crashed.append(repr(error))
                    job.stop_at = min(job.stop_at, time.monotonic())
            job.busy[index] = last - began
            try:
                self.end.wait()
            except threading.BrokenBarrierError:
                return

    def run(self, work, seconds: float, session_key: str) -> Slice:
        """One slice: ``work(thread index, session)`` -> True (done) / False (failed) / None (nothing left)."""
        job = Slice(work, session_key, self.threads)
        self.job = job
        before = self.meter.read()
        job.stop_at = time.monotonic() + seconds
        try:
            self.begin.wait(timeout=60)
            self.end.wait(timeout=seconds + 120)
        except threading.BrokenBarrierError:
            raise SystemExit("client threads did not finish a slice in time") from None
        after = self.meter.read(end=True)
        job.cpu = {key: None if before[key] is None or after[key] is None else after[key] - before[key] for key in before}
        if job.crashed:
            raise SystemExit(f"client thread failed: {job.crashed[0]}")
        return job

    def close(self) -> None:
        self.job = None
        try:
            self.begin.wait(timeout=10)
        except threading.BrokenBarrierError:
            pass
        for w in self.workers:
            w.join(timeout=10)
        for sessions in self.sessions:
            for session in sessions.values():
                session.close()


def bench(label: str, database_url: str, args) -> dict[str, float]:
    print(f"\n[{label}] preparing the database ...", flush=True)
    began = time.monotonic()
    codes_list, campaign_id = prepare(database_url, args.community, args.codes)
    print(f"[{label}] prepared in {time.monotonic() - began:.1f} s: {len(codes_list):,} codes", flush=True)
    codes = Codes(codes_list)
    keep_for_round_trips = int(len(codes_list) * ROUND_TRIP_SHARE)
    with tempfile.NamedTemporaryFile(prefix="gunicorn-", suffix=".log", delete=False) as log_file:
        log = Path(log_file.name)
    postgres = None
    server_url = database_url
    if label == "postgresql":
        app_name = f"bench-submissions-{uuid.uuid4().hex[:8]}"
        server_url = f"{database_url}{'&' if '?' in database_url else '?'}application_name={app_name}"
        postgres = PostgresBackends(database_url, app_name)
    server = Server(server_url, args.workers, log)
    phases = {kind: Phase(kind) for kind in KINDS}
    forms: list[deque[tuple[str, dict[str, str]]]] = [deque() for _ in range(args.threads)]
    rounds = max(math.ceil(args.seconds / args.slice - 1e-9), 1)
    slice_seconds = args.seconds / rounds
    client = None
    try:
        server.wait_ready()
        meter = Meter(server.process.pid, postgres)
        base = server.base

        errors_by_phase: dict[str, list[str]] = {"healthz": [], "form views": [], "submissions": [], "round trips": []}

        def failure(phase: str, what: str) -> bool:
            errors = errors_by_phase[phase]
            if len(errors) < 20:
                errors.append(what)
            return False

        def health(_index: int, session: requests.Session):
            try:
                answer = session.get(f"{base}/healthz", timeout=30)
                return answer.status_code == 200 or failure("healthz", f"GET /healthz: {answer.status_code}")
            except requests.RequestException as error:
                return failure("healthz", str(error))

        def open_form(phase: str, session: requests.Session, code: str) -> dict[str, str] | None:
            try:
                page = session.get(f"{base}/c/{code}", timeout=30)
            except requests.RequestException as error:
                failure(phase, f"GET /c/{code}: {error}")
                return None
            fields = hidden_fields(page.text)
            if page.status_code != 200 or set(fields) != set(HIDDEN):
                failure(phase, f"GET /c/{code}: {page.status_code}")
                return None
            return fields

        def post_form(phase: str, session: requests.Session, code: str, fields: dict[str, str]) -> bool:
            try:
                posted = session.post(f"{base}/c/{code}", data={**fields, **ANSWERS}, allow_redirects=False, timeout=30)
            except requests.RequestException as error:
                return failure(phase, f"POST /c/{code}: {error}")
            if posted.status_code == 302 and "/r/" in posted.headers.get("Location", ""):
                return True
            return failure(phase, f"POST /c/{code}: {posted.status_code}")

        def view(index: int, session: requests.Session):
            code = codes.take(keep=keep_for_round_trips)
            if code is None:
                return None
            fields = open_form("form views", session, code)
            if fields is None:
                return False
            forms[index].append((code, fields))
            return True

        def submit(index: int, session: requests.Session):
            if not forms[index]:
                return None
            code, fields = forms[index].popleft()
            return post_form("submissions", session, code, fields)

        def round_trip(_index: int, session: requests.Session):
            code = codes.take()
            if code is None:
                return None
            fields = open_form("round trips", session, code)
            return fields is not None and post_form("round trips", session, code, fields)

        work = {  # kind: (work, session key); form views and submissions share each thread's session
            "healthz": (health, "healthz"),
            "form views": (view, "forms"),
            "submissions": (submit, "forms"),
            "round trips": (round_trip, "round trips"),
        }
        client = Client(args.threads, meter)
        for kind in KINDS:  # warm-ups, not measured; their submissions count in the database check
            warm_up = client.run(work[kind][0], WARMUP + (PREFETCH_EXTRA if kind == "form views" else 0.0), work[kind][1])
            phases[kind].total_ok += sum(warm_up.done)
        for number in range(rounds):  # interleaved: one slice of each phase per round, order rotated
            order = KINDS[number % len(KINDS):] + KINDS[:number % len(KINDS)]
            for kind in order:
                phases[kind].add(client.run(work[kind][0], slice_seconds, work[kind][1]))
        fetched = phases["form views"].total_ok
        unposted = sum(len(f) for f in forms)
        for name, phase in phases.items():
            phase.errors = errors_by_phase[name]
    finally:
        if client is not None:
            client.close()
        server.stop()
        if postgres is not None:
            postgres.dispose()
    stored = count_responses(database_url, campaign_id)
    accepted = phases["submissions"].total_ok + phases["round trips"].total_ok
    log_text = log.read_text(errors="replace")
    tracebacks = log_text.count("Traceback")

    healthz_rate = phases["healthz"].rate
    cores = os.cpu_count() or 1
    print(f"[{label}] {len(codes_list):,} codes, {codes.used:,} used; {fetched:,} forms fetched, {unposted:,} left unposted; "
          f"gunicorn {args.workers} workers, {args.threads} client threads, {cores} cores")
    print(f"[{label}] phases interleaved: {rounds} rounds of one {slice_seconds:.2f} s slice per phase, order rotated each round "
          f"(after a warm-up per phase); counts, seconds and CPU summed over each phase's slices")
    labels = {
        "healthz": "healthz (GET /healthz)",
        "form views": "form views (GET /c/<code>)",
        "submissions": "submissions (POST /c/<code>)",
        "round trips": "round trips (GET + POST)",
    }
    has_pg = any(p.cpu.get("postgres") is not None for p in phases.values())
    header = f"{'phase':<30} {'done':>7} {'failed':>6} {'seconds':>7} {'per s':>8} {'/healthz':>8}   CPU ms per request: {'server':>6} {'client':>6}"
    header += f" {'pg':>6}" if has_pg else ""
    header += f"   cores busy: {'all':>4} {'others':>6}"
    print(f"[{label}] {header}")
    busiest_others = 0.0
    for name, phase in phases.items():
        ratio = phase.rate / healthz_rate if healthz_rate else 0.0

        def ms(key: str) -> str:
            value = phase.per_request_ms(key)
            return f"{value:6.2f}" if value is not None else f"{'n/a':>6}"

        wall = phase.cpu.get("wall") or 0.0
        busy = phase.cpu["machine"] / wall if wall else 0.0
        ours = sum(phase.cpu.get(key) or 0.0 for key in ("server", "client", "postgres"))
        others = max(phase.cpu["machine"] - ours, 0.0) / wall if wall else 0.0
        busiest_others = max(busiest_others, others)
        line = (f"{labels[name]:<30} {phase.done:>7,} {phase.failed:>6,} {phase.seconds:>7.1f} {phase.rate:>8.1f} {ratio:>8.3f}"
                f"   {'':>19} {ms('server')} {ms('client')}")
        line += f" {ms('postgres')}" if has_pg else ""
        line += f"   {'':>12}{busy:>4.2f} {others:>6.2f}"
        if phase.ran_out:
            line += (f"   (ran out of {'forms' if name == 'submissions' else 'codes'}: {phase.ran_out} of {phase.slices} "
                     "slices ended early)")
        print(f"[{label}] {line}")
    submission_ratio = phases["submissions"].rate / healthz_rate if healthz_rate else 0.0
    round_trip_ratio = phases["round trips"].rate / healthz_rate if healthz_rate else 0.0

    def per_round(kind: str) -> list[float]:
        pairs = zip(phases[kind].rounds, phases["healthz"].rounds)
        return [rate / base_rate for rate, base_rate in pairs if rate is not None and base_rate]

    submission_rounds = per_round("submissions")
    submission_median = statistics.median(submission_rounds) if submission_rounds else 0.0
    round_trip_rounds = per_round("round trips")
    round_trip_median = statistics.median(round_trip_rounds) if round_trip_rounds else 0.0

    def spread(values: list[float]) -> str:
        if not values:
            return "per round: n/a"
        return f"per round: median {statistics.median(values):.3f}, min-max {min(values):.3f}-{max(values):.3f} ({len(values)} rounds)"

    print(f"[{label}] CPU per request in phase 4 is per round trip (a GET and a POST)"
          + ("; pg: the app's PostgreSQL backends" if has_pg else "")
          + f"; cores busy: the whole machine's ({cores} cores), and of it others: processes other than gunicorn, this client"
          + (" and the app's backends" if has_pg else ""))
    if busiest_others > 0.2:
        print(f"[{label}] WARNING: other processes kept up to {busiest_others:.2f} cores busy during a phase; the rates are lowered by them")
    print(f"[{label}] SUBMISSION RATIO  submissions (POST of an answered form) / healthz = {submission_ratio:.3f} (totals)   "
          f"{spread(submission_rounds)}")
    print(f"[{label}]   goal >= {GOAL} on the total ratio: {'met' if submission_ratio >= GOAL else 'NOT met'}"
          f"   (median of the rounds {submission_median:.3f}: {'met' if submission_median >= GOAL else 'not met'})")
    print(f"[{label}] ROUND TRIP RATIO  round trip (GET + POST) per resident / healthz  = {round_trip_ratio:.3f} (totals)   "
          f"{spread(round_trip_rounds)}   (no goal: a resident opening the QR link and answering)")
    # Every accepted submission (warm-up ones too, both phases that post) is in the database, exactly once.
    print(f"[{label}] responses stored: {stored:,} for {accepted:,} accepted submissions "
          f"({phases['submissions'].total_ok:,} + {phases['round trips'].total_ok:,} round trips) "
          f"({'equal' if stored == accepted else 'MISMATCH'})")
    for name, phase in phases.items():
        if phase.errors:
            print(f"[{label}] {name}: first errors: {phase.errors[:3]}")
    keep = args.keep_log or tracebacks
    print(f"[{label}] server log: {tracebacks} tracebacks; " + (f"kept at {log}" if keep else "removed"))
    if not keep:
        log.unlink(missing_ok=True)
    return {"submissions": submission_ratio, "submissions median": submission_median,
            "round trips": round_trip_ratio, "round trips median": round_trip_median}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0,
                        help="measured seconds per phase, summed over its interleaved slices, after a warm-up per phase (at most 120)")
    parser.add_argument("--slice", type=float, default=1.0,
                        help="about this many seconds per slice: ceil(seconds / slice) rounds of one slice per phase (0.2 at least)")
    parser.add_argument("--threads", type=int, default=4, help="client threads")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--community", default="LJ0101", help="demo community whose grids give the codes")
    parser.add_argument("--codes", type=int, default=25_000, help="household codes at least (at most 200,000)")
    parser.add_argument("--postgres", metavar="URL", help="also run against a private schema in this PostgreSQL database")
    parser.add_argument("--keep-log", action="store_true", help="keep gunicorn's log file")
    args = parser.parse_args()
    args.seconds = max(min(args.seconds, 120.0), 0.1)  # bounded whatever is asked
    args.slice = max(args.slice, 0.2)
    args.codes = max(min(args.codes, 200_000), 0)

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
    print("\nsummary: " + "; ".join(
        f"{name}: submissions ratio {r['submissions']:.3f} (goal >= {GOAL}; median of rounds {r['submissions median']:.3f}), "
        f"round trip (GET + POST) ratio {r['round trips']:.3f} (median {r['round trips median']:.3f})"
        for name, r in results.items()
    ))


if __name__ == "__main__":
    main()
