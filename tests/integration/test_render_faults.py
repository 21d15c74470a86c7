"""A minutes PDF that hangs past Celery's time limit, with a real worker: it fails after its
tries, shows with its error and a way to try again, and the deliveries stay owed."""

import pytest

from minutes.models import Delivery, DeliveryStatus, MinutesVersion, PDFStatus
from minutes.services.drafting import minutes_approve, minutes_draft
from outbox.models import Message, MessageState
from tests.integration.conftest import wait_until
from tests.minutes.records import held_discussion
from tests.signin.helpers import verified_client

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


def test_a_render_that_hangs_fails_visibly_and_try_again_sends(start_worker, mail_server):
    server, _ = mail_server
    hanging = start_worker(
        app="tests.integration.hanging_render",
        extra_env={
            "MINUTES_RENDER_SOFT_SECONDS": "2",
            "MINUTES_RENDER_HARD_SECONDS": "4",
            "MINUTES_RENDER_TRIES": "2",
        },
    )
    record = held_discussion(agencies=3)
    draft = minutes_draft(discussion=record.discussion, user=record.chair)
    version = minutes_approve(version_id=draft.pk, approved_by=record.chair)
    wait_until(
        lambda: MinutesVersion.objects.get(pk=version.pk).pdf_status == PDFStatus.FAILED,
        seconds=60,
        what="the PDF to fail after its tries",
        logs=[hanging.log],
    )
    failed = MinutesVersion.objects.get(pk=version.pk)
    assert failed.pdf_attempts == 2
    assert "TimeLimit" in failed.pdf_error
    owed = Message.objects.filter(version_id=version.pk)
    assert [m.state for m in owed] == [MessageState.QUEUED] * 3  # owed, not looping
    assert all(m.attempts == 0 for m in owed)
    assert server.accepted == []
    hanging.stop()

    chair = verified_client(record.chair)
    page = chair.get(f"/minutes/discussion/{record.discussion.pk}/").text
    assert "The PDF could not be made" in page
    assert "TimeLimit" in page
    worker = start_worker()
    assert chair.post(f"/minutes/version/{version.pk}/pdf/try-again/").status_code == 302
    wait_until(
        lambda: Delivery.objects.filter(version=version, status=DeliveryStatus.SENT).count() == 3,
        seconds=90,
        what="every delivery sent after Try again",
        logs=[worker.log],
    )
    assert len({to for to, _ in server.accepted}) == 3
