"""Disputing the record and asking for a fresh link. Confirming and revoking are steps of the
delivery's life: see minutes.services.lifecycle."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from config.input_limits import column_length, length_message
from minutes.emails import delivery_context, templated_email
from minutes.models import Delivery, Dispute
from outbox.models import Message, MessageKind
from outbox.services import message_owe
from strategy.models import Discussion
from strategy.services.decisions import Problem


def disputes_open_before_closing(discussion: Discussion) -> list[Problem]:
    """Closing's precondition: a dispute is resolved only by an amended version, and a closed
    discussion's minutes can no longer be amended."""
    agencies = sorted(
        {
            str(name)
            for name in Dispute.objects.filter(
                delivery__version__discussion=discussion, resolved_at__isnull=True
            ).values_list("delivery__agency__name", flat=True)
        }
    )
    amend = reverse("minutes:workspace", args=[discussion.pk])
    return [
        Problem(
            f"Resolve the dispute from {agency} by amending the minutes before closing the "
            "discussion",
            amend,
        )
        for agency in agencies
    ]


@transaction.atomic
def dispute_raise(*, delivery: Delivery, name: str, role: str, statement: str) -> Dispute:
    if delivery.version.discussion.closed_at is not None:
        raise ValidationError(
            "The discussion is closed, so its minutes can no longer be amended: tell the chair "
            "directly, or raise a professional difference below"
        )
    errors = {}
    if not name.strip():
        errors["dispute_name"] = "Enter your full name"
    if not role.strip():
        errors["dispute_role"] = "Enter your role"
    if not statement.strip():
        errors["statement"] = "Say why the minutes do not reflect the discussion"
    errors.update(
        answers_too_long(
            Dispute,
            dispute_name=("raised_by_name", name),
            dispute_role=("raised_by_role", role),
        )
    )
    if errors:
        raise ValidationError(errors)
    dispute = Dispute.objects.create(
        delivery=delivery,
        statement=statement.strip(),
        raised_by_name=name.strip(),
        raised_by_role=role.strip(),
    )
    discussion = delivery.version.discussion
    chair_email = discussion.chair.email
    if chair_email:
        context = {**delivery_context(delivery), "dispute": dispute}
        email = templated_email("minutes-dispute", context, [chair_email])
        message_owe(
            kind=MessageKind.DISPUTE_ALERT,
            recipients=[chair_email],
            subject=str(email.subject),
            body=str(email.body),
            discussion_id=discussion.pk,
            version_id=delivery.version_id,
            delivery_id=delivery.pk,
            agency_id=delivery.agency_id,
            about_id=dispute.pk,
        )
    return dispute


def answers_too_long(model: type[Delivery | Dispute], **answers: tuple[str, str]) -> dict[str, str]:
    """Whoever calls (the emailed link's form or a partner's button), nothing longer than
    its column reaches the database."""
    labels = {"name": "Your full name", "role": "Your role"}
    errors = {}
    for key, (column, value) in answers.items():
        limit = column_length(model, column)
        if len(value.strip()) > limit:
            errors[key] = length_message(labels[key.removeprefix("dispute_")], limit)
    return errors


@transaction.atomic
def fresh_link_send(*, delivery: Delivery) -> Message:
    """A new receipt link, only ever to the agency's own secure address, a few an hour."""
    if delivery.is_revoked:
        raise ValidationError("This delivery was withdrawn: it was sent in error")
    # Lock the delivery so two requests at once cannot both pass the count.
    Delivery.objects.select_for_update().filter(pk=delivery.pk).first()
    limit = settings.FRESH_LINKS_PER_HOUR
    recent = Message.objects.filter(
        delivery_id=delivery.pk,
        kind=MessageKind.FRESH_LINK,
        created_at__gte=timezone.now() - timedelta(hours=1),
    ).order_by("created_at")
    if recent.count() >= limit:
        first = recent.first()
        assert first is not None
        again_at = timezone.localtime(first.created_at + timedelta(hours=1))
        raise ValidationError(
            f"A new link has been sent {limit} times in the last hour. Check your agency's "
            f"secure mailbox, or ask again after {again_at:%H:%M}."
        )
    email = templated_email(
        "minutes-fresh-link", delivery_context(delivery), [delivery.agency.secure_email]
    )
    return message_owe(
        kind=MessageKind.FRESH_LINK,
        recipients=[delivery.agency.secure_email],
        subject=str(email.subject),
        body=str(email.body),
        discussion_id=delivery.version.discussion_id,
        version_id=delivery.version_id,
        delivery_id=delivery.pk,
        agency_id=delivery.agency_id,
    )
