"""Drafting, approving and amending the minutes."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from agencies.models import User
from minutes.document import minutes_snapshot
from minutes.models import Dispute, MinutesVersion
from minutes.services.lifecycle import deliveries_owe, invitees_to_owe, render_owe
from strategy.models import Discussion
from strategy.services.records import EditConflict, RecordLocked, discussion_lock


def minutes_draft(*, discussion: Discussion, user: User) -> MinutesVersion:
    """The discussion's current draft, started if there is none and nothing is approved yet."""
    draft = (
        MinutesVersion.objects.filter(discussion=discussion)
        .filter(approved_at__isnull=True)
        .first()
    )
    if draft:
        return draft
    if MinutesVersion.objects.filter(discussion=discussion).exists():
        raise ValidationError("The minutes are approved: changes go through an amendment")
    return MinutesVersion.objects.create(discussion=discussion, number=1, drafted_by=user)


def minutes_notes_save(*, version: MinutesVersion, notes: str) -> MinutesVersion:
    if version.is_approved:
        raise ValidationError("This version is approved and cannot change")
    version.additional_notes = notes
    version.save(update_fields=["additional_notes", "updated_at"])
    return version


def approval_problems(version: MinutesVersion) -> list[str]:
    discussion = version.discussion
    problems = []
    if discussion.outcome_recorded_at is None:
        problems.append("Record the discussion's outcome as final first")
    if not discussion.invitees.exists():
        problems.append("There are no invited agencies to send the minutes to")
    return problems


@transaction.atomic
def minutes_approve(*, version_id: int, approved_by: User) -> MinutesVersion:
    """Freezes the record and this version and, in the same transaction, owes every invited
    agency a copy (see minutes.services.lifecycle).

    The record's lock is taken first, by the same conditional UPDATE every edit makes, and
    the snapshot is read after it: the minutes are the record as it stands locked."""
    version = (
        MinutesVersion.objects.select_for_update().select_related("discussion").get(pk=version_id)
    )
    discussion = version.discussion
    if approved_by.pk != discussion.chair_id:
        raise PermissionDenied("Only the chair approves the minutes")
    if version.is_approved:
        raise ValidationError(f"Version {version.number} is already approved")
    problems = approval_problems(version)
    if problems:
        raise ValidationError(problems)
    now = timezone.now()
    try:
        discussion = discussion_lock(discussion_id=discussion.pk, at=now, read=discussion)
    except (RecordLocked, EditConflict) as refused:
        raise ValidationError(
            "The record is closed or locked, or kept changing: check it and approve again"
        ) from refused
    version.discussion = discussion
    invitees = invitees_to_owe(discussion)
    version.snapshot = minutes_snapshot(discussion, invitees=invitees)
    version.approved_at = now
    version.approved_by = approved_by
    owed = render_owe(version, now)
    version.save(update_fields=["snapshot", "approved_at", "approved_by", "updated_at", *owed])
    deliveries_owe(version=version, invitees=invitees)
    if version.number > 1:
        Dispute.objects.filter(
            delivery__version__discussion=discussion, resolved_at__isnull=True
        ).update(resolved_at=now, resolved_by_version=version)
    return version


@transaction.atomic
def amendment_start(
    *, discussion: Discussion, user: User, reason: str, change_summary: str
) -> MinutesVersion:
    """Opens version n+1: the record can be changed again until the chair approves it."""
    if user.pk != discussion.chair_id:
        raise PermissionDenied("Only the chair amends the minutes")
    errors = {}
    if not reason.strip():
        errors["reason"] = "Give the reason for the amendment"
    if not change_summary.strip():
        errors["change_summary"] = "Summarise what will change"
    if errors:
        raise ValidationError(errors)
    locked = Discussion.objects.select_for_update().get(pk=discussion.pk)
    if locked.closed_at is not None:
        raise ValidationError("The discussion is closed: its minutes can no longer be amended")
    if MinutesVersion.objects.filter(discussion=locked).filter(approved_at__isnull=True).exists():
        raise ValidationError("An amendment is already in progress")
    latest = MinutesVersion.objects.filter(discussion=locked).aggregate(n=Max("number"))["n"]
    if latest is None:
        raise ValidationError("There are no approved minutes to amend")
    version = MinutesVersion.objects.create(
        discussion=locked,
        number=latest + 1,
        drafted_by=user,
        amendment_reason=reason.strip(),
        change_summary=change_summary.strip(),
    )
    Discussion.objects.filter(pk=discussion.pk).update(record_locked_at=None)
    discussion.record_locked_at = None
    return version
