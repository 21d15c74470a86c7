"""The decisions feed for the case-management system (LCS, Mosaic and the like): one row per
child decision in discussions held in a period, dated by when the discussion was held."""

from collections.abc import Iterable, Iterator
from datetime import date, datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from minutes.dashboards.exports import LIST_CHUNK_ROWS
from minutes.dashboards.filters import Filters
from minutes.dashboards.selectors import discussion_scope
from strategy.models import ChildDecision

DECISION_COLUMNS = (
    "Discussion reference",
    "Date held",
    "Team",
    "Child first name",
    "Child last name",
    "Date of birth",
    "Expected date of delivery",
    "NHS number",
    "Section 47 threshold met",
    "Outcomes",
    "Initial child protection conference due by",
    "Further discussion on",
    "Minutes sent",
)


def decisions_held(filters: Filters) -> QuerySet[ChildDecision]:
    """Decisions for children in discussions held in the period, earliest held first."""
    return (
        ChildDecision.objects.filter(
            discussion_scope(filters, "child__discussion__", dated_by="held_at"),
            child__discussion__held_at__isnull=False,
        )
        .select_related("child__discussion__team")
        .order_by("child__discussion__held_at", "child__discussion__reference", "child__pk")
    )


def _local_day(value: datetime | None) -> date | None:
    return timezone.localdate(value) if value else None


def decision_row(decision: ChildDecision) -> tuple[Any, ...]:
    child = decision.child
    discussion = child.discussion
    return (
        discussion.reference,
        _local_day(discussion.held_at),
        discussion.team.name,
        child.first_name,
        child.last_name,
        child.date_of_birth,
        child.expected_delivery_date,
        child.nhs_number,
        decision.threshold_met,
        "; ".join(decision.outcome_labels()),
        decision.conference_due_by,
        decision.further_discussion_on,
        # The day minutes reached every invited agency: blank while any is still owed.
        _local_day(discussion.minutes_distributed_at),
    )


def decision_rows(decisions: Iterable[ChildDecision]) -> Iterator[tuple[Any, ...]]:
    for decision in decisions:
        yield decision_row(decision)


def decision_feed(filters: Filters) -> Iterator[tuple[Any, ...]]:
    """The rows, read in chunks so a long period never sits whole in memory."""
    return decision_rows(decisions_held(filters).iterator(chunk_size=LIST_CHUNK_ROWS))
