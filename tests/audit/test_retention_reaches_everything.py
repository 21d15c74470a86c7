"""When retention ends, no personal value of the discussion is left anywhere in the database
(records, trail, disputes, reasons) nor in stored files, even after minutes were approved,
amended and the discussion closed with its record locked."""

import os
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from audit.models import AuditEvent
from audit.retention import retention_anonymisers
from minutes.models import Delivery, MinutesVersion
from minutes.receipts_links import receipt_token
from minutes.services.drafting import amendment_start, minutes_approve, minutes_draft
from minutes.services.lifecycle import delivery_revoke
from strategy.models import (
    Action,
    Adult,
    AgencyPosition,
    CaseTransfer,
    ChildDecision,
    Discussion,
    FormDraft,
    InvitationException,
    Invitee,
    ProfessionalDifference,
)
from tests.audit.dump import columns_containing
from tests.minutes.records import held_discussion

MARK = "quokkamark"  # every personal value below holds this word
BIRTHDAY = date(2013, 7, 19)  # and the child's date of birth is this distinctive date
ADULT_BIRTHDAY = date(1987, 11, 23)
NHS_NUMBERS = ("9434765919", "4010232137")  # fictional, with valid check digits
HELD = datetime(2024, 3, 4, 10, 0, tzinfo=UTC)


def marked(field: str) -> str:
    return f"{MARK} {field}"


def discussion_recorded_in_full(client) -> Discussion:  # noqa: ANN001, PLR0915
    record = held_discussion(agencies=3, held_at=HELD)
    discussion, chair = record.discussion, record.chair
    Discussion.objects.filter(pk=discussion.pk).update(
        **{
            name: marked(name)
            for name in [
                "reason",
                "joining_details",
                "referrer_name",
                "immediate_action_taken",
                "worries",
                "working_well",
                "danger_statement",
                "safety_goal",
                "contingency_plan",
                "shared_with_family",
                "shared_with_family_by",
            ]
        }
    )
    child = discussion.children.get()
    for name in ["first_name", "last_name", "needs", "communication_needs", "voice"]:
        setattr(child, name, marked(name))
    child.voice_obtained = marked("voice_obtained")
    child.date_of_birth = BIRTHDAY
    child.nhs_number = NHS_NUMBERS[0]
    child.save()
    Adult.objects.create(
        discussion=discussion,
        name=marked("adult name"),
        relationship="mother",
        date_of_birth=ADULT_BIRTHDAY,
        nhs_number=NHS_NUMBERS[1],
        address=marked("address"),
        known_information=marked("known_information"),
    )
    Invitee.objects.filter(discussion=discussion).update(
        representative=marked("representative"), information_shared=marked("information")
    )
    InvitationException.objects.create(
        discussion=discussion,
        requirement="housing",
        description="Housing (housing is a factor)",
        reason=marked("invitation exception reason"),
        recorded_by=chair,
    )
    FormDraft.objects.create(
        discussion=discussion,
        user=chair,
        path=f"/discussions/{discussion.pk}/analysis/",
        values={"worries": marked("typed, not saved")},
    )
    CaseTransfer.objects.create(
        discussion=discussion,
        receiving_authority=record.agencies[0],
        proposed_on=HELD.date(),
        reason=marked("transfer reason"),
        recorded_by=chair,
        accepted_by=marked("accepted by"),
        acceptance=marked("acceptance"),
    )
    decision = ChildDecision.objects.get(child=child)
    decision.rationale = marked("rationale")
    decision.no_s47_rationale = marked("no_s47_rationale")
    decision.save()
    invitee = discussion.invitees.order_by("pk")[0]
    position = AgencyPosition.objects.create(
        decision=decision, invitee=invitee, position="disagrees", reason=marked("position")
    )
    ProfessionalDifference.objects.create(
        discussion=discussion,
        position=position,
        raised_by=marked("raised_by"),
        raised_with=marked("raised_with"),
        raised_on=HELD.date(),
        issue=marked("issue"),
        opened_by=chair,
    )
    Action.objects.create(
        discussion=discussion,
        what=marked("what"),
        agency=invitee.agency,
        person=marked("person"),
        due_by=HELD.date() + timedelta(days=7),
        why=marked("why"),
    )

    version = minutes_draft(discussion=discussion, user=chair)
    MinutesVersion.objects.filter(pk=version.pk).update(additional_notes=marked("notes"))
    minutes_approve(version_id=version.pk, approved_by=chair)
    first, second, third = Delivery.objects.filter(version=version).order_by("pk")
    link = reverse(
        "minutes:receipt", args=[receipt_token(delivery_id=first.pk, version_id=version.pk)]
    )
    client.post(
        link,
        {
            "action": "confirm",
            "name": marked("confirmer"),
            "role": marked("confirmer role"),
            "confirm": "on",
        },
        REMOTE_ADDR="203.0.113.9",
    )
    link = reverse(
        "minutes:receipt", args=[receipt_token(delivery_id=second.pk, version_id=version.pk)]
    )
    client.post(
        link,
        {
            "action": "dispute",
            "dispute_name": marked("disputer"),
            "dispute_role": marked("disputer role"),
            "statement": marked("dispute statement"),
        },
        REMOTE_ADDR="203.0.113.9",
    )
    delivery_revoke(delivery=third, reason=marked("revoked"))
    discussion.refresh_from_db()
    amended = amendment_start(
        discussion=discussion,
        user=chair,
        reason=marked("amendment reason"),
        change_summary=marked("change summary"),
    )
    minutes_approve(version_id=amended.pk, approved_by=chair)
    return discussion


@pytest.mark.django_db
def test_after_retention_no_personal_value_is_left_anywhere(
    client, client_for, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    settings.RETENTION_DAYS = 365
    with time_machine.travel(HELD + timedelta(hours=1), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            discussion = discussion_recorded_in_full(client)
        pdfs = [v.pdf.path for v in MinutesVersion.objects.all()]
        assert len(pdfs) == 2 and all(os.path.exists(p) for p in pdfs)
        # Approved minutes locked the record; closing it does not unlock it.
        assert Discussion.objects.get().record_locked_at is not None
        Discussion.objects.filter(pk=discussion.pk).update(closed_at=HELD + timedelta(days=1))
        manager = client_for(Discussion.objects.get().chair.manager)
        manager.get(reverse("strategy:detail", args=[discussion.pk]), REMOTE_ADDR="198.51.100.4")
    triggered = {"audit_auditevent.before"} if connection.vendor == "postgresql" else set()
    assert triggered | {
        "audit_auditevent.actor_label",
        "minutes_delivery.confirmed_by_name",
        "minutes_dispute.statement",
        "minutes_minutesversion.amendment_reason",
        "minutes_minutesversion.snapshot",
        "strategy_invitationexception.reason",
        "strategy_casetransfer.acceptance",
        "strategy_formdraft.values",
    } <= set(columns_containing(MARK)), "the marker must be everywhere retention must reach"
    assert {"strategy_child.nhs_number", "strategy_adult.nhs_number"} <= set(
        columns_containing(NHS_NUMBERS[0]) + columns_containing(NHS_NUMBERS[1])
    )
    assert Adult.objects.filter(date_of_birth=ADULT_BIRTHDAY).exists()

    with time_machine.travel(HELD + timedelta(days=400), tick=False):
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            call_command("retention", "--apply", stdout=open(os.devnull, "w"))  # noqa: SIM115
        assert all(os.path.exists(p) for p in pdfs), "files go only once the change commits"
        for callback in callbacks:
            callback()

    assert columns_containing(MARK) == []
    assert columns_containing(BIRTHDAY.isoformat()) == []
    assert columns_containing(ADULT_BIRTHDAY.isoformat()) == []
    assert not Adult.objects.filter(date_of_birth=ADULT_BIRTHDAY).exists()
    for number in NHS_NUMBERS:
        assert columns_containing(number) == []
    assert not any(os.path.exists(p) for p in pdfs)
    # The trail keeps when, what and which fields, with no values and no names.
    assert AuditEvent.objects.filter(discussion_id=discussion.pk).count() > 1
    viewed = AuditEvent.objects.get(action="discussion.viewed")
    assert viewed.ip is None and viewed.redacted_at is not None
    event = AuditEvent.objects.get(action="retention.anonymised")
    assert event.actor_label == "retention schedule"
    assert event.discussion_id == discussion.pk


def test_every_app_holding_discussion_data_registers_its_anonymiser():
    assert {"strategy", "minutes"} <= set(retention_anonymisers())
