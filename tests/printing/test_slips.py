"""Household slips as printed: page count, text, fonts, and the QR code read off the page."""
from __future__ import annotations

import subprocess
from datetime import date

import pytest
from flask_babel import force_locale, gettext
from PIL import Image

from survey.printing.pdf import render_document
from survey.printing.qr import qr_matrix
from survey.printing.slips import (
    DEFAULT_INSTRUCTION, Slip, group_code, household_slips_html, household_slips_pdf,
)


@pytest.mark.parametrize("count, per_page, pages", [
    (20, 8, 3), (16, 8, 2), (8, 8, 1), (1, 8, 1), (25, 10, 3), (10, 10, 1), (11, 10, 2),
])
def test_pages_hold_a_fixed_number_of_slips(app_ctx, make_slips, pdf_pages, count, per_page, pages):
    assert pdf_pages(household_slips_pdf(make_slips(count), per_page=per_page)) == pages


def test_no_slip_is_split_across_pages(app_ctx, make_slips):
    # Long names on every slip: each slip clips its own overflow instead of growing.
    slips = make_slips(20, community="幸福里街道第一社区居民委员会（城北片区）" * 3,
                       project="长者食堂助餐服务及配送上门项目" * 4, grid="第十二网格" * 3)
    for per_page in (8, 10):
        html = household_slips_html(slips, per_page=per_page)
        document = render_document(html)
        assert len(document.pages) == -(-20 // per_page)
        # Every page's last slip (by code) is printed whole on that page.
        texts = ["".join(box.text for box in _text_boxes(page._page_box)) for page in document.pages]
        for number, text in enumerate(texts):
            on_page = slips[number * per_page:(number + 1) * per_page]
            for slip in on_page:
                assert group_code(slip.code) in text
                assert slip.url in text.replace("\n", "")


def _text_boxes(box):
    from weasyprint.formatting_structure.boxes import TextBox

    if isinstance(box, TextBox):
        yield box
    for child in getattr(box, "children", ()):
        yield from _text_boxes(child)


def test_slip_texts_are_printed(app_ctx, make_slips, pdf_text):
    slips = make_slips(3, closing_date=date(2025, 6, 30))
    text = pdf_text(household_slips_pdf(slips))
    flat = "".join(text.split())  # pdftotext breaks lines where the slip wraps them
    for slip in slips:
        assert group_code(slip.code) in text
    assert "幸福里社区" in text and "长者食堂" in text and "第1网格" in text
    assert "".join(str(DEFAULT_INSTRUCTION).split()) in flat
    assert "".join(gettext("Closing date: %(date)s", date="2025年6月30日").split()) in flat
    assert "pingjia.example.gov.cn/s/" in text


def test_custom_instruction_and_text_closing_date(app_ctx, make_slips, pdf_text):
    slips = make_slips(2, closing_date="6月底")
    text = "".join(pdf_text(household_slips_pdf(slips, instruction="请在六月底前完成评议")).split())
    assert "请在六月底前完成评议" in text and "6月底" in text


def test_english_locale(app_ctx, make_slips, pdf_text):
    with force_locale("en"):
        text = pdf_text(household_slips_pdf(make_slips(1, closing_date=date(2025, 6, 30))))
    text = " ".join(text.split())
    assert "Scan with WeChat or open the link to rate the project" in text
    assert "June 30, 2025" in text


def test_user_text_is_escaped(app_ctx, make_slips, pdf_text):
    slips = make_slips(1, community="<b>东湖</b>社区", project='<img src="file:///etc/passwd">')
    html = household_slips_html(slips)
    assert "<b>东湖" not in html and '<img src="file' not in html
    text = pdf_text(household_slips_pdf(slips))
    assert "<b>东湖</b>社区" in text


def test_fonts_embedded_and_subset(app_ctx, make_slips, pdf_fonts):
    fonts = pdf_fonts(household_slips_pdf(make_slips(2)))
    names = {f["name"].split("+", 1)[1] for f in fonts}
    assert "Noto-Sans-CJK-SC" in names and "Noto-Sans-Mono-CJK-SC-Bold" in names, names
    assert all(f["emb"] == "yes" and f["sub"] == "yes" for f in fonts), fonts


def test_works_inside_a_request_too(app, make_slips, pdf_pages):
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert pdf_pages(household_slips_pdf(make_slips(9))) == 2


def test_bad_arguments(app_ctx, make_slips):
    with pytest.raises(ValueError):
        household_slips_pdf(make_slips(2), per_page=6)
    with pytest.raises(ValueError):
        household_slips_pdf([])


def test_slip_is_frozen():
    slip = Slip("ABCDEFGHJ", "https://x.cn/s/A", "社区", "项目", "6月30日", None)
    with pytest.raises(AttributeError):
        slip.code = "X"  # type: ignore[misc]


@pytest.mark.parametrize("code, shown", [
    ("ABCDEFGHJ", "ABC-DEF-GHJ"), ("abcdefgh", "ABCD-EFGH"), ("ABC-DEF-GHJ", "ABC-DEF-GHJ"),
    ("ab cd", "ABCD"),
])
def test_group_code(code, shown):
    assert group_code(code) == shown


def test_printed_qr_code_reads_back_as_the_url(app_ctx, make_slips, tmp_path):
    """Rasterise the first slip's QR code and sample every module's centre.

    No QR decoder is installed here, so this reads the printed symbol module by module and
    compares it with the matrix for the slip's URL: what a scanner would see, minus the
    Reed-Solomon decoding that the qrcode package's own tests cover.
    """
    slips = make_slips(8)
    (tmp_path / "s.pdf").write_bytes(household_slips_pdf(slips))
    dpi = 300
    px = dpi / 25.4
    # The top-left slip's QR box: page margins 10 mm left, 12 mm top; the box is 38 mm square.
    left, top, size = int(12 * px), int(14 * px), int(44 * px)
    subprocess.run(["pdftoppm", "-png", "-gray", "-r", str(dpi), "-f", "1", "-l", "1",
                    "-x", str(left), "-y", str(top), "-W", str(size), "-H", str(size),
                    "-singlefile", str(tmp_path / "s.pdf"), str(tmp_path / "qr")], check=True)
    image = Image.open(tmp_path / "qr.png").convert("L")
    dark = [(x, y) for y in range(image.height) for x in range(image.width)
            if image.getpixel((x, y)) < 128]
    x0, x1 = min(x for x, _ in dark), max(x for x, _ in dark)
    y0, y1 = min(y for _, y in dark), max(y for _, y in dark)
    expected = qr_matrix(slips[0].url)
    n = len(expected)
    module = (x1 - x0 + 1) / n
    assert abs((y1 - y0 + 1) / n - module) < 0.5, "the symbol is square"
    assert module * 25.4 / dpi > 0.6, "modules of at least 0.6 mm scan from arm's length"
    read = [[image.getpixel((int(x0 + (i + 0.5) * module), int(y0 + (j + 0.5) * module))) < 128
             for i in range(n)] for j in range(n)]
    assert read == expected
