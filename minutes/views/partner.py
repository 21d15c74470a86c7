"""A partner agency user's own agency's minutes, confirmed from here as well as by link."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from agencies.access import current_user, role_required
from agencies.models import Role
from minutes import selectors
from minutes.services import lifecycle
from strategy.forms.decisions import ProfessionalDifferenceForm
from strategy.models.decisions import RaisedVia
from strategy.services import differences
from strategy.services.actions import action_mark_done

partners = role_required(Role.PARTNER)


@partners
def partner_minutes(request: HttpRequest) -> HttpResponse:
    deliveries = (
        selectors.deliveries_for_partner(current_user(request))
        .prefetch_related("version__discussion__children")
        .order_by("confirmed_at", "-sent_at")
    )
    return render(
        request,
        "minutes/partner_list.html",
        {
            "outstanding": [d for d in deliveries if not d.is_confirmed],
            "confirmed": [d for d in deliveries if d.is_confirmed][:50],
            "actions": selectors.actions_for_partner(current_user(request)),
            "today": timezone.localdate(),
        },
    )


@partners
@require_POST
def partner_action_done(request: HttpRequest, pk: int) -> HttpResponse:
    """A user of the agency that owns the action marks it done."""
    user = current_user(request)
    action = get_object_or_404(selectors.actions_for_partner(user), pk=pk)
    if action_mark_done(action=action, by=user):
        messages.success(request, f"Action marked as done: {action}")
    return redirect("minutes:partner")


@partners
@require_POST
def partner_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    delivery = get_object_or_404(selectors.deliveries_for_partner(user), pk=pk)
    try:
        delivery, confirmed_now = lifecycle.receipt_confirm(
            delivery=delivery,
            name=user.get_full_name() or user.username,
            role=request.POST.get("role", "").strip() or "Partner agency user",
            user=user,
        )
    except ValidationError as error:
        messages.error(request, "; ".join(error.messages))
    else:
        reference = delivery.version.discussion.reference
        if confirmed_now:
            messages.success(request, f"Receipt of {reference} minutes confirmed")
        else:
            messages.success(
                request,
                f"Already confirmed by {delivery.confirmed_by_name} on "
                f"{delivery.confirmed_at:%d %B %Y at %H:%M}",
            )
    return redirect("minutes:partner")


@partners
def partner_difference(request: HttpRequest, pk: int) -> HttpResponse:
    """A partner raises a professional difference for their own agency, about minutes sent
    to it, with another agency invited to that discussion."""
    user = current_user(request)
    delivery = get_object_or_404(selectors.deliveries_for_partner(user), pk=pk)
    discussion = delivery.version.discussion
    form = ProfessionalDifferenceForm(
        request.POST or None,
        position=None,
        raising_agency=delivery.agency,
        with_agencies=differences.invited_agencies(discussion, delivery.agency),
        submit="Raise the difference",
    )
    if request.method == "POST" and form.is_valid():
        differences.difference_open(
            discussion=discussion,
            opened_by=user,
            raising_agency=delivery.agency,
            raised_via=RaisedVia.PARTNER,
            request=request,
            **form.cleaned_data,
        )
        messages.success(
            request,
            f"Professional difference about {discussion.reference} raised at stage 1",
        )
        return redirect("minutes:partner")
    return render(
        request,
        "minutes/partner_difference.html",
        {"delivery": delivery, "discussion": discussion, "form": form},
    )
