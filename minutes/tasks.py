"""Celery entry points. They take primary keys and read everything else from the database."""

import smtplib

from celery import shared_task
from django.core.mail import get_connection
from django.utils import timezone

from minutes.services import chasing, distribution
from minutes.services.rendering import version_pdf_ensure


@shared_task
def distribute_version(version_id: int) -> None:
    """Renders the PDF once, then sends every delivery of the version over one connection.

    If the mail server cannot be reached at all, each delivery goes its own way through
    send_delivery, which records the error and retries with backoff."""
    version = version_pdf_ensure(version_id=version_id)
    queued = list(version.deliveries.filter(status="queued").values_list("pk", flat=True))
    try:
        with get_connection() as connection:
            for delivery_id in queued:
                distribution.delivery_send(delivery_id, connection=connection)
    except (smtplib.SMTPException, OSError):
        for delivery_id in queued:
            send_delivery.delay(delivery_id)


@shared_task
def send_delivery(delivery_id: int) -> str:
    return distribution.delivery_send(delivery_id)


@shared_task
def sweep() -> dict[str, int]:
    """Beat runs this every minute: re-sends what is owed and chases the silent."""
    now = timezone.now()
    due = distribution.deliveries_due(now)
    for delivery_id in due:
        send_delivery.delay(delivery_id)
    chased = chasing.chases_send_due(now)
    return {"deliveries": len(due), "chases": chased}
