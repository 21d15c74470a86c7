"""/health/ for load balancers and monitors, /health/detail/ for administrators."""

from datetime import timedelta

import pytest
import time_machine
from celery import current_app
from django.test import Client
from django.utils import timezone

from operations import beat
from operations.models import Heartbeat, Process
from operations.tasks import heartbeat
from outbox.models import Message, MessageKind, MessageState
from tests.factories import UserFactory
from tests.signin.helpers import verified_client

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _storage_in_tmp(settings, tmp_path):  # noqa: ANN001, PT004
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def alive() -> None:
    """The worker and beat were both seen just now."""
    Heartbeat.record(Process.WORKER)
    Heartbeat.record(Process.BEAT)


def lines(response) -> dict[str, str]:  # noqa: ANN001
    text = response.content.decode()
    return dict(line.split(": ") for line in text.strip().splitlines())


def owe(created_at) -> Message:  # noqa: ANN001
    return Message.objects.create(
        kind=MessageKind.MINUTES,
        state=MessageState.RETRYING,
        recipients=["duty.desk@eastmere.police.uk"],
        subject="Minutes of SD-2026-00077 for Sky Testcase",
        created_at=created_at,
    )


def test_everything_up_answers_200_with_each_check_ok(alive):
    response = Client().get("/health/")

    assert response.status_code == 200
    assert lines(response) == {
        "Database default": "ok",
        "Broker": "ok",
        "Storage default": "ok",
        "ProcessSeen worker": "ok",
        "ProcessSeen beat": "ok",
        "OldestOwedMessage": "ok",
    }
    assert "no-cache" in response["Cache-Control"]


def test_a_worker_not_seen_for_five_minutes_answers_503(alive):
    with time_machine.travel(timezone.now() + timedelta(minutes=5, seconds=30)):
        Heartbeat.record(Process.BEAT)
        response = Client().get("/health/")

    assert response.status_code == 503
    assert lines(response)["ProcessSeen worker"] == "failing"
    assert lines(response)["ProcessSeen beat"] == "ok"


def test_a_worker_that_was_never_seen_answers_503():
    Heartbeat.record(Process.BEAT)

    response = Client().get("/health/")

    assert response.status_code == 503
    assert lines(response)["ProcessSeen worker"] == "failing"


def test_the_heartbeat_task_shows_the_worker_alive():
    heartbeat()

    assert Heartbeat.seen_ago(Process.WORKER) < 5


def test_only_the_beat_process_records_beat(monkeypatch):
    beat.beat_published()  # a web process or worker publishing a task
    assert Heartbeat.seen_ago(Process.BEAT) is None

    monkeypatch.setattr(beat, "_in_beat", False)
    beat.beat_started()
    assert Heartbeat.seen_ago(Process.BEAT) < 5


def test_a_message_owed_longer_than_the_threshold_answers_503(alive, settings):
    settings.HEALTH_OLDEST_OWED_SECONDS = 3600
    owe(timezone.now() - timedelta(minutes=59))
    assert Client().get("/health/").status_code == 200

    owe(timezone.now() - timedelta(minutes=61))
    response = Client().get("/health/")

    assert response.status_code == 503
    assert lines(response)["OldestOwedMessage"] == "failing"


def test_sent_and_failed_messages_are_not_owed(alive):
    old = timezone.now() - timedelta(days=3)
    for state in (MessageState.SENT, MessageState.FAILED, MessageState.CANCELLED):
        Message.objects.filter(pk=owe(old).pk).update(state=state)

    assert Client().get("/health/").status_code == 200


def test_an_unreachable_broker_answers_503(alive, monkeypatch):
    monkeypatch.setattr(current_app.conf, "broker_url", "redis://127.0.0.1:1/0")

    response = Client().get("/health/")

    assert response.status_code == 503
    assert lines(response)["Broker"] == "failing"


def test_a_load_balancer_probing_by_address_over_http_is_answered(alive, settings):
    settings.ALLOWED_HOSTS = ["strategy.example.org"]
    settings.SECURE_SSL_REDIRECT = True

    response = Client().get("/health/", HTTP_HOST="10.0.4.17")

    assert response.status_code == 200


def test_the_answer_carries_no_reason_and_no_personal_data(alive):
    owe(timezone.now() - timedelta(hours=5))

    text = Client().get("/health/").content.decode()

    assert "Testcase" not in text
    assert "police.uk" not in text
    assert "waited" not in text  # the reason is for administrators


def test_administrators_see_the_reasons():
    ada = UserFactory(username="ada", role="administrator", is_staff=True, is_superuser=True)
    Heartbeat.record(Process.BEAT)

    response = verified_client(ada).get("/health/detail/")

    assert response.status_code == 503
    assert "Celery worker has never been seen" in response.content.decode()


def test_nobody_else_sees_the_detail(bob, alice):
    assert verified_client(bob).get("/health/detail/").status_code == 404
    assert verified_client(alice).get("/health/detail/").status_code == 404
    signed_out = Client().get("/health/detail/")
    assert signed_out.status_code == 302
    assert signed_out["Location"].startswith("/sign-in/")
