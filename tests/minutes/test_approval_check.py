"""Approving the minutes shows them and exactly who gets them first; nothing goes unseen."""

from html import escape

import pytest
from django.urls import reverse

from minutes.models import Delivery, MinutesVersion
from outbox.models import Message
from tests.factories import ContactFactory
from tests.minutes.records import held_discussion
from tests.signin.helpers import verified_client


@pytest.fixture
def record(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.SECURE_EMAIL_DOMAINS = ["eastmere.gov.uk"]
    return held_discussion(agencies=3)


def test_the_check_page_lists_every_agency_address_and_encryption_and_sends_nothing(record):
    discussion = record.discussion
    police = record.agencies[1]
    police.minutes_pdf_password = "Fictional-password-2026"
    police.pdf_password_shared_how = "Read to the safeguarding lead by phone."
    police.save()
    ContactFactory.create(agency=police, name="DC Outside", email="dc.outside@example.com")
    invitee = discussion.invitees.get(agency=police)
    invitee.contact = police.contacts.get(email="dc.outside@example.com")
    invitee.save()

    page = verified_client(record.chair).get(reverse("minutes:approve", args=[discussion.pk]))
    assert page.status_code == 200
    assert "Check the minutes before you send them" in page.text
    for agency in record.agencies:
        assert escape(agency.name) in page.text
        assert agency.secure_email in page.text
    assert 'dc.outside@example.com: <strong class="govuk-tag govuk-tag--orange">Encrypted PDF' in (
        page.text
    )
    assert "Approve and send to 3 agencies" in page.text
    assert "?back=final" in page.text  # each part of the record can be changed from here
    assert not MinutesVersion.objects.exists()  # opening the page drafts nothing
    assert not Message.objects.filter(kind="minutes").exists()


def test_confirming_approves_sends_and_shows_a_confirmation(
    record, django_capture_on_commit_callbacks
):
    discussion = record.discussion
    client = verified_client(record.chair)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("minutes:approve", args=[discussion.pk]))
    assert response["Location"] == reverse("minutes:approved", args=[discussion.pk])
    assert Delivery.objects.filter(version__discussion=discussion).count() == 3
    page = client.get(response["Location"])
    assert "govuk-panel--confirmation" in page.text
    assert "It is being sent to 3 invited agencies now" in page.text


def test_a_record_not_yet_final_cannot_be_approved(record):
    discussion = record.discussion
    discussion.outcome_recorded_at = None
    discussion.save(update_fields=["outcome_recorded_at"])
    page = verified_client(record.chair).get(reverse("minutes:approve", args=[discussion.pk]))
    assert "There is a problem" in page.text
    assert "outcome as final first" in page.text
    assert "Approve and send to" not in page.text


def test_an_approval_refused_says_why_in_the_error_summary_once(record):
    """The record stopped being final after the page was opened: the press of "Approve and
    send" is refused in the page's GOV.UK error summary, and nothing is approved or owed."""
    discussion = record.discussion
    client = verified_client(record.chair)
    url = reverse("minutes:approve", args=[discussion.pk])
    assert "Approve and send to 3 agencies" in client.get(url).text
    discussion.outcome_recorded_at = None
    discussion.save(update_fields=["outcome_recorded_at"])
    page = client.post(url)
    assert page.status_code == 200
    summary = page.text.split('class="govuk-error-summary"')[1].split("</ul>")[0]
    assert summary.count("Record the discussion") == 1
    assert "govuk-notification-banner" not in page.text
    assert not MinutesVersion.objects.filter(approved_at__isnull=False).exists()
    assert not Delivery.objects.exists()


def test_only_the_chair_may_open_it(record):
    minute_taker = record.discussion.minute_taker
    url = reverse("minutes:approve", args=[record.discussion.pk])
    assert verified_client(minute_taker).get(url).status_code == 404
