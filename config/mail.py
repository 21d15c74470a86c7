"""Email configuration and the developer's .eml folder backend."""

import smtplib
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse

from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register
from django.core.exceptions import ImproperlyConfigured
from django.core.mail.backends import smtp
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import EmailMessage, sanitize_address
from django.utils import timezone
from django.utils.crypto import get_random_string

from config.mime import message_bytes

_TRUE = {"1", "true", "yes", "on"}
SMTP_BACKEND = "config.mail.SMTPBackend"


def email_settings_from_url(url: str, *, production: bool = False) -> dict[str, Any]:
    """Turn EMAIL_URL into Django's EMAIL_* settings.

    smtp://user:password@host:587/?tls=true uses STARTTLS; smtps://... uses implicit TLS.
    In production, plain smtp:// (credentials and minutes in clear) is refused unless the
    operator says so with ?insecure=true, and `check --deploy` then warns (mail_in_clear).
    An empty URL writes each message as an .eml file under EMAIL_FILE_PATH.
    """
    if not url:
        return {"EMAIL_BACKEND": "config.mail.EmlFolderBackend"}
    parsed = urlparse(url)
    if parsed.scheme not in {"smtp", "smtps"}:
        raise ImproperlyConfigured(f"EMAIL_URL must start smtp:// or smtps://, not {url!r}")
    query = {key: values[-1] for key, values in parse_qs(parsed.query).items()}
    use_ssl = parsed.scheme == "smtps" or query.get("ssl", "").lower() in _TRUE
    use_tls = not use_ssl and query.get("tls", "").lower() in _TRUE
    if production and not (use_ssl or use_tls) and query.get("insecure", "").lower() not in _TRUE:
        raise ImproperlyConfigured(
            "EMAIL_URL would send mail without TLS: use smtps://, add ?tls=true, or add "
            "?insecure=true to accept sending credentials and minutes in clear."
        )
    return {
        "EMAIL_BACKEND": SMTP_BACKEND,
        "EMAIL_HOST": parsed.hostname or "localhost",
        "EMAIL_PORT": parsed.port or (465 if use_ssl else 25),
        "EMAIL_HOST_USER": unquote(parsed.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parsed.password or ""),
        "EMAIL_USE_SSL": use_ssl,
        "EMAIL_USE_TLS": use_tls,
        "EMAIL_TIMEOUT": int(query.get("timeout", "30")),
    }


@register(Tags.security, deploy=True)
def mail_in_clear(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    """Mail to a real server goes over TLS, or the deployment check says it does not."""
    over_smtp = settings.EMAIL_BACKEND in {
        SMTP_BACKEND,
        "django.core.mail.backends.smtp.EmailBackend",
    }
    if over_smtp and not (settings.EMAIL_USE_TLS or settings.EMAIL_USE_SSL):
        return [
            Warning(
                "Email is sent without TLS: SMTP credentials, receipt links and minutes "
                "travel in clear.",
                hint="Set EMAIL_URL to smtps://... or add ?tls=true, instead of ?insecure=true.",
                id="config.W001",
            )
        ]
    return []


class EmlFolderBackend(BaseEmailBackend):
    """Writes each message, attachments included, as one .eml file a mail client opens."""

    def send_messages(self, email_messages: Any) -> int:
        folder = Path(settings.EMAIL_FILE_PATH)
        folder.mkdir(parents=True, exist_ok=True)
        sent = 0
        message: EmailMessage
        for message in email_messages:
            stamp = timezone.now().strftime("%Y%m%dT%H%M%S%f")
            path = folder / f"{stamp}-{get_random_string(6)}.eml"
            path.write_bytes(message_bytes(message, linesep="\n"))
            sent += 1
        return sent


def dot_stuffed(data: bytes) -> bytes:
    """A message's data with every line that starts with a dot given a second one (RFC 5321
    4.5.2): the bytes smtplib's regular expression makes, made by one ``bytes.replace``. The
    expression walks the whole message; for a 60 KB minutes email that was about 0.25 ms of
    the 1.4 ms of CPU the worker spends on each email, on CPUs it shares with the server."""
    stuffed = data.replace(b"\n.", b"\n..")
    return b"." + stuffed if stuffed.startswith(b".") else stuffed


class _QuickData(smtplib.SMTP):
    def data(self, msg: Any) -> tuple[int, bytes]:
        """smtplib's DATA (3.11-3.13), but for how the data is dot-stuffed: see dot_stuffed."""
        if not isinstance(msg, bytes):
            return super().data(msg)  # text's line ends to fix first: smtplib's own way
        self.putcmd("data")
        code, reply = self.getreply()
        if code != 354:
            raise smtplib.SMTPDataError(code, reply)
        stuffed = dot_stuffed(msg)
        self.send(stuffed + (b".\r\n" if stuffed.endswith(b"\r\n") else b"\r\n.\r\n"))
        return self.getreply()


class _QuickDataSSL(_QuickData, smtplib.SMTP_SSL):
    pass


class SMTPBackend(smtp.EmailBackend):
    """Django's SMTP backend, with each message's bytes made by config.mime: the same bytes,
    with the minutes PDF encoded once per worker rather than once per agency, and dot-stuffed
    without a regular expression.

    ``_send`` is Django's own (5.2), but for the line that makes the bytes."""

    @property
    def connection_class(self) -> type[smtplib.SMTP]:
        return _QuickDataSSL if self.use_ssl else _QuickData

    def _send(self, email_message: EmailMessage) -> bool:
        if not email_message.recipients():
            return False
        encoding = email_message.encoding or settings.DEFAULT_CHARSET
        from_email = sanitize_address(email_message.from_email, encoding)
        recipients = [sanitize_address(addr, encoding) for addr in email_message.recipients()]
        assert self.connection is not None
        try:
            self.connection.sendmail(from_email, recipients, message_bytes(email_message))
        except smtplib.SMTPException:
            if not self.fail_silently:
                raise
            return False
        return True
