"""A Celery app for one test: the same app as config.celery, but WeasyPrint never finishes.

Started as `celery -A tests.integration.hanging_render worker`, so the test sees what the
service does with a render that hangs past Celery's soft time limit."""

import time

from celery.signals import worker_process_init

from config.celery import app


def _hang(html: str, **kwargs: object) -> bytes:
    time.sleep(3600)
    return b""


@worker_process_init.connect
def _renders_hang(**kwargs: object) -> None:
    # Each pool process, once Django is set up in it.
    from minutes import pdf

    pdf.render_minutes_pdf = _hang  # type: ignore[assignment]


__all__ = ["app"]
