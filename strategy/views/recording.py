from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from agencies.access import current_user
from strategy import selectors
from strategy.check_answers import BACK_TO
from strategy.forms.base import combine_local
from strategy.forms.decisions import ActionForm, FollowUpForm
from strategy.forms.recording import (
    AnalysisForm,
    AttendanceForm,
    ChildVoiceForm,
    InformationForm,
    PlanForm,
)
from strategy.models import Action, Child, ChildDecision, Discussion, Invitee
from strategy.services import actions, recording
from strategy.services.records import EditConflict, RecordLocked
from strategy.views.discussions import recorders
from strategy.views.editing import edit_page


def _detail(pk: int, anchor: str) -> str:
    return reverse("strategy:detail", args=[pk]) + f"#{anchor}"


@recorders
def attendance_edit(request: HttpRequest, pk: int) -> HttpResponse:
    discussion = selectors.discussion_for_recorder(current_user(request), pk)
    return edit_page(
        request,
        discussion=discussion,
        make_form=lambda data, rev: AttendanceForm(
            data, revision=rev, discussion=discussion, query=_back(request)
        ),
        save=lambda form: recording.attendance_record(
            discussion=discussion,
            expected_revision=form.cleaned_data["revision"],
            held_at=form.cleaned_data["held_at"],
            rows=form.rows(),
            delay_reason=form.cleaned_data.get("delay_reason"),
        ),
        template="strategy/section_form.html",
        done=_detail(pk, "attendance"),
        done_message="Attendance saved",
        context={
            "title": "Attendance and information shared",
            "wide": True,
            "intro": "For each agency: its attendance, who took part or sent the information, "
            "and whether they could make decisions for their agency. What each agency shared "
            "has a page of its own: follow the link under the agency, or save and record "
            "information shared to go through the agencies that took part in turn.",
        },
        add_another=(
            lambda: _first_information_page(discussion) + _back(request),
            "Save and record information shared",
        )
        if discussion.invitees.exists()
        else None,
    )


def _back(request: HttpRequest) -> str:
    """The way back to a check page, carried from one page of a section to the next."""
    back = request.GET.get("back", "")
    return f"?back={back}" if back in BACK_TO else ""


def _first_information_page(discussion: Discussion) -> str:
    """Where recording what the agencies shared starts, with attendance as just saved: the
    first agency that took part and has nothing recorded yet."""
    invitees = list(discussion.invitees.all())
    sharing = [i for i in invitees if i.shares_information]
    first = next((i for i in sharing if not i.information_shared), None)
    start = first or (sharing or invitees)[0]
    return reverse("strategy:information", args=[discussion.pk, start.pk])


@recorders
def information_edit(request: HttpRequest, pk: int, invitee_pk: int) -> HttpResponse:
    """What one agency shared, on its own page; the next agency that took part is a button
    away, so the recorder goes through them in the order of the call."""
    discussion = selectors.discussion_for_recorder(current_user(request), pk)
    invitees = list(discussion.invitees.select_related("agency"))
    invitee = next((i for i in invitees if i.pk == invitee_pk), None)
    if invitee is None:
        raise Http404
    later = invitees[invitees.index(invitee) + 1 :]
    following = next((i for i in later if i.shares_information), None)
    name = invitee.agency.name
    return edit_page(
        request,
        discussion=discussion,
        make_form=lambda data, rev: InformationForm(data, revision=rev, invitee=invitee),
        save=lambda form: recording.information_record(
            discussion=discussion,
            invitee=invitee,
            expected_revision=form.cleaned_data["revision"],
            information_shared=form.cleaned_data["information_shared"],
            scaling=form.cleaned_data["scaling"],
        ),
        compare_with=lambda d: Invitee.objects.get(pk=invitee.pk),
        template="strategy/section_form.html",
        done=reverse("strategy:attendance", args=[pk]) + f"#agency-{invitee.pk}",
        done_message=f"Information shared by {name} saved",
        context={"title": f"Information shared by {name}", "intro": _taking_part(invitee)},
        add_another=(
            reverse("strategy:information", args=[pk, following.pk]) + _back(request),
            f"Save and go to {following.agency.name}",
        )
        if following
        else None,
    )


def _taking_part(invitee: Invitee) -> str:
    """How the agency took part, as the attendance page has it."""
    who = f": {invitee.representative}" if invitee.representative else ""
    return f"{invitee.get_attendance_display()}{who}."


def _fields_page(
    request: HttpRequest, pk: int, form_class: type, title: str, anchor: str, names: tuple[str, ...]
) -> HttpResponse:
    discussion = selectors.discussion_for_recorder(current_user(request), pk)
    initial = {name: getattr(discussion, name) for name in names}
    return edit_page(
        request,
        discussion=discussion,
        make_form=lambda data, rev: form_class(data, revision=rev, initial=initial),
        save=lambda form: recording.discussion_fields_record(
            discussion=discussion,
            expected_revision=form.cleaned_data["revision"],
            **{name: form.cleaned_data[name] for name in names},
        ),
        template="strategy/section_form.html",
        done=_detail(pk, anchor),
        done_message=f"{title} saved",
        context={"title": title},
    )


@recorders
def analysis_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _fields_page(
        request, pk, AnalysisForm, "Analysis", "analysis", recording.ANALYSIS_FIELDS
    )


@recorders
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _fields_page(
        request,
        pk,
        PlanForm,
        "Contingency and what the family is told",
        "actions",
        recording.PLAN_FIELDS,
    )


@recorders
def child_voice_edit(request: HttpRequest, pk: int, child_pk: int) -> HttpResponse:
    discussion = selectors.discussion_for_recorder(current_user(request), pk)
    child = get_object_or_404(Child, pk=child_pk, discussion=discussion)
    initial = {"voice": child.voice, "obtained": child.voice_obtained}
    return edit_page(
        request,
        discussion=discussion,
        make_form=lambda data, rev: ChildVoiceForm(data, revision=rev, initial=initial),
        save=lambda form: recording.child_voice_record(
            discussion=discussion,
            child=child,
            expected_revision=form.cleaned_data["revision"],
            voice=form.cleaned_data["voice"],
            obtained=form.cleaned_data["obtained"],
        ),
        template="strategy/section_form.html",
        done=_detail(pk, f"voice-{child.pk}"),
        done_message=f"{child.full_name}'s voice saved",
        context={"title": f"The voice of {child.full_name}"},
    )


@recorders
def action_add(request: HttpRequest, pk: int) -> HttpResponse:
    discussion = selectors.discussion_for_recorder(current_user(request), pk)
    names = ("what", "agency", "person", "due_by", "why")
    return edit_page(
        request,
        discussion=discussion,
        make_form=lambda data, rev: ActionForm(data, revision=rev),
        save=lambda form: recording.action_add(
            discussion=discussion,
            expected_revision=form.cleaned_data["revision"],
            **{name: form.cleaned_data[name] for name in names},
        ),
        compare_with=lambda d: None,
        template="strategy/section_form.html",
        done=_detail(pk, "actions"),
        done_message="Action added",
        context={"title": "Add an action"},
        add_another=(reverse("strategy:action_add", args=[pk]), "Save and add another action"),
    )


@recorders
@require_POST
def action_remove(request: HttpRequest, pk: int, action_pk: int) -> HttpResponse:
    discussion = selectors.discussion_for_recorder(current_user(request), pk)
    action = get_object_or_404(Action, pk=action_pk, discussion=discussion)
    try:
        recording.action_remove(
            discussion=discussion,
            action=action,
            expected_revision=int(request.POST.get("revision", 0)),
        )
    except (EditConflict, RecordLocked):
        messages.error(request, "Someone else changed the discussion: check it and try again.")
    else:
        messages.success(request, "Action removed")
    return redirect(reverse("strategy:summary", args=[pk]) + "#actions")


@recorders
@require_POST
def action_done(request: HttpRequest, pk: int, action_pk: int) -> HttpResponse:
    """Marks an action done, even on a locked record: tracking, not a change to the minutes."""
    discussion = selectors.discussion_for_recorder(current_user(request), pk)
    action = get_object_or_404(Action, pk=action_pk, discussion=discussion)
    if actions.action_mark_done(action=action, by=current_user(request)):
        messages.success(request, f"Action marked as done: {action}")
    else:
        messages.success(
            request,
            f"Already marked as done on {action.completed_at:%d %B %Y} by {action.completed_by}",
        )
    return redirect(reverse("strategy:summary", args=[pk]) + "#actions")


@recorders
def follow_up_create(request: HttpRequest, pk: int) -> HttpResponse:
    discussion = selectors.discussion_for_chair(current_user(request), pk)
    agreed = (
        ChildDecision.objects.filter(
            child__discussion=discussion, further_discussion_on__isnull=False
        )
        .order_by("further_discussion_on")
        .values_list("further_discussion_on", flat=True)
        .first()
    )
    form = FollowUpForm(request.POST or None, agreed_by=agreed)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            follow_up = recording.follow_up_schedule(
                discussion=discussion,
                scheduled_for=combine_local(data["scheduled_on"], data["scheduled_time"]),
                due_by=data["due_by"],
                created_by=current_user(request),
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error("scheduled_on" if field == "scheduled_for" else field, errors)
        else:
            messages.success(
                request,
                f"Follow-up {follow_up.reference} scheduled for "
                f"{timezone.localtime(follow_up.scheduled_for):%-d %B %Y at %H:%M}. "
                "It is listed under Follow-up discussions on this page.",
                extra_tags=f"draft-saved {request.path}",
            )
            # The chair stays on the discussion they are recording.
            return redirect(reverse("strategy:detail", args=[discussion.pk]) + "#follow-ups")
    return render(
        request,
        "strategy/section_form.html",
        {"discussion": discussion, "form": form, "title": "Schedule a follow-up discussion"},
    )
