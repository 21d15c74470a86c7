"""The chase schedule, step by step, in travelled time."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from minutes.models import Chase, Delivery
from minutes.services.drafting import minutes_approve, minutes_draft
from minutes.services.lifecycle import chase_owe, chases_owe_due, receipt_confirm
from outbox.sending import messages_due, messages_send
from tests.minutes.records import held_discussion


@pytest.fixture
def sent(settings, tmp_path, django_capture_on_commit_callbacks, mailoutbox):
    settings.MEDIA_ROOT = tmp_path
    record = held_discussion(agencies=2)
    version = minutes_draft(discussion=record.discussion, user=record.chair)
    with django_capture_on_commit_callbacks(execute=True):
        minutes_approve(version_id=version.pk, approved_by=record.chair)
    mailoutbox.clear()
    police = Delivery.objects.get(agency__name="Eastmere Constabulary")
    return record, police


def chases_send_due(now) -> int:
    """The minutes sweep writes the chases; the outbox's sweep sends them."""
    owed = chases_owe_due(now)
    messages_send(messages_due(now))
    return owed


def at(delivery, hours: float):
    return time_machine.travel(delivery.sent_at + timedelta(hours=hours), tick=False)


@pytest.mark.django_db
def test_reminders_daily_then_escalation_to_the_lead_and_the_chairs_manager(sent, mailoutbox):
    record, police = sent
    with at(police, 23.9):
        assert chases_send_due(police.sent_at + timedelta(hours=23.9)) == 0
    for number, hours in ((1, 24), (2, 48), (3, 72)):
        with at(police, hours + 0.01):
            chases_send_due(timezone.now())
        reminders = [
            m
            for m in mailoutbox
            if "Eastmere Constabulary" in m.body and m.subject.startswith(f"Reminder {number}")
        ]
        assert len(reminders) == 1, number
        assert reminders[0].to == ["minutes.1@eastmere.gov.uk"]
    assert Chase.objects.filter(delivery=police).count() == 3
    with at(police, 96.01):
        chases_send_due(timezone.now())
    escalation = [m for m in mailoutbox if m.subject.startswith("Escalation")]
    police_escalation = [m for m in escalation if "Eastmere Constabulary" in m.subject]
    assert len(police_escalation) == 1
    assert sorted(police_escalation[0].to) == ["lead@eastmere.police.uk", "maya@eastmere.gov.uk"]
    police.refresh_from_db()
    assert police.escalated_at is not None
    assert police.next_chase_at is None
    chase = Chase.objects.get(delivery=police, number=4)
    assert chase.kind == "escalation"
    # nothing more after escalation
    with at(police, 200):
        chases_send_due(timezone.now())
    assert Chase.objects.filter(delivery=police).count() == 4


@pytest.mark.django_db
def test_chasing_stops_once_receipt_is_confirmed(sent, mailoutbox):
    _, police = sent
    with at(police, 24.01):
        chases_send_due(timezone.now())
    receipt_confirm(delivery=police, name="DS Priya Wrenfield", role="Detective Sergeant")
    with at(police, 96.01):
        chases_send_due(timezone.now())
    assert Chase.objects.filter(delivery=police).count() == 1
    police.refresh_from_db()
    assert police.next_chase_at is None


@pytest.mark.django_db
def test_two_sweeps_at_once_send_each_reminder_once(sent, mailoutbox):
    _, police = sent
    police.refresh_from_db()
    due_at = police.next_chase_at
    with at(police, 24.01):
        now = timezone.now()
        # Both sweeps read the same due row before either claims it.
        first = chase_owe(police.pk, due_at, 0, now)
        second = chase_owe(police.pk, due_at, 0, now)
        messages_send(messages_due(now))
    assert (first, second) == (True, False)
    assert Chase.objects.filter(delivery=police).count() == 1
    assert (
        len(
            [
                m
                for m in mailoutbox
                if m.subject.startswith("Reminder 1") and "Eastmere Constabulary" in m.body
            ]
        )
        == 1
    )
