"""Appraisal sheets: the application's renderer against plain WeasyPrint on the same HTML.

    .venv/bin/python bench/printing.py [--sheets 500]

Builds a throwaway SQLite database with one pool of N cadres (computed through
survey.appraisal), then times in the same process:
  * one sheet: survey.printing.sheets.sheet_pdf  vs  weasyprint.HTML(string=same html).write_pdf()
  * the pool:  survey.printing.sheets.pool_pdf   vs  weasyprint on the same N-page HTML
and prints times, per-page time, the ratio app / plain, and the peak resident memory.
Goals: one sheet < 0.5 s, batch < 0.2 s per page, ratio < 1.3, peak < 500 MB.
"""
from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def build(n: int, url: str):
    from survey import create_app
    from survey.appraisal import operations as ops
    from survey.appraisal.models import PostLevel
    from survey.demo import seed
    from survey.extensions import db
    from survey.orgs.operations import unit_by_code

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    with app.app_context():
        db.create_all()
        seed("bench-password-1")
        street = unit_by_code("LJ01")
        surnames = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜"
        cadres = [ops.create_cadre(None, street, surnames[i % len(surnames)] + "文" + "明华强丽军"[i % 5] + str(i),
                                   "办事处副主任", PostLevel.deputy) for i in range(n)]
        cycle = ops.create_cycle(None, street, 2024, PostLevel.deputy)
        for i, cadre in enumerate(cadres):
            ops.set_inputs(None, ops.appraisal_of(cycle, cadre), K=60 + i % 40, J=("好", "较好", "一般")[i % 3])
            ops.set_tally(None, cycle, cadre, excellent=10 + i % 20, competent=20, basic=5 + i % 7, incompetent=i % 3, void=1)
        ops.compute(None, cycle)
        db.session.commit()
        return app, cycle.id


def timed(fn, repeat: int = 1) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def peak_mb() -> float:
    """This process's own peak resident memory (VmHWM), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(kind: str, url: str, cycle_id: int) -> None:
    """Render the pool once in a fresh process and print its time and peak memory."""
    from weasyprint import HTML

    from survey import create_app
    from survey.appraisal.models import AppraisalCycle
    from survey.extensions import db
    from survey.printing.pdf import DEFAULT_BASE_URL
    from survey.printing.sheets import pool_appraisals, pool_pdf, sheets_html

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    with app.app_context():
        cycle = db.session.get(AppraisalCycle, cycle_id)
        html = sheets_html(pool_appraisals(cycle)) if kind == "plain" else None
        floor = peak_mb()
        start = time.perf_counter()
        if kind == "app":
            pdf = pool_pdf(cycle)
        else:
            pdf = HTML(string=html, base_url=DEFAULT_BASE_URL).write_pdf()
        seconds = time.perf_counter() - start
    print(f"{seconds:.3f} {peak_mb():.0f} {floor:.0f} {len(pdf)}")


def in_child(kind: str, url: str, cycle_id: int) -> tuple[float, float, float, int]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", kind, "--url", url, "--cycle", str(cycle_id)],
        check=True, capture_output=True, text=True,
    ).stdout.split()
    return float(out[0]), float(out[1]), float(out[2]), int(out[3])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sheets", type=int, default=500)
    parser.add_argument("--child", choices=("app", "plain"))
    parser.add_argument("--url")
    parser.add_argument("--cycle", type=int)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.url, args.cycle)
        return
    from weasyprint import HTML

    from survey.appraisal.models import AppraisalCycle
    from survey.extensions import db
    from survey.printing.pdf import DEFAULT_BASE_URL
    from survey.printing.sheets import pool_appraisals, sheet_pdf, sheets_html

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.sqlite3"
        app, cycle_id = build(args.sheets, url)
        with app.app_context():
            cycle = db.session.get(AppraisalCycle, cycle_id)
            one = pool_appraisals(cycle)[0]
            sheet_pdf(one)  # fonts and templates loaded once per process, as in a server
            one_html = sheets_html([one])
            plain = lambda html: HTML(string=html, base_url=DEFAULT_BASE_URL).write_pdf()  # noqa: E731
            plain(one_html)
            app_one = timed(lambda: sheet_pdf(one), 5)
            plain_one = timed(lambda: plain(one_html), 5)
        # Each pool in a fresh process, so that each peak is its own.
        app_pool, app_peak, app_floor, app_size = in_child("app", url, cycle_id)
        plain_pool, plain_peak, plain_floor, plain_size = in_child("plain", url, cycle_id)
    pages = args.sheets
    print(f"one sheet:  app {app_one:.3f} s   plain WeasyPrint {plain_one:.3f} s   ratio {app_one / plain_one:.2f}")
    print(f"pool of {pages}: app {app_pool:.2f} s ({app_pool / pages:.3f} s/page)   "
          f"plain WeasyPrint {plain_pool:.2f} s ({plain_pool / pages:.3f} s/page)   ratio {app_pool / plain_pool:.2f}")
    print(f"peak memory of the pool: app {app_peak:.0f} MB (floor {app_floor:.0f} MB)   "
          f"plain WeasyPrint {plain_peak:.0f} MB (floor {plain_floor:.0f} MB)   ratio {app_peak / plain_peak:.2f}")
    print(f"PDF size: app {app_size / 1e6:.1f} MB, plain {plain_size / 1e6:.1f} MB")
    print("goals: one sheet < 0.5 s, < 0.2 s per page in a batch, ratio < 1.3, peak < 500 MB")


if __name__ == "__main__":
    main()
