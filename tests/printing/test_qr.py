"""QR codes: no decoder (zbar, OpenCV) is installed, so the symbol drawn is read back module
by module and compared with the matrix the qrcode package builds for the same data."""
from __future__ import annotations

import base64
import re
import xml.etree.ElementTree as ET

import qrcode
from qrcode.constants import ERROR_CORRECT_L, ERROR_CORRECT_M

from survey.printing.qr import QUIET_ZONE, qr_data_uri, qr_matrix, qr_svg

URL = "https://pingjia.example.gov.cn/s/ABCDEFGHJ"
RUN = re.compile(r"M(\d+) (\d+)h(\d+)v1h-\3z")


def reference(data: str, level: int = ERROR_CORRECT_M) -> list[list[bool]]:
    code = qrcode.QRCode(error_correction=level, border=0)
    code.add_data(data)
    code.make(fit=True)
    return code.get_matrix()


def matrix_from_svg(svg: str) -> list[list[bool]]:
    """Rebuild the module matrix from the drawn path, quiet zone stripped."""
    root = ET.fromstring(svg)
    side = int(root.get("viewBox").split()[2])
    grid = [[False] * side for _ in range(side)]
    path = root.find("{http://www.w3.org/2000/svg}path").get("d")
    assert RUN.sub("", path) == "", "the path holds only horizontal runs"
    for x, y, n in RUN.findall(path):
        for i in range(int(n)):
            grid[int(y)][int(x) + i] = True
    inner = slice(QUIET_ZONE, side - QUIET_ZONE)
    assert not any(any(row) for row in grid[:QUIET_ZONE] + grid[side - QUIET_ZONE:]), "quiet zone"
    assert not any(any(row[:QUIET_ZONE] + row[side - QUIET_ZONE:]) for row in grid)
    return [row[inner] for row in grid[inner]]


def test_matrix_uses_medium_error_correction():
    assert qr_matrix(URL) == reference(URL, ERROR_CORRECT_M)
    assert qr_matrix(URL) != reference(URL, ERROR_CORRECT_L)


def test_svg_draws_exactly_the_qr_matrix():
    assert matrix_from_svg(str(qr_svg(URL))) == reference(URL)


def test_svg_is_self_contained_and_sized():
    svg = str(qr_svg(URL, size_mm=32))
    assert 'width="32mm" height="32mm"' in svg
    assert "href" not in svg and "<image" not in svg and "<script" not in svg
    assert 'aria-hidden="true"' in svg
    assert 'width="100%"' in str(qr_svg(URL))


def test_accessible_label_is_escaped():
    svg = str(qr_svg(URL, label='<script>"x"</script>'))
    assert "<script" not in svg
    root = ET.fromstring(svg)
    assert root.get("aria-label") == '<script>"x"</script>' and root.get("role") == "img"


def test_data_uri_holds_the_same_symbol():
    uri = qr_data_uri(URL)
    assert uri.startswith("data:image/svg+xml;base64,")
    svg = base64.b64decode(uri.split(",", 1)[1]).decode()
    assert matrix_from_svg(svg) == reference(URL)
