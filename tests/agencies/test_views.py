import pytest
from django.urls import reverse

from agencies.models import Agency, AgencyKind, Contact
from tests.factories import AgencyFactory, ContactFactory

VALID = {
    "name": "Northgate Surgery",
    "kind": AgencyKind.GP_PRACTICE,
    "secure_email": "northgate.surgery@nhs.net",
    "phone": "01632 960100",
    "ods_code": "z90100",
}


def test_manager_adds_an_agency_and_sees_it(alice, client_for):
    client = client_for(alice)
    response = client.post(reverse("agencies:create"), VALID, follow=True)
    assert response.status_code == 200
    assert "Northgate Surgery added to the directory" in response.text
    agency = Agency.objects.get(name="Northgate Surgery")
    assert agency.ods_code == "Z90100"
    assert agency.is_active


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"secure_email": "not-an-email"}, "secure_email", "Enter an email address in the correct"),
        ({"name": ""}, "name", "Enter the GP practice&#x27;s name"),
        ({"name": "", "kind": AgencyKind.POLICE}, "name", "Enter the agency&#x27;s name"),
        ({"kind": ""}, "kind", "Select the kind of agency"),
        ({"phone": "", "kind": AgencyKind.POLICE}, "phone", "Enter a phone number"),
        ({"ods_code": "A-1"}, "ods_code", "ODS code must be 3 to 6 letters and numbers"),
        (
            {"secure_email": "reception@gmail.example"},
            "insecure_email_reason",
            "Give a reason for sending minutes to reception@gmail.example",
        ),
    ],
)
def test_bad_agency_input_is_explained_and_nothing_saved(alice, client_for, change, field, message):
    response = client_for(alice).post(reverse("agencies:create"), {**VALID, **change})
    assert response.status_code == 200
    assert "There is a problem" in response.text
    assert message in response.text
    assert f'href="#id_{field}"' in response.text  # error summary links to the field
    assert not Agency.objects.exists()
    # what was typed is still in the form
    if change.get("secure_email"):
        assert change["secure_email"] in response.text


def test_duplicate_agency_name_is_refused_ignoring_case(alice, client_for):
    AgencyFactory(name="Northgate Surgery")
    response = client_for(alice).post(
        reverse("agencies:create"), {**VALID, "name": "NORTHGATE surgery"}
    )
    assert "An agency called NORTHGATE surgery is already in the directory" in response.text
    assert Agency.objects.count() == 1


def test_address_outside_secure_domains_needs_a_reason_and_is_flagged_everywhere(alice, client_for):
    client = client_for(alice)
    data = {
        **VALID,
        "name": "Eastmere Homes",
        "kind": AgencyKind.HOUSING,
        "secure_email": "safeguarding@eastmerehomes.example",
        "insecure_email_reason": "Agreed by the partnership board: no secure domain yet.",
    }
    response = client.post(reverse("agencies:create"), data, follow=True)
    assert "Not a secure email domain" in response.text
    assert "Agreed by the partnership board" in response.text
    listing = client.get(reverse("agencies:list"))
    assert "Not a secure email domain" in listing.text


def test_secure_address_needs_no_reason_and_drops_a_stale_one(alice, client_for):
    client_for(alice).post(
        reverse("agencies:create"), {**VALID, "insecure_email_reason": "left over"}
    )
    agency = Agency.objects.get()
    assert agency.insecure_email_reason == ""
    assert agency.has_secure_email


def test_editing_keeps_typed_values_on_error_and_saves_on_success(alice, client_for):
    agency = AgencyFactory(name="Harbour Lane Surgery", kind=AgencyKind.GP_PRACTICE)
    client = client_for(alice)
    url = reverse("agencies:update", args=[agency.pk])
    bad = client.post(url, {**VALID, "name": "Harbour Lane Surgery", "secure_email": "oops"})
    assert "Enter an email address in the correct format" in bad.text
    assert 'value="oops"' in bad.text
    agency.refresh_from_db()
    assert agency.secure_email != "oops"
    client.post(url, {**VALID, "name": "Harbour Lane Surgery"})
    agency.refresh_from_db()
    assert agency.secure_email == "northgate.surgery@nhs.net"


def test_deactivated_agency_leaves_the_list_but_keeps_its_record(alice, client_for):
    agency = AgencyFactory(name="Old Practice")
    client = client_for(alice)
    confirm = client.get(reverse("agencies:deactivate", args=[agency.pk]))
    assert "Deactivate Old Practice?" in confirm.text
    done = client.post(reverse("agencies:deactivate", args=[agency.pk]), follow=True)
    assert "can no longer be invited" in done.text
    agency.refresh_from_db()
    assert agency.deactivated_at is not None
    assert "Old Practice" not in client.get(reverse("agencies:list")).text
    assert "Old Practice" in client.get(reverse("agencies:list") + "?include_inactive=on").text
    assert Agency.objects.active().count() == 0
    detail = client.get(reverse("agencies:detail", args=[agency.pk]))
    assert "cannot be invited to new discussions" in detail.text
    client.post(reverse("agencies:reactivate", args=[agency.pk]))
    agency.refresh_from_db()
    assert agency.is_active


def test_search_by_name_kind_and_ods_code(alice, client_for):
    AgencyFactory(name="Riverside Medical Centre", kind=AgencyKind.GP_PRACTICE, ods_code="Z90001")
    AgencyFactory(name="Eastmere Constabulary", kind=AgencyKind.POLICE)
    client = client_for(alice)
    by_name = client.get(reverse("agencies:list"), {"q": "riverside"})
    assert "Riverside Medical Centre" in by_name.text
    assert "Eastmere Constabulary" not in by_name.text
    by_kind = client.get(reverse("agencies:list"), {"kind": AgencyKind.POLICE})
    assert "Eastmere Constabulary" in by_kind.text
    assert "Riverside" not in by_kind.text
    by_code = client.get(reverse("agencies:list"), {"q": "z90001"})
    assert "Riverside Medical Centre" in by_code.text


def test_long_directory_pages(alice, client_for):
    AgencyFactory.create_batch(30)
    client = client_for(alice)
    first = client.get(reverse("agencies:list"))
    assert "30 agencies" in first.text
    assert "Page 1 of 2" in first.text
    second = client.get(reverse("agencies:list"), {"page": 2})
    assert second.text.count("govuk-table__row") == 5 + 1  # five agencies and the header


def test_people_are_added_changed_and_deactivated(alice, client_for):
    agency = AgencyFactory()
    client = client_for(alice)
    add = reverse("agencies:contact_create", args=[agency.pk])
    bad = client.post(add, {"name": "Dr Lena Quill", "role": "GP", "email": "lena@"})
    assert "Enter an email address in the correct format" in bad.text
    assert not Contact.objects.exists()
    client.post(
        add,
        {
            "name": "Dr Lena Quill",
            "role": "GP",
            "email": "lena.quill@nhs.net",
            "is_safeguarding_lead": "on",
        },
    )
    contact = Contact.objects.get()
    assert list(agency.safeguarding_leads()) == [contact]
    client.post(reverse("agencies:contact_deactivate", args=[agency.pk, contact.pk]))
    contact.refresh_from_db()
    assert not contact.is_active
    assert list(agency.safeguarding_leads()) == []


def test_a_contact_is_only_reachable_through_its_own_agency(alice, client_for):
    contact = ContactFactory()
    other = AgencyFactory()
    url = reverse("agencies:contact_update", args=[other.pk, contact.pk])
    assert client_for(alice).get(url).status_code == 404


@pytest.mark.parametrize("who", ["bob", "charlie"])
def test_directory_is_404_for_people_who_do_not_keep_it(who, request, client_for):
    user = request.getfixturevalue(who)
    agency = AgencyFactory()
    client = client_for(user)
    for name, args in [
        ("agencies:list", []),
        ("agencies:create", []),
        ("agencies:detail", [agency.pk]),
        ("agencies:update", [agency.pk]),
        ("agencies:deactivate", [agency.pk]),
        ("agencies:contact_create", [agency.pk]),
    ]:
        assert client.get(reverse(name, args=args)).status_code == 404, name
    client.post(reverse("agencies:deactivate", args=[agency.pk]))
    agency.refresh_from_db()
    assert agency.is_active


def test_signed_out_visitors_are_sent_to_sign_in(db, client):
    response = client.get(reverse("agencies:list"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
