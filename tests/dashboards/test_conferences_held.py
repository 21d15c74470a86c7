"""A conference recorded as held leaves the conferences due: the chair or a manager records
the day, once, and the list reads only those still to be held."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from minutes.dashboards.filters import Filters
from minutes.dashboards.lists import LISTS
from minutes.dashboards.selectors import Moment
from strategy.models import ChildDecision
from strategy.services.decisions import conference_held_record
from tests.dashboards import builders as b
from tests.dashboards.conftest import NOW

MOMENT = Moment(now=NOW, today=NOW.date())


def due() -> list[ChildDecision]:
    return list(LISTS["conferences-due"].rows(Filters(), MOMENT))


def url(decision: ChildDecision) -> str:
    child = decision.child
    return f"/discussions/{child.discussion_id}/children/{child.pk}/conference-held/"


def day_parts(day: date) -> dict[str, str]:
    return {"held_on_0": str(day.day), "held_on_1": str(day.month), "held_on_2": str(day.year)}


@pytest.fixture
def overdue(p, frozen) -> ChildDecision:  # noqa: ANN001
    d = b.discussion(p, held_at=b.at(2, 9), chair=p.chris, team=p.north)
    return b.child(d, conference_due_by=date(2026, 3, 10)).decision


def test_a_conference_recorded_as_held_leaves_the_list(overdue) -> None:  # noqa: ANN001
    assert due() == [overdue]

    assert conference_held_record(decision=overdue, held_on=date(2026, 3, 9)) is True

    assert due() == []
    overdue.refresh_from_db()
    assert overdue.conference_held_on == date(2026, 3, 9)
    assert not overdue.conference_is_due


def test_it_is_recorded_once(overdue) -> None:  # noqa: ANN001
    conference_held_record(decision=overdue, held_on=date(2026, 3, 9))

    assert conference_held_record(decision=overdue, held_on=date(2026, 3, 12)) is False
    overdue.refresh_from_db()
    assert overdue.conference_held_on == date(2026, 3, 9)


@pytest.mark.parametrize("held_on", [date(2026, 3, 1), date(2026, 3, 19)])
def test_a_day_before_the_discussion_or_in_the_future_is_refused(overdue, held_on) -> None:  # noqa: ANN001
    with pytest.raises(ValidationError):
        conference_held_record(decision=overdue, held_on=held_on)
    assert due() == [overdue]


def test_the_chair_records_it_from_a_form(p, overdue, client_for) -> None:  # noqa: ANN001
    chris = client_for(p.chris)
    page = chris.get(f"/discussions/{overdue.child.discussion_id}/summary/").content.decode()
    assert f'href="{url(overdue)}"' in page
    assert chris.get(url(overdue)).status_code == 200

    response = chris.post(url(overdue), day_parts(date(2026, 3, 11)))

    assert response.status_code == 302
    assert due() == []
    page = chris.get(f"/discussions/{overdue.child.discussion_id}/summary/").content.decode()
    assert "Wednesday 11 March 2026" in page
    assert f'href="{url(overdue)}"' not in page


def test_a_manager_may_record_it_and_another_chair_may_not(p, overdue, client_for) -> None:  # noqa: ANN001
    assert client_for(p.nadia).post(url(overdue), day_parts(date(2026, 3, 11))).status_code == 404
    assert due() == [overdue]

    response = client_for(p.people["maya"]).post(url(overdue), day_parts(date(2026, 3, 11)))

    assert response.status_code == 302
    assert due() == []


def test_a_future_day_is_shown_as_an_error(p, overdue, client_for) -> None:  # noqa: ANN001
    response = client_for(p.chris).post(url(overdue), day_parts(date(2026, 4, 1)))

    assert response.status_code == 200
    assert "The date must be today or in the past" in response.content.decode()
    assert due() == [overdue]
