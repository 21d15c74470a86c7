"""Celery entry points for the outbox. They take primary keys; the database says what is owed."""

from celery import shared_task
from django.utils import timezone

from outbox import sending

# Each hint carries a few messages, so one busy worker does not hold up many sends.
HINT_CHUNK = 10


@shared_task
def send_messages(message_ids: list[int]) -> dict[str, int]:
    return sending.messages_send(message_ids)


@shared_task
def sweep() -> int:
    """Beat runs this every minute: sends whatever is due, whatever happened to its hint."""
    due = sending.messages_due(timezone.now())
    for start in range(0, len(due), HINT_CHUNK):
        send_messages.delay(due[start : start + HINT_CHUNK])
    return len(due)
