"""Background work for strategy discussions. Tasks take primary keys, never objects.

Invitations are outbox messages (strategy.invitations): the outbox's sender sends them."""

from celery import shared_task
from django.utils import timezone


@shared_task
def retention_anonymise() -> list[str]:
    """Daily: anonymise closed discussions whose retention period has ended."""
    from strategy.services.retention import retention_apply

    return retention_apply(timezone.now())
