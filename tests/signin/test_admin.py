"""Administrators exempt a partner agency from the second factor only with a recorded reason."""

from django.forms.models import model_to_dict
from django.test import Client
from django.urls import reverse

from agencies.models import Agency
from tests.signin.conftest import give_password
from tests.signin.helpers import verified_client

INLINE = {"contacts-TOTAL_FORMS": 0, "contacts-INITIAL_FORMS": 0}


def change(admin: Client, agency: Agency, **fields):  # noqa: ANN003, ANN201
    url = reverse("admin:agencies_agency_change", args=[agency.pk])
    data = {k: v for k, v in model_to_dict(agency).items() if v is not None}
    return admin.post(url, {**data, **INLINE, **fields})


def test_an_exemption_needs_a_reason_and_is_dated(ada, charlie):
    admin = verified_client(ada)
    agency = charlie.agency
    page = admin.get(reverse("admin:agencies_agency_change", args=[agency.pk]))
    assert "Partner users at this agency may sign in without a second factor" in page.text

    refused = change(admin, agency, two_factor_exempt="on", two_factor_exempt_reason=" ")
    assert "Enter why this agency&#x27;s users may sign in without a second factor" in (
        refused.text
    )
    agency.refresh_from_db()
    assert not agency.is_two_factor_exempt

    reason = "Ward staff use shared computers and may not carry phones."
    saved = change(admin, agency, two_factor_exempt="on", two_factor_exempt_reason=reason)
    assert saved.status_code == 302
    agency.refresh_from_db()
    assert agency.is_two_factor_exempt
    assert agency.two_factor_exempt_reason == reason
    assert give_password(Client(), "charlie")["Location"] == reverse("home")

    # Taking it away clears the reason, and the partner needs an app again.
    assert change(admin, agency, two_factor_exempt_reason=reason).status_code == 302
    agency.refresh_from_db()
    assert agency.two_factor_exempted_at is None
    assert agency.two_factor_exempt_reason == ""
    assert give_password(Client(), "charlie")["Location"] == reverse("signin:setup")


def test_an_exemption_never_covers_other_roles(bob, charlie):
    agency = charlie.agency
    bob.agency = agency
    bob.save()
    agency.two_factor_exempt_reason = "Shared computers."
    agency.save()
    Agency.objects.filter(pk=agency.pk).update(two_factor_exempted_at="2026-01-01T00:00Z")
    bob.refresh_from_db()
    assert bob.requires_second_factor
    charlie.refresh_from_db()
    assert not charlie.requires_second_factor
