"""The receipt link: a GET never confirms; tampered, expired and withdrawn links."""

from datetime import timedelta

import pytest
import time_machine
from django.core import signing
from django.urls import reverse

from agencies.models import Agency
from minutes.models import Delivery, Dispute
from minutes.receipts_links import SALT, receipt_token
from minutes.services.drafting import minutes_approve, minutes_draft
from minutes.services.lifecycle import delivery_revoke
from minutes.services.receipts import dispute_raise
from tests.minutes.records import held_discussion


@pytest.fixture
def deliveries(settings, tmp_path, django_capture_on_commit_callbacks, mailoutbox):
    settings.MEDIA_ROOT = tmp_path
    record = held_discussion(agencies=2)
    version = minutes_draft(discussion=record.discussion, user=record.chair)
    with django_capture_on_commit_callbacks(execute=True):
        minutes_approve(version_id=version.pk, approved_by=record.chair)
    mailoutbox.clear()
    return list(Delivery.objects.order_by("agency__name"))


def link(delivery: Delivery) -> str:
    token = receipt_token(delivery_id=delivery.pk, version_id=delivery.version_id)
    return reverse("minutes:receipt", args=[token])


CONFIRM = {
    "action": "confirm",
    "name": "DS Priya Wrenfield",
    "role": "Detective Sergeant",
    "confirm": "on",
}


@pytest.mark.django_db
def test_opening_the_link_does_not_confirm(client, deliveries):
    delivery = deliveries[0]
    page = client.get(link(delivery))
    assert page.status_code == 200
    assert "I confirm my agency has received these minutes." in page.text
    assert delivery.version.discussion.reference in page.text
    assert "Rowan" not in page.text  # the page shows what is confirmed, not the child
    delivery.refresh_from_db()
    assert delivery.confirmed_at is None


@pytest.mark.django_db
def test_post_confirms_once_and_a_second_time_shows_who(client, deliveries):
    delivery = deliveries[0]
    first = client.post(link(delivery), CONFIRM)
    assert "Receipt confirmed" in first.text
    delivery.refresh_from_db()
    confirmed_at = delivery.confirmed_at
    assert delivery.confirmed_by_name == "DS Priya Wrenfield"
    second = client.post(link(delivery), {**CONFIRM, "name": "Someone Else"})
    assert "Already confirmed" in second.text
    assert "DS Priya Wrenfield" in second.text
    delivery.refresh_from_db()
    assert delivery.confirmed_at == confirmed_at
    assert delivery.confirmed_by_name == "DS Priya Wrenfield"


@pytest.mark.django_db
def test_confirming_needs_name_role_and_the_tick(client, deliveries):
    delivery = deliveries[0]
    page = client.post(link(delivery), {"action": "confirm", "name": "", "role": ""})
    assert "Enter your full name" in page.text
    assert "Enter your role" in page.text
    assert "Tick the box to confirm" in page.text
    delivery.refresh_from_db()
    assert delivery.confirmed_at is None


@pytest.mark.django_db
def test_a_tampered_link_gets_a_plain_400(client, deliveries):
    good = receipt_token(delivery_id=deliveries[0].pk, version_id=deliveries[0].version_id)
    assert client.get(reverse("minutes:receipt", args=[good[:-2] + "xx"])).status_code == 400
    # a link signed for another purpose does not work either
    other = signing.dumps({"d": deliveries[0].pk, "v": deliveries[0].version_id}, salt="other")
    assert client.get(reverse("minutes:receipt", args=[other])).status_code == 400
    assert client.post(reverse("minutes:receipt", args=[other]), CONFIRM).status_code == 400


@pytest.mark.django_db
def test_one_agencys_link_cannot_confirm_for_another(client, deliveries):
    mine, theirs = deliveries
    forged = signing.dumps({"d": theirs.pk, "v": mine.version_id + 1000}, salt=SALT)
    assert client.post(reverse("minutes:receipt", args=[forged]), CONFIRM).status_code == 400
    client.post(link(mine), CONFIRM)
    theirs.refresh_from_db()
    assert theirs.confirmed_at is None


@pytest.mark.django_db
def test_an_expired_link_offers_a_fresh_one_to_the_agency(
    client, deliveries, mailoutbox, settings, django_capture_on_commit_callbacks
):
    delivery = deliveries[0]
    url = link(delivery)
    with time_machine.travel(timedelta(days=settings.MINUTES_RECEIPT_LINK_DAYS + 1)):
        page = client.get(url)
        assert page.status_code == 410
        assert "This link has expired" in page.text
        refused = client.post(url, CONFIRM)
        assert refused.status_code == 410
        with django_capture_on_commit_callbacks(execute=True):
            sent = client.post(url, {"action": "fresh-link"})
    assert "We have sent a new link" in sent.text
    [message] = mailoutbox
    assert message.to == [delivery.agency.secure_email]
    delivery.refresh_from_db()
    assert delivery.confirmed_at is None


@pytest.mark.django_db
def test_a_link_sent_in_error_stops_working(client, deliveries):
    delivery = deliveries[0]
    delivery_revoke(delivery=delivery, reason="Sent to the wrong police force")
    page = client.post(link(delivery), CONFIRM)
    assert page.status_code == 410
    assert "withdrawn" in page.text
    delivery.refresh_from_db()
    assert delivery.confirmed_at is None
    assert delivery.revoked_reason == "Sent to the wrong police force"


@pytest.mark.django_db
def test_disputing_alerts_the_chair_and_shows_on_the_minutes(
    client, deliveries, mailoutbox, django_capture_on_commit_callbacks
):
    delivery = deliveries[0]
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(
            link(delivery),
            {
                "action": "dispute",
                "dispute_name": "Moira Tallant",
                "dispute_role": "Named Nurse",
                "statement": "The hospital did not agree to no further action.",
            },
        )
    assert "The chair has been told" in page.text
    dispute = Dispute.objects.get()
    assert dispute.resolved_at is None
    [alert] = mailoutbox
    assert alert.to == ["chris@eastmere.gov.uk"]
    assert "The hospital did not agree" in alert.body
    from tests.signin.helpers import verified_client

    chair = verified_client(delivery.version.discussion.chair)
    workspace = chair.get(reverse("minutes:workspace", args=[delivery.version.discussion.pk]))
    assert "Disputed by" in workspace.text
    assert "The hospital did not agree to no further action." in workspace.text


@pytest.mark.django_db
def test_email_subjects_are_plain_text_not_html(
    mailoutbox, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    record = held_discussion(agencies=2)
    version = minutes_draft(discussion=record.discussion, user=record.chair)
    minutes_approve(version_id=version.pk, approved_by=record.chair)
    delivery = Delivery.objects.first()
    Agency.objects.filter(pk=delivery.agency_id).update(name="St Mary's & St John's <Trust>")
    delivery.refresh_from_db()
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        dispute_raise(delivery=delivery, name="O'Brien", role="Nurse", statement="Wrong")
    [message] = mailoutbox
    assert message.subject.endswith("(St Mary's & St John's <Trust>)")
    assert "O'Brien" in message.body
