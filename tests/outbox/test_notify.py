"""GOV.UK Notify as the mail transport, against a loopback stand-in for Notify's API that
checks each request's signed token as Notify does."""

import json
import threading
import uuid
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import pytest
from django.test import Client
from django.utils import timezone

from outbox.models import Message, MessageKind, MessageState
from outbox.notify import receipt_record
from outbox.sending import message_send

pytestmark = pytest.mark.django_db

SERVICE_ID, SECRET = str(uuid.uuid4()), str(uuid.uuid4())
TEMPLATE_ID = str(uuid.uuid4())
CALLBACK_TOKEN = "notify-callback-token-for-tests"


class StandIn(BaseHTTPRequestHandler):
    """Notify's POST /v2/notifications/email: 403 unless the bearer token is a JWT signed
    with the service's secret and issued by the service; then 400, 429 or 201 by address."""

    received: list[dict] = []

    def do_POST(self) -> None:  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        token = self.headers.get("Authorization", "").removeprefix("Bearer ")
        try:
            claims = jwt.decode(token, SECRET, algorithms=["HS256"])
            assert claims["iss"] == SERVICE_ID
        except (jwt.PyJWTError, AssertionError, KeyError):
            return self._answer(
                403, {"errors": [{"error": "AuthError", "message": "Invalid token"}]}
            )
        if self.path != "/v2/notifications/email":
            return self._answer(404, {"errors": [{"error": "NotFound"}]})
        StandIn.received.append(body)
        address = body["email_address"]
        if address.startswith("refused"):
            return self._answer(400, {"errors": [{"error": "BadRequestError"}]})
        if address.startswith("busy"):
            return self._answer(429, {"errors": [{"error": "RateLimitError"}]})
        return self._answer(201, {"id": str(uuid.uuid4()), "reference": body.get("reference")})

    def _answer(self, status: int, payload: dict) -> None:
        data = json.dumps({"status_code": status, **payload}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def notify(settings) -> Iterator[list[dict]]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), StandIn)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    StandIn.received = []
    settings.EMAIL_BACKEND = "outbox.notify.NotifyEmailBackend"
    settings.NOTIFY_API_KEY = f"strategy_test-{SERVICE_ID}-{SECRET}"
    settings.NOTIFY_BASE_URL = f"http://127.0.0.1:{server.server_address[1]}"
    settings.NOTIFY_EMAIL_TEMPLATE_ID = TEMPLATE_ID
    settings.NOTIFY_TIMEOUT_SECONDS = 5
    settings.NOTIFY_CALLBACK_TOKEN = CALLBACK_TOKEN
    yield StandIn.received
    server.shutdown()
    server.server_close()


def owed(*recipients: str, attachments: list[dict] | None = None) -> Message:
    return Message.objects.create(
        kind=MessageKind.OTHER,
        recipients=list(recipients),
        subject="Strategy discussion SD-2026-00077",
        body="Fictional body.",
        attachments=attachments or [],
        next_attempt_at=timezone.now() - timedelta(seconds=1),
    )


def state_of(message: Message) -> str:
    message.refresh_from_db()
    return message.state


def test_each_recipient_gets_the_template_with_the_message_and_its_reference(notify):
    message = owed("duty.desk@eastmere.police.uk", "safeguarding@eastmere.nhs.uk")

    assert message_send(message.pk) == "sent"

    assert [r["email_address"] for r in notify] == [
        "duty.desk@eastmere.police.uk",
        "safeguarding@eastmere.nhs.uk",
    ]
    assert notify[0]["template_id"] == TEMPLATE_ID
    assert notify[0]["reference"] == f"outbox-{message.pk}"
    assert notify[0]["personalisation"]["subject"] == "Strategy discussion SD-2026-00077"
    assert notify[0]["personalisation"]["link_to_file"] == ""
    assert state_of(message) == MessageState.SENT


def test_a_pdf_goes_as_a_link_behind_the_recipients_email_address(notify):
    pdf = {
        "filename": "minutes.pdf",
        "content": "%PDF-1.4 fictional",
        "mimetype": "application/pdf",
    }
    message = owed("duty.desk@eastmere.police.uk", attachments=[pdf])

    message_send(message.pk)

    upload = notify[0]["personalisation"]["link_to_file"]
    assert upload["filename"] == "minutes.pdf"
    assert upload["confirm_email_before_download"] is True
    assert upload["retention_period"] == "26 weeks"
    assert upload["file"] == "JVBERi0xLjQgZmljdGlvbmFs"


def test_a_calendar_file_notify_cannot_carry_fails_with_a_plain_reason(notify):
    ics = {"filename": "invite.ics", "content": "BEGIN:VCALENDAR", "mimetype": "text/calendar"}
    message = owed("duty.desk@eastmere.police.uk", attachments=[ics])

    message_send(message.pk)

    assert state_of(message) == MessageState.FAILED
    assert "Notify cannot send" in message.last_reply
    assert notify == []


def test_a_refused_address_fails_for_good_and_a_rate_limit_is_tried_again(notify):
    refused, busy = owed("refused@example.org"), owed("busy@example.org")

    message_send(refused.pk)
    message_send(busy.pk)

    assert state_of(refused) == MessageState.FAILED
    assert "GOV.UK Notify 400" in refused.last_reply
    assert state_of(busy) == MessageState.RETRYING


def test_a_wrong_key_is_refused_by_notify(notify, settings):
    settings.NOTIFY_API_KEY = f"strategy_test-{SERVICE_ID}-{uuid.uuid4()}"
    message = owed("duty.desk@eastmere.police.uk")

    message_send(message.pk)

    assert state_of(message) == MessageState.FAILED
    assert "403" in message.last_reply
    assert notify == []


def receipt(client: Client, message: Message, status: str, token: str = CALLBACK_TOKEN):  # noqa: ANN201
    return client.post(
        "/outbox/notify/receipts/",
        json.dumps(
            {
                "id": str(uuid.uuid4()),
                "reference": f"outbox-{message.pk}",
                "status": status,
                "notification_type": "email",
            }
        ),  # fmt: skip
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


@pytest.mark.parametrize(
    ("status", "state"),
    [
        ("delivered", MessageState.SENT),
        ("permanent-failure", MessageState.FAILED),
        ("temporary-failure", MessageState.FAILED),
        ("technical-failure", MessageState.RETRYING),
    ],
)
def test_delivery_receipts_move_the_message_on(notify, status, state):
    message = owed("duty.desk@eastmere.police.uk")
    message_send(message.pk)

    assert receipt(Client(), message, status).status_code == 204

    assert state_of(message) == state
    if state != MessageState.SENT:
        assert message.last_reply == f"GOV.UK Notify: {status}"


def test_receipts_without_the_token_are_404_and_change_nothing(notify, settings):
    message = owed("duty.desk@eastmere.police.uk")
    message_send(message.pk)

    assert receipt(Client(), message, "permanent-failure", token="guess").status_code == 404
    settings.NOTIFY_CALLBACK_TOKEN = ""
    assert receipt(Client(), message, "permanent-failure", token="").status_code == 404
    assert state_of(message) == MessageState.SENT


def test_a_malformed_receipt_is_refused(notify):
    response = Client().post(
        "/outbox/notify/receipts/", "{", content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {CALLBACK_TOKEN}",
    )  # fmt: skip

    assert response.status_code == 400


def test_a_receipt_for_a_message_not_sent_changes_nothing(notify):
    message = owed("duty.desk@eastmere.police.uk")

    assert receipt_record(message.pk, "permanent-failure") is None
    assert state_of(message) == MessageState.QUEUED
