from datetime import datetime
from typing import Any

from crispy_forms_gds.layout import Field
from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from agencies.access import current_user, role_required
from agencies.models import Role, Team, User
from audit.trail import audit_record
from config.input_limits import BoundedInput
from outbox.kinds import messages_described
from outbox.models import Message
from strategy import selectors
from strategy.check_answers import record_cards
from strategy.forms.base import date_field, gds_helper
from strategy.forms.scheduling import DiscussionForm
from strategy.invitations import INVITATION_KINDS
from strategy.models import CaseTransfer, Discussion
from strategy.models.discussion import DiscussionStatus
from strategy.services import decisions, recording, scheduling
from strategy.services.decisions import Problem
from strategy.services.invitees import unmet_requirements
from strategy.services.records import EditConflict
from strategy.task_list import Status, discussion_tasks, next_section
from strategy.views.editing import edit_page
from strategy.views.panels import discussion_panels

local_authority = role_required(*selectors.LOCAL_AUTHORITY_ROLES)
recorders = role_required(*selectors.RECORDING_ROLES)


class DiscussionSearchForm(BoundedInput, forms.Form):
    q = forms.CharField(
        label="Reference, name, date of birth or NHS number",
        required=False,
        help_text="A child's or adult's name, a date of birth like 27/3/2019, or an NHS number",
    )
    on = date_field("Date", required=False, help_text="For example, 27 3 2026")
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "Any"), *DiscussionStatus.choices]
    )
    team = forms.ModelChoiceField(
        label="Team", required=False, queryset=Team.objects.all(), empty_label="Any team"
    )
    mine = forms.BooleanField(label="Only my discussions", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(
            Field.text("q"),
            Field("on"),
            Field.select("status"),
            Field.select("team"),
            Field.checkbox("mine", small=True),
            submit="Search",
            secondary=True,  # scheduling a discussion is the page's main action
        )


@local_authority
def discussion_list(request: HttpRequest) -> HttpResponse:
    search = DiscussionSearchForm(request.GET or None)
    discussions = Discussion.objects.none()
    if not request.GET:
        discussions = selectors.discussions_search(user=current_user(request), mine=True)
    elif search.is_valid():
        data = search.cleaned_data
        discussions = selectors.discussions_search(
            user=current_user(request),
            mine=data["mine"],
            text=data["q"],
            on=data["on"],
            status=data["status"],
            team_id=data["team"].pk if data["team"] else None,
        )
    page = Paginator(discussions, 25).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "strategy/discussion_list.html",
        {
            "search": search,
            "page": page,
            "query": query.urlencode(),
            "showing_mine": not request.GET,
        },
    )


@recorders
def discussion_create(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    initial = {"chair": user.pk if user.role == Role.CHAIR else None, "team": user.team_id}
    form = DiscussionForm(request.POST or None, revision=0, initial=initial)
    if request.method == "POST" and form.is_valid():
        discussion = scheduling.discussion_schedule(created_by=user, **form.discussion_fields())
        messages.success(
            request,
            f"Discussion {discussion.reference} scheduled",
            extra_tags=f"draft-saved {request.path}",
        )
        return redirect(_after_scheduling(discussion, user))
    return render(request, "strategy/discussion_form.html", {"form": form, "discussion": None})


def _after_scheduling(discussion: Discussion, user: User) -> str:
    """ "Save and continue" goes to the next section, adding the first child, as every section
    does; someone who scheduled it for others (neither its chair nor its minute-taker) cannot
    record it, so goes to its task list."""
    home = reverse("strategy:detail", args=[discussion.pk])
    if not selectors.can_record(user, discussion):
        return home
    details = reverse("strategy:update", args=[discussion.pk])
    return next_section(discussion, details) or home


def _moment_initial(prefix: str, moment: datetime | None) -> dict[str, Any]:
    if moment is None:
        return {}
    local = timezone.localtime(moment)
    return {f"{prefix}_on": local.date(), f"{prefix}_time": local.strftime("%H:%M")}


@recorders
def discussion_update(request: HttpRequest, pk: int) -> HttpResponse:
    discussion = selectors.discussion_for_recorder(current_user(request), pk)
    local = timezone.localtime(discussion.scheduled_for)
    initial = {
        **{f: getattr(discussion, f) for f in scheduling.DISCUSSION_FIELDS},
        "scheduled_on": local.date(),
        "scheduled_at": local.strftime("%H:%M"),
        **_moment_initial("concern_raised", discussion.concern_raised_at),
        **_moment_initial("emergency_action", discussion.emergency_action_at),
    }
    return edit_page(
        request,
        discussion=discussion,
        make_form=lambda data, rev: DiscussionForm(data, revision=rev, initial=initial),
        save=lambda form: scheduling.discussion_update(
            discussion=discussion,
            expected_revision=form.cleaned_data["revision"],
            **form.discussion_fields(),
        ),
        template="strategy/discussion_form.html",
        done=reverse("strategy:detail", args=[pk]),
        done_message="Discussion details saved",
        offer_next=False,
    )


@local_authority
def discussion_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The discussion's home: the task list, every section in the order of the call."""
    discussion = selectors.discussion_for_viewer(current_user(request), pk)
    audit_record(request, "discussion.viewed", discussion_id=discussion.pk, obj=discussion)
    can_record = selectors.can_record(request.user, discussion)
    groups = discussion_tasks(discussion)
    tasks = [task for group in groups for task in group.tasks]
    return render(
        request,
        "strategy/discussion_tasks.html",
        {
            "discussion": discussion,
            "groups": groups,
            "completed": sum(1 for t in tasks if t.status == Status.COMPLETED),
            "total": len(tasks),
            "can_record": can_record,
            "is_chair": request.user.pk == discussion.chair_id,
            "minutes_overdue": discussion.minutes_overdue(),
            "follow_ups": list(discussion.follow_ups.order_by("scheduled_for")),
            "transfers": list(
                CaseTransfer.objects.filter(discussion=discussion).select_related(
                    "receiving_authority"
                )
            ),
            "can_transfer": discussion.anonymised_at is None
            and (
                request.user.pk == discussion.chair_id
                or current_user(request).has_role(Role.MANAGER)
            ),
            "open_disputes": [],
            **discussion_panels(discussion),
        },
    )


@local_authority
def discussion_summary(request: HttpRequest, pk: int) -> HttpResponse:
    """The whole record on one page, with the messages sent about it."""
    discussion = selectors.discussion_for_viewer(current_user(request), pk)
    audit_record(request, "discussion.viewed", discussion_id=discussion.pk, obj=discussion)
    invitees = list(discussion.invitees.select_related("agency", "contact"))
    outgoing = list(Message.objects.filter(discussion_id=discussion.pk).order_by("-created_at"))
    invitations = {
        m.about_id: m for m in reversed(outgoing) if m.kind in INVITATION_KINDS
    }  # the latest per invitee
    for invitee in invitees:
        invitee.invitation_message = invitations.get(invitee.pk)  # type: ignore[attr-defined]
    children = list(discussion.children.select_related("school", "gp_practice", "decision"))
    child_rows = []
    for child in children:
        decision = getattr(child, "decision", None)
        child_rows.append(
            {
                "child": child,
                "decision": decision,
                "consensus": decisions.consensus(discussion, decision) if decision else None,
            }
        )
    exceptions = list(discussion.invitation_exceptions.all())
    explained = {e.requirement for e in exceptions}
    # Missing partners are worth a warning only once the invite list has been chosen.
    gaps = (
        [
            r
            for r in unmet_requirements(discussion, [i.agency for i in invitees])
            if r.key not in explained
        ]
        if invitees
        else []
    )
    can_record = selectors.can_record(request.user, discussion)
    return render(
        request,
        "strategy/discussion_summary.html",
        {
            "discussion": discussion,
            "invitees": invitees,
            "minutes_overdue": discussion.minutes_overdue(),
            "open_disputes": [],
            **discussion_panels(discussion),
            "outgoing": messages_described(outgoing),
            "information_recorded": any(i.information_shared for i in invitees),
            "child_rows": child_rows,
            "adults": discussion.adults.select_related("gp_practice"),
            "exceptions": exceptions,
            "gaps": gaps,
            "differences": discussion.professional_differences.all(),
            "positions_with_difference": set(
                discussion.professional_differences.values_list("position_id", flat=True)
            ),
            "actions": discussion.actions.select_related("agency", "completed_by"),
            "today": timezone.localdate(),
            "is_recorder": can_record,
            "can_record": can_record and discussion.is_editable,
            "is_chair": request.user.pk == discussion.chair_id,
            # As strategy.views.decisions.conference_held allows.
            "can_record_conference": request.user.pk == discussion.chair_id
            or current_user(request).has_role(Role.MANAGER),
            "outcome_problems": decisions.outcome_problems(discussion),
            "series": discussion.series()
            if discussion.follows_id or discussion.follow_ups.exists()
            else [],
        },
    )


@recorders
def outcome_final(request: HttpRequest, pk: int) -> HttpResponse:
    """Check the whole record, then confirm: nothing becomes final on a single click."""
    discussion = selectors.discussion_for_recorder(current_user(request), pk)
    if discussion.outcome_recorded_at:
        messages.success(request, "The outcome is already recorded as final")
        return redirect("strategy:detail", pk=pk)
    problems: list[str] = []
    if request.method == "POST":
        try:
            decisions.outcome_record_final(
                discussion=discussion, expected_revision=int(request.POST.get("revision", 0))
            )
        except EditConflict:
            messages.error(
                request, "Someone else changed the discussion: check it again, then confirm."
            )
            return redirect("strategy:final", pk=pk)
        except ValidationError as error:
            problems = [*(decisions.outcome_problems(discussion) or error.messages)]
        else:
            if request.user.pk == discussion.chair_id:
                # The chair approves the minutes: straight on to checking them and who gets
                # them. Nothing is sent until they press "Approve and send" there.
                messages.success(
                    request,
                    "Outcome recorded as final. Now check the minutes and who gets them.",
                )
                return redirect("minutes:approve", pk=pk)
            messages.success(
                request,
                "Outcome recorded as final. Next, the chair approves and sends the minutes to "
                "every invited agency.",
            )
            return redirect("strategy:detail", pk=pk)
    return render(
        request,
        "strategy/outcome_check.html",
        {
            "discussion": discussion,
            "cards": record_cards(discussion),
            "problems": problems or decisions.outcome_problems(discussion),
        },
    )


@recorders
def discussion_close(request: HttpRequest, pk: int) -> HttpResponse:
    """Close the discussion: a step in its life that works whatever state its minutes are in.
    What stops it (the outcome not final, the minutes not approved) is shown as a GOV.UK error
    summary, each problem linked to where it is put right."""
    discussion = selectors.discussion_for_chair(current_user(request), pk)
    problems: list[Problem] = []
    if request.method == "POST":
        revision = request.POST.get("revision", "")
        try:
            recording.discussion_close(
                discussion=discussion, expected_revision=int(revision) if revision.isdigit() else 0
            )
        except (EditConflict, ValidationError) as refusal:
            discussion.refresh_from_db()
            if discussion.closed_at is not None:  # someone else closed it meanwhile
                messages.info(request, "The discussion is already closed")
                return redirect("strategy:detail", pk=pk)
            if isinstance(refusal, ValidationError):
                problems = recording.closing_problems(discussion)
            else:
                problems = [
                    Problem(
                        "Someone else changed the discussion since you opened it: check it, "
                        "then close it again",
                        reverse("strategy:summary", args=[pk]),
                    )
                ]
        else:
            messages.success(request, "Discussion closed")
            return redirect("strategy:detail", pk=pk)
    elif discussion.closed_at is not None:
        return redirect("strategy:detail", pk=pk)
    return render(
        request,
        "strategy/close.html",
        {"discussion": discussion, "problems": problems},
    )
