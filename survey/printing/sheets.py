"""The A4 appraisal sheet (干部考核评议表): one cadre a page, a whole pool as one PDF.

Everything printed comes from the stored appraisal (``survey.appraisal``); nothing is computed
here. The footer carries a verification code: the SHA-256 of the sheet's content
(``operations.sheet_content``), which the public verify page recomputes from the server's record.

A pool is laid out in batches and the pages of all batches are written as one PDF: the caller's
``progress(done, total)`` moves after each batch, and memory stays bounded for 500 sheets.
"""
from __future__ import annotations

import math
from datetime import datetime
from typing import Callable, Iterable, Sequence

from flask import current_app, url_for
from flask_babel import format_datetime

from survey.appraisal import operations as ops
from survey.appraisal.models import FLAG_LABELS, GRADE_LABELS, Appraisal, AppraisalCycle
from survey.printing.pdf import render_document, render_print_template
from survey.printing.qr import qr_svg

COMPONENTS = ("K", "D", "J", "S", "M")
BATCH = 50

NOTE_LABELS = {
    "missing": "未录入",
    "no_ballots": "无有效票",
    "insufficient_sample": "样本不足，未计入",
    "no_projects": "未牵头评议项目",
    "not_applicable": "不适用",
}


def verify_url(appraisal: Appraisal, digest: str) -> str:
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + url_for(
        "appraisal_public.verify", appraisal_id=appraisal.id, digest=digest)


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
        "proposed": GRADE_LABELS.get(appraisal.proposed_grade, "—") if appraisal.proposed_grade else "—",
        "final": GRADE_LABELS.get(appraisal.final_grade) if appraisal.final_grade else None,
        "flags": [str(FLAG_LABELS.get(f, f)) for f in appraisal.flag_list],
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
    """All sheets of a pool in one PDF, one page each; ``progress(done, total)`` after each batch."""
    appraisals = pool_appraisals(cycle) if isinstance(cycle, AppraisalCycle) else list(cycle)
    printed_at = printed_at or datetime.now()
    total = len(appraisals)
    if progress:
        progress(0, total)
    documents = []
    for start in range(0, total, batch):
        part = appraisals[start:start + batch]
        documents.append(render_document(sheets_html(part, printed_at)))
        if progress:
            progress(min(start + batch, total), total)
    if not documents:
        raise ValueError("no sheets to print")
    pages = [page for document in documents for page in document.pages]
    return documents[0].copy(pages).write_pdf()


def projects_table_html(scope_name: str, year: int, groups, printed_at: datetime | None = None) -> str:
    return render_print_template("printing/sheet_projects.html", scope=scope_name, year=year, groups=groups,
                                 fmt=_fmt, printed=format_datetime(printed_at or datetime.now(), "yyyy-MM-dd HH:mm"))


def projects_table_pdf(scope_name: str, year: int, groups) -> bytes:
    return render_document(projects_table_html(scope_name, year, groups)).write_pdf()
