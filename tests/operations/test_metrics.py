"""/metrics: Prometheus text for a scraper holding the token or calling from an allowed address."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from minutes.models import Delivery, DeliveryStatus, MinutesVersion, PDFStatus
from minutes.services.drafting import minutes_approve, minutes_draft
from operations.models import Heartbeat, Process
from outbox.models import Message, MessageKind, MessageState
from strategy.models import Discussion
from tests.factories import UserFactory
from tests.minutes.records import held_discussion
from tests.signin.helpers import verified_client

pytestmark = pytest.mark.django_db

TOKEN = "scrape-token-for-tests-0123456789"


@pytest.fixture
def scraper(settings) -> Client:
    settings.METRICS_TOKEN = TOKEN
    return Client(HTTP_AUTHORIZATION=f"Bearer {TOKEN}")


def sample(text: str, name: str) -> float:
    """The value of one sample line, `name` including its labels."""
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"{name} not in the metrics")


def test_without_a_token_or_address_configured_nobody_gets_metrics(settings):
    settings.METRICS_TOKEN = ""
    settings.METRICS_ALLOWED_ADDRESSES = []
    ada = UserFactory(username="ada", role="administrator", is_staff=True, is_superuser=True)

    assert Client().get("/metrics").status_code == 404
    assert verified_client(ada).get("/metrics").status_code == 404


def test_a_wrong_token_gets_404(settings):
    settings.METRICS_TOKEN = TOKEN

    response = Client(HTTP_AUTHORIZATION="Bearer not-the-token").get("/metrics")

    assert response.status_code == 404


def test_an_allowed_address_gets_metrics_without_a_token(settings):
    settings.METRICS_TOKEN = ""
    settings.METRICS_ALLOWED_ADDRESSES = ["10.0.9.9"]

    assert Client(REMOTE_ADDR="10.0.9.9").get("/metrics").status_code == 200
    assert Client(REMOTE_ADDR="10.0.9.8").get("/metrics").status_code == 404


def test_request_rates_and_latencies_are_exposed(scraper):
    scraper.get("/sign-in/")

    text = scraper.get("/metrics").content.decode()

    assert "django_http_requests_total_by_view_transport_method_total" in text
    assert "django_http_requests_latency_seconds_by_view_method_bucket" in text


def test_messages_owed_by_kind_and_state_and_the_oldest_age(scraper):
    for minutes_ago, state in ((90, MessageState.RETRYING), (5, MessageState.QUEUED)):
        Message.objects.create(
            kind=MessageKind.REMINDER,
            state=state,
            recipients=["duty.desk@eastmere.police.uk"],
            created_at=timezone.now() - timedelta(minutes=minutes_ago),
        )
    Message.objects.create(kind=MessageKind.MINUTES, state=MessageState.SENT)

    text = scraper.get("/metrics").content.decode()

    owed = "strategy_outbox_messages_owed"
    assert sample(text, f'{owed}{{kind="reminder",state="retrying"}}') == 1
    assert sample(text, f'{owed}{{kind="reminder",state="queued"}}') == 1
    assert sample(text, f'{owed}{{kind="minutes",state="queued"}}') == 0
    assert 90 * 60 <= sample(text, "strategy_outbox_oldest_owed_seconds") < 91 * 60
    assert "police.uk" not in text


def test_minutes_overdue_receipts_outstanding_and_pdf_failures(
    scraper, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    sent = held_discussion(held_at=timezone.now() - timedelta(days=5), agencies=2)
    version = minutes_draft(discussion=sent.discussion, user=sent.chair)
    with django_capture_on_commit_callbacks(execute=True):
        minutes_approve(version_id=version.pk, approved_by=sent.chair)
    # Held five days ago; its minutes approved but not sent, as their PDF could not be made.
    MinutesVersion.objects.filter(pk=version.pk).update(pdf_status=PDFStatus.FAILED)
    Discussion.objects.filter(pk=sent.discussion.pk).update(minutes_distributed_at=None)
    # And, as if an earlier send had gone, two receipts unconfirmed for four days.
    Delivery.objects.filter(version=version).update(
        status=DeliveryStatus.SENT, sent_at=timezone.now() - timedelta(days=4)
    )

    text = scraper.get("/metrics").content.decode()

    assert sample(text, "strategy_minutes_overdue") == 1
    assert sample(text, "strategy_receipts_outstanding_over_3_days") == 2
    assert sample(text, "strategy_minutes_pdf_failures") == 1


def test_the_worker_and_beat_last_seen(scraper):
    Heartbeat.record(Process.WORKER, at=timezone.now() - timedelta(minutes=2))

    text = scraper.get("/metrics").content.decode()

    assert 120 <= sample(text, 'strategy_process_last_seen_seconds{process="worker"}') < 130
    assert sample(text, 'strategy_process_last_seen_seconds{process="beat"}') == float("inf")
