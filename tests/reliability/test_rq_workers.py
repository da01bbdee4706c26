"""The print queue with two RQ worker processes on the real Redis: both take jobs.

The jobs go through the project's own queue selection (``survey.printing.jobs._queue``: REDIS_URL
and PRINT_QUEUE) and their state is read back through ``job_state``, as the progress page does.
The job itself is a small function of this module (it sleeps a little and returns its PID) rather
than ``rq_pool_job``, which would need a whole appraisal cycle rendered by WeasyPrint; the
workers are real ``rq worker --burst`` processes. Every Redis key this test makes carries a
unique token (queue name, job ids, worker names) and is deleted afterwards.
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent


def record_worker(index: int) -> dict:
    """The job: long enough that one worker cannot drain the queue before the other starts."""
    from rq import get_current_job

    time.sleep(0.4)
    job = get_current_job()
    # rq forks a work horse per job: the worker process is the parent.
    return {"index": index, "pid": os.getppid(), "worker": job.worker_name if job else None}


def _redis():
    from redis import Redis

    connection = Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        connection.ping()
    except Exception as error:  # noqa: BLE001
        pytest.skip(f"no Redis at {REDIS_URL}: {error}")
    return connection


def test_two_rq_workers_both_take_print_jobs(app, tmp_path):
    from rq.job import Job

    from survey.printing.jobs import _queue, job_state

    redis = _redis()
    token = f"t{uuid.uuid4().hex[:10]}"
    queue_name = f"printing-{token}"
    app.config.update(REDIS_URL=REDIS_URL, PRINT_QUEUE=queue_name)
    workers: list[subprocess.Popen] = []
    job_ids = [f"{token}{i:02d}{uuid.uuid4().hex[:8]}" for i in range(10)]
    try:
        with app.app_context():
            queue = _queue(app)
            assert queue.name == queue_name  # the project's queue selection, not one of ours
            for index, job_id in enumerate(job_ids):
                queue.enqueue(record_worker, index, job_id=job_id, meta={"done": 0, "total": 0, "cycle_id": 0},
                              result_ttl=300, job_timeout=60)
            assert len(queue) == 10
            assert job_state(job_ids[0]).status == "queued"

        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(HERE), str(ROOT), os.environ.get("PYTHONPATH", "")])}
        for n in (1, 2):
            workers.append(subprocess.Popen(
                [sys.executable, "-m", "rq.cli", "worker", "--burst", "--url", REDIS_URL, "--name", f"{token}-w{n}",
                 "--logging_level", "WARNING", queue_name],
                cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            ))
        outputs = []
        for worker in workers:
            out, _ = worker.communicate(timeout=25)
            outputs.append(out)
            assert worker.returncode == 0, out

        results = [Job.fetch(job_id, connection=redis) for job_id in job_ids]
        assert all(job.get_status() == "finished" for job in results), outputs
        values = [job.return_value() for job in results]
        assert sorted(v["index"] for v in values) == list(range(10))
        names = {v["worker"] for v in values}
        pids = {v["pid"] for v in values}
        worker_pids = {w.pid for w in workers}
        assert names == {f"{token}-w1", f"{token}-w2"}, (names, outputs)  # both workers took jobs
        assert pids == worker_pids  # in the two worker processes, not in this one
        with app.app_context():
            assert all(job_state(job_id).status == "done" for job_id in job_ids)
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
                worker.wait()
        keys = list(redis.scan_iter(match=f"*{token}*", count=1000))
        if keys:
            redis.delete(*keys)
        leftover = list(redis.scan_iter(match=f"*{token}*", count=1000))
        redis.close()
    assert leftover == []
