"""Run inside `manage.py shell` on the embedded default by test_embedded_worker: two held
discussions with ten agencies each, then their minutes approved, each by its own process."""

from minutes.services.drafting import minutes_approve, minutes_draft
from strategy.models import Discussion
from tests.minutes.records import held_discussion


def setup() -> None:
    first = held_discussion()
    second = Discussion.objects.get(pk=first.discussion.pk)
    second.pk = None
    second.reference = "SD-2026-00078"
    second.save()
    for invitee in first.discussion.invitees.all():
        invitee.pk = None
        invitee.discussion = second
        invitee.save()
    print(first.discussion.pk, second.pk)  # noqa: T201 - read by the test


def approve(discussion_id: int) -> None:
    discussion = Discussion.objects.get(pk=discussion_id)
    version = minutes_draft(discussion=discussion, user=discussion.chair)
    minutes_approve(version_id=version.pk, approved_by=discussion.chair)
