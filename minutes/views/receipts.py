"""The receipt page an agency reaches from the link in its email. No account needed.

A GET never confirms anything: mail scanners follow links. Only the form's POST does."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from audit.trail import audit_record
from minutes.forms import DisputeForm, ReceiptForm
from minutes.models import Delivery
from minutes.receipts_links import LinkTampered, read_receipt_token
from minutes.services import lifecycle, receipts
from strategy.forms.base import errors_onto
from strategy.forms.decisions import ProfessionalDifferenceForm
from strategy.models.decisions import RaisedVia
from strategy.services import differences
from strategy.services.differences import invited_agencies


def _difference_form(delivery: Delivery, data: Any) -> ProfessionalDifferenceForm:
    """Raising a difference for the agency the link was sent to, with another invitee."""
    return ProfessionalDifferenceForm(
        data,
        prefix="difference",
        position=None,
        raising_agency=delivery.agency,
        with_agencies=invited_agencies(delivery.version.discussion, delivery.agency),
        submit="Raise the difference",
        button_id="id_difference_submit",
    )


@never_cache
def receipt(request: HttpRequest, token: str) -> HttpResponse:
    try:
        link = read_receipt_token(token)
    except LinkTampered:
        audit_record(request, "receipt.link_refused", detail={"reason": "tampered"})
        return render(request, "minutes/receipt_invalid.html", status=400)
    delivery = (
        Delivery.objects.select_related("version__discussion", "agency")
        .filter(pk=link.delivery_id, version_id=link.version_id)
        .first()
    )
    if delivery is None:
        return render(request, "minutes/receipt_invalid.html", status=400)
    if delivery.is_revoked:
        return render(request, "minutes/receipt_withdrawn.html", status=410)
    if link.expired:
        sent, refused = False, ""
        if request.method == "POST" and request.POST.get("action") == "fresh-link":
            try:
                receipts.fresh_link_send(delivery=delivery)
                sent = True
            except ValidationError as error:
                refused = " ".join(error.messages)
        return render(
            request,
            "minutes/receipt_expired.html",
            {"delivery": delivery, "sent": sent, "refused": refused},
            status=200 if sent else (429 if refused else 410),
        )

    action = request.POST.get("action") if request.method == "POST" else None
    form = ReceiptForm(request.POST if action == "confirm" else None)
    dispute_form = DisputeForm(request.POST if action == "dispute" else None)
    difference_form = _difference_form(delivery, request.POST if action == "difference" else None)
    context = {
        "delivery": delivery,
        "form": form,
        "dispute_form": dispute_form,
        "difference_form": difference_form,
        # An amendment approved since, and this agency's copy of it (if it is owed one).
        "replaced_by": Delivery.objects.filter(
            version__discussion_id=delivery.version.discussion_id,
            version__number__gt=delivery.version.number,
            version__approved_at__isnull=False,
        )
        .select_related("version")
        .order_by("-version__number")
        .filter(agency_id=delivery.agency_id, revoked_at__isnull=True)
        .first(),
    }
    if action == "confirm" and form.is_valid():
        _confirm(request, delivery, form, context)
    elif action == "dispute" and dispute_form.is_valid():
        _dispute(request, delivery, dispute_form, context)
    elif action == "difference" and difference_form.is_valid():
        context["difference"] = differences.difference_open(
            discussion=delivery.version.discussion,
            opened_by=None,
            raising_agency=delivery.agency,
            raised_via=RaisedVia.RECEIPT_LINK,
            request=request,
            actor_label=f"{difference_form.cleaned_data['raised_by']} "
            f"({delivery.agency}, by emailed link)",
            **difference_form.cleaned_data,
        )
        context["difference_form"] = _difference_form(delivery, None)
    context["disputes"] = delivery.disputes.all()
    return render(request, "minutes/receipt.html", context)


@transaction.atomic  # the receipt and its trail entry are saved together, or neither is
def _confirm(request: HttpRequest, delivery: Delivery, form: ReceiptForm, context: dict) -> None:
    try:
        delivery, confirmed_now = lifecycle.receipt_confirm(
            delivery=delivery, name=form.cleaned_data["name"], role=form.cleaned_data["role"]
        )
    except ValidationError as error:
        errors_onto(form, error)
    else:
        context.update(delivery=delivery, confirmed_now=confirmed_now)
        if confirmed_now:
            audit_record(
                request,
                "receipt.confirmed",
                discussion_id=delivery.version.discussion_id,
                obj=delivery,
                actor_label=f"{delivery.confirmed_by_name}, "
                f"{delivery.confirmed_by_role} ({delivery.agency}, by emailed link)",
            )


@transaction.atomic  # the dispute and its trail entry are saved together, or neither is
def _dispute(
    request: HttpRequest, delivery: Delivery, dispute_form: DisputeForm, context: dict
) -> None:
    try:
        dispute = receipts.dispute_raise(
            delivery=delivery,
            name=dispute_form.cleaned_data["dispute_name"],
            role=dispute_form.cleaned_data["dispute_role"],
            statement=dispute_form.cleaned_data["statement"],
        )
    except ValidationError as error:
        errors_onto(dispute_form, error)
        return
    context.update(dispute=dispute, dispute_form=DisputeForm())
    audit_record(
        request,
        "minutes.disputed",
        discussion_id=delivery.version.discussion_id,
        obj=dispute,
        actor_label=f"{dispute.raised_by_name}, {dispute.raised_by_role} "
        f"({delivery.agency}, by emailed link)",
    )
