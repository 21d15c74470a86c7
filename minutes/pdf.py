"""The minutes as a PDF, rendered by WeasyPrint with no access to the network or the disk.

The HTML is rendered against a base URL that resolves nowhere, and the URL fetcher serves
only the print stylesheet (and anything else under ``static/minutes/``) read through
Django's staticfiles finders. Every other URL - ``file://``, ``http(s)://``, ``data:`` or
a path that climbs out of ``static/minutes/`` - is refused, so nothing a user typed into
the record can make the renderer read a local file or call out to a server.
"""

import logging
import mimetypes
import posixpath
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from minutes.document import document_context
from minutes.models import MinutesVersion

logger = logging.getLogger(__name__)

BASE_URL = "https://minutes.invalid/"
STATIC_PREFIX = "/static/"
ALLOWED_STATIC_DIRS = ("minutes/",)
# PDF/UA-1 makes a tagged PDF with the metadata screen readers need.
PDF_VARIANT = "pdf/ua-1"


class URLRefused(ValueError):
    """The minutes asked for something outside static/minutes/. WeasyPrint logs and skips it."""


class MinutesURLFetcher(URLFetcher):
    """Serves files under static/minutes/ from disk and refuses every other URL.

    ``requested`` lists every URL WeasyPrint asked for, served or not.
    """

    def __init__(self) -> None:
        super().__init__(allowed_protocols=(), allow_redirects=False, fail_on_errors=False)
        self.requested: list[str] = []

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        self.requested.append(url)
        relative = static_path_for(url)
        if relative is None:
            logger.warning("Minutes PDF refused to fetch %.200s", url)
            raise URLRefused(f"Not a minutes static file: {url[:200]}")
        found = finders.find(relative)
        if not found or isinstance(found, list):
            # The stylesheet carries the page furniture: never issue minutes without it.
            raise FatalURLFetchingError(f"Missing static file for the minutes: {relative}")
        mime_type = mimetypes.guess_type(relative)[0] or "application/octet-stream"
        content_type = f"{mime_type}; charset=utf-8" if mime_type == "text/css" else mime_type
        return URLFetcherResponse(
            url, body=Path(found).read_bytes(), headers={"Content-Type": content_type}
        )

    def open(self, url: Any, data: Any = None, timeout: Any = None) -> URLFetcherResponse:
        # Never fall through to urllib's handlers, whatever WeasyPrint calls.
        return self.fetch(url if isinstance(url, str) else url.full_url)

    def __call__(self, url: str) -> URLFetcherResponse:
        return self.fetch(url)


def static_path_for(url: str) -> str | None:
    """'minutes/print.css' for the fake base's static URL of an allowed file, else None."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    base = urlsplit(BASE_URL)
    if (parts.scheme, parts.netloc) != (base.scheme, base.netloc) or parts.username:
        return None
    path = unquote(parts.path)
    if not path.startswith(STATIC_PREFIX) or "\\" in path or "\x00" in path:
        return None
    relative = path.removeprefix(STATIC_PREFIX)
    if posixpath.normpath(relative) != relative or ".." in relative.split("/"):
        return None
    if not relative.startswith(ALLOWED_STATIC_DIRS) or relative.endswith("/"):
        return None
    return relative


def minutes_html(version: MinutesVersion) -> str:
    """The standalone HTML document WeasyPrint turns into the PDF."""
    return render_to_string("minutes/document.html", document_context(version))


def render_minutes_pdf(html: str, *, url_fetcher: MinutesURLFetcher | None = None) -> bytes:
    """A tagged PDF/UA-1 document with its fonts embedded."""
    document = HTML(
        string=html,
        base_url=BASE_URL,
        url_fetcher=url_fetcher or MinutesURLFetcher(),
        media_type="print",
    )
    data = document.write_pdf(pdf_variant=PDF_VARIANT)
    if not data:
        raise RuntimeError("WeasyPrint returned no PDF")
    return bytes(data)
