"""The 24-hour deadline for minutes, in travelled time."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from minutes.services.drafting import minutes_approve, minutes_draft
from strategy.models import Discussion
from tests.minutes.records import held_discussion


@pytest.mark.django_db
def test_minutes_are_overdue_24_hours_after_the_discussion(client_for):
    record = held_discussion(held_at=timezone.now(), agencies=2)
    discussion = record.discussion
    held = discussion.held_at
    assert discussion.minutes_due_by == held + timedelta(hours=24)
    with time_machine.travel(held + timedelta(hours=23, minutes=59)):
        assert not discussion.minutes_overdue()
        assert not Discussion.objects.minutes_overdue().exists()
    with time_machine.travel(held + timedelta(hours=24, minutes=1)):
        assert discussion.minutes_overdue()
        assert list(Discussion.objects.minutes_overdue()) == [discussion]
        page = client_for(record.chair).get(reverse("strategy:detail", args=[discussion.pk]))
        assert "Minutes overdue" in page.text


@pytest.mark.django_db
def test_minutes_sent_to_every_agency_are_no_longer_owed(
    settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    record = held_discussion(held_at=timezone.now() - timedelta(hours=30), agencies=3)
    assert list(Discussion.objects.minutes_overdue()) == [record.discussion]
    version = minutes_draft(discussion=record.discussion, user=record.chair)
    with django_capture_on_commit_callbacks(execute=True):
        minutes_approve(version_id=version.pk, approved_by=record.chair)
    record.discussion.refresh_from_db()
    version.refresh_from_db()
    assert record.discussion.minutes_distributed_at is not None
    assert version.distributed_at == record.discussion.minutes_distributed_at
    assert not Discussion.objects.minutes_overdue().exists()
    assert not record.discussion.minutes_overdue()
