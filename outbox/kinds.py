"""What each kind of message needs from the app that owes it.

Apps above the outbox register a handler per kind in their AppConfig.ready(): how to build
the email when it is not kept whole in the row (a minutes PDF), and what to record in their
own tables when a message is sent or fails. Hooks run inside the transaction that records the
outcome, so the app's fact and the outbox agree.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.mail import EmailMessage

from outbox.models import Message


class NotReady(Exception):
    """The message cannot be built yet (its PDF is not made): hold it, not an attempt."""


class Undeliverable(Exception):
    """The message can never be sent as it stands: it fails at once with this reason."""


Compose = Callable[[Message], list[EmailMessage]]
Hook = Callable[[Message, datetime], None]


@dataclass(frozen=True)
class Handler:
    compose: Compose | None = None
    sent: Hook | None = None
    failed: Hook | None = None
    retrying: Hook | None = None
    requeued: Hook | None = None


_handlers: dict[str, Handler] = {}


def handler_register(kind: str, handler: Handler) -> None:
    _handlers[kind] = handler


def handler_for(kind: str) -> Handler:
    return _handlers.get(kind, Handler())


def stored_email(message: Message) -> list[EmailMessage]:
    """The email kept whole in the row: subject, body, recipients and text attachments."""
    email = EmailMessage(
        subject=message.subject,
        body=message.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=list(message.recipients),
        reply_to=list(message.reply_to) or None,
    )
    for attachment in message.attachments:
        email.attach(attachment["filename"], attachment["content"], attachment["mimetype"])
    return [email]


def message_compose(message: Message) -> list[EmailMessage]:
    compose = handler_for(message.kind).compose
    return compose(message) if compose is not None else stored_email(message)
