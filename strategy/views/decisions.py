from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from agencies.access import current_user
from strategy import selectors
from strategy.forms.decisions import DecisionForm, PositionsForm, ProfessionalDifferenceForm
from strategy.models import AgencyPosition, Attendance, Child, ChildDecision
from strategy.services import decisions
from strategy.views.discussions import recorders
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


@recorders
def difference_create(request: HttpRequest, pk: int) -> HttpResponse:
    discussion = selectors.discussion_for_chair(current_user(request), pk)
    if not discussion.is_editable:
        messages.error(
            request, "This discussion's record is locked: minutes are approved or it is closed."
        )
        return redirect("strategy:detail", pk=pk)
    position = None
    if request.GET.get("position") or request.POST.get("position"):
        position = get_object_or_404(
            AgencyPosition,
            pk=request.GET.get("position") or request.POST.get("position"),
            decision__child__discussion=discussion,
        )
    form = ProfessionalDifferenceForm(request.POST or None, position=position)
    if request.method == "POST" and form.is_valid():
        decisions.professional_difference_open(
            discussion=discussion,
            opened_by=current_user(request),
            position=position,
            **form.cleaned_data,
        )
        messages.success(
            request,
            "Resolving Professional Differences record opened at stage 1",
            extra_tags=f"draft-saved {request.path}",
        )
        return redirect(reverse("strategy:summary", args=[pk]) + "#differences")
    return render(
        request,
        "strategy/section_form.html",
        {
            "discussion": discussion,
            "form": form,
            "title": "Resolving Professional Differences: stage 1",
            "position": position,
        },
    )
