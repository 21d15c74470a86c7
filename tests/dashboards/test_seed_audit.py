"""The partnership's audit of ten strategy discussions (seeds/000), rebuilt as records, and
the audit page printing what the audit group found.

Ten planned discussions, held 2 to 13 March 2026, every one about a child whose GP
(Riverside Medical Centre) is known:
- three were delayed: the concern was raised five working days before they were held,
  against a timescale of three; the other seven were held the day the concern was raised;
- six had police, health and children's social care taking part; in the other four the
  police (three) or health (one) neither attended nor sent information;
- housing was a factor in three, and housing took part in two of them;
- no GP was invited and none was sent the minutes;
- every child has a decision with its rationale, and every discussion a plan with actions.
"""

from datetime import date, timedelta

import pytest

from minutes.dashboards.audit import audit_figures
from minutes.dashboards.filters import Filters
from minutes.dashboards.measures import Proportion
from strategy.working_days import add_working_days
from tests.dashboards import builders as b
from tests.dashboards.conftest import NOW
from tests.dashboards.test_exports import download

HELD_ON = [2, 3, 4, 5, 6, 9, 10, 11, 12, 13]
DELAYED = {11, 12, 13}
MISSING = {9: "police", 10: "police", 11: "hospital", 12: "police"}
HOUSING = {2: "attended", 5: "attended", 10: "did_not_attend"}
PERIOD = {"start_0": "1", "start_1": "3", "start_2": "2026", "end_0": "18", "end_1": "3",
          "end_2": "2026"}  # fmt: skip


def _concern_day(held: int) -> int:
    day = date(2026, 3, held)
    if held not in DELAYED:
        return held
    back = day
    for _ in range(5):  # five working days before, none of them a bank holiday
        back -= timedelta(days=1)
        while back.weekday() >= 5:
            back -= timedelta(days=1)
    assert add_working_days(back, 5) == day
    return back.day


@pytest.fixture
def seed_audit(p, frozen) -> None:  # noqa: ANN001, PT004
    a = p.agencies
    for held in HELD_ON:
        d = b.discussion(
            p,
            held_at=b.at(held, 14),
            concern_raised_at=b.at(_concern_day(held), 9),
            distributed_at=b.at(held, 20),
            housing=held in HOUSING,
            delay_reason="The police were not available." if held in DELAYED else "",
        )
        for key in ("csc", "police", "hospital"):
            took_part = MISSING.get(held) != key
            b.invite(
                d,
                a[key],
                "attended" if took_part else "did_not_attend",
                "Fictional information shared." if took_part else "",
            )
        if held in HOUSING:
            b.invite(d, a["housing"], HOUSING[held])
        b.child(d, gp=a["gp_a"])
        b.action(d, a["csc"], due_by=date(2026, 3, 31))


def test_the_figures_match_the_audit_group_findings(seed_audit) -> None:  # noqa: ANN001
    figures = audit_figures(Filters(start=date(2026, 3, 1), end=date(2026, 3, 18)), NOW)

    assert figures.discussions == 10
    assert figures.held_within_timescale == Proportion(7, 10)
    assert figures.statutory_partners_took_part == Proportion(6, 10)
    assert figures.statutory_partners_attended == Proportion(6, 10)
    assert figures.housing_involved == Proportion(2, 3)
    assert figures.every_known_gp_invited == Proportion(0, 10)
    assert figures.gp_involved == Proportion(0, 10)
    assert figures.every_known_gp_sent_minutes == Proportion(0, 10)
    assert figures.minutes_within_24_hours == Proportion(10, 10)
    assert figures.shared_by_police == Proportion(7, 10)
    assert figures.shared_by_health == Proportion(9, 10)
    assert figures.rationale_for_every_child == Proportion(10, 10)
    assert figures.plan_with_actions == Proportion(10, 10)


def test_the_audit_page_prints_what_the_audit_found(seed_audit, client_for, maya) -> None:  # noqa: ANN001
    text = client_for(maya).get("/dashboards/audit/", PERIOD).text

    assert "3 delayed" in text
    assert "6 of 10 discussions had police, health and children&#x27;s social care" in text
    assert "Housing was missing from 1 of the 3 discussions where housing was a factor" in text
    assert (
        "Every known GP was invited in none of 10 discussions with a known GP, and sent the "
        "minutes in none of 10" in text
    )


def test_the_csv_quotes_six_of_ten(seed_audit, client_for, maya) -> None:  # noqa: ANN001
    rows = download(client_for(maya), "/dashboards/audit/figures.csv", PERIOD)

    period = ["All teams", "2026-03-01", "2026-03-18"]
    assert ["Police, health and children's social care took part", "Discussion", "6", "10", "60",
            "", *period] in rows  # fmt: skip
    assert ["Held within timescale", "Discussion", "7", "10", "70", "", *period] in rows
    assert ["Held within timescale", "Child", "7", "10", "70", "", *period] in rows
    assert ["Every known GP invited", "Discussion", "0", "10", "0", "", *period] in rows


def test_the_delayed_discussions_are_listed_late(seed_audit, client_for, maya) -> None:  # noqa: ANN001
    rows = download(client_for(maya), "/dashboards/discussions-late/download.csv")

    assert rows[0][:7] == ["Discussion", "Urgency", "Concern raised", "Due by", "Held",
                           "Working days late", "Reason for the delay"]  # fmt: skip
    assert [(row[3], row[5], row[6]) for row in rows[1:]] == [
        ("2026-03-09", "2", "The police were not available."),
        ("2026-03-10", "2", "The police were not available."),
        ("2026-03-11", "2", "The police were not available."),
    ]
