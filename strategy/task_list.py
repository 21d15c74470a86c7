"""The discussion's home: every section of the record, in the order of the call, with its
status and why (the GOV.UK task list pattern).

A section's status is read from the record itself, never stored, so it cannot drift from
what was saved. Warnings about missing partners belong to the invitees section and show
only once invitees are chosen, until every gap is filled or explained."""

from dataclasses import dataclass, field
from enum import StrEnum

from django.urls import reverse

from outbox.models import Message, MessageKind, MessageState
from strategy.models import Attendance, Discussion
from strategy.services import decisions
from strategy.services.invitees import unmet_requirements


class Status(StrEnum):
    NOT_STARTED = "Not yet started"
    IN_PROGRESS = "In progress"
    COMPLETED = "Completed"
    CANNOT_START = "Cannot start yet"


@dataclass
class Task:
    key: str
    title: str
    status: Status
    href: str = ""
    hint: str = ""
    warnings: list[str] = field(default_factory=list)
    # Other pages that belong to this section (adding a second child, an agency's information):
    # "Save and continue" on any of them goes on to the section after this one.
    also: tuple[str, ...] = ()

    @property
    def can_start(self) -> bool:
        return self.status != Status.CANNOT_START


@dataclass
class TaskGroup:
    title: str
    tasks: list[Task]


def _filled(*values: object) -> Status:
    done = sum(1 for v in values if v)
    if done == 0:
        return Status.NOT_STARTED
    return Status.COMPLETED if done == len(values) else Status.IN_PROGRESS


def _names(people: list) -> str:  # type: ignore[type-arg]
    return ", ".join(getattr(p, "full_name", None) or str(p) for p in people)


def discussion_tasks(discussion: Discussion) -> list[TaskGroup]:
    pk = discussion.pk
    summary = reverse("strategy:summary", args=[pk])
    children = list(discussion.children.select_related("decision"))
    adults = list(discussion.adults.all())
    invitees = list(discussion.invitees.select_related("agency"))
    attending = [i for i in invitees if i.attendance == Attendance.ATTENDED]

    before = [
        Task(
            "details",
            "Discussion details",
            Status.COMPLETED,
            reverse("strategy:update", args=[pk]),
            "When, how and why the discussion is held, the chair and the minute-taker",
        ),
        Task(
            "children",
            "Children",
            Status.COMPLETED if children else Status.NOT_STARTED,
            summary + "#children" if children else reverse("strategy:child_add", args=[pk]),
            _names(children) if children else "Add each child the discussion is about",
            also=(
                reverse("strategy:child_add", args=[pk]),
                *(reverse("strategy:child_edit", args=[pk, c.pk]) for c in children),
            ),
        ),
        Task(
            "household",
            "Household and significant adults",
            Status.COMPLETED if adults else Status.NOT_STARTED,
            summary + "#household" if adults else reverse("strategy:adult_add", args=[pk]),
            _names([a.name for a in adults])
            if adults
            else "Parents, carers, partners and birth parents living elsewhere",
            also=(
                reverse("strategy:adult_add", args=[pk]),
                *(reverse("strategy:adult_edit", args=[pk, a.pk]) for a in adults),
            ),
        ),
        _invitees_task(discussion, children, invitees),
    ]

    during = [_attendance_task(discussion, invitees)]
    during.append(
        Task(
            "analysis",
            "Analysis",
            _filled(discussion.worries, discussion.working_well),
            reverse("strategy:analysis", args=[pk]),
            "What we are worried about and what is working well",
        )
    )
    for child in children:
        during.append(
            Task(
                f"voice-{child.pk}",
                f"Voice of {child.full_name}",
                Status.COMPLETED if child.voice else Status.NOT_STARTED,
                reverse("strategy:voice", args=[pk, child.pk]),
                "Their wishes and feelings, and how they were obtained",
            )
        )
    for child in children:
        during.append(_decision_task(discussion, child, attending))
    actions = discussion.actions.count()
    during += [
        Task(
            "actions",
            "Actions",
            Status.COMPLETED if actions else Status.NOT_STARTED,
            summary + "#actions" if actions else reverse("strategy:action_add", args=[pk]),
            f"{actions} agreed" if actions else "What, which agency and person, by when, why",
            also=(reverse("strategy:action_add", args=[pk]),),
        ),
        Task(
            "plan",
            "Contingency and what the family is told",
            _filled(discussion.contingency_plan, discussion.shared_with_family),
            reverse("strategy:plan", args=[pk]),
            "The contingency plan, and what is shared with the family, when and by whom",
        ),
    ]

    after = [_outcome_task(discussion), _minutes_task(discussion)]
    groups = [
        TaskGroup("Before the discussion", before),
        TaskGroup("During the discussion", during),
        TaskGroup("After the discussion", after),
    ]
    if not discussion.is_editable:
        # Changes go through an amendment now: the sections are read, not edited.
        for group in groups:
            for task in group.tasks:
                if task.key != "minutes":
                    task.href = ""
    return groups


def _invitees_task(discussion: Discussion, children: list, invitees: list) -> Task:  # type: ignore[type-arg]
    href = reverse("strategy:invitees", args=[discussion.pk])
    if not children:
        return Task(
            "invitees",
            "Choose invitees",
            Status.CANNOT_START,
            hint="Add the children first: the invite list is proposed from the record",
        )
    if not invitees:
        return Task(
            "invitees",
            "Choose invitees",
            Status.NOT_STARTED,
            href,
            "The list is proposed from the children, household and concerns",
        )
    explained = set(discussion.invitation_exceptions.values_list("requirement", flat=True))
    gaps = [
        r
        for r in unmet_requirements(discussion, [i.agency for i in invitees])
        if r.key not in explained
    ]
    return Task(
        "invitees",
        "Choose invitees",
        Status.IN_PROGRESS if gaps else Status.COMPLETED,
        href,
        f"{len(invitees)} agencies invited",
        [f"Not invited and no reason recorded: {gap.description}" for gap in gaps],
    )


def _attendance_task(discussion: Discussion, invitees: list) -> Task:  # type: ignore[type-arg]
    title = "Attendance and information shared"
    if not invitees:
        return Task("attendance", title, Status.CANNOT_START, hint="Choose invitees first")
    waiting = [i for i in invitees if i.attendance == Attendance.INVITED]
    if len(waiting) == len(invitees):
        status, hint = Status.NOT_STARTED, "Who took part, and what each agency shared"
    elif waiting:
        status = Status.IN_PROGRESS
        hint = "Attendance not recorded for " + ", ".join(i.agency.name for i in waiting)
    else:
        # Complete once attendance is: an agency may take part and have nothing to add.
        status = Status.COMPLETED
        attended = sum(1 for i in invitees if i.attendance == Attendance.ATTENDED)
        shared = sum(1 for i in invitees if i.information_shared)
        hint = (
            f"{attended} of {len(invitees)} agencies attended; information shared recorded "
            f"for {shared}"
        )
    return Task(
        "attendance",
        title,
        status,
        reverse("strategy:attendance", args=[discussion.pk]),
        hint,
        # Each agency's information page: "Save and continue" there goes on after attendance.
        also=tuple(reverse("strategy:information", args=[discussion.pk, i.pk]) for i in invitees),
    )


def _decision_task(discussion: Discussion, child, attending: list) -> Task:  # type: ignore[no-untyped-def, type-arg]
    pk = discussion.pk
    title = f"Decision for {child.full_name}"
    decision = getattr(child, "decision", None)
    href = reverse("strategy:decision", args=[pk, child.pk])
    if decision is None:
        return Task(
            f"decision-{child.pk}",
            title,
            Status.NOT_STARTED,
            href,
            "Significant harm, the outcomes, and each attending agency's position",
        )
    agreed = decisions.consensus(discussion, decision)
    if not attending:
        return Task(
            f"decision-{child.pk}",
            title,
            Status.IN_PROGRESS,
            href,
            "Record attendance, then each attending agency's position",
        )
    if agreed.not_recorded:
        return Task(
            f"decision-{child.pk}",
            title,
            Status.IN_PROGRESS,
            href,
            "No position yet from " + ", ".join(i.agency.name for i in agreed.not_recorded),
        )
    hint = (
        "Agreed by all attending agencies"
        if agreed.agreed_by_all
        else f"Not agreed by every agency ({len(agreed.disagreements)} disagree)"
        if agreed.disagreements
        else "Positions recorded"
    )
    return Task(f"decision-{child.pk}", title, Status.COMPLETED, href, hint)


def _outcome_task(discussion: Discussion) -> Task:
    title = "Record the outcome as final"
    if discussion.outcome_recorded_at:
        return Task(
            "outcome",
            title,
            Status.COMPLETED,
            hint=f"Recorded {discussion.outcome_recorded_at:%d/%m/%Y}",
        )
    problems = decisions.outcome_problems(discussion)
    if problems:
        return Task("outcome", title, Status.CANNOT_START, hint="; ".join(problems))
    return Task(
        "outcome",
        title,
        Status.NOT_STARTED,
        reverse("strategy:final", args=[discussion.pk]),
        "Check the whole record, then confirm",
    )


def _minutes_task(discussion: Discussion) -> Task:
    href = reverse("minutes:workspace", args=[discussion.pk])
    title = "Approve and send the minutes"
    # Any version's copy that could not be sent (an amendment's included), until it is.
    failed = Message.objects.filter(
        discussion_id=discussion.pk, kind=MessageKind.MINUTES, state=MessageState.FAILED
    ).count()
    if failed:
        agencies = "1 agency" if failed == 1 else f"{failed} agencies"
        task = Task("minutes", title, Status.IN_PROGRESS, href, "Approved, not yet sent to all")
        task.warnings.append(
            f"The minutes could not be sent to {agencies}: the minutes page says why"
        )
        return task
    if discussion.minutes_distributed_at:
        return Task("minutes", title, Status.COMPLETED, href, "Sent to every invited agency")
    if discussion.outcome_recorded_at is None:
        return Task("minutes", title, Status.CANNOT_START, hint="Record the outcome as final first")
    if discussion.record_locked_at:
        return Task("minutes", title, Status.IN_PROGRESS, href, "Approved, being sent")
    return Task("minutes", title, Status.NOT_STARTED, href, "Check the minutes and who they go to")


def next_section(discussion: Discussion, after_path: str) -> str | None:
    """The next section, in the order of the call, that can be started after the one at
    after_path; None when there is none or after_path is not a section of the list."""
    tasks = [t for g in discussion_tasks(discussion) for t in g.tasks]
    owner = next(
        (
            index
            for index, task in enumerate(tasks)
            if after_path == task.href.split("#")[0] or after_path in task.also
        ),
        None,
    )
    if owner is None:
        return None
    for task in tasks[owner + 1 :]:
        if task.can_start and task.href and task.status != Status.COMPLETED:
            return task.href
    return None
