"""Letters to the chairs of discussions a case audit graded good: optional, one per
discussion, through the outbox, naming the discussion by reference only."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from minutes.case_audit import case_audit_draw, question_set_revise
from minutes.models import AuditQuestionSet
from outbox.models import Message, MessageKind
from outbox.sending import messages_send
from tests.factories import UserFactory
from tests.minutes.records import held_discussion
from tests.signin.helpers import verified_client


@pytest.fixture
def graded(db):
    record = held_discussion(agencies=2)
    if not AuditQuestionSet.objects.exists():
        question_set_revise(
            questions=[("The timescale was appropriate", "timescale")], revised_by=None
        )
    auditor = UserFactory(username="audrey", role="auditor")
    audit = case_audit_draw(
        start=timezone.localdate() - timedelta(days=7),
        end=timezone.localdate(),
        drawn_by=auditor,
        chosen=[record.discussion.pk],
    )
    audit.items.update(grade="good", graded_at=timezone.now())
    return record, audit, auditor


def test_the_auditor_sends_one_letter_per_discussion_graded_good(
    graded, mailoutbox, django_capture_on_commit_callbacks
):
    record, audit, auditor = graded
    client = verified_client(auditor)
    page = client.get(reverse("dashboards:case_audit", args=[audit.pk])).text
    assert "Send 1 letter to chairs" in page

    letters = reverse("dashboards:case_audit_letters", args=[audit.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(letters, follow=True)
    assert "1 letter to chairs queued to send" in response.text
    [message] = Message.objects.filter(kind=MessageKind.GOOD_PRACTICE_LETTER)
    assert message.recipients == [record.chair.email]
    messages_send([message.pk])
    [letter] = [m for m in mailoutbox if "graded good" in m.subject]
    assert record.discussion.reference in letter.subject
    assert "Rowan" not in letter.subject and "Rowan" not in letter.body

    # Pressed again: nothing more is owed.
    again = client.post(letters, follow=True)
    assert "had its letter already" in again.text
    assert Message.objects.filter(kind=MessageKind.GOOD_PRACTICE_LETTER).count() == 1


def test_no_letter_for_other_grades_and_only_auditors_send(graded):
    record, audit, _ = graded
    audit.items.update(grade="requires_improvement")
    for user in (record.chair, record.manager):
        assert (
            verified_client(user)
            .post(reverse("dashboards:case_audit_letters", args=[audit.pk]))
            .status_code
            == 404
        )
    auditor = UserFactory(username="aubrey", role="auditor")
    verified_client(auditor).post(reverse("dashboards:case_audit_letters", args=[audit.pk]))
    assert not Message.objects.filter(kind=MessageKind.GOOD_PRACTICE_LETTER).exists()
