"""HTML to PDF with WeasyPrint, behind a URL fetcher that can read nothing it should not.

Names, addresses and answers typed by residents end up in printed HTML. Escaping keeps them
out of the markup, and the fetcher below is the second wall: even if a tag or a CSS ``url()``
slipped through, the renderer serves only ``data:`` URLs and files under the folders named in
``ALLOWED_ROOTS``. It never opens a network connection, so a printout cannot be used to read
``/etc/passwd`` or to probe servers inside the network (SSRF).
"""
from __future__ import annotations

import logging
import mimetypes
from io import BytesIO
from pathlib import Path
from typing import Iterable
from urllib.parse import unquote, urlsplit

from flask import current_app
from flask_babel import get_locale
from weasyprint import HTML
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from survey import ROOT
from survey.core.i18n import html_lang

log = logging.getLogger(__name__)

TEMPLATES_DIR = ROOT / "templates" / "printing"
STATIC_DIR = ROOT / "survey" / "static"
ALLOWED_ROOTS: tuple[Path, ...] = (TEMPLATES_DIR, STATIC_DIR)

# Relative URLs in printing templates (e.g. ``print.css``) resolve against this folder.
DEFAULT_BASE_URL = TEMPLATES_DIR.as_uri() + "/"


class RefusedURL(ValueError):
    """A URL the printing fetcher will not serve."""


class StrictRefusedURL(FatalURLFetchingError):
    """Raised instead of :class:`RefusedURL` in strict mode, so WeasyPrint stops rendering.

    WeasyPrint catches every ``Exception`` from a fetcher and carries on without the resource;
    only ``FatalURLFetchingError`` (a ``BaseException``) gets through.
    """


class SafeURLFetcher(URLFetcher):
    """Serves ``data:`` URLs and local files under ``roots``; refuses everything else."""

    def __init__(self, roots: Iterable[Path] = ALLOWED_ROOTS, *, strict: bool = False) -> None:
        super().__init__(timeout=1, allow_redirects=False)
        self._roots = tuple(Path(r).resolve() for r in roots)
        self._strict = strict

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        scheme = url.split(":", 1)[0].lower() if ":" in url else ""
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme == "file":
            return self._fetch_file(url)
        raise self._refusal(url, "only data: URLs and the project's own printing files are allowed")

    def _fetch_file(self, url: str) -> URLFetcherResponse:
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            raise self._refusal(url, "file URL on another host")
        # resolve() follows symlinks and '..', so neither can lead outside an allowed root.
        path = Path(unquote(parts.path)).resolve()
        if not any(path.is_relative_to(root) for root in self._roots):
            raise self._refusal(url, "file outside the allowed printing folders")
        if not path.is_file():
            raise self._refusal(url, "no such file")
        # WeasyPrint ignores a stylesheet that does not say it is text/css.
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(
            path.as_uri(), BytesIO(path.read_bytes()), headers={"Content-Type": kind})

    def _refusal(self, url: str, reason: str) -> BaseException:
        shown = url if len(url) <= 200 else url[:200] + "..."
        log.warning("PDF renderer refused URL %r: %s", shown, reason)
        kind = StrictRefusedURL if self._strict else RefusedURL
        return kind(f"refused URL {shown!r}: {reason}")


def render_pdf(html: str, *, base_url: str | None = None, strict: bool = False) -> bytes:
    """Render ``html`` to PDF bytes.

    A refused URL is logged and left out of the document (an image goes missing, the rest
    prints); with ``strict=True`` it raises :class:`StrictRefusedURL` instead.
    """
    fetcher = SafeURLFetcher(strict=strict)
    document = HTML(string=html, base_url=base_url or DEFAULT_BASE_URL, url_fetcher=fetcher)
    return document.write_pdf()


def render_document(html: str, *, base_url: str | None = None, strict: bool = False):
    """The laid-out WeasyPrint document, for callers that need its pages before writing."""
    fetcher = SafeURLFetcher(strict=strict)
    return HTML(string=html, base_url=base_url or DEFAULT_BASE_URL, url_fetcher=fetcher).render()


def render_print_template(name: str, **context) -> str:
    """Render a printing template with the app's Jinja environment (and its gettext).

    Deliberately not ``flask.render_template``: that runs the app's context processors, which
    may read the request (cookies, the logged-in user), and printing must also work from a CLI
    command or a background job with only an app context. Printouts need none of them.
    """
    locale = get_locale()
    context.setdefault("html_lang", html_lang(locale))
    context.setdefault("locale", str(locale))
    return current_app.jinja_env.get_template(name).render(**context)
