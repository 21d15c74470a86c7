"""Actions after the discussion: marked done by the chair, the minute-taker or a user of the
agency that owns the action.

This is operational tracking, so it works on a locked record and claims no revision: the
minutes keep the action as agreed. The conditional UPDATE means two people marking the same
action at once record one completion, the first."""

from django.utils import timezone

from agencies.models import User
from strategy.models import Action


def action_mark_done(*, action: Action, by: User) -> bool:
    """True if this call marked it done; False if someone had already."""
    now = timezone.now()
    marked = Action.objects.filter(pk=action.pk, completed_at__isnull=True).update(
        completed_at=now, completed_by=by
    )
    action.refresh_from_db()
    return marked == 1
