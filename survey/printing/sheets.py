"""The A4 appraisal sheet (干部考核评议表): one cadre a page, a whole pool as one PDF.

Everything printed comes from the stored appraisal (``survey.appraisal``); nothing is computed
here. The footer carries a verification code: the SHA-256 of the sheet's content
(``operations.sheet_content``), which the public verify page recomputes from the server's record.

A pool is laid out in batches and the pages of all batches are written as one PDF: the caller's
``progress(done, total)`` moves after each batch, and memory stays bounded for 500 sheets.
"""
from __future__ import annotations

import gc
import io
import math
from datetime import datetime
from typing import Callable, Iterable, Sequence

from flask import current_app
from flask_babel import format_datetime
from pypdf import PdfReader, PdfWriter

from survey.appraisal import operations as ops
from survey.appraisal.models import Appraisal, AppraisalCycle
from survey.printing.pdf import render_document, render_print_template
from survey.printing.qr import qr_svg

COMPONENTS = ("K", "D", "J", "S", "M")
BATCH = 35

# The sheet is an official Chinese form whatever the interface language: its labels are fixed.
GRADE_ZH = {"excellent": "优秀", "competent": "称职", "basic": "基本称职", "incompetent": "不称职"}
LEVEL_ZH = {"chief": "正职", "deputy": "副职", "staff": "一般干部"}
FLAG_ZH = {"tie_at_quota": "名额线并列，待党委决定", "needs_review": "需复核", "not_eligible": "不具备评优资格",
           "incomplete": "要素不全", "renormalised": "权重已按现有要素折算"}

NOTE_LABELS = {
    "missing": "未录入",
    "no_ballots": "无有效票",
    "insufficient_sample": "样本不足，未计入",
    "no_projects": "未牵头评议项目",
    "not_applicable": "不适用",
}


def verify_url(appraisal: Appraisal, digest: str) -> str:
    # Bound by hand: a CLI command or a background job has no request to build URLs from.
    path = current_app.url_map.bind("localhost").build(
        "appraisal_public.verify", {"appraisal_id": appraisal.id, "digest": digest})
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + path


def _fmt(value, places: int = 2) -> str:
    if value is None:
        return "—"
    value = float(value)
    return "—" if math.isnan(value) else f"{value:.{places}f}"


def _component_rows(appraisal: Appraisal) -> list[dict]:
    details = appraisal.details or {}
    weights = details.get("weights") or {}
    configured = appraisal.cycle.config["weights"]
    rows = []
    for c in COMPONENTS:
        d = details.get(c, {})
        value = appraisal.component(c)
        note = NOTE_LABELS.get(d.get("note", ""), "")
        if c == "D" and d.get("n"):
            note = f"有效票 {d['n']}，废票 {d.get('void', 0)}"
        if c == "J" and d.get("level"):
            note = f"平时考核“{d['level']}”"
        if c == "S" and value is not None:
            note = f"{d.get('projects', 0)} 个项目，按有效样本加权"
        if c == "M" and d.get("grade"):
            note = f"{d.get('halves', 0)} 个半年度" + ("（仅一个半年度）" if "single_half" in d.get("flags", []) else "")
        low, high = d.get("low"), d.get("high")
        rows.append({
            "name": c, "weight": _fmt(configured.get(c, 0), 2), "used": _fmt(weights.get(c), 3) if c in weights else "—",
            "score": _fmt(value), "n": d.get("n") if d.get("n") else "—",
            "interval": f"{_fmt(low, 1)}–{_fmt(high, 1)}" if low is not None and high is not None else "—",
            "note": note,
        })
    return rows


def sheet_context(appraisal: Appraisal, printed_at: datetime) -> dict:
    cycle = appraisal.cycle
    digest = ops.sheet_hash(appraisal)
    link = verify_url(appraisal, digest)
    objections = [o for o in cycle.objections if o.appraisal_id in (None, appraisal.id)]
    upheld = sum(1 for o in objections if o.outcome == "upheld")
    return {
        "a": appraisal, "cadre": appraisal.cadre, "cycle": cycle,
        "components": _component_rows(appraisal),
        "projects": (appraisal.details or {}).get("projects", []),
        "composite": _fmt(appraisal.composite), "fmt": _fmt,
        "proposed": GRADE_ZH.get(appraisal.proposed_grade, "—") if appraisal.proposed_grade else "—",
        "final": GRADE_ZH.get(appraisal.final_grade) if appraisal.final_grade else None,
        "flags": [FLAG_ZH.get(f, f) for f in appraisal.flag_list], "level": LEVEL_ZH[appraisal.cadre.post_level.value],
        "differs": appraisal.final_grade is not None and appraisal.final_grade != appraisal.proposed_grade,
        "objections": len(objections), "upheld": upheld,
        "open_objections": sum(1 for o in objections if o.outcome is None),
        "code": ops.verification_code(digest), "qr": qr_svg(link, size_mm=22), "link": link,
        "version": appraisal.config_version or cycle.config_version,
        "printed": format_datetime(printed_at, "yyyy-MM-dd HH:mm"),
    }


def sheets_html(appraisals: Sequence[Appraisal], printed_at: datetime | None = None) -> str:
    printed_at = printed_at or datetime.now()
    return render_print_template("printing/sheet.html", sheets=[sheet_context(a, printed_at) for a in appraisals])


def sheet_pdf(appraisal: Appraisal, printed_at: datetime | None = None) -> bytes:
    return render_document(sheets_html([appraisal], printed_at)).write_pdf()


def pool_appraisals(cycle: AppraisalCycle) -> list[Appraisal]:
    return sorted(cycle.appraisals, key=lambda a: (a.cadre.name, a.id))


def pool_pdf(cycle: AppraisalCycle | Iterable[Appraisal], progress: Callable[[int, int], None] | None = None,
             printed_at: datetime | None = None, batch: int = BATCH) -> bytes:
    """All sheets of a pool in one PDF, one page each; ``progress(done, total)`` after each batch.

    Each batch is laid out and written on its own, then the PDFs are joined: WeasyPrint keeps
    every laid-out page of a document in memory, so a pool of 500 in one document needs well
    over a gigabyte, and batches keep it to the size of one batch.
    """
    appraisals = pool_appraisals(cycle) if isinstance(cycle, AppraisalCycle) else list(cycle)
    if not appraisals:
        raise ValueError("no sheets to print")
    printed_at = printed_at or datetime.now()
    total = len(appraisals)
    if progress:
        progress(0, total)
    joined = PdfWriter()
    for start in range(0, total, batch):
        part = render_document(sheets_html(appraisals[start:start + batch], printed_at)).write_pdf()
        joined.append(PdfReader(io.BytesIO(part)))
        gc.collect()  # a laid-out batch is a web of cycles: free it before the next one is built
        if progress:
            progress(min(start + batch, total), total)
    out = io.BytesIO()
    joined.write(out)
    return out.getvalue()


def projects_table_html(scope_name: str, year: int, groups, printed_at: datetime | None = None) -> str:
    kinds = {"elderly_canteen": "长者食堂", "garbage_sorting": "垃圾分类屋", "home_elderly_care": "居家养老服务中心",
             "road_works": "道路工程", "greening": "绿化工程", "other": "其他民生项目"}
    return render_print_template("printing/sheet_projects.html", scope=scope_name, year=year, groups=groups, kinds=kinds,
                                 fmt=_fmt, printed=format_datetime(printed_at or datetime.now(), "yyyy-MM-dd HH:mm"))


def projects_table_pdf(scope_name: str, year: int, groups) -> bytes:
    return render_document(projects_table_html(scope_name, year, groups)).write_pdf()
