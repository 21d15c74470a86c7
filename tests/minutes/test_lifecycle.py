"""The minutes' life after approval: the PDF step, replacement by a later version, withdrawal,
closing, and the race between an edit and the approval."""

import threading
from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.utils import timezone

from minutes.models import Delivery, DeliveryStatus, Dispute, MinutesVersion, PDFStatus
from minutes.receipts_links import receipt_url
from minutes.services.drafting import amendment_start, minutes_approve, minutes_draft
from minutes.services.lifecycle import delivery_revoke
from minutes.services.receipts import dispute_raise
from minutes.tasks import sweep as minutes_sweep
from outbox.models import Message, MessageKind, MessageState
from outbox.sending import message_send, messages_due
from outbox.tasks import sweep as outbox_sweep
from strategy.models import Discussion
from strategy.services import recording
from strategy.services.records import EditConflict, RecordLocked
from tests.conftest import missing_service
from tests.minutes.records import held_discussion
from tests.signin.helpers import verified_client


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def approve_quietly(record, monkeypatch):
    """Approves with every broker hint lost, so the test drives the sweeps itself."""
    version = minutes_draft(discussion=record.discussion, user=record.chair)
    with monkeypatch.context() as lost:
        lost.setattr("outbox.tasks.send_messages.delay", lambda *a: None)
        lost.setattr("minutes.tasks.render_version.delay", lambda *a: None)
        return minutes_approve(version_id=version.pk, approved_by=record.chair)


def run_sweeps(at=None):
    with time_machine.travel(at or timezone.now(), tick=False):
        minutes_sweep()
        outbox_sweep()


@pytest.mark.django_db
def test_a_pdf_that_cannot_be_made_fails_visibly_and_can_be_tried_again(
    monkeypatch, settings, mailoutbox
):
    settings.MINUTES_RENDER_TRIES = 3
    record = held_discussion(agencies=2)
    version = approve_quietly(record, monkeypatch)
    broken = mock.Mock(side_effect=RuntimeError("Fictional: fonts missing"))
    with mock.patch("minutes.pdf.render_minutes_pdf", broken):
        moment = timezone.now()
        for _ in range(5):  # more sweeps than tries: it must stop at the limit
            moment += timedelta(minutes=5)
            run_sweeps(moment)
    assert broken.call_count == 3
    version.refresh_from_db()
    assert version.pdf_status == PDFStatus.FAILED
    assert "fonts missing" in version.pdf_error
    # The deliveries stay owed and visible; nothing went.
    assert mailoutbox == []
    held = Message.objects.filter(version_id=version.pk, kind=MessageKind.MINUTES)
    assert [m.state for m in held] == [MessageState.QUEUED] * 2
    assert all(m.is_held for m in held)

    chair = verified_client(record.chair)
    page = chair.get(f"/minutes/discussion/{record.discussion.pk}/").text
    assert "The PDF could not be made" in page
    assert "fonts missing" in page
    manager = verified_client(record.manager)
    listed = manager.get("/dashboards/pdfs-not-made/").text
    assert "SD-2026-00077 version 1" in listed and "fonts missing" in listed
    with time_machine.travel(record.discussion.held_at + timedelta(hours=25)):
        overdue = verified_client(record.manager).get("/dashboards/minutes-overdue/").text
    assert "SD-2026-00077" in overdue  # no PDF, no minutes: overdue by the same rule

    retried = chair.post(f"/minutes/version/{version.pk}/pdf/try-again/")
    assert retried.status_code == 302
    run_sweeps()
    version.refresh_from_db()
    assert version.pdf_status == PDFStatus.RENDERED
    assert len(mailoutbox) == 2
    assert Delivery.objects.filter(version=version, status=DeliveryStatus.SENT).count() == 2


@pytest.mark.django_db
def test_version_two_replaces_version_one_and_its_reminders(monkeypatch, mailoutbox, settings):
    record = held_discussion(agencies=2)
    first = approve_quietly(record, monkeypatch)
    # Version 1 went to one agency only before the chair amended it.
    run_sweeps()
    police = Delivery.objects.get(version=first, agency__name="Eastmere Constabulary")
    Message.objects.filter(version_id=first.pk).update(state="queued", next_attempt_at=None)
    Delivery.objects.filter(version=first).exclude(pk=police.pk).update(status="queued")
    mailoutbox.clear()

    amendment_start(
        discussion=record.discussion,
        user=record.chair,
        reason="Fictional: the police position was wrong",
        change_summary="Police position corrected",
    )
    discussion = Discussion.objects.get(pk=record.discussion.pk)
    draft = minutes_draft(discussion=discussion, user=record.chair)
    with monkeypatch.context() as lost:
        lost.setattr("outbox.tasks.send_messages.delay", lambda *a: None)
        lost.setattr("minutes.tasks.render_version.delay", lambda *a: None)
        second = minutes_approve(version_id=draft.pk, approved_by=record.chair)

    old = Message.objects.filter(version_id=first.pk)
    assert {m.state for m in old} == {MessageState.CANCELLED}
    assert {m.cancelled_reason for m in old} == {"Replaced by version 2"}
    assert not Delivery.objects.filter(version=first, next_chase_at__isnull=False).exists()

    later = timezone.now() + timedelta(days=5)
    for hours in (0, 25, 49, 73, 97):
        run_sweeps(timezone.now() + timedelta(hours=hours))
    run_sweeps(later)
    assert mailoutbox, "version 2 and its reminders went out"
    for email in mailoutbox:
        assert int(email.extra_headers["X-Outbox-Message"]) not in {m.pk for m in old}
        for filename, _, _ in email.attachments:
            assert filename.endswith("-minutes-v2.pdf")
    reminders = [e for e in mailoutbox if e.subject.startswith("Reminder")]
    assert reminders and all("(version 2)" in e.body for e in reminders)
    assert Delivery.objects.filter(version=second, status=DeliveryStatus.SENT).count() == 2

    # The discussion's page says which version each minutes message and reminder is about.
    page = verified_client(record.chair).get(f"/discussions/{discussion.pk}/summary/").text
    rows = page.split('id="messages"')[1]
    assert rows.count('<td class="govuk-table__cell">Minutes, version 1</td>') == 2
    assert rows.count('<td class="govuk-table__cell">Minutes, version 2</td>') == 2
    assert '<td class="govuk-table__cell">Reminder, version 2</td>' in rows
    assert "Reminder, version 1" not in rows

    # Version 1's receipt link still opens, and says it was replaced.
    url = receipt_url(delivery_id=police.pk, version_id=first.pk)
    replaced = Client().get(url.removeprefix(settings.SITE_URL)).text
    assert "These minutes have been replaced by version 2" in replaced
    assert "Version 1, approved" in replaced
    second_police = Delivery.objects.get(version=second, agency__name="Eastmere Constabulary")
    latest = (
        Client()
        .get(
            receipt_url(delivery_id=second_police.pk, version_id=second.pk).removeprefix(
                settings.SITE_URL
            )
        )
        .text
    )
    assert "have been replaced" not in latest


@pytest.mark.django_db
def test_a_delivery_withdrawn_before_sending_is_never_enqueued_again(monkeypatch):
    record = held_discussion(agencies=3)
    version = approve_quietly(record, monkeypatch)
    with (
        mock.patch("outbox.tasks.send_messages.delay"),
        mock.patch("minutes.services.lifecycle.messages_claim_releasing", return_value=[]),
    ):
        run_sweeps()  # the PDF is made; nothing is sent yet, so the messages stay due
    withdrawn = Delivery.objects.filter(version=version).first()
    assert withdrawn is not None
    delivery_revoke(delivery=withdrawn, reason="Fictional: wrong practice")
    [message] = Message.objects.filter(delivery_id=withdrawn.pk)
    assert (message.state, message.cancelled_reason) == (
        MessageState.CANCELLED,
        "Withdrawn: sent in error",
    )
    with mock.patch("outbox.tasks.send_messages.delay") as hints:
        for minutes in (1, 2, 3):
            run_sweeps(timezone.now() + timedelta(minutes=minutes))
    enqueued = [pk for call in hints.call_args_list for pk in call.args[0]]
    assert message.pk not in enqueued
    assert len(enqueued) == 3 * 2  # the other two, hinted by each sweep until sent
    assert message.pk not in messages_due(timezone.now() + timedelta(days=1))


@pytest.mark.django_db
def test_closing_after_approval_works_and_preconditions_are_errors(monkeypatch):
    record = held_discussion(agencies=1)
    chair = verified_client(record.chair)
    discussion = Discussion.objects.get(pk=record.discussion.pk)
    summary = chair.get(f"/discussions/{discussion.pk}/summary/")
    assert "You can close the discussion once its minutes are approved" in summary.text
    refused = chair.post(f"/discussions/{discussion.pk}/close/", {"revision": discussion.revision})
    assert refused.status_code == 200
    error_summary = refused.text.split('class="govuk-error-summary"')[1].split("</div>")[0]
    assert "Approve the minutes before closing the discussion" in error_summary
    assert f'href="/minutes/discussion/{discussion.pk}/"' in error_summary
    assert refused.text.count("<title>Error: ") == 1
    approve_quietly(record, monkeypatch)
    summary = chair.get(f"/discussions/{discussion.pk}/summary/")
    assert "Close the discussion</button>" in summary.text
    discussion.refresh_from_db()
    closed = chair.post(
        f"/discussions/{discussion.pk}/close/", {"revision": discussion.revision}, follow=True
    )
    assert closed.status_code == 200
    assert "Discussion closed" in closed.text
    discussion.refresh_from_db()
    assert discussion.closed_at is not None


@pytest.mark.django_db
def test_a_closed_discussions_minutes_cannot_be_amended(monkeypatch):
    """Amending would reopen a record that closing froze for good: refused with a clear
    error, and the button is not offered, so no draft version is left that can never be
    approved."""
    record = held_discussion(agencies=1)
    chair = verified_client(record.chair)
    approve_quietly(record, monkeypatch)
    discussion = Discussion.objects.get(pk=record.discussion.pk)
    chair.post(f"/discussions/{discussion.pk}/close/", {"revision": discussion.revision})
    discussion.refresh_from_db()
    assert discussion.closed_at is not None
    workspace = chair.get(f"/minutes/discussion/{discussion.pk}/")
    assert "Amend the minutes" not in workspace.text
    opened = chair.get(f"/minutes/discussion/{discussion.pk}/amend/", follow=True)
    assert "The discussion is closed: its minutes can no longer be amended" in opened.text
    assert 'name="change_summary"' not in opened.text
    refused = chair.post(
        f"/minutes/discussion/{discussion.pk}/amend/",
        {"reason": "Fictional: a date was wrong", "change_summary": "The date of birth"},
    )
    assert refused.status_code == 200
    assert "govuk-error-summary" in refused.text
    assert "The discussion is closed: its minutes can no longer be amended" in refused.text
    assert "Fictional: a date was wrong" in refused.text  # what was typed is kept
    assert MinutesVersion.objects.filter(discussion=discussion).count() == 1
    discussion.refresh_from_db()
    assert discussion.record_locked_at is not None


@pytest.mark.django_db
def test_an_edit_with_a_stale_object_cannot_change_a_frozen_record(monkeypatch):
    record = held_discussion(agencies=1)
    stale = Discussion.objects.get(pk=record.discussion.pk)  # read before approval
    approve_quietly(record, monkeypatch)
    assert stale.is_editable  # what the old check looked at
    with pytest.raises(RecordLocked):
        recording.discussion_fields_record(
            discussion=stale, expected_revision=stale.revision, worries="Changed too late"
        )
    assert Discussion.objects.get(pk=stale.pk).worries != "Changed too late"
    assert "Changed too late" not in str(MinutesVersion.objects.get().snapshot)


@pytest.mark.django_db(transaction=True)
def test_an_edit_in_flight_when_the_chair_approves_is_in_the_frozen_minutes(monkeypatch):
    """The edit takes the revision first and is still saving when the approval starts: the
    approval waits for it, and the minutes freeze the record as the edit left it."""
    if connection.vendor != "postgresql":
        missing_service("the approval/edit race is tested on PostgreSQL: set DATABASE_URL")
    record = held_discussion(agencies=1)
    discussion = Discussion.objects.get(pk=record.discussion.pk)
    draft = minutes_draft(discussion=discussion, user=record.chair)
    claimed, release = threading.Event(), threading.Event()
    real_save = Discussion.save

    def slow_save(self, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        if threading.current_thread().name == "editor":
            claimed.set()  # the revision is taken; the save is still to come
            release.wait(10)
        return real_save(self, *args, **kwargs)

    outcome: dict[str, object] = {}

    def edit() -> None:
        try:
            recording.discussion_fields_record(
                discussion=Discussion.objects.get(pk=discussion.pk),
                expected_revision=discussion.revision,
                worries="Fictional: typed during the approval",
            )
            outcome["edit"] = "saved"
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            outcome["edit"] = repr(error)
        finally:
            connection.close()

    def approve() -> None:
        try:
            with monkeypatch.context() as lost:
                lost.setattr("minutes.tasks.render_version.delay", lambda *a: None)
                minutes_approve(version_id=draft.pk, approved_by=record.chair)
            outcome["approval"] = "approved"
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            outcome["approval"] = repr(error)
        finally:
            connection.close()

    with mock.patch.object(Discussion, "save", slow_save):
        editor = threading.Thread(target=edit, name="editor")
        editor.start()
        assert claimed.wait(10)
        approver = threading.Thread(target=approve)
        approver.start()
        approver.join(1)
        assert approver.is_alive(), "the approval must wait for the edit's transaction"
        release.set()
        editor.join(20)
        approver.join(20)
    assert outcome == {"edit": "saved", "approval": "approved"}
    frozen = MinutesVersion.objects.get(pk=draft.pk)
    locked = Discussion.objects.get(pk=discussion.pk)
    assert locked.worries == "Fictional: typed during the approval"
    assert "Fictional: typed during the approval" in str(frozen.snapshot)
    assert locked.record_locked_at is not None


@pytest.mark.django_db
def test_a_minutes_message_due_before_its_pdf_waits_without_using_an_attempt(
    monkeypatch, mailoutbox
):
    record = held_discussion(agencies=1)
    version = approve_quietly(record, monkeypatch)
    [message] = Message.objects.filter(version_id=version.pk)
    Message.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())  # e.g. a retry
    assert message_send(message.pk) == "not ready"
    message.refresh_from_db()
    assert (message.state, message.attempts) == (MessageState.QUEUED, 0)
    assert message.next_attempt_at is not None
    run_sweeps(message.next_attempt_at + timedelta(seconds=1))  # the PDF is made, then it goes
    message.refresh_from_db()
    assert message.state == MessageState.SENT
    assert len(mailoutbox) == 1


@pytest.mark.django_db
def test_a_second_amendment_while_one_is_open_is_an_error_not_a_failure(monkeypatch):
    record = held_discussion(agencies=1)
    chair = verified_client(record.chair)
    approve_quietly(record, monkeypatch)
    url = f"/minutes/discussion/{record.discussion.pk}/amend/"
    answers = {"reason": "Fictional: a date was wrong", "change_summary": "The date of birth"}
    assert chair.post(url, answers).status_code == 302
    again = chair.post(url, answers)
    assert again.status_code == 200
    assert "govuk-error-summary" in again.text
    assert "An amendment is already in progress" in again.text
    assert MinutesVersion.objects.filter(discussion=record.discussion).count() == 2


@pytest.mark.django_db
def test_an_open_dispute_must_be_resolved_before_closing(monkeypatch, settings):
    """A dispute is resolved only by an amended version, and a closed discussion's minutes
    cannot be amended: closing waits for it, and a dispute cannot be raised after closing."""
    record = held_discussion(agencies=2)
    chair = verified_client(record.chair)
    version = approve_quietly(record, monkeypatch)
    police = Delivery.objects.get(version=version, agency__name="Eastmere Constabulary")
    dispute_raise(delivery=police, name="DS Fictional", role="Detective", statement="Not said.")
    discussion = Discussion.objects.get(pk=record.discussion.pk)

    refused = chair.post(f"/discussions/{discussion.pk}/close/", {"revision": discussion.revision})
    summary = refused.text.split('class="govuk-error-summary"')[1].split("</ul>")[0]
    assert "Resolve the dispute from Eastmere Constabulary by amending the minutes" in summary
    discussion.refresh_from_db()
    assert discussion.closed_at is None

    amendment_start(
        discussion=discussion, user=record.chair, reason="Fictional", change_summary="Corrected"
    )
    draft = minutes_draft(discussion=discussion, user=record.chair)
    with monkeypatch.context() as lost:
        lost.setattr("outbox.tasks.send_messages.delay", lambda *a: None)
        lost.setattr("minutes.tasks.render_version.delay", lambda *a: None)
        minutes_approve(version_id=draft.pk, approved_by=record.chair)
    discussion.refresh_from_db()
    closed = chair.post(f"/discussions/{discussion.pk}/close/", {"revision": discussion.revision})
    assert closed.status_code == 302
    discussion.refresh_from_db()
    assert discussion.closed_at is not None

    link = receipt_url(delivery_id=police.pk, version_id=version.pk)
    agency = Client()
    page = agency.get(link.removeprefix(settings.SITE_URL)).text
    assert "The discussion is closed, so its minutes can no longer be amended" in page
    assert 'value="dispute"' not in page
    late = agency.post(
        link.removeprefix(settings.SITE_URL),
        {
            "action": "dispute",
            "dispute_name": "DS Fictional",
            "dispute_role": "Detective",
            "statement": "Still not said.",
        },
    )
    assert "govuk-error-summary" in late.text
    assert Dispute.objects.count() == 1


@pytest.mark.django_db
def test_closing_does_not_win_over_an_amendment_started_meanwhile(monkeypatch):
    """The close read the record locked, then an amendment unlocked it (without moving the
    revision) before the close's UPDATE: the UPDATE checks the lock itself, so the discussion
    is not closed with a draft that could never be approved."""
    record = held_discussion(agencies=1)
    approve_quietly(record, monkeypatch)
    stale = Discussion.objects.get(pk=record.discussion.pk)  # as the close read it: locked
    amendment_start(
        discussion=Discussion.objects.get(pk=stale.pk),
        user=record.chair,
        reason="Fictional",
        change_summary="Corrected",
    )
    assert stale.record_locked_at is not None
    with (
        mock.patch.object(Discussion.objects, "get", return_value=stale),
        pytest.raises(EditConflict),
    ):
        recording.discussion_close(discussion=stale, expected_revision=stale.revision)
    discussion = Discussion.objects.filter(pk=stale.pk).values("closed_at", "record_locked_at")
    assert list(discussion) == [{"closed_at": None, "record_locked_at": None}]


@pytest.mark.django_db(transaction=True)
def test_a_dispute_and_the_chairs_alert_are_recorded_together_or_not_at_all(monkeypatch):
    """The alert is owed in the dispute's own transaction: if owing it fails, no dispute is
    left that nobody was told about."""
    record = held_discussion(agencies=1)
    version = approve_quietly(record, monkeypatch)
    delivery = Delivery.objects.get(version=version)
    broken = mock.Mock(side_effect=RuntimeError("Fictional: the outbox is unreachable"))
    with mock.patch("minutes.services.receipts.message_owe", broken), pytest.raises(RuntimeError):
        dispute_raise(delivery=delivery, name="DS Fictional", role="Detective", statement="No.")
    assert not Dispute.objects.exists()
