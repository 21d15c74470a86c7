"""Structured logs a security operations centre can read: one JSON object a line, each with
the event name, the request id and the signed-in user's id, and no personal data.

django-structlog binds request_id and user_id (the user's primary key, never a name) for
every request and Celery task, and logs request_started and request_finished. The audit
trail logs each of its entries under the same event name as the trail ("access.refused",
"signin.succeeded" ...), with identifiers only. What could carry personal data is kept out:
query strings (a search for a child's name), signed tokens in paths (receipt links), the
client's address unless LOG_CLIENT_ADDRESS is set, and the audit trail's free text.
"""

import logging
import re
from typing import Any

import structlog
from django.http import HttpRequest

# A path segment that could be a signed token or free text rather than a number or a word.
SECRET_SEGMENT = re.compile(r"^(?=.*[:=_-])[\w:=.-]{16,}$|^[\w:=.-]{33,}$")


def logging_config(*, as_json: bool, level: str) -> dict[str, Any]:
    """The LOGGING setting: everything, Django's and Celery's included, through structlog's
    formatter, as JSON or (on a developer's machine) as readable lines."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "structured": {"()": "config.logs.structured_formatter", "as_json": as_json}
        },
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "structured"}},
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "weasyprint": {"level": "WARNING"},
            "weasyprint.progress": {"level": "WARNING"},
            "fontTools": {"level": "WARNING"},
            # "Not Found: /path" repeats request_finished, with the raw path.
            "django.request": {"level": "ERROR"},
        },
    }


def structured_formatter(*, as_json: bool) -> logging.Formatter:
    renderer = (
        structlog.processors.JSONRenderer()
        if as_json
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    return structlog.stdlib.ProcessorFormatter(
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
        foreign_pre_chain=_shared_processors(),
    )


def _shared_processors() -> list[Any]:
    return [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_logger_name,
        structlog.stdlib.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.stdlib.ExtraAdder(),
        structlog.processors.format_exc_info,
    ]


def structlog_configure() -> None:
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            structlog.contextvars.merge_contextvars,
            structlog.stdlib.add_logger_name,
            structlog.stdlib.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.StackInfoRenderer(),
            structlog.processors.format_exc_info,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )


def safe_path(path: str) -> str:
    """The path without its query string, and with any segment that could be a signed token
    replaced by '…'."""
    segments = path.split("?", 1)[0].split("/")
    return "/".join("…" if SECRET_SEGMENT.match(part) else part for part in segments)


def _route(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    return f"/{match.route}" if match is not None and match.route else safe_path(request.path)


def request_started_redact(request: HttpRequest, log_kwargs: dict[str, Any], **_: Any) -> None:
    log_kwargs["request"] = f"{request.method} {safe_path(request.path)}"


def request_finished_redact(request: HttpRequest, log_kwargs: dict[str, Any], **_: Any) -> None:
    """By then the URL is resolved: log its pattern and name, never the identifiers in it."""
    log_kwargs["request"] = f"{request.method} {_route(request)}"
    match = getattr(request, "resolver_match", None)
    if match is not None and match.view_name:
        log_kwargs["view"] = match.view_name


def connect() -> None:
    from django_structlog import signals

    signals.bind_extra_request_metadata.connect(request_started_redact, weak=False)
    signals.bind_extra_request_finished_metadata.connect(request_finished_redact, weak=False)
    signals.bind_extra_request_failed_metadata.connect(request_finished_redact, weak=False)
