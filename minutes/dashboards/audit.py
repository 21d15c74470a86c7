"""The figures a safeguarding partnership audits, for a period and a team.

The population is every discussion held whose date falls in the period. Each figure is a
fixed number of queries (medians in the same query on PostgreSQL, one more each on
SQLite), so the cost follows the number of discussions in the period, never the history.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

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
from strategy.models import (
    AgencyPosition,
    Attendance,
    Child,
    Discussion,
    Invitee,
    ProfessionalDifference,
)
from strategy.models.decisions import Position
from strategy.models.discussion import Urgency, timescale_text


@dataclass(frozen=True)
class Figure:
    """One audit question: what it means, and its answer by discussion and by child."""

    label: str
    definition: str
    discussions: m.Proportion
    children: m.Proportion | None = None

    @property
    def columns(self) -> tuple[m.Proportion | None, m.Proportion | None]:
        return (self.discussions, self.children)


# The questions a multi-agency audit asks, in the order the page answers them, with what
# each counts. Keys name the measure; `by_child` says how a child is counted.
DEFINITIONS: dict[str, tuple[str, str]] = {
    "statutory_partners_took_part": (
        "Police, health and children's social care took part",
        "Each of the three attended or sent information (Working Together). Health means "
        "any health agency: an acute trust, health visiting, midwifery, a GP practice, mental "
        "health or ambulance.",
    ),
    "statutory_partners_attended": (
        "Police, health and children's social care all attended",
        "Each of the three had someone at the discussion. Sending information alone does "
        "not count here.",
    ),
    "housing_involved": (
        "Housing involved where housing was a factor",
        "Of discussions recorded with housing as a factor: a housing agency attended or "
        "sent information.",
    ),
    "every_known_gp_invited": (
        "Every known GP invited",
        "Of discussions where a GP practice is recorded for a child or a parent or carer: "
        "every one of those practices was invited.",
    ),
    "gp_involved": (
        "GPs took part",
        "Of discussions with a known GP: a GP practice attended or sent information.",
    ),
    "every_known_gp_sent_minutes": (
        "Every known GP sent the minutes",
        "Of discussions with a known GP: the minutes went to every one of those practices.",
    ),
    "minutes_within_24_hours": (
        "Minutes sent to every invited agency within 24 hours",
        "Of discussions whose minutes are sent or overdue: every invited agency, attended "
        "or not, was sent them within 24 hours of the discussion. Minutes still inside "
        "their 24 hours are not counted either way.",
    ),
    "held_within_timescale": (
        "Held within timescale",
        "Of discussions with the date of the concern recorded: held within the timescale its "
        "urgency sets, counted in working days (England and Wales bank holidays excluded). "
        "Immediate: {immediate} as the concern; planned: {planned}; retrospective: "
        "{retrospective} of the emergency action.",
    ),
    "shared_by_police": (
        "Information shared by the police",
        "The police's information is recorded on the discussion.",
    ),
    "shared_by_health": (
        "Information shared by health",
        "At least one health agency's information is recorded on the discussion.",
    ),
    "shared_by_childrens_social_care": (
        "Information shared by children's social care",
        "Children's social care's information is recorded on the discussion.",
    ),
    "rationale_for_every_child": (
        "Decision with rationale for every child",
        "By discussion: every child has a decision with its rationale. By child: the "
        "child's own decision has a rationale.",
    ),
    "plan_with_actions": (
        "Plan with actions and timescales",
        "At least one action is recorded; every action names an agency, a person and the "
        "date it is due by.",
    ),
}

FIGURE_COLUMNS = (
    "Figure",
    "Counted by",
    "Number",
    "Out of",
    "Percentage",
    "Median (hours)",
)


@dataclass(frozen=True)
class AuditFigures:
    discussions: int
    children: int
    statutory_partners_took_part: m.Proportion
    statutory_partners_attended: m.Proportion
    every_known_gp_invited: m.Proportion
    gp_involved: m.Proportion
    every_known_gp_sent_minutes: m.Proportion
    housing_involved: m.Proportion
    minutes_within_24_hours: m.Proportion
    held_within_timescale: m.Proportion
    shared_by_police: m.Proportion
    shared_by_health: m.Proportion
    shared_by_childrens_social_care: m.Proportion
    median_time_to_send: timedelta | None
    receipts_within_48_hours: m.Proportion
    median_time_to_confirm: timedelta | None
    rationale_for_every_child: m.Proportion
    plan_with_actions: m.Proportion
    disagreements: int
    differences_opened: int
    differences_resolved: int
    median_time_to_resolve_difference: timedelta | None
    disputes_raised: int
    disputes_resolved: int
    median_time_to_resolve_dispute: timedelta | None
    by_child: dict[str, m.Proportion] = field(default_factory=dict)

    def figures(self) -> list[Figure]:
        """The audit questions answered, in reading order."""
        timescales = {urgency: timescale_text(urgency) for urgency in Urgency.values}
        return [
            Figure(
                label, definition.format(**timescales), getattr(self, key), self.by_child.get(key)
            )
            for key, (label, definition) in DEFINITIONS.items()
        ]

    def counts(self) -> list[tuple[str, str, int]]:
        """(figure, what it counts, how many)."""
        return [
            ("Discussions held", "Discussion", self.discussions),
            ("Children discussed", "Child", self.children),
            ("Agencies' disagreements with a decision", "Agency position", self.disagreements),
            ("Professional differences opened", "Difference", self.differences_opened),
            ("Professional differences resolved", "Difference", self.differences_resolved),
            ("Minutes disputed", "Dispute", self.disputes_raised),
            ("Disputes resolved", "Dispute", self.disputes_resolved),
        ]

    def times(self) -> list[tuple[str, timedelta | None]]:
        return [
            ("Median time to send the minutes", self.median_time_to_send),
            ("Median time to confirm receipt", self.median_time_to_confirm),
            (
                "Median time to resolve a professional difference",
                self.median_time_to_resolve_difference,
            ),
            ("Median time to resolve a dispute", self.median_time_to_resolve_dispute),
        ]

    def times_shown(self) -> list[tuple[str, str]]:
        return [(label, m.duration_text(value)) for label, value in self.times()]

    def findings(self) -> list[str]:
        """The headline findings as an audit report words them ("6 of 10")."""
        held = self.discussions
        if not held:
            return ["No discussions were held in the period."]
        partners = self.statutory_partners_took_part
        timely = self.held_within_timescale
        findings = []
        if timely.out_of:
            late = timely.out_of - timely.count
            findings.append(
                f"{late} delayed: {late} of the {timely.out_of} discussions with the date of "
                "the concern recorded were held after their timescale."
            )
        findings += [
            f"{partners.in_words.capitalize()} discussions had police, health and children's "
            "social care taking part (attending or sending information).",
        ]
        housing = self.housing_involved
        if housing.out_of:
            missing = housing.out_of - housing.count
            findings.append(
                f"Housing was missing from {missing} of the {housing.out_of} discussions "
                "where housing was a factor."
            )
        invited, sent = self.every_known_gp_invited, self.every_known_gp_sent_minutes
        if invited.out_of:
            findings.append(
                f"Every known GP was invited in {invited.in_words} discussions with a known "
                f"GP, and sent the minutes in {sent.in_words}."
            )
        return findings

    def csv_rows(self) -> list[tuple[Any, ...]]:
        """Every figure as number, out of and percentage in their own columns."""
        rows: list[tuple[Any, ...]] = [
            (label, counted_by, value, None, None, None)
            for label, counted_by, value in self.counts()
        ]
        for figure in self.figures():
            for counted_by, share in zip(("Discussion", "Child"), figure.columns, strict=True):
                if share is not None:
                    rows.append(
                        (figure.label, counted_by, share.count, share.out_of, share.percent, None)
                    )
        receipts = self.receipts_within_48_hours
        rows.append(
            ("Receipts confirmed within 48 hours", "Delivery", receipts.count, receipts.out_of,
             receipts.percent, None)
        )  # fmt: skip
        rows.extend((label, "", None, None, None, value) for label, value in self.times())
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
    """Discussions held in the period, by the date they were held, not the date booked."""
    return Discussion.objects.filter(
        discussion_scope(filters, dated_by="held_at"), held_at__isnull=False
    )


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


def _children_count() -> Coalesce:
    per_discussion = (
        Child.objects.filter(discussion=OuterRef("pk"))
        .order_by()
        .values("discussion")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(per_discussion), 0)


def _shares(conditions: dict[str, Q]) -> dict[str, Any]:
    """For each condition: discussions meeting it, and the children in them."""
    aggregates: dict[str, Any] = {}
    for name, condition in conditions.items():
        only = condition or None  # an empty Q counts every discussion
        aggregates[name] = Count("pk", filter=only)
        aggregates[f"{name}_children"] = Sum(_children_count(), filter=only)
    return aggregates


@reporting
def audit_figures(filters: Filters, now: datetime) -> AuditFigures:
    discussions = discussions_held(filters)
    measures = m.DiscussionMeasures(filters)
    shares = {
        "total": Q(),
        "partners_took_part": measures.statutory_partners_took_part,
        "partners": measures.statutory_partners_attended,
        "gp_known": measures.gp_known,
        "gp_invited": measures.every_known_gp_invited,
        "gp_involved": measures.gp_involved,
        "gp_sent": measures.every_known_gp_sent_minutes,
        "housing_flagged": measures.housing_flagged,
        "housing_involved": measures.housing_involved,
        "minutes_due": m.minutes_due(now),
        "minutes_on_time": m.minutes_on_time(),
        "timescale_known": m.timescale_known(),
        "in_timescale": m.held_within_timescale(),
        "police_shared": measures.information_shared_by("police"),
        "health_shared": measures.information_shared_by("health"),
        "csc_shared": measures.information_shared_by("childrens_social_care"),
        "rationale": measures.rationale_for_every_child,
        "plan": measures.plan_with_actions,
    }
    held = _with_median(
        discussions,
        _shares(shares),
        "send_median",
        elapsed("minutes_distributed_at", "held_at"),
        Q(minutes_distributed_at__isnull=False),
    )
    children = Child.objects.filter(discussion__in=discussions).aggregate(
        total=Count("pk"),
        rationale=Count("pk", filter=Q(decision__isnull=False) & ~Q(decision__rationale="")),
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

    def share(count: str, out_of: str, by_child: bool = False) -> m.Proportion:
        if by_child:
            count, out_of = f"{count}_children", f"{out_of}_children"
        return _proportion(held, count, out_of)

    pairs = {
        "statutory_partners_took_part": ("partners_took_part", "total"),
        "statutory_partners_attended": ("partners", "total"),
        "every_known_gp_invited": ("gp_invited", "gp_known"),
        "gp_involved": ("gp_involved", "gp_known"),
        "every_known_gp_sent_minutes": ("gp_sent", "gp_known"),
        "housing_involved": ("housing_involved", "housing_flagged"),
        "minutes_within_24_hours": ("minutes_on_time", "minutes_due"),
        "held_within_timescale": ("in_timescale", "timescale_known"),
        "shared_by_police": ("police_shared", "total"),
        "shared_by_health": ("health_shared", "total"),
        "shared_by_childrens_social_care": ("csc_shared", "total"),
        "rationale_for_every_child": ("rationale", "total"),
        "plan_with_actions": ("plan", "total"),
    }
    by_child = {key: share(*pair, by_child=True) for key, pair in pairs.items()}
    by_child["rationale_for_every_child"] = _proportion(children, "rationale", "total")
    return AuditFigures(
        discussions=held["total"],
        children=children["total"],
        **{key: share(*pair) for key, pair in pairs.items()},
        median_time_to_send=held["send_median"],
        receipts_within_48_hours=_proportion(receipts, "on_time", "due"),
        median_time_to_confirm=receipts["confirm_median"],
        disagreements=disagreements,
        differences_opened=differences["opened"],
        differences_resolved=differences["resolved"],
        median_time_to_resolve_difference=differences["median"],
        disputes_raised=disputes["opened"],
        disputes_resolved=disputes["resolved"],
        median_time_to_resolve_dispute=disputes["median"],
        by_child=by_child,
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
