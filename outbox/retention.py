"""What retention does to the outbox: a discussion's messages keep their kind, state and
times (what was owed and whether it went), and lose everything that could name anyone."""

from datetime import datetime

from outbox.models import Attempt, Message

REMOVED = "[removed at the end of the retention period]"


def discussion_messages_anonymise(*, discussion_id: int, now: datetime) -> None:
    messages = Message.objects.filter(discussion_id=discussion_id)
    Attempt.objects.filter(message__in=messages).update(reply="")
    messages.update(
        recipients=[],
        reply_to=[],
        subject=REMOVED,
        body="",
        attachments=[],
        last_reply="",
        cancelled_reason="",
    )
