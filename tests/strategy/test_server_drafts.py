"""Typed work kept on the server: offered back on any device, deleted when the section is
saved, refused for anyone who does not record the discussion."""

import json

import pytest
from django.urls import reverse

from strategy.models import FormDraft
from tests.factories import AgencyFactory, UserFactory
from tests.signin.helpers import verified_client

WORRIES = "Fictional: a bruise to the ear; the account keeps changing."


def keep(client, discussion, path, values):
    return client.post(
        reverse("strategy:draft", args=[discussion.pk]),
        json.dumps({"path": path, "values": values}),
        content_type="application/json",
    )


def offered(client, discussion, path):
    return client.get(reverse("strategy:draft", args=[discussion.pk]), {"path": path})


def test_a_draft_kept_on_one_device_is_offered_on_another_then_gone_once_saved(discussion, chair):
    analysis = reverse("strategy:analysis", args=[discussion.pk])
    laptop, phone = verified_client(chair), verified_client(chair)
    assert keep(laptop, discussion, analysis, {"worries": WORRIES}).status_code == 204

    draft = offered(phone, discussion, analysis)
    assert draft.status_code == 200
    assert draft.json()["values"] == {"worries": WORRIES}
    assert 'data-draft-url="' in phone.get(analysis).text

    phone.post(
        analysis,
        {"revision": discussion.revision, "worries": WORRIES, "working_well": "School."},
    )
    assert not FormDraft.objects.exists()
    assert offered(laptop, discussion, analysis).status_code == 204


def test_someone_elses_draft_is_never_offered(discussion, chair, minute_taker):
    analysis = reverse("strategy:analysis", args=[discussion.pk])
    keep(verified_client(chair), discussion, analysis, {"worries": WORRIES})
    assert offered(verified_client(minute_taker), discussion, analysis).status_code == 204


@pytest.mark.parametrize("role", ["chair", "partner", "manager"])
def test_people_who_do_not_record_the_discussion_get_404(discussion, role):
    agency = AgencyFactory() if role == "partner" else None
    other = verified_client(UserFactory(username=f"other-{role}", role=role, agency=agency))
    analysis = reverse("strategy:analysis", args=[discussion.pk])
    assert keep(other, discussion, analysis, {"worries": WORRIES}).status_code == 404
    assert offered(other, discussion, analysis).status_code == 404
    assert not FormDraft.objects.exists()


def test_a_draft_for_another_discussions_page_or_too_long_is_refused(discussion, chair):
    client = verified_client(chair)
    elsewhere = "/discussions/999999/analysis/"
    assert keep(client, discussion, elsewhere, {"worries": WORRIES}).status_code == 400
    huge = keep(
        client, discussion, reverse("strategy:analysis", args=[discussion.pk]), {"w": "x" * 300_000}
    )
    assert huge.status_code == 413
    assert not FormDraft.objects.exists()
