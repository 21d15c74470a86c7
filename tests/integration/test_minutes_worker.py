"""Minutes sent by a real worker on Redis to a real SMTP server, with faults injected.

Bound we guarantee and test: every delivery ends sent; an agency receives a copy more than
once only when a worker dies after the mail server accepted the message and before the
database recorded it (at most one extra copy per such crash)."""

import email
import time

import pytest

from minutes.models import Delivery, DeliveryStatus
from minutes.services.drafting import minutes_approve, minutes_draft
from outbox.models import Message, MessageState
from tests.integration.conftest import wait_until
from tests.minutes.records import held_discussion

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


def approve():  # noqa: ANN201
    record = held_discussion()
    version = minutes_draft(discussion=record.discussion, user=record.chair)
    minutes_approve(version_id=version.pk, approved_by=record.chair)  # commits: autocommit
    return record


def all_sent() -> bool:
    return Delivery.objects.filter(status=DeliveryStatus.SENT).count() == 10


def test_ten_agencies_get_ten_emails_with_the_pdf(start_worker, mail_server):
    server, _ = mail_server
    worker = start_worker()
    record = approve()
    wait_until(all_sent, seconds=90, what="10 deliveries sent", logs=[worker.log])
    assert sorted(to for to, _ in server.accepted) == sorted(
        a.secure_email for a in record.agencies
    )
    for _, raw in server.accepted:
        message = email.message_from_bytes(raw)
        assert "SD-2026-00077" in message["Subject"]
        [pdf] = [p for p in message.walk() if p.get_content_type() == "application/pdf"]
        assert pdf.get_payload(decode=True).startswith(b"%PDF")


def test_temporary_refusals_are_retried_until_accepted(start_worker, mail_server):
    server, _ = mail_server
    server.defer_times = {"minutes.1@eastmere.gov.uk": 2, "minutes.2@eastmere.gov.uk": 1}
    worker = start_worker()
    approve()
    wait_until(all_sent, seconds=90, what="deliveries sent after retries", logs=[worker.log])
    police = Delivery.objects.get(agency__name="Eastmere Constabulary")
    assert police.attempts == 3
    assert server.count_to("minutes.1@eastmere.gov.uk") == 1


def test_a_permanent_refusal_fails_with_the_reply(start_worker, mail_server):
    server, _ = mail_server
    server.refuse = {"minutes.4@eastmere.gov.uk"}
    worker = start_worker()
    approve()
    wait_until(
        lambda: (
            Delivery.objects.filter(status=DeliveryStatus.SENT).count() == 9
            and Delivery.objects.filter(status=DeliveryStatus.FAILED).count() == 1
        ),
        seconds=90,
        what="nine sent and one failed",
        logs=[worker.log],
    )
    failed = Delivery.objects.get(status=DeliveryStatus.FAILED)
    assert failed.agency.name == "Riverside Medical Centre"
    assert "550 5.1.1 Mailbox does not exist" in failed.last_error


def test_worker_killed_mid_send_loses_no_delivery(start_worker, mail_server):
    server, _ = mail_server
    server.hang_data_for = 30  # the server takes the message slowly...
    first = start_worker()
    approve()
    wait_until(
        lambda: Message.objects.filter(kind="minutes", state=MessageState.SENDING).exists(),
        seconds=60,
        what="a send in flight",
        logs=[first.log],
    )
    first.kill()  # ...and the worker dies mid-send
    server.hang_data_for = 0
    killed_at = time.monotonic()
    second = start_worker()
    wait_until(
        all_sent,
        seconds=120,
        what="every delivery sent after SIGKILL",
        logs=[first.log, second.log],
    )
    recovered_in = time.monotonic() - killed_at
    assert recovered_in < 120
    counts = [server.count_to(f"minutes.{i}@eastmere.gov.uk") for i in range(10)]
    assert min(counts) >= 1
    # Messages the server had not accepted when the worker died are sent once in total.
    assert sum(counts) <= 10 + 2  # at most one extra per send in flight (concurrency 2)


def test_flushed_redis_loses_no_delivery(start_worker, mail_server, broker):
    server, _ = mail_server
    approve()  # the hint that starts the PDF is now in Redis...
    assert broker.llen("celery") >= 1
    broker.flushdb()  # ...and Redis loses everything
    worker = start_worker()
    wait_until(all_sent, seconds=90, what="every delivery sent from the sweep", logs=[worker.log])
    counts = [server.count_to(f"minutes.{i}@eastmere.gov.uk") for i in range(10)]
    assert counts == [1] * 10
