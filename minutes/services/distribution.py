"""Sending each delivery: claimed with a conditional UPDATE, so one worker sends it.

Guarantee: every delivery is sent at least once. A copy goes twice only if a worker dies
after the mail server accepted the message and before the database recorded it (the lease
then expires and the sweep queues it again): at most one extra copy per such crash. A
delivery with addresses outside the secure domains is two messages (plain PDF to the secure
addresses, AES-256 copy to the rest); if the second is refused for now, the retry sends both,
so the secure addresses may get the same copy twice.

No plain PDF goes outside the secure domains: an agency with such an address and no PDF
password gets nothing, and its delivery fails with the reason until an administrator sets one.
"""

import logging
import smtplib
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db.models import Exists, F, OuterRef
from django.utils import timezone

from agencies.models import Agency
from minutes.emails import minutes_messages
from minutes.encryption import NO_PASSWORD, PDFPasswordMissing
from minutes.models import Delivery, DeliveryStatus, MinutesVersion
from minutes.services.rendering import version_pdf_bytes, version_pdf_ensure
from strategy.models import Discussion

logger = logging.getLogger(__name__)

ACTIVE = (DeliveryStatus.QUEUED, DeliveryStatus.SENDING)


def retry_delay(attempts: int) -> timedelta:
    """Capped exponential backoff: 1, 2, 4 ... minutes, never more than the cap."""
    seconds = min(60 * 2 ** max(attempts - 1, 0), settings.MINUTES_RETRY_CAP_SECONDS)
    return timedelta(seconds=seconds)


def permanent_failure(error: Exception) -> str | None:
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


def _text(reply: bytes | str) -> str:
    return reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)


def delivery_claim(delivery_id: int, now: datetime) -> bool:
    lease_ends = now + timedelta(seconds=settings.MINUTES_SEND_LEASE_SECONDS)
    return (
        Delivery.objects.filter(
            pk=delivery_id,
            status=DeliveryStatus.QUEUED,
            next_attempt_at__lte=now,
            revoked_at__isnull=True,
        ).update(
            status=DeliveryStatus.SENDING,
            claimed_at=now,
            next_attempt_at=lease_ends,
            attempts=F("attempts") + 1,
        )
        == 1
    )


def delivery_send(delivery_id: int, connection: BaseEmailBackend | None = None) -> str:
    """Sends one delivery if it is due and nobody else holds it. Returns what happened.

    A caller sending a whole version passes one open SMTP connection for all of them."""
    now = timezone.now()
    if not delivery_claim(delivery_id, now):
        return "not due"
    delivery = Delivery.objects.select_related("version__discussion", "agency").get(pk=delivery_id)
    mine = Delivery.objects.filter(pk=delivery_id, status=DeliveryStatus.SENDING, claimed_at=now)
    version = version_pdf_ensure(version_id=delivery.version_id)
    try:
        messages = minutes_messages(delivery, version_pdf_bytes(version))
    except PDFPasswordMissing as missing:
        # Nothing goes, not even to the secure addresses: a delivery is one agency's copy with
        # one status, and half-sending it would hide who has not got the minutes.
        mine.update(status=DeliveryStatus.FAILED, last_error=str(missing), next_attempt_at=None)
        logger.warning("Delivery %s held back: %s", delivery_id, missing)
        return "failed"
    try:
        if connection is None:
            with get_connection() as own:
                own.send_messages(messages)
        else:
            connection.send_messages(messages)
    except (smtplib.SMTPException, OSError) as error:
        reply = permanent_failure(error)
        if reply is not None:
            mine.update(status=DeliveryStatus.FAILED, last_error=reply, next_attempt_at=None)
            logger.warning("Delivery %s refused: %s", delivery_id, reply)
            return "failed"
        mine.update(
            status=DeliveryStatus.QUEUED,
            last_error=f"{type(error).__name__}: {error}",
            next_attempt_at=timezone.now() + retry_delay(delivery.attempts),
        )
        logger.info("Delivery %s will be retried: %s", delivery_id, error)
        return "retry"
    sent_at = timezone.now()
    mine.update(
        status=DeliveryStatus.SENT,
        sent_at=sent_at,
        next_attempt_at=None,
        last_error="",
        next_chase_at=sent_at + timedelta(hours=settings.MINUTES_FIRST_REMINDER_HOURS),
    )
    version_mark_distributed(delivery.version, sent_at)
    return "sent"


def deliveries_requeue_awaiting_password(*, agency: Agency) -> int:
    """Queues again the agency's deliveries that failed for want of a PDF password.

    Only each discussion's latest version: an older one was replaced and goes to nobody now."""
    replaced = MinutesVersion.objects.filter(
        discussion=OuterRef("version__discussion"),
        number__gt=OuterRef("version__number"),
        approved_at__isnull=False,
    )
    return (
        Delivery.objects.filter(
            agency=agency,
            status=DeliveryStatus.FAILED,
            sent_at__isnull=True,
            revoked_at__isnull=True,
            last_error__startswith=NO_PASSWORD,
        )
        .exclude(Exists(replaced))
        .update(status=DeliveryStatus.QUEUED, next_attempt_at=timezone.now(), last_error="")
    )


def version_mark_distributed(version: MinutesVersion, at: datetime) -> None:
    """Records when a version first reached every agency it is owed to."""
    owed = version.deliveries.filter(revoked_at__isnull=True).exclude(status=DeliveryStatus.SENT)
    if owed.exists():
        return
    MinutesVersion.objects.filter(pk=version.pk, distributed_at__isnull=True).update(
        distributed_at=at
    )
    Discussion.objects.filter(pk=version.discussion_id, minutes_distributed_at__isnull=True).update(
        minutes_distributed_at=at
    )


def deliveries_due(now: datetime, limit: int = 1000) -> list[int]:
    """Queued deliveries whose time has come, and sends whose lease ran out (worker died).

    Both read the partial index delivery_due_idx, so the sweep reads only what is due."""
    due = Delivery.objects.filter(status__in=ACTIVE, next_attempt_at__lte=now)
    rows = list(due.order_by("next_attempt_at").values_list("pk", "status")[:limit])
    lapsed = [pk for pk, status in rows if status == DeliveryStatus.SENDING]
    if lapsed:
        Delivery.objects.filter(
            pk__in=lapsed, status=DeliveryStatus.SENDING, next_attempt_at__lte=now
        ).update(status=DeliveryStatus.QUEUED, last_error="The send did not finish; trying again")
    return [pk for pk, _ in rows]
