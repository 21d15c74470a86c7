"""One discussion's whole record as JSON, for a case-management system or a subject access
request. The format is docs/export/discussion.schema.json; tests keep the two in step.

Unlike the minutes' snapshot (minutes.document), which is written for people to read, this
keeps the codes and ISO 8601 dates a machine needs: dates as 2026-11-23, moments as
2026-11-23T10:00:00+00:00 in London time, and null for anything not recorded.
"""

import json
from datetime import date, datetime
from typing import Any

from django.utils import timezone

from agencies.models import Agency, User
from minutes.models import MinutesVersion
from strategy.models import Child, Discussion, Outcome

EXPORT_SCHEMA_VERSION = 1


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _moment(value: datetime | None) -> str | None:
    return timezone.localtime(value).isoformat() if value else None


def _person(user: User | None) -> dict[str, str] | None:
    """Who, by username and name; nothing else about their account."""
    if user is None:
        return None
    return {"username": user.username, "name": user.get_full_name()}


def _agency(agency: Agency | None) -> dict[str, str] | None:
    if agency is None:
        return None
    return {"name": agency.name, "kind": agency.kind, "ods_code": agency.ods_code}


def _decision(child: Child) -> dict[str, Any] | None:
    decision = getattr(child, "decision", None)
    if decision is None:
        return None
    return {
        "threshold_met": decision.threshold_met,
        "rationale": decision.rationale,
        "outcomes": [{"code": code, "label": Outcome(code).label} for code in decision.outcomes],
        "no_s47_rationale": decision.no_s47_rationale,
        "further_discussion_on": _day(decision.further_discussion_on),
        "conference_due_by": _day(decision.conference_due_by),
        "conference_held_on": _day(decision.conference_held_on),
        "decided_by": _person(decision.decided_by),
        "decided_at": _moment(decision.decided_at),
        "positions": [
            {
                "agency": position.invitee.agency.name,
                "representative": position.invitee.representative,
                "position": position.position,
                "reason": position.reason,
            }
            for position in decision.positions.select_related("invitee__agency")
        ],
    }


def _child(child: Child) -> dict[str, Any]:
    return {
        "first_name": child.first_name,
        "last_name": child.last_name,
        "is_unborn": child.is_unborn,
        "date_of_birth": _day(child.date_of_birth),
        "expected_delivery_date": _day(child.expected_delivery_date),
        "nhs_number": child.nhs_number,
        "needs": child.needs,
        "communication_needs": child.communication_needs,
        "school": _agency(child.school),
        "gp_practice": _agency(child.gp_practice),
        "voice": child.voice,
        "voice_obtained": child.voice_obtained,
        "decision": _decision(child),
    }


def _minutes_version(version: MinutesVersion) -> dict[str, Any]:
    return {
        "number": version.number,
        "drafted_by": _person(version.drafted_by),
        "created_at": _moment(version.created_at),
        "approved_at": _moment(version.approved_at),
        "approved_by": _person(version.approved_by),
        "amendment_reason": version.amendment_reason,
        "change_summary": version.change_summary,
        "distributed_at": _moment(version.distributed_at),
        "deliveries": [
            {
                "agency": delivery.agency.name,
                "recipients": list(delivery.recipients),
                "status": delivery.status,
                "sent_at": _moment(delivery.sent_at),
                "confirmed_at": _moment(delivery.confirmed_at),
                "confirmed_by_name": delivery.confirmed_by_name,
                "confirmed_by_role": delivery.confirmed_by_role,
                "revoked_at": _moment(delivery.revoked_at),
            }
            for delivery in version.deliveries.all()
        ],
    }


def discussion_export(discussion: Discussion, *, now: datetime | None = None) -> dict[str, Any]:
    """The discussion's record as JSON-ready data (see the module docstring)."""
    discussion = Discussion.objects.select_related(
        "team", "chair", "minute_taker", "referrer_agency", "follows"
    ).get(pk=discussion.pk)
    children = discussion.children.select_related("school", "gp_practice", "decision__decided_by")
    differences = discussion.professional_differences.select_related(
        "raising_agency", "with_agency", "position__decision__child"
    ).prefetch_related("stages")
    versions = (
        discussion.minutes_versions.select_related("drafted_by", "approved_by")
        .prefetch_related("deliveries__agency")
        .order_by("number")
    )
    return {
        "schema_version": EXPORT_SCHEMA_VERSION,
        "exported_at": _moment(now or timezone.now()),
        "reference": discussion.reference,
        "status": discussion.status,
        "follows": discussion.follows.reference if discussion.follows else None,
        "dates": {
            "scheduled_for": _moment(discussion.scheduled_for),
            "held_at": _moment(discussion.held_at),
            "concern_raised_at": _moment(discussion.concern_raised_at),
            "emergency_action_at": _moment(discussion.emergency_action_at),
            "timescale_due_on": _day(discussion.timescale_due_on),
            "outcome_recorded_at": _moment(discussion.outcome_recorded_at),
            "follow_up_due_by": _day(discussion.follow_up_due_by),
            "minutes_distributed_at": _moment(discussion.minutes_distributed_at),
            "closed_at": _moment(discussion.closed_at),
        },
        "format": discussion.format,
        "urgency": discussion.urgency,
        "delay_reason": discussion.delay_reason,
        "team": discussion.team.name,
        "chair": _person(discussion.chair),
        "minute_taker": _person(discussion.minute_taker),
        "reason": discussion.reason,
        "concern_categories": list(discussion.concern_categories),
        "referrer": {
            "name": discussion.referrer_name,
            "agency": _agency(discussion.referrer_agency),
        },
        "immediate_action_taken": discussion.immediate_action_taken,
        "housing_is_factor": discussion.housing_is_factor,
        "children": [_child(child) for child in children],
        "adults": [
            {
                "name": adult.name,
                "relationship": adult.relationship,
                "lives_with_children": adult.lives_with_children,
                "date_of_birth": _day(adult.date_of_birth),
                "nhs_number": adult.nhs_number,
                "address": adult.address,
                "gp_practice": _agency(adult.gp_practice),
                "known_information": adult.known_information,
            }
            for adult in discussion.adults.select_related("gp_practice")
        ],
        "invitees": [
            {
                "agency": _agency(invitee.agency),
                "why_invited": invitee.why_invited,
                "attendance": invitee.attendance,
                "representative": invitee.representative,
                "can_make_decisions": invitee.can_make_decisions,
                "information_shared": invitee.information_shared,
                "scaling": invitee.scaling,
                "invitation_sent_at": _moment(invitee.invitation_sent_at),
            }
            for invitee in discussion.invitees.select_related("agency")
        ],
        "invitation_exceptions": [
            {
                "requirement": exception.requirement,
                "description": exception.description,
                "agency": _agency(exception.agency),
                "reason": exception.reason,
                "recorded_by": _person(exception.recorded_by),
                "recorded_at": _moment(exception.recorded_at),
            }
            for exception in discussion.invitation_exceptions.select_related(
                "agency", "recorded_by"
            )
        ],
        "analysis": {
            "worries": discussion.worries,
            "working_well": discussion.working_well,
            "danger_statement": discussion.danger_statement,
            "safety_goal": discussion.safety_goal,
        },
        "actions": [
            {
                "what": action.what,
                "agency": action.agency.name,
                "person": action.person,
                "due_by": _day(action.due_by),
                "why": action.why,
                "completed_at": _moment(action.completed_at),
            }
            for action in discussion.actions.select_related("agency")
        ],
        "professional_differences": [
            {
                "about": difference.about,
                "child": (
                    difference.position.decision.child.full_name if difference.position else None
                ),
                "stage": difference.stage,
                "stage_due_on": _day(difference.stage_due_on),
                "raised_by": difference.raised_by,
                "raising_agency": _agency(difference.raising_agency),
                "raised_with": difference.raised_with,
                "with_agency": _agency(difference.with_agency),
                "raised_on": _day(difference.raised_on),
                "issue": difference.issue,
                "resolved_at": _moment(difference.resolved_at),
                "outcome": difference.outcome,
                "minutes_must_change": difference.minutes_must_change,
                "stages": [
                    {
                        "stage": stage.stage,
                        "owner": stage.owner,
                        "started_at": _moment(stage.started_at),
                        "due_on": _day(stage.due_on),
                        "agreed": stage.agreed,
                        "agreement": stage.agreement,
                        "ended_at": _moment(stage.ended_at),
                        "ended_because": stage.ended_because,
                    }
                    for stage in difference.stages.all()
                ],
            }
            for difference in differences
        ],
        "contingency_plan": discussion.contingency_plan,
        "shared_with_family": {
            "what": discussion.shared_with_family,
            "on": _day(discussion.shared_with_family_on),
            "by": discussion.shared_with_family_by,
        },
        "minutes_versions": [_minutes_version(version) for version in versions],
    }


def discussion_export_json(discussion: Discussion, *, now: datetime | None = None) -> str:
    return json.dumps(discussion_export(discussion, now=now), indent=2, ensure_ascii=False) + "\n"
