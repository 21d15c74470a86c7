"""The audit trail: every look and change, kept where the application cannot alter it."""

import csv
import io

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from minutes.services.drafting import minutes_approve, minutes_draft
from strategy.models import Discussion
from tests.conftest import missing_service
from tests.factories import UserFactory
from tests.minutes.records import held_discussion


def needs_postgresql() -> None:
    if connection.vendor != "postgresql":
        missing_service("the audit triggers live in PostgreSQL (set DATABASE_URL)")


@pytest.mark.django_db
def test_looking_at_a_discussion_is_recorded_with_who_and_where(client_for):
    record = held_discussion(agencies=2)
    client_for(record.manager).get(
        reverse("strategy:detail", args=[record.discussion.pk]), REMOTE_ADDR="192.0.2.10"
    )
    event = AuditEvent.objects.get(action="discussion.viewed")
    assert event.actor == record.manager
    assert event.discussion_id == record.discussion.pk
    assert event.ip == "192.0.2.10"
    assert event.at is not None


@pytest.mark.django_db
def test_sign_ins_failed_sign_ins_and_refusals_are_recorded(client_for):
    UserFactory(username="chris", role="chair")
    Client().post(reverse("login"), {"username": "chris", "password": "wrong"})
    assert AuditEvent.objects.filter(action="signin.failed", after__username="chris").exists()
    Client().post(reverse("login"), {"username": "chris", "password": "a-long-test-password"})
    assert AuditEvent.objects.filter(action="signin.succeeded").exists()
    partner = UserFactory(
        username="pc", role="partner", agency=held_discussion(agencies=1).agencies[0]
    )
    client_for(partner).get(reverse("strategy:list"))
    refused = AuditEvent.objects.get(action="access.refused")
    assert refused.actor == partner
    assert refused.path == reverse("strategy:list")


@pytest.mark.django_db
def test_every_change_is_recorded_with_before_and_after_even_bulk_updates():
    needs_postgresql()
    record = held_discussion(agencies=2)
    Discussion.objects.filter(pk=record.discussion.pk).update(reason="Changed in bulk")
    change = AuditEvent.objects.filter(
        action="row.update", object_type="strategy_discussion"
    ).last()
    assert change is not None
    assert change.before["reason"] == "Fictional: bruising to a baby."
    assert change.after["reason"] == "Changed in bulk"
    assert change.discussion_id == record.discussion.pk
    # a child's record is traced to its discussion too
    record.discussion.children.update(needs="Updated needs")
    assert AuditEvent.objects.filter(
        object_type="strategy_child", action="row.update", discussion_id=record.discussion.pk
    ).exists()


@pytest.mark.django_db
def test_the_application_cannot_edit_or_delete_audit_rows():
    needs_postgresql()
    event = AuditEvent.objects.create(action="test.event", actor_label="someone")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(action="tampered")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    event.refresh_from_db()
    assert event.action == "test.event"


@pytest.mark.django_db
def test_managers_read_and_export_the_trail_and_chairs_cannot(client_for):
    record = held_discussion(agencies=2)
    url = reverse("strategy:trail", args=[record.discussion.pk])
    manager = client_for(record.manager)
    manager.get(reverse("strategy:detail", args=[record.discussion.pk]))
    page = manager.get(url)
    assert page.status_code == 200
    assert "discussion.viewed" in page.text
    export = manager.get(url, {"format": "csv"})
    rows = list(csv.reader(io.StringIO(export.content.decode())))
    assert rows[0][:3] == ["When (UTC)", "Who", "What"]
    assert any(row[2] == "discussion.viewed" for row in rows[1:])
    assert client_for(record.chair).get(url).status_code == 404


@pytest.mark.django_db
def test_a_change_through_a_page_names_who_made_it(client_for):
    needs_postgresql()
    record = held_discussion(agencies=2)
    discussion = record.discussion
    discussion.outcome_recorded_at = None
    discussion.save()
    client_for(record.chair).post(
        reverse("strategy:analysis", args=[discussion.pk]),
        {"revision": discussion.revision, "worries": "A new worry"},
        REMOTE_ADDR="198.51.100.7",
    )
    change = AuditEvent.objects.filter(
        action="row.update", object_type="strategy_discussion", after__worries="A new worry"
    ).get()
    assert change.actor_id == record.chair.pk
    assert change.ip == "198.51.100.7"
    assert change.before["worries"] == ""


@pytest.mark.django_db
def test_secrets_and_the_minutes_snapshot_are_noted_as_changed_never_copied(
    settings, tmp_path, django_capture_on_commit_callbacks
):
    needs_postgresql()
    settings.MEDIA_ROOT = tmp_path
    record = held_discussion(agencies=2)
    version = minutes_draft(discussion=record.discussion, user=record.chair)
    with django_capture_on_commit_callbacks(execute=True):
        minutes_approve(version_id=version.pk, approved_by=record.chair)
    approved = AuditEvent.objects.filter(
        object_type="minutes_minutesversion", action="row.update", after__has_key="snapshot"
    ).get()
    assert approved.after["snapshot"] == "(changed; value not recorded)"
    assert approved.discussion_id == record.discussion.pk
    assert "Rowan" not in str(approved.before) + str(approved.after)

    record.chair.set_password("a-new-long-password")
    record.chair.save()
    changed = AuditEvent.objects.filter(object_type="agencies_user", action="row.update").last()
    assert changed.after["password"] == "(changed; value not recorded)"
    assert "password" not in changed.before
    before = AuditEvent.objects.count()
    type(record.chair).objects.filter(pk=record.chair.pk).update(last_login=timezone.now())
    assert AuditEvent.objects.count() == before  # bookkeeping alone writes no row


@pytest.mark.django_db
def test_the_only_change_a_trail_row_takes_is_one_redaction_of_its_values():
    needs_postgresql()
    event = AuditEvent.objects.create(
        action="test.event", actor_label="Someone", after={"name": "Rowan"}, ip="192.0.2.1"
    )
    rows = AuditEvent.objects.filter(pk=event.pk)
    now = timezone.now()
    with pytest.raises(DatabaseError), transaction.atomic():
        rows.update(redacted_at=now, after=["name"], ip=None, action="tampered")
    with pytest.raises(DatabaseError), transaction.atomic():
        rows.update(redacted_at=now, after={"name": "Someone else"}, ip=None)
    rows.update(redacted_at=now, after=["name"], ip=None, actor_label="[removed]")
    with pytest.raises(DatabaseError), transaction.atomic():
        rows.update(redacted_at=now, after=[], ip=None)  # once only
    event.refresh_from_db()
    assert (event.action, event.after, event.actor_label) == ("test.event", ["name"], "[removed]")


@pytest.mark.django_db
def test_a_refused_page_is_on_the_trail_of_the_discussion_it_aimed_at(client_for):
    record = held_discussion(agencies=2)
    d = record.discussion.pk
    partner = UserFactory(
        username="pc",
        first_name="Pat",
        last_name="Curious",
        role="partner",
        agency=record.agencies[0],
    )
    other_chair = UserFactory(username="oc", first_name="Olly", last_name="Other", role="chair")
    assert client_for(partner).get(reverse("strategy:detail", args=[d])).status_code == 404
    editing = reverse("strategy:analysis", args=[d])
    workspace = reverse("minutes:workspace", args=[d])
    assert client_for(partner).get(workspace).status_code == 404
    assert client_for(other_chair).post(editing, {"worries": "x"}).status_code == 404
    assert (
        client_for(other_chair).get(reverse("strategy:detail", args=[d + 999])).status_code == 404
    )

    manager = client_for(record.manager)
    trail = manager.get(reverse("strategy:trail", args=[d])).text
    assert "Pat Curious (pc)" in trail
    assert f"{reverse('strategy:detail', args=[d])}, answered 404" in trail
    assert "Olly Other (oc)" in trail
    assert f"{editing}, answered 404" in trail
    assert reverse("strategy:detail", args=[d + 999]) not in trail  # aimed at nothing

    export = manager.get(reverse("strategy:trail", args=[d]), {"format": "csv"})
    rows = list(csv.DictReader(io.StringIO(export.content.decode())))
    refused = [r for r in rows if r["What"] == "access.refused"]
    assert {(r["Who"], r["Page"], r["After"]) for r in refused} == {
        ("Pat Curious (pc)", reverse("strategy:detail", args=[d]), '{"status": 404}'),
        ("Olly Other (oc)", editing, '{"status": 404}'),
        ("Pat Curious (pc)", workspace, '{"status": 404}'),
    }
    assert all(r["When (UTC)"] for r in refused)


@pytest.mark.django_db
def test_the_trail_reads_in_words_and_collapses_repeated_views(client_for):
    record = held_discussion(agencies=1)
    manager = client_for(record.manager)
    detail = reverse("strategy:detail", args=[record.discussion.pk])
    for _ in range(5):
        manager.get(detail)
    page = manager.get(reverse("strategy:trail", args=[record.discussion.pk])).text
    assert "When (UK time)" in page
    assert "Looked at the discussion" in page
    assert "5 times" in page
    assert page.count("Looked at the discussion") == 1
