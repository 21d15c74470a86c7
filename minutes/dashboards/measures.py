"""What the partnership audits, as conditions on a discussion or a delivery.

These are the questions of the Somerset audit of ten strategy discussions (were police,
health and children's social care all there; were the GPs involved; was housing, when
housing mattered) and of this service's own promises (minutes within 24 hours, receipts
confirmed). Audit figures and monthly trends count discussions that meet them.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Exists, F, OuterRef, Q, QuerySet

from agencies.models import HEALTH_KINDS, AgencyKind
from strategy.models import Adult, Attendance, Child, Invitee
from strategy.models.people import PARENT_OR_CARER

RECEIPT_HOURS = 48

# An agency was involved if it attended, or sent information instead.
INVOLVED = Q(attendance__in=[Attendance.ATTENDED, Attendance.INFORMATION_ONLY]) | ~Q(
    information_shared=""
)


def _invitees(**lookups: object) -> QuerySet[Invitee]:
    return Invitee.objects.filter(discussion=OuterRef("pk"), **lookups)


def _attended(kinds: frozenset[str] | set[str]) -> Q:
    return Q(Exists(_invitees(attendance=Attendance.ATTENDED, agency__kind__in=kinds)))


STATUTORY_PARTNERS_ATTENDED = (
    _attended({AgencyKind.POLICE})
    & _attended(HEALTH_KINDS)
    & _attended({AgencyKind.CHILDRENS_SOCIAL_CARE})
)


def _children_with_gp() -> QuerySet[Child]:
    return Child.objects.filter(discussion=OuterRef("pk"), gp_practice__isnull=False)


def _parents_with_gp() -> QuerySet[Adult]:
    return Adult.objects.filter(
        discussion=OuterRef("pk"), gp_practice__isnull=False, relationship__in=PARENT_OR_CARER
    )


def _gp_not_invited() -> Q:
    """For a child or adult row: their GP practice is not among the discussion's invitees."""
    invited = Invitee.objects.filter(
        discussion=OuterRef("discussion_id"), agency=OuterRef("gp_practice_id")
    )
    return ~Q(Exists(invited))


GP_KNOWN = Q(Exists(_children_with_gp())) | Q(Exists(_parents_with_gp()))
EVERY_KNOWN_GP_INVITED = (
    GP_KNOWN
    & ~Q(Exists(_children_with_gp().filter(_gp_not_invited())))
    & ~Q(Exists(_parents_with_gp().filter(_gp_not_invited())))
)
GP_INVOLVED = GP_KNOWN & Q(Exists(_invitees(agency__kind=AgencyKind.GP_PRACTICE).filter(INVOLVED)))

HOUSING_FLAGGED = Q(housing_is_factor=True)
HOUSING_INVOLVED = HOUSING_FLAGGED & Q(
    Exists(_invitees(agency__kind=AgencyKind.HOUSING).filter(INVOLVED))
)

_children = Child.objects.filter(discussion=OuterRef("pk"))
RATIONALE_FOR_EVERY_CHILD = Q(Exists(_children)) & ~Q(
    Exists(_children.filter(Q(decision__isnull=True) | Q(decision__rationale="")))
)


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
