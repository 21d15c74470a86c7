"""Case transfer to another local authority: pending until accepted in writing, then the
receiving authority is invited and gets the current minutes through the outbox."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from agencies.models import AgencyKind
from minutes.models import Delivery
from minutes.services.drafting import minutes_approve, minutes_draft
from outbox.models import Message, MessageKind
from strategy.models import Attendance, CaseTransfer, Invitee
from tests.factories import AgencyFactory, UserFactory
from tests.minutes.records import held_discussion
from tests.signin.helpers import verified_client
from tests.strategy.test_views import date_parts


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def record(db):
    return held_discussion()


@pytest.fixture
def westmere(db):
    return AgencyFactory(
        name="Westmere Children's Services",
        kind=AgencyKind.CHILDRENS_SOCIAL_CARE,
        secure_email="front.door@westmere.gov.uk",
    )


def propose(client, record, westmere, **changes):
    return client.post(
        reverse("strategy:transfer_propose", args=[record.discussion.pk]),
        {
            "receiving_authority": westmere.pk,
            **date_parts("proposed_on", timezone.localdate() + timedelta(days=7)),
            "reason": "The family moved to Westmere.",
            **changes,
        },
    )


def accept(client, transfer, **changes):
    today = timezone.localdate()
    return client.post(
        reverse("strategy:transfer_accept", args=[transfer.discussion_id, transfer.pk]),
        {
            "accepted_by": "Jo Example, team manager, Westmere front door",
            **date_parts("accepted_on", today),
            "acceptance": "Westmere accepts the case from 10 December.",
            **date_parts("transfer_on", today + timedelta(days=7)),
            **changes,
        },
    )


def test_a_transfer_is_pending_on_the_discussion_and_the_dashboard_until_accepted(record, westmere):
    chair = verified_client(record.chair)
    response = propose(chair, record, westmere)
    assert response.status_code == 302
    transfer = CaseTransfer.objects.get()
    assert transfer.is_pending

    page = chair.get(reverse("strategy:detail", args=[record.discussion.pk])).text
    assert "Case transfer to Westmere Children&#x27;s Services pending" in page
    manager = verified_client(record.manager)
    listed = manager.get(reverse("dashboards:list", args=["transfers-pending"])).text
    assert record.discussion.reference in listed and "Westmere Children" in listed

    # A second transfer waits for the first to be accepted.
    again = propose(chair, record, westmere)
    assert again.status_code == 200
    assert "is already waiting for acceptance" in again.text
    assert CaseTransfer.objects.count() == 1

    accept(manager, transfer)
    transfer.refresh_from_db()
    assert not transfer.is_pending
    listed = manager.get(reverse("dashboards:list", args=["transfers-pending"])).text
    assert record.discussion.reference not in listed
    page = chair.get(reverse("strategy:detail", args=[record.discussion.pk])).text
    assert "Case transferred to Westmere Children&#x27;s Services" in page


def test_accepting_sends_the_receiving_authority_the_current_minutes(
    record, westmere, django_capture_on_commit_callbacks, mailoutbox
):
    version = minutes_draft(discussion=record.discussion, user=record.chair)
    with django_capture_on_commit_callbacks(execute=True):
        minutes_approve(version_id=version.pk, approved_by=record.chair)
    sent_before = len(mailoutbox)
    chair = verified_client(record.chair)
    propose(chair, record, westmere)
    assert not Delivery.objects.filter(agency=westmere).exists(), "nothing until accepted"

    with django_capture_on_commit_callbacks(execute=True):
        response = accept(chair, CaseTransfer.objects.get())
    assert response.status_code == 302

    invitee = Invitee.objects.get(discussion=record.discussion, agency=westmere)
    assert invitee.attendance == Attendance.DID_NOT_ATTEND  # added after the call
    delivery = Delivery.objects.get(agency=westmere)
    assert delivery.version_id == version.pk
    assert Message.objects.filter(delivery_id=delivery.pk, kind=MessageKind.MINUTES).count() == 1
    [email] = mailoutbox[sent_before:]
    assert email.to == ["front.door@westmere.gov.uk"]
    assert email.attachments[0][0].endswith(".pdf")
    assert "Rowan" not in email.subject


def test_accepted_before_the_minutes_the_authority_is_on_their_distribution(
    record, westmere, django_capture_on_commit_callbacks
):
    chair = verified_client(record.chair)
    propose(chair, record, westmere)
    accept(chair, CaseTransfer.objects.get())
    assert not Delivery.objects.exists()

    version = minutes_draft(discussion=record.discussion, user=record.chair)
    with django_capture_on_commit_callbacks(execute=True):
        minutes_approve(version_id=version.pk, approved_by=record.chair)
    assert Delivery.objects.filter(version=version, agency=westmere).count() == 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            date_parts("transfer_on", date(2020, 1, 1)),
            "The agreed date of transfer must be on or after the date accepted",
        ),
        (
            date_parts("accepted_on", timezone.localdate() + timedelta(days=2)),
            "The date accepted must be today or in the past",
        ),
        ({"acceptance": ""}, "Enter what the written acceptance says"),
        ({"accepted_by": "x" * 201}, "Accepted by must be 200 characters or fewer"),
    ],
)
def test_a_wrong_acceptance_is_refused_and_nothing_changes(record, westmere, changes, message):
    chair = verified_client(record.chair)
    propose(chair, record, westmere)
    transfer = CaseTransfer.objects.get()
    response = accept(chair, transfer, **changes)
    assert response.status_code == 200
    assert message in response.text
    transfer.refresh_from_db()
    assert transfer.is_pending
    assert not Invitee.objects.filter(agency=westmere).exists()


def test_only_another_local_authority_can_receive_the_case(record, westmere):
    chair = verified_client(record.chair)
    own = record.discussion.team.agency
    response = propose(chair, record, westmere, receiving_authority=own.pk)
    assert response.status_code == 200
    assert "Select a valid choice" in response.text
    assert not CaseTransfer.objects.exists()


def test_other_people_cannot_record_or_accept_a_transfer(record, westmere):
    chair = verified_client(record.chair)
    propose(chair, record, westmere)
    transfer = CaseTransfer.objects.get()
    other_chair = verified_client(UserFactory(username="nadia", role="chair"))
    partner = verified_client(UserFactory(username="pat", role="partner", agency=westmere))
    for client in (other_chair, partner):
        assert propose(client, record, westmere).status_code == 404
        assert accept(client, transfer).status_code == 404
    transfer.refresh_from_db()
    assert transfer.is_pending


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_recording_a_transfer_in_the_browser_is_accessible_on_a_desktop_and_a_phone(
    chromium_path, live_server, westmere
):
    from playwright.sync_api import Page, expect

    from tests.browser.conftest import assert_fits_a_phone
    from tests.dashboards.test_browser import in_chromium, visit

    record = held_discussion(agencies=3)
    detail = reverse("strategy:detail", args=[record.discussion.pk])
    proposed = timezone.localdate() + timedelta(days=5)

    def fill_date(page: Page, legend: str, day: date) -> None:
        group = page.get_by_role("group", name=legend)
        group.get_by_label("Day").fill(str(day.day))
        group.get_by_label("Month").fill(str(day.month))
        group.get_by_label("Year").fill(str(day.year))

    def as_chair(page: Page) -> None:
        visit(page, detail)
        page.get_by_role("link", name="Record a case transfer to another local authority").click()
        visit(page, page.url)
        assert_fits_a_phone(page)
        page.get_by_label("Receiving local authority").select_option(label=westmere.name)
        fill_date(page, "Date proposed for the transfer", proposed)
        page.get_by_role("button", name="Record the proposed transfer").click()
        expect(page.get_by_text("pending: proposed for")).to_be_visible()
        visit(page, page.url)
        assert_fits_a_phone(page)
        page.get_by_role("link", name="Record the acceptance").click()
        visit(page, page.url)
        page.get_by_role("button", name="Record the acceptance").click()
        expect(page.locator(".govuk-error-summary")).to_contain_text(
            "Enter who accepted the transfer, with their role"
        )
        assert_fits_a_phone(page)
        page.get_by_label("Accepted by").fill("Jo Example, team manager")
        fill_date(page, "Date accepted", timezone.localdate())
        page.get_by_label("What the written acceptance says").fill("Accepted in full.")
        fill_date(page, "Agreed date of transfer", proposed)
        page.get_by_role("button", name="Record the acceptance").click()
        expect(page.get_by_text("Case transferred to")).to_be_visible()
        visit(page, page.url)

    def as_manager(page: Page) -> None:
        visit(page, "/dashboards/transfers-pending/")
        assert_fits_a_phone(page)

    in_chromium(chromium_path, live_server.url, record.chair, as_chair)
    in_chromium(chromium_path, live_server.url, record.manager, as_manager)
    assert not CaseTransfer.objects.get().is_pending
