"""Stage 1 of a professional difference: whoever it is raised with hears of it at once.

The hospital raises a difference with children's social care on Monday 16 March 2026; stage 1
(2 working days) ends Wednesday 18th. Chris chairs and owns the record; Sam is children's
social care's safeguarding lead. The discussion is about a fictional baby, Rowan Testcase."""

from collections.abc import Iterator
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.db import transaction
from django.urls import reverse

from outbox.models import Message, MessageKind, MessageState
from outbox.sending import message_send
from strategy.models import ProfessionalDifference
from strategy.services.differences import difference_open
from tests.factories import ContactFactory
from tests.minutes.records import HeldDiscussion, held_discussion

LONDON = ZoneInfo("Europe/London")
MONDAY = datetime(2026, 3, 16, 10, tzinfo=LONDON)
ISSUE = "Rowan Testcase's bruising meets the threshold for a section 47 enquiry."


@pytest.fixture
def record(db) -> Iterator[HeldDiscussion]:  # noqa: ANN001
    with time_machine.travel(datetime(2026, 3, 16, 8, tzinfo=LONDON), tick=False):
        yield held_discussion(held_at=datetime(2026, 3, 13, 10, tzinfo=LONDON), agencies=3)


def agency(record: HeldDiscussion, name: str):  # noqa: ANN201
    return record.discussion.invitees.get(agency__name=name).agency


def social_care_lead(record: HeldDiscussion, email: str = "sam.lead@eastmere.gov.uk") -> None:
    ContactFactory.create(
        agency=agency(record, "Eastmere Children's Social Care"),
        name="Sam Lead",
        email=email,
        is_safeguarding_lead=True,
    )


def open_with_social_care(record: HeldDiscussion, **fields: object) -> ProfessionalDifference:
    with time_machine.travel(MONDAY, tick=False):
        return difference_open(
            discussion=record.discussion,
            opened_by=record.chair,
            raising_agency=agency(record, "Eastmere General Hospital"),
            raised_by="Dr Hana Paediatrician, named doctor",
            with_agency=agency(record, "Eastmere Children's Social Care"),
            raised_with="The duty team manager",
            raised_on=date(2026, 3, 16),
            issue=ISSUE,
            **fields,
        )


def notices() -> list[Message]:
    return list(Message.objects.filter(kind=MessageKind.DIFFERENCE_OPENED))


def test_raising_a_difference_owes_the_chair_and_the_agencys_leads_one_notice(
    record, client_for
) -> None:  # noqa: ANN001
    social_care_lead(record)
    discussion = record.discussion
    with time_machine.travel(MONDAY, tick=False):
        response = client_for(record.chair).post(
            reverse("strategy:difference_create", args=[discussion.pk]),
            {
                "raising_agency": agency(record, "Eastmere General Hospital").pk,
                "raised_by": "Dr Hana Paediatrician, named doctor",
                "with_agency": agency(record, "Eastmere Children's Social Care").pk,
                "raised_with": "The duty team manager",
                "about": "decision",
                "raised_on_0": "16",
                "raised_on_1": "3",
                "raised_on_2": "2026",
                "issue": ISSUE,
            },
        )
    assert response.status_code == 302
    difference = ProfessionalDifference.objects.get()

    [notice] = notices()
    assert notice.recipients == ["chris@eastmere.gov.uk", "sam.lead@eastmere.gov.uk"]
    assert notice.discussion_id == discussion.pk
    assert notice.about_id == difference.pk
    assert notice.state == MessageState.QUEUED
    assert notice.subject == (
        "Professional difference raised on strategy discussion SD-2026-00077: "
        "stage 1 due by 18 March 2026"
    )
    assert "Rowan" not in notice.subject
    assert "Stage 1: Practitioner to practitioner" in notice.body
    assert "Wednesday 18 March 2026" in notice.body
    assert "about a decision in strategy discussion SD-2026-00077" in notice.body
    assert f"/discussions/{discussion.pk}/differences/{difference.pk}/" in notice.body
    assert ISSUE in notice.body  # every recipient is on a secure domain


def test_sending_the_notice_delivers_an_email_that_names_no_child(record) -> None:  # noqa: ANN001
    social_care_lead(record)
    open_with_social_care(record)
    [notice] = notices()

    with time_machine.travel(MONDAY, tick=False):
        message_send(notice.pk)

    notice.refresh_from_db()
    assert notice.state == MessageState.SENT
    [email] = mail.outbox
    assert sorted(email.to) == ["chris@eastmere.gov.uk", "sam.lead@eastmere.gov.uk"]
    assert "SD-2026-00077" in email.subject
    assert "Rowan" not in email.subject
    assert "Testcase" not in email.subject


def test_an_address_off_the_secure_domains_is_not_given_the_issue(record) -> None:  # noqa: ANN001
    social_care_lead(record, email="sam.lead@example.com")

    open_with_social_care(record)

    [notice] = notices()
    assert "sam.lead@example.com" in notice.recipients
    assert "Rowan" not in notice.subject
    assert "Rowan" not in notice.body
    assert ISSUE not in notice.body
    assert "does not give the issue" in notice.body


def test_with_no_agency_or_no_lead_on_record_the_chair_alone_hears(record) -> None:  # noqa: ANN001
    open_with_social_care(record)  # children's social care has no safeguarding lead
    with time_machine.travel(MONDAY, tick=False):
        difference_open(
            discussion=record.discussion,
            opened_by=record.chair,
            raised_by="Fictional health visitor",
            raised_with="Fictional team manager",
            raised_on=date(2026, 3, 16),
            issue="Fictional.",
        )

    assert [n.recipients for n in notices()] == [["chris@eastmere.gov.uk"]] * 2


def test_the_notice_is_owed_in_the_differences_transaction(record) -> None:  # noqa: ANN001
    with pytest.raises(RuntimeError), transaction.atomic():
        open_with_social_care(record)
        raise RuntimeError("the request failed after the difference was opened")

    assert not ProfessionalDifference.objects.exists()
    assert notices() == []
