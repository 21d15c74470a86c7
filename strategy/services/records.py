"""Guards every change to a discussion: still editable, and nobody saved over it meanwhile."""

from django.db.models import F

from strategy.models import Discussion


class EditConflict(Exception):
    """Someone else saved the discussion after this person opened it."""

    def __init__(self, current: Discussion) -> None:
        super().__init__(f"{current.reference} was changed by someone else")
        self.current = current


class RecordLocked(Exception):
    """Minutes are approved or the discussion is closed: changes go through amendments."""


def discussion_claim_revision(*, discussion: Discussion, expected_revision: int) -> Discussion:
    """Moves the discussion to its next revision, or refuses if it moved already.

    Call inside the transaction that makes the change; the conditional UPDATE means only one
    of two people saving at once goes through.
    """
    if not discussion.is_editable:
        raise RecordLocked(discussion.reference)
    updated = Discussion.objects.filter(pk=discussion.pk, revision=expected_revision).update(
        revision=F("revision") + 1
    )
    if updated != 1:
        raise EditConflict(Discussion.objects.get(pk=discussion.pk))
    discussion.revision = expected_revision + 1
    return discussion
