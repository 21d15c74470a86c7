"""The one sender and the one sweep.

A send claims its row with a conditional UPDATE (owed, due, and not claimed by anyone whose
lease is still running), builds the email outside any transaction, talks to the mail server
outside any transaction, then records the attempt and the outcome in one short transaction.

Duplicate bound: every message is sent at least once while it lives. A copy goes twice only
if the worker dies, or its lease runs out, after the mail server accepted the message and
before the outcome was recorded; the sweep then sends it again. That is at most one extra
copy per such crash, and never more copies than OUTBOX_MAX_ATTEMPTS.
"""

import contextlib
import logging
import smtplib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection as database
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from outbox.kinds import NotReady, Undeliverable, handler_for, message_compose
from outbox.models import Attempt, AttemptOutcome, Message, MessageState

logger = logging.getLogger(__name__)

MESSAGE_HEADER = "X-Outbox-Message"
DUE_STATES = (MessageState.QUEUED, MessageState.RETRYING, MessageState.SENDING)


def retry_delay(attempts: int) -> timedelta:
    """Capped exponential backoff: 1, 2, 4 ... minutes, never more than the cap."""
    seconds = min(60 * 2 ** max(attempts - 1, 0), settings.OUTBOX_RETRY_CAP_SECONDS)
    return timedelta(seconds=seconds)


def permanent_reply(error: Exception) -> str | None:
    """The server's reply when it refused for good (5xx), else None (try again later)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        replies = list(error.recipients.values())
        if replies and all(500 <= code < 600 for code, _ in replies):
            return "; ".join(
                f"{address}: {code} {_text(reply)}"
                for address, (code, reply) in error.recipients.items()
            )
        return None
    if isinstance(error, smtplib.SMTPResponseException) and 500 <= error.smtp_code < 600:
        return f"{error.smtp_code} {_text(error.smtp_error)}"
    return None


def temporary_reply(error: Exception) -> str:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return "; ".join(
            f"{address}: {code} {_text(reply)}"
            for address, (code, reply) in error.recipients.items()
        )
    if isinstance(error, smtplib.SMTPResponseException):
        return f"{error.smtp_code} {_text(error.smtp_error)}"
    return f"{type(error).__name__}: {error}"


def _text(reply: bytes | str) -> str:
    return reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)


@contextmanager
def _sender_transaction() -> Iterator[None]:
    """The sender's own bookkeeping (claims and outcomes). On PostgreSQL its commits do not
    wait for the disk: a database crash in the fraction of a second before they reach it can
    only make a message be sent once more, which the duplicate bound above already allows.
    Facts that owe messages are committed by their own transactions, durably as usual."""
    with transaction.atomic():
        if database.vendor == "postgresql":
            with database.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        yield


def messages_claim(message_ids: list[int], now: datetime) -> list[Message]:
    """Claims whichever of these messages are due, in one conditional UPDATE."""
    lease_ends = now + timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)
    with _sender_transaction():
        Message.objects.filter(
            pk__in=message_ids,
            state__in=(MessageState.QUEUED, MessageState.RETRYING),
            next_attempt_at__lte=now,
        ).update(
            state=MessageState.SENDING,
            claimed_at=now,
            next_attempt_at=lease_ends,
            attempts=F("attempts") + 1,
        )
    return list(
        Message.objects.filter(
            pk__in=message_ids, state=MessageState.SENDING, claimed_at=now
        ).order_by("pk")
    )


def message_claim(message_id: int, now: datetime) -> bool:
    return bool(messages_claim([message_id], now))


def _record(message: Message, claimed_at: datetime, outcome: str, reply: str) -> str:
    """Records one attempt's outcome, if this send still holds the row. Returns the new state."""
    now = timezone.now()
    exhausted = message.attempts >= settings.OUTBOX_MAX_ATTEMPTS or (
        message.expires_at is not None and now >= message.expires_at
    )
    if outcome == AttemptOutcome.SENT:
        state, fields = MessageState.SENT, {"sent_at": now, "next_attempt_at": None}
    elif outcome == AttemptOutcome.FAILED or exhausted:
        state, fields = MessageState.FAILED, {"failed_at": now, "next_attempt_at": None}
    else:
        state = MessageState.RETRYING
        fields = {"next_attempt_at": now + retry_delay(message.attempts)}
    with _sender_transaction():
        mine = Message.objects.filter(
            pk=message.pk, state=MessageState.SENDING, claimed_at=claimed_at
        ).update(state=state, last_reply=reply, **fields)
        if not mine:
            return "lost"  # cancelled meanwhile, or the lease ran out and another send took it
        Attempt.objects.create(
            message=message,
            number=message.attempts,
            started_at=claimed_at,
            finished_at=now,
            outcome=outcome if state != MessageState.FAILED else AttemptOutcome.FAILED,
            reply=reply,
        )
        message.state, message.last_reply = state, reply
        hook = {
            MessageState.SENT: handler_for(message.kind).sent,
            MessageState.FAILED: handler_for(message.kind).failed,
            MessageState.RETRYING: handler_for(message.kind).retrying,
        }[state]
        if hook is not None:
            hook(message, now)
    if state == MessageState.FAILED:
        # The reply stays on the row: a mail server's reply can quote the recipient's address.
        logger.warning(
            "Message %s (%s) failed; its last reply is on the row", message.pk, message.kind
        )
    return str(state)


def _not_ready(message: Message, claimed_at: datetime) -> str:
    """Not an attempt: what it needs is not there yet. Looked at again in a minute, so a
    message can never be left waiting for a release that has already happened."""
    Message.objects.filter(pk=message.pk, state=MessageState.SENDING, claimed_at=claimed_at).update(
        state=MessageState.QUEUED,
        next_attempt_at=timezone.now() + timedelta(seconds=60),
        attempts=F("attempts") - 1,
    )
    return "not ready"


def message_send(message_id: int, connection: BaseEmailBackend | None = None) -> str:
    """Sends one message if it is due and nobody else holds it. Returns what happened."""
    claimed = messages_claim([message_id], timezone.now())
    if not claimed:
        return "not due"
    return _send_claimed(claimed[0], connection)


def _send_claimed(message: Message, connection: BaseEmailBackend | None) -> str:
    claimed_at = message.claimed_at
    assert claimed_at is not None
    try:
        emails = message_compose(message)
    except NotReady:
        return _not_ready(message, claimed_at)
    except Undeliverable as reason:
        return _record(message, claimed_at, AttemptOutcome.FAILED, str(reason))
    except Exception as error:  # a bug building one message: recorded, retried, bounded
        logger.exception("Message %s could not be built", message.pk)
        return _record(message, claimed_at, AttemptOutcome.RETRY, f"Could not be built: {error!r}")
    for email in emails:
        # Names the outbox row, so a copy in anyone's mailbox traces back to its record.
        email.extra_headers[MESSAGE_HEADER] = str(message.pk)
    try:
        if connection is None:
            with get_connection() as own:
                own.send_messages(emails)
        else:
            connection.send_messages(emails)
    except (smtplib.SMTPException, OSError) as error:
        permanent = permanent_reply(error)
        if permanent is not None:
            return _record(message, claimed_at, AttemptOutcome.FAILED, permanent)
        if connection is not None and not isinstance(error, smtplib.SMTPRecipientsRefused):
            connection.close()  # the next message opens a fresh one
        return _record(message, claimed_at, AttemptOutcome.RETRY, temporary_reply(error))
    return _record(message, claimed_at, AttemptOutcome.SENT, "")


def messages_send(message_ids: list[int]) -> dict[str, int]:
    """Claims the due ones at once, then sends them over one connection; one message's error
    never stops the others."""
    outcomes: dict[str, int] = {}
    claimed = messages_claim(message_ids, timezone.now())
    if len(claimed) < len(message_ids):
        outcomes["not due"] = len(message_ids) - len(claimed)
    if not claimed:
        return outcomes
    mail = get_connection()
    # Opened here, so the whole chunk goes over one SMTP session: a backend that is not open
    # when send_messages is called opens and closes a session for that one message.
    with contextlib.suppress(smtplib.SMTPException, OSError):
        mail.open()  # if the server is down, each message's own attempt records why
    try:
        for message in claimed:
            try:
                outcome = _send_claimed(message, mail)
            except Exception:
                logger.exception("Message %s: unexpected error; the sweep retries", message.pk)
                outcome = "error"
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
    finally:
        with contextlib.suppress(smtplib.SMTPException, OSError):
            mail.close()
    return outcomes


def messages_due(now: datetime, limit: int | None = None) -> list[int]:
    """Owed messages whose time has come, and sends whose lease ran out (worker died).

    Both read the partial index outbox_due_idx, so the sweep reads only what is due."""
    limit = limit or settings.OUTBOX_SWEEP_LIMIT
    due = Message.objects.filter(state__in=DUE_STATES, next_attempt_at__lte=now)
    rows = list(due.order_by("next_attempt_at").values_list("pk", "state")[:limit])
    for pk, state in rows:
        if state == MessageState.SENDING:
            _lapsed(pk, now)
    return [pk for pk, _ in rows]


def _lapsed(message_id: int, now: datetime) -> None:
    message = Message.objects.filter(
        pk=message_id, state=MessageState.SENDING, next_attempt_at__lte=now
    ).first()
    if message is None or message.claimed_at is None:
        return
    _record(message, message.claimed_at, AttemptOutcome.LOST, "The send did not finish")
    # A lapsed send is due again at once rather than after the backoff.
    Message.objects.filter(pk=message_id, state=MessageState.RETRYING).update(next_attempt_at=now)
