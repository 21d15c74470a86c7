"""Confirming receipt, disputing the record, fresh links and links sent in error."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from agencies.models import User
from config.input_limits import column_length, length_message
from minutes.emails import delivery_context, templated_email
from minutes.models import Delivery, Dispute


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
        _too_long(Delivery, name=("confirmed_by_name", name), role=("confirmed_by_role", role))
    )
    if errors:
        raise ValidationError(errors)
    if delivery.is_revoked:
        raise ValidationError("This delivery was withdrawn: it was sent in error")
    confirmed = Delivery.objects.filter(pk=delivery.pk, confirmed_at__isnull=True).update(
        confirmed_at=timezone.now(),
        confirmed_by_name=name.strip(),
        confirmed_by_role=role.strip(),
        confirmed_by_user=user,
        next_chase_at=None,
    )
    delivery.refresh_from_db()
    return delivery, confirmed == 1


@transaction.atomic
def dispute_raise(*, delivery: Delivery, name: str, role: str, statement: str) -> Dispute:
    errors = {}
    if not name.strip():
        errors["dispute_name"] = "Enter your full name"
    if not role.strip():
        errors["dispute_role"] = "Enter your role"
    if not statement.strip():
        errors["statement"] = "Say why the minutes do not reflect the discussion"
    errors.update(
        _too_long(
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
        message = templated_email("minutes-dispute", context, [chair_email])
        transaction.on_commit(message.send)
    return dispute


def _too_long(model: type[Delivery | Dispute], **answers: tuple[str, str]) -> dict[str, str]:
    """Whoever calls (the emailed link's form or a partner's button), nothing longer than
    its column reaches the database."""
    labels = {"name": "Your full name", "role": "Your role"}
    errors = {}
    for key, (column, value) in answers.items():
        limit = column_length(model, column)
        if len(value.strip()) > limit:
            errors[key] = length_message(labels[key.removeprefix("dispute_")], limit)
    return errors


def fresh_link_send(*, delivery: Delivery) -> None:
    """A new receipt link, only ever to the agency's own secure address."""
    if delivery.is_revoked:
        raise ValidationError("This delivery was withdrawn: it was sent in error")
    message = templated_email(
        "minutes-fresh-link", delivery_context(delivery), [delivery.agency.secure_email]
    )
    message.send()


def delivery_revoke(*, delivery: Delivery, reason: str) -> Delivery:
    """Sent to the wrong address: the link stops working and the record keeps why."""
    if not reason.strip():
        raise ValidationError({"reason": "Give the reason the minutes were sent in error"})
    Delivery.objects.filter(pk=delivery.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_reason=reason.strip(), next_chase_at=None
    )
    delivery.refresh_from_db()
    return delivery
