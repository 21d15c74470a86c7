"""The one sender and the one sweep.

A send claims its row with a conditional UPDATE (owed, due, and not claimed by anyone whose
lease is still running), builds the email outside any transaction, talks to the mail server
outside any transaction, then records the attempt and the outcome in one short transaction.

A chunk of messages (one hint's worth, at most HINT_CHUNK; or what a caller claimed in the
transaction that made them due, with messages_claim_releasing) is claimed in one UPDATE, built
together (each one's emails made as its turn comes, where its kind defers them), sent over
OUTBOX_SMTP_SESSIONS sessions at once (threads, each with its own SMTP connection and none
touching the database), and recorded in one transaction.

Duplicate bound: every message is sent at least once while it lives. A copy goes twice only
if the worker dies, or its lease runs out, after the mail server accepted the message and
before its chunk's outcomes were recorded; the sweep then sends it again. That is at most one
extra copy of each message in the chunk per such crash (docs/outbox.md gives the chunks'
sizes), and never more copies of a message than OUTBOX_MAX_ATTEMPTS.
"""

import contextlib
import contextvars
import logging
import smtplib
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import wait as futures_wait
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection as database
from django.db import connections, transaction
from django.db.models import F
from django.db.transaction import TransactionManagementError
from django.utils import timezone

from outbox.kinds import Built, Deferred, NotReady, Undeliverable, handler_for, messages_compose
from outbox.models import Attempt, AttemptOutcome, Message, MessageState

logger = logging.getLogger(__name__)

MESSAGE_HEADER = "X-Outbox-Message"
DUE_STATES = (MessageState.QUEUED, MessageState.RETRYING, MessageState.SENDING)
# Errors that mean no mail server answered at all (as opposed to one refusing a message).
UNREACHABLE = (TimeoutError, ConnectionError, smtplib.SMTPConnectError)


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
    """Claims whichever of these messages are due, in one conditional UPDATE in a short
    transaction of its own."""
    with _sender_transaction():
        _claim(message_ids, now)
    return _claimed(message_ids, now)


def messages_claim_releasing(message_ids: list[int], now: datetime) -> list[Message]:
    """Claims whichever of these messages are due, in the caller's transaction: for a caller
    that has just made them due and sends them itself (messages_send_claimed) the moment it
    commits, without a transaction of its own for the claim. The claim is as durable as the
    caller's commit; if the caller dies after it, the lease runs out as for any send."""
    if not transaction.get_connection().in_atomic_block:
        raise TransactionManagementError("Claim inside the transaction that releases them")
    _claim(message_ids, now)
    return _claimed(message_ids, now)


def _claim(message_ids: list[int], now: datetime) -> None:
    lease_ends = now + timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)
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


def _claimed(message_ids: list[int], now: datetime) -> list[Message]:
    return list(
        Message.objects.filter(
            pk__in=message_ids, state=MessageState.SENDING, claimed_at=now
        ).order_by("pk")
    )


def message_claim(message_id: int, now: datetime) -> bool:
    return bool(messages_claim([message_id], now))


@dataclass
class Result:
    """One attempt's outcome, waiting to be recorded with the rest of its chunk."""

    message: Message
    claimed_at: datetime
    outcome: str
    reply: str
    # The server could not be reached at all (refused, timed out): the rest of the session
    # is not tried now, rather than each waiting out the timeout again.
    unreachable: bool = False


# One mail session's messages, each with its emails or what makes them at its turn.
Session = list[tuple[Message, list[EmailMessage] | Deferred]]


def _settle(result: Result, now: datetime) -> tuple[MessageState, dict[str, Any]]:
    message = result.message
    exhausted = message.attempts >= settings.OUTBOX_MAX_ATTEMPTS or (
        message.expires_at is not None and now >= message.expires_at
    )
    if result.outcome == AttemptOutcome.SENT:
        return MessageState.SENT, {"sent_at": now, "next_attempt_at": None}
    if result.outcome == AttemptOutcome.FAILED or exhausted:
        return MessageState.FAILED, {"failed_at": now, "next_attempt_at": None}
    return MessageState.RETRYING, {"next_attempt_at": now + retry_delay(message.attempts)}


def _still_held(results: list[Result]) -> set[int]:
    """The messages this send still holds (not cancelled meanwhile, nor taken by another send
    after its lease ran out), locked until the recording transaction ends."""
    claims = dict(
        Message.objects.select_for_update()
        .filter(pk__in=[result.message.pk for result in results], state=MessageState.SENDING)
        .values_list("pk", "claimed_at")
    )
    return {
        result.message.pk
        for result in results
        if claims.get(result.message.pk) == result.claimed_at
    }


def _record_all(results: list[Result]) -> list[str]:
    """Records a chunk's outcomes in one transaction, each only if its send still holds the
    row. Returns each one's new state, or "lost" (cancelled meanwhile, or its lease ran out
    and another send took it)."""
    now = timezone.now()
    states: list[str] = []
    recorded: list[tuple[Message, MessageState]] = []
    with _sender_transaction():
        held = _still_held(results)
        for result in results:
            message = result.message
            if message.pk not in held:
                states.append("lost")
                continue
            state, fields = _settle(result, now)
            if state != MessageState.SENT:  # the sent ones are one UPDATE below
                Message.objects.filter(pk=message.pk).update(
                    state=state, last_reply=result.reply, **fields
                )
            message.state, message.last_reply = state, result.reply
            recorded.append((message, state))
            states.append(str(state))
        sent = [message for message, state in recorded if state == MessageState.SENT]
        Message.objects.filter(pk__in=[message.pk for message in sent]).update(
            state=MessageState.SENT, last_reply="", sent_at=now, next_attempt_at=None
        )
        Attempt.objects.bulk_create(
            Attempt(
                message=result.message,
                number=result.message.attempts,
                started_at=result.claimed_at,
                finished_at=now,
                outcome=AttemptOutcome.FAILED
                if result.message.state == MessageState.FAILED
                else result.outcome,
                reply=result.reply,
            )
            for result in results
            if result.message.pk in held
        )
        _hooks_run(recorded, now)
    for message, state in recorded:
        if state == MessageState.FAILED:
            # The reply stays on the row: a server's reply can quote the recipient's address.
            logger.warning(
                "Message %s (%s) failed; its last reply is on the row", message.pk, message.kind
            )
    return states


def _hooks_run(recorded: list[tuple[Message, MessageState]], now: datetime) -> None:
    """The apps' own records of each outcome, in the transaction that records it."""
    sent_by_kind: dict[str, list[Message]] = {}
    for message, state in recorded:
        handler = handler_for(message.kind)
        hook = {
            MessageState.SENT: handler.sent,
            MessageState.FAILED: handler.failed,
            MessageState.RETRYING: handler.retrying,
        }[state]
        if hook is not None:
            hook(message, now)
        if state == MessageState.SENT:
            sent_by_kind.setdefault(message.kind, []).append(message)
    for kind, messages in sent_by_kind.items():
        all_sent = handler_for(kind).all_sent
        if all_sent is not None:
            all_sent(messages, now)


def _record_each(results: list[Result]) -> list[str]:
    """The chunk at once; if that fails (one row's hook, say), each on its own, so one bad
    row never stops the others being recorded."""
    try:
        return _record_all(results)
    except Exception:
        if len(results) == 1:
            raise
        logger.exception("Recording a chunk's outcomes failed; recording them one by one")
    states = []
    for result in results:
        try:
            states += _record_all([result])
        except Exception:
            logger.exception("Message %s: unexpected error; the sweep retries", result.message.pk)
            states.append("error")
    return states


def _record(message: Message, claimed_at: datetime, outcome: str, reply: str) -> str:
    return _record_all([Result(message, claimed_at, outcome, reply)])[0]


def _not_ready(message: Message, claimed_at: datetime) -> str:
    """Not an attempt: what it needs is not there yet. Looked at again in a minute, so a
    message can never be left waiting for a release that has already happened."""
    Message.objects.filter(pk=message.pk, state=MessageState.SENDING, claimed_at=claimed_at).update(
        state=MessageState.QUEUED,
        next_attempt_at=timezone.now() + timedelta(seconds=60),
        attempts=F("attempts") - 1,
    )
    return "not ready"


def message_send(message_id: int) -> str:
    """Sends one message if it is due and nobody else holds it. Returns what happened."""
    outcomes = messages_send([message_id])
    return next(iter(outcomes)) if outcomes else "not due"


def _attempt(message: Message, built: list[EmailMessage], connection: BaseEmailBackend) -> Result:
    """One try at one message over its session's connection."""
    claimed_at = message.claimed_at
    assert claimed_at is not None

    def result(outcome: str, reply: str) -> Result:
        return Result(message, claimed_at, outcome, reply)

    for email in built:
        # Names the outbox row, so a copy in anyone's mailbox traces back to its record.
        email.extra_headers[MESSAGE_HEADER] = str(message.pk)
    try:
        connection.send_messages(built)
    except (smtplib.SMTPException, OSError) as error:
        permanent = permanent_reply(error)
        if permanent is not None:
            return result(AttemptOutcome.FAILED, permanent)
        if not isinstance(error, smtplib.SMTPRecipientsRefused):
            connection.close()  # the next message opens a fresh one
        refused = result(AttemptOutcome.RETRY, temporary_reply(error))
        refused.unreachable = isinstance(error, UNREACHABLE)
        return refused
    except Exception as error:  # recorded and retried, within the message's bounded life
        logger.exception("Message %s: unexpected error while sending", message.pk)
        return _unexpected(message, error)
    return result(AttemptOutcome.SENT, "")


def _unbuilt(message: Message, error: Exception) -> Result:
    """The attempt's outcome for a message whose emails could not be made."""
    assert message.claimed_at is not None
    if isinstance(error, Undeliverable):
        return Result(message, message.claimed_at, AttemptOutcome.FAILED, str(error))
    # A bug building one message: recorded, retried, bounded.
    logger.error("Message %s could not be built", message.pk, exc_info=error)
    reply = f"Could not be built: {error!r}"
    return Result(message, message.claimed_at, AttemptOutcome.RETRY, reply)


def _session_send(session: Session, results: list[Result]) -> None:
    """Sends messages one after another over one mail session, making each one's emails
    (if they were deferred) just before its turn. Each outcome is added to ``results`` as it
    is known, so the caller has those already known if this stops with an error."""
    if not session:
        return
    mail = get_connection()
    # Opened here, so the whole session goes over one SMTP connection: a backend that is not
    # open when send_messages is called opens and closes a connection for that one message.
    with contextlib.suppress(smtplib.SMTPException, OSError):
        mail.open()  # if the server is down, each message's own attempt records why
    try:
        for message, emails in session:
            if results and results[-1].unreachable:
                assert message.claimed_at is not None
                reply = f"Not tried, the mail server could not be reached: {results[-1].reply}"
                results.append(
                    Result(message, message.claimed_at, AttemptOutcome.RETRY, reply, True)
                )
                continue
            try:
                made = emails() if callable(emails) else emails
            except Exception as error:
                results.append(_unbuilt(message, error))
                continue
            results.append(_attempt(message, made, mail))
    finally:
        with contextlib.suppress(smtplib.SMTPException, OSError):
            mail.close()


def _sessions_send(chunk: Session) -> list[Result]:
    """The chunk over up to OUTBOX_SMTP_SESSIONS mail sessions at once, the messages dealt
    out in turn. While the server takes one email's data (or, with a remote relay, while the
    network carries a reply), the next email is made and sent on another session: on the two
    CPUs a worker's processes share with a loopback server, two sessions took a version's 20
    emails from about 68 to 63 ms; four are the default since one process sends all 20
    (bench/README.md).

    A session's thread makes emails and talks SMTP only (a kind's compose reads what they
    need beforehand); any database connection one opens anyway is closed with it. Every
    outcome comes back to this thread, which records the chunk as before: a session that
    stops with an error keeps the outcomes it had, and its other messages are retried;
    Celery's soft time limit, raised in this thread, leaves the sessions to finish."""
    count = min(settings.OUTBOX_SMTP_SESSIONS, len(chunk))
    if count <= 1:
        results: list[Result] = []
        _session_send(chunk, results)
        return results
    parts = [chunk[start::count] for start in range(count)]
    found: list[list[Result]] = [[] for _ in parts]

    # The sessions start together: a thread let go as soon as it was made would hold the
    # interpreter while the next was still being made. If they cannot all be started (no
    # thread to be had, or the soft time limit meanwhile), none sends: the claims lapse and
    # the sweep sends them, rather than emails going whose outcomes nobody records.
    start, abandoned = threading.Event(), threading.Event()

    def in_thread(part: Session, results: list[Result]) -> None:
        start.wait()
        if abandoned.is_set():
            return
        try:
            _session_send(part, results)
        finally:
            connections.close_all()  # this thread's own, if building an email opened one

    pool = ThreadPoolExecutor(max_workers=count, thread_name_prefix="smtp-session")
    try:
        # Each thread gets a copy of this one's context (the task id its log lines carry).
        futures = [
            pool.submit(contextvars.copy_context().run, in_thread, part, results)
            for part, results in zip(parts, found, strict=True)
        ]
    except BaseException:
        abandoned.set()
        raise
    finally:
        start.set()
        pool.shutdown(wait=False)  # the threads end once their part is done
    while True:
        try:
            futures_wait(futures)
            break
        except SoftTimeLimitExceeded:
            logger.warning("Soft time limit while a chunk was being sent; recording it after")
    outcomes: list[Result] = []
    for part, results, future in zip(parts, found, futures, strict=True):
        outcomes += results
        error = future.exception()
        if error is not None:
            logger.error("A mail session stopped with an error", exc_info=error)
            known = {result.message.pk for result in results}
            outcomes += [
                _unexpected(message, error) for message, _ in part if message.pk not in known
            ]
    return outcomes


def _unexpected(message: Message, error: BaseException) -> Result:
    """An error nobody expected, as the message's attempt: retried, within its bounded life."""
    assert message.claimed_at is not None
    return Result(message, message.claimed_at, AttemptOutcome.RETRY, f"Unexpected error: {error!r}")


def _built_results(claimed: list[Message], built: dict[int, Built]) -> list[Result]:
    """The messages that could not be built, as the outcome of their attempt."""
    return [
        _unbuilt(message, emails)
        for message in claimed
        if isinstance(emails := built[message.pk], Exception) and not isinstance(emails, NotReady)
    ]


def messages_send(message_ids: list[int]) -> dict[str, int]:
    """Claims the due ones at once and sends them (messages_send_claimed)."""
    claimed = messages_claim(message_ids, timezone.now())
    outcomes = messages_send_claimed(claimed)
    if len(claimed) < len(message_ids):
        outcomes["not due"] = len(message_ids) - len(claimed)
    return outcomes


def messages_send_claimed(claimed: list[Message]) -> dict[str, int]:
    """Builds claimed messages together, sends them over the chunk's mail sessions, then
    records every outcome in one transaction. One message's error never stops the others.
    Returns how many ended each way."""
    outcomes: dict[str, int] = {}

    def count(outcome: str) -> None:
        outcomes[outcome] = outcomes.get(outcome, 0) + 1

    if not claimed:
        return outcomes
    built = messages_compose(claimed)
    for message in claimed:
        if isinstance(built[message.pk], NotReady):
            assert message.claimed_at is not None
            count(_not_ready(message, message.claimed_at))
    results = _built_results(claimed, built)
    results += _sessions_send(
        [(m, emails) for m in claimed if not isinstance(emails := built[m.pk], Exception)]
    )
    for outcome in _record_each(results) if results else []:
        count(outcome)
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
