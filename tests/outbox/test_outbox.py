"""The outbox's promises: a bounded life, a reply kept on failure, retries on request, and
fresh links rationed."""

import smtplib
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone

from minutes.models import Delivery
from minutes.receipts_links import receipt_token
from minutes.services.drafting import minutes_approve, minutes_draft
from outbox.models import Message, MessageKind, MessageState
from outbox.sending import message_send
from outbox.services import message_owe
from outbox.tasks import sweep
from tests.minutes.records import held_discussion
from tests.signin.helpers import verified_client


class DeferringBackend(BaseEmailBackend):
    """A mail server that answers 451 to everything."""

    def send_messages(self, email_messages: Any) -> int:
        raise smtplib.SMTPResponseException(451, b"4.3.0 Mailbox busy, try later")


@pytest.fixture
def deferring(settings):
    settings.EMAIL_BACKEND = f"{__name__}.DeferringBackend"


def owe(**extra: Any) -> Message:
    return message_owe(
        kind=MessageKind.OTHER,
        recipients=["someone@eastmere.gov.uk"],
        subject="Fictional subject",
        body="Fictional body",
        **extra,
    )


def send_until_settled(message: Message, *, limit: int = 50) -> Message:
    for _ in range(limit):
        message.refresh_from_db()
        if message.state != MessageState.RETRYING and message.attempts:
            break
        at = message.next_attempt_at or timezone.now()
        with time_machine.travel(at + timedelta(seconds=1), tick=False):
            message_send(message.pk)
    message.refresh_from_db()
    return message


@pytest.mark.django_db
def test_a_message_refused_for_now_fails_after_ten_attempts_with_the_last_reply(
    deferring, settings
):
    settings.OUTBOX_MAX_AGE_HOURS = 1000  # only the attempts limit applies here
    message = send_until_settled(owe())
    assert message.state == MessageState.FAILED
    assert message.attempts == 10
    assert message.last_reply == "451 4.3.0 Mailbox busy, try later"
    assert message.attempt_rows.count() == 10
    assert message.attempt_rows.last().outcome == "failed"


@pytest.mark.django_db
def test_a_message_refused_for_now_fails_after_24_hours(deferring, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 1000  # only the age limit applies here
    message = send_until_settled(owe())
    assert message.state == MessageState.FAILED
    assert message.last_reply == "451 4.3.0 Mailbox busy, try later"
    assert message.failed_at - message.created_at >= timedelta(hours=24)


@pytest.mark.django_db
def test_backoff_grows_and_is_capped(deferring, settings):
    settings.OUTBOX_RETRY_CAP_SECONDS = 300
    message = owe()
    gaps = []
    for _ in range(5):
        message.refresh_from_db()
        at = message.next_attempt_at
        with time_machine.travel(at + timedelta(seconds=1), tick=False):
            message_send(message.pk)
            message.refresh_from_db()
            gaps.append(round((message.next_attempt_at - timezone.now()).total_seconds()))
    assert gaps == [60, 120, 240, 300, 300]


@pytest.mark.django_db
def test_one_message_that_cannot_be_built_never_stops_the_others(mailoutbox, monkeypatch):
    broken, fine = owe(), owe()
    real = __import__("outbox.kinds", fromlist=["messages_compose"]).messages_compose

    def compose(messages: list[Message]) -> Any:
        built = real(messages)
        built[broken.pk] = KeyError("Fictional: a template is missing")
        return built

    monkeypatch.setattr("outbox.sending.messages_compose", compose)
    sweep()
    assert len(mailoutbox) == 1
    fine.refresh_from_db()
    assert fine.state == MessageState.SENT
    broken.refresh_from_db()
    assert broken.state == MessageState.RETRYING
    assert "a template is missing" in broken.last_reply


@pytest.fixture
def expired_link(settings, tmp_path, django_capture_on_commit_callbacks, mailoutbox):
    settings.MEDIA_ROOT = tmp_path
    record = held_discussion(agencies=1)
    version = minutes_draft(discussion=record.discussion, user=record.chair)
    with django_capture_on_commit_callbacks(execute=True):
        minutes_approve(version_id=version.pk, approved_by=record.chair)
    mailoutbox.clear()
    delivery = Delivery.objects.get()
    token = receipt_token(delivery_id=delivery.pk, version_id=version.pk)
    return f"/minutes/receipt/{token}/"


@pytest.mark.django_db
def test_fresh_links_are_rationed_to_three_an_hour(
    client, expired_link, mailoutbox, settings, django_capture_on_commit_callbacks
):
    later = timezone.now() + timedelta(days=settings.MINUTES_RECEIPT_LINK_DAYS + 1)
    with time_machine.travel(later, tick=False):
        for _ in range(3):
            with django_capture_on_commit_callbacks(execute=True):
                sent = client.post(expired_link, {"action": "fresh-link"})
            assert "We have sent a new link" in sent.text
        refused = client.post(expired_link, {"action": "fresh-link"})
    assert refused.status_code == 429
    assert "A new link has been sent 3 times in the last hour" in refused.text
    assert "There is a problem" in refused.text
    assert len(mailoutbox) == 3
    with (
        time_machine.travel(later + timedelta(minutes=61), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        again = client.post(expired_link, {"action": "fresh-link"})
    assert "We have sent a new link" in again.text


@pytest.mark.django_db
def test_managers_see_what_is_owed_and_send_failed_messages_again(
    settings, mailoutbox, django_capture_on_commit_callbacks
):
    record = held_discussion(agencies=1)
    settings.EMAIL_BACKEND = f"{__name__}.DeferringBackend"
    settings.OUTBOX_MAX_ATTEMPTS = 1
    failed = owe(discussion_id=record.discussion.pk)
    message_send(failed.pk)
    owed = owe()
    Message.objects.filter(pk=owed.pk).update(created_at=timezone.now() - timedelta(hours=3))

    manager = verified_client(record.manager)
    page = manager.get("/dashboards/outgoing/")
    assert page.status_code == 200
    assert "Oldest still owed" in page.text and "3 hours" in page.text
    assert "451 4.3.0 Mailbox busy, try later" in page.text
    assert "SD-2026-00077" in page.text
    assert verified_client(record.chair).get("/dashboards/outgoing/").status_code == 404

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        retried = manager.post(
            "/dashboards/outgoing/send-again/", {"message": [failed.pk]}, follow=True
        )
    assert "1 message will be sent again now" in retried.text
    failed.refresh_from_db()
    assert failed.state == MessageState.SENT
    assert len(mailoutbox) == 1
    again = manager.post("/dashboards/outgoing/send-again/", {"message": [failed.pk]}, follow=True)
    assert "None of those messages has failed any more" in again.text
    assert len(mailoutbox) == 1
    # With nothing failed, sending none is no error; with a failure listed, it is one.
    assert manager.post("/dashboards/outgoing/send-again/", {}).status_code == 302
    Message.objects.filter(pk=failed.pk).update(state=MessageState.FAILED)
    nothing = manager.post("/dashboards/outgoing/send-again/", {})
    assert nothing.status_code == 200
    summary = nothing.text.split('class="govuk-error-summary"')[1].split("</ul>")[0]
    assert "Select at least one failed message to send again" in summary
    assert 'href="#messages-to-send-again"' in summary
    assert 'id="messages-to-send-again"' in nothing.text
    # The error page's links (pages of failures) lead back to the page itself.
    paged = manager.get("/dashboards/outgoing/send-again/?page=2")
    assert paged["Location"] == "/dashboards/outgoing/?page=2"
