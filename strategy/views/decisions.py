from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode

from agencies.access import current_user
from strategy import selectors
from strategy.forms.base import errors_onto
from strategy.forms.decisions import ConferenceHeldForm, DecisionForm
from strategy.models import Attendance, Child, ChildDecision
from strategy.services import decisions
from strategy.views.discussions import local_authority, recorders
from strategy.views.editing import edit_page


@recorders
def decision_edit(request: HttpRequest, pk: int, child_pk: int) -> HttpResponse:
    """The child's decision and, below it, each attending agency's position on it: one page,
    one submission, one transaction."""
    discussion = selectors.discussion_for_recorder(current_user(request), pk)
    child = get_object_or_404(Child, pk=child_pk, discussion=discussion)
    decision = ChildDecision.objects.filter(child=child).prefetch_related("positions").first()
    attending = list(
        discussion.invitees.filter(attendance=Attendance.ATTENDED).select_related("agency")
    )

    def saved(form: DecisionForm) -> str:
        if form.positions() is None:
            return f"Decision for {child.full_name} saved"
        return f"Decision for {child.full_name} and each agency's position on it saved"

    return edit_page(
        request,
        discussion=discussion,
        make_form=lambda data, rev: DecisionForm(
            data, revision=rev, decision=decision, attending=attending
        ),
        save=lambda form: decisions.decision_record(
            discussion=discussion,
            child=child,
            expected_revision=form.cleaned_data["revision"],
            decided_by=current_user(request),
            positions=form.positions(),
            **form.decision_fields(),
        ),
        compare_with=lambda d: ChildDecision.objects.filter(child=child).first(),
        template="strategy/section_form.html",
        done=reverse("strategy:detail", args=[pk]) + f"#decision-{child.pk}",
        done_message=saved,
        context={"title": f"Decision for {child.full_name}", "child": child},
    )


@recorders
def positions_edit(request: HttpRequest, pk: int, child_pk: int) -> HttpResponse:
    """Positions are given on the decision's own page now; old links land there."""
    discussion = selectors.discussion_for_recorder(current_user(request), pk)
    child = get_object_or_404(Child, pk=child_pk, discussion=discussion)
    url = reverse("strategy:decision", args=[discussion.pk, child.pk])
    back = request.GET.get("back")
    return redirect(url + (f"?{urlencode({'back': back})}" if back else "") + "#positions")


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
