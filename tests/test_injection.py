"""Typed content never executes: every free-text field, on every page that shows it."""

import pytest
from django.db import models
from django.urls import reverse

from minutes.models import Delivery, MinutesVersion
from minutes.receipts_links import receipt_token
from minutes.services.drafting import minutes_approve, minutes_draft
from strategy.models import (
    Action,
    Adult,
    AgencyPosition,
    Child,
    ChildDecision,
    Discussion,
    Invitee,
    ProfessionalDifference,
)
from tests.minutes.records import held_discussion
from tests.signin.helpers import verified_client

PAYLOAD = '<script>alert("x")</script><img src=x onerror=alert(1)>'
ESCAPED = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"
UNTOUCHED = {"reference", "recipients", "last_error", "revoked_reason"}


def fill_free_text(instance: models.Model) -> None:
    """Puts the payload into every free-text field of a record, as a person could type it."""
    for field in instance._meta.concrete_fields:
        if (
            isinstance(field, models.TextField | models.CharField)
            and not field.choices
            and field.name not in UNTOUCHED
            and not isinstance(field, models.EmailField)
        ):
            setattr(instance, field.name, PAYLOAD[: field.max_length or None])
    instance.save()


@pytest.mark.django_db
def test_free_text_is_shown_as_text_on_every_page(
    settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    record = held_discussion(agencies=3)
    discussion = record.discussion
    child = Child.objects.get(discussion=discussion)
    invitee = Invitee.objects.filter(discussion=discussion).earliest("pk")
    invitee.attendance = "attended"
    position = AgencyPosition.objects.create(
        decision=ChildDecision.objects.get(child=child),
        invitee=invitee,
        position="disagrees",
        reason="x",
    )
    Adult.objects.create(discussion=discussion, name="x", relationship="mother")
    Action.objects.create(
        discussion=discussion,
        what="x",
        agency=invitee.agency,
        person="x",
        due_by="2026-12-01",
        why="x",
    )
    ProfessionalDifference.objects.create(
        discussion=discussion,
        raised_by="x",
        raised_with="x",
        raised_on="2026-11-20",
        issue="x",
        opened_by=record.chair,
    )
    for instance in [
        discussion,
        child,
        invitee,
        position,
        ChildDecision.objects.get(),
        *Adult.objects.all(),
        *Action.objects.all(),
        *ProfessionalDifference.objects.all(),
    ]:
        fill_free_text(instance)
    Discussion.objects.filter(pk=discussion.pk).update(outcome_recorded_at=discussion.held_at)
    version = minutes_draft(discussion=discussion, user=record.chair)
    fill_free_text(version)
    with django_capture_on_commit_callbacks(execute=True):
        minutes_approve(version_id=version.pk, approved_by=record.chair)
    version = MinutesVersion.objects.get(pk=version.pk)
    delivery = Delivery.objects.filter(version=version).first()

    chair = verified_client(record.chair)
    manager = verified_client(record.manager)
    pages = [
        chair.get(reverse("strategy:detail", args=[discussion.pk])),
        chair.get(reverse("minutes:workspace", args=[discussion.pk])),
        chair.get(reverse("minutes:version", args=[version.pk])),
        manager.get(reverse("strategy:trail", args=[discussion.pk])),
        manager.get(reverse("dashboards:list", args=["disagreements-unresolved"])),
        manager.get(reverse("dashboards:list", args=["actions-overdue"])),
        chair.get(
            reverse(
                "minutes:receipt",
                args=[receipt_token(delivery_id=delivery.pk, version_id=version.pk)],
            )
        ),
    ]
    for response in pages:
        assert response.status_code == 200, response.request["PATH_INFO"]
        assert PAYLOAD not in response.text, response.request["PATH_INFO"]
        assert "<script>alert" not in response.text
        assert "onerror=alert" not in response.text.replace("onerror=alert(1)&gt;", "")
    detail = pages[0].text
    assert ESCAPED in detail
