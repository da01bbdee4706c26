"""A campaign's responses as CSV and XLSX, streamed with bounded memory.

One row per response: receipt, submitted date (the day only: a time would help line codes up
with answers), grid code and name, channel, assisted, excluded and why, then one column per
question in the order of the campaign's questionnaire version, headed by the question's text.
Each response is read with the question types of the version it answered: choices are written
as their words (a Likert 5 is "非常满意", 0 is "不了解"), several choices joined with "；", text
as typed. Questions that only an older version had (a key the campaign's version lacks) get
columns of their own after the others.

Rows come from one query over responses and their answers, fetched in batches
(``stream_results`` + ``yield_per``: a server-side cursor on PostgreSQL), so that memory does
not grow with the campaign. Text cells that a spreadsheet would take for a formula are
prefixed with a single quote (survey.core.spreadsheets).

The functions return generators of ``bytes`` that a Flask view can wrap in
``Response(stream_with_context(...))`` and that the CLI writes to a file. They need an app
context (gettext, the database).
"""
from __future__ import annotations

import csv
import io
import os
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone, tzinfo
from itertools import groupby
from typing import Any, BinaryIO, Iterable, Iterator

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import get_timezone
from sqlalchemy import select

from survey.core.spreadsheets import escape_formula
from survey.extensions import db
from survey.orgs.models import OrgUnit
from survey.questionnaires.models import Answer, Campaign, QuestionnaireVersion, Response, ResponseChannel
from survey.questionnaires.questions import QuestionType

BATCH_SIZE = 2000
CHUNK_BYTES = 64 * 1024
MULTIPLE_SEPARATOR = "；"
XLSX_MAX_ROWS = 1_048_576  # Excel's limit per sheet, header included

CSV_MIMETYPE = "text/csv; charset=utf-8"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = ("csv", "xlsx")

CHANNEL_LABELS = {
    ResponseChannel.code: _l("Household code"),
    ResponseChannel.open_link: _l("Open link"),
    ResponseChannel.assisted: _l("Assisted"),
}

Cell = Any  # str | int | float | None


def _cell(value: Cell) -> Cell:
    return escape_formula(value) if isinstance(value, str) else value


@dataclass(frozen=True)
class Column:
    """A question as residents saw it. Keys survive from version to version, but a removed
    question's key can be given to a new question in a later draft: an answer goes under a
    column only when key, type and wording all match, never under another question's heading."""

    key: str
    type: str
    text: str

    @classmethod
    def of(cls, spec: dict[str, Any]) -> Column:
        return cls(spec["key"], spec["type"], spec["text"])


def question_columns(campaign: Campaign) -> list[Column]:
    """The campaign's questions in order, then questions that only other answered versions have."""
    columns = [Column.of(spec) for spec in campaign.version.questions]
    seen = set(columns)
    other_ids = db.session.scalars(
        select(Response.version_id).where(Response.campaign_id == campaign.id, Response.version_id != campaign.version_id)
        .distinct()
    ).all()
    if other_ids:
        versions = db.session.scalars(
            select(QuestionnaireVersion).where(QuestionnaireVersion.id.in_(other_ids))
            .order_by(QuestionnaireVersion.number.desc())
        ).all()
        for version in versions:
            for spec in version.questions:
                column = Column.of(spec)
                if column not in seen:
                    seen.add(column)
                    columns.append(column)
    return columns


def header(columns: Iterable[Column]) -> list[str]:
    return [
        _("Receipt number"), _("Submitted on"), _("Grid code"), _("Grid"), _("Channel"), _("Assisted"),
        _("Excluded"), _("Reason for exclusion"),
    ] + [c.text for c in columns]


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


class AnswerWriter:
    """Turns one question's stored rows into a cell, with the words of the version answered.

    The words are looked up once per question and export (not once per answer)."""

    def __init__(self, question: QuestionType | None):
        self.multiple = question is not None and question.name == "multiple"
        self.labels = {value: str(label) for value, label in question.categories()} if question is not None else {}

    def one(self, value_num: float | None, value_text: str | None) -> Cell:
        if value_num is None:
            return value_text
        number = _number(value_num)
        if self.labels:
            label = self.labels.get(str(number))
            # A 0-10 rating's words are its digits: keep it a number (a number cell in XLSX).
            return label if label is not None and label != str(number) else number
        return number

    def cell(self, rows: list[tuple[float | None, str | None]]) -> Cell:
        if not rows:
            return None
        if self.multiple:
            values = sorted((r for r in rows if r[0] is not None), key=lambda r: r[0])
            return MULTIPLE_SEPARATOR.join(str(self.one(*r)) for r in values)
        return self.one(*rows[0])


def answer_cell(question: QuestionType | None, rows: list[tuple[float | None, str | None]]) -> Cell:
    """The words for one question's stored rows, read with the type of the version answered."""
    return AnswerWriter(question).cell(rows)


def _yes_no(value: bool) -> str:
    return _("Yes") if value else _("No")


def iter_rows(campaign: Campaign, columns: list[Column] | None = None, *, batch_size: int = BATCH_SIZE) -> Iterator[list[Cell]]:
    """One list of cells per response (not escaped), in the order of ``header(columns)``.

    The responses and their answers are read as one ordered stream of plain rows, ``batch_size``
    at a time; only the current response's answers are held.
    """
    columns = columns if columns is not None else question_columns(campaign)
    index = {column: i for i, column in enumerate(columns)}
    # Per version: key -> (its writer, its column); built once for each version met.
    readers: dict[int, dict[str, tuple[AnswerWriter, int | None]]] = {}

    def reader(version: QuestionnaireVersion) -> dict[str, tuple[AnswerWriter, int | None]]:
        return {q.key: (AnswerWriter(q), index.get(Column.of(q.spec))) for q in version.question_types()}

    readers[campaign.version_id] = reader(campaign.version)
    channel_words = {channel: str(label) for channel, label in CHANNEL_LABELS.items()}
    yes, no = _yes_no(True), _yes_no(False)
    zone = get_timezone()  # the user's (or the platform's: Asia/Shanghai) time zone

    stmt = (
        select(
            Response.id, Response.receipt, Response.submitted_at, OrgUnit.code, OrgUnit.name, Response.channel,
            Response.assisted, Response.excluded, Response.excluded_reason, Response.version_id,
            Answer.question_key, Answer.value_num, Answer.value_text,
        )
        .select_from(Response)
        .outerjoin(OrgUnit, OrgUnit.id == Response.grid_id)
        .outerjoin(Answer, Answer.response_id == Response.id)
        .where(Response.campaign_id == campaign.id)
        .order_by(Response.id, Answer.id)
        .execution_options(stream_results=True, yield_per=batch_size)
    )
    result = db.session.execute(stmt)
    try:
        for _id, group in groupby(result, key=lambda row: row[0]):
            first = next(group)
            version_id = first.version_id
            questions = readers.get(version_id)
            if questions is None:
                questions = readers[version_id] = reader(db.session.get(QuestionnaireVersion, version_id))
            answers: dict[str, list[tuple[float | None, str | None]]] = {}
            for row in (first, *group):
                if row.question_key is not None:
                    answers.setdefault(row.question_key, []).append((row.value_num, row.value_text))
            cells: list[Cell] = [None] * len(columns)
            for key, rows in answers.items():
                writer, position = questions.get(key, (None, None))
                if position is not None:
                    cells[position] = writer.cell(rows)
            yield [
                first.receipt, _local_date(first.submitted_at, zone), first.code, first.name,
                channel_words[first.channel], yes if first.assisted else no, yes if first.excluded else no,
                first.excluded_reason,
            ] + cells
    finally:
        result.close()


def _local_date(value: datetime, zone: tzinfo) -> str:
    """The day of submission where the campaign runs (stored times are naive UTC)."""
    return value.replace(tzinfo=timezone.utc).astimezone(zone).date().isoformat()


# --- CSV ----------------------------------------------------------------------------------------


def csv_chunks(campaign: Campaign, *, batch_size: int = BATCH_SIZE, chunk_bytes: int = CHUNK_BYTES) -> Iterator[bytes]:
    """UTF-8 with a BOM (so that Excel reads the Chinese right), CRLF lines, ~64 KB a chunk."""
    columns = question_columns(campaign)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow([_cell(h) for h in header(columns)])
    for row in iter_rows(campaign, columns, batch_size=batch_size):
        writer.writerow([_cell(v) for v in row])
        if buffer.tell() >= chunk_bytes:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


# --- XLSX ---------------------------------------------------------------------------------------


def write_xlsx(campaign: Campaign, target: str | os.PathLike | BinaryIO, *, batch_size: int = BATCH_SIZE) -> int:
    """Write the workbook (XlsxWriter in constant-memory mode: each row goes to disk as written).

    Returns the number of response rows. A campaign beyond Excel's row limit continues on
    further sheets, each with its header.
    """
    import xlsxwriter

    columns = question_columns(campaign)
    head = [_cell(h) for h in header(columns)]
    workbook = xlsxwriter.Workbook(target, {
        "constant_memory": True,
        # Text stays text: never turned into a formula, a link or a number.
        "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False,
        "tmpdir": tempfile.gettempdir(),
    })
    try:
        bold = workbook.add_format({"bold": True})
        sheet_name = _("Responses")[:28]
        sheets = 0
        sheet, row_number, count = None, XLSX_MAX_ROWS, 0

        for row in iter_rows(campaign, columns, batch_size=batch_size):
            if row_number >= XLSX_MAX_ROWS:
                sheets += 1
                sheet = workbook.add_worksheet(sheet_name if sheets == 1 else f"{sheet_name} {sheets}")
                sheet.write_row(0, 0, head, bold)
                sheet.freeze_panes(1, 0)
                row_number = 1
            sheet.write_row(row_number, 0, [_cell(v) for v in row])
            row_number += 1
            count += 1
        if sheet is None:  # no responses yet: a sheet with the header only
            sheet = workbook.add_worksheet(sheet_name)
            sheet.write_row(0, 0, head, bold)
    finally:
        workbook.close()
    return count


def xlsx_chunks(campaign: Campaign, *, batch_size: int = BATCH_SIZE, chunk_bytes: int = CHUNK_BYTES) -> Iterator[bytes]:
    """The workbook written to a temporary file, then read back in chunks; the file is removed."""
    handle, path = tempfile.mkstemp(prefix="survey-export-", suffix=".xlsx")
    os.close(handle)
    try:
        write_xlsx(campaign, path, batch_size=batch_size)
        with open(path, "rb") as stream:
            while chunk := stream.read(chunk_bytes):
                yield chunk
    finally:
        os.unlink(path)


# --- both ---------------------------------------------------------------------------------------


def export_chunks(campaign: Campaign, fmt: str, **options) -> Iterator[bytes]:
    if fmt == "csv":
        return csv_chunks(campaign, **options)
    if fmt == "xlsx":
        return xlsx_chunks(campaign, **options)
    raise ValueError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")


def mimetype(fmt: str) -> str:
    return {"csv": CSV_MIMETYPE, "xlsx": XLSX_MIMETYPE}[fmt]


def filename(campaign: Campaign, fmt: str) -> str:
    """An ASCII file name (safe in a Content-Disposition header on every phone and browser)."""
    return f"campaign-{campaign.id}-responses.{fmt}"


def write_export(campaign: Campaign, fmt: str, out: BinaryIO, **options) -> int:
    """Copy the export into an open binary file; returns the bytes written."""
    written = 0
    for chunk in export_chunks(campaign, fmt, **options):
        out.write(chunk)
        written += len(chunk)
    return written
