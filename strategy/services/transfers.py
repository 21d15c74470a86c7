"""Case transfer to another local authority: proposed, then accepted in writing.

Accepting makes the receiving authority an invited agency, so every later version of the
minutes goes to it, and tells whoever registered (minutes) so it gets the current minutes."""

from collections.abc import Callable
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from agencies.models import Agency, AgencyKind, User
from strategy.invitations import invitations_queue
from strategy.models import Attendance, CaseTransfer, Discussion, Invitee

TransferAccepted = Callable[[CaseTransfer, Invitee], object]
_accepted_hooks: list[TransferAccepted] = []


def transfer_accepted_register(hook: TransferAccepted) -> None:
    if hook not in _accepted_hooks:
        _accepted_hooks.append(hook)


def receiving_authorities(discussion: Discussion) -> "QuerySet[Agency]":
    """Other local authorities' children's social care, as the directory lists them."""
    return (
        Agency.objects.active()
        .filter(kind=AgencyKind.CHILDRENS_SOCIAL_CARE)
        .exclude(pk=discussion.team.agency_id)
        .order_by("name")
    )


@transaction.atomic
def transfer_propose(
    *,
    discussion: Discussion,
    receiving_authority: Agency,
    proposed_on: date,
    reason: str,
    user: User,
) -> CaseTransfer:
    Discussion.objects.select_for_update().filter(pk=discussion.pk).first()
    pending = CaseTransfer.objects.filter(
        discussion=discussion, acceptance_recorded_at__isnull=True
    ).first()
    if pending is not None:
        raise ValidationError(
            {
                "receiving_authority": (
                    f"A transfer to {pending.receiving_authority} is already waiting for "
                    "acceptance: record its acceptance first"
                )
            }
        )
    if not receiving_authorities(discussion).filter(pk=receiving_authority.pk).exists():
        raise ValidationError(
            {"receiving_authority": "Select another local authority's children's social care"}
        )
    return CaseTransfer.objects.create(
        discussion=discussion,
        receiving_authority=receiving_authority,
        proposed_on=proposed_on,
        reason=reason,
        recorded_by=user,
    )


@transaction.atomic
def transfer_accept(
    *,
    transfer: CaseTransfer,
    accepted_by: str,
    accepted_on: date,
    acceptance: str,
    transfer_on: date,
) -> CaseTransfer:
    """Records the written acceptance. In the same transaction the receiving authority
    becomes an invited agency and the registered hooks run (minutes owes it a copy)."""
    locked = CaseTransfer.objects.select_for_update().get(pk=transfer.pk)
    if not locked.is_pending:
        raise ValidationError(
            {"accepted_by": "The acceptance of this transfer is already recorded"}
        )
    if accepted_on > timezone.localdate():
        raise ValidationError({"accepted_on": "The date accepted must be today or in the past"})
    if transfer_on < accepted_on:
        raise ValidationError(
            {"transfer_on": "The agreed date of transfer must be on or after the date accepted"}
        )
    locked.accepted_by = accepted_by
    locked.accepted_on = accepted_on
    locked.acceptance = acceptance
    locked.transfer_on = transfer_on
    locked.acceptance_recorded_at = timezone.now()
    locked.save()
    discussion = locked.discussion
    held = discussion.held_at is not None
    invitee, created = Invitee.objects.get_or_create(
        discussion=discussion,
        agency=locked.receiving_authority,
        defaults={
            "why_invited": (
                f"Receiving local authority: the case transfers on {transfer_on:%d/%m/%Y}"
            ),
            # Added after the call: it receives the minutes, and took no part in the call.
            "attendance": Attendance.DID_NOT_ATTEND if held else Attendance.INVITED,
        },
    )
    if created and not held and discussion.closed_at is None:
        invitations_queue(discussion=discussion, invitees=[invitee])
    for hook in _accepted_hooks:
        hook(locked, invitee)
    return locked
