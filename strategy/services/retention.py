"""Retention: closed discussions lose their personal details once the period has passed.

Anonymising rather than deleting keeps the facts the partnership audits (who was invited,
when minutes went, when receipts came back) while the children, adults and what was said
about them are removed. Every anonymisation is itself recorded in the audit trail.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count

from audit.trail import audit_record
from minutes.models import MinutesVersion
from strategy.models import (
    Action,
    Adult,
    AgencyPosition,
    Child,
    ChildDecision,
    Discussion,
    Invitee,
    ProfessionalDifference,
)

REMOVED = "[removed at the end of the retention period]"


@dataclass(frozen=True)
class RetentionLine:
    reference: str
    closed_at: datetime
    children: int
    adults: int
    minutes_versions: int


def due_for_retention(now: datetime) -> "list[Discussion]":
    cutoff = now - timedelta(days=settings.RETENTION_DAYS)
    return list(
        Discussion.objects.filter(closed_at__lt=cutoff, anonymised_at__isnull=True)
        .annotate(
            n_children=Count("children", distinct=True), n_adults=Count("adults", distinct=True)
        )
        .order_by("closed_at")
    )


def retention_report(now: datetime) -> list[RetentionLine]:
    """What an anonymisation run would change, changing nothing (the dry run)."""
    return [
        RetentionLine(
            reference=d.reference,
            closed_at=d.closed_at,  # type: ignore[arg-type]
            children=d.n_children,  # type: ignore[attr-defined]
            adults=d.n_adults,  # type: ignore[attr-defined]
            minutes_versions=MinutesVersion.objects.filter(discussion=d).count(),
        )
        for d in due_for_retention(now)
    ]


@transaction.atomic
def discussion_anonymise(discussion: Discussion, now: datetime) -> None:
    Child.objects.filter(discussion=discussion).update(
        first_name="Child",
        last_name=REMOVED,
        date_of_birth=None,
        expected_delivery_date=None,
        needs=REMOVED,
        communication_needs="",
        voice="",
        voice_obtained="",
    )
    Adult.objects.filter(discussion=discussion).update(
        name=REMOVED, address="", known_information=""
    )
    Invitee.objects.filter(discussion=discussion).update(representative="", information_shared="")
    ChildDecision.objects.filter(child__discussion=discussion).update(
        rationale=REMOVED, no_s47_rationale=""
    )
    AgencyPosition.objects.filter(decision__child__discussion=discussion).exclude(reason="").update(
        reason=REMOVED
    )
    ProfessionalDifference.objects.filter(discussion=discussion).update(issue=REMOVED)
    Action.objects.filter(discussion=discussion).update(what=REMOVED, why="", person="")
    Discussion.objects.filter(pk=discussion.pk).update(
        reason=REMOVED,
        immediate_action_taken="",
        referrer_name="",
        joining_details="",
        worries="",
        working_well="",
        danger_statement="",
        safety_goal="",
        contingency_plan="",
        shared_with_family="",
        shared_with_family_by="",
        anonymised_at=now,
    )
    for version in MinutesVersion.objects.filter(discussion=discussion):
        if version.pdf:
            version.pdf.delete(save=False)  # the stored PDF names the children
        MinutesVersion.objects.filter(pk=version.pk).update(
            snapshot=None, additional_notes="", pdf=""
        )
    audit_record(
        None,
        "retention.anonymised",
        discussion_id=discussion.pk,
        obj=discussion,
        actor_label="retention schedule",
        detail={"retention_days": settings.RETENTION_DAYS},
    )


def retention_apply(now: datetime) -> list[str]:
    references = []
    for discussion in due_for_retention(now):
        discussion_anonymise(discussion, now)
        references.append(discussion.reference)
    return references
