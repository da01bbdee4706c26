"""Printed appraisal sheets: content, fonts, verification, the pool job (thread and real Redis/RQ)."""
from __future__ import annotations

import logging
import subprocess
import uuid

import pytest
from sqlalchemy import select

from survey.appraisal import operations as ops
from survey.appraisal.models import Appraisal, AppraisalCycle
from survey.extensions import db
from survey.printing.pdf import RefusedURL, SafeURLFetcher
from survey.printing.sheets import pool_pdf, sheet_pdf, sheets_html


def _pdftotext(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "s.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True, text=True).stdout


def _pdffonts(pdf: bytes, tmp_path) -> list[list[str]]:
    path = tmp_path / "f.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout
    return [line.split() for line in out.splitlines()[2:]]


def _computed(app, cycle_id) -> AppraisalCycle:
    cycle = db.session.get(AppraisalCycle, cycle_id)
    ops.compute(None, cycle)
    db.session.commit()
    return cycle


def test_sheet_has_name_unit_composite_and_embedded_cjk_subsets(app, hand_cycle, tmp_path, caplog):
    caplog.set_level(logging.DEBUG, logger="weasyprint")
    with app.app_context():
        cycle = _computed(app, hand_cycle)
        jia = next(a for a in cycle.appraisals if a.cadre.name == "甲")
        pdf = sheet_pdf(jia)
        text = _pdftotext(pdf, tmp_path)
        assert "2024年度干部考核评议表" in text
        assert "甲" in text and "滨江街道" in text and "97.80" in text
        assert "不具备评优资格" in text and ops.verification_code(ops.sheet_hash(jia)) in text
        assert "1/1" in text.replace(" ", "") and cycle.config_version in text
        fonts = _pdffonts(pdf, tmp_path)
        cjk = [f for f in fonts if "CJK" in f[0]]
        assert cjk, fonts
        for f in cjk:
            assert f[-5] == "yes" and f[-4] == "yes" and "+" in f[0], f  # embedded, subset
    # A fallback to fontTools for subsetting (no libharfbuzz-subset) is a failure: ~70x slower.
    assert not [r for r in caplog.records if "fontTools" in r.getMessage()]


def test_pool_is_one_pdf_of_one_page_per_cadre(app, hand_cycle, tmp_path):
    with app.app_context():
        cycle = _computed(app, hand_cycle)
        seen = []
        pdf = pool_pdf(cycle, progress=lambda done, total: seen.append((done, total)), batch=4)
        path = tmp_path / "pool.pdf"
        path.write_bytes(pdf)
        info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
        assert "Pages:           11" in info
        assert seen[0] == (0, 11) and seen[-1] == (11, 11) and len(seen) == 4


def test_verify_page_confirms_genuine_and_rejects_altered(app, client, hand_cycle):
    with app.app_context():
        cycle = _computed(app, hand_cycle)
        yi = next(a for a in cycle.appraisals if a.cadre.name == "乙")
        digest, appraisal_id = ops.sheet_hash(yi), yi.id
        from survey.printing.sheets import verify_url

        assert verify_url(yi, digest).endswith(f"/verify/sheet/{appraisal_id}/{digest}")  # the QR code's link
    genuine = client.get(f"/verify/sheet/{appraisal_id}/{digest}")
    assert genuine.status_code == 200 and "乙" in genuine.get_data(as_text=True)
    altered = digest[:10] + ("0" if digest[10] != "0" else "1") + digest[11:]
    refused = client.get(f"/verify/sheet/{appraisal_id}/{altered}")
    assert refused.status_code == 404 and "乙" not in refused.get_data(as_text=True)
    # the short code typed from the paper works too; a changed record no longer matches the sheet
    assert client.get(f"/verify/sheet/{appraisal_id}/{ops.verification_code(digest)}").status_code == 200
    with app.app_context():
        yi = db.session.get(Appraisal, appraisal_id)
        ops.confirm_grade(None, yi, "excellent")
        db.session.commit()
    assert client.get(f"/verify/sheet/{appraisal_id}/{digest}").status_code == 404


def test_sheet_fetcher_refuses_local_files_and_outside_addresses():
    fetcher = SafeURLFetcher()
    for url in ("file:///etc/passwd", "http://127.0.0.1:5432/", "https://example.com/x.css"):
        with pytest.raises(RefusedURL):
            fetcher.fetch(url)


def test_sheet_escapes_names_and_fetches_nothing(app, hand_cycle, caplog):
    with app.app_context():
        cycle = _computed(app, hand_cycle)
        jia = next(a for a in cycle.appraisals if a.cadre.name == "甲")
        jia.cadre.post = '<img src="file:///etc/passwd">'
        db.session.flush()
        html = sheets_html([jia])
        assert "<img src=\"file:///etc/passwd\">" not in html
        sheet_pdf(jia)
        db.session.rollback()
    assert not [r for r in caplog.records if "refused URL" in r.getMessage()]


def test_print_job_in_a_worker_thread(app, client, login, hand_cycle):
    from survey.printing.jobs import wait_for

    login("street")
    url = f"/appraisal/cycles/{hand_cycle}"
    response = client.submit(f"{url}/print", page=url)
    assert response.status_code == 302
    job_id = response.headers["Location"].rstrip("/").rsplit("/", 1)[-1]
    with app.test_request_context():
        state = wait_for(job_id, 120)
    assert state.status == "done" and state.done == state.total == 11
    page = client.get(f"/appraisal/jobs/{job_id}")
    assert page.status_code == 200 and "100%" in page.get_data(as_text=True)
    pdf = client.get(f"/appraisal/jobs/{job_id}/pool.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


@pytest.fixture
def redis_queue():
    redis = pytest.importorskip("redis")
    conn = redis.Redis.from_url("redis://127.0.0.1:6379/0")
    try:
        conn.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis at 127.0.0.1:6379")
    name = f"test-print-{uuid.uuid4().hex[:10]}"
    yield name, conn
    from rq import Queue

    queue = Queue(name, connection=conn)
    for job_id in queue.job_ids + queue.finished_job_registry.get_job_ids() + queue.failed_job_registry.get_job_ids():
        conn.delete(f"rq:job:{job_id}", f"rq:results:{job_id}")
    queue.delete(delete_jobs=True)
    for key in conn.scan_iter(f"rq:*{name}*"):
        conn.delete(key)


def test_print_job_on_rq_with_the_real_redis(app, client, login, hand_cycle, redis_queue):
    from rq import Queue, SimpleWorker

    name, conn = redis_queue
    app.config.update(REDIS_URL="redis://127.0.0.1:6379/0", PRINT_QUEUE=name)
    login("street")
    url = f"/appraisal/cycles/{hand_cycle}"
    response = client.submit(f"{url}/print", page=url)
    assert response.status_code == 302
    job_id = response.headers["Location"].rstrip("/").rsplit("/", 1)[-1]
    assert "0%" in client.get(f"/appraisal/jobs/{job_id}").get_data(as_text=True)
    worker = SimpleWorker([Queue(name, connection=conn)], connection=conn)
    assert worker.work(burst=True)
    page = client.get(f"/appraisal/jobs/{job_id}")
    assert "100%" in page.get_data(as_text=True)
    pdf = client.get(f"/appraisal/jobs/{job_id}/pool.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    worker.register_death()
    conn.delete(worker.key)
    conn.srem("rq:workers", worker.key)
