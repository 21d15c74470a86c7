"""Reads of the outbox for health and metrics: both use the partial index outbox_owed_idx,
so they cost the same however many messages were ever sent."""

from datetime import datetime

from django.db.models import Count
from django.utils import timezone

from outbox.models import OWED_STATES, Message


def oldest_owed_age(now: datetime | None = None) -> float | None:
    """Seconds the oldest message still owed has waited, or None when nothing is owed."""
    oldest = (
        Message.objects.filter(state__in=OWED_STATES)
        .order_by("created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    if oldest is None:
        return None
    return max(0.0, ((now or timezone.now()) - oldest).total_seconds())


def owed_by_kind_and_state() -> dict[tuple[str, str], int]:
    rows = (
        Message.objects.filter(state__in=OWED_STATES)
        .order_by()
        .values_list("kind", "state")
        .annotate(count=Count("pk"))
    )
    return {(kind, state): count for kind, state, count in rows}
