from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from agencies.access import current_user
from strategy import selectors
from strategy.forms.base import errors_onto
from strategy.forms.decisions import ConferenceHeldForm, DecisionForm, PositionsForm
from strategy.models import Attendance, Child, ChildDecision
from strategy.services import decisions
from strategy.views.discussions import local_authority, recorders
from strategy.views.editing import edit_page


@recorders
def decision_edit(request: HttpRequest, pk: int, child_pk: int) -> HttpResponse:
    discussion = selectors.discussion_for_recorder(current_user(request), pk)
    child = get_object_or_404(Child, pk=child_pk, discussion=discussion)
    decision = ChildDecision.objects.filter(child=child).first()
    return edit_page(
        request,
        discussion=discussion,
        make_form=lambda data, rev: DecisionForm(data, revision=rev, decision=decision),
        save=lambda form: decisions.decision_record(
            discussion=discussion,
            child=child,
            expected_revision=form.cleaned_data["revision"],
            decided_by=current_user(request),
            **form.decision_fields(),
        ),
        compare_with=lambda d: ChildDecision.objects.filter(child=child).first(),
        template="strategy/section_form.html",
        done=reverse("strategy:positions", args=[pk, child.pk]),
        done_message=f"Decision for {child.full_name} saved. Now record each agency's position.",
        context={"title": f"Decision for {child.full_name}", "child": child},
    )


@recorders
def positions_edit(request: HttpRequest, pk: int, child_pk: int) -> HttpResponse:
    discussion = selectors.discussion_for_recorder(current_user(request), pk)
    child = get_object_or_404(Child, pk=child_pk, discussion=discussion)
    decision = getattr(child, "decision", None)
    if decision is None:
        messages.error(request, f"Record the decision for {child.full_name} first")
        return redirect("strategy:decision", pk=pk, child_pk=child.pk)
    attending = list(
        discussion.invitees.filter(attendance=Attendance.ATTENDED).select_related("agency")
    )
    if not attending:
        messages.error(request, "Record who attended before recording positions")
        return redirect("strategy:attendance", pk=pk)
    return edit_page(
        request,
        discussion=discussion,
        make_form=lambda data, rev: PositionsForm(
            data, revision=rev, attending=attending, decision=decision
        ),
        save=lambda form: decisions.positions_record(
            discussion=discussion,
            decision=decision,
            expected_revision=form.cleaned_data["revision"],
            positions=form.positions(),
        ),
        compare_with=lambda d: None,
        template="strategy/section_form.html",
        done=reverse("strategy:detail", args=[pk]) + f"#decision-{child.pk}",
        done_message=f"Agency positions for {child.full_name} saved",
        context={
            "title": f"Each agency's position on the decision for {child.full_name}",
            "child": child,
        },
    )


@local_authority
def conference_held(request: HttpRequest, pk: int, child_pk: int) -> HttpResponse:
    """The chair of the discussion, or a manager, records that the child's initial child
    protection conference was held."""
    discussion = selectors.discussion_for_chair_or_manager(current_user(request), pk)
    decision = get_object_or_404(
        ChildDecision.objects.select_related("child__discussion"),
        child_id=child_pk,
        child__discussion=discussion,
        conference_due_by__isnull=False,
    )
    form = ConferenceHeldForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            decisions.conference_held_record(
                decision=decision, held_on=form.cleaned_data["held_on"]
            )
        except ValidationError as error:
            errors_onto(form, error)
        else:
            messages.success(
                request, f"Initial child protection conference for {decision.child} recorded"
            )
            return redirect("strategy:detail", pk=discussion.pk)
    return render(
        request,
        "strategy/section_form.html",
        {
            "discussion": discussion,
            "form": form,
            "title": f"Initial child protection conference for {decision.child}",
        },
    )
