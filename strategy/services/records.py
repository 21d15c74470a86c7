"""Guards every change to a discussion: still editable, and nobody saved over it meanwhile."""

from datetime import datetime

from django.db.models import F

from strategy.models import Discussion


class EditConflict(Exception):
    """Someone else saved the discussion (or, for a section, that section) after this person
    opened it."""

    def __init__(self, current: Discussion) -> None:
        super().__init__(f"{current.reference} was changed by someone else")
        self.current = current


class RecordLocked(Exception):
    """Minutes are approved or the discussion is closed: changes go through amendments."""


def discussion_claim_revision(
    *, discussion: Discussion, expected_revision: int, section: str = ""
) -> Discussion:
    """Moves the discussion to its next revision, or refuses if it moved already.

    Call inside the transaction that makes the change; the conditional UPDATE means only one
    of two people saving at once goes through.

    With a section (the key of one part of the record), only a save of that same section
    since expected_revision refuses: the chair recording decisions and the minute-taker
    recording attendance both land. The record lock is checked by the same UPDATE either way.
    """
    if section:
        return _claim_section(discussion, expected_revision, section)
    updated = Discussion.objects.filter(
        pk=discussion.pk,
        revision=expected_revision,
        record_locked_at__isnull=True,
        closed_at__isnull=True,
    ).update(revision=F("revision") + 1)
    if updated != 1:
        current = Discussion.objects.get(pk=discussion.pk)
        if not current.is_editable:
            raise RecordLocked(discussion.reference)
        raise EditConflict(current)
    discussion.revision = expected_revision + 1
    return discussion


def _claim_section(discussion: Discussion, expected_revision: int, section: str) -> Discussion:
    # The UPDATE takes the discussion's row lock for the rest of the transaction, so the
    # read below sees every section save committed before it, and none can come in between.
    updated = Discussion.objects.filter(
        pk=discussion.pk,
        record_locked_at__isnull=True,
        closed_at__isnull=True,
    ).update(revision=F("revision") + 1)
    current = Discussion.objects.get(pk=discussion.pk)
    if updated != 1:
        raise RecordLocked(discussion.reference)
    if int(current.section_revisions.get(section, 0)) > expected_revision:
        current.revision -= 1  # as it stands once this transaction rolls back
        raise EditConflict(current)
    sections = {**current.section_revisions, section: current.revision}
    Discussion.objects.filter(pk=discussion.pk).update(section_revisions=sections)
    discussion.revision = current.revision
    discussion.section_revisions = sections
    return discussion


def discussion_outcome_reopen(*, discussion: Discussion) -> Discussion:
    """A change to what the final outcome attests (decisions, positions, who attended)
    returns it to in progress, in the caller's transaction: the chair checks and confirms
    it again before the minutes can be approved."""
    if discussion.outcome_recorded_at is not None:
        Discussion.objects.filter(pk=discussion.pk).update(outcome_recorded_at=None)
        discussion.outcome_recorded_at = None
    return discussion


def discussion_lock(
    *, discussion_id: int, at: datetime, read: Discussion | None = None
) -> Discussion:
    """Freezes the record for approval, in the caller's transaction.

    The same conditional UPDATE as every edit (this revision, and not locked), so an edit and
    an approval cannot both win: an edit saved first moves the revision and the lock is taken
    on the record as that edit left it; an edit after the lock finds it locked. Read the
    record for the minutes only after this returns.

    ``read``: the row as the caller already read it in this transaction. Its revision is tried
    first, without reading the row again; if the row moved on since, it is read afresh. Only
    the revision is relied on: the UPDATE checks the rest, and every edit moves the revision,
    so a row whose revision still matches is the row as it stands."""
    if read is not None and _locked(discussion_id, read.revision, at):
        return _as_locked(read, at)
    for _ in range(10):
        current = Discussion.objects.get(pk=discussion_id)
        if not current.is_editable:
            raise RecordLocked(current.reference)
        if current.outcome_recorded_at is None:
            raise EditConflict(current)  # a decision changed since the outcome was final
        if _locked(discussion_id, current.revision, at):
            return _as_locked(current, at)
    raise EditConflict(Discussion.objects.get(pk=discussion_id))


def _locked(discussion_id: int, revision: int, at: datetime) -> bool:
    return (
        Discussion.objects.filter(
            pk=discussion_id,
            revision=revision,
            record_locked_at__isnull=True,
            closed_at__isnull=True,
            outcome_recorded_at__isnull=False,
        ).update(record_locked_at=at, revision=F("revision") + 1)
        == 1
    )


def _as_locked(discussion: Discussion, at: datetime) -> Discussion:
    """The row as the locking UPDATE left it (no other field changed), without reading it."""
    discussion.record_locked_at = at
    discussion.revision += 1
    return discussion
