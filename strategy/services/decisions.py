"""The decision for each child, taken at the discussion, and each agency's position on it."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from agencies.models import User
from strategy.models import (
    AgencyPosition,
    Child,
    ChildDecision,
    Discussion,
    Invitee,
    Outcome,
    Position,
)
from strategy.models.decisions import S47_OUTCOMES
from strategy.services.records import discussion_claim_revision, discussion_outcome_reopen
from strategy.working_days import add_working_days

CONFERENCE_WORKING_DAYS = 15


def conference_due_by(discussion: Discussion) -> date:
    """Initial child protection conference: 15 working days after the (last) discussion."""
    held = discussion.held_at or discussion.scheduled_for
    return add_working_days(timezone.localtime(held).date(), CONFERENCE_WORKING_DAYS)


def decision_errors(
    *,
    discussion: Discussion,
    threshold_met: bool | None,
    rationale: str,
    outcomes: list[str],
    no_s47_rationale: str,
    further_discussion_on: date | None,
) -> dict[str, str]:
    """The rules a practitioner expects, as messages keyed by the field they belong to."""
    errors: dict[str, str] = {}
    chosen = set(outcomes)
    if threshold_met is None:
        errors["threshold_met"] = (
            "Select yes if there is reasonable cause to suspect significant harm"
        )
    if not rationale.strip():
        errors["rationale"] = (
            "Give the rationale for the decision, whether the threshold is met or not"
        )
    if not chosen:
        errors["outcomes"] = "Select at least one outcome"
    if Outcome.NO_FURTHER_ACTION in chosen and len(chosen) > 1:
        errors["outcomes"] = "No further action cannot be combined with other outcomes"
    elif S47_OUTCOMES.issubset(chosen):
        errors["outcomes"] = "Choose a single-agency or a joint section 47 enquiry, not both"
    elif chosen & S47_OUTCOMES and threshold_met is False:
        errors["outcomes"] = (
            "A section 47 enquiry needs reasonable cause to suspect significant harm: "
            "change the threshold answer or the outcome"
        )
    if threshold_met and not chosen & S47_OUTCOMES and not no_s47_rationale.strip():
        errors["no_s47_rationale"] = (
            "The threshold is met but no section 47 enquiry is chosen: say why not"
        )
    if Outcome.FURTHER_DISCUSSION in chosen:
        if further_discussion_on is None:
            errors["further_discussion_on"] = "Enter the date of the further strategy discussion"
        elif further_discussion_on < timezone.localtime(discussion.scheduled_for).date():
            errors["further_discussion_on"] = (
                "The further strategy discussion must be on or after this discussion"
            )
    return errors


def decision_basis(threshold_met: bool | None, outcomes: list[str]) -> str:
    """What an agency's position is given on: the threshold answer and the outcomes. A new
    wording of the rationale leaves positions standing; a change to either of these does not."""
    if threshold_met is None:
        return ""
    chosen = set(outcomes)
    return (
        ("yes" if threshold_met else "no")
        + ":"
        + ",".join(o for o in Outcome.values if o in chosen)
    )


def _position_errors(positions: dict[int, tuple[str, str]]) -> dict[str, str]:
    return {
        f"reason_{pk}_{position}": f"Give the reason this agency {position}"
        for pk, (position, reason) in positions.items()
        if position in (Position.DISAGREES, Position.ABSTAINS) and not reason.strip()
    }


@transaction.atomic
def decision_record(
    *,
    discussion: Discussion,
    child: Child,
    expected_revision: int,
    decided_by: User,
    positions: dict[int, tuple[str, str]] | None = None,
    **fields: Any,
) -> ChildDecision:
    """Records the child's decision and, when given ({invitee pk: (position, reason)}), each
    attending agency's position on it, together: both are saved or neither is.

    Positions given on an earlier decision (another threshold answer or other outcomes) are
    withdrawn, so every attending agency gives one again before the outcome can be final."""
    errors = decision_errors(discussion=discussion, **fields)
    if positions is not None:
        errors.update(_position_errors(positions))
    if errors:
        raise ValidationError(errors)
    for section in (f"decision-{child.pk}", f"positions-{child.pk}"):
        # Both sections: someone else's save of this child's decision or of its positions
        # since this page was opened is caught, not overwritten.
        discussion_claim_revision(
            discussion=discussion, expected_revision=expected_revision, section=section
        )
    outcomes = [o for o in Outcome.values if o in set(fields["outcomes"])]
    earlier = ChildDecision.objects.filter(child=child).first()
    if earlier and decision_basis(earlier.threshold_met, earlier.outcomes) != decision_basis(
        fields["threshold_met"], outcomes
    ):
        # Positions were given on the earlier decision: each agency gives one again.
        earlier.positions.all().delete()
    discussion_outcome_reopen(discussion=discussion)
    decision, _ = ChildDecision.objects.update_or_create(
        child=child,
        defaults={
            "threshold_met": fields["threshold_met"],
            "rationale": fields["rationale"].strip(),
            "outcomes": outcomes,
            "no_s47_rationale": fields["no_s47_rationale"].strip()
            if fields["threshold_met"] and not S47_OUTCOMES.intersection(outcomes)
            else "",
            "further_discussion_on": fields["further_discussion_on"]
            if Outcome.FURTHER_DISCUSSION in outcomes
            else None,
            "conference_due_by": conference_due_by(discussion)
            if S47_OUTCOMES.intersection(outcomes)
            else None,
            "decided_by": decided_by,
        },
    )
    if positions is not None:
        _positions_replace(discussion=discussion, decision=decision, positions=positions)
    return decision


@transaction.atomic
def positions_record(
    *,
    discussion: Discussion,
    decision: ChildDecision,
    expected_revision: int,
    positions: dict[int, tuple[str, str]],
) -> list[AgencyPosition]:
    """Replaces the positions for one decision: {invitee pk: (position, reason)}."""
    problems = _position_errors(positions)
    if problems:
        raise ValidationError(problems)
    discussion_claim_revision(
        discussion=discussion,
        expected_revision=expected_revision,
        section=f"positions-{decision.child_id}",
    )
    discussion_outcome_reopen(discussion=discussion)
    return _positions_replace(discussion=discussion, decision=decision, positions=positions)


def _positions_replace(
    *, discussion: Discussion, decision: ChildDecision, positions: dict[int, tuple[str, str]]
) -> list[AgencyPosition]:
    attending = {i.pk: i for i in discussion.invitees.filter(attendance="attended")}
    saved = []
    decision.positions.exclude(invitee_id__in=positions).delete()
    for pk, (position, reason) in positions.items():
        if pk not in attending:
            continue
        record, _ = AgencyPosition.objects.update_or_create(
            decision=decision,
            invitee=attending[pk],
            defaults={
                "position": position,
                "reason": reason.strip() if position != Position.AGREES else "",
            },
        )
        saved.append(record)
    return saved


@dataclass
class Consensus:
    agreed_by_all: bool
    disagreements: list[AgencyPosition]
    not_recorded: list[Invitee]


def consensus(discussion: Discussion, decision: ChildDecision) -> Consensus:
    attending = list(discussion.invitees.filter(attendance="attended").select_related("agency"))
    positions = list(decision.positions.select_related("invitee__agency"))
    return consensus_of(attending, positions)


def consensus_of(attending: list[Invitee], positions: list[AgencyPosition]) -> Consensus:
    """consensus() for a caller that has read the attending invitees and the positions."""
    recorded = {p.invitee_id for p in positions}
    disagreements = [p for p in positions if p.position == Position.DISAGREES]
    missing = [i for i in attending if i.pk not in recorded]
    agreed = (
        bool(attending) and not missing and all(p.position == Position.AGREES for p in positions)
    )
    return Consensus(agreed_by_all=agreed, disagreements=disagreements, not_recorded=missing)


class Problem(str):
    """A rule the record breaks, in words, with the page where it is put right."""

    href: str

    def __new__(cls, text: str, href: str) -> "Problem":
        problem = super().__new__(cls, text)
        problem.href = href
        return problem


def outcome_problems(discussion: Discussion) -> list[Problem]:
    """What stops the outcome being recorded as final. The practice review found "no
    further action" decided without the partners' agreement: a decision is final only with
    every attending agency's position on it."""
    pk = discussion.pk
    problems = []
    children = list(discussion.children.select_related("decision"))
    attending = list(discussion.invitees.filter(attendance="attended").select_related("agency"))
    if not children:
        problems.append(
            Problem(
                "Add the children the discussion is about",
                reverse("strategy:child_add", args=[pk]),
            )
        )
    for child in children:
        decision = getattr(child, "decision", None)
        if decision is None or not decision.rationale.strip():
            problems.append(
                Problem(
                    f"Record the decision and rationale for {child.full_name}",
                    reverse("strategy:decision", args=[pk, child.pk]),
                )
            )
            continue
        given = {p.invitee_id: p for p in decision.positions.all()}
        # Positions are given on the decision's own page, below the decision.
        positions_page = reverse("strategy:decision", args=[pk, child.pk]) + "#positions"
        for invitee in attending:
            position = given.get(invitee.pk)
            if position is None:
                problems.append(
                    Problem(
                        f"Record the position of {invitee.agency.name} on the decision for "
                        f"{child.full_name}",
                        positions_page,
                    )
                )
            elif position.position != Position.AGREES and not position.reason.strip():
                problems.append(
                    Problem(
                        f"Give the reason {invitee.agency.name} "
                        f"{position.get_position_display().lower()} on the decision for "
                        f"{child.full_name}",
                        positions_page,
                    )
                )
    if not attending:
        problems.append(Problem("Record who attended", reverse("strategy:attendance", args=[pk])))
    return problems


@transaction.atomic
def outcome_record_final(*, discussion: Discussion, expected_revision: int) -> Discussion:
    problems = outcome_problems(discussion)
    if problems:
        raise ValidationError(problems)
    discussion_claim_revision(discussion=discussion, expected_revision=expected_revision)
    now = timezone.now()
    discussion.outcome_recorded_at = now
    discussion.held_at = discussion.held_at or now
    discussion.save(update_fields=["outcome_recorded_at", "held_at", "updated_at"])
    return discussion


def conference_held_record(*, decision: ChildDecision, held_on: date) -> bool:
    """Records the day the child's initial child protection conference was held, once: it then
    leaves the dashboard's conferences due. False if it was already recorded."""
    discussion = decision.child.discussion
    held = timezone.localtime(discussion.held_at or discussion.scheduled_for).date()
    if held_on > timezone.localdate():
        raise ValidationError({"held_on": "The date must be today or in the past"})
    if held_on < held:
        raise ValidationError(
            {"held_on": "The conference cannot have been held before the strategy discussion"}
        )
    recorded = ChildDecision.objects.filter(
        pk=decision.pk, conference_due_by__isnull=False, conference_held_on__isnull=True
    ).update(conference_held_on=held_on)
    return bool(recorded)
