"""Every kind of message, sent by a real worker on Redis to a real SMTP server, through four
faults: the worker SIGKILLed mid-send, the broker's messages lost, 451 for a while, and 550.

Each message must end sent, or failed with the server's reply shown, and never with more
copies than the stated bound (outbox.sending): exactly one copy here, because no fault below
strikes after the server accepted a message and before the database recorded it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from minutes.case_audit import case_audit_draw, question_set_revise
from minutes.case_audit_letters import good_practice_letters_send
from minutes.models import AuditQuestionSet, Delivery
from minutes.services.drafting import minutes_approve, minutes_draft
from minutes.services.lifecycle import chase_owe
from minutes.services.receipts import dispute_raise, fresh_link_send
from outbox.models import Message, MessageKind, MessageState
from strategy.invitations import invitations_cancel, invitations_queue, invitations_update
from strategy.models import Invitee
from strategy.services.differences import difference_escalate, difference_open
from tests.integration.conftest import wait_until
from tests.minutes.records import held_discussion

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

EVERY_KIND = set(MessageKind.values) - {MessageKind.OTHER}


def owe_every_kind() -> list[Message]:
    """One or more messages of every kind, each written by the service that owes it."""
    record = held_discussion(agencies=3)
    version = minutes_draft(discussion=record.discussion, user=record.chair)
    minutes_approve(version_id=version.pk, approved_by=record.chair)
    first, second, _ = Delivery.objects.filter(version=version).order_by("pk")
    now = timezone.now()
    due = now - timedelta(seconds=1)
    Delivery.objects.filter(pk__in=[first.pk, second.pk]).update(next_chase_at=due)
    Delivery.objects.filter(pk=second.pk).update(chases_sent=3)
    assert chase_owe(first.pk, due, 0, now)  # reminder 1
    assert chase_owe(second.pk, due, 3, now)  # escalation, after three reminders
    dispute_raise(delivery=first, name="Dr Fictional", role="GP", statement="Not what was said.")
    fresh_link_send(delivery=first)
    new, changed, removed = Invitee.objects.filter(discussion=record.discussion).order_by("pk")
    Invitee.objects.filter(pk__in=[changed.pk, removed.pk]).update(
        invitation_queued_at=now, invitation_sent_at=now
    )
    invitations_update(discussion=record.discussion)
    invitations_cancel(invitees=[Invitee.objects.get(pk=removed.pk)])
    invitations_queue(discussion=record.discussion, invitees=[new])
    difference = difference_open(
        discussion=record.discussion,
        opened_by=record.chair,
        raised_by="Fictional health visitor",
        raised_with="Fictional team manager",
        raised_on=timezone.localdate(),
        issue="Fictional: the decision not to hold a conference",
    )
    assert difference_escalate(difference_id=difference.pk, from_stage=1, because="requested")
    if not AuditQuestionSet.objects.exists():  # an earlier transactional test flushed it
        question_set_revise(
            questions=[("The timescale was appropriate", "timescale")], revised_by=None
        )
    audit = case_audit_draw(
        start=timezone.localdate() - timedelta(days=7),
        end=timezone.localdate(),
        drawn_by=record.chair,
        chosen=[record.discussion.pk],
    )
    audit.items.update(grade="good", graded_at=now)
    assert good_practice_letters_send(audit=audit) == 1
    owed = list(Message.objects.exclude(state=MessageState.CANCELLED).order_by("pk"))
    assert {m.kind for m in owed} == EVERY_KIND
    return owed


def settled(messages: list[Message], state: str) -> bool:
    return all(Message.objects.get(pk=m.pk).state == state for m in messages)


def test_a_worker_killed_mid_send_loses_no_message_of_any_kind(start_worker, mail_server):
    server, _ = mail_server
    server.hang_data_for = 600  # the server never finishes taking these...
    first = start_worker(concurrency=12)
    owed = owe_every_kind()
    wait_until(
        lambda: (
            Message.objects.filter(pk__in=[m.pk for m in owed], attempts__gte=1).count()
            == len(owed)
        ),
        seconds=60,
        what="every message in flight",
        logs=[first.log],
    )
    in_flight = list(Message.objects.filter(state=MessageState.SENDING))
    assert {m.kind for m in in_flight} == EVERY_KIND
    first.kill()  # ...and the worker dies with every kind mid-send
    server.hang_data_for = 0
    second = start_worker()
    wait_until(
        lambda: settled(owed, MessageState.SENT),
        seconds=120,
        what="every message sent after SIGKILL",
        logs=[first.log, second.log],
    )
    assert [server.copies_of(m.pk) for m in owed] == [1] * len(owed)
    for message in Message.objects.filter(pk__in=[m.pk for m in in_flight]):
        outcomes = list(message.attempt_rows.values_list("outcome", flat=True))
        assert outcomes[-1] == "sent", (message.kind, outcomes)
        assert "lost" in outcomes, (message.kind, outcomes)  # found by the sweep after its lease


def test_lost_broker_messages_lose_no_message_of_any_kind(start_worker, mail_server, broker):
    server, _ = mail_server
    owed = owe_every_kind()  # every hint, and the PDF's, is now in Redis...
    assert broker.llen("celery") >= 1
    broker.flushdb()  # ...and Redis loses everything
    worker = start_worker()
    wait_until(
        lambda: settled(owed, MessageState.SENT),
        seconds=90,
        what="every message sent by the sweeps",
        logs=[worker.log],
    )
    assert [server.copies_of(m.pk) for m in owed] == [1] * len(owed)


def test_451_for_a_while_then_every_kind_is_accepted(start_worker, mail_server):
    server, _ = mail_server
    owed = owe_every_kind()
    server.defer_all = True
    worker = start_worker()
    wait_until(
        lambda: all(
            m.attempt_rows.filter(outcome="retry").exists()
            for m in Message.objects.filter(pk__in=[m.pk for m in owed])
        ),
        seconds=60,
        what="every message refused for now",
        logs=[worker.log],
    )
    server.defer_all = False
    wait_until(
        lambda: settled(owed, MessageState.SENT),
        seconds=120,
        what="every message sent after 451s",
        logs=[worker.log],
    )
    assert [server.copies_of(m.pk) for m in owed] == [1] * len(owed)
    for message in Message.objects.filter(pk__in=[m.pk for m in owed]):
        outcomes = list(message.attempt_rows.values_list("outcome", flat=True))
        assert outcomes.count("retry") >= 1 and outcomes[-1] == "sent", (message.kind, outcomes)


def test_550_fails_every_kind_at_once_with_the_reply_shown(
    start_worker, mail_server, client_for, django_user_model
):
    server, _ = mail_server
    owed = owe_every_kind()
    server.refuse = {a for m in owed for a in m.recipients}
    worker = start_worker()
    wait_until(
        lambda: settled(owed, MessageState.FAILED),
        seconds=90,
        what="every message failed",
        logs=[worker.log],
    )
    assert server.accepted == []
    for message in Message.objects.filter(pk__in=[m.pk for m in owed]):
        assert message.attempts == 1, message.kind  # a permanent refusal is not retried
        assert "550 5.1.1 Mailbox does not exist" in message.last_reply, message.kind
    minutes = Delivery.objects.exclude(status="sent")
    assert all("550 5.1.1" in d.last_error for d in minutes)
    manager = django_user_model.objects.get(username="maya")
    page = client_for(manager).get("/dashboards/outgoing/").text
    assert page.count("550 5.1.1 Mailbox does not exist") == len(owed)
    dashboard = client_for(manager).get("/dashboards/failed-messages/").text
    assert dashboard.count("550 5.1.1 Mailbox does not exist") == len(owed)
