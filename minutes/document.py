"""What the minutes say, generated from the structured record so nothing is typed twice.

``minutes_snapshot`` turns a discussion into plain JSON (strings, numbers, booleans, lists
and dicts; dates already written out for England in Europe/London time). An approved
version stores it, so the approved minutes read the same forever whatever happens to the
live record afterwards. ``document_context`` adds the version's own fields, the
distribution list and the first page's summary for the template
``minutes/_document_body.html``. The summary is worked out from keys every snapshot has had
since schema 1, so versions approved before it existed print it too.
"""

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Prefetch
from django.utils import timezone

from minutes.models import MinutesVersion
from strategy.models import AgencyPosition, Attendance, Discussion, Invitee
from strategy.nhs_number import nhs_number_text
from strategy.services.decisions import consensus_of

LONDON = ZoneInfo("Europe/London")
PROTECTIVE_MARKING = "OFFICIAL-SENSITIVE"
SNAPSHOT_SCHEMA = 1
NOT_RECORDED = "Not recorded"
NOT_YET_SENT = "Not yet sent"

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

# The order attendance is read out in the minutes.
ATTENDANCE_GROUPS = (
    (Attendance.ATTENDED, "Attended"),
    (Attendance.APOLOGIES, "Sent apologies"),
    (Attendance.INFORMATION_ONLY, "Sent information only"),
    (Attendance.DID_NOT_ATTEND, "Did not attend"),
    (Attendance.INVITED, "Invited, attendance not recorded"),
)


def day_text(value: date | None) -> str:
    """'23 November 2026', or '' for no date."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value, LONDON).date()
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def moment_text(value: datetime | None) -> str:
    """'23 November 2026, 10:00' in London time, or '' for no time."""
    if value is None:
        return ""
    local = timezone.localtime(value, LONDON)
    return f"{day_text(local.date())}, {local:%H:%M}"


def _iso(value: date | None) -> str:
    return value.isoformat() if value else ""


def _name(agency: Any) -> str:
    return agency.name if agency is not None else ""


def _can_decide(value: bool | None) -> str:
    return {True: "Yes", False: "No", None: NOT_RECORDED}[value]


def minutes_snapshot(
    discussion: Discussion, *, invitees: list[Invitee] | None = None
) -> dict[str, Any]:
    """Everything the minutes must contain, as JSON-serialisable data. ``invitees``: the
    discussion's invitees with their agency and contact, if the caller has read them."""
    discussion = (
        Discussion.objects.select_related(
            "team", "chair", "minute_taker", "referrer_agency", "follows"
        )
        .prefetch_related("follow_ups")
        .get(pk=discussion.pk)
    )
    children = list(
        discussion.children.select_related(
            "school", "gp_practice", "decision__decided_by"
        ).prefetch_related(
            Prefetch(
                "decision__positions",
                queryset=AgencyPosition.objects.select_related("invitee__agency"),
            )
        )
    )
    adults = list(discussion.adults.select_related("gp_practice"))
    if invitees is None:
        invitees = list(discussion.invitees.select_related("agency", "contact"))
    exceptions = list(discussion.invitation_exceptions.select_related("agency", "recorded_by"))
    differences = list(
        discussion.professional_differences.select_related(
            "position__invitee__agency",
            "position__decision__child",
            "raising_agency",
            "with_agency",
        ).prefetch_related("stages")
    )
    actions = list(discussion.actions.select_related("agency"))
    attending = [invitee for invitee in invitees if invitee.attendance == Attendance.ATTENDED]

    referrer = ", ".join(
        part for part in (discussion.referrer_name, _name(discussion.referrer_agency)) if part
    )
    header = {
        "protective_marking": PROTECTIVE_MARKING,
        "reference": discussion.reference,
        "format": discussion.get_format_display(),
        "urgency": discussion.get_urgency_display(),
        "date_time": moment_text(discussion.scheduled_for),
        "date_time_iso": discussion.scheduled_for.isoformat(),
        "held_at": moment_text(discussion.held_at),
        "chair": str(discussion.chair),
        "minute_taker": str(discussion.minute_taker),
        "team": discussion.team.name,
        "follows": discussion.follows.reference if discussion.follows else "",
    }

    child_rows = []
    decisions = []
    conference_dates: list[date] = []
    for child in children:
        if child.is_unborn:
            born = (
                f"Unborn, expected {day_text(child.expected_delivery_date)}"
                if child.expected_delivery_date
                else "Unborn, expected date not recorded"
            )
        else:
            born = day_text(child.date_of_birth) or NOT_RECORDED
        child_rows.append(
            {
                "name": child.full_name,
                "is_unborn": child.is_unborn,
                "born": born,
                "nhs_number": nhs_number_text(child.nhs_number),
                "needs": child.needs,
                "communication_needs": child.communication_needs,
                "school": _name(child.school),
                "gp": _name(child.gp_practice),
                "voice": child.voice,
                "voice_obtained": child.voice_obtained,
            }
        )
        decisions.append(_decision(child, attending))
        decision = getattr(child, "decision", None)
        if decision is not None and decision.conference_due_by:
            conference_dates.append(decision.conference_due_by)

    adult_rows = [
        {
            "name": adult.name,
            "relationship": adult.get_relationship_display(),
            "lives_with_children": adult.lives_with_children,
            "identifiers": adult.identifiers,
            "address": adult.address,
            "gp": _name(adult.gp_practice),
            "known_information": adult.known_information,
        }
        for adult in adults
    ]

    invitee_rows = [
        {
            "agency": invitee.agency.name,
            "attendance": invitee.attendance,
            "attendance_label": invitee.get_attendance_display(),
            "representative": invitee.representative,
            "can_make_decisions": invitee.can_make_decisions,
            "can_make_decisions_text": _can_decide(invitee.can_make_decisions),
            "why_invited": invitee.why_invited,
        }
        for invitee in invitees
    ]
    attendance_groups = [
        {
            "key": str(key),
            "label": label,
            "invitees": [row for row in invitee_rows if row["attendance"] == key],
        }
        for key, label in ATTENDANCE_GROUPS
    ]

    information_shared = [
        {
            "agency": invitee.agency.name,
            "representative": invitee.representative,
            "information": invitee.information_shared,
            "scaling": invitee.scaling,
        }
        for invitee in invitees
        if invitee.information_shared or invitee.scaling is not None
    ]

    follow_ups = [
        {"reference": f.reference, "date_time": moment_text(f.scheduled_for)}
        for f in sorted(discussion.follow_ups.all(), key=lambda f: f.scheduled_for)
    ]
    latest_conference = max(conference_dates) if conference_dates else None
    further_discussions = [
        {"child": d["child"], "date": d["further_discussion_on"]}
        for d in decisions
        if d["further_discussion_on"]
    ]
    conferences = [
        {"child": d["child"], "date": d["conference_due_by"]}
        for d in decisions
        if d["conference_due_by"]
    ]

    return {
        "schema": SNAPSHOT_SCHEMA,
        "header": header,
        "reason": discussion.reason,
        "concern_categories": discussion.concern_labels(),
        "referrer": referrer,
        "immediate_action": discussion.immediate_action_taken,
        "housing_is_factor": discussion.housing_is_factor,
        "children": child_rows,
        "adults": adult_rows,
        "invitees": invitee_rows,
        "attendance_groups": attendance_groups,
        "invitation_exceptions": [
            {
                "description": exception.description,
                "agency": _name(exception.agency),
                "reason": exception.reason,
                "recorded_by": str(exception.recorded_by),
                "recorded_at": moment_text(exception.recorded_at),
            }
            for exception in exceptions
        ],
        "information_shared": information_shared,
        "analysis": {
            "worries": discussion.worries,
            "working_well": discussion.working_well,
            "danger_statement": discussion.danger_statement,
            "safety_goal": discussion.safety_goal,
        },
        "decisions": decisions,
        "agreed_by_all": bool(decisions) and all(d["agreed_by_all"] for d in decisions),
        "professional_differences": [
            {
                "stage": difference.stage,
                "raised_by": difference.raised_by,
                "raised_with": difference.raised_with,
                "raised_on": day_text(difference.raised_on),
                "issue": difference.issue,
                "status": (
                    f"Resolved {day_text(difference.resolved_at)}"
                    if difference.resolved_at
                    else "Open"
                ),
                "about": difference.get_about_display(),
                "raising_agency": _name(difference.raising_agency),
                "with_agency": _name(difference.with_agency),
                "current": (
                    ""
                    if difference.resolved_at
                    else f"Stage {difference.stage}: {difference.owner}, due by "
                    f"{day_text(difference.stage_due_on)}"
                ),
                "outcome": difference.outcome,
                "minutes_must_change": difference.minutes_must_change,
                "stages": [
                    {
                        "stage": stage.stage,
                        "owner": stage.owner,
                        "started": day_text(stage.started_at),
                        "due": day_text(stage.due_on),
                        "agreed": (
                            ("Agreed" if stage.agreed else "Not agreed")
                            + f" on {day_text(stage.recorded_at)}: {stage.agreement}"
                            if stage.recorded_at
                            else "Nothing recorded"
                        ),
                    }
                    for stage in difference.stages.all()
                ],
                "agency": difference.position.invitee.agency.name if difference.position else "",
                "child": (
                    difference.position.decision.child.full_name if difference.position else ""
                ),
            }
            for difference in differences
        ],
        "actions": [
            {
                "what": action.what,
                "agency": action.agency.name,
                "person": action.person,
                "due_by": day_text(action.due_by),
                "due_by_iso": _iso(action.due_by),
                "why": action.why,
            }
            for action in actions
        ],
        "contingency_plan": discussion.contingency_plan,
        "shared_with_family": {
            "what": discussion.shared_with_family,
            "when": day_text(discussion.shared_with_family_on),
            "by": discussion.shared_with_family_by,
        },
        "next_steps": {
            "follow_up_due_by": day_text(discussion.follow_up_due_by),
            "follow_up_due_by_iso": _iso(discussion.follow_up_due_by),
            "follow_ups": follow_ups,
            "further_discussions": further_discussions,
            "conferences": conferences,
            "latest_conference_due_by": day_text(latest_conference),
            "latest_conference_due_by_iso": _iso(latest_conference),
        },
    }


def _decision(child: Any, attending: list[Any]) -> dict[str, Any]:
    decision = getattr(child, "decision", None)
    if decision is None:
        return {
            "child": child.full_name,
            "recorded": False,
            "threshold_met": None,
            "threshold": "",
            "rationale": "",
            "outcomes": [],
            "no_s47_rationale": "",
            "further_discussion_on": "",
            "conference_due_by": "",
            "conference_due_by_iso": "",
            "agreed_by_all": False,
            "positions": [],
            "disagreements": [],
            "not_recorded": [],
        }
    given = list(decision.positions.all())  # prefetched with their agencies
    agreement = consensus_of(attending, given)
    positions = [
        {
            "agency": p.invitee.agency.name,
            "representative": p.invitee.representative,
            "position": p.position,
            "position_label": p.get_position_display(),
            "reason": p.reason,
        }
        for p in given
    ]
    return {
        "child": child.full_name,
        "recorded": True,
        "threshold_met": decision.threshold_met,
        "threshold": "Yes" if decision.threshold_met else "No",
        "rationale": decision.rationale,
        "outcomes": decision.outcome_labels(),
        "no_s47_rationale": decision.no_s47_rationale,
        "further_discussion_on": day_text(decision.further_discussion_on),
        "conference_due_by": day_text(decision.conference_due_by),
        "conference_due_by_iso": _iso(decision.conference_due_by),
        "agreed_by_all": agreement.agreed_by_all,
        "positions": positions,
        "disagreements": [
            {
                "agency": p.invitee.agency.name,
                "child": child.full_name,
                "reason": p.reason,
                "text": (
                    f"{p.invitee.agency.name} disagrees with the decision for "
                    f"{child.full_name}: {p.reason}"
                ),
            }
            for p in agreement.disagreements
        ],
        "not_recorded": [invitee.agency.name for invitee in agreement.not_recorded],
    }


def document_context(version: MinutesVersion) -> dict[str, Any]:
    """The snapshot (frozen, or live for a draft) with the version's fields and distribution."""
    live = version.snapshot is None
    snapshot = minutes_snapshot(version.discussion) if live else version.snapshot
    if not isinstance(snapshot, dict):
        raise TypeError(f"{version} has a snapshot that is not a JSON object")
    status = f"Approved {day_text(version.approved_at)}" if version.is_approved else "Draft"
    return {
        **snapshot,
        "minutes_version": {
            "number": version.number,
            "status": status,
            "is_approved": version.is_approved,
            "is_live": live,
            "approved_at": moment_text(version.approved_at),
            "approved_by": str(version.approved_by) if version.approved_by else "",
            "additional_notes": version.additional_notes,
            "amendment_reason": version.amendment_reason,
            "change_summary": version.change_summary,
            "label": f"Version {version.number}",
        },
        "distribution": _distribution(version, snapshot),
        "document_title": _document_title(snapshot["header"]),
        "actions_by_agency": _actions_by_agency(snapshot["actions"]),
    }


def _document_title(header: dict[str, Any]) -> str:
    """'Strategy discussion minutes, SD-2026-00077, 23 November 2026': the PDF's title."""
    # Snapshots keep moments as moment_text ('23 November 2026, 10:05'); the day is before
    # the comma. A discussion not yet held is named by the day it was set for.
    moment = header.get("held_at") or header["date_time"]
    held_on = moment.rpartition(", ")[0] or moment
    return f"Strategy discussion minutes, {header['reference']}, {held_on}"


def _actions_by_agency(actions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The actions under each agency, agencies A to Z, each agency's actions by due date."""
    grouped: dict[str, list[dict[str, Any]]] = {}
    for action in actions:
        grouped.setdefault(action["agency"], []).append(action)
    return [
        {"agency": agency, "actions": grouped[agency]}
        for agency in sorted(grouped, key=str.casefold)
    ]


def _distribution(version: MinutesVersion, snapshot: dict[str, Any]) -> list[dict[str, Any]]:
    if version.is_approved:
        deliveries = list(version.deliveries.select_related("agency"))
        if deliveries:
            return [
                {
                    "agency": d.agency.name,
                    "recipients": list(d.recipients),
                    "status": d.get_status_display(),
                    "sent_at": moment_text(d.sent_at),
                    "confirmed_at": moment_text(d.confirmed_at),
                    "confirmed_by_name": d.confirmed_by_name,
                    "confirmed_by_role": d.confirmed_by_role,
                    "revoked": d.is_revoked,
                    "revoked_at": moment_text(d.revoked_at),
                }
                for d in deliveries
            ]
    # A draft (or an approved version not yet queued) goes to every invited agency.
    return [
        {
            "agency": row["agency"],
            "recipients": [],
            "status": NOT_YET_SENT,
            "sent_at": "",
            "confirmed_at": "",
            "confirmed_by_name": "",
            "confirmed_by_role": "",
            "revoked": False,
            "revoked_at": "",
        }
        for row in snapshot["invitees"]
    ]
