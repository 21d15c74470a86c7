"""A chunk of messages is built together, sent over its mail sessions and recorded in one
transaction; its outcomes are each message's own, and one bad row never stops the rest."""

import smtplib
import threading
from typing import Any

import pytest
import structlog
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection
from django.test.utils import CaptureQueriesContext

from minutes.models import Delivery, DeliveryStatus, MinutesVersion
from minutes.services.drafting import minutes_approve, minutes_draft
from minutes.services.lifecycle import version_render
from outbox import sending
from outbox.kinds import Handler, handler_for, handler_register
from outbox.models import Attempt, Message, MessageKind, MessageState
from outbox.sending import messages_send
from tests.mail_server import loopback_mail_server
from tests.minutes.records import held_discussion

REFUSED = smtplib.SMTPRecipientsRefused({"x@nhs.net": (550, b"5.1.1 No such mailbox")})
BUSY = smtplib.SMTPResponseException(451, b"4.3.0 Try later")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def rendered_minutes(monkeypatch):
    def make(agencies: int) -> list[int]:
        """A version approved and its PDF made, its minutes messages due and not sent."""
        record = held_discussion(agencies=agencies)
        version = minutes_draft(discussion=record.discussion, user=record.chair)
        minutes_approve(version_id=version.pk, approved_by=record.chair)  # hints not run
        with monkeypatch.context() as patch:  # the render's own sends are the test's
            patch.setattr("minutes.services.lifecycle.messages_claim_releasing", lambda *a: [])
            assert version_render(version.pk) == "rendered"
        return minutes_ids(version.pk)

    return make


def minutes_ids(version_id: int) -> list[int]:
    ids = Message.objects.filter(version_id=version_id, kind=MessageKind.MINUTES)
    return sorted(ids.values_list("pk", flat=True))


@pytest.mark.django_db
def test_each_message_in_a_chunk_gets_its_own_outcome(scripted, rendered_minutes):
    ids = rendered_minutes(agencies=4)
    scripted.script = [None, REFUSED, BUSY, None]
    outcomes = messages_send(ids)
    assert outcomes == {"sent": 2, "failed": 1, "retrying": 1}
    states = dict(Message.objects.filter(pk__in=ids).values_list("pk", "state"))
    assert [states[pk] for pk in ids] == ["sent", "failed", "retrying", "sent"]
    assert "550 5.1.1 No such mailbox" in Message.objects.get(pk=ids[1]).last_reply
    assert Attempt.objects.filter(message_id__in=ids).count() == 4
    deliveries = {m.delivery_id: m.state for m in Message.objects.filter(pk__in=ids)}
    statuses = dict(Delivery.objects.values_list("pk", "status"))
    assert {statuses[d] for d, s in deliveries.items() if s == "sent"} == {DeliveryStatus.SENT}
    version = MinutesVersion.objects.get()
    assert version.distributed_at is None  # two agencies still owed


@pytest.mark.django_db
def test_a_chunk_all_sent_marks_the_version_distributed(scripted, rendered_minutes):
    ids = rendered_minutes(agencies=3)
    assert messages_send(ids) == {"sent": 3}
    assert MinutesVersion.objects.get().distributed_at is not None
    assert not Delivery.objects.exclude(status=DeliveryStatus.SENT).exists()


@pytest.mark.django_db
def test_one_rows_failing_record_never_stops_the_others(scripted, caplog, rendered_minutes):
    ids = rendered_minutes(agencies=3)
    bad = Message.objects.get(pk=ids[1])
    real = handler_for(MessageKind.MINUTES)

    def all_sent(messages: list[Message], at: Any) -> None:
        if any(m.pk == bad.pk for m in messages):
            raise RuntimeError("Fictional: the app's own record could not be written")
        assert real.all_sent is not None
        real.all_sent(messages, at)

    handler_register(
        MessageKind.MINUTES,
        Handler(compose=real.compose, failed=real.failed, all_sent=all_sent),
    )
    try:
        outcomes = messages_send(ids)
    finally:
        handler_register(MessageKind.MINUTES, real)
    assert outcomes == {"sent": 2, "error": 1}
    states = dict(Message.objects.filter(pk__in=ids).values_list("pk", "state"))
    assert states[ids[0]] == states[ids[2]] == MessageState.SENT
    # Left as it was claimed: its lease runs out and the sweep sends it again (the bound).
    assert states[bad.pk] == MessageState.SENDING
    assert "recording them one by one" in caplog.text


@pytest.mark.django_db
def test_a_chunks_queries_do_not_grow_with_its_size(scripted, rendered_minutes):
    ids = rendered_minutes(agencies=8)
    with CaptureQueriesContext(connection) as two:
        assert messages_send(ids[:2]) == {"sent": 2}
    with CaptureQueriesContext(connection) as five:
        assert messages_send(ids[2:7]) == {"sent": 5}
    assert len(five) == len(two)


class Unreachable(BaseEmailBackend):
    """A mail server that never answers: each try waits out the timeout."""

    tries = 0
    counting = threading.Lock()  # the chunk's sessions run in threads

    def send_messages(self, email_messages: Any) -> int:
        with Unreachable.counting:
            Unreachable.tries += 1
        raise TimeoutError("timed out")


@pytest.mark.django_db
@pytest.mark.parametrize("sessions", [1, 2])
def test_a_server_that_cannot_be_reached_is_waited_for_once_a_session(
    settings, rendered_minutes, sessions
):
    """Each of the chunk's sessions (they run at the same time) finds out once, and the rest
    of its messages are not tried."""
    settings.OUTBOX_SMTP_SESSIONS = sessions
    ids = rendered_minutes(agencies=4)
    settings.EMAIL_BACKEND = f"{__name__}.Unreachable"
    Unreachable.tries = 0
    assert messages_send(ids) == {"retrying": 4}
    assert Unreachable.tries == sessions
    replies = list(Message.objects.filter(pk__in=ids).values_list("last_reply", flat=True))
    assert all("timed out" in reply for reply in replies)
    assert sum("Not tried" in reply for reply in replies) == 4 - sessions
    assert Attempt.objects.filter(message_id__in=ids, outcome="retry").count() == 4


@pytest.mark.django_db
def test_the_server_has_the_first_email_before_the_next_is_made(
    scripted, rendered_minutes, monkeypatch
):
    ids = rendered_minutes(agencies=3)
    events: list[str] = []
    real = __import__("minutes.emails", fromlist=["minutes_messages"]).minutes_messages

    def made(delivery: Delivery, pdf: bytes) -> Any:
        events.append(f"made, {len(scripted.accepted)} accepted")
        return real(delivery, pdf)

    monkeypatch.setattr("minutes.services.lifecycle.minutes_messages", made)
    assert messages_send(ids) == {"sent": 3}
    assert events == ["made, 0 accepted", "made, 1 accepted", "made, 2 accepted"]


@pytest.mark.django_db
def test_an_email_that_cannot_be_made_at_its_turn_never_stops_the_others(
    scripted, rendered_minutes, monkeypatch
):
    ids = rendered_minutes(agencies=3)
    real = __import__("minutes.emails", fromlist=["minutes_messages"]).minutes_messages
    second = Message.objects.get(pk=ids[1]).delivery_id

    def made(delivery: Delivery, pdf: bytes) -> Any:
        if delivery.pk == second:
            raise KeyError("Fictional: a template is missing")
        return real(delivery, pdf)

    monkeypatch.setattr("minutes.services.lifecycle.minutes_messages", made)
    assert messages_send(ids) == {"sent": 2, "retrying": 1}
    assert len(scripted.accepted) == 2
    broken = Message.objects.get(pk=ids[1])
    assert broken.state == MessageState.RETRYING
    assert "Could not be built" in broken.last_reply
    assert "a template is missing" in broken.last_reply
    assert Attempt.objects.filter(message=broken).count() == 1


@pytest.fixture
def smtp_server(settings) -> Any:
    """The real SMTP backend, talking to a real server on loopback."""
    with loopback_mail_server() as (server, port):
        settings.EMAIL_BACKEND = "config.mail.SMTPBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        yield server


def recipient(message_id: int) -> str:
    return str(Message.objects.get(pk=message_id).recipients[0])


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("reply", "state"),
    [
        ("550 5.6.0 Fictional: content rejected", MessageState.FAILED),
        ("451 4.3.0 Fictional: try again later", MessageState.RETRYING),
    ],
)
def test_the_servers_answer_to_a_messages_data_is_that_messages_outcome(
    smtp_server, rendered_minutes, reply, state
):
    """A refusal that comes after the message's data (the envelope was accepted) lands on
    that message alone; the other messages of the chunk are still sent."""
    ids = rendered_minutes(agencies=4)
    smtp_server.data_replies = {recipient(ids[1]): reply}
    outcomes = messages_send(ids)
    assert outcomes == {"sent": 3, str(state): 1}
    refused = Message.objects.get(pk=ids[1])
    assert refused.state == state
    assert reply in refused.last_reply
    assert Attempt.objects.get(message=refused).reply == refused.last_reply
    for pk in (ids[0], ids[2], ids[3]):
        assert Message.objects.get(pk=pk).state == MessageState.SENT
        assert smtp_server.copies_of(pk) == 1
    assert smtp_server.copies_of(ids[1]) == 0
    deliveries = Delivery.objects.filter(
        pk__in=Message.objects.filter(pk__in=ids).values("delivery_id")
    )
    assert deliveries.filter(status=DeliveryStatus.SENT).count() == 3


@pytest.mark.django_db
@pytest.mark.parametrize("sessions", [1, 2, 3])
def test_a_chunk_goes_out_over_as_many_mail_sessions_as_set(
    settings, smtp_server, rendered_minutes, sessions
):
    """Each message once, over OUTBOX_SMTP_SESSIONS connections at once, recorded together."""
    settings.OUTBOX_SMTP_SESSIONS = sessions
    ids = rendered_minutes(agencies=7)
    assert messages_send(ids) == {"sent": 7}
    assert [smtp_server.copies_of(pk) for pk in ids] == [1] * 7
    connections_used = set(smtp_server.peers)
    assert len(connections_used) == sessions
    carried = sorted(smtp_server.peers.count(peer) for peer in connections_used)
    assert sum(carried) == 7 and carried[-1] - carried[0] <= 1  # dealt out evenly
    assert Message.objects.filter(pk__in=ids, state=MessageState.SENT).count() == 7
    assert Attempt.objects.filter(message_id__in=ids).count() == 7
    assert Delivery.objects.filter(status=DeliveryStatus.SENT).count() == 7


class OneSessionBreaks(BaseEmailBackend):
    """Accepts everything, but the second mail session cannot even be opened (a bug, not an
    SMTP error): that session's thread stops with it."""

    opened = 0
    accepted: list[Any] = []
    counting = threading.Lock()

    def open(self) -> bool:
        with OneSessionBreaks.counting:
            OneSessionBreaks.opened += 1
            if OneSessionBreaks.opened == 2:
                raise RuntimeError("Fictional: a broken mail backend")
        return True

    def send_messages(self, email_messages: Any) -> int:
        OneSessionBreaks.accepted.extend(email_messages)
        return len(email_messages)


@pytest.mark.django_db
def test_a_session_that_stops_with_an_error_loses_no_outcome(settings, rendered_minutes):
    settings.OUTBOX_SMTP_SESSIONS = 2
    ids = rendered_minutes(agencies=4)
    settings.EMAIL_BACKEND = f"{__name__}.OneSessionBreaks"
    OneSessionBreaks.opened, OneSessionBreaks.accepted = 0, []
    assert messages_send(ids) == {"sent": 2, "retrying": 2}
    assert len(OneSessionBreaks.accepted) == 2
    states = dict(Message.objects.filter(pk__in=ids).values_list("pk", "state"))
    assert sorted(states.values()) == ["retrying", "retrying", "sent", "sent"]
    for message in Message.objects.filter(pk__in=ids, state=MessageState.RETRYING):
        assert "a broken mail backend" in message.last_reply
    assert Attempt.objects.filter(message_id__in=ids).count() == 4


@pytest.mark.django_db
def test_the_soft_time_limit_while_sessions_run_still_records_the_chunk(
    settings, smtp_server, rendered_minutes, monkeypatch
):
    """Celery raises it in the task's thread, which is waiting for the sessions: they finish
    and their outcomes are recorded, so nothing sent is left to go again."""
    from celery.exceptions import SoftTimeLimitExceeded

    settings.OUTBOX_SMTP_SESSIONS = 2
    ids = rendered_minutes(agencies=4)
    real_wait = sending.futures_wait
    calls: list[int] = []

    def interrupted(futures: Any) -> Any:
        calls.append(len(futures))
        if len(calls) == 1:
            raise SoftTimeLimitExceeded()
        return real_wait(futures)

    monkeypatch.setattr(sending, "futures_wait", interrupted)
    assert messages_send(ids) == {"sent": 4}
    assert calls == [2, 2]
    assert [smtp_server.copies_of(pk) for pk in ids] == [1] * 4
    assert Message.objects.filter(pk__in=ids, state=MessageState.SENT).count() == 4


@pytest.mark.django_db
def test_the_sessions_threads_log_with_the_tasks_context(
    settings, scripted, rendered_minutes, monkeypatch
):
    settings.OUTBOX_SMTP_SESSIONS = 2
    ids = rendered_minutes(agencies=2)
    seen: list[dict[str, Any]] = []
    real = __import__("minutes.emails", fromlist=["minutes_messages"]).minutes_messages

    def made(delivery: Delivery, pdf: bytes) -> Any:
        seen.append(structlog.contextvars.get_contextvars())
        return real(delivery, pdf)

    monkeypatch.setattr("minutes.services.lifecycle.minutes_messages", made)
    with structlog.contextvars.bound_contextvars(task_id="fictional-task"):
        assert messages_send(ids) == {"sent": 2}
    assert seen == [{"task_id": "fictional-task"}] * 2


@pytest.mark.django_db
def test_sessions_that_cannot_all_be_started_send_nothing(
    settings, smtp_server, rendered_minutes, monkeypatch
):
    """No thread to be had for the second session: the first sends nothing either (nobody
    would record what it sent), and no thread is left waiting. The claims lapse for the sweep."""
    settings.OUTBOX_SMTP_SESSIONS = 2
    ids = rendered_minutes(agencies=4)
    real_submit = sending.ThreadPoolExecutor.submit
    submitted: list[int] = []

    def second_fails(pool: Any, *args: Any, **kwargs: Any) -> Any:
        submitted.append(1)
        if len(submitted) == 2:
            raise RuntimeError("can't start new thread")
        return real_submit(pool, *args, **kwargs)

    monkeypatch.setattr(sending.ThreadPoolExecutor, "submit", second_fails)
    with pytest.raises(RuntimeError, match="can't start new thread"):
        messages_send(ids)
    for thread in threading.enumerate():
        if thread.name.startswith("smtp-session"):
            thread.join(timeout=5)
            assert not thread.is_alive()
    assert [smtp_server.copies_of(pk) for pk in ids] == [0] * 4
    assert set(Message.objects.filter(pk__in=ids).values_list("state", flat=True)) == {
        MessageState.SENDING
    }
