"""Background work for strategy discussions. Tasks take primary keys, never objects."""

import smtplib

from celery import Task, shared_task
from django.utils import timezone

from strategy.invitations import invitation_message
from strategy.models import Invitee

INVITATION_MAX_RETRIES = 5
INVITATION_MAX_BACKOFF_SECONDS = 15 * 60


@shared_task(bind=True, max_retries=INVITATION_MAX_RETRIES)
def send_invitation(self: Task[[int], None], invitee_id: int) -> None:
    """Sends one invitation at most once, however often the task is delivered."""
    if not _invitation_claim(invitee_id):
        return
    invitee = (
        Invitee.objects.select_related("discussion__team", "discussion__chair", "agency", "contact")
        .filter(pk=invitee_id)
        .first()
    )
    if invitee is None:
        return
    try:
        invitation_message(invitee).send()
    except (smtplib.SMTPException, OSError) as error:
        _invitation_release(invitee_id, error)
        retries = self.request.retries
        raise self.retry(
            exc=error,
            countdown=min(60 * 2**retries, INVITATION_MAX_BACKOFF_SECONDS),
            max_retries=INVITATION_MAX_RETRIES,
        ) from error


def _invitation_claim(invitee_id: int) -> bool:
    """Marks the invitation sent before sending it.

    The conditional update is atomic, so of two workers given the same invitation only one
    sees a row updated. A deleted invitee updates no row.
    """
    claimed = Invitee.objects.filter(
        pk=invitee_id, invitation_sent_at__isnull=True, invitation_queued_at__isnull=False
    ).update(invitation_sent_at=timezone.now(), invitation_error="")
    return claimed == 1


def _invitation_release(invitee_id: int, error: Exception) -> None:
    """Records why sending failed and frees the invitation for the retry to claim."""
    Invitee.objects.filter(pk=invitee_id).update(
        invitation_sent_at=None, invitation_error=f"{type(error).__name__}: {error}"
    )


@shared_task
def retention_anonymise() -> list[str]:
    """Daily: anonymise closed discussions whose retention period has ended."""
    from strategy.services.retention import retention_apply

    return retention_apply(timezone.now())
