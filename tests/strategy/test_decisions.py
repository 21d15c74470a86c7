from datetime import date

import pytest
from django.core.exceptions import ValidationError

from strategy.models import Attendance, ChildDecision, Invitee, Outcome
from strategy.services.decisions import (
    consensus,
    decision_record,
    outcome_problems,
    outcome_record_final,
    positions_record,
)

GOOD = {
    "threshold_met": True,
    "rationale": "Unexplained bruising to a non-mobile baby.",
    "outcomes": [Outcome.S47_JOINT, Outcome.MEDICAL],
    "no_s47_rationale": "",
    "further_discussion_on": None,
}


def record(discussion, child, chair, **changes):
    return decision_record(
        discussion=discussion,
        child=child,
        expected_revision=discussion.revision,
        decided_by=chair,
        **{**GOOD, **changes},
    )


def errors_of(discussion, child, chair, **changes) -> dict:
    with pytest.raises(ValidationError) as refused:
        record(discussion, child, chair, **changes)
    return refused.value.message_dict


def test_s47_sets_the_conference_due_date_in_working_days(discussion, chair):
    child = discussion.children.first()
    decision = record(discussion, child, chair)
    # held Monday 23 November 2026: 15 working days later is Monday 14 December 2026
    assert decision.conference_due_by == date(2026, 12, 14)
    assert decision.starts_s47


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"rationale": "  "}, "rationale", "Give the rationale"),
        ({"threshold_met": False, "rationale": ""}, "rationale", "Give the rationale"),
        ({"outcomes": []}, "outcomes", "Select at least one outcome"),
        (
            {"outcomes": [Outcome.NO_FURTHER_ACTION, Outcome.S17_ASSESSMENT]},
            "outcomes",
            "No further action cannot be combined",
        ),
        (
            {"outcomes": [Outcome.S47_SINGLE, Outcome.S47_JOINT]},
            "outcomes",
            "single-agency or a joint",
        ),
        (
            {"threshold_met": False, "outcomes": [Outcome.S47_SINGLE]},
            "outcomes",
            "needs reasonable cause",
        ),
        (
            {"outcomes": [Outcome.S17_ASSESSMENT]},
            "no_s47_rationale",
            "no section 47 enquiry is chosen: say why not",
        ),
        (
            {"outcomes": [Outcome.S47_JOINT, Outcome.FURTHER_DISCUSSION]},
            "further_discussion_on",
            "Enter the date of the further strategy discussion",
        ),
        (
            {
                "outcomes": [Outcome.S47_JOINT, Outcome.FURTHER_DISCUSSION],
                "further_discussion_on": date(2026, 11, 1),
            },
            "further_discussion_on",
            "on or after this discussion",
        ),
    ],
)
def test_rules_a_practitioner_expects(discussion, chair, changes, field, message):
    child = discussion.children.first()
    errors = errors_of(discussion, child, chair, **changes)
    assert message in " ".join(errors[field])
    assert not ChildDecision.objects.exists()


def test_threshold_met_without_s47_is_allowed_with_a_reason(discussion, chair):
    child = discussion.children.first()
    decision = record(
        discussion,
        child,
        chair,
        outcomes=[Outcome.S17_ASSESSMENT],
        no_s47_rationale="Mother engaging; s17 plan with daily health visiting.",
    )
    assert decision.conference_due_by is None
    assert decision.no_s47_rationale.startswith("Mother engaging")


def attend(discussion, *names):
    for invitee in discussion.invitees.select_related("agency"):
        if invitee.agency.name in names:
            invitee.attendance = Attendance.ATTENDED
            invitee.save()


@pytest.fixture
def invited(discussion, county):
    for key in ("police", "social_care", "hospital", "gp_child"):
        Invitee.objects.create(discussion=discussion, agency=county[key])
    attend(
        discussion,
        "Eastmere Constabulary",
        "Eastmere Children's Social Care",
        "Eastmere General Hospital",
    )
    return discussion


def test_consensus_names_who_disagrees_and_why(invited, chair):
    discussion = invited
    decision = record(discussion, discussion.children.first(), chair)
    attending = {i.agency.name: i.pk for i in discussion.invitees.filter(attendance="attended")}
    with pytest.raises(ValidationError):
        positions_record(
            discussion=discussion,
            decision=decision,
            expected_revision=discussion.revision,
            positions={attending["Eastmere Constabulary"]: ("disagrees", " ")},
        )
    positions_record(
        discussion=discussion,
        decision=decision,
        expected_revision=discussion.revision,
        positions={
            attending["Eastmere Constabulary"]: ("disagrees", "Evidence supports single-agency"),
            attending["Eastmere Children's Social Care"]: ("agrees", ""),
            attending["Eastmere General Hospital"]: ("agrees", "ignored when agreeing"),
        },
    )
    result = consensus(discussion, decision)
    assert not result.agreed_by_all
    assert [(p.invitee.agency.name, p.reason) for p in result.disagreements] == [
        ("Eastmere Constabulary", "Evidence supports single-agency")
    ]


def test_agreed_by_all_attending_agencies(invited, chair):
    discussion = invited
    decision = record(discussion, discussion.children.first(), chair)
    attending = list(discussion.invitees.filter(attendance="attended"))
    partial = {attending[0].pk: ("agrees", "")}
    positions_record(
        discussion=discussion,
        decision=decision,
        expected_revision=discussion.revision,
        positions=partial,
    )
    assert not consensus(discussion, decision).agreed_by_all  # two not yet recorded
    positions_record(
        discussion=discussion,
        decision=decision,
        expected_revision=discussion.revision,
        positions={i.pk: ("agrees", "") for i in attending},
    )
    assert consensus(discussion, decision).agreed_by_all


def test_outcome_cannot_be_final_without_a_decision_for_every_child(invited, chair):
    discussion = invited
    first, second = discussion.children.all()
    record(discussion, first, chair)
    assert f"Record the decision and rationale for {second.full_name}" in (
        outcome_problems(discussion)
    )
    with pytest.raises(ValidationError):
        outcome_record_final(discussion=discussion, expected_revision=discussion.revision)
    record(discussion, second, chair)
    attending = discussion.invitees.filter(attendance="attended")
    for child in (first, second):
        positions_record(
            discussion=discussion,
            decision=ChildDecision.objects.get(child=child),
            expected_revision=discussion.revision,
            positions={i.pk: ("agrees", "") for i in attending},
        )
    outcome_record_final(discussion=discussion, expected_revision=discussion.revision)
    discussion.refresh_from_db()
    assert discussion.outcome_recorded_at is not None
    assert discussion.status == "held"
