"""Monthly trends: the figures for each of the last 12 months, drawn and tabled."""

from datetime import date

from minutes.dashboards.charts import Point, bar_chart
from minutes.dashboards.trends import (
    month_settled,
    monthly_figures,
    monthly_summaries_rebuild,
    trend_charts,
    trend_months,
)
from minutes.models import MonthlySummary
from tests.dashboards import builders as b
from tests.dashboards.conftest import NOW


def test_the_last_12_months_end_with_this_one() -> None:
    months = trend_months(date(2026, 3, 18))

    assert months[0] == date(2025, 4, 1)
    assert months[-1] == date(2026, 3, 1)
    assert len(months) == 12


def test_each_month_counts_its_own_discussions(p, frozen) -> None:  # noqa: ANN001
    on_time = b.discussion(p, held_at=b.at(2, 10, month=2), distributed_at=b.at(2, 20, month=2))
    late = b.discussion(p, held_at=b.at(20, 10, month=2), distributed_at=b.at(22, 9, month=2))
    for d in (on_time, late):
        for key in ("csc", "police", "hospital"):
            b.invite(d, p.agencies[key], "attended")
    b.discussion(p, held_at=b.at(5, 10), distributed_at=b.at(5, 12))
    b.discussion(p, held_at=b.at(5, 10, month=4).replace(year=2025))

    months = {m.starts: m for m in monthly_figures(None, NOW)}

    february = months[date(2026, 2, 1)]
    assert february.discussions == 2
    assert february.statutory_partners_attended.percent == 100
    assert february.minutes_within_24_hours.percent == 50
    assert months[date(2026, 3, 1)].discussions == 1
    assert months[date(2025, 4, 1)].discussions == 1
    assert months[date(2025, 4, 1)].minutes_within_24_hours.percent == 0
    assert months[date(2026, 1, 1)].discussions == 0
    assert months[date(2026, 1, 1)].minutes_within_24_hours.percent is None


def test_a_chart_scales_its_bars_and_describes_itself() -> None:
    points = [
        Point("Jan", "2026", 50, "50%", "January 2026"),
        Point("Feb", "", 100, "100%", "February 2026"),
        Point("Mar", "", None, "None to count", "March 2026"),
    ]

    chart = bar_chart("Minutes sent within 24 hours", points, unit="Per cent", maximum=100)

    assert chart.bars[1].height == 2 * chart.bars[0].height
    assert chart.bars[2].height == 0 and chart.bars[2].label == "–"
    assert chart.description == (
        "Bar chart: Minutes sent within 24 hours, by month, January 2026 to March 2026. "
        "The table beside the chart gives each figure."
    )


def test_the_trends_page_draws_each_chart_beside_its_table(p, frozen, client_for, maya) -> None:  # noqa: ANN001
    b.discussion(p, held_at=b.at(2, 10), distributed_at=b.at(2, 20))

    text = client_for(maya).get("/dashboards/trends/").text

    assert text.count('<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="') == 5
    assert text.count('<table class="govuk-table') == 5
    assert "March 2026" in text and "April 2025" in text
    assert len(trend_charts(monthly_figures(None, NOW))) == 5


def february_and_march(p) -> None:  # noqa: ANN001
    on_time = b.discussion(p, held_at=b.at(2, 10, month=2), distributed_at=b.at(2, 20, month=2))
    late = b.discussion(p, held_at=b.at(20, 10, month=2), distributed_at=b.at(22, 9, month=2))
    for d in (on_time, late):
        for key in ("csc", "police", "hospital"):
            b.invite(d, p.agencies[key], "attended")
    b.discussion(p, held_at=b.at(5, 10), distributed_at=b.at(5, 12), team=p.south, chair=p.nadia)


def test_settled_months_are_stored_and_agree_with_the_records(p, frozen) -> None:  # noqa: ANN001
    february_and_march(p)
    live = monthly_figures(None, NOW)

    # February ended more than 4 days ago; March is this month.
    assert monthly_summaries_rebuild(NOW) == 11
    assert not MonthlySummary.objects.filter(month=date(2026, 3, 1)).exists()
    assert MonthlySummary.objects.filter(month=date(2026, 2, 1)).count() == 2  # each team

    assert monthly_figures(None, NOW) == live
    assert monthly_figures(p.north.pk, NOW)[-2].discussions == 2
    assert monthly_figures(p.south.pk, NOW)[-2].discussions == 0


def test_trends_read_settled_months_from_their_summaries(p, frozen) -> None:  # noqa: ANN001
    february_and_march(p)
    monthly_summaries_rebuild(NOW)

    # A discussion recorded late in a settled month shows after the next rebuild ...
    b.discussion(p, held_at=b.at(10, 10, month=2))
    assert monthly_figures(None, NOW)[-2].discussions == 2
    monthly_summaries_rebuild(NOW)
    assert monthly_figures(None, NOW)[-2].discussions == 3

    # ... while this month is counted from the records at once.
    b.discussion(p, held_at=b.at(9, 10))
    assert monthly_figures(None, NOW)[-1].discussions == 2


def test_a_month_is_settled_once_its_deadlines_have_passed() -> None:
    assert not month_settled(date(2026, 2, 1), b.at(4, 12))
    assert month_settled(date(2026, 2, 1), b.at(5, 12))
