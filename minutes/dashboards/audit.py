"""The figures a safeguarding partnership audits, for a period and a team.

The population is every discussion held whose date falls in the period. Each figure is a
fixed number of queries (medians in the same query on PostgreSQL, one more each on
SQLite), so the cost follows the number of discussions in the period, never the history.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from minutes.dashboards import measures as m
from minutes.dashboards.filters import Filters
from minutes.dashboards.reporting import (
    Median,
    elapsed,
    median_of,
    medians_in_database,
    reporting,
)
from minutes.dashboards.selectors import discussion_scope
from minutes.models import Delivery, Dispute
from strategy.models import AgencyPosition, Attendance, Discussion, Invitee, ProfessionalDifference
from strategy.models.decisions import Position


@dataclass(frozen=True)
class AuditFigures:
    discussions: int
    statutory_partners_attended: m.Proportion
    every_known_gp_invited: m.Proportion
    gp_involved: m.Proportion
    housing_involved: m.Proportion
    minutes_within_24_hours: m.Proportion
    median_time_to_send: timedelta | None
    receipts_within_48_hours: m.Proportion
    median_time_to_confirm: timedelta | None
    rationale_for_every_child: m.Proportion
    disagreements: int
    differences_opened: int
    differences_resolved: int
    median_time_to_resolve_difference: timedelta | None
    disputes_raised: int
    disputes_resolved: int
    median_time_to_resolve_dispute: timedelta | None

    def rows(self) -> list[tuple[str, str, Any]]:
        """(figure, as the page shows it, the raw value for a CSV) in reading order."""
        rows: list[tuple[str, str, Any]] = []

        def count(label: str, value: int) -> None:
            rows.append((label, str(value), value))

        def share(label: str, value: m.Proportion) -> None:
            rows.append((f"{label} (%)", str(value), value.percent))

        def median(label: str, value: timedelta | None) -> None:
            rows.append((f"{label} (hours)", m.duration_text(value), value))

        count("Discussions held", self.discussions)
        share(
            "Police, health and children's social care all attended",
            self.statutory_partners_attended,
        )
        share("Every known GP invited, of discussions with a known GP", self.every_known_gp_invited)
        share("A GP attended or sent information, of discussions with a known GP", self.gp_involved)
        share(
            "Housing attended or sent information, where housing was a factor",
            self.housing_involved,
        )
        share("Minutes sent within 24 hours", self.minutes_within_24_hours)
        median("Median time to send the minutes", self.median_time_to_send)
        share("Receipts confirmed within 48 hours", self.receipts_within_48_hours)
        median("Median time to confirm receipt", self.median_time_to_confirm)
        share("Rationale recorded for every child", self.rationale_for_every_child)
        count("Agencies' disagreements with a decision", self.disagreements)
        count("Professional differences opened", self.differences_opened)
        count("Professional differences resolved", self.differences_resolved)
        median(
            "Median time to resolve a professional difference",
            self.median_time_to_resolve_difference,
        )
        count("Minutes disputed", self.disputes_raised)
        count("Disputes resolved", self.disputes_resolved)
        median("Median time to resolve a dispute", self.median_time_to_resolve_dispute)
        return rows


@dataclass(frozen=True)
class AgencyFigures:
    agency: str
    invited: int
    attended: int
    minutes_sent: int
    receipts_confirmed: int
    median_time_to_confirm: timedelta | None
    chases_needed: int

    @property
    def median_text(self) -> str:
        return m.duration_text(self.median_time_to_confirm)


def discussions_held(filters: Filters) -> QuerySet[Discussion]:
    return Discussion.objects.filter(discussion_scope(filters), held_at__isnull=False)


def deliveries_sent(discussions: QuerySet[Discussion]) -> QuerySet[Delivery]:
    return Delivery.objects.filter(
        version__discussion__in=discussions, sent_at__isnull=False, revoked_at__isnull=True
    )


def _proportion(counts: dict[str, Any], count: str, out_of: str) -> m.Proportion:
    return m.Proportion(counts[count] or 0, counts[out_of] or 0)


def _with_median(
    queryset: QuerySet[Any], aggregates: dict[str, Any], name: str, duration: Any, only: Q
) -> dict[str, Any]:
    """Aggregates plus the median of `duration` over rows matching `only`."""
    if medians_in_database():
        return queryset.aggregate(**aggregates, **{name: Median(duration, filter=only)})
    figures = queryset.aggregate(**aggregates)
    figures[name] = median_of(
        queryset.filter(only).annotate(_duration=duration).values_list("_duration", flat=True)
    )
    return figures


@reporting
def audit_figures(filters: Filters, now: datetime) -> AuditFigures:
    discussions = discussions_held(filters)
    measures = m.DiscussionMeasures(filters)
    held = _with_median(
        discussions,
        {
            "total": Count("pk"),
            "partners": Count("pk", filter=measures.statutory_partners_attended),
            "gp_known": Count("pk", filter=measures.gp_known),
            "gp_invited": Count("pk", filter=measures.every_known_gp_invited),
            "gp_involved": Count("pk", filter=measures.gp_involved),
            "housing_flagged": Count("pk", filter=measures.housing_flagged),
            "housing_involved": Count("pk", filter=measures.housing_involved),
            "minutes_due": Count("pk", filter=m.minutes_due(now)),
            "minutes_on_time": Count("pk", filter=m.minutes_on_time()),
            "rationale": Count("pk", filter=measures.rationale_for_every_child),
        },
        "send_median",
        elapsed("minutes_distributed_at", "held_at"),
        Q(minutes_distributed_at__isnull=False),
    )
    receipts = _with_median(
        deliveries_sent(discussions),
        {
            "due": Count("pk", filter=m.receipt_due(now)),
            "on_time": Count("pk", filter=m.receipt_on_time()),
        },
        "confirm_median",
        elapsed("confirmed_at", "sent_at"),
        Q(confirmed_at__isnull=False),
    )
    differences = _resolution(
        ProfessionalDifference.objects.filter(discussion__in=discussions), "opened_at"
    )
    disputes = _resolution(
        Dispute.objects.filter(delivery__version__discussion__in=discussions), "raised_at"
    )
    disagreements = AgencyPosition.objects.filter(
        decision__child__discussion__in=discussions, position=Position.DISAGREES
    ).count()
    return AuditFigures(
        discussions=held["total"],
        statutory_partners_attended=_proportion(held, "partners", "total"),
        every_known_gp_invited=_proportion(held, "gp_invited", "gp_known"),
        gp_involved=_proportion(held, "gp_involved", "gp_known"),
        housing_involved=_proportion(held, "housing_involved", "housing_flagged"),
        minutes_within_24_hours=_proportion(held, "minutes_on_time", "minutes_due"),
        median_time_to_send=held["send_median"],
        receipts_within_48_hours=_proportion(receipts, "on_time", "due"),
        median_time_to_confirm=receipts["confirm_median"],
        rationale_for_every_child=_proportion(held, "rationale", "total"),
        disagreements=disagreements,
        differences_opened=differences["opened"],
        differences_resolved=differences["resolved"],
        median_time_to_resolve_difference=differences["median"],
        disputes_raised=disputes["opened"],
        disputes_resolved=disputes["resolved"],
        median_time_to_resolve_dispute=disputes["median"],
    )


def _resolution(queryset: QuerySet[Any], opened: str) -> dict[str, Any]:
    resolved = Q(resolved_at__isnull=False)
    return _with_median(
        queryset,
        {"opened": Count("pk"), "resolved": Count("pk", filter=resolved)},
        "median",
        elapsed("resolved_at", opened),
        resolved,
    )


@reporting
def agency_figures(filters: Filters) -> list[AgencyFigures]:
    """Per agency: invitations, attendance, receipts and chasing, over the period."""
    discussions = discussions_held(filters)
    seats = (
        Invitee.objects.filter(discussion__in=discussions)
        .values("agency_id", "agency__name")
        .annotate(
            invited=Count("pk"), attended=Count("pk", filter=Q(attendance=Attendance.ATTENDED))
        )
    )
    confirmed = Q(confirmed_at__isnull=False)
    receipts_by_agency = deliveries_sent(discussions).values("agency_id")
    receipt_figures = {
        "sent": Count("pk"),
        "confirmed": Count("pk", filter=confirmed),
        "chases": Sum("chases_sent"),
    }
    duration = elapsed("confirmed_at", "sent_at")
    if medians_in_database():
        receipt_figures["median"] = Median(duration, filter=confirmed)
    receipts: dict[int, dict[str, Any]] = {
        row["agency_id"]: dict(row) for row in receipts_by_agency.annotate(**receipt_figures)
    }
    if not medians_in_database():
        durations: dict[int, list[timedelta]] = defaultdict(list)
        rows = receipts_by_agency.filter(confirmed).annotate(_duration=duration)
        for agency_id, spent in rows.values_list("agency_id", "_duration"):
            durations[agency_id].append(spent)
        for agency_id, row in receipts.items():
            row["median"] = median_of(durations[agency_id])
    figures = []
    for seat in seats:
        sent: dict[str, Any] = receipts.get(seat["agency_id"], {})
        figures.append(
            AgencyFigures(
                agency=seat["agency__name"],
                invited=seat["invited"],
                attended=seat["attended"],
                minutes_sent=sent.get("sent", 0),
                receipts_confirmed=sent.get("confirmed", 0),
                median_time_to_confirm=sent.get("median"),
                chases_needed=sent.get("chases") or 0,
            )
        )
    return sorted(figures, key=lambda f: f.agency.lower())


AGENCY_COLUMNS = (
    "Agency",
    "Invited",
    "Attended",
    "Minutes sent",
    "Receipts confirmed",
    "Median time to confirm (hours)",
    "Chases needed",
)


def agency_csv_row(figures: AgencyFigures) -> tuple[Any, ...]:
    return (
        figures.agency,
        figures.invited,
        figures.attended,
        figures.minutes_sent,
        figures.receipts_confirmed,
        figures.median_time_to_confirm,
        figures.chases_needed,
    )
