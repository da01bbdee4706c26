"""Background print jobs: a whole pool of appraisal sheets as one PDF, with progress.

A worker thread in the web process by default; RQ workers when ``REDIS_URL`` is set (queue
``PRINT_QUEUE``, default ``printing``). Either way the PDF is written under
``instance/print_jobs/<id>.pdf`` and the progress is readable by id: from memory for threads,
from the RQ job's meta for RQ. The job function builds its own app (with the database URL it
was given), so an RQ worker needs nothing but the code.
"""
from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask, current_app


@dataclass(frozen=True)
class JobState:
    id: str
    status: str  # queued, running, done, failed
    done: int
    total: int
    cycle_id: int
    error: str | None = None

    @property
    def percent(self) -> int:
        return 100 if self.status == "done" else int(100 * self.done / self.total) if self.total else 0


_THREAD_JOBS: dict[str, dict[str, Any]] = {}
_LOCK = threading.Lock()


def job_dir(app: Flask) -> Path:
    path = Path(app.instance_path) / "print_jobs"
    path.mkdir(parents=True, exist_ok=True)
    return path


def output_path(app: Flask, job_id: str) -> Path:
    if not all(c in "0123456789abcdef" for c in job_id):
        raise ValueError("bad job id")
    return job_dir(app) / f"{job_id}.pdf"


def render_pool_to_file(cycle_id: int, out: str, progress=None) -> int:
    """Render a cycle's sheets to ``out`` (needs an app context); returns the number of sheets."""
    from survey.appraisal.models import AppraisalCycle
    from survey.extensions import db
    from survey.printing.sheets import pool_pdf

    cycle = db.session.get(AppraisalCycle, cycle_id)
    if cycle is None:
        raise ValueError(f"no appraisal cycle {cycle_id}")
    pdf = pool_pdf(cycle, progress=progress)
    tmp = Path(out).with_suffix(".part")
    tmp.write_bytes(pdf)
    tmp.replace(out)
    return len(cycle.appraisals)


def rq_pool_job(cycle_id: int, out: str, database_uri: str, instance_path: str, settings: dict | None = None) -> int:
    """Entry point for an RQ worker: a fresh app on the given database, progress in job.meta."""
    from rq import get_current_job

    from survey import create_app

    job = get_current_job()
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_uri, **(settings or {})})

    def progress(done: int, total: int) -> None:
        if job is not None:
            job.meta.update(done=done, total=total)
            job.save_meta()

    with app.app_context():
        return render_pool_to_file(cycle_id, out, progress)


def _queue(app: Flask):
    from redis import Redis
    from rq import Queue

    return Queue(app.config.get("PRINT_QUEUE") or "printing", connection=Redis.from_url(app.config["REDIS_URL"]))


def start_pool_job(cycle_id: int) -> str:
    app = current_app._get_current_object()
    job_id = uuid.uuid4().hex
    out = str(output_path(app, job_id))
    if app.config.get("REDIS_URL"):
        settings = {k: app.config[k] for k in ("TESTING", "PUBLIC_BASE_URL", "RATELIMIT_STORAGE_URI") if k in app.config}
        _queue(app).enqueue(rq_pool_job, cycle_id, out, app.config["SQLALCHEMY_DATABASE_URI"], app.instance_path,
                            settings, job_id=job_id, meta={"done": 0, "total": 0, "cycle_id": cycle_id},
                            job_timeout=3600, result_ttl=86400)
        return job_id
    with _LOCK:
        _THREAD_JOBS[job_id] = {"status": "queued", "done": 0, "total": 0, "cycle_id": cycle_id, "error": None}

    def run() -> None:
        def progress(done: int, total: int) -> None:
            with _LOCK:
                _THREAD_JOBS[job_id].update(status="running", done=done, total=total)

        with app.app_context():
            try:
                render_pool_to_file(cycle_id, out, progress)
            except Exception as error:  # noqa: BLE001 (reported on the progress page)
                app.logger.exception("print job %s failed", job_id)
                with _LOCK:
                    _THREAD_JOBS[job_id].update(status="failed", error=str(error))
                return
            finally:
                from survey.extensions import db

                db.session.remove()
        with _LOCK:
            _THREAD_JOBS[job_id]["status"] = "done"

    threading.Thread(target=run, name=f"print-{job_id[:8]}", daemon=True).start()
    return job_id


def job_state(job_id: str) -> JobState | None:
    app = current_app._get_current_object()
    if app.config.get("REDIS_URL"):
        from rq.exceptions import NoSuchJobError
        from rq.job import Job

        try:
            job = Job.fetch(job_id, connection=_queue(app).connection)
        except NoSuchJobError:
            return None
        status = job.get_status(refresh=True)
        name = {"finished": "done", "failed": "failed", "started": "running"}.get(getattr(status, "value", status), "queued")
        meta = job.get_meta(refresh=True)
        error = None
        if name == "failed":
            error = "render failed"
        return JobState(job_id, name, int(meta.get("done", 0)), int(meta.get("total", 0)), int(meta.get("cycle_id", 0)), error)
    with _LOCK:
        data = _THREAD_JOBS.get(job_id)
        if data is None:
            return None
        return JobState(job_id, data["status"], data["done"], data["total"], data["cycle_id"], data["error"])


def wait_for(job_id: str, timeout: float = 120.0) -> JobState | None:
    """Poll until the job is done or failed (tests, CLI)."""
    import time

    deadline = time.monotonic() + timeout
    state = job_state(job_id)
    while state is not None and state.status not in ("done", "failed") and time.monotonic() < deadline:
        time.sleep(0.1)
        state = job_state(job_id)
    return state
