import os
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from audit.models import AuditEvent
from minutes.models import MinutesVersion
from minutes.services.drafting import minutes_approve, minutes_draft
from strategy.models import Child, Discussion
from tests.minutes.records import held_discussion


@pytest.fixture
def closed_long_ago(settings, tmp_path, django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path
    settings.RETENTION_DAYS = 365
    record = held_discussion(agencies=2)
    version = minutes_draft(discussion=record.discussion, user=record.chair)
    with django_capture_on_commit_callbacks(execute=True):
        minutes_approve(version_id=version.pk, approved_by=record.chair)
    Discussion.objects.filter(pk=record.discussion.pk).update(
        closed_at=timezone.now() - timedelta(days=400)
    )
    return record


@pytest.mark.django_db
def test_dry_run_reports_and_changes_nothing(closed_long_ago, capsys):
    call_command("retention")
    out = capsys.readouterr().out
    assert "1 discussion(s) due" in out
    assert "SD-2026-00077" in out
    assert "Dry run: nothing changed" in out
    assert Child.objects.get().first_name == "Rowan"


@pytest.mark.django_db
def test_apply_removes_personal_details_and_keeps_the_audit_of_it(
    closed_long_ago, capsys, django_capture_on_commit_callbacks
):
    version = MinutesVersion.objects.get()
    pdf_path = version.pdf.path
    with django_capture_on_commit_callbacks(execute=True):
        call_command("retention", "--apply")
    child = Child.objects.get()
    assert "Rowan" not in child.first_name and "Testcase" not in child.last_name
    assert child.date_of_birth is None
    discussion = Discussion.objects.get()
    assert discussion.anonymised_at is not None
    assert "bruising" not in discussion.reason
    version.refresh_from_db()
    assert version.snapshot is None
    assert not version.pdf
    assert not os.path.exists(pdf_path)
    assert version.pdf_sha256  # the fingerprint of what was sent stays as evidence
    event = AuditEvent.objects.get(action="retention.anonymised")
    assert event.discussion_id == discussion.pk
    # Facts the partnership audits survive.
    assert discussion.minutes_distributed_at is not None
    # A second run finds nothing more to do.
    call_command("retention", "--apply")
    assert "Anonymised 0 discussion(s)" in capsys.readouterr().out


@pytest.mark.django_db
def test_open_and_recently_closed_discussions_are_kept(settings):
    settings.RETENTION_DAYS = 365
    record = held_discussion(agencies=1)
    Discussion.objects.filter(pk=record.discussion.pk).update(
        closed_at=timezone.now() - timedelta(days=100)
    )
    from strategy.services.retention import retention_apply

    assert retention_apply(timezone.now()) == []
    assert Child.objects.get().first_name == "Rowan"


@pytest.mark.django_db
def test_a_failure_part_way_changes_nothing_and_keeps_the_pdf(
    closed_long_ago, monkeypatch, django_capture_on_commit_callbacks
):
    from audit import retention

    def broken(*, discussion_id: int, now) -> None:  # noqa: ANN001
        raise RuntimeError("the outbox is unreachable")

    monkeypatch.setitem(retention._anonymisers, "broken", broken)
    pdf_path = MinutesVersion.objects.get().pdf.path
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        call_command("retention", "--apply")
    assert Child.objects.get().first_name == "Rowan"
    assert Discussion.objects.get().anonymised_at is None
    assert MinutesVersion.objects.get().snapshot is not None
    assert os.path.exists(pdf_path)
    assert not AuditEvent.objects.filter(action="retention.anonymised").exists()
