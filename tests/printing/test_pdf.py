"""The PDF renderer: Chinese fonts embedded as subsets, and a fetcher that reads nothing else.

Decision under test: a refused URL is logged and the document renders without it (one missing
image must not stop a whole pool of sheets); ``strict=True`` turns the refusal into an error.
"""
from __future__ import annotations

import http.server
import logging
import threading
import time

import pytest

from survey.printing.pdf import (
    DEFAULT_BASE_URL, TEMPLATES_DIR, RefusedURL, SafeURLFetcher, StrictRefusedURL, render_pdf,
)
from survey.printing.qr import qr_data_uri

CHINESE_PAGE = """<!doctype html><html lang="zh-Hans-CN"><meta charset="utf-8">
<style>@page { size: A4; margin: 15mm } body { font-family: "Noto Sans CJK SC" }
h1 { font-family: "Noto Serif CJK SC" }</style>
<h1>二〇二五年度干部考核评议表</h1>
<p>幸福里社区长者食堂满意度评议：综合得分 82.4 分，样本 136 户，约 78 至 84 分。</p>
<p>居民满意度是民生项目和干部考核的重要依据。</p></html>"""


@pytest.fixture
def recording_server():
    """A real HTTP server on 127.0.0.1 that counts the requests it gets."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's naming)
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "text/css")
            self.end_headers()
            self.wfile.write(b"p { color: red }")

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", hits
    server.shutdown()
    server.server_close()


def refusals(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records
            if r.name == "survey.printing.pdf" and "refused URL" in r.getMessage()]


def test_chinese_fonts_are_embedded_subsets(pdf_fonts, pdf_text):
    pdf = render_pdf(CHINESE_PAGE)
    fonts = pdf_fonts(pdf)
    names = {f["name"].split("+", 1)[-1] for f in fonts}
    assert {"Noto-Sans-CJK-SC", "Noto-Serif-CJK-SC-Bold"} <= names, fonts
    for font in fonts:
        assert font["emb"] == "yes" and font["sub"] == "yes", font
        assert "+" in font["name"], "a subset font's name carries a six-letter tag"
    assert "幸福里社区长者食堂满意度评议" in pdf_text(pdf)


def test_subsetting_uses_harfbuzz_not_fonttools(caplog):
    # Without libharfbuzz-subset WeasyPrint falls back to fontTools: ~18 s a page instead of
    # ~0.25 s. It says so in a warning; this test turns that warning into a failure.
    caplog.set_level(logging.DEBUG, logger="weasyprint")
    render_pdf(CHINESE_PAGE)
    assert not [r for r in caplog.records if "fontTools" in r.getMessage()]


def test_one_chinese_page_renders_fast():
    render_pdf(CHINESE_PAGE)  # fonts loaded once per process
    start = time.perf_counter()
    render_pdf(CHINESE_PAGE)
    # Generous bound (the measured time is ~0.25 s): it catches the fontTools fallback.
    assert time.perf_counter() - start < 3


@pytest.mark.parametrize("url", [
    "file:///etc/passwd",
    "file:///etc/../etc/passwd",
    f"{DEFAULT_BASE_URL}../../../../etc/passwd",
    f"{DEFAULT_BASE_URL}%2e%2e/%2e%2e/config.py",
    "file://otherhost/etc/passwd",
    "http://127.0.0.1/admin",
    "http://localhost:5432/",
    "http://169.254.169.254/latest/meta-data/",
    "http://example.com/logo.png",
    "https://example.com/style.css",
    "ftp://example.com/file",
    "gopher://127.0.0.1:6379/_INFO",
])
def test_fetcher_refuses(url, caplog):
    with pytest.raises(RefusedURL):
        SafeURLFetcher().fetch(url)
    assert refusals(caplog), "each refusal leaves a log line"


def test_fetcher_serves_data_urls_and_printing_files():
    response = SafeURLFetcher().fetch(qr_data_uri("https://example.org/s/ABC"))
    assert response.read().startswith(b"<svg")
    response = SafeURLFetcher().fetch((TEMPLATES_DIR / "print.css").as_uri())
    assert response.content_type == "text/css"
    assert b"Noto Sans CJK SC" in response.read()


def test_fetcher_does_not_follow_a_symlink_out_of_an_allowed_folder(tmp_path):
    allowed = tmp_path / "allowed"
    allowed.mkdir()
    secret = tmp_path / "secret.txt"
    secret.write_text("secret")
    (allowed / "link.css").symlink_to(secret)
    (allowed / "ok.css").write_text("p {}")
    fetcher = SafeURLFetcher(roots=[allowed])
    assert fetcher.fetch((allowed / "ok.css").as_uri()).read() == b"p {}"
    with pytest.raises(RefusedURL):
        fetcher.fetch((allowed / "link.css").as_uri())


def test_pdf_renders_without_refused_resources_and_never_connects(
        recording_server, caplog, pdf_text, pdf_pages):
    base, hits = recording_server
    html = f"""<html lang="zh-Hans-CN"><head>
    <link rel="stylesheet" href="{base}/style.css">
    <link rel="stylesheet" href="file:///etc/passwd">
    <style>@import url("{base}/import.css"); p {{ font-family: "Noto Sans CJK SC";
      background: url("http://example.com/bg.png") }}</style></head>
    <body><p>照常打印</p><img src="file:///etc/passwd" alt=""><img src="{base}/a.png" alt="">
    <img src="http://example.com/x.png" alt=""></body></html>"""
    pdf = render_pdf(html)
    assert pdf_pages(pdf) == 1
    text = pdf_text(pdf)
    assert "照常打印" in text and "root:" not in text
    assert hits == [], "the renderer made a request to a local server"
    refused = " ".join(refusals(caplog))
    for url in (f"{base}/style.css", "file:///etc/passwd", f"{base}/import.css",
                "http://example.com/bg.png", f"{base}/a.png", "http://example.com/x.png"):
        assert url in refused, url


def test_strict_mode_stops_on_a_refused_url(recording_server):
    base, hits = recording_server
    with pytest.raises(StrictRefusedURL):
        render_pdf(f'<p>x</p><img src="{base}/a.png">', strict=True)
    with pytest.raises(StrictRefusedURL):
        render_pdf('<link rel="stylesheet" href="file:///etc/passwd"><p>x</p>', strict=True)
    assert hits == []


def test_relative_urls_resolve_inside_the_printing_templates(caplog, pdf_fonts):
    # print.css names Noto Sans CJK SC; without it the page would fall back to another face.
    pdf = render_pdf('<html lang="zh-Hans-CN"><link rel="stylesheet" href="print.css"><p>打印</p>',
                     strict=True)
    assert any(f["name"].endswith("Noto-Sans-CJK-SC") for f in pdf_fonts(pdf))
    assert not refusals(caplog)
