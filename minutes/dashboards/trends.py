"""Monthly figures for the last 12 months, as charts with their numbers beside them."""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.utils import timezone

from minutes.dashboards import measures as m
from minutes.dashboards.audit import deliveries_sent, discussions_held
from minutes.dashboards.charts import BarChart, Point, bar_chart
from minutes.dashboards.filters import Filters, months_before
from minutes.dashboards.reporting import reporting

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


def _by_month(rows: Any) -> dict[date, dict[str, Any]]:
    return {timezone.localtime(row["month"]).date(): row for row in rows}


@reporting
def monthly_figures(team_id: int | None, now: datetime) -> list[Month]:
    months = trend_months(timezone.localdate(now))
    filters = Filters(team_id=team_id, start=months[0], end=timezone.localdate(now))
    discussions = discussions_held(filters)
    measures = m.DiscussionMeasures(filters)
    held = _by_month(
        discussions.annotate(month=TruncMonth("held_at"))
        .values("month")
        .annotate(
            total=Count("pk"),
            partners=Count("pk", filter=measures.statutory_partners_attended),
            gp_known=Count("pk", filter=measures.gp_known),
            gp_invited=Count("pk", filter=measures.every_known_gp_invited),
            minutes_due=Count("pk", filter=m.minutes_due(now)),
            minutes_on_time=Count("pk", filter=m.minutes_on_time()),
        )
        .order_by("month")
    )
    receipts = _by_month(
        deliveries_sent(discussions)
        .annotate(month=TruncMonth("version__discussion__held_at"))
        .values("month")
        .annotate(
            due=Count("pk", filter=m.receipt_due(now)),
            on_time=Count("pk", filter=m.receipt_on_time()),
        )
        .order_by("month")
    )
    figures = []
    for month in months:
        h = held.get(month, {})
        r = receipts.get(month, {})
        figures.append(
            Month(
                starts=month,
                discussions=h.get("total", 0),
                statutory_partners_attended=m.Proportion(h.get("partners", 0), h.get("total", 0)),
                every_known_gp_invited=m.Proportion(h.get("gp_invited", 0), h.get("gp_known", 0)),
                minutes_within_24_hours=m.Proportion(
                    h.get("minutes_on_time", 0), h.get("minutes_due", 0)
                ),
                receipts_within_48_hours=m.Proportion(r.get("on_time", 0), r.get("due", 0)),
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
