"""What happened at the discussion: who took part, what they shared, the analysis."""

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from agencies.models import User
from strategy.models import Action, Attendance, Child, ChildDecision, Discussion, Invitee
from strategy.services.decisions import Problem
from strategy.services.records import (
    EditConflict,
    discussion_claim_revision,
    discussion_outcome_reopen,
)

ANALYSIS_FIELDS = ("worries", "working_well", "danger_statement", "safety_goal")
PLAN_FIELDS = (
    "contingency_plan",
    "shared_with_family",
    "shared_with_family_on",
    "shared_with_family_by",
)


@transaction.atomic
def attendance_record(
    *,
    discussion: Discussion,
    expected_revision: int,
    held_at: datetime,
    rows: dict[int, dict[str, Any]],
    delay_reason: str | None = None,
) -> Discussion:
    """Records each invitee's part in the discussion (attendance, who took part, whether
    they could decide) and marks it held. What each agency shared is information_record's.

    `delay_reason` is why it was held after its timescale; None leaves it as it was."""
    if held_at > timezone.now():
        raise ValidationError({"held_at": "The discussion cannot be held in the future"})
    discussion_claim_revision(
        discussion=discussion, expected_revision=expected_revision, section="attendance"
    )
    discussion_outcome_reopen(discussion=discussion)
    for invitee in discussion.invitees.all():
        if invitee.pk not in rows:
            continue
        row = rows[invitee.pk]
        invitee.attendance = row["attendance"]
        invitee.representative = row.get("representative", "")
        invitee.can_make_decisions = (
            row.get("can_make_decisions") if row["attendance"] == Attendance.ATTENDED else None
        )
        invitee.full_clean()
        # Only these columns: what the agency shared is saved on its own page, maybe at once.
        invitee.save(update_fields=["attendance", "representative", "can_make_decisions"])
    discussion.held_at = held_at
    changed = ["held_at", "updated_at"]
    if delay_reason is not None:
        discussion.delay_reason = delay_reason
        changed.append("delay_reason")
    discussion.save(update_fields=changed)
    # A decision saved before attendance counted its conference date from the booked time.
    from strategy.services.decisions import conference_due_by

    ChildDecision.objects.filter(
        child__discussion=discussion, conference_due_by__isnull=False
    ).update(conference_due_by=conference_due_by(discussion))
    return discussion


@transaction.atomic
def information_record(
    *,
    discussion: Discussion,
    invitee: Invitee,
    expected_revision: int,
    information_shared: str,
    scaling: int | None,
) -> Invitee:
    """What one agency shared, and its scaling. A section of its own for each agency, so the
    minute-taker typing what the police said never collides with the chair correcting who
    attended; it is part of the record the final outcome attests, so that is checked again."""
    if invitee.discussion_id != discussion.pk:
        raise ValueError(f"{invitee} is not invited to {discussion}")
    invitee.information_shared = information_shared
    invitee.scaling = scaling
    invitee.full_clean()
    discussion_claim_revision(
        discussion=discussion,
        expected_revision=expected_revision,
        section=f"information-{invitee.pk}",
    )
    discussion_outcome_reopen(discussion=discussion)
    invitee.save(update_fields=["information_shared", "scaling"])
    return invitee


@transaction.atomic
def discussion_fields_record(
    *, discussion: Discussion, expected_revision: int, **fields: Any
) -> Discussion:
    """Analysis or plan fields, written together."""
    allowed = set(ANALYSIS_FIELDS) | set(PLAN_FIELDS)
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"Not analysis or plan fields: {sorted(unknown)}")
    section = "analysis" if set(fields) <= set(ANALYSIS_FIELDS) else "plan"
    discussion_claim_revision(
        discussion=discussion, expected_revision=expected_revision, section=section
    )
    for name, value in fields.items():
        setattr(discussion, name, value)
    discussion.save(update_fields=[*fields, "updated_at"])
    return discussion


@transaction.atomic
def child_voice_record(
    *, discussion: Discussion, child: Child, expected_revision: int, voice: str, obtained: str
) -> Child:
    discussion_claim_revision(
        discussion=discussion, expected_revision=expected_revision, section=f"voice-{child.pk}"
    )
    child.voice = voice
    child.voice_obtained = obtained
    child.save(update_fields=["voice", "voice_obtained"])
    return child


@transaction.atomic
def action_add(*, discussion: Discussion, expected_revision: int, **fields: Any) -> Action:
    action = Action(discussion=discussion, **fields)
    action.full_clean()
    # Adding is additive: it collides only with another action being added at once.
    discussion_claim_revision(
        discussion=discussion, expected_revision=expected_revision, section="actions-add"
    )
    action.save()
    return action


@transaction.atomic
def action_remove(*, discussion: Discussion, action: Action, expected_revision: int) -> None:
    discussion_claim_revision(discussion=discussion, expected_revision=expected_revision)
    action.delete()


# What apps above strategy add to closing's preconditions (minutes: no dispute left open,
# since a closed discussion's minutes can no longer be amended to resolve it), registered in
# their AppConfig.ready() so strategy never imports them.
CloseCheck = Callable[[Discussion], list[Problem]]
_close_checks: list[CloseCheck] = []


def close_check_register(check: CloseCheck) -> None:
    if check not in _close_checks:
        _close_checks.append(check)


def closing_problems(discussion: Discussion) -> list[Problem]:
    """What stops the discussion being closed, each with the page where it is put right."""
    problems = []
    if discussion.outcome_recorded_at is None:
        problems.append(
            Problem(
                "Record the outcome as final before closing the discussion",
                reverse("strategy:final", args=[discussion.pk]),
            )
        )
    if discussion.record_locked_at is None:
        problems.append(
            Problem(
                "Approve the minutes before closing the discussion",
                reverse("minutes:workspace", args=[discussion.pk]),
            )
        )
    for check in _close_checks:
        problems += check(discussion)
    return problems


@transaction.atomic
def discussion_close(*, discussion: Discussion, expected_revision: int) -> Discussion:
    """Closing is a step in the discussion's life, not an edit of its record: it works
    whether or not the minutes froze the record, once the outcome is final and the minutes
    are approved (an amendment in progress must be approved first)."""
    current = Discussion.objects.get(pk=discussion.pk)
    if current.closed_at is not None:
        raise ValidationError("The discussion is already closed")
    problems = closing_problems(current)
    if problems:
        raise ValidationError(problems)
    now = timezone.now()
    # The preconditions again, in the UPDATE: an amendment started meanwhile unlocks the
    # record without moving its revision, and must not be left open on a closed discussion.
    closed = Discussion.objects.filter(
        pk=discussion.pk,
        revision=expected_revision,
        closed_at__isnull=True,
        record_locked_at__isnull=False,
        outcome_recorded_at__isnull=False,
    ).update(closed_at=now, updated_at=now, revision=F("revision") + 1)
    if closed != 1:
        raise EditConflict(Discussion.objects.get(pk=discussion.pk))
    discussion.refresh_from_db()
    return discussion


@transaction.atomic
def follow_up_schedule(
    *,
    discussion: Discussion,
    scheduled_for: datetime,
    due_by: date,
    created_by: User,
) -> Discussion:
    """A follow-up in the same series, inheriting the children, household and invitees."""
    from strategy.invitations import invitations_queue
    from strategy.services.scheduling import discussion_schedule

    held_on = timezone.localtime(discussion.held_at or discussion.scheduled_for).date()
    errors = {}
    if due_by < held_on:
        errors["due_by"] = "The follow-up must be due on or after the discussion it follows"
    elif due_by < timezone.localtime(scheduled_for).date():
        errors["due_by"] = "The date it must be held by cannot be before the date it is booked for"
    if timezone.localtime(scheduled_for).date() < held_on:
        errors["scheduled_for"] = "The follow-up cannot be before the discussion it follows"
    if errors:
        raise ValidationError(errors)
    follow_up = discussion_schedule(
        created_by=created_by,
        format=discussion.format,
        urgency=discussion.urgency,
        scheduled_for=scheduled_for,
        joining_details=discussion.joining_details,
        reason=f"Follow-up to {discussion.reference}. {discussion.reason}",
        concern_categories=discussion.concern_categories,
        referrer_agency=discussion.referrer_agency,
        referrer_name=discussion.referrer_name,
        housing_is_factor=discussion.housing_is_factor,
        team=discussion.team,
        chair=discussion.chair,
        minute_taker=discussion.minute_taker,
        follows=discussion,
        follow_up_due_by=due_by,
    )
    for child in discussion.children.all():
        child.pk = None
        child.discussion = follow_up
        child.voice = child.voice_obtained = ""
        child.save()
    for adult in discussion.adults.all():
        adult.pk = None
        adult.discussion = follow_up
        adult.save()
    invitees = [
        Invitee.objects.create(
            discussion=follow_up,
            agency=old.agency,
            contact=old.contact,
            why_invited=old.why_invited,
        )
        for old in discussion.invitees.select_related("agency")
        if old.agency.is_active
    ]
    for exception in discussion.invitation_exceptions.all():
        exception.pk = None
        exception.discussion = follow_up
        exception.save()
    invitations_queue(discussion=follow_up, invitees=invitees)
    return follow_up
