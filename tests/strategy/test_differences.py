"""Resolving Professional Differences, stage by stage, travelling in time.

The hospital raises a difference with children's social care on Monday 16 March 2026.
Stage 1 (2 working days) ends Wednesday 18th; stage 2 (3) from Thursday 19th ends Tuesday
24th; stage 3 (5) from Wednesday 25th ends Wednesday 1 April; stage 4 (10) from Thursday
2 April steps over Good Friday and Easter Monday and ends Monday 20 April.

Chris chairs; Maya is his line manager; the police's safeguarding lead is on record."""

from collections.abc import Iterator
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.template.loader import render_to_string
from django.urls import reverse

from audit.models import AuditEvent
from minutes.dashboards.filters import Filters
from minutes.dashboards.lists import LISTS
from minutes.dashboards.selectors import Moment
from minutes.document import document_context, minutes_snapshot
from minutes.services.drafting import minutes_draft
from outbox.models import Message, MessageKind
from strategy.models import ProfessionalDifference
from strategy.services.differences import differences_escalate_due
from tests.minutes.records import HeldDiscussion, held_discussion

LONDON = ZoneInfo("Europe/London")


def on(month: int, day: int, hour: int = 9) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=LONDON)


@pytest.fixture
def record(db) -> Iterator[HeldDiscussion]:  # noqa: ANN001
    with time_machine.travel(on(3, 16, 8), tick=False):
        yield held_discussion(held_at=on(3, 13, 10), agencies=3)


def _agency(record: HeldDiscussion, name: str):  # noqa: ANN202
    return record.discussion.invitees.get(agency__name=name).agency


def raise_difference(record: HeldDiscussion, client_for) -> ProfessionalDifference:  # noqa: ANN001
    discussion = record.discussion
    with time_machine.travel(on(3, 16, 10), tick=False):
        response = client_for(discussion.chair).post(
            reverse("strategy:difference_create", args=[discussion.pk]),
            {
                "raising_agency": _agency(record, "Eastmere General Hospital").pk,
                "raised_by": "Dr Hana Paediatrician, named doctor",
                "with_agency": _agency(record, "Eastmere Children's Social Care").pk,
                "raised_with": "The chair",
                "about": "decision",
                "raised_on_0": "16",
                "raised_on_1": "3",
                "raised_on_2": "2026",
                "issue": "The threshold for a section 47 enquiry is met.",
            },
        )
    assert response.status_code == 302
    return ProfessionalDifference.objects.get()


def sweep(month: int, day: int) -> list[int]:
    with time_machine.travel(on(month, day, 7), tick=False):
        return differences_escalate_due()


def escalations() -> list[Message]:
    return list(
        Message.objects.filter(kind=MessageKind.DIFFERENCE_ESCALATION).order_by("created_at")
    )


def test_the_chair_raises_a_difference_for_an_agency_at_stage_1(record, client_for) -> None:  # noqa: ANN001
    difference = raise_difference(record, client_for)

    assert difference.stage == 1
    assert difference.stage_due_on == date(2026, 3, 18)
    assert difference.raising_agency.name == "Eastmere General Hospital"
    assert difference.about == "decision"
    assert difference.stages.get().owner == "Practitioner to practitioner"
    assert AuditEvent.objects.filter(action="difference.opened").count() == 1


def test_each_stage_escalates_when_its_timescale_passes(record, client_for) -> None:  # noqa: ANN001
    difference = raise_difference(record, client_for)

    assert sweep(3, 18) == []  # its last day: not yet
    assert sweep(3, 19) == [difference.pk]
    assert sweep(3, 19) == []  # a second sweep finds nothing to claim
    difference.refresh_from_db()
    assert (difference.stage, difference.stage_due_on) == (2, date(2026, 3, 24))
    assert [m.recipients for m in escalations()] == [["maya@eastmere.gov.uk"]]
    assert "escalated to stage 2" in escalations()[0].subject
    assert "Hana" not in escalations()[0].subject  # no names in subjects

    assert sweep(3, 25) == [difference.pk]
    difference.refresh_from_db()
    assert (difference.stage, difference.stage_due_on) == (3, date(2026, 4, 1))
    assert escalations()[1].recipients == ["lead@eastmere.police.uk"]

    assert sweep(4, 2) == [difference.pk]
    difference.refresh_from_db()
    assert (difference.stage, difference.stage_due_on) == (4, date(2026, 4, 20))  # Easter
    assert escalations()[2].recipients == ["escalation-panel@eastmere-partnership.example"]

    assert sweep(4, 21) == []  # stage 4 is the last: it stays with the panel
    stages = list(difference.stages.values_list("stage", "ended_because"))
    assert stages == [
        (1, "timescale_passed"),
        (2, "timescale_passed"),
        (3, "timescale_passed"),
        (4, ""),
    ]


def test_timescales_and_owners_are_configurable(record, client_for, settings) -> None:  # noqa: ANN001
    settings.RPD_STAGE_WORKING_DAYS = [1, 1, 1, 1]
    settings.RPD_STAGE_OWNERS = ["Workers", "Managers", "Heads", "Board"]

    difference = raise_difference(record, client_for)

    assert difference.stage_due_on == date(2026, 3, 17)
    assert difference.owner == "Workers"


def test_escalation_on_request_is_claimed_once(record, client_for) -> None:  # noqa: ANN001
    difference = raise_difference(record, client_for)
    url = reverse("strategy:difference_escalate", args=[record.discussion.pk, difference.pk])

    with time_machine.travel(on(3, 17, 11), tick=False):
        chair = client_for(record.discussion.chair)  # signed in at that moment
        chair.post(url, {"stage": "1"})
        stale = chair.post(url, {"stage": "1"}, follow=True)  # a second click, same page

    difference.refresh_from_db()
    assert difference.stage == 2
    assert difference.stages.get(stage=1).ended_because == "requested"
    assert len(escalations()) == 1
    assert "It was not escalated" in stale.text


def test_each_stage_records_what_was_agreed_then_the_resolution(record, client_for) -> None:  # noqa: ANN001
    difference = raise_difference(record, client_for)
    pk = record.discussion.pk

    with time_machine.travel(on(3, 17, 15), tick=False):
        chair = client_for(record.discussion.chair)
        chair.post(
            reverse("strategy:difference_stage", args=[pk, difference.pk]),
            {"agreed": "no", "agreement": "Not agreed: social care holds to section 17."},
        )
        chair.post(
            reverse("strategy:difference_resolve", args=[pk, difference.pk]),
            {"outcome": "A section 47 enquiry starts today.", "minutes_must_change": "on"},
        )

    difference.refresh_from_db()
    stage_1 = difference.stages.get()
    assert (stage_1.agreed, stage_1.recorded_at) == (False, on(3, 17, 15))
    assert difference.resolved_at == on(3, 17, 15)
    assert difference.minutes_must_change
    assert sweep(3, 30) == []  # resolved: nothing to escalate
    page = (
        client_for(record.discussion.chair)
        .get(reverse("strategy:difference", args=[pk, difference.pk]))
        .text
    )
    assert "A section 47 enquiry starts today." in page
    assert "Not agreed on 17 March 2026" in page


def test_the_dashboards_list_differences_by_stage_and_past_their_timescale(
    record, client_for
) -> None:  # noqa: ANN001
    difference = raise_difference(record, client_for)
    sweep(3, 19)
    moment = Moment(now=on(3, 26, 12), today=date(2026, 3, 26))

    by_stage = list(LISTS["disagreements-unresolved"].rows(Filters(), moment))
    past = LISTS["differences-past-timescale"]
    rows = list(past.rows(Filters(), moment))

    assert by_stage == [difference]
    assert rows == [difference]  # stage 2 ended on the 24th; the sweep has not run since
    columns = {column.heading: column.value(rows[0], moment) for column in past.columns}
    assert columns["Stage"] == 2
    assert columns["Owner"] == "Team or line managers"
    assert columns["Working days past"] == 2


def test_the_minutes_show_every_difference_and_its_current_stage(record, client_for) -> None:  # noqa: ANN001
    raise_difference(record, client_for)
    sweep(3, 19)

    snapshot = minutes_snapshot(record.discussion)

    [shown] = snapshot["professional_differences"]
    assert shown["stage"] == 2
    assert shown["current"] == "Stage 2: Team or line managers, due by 24 March 2026"
    assert [s["stage"] for s in shown["stages"]] == [1, 2]
    assert shown["raising_agency"] == "Eastmere General Hospital"

    draft = minutes_draft(discussion=record.discussion, user=record.chair)
    page = " ".join(
        render_to_string("minutes/_document_body.html", document_context(draft)).split()
    )
    assert "Current stage: Stage 2: Team or line managers, due by 24 March 2026." in page
    assert "Stage 1 (Practitioner to practitioner), from 16 March 2026, due by 18 March" in page
