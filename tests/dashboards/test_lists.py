"""The dashboard's lists: what is on each, how the filters narrow them, and paging.

Now is noon on Wednesday 18 March 2026. Five working days on is Wednesday 25 March.
"""

from datetime import date, timedelta
from typing import Any

import pytest

from minutes.dashboards.filters import Filters
from minutes.dashboards.lists import LISTS
from minutes.dashboards.selectors import Moment
from strategy.working_days import is_working_day, working_days_between
from tests.dashboards import builders as b
from tests.dashboards.conftest import NOW

MOMENT = Moment(now=NOW, today=NOW.date())


@pytest.fixture
def backlog(p, frozen):  # noqa: ANN001
    """One of everything a manager chases, and a near miss beside each."""
    a = p.agencies
    made: dict[str, Any] = {}
    made["overdue"] = b.discussion(p, held_at=b.at(16, 9))  # 51 hours ago
    b.invite(made["overdue"], a["police"])
    made["at_risk"] = b.discussion(p, held_at=b.at(17, 16), team=p.south, chair=p.nadia)
    made["recent"] = b.discussion(p, held_at=b.at(17, 20))  # 16 hours ago: neither

    sent = b.discussion(p, held_at=b.at(10, 9), distributed_at=b.at(10, 12))
    made["sent"] = sent
    v = b.version(sent)
    made["new"] = b.delivery(v, a["police"], sent_at=b.at(18, 2))
    made["days"] = b.delivery(v, a["hospital"], sent_at=b.at(16, 12), chases=1)
    made["old"] = b.delivery(
        v, a["housing"], sent_at=b.at(10, 12), chases=4, escalated_at=b.at(14, 12)
    )
    b.delivery(v, a["csc"], sent_at=b.at(10, 12), confirmed_after=timedelta(hours=3))
    made["revoked"] = b.delivery(v, a["school"], sent_at=b.at(10, 12), revoked_at=b.at(10, 13))
    made["failed"] = b.delivery(
        v, a["gp_a"], sent_at=None, status="failed", last_error="550 5.1.1 Mailbox unavailable"
    )
    disputed = b.discussion(
        p, held_at=b.at(11, 9), team=p.south, chair=p.nadia, distributed_at=b.at(11, 12)
    )
    dv = b.version(disputed)
    receipted = {"sent_at": b.at(11, 12), "confirmed_after": timedelta(hours=2)}
    made["dispute"] = b.dispute(b.delivery(dv, a["hospital"], **receipted), raised_at=b.at(12, 9))
    b.dispute(
        b.delivery(dv, a["police"], **receipted),
        raised_at=b.at(12, 9),
        resolved_at=b.at(13, 9),
    )
    made["difference"] = b.difference(sent, opened_at=b.at(10, 12))
    b.difference(sent, opened_at=b.at(10, 12), resolved_at=b.at(11, 12))

    made["follow_up"] = b.discussion(
        p,
        held_at=None,
        scheduled_for=b.at(14, 10),
        follows=sent,
        follow_up_due_by=date(2026, 3, 15),
    )
    b.discussion(
        p,
        held_at=None,
        scheduled_for=b.at(24, 10),
        follows=sent,
        follow_up_due_by=date(2026, 3, 25),
    )
    made["due_soon"] = b.child(sent, conference_due_by=date(2026, 3, 20)).decision
    made["conference_overdue"] = b.child(sent, conference_due_by=date(2026, 3, 10)).decision
    b.child(sent, conference_due_by=date(2026, 3, 26))  # six working days on
    closed = b.discussion(p, held_at=b.at(2, 9), distributed_at=b.at(2, 12), closed_at=b.at(12, 9))
    b.child(closed, conference_due_by=date(2026, 3, 12))

    made["action"] = b.action(sent, a["police"], due_by=date(2026, 3, 17))
    b.action(sent, a["police"], due_by=date(2026, 3, 17), completed_at=b.at(17, 9))
    b.action(sent, a["hospital"], due_by=date(2026, 3, 19))
    return made


def rows(slug: str, filters: Filters | None = None) -> list:
    return list(LISTS[slug].rows(filters or Filters(), MOMENT))


def test_each_list_holds_what_is_owed_and_nothing_else(backlog) -> None:  # noqa: ANN001
    assert rows("minutes-overdue") == [backlog["overdue"]]
    assert rows("minutes-at-risk") == [backlog["at_risk"]]
    assert rows("receipts-under-24-hours") == [backlog["new"]]
    assert rows("receipts-1-to-3-days") == [backlog["days"]]
    assert rows("receipts-over-3-days") == [backlog["old"]]
    assert [m.delivery_id for m in rows("failed-messages")] == [backlog["failed"].pk]
    assert rows("pdfs-not-made") == []
    assert rows("amendments-overdue") == []
    assert rows("sent-in-error") == [backlog["revoked"]]
    assert rows("disputed-minutes") == [backlog["dispute"]]
    assert rows("disagreements-unresolved") == [backlog["difference"]]
    assert rows("follow-ups-overdue") == [backlog["follow_up"]]
    assert rows("conferences-due") == [backlog["conference_overdue"], backlog["due_soon"]]
    assert rows("actions-overdue") == [backlog["action"]]


def test_filters_narrow_by_team_chair_agency_and_date(backlog, p) -> None:  # noqa: ANN001
    assert rows("minutes-overdue", Filters(team_id=p.south.pk)) == []
    assert rows("minutes-at-risk", Filters(chair_id=p.nadia.pk)) == [backlog["at_risk"]]
    assert rows("minutes-at-risk", Filters(chair_id=p.chris.pk)) == []
    police = p.agencies["police"].pk
    assert rows("minutes-overdue", Filters(agency_id=police)) == [backlog["overdue"]]
    assert rows("receipts-over-3-days", Filters(agency_id=police)) == []
    assert rows("actions-overdue", Filters(agency_id=police)) == [backlog["action"]]
    assert rows("minutes-overdue", Filters(start=date(2026, 3, 17))) == []
    assert rows("minutes-overdue", Filters(end=date(2026, 3, 16))) == [backlog["overdue"]]
    assert rows("disputed-minutes", Filters(team_id=p.north.pk)) == []


def test_a_list_page_shows_its_rows_with_links(backlog, client_for, maya) -> None:  # noqa: ANN001
    response = client_for(maya).get("/dashboards/minutes-overdue/")

    assert response.status_code == 200
    text = response.text
    assert "1 found" in text
    assert backlog["overdue"].reference in text
    assert f'href="/discussions/{backlog["overdue"].pk}/"' in text
    assert "1 day 3 hours" in text  # due at 09:00 on the 17th; now noon on the 18th
    assert "Download CSV" in text


def test_the_receipts_list_shows_chases_and_escalation(backlog, client_for, maya) -> None:  # noqa: ANN001
    text = client_for(maya).get("/dashboards/receipts-over-3-days/").text

    assert "Eastmere Housing Options" in text
    assert "14 Mar 2026 12:00" in text  # escalated
    assert "8 days" in text  # waiting since noon on the 10th


def test_the_failed_list_shows_the_servers_reply(backlog, client_for, maya) -> None:  # noqa: ANN001
    text = client_for(maya).get("/dashboards/failed-messages/").text

    assert "550 5.1.1 Mailbox unavailable" in text


def test_the_dashboard_counts_each_list_and_links_to_it(backlog, client_for, maya) -> None:  # noqa: ANN001
    text = client_for(maya).get("/dashboards/").text

    for slug in LISTS:
        assert f'href="/dashboards/{slug}/"' in text
    assert 'govuk-tag--red">2</strong>' in text  # the two conferences


def test_the_dashboard_links_carry_its_filters(backlog, client_for, maya, p) -> None:  # noqa: ANN001
    text = client_for(maya).get("/dashboards/", {"team": p.south.pk}).text

    assert f'href="/dashboards/minutes-at-risk/?team={p.south.pk}"' in text


def test_long_lists_page_through_25_at_a_time(p, frozen, client_for, maya) -> None:  # noqa: ANN001
    for hour in range(30):
        b.discussion(p, held_at=b.at(10, 0) + timedelta(hours=hour))

    first = client_for(maya).get("/dashboards/minutes-overdue/").text
    second = client_for(maya).get("/dashboards/minutes-overdue/", {"page": "2"}).text

    assert "30 found" in first
    assert first.count('class="govuk-table__row"') == 26  # the header and 25 rows
    assert "Page 1 of 2" in first
    assert second.count('class="govuk-table__row"') == 6
    assert client_for(maya).get("/dashboards/minutes-overdue/", {"page": "x"}).status_code == 200


def test_an_unknown_list_is_not_found(client_for, maya) -> None:  # noqa: ANN001
    assert client_for(maya).get("/dashboards/minutes-overdue-ish/").status_code == 404


@pytest.mark.parametrize(
    ("first", "last", "days"),
    [
        (date(2026, 3, 18), date(2026, 3, 25), 5),  # Wednesday to Wednesday
        (date(2026, 3, 18), date(2026, 3, 18), 0),
        (date(2026, 3, 25), date(2026, 3, 18), -5),
        (date(2026, 4, 2), date(2026, 4, 7), 1),  # Good Friday and Easter Monday
        (date(2025, 12, 24), date(2026, 1, 2), 4),  # Christmas, Boxing Day, New Year's Day
    ],
)
def test_working_days_between_skip_weekends_and_bank_holidays(first, last, days) -> None:  # noqa: ANN001
    assert working_days_between(first, last) == days
    slow = sum(is_working_day(first + timedelta(days=n)) for n in range(1, (last - first).days + 1))
    assert days == slow or last < first


def test_working_days_between_years_are_counted_quickly() -> None:
    assert working_days_between(date(2006, 3, 18), date(2026, 3, 18)) > 5000


def test_late_discussions_include_those_not_yet_held_and_past_their_timescale(p, frozen) -> None:  # noqa: ANN001
    # Planned, concern on Monday 9 March: due by Thursday 12th.
    held_late = b.discussion(p, held_at=b.at(16, 9), concern_raised_at=b.at(9, 9))
    b.discussion(p, held_at=b.at(12, 9), concern_raised_at=b.at(9, 9))  # on time
    not_held = b.discussion(
        p, held_at=None, scheduled_for=b.at(20, 9), concern_raised_at=b.at(9, 9)
    )
    b.discussion(p, held_at=None, scheduled_for=b.at(20, 9), concern_raised_at=b.at(17, 9))

    late = LISTS["discussions-late"]
    rows = list(late.rows(Filters(), MOMENT))

    assert rows == [held_late, not_held]
    days_late = late.columns[5]
    assert [days_late.value(row, MOMENT) for row in rows] == [2, 4]  # 13, 16; 13 to 18
