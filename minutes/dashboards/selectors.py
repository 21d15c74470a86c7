"""What is overdue or outstanding: one queryset per dashboard list.

Each reads a small, indexed slice of its table (what is still owed), so a page costs the
same however many discussions the partnership has held. The date filters use the
discussion's date (scheduled_for, indexed).
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from minutes.dashboards.filters import Filters
from minutes.models import Delivery, DeliveryStatus, Dispute, MinutesVersion, PDFStatus
from outbox.models import Message, MessageState
from strategy.models import (
    Action,
    CaseTransfer,
    ChildDecision,
    Discussion,
    Invitee,
    ProfessionalDifference,
)
from strategy.working_days import add_working_days

AT_RISK_HOURS = 6  # minutes owed within this many hours of the deadline are at risk
CONFERENCE_WARNING_WORKING_DAYS = 5


@dataclass(frozen=True)
class Moment:
    """The one 'now' a page is computed at, so its counts and lists agree."""

    now: datetime
    today: date

    @classmethod
    def current(cls) -> "Moment":
        now = timezone.now()
        return cls(now=now, today=timezone.localdate(now))


def _deadline() -> timedelta:
    return timedelta(hours=settings.MINUTES_DEADLINE_HOURS)


def discussion_scope(filters: Filters, path: str = "", dated_by: str = "scheduled_for") -> Q:
    """Team, chair and dates, on the discussion reached by `path` (ending in __).

    Lists date a discussion by when it was booked; the audit by when it was held
    (`dated_by="held_at"`), so a discussion booked in March and held in April counts in April.
    """
    scope = Q()
    if filters.team_id:
        scope &= Q(**{f"{path}team_id": filters.team_id})
    if filters.chair_id:
        scope &= Q(**{f"{path}chair_id": filters.chair_id})
    if filters.starts_at:
        scope &= Q(**{f"{path}{dated_by}__gte": filters.starts_at})
    if filters.ends_before:
        scope &= Q(**{f"{path}{dated_by}__lt": filters.ends_before})
    return scope


def invited_agency(filters: Filters, discussion: str) -> Q:
    """Discussions the chosen agency was invited to; `discussion` names the discussion's pk."""
    if not filters.agency_id:
        return Q()
    invited = Invitee.objects.filter(discussion=OuterRef(discussion), agency_id=filters.agency_id)
    return Q(Exists(invited))


def _discussions(queryset: QuerySet[Discussion], filters: Filters) -> QuerySet[Discussion]:
    return queryset.filter(discussion_scope(filters), invited_agency(filters, "pk")).select_related(
        "team", "chair"
    )


def discussions_late(filters: Filters, moment: Moment) -> QuerySet[Discussion]:
    """Held after their timescale, or still not held (nor closed) and already past it."""
    late = Q(held_at__isnull=False, held_at__date__gt=F("timescale_due_on")) | Q(
        held_at__isnull=True, closed_at__isnull=True, timescale_due_on__lt=moment.today
    )
    return _discussions(
        Discussion.objects.filter(late, timescale_due_on__isnull=False), filters
    ).order_by("timescale_due_on", "pk")


def minutes_overdue(filters: Filters, moment: Moment) -> QuerySet[Discussion]:
    """Held more than 24 hours ago and minutes not yet sent to every invited agency."""
    return _discussions(Discussion.objects.minutes_overdue(moment.now), filters).order_by(
        "held_at", "pk"
    )


def minutes_at_risk(filters: Filters, moment: Moment) -> QuerySet[Discussion]:
    """Held 18 to 24 hours ago, minutes not yet sent: the deadline is hours away."""
    deadline = _deadline()
    owed = Discussion.objects.filter(
        held_at__gte=moment.now - deadline,
        held_at__lte=moment.now - deadline + timedelta(hours=AT_RISK_HOURS),
        minutes_distributed_at__isnull=True,
    )
    return _discussions(owed, filters).order_by("held_at", "pk")


def _deliveries(queryset: QuerySet[Delivery], filters: Filters) -> QuerySet[Delivery]:
    scoped = queryset.filter(discussion_scope(filters, "version__discussion__"))
    if filters.agency_id:
        scoped = scoped.filter(agency_id=filters.agency_id)
    return scoped.select_related("agency", "version__discussion")


def receipts_outstanding(
    filters: Filters,
    moment: Moment,
    *,
    sent_at_least: timedelta | None = None,
    sent_less_than: timedelta | None = None,
) -> QuerySet[Delivery]:
    """Minutes sent and not yet confirmed, optionally by how long ago they were sent."""
    waiting = Delivery.objects.filter(
        status=DeliveryStatus.SENT, confirmed_at__isnull=True, revoked_at__isnull=True
    )
    if sent_at_least is not None:
        waiting = waiting.filter(sent_at__lte=moment.now - sent_at_least)
    if sent_less_than is not None:
        waiting = waiting.filter(sent_at__gt=moment.now - sent_less_than)
    return _deliveries(waiting, filters).order_by("sent_at", "pk")


def messages_failed(filters: Filters, moment: Moment) -> QuerySet[Message]:
    """Messages of every kind that could not be sent, with the last reply (outbox_failed_idx)."""
    failed = Message.objects.filter(state=MessageState.FAILED)
    if filters.team_id or filters.chair_id or filters.starts_at or filters.ends_before:
        scoped = Discussion.objects.filter(discussion_scope(filters)).values("pk")
        failed = failed.filter(discussion_id__in=Subquery(scoped))
    if filters.agency_id:
        failed = failed.filter(agency_id=filters.agency_id)
    reference = Discussion.objects.filter(pk=OuterRef("discussion_id")).values("reference")[:1]
    return failed.annotate(reference=Subquery(reference)).order_by("failed_at", "pk")


def pdfs_failed(filters: Filters, moment: Moment) -> QuerySet[MinutesVersion]:
    """Approved minutes whose PDF could not be made: their deliveries wait on it."""
    failed = MinutesVersion.objects.filter(
        discussion_scope(filters, "discussion__"), pdf_status=PDFStatus.FAILED
    )
    if filters.agency_id:
        failed = failed.filter(deliveries__agency_id=filters.agency_id).distinct()
    return failed.select_related("discussion__chair", "discussion__team").order_by(
        "approved_at", "pk"
    )


def amendments_overdue(filters: Filters, moment: Moment) -> QuerySet[MinutesVersion]:
    """Amended minutes approved more than 24 hours ago and not yet sent to every agency, and
    not since replaced by a later version."""
    later = MinutesVersion.objects.filter(
        discussion=OuterRef("discussion"), number__gt=OuterRef("number"), approved_at__isnull=False
    )
    late = MinutesVersion.objects.filter(
        discussion_scope(filters, "discussion__"),
        number__gt=1,
        approved_at__lt=moment.now - _deadline(),
        distributed_at__isnull=True,
    ).exclude(Exists(later))
    if filters.agency_id:
        late = late.filter(deliveries__agency_id=filters.agency_id).distinct()
    return late.select_related("discussion__chair", "discussion__team").order_by(
        "approved_at", "pk"
    )


def deliveries_sent_in_error(filters: Filters, moment: Moment) -> QuerySet[Delivery]:
    """Receipt links withdrawn because the minutes went to the wrong place."""
    revoked = Delivery.objects.filter(revoked_at__isnull=False)
    return _deliveries(revoked, filters).order_by("-revoked_at", "-pk")


def disputes_open(filters: Filters, moment: Moment) -> QuerySet[Dispute]:
    """Recipients who said the minutes do not reflect the discussion, not yet resolved."""
    scoped = Dispute.objects.filter(
        discussion_scope(filters, "delivery__version__discussion__"), resolved_at__isnull=True
    )
    if filters.agency_id:
        scoped = scoped.filter(delivery__agency_id=filters.agency_id)
    return scoped.select_related("delivery__agency", "delivery__version__discussion").order_by(
        "raised_at", "pk"
    )


def differences_open(filters: Filters, moment: Moment) -> QuerySet[ProfessionalDifference]:
    """Resolving Professional Differences records not yet resolved."""
    return (
        ProfessionalDifference.objects.filter(
            discussion_scope(filters, "discussion__"),
            invited_agency(filters, "discussion"),
            resolved_at__isnull=True,
        )
        .select_related("discussion", "raising_agency")
        .order_by("stage", "raised_on", "pk")
    )


def differences_past_timescale(
    filters: Filters, moment: Moment
) -> QuerySet[ProfessionalDifference]:
    """Open differences whose stage has run past its last day (read by difference_due_idx):
    escalated at the next sweep, or at stage 4 and still with the panel."""
    return (
        ProfessionalDifference.objects.filter(
            discussion_scope(filters, "discussion__"),
            invited_agency(filters, "discussion"),
            resolved_at__isnull=True,
            stage_due_on__lt=moment.today,
        )
        .select_related("discussion", "raising_agency")
        .order_by("stage_due_on", "pk")
    )


def transfers_pending(filters: Filters, moment: Moment) -> QuerySet[CaseTransfer]:
    """Case transfers to another local authority not yet accepted in writing
    (transfer_pending_idx)."""
    discussions = _discussions(Discussion.objects.all(), filters)
    return (
        CaseTransfer.objects.filter(acceptance_recorded_at__isnull=True)
        .filter(discussion__in=discussions.values("pk"))
        .select_related("discussion__team", "discussion__chair", "receiving_authority")
        .order_by("proposed_on", "pk")
    )


def follow_ups_overdue(filters: Filters, moment: Moment) -> QuerySet[Discussion]:
    """Follow-up discussions whose due date has passed and which have not been held."""
    overdue = Discussion.objects.follow_ups_overdue(moment.today)
    return (
        _discussions(overdue, filters).select_related("follows").order_by("follow_up_due_by", "pk")
    )


def conference_warning_date(moment: Moment) -> date:
    return add_working_days(moment.today, CONFERENCE_WARNING_WORKING_DAYS)


def conferences_due(filters: Filters, moment: Moment) -> QuerySet[ChildDecision]:
    """Initial child protection conferences due within 5 working days, or overdue, for
    children whose discussion is not closed. A conference recorded as held leaves the list;
    only those still to be held are read (conference_due_idx)."""
    # The due ones first, on their own, from the partial index. Asked in one query with the
    # joins, the planner takes every past conference date for a candidate (it cannot know
    # most are held) and hashes every child; given the handful of ids, it looks each up.
    due = list(
        ChildDecision.objects.filter(
            conference_due_by__lte=conference_warning_date(moment),
            conference_held_on__isnull=True,
        ).values_list("pk", flat=True)
    )
    return (
        ChildDecision.objects.filter(
            discussion_scope(filters, "child__discussion__"),
            invited_agency(filters, "child__discussion"),
            pk__in=due,
            child__discussion__closed_at__isnull=True,
        )
        .select_related("child__discussion__team", "child__discussion__chair")
        .order_by("conference_due_by", "pk")
    )


def actions_overdue(filters: Filters, moment: Moment) -> QuerySet[Action]:
    """Actions past their due date and not completed; the agency filter is the agency
    responsible for the action."""
    overdue = Action.objects.filter(
        discussion_scope(filters, "discussion__"),
        completed_at__isnull=True,
        due_by__lt=moment.today,
    )
    if filters.agency_id:
        overdue = overdue.filter(agency_id=filters.agency_id)
    return overdue.select_related("discussion", "agency").order_by("due_by", "pk")
