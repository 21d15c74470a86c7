"""The whole record as GOV.UK check-your-answers rows, each with a Change link to its section.

Read before anything irreversible: recording the outcome as final, and approving the
minutes for every agency. A Change link carries ?back=final, so saving the section comes
back to the check page instead of the task list."""

from dataclasses import dataclass, field

from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst

from strategy.models import Attendance, Discussion, Position
from strategy.models.people import address_line

BACK_TO = {"final": "strategy:final"}


@dataclass
class Row:
    key: str
    lines: list[str]
    href: str = ""
    change_label: str = ""


@dataclass
class Card:
    title: str
    rows: list[Row] = field(default_factory=list)


def back_url(back: str | None, pk: int) -> str | None:
    """Where a section goes after saving when it was opened from a check page."""
    name = BACK_TO.get(back or "")
    return reverse(name, args=[pk]) if name else None


def _change(name: str, *args: int) -> str:
    return reverse(name, args=list(args)) + "?back=final"


def _day(value) -> str:  # type: ignore[no-untyped-def]
    return f"{value.day} {value:%B %Y}" if value else "Not recorded"


def record_cards(discussion: Discussion) -> list[Card]:
    pk = discussion.pk
    children = list(discussion.children.select_related("decision", "gp_practice", "school"))
    invitees = list(discussion.invitees.select_related("agency"))
    when = timezone.localtime(discussion.scheduled_for)
    cards = [
        Card(
            "Discussion details",
            [
                Row(
                    "Date, format and urgency",
                    [
                        f"{when:%A} {when.day} {when:%B %Y, %H:%M}",
                        f"{discussion.get_format_display()}, "
                        f"{discussion.get_urgency_display().lower()}",
                    ],
                    _change("strategy:update", pk),
                    "the discussion details",
                ),
                Row("Why it is needed", [discussion.reason]),
            ],
        )
    ]
    people = Card("Children and household")
    for child in children:
        people.rows.append(
            Row(
                child.full_name,
                [capfirst(child.identifiers), f"GP: {child.gp_practice or 'Not known'}"],
                _change("strategy:child_edit", pk, child.pk),
                child.full_name,
            )
        )
    for adult in discussion.adults.select_related("gp_practice"):
        people.rows.append(
            Row(
                adult.name,
                [
                    adult.get_relationship_display(),
                    *([capfirst(adult.identifiers)] if adult.identifiers else []),
                    *([address_line(adult.address)] if adult.address else []),
                    f"GP: {adult.gp_practice or 'Not known'}",
                ],
                _change("strategy:adult_edit", pk, adult.pk),
                adult.name,
            )
        )
    cards.append(people)

    attended = [i for i in invitees if i.attendance == Attendance.ATTENDED]
    cards.append(
        Card(
            "Invitees and attendance",
            [
                Row(
                    "Invited",
                    [f"{len(invitees)} agencies: " + ", ".join(i.agency.name for i in invitees)],
                    _change("strategy:invitees", pk),
                    "who is invited",
                ),
                Row(
                    "Attended",
                    [", ".join(f"{i.agency.name} ({i.representative})" for i in attended)]
                    if attended
                    else ["No one recorded as attending"],
                    _change("strategy:attendance", pk),
                    "attendance",
                ),
            ],
        )
    )
    cards.append(
        Card(
            "Analysis",
            [
                Row(
                    "What are we worried about?",
                    [discussion.worries or "Not recorded"],
                    _change("strategy:analysis", pk),
                    "the analysis",
                ),
                Row("What is working well?", [discussion.working_well or "Not recorded"]),
            ],
        )
    )
    for child in children:
        decision = getattr(child, "decision", None)
        card = Card(f"Decision for {child.full_name}")
        card.rows.append(
            Row(
                "Voice of the child",
                [child.voice or "Not recorded"],
                _change("strategy:voice", pk, child.pk),
                f"the voice of {child.full_name}",
            )
        )
        if decision is None:
            card.rows.append(
                Row(
                    "Decision",
                    ["Not recorded"],
                    _change("strategy:decision", pk, child.pk),
                    f"the decision for {child.full_name}",
                )
            )
        else:
            card.rows.append(
                Row(
                    "Reasonable cause to suspect significant harm",
                    ["Yes" if decision.threshold_met else "No", decision.rationale],
                    _change("strategy:decision", pk, child.pk),
                    f"the decision for {child.full_name}",
                )
            )
            card.rows.append(Row("Outcomes", decision.outcome_labels()))
            given = {p.invitee_id: p for p in decision.positions.all()}
            card.rows.append(
                Row(
                    "Each attending agency's position",
                    [
                        f"{i.agency.name}: "
                        + (
                            "no position recorded"
                            if i.pk not in given
                            else given[i.pk].get_position_display().lower()
                            + (
                                f" ({given[i.pk].reason})"
                                if given[i.pk].position != Position.AGREES
                                else ""
                            )
                        )
                        for i in attended
                    ]
                    or ["No agency recorded as attending"],
                    _change("strategy:decision", pk, child.pk) + "#positions",
                    f"the positions on the decision for {child.full_name}",
                )
            )
        cards.append(card)
    actions = list(discussion.actions.select_related("agency"))
    cards.append(
        Card(
            "Actions and plan",
            [
                Row(
                    "Actions",
                    [f"{a.what} ({a.person}, {a.agency}, by {_day(a.due_by)})" for a in actions]
                    or ["None recorded"],
                    _change("strategy:action_add", pk),
                    "the actions: add one",
                ),
                Row(
                    "Contingency plan",
                    [discussion.contingency_plan or "Not recorded"],
                    _change("strategy:plan", pk),
                    "the contingency plan and what the family is told",
                ),
                Row(
                    "What is shared with the family",
                    [discussion.shared_with_family or "Not recorded"],
                ),
            ],
        )
    )
    return cards
