from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from agencies import services
from agencies.access import role_required
from agencies.forms import AgencyForm, AgencySearchForm, ContactForm
from agencies.models import Agency, Contact, Role

directory_keepers = role_required(Role.MANAGER, Role.ADMINISTRATOR)


@directory_keepers
def agency_list(request: HttpRequest) -> HttpResponse:
    search = AgencySearchForm(request.GET or None)
    agencies = Agency.objects.all()
    if search.is_valid():
        agencies = agencies.search(search.cleaned_data["q"])
        if search.cleaned_data["kind"]:
            agencies = agencies.filter(kind=search.cleaned_data["kind"])
        if not search.cleaned_data["include_inactive"]:
            agencies = agencies.active()
    else:
        agencies = agencies.active()
    page = Paginator(agencies, 25).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "agencies/agency_list.html",
        {"search": search, "page": page, "query": query.urlencode()},
    )


@directory_keepers
def agency_detail(request: HttpRequest, pk: int) -> HttpResponse:
    agency = get_object_or_404(Agency, pk=pk)
    return render(
        request,
        "agencies/agency_detail.html",
        {"agency": agency, "contacts": agency.contacts.order_by("deactivated_at", "name")},
    )


@directory_keepers
def agency_create(request: HttpRequest) -> HttpResponse:
    form = AgencyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        agency = services.agency_create(**form.cleaned_data)
        messages.success(request, f"{agency.name} added to the directory")
        return redirect("agencies:detail", pk=agency.pk)
    return render(request, "agencies/agency_form.html", {"form": form, "agency": None})


@directory_keepers
def agency_update(request: HttpRequest, pk: int) -> HttpResponse:
    agency = get_object_or_404(Agency, pk=pk)
    form = AgencyForm(request.POST or None, instance=Agency.objects.get(pk=pk))
    if request.method == "POST" and form.is_valid():
        services.agency_update(agency=agency, **form.cleaned_data)
        messages.success(request, f"{agency.name} updated")
        return redirect("agencies:detail", pk=agency.pk)
    return render(request, "agencies/agency_form.html", {"form": form, "agency": agency})


@directory_keepers
def agency_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    agency = get_object_or_404(Agency, pk=pk)
    if request.method == "POST":
        services.agency_deactivate(agency=agency)
        messages.success(
            request, f"{agency.name} deactivated: it can no longer be invited to a discussion"
        )
        return redirect("agencies:detail", pk=agency.pk)
    return render(request, "agencies/agency_deactivate.html", {"agency": agency})


@directory_keepers
@require_POST
def agency_reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    agency = get_object_or_404(Agency, pk=pk)
    services.agency_reactivate(agency=agency)
    messages.success(request, f"{agency.name} reactivated")
    return redirect("agencies:detail", pk=agency.pk)


@directory_keepers
def contact_create(request: HttpRequest, agency_pk: int) -> HttpResponse:
    agency = get_object_or_404(Agency, pk=agency_pk)
    form = ContactForm(request.POST or None, instance=Contact(agency=agency))
    if request.method == "POST" and form.is_valid():
        contact = services.contact_save(contact=form.instance)
        messages.success(request, f"{contact.name} added to {agency.name}")
        return redirect("agencies:detail", pk=agency.pk)
    return render(
        request, "agencies/contact_form.html", {"form": form, "agency": agency, "contact": None}
    )


@directory_keepers
def contact_update(request: HttpRequest, agency_pk: int, pk: int) -> HttpResponse:
    contact = get_object_or_404(Contact, pk=pk, agency_id=agency_pk)
    form = ContactForm(request.POST or None, instance=contact)
    if request.method == "POST" and form.is_valid():
        services.contact_save(contact=form.instance)
        messages.success(request, f"{contact.name} updated")
        return redirect("agencies:detail", pk=agency_pk)
    return render(
        request,
        "agencies/contact_form.html",
        {"form": form, "agency": contact.agency, "contact": contact},
    )


@directory_keepers
@require_POST
def contact_deactivate(request: HttpRequest, agency_pk: int, pk: int) -> HttpResponse:
    contact = get_object_or_404(Contact, pk=pk, agency_id=agency_pk)
    services.contact_deactivate(contact=contact)
    messages.success(request, f"{contact.name} deactivated")
    return redirect("agencies:detail", pk=agency_pk)
