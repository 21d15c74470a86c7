"""Background work for strategy discussions. Tasks take primary keys, never objects.

Invitations are outbox messages (strategy.invitations): the outbox's sender sends them."""

from celery import shared_task
from django.utils import timezone


@shared_task
def retention_anonymise() -> list[str]:
    """Daily: anonymise closed discussions whose retention period has ended."""
    from strategy.services.retention import retention_apply

    return retention_apply(timezone.now())


@shared_task
def differences_escalate() -> list[int]:
    """Every quarter hour: open professional differences past their stage's last working
    day go to the next stage, each with an outbox message to its new owner. The rows are
    the truth; this is only when to look."""
    from strategy.services.differences import differences_escalate_due

    return differences_escalate_due(timezone.now())
