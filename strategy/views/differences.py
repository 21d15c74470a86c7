"""Resolving Professional Differences pages: raise one for an agency, then follow it
through its stages to a resolution. Thin: each view checks who may act and calls a service.

The chair raises a difference on an agency's behalf; the chair and managers (the owners
of stage 2 and above) record each stage, escalate on request and resolve. Everyone in the
local authority may read it."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from agencies.access import current_user, role_required
from agencies.models import Role, User
from strategy import selectors
from strategy.forms.decisions import ProfessionalDifferenceForm
from strategy.forms.differences import DifferenceResolveForm, DifferenceStageForm
from strategy.models import AgencyPosition, Discussion, ProfessionalDifference
from strategy.models.decisions import RaisedVia, StageEnd
from strategy.services import differences
from strategy.views.discussions import local_authority, recorders


def _difference(discussion: Discussion, difference_pk: int) -> ProfessionalDifference:
    return get_object_or_404(
        ProfessionalDifference.objects.select_related("raising_agency", "with_agency"),
        pk=difference_pk,
        discussion=discussion,
    )


def _may_act(user: User, discussion: Discussion) -> bool:
    return user.pk == discussion.chair_id or user.role == Role.MANAGER


def _for_actor(request: HttpRequest, pk: int, difference_pk: int) -> ProfessionalDifference:
    user = current_user(request)
    discussion = selectors.discussion_for_viewer(user, pk)
    if not _may_act(user, discussion):
        raise Http404
    return _difference(discussion, difference_pk)


def _page(pk: int, difference_pk: int) -> str:
    return reverse("strategy:difference", args=[pk, difference_pk])


@recorders
def difference_create(request: HttpRequest, pk: int) -> HttpResponse:
    """The chair raises a difference on behalf of any agency."""
    discussion = selectors.discussion_for_chair(current_user(request), pk)
    position = None
    wanted = request.GET.get("position") or request.POST.get("position")
    if wanted:
        position = get_object_or_404(
            AgencyPosition, pk=wanted, decision__child__discussion=discussion
        )
    form = ProfessionalDifferenceForm(request.POST or None, position=position)
    if request.method == "POST" and form.is_valid():
        difference = differences.difference_open(
            discussion=discussion,
            opened_by=current_user(request),
            position=position,
            raised_via=RaisedVia.CHAIR,
            request=request,
            **form.cleaned_data,
        )
        messages.success(
            request,
            "Resolving Professional Differences record opened at stage 1",
            extra_tags=f"draft-saved {request.path}",
        )
        return redirect(_page(pk, difference.pk))
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


@local_authority
def difference_detail(request: HttpRequest, pk: int, difference_pk: int) -> HttpResponse:
    user = current_user(request)
    discussion = selectors.discussion_for_viewer(user, pk)
    difference = _difference(discussion, difference_pk)
    may_act = _may_act(user, discussion) and difference.resolved_at is None
    return render(
        request,
        "strategy/difference_detail.html",
        {
            "discussion": discussion,
            "difference": difference,
            "stages": list(difference.stages.all()),
            "may_act": may_act,
            "stage_form": DifferenceStageForm(stage=difference.stage) if may_act else None,
            "resolve_form": DifferenceResolveForm() if may_act else None,
        },
    )


def _invalid(
    request: HttpRequest, difference: ProfessionalDifference, **forms: object
) -> HttpResponse:
    return render(
        request,
        "strategy/difference_detail.html",
        {
            "discussion": difference.discussion,
            "difference": difference,
            "stages": list(difference.stages.all()),
            "may_act": True,
            "stage_form": DifferenceStageForm(stage=difference.stage),
            "resolve_form": DifferenceResolveForm(),
            **forms,
        },
        status=400,
    )


@role_required(Role.CHAIR, Role.MANAGER)
@require_POST
def difference_stage(request: HttpRequest, pk: int, difference_pk: int) -> HttpResponse:
    difference = _for_actor(request, pk, difference_pk)
    form = DifferenceStageForm(request.POST, stage=difference.stage)
    if not form.is_valid():
        return _invalid(request, difference, stage_form=form)
    try:
        differences.difference_stage_record(
            difference=difference,
            recorded_by=current_user(request),
            request=request,
            **form.cleaned_data,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Stage {difference.stage} recorded")
    return redirect(_page(pk, difference_pk))


@role_required(Role.CHAIR, Role.MANAGER)
@require_POST
def difference_escalate(request: HttpRequest, pk: int, difference_pk: int) -> HttpResponse:
    difference = _for_actor(request, pk, difference_pk)
    try:
        from_stage = int(request.POST.get("stage", ""))
    except ValueError:
        from_stage = difference.stage
    if differences.difference_escalate(
        difference_id=difference.pk,
        from_stage=from_stage,
        because=StageEnd.REQUESTED,
        request=request,
    ):
        messages.success(
            request, f"Escalated to stage {from_stage + 1}; its owner has been sent a message"
        )
    else:
        messages.error(
            request, "It was not escalated: it has moved on, is resolved or is at stage 4"
        )
    return redirect(_page(pk, difference_pk))


@role_required(Role.CHAIR, Role.MANAGER)
@require_POST
def difference_resolve(request: HttpRequest, pk: int, difference_pk: int) -> HttpResponse:
    difference = _for_actor(request, pk, difference_pk)
    form = DifferenceResolveForm(request.POST)
    if not form.is_valid():
        return _invalid(request, difference, resolve_form=form)
    try:
        differences.difference_resolve(
            difference=difference,
            resolved_by=current_user(request),
            request=request,
            **form.cleaned_data,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Resolution recorded")
    return redirect(_page(pk, difference_pk))
