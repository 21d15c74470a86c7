"""Chasing agencies that have not confirmed receipt, then escalating.

Each chase is claimed by moving next_chase_at with a conditional UPDATE (the healthchecks
way), and recorded as a numbered Chase row: two sweeps at once send each reminder once.
"""

import logging
import smtplib
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F

from minutes.emails import delivery_context, templated_email
from minutes.models import Chase, ChaseKind, Delivery

logger = logging.getLogger(__name__)


def _interval() -> timedelta:
    return timedelta(hours=settings.MINUTES_REMINDER_INTERVAL_HOURS)


def chases_send_due(now: datetime, limit: int = 1000) -> int:
    due = (
        Delivery.objects.filter(
            confirmed_at__isnull=True, revoked_at__isnull=True, next_chase_at__lte=now
        )
        .order_by("next_chase_at")
        .values_list("pk", "next_chase_at", "chases_sent")[:limit]
    )
    chased = 0
    for pk, was_due, sent in due:
        assert was_due is not None  # the filter only reads rows with a chase due
        try:
            chased += chase_send(pk, was_due, sent, now)
        except (smtplib.SMTPException, OSError):
            logger.warning("Chase for delivery %s not sent; the next sweep retries", pk)
    return chased


def escalation_recipients(delivery: Delivery) -> list[str]:
    leads = [c.email.lower() for c in delivery.agency.safeguarding_leads()]
    manager = delivery.version.discussion.chair.manager
    if manager and manager.email:
        leads.append(manager.email.lower())
    return list(dict.fromkeys(leads or [delivery.agency.secure_email.lower()]))


def chase_send(delivery_id: int, was_due: datetime, chases_sent: int, now: datetime) -> bool:
    number = chases_sent + 1
    escalating = number > settings.MINUTES_REMINDERS
    next_chase = None if escalating else now + _interval()
    with transaction.atomic():
        claimed = Delivery.objects.filter(
            pk=delivery_id,
            next_chase_at=was_due,
            chases_sent=chases_sent,
            confirmed_at__isnull=True,
            revoked_at__isnull=True,
        ).update(
            next_chase_at=next_chase,
            chases_sent=F("chases_sent") + 1,
            **({"escalated_at": now} if escalating else {}),
        )
        if not claimed:
            return False
        delivery = Delivery.objects.select_related(
            "version__discussion__chair__manager", "agency"
        ).get(pk=delivery_id)
        recipients = escalation_recipients(delivery) if escalating else list(delivery.recipients)
        try:
            with transaction.atomic():
                Chase.objects.create(
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
        message = templated_email(
            "minutes-escalation" if escalating else "minutes-reminder", context, recipients
        )
        # Sent inside the transaction: if the mail server fails, the claim and the Chase row
        # roll back and the next sweep tries again.
        message.send()
    return True
