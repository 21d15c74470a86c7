"""The life of the minutes after approval, in the order it happens:

owe     approval owes every invited agency one delivery, each with one minutes message in the
        outbox, held until the PDF is made; all in the approval's transaction.
render  the PDF is made once per version, as a step of its own: claimed by a conditional
        UPDATE, bounded by Celery's soft and hard time limits and by MINUTES_RENDER_TRIES.
        When the tries run out the version shows "The PDF could not be made" with the error
        and a way to try again; its messages stay owed (held) and visible.
send    the outbox sends each message (outbox.sending); the hooks here mirror each outcome
        onto the delivery in the same transaction.
retry   temporary refusals back off; permanent 5xx replies, or a message's bounded life
        running out, fail it with the reply.
cancel  approving version n+1 cancels version n's owed messages and its future chases; a
        delivery revoked as sent in error cancels its own at once.
confirm a receipt ends the chasing.
chase   each silent agency is reminded MINUTES_REMINDERS times, then escalated; each chase is
        an outbox message written by the chase step and sent by the one sender.
"""

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.db import IntegrityError, transaction
from django.db.models import Case, F, Q, QuerySet, Value, When
from django.utils import timezone

from agencies.models import User
from agencies.secure_email import is_secure_email
from minutes import pdf
from minutes.emails import (
    delivery_context,
    minutes_messages,
    minutes_password_check,
    templated_email,
)
from minutes.encryption import PDFPasswordMissing
from minutes.models import Chase, ChaseKind, Delivery, DeliveryStatus, MinutesVersion, PDFStatus
from minutes.services.receipts import answers_too_long
from outbox.kinds import Built, Deferred, Handler, NotReady, Undeliverable, handler_register
from outbox.models import Message, MessageKind
from outbox.sending import messages_claim_releasing, messages_send_claimed
from outbox.services import (
    hint,
    hint_send,
    message_owe,
    messages_cancel,
    messages_owe_held,
    messages_release,
)
from strategy.models import Discussion, Invitee

logger = logging.getLogger(__name__)

CHASE_KINDS = (MessageKind.REMINDER, MessageKind.ESCALATION)


# --- owe -------------------------------------------------------------------------------


def recipients_for(invitee: Invitee) -> list[str]:
    """The agency's secure address for minutes, and the named attendee's own address."""
    addresses = [invitee.agency.secure_email.lower()]
    if invitee.contact and invitee.contact.email.lower() not in addresses:
        addresses.append(invitee.contact.email.lower())
    return addresses


@dataclass
class Recipient:
    """One address the minutes will go to, and how: secure email, or an encrypted PDF."""

    address: str
    encrypted: bool


def distribution_preview(discussion: Discussion) -> list[tuple[Invitee, list[Recipient]]]:
    """Exactly who approval sends the minutes to, as deliveries_owe will owe them."""
    return [
        (
            invitee,
            [
                Recipient(address, encrypted=not is_secure_email(address))
                for address in recipients_for(invitee)
            ],
        )
        for invitee in invitees_to_owe(discussion)
    ]


def invitees_to_owe(discussion: Discussion) -> list[Invitee]:
    """The invitees approval owes a copy, read as deliveries_owe and the snapshot use them."""
    return list(discussion.invitees.select_related("agency", "contact"))


def render_owe(version: MinutesVersion, now: datetime) -> list[str]:
    """Call inside the approval's transaction: the version's PDF is owed from now. Sets the
    fields on the instance and returns their names, for the caller's one save of the version;
    the render hint goes when the transaction commits."""
    version.pdf_status = PDFStatus.PENDING
    version.pdf_next_attempt_at = now
    version.pdf_attempts = 0
    hint_render(version.pk)
    return ["pdf_status", "pdf_next_attempt_at", "pdf_attempts"]


def deliveries_owe(*, version: MinutesVersion, invitees: list[Invitee]) -> list[Delivery]:
    """Call inside the approval's transaction, with render_owe: one delivery and one held
    message per invited agency (invitees as invitees_to_owe reads them)."""
    discussion = version.discussion
    deliveries = Delivery.objects.bulk_create(
        Delivery(
            version=version,
            invitee=invitee,
            agency=invitee.agency,
            recipients=recipients_for(invitee),
        )
        for invitee in invitees
    )
    if any(delivery.pk is None for delivery in deliveries):  # a database without RETURNING
        deliveries = list(version.deliveries.all())
    messages_owe_held(
        kind=MessageKind.MINUTES,
        owed=[
            {
                "recipients": list(delivery.recipients),
                "discussion_id": discussion.pk,
                "version_id": version.pk,
                "delivery_id": delivery.pk,
                "agency_id": delivery.agency_id,
            }
            for delivery in deliveries
        ],
    )
    if version.number > 1:
        versions_replace(discussion=discussion, by=version)
    return deliveries


def versions_replace(*, discussion: Discussion, by: MinutesVersion) -> None:
    """Version n+1 approved: nothing more goes out or is chased about the versions before it.

    Receipts already given stay on record. An earlier version's PDF is still made if it was
    not yet, for the record: its messages are cancelled, so it goes to nobody."""
    earlier = MinutesVersion.objects.filter(discussion=discussion, number__lt=by.number)
    earlier_ids = list(earlier.values_list("pk", flat=True))
    reason = f"Replaced by version {by.number}"
    messages_cancel(
        Message.objects.filter(version_id__in=earlier_ids), reason=reason, failed_too=True
    )
    Delivery.objects.filter(version__in=earlier_ids).update(next_chase_at=None)
    Delivery.objects.filter(
        version__in=earlier_ids, status__in=[DeliveryStatus.QUEUED, DeliveryStatus.FAILED]
    ).update(status=DeliveryStatus.CANCELLED, last_error=reason)


# --- render ----------------------------------------------------------------------------

# How many of a version's messages the process that made its PDF sends itself, over its
# OUTBOX_SMTP_SESSIONS mail sessions, rather than handing them to other worker processes:
# a hand-off costs a hint, and a claim and a build in another process. On the benchmark's
# two CPUs, all 20 sent from the rendering process over 4 sessions went as fast as half of
# them handed off (bench/README.md), with one process and one transaction fewer. Twenty
# covers the invitees of most discussions.
RENDERER_SENDS = 20


def hint_render(version_id: int) -> None:
    from minutes.tasks import render_version

    hint(lambda: render_version.delay(version_id))


def version_render(version_id: int) -> str:
    """Makes the version's PDF if it is due and nobody else is making it.

    No transaction is held while WeasyPrint runs: the claim and the result are each one
    short UPDATE."""
    claimed_at = timezone.now()
    lease_ends = claimed_at + timedelta(seconds=settings.MINUTES_RENDER_HARD_SECONDS + 30)
    claimed = MinutesVersion.objects.filter(
        pk=version_id, pdf_status=PDFStatus.PENDING, pdf_next_attempt_at__lte=claimed_at
    ).update(
        pdf_status=PDFStatus.RENDERING,
        pdf_claimed_at=claimed_at,
        pdf_next_attempt_at=lease_ends,
        pdf_attempts=F("pdf_attempts") + 1,
    )
    if not claimed:
        return "not due"
    version = MinutesVersion.objects.select_related("discussion", "approved_by").get(pk=version_id)
    mine = MinutesVersion.objects.filter(
        pk=version_id, pdf_status=PDFStatus.RENDERING, pdf_claimed_at=claimed_at
    )
    try:
        data = pdf.render_minutes_pdf(pdf.minutes_html(version))
    except Exception as error:  # soft time limit included: every failure is recorded
        return _render_failed(version, mine, f"{type(error).__name__}: {error}")
    stored = version.pdf.storage.save(
        version.pdf.field.generate_filename(version, f"minutes-v{version.number}.pdf"),
        ContentFile(data),
    )
    with transaction.atomic():
        done = mine.update(
            pdf=stored,
            pdf_sha256=hashlib.sha256(data).hexdigest(),
            pdf_rendered_at=timezone.now(),
            pdf_status=PDFStatus.RENDERED,
            pdf_next_attempt_at=None,
            pdf_error="",
        )
        if not done:
            transaction.on_commit(lambda: version.pdf.storage.delete(stored))
            return "lost"
        now = timezone.now()
        released = messages_release(
            Message.objects.filter(version_id=version_id, kind=MessageKind.MINUTES), now
        )
        # This process sends the first RENDERER_SENDS itself, claimed in this transaction so
        # they go the moment it commits; any more go to other worker processes, a chunk to
        # each hint. Its sends run under this task's time limits, so after a slow render it
        # hands them all off instead.
        share = RENDERER_SENDS if now - claimed_at < _renderer_sends_until() else 0
        own = messages_claim_releasing(released[:share], now)
        own_ids = {message.pk for message in own}
        hint_send([pk for pk in released if pk not in own_ids])
    try:
        messages_send_claimed(own)
    except Exception:  # the PDF is made; the claims lapse and the sweep sends them
        logger.exception("Sending %s after its render stopped with an error", version)
    return "rendered"


def _renderer_sends_until() -> timedelta:
    """How long a render may have taken for its process still to send: half the soft time
    limit, leaving the other half for the sends."""
    return timedelta(seconds=settings.MINUTES_RENDER_SOFT_SECONDS / 2)


def _render_failed(version: MinutesVersion, mine: QuerySet[MinutesVersion], error: str) -> str:
    logger.warning("The PDF of %s could not be made: %s", version, error)
    if version.pdf_attempts >= settings.MINUTES_RENDER_TRIES:
        mine.update(pdf_status=PDFStatus.FAILED, pdf_error=error, pdf_next_attempt_at=None)
        return "failed"
    delay = timedelta(seconds=settings.MINUTES_RENDER_RETRY_SECONDS * version.pdf_attempts)
    mine.update(
        pdf_status=PDFStatus.PENDING, pdf_error=error, pdf_next_attempt_at=timezone.now() + delay
    )
    return "retry"


def versions_render_due(now: datetime, limit: int = 100) -> list[int]:
    """Versions whose PDF is due, and renders whose lease ran out (the worker died or was
    killed at the hard time limit). Reads the partial index version_render_due_idx."""
    due = MinutesVersion.objects.filter(
        pdf_status__in=[PDFStatus.PENDING, PDFStatus.RENDERING], pdf_next_attempt_at__lte=now
    )
    rows = list(due.order_by("pdf_next_attempt_at").values_list("pk", "pdf_status")[:limit])
    for pk, status in rows:
        if status == PDFStatus.RENDERING:
            lapsed = MinutesVersion.objects.filter(
                pk=pk, pdf_status=PDFStatus.RENDERING, pdf_next_attempt_at__lte=now
            )
            error = "Making the PDF did not finish in time"
            lapsed.filter(pdf_attempts__gte=settings.MINUTES_RENDER_TRIES).update(
                pdf_status=PDFStatus.FAILED, pdf_error=error, pdf_next_attempt_at=None
            )
            lapsed.update(pdf_status=PDFStatus.PENDING, pdf_error=error, pdf_next_attempt_at=now)
    return [pk for pk, _ in rows]


def version_render_retry(*, version: MinutesVersion, user: User) -> MinutesVersion:
    """The chair's or a manager's "Try again" after the tries ran out."""
    if not version.pdf_failed:
        raise ValidationError("The PDF of this version is not waiting for another try")
    with transaction.atomic():
        MinutesVersion.objects.filter(pk=version.pk, pdf_status=PDFStatus.FAILED).update(
            pdf_status=PDFStatus.PENDING, pdf_attempts=0, pdf_next_attempt_at=timezone.now()
        )
        hint_render(version.pk)
    logger.info("PDF of %s: another try asked for by user %s", version, user.pk)
    version.refresh_from_db()
    return version


def version_pdf_bytes(version: MinutesVersion) -> bytes:
    """The stored PDF, checked against the hash recorded when it was rendered."""
    if not version.pdf or not version.pdf_sha256:
        raise NotReady(f"{version} has no PDF yet")
    storage = version.pdf.storage
    name = str(version.pdf.name)
    return _stored_pdf(name, version.pdf_sha256, storage.get_modified_time(name), storage)


@lru_cache(maxsize=4)
def _stored_pdf(name: str, sha256: str, modified: datetime, storage: Storage) -> bytes:
    """Read once per worker process for all of a version's deliveries, unless the file
    changed since; a file that does not match its recorded hash is never cached."""
    with storage.open(name, "rb") as handle:
        data = bytes(handle.read())
    if hashlib.sha256(data).hexdigest() != sha256:
        raise ValueError(f"The stored PDF {name} does not match its recorded hash")
    return data


# --- send, retry, fail: what the outbox's outcomes mean for a delivery ------------------


def _id(value: int | None) -> int:
    assert value is not None, "a minutes message always names its delivery"
    return value


def minutes_compose(messages: list[Message]) -> dict[int, Built]:
    """A chunk's minutes emails: its deliveries in one query, each version (and its snapshot,
    which the email's summary is read from) once, and each version's stored PDF read here,
    once, rather than by the mail sessions' threads. What would stop a delivery is checked
    now; its emails are made as its turn to be sent comes."""
    deliveries = Delivery.objects.select_related("agency").in_bulk(
        [_id(message.delivery_id) for message in messages]
    )
    versions = MinutesVersion.objects.select_related("discussion__team").in_bulk(
        {delivery.version_id for delivery in deliveries.values()}
    )
    pdfs: dict[int, bytes | Exception] = {}
    built: dict[int, Built] = {}
    for message in messages:
        try:
            delivery = deliveries[_id(message.delivery_id)]
            delivery.version = versions[delivery.version_id]
            built[message.pk] = _minutes_emails(delivery, pdfs)
        except Exception as error:
            built[message.pk] = error
    return built


def _minutes_emails(delivery: Delivery, pdfs: dict[int, bytes | Exception]) -> Deferred:
    if delivery.is_revoked:
        raise Undeliverable("Withdrawn: sent in error")
    version = delivery.version
    if version.pdf_status != PDFStatus.RENDERED or not version.pdf or not version.pdf_sha256:
        raise NotReady(f"{version} has no PDF yet")
    try:
        minutes_password_check(delivery)
    except PDFPasswordMissing as missing:
        # Nothing goes, not even to the secure addresses: a delivery is one agency's copy with
        # one status, and half-sending it would hide who has not got the minutes.
        raise Undeliverable(str(missing)) from missing
    if version.pk not in pdfs:
        try:
            pdfs[version.pk] = version_pdf_bytes(version)
        except Exception as error:  # each of its deliveries fails to build with it
            pdfs[version.pk] = error
    pdf = pdfs[version.pk]
    if isinstance(pdf, Exception):
        raise pdf
    return lambda: minutes_messages(delivery, pdf)


def deliveries_sent(messages: list[Message], at: datetime) -> None:
    """A chunk's minutes messages recorded sent: their deliveries in one UPDATE (one per
    distinct number of attempts), then each version, if every agency now has it."""
    first_reminder = at + timedelta(hours=settings.MINUTES_FIRST_REMINDER_HOURS)
    by_attempts: dict[int, list[int]] = {}
    for message in messages:
        by_attempts.setdefault(message.attempts, []).append(_id(message.delivery_id))
    for attempts, delivery_ids in by_attempts.items():
        Delivery.objects.filter(pk__in=delivery_ids).update(
            status=DeliveryStatus.SENT,
            sent_at=at,
            attempts=attempts,
            last_error="",
            # Chasing starts from the first copy sent, never again from a later one.
            next_chase_at=Case(
                When(sent_at__isnull=True, then=Value(first_reminder)),
                default=F("next_chase_at"),
            ),
        )
    for version_id, discussion_id in {(m.version_id, m.discussion_id) for m in messages}:
        version_mark_distributed(
            version_id=_id(version_id), discussion_id=_id(discussion_id), at=at
        )


def delivery_failed(message: Message, at: datetime) -> None:
    Delivery.objects.filter(pk=_id(message.delivery_id)).exclude(status=DeliveryStatus.SENT).update(
        status=DeliveryStatus.FAILED, attempts=message.attempts, last_error=message.last_reply
    )


def delivery_retrying(message: Message, at: datetime) -> None:
    Delivery.objects.filter(pk=_id(message.delivery_id)).exclude(status=DeliveryStatus.SENT).update(
        status=DeliveryStatus.QUEUED, attempts=message.attempts, last_error=message.last_reply
    )


def delivery_requeued(message: Message, at: datetime) -> None:
    Delivery.objects.filter(pk=_id(message.delivery_id), status=DeliveryStatus.FAILED).update(
        status=DeliveryStatus.QUEUED, last_error=""
    )


def version_mark_distributed(*, version_id: int, discussion_id: int, at: datetime) -> None:
    """Records when a version first reached every agency it is owed to."""
    owed = Delivery.objects.filter(version_id=version_id, revoked_at__isnull=True).exclude(
        status=DeliveryStatus.SENT
    )
    if owed.exists():
        return
    MinutesVersion.objects.filter(pk=version_id, distributed_at__isnull=True).update(
        distributed_at=at
    )
    Discussion.objects.filter(pk=discussion_id, minutes_distributed_at__isnull=True).update(
        minutes_distributed_at=at
    )


def messages_of_versions_described(messages: list[Message]) -> dict[int, str]:
    """ "Minutes, version 2", "Reminder, version 2": which version a message is about."""
    numbers = dict(
        MinutesVersion.objects.filter(
            pk__in={m.version_id for m in messages if m.version_id is not None}
        ).values_list("pk", "number")
    )
    return {
        m.pk: f"{m.get_kind_display()}, version {numbers[m.version_id]}"
        for m in messages
        if m.version_id in numbers
    }


handler_register(
    MessageKind.MINUTES,
    Handler(
        compose=minutes_compose,
        failed=delivery_failed,
        retrying=delivery_retrying,
        requeued=delivery_requeued,
        all_sent=deliveries_sent,
        describe=messages_of_versions_described,
    ),
)
for _kind in CHASE_KINDS:
    handler_register(_kind, Handler(describe=messages_of_versions_described))


# --- cancel and confirm ------------------------------------------------------------------


@transaction.atomic
def delivery_revoke(*, delivery: Delivery, reason: str) -> Delivery:
    """Sent to the wrong address: the link stops working, nothing more goes, and the record
    keeps why."""
    if not reason.strip():
        raise ValidationError({"reason": "Give the reason the minutes were sent in error"})
    Delivery.objects.filter(pk=delivery.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_reason=reason.strip(), next_chase_at=None
    )
    messages_cancel(
        Message.objects.filter(delivery_id=delivery.pk), reason="Withdrawn: sent in error"
    )
    delivery.refresh_from_db()
    return delivery


def receipt_confirm(
    *, delivery: Delivery, name: str, role: str, user: User | None = None
) -> tuple[Delivery, bool]:
    """Confirms once. Returns the delivery as it now stands and whether this call confirmed."""
    errors = {}
    if not name.strip():
        errors["name"] = "Enter your full name"
    if not role.strip():
        errors["role"] = "Enter your role"
    errors.update(
        answers_too_long(
            Delivery, name=("confirmed_by_name", name), role=("confirmed_by_role", role)
        )
    )
    if errors:
        raise ValidationError(errors)
    if delivery.is_revoked:
        raise ValidationError("This delivery was withdrawn: it was sent in error")
    with transaction.atomic():
        confirmed = Delivery.objects.filter(pk=delivery.pk, confirmed_at__isnull=True).update(
            confirmed_at=timezone.now(),
            confirmed_by_name=name.strip(),
            confirmed_by_role=role.strip(),
            confirmed_by_user=user,
            next_chase_at=None,
        )
        messages_cancel(
            Message.objects.filter(delivery_id=delivery.pk, kind__in=CHASE_KINDS),
            reason="Receipt confirmed",
        )
    delivery.refresh_from_db()
    return delivery, confirmed == 1


# --- chase and escalate --------------------------------------------------------------------


def chases_owe_due(now: datetime, limit: int = 1000) -> int:
    """Writes a reminder or escalation message for every delivery whose chase is due.

    Each chase is its own transaction: one bad row is logged and never stops the others."""
    due = (
        Delivery.objects.filter(
            confirmed_at__isnull=True, revoked_at__isnull=True, next_chase_at__lte=now
        )
        .order_by("next_chase_at")
        .values_list("pk", "next_chase_at", "chases_sent")[:limit]
    )
    owed = 0
    for pk, was_due, sent in due:
        assert was_due is not None  # the filter only reads rows with a chase due
        try:
            owed += chase_owe(pk, was_due, sent, now)
        except Exception:
            logger.exception("Chase for delivery %s not written; the next sweep tries again", pk)
    return owed


def escalation_recipients(delivery: Delivery) -> list[str]:
    leads = [c.email.lower() for c in delivery.agency.safeguarding_leads()]
    manager = delivery.version.discussion.chair.manager
    if manager and manager.email:
        leads.append(manager.email.lower())
    return list(dict.fromkeys(leads or [delivery.agency.secure_email.lower()]))


@transaction.atomic
def chase_owe(delivery_id: int, was_due: datetime, chases_sent: int, now: datetime) -> bool:
    """Claims one chase by moving next_chase_at (the healthchecks way), records it as a
    numbered Chase, and owes its message, all in one transaction."""
    number = chases_sent + 1
    escalating = number > settings.MINUTES_REMINDERS
    next_chase = (
        None if escalating else now + timedelta(hours=settings.MINUTES_REMINDER_INTERVAL_HOURS)
    )
    claimed = Delivery.objects.filter(
        Q(pk=delivery_id, next_chase_at=was_due, chases_sent=chases_sent),
        confirmed_at__isnull=True,
        revoked_at__isnull=True,
    ).update(
        next_chase_at=next_chase,
        chases_sent=F("chases_sent") + 1,
        **({"escalated_at": now} if escalating else {}),
    )
    if not claimed:
        return False
    delivery = Delivery.objects.select_related("version__discussion__chair__manager", "agency").get(
        pk=delivery_id
    )
    recipients = escalation_recipients(delivery) if escalating else list(delivery.recipients)
    try:
        with transaction.atomic():
            chase = Chase.objects.create(
                delivery=delivery,
                number=number,
                kind=ChaseKind.ESCALATION if escalating else ChaseKind.REMINDER,
                recipients=recipients,
            )
    except IntegrityError:
        return False
    context = {
        **delivery_context(delivery),
        "number": number,
        "reminders": settings.MINUTES_REMINDERS,
    }
    email = templated_email(
        "minutes-escalation" if escalating else "minutes-reminder", context, recipients
    )
    message_owe(
        kind=MessageKind.ESCALATION if escalating else MessageKind.REMINDER,
        recipients=recipients,
        subject=str(email.subject),
        body=str(email.body),
        discussion_id=delivery.version.discussion_id,
        version_id=delivery.version_id,
        delivery_id=delivery.pk,
        agency_id=delivery.agency_id,
        about_id=chase.pk,
    )
    return True
