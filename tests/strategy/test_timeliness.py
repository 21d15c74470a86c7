"""Timeliness of the discussion: when the concern was raised, the timescale its urgency
sets in working days (England and Wales bank holidays excluded), and the reason asked for
when it was held late.

Easter 2026: Good Friday 3 April and Easter Monday 6 April are bank holidays.
Christmas 2026: 25 December (Friday) and Boxing Day observed on Monday 28 December."""

import re
from datetime import date, datetime

import pytest
from django.urls import reverse

from strategy.models import Discussion
from tests.strategy.conftest import LONDON
from tests.strategy.test_views import date_parts, schedule_data


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=LONDON)


def timescale(urgency: str, concern: date, emergency: date | None = None) -> date | None:
    discussion = Discussion(urgency=urgency, concern_raised_at=at(concern))
    if emergency:
        discussion.emergency_action_at = at(emergency, 18)
    return discussion.expected_by()


@pytest.mark.parametrize(
    ("urgency", "concern", "emergency", "due"),
    [
        # Planned: three working days, stepping over Good Friday and Easter Monday.
        ("planned", date(2026, 4, 2), None, date(2026, 4, 9)),
        # Immediate: the same working day; a Saturday concern starts on Tuesday after Easter.
        ("immediate", date(2026, 4, 4), None, date(2026, 4, 7)),
        ("immediate", date(2026, 3, 18), None, date(2026, 3, 18)),
        # Retrospective: one working day from the emergency action, not the concern.
        ("retrospective", date(2026, 3, 30), date(2026, 4, 2), date(2026, 4, 7)),
        # Over Christmas: Thursday 24th, then Tuesday 29th and Wednesday 30th.
        ("planned", date(2026, 12, 23), None, date(2026, 12, 30)),
    ],
)
def test_the_timescale_counts_working_days_across_bank_holidays(
    urgency: str, concern: date, emergency: date | None, due: date
) -> None:
    assert timescale(urgency, concern, emergency) == due


def test_the_timescale_is_configurable(settings) -> None:  # noqa: ANN001
    settings.DISCUSSION_TIMESCALE_WORKING_DAYS = {
        "immediate": 1,
        "planned": 5,
        "retrospective": 2,
    }

    assert timescale("planned", date(2026, 4, 2)) == date(2026, 4, 13)
    assert timescale("immediate", date(2026, 3, 18)) == date(2026, 3, 19)


def test_without_the_concern_date_there_is_no_timescale() -> None:
    assert Discussion(urgency="planned").expected_by() is None
    assert not Discussion(urgency="planned").is_late()


def test_held_late_is_a_day_after_the_timescale(discussion) -> None:  # noqa: ANN001
    discussion.concern_raised_at = at(date(2026, 11, 16))  # Monday: due Thursday 19th
    discussion.held_at = at(date(2026, 11, 19), 17)
    discussion.save()
    assert discussion.timescale_due_on == date(2026, 11, 19)
    assert not discussion.is_late()

    discussion.held_at = at(date(2026, 11, 20), 9)
    discussion.save()
    assert discussion.is_late()


def test_the_chair_records_when_the_concern_was_raised(
    chair, minute_taker, team, client_for
) -> None:  # noqa: ANN001
    data = schedule_data(
        team,
        chair,
        minute_taker,
        urgency="retrospective",
        **date_parts("concern_raised_on", date(2026, 3, 30)),
        concern_raised_time="08:15",
        **date_parts("emergency_action_on", date(2026, 4, 2)),
        emergency_action_time="18:00",
    )

    client_for(chair).post(reverse("strategy:create"), data)

    discussion = Discussion.objects.get()
    assert discussion.concern_raised_at == datetime(2026, 3, 30, 8, 15, tzinfo=LONDON)
    assert discussion.emergency_action_at == datetime(2026, 4, 2, 18, tzinfo=LONDON)
    assert discussion.timescale_due_on == date(2026, 4, 7)


def test_the_emergency_action_is_revealed_under_retrospective(chair, client_for) -> None:  # noqa: ANN001
    text = client_for(chair).get(reverse("strategy:create")).text

    assert 'data-aria-controls="conditional-id_urgency_2"' in text
    assert 'id="conditional-id_urgency_2"' in text
    assert "Date of the emergency action" in text


def _held(discussion: Discussion, day: date, **answers: str) -> dict[str, str]:
    return {
        "revision": str(discussion.revision),
        **date_parts("held_on", day),
        "held_time": "09:00",
        **answers,
    }


@pytest.fixture
def due_thursday(discussion) -> Discussion:  # noqa: ANN001
    """Concern raised Monday 16 November 2026, planned: due by Thursday 19th."""
    discussion.concern_raised_at = at(date(2026, 11, 16))
    discussion.save()
    return discussion


def test_a_late_discussion_asks_for_the_reason_for_the_delay(
    due_thursday, chair, client_for
) -> None:  # noqa: ANN001
    url = reverse("strategy:attendance", args=[due_thursday.pk])
    client = client_for(chair)

    page = client.get(url).text
    assert "Was it held by 19 November 2026, within its timescale?" in page
    assert 'id="conditional-id_within_timescale_1"' in page

    said_on_time = client.post(url, _held(due_thursday, date(2026, 11, 23), within_timescale="yes"))
    assert "It was held after 19 November 2026, the end of its timescale: select No" in (
        said_on_time.text
    )
    no_reason = client.post(url, _held(due_thursday, date(2026, 11, 23), within_timescale="no"))
    assert "Enter the reason for the delay" in no_reason.text

    client.post(
        url,
        _held(
            due_thursday,
            date(2026, 11, 23),
            within_timescale="no",
            delay_reason="The police officer in the case was not available until Monday.",
        ),
    )
    due_thursday.refresh_from_db()
    assert due_thursday.is_late()
    assert due_thursday.delay_reason.startswith("The police officer")


def test_on_time_needs_no_reason(due_thursday, chair, client_for) -> None:  # noqa: ANN001
    url = reverse("strategy:attendance", args=[due_thursday.pk])

    client_for(chair).post(url, _held(due_thursday, date(2026, 11, 19), within_timescale="yes"))

    due_thursday.refresh_from_db()
    assert due_thursday.held_at == at(date(2026, 11, 19), 9)
    assert not due_thursday.is_late()
    assert due_thursday.delay_reason == ""


def test_the_answer_about_the_timescale_is_shown_again_when_the_page_is_reopened(
    due_thursday, chair, client_for
) -> None:  # noqa: ANN001
    """Saved once, the answer is there next time: a later save of the page (a late agency's
    attendance, say) must not be refused for a question already answered."""
    url = reverse("strategy:attendance", args=[due_thursday.pk])
    client = client_for(chair)
    client.post(url, _held(due_thursday, date(2026, 11, 19), within_timescale="yes"))

    page = client.get(url).text
    radios = re.findall(r'<input[^>]*name="within_timescale"[^>]*>', page)
    assert [("checked" in radio) for radio in radios] == [True, False]  # Yes, No
    assert 'value="yes"' in radios[0]
    due_thursday.refresh_from_db()
    resaved = client.post(url, _held(due_thursday, date(2026, 11, 19), within_timescale="yes"))
    assert resaved.status_code == 302
