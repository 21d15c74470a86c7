"""Case transfer: the discussion's chair or a manager records the proposal and, later, the
receiving authority's written acceptance."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from agencies.access import current_user
from strategy import selectors
from strategy.forms.base import errors_onto
from strategy.forms.transfers import TransferAcceptForm, TransferProposeForm
from strategy.models import CaseTransfer, Discussion
from strategy.services import transfers
from strategy.views.discussions import local_authority


def _discussion_for_transfers(request: HttpRequest, pk: int) -> Discussion:
    discussion = selectors.discussion_for_chair_or_manager(current_user(request), pk)
    if discussion.anonymised_at is not None:
        raise Http404
    return discussion


@local_authority
def transfer_propose(request: HttpRequest, pk: int) -> HttpResponse:
    discussion = _discussion_for_transfers(request, pk)
    form = TransferProposeForm(
        request.POST or None, authorities=transfers.receiving_authorities(discussion)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            transfer = transfers.transfer_propose(
                discussion=discussion,
                receiving_authority=data["receiving_authority"],
                proposed_on=data["proposed_on"],
                reason=data["reason"],
                user=current_user(request),
            )
        except ValidationError as error:
            errors_onto(form, error)
        else:
            messages.success(
                request,
                f"Transfer to {transfer.receiving_authority} recorded as pending until it is "
                "accepted in writing",
            )
            return redirect("strategy:detail", pk=discussion.pk)
    return render(
        request,
        "strategy/section_form.html",
        {"discussion": discussion, "form": form, "title": "Record a case transfer"},
    )


@local_authority
def transfer_accept(request: HttpRequest, pk: int, transfer_pk: int) -> HttpResponse:
    discussion = _discussion_for_transfers(request, pk)
    transfer = get_object_or_404(
        CaseTransfer.objects.select_related("receiving_authority"),
        pk=transfer_pk,
        discussion=discussion,
        acceptance_recorded_at__isnull=True,
    )
    form = TransferAcceptForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            transfers.transfer_accept(
                transfer=transfer,
                accepted_by=data["accepted_by"],
                accepted_on=data["accepted_on"],
                acceptance=data["acceptance"],
                transfer_on=data["transfer_on"],
            )
        except ValidationError as error:
            errors_onto(form, error)
        else:
            messages.success(
                request,
                f"Acceptance recorded: {transfer.receiving_authority} is now invited and gets "
                "the minutes",
            )
            return redirect("strategy:detail", pk=discussion.pk)
    return render(
        request,
        "strategy/section_form.html",
        {
            "discussion": discussion,
            "form": form,
            "title": f"Record the acceptance by {transfer.receiving_authority}",
        },
    )
