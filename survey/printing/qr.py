"""QR codes as self-contained SVG: vector, so they print sharp at any size, and no files.

Medium error correction (about 15 % of the symbol recoverable) survives a fold, a smudge or a
cheap printer without making the symbol so dense that old phone cameras struggle.
"""
from __future__ import annotations

import base64

import qrcode
from markupsafe import Markup
from qrcode.constants import ERROR_CORRECT_M

# The standard asks for four modules of white around the symbol; WeChat's scanner is fussier
# about a cramped quiet zone than about anything else on a printed slip.
QUIET_ZONE = 4


def qr_matrix(data: str) -> list[list[bool]]:
    """The QR module matrix for ``data`` (True = dark), without the quiet zone."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0)
    code.add_data(data)
    code.make(fit=True)
    return [list(row) for row in code.get_matrix()]


def _path(matrix: list[list[bool]]) -> str:
    # One horizontal run of dark modules per subpath: a few hundred bytes instead of one
    # <rect> per module, and no hairline gaps between neighbours when rasterised.
    parts: list[str] = []
    for y, row in enumerate(matrix):
        x = 0
        while x < len(row):
            if not row[x]:
                x += 1
                continue
            start = x
            while x < len(row) and row[x]:
                x += 1
            parts.append(f"M{start + QUIET_ZONE} {y + QUIET_ZONE}h{x - start}v1h-{x - start}z")
    return "".join(parts)


def _svg(matrix: list[list[bool]], size: str, name: Markup) -> Markup:
    side = len(matrix) + 2 * QUIET_ZONE
    return Markup(
        '<svg xmlns="http://www.w3.org/2000/svg" class="qr" viewBox="0 0 {side} {side}" {size}'
        '{name} shape-rendering="crispEdges">'
        '<rect width="{side}" height="{side}" fill="#fff"/>'
        '<path fill="#000" d="{path}"/></svg>'
    ).format(side=side, size=Markup(size), name=name, path=_path(matrix))


def qr_svg(data: str, *, size_mm: float | None = None, label: str | None = None) -> Markup:
    """Inline SVG markup of a QR code for ``data``.

    ``size_mm`` fixes the printed size; without it the SVG fills its container's width.
    ``label`` is the accessible name; without it the symbol is hidden from screen readers,
    since the link or code it carries is printed beside it in words.
    """
    size = f'width="{size_mm:g}mm" height="{size_mm:g}mm"' if size_mm else 'width="100%"'
    name = (Markup(' role="img" aria-label="{}"').format(label) if label
            else Markup(' aria-hidden="true"'))
    return _svg(qr_matrix(data), size, name)


def qr_data_uri(data: str) -> str:
    """A ``data:image/svg+xml`` URI of the QR code, for an ``<img src>`` or a CSS ``url()``."""
    matrix = qr_matrix(data)
    side = len(matrix) + 2 * QUIET_ZONE
    # An image needs an intrinsic size; the <img> element's CSS scales it.
    svg = _svg(matrix, f'width="{side}" height="{side}"', Markup())
    return "data:image/svg+xml;base64," + base64.b64encode(str(svg).encode()).decode("ascii")
