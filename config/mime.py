"""An email's bytes on the wire, made with less work per message than Django's own path.

Every agency's copy of one version's minutes carries the same PDF. Django base64-encodes an
attachment afresh for each message, and the standard library's generator then writes the
encoded text out two calls per line (about 1,600 calls for a 45 KiB PDF). Together that was
about 2.8 ms of the 4 ms it took to turn one minutes email into bytes. Here:

- a binary attachment is encoded once per worker process (the MIME part Django itself makes,
  kept in a small cache keyed by its name, content and type) and reused by every message;
- the generator writes a body's lines in one call. The bytes are the same: replacing each
  line break with the line separator is what the standard library's line-by-line loop does;
- a multipart boundary is checked against the message's text with a plain substring search
  before the standard library's regular expression (compiled afresh for every message and
  run over the whole encoded PDF). A boundary that is not a substring cannot match the
  expression, so the boundary chosen is the same.

``tests/config/test_mime.py`` holds these bytes equal to Django's, part for part.
"""

import copy
import random
import re
import sys
from email.generator import BytesGenerator
from email.mime.base import MIMEBase
from functools import lru_cache
from io import BytesIO
from typing import Any

from django.core.mail import EmailMessage

# What email.generator splits a body on.
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
# How the standard library writes a boundary's random token.
_TOKEN_WIDTH = len(repr(sys.maxsize - 1))
# Every agency's copy of a version, and its encrypted copies' misses, fit many times over.
_PARTS_CACHED = 16


class _Generator(BytesGenerator):
    _NL: str  # the line separator, set by flatten()

    def _write_lines(self, lines: str) -> None:
        # The standard library writes each line and then the separator; the same bytes at once.
        if lines:
            if "\r" in lines:
                self.write(_LINE_BREAK.sub(self._NL, lines))
            else:
                self.write(lines.replace("\n", self._NL))

    @classmethod
    def _make_boundary(cls, text: bytes | str | None = None) -> str:
        # The standard library's draw and format, so the same boundary for the same draw.
        token = random.randrange(sys.maxsize)
        boundary = ("=" * 15) + f"{token:0{_TOKEN_WIDTH}d}" + "=="
        if text is None:
            return boundary
        candidate, counter = boundary, 0
        while _boundary_in(candidate, text):
            candidate = f"{boundary}.{counter}"
            counter += 1
        return candidate


def _boundary_in(boundary: str, text: bytes | str) -> bool:
    """The standard library's test (a line that is the boundary, or its closing form), run
    only where the boundary occurs at all."""
    needle = "--" + boundary
    pattern = "^" + re.escape(needle) + "(--)?$"
    if isinstance(text, bytes):
        return needle.encode() in text and bool(re.search(pattern.encode(), text, re.MULTILINE))
    return needle in text and bool(re.search(pattern, text, re.MULTILINE))


@lru_cache(maxsize=_PARTS_CACHED)
def _attachment_part(filename: str, content: bytes, mimetype: str) -> MIMEBase:
    """The part Django makes for this attachment, made once. Django's own code makes it, so
    its headers and encoding are Django's. Each message takes a shallow copy (see _prepared):
    the generator sets and restores a part's policy while it writes it, and the messages of a
    chunk are written by several threads at once."""
    alone = EmailMessage(attachments=[(filename, content, mimetype)]).message()
    parts = alone.get_payload()
    assert isinstance(parts, list) and isinstance(parts[-1], MIMEBase)
    return parts[-1]


def _prepared(attachment: Any) -> Any:
    """A binary attachment as its encoded part; anything else as it is."""
    if isinstance(attachment, MIMEBase):
        return attachment
    filename, content, mimetype = attachment
    maintype = (mimetype or "").partition("/")[0]
    if not isinstance(content, bytes) or maintype in {"", "text", "message"}:
        return attachment  # Django encodes these its own way (charsets, rfc822)
    # Its headers and encoded payload shared, its own policy attribute for the generator.
    return copy.copy(_attachment_part(filename or "", content, mimetype))


def message_bytes(email: EmailMessage, linesep: str = "\r\n") -> bytes:
    """The message as Django's SMTP backend would send it, made faster."""
    quick = copy.copy(email)  # the caller's message keeps its attachments as they were
    quick.attachments = [_prepared(attachment) for attachment in email.attachments]
    out = BytesIO()
    _Generator(out, mangle_from_=False).flatten(quick.message(), linesep=linesep)
    return out.getvalue()
