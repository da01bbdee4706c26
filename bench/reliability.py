"""Load and faults: resident submissions through gunicorn while workers die and the database drops.

For each database (a SQLite file in a temporary folder; with ``--postgres URL`` also a private
schema in that PostgreSQL database, dropped afterwards) this script prepares the demo district
and an open campaign with household codes (``bench/submissions.py``'s ``prepare``), starts
gunicorn with several sync workers on 127.0.0.1 and a free port (production settings), and lets
a few client threads (``requests``, one session each) play residents: each takes a fresh
household code, opens ``/c/<code>``, reads the hidden ``submission_id``, ``started`` and
``csrf_token`` and posts the answers. A POST that fails (connection reset, timeout, 5xx) is sent
again, THE SAME form with the same ``submission_id``, as a phone would, a bounded number of times.
Every submission records: sent, acknowledged (a 302 to ``/r/<receipt>``), the receipt, latency
(first POST to receipt, retries included).

Faults during the run, at fixed fractions of it:
  * both databases: SIGKILL of one gunicorn worker (a child of the master, found in /proc);
  * PostgreSQL: ``pg_terminate_backend`` of the app's connections (recognised by the
    ``application_name`` the server's URL sets), then a restart of the PostgreSQL server
    (``pg_ctlcluster ... restart``, skipped when other clients are connected, unless
    ``--pg-restart always``); the server is waited for with ``pg_isready`` afterwards and at exit.

Afterwards: ``/healthz`` and one more submission on the same server (no restart by hand), then,
against the database: every acknowledged submission is stored exactly once under its receipt
(lost), no submission id is stored twice (doubled), no household code is spent without its
response (spent codes vs code-channel responses per grid), every stored response has all its
answers, and nothing is stored that was never sent. Prints the counts and p50/p99 latency per
database; exit status 1 if a must-be-zero count is not zero or the server does not answer again.

Loopback only, bounded in time (``--seconds``, at most 300) and count (the campaign's codes; the
load is paced so that they last the run), processes stopped and schemas dropped at the end.

Run:  .venv/bin/python bench/reliability.py [--seconds 40] [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/test]
"""
from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from queue import Empty, SimpleQueue
from urllib.parse import quote

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from submissions import HIDDEN, Server, hidden_fields, prepare  # noqa: E402  (also puts the repository on sys.path)

ANSWERS = {"q_q1": "5", "q_q2": "4", "q_q3": "4", "q_q4": "3", "q_q5": "2", "q_q6": "饭菜可以再软一点", "q_q7": "4"}
RESERVE = 5  # codes kept for the check after the run


@dataclass
class Submission:
    code: str
    submission_id: str | None = None
    sent: bool = False
    attempts: int = 0
    receipt: str | None = None
    latency: float | None = None
    first_post: float | None = None  # seconds since the load started
    outcomes: list[str] = field(default_factory=list)  # per request: "302", "500", "timeout", "reset", ...
    refused: str | None = None  # a final answer that is not a receipt (a page instead of the redirect)


@dataclass
class Fault:
    at: float  # seconds since the load started
    name: str
    detail: str = ""


# --- gunicorn workers -----------------------------------------------------------------------------

def children(parent: int) -> list[int]:
    """PIDs whose parent is ``parent`` (the gunicorn master's workers), from /proc."""
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        # "pid (comm) state ppid ...": comm may hold spaces or parentheses, so split after the last ")"
        if int(stat.rsplit(")", 1)[1].split()[1]) == parent:
            pids.append(int(entry))
    return pids


def proc_state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "?"


def kill_worker(server: Server) -> str:
    workers = children(server.process.pid)
    if not workers:
        return "no worker found"
    # Prefer a worker that is running (most likely in the middle of a request) to an idle one.
    busy = [pid for pid in workers if proc_state(pid) == "R"]
    victim = random.choice(busy or workers)
    os.kill(victim, signal.SIGKILL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:  # the master notices and forks a new one
        now = children(server.process.pid)
        if victim not in now and len(now) >= len(workers):
            return f"{'busy' if busy else 'idle'} worker {victim} (of {len(workers)}) killed, respawned as {sorted(set(now) - set(workers))}"
        time.sleep(0.05)
    return f"worker {victim} (of {len(workers)}) killed, NOT respawned within 30 s"


# --- PostgreSQL -----------------------------------------------------------------------------------

def pg_cluster() -> tuple[str, str] | None:
    """(version, name) of the local cluster, if pg_ctlcluster can restart it."""
    if shutil.which("pg_ctlcluster") is None or not Path("/etc/postgresql").is_dir() or os.geteuid() != 0:
        return None
    versions = sorted(os.listdir("/etc/postgresql"))
    return (versions[-1], "main") if versions else None


def pg_isready(host: str, port: int, timeout: float = 60) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if subprocess.run(["pg_isready", "-q", "-h", host, "-p", str(port)], check=False).returncode == 0:
            return True
        time.sleep(0.2)
    return False


class Postgres:
    def __init__(self, admin_url: str, app_name: str):
        from sqlalchemy import create_engine
        from sqlalchemy.engine import make_url

        self.url = make_url(admin_url)
        self.host, self.port = self.url.host or "127.0.0.1", self.url.port or 5432
        self.app_name = app_name
        self.engine = create_engine(admin_url, pool_pre_ping=True, connect_args={"application_name": "bench-reliability-admin"})

    def terminate_app_connections(self) -> str:
        from sqlalchemy import text

        with self.engine.connect() as conn:
            pids = conn.execute(text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND application_name = :a AND pid <> pg_backend_pid()"
            ), {"a": self.app_name}).scalars().all()
        return f"{sum(1 for ok in pids if ok)} of the app's connections terminated"

    def others_connected(self) -> int:
        """Client connections that are neither the app's nor this script's (other people's work)."""
        from sqlalchemy import text

        with self.engine.connect() as conn:
            return conn.execute(text(
                "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' "
                "AND pid <> pg_backend_pid() AND application_name NOT IN (:a, 'bench-reliability-admin')"
            ), {"a": self.app_name}).scalar_one()

    def restart(self, mode: str) -> str:
        cluster = pg_cluster()
        if cluster is None:
            return "skipped: pg_ctlcluster not usable here (needs root and a Debian cluster)"
        if self.host not in ("127.0.0.1", "localhost", "::1"):
            return "skipped: the database is not on loopback"
        if mode == "auto":
            others = self.others_connected()
            if others:
                return f"skipped: {others} other client connection(s) to the server (use --pg-restart always)"
        self.engine.dispose()
        started = time.monotonic()
        done = subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", "-m", "fast", *cluster, "restart"],
                              capture_output=True, text=True, timeout=120, check=False)
        ready = pg_isready(self.host, self.port)
        return (f"server restarted (pg_ctlcluster exit {done.returncode}{', ' + done.stderr.strip()[:200] if done.returncode else ''}), "
                f"{'ready' if ready else 'NOT ready'} after {time.monotonic() - started:.1f} s")

    def ensure_up(self) -> bool:
        if pg_isready(self.host, self.port, timeout=20):
            return True
        cluster = pg_cluster()
        if cluster:
            subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", *cluster, "start"], check=False, timeout=120)
        return pg_isready(self.host, self.port, timeout=60)


# --- the residents --------------------------------------------------------------------------------

class Load:
    def __init__(self, base: str, args, codes: list[str]):
        self.base, self.args = base, args
        self.queue: SimpleQueue[str] = SimpleQueue()
        for code in codes:
            self.queue.put(code)
        self.records: list[Submission] = []
        self.lock = threading.Lock()
        self.get_failures: list[str] = []
        self.start = time.monotonic()
        self.stop_at = self.start + args.seconds
        # Paced so the codes last the whole run (and the faults fall under load).
        self.interval = args.seconds / max(len(codes), 1) if args.rate is None else 1.0 / args.rate
        self.next_slot = self.start

    def now(self) -> float:
        return time.monotonic() - self.start

    def _slot(self) -> bool:
        with self.lock:
            slot = self.next_slot = max(self.next_slot + self.interval, time.monotonic() - 1.0)
        wait = slot - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        return time.monotonic() < self.stop_at

    def _backoff(self, attempt: int) -> None:
        time.sleep(min(0.25 * 2 ** attempt, 4.0) * random.uniform(0.8, 1.2))

    def resident(self, session: requests.Session, code: str) -> Submission:
        sub = Submission(code)
        url = f"{self.base}/c/{code}"
        fields = None
        for attempt in range(self.args.attempts):  # opening the page: nothing is sent yet
            try:
                page = session.get(url, timeout=self.args.timeout)
                got = hidden_fields(page.text)
                if page.status_code == 200 and set(got) == set(HIDDEN):
                    fields = got
                    break
                self.get_failures.append(f"{self.now():.1f}s GET {page.status_code}")
            except requests.RequestException as error:
                self.get_failures.append(f"{self.now():.1f}s GET {type(error).__name__}")
            self._backoff(attempt)
        if fields is None:
            return sub
        sub.submission_id = fields["submission_id"]
        form = {**fields, **ANSWERS}
        first = time.monotonic()
        sub.first_post = first - self.start
        for attempt in range(self.args.attempts):
            sub.sent = True
            sub.attempts += 1
            try:
                posted = session.post(url, data=form, allow_redirects=False, timeout=self.args.timeout)
            except requests.Timeout:
                sub.outcomes.append("timeout")
            except requests.ConnectionError:
                sub.outcomes.append("reset")
            else:
                sub.outcomes.append(str(posted.status_code))
                location = posted.headers.get("Location", "")
                if posted.status_code in (301, 302, 303) and "/r/" in location:
                    sub.receipt = location.rsplit("/r/", 1)[1].split("?")[0]
                    sub.latency = time.monotonic() - first
                    return sub
                if posted.status_code < 500:  # a page, not a failure: a phone would show it, not resend
                    sub.refused = f"{posted.status_code}: {posted.text[:120]!r}"
                    return sub
            self._backoff(attempt)
        return sub

    def thread(self) -> None:
        with requests.Session() as session:
            while self._slot():
                try:
                    code = self.queue.get_nowait()
                except Empty:
                    return
                record = self.resident(session, code)
                with self.lock:
                    self.records.append(record)

    def run(self, threads: int) -> None:
        workers = [threading.Thread(target=self.thread, daemon=True) for _ in range(threads)]
        for w in workers:
            w.start()
        # A resident in progress finishes its retries; each is bounded by attempts x (timeout + 4 s).
        bound = self.args.seconds + 2 * self.args.attempts * (self.args.timeout + 4.5) + 10
        for w in workers:
            w.join(timeout=max(bound - (time.monotonic() - self.start), 1))


def run_faults(load: Load, plan: list[tuple[float, str, object]], faults: list[Fault], stop: threading.Event) -> None:
    for fraction, name, action in plan:
        at = fraction * load.args.seconds
        if stop.wait(max(at - load.now(), 0)):
            return
        fault = Fault(load.now(), name)
        try:
            fault.detail = action()
        except Exception as error:  # noqa: BLE001 - the report shows it
            fault.detail = f"failed: {error!r}"
        faults.append(fault)
        print(f"    {fault.at:5.1f} s  {name}: {fault.detail}", flush=True)


# --- the check against the database ---------------------------------------------------------------

def check(database_url: str, campaign_id: int, records: list[Submission], expected_answers: int) -> dict[str, int]:
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT submission_id, receipt, grid_id, channel FROM response WHERE campaign_id = :c"),
                            {"c": campaign_id}).all()
        answers = dict(conn.execute(text(
            "SELECT a.response_id, count(*) FROM answer a JOIN response r ON r.id = a.response_id "
            "WHERE r.campaign_id = :c GROUP BY a.response_id"), {"c": campaign_id}).all())
        ids = dict(conn.execute(text("SELECT submission_id, id FROM response WHERE campaign_id = :c"), {"c": campaign_id}).all())
        spent = dict(conn.execute(text(
            "SELECT grid_id, count(*) FROM invitation_code WHERE campaign_id = :c AND spent GROUP BY grid_id"),
            {"c": campaign_id}).all())
        spent_codes = set(conn.execute(text("SELECT code FROM invitation_code WHERE campaign_id = :c AND spent"),
                                       {"c": campaign_id}).scalars())
    engine.dispose()
    per_submission = Counter(r.submission_id for r in rows)
    by_receipt = {r.receipt: r.submission_id for r in rows}
    code_responses = Counter(r.grid_id for r in rows if r.channel == "code")
    sent_ids = {s.submission_id for s in records if s.sent}
    acked = [s for s in records if s.receipt]
    return {
        "stored": sum(1 for r in rows if r.submission_id in sent_ids),
        # acknowledged, but no response with that receipt and submission id
        "lost": sum(1 for s in acked if by_receipt.get(s.receipt) != s.submission_id),
        # stored more than once (the unique constraint makes it structural; counted all the same)
        "doubled": sum(n - 1 for n in per_submission.values() if n > 1),
        # per grid: spent codes beyond the responses that came in with a code
        "spent without response": sum(max(n - code_responses.get(g, 0), 0) for g, n in spent.items()),
        # a code nobody ever posted a form for, yet spent
        "spent but never sent": sum(1 for s in records if s.code in spent_codes and not s.sent),
        # a response whose answers did not all arrive
        "incomplete": sum(1 for sid in per_submission if answers.get(ids[sid], 0) != expected_answers),
        # a response for no submission this script sent
        "unknown": sum(1 for r in rows if r.submission_id not in sent_ids),
        "stored, not acknowledged": sum(1 for s in records if s.sent and not s.receipt and s.submission_id in per_submission),
    }


MUST_BE_ZERO = ("lost", "doubled", "spent without response", "spent but never sent", "incomplete", "unknown")


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(int(q / 100 * len(ordered)), len(ordered) - 1)]


# --- one database ---------------------------------------------------------------------------------

def bench(label: str, database_url: str, server_url: str, args, pg: Postgres | None) -> bool:
    print(f"\n[{label}] preparing the database ...", flush=True)
    codes, campaign_id = prepare(database_url, args.community)
    load_codes, spare = codes[:-RESERVE], codes[-RESERVE:]
    with tempfile.NamedTemporaryFile(prefix="gunicorn-reliability-", suffix=".log", delete=False) as log_file:
        log = Path(log_file.name)
    server = Server(server_url, args.workers, log)
    faults: list[Fault] = []
    final: dict[str, object] = {}
    try:
        server.wait_ready()
        load = Load(server.base, args, load_codes)
        plan: list[tuple[float, str, object]] = [(0.25, "SIGKILL a gunicorn worker", lambda: kill_worker(server))]
        if pg is not None:
            plan.append((0.45, "terminate the app's database connections", pg.terminate_app_connections))
            if args.pg_restart != "never":
                plan.append((0.65, "restart the PostgreSQL server", lambda: pg.restart(args.pg_restart)))
            plan.append((0.85, "SIGKILL a gunicorn worker", lambda: kill_worker(server)))
        else:
            plan.append((0.65, "SIGKILL a gunicorn worker", lambda: kill_worker(server)))
        print(f"[{label}] gunicorn {args.workers} workers on {server.base}; {args.threads} client threads, "
              f"{args.seconds:.0f} s, {len(load_codes):,} codes (paced at {1 / load.interval:.0f} submissions/s at most); "
              "faults, in seconds since the load started:",
              flush=True)
        stop = threading.Event()
        injector = threading.Thread(target=run_faults, args=(load, plan, faults, stop), daemon=True)
        injector.start()
        load.run(args.threads)
        stop.set()
        injector.join(timeout=180)
        if pg is not None:
            pg.ensure_up()
        # The server answers again, with no restart by hand: /healthz and one more submission.
        try:
            final["healthz"] = requests.get(server.base + "/healthz", timeout=10).status_code
        except requests.RequestException as error:
            final["healthz"] = type(error).__name__
        with requests.Session() as session:
            after = load.resident(session, spare[0])
        load.records.append(after)
        final["submission"] = f"receipt {after.receipt}" if after.receipt else f"FAILED {after.outcomes} {after.refused or ''}"
    finally:
        server.stop()
    records = load.records
    counts = check(database_url, campaign_id, records, expected_answers=len(ANSWERS))
    sent = [s for s in records if s.sent]
    acked = [s for s in records if s.receipt]
    latencies = [s.latency for s in acked if s.latency is not None]
    outcomes = Counter(o for s in records for o in s.outcomes)
    retried = sum(1 for s in sent if s.attempts > 1)
    server_errors = [(s.first_post, o) for s in records for o in s.outcomes if o.startswith("5")]
    tracebacks = log.read_text(errors="replace").count("Traceback")

    print(f"[{label}] after the run: /healthz {final.get('healthz')}, one more submission: {final.get('submission')}")
    print(f"[{label}] residents {len(records):,}; sent {len(sent):,}; acknowledged {len(acked):,}; stored {counts['stored']:,}; "
          f"retried {retried:,}; not acknowledged {len(sent) - len(acked):,} (of which stored {counts['stored, not acknowledged']:,}); "
          f"page never opened {len(records) - len(sent):,}")
    print(f"[{label}] POST outcomes: {dict(sorted(outcomes.items()))}; GET failures: {len(load.get_failures)}")
    if server_errors:
        print(f"[{label}] 5xx answers: {len(server_errors)}, first at {', '.join(f'{t:.1f}s {o}' for t, o in server_errors[:5])}")
    refused = [s.refused for s in records if s.refused]
    if refused:
        print(f"[{label}] refused (a page instead of a receipt): {len(refused)}, e.g. {refused[0]}")
    print(f"[{label}] tracebacks in gunicorn's log: {tracebacks} ({log})")
    print(f"[{label}] latency, first POST to receipt: p50 {percentile(latencies, 50) * 1000:.0f} ms, "
          f"p99 {percentile(latencies, 99) * 1000:.0f} ms, max {max(latencies, default=float('nan')) * 1000:.0f} ms")
    bad = {k: counts[k] for k in MUST_BE_ZERO if counts[k]}
    print(f"[{label}] lost {counts['lost']}, doubled {counts['doubled']}, codes spent without response "
          f"{counts['spent without response']}, spent but never sent {counts['spent but never sent']}, "
          f"incomplete {counts['incomplete']}, unknown {counts['unknown']}  (all must be 0)")
    answered_again = final.get("healthz") == 200 and after.receipt is not None
    ok = not bad and answered_again
    print(f"[{label}] {'PASS' if ok else 'FAIL'}" + ("" if answered_again else " (the server did not answer again)")
          + (f" {bad}" if bad else ""))
    if ok and not tracebacks and not args.keep_log:
        log.unlink(missing_ok=True)
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=40.0, help="duration of the load per database (at most 300)")
    parser.add_argument("--threads", type=int, default=4, help="client threads (virtual residents at a time)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    parser.add_argument("--rate", type=float, help="submissions per second at most (default: the codes last the run)")
    parser.add_argument("--attempts", type=int, default=6, help="times a form is sent before the resident gives up")
    parser.add_argument("--timeout", type=float, default=10.0, help="client timeout per request, seconds")
    parser.add_argument("--community", default="LJ0101", help="demo community whose grids give the codes")
    parser.add_argument("--postgres", metavar="URL", help="also run against a private schema in this PostgreSQL database")
    parser.add_argument("--only", choices=("sqlite", "postgresql"), help="run one database only")
    parser.add_argument("--pg-restart", choices=("auto", "always", "never"), default="auto",
                        help="restart the PostgreSQL server during the run (auto: only if no other client is connected)")
    parser.add_argument("--keep-log", action="store_true", help="keep gunicorn's log even when the run passes")
    args = parser.parse_args()
    args.seconds = min(args.seconds, 300.0)
    args.attempts = max(1, min(args.attempts, 10))
    args.timeout = min(args.timeout, 60.0)

    results: dict[str, bool] = {}
    if args.only != "postgresql":
        with tempfile.TemporaryDirectory(prefix="bench-reliability-") as folder:
            url = f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
            results["sqlite"] = bench("sqlite", url, url, args, None)
    if args.postgres and args.only != "sqlite":
        from sqlalchemy import create_engine, text

        schema = f"bench_rel_{uuid.uuid4().hex[:12]}"
        app_name = f"bench-reliability-{schema[-12:]}"
        pg = Postgres(args.postgres, app_name)
        pg.ensure_up()
        with pg.engine.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        sep = "&" if "?" in args.postgres else "?"
        url = f"{args.postgres}{sep}options={quote(f'-csearch_path={schema}')}"
        try:
            results["postgresql"] = bench("postgresql", url, f"{url}&application_name={app_name}", args, pg)
        finally:
            pg.ensure_up()
            engine = create_engine(args.postgres, pool_pre_ping=True)
            with engine.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            engine.dispose()
            pg.engine.dispose()
    print("\nsummary: " + ", ".join(f"{name} {'PASS' if ok else 'FAIL'}" for name, ok in results.items()))
    sys.exit(0 if results and all(results.values()) else 1)


if __name__ == "__main__":
    main()
