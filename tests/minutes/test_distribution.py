"""Approval owes every invited agency a copy; sending, retrying and failing."""

import smtplib
from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from django.utils import timezone

from minutes.models import Delivery, DeliveryStatus
from minutes.services.drafting import minutes_approve, minutes_draft
from minutes.services.lifecycle import version_render
from outbox.models import Message, MessageKind, MessageState
from outbox.sending import message_claim, message_send, messages_due, retry_delay
from outbox.tasks import sweep
from strategy.models import Attendance
from tests.minutes.records import held_discussion


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def message_for(delivery: Delivery) -> Message:
    return Message.objects.get(delivery_id=delivery.pk, kind=MessageKind.MINUTES)


def approve(record, capture):
    version = minutes_draft(discussion=record.discussion, user=record.chair)
    with capture(execute=True):
        return minutes_approve(version_id=version.pk, approved_by=record.chair)


def approve_hinting(record, capture, publish):
    """Approves, the PDF made at once; each send hint goes to ``publish``, not the broker."""
    with mock.patch("outbox.tasks.send_messages.delay", publish):
        return approve(record, capture)


@pytest.mark.django_db
def test_every_invited_agency_gets_the_pdf_whatever_its_attendance(
    django_capture_on_commit_callbacks, mailoutbox
):
    record = held_discussion()
    version = approve(record, django_capture_on_commit_callbacks)
    assert {a for a in record.discussion.invitees.values_list("attendance", flat=True)} == set(
        Attendance.values
    ) - {Attendance.INVITED}
    assert len(mailoutbox) == 10
    assert Delivery.objects.filter(version=version, status=DeliveryStatus.SENT).count() == 10
    for message in mailoutbox:
        assert message.subject.startswith(
            "OFFICIAL-SENSITIVE: minutes of strategy discussion SD-2026-00077"
        )
        assert "Rowan" not in message.subject and "Testcase" not in message.subject
        [(filename, content, mimetype)] = message.attachments
        assert filename == "SD-2026-00077-minutes-v1.pdf"
        assert content.startswith(b"%PDF")
        assert "/minutes/receipt/" in message.body
    assert sorted(m.to[0] for m in mailoutbox) == sorted(a.secure_email for a in record.agencies)
    record.discussion.refresh_from_db()
    assert record.discussion.record_locked_at is not None


@pytest.mark.django_db
def test_approval_is_the_chairs_and_needs_a_final_outcome(django_capture_on_commit_callbacks):
    from django.core.exceptions import PermissionDenied, ValidationError

    record = held_discussion()
    version = minutes_draft(discussion=record.discussion, user=record.chair)
    with pytest.raises(PermissionDenied):
        minutes_approve(version_id=version.pk, approved_by=record.discussion.minute_taker)
    record.discussion.outcome_recorded_at = None
    record.discussion.save()
    with pytest.raises(ValidationError):
        minutes_approve(version_id=version.pk, approved_by=record.chair)
    assert not Delivery.objects.exists()


@pytest.mark.django_db
def test_temporary_refusal_retries_with_capped_backoff_then_sends(
    scripted, django_capture_on_commit_callbacks
):
    record = held_discussion(agencies=1)
    scripted.script = [smtplib.SMTPResponseException(451, b"4.3.0 Try again later")] * 3
    approve(record, django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.QUEUED
    assert delivery.attempts == 1
    assert "451" in delivery.last_error
    message = message_for(delivery)
    assert message.state == MessageState.RETRYING
    first_retry = message.next_attempt_at
    assert first_retry is not None
    assert timedelta(seconds=55) < first_retry - timezone.now() <= timedelta(seconds=60)
    assert message_send(message.pk) == "not due"  # nothing is sent before its time
    with time_machine.travel(first_retry + timedelta(seconds=1)):
        assert message_send(message.pk) == "retrying"
    delivery.refresh_from_db()
    message.refresh_from_db()
    assert delivery.attempts == 2
    assert message.next_attempt_at is not None
    with time_machine.travel(message.next_attempt_at + timedelta(seconds=1)):
        sweep()
    delivery.refresh_from_db()
    message.refresh_from_db()
    assert delivery.attempts == 3
    assert message.next_attempt_at is not None
    with time_machine.travel(message.next_attempt_at + timedelta(seconds=1)):
        sweep()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT
    assert delivery.last_error == ""
    assert len(scripted.accepted) == 1
    assert list(message.attempt_rows.values_list("outcome", flat=True)) == [
        "retry",
        "retry",
        "retry",
        "sent",
    ]


@pytest.mark.django_db
def test_backoff_is_capped(settings):
    settings.OUTBOX_RETRY_CAP_SECONDS = 3600
    assert [retry_delay(n).total_seconds() for n in (1, 2, 3, 7, 20)] == [60, 120, 240, 3600, 3600]


@pytest.mark.django_db
def test_permanent_refusal_fails_with_the_servers_reply(
    scripted, django_capture_on_commit_callbacks
):
    record = held_discussion(agencies=1)
    scripted.script = [
        smtplib.SMTPRecipientsRefused(
            {"minutes.0@eastmere.gov.uk": (550, b"5.1.1 Mailbox does not exist")}
        )
    ]
    approve(record, django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED
    assert "550 5.1.1 Mailbox does not exist" in delivery.last_error
    assert messages_due(timezone.now() + timedelta(days=1)) == []  # never retried
    assert message_for(delivery).state == MessageState.FAILED


@pytest.mark.django_db
def test_a_lost_message_is_sent_by_the_sweep(
    scripted, django_capture_on_commit_callbacks, monkeypatch
):
    # The process that makes the PDF sends two itself; the broker loses the hint for the rest.
    monkeypatch.setattr("minutes.services.lifecycle.RENDERER_SENDS", 2)
    approve_hinting(
        held_discussion(agencies=3), django_capture_on_commit_callbacks, lambda ids: None
    )
    assert Delivery.objects.filter(status=DeliveryStatus.SENT).count() == 2
    assert Delivery.objects.filter(status=DeliveryStatus.QUEUED).count() == 1
    sweep()
    assert Delivery.objects.filter(status=DeliveryStatus.SENT).count() == 3
    assert len(scripted.accepted) == 3


@pytest.mark.django_db
def test_the_rendering_process_sends_its_share_and_hints_the_rest_in_chunks(
    django_capture_on_commit_callbacks, mailoutbox, monkeypatch
):
    monkeypatch.setattr("minutes.services.lifecycle.RENDERER_SENDS", 2)
    monkeypatch.setattr("outbox.tasks.HINT_CHUNK", 3)
    hinted: list[list[int]] = []
    version = approve_hinting(
        held_discussion(agencies=7), django_capture_on_commit_callbacks, hinted.append
    )
    # Sent by the process that made the PDF, before any hint was taken up.
    assert len(mailoutbox) == 2
    sent = Message.objects.filter(version_id=version.pk, state=MessageState.SENT)
    assert {m.attempts for m in sent} == {1} and sent.count() == 2
    assert [len(chunk) for chunk in hinted] == [3, 2]
    assert not set(sent.values_list("pk", flat=True)) & {pk for c in hinted for pk in c}
    for chunk in hinted:
        assert [message_send(pk) for pk in chunk] == ["sent"] * len(chunk)
    assert len(mailoutbox) == 7
    assert Delivery.objects.filter(version=version, status=DeliveryStatus.SENT).count() == 7


@pytest.mark.django_db
def test_a_worker_killed_mid_send_is_recovered_after_its_lease(
    scripted, django_capture_on_commit_callbacks, monkeypatch, settings
):
    record = held_discussion(agencies=1)
    version = minutes_draft(discussion=record.discussion, user=record.chair)
    with monkeypatch.context() as lost, django_capture_on_commit_callbacks(execute=True):
        lost.setattr("outbox.tasks.send_messages.delay", lambda *a: None)
        lost.setattr("minutes.services.lifecycle.messages_claim_releasing", lambda *a: [])
        minutes_approve(version_id=version.pk, approved_by=record.chair)
    delivery = Delivery.objects.get()
    # A worker claims it and dies before sending.
    message = message_for(delivery)
    assert message_claim(message.pk, timezone.now())
    sweep()  # the lease has not run out: nobody else may send it yet
    message.refresh_from_db()
    assert message.state == MessageState.SENDING
    assert scripted.accepted == []
    later = timezone.now() + timedelta(seconds=settings.OUTBOX_LEASE_SECONDS + 1)
    with time_machine.travel(later):
        sweep()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT
    assert delivery.attempts == 2
    assert len(scripted.accepted) == 1


@pytest.mark.django_db
def test_two_workers_do_not_send_the_same_delivery(
    scripted, django_capture_on_commit_callbacks, monkeypatch
):
    record = held_discussion(agencies=1)
    version = minutes_draft(discussion=record.discussion, user=record.chair)
    with monkeypatch.context() as lost, django_capture_on_commit_callbacks(execute=True):
        lost.setattr("outbox.tasks.send_messages.delay", lambda *a: None)
        lost.setattr("minutes.services.lifecycle.messages_claim_releasing", lambda *a: [])
        minutes_approve(version_id=version.pk, approved_by=record.chair)
    delivery = Delivery.objects.get()
    message = message_for(delivery)
    results = [message_send(message.pk), message_send(message.pk)]
    assert sorted(results) == ["not due", "sent"]
    assert len(scripted.accepted) == 1


def approved_unrendered(agencies: int):
    """Approved, its hints not run: the test makes the PDF itself with version_render."""
    record = held_discussion(agencies=agencies)
    draft = minutes_draft(discussion=record.discussion, user=record.chair)
    return minutes_approve(version_id=draft.pk, approved_by=record.chair)


@pytest.mark.django_db
def test_a_render_that_fails_to_record_claims_and_sends_nothing(mailoutbox, monkeypatch):
    version = approved_unrendered(agencies=3)

    def broker_bug(message_ids: list[int]) -> None:
        raise RuntimeError("Fictional: a bug while hinting")

    monkeypatch.setattr("minutes.services.lifecycle.hint_send", broker_bug)
    with pytest.raises(RuntimeError, match="a bug while hinting"):
        version_render(version.pk)
    messages = Message.objects.filter(version_id=version.pk)
    # The release and the claim went with the PDF's record: all still held, none tried.
    assert {(m.state, m.next_attempt_at, m.attempts) for m in messages} == {
        (MessageState.QUEUED, None, 0)
    }
    assert mailoutbox == []


@pytest.mark.django_db
def test_sends_that_stop_after_the_render_are_left_to_the_sweep(mailoutbox, monkeypatch, settings):
    version = approved_unrendered(agencies=3)

    def stops(claimed: list[Message]) -> None:
        raise RuntimeError("Fictional: the worker's mail code broke")

    monkeypatch.setattr("minutes.services.lifecycle.messages_send_claimed", stops)
    assert version_render(version.pk) == "rendered"  # the PDF is made, whatever the sends did
    messages = Message.objects.filter(version_id=version.pk)
    assert {m.state for m in messages} == {MessageState.SENDING}
    monkeypatch.undo()
    sweep()  # their claims still hold: nobody else sends them yet
    assert mailoutbox == []
    later = timezone.now() + timedelta(seconds=settings.OUTBOX_LEASE_SECONDS + 1)
    with time_machine.travel(later):
        sweep()
    assert len(mailoutbox) == 3
    assert Delivery.objects.filter(version=version, status=DeliveryStatus.SENT).count() == 3


@pytest.mark.django_db
def test_after_a_slow_render_its_process_hands_every_send_off(mailoutbox, monkeypatch, settings):
    version = approved_unrendered(agencies=3)
    settings.MINUTES_RENDER_SOFT_SECONDS = 0  # any render has used half its time limit
    hinted: list[list[int]] = []
    monkeypatch.setattr("minutes.services.lifecycle.hint_send", hinted.append)
    assert version_render(version.pk) == "rendered"
    assert mailoutbox == []
    ids = sorted(Message.objects.filter(version_id=version.pk).values_list("pk", flat=True))
    assert hinted == [ids]
    assert set(Message.objects.filter(pk__in=ids).values_list("state", flat=True)) == {
        MessageState.QUEUED
    }
