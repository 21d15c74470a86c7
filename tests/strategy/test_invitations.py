"""Invitation emails: who gets one, what it says, and what it never says."""

import smtplib
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend

from agencies.models import AgencyKind
from outbox.models import Message, MessageKind, MessageState
from outbox.tasks import send_messages, sweep
from strategy.invitations import invitation_ics, invitations_cancel, invitations_queue
from strategy.models import Adult, Child, Discussion, Invitee
from tests.factories import AgencyFactory, ContactFactory, TeamFactory, UserFactory

LONDON = ZoneInfo("Europe/London")
CHILD_FIRST_NAME, CHILD_LAST_NAME = "Jaydenne", "Fictional-Example"
ADULT_NAME = "Morwenna Madeup-Parent"
NAMES = [CHILD_FIRST_NAME, CHILD_LAST_NAME, ADULT_NAME, "Morwenna", "Madeup-Parent"]


class RefusingBackend(BaseEmailBackend):
    """An SMTP server that drops the connection."""

    attempts = 0

    def send_messages(self, email_messages: Any) -> int:
        RefusingBackend.attempts += 1
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


@pytest.fixture(autouse=True)
def _celery_runs_tasks_at_once(settings):  # noqa: ANN001
    settings.CELERY_TASK_ALWAYS_EAGER = True


def discussion_with_invitees(
    *, scheduled_for: datetime, joining_details: str = "Room 4, Eastmere House; door code 1234"
) -> tuple[Discussion, Invitee, Invitee]:
    """A video call about one child and her mother, with police and a hospital invited.

    The police are invited through their named contact, the hospital through its secure
    address.
    """
    team = TeamFactory.create(name="Eastmere Assessment Team")
    chair = UserFactory.create(username="bob", first_name="Bob", last_name="Chair", role="chair")
    minute_taker = UserFactory.create(username="mo", role="minute_taker")
    discussion = Discussion.objects.create(
        reference="SD-2026-0042",
        format="video",
        urgency="planned",
        scheduled_for=scheduled_for,
        joining_details=joining_details,
        reason="Bruising seen at nursery",
        team=team,
        chair=chair,
        minute_taker=minute_taker,
        created_by=chair,
    )
    Child.objects.create(
        discussion=discussion,
        first_name=CHILD_FIRST_NAME,
        last_name=CHILD_LAST_NAME,
        needs="Speech delay; needs a familiar adult present",
    )
    Adult.objects.create(discussion=discussion, name=ADULT_NAME, relationship="mother")
    police = AgencyFactory.create(name="Eastmere Police", kind=AgencyKind.POLICE)
    police_contact = ContactFactory.create(agency=police, email="ds.example@eastmere.police.uk")
    hospital = AgencyFactory.create(name="Eastmere Hospital", secure_email="safeguarding@nhs.net")
    by_contact = Invitee.objects.create(
        discussion=discussion,
        agency=police,
        contact=police_contact,
        why_invited="Police: statutory partner",
    )
    by_agency = Invitee.objects.create(
        discussion=discussion, agency=hospital, why_invited="Health: acute hospital trust"
    )
    return discussion, by_contact, by_agency


def send_all(discussion: Discussion, invitees: list[Invitee], capture: Any) -> None:
    with capture(execute=True):
        invitations_queue(discussion=discussion, invitees=invitees)


def ics_properties(ics: str) -> dict[str, str]:
    unfolded = ics.replace("\r\n ", "")
    properties: dict[str, str] = {}
    for line in unfolded.split("\r\n"):
        if line:
            name, _, value = line.partition(":")
            properties.setdefault(name.split(";")[0], value)
    return properties


def attached_ics(message: mail.EmailMessage) -> str:
    [(filename, content, mimetype)] = message.attachments
    assert filename == "invitation.ics"
    assert mimetype == "text/calendar; method=REQUEST"
    return str(content)


@pytest.mark.django_db
def test_each_invitee_gets_one_email_at_their_agencys_address(
    django_capture_on_commit_callbacks,
):
    discussion, by_contact, by_agency = discussion_with_invitees(
        scheduled_for=datetime(2026, 7, 1, 10, 0, tzinfo=LONDON)
    )

    send_all(discussion, [by_contact, by_agency], django_capture_on_commit_callbacks)

    assert sorted(message.to for message in mail.outbox) == [
        ["ds.example@eastmere.police.uk"],
        ["safeguarding@nhs.net"],
    ]
    for invitee in (by_contact, by_agency):
        invitee.refresh_from_db()
        assert invitee.invitation_queued_at is not None
        assert invitee.invitation_sent_at is not None
        assert invitee.invitation_error == ""


@pytest.mark.django_db
def test_nothing_is_sent_if_the_transaction_does_not_commit(django_capture_on_commit_callbacks):
    discussion, by_contact, by_agency = discussion_with_invitees(
        scheduled_for=datetime(2026, 7, 1, 10, 0, tzinfo=LONDON)
    )

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        invitations_queue(discussion=discussion, invitees=[by_contact, by_agency])

    assert len(callbacks) == 2
    assert mail.outbox == []


@pytest.mark.django_db
def test_subject_gives_the_reference_and_uk_time_and_no_names(django_capture_on_commit_callbacks):
    discussion, by_contact, _ = discussion_with_invitees(
        scheduled_for=datetime(2026, 12, 3, 10, 0, tzinfo=LONDON)
    )

    send_all(discussion, [by_contact], django_capture_on_commit_callbacks)

    [message] = mail.outbox
    assert (
        message.subject
        == "Strategy discussion SD-2026-0042: invitation for 3 December 2026 at 10:00"
    )


@pytest.mark.django_db
def test_body_says_when_how_and_why_to_join(django_capture_on_commit_callbacks, settings):
    settings.SITE_URL = "https://strategy.eastmere.example"
    discussion, by_contact, _ = discussion_with_invitees(
        scheduled_for=datetime(2026, 7, 1, 10, 0, tzinfo=LONDON),
        joining_details="Join at https://video.example/room?a=1&b=2",
    )

    send_all(discussion, [by_contact], django_capture_on_commit_callbacks)

    [message] = mail.outbox
    for expected in [
        "This email is OFFICIAL-SENSITIVE.",
        "SD-2026-0042",
        "Wednesday 1 July 2026",
        "10:00 (UK time)",
        "Format: Video call",
        "Join at https://video.example/room?a=1&b=2",
        "Convening team: Eastmere Assessment Team",
        "Chair: Bob Chair",
        "Why you are invited: Police: statutory partner",
        "https://strategy.eastmere.example",
    ]:
        assert expected in message.body
    assert message.reply_to == ["bob@eastmere.gov.uk"]


@pytest.mark.django_db
def test_a_secure_address_is_told_who_the_family_is_in_the_body_only(
    django_capture_on_commit_callbacks,
):
    """So a GP can look the family up before the call (issue 11). Never in the subject or
    the calendar entry, which travel further than the email."""
    discussion, by_contact, by_agency = discussion_with_invitees(
        scheduled_for=datetime(2026, 7, 1, 10, 0, tzinfo=LONDON)
    )
    Child.objects.filter(discussion=discussion).update(date_of_birth="2021-04-09")

    send_all(discussion, [by_contact, by_agency], django_capture_on_commit_callbacks)

    assert len(mail.outbox) == 2  # police.uk and nhs.net are secure domains
    for message in mail.outbox:
        assert f"{CHILD_FIRST_NAME} {CHILD_LAST_NAME}, born 9 April 2021" in message.body
        assert f"{ADULT_NAME}, mother" in message.body
        for name in NAMES:
            assert name not in message.subject
            assert name not in attached_ics(message)


@pytest.mark.django_db
def test_no_child_or_adult_is_named_in_an_email_to_an_address_outside_the_secure_domains(
    django_capture_on_commit_callbacks,
):
    discussion, by_contact, by_agency = discussion_with_invitees(
        scheduled_for=datetime(2026, 7, 1, 10, 0, tzinfo=LONDON)
    )
    by_contact.contact.email = "ds.example@gmail.example"
    by_contact.contact.save()

    send_all(discussion, [by_contact], django_capture_on_commit_callbacks)

    [message] = mail.outbox
    assert "does not name the family" in message.body
    whole_message = message.message().as_string()
    for name in NAMES:
        assert name not in message.subject
        assert name not in message.body
        assert name not in attached_ics(message)
        assert name not in whole_message


@pytest.mark.django_db
def test_calendar_invitation_starts_at_the_utc_time_in_british_summer_time(
    django_capture_on_commit_callbacks,
):
    discussion, by_contact, _ = discussion_with_invitees(
        scheduled_for=datetime(2026, 7, 1, 10, 0, tzinfo=LONDON)
    )

    send_all(discussion, [by_contact], django_capture_on_commit_callbacks)

    ics = attached_ics(mail.outbox[0])
    assert ics.startswith("BEGIN:VCALENDAR\r\n")
    assert ics.endswith("END:VCALENDAR\r\n")
    assert "\n" not in ics.replace("\r\n", "")
    properties = ics_properties(ics)
    assert properties["METHOD"] == "REQUEST"
    assert properties["DTSTART"] == "20260701T090000Z"
    assert properties["DTEND"] == "20260701T100000Z"
    assert properties["DTSTAMP"].endswith("Z")
    assert properties["UID"] == f"SD-2026-0042-{by_contact.pk}@strategy-discussions"
    assert properties["SUMMARY"] == "Strategy discussion SD-2026-0042"
    assert properties["LOCATION"] == "Room 4\\, Eastmere House\\; door code 1234"
    assert properties["ATTENDEE"] == "mailto:ds.example@eastmere.police.uk"


@pytest.mark.django_db
def test_calendar_invitation_in_winter_is_at_the_same_clock_time_in_utc():
    _, by_contact, _ = discussion_with_invitees(
        scheduled_for=datetime(2026, 12, 3, 10, 0, tzinfo=LONDON)
    )

    assert ics_properties(invitation_ics(by_contact))["DTSTART"] == "20261203T100000Z"


@pytest.mark.django_db
def test_calendar_invitation_escapes_and_folds_long_joining_details():
    joining_details = "Café room, level 2; ask at reception\\desk\n" + "é" * 80
    _, by_contact, _ = discussion_with_invitees(
        scheduled_for=datetime(2026, 7, 1, 10, 0, tzinfo=LONDON), joining_details=joining_details
    )

    ics = invitation_ics(by_contact)

    assert all(len(line.encode()) <= 75 for line in ics.split("\r\n"))
    assert ics_properties(ics)["LOCATION"] == (
        "Café room\\, level 2\\; ask at reception\\\\desk\\n" + "é" * 80
    )


@pytest.mark.django_db
def test_an_invitation_delivered_twice_is_sent_once(django_capture_on_commit_callbacks):
    discussion, by_contact, _ = discussion_with_invitees(
        scheduled_for=datetime(2026, 7, 1, 10, 0, tzinfo=LONDON)
    )

    send_all(discussion, [by_contact], django_capture_on_commit_callbacks)
    [message] = Message.objects.filter(about_id=by_contact.pk, kind=MessageKind.INVITATION)
    send_messages.delay([message.pk])  # the broker delivers the hint again

    assert len(mail.outbox) == 1
    message.refresh_from_db()
    assert message.state == MessageState.SENT


@pytest.mark.django_db
def test_an_invitation_already_sent_is_not_owed_again(django_capture_on_commit_callbacks):
    discussion, by_contact, _ = discussion_with_invitees(
        scheduled_for=datetime(2026, 7, 1, 10, 0, tzinfo=LONDON)
    )
    send_all(discussion, [by_contact], django_capture_on_commit_callbacks)
    by_contact.refresh_from_db()

    send_all(discussion, [by_contact], django_capture_on_commit_callbacks)

    assert len(mail.outbox) == 1
    assert Message.objects.filter(about_id=by_contact.pk).count() == 1


@pytest.mark.django_db
def test_an_invitee_removed_before_sending_gets_nothing(django_capture_on_commit_callbacks):
    discussion, by_contact, _ = discussion_with_invitees(
        scheduled_for=datetime(2026, 7, 1, 10, 0, tzinfo=LONDON)
    )

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        invitations_queue(discussion=discussion, invitees=[by_contact])
        invitations_cancel(invitees=[by_contact])
    by_contact.delete()
    for callback in callbacks:
        callback()
    sweep()

    assert mail.outbox == []
    [message] = Message.objects.all()
    assert (message.state, message.cancelled_reason) == (
        MessageState.CANCELLED,
        "Removed from the invite list",
    )


@pytest.mark.django_db
def test_an_invitee_removed_after_the_invitation_went_gets_a_cancellation(
    django_capture_on_commit_callbacks,
):
    discussion, by_contact, _ = discussion_with_invitees(
        scheduled_for=datetime(2026, 7, 1, 10, 0, tzinfo=LONDON)
    )
    send_all(discussion, [by_contact], django_capture_on_commit_callbacks)
    by_contact.refresh_from_db()

    with django_capture_on_commit_callbacks(execute=True):
        invitations_cancel(invitees=[by_contact])

    invitation, cancellation = mail.outbox
    assert cancellation.subject.startswith(f"Cancelled: strategy discussion {discussion.reference}")
    [(filename, content, mimetype)] = cancellation.attachments
    assert mimetype == "text/calendar; method=CANCEL"
    assert ics_properties(str(content))["STATUS"] == "CANCELLED"


@pytest.mark.django_db
def test_a_refused_invitation_records_the_error_and_is_retried_by_the_sweep(
    django_capture_on_commit_callbacks, settings
):
    discussion, by_contact, _ = discussion_with_invitees(
        scheduled_for=datetime(2026, 7, 1, 10, 0, tzinfo=LONDON)
    )
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    RefusingBackend.attempts = 0

    send_all(discussion, [by_contact], django_capture_on_commit_callbacks)

    by_contact.refresh_from_db()
    assert by_contact.invitation_sent_at is None
    assert "Connection unexpectedly closed" in by_contact.invitation_error
    assert mail.outbox == []
    [message] = Message.objects.filter(about_id=by_contact.pk)
    assert (message.state, RefusingBackend.attempts) == (MessageState.RETRYING, 1)

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert message.next_attempt_at is not None
    with time_machine.travel(message.next_attempt_at + timedelta(seconds=1)):
        sweep()

    by_contact.refresh_from_db()
    assert by_contact.invitation_sent_at is not None
    assert by_contact.invitation_error == ""
    assert len(mail.outbox) == 1
