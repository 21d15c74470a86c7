"""The record cannot be final while it is inconsistent, and stops being final when what it
attests changes. In the practice review, "no further action" was decided without the
partners' agreement: the service makes that impossible."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from strategy.models import AgencyPosition, ChildDecision, Outcome
from strategy.services.decisions import (
    decision_record,
    outcome_problems,
    outcome_record_final,
    positions_record,
)
from strategy.services.recording import attendance_record
from strategy.services.records import EditConflict, discussion_lock
from tests.strategy.test_decisions import attend

NFA = {
    "threshold_met": False,
    "rationale": "The bruise was explained by the hospital's examination.",
    "outcomes": [Outcome.NO_FURTHER_ACTION],
    "no_s47_rationale": "",
    "further_discussion_on": None,
}
S47 = {**NFA, "threshold_met": True, "outcomes": [Outcome.S47_JOINT]}


@pytest.fixture
def decided(discussion, county, chair):
    """Police, social care and hospital attend; each child has 'no further action'."""
    from strategy.models import Invitee

    for key in ("police", "social_care", "hospital"):
        Invitee.objects.create(discussion=discussion, agency=county[key])
    attend(
        discussion,
        "Eastmere Constabulary",
        "Eastmere Children's Social Care",
        "Eastmere General Hospital",
    )
    for child in discussion.children.all():
        decision_record(
            discussion=discussion,
            child=child,
            expected_revision=discussion.revision,
            decided_by=chair,
            **NFA,
        )
    return discussion


def everyone_agrees(discussion):
    attending = discussion.invitees.filter(attendance="attended")
    for decision in ChildDecision.objects.filter(child__discussion=discussion):
        positions_record(
            discussion=discussion,
            decision=decision,
            expected_revision=discussion.revision,
            positions={i.pk: ("agrees", "") for i in attending},
        )


def test_no_further_action_without_the_agencies_positions_is_refused(decided):
    discussion = decided
    with pytest.raises(ValidationError) as refused:
        outcome_record_final(discussion=discussion, expected_revision=discussion.revision)
    assert (
        "Record the position of Eastmere Constabulary on the decision for Ada Testcase"
        in refused.value.messages
    )
    assert len(refused.value.messages) == 6  # three agencies, two children
    discussion.refresh_from_db()
    assert discussion.outcome_recorded_at is None


def test_each_problem_links_to_where_it_is_put_right(decided, chair, client_for):
    discussion = decided
    ada = discussion.children.get(first_name="Ada")
    # Positions are given below the decision, on its page.
    positions = reverse("strategy:decision", args=[discussion.pk, ada.pk]) + "#positions"
    problems = outcome_problems(discussion)
    assert problems[0].href == positions
    page = client_for(chair).post(
        reverse("strategy:final", args=[discussion.pk]), {"revision": discussion.revision}
    )
    assert "govuk-error-summary" in page.text
    assert f'<a href="{positions}">Record the position of Eastmere Constabulary' in page.text


def test_an_abstention_needs_a_reason(decided):
    discussion = decided
    decision = ChildDecision.objects.filter(child__discussion=discussion).first()
    police = discussion.invitees.get(agency__name="Eastmere Constabulary")
    with pytest.raises(ValidationError) as refused:
        positions_record(
            discussion=discussion,
            decision=decision,
            expected_revision=discussion.revision,
            positions={police.pk: ("abstains", " ")},
        )
    assert refused.value.message_dict == {
        f"reason_{police.pk}_abstains": ["Give the reason this agency abstains"]
    }


def test_with_every_position_given_the_outcome_is_final(decided):
    discussion = decided
    everyone_agrees(discussion)
    assert outcome_problems(discussion) == []
    outcome_record_final(discussion=discussion, expected_revision=discussion.revision)
    discussion.refresh_from_db()
    assert discussion.outcome_recorded_at is not None


def test_changing_a_decision_after_final_reopens_it_and_asks_for_positions_again(decided, chair):
    discussion = decided
    everyone_agrees(discussion)
    outcome_record_final(discussion=discussion, expected_revision=discussion.revision)
    ada = discussion.children.get(first_name="Ada")
    assert AgencyPosition.objects.filter(decision__child=ada).count() == 3

    decision_record(
        discussion=discussion,
        child=ada,
        expected_revision=discussion.revision,
        decided_by=chair,
        **S47,
    )
    discussion.refresh_from_db()
    assert discussion.outcome_recorded_at is None  # back in progress
    assert not AgencyPosition.objects.filter(decision__child=ada).exists()
    assert (
        "Record the position of Eastmere Constabulary on the decision for Ada Testcase"
        in outcome_problems(discussion)
    )
    # The other child's positions were given on an unchanged decision and stay.
    assert AgencyPosition.objects.filter(decision__child__first_name="Baby").count() == 3


def test_rewording_the_rationale_keeps_positions_but_needs_confirming_again(decided, chair):
    discussion = decided
    everyone_agrees(discussion)
    outcome_record_final(discussion=discussion, expected_revision=discussion.revision)
    ada = discussion.children.get(first_name="Ada")
    decision_record(
        discussion=discussion,
        child=ada,
        expected_revision=discussion.revision,
        decided_by=chair,
        **{**NFA, "rationale": "Explained by the examination; no marks elsewhere."},
    )
    discussion.refresh_from_db()
    assert discussion.outcome_recorded_at is None
    assert AgencyPosition.objects.filter(decision__child=ada).count() == 3
    assert outcome_problems(discussion) == []


def test_changing_attendance_after_final_reopens_it(decided):
    discussion = decided
    everyone_agrees(discussion)
    outcome_record_final(discussion=discussion, expected_revision=discussion.revision)
    rows = {
        i.pk: {"attendance": i.attendance, "representative": i.representative}
        for i in discussion.invitees.all()
    }
    attendance_record(
        discussion=discussion,
        expected_revision=discussion.revision,
        held_at=timezone.now(),
        rows=rows,
    )
    discussion.refresh_from_db()
    assert discussion.outcome_recorded_at is None


def test_minutes_cannot_lock_a_record_whose_outcome_is_no_longer_final(decided):
    with pytest.raises(EditConflict):
        discussion_lock(discussion_id=decided.pk, at=timezone.now())
    decided.refresh_from_db()
    assert decided.record_locked_at is None
