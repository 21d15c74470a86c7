"""GOV.UK Notify as the outbox's mail transport, beside SMTP, chosen by MAIL_TRANSPORT=notify.

The outbox's one sender builds Django emails as for SMTP; this backend hands each recipient's
copy to Notify's API (notifications-python-client) with one email template whose body is
((body)) and subject ((subject)). A minutes PDF goes by Notify's file sending: a link in
((link_to_file)), behind confirm_email_before_download, kept for NOTIFY_FILE_RETENTION. Each
copy carries the reference "outbox-<message id>", so Notify's delivery receipts (callback
below) find their message.

Notify's refusals are reported to the sender as SMTP replies, so the outbox keeps one
classification: a 400 or 403 (a bad address, a team-only key) is a refusal for good (5xx);
a 429, a 5xx or no answer is a refusal for now (4xx) and is tried again.
"""

import hmac
import io
import json
import smtplib
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from notifications_python_client.errors import APIError
from notifications_python_client.notifications import NotificationsAPIClient
from notifications_python_client.utils import prepare_upload

from outbox.kinds import handler_for
from outbox.models import Message, MessageState
from outbox.sending import retry_delay

REFERENCE_PREFIX = "outbox-"
# Files Notify's file sending accepts, by the MIME type the outbox attaches them with.
SENDABLE_FILES = {"application/pdf", "text/csv", "text/plain", "application/json"}
MAX_CALLBACK_BYTES = 10_000


def reference_for(email: EmailMessage) -> str:
    return REFERENCE_PREFIX + str(email.extra_headers.get("X-Outbox-Message", ""))


class NotifyEmailBackend(BaseEmailBackend):
    def __init__(self, fail_silently: bool = False, **kwargs: Any) -> None:
        super().__init__(fail_silently=fail_silently, **kwargs)
        self.client = NotificationsAPIClient(
            settings.NOTIFY_API_KEY,
            base_url=settings.NOTIFY_BASE_URL,
            timeout=settings.NOTIFY_TIMEOUT_SECONDS,
        )

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        sent = 0
        for email in email_messages:
            personalisation = {
                "subject": email.subject,
                "body": email.body,
                "link_to_file": self._file(email),
            }
            for address in email.recipients():
                try:
                    self.client.send_email_notification(
                        email_address=address,
                        template_id=settings.NOTIFY_EMAIL_TEMPLATE_ID,
                        personalisation=personalisation,
                        reference=reference_for(email),
                        email_reply_to_id=settings.NOTIFY_EMAIL_REPLY_TO_ID or None,
                    )
                except APIError as error:
                    raise _as_smtp(error) from error
            sent += 1
        return sent

    @staticmethod
    def _file(email: EmailMessage) -> dict[str, Any] | str:
        files = [a for a in email.attachments if not isinstance(a, str)]
        if not files:
            return ""
        if len(files) > 1 or files[0][2].split(";")[0] not in SENDABLE_FILES:
            # An invitation's calendar file, say: Notify cannot carry it, so say so plainly.
            raise smtplib.SMTPResponseException(
                554, f"GOV.UK Notify cannot send {len(files)} attachment(s) of this kind"
            )
        filename, content, _ = files[0]
        data = content.encode() if isinstance(content, str) else content
        return prepare_upload(
            io.BytesIO(data),
            filename=filename,
            confirm_email_before_download=True,
            retention_period=settings.NOTIFY_FILE_RETENTION,
        )


def _as_smtp(error: APIError) -> smtplib.SMTPResponseException:
    code = 550 if error.status_code in (400, 403) else 451
    return smtplib.SMTPResponseException(code, f"GOV.UK Notify {error.status_code}: {error}")


# Notify's delivery receipts: what each status does to the message.
DELIVERED = "delivered"
FAILED_FOR_GOOD = {"permanent-failure", "temporary-failure"}  # Notify has retried for 72 hours
TRY_AGAIN = {"technical-failure"}  # Notify's own fault: the outbox sends again


@csrf_exempt
@require_POST
def delivery_receipt(request: HttpRequest) -> HttpResponse:
    """Notify's callback. Answers 404 unless it carries NOTIFY_CALLBACK_TOKEN."""
    token = settings.NOTIFY_CALLBACK_TOKEN
    given = request.headers.get("Authorization", "")
    if not token or not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        raise Http404
    if len(request.body) > MAX_CALLBACK_BYTES:
        return HttpResponseBadRequest("Too long")
    try:
        receipt = json.loads(request.body)
        reference, status = str(receipt["reference"]), str(receipt["status"])
    except (ValueError, KeyError, TypeError):
        return HttpResponseBadRequest("Not a delivery receipt")
    if reference.startswith(REFERENCE_PREFIX) and reference[len(REFERENCE_PREFIX) :].isdigit():
        receipt_record(int(reference[len(REFERENCE_PREFIX) :]), status)
    return HttpResponse(status=204)


def receipt_record(message_id: int, status: str) -> str | None:
    """Moves a sent message on by Notify's receipt. Returns its new state, or None if the
    receipt changes nothing (delivered, unknown, or the message has moved on)."""
    now = timezone.now()
    with transaction.atomic():
        message = Message.objects.select_for_update().filter(pk=message_id).first()
        if message is None or message.state != MessageState.SENT:
            return None
        reply = f"GOV.UK Notify: {status}"
        if status in FAILED_FOR_GOOD:
            message.state, message.failed_at = MessageState.FAILED, now
            hook = handler_for(message.kind).failed
        elif status in TRY_AGAIN and message.attempts < settings.OUTBOX_MAX_ATTEMPTS:
            message.state = MessageState.RETRYING
            message.next_attempt_at = now + retry_delay(message.attempts)
            hook = handler_for(message.kind).retrying
        else:
            return None
        message.last_reply = reply
        message.save(update_fields=["state", "failed_at", "next_attempt_at", "last_reply"])
        if hook is not None:
            hook(message, now)
        return str(message.state)
