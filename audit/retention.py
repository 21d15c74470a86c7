"""When a discussion's retention period ends, every personal value it left behind goes,
wherever it lies: one call, one transaction.

Each app that holds something about a discussion registers an anonymiser in its
AppConfig.ready:

    retention_anonymiser_register("minutes", discussion_minutes_anonymise)

An anonymiser takes the keywords `discussion_id` and `now`, changes only rows of its own
app (an outbox, say, blanks the subject, body and recipients of the messages whose
discussion_id is given), and defers anything outside the database (deleting stored files)
with transaction.on_commit, so nothing is lost if the transaction rolls back.

After every anonymiser has run, the discussion's trail rows are redacted: their values,
labels and addresses go; when, what, which row and which fields stay. That redaction is
the one change the trail's trigger lets anyone make (audit.models.REDACTION_ONLY), and it
is made here alone.
"""

from datetime import datetime
from typing import Any, Protocol

from django.conf import settings
from django.db import connection, transaction

from audit.models import LABEL_REMOVED, AuditEvent

REMOVED = "[removed at the end of the retention period]"
RETENTION_ACTOR = "retention schedule"


class Anonymiser(Protocol):
    def __call__(self, *, discussion_id: int, now: datetime) -> None: ...


_anonymisers: dict[str, Anonymiser] = {}


def retention_anonymiser_register(name: str, anonymiser: Anonymiser) -> None:
    """Adds (or replaces) the anonymiser an app runs for each discussion, in the order apps
    are installed."""
    _anonymisers[name] = anonymiser


def retention_anonymisers() -> dict[str, Anonymiser]:
    return dict(_anonymisers)


@transaction.atomic
def discussion_forget(*, discussion_id: int, now: datetime) -> None:
    _triggers_told_retention_acts()
    for anonymise in _anonymisers.values():
        anonymise(discussion_id=discussion_id, now=now)
    trail_redact(discussion_id=discussion_id, now=now)
    AuditEvent.objects.create(
        action="retention.anonymised",
        actor_label=RETENTION_ACTOR,
        discussion_id=discussion_id,
        after={"retention_days": settings.RETENTION_DAYS},
    )


def trail_redact(*, discussion_id: int, now: datetime) -> int:
    """Keeps when, what, which row and which fields of each trail row of the discussion;
    removes the values, who it was by name, and from which address."""
    events = list(AuditEvent.objects.filter(discussion_id=discussion_id, redacted_at=None))
    for event in events:
        event.before, event.after = _field_names(event.before, event.after)
        if event.actor_label not in ("", "system", RETENTION_ACTOR):
            event.actor_label = LABEL_REMOVED
        event.ip = None
        event.redacted_at = now
    AuditEvent.objects.bulk_update(
        events, ["before", "after", "actor_label", "ip", "redacted_at"], batch_size=500
    )
    return len(events)


def _field_names(before: Any, after: Any) -> tuple[list[str] | None, list[str] | None]:
    if isinstance(before, dict) and isinstance(after, dict):
        changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
        return changed, changed
    return _names(before), _names(after)


def _names(values: Any) -> list[str] | None:
    if values is None:
        return None
    return sorted(values) if isinstance(values, dict) else []


def _triggers_told_retention_acts() -> None:
    """The trail rows the anonymising updates write name the retention schedule, not
    whoever the connection last served (local to this transaction)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('audit.actor_id', '', true),"
            " set_config('audit.actor_label', %s, true),"
            " set_config('audit.ip', '', true), set_config('audit.path', '', true)",
            [RETENTION_ACTOR],
        )
