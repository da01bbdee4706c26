"""Fixtures for printing tests: an app context without a request, and poppler helpers.

Poppler's command-line tools read the PDFs the way a reader would, without a PDF library
in the project: pages from ``pdfinfo``, text from ``pdftotext``, fonts from ``pdffonts``.
"""
from __future__ import annotations

import re
import subprocess
from datetime import date
from pathlib import Path
from typing import Callable

import pytest

from survey.printing.slips import Slip


def _run(args: list[str], pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    return subprocess.run([*args, str(path)], check=True, capture_output=True, text=True).stdout


@pytest.fixture
def app_ctx(app):
    """An application context and no request: as in a CLI command or a background job."""
    with app.app_context():
        yield app


@pytest.fixture
def pdf_pages(tmp_path) -> Callable[[bytes], int]:
    def pages(pdf: bytes) -> int:
        match = re.search(r"^Pages:\s+(\d+)", _run(["pdfinfo"], pdf, tmp_path), re.M)
        assert match, "pdfinfo found no page count"
        return int(match.group(1))

    return pages


@pytest.fixture
def pdf_text(tmp_path) -> Callable[[bytes], str]:
    def text(pdf: bytes) -> str:
        path = tmp_path / "doc.pdf"
        path.write_bytes(pdf)
        return subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True,
                              capture_output=True, text=True).stdout

    return text


@pytest.fixture
def pdf_fonts(tmp_path) -> Callable[[bytes], list[dict[str, str]]]:
    """pdffonts rows as dicts: name, emb, sub (the table's last seven columns are fixed)."""

    def fonts(pdf: bytes) -> list[dict[str, str]]:
        lines = _run(["pdffonts"], pdf, tmp_path).splitlines()[2:]
        rows = []
        for line in lines:
            cells = line.split()
            # name may hold no spaces; type may (e.g. "CID Type 0C (OT)"): count from the end
            rows.append({"name": cells[0], "emb": cells[-5], "sub": cells[-4], "uni": cells[-3]})
        return rows

    return fonts


@pytest.fixture
def make_slips() -> Callable[..., list[Slip]]:
    """make_slips(n) -> n distinct slips; keyword arguments override every slip's fields."""

    def make(n: int, **fields) -> list[Slip]:
        alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
        slips = []
        for i in range(n):
            code = "".join(alphabet[(i * 7 + k * 5) % len(alphabet)] for k in range(8))
            code += alphabet[i % len(alphabet)]
            values = dict(
                code=code, url=f"https://pingjia.example.gov.cn/s/{code}",
                community="幸福里社区", project="长者食堂", closing_date=date(2025, 6, 30),
                grid=f"第{i % 3 + 1}网格",
            )
            values.update(fields)
            slips.append(Slip(**values))
        return slips

    return make
