"""Monthly figures for the last 12 months, as charts with their numbers beside them.

Settled months are read from MonthlySummary (12 rows a team, however long the history); only
the months still changing are counted from the records, so the page costs the same at any
size once beat has rebuilt the summaries."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, cast

from django.db import transaction
from django.db.models import Count, F, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from agencies.models import Team
from minutes.dashboards import measures as m
from minutes.dashboards.audit import deliveries_sent, discussions_held
from minutes.dashboards.charts import BarChart, Point, bar_chart
from minutes.dashboards.filters import Filters, months_before
from minutes.dashboards.reporting import reporting
from minutes.models import MonthlySummary

MONTHS = 12


@dataclass(frozen=True)
class Month:
    starts: date
    discussions: int
    statutory_partners_attended: m.Proportion
    every_known_gp_invited: m.Proportion
    minutes_within_24_hours: m.Proportion
    receipts_within_48_hours: m.Proportion


def trend_months(today: date) -> list[date]:
    first = months_before(today.replace(day=1), MONTHS - 1)
    return [months_before(first, -n) for n in range(MONTHS)]


# A month's figures stop changing once its last minutes deadline (24 hours) and receipt window
# (48 hours) have passed; a day more covers a night's rebuild.
SETTLED_AFTER = timedelta(days=4)
COUNTS = (
    "discussions",
    "partners_attended",
    "gp_known",
    "gp_invited",
    "minutes_due",
    "minutes_on_time",
    "receipts_due",
    "receipts_on_time",
)
Counts = dict[str, int]


def month_settled(month: date, now: datetime) -> bool:
    next_month = months_before(month, -1)
    ends = timezone.make_aware(datetime.combine(next_month, time.min))
    return now >= ends + SETTLED_AFTER


def _key(row: dict[str, Any], by_team: bool) -> tuple[int | None, date]:
    month = timezone.localtime(row["month"]).date()
    return (row["team"] if by_team else None, month)


def live_counts(
    team_id: int | None, first: date, last: date, now: datetime, *, by_team: bool = False
) -> dict[tuple[int | None, date], Counts]:
    """Counts of each month from `first` to `last` (days), read from the records: by team, or
    for `team_id` (None: every team) as one."""
    filters = Filters(team_id=team_id, start=first, end=last)
    discussions = discussions_held(filters)
    measures = m.DiscussionMeasures(filters)
    keys = ["team", "month"] if by_team else ["month"]
    counts: dict[tuple[int | None, date], Counts] = {}
    held = (
        discussions.annotate(month=TruncMonth("scheduled_for"))
        .values(*keys)
        .annotate(
            discussions=Count("pk"),
            partners_attended=Count("pk", filter=measures.statutory_partners_attended),
            gp_known=Count("pk", filter=measures.gp_known),
            gp_invited=Count("pk", filter=measures.every_known_gp_invited),
            minutes_due=Count("pk", filter=m.minutes_due(now)),
            minutes_on_time=Count("pk", filter=m.minutes_on_time()),
        )
        .order_by()
    )
    for row in held:
        counts.setdefault(_key(row, by_team), dict.fromkeys(COUNTS, 0)).update(
            {name: row[name] for name in COUNTS[:6]}
        )
    receipts = (
        deliveries_sent(discussions)
        .annotate(
            month=TruncMonth("version__discussion__scheduled_for"),
            team=F("version__discussion__team"),
        )
        .values(*keys)
        .annotate(
            receipts_due=Count("pk", filter=m.receipt_due(now)),
            receipts_on_time=Count("pk", filter=m.receipt_on_time()),
        )
        .order_by()
    )
    for row in receipts:
        counts.setdefault(_key(row, by_team), dict.fromkeys(COUNTS, 0)).update(
            receipts_due=row["receipts_due"], receipts_on_time=row["receipts_on_time"]
        )
    return counts


def stored_counts(team_id: int | None, months: list[date]) -> dict[date, Counts]:
    """The summaries of these months, summed over the team or every team."""
    rows = MonthlySummary.objects.filter(month__in=months)
    if team_id:
        rows = rows.filter(team_id=team_id)
    summed = rows.values("month").annotate(**{name: Sum(name) for name in COUNTS}).order_by()
    rows_by_month = cast(list[dict[str, Any]], list(summed))
    return {row["month"]: {name: row[name] or 0 for name in COUNTS} for row in rows_by_month}


def monthly_summaries_rebuild(now: datetime) -> int:
    """Rewrites the summaries of the settled months among the last 12, for every team, in one
    transaction: a team with nothing in a month gets zeros. Returns the months rebuilt."""
    settled = [
        month for month in trend_months(timezone.localdate(now)) if month_settled(month, now)
    ]
    if not settled:
        return 0
    last = months_before(settled[-1], -1) - timedelta(days=1)
    counts = live_counts(None, settled[0], last, now, by_team=True)
    teams = list(Team.objects.values_list("pk", flat=True))
    with transaction.atomic():
        MonthlySummary.objects.filter(month__in=settled).delete()
        MonthlySummary.objects.bulk_create(
            MonthlySummary(
                team_id=team,
                month=month,
                rebuilt_at=now,
                **counts.get((team, month), dict.fromkeys(COUNTS, 0)),
            )
            for team in teams
            for month in settled
        )
    return len(settled)


@reporting
def monthly_figures(team_id: int | None, now: datetime) -> list[Month]:
    """The last 12 months: settled months from their summaries when rebuilt, the rest (this
    month and the last, and any not yet rebuilt) counted live from the records."""
    months = trend_months(timezone.localdate(now))
    stored = stored_counts(team_id, [month for month in months if month_settled(month, now)])
    missing = [month for month in months if month not in stored]
    live: dict[tuple[int | None, date], Counts] = {}
    if missing:
        live = live_counts(team_id, missing[0], timezone.localdate(now), now)
    figures = []
    for month in months:
        c = stored.get(month) or live.get((None, month)) or dict.fromkeys(COUNTS, 0)
        figures.append(
            Month(
                starts=month,
                discussions=c["discussions"],
                statutory_partners_attended=m.Proportion(c["partners_attended"], c["discussions"]),
                every_known_gp_invited=m.Proportion(c["gp_invited"], c["gp_known"]),
                minutes_within_24_hours=m.Proportion(c["minutes_on_time"], c["minutes_due"]),
                receipts_within_48_hours=m.Proportion(c["receipts_on_time"], c["receipts_due"]),
            )
        )
    return figures


def _point(month: date, first: bool, value: float | None, text: str) -> Point:
    note = str(month.year) if first or month.month == 1 else ""
    return Point(
        label=f"{month:%b}", note=note, value=value, value_text=text, name=f"{month:%B %Y}"
    )


def _share_text(share: m.Proportion) -> str:
    return "None to count" if share.percent is None else f"{share.percent}%"


SHARES = (
    ("Police, health and children's social care all attended", "statutory_partners_attended"),
    ("Every known GP invited", "every_known_gp_invited"),
    ("Minutes sent within 24 hours", "minutes_within_24_hours"),
    ("Receipts confirmed within 48 hours", "receipts_within_48_hours"),
)


def trend_charts(figures: list[Month]) -> list[BarChart]:
    charts = [
        bar_chart(
            "Discussions held",
            [
                _point(f.starts, i == 0, f.discussions, str(f.discussions))
                for i, f in enumerate(figures)
            ],
            unit="Discussions",
        )
    ]
    for title, name in SHARES:
        points = []
        for i, f in enumerate(figures):
            share: m.Proportion = getattr(f, name)
            points.append(_point(f.starts, i == 0, share.percent, _share_text(share)))
        charts.append(bar_chart(title, points, unit="Per cent", maximum=100))
    return charts


TREND_COLUMNS = ("Month", "Discussions held", *(f"{title} (%)" for title, _ in SHARES))


def trend_csv_row(month: Month) -> tuple[Any, ...]:
    return (
        f"{month.starts:%Y-%m}",
        month.discussions,
        *(getattr(month, name).percent for _, name in SHARES),
    )
