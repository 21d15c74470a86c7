from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from agencies.access import current_user, role_required
from audit.trail import audit_record
from minutes import selectors
from minutes.document import document_context
from minutes.forms import AmendmentForm, NotesForm, RevokeForm
from minutes.models import Delivery, Dispute, MinutesVersion, PDFStatus
from minutes.services import drafting, lifecycle
from minutes.services.lifecycle import distribution_preview, version_pdf_bytes
from strategy import selectors as strategy_selectors
from strategy.check_answers import record_cards
from strategy.forms.base import errors_onto
from strategy.selectors import LOCAL_AUTHORITY_ROLES
from strategy.services.records import EditConflict

local_authority = role_required(*LOCAL_AUTHORITY_ROLES)


@local_authority
def minutes_workspace(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    discussion = strategy_selectors.discussion_for_viewer(user, pk)
    audit_record(request, "minutes.workspace_viewed", discussion_id=discussion.pk)
    can_draft = strategy_selectors.can_record(user, discussion)
    versions = list(
        MinutesVersion.objects.filter(discussion=discussion).prefetch_related(
            "deliveries__agency", "deliveries__chases"
        )
    )
    draft = next((v for v in versions if not v.is_approved), None)
    notes_form = NotesForm(initial={"additional_notes": draft.additional_notes if draft else ""})
    if request.method == "POST" and can_draft:
        notes_form = NotesForm(request.POST)
        if notes_form.is_valid():
            try:
                draft = draft or drafting.minutes_draft(discussion=discussion, user=user)
                drafting.minutes_notes_save(
                    version=draft, notes=notes_form.cleaned_data["additional_notes"]
                )
            except ValidationError as error:
                notes_form.add_error(None, error.messages)
            else:
                messages.success(
                    request, "Draft minutes saved", extra_tags=f"draft-saved {request.path}"
                )
                return redirect("minutes:workspace", pk=pk)
    disputes = Dispute.objects.filter(delivery__version__discussion=discussion).select_related(
        "delivery__agency", "delivery__version"
    )
    return render(
        request,
        "minutes/workspace.html",
        {
            "discussion": discussion,
            "versions": versions,
            "draft": draft,
            "form": notes_form,
            "can_draft": can_draft and (draft is not None or not versions),
            "is_chair": user.pk == discussion.chair_id,
            "can_retry_render": user.has_role("manager", "administrator"),
            "approval_problems": drafting.approval_problems(draft) if draft else [],
            "disputes": disputes,
            "amendment_form": AmendmentForm(),
        },
    )


@local_authority
def minutes_approve(request: HttpRequest, pk: int) -> HttpResponse:
    """Check the minutes and exactly who gets them, then approve: never one unseen click."""
    user = current_user(request)
    discussion = strategy_selectors.discussion_for_chair(user, pk)
    draft = (
        MinutesVersion.objects.filter(discussion=discussion)
        .filter(approved_at__isnull=True)
        .first()
    )
    if draft is None and MinutesVersion.objects.filter(discussion=discussion).exists():
        messages.error(request, "These minutes are approved: changes go through an amendment")
        return redirect("minutes:workspace", pk=pk)
    refused: list[str] = []
    if request.method == "POST":
        try:
            draft = draft or drafting.minutes_draft(discussion=discussion, user=user)
            version = drafting.minutes_approve(version_id=draft.pk, approved_by=user)
        except (ValidationError, PermissionDenied, EditConflict) as error:
            refused = error.messages if isinstance(error, ValidationError) else [str(error)]
        else:
            audit_record(request, "minutes.approved", discussion_id=pk, obj=version)
            return redirect("minutes:approved", pk=pk)
    # A preview only: opening this page creates no draft.
    preview = draft or MinutesVersion(discussion=discussion, number=1, drafted_by=user)
    recipients = distribution_preview(discussion)
    problems = drafting.approval_problems(preview)
    # Until these are put right there is nothing to approve; a refusal that was not one of
    # them (the record kept changing, say) is shown too, and the chair may press again.
    blocked = bool(problems)
    problems += [f"The minutes were not approved: {m}" for m in refused if m not in problems]
    return render(
        request,
        "minutes/approve_check.html",
        {
            "discussion": discussion,
            "draft": draft,
            "recipients": recipients,
            "cards": record_cards(discussion),
            "problems": problems,
            "blocked": blocked,
            # Agencies whose copy would go outside the secure domains with no password to
            # encrypt it: their minutes fail until an administrator sets one.
            "without_password": [
                invitee.agency
                for invitee, addresses in recipients
                if any(r.encrypted for r in addresses) and not invitee.agency.minutes_pdf_password
            ],
            **document_context(preview),
        },
    )


@local_authority
def minutes_approved(request: HttpRequest, pk: int) -> HttpResponse:
    """The confirmation after approval: what was approved and what happens next."""
    discussion = strategy_selectors.discussion_for_chair(current_user(request), pk)
    version = (
        MinutesVersion.objects.filter(discussion=discussion, approved_at__isnull=False)
        .order_by("-number")
        .first()
    )
    if version is None:
        return redirect("minutes:workspace", pk=pk)
    return render(
        request,
        "minutes/approved.html",
        {"discussion": discussion, "version": version, "sent_to": version.deliveries.count()},
    )


@local_authority
@require_POST
def version_render_retry(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Try again" when the PDF could not be made: the chair's, or a manager's."""
    user = current_user(request)
    version = get_object_or_404(MinutesVersion.objects.select_related("discussion"), pk=pk)
    discussion = strategy_selectors.discussion_for_viewer(user, version.discussion_id)
    if user.pk != discussion.chair_id and not user.has_role("manager", "administrator"):
        raise Http404
    try:
        lifecycle.version_render_retry(version=version, user=user)
    except ValidationError as error:
        messages.error(request, "; ".join(error.messages))
    else:
        audit_record(request, "minutes.pdf_retried", discussion_id=discussion.pk, obj=version)
        messages.success(request, f"Making the PDF of version {version.number} again")
    return redirect("minutes:workspace", pk=discussion.pk)


@local_authority
def amendment_start(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    discussion = strategy_selectors.discussion_for_chair(user, pk)
    if discussion.closed_at is not None and request.method != "POST":
        # (A form opened before it was closed is refused when sent, keeping what was typed.)
        messages.info(request, "The discussion is closed: its minutes can no longer be amended")
        return redirect("minutes:workspace", pk=pk)
    form = AmendmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            version = drafting.amendment_start(
                discussion=discussion, user=user, **form.cleaned_data
            )
        except ValidationError as error:
            errors_onto(form, error)
        else:
            audit_record(
                request,
                "minutes.amendment_started",
                discussion_id=pk,
                obj=version,
                detail={"reason": version.amendment_reason},
            )
            messages.success(
                request,
                f"Amendment started: version {version.number}. Change the record, then "
                "approve to send it to every agency.",
                extra_tags=f"draft-saved {request.path}",
            )
            return redirect("strategy:detail", pk=pk)
    return render(
        request,
        "minutes/form_page.html",
        {"discussion": discussion, "form": form, "title": "Amend the minutes"},
    )


@local_authority
def delivery_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    delivery = get_object_or_404(
        Delivery.objects.select_related("version__discussion", "agency"), pk=pk
    )
    discussion = strategy_selectors.discussion_for_chair(user, delivery.version.discussion_id)
    form = RevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        lifecycle.delivery_revoke(delivery=delivery, reason=form.cleaned_data["reason"])
        audit_record(
            request,
            "minutes.sent_in_error",
            discussion_id=discussion.pk,
            obj=delivery,
            detail={"reason": form.cleaned_data["reason"]},
        )
        messages.success(request, f"The link sent to {delivery.agency} no longer works")
        return redirect("minutes:workspace", pk=discussion.pk)
    return render(
        request,
        "minutes/form_page.html",
        {
            "discussion": discussion,
            "form": form,
            "title": f"Minutes sent in error to {delivery.agency}",
        },
    )


@login_required
def version_page(request: HttpRequest, pk: int) -> HttpResponse:
    version = selectors.version_for_reader(current_user(request), pk)
    audit_record(request, "minutes.viewed", discussion_id=version.discussion_id, obj=version)
    return render(
        request, "minutes/version.html", {"version": version, **document_context(version)}
    )


@login_required
def version_pdf(request: HttpRequest, pk: int) -> HttpResponseBase:
    version = selectors.version_for_reader(current_user(request), pk)
    if not version.is_approved:
        raise Http404
    if version.pdf_status != PDFStatus.RENDERED:
        if version.pdf_failed:
            messages.error(request, "The PDF could not be made: try again from the minutes page")
        else:
            messages.info(request, "The PDF is still being made. Try again in a minute.")
        return redirect("minutes:version", pk=version.pk)
    audit_record(request, "minutes.downloaded", discussion_id=version.discussion_id, obj=version)
    response = FileResponse(
        iter([version_pdf_bytes(version)]),
        content_type="application/pdf",
        as_attachment=True,
        filename=f"{version.discussion.reference}-minutes-v{version.number}.pdf",
    )
    response["Cache-Control"] = "no-store"
    return response
