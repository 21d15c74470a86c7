"""Actions can be marked done by the chair, the minute-taker or the owning agency's users;
done actions leave the overdue dashboard. Tracking, not an amendment: it works on a locked
record and the minutes keep the action as agreed."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from minutes.dashboards.filters import Filters
from minutes.dashboards.selectors import Moment, actions_overdue
from minutes.models import Delivery
from minutes.services.drafting import minutes_approve, minutes_draft
from strategy.models import Action
from tests.factories import UserFactory
from tests.minutes.records import held_discussion
from tests.signin.helpers import verified_client


@pytest.fixture
def sent(db, settings, tmp_path, django_capture_on_commit_callbacks):
    """Approved minutes, sent to three agencies; the police owe an overdue action."""
    settings.MEDIA_ROOT = tmp_path
    record = held_discussion(agencies=3)
    police = record.agencies[1]
    action = Action.objects.create(
        discussion=record.discussion,
        what="Check the address for previous call-outs",
        agency=police,
        person="DS Pat Officer",
        due_by=timezone.localdate() - timedelta(days=2),
        why="To know the history",
    )
    version = minutes_draft(discussion=record.discussion, user=record.chair)
    with django_capture_on_commit_callbacks(execute=True):
        minutes_approve(version_id=version.pk, approved_by=record.chair)
    Delivery.objects.filter(version=version).update(status="sent", sent_at=timezone.now())
    return record, action


def overdue_now():
    return list(actions_overdue(Filters(), Moment.current()))


def test_the_chair_marks_an_action_done_on_a_locked_record(sent):
    record, action = sent
    record.discussion.refresh_from_db()
    assert record.discussion.record_locked_at is not None
    assert overdue_now() == [action]
    client = verified_client(record.chair)
    done = client.post(
        reverse("strategy:action_done", args=[record.discussion.pk, action.pk]), follow=True
    )
    assert "Action marked as done" in done.text
    action.refresh_from_db()
    assert action.completed_at is not None
    assert action.completed_by == record.chair
    assert overdue_now() == []
    summary = client.get(reverse("strategy:summary", args=[record.discussion.pk]))
    assert 'govuk-tag--green">Done</strong>' in summary.text


def test_a_partner_sees_and_closes_their_own_agencys_open_actions(sent):
    record, action = sent
    police_user = UserFactory(username="pc", role="partner", agency=record.agencies[1])
    hospital_user = UserFactory(username="hs", role="partner", agency=record.agencies[2])
    police = verified_client(police_user)
    page = police.get(reverse("minutes:partner"))
    assert "Check the address for previous call-outs" in page.text
    assert "<title>Your agency's minutes - " in page.text.replace("&#x27;", "'")
    hospital_page = verified_client(hospital_user).get(reverse("minutes:partner"))
    assert "Check the address for previous call-outs" not in hospital_page.text

    url = reverse("minutes:partner_action_done", args=[action.pk])
    assert verified_client(hospital_user).post(url).status_code == 404
    assert police.post(url).status_code == 302
    action.refresh_from_db()
    assert action.completed_by == police_user
    assert "Your agency has no open actions" in police.get(reverse("minutes:partner")).text


def test_marking_twice_keeps_the_first_completion(sent):
    record, action = sent
    client = verified_client(record.chair)
    url = reverse("strategy:action_done", args=[record.discussion.pk, action.pk])
    client.post(url)
    first = Action.objects.get(pk=action.pk).completed_at
    again = client.post(url, follow=True)
    assert "Already marked as done" in again.text
    assert Action.objects.get(pk=action.pk).completed_at == first
