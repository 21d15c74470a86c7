"""A discussion's record as JSON: what it holds, that it matches its published schema, and
who may have it."""

import json
from io import StringIO

import jsonschema
import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from audit.models import AuditEvent
from minutes.exports.discussion import discussion_export
from minutes.models import Delivery
from strategy.models import Discussion
from tests.factories import UserFactory

NOW = "2026-12-01T09:00:00+00:00"


def test_a_fully_recorded_discussion_matches_the_schema(recorded, export_validator):
    exported = discussion_export(recorded)
    export_validator.validate(exported)
    assert exported["reference"] == recorded.reference
    assert exported["dates"]["held_at"] == "2026-11-23T10:05:00+00:00"
    assert exported["chair"] == {"username": "chris", "name": "Chris Example"}
    ada, baby = sorted(exported["children"], key=lambda child: child["first_name"])
    assert ada["date_of_birth"] == "2020-05-01"
    assert ada["decision"]["further_discussion_on"] == "2026-12-01"
    assert {o["code"] for o in baby["decision"]["outcomes"]} == {"s47_joint", "medical"}
    assert baby["decision"]["conference_due_by"] == "2026-12-14"
    disagreeing = [p for p in ada["decision"]["positions"] if p["position"] == "disagrees"]
    assert {p["agency"] for p in disagreeing} == {
        "Eastmere Constabulary",
        "Eastmere General Hospital",
    }
    assert exported["invitation_exceptions"][0]["requirement"] == "housing"
    assert exported["professional_differences"][0]["child"] == "Ada Testcase"
    assert [a["due_by"] for a in exported["actions"]] == ["2026-11-24", "2026-11-25"]
    assert any(i["information_shared"] for i in exported["invitees"])
    assert "password" not in json.dumps(exported)


def test_approved_minutes_and_their_deliveries_are_exported(distributed, export_validator):
    delivery = Delivery.objects.first()
    exported = discussion_export(distributed.discussion)
    export_validator.validate(exported)
    (version,) = exported["minutes_versions"]
    assert version["number"] == 1
    assert version["approved_by"]["username"] == "chris"
    assert version["approved_at"] is not None
    assert len(version["deliveries"]) == 3
    by_agency = {d["agency"]: d for d in version["deliveries"]}
    assert by_agency[delivery.agency.name]["status"] == delivery.status


def test_a_barely_started_discussion_matches_the_schema(discussion, export_validator):
    exported = discussion_export(discussion)
    export_validator.validate(exported)
    assert exported["status"] == "scheduled"
    assert exported["dates"]["held_at"] is None
    assert exported["minutes_versions"] == []
    assert all(child["decision"] is None for child in exported["children"])


@pytest.mark.parametrize(
    "breakage",
    [
        lambda e: e.pop("reference"),
        lambda e: e["dates"].update(held_at="23 November 2026"),
        lambda e: e["children"][0].update(nhs_number="123"),
        lambda e: e.update(unexpected="field"),
    ],
    ids=["no reference", "date not ISO", "short NHS number", "unknown field"],
)
def test_the_schema_rejects_a_broken_export(discussion, export_validator, breakage):
    exported = discussion_export(discussion)
    breakage(exported)
    with pytest.raises(jsonschema.ValidationError):
        export_validator.validate(exported)


@pytest.mark.parametrize("role", ["chair", "minute_taker", "partner", "auditor"])
def test_only_managers_and_administrators_may_download_it(distributed, client_for, role):
    kwargs = {"agency": distributed.agencies[0]} if role == "partner" else {}
    someone = UserFactory(username=f"someone-{role}", role=role, **kwargs)
    url = reverse("minutes:export", args=[distributed.discussion.pk])
    assert client_for(someone).get(url).status_code == 404
    assert client_for(distributed.chair).get(url).status_code == 404


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("role", ["manager", "administrator"])
def test_a_manager_downloads_the_same_json_the_command_prints(
    distributed, client_for, role, export_validator
):
    someone = UserFactory(username=f"someone-{role}", role=role)
    discussion = distributed.discussion
    response = client_for(someone).get(reverse("minutes:export", args=[discussion.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert f'filename="{discussion.reference}.json"' in response["Content-Disposition"]
    downloaded = json.loads(response.content)
    export_validator.validate(downloaded)
    assert downloaded["exported_at"] == NOW

    printed = StringIO()
    call_command("export_discussion", discussion.reference.lower(), stdout=printed)
    assert printed.getvalue() == response.content.decode()
    by_id = StringIO()
    call_command("export_discussion", str(discussion.pk), stdout=by_id)
    assert by_id.getvalue() == printed.getvalue()
    assert AuditEvent.objects.filter(
        action="discussion.exported", discussion_id=discussion.pk, actor_id=someone.pk
    ).exists()
    assert AuditEvent.objects.filter(
        action="discussion.exported", discussion_id=discussion.pk, actor=None
    ).exists()


def test_the_command_writes_to_a_file(distributed, tmp_path, export_validator):
    target = tmp_path / "export.json"
    call_command("export_discussion", distributed.discussion.reference, output=str(target))
    export_validator.validate(json.loads(target.read_text(encoding="utf-8")))


def test_the_command_names_a_discussion_it_cannot_find(db):
    from django.core.management.base import CommandError

    assert not Discussion.objects.exists()
    with pytest.raises(CommandError, match="No discussion has the reference or id SD-1"):
        call_command("export_discussion", "SD-1")
