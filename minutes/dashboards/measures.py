"""What the partnership audits, as conditions on a discussion or a delivery.

These are the questions of the Somerset audit of ten strategy discussions (were police,
health and children's social care all there; were the GPs involved; was housing, when
housing mattered) and of this service's own promises (minutes within 24 hours, receipts
confirmed). Audit figures and monthly trends count discussions that meet them.

Every subquery is held to the discussions being counted (their team and dates), not only
correlated with the outer row: PostgreSQL may run a subquery once and hash it, and it
should then read the period's rows, never the whole history.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Exists, F, OuterRef, Q, QuerySet

from agencies.models import HEALTH_KINDS, AgencyKind
from minutes.dashboards.filters import Filters
from minutes.dashboards.selectors import discussion_scope
from minutes.models import Delivery
from strategy.models import Action, Adult, Attendance, Child, Invitee
from strategy.models.people import PARENT_OR_CARER

RECEIPT_HOURS = 48

# An agency was involved if it attended, or sent information instead.
INVOLVED = Q(attendance__in=[Attendance.ATTENDED, Attendance.INFORMATION_ONLY]) | ~Q(
    information_shared=""
)


STATUTORY_PARTNERS: dict[str, frozenset[str]] = {
    "police": frozenset({AgencyKind.POLICE}),
    "health": HEALTH_KINDS,
    "childrens_social_care": frozenset({AgencyKind.CHILDRENS_SOCIAL_CARE}),
}


class DiscussionMeasures:
    """Conditions on a discussion, for the discussions `filters` selects (by date held)."""

    def __init__(self, filters: Filters) -> None:
        self.scope = discussion_scope(filters, "discussion__", dated_by="held_at")
        self.delivery_scope = discussion_scope(filters, "version__discussion__", dated_by="held_at")

    def _of(self, model: Any, discussion: str = "pk", **lookups: Any) -> QuerySet[Any]:
        return model.objects.filter(self.scope, discussion=OuterRef(discussion), **lookups)

    def _attended(self, kinds: frozenset[str] | set[str]) -> Q:
        attended = self._of(Invitee, attendance=Attendance.ATTENDED, agency__kind__in=kinds)
        return Q(Exists(attended))

    @property
    def statutory_partners_attended(self) -> Q:
        return (
            self._attended({AgencyKind.POLICE})
            & self._attended(HEALTH_KINDS)
            & self._attended({AgencyKind.CHILDRENS_SOCIAL_CARE})
        )

    def _involved(self, kinds: frozenset[str] | set[str]) -> Q:
        return Q(Exists(self._of(Invitee, agency__kind__in=kinds).filter(INVOLVED)))

    @property
    def statutory_partners_took_part(self) -> Q:
        """Police, health and children's social care each attended or sent information."""
        took_part = Q()
        for kinds in STATUTORY_PARTNERS.values():
            took_part &= self._involved(kinds)
        return took_part

    def information_shared_by(self, partner: str) -> Q:
        shared = self._of(Invitee, agency__kind__in=STATUTORY_PARTNERS[partner])
        return Q(Exists(shared.exclude(information_shared="")))

    @property
    def plan_with_actions(self) -> Q:
        """At least one action; each names an agency, a person and a date by construction."""
        return Q(Exists(self._of(Action)))

    def _children_with_gp(self) -> QuerySet[Child]:
        return self._of(Child, gp_practice__isnull=False)

    def _parents_with_gp(self) -> QuerySet[Adult]:
        return self._of(Adult, gp_practice__isnull=False, relationship__in=PARENT_OR_CARER)

    def _gp_not_invited(self) -> Q:
        """For a child or adult row: their GP practice is not among the invitees."""
        invited = self._of(Invitee, "discussion_id", agency=OuterRef("gp_practice_id"))
        return ~Q(Exists(invited))

    @property
    def gp_known(self) -> Q:
        """A child's or a parent's or carer's GP practice is on the record."""
        return Q(Exists(self._children_with_gp())) | Q(Exists(self._parents_with_gp()))

    @property
    def every_known_gp_invited(self) -> Q:
        return (
            self.gp_known
            & ~Q(Exists(self._children_with_gp().filter(self._gp_not_invited())))
            & ~Q(Exists(self._parents_with_gp().filter(self._gp_not_invited())))
        )

    def _gp_not_sent_minutes(self) -> Q:
        """For a child or adult row: no minutes went to their GP practice."""
        sent = Delivery.objects.filter(
            self.delivery_scope,
            version__discussion=OuterRef("discussion_id"),
            agency=OuterRef("gp_practice_id"),
            sent_at__isnull=False,
            revoked_at__isnull=True,
        )
        return ~Q(Exists(sent))

    @property
    def every_known_gp_sent_minutes(self) -> Q:
        return (
            self.gp_known
            & ~Q(Exists(self._children_with_gp().filter(self._gp_not_sent_minutes())))
            & ~Q(Exists(self._parents_with_gp().filter(self._gp_not_sent_minutes())))
        )

    @property
    def gp_involved(self) -> Q:
        gp = self._of(Invitee, agency__kind=AgencyKind.GP_PRACTICE).filter(INVOLVED)
        return self.gp_known & Q(Exists(gp))

    @property
    def housing_flagged(self) -> Q:
        return Q(housing_is_factor=True)

    @property
    def housing_involved(self) -> Q:
        housing = self._of(Invitee, agency__kind=AgencyKind.HOUSING).filter(INVOLVED)
        return self.housing_flagged & Q(Exists(housing))

    @property
    def rationale_for_every_child(self) -> Q:
        without = self._of(Child).filter(Q(decision__isnull=True) | Q(decision__rationale=""))
        return Q(Exists(self._of(Child))) & ~Q(Exists(without))


def timescale_known() -> Q:
    return Q(timescale_due_on__isnull=False)


def held_within_timescale() -> Q:
    """Held on or before the last day of its timescale (a local date, in working days)."""
    return Q(held_at__date__lte=F("timescale_due_on"))


def minutes_deadline() -> timedelta:
    return timedelta(hours=settings.MINUTES_DEADLINE_HOURS)


def minutes_due(now: datetime) -> Q:
    """Minutes that have been sent, or should have been by now."""
    return Q(minutes_distributed_at__isnull=False) | Q(held_at__lt=now - minutes_deadline())


def minutes_on_time() -> Q:
    return Q(minutes_distributed_at__lte=F("held_at") + minutes_deadline())


def receipt_due(now: datetime) -> Q:
    """Receipts confirmed, or which should have been by now."""
    return Q(confirmed_at__isnull=False) | Q(sent_at__lt=now - timedelta(hours=RECEIPT_HOURS))


def receipt_on_time() -> Q:
    return Q(confirmed_at__lte=F("sent_at") + timedelta(hours=RECEIPT_HOURS))


@dataclass(frozen=True)
class Proportion:
    count: int
    out_of: int

    @property
    def percent(self) -> int | None:
        """Whole per cent, halves rounded up; None when there is nothing to count."""
        if not self.out_of:
            return None
        return (200 * self.count + self.out_of) // (2 * self.out_of)

    def __str__(self) -> str:
        if not self.out_of:
            return "None to count"
        return f"{self.percent}% ({self.count} of {self.out_of})"

    @property
    def in_words(self) -> str:
        """ "6 of 10", "none of 10", "all 4": how a report quotes it."""
        if self.count == 0:
            return f"none of {self.out_of}"
        return f"{self.count} of {self.out_of}"


def duration_text(duration: timedelta | None) -> str:
    if duration is None:
        return "None to measure"
    minutes = round(duration.total_seconds() / 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        parts = [(days, "day"), (hours, "hour")]
    elif hours:
        parts = [(hours, "hour"), (minutes, "minute")]
    else:
        parts = [(minutes, "minute")]
    text = [f"{n} {unit}{'' if n == 1 else 's'}" for n, unit in parts if n]
    return " ".join(text) or "0 minutes"
