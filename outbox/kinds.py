"""What each kind of message needs from the app that owes it.

Apps above the outbox register a handler per kind in their AppConfig.ready(): how to build
the email when it is not kept whole in the row (a minutes PDF), and what to record in their
own tables when a message is sent or fails. Hooks run inside the transaction that records the
outcome, so the app's fact and the outbox agree.
"""

from collections import defaultdict
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


# Makes one message's emails when its turn in the mail session comes (see Compose).
Deferred = Callable[[], list[EmailMessage]]
# What a message became: its emails (made, or to be made), or why it cannot be built
# (NotReady, Undeliverable, or any other error, which counts as a temporary failure).
Built = list[EmailMessage] | Deferred | Exception
# Builds a chunk's messages of one kind at once, so one query serves them all. It may answer
# a Deferred for a message whose checks have passed (it is owed, ready and deliverable) but
# whose emails take time to make (templates, a PDF attached): the sender makes them just
# before that message is sent, so the mail server has the first message of a chunk while the
# rest are still to be made. NotReady must be raised here, not by the Deferred; a Deferred's
# Undeliverable fails the message, any other error of its counts as a temporary failure.
Compose = Callable[[list[Message]], dict[int, Built]]
Hook = Callable[[Message, datetime], None]
BatchHook = Callable[[list[Message], datetime], None]
# What some messages of one kind are, in words a person reads in a list ("Minutes, version
# 2"), by message id; one query for them all. Without one, a message is its kind's name.
Describe = Callable[[list[Message]], dict[int, str]]


@dataclass(frozen=True)
class Handler:
    compose: Compose | None = None
    sent: Hook | None = None
    failed: Hook | None = None
    retrying: Hook | None = None
    requeued: Hook | None = None
    # Once per recorded chunk, after `sent` for each: for what depends on all of them.
    all_sent: BatchHook | None = None
    describe: Describe | None = None


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


def messages_compose(messages: list[Message]) -> dict[int, Built]:
    """Every message's emails, by message id; one kind's error never stops another's."""
    built: dict[int, Built] = {}
    for kind, group in _by_kind(messages).items():
        compose = handler_for(kind).compose
        for message in group if compose is None else []:
            try:
                built[message.pk] = stored_email(message)
            except Exception as error:
                built[message.pk] = error
        if compose is not None:
            try:
                built.update(compose(group))
            except Exception as error:
                built.update((message.pk, error) for message in group)
    return built


def messages_described(messages: list[Message]) -> list[tuple[Message, str]]:
    """Each message with what it is, in words (see Describe)."""
    words: dict[int, str] = {}
    for kind, group in _by_kind(messages).items():
        describe = handler_for(kind).describe
        if describe is not None:
            words.update(describe(group))
    return [(m, words.get(m.pk) or m.get_kind_display()) for m in messages]


def _by_kind(messages: list[Message]) -> dict[str, list[Message]]:
    by_kind: dict[str, list[Message]] = defaultdict(list)
    for message in messages:
        by_kind[message.kind].append(message)
    return by_kind
