"""Retention: closed discussions lose their personal details once the period has passed.

Anonymising rather than deleting keeps the facts the partnership audits (who was invited,
when minutes went, when receipts came back) while the children, adults and what was said
about them are removed. A discussion is due when it closed more than RETENTION_DAYS ago,
whether or not its record was locked by approved minutes.

This module picks the discussions and anonymises strategy's own records; audit.retention
runs every app's anonymiser (minutes', and any other registered) and redacts the trail,
in one transaction per discussion.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count

from audit.retention import REMOVED, discussion_forget
from strategy.models import (
    Action,
    Adult,
    AgencyPosition,
    CaseTransfer,
    Child,
    ChildDecision,
    DifferenceStage,
    Discussion,
    FormDraft,
    InvitationException,
    Invitee,
    ProfessionalDifference,
)


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
            n_children=Count("children", distinct=True),
            n_adults=Count("adults", distinct=True),
            n_versions=Count("minutes_versions", distinct=True),
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
            minutes_versions=d.n_versions,  # type: ignore[attr-defined]
        )
        for d in due_for_retention(now)
    ]


def retention_apply(now: datetime) -> list[str]:
    references = []
    for discussion in due_for_retention(now):
        discussion_forget(discussion_id=discussion.pk, now=now)
        references.append(discussion.reference)
    return references


def discussion_records_anonymise(*, discussion_id: int, now: datetime) -> None:
    """Strategy's anonymiser (registered in StrategyConfig.ready). Plain UPDATEs, so a
    record locked by approved minutes is anonymised all the same."""
    Child.objects.filter(discussion_id=discussion_id).update(
        first_name="Child",
        last_name=REMOVED,
        date_of_birth=None,
        expected_delivery_date=None,
        nhs_number="",
        needs=REMOVED,
        communication_needs="",
        voice="",
        voice_obtained="",
    )
    Adult.objects.filter(discussion_id=discussion_id).update(
        name=REMOVED, date_of_birth=None, nhs_number="", address="", known_information=""
    )
    Invitee.objects.filter(discussion_id=discussion_id).update(
        representative="", information_shared="", invitation_error=""
    )
    InvitationException.objects.filter(discussion_id=discussion_id).update(reason=REMOVED)
    FormDraft.objects.filter(discussion_id=discussion_id).delete()
    CaseTransfer.objects.filter(discussion_id=discussion_id).update(
        reason="", accepted_by=REMOVED, acceptance=""
    )
    ChildDecision.objects.filter(child__discussion_id=discussion_id).update(
        rationale=REMOVED, no_s47_rationale=""
    )
    AgencyPosition.objects.filter(decision__child__discussion_id=discussion_id).exclude(
        reason=""
    ).update(reason=REMOVED)
    ProfessionalDifference.objects.filter(discussion_id=discussion_id).update(
        raised_by=REMOVED, raised_with=REMOVED, issue=REMOVED, outcome="", resolved_by=""
    )
    DifferenceStage.objects.filter(difference__discussion_id=discussion_id).update(
        agreement="", recorded_by=""
    )
    Action.objects.filter(discussion_id=discussion_id).update(what=REMOVED, why="", person="")
    Discussion.objects.filter(pk=discussion_id).update(
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
        delay_reason="",
        anonymised_at=now,
    )
