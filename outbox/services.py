"""Owing, cancelling, releasing and retrying messages. Call these inside the transaction that
makes the fact owing the message, so the row exists exactly when the fact does."""

import logging
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from outbox.kinds import handler_for
from outbox.models import OWED_STATES, Message, MessageState

logger = logging.getLogger(__name__)


def expiry(now: datetime) -> datetime:
    return now + timedelta(hours=settings.OUTBOX_MAX_AGE_HOURS)


def hint(publish: Callable[[], Any]) -> None:
    """Publishes a hint to the broker after commit. A broker that is down loses only the hint:
    the sweep finds the message in the database."""

    def send_hint() -> None:
        try:
            publish()
        except Exception:  # any broker error: the row is the obligation, not the hint
            logger.warning("Broker hint not published; the sweep will pick it up", exc_info=True)

    transaction.on_commit(send_hint)


def hint_send(message_ids: list[int]) -> None:
    """One hint for each chunk of these messages, so no one worker process holds up many."""
    from outbox.tasks import HINT_CHUNK

    for start in range(0, len(message_ids), HINT_CHUNK):
        hint(partial(_publish_send, message_ids[start : start + HINT_CHUNK]))


def _publish_send(message_ids: list[int]) -> None:
    from outbox.tasks import send_messages

    send_messages.delay(message_ids)


def message_owe(
    *,
    kind: str,
    recipients: list[str],
    subject: str = "",
    body: str = "",
    reply_to: list[str] | None = None,
    attachments: list[dict[str, str]] | None = None,
    discussion_id: int | None = None,
    version_id: int | None = None,
    delivery_id: int | None = None,
    agency_id: int | None = None,
    about_id: int | None = None,
    held: bool = False,
) -> Message:
    """Owes one message. A held message waits for message_release (its PDF, say)."""
    now = timezone.now()
    message = Message.objects.create(
        kind=kind,
        recipients=recipients,
        subject=subject[:300],
        body=body,
        reply_to=reply_to or [],
        attachments=attachments or [],
        discussion_id=discussion_id,
        version_id=version_id,
        delivery_id=delivery_id,
        agency_id=agency_id,
        about_id=about_id,
        next_attempt_at=None if held else now,
        expires_at=None if held else expiry(now),
        created_at=now,
    )
    if not held:
        hint_send([message.pk])
    return message


def messages_owe_held(*, kind: str, owed: list[dict[str, Any]]) -> list[Message]:
    """Owes many messages of one kind in one INSERT, all held (see message_owe); each dict
    gives recipients and what the message is about."""
    now = timezone.now()
    return Message.objects.bulk_create(
        Message(kind=kind, next_attempt_at=None, expires_at=None, created_at=now, **fields)
        for fields in owed
    )


def messages_release(messages: QuerySet[Message], now: datetime | None = None) -> list[int]:
    """Held messages become due now; returns their ids for the caller to hint (or to claim,
    with the same ``now``)."""
    now = now or timezone.now()
    held = messages.filter(state=MessageState.QUEUED, next_attempt_at__isnull=True)
    ids = list(held.values_list("pk", flat=True))
    Message.objects.filter(
        pk__in=ids, state=MessageState.QUEUED, next_attempt_at__isnull=True
    ).update(next_attempt_at=now, expires_at=expiry(now))
    return ids


def messages_cancel(messages: QuerySet[Message], *, reason: str, failed_too: bool = False) -> int:
    """Cancels what is still owed (and, with failed_too, what failed and so is owed to nobody
    now either). A send already in the mail server's hands may finish."""
    states = [*OWED_STATES, MessageState.FAILED] if failed_too else list(OWED_STATES)
    return messages.filter(state__in=states).update(
        state=MessageState.CANCELLED,
        cancelled_at=timezone.now(),
        cancelled_reason=reason[:200],
        next_attempt_at=None,
    )


def messages_retry(message_ids: Iterable[int]) -> list[int]:
    """Failed messages are owed again, with a fresh count of attempts and a fresh life."""
    now = timezone.now()
    ids = list(
        Message.objects.filter(pk__in=list(message_ids), state=MessageState.FAILED).values_list(
            "pk", flat=True
        )
    )
    with transaction.atomic():
        Message.objects.filter(pk__in=ids, state=MessageState.FAILED).update(
            state=MessageState.QUEUED,
            attempts=0,
            next_attempt_at=now,
            expires_at=expiry(now),
            failed_at=None,
        )
        for message in Message.objects.filter(pk__in=ids):
            requeued = handler_for(message.kind).requeued
            if requeued is not None:
                requeued(message, now)
        hint_send(ids)
    return ids
