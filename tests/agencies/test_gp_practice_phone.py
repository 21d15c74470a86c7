"""A GP practice may be added without a phone number; every other kind still needs one."""

from django.urls import reverse

from agencies.models import Agency, AgencyKind

GP_PRACTICE = {
    "name": "Fictional Fenbrook Surgery",
    "kind": AgencyKind.GP_PRACTICE,
    "secure_email": "fenbrook.surgery@nhs.net",
    "phone": "",
    "ods_code": "Y99010",
}


def test_manager_adds_a_gp_practice_without_a_phone_number(alice, client_for):
    response = client_for(alice).post(reverse("agencies:create"), GP_PRACTICE, follow=True)
    assert "Fictional Fenbrook Surgery added to the directory" in response.text
    assert Agency.objects.get(name="Fictional Fenbrook Surgery").phone == ""


def test_a_gp_practice_keeps_its_phone_number_when_given_one(alice, client_for):
    client_for(alice).post(
        reverse("agencies:create"), {**GP_PRACTICE, "phone": " 01632 960111 "}, follow=True
    )
    assert Agency.objects.get(name="Fictional Fenbrook Surgery").phone == "01632 960111"


def test_another_kind_without_a_phone_number_is_still_asked_for_one(alice, client_for):
    data = {**GP_PRACTICE, "name": "Eastmere Homes", "kind": AgencyKind.HOUSING}
    response = client_for(alice).post(reverse("agencies:create"), data)
    assert "Enter a phone number" in response.text
    assert 'href="#id_phone"' in response.text
    assert not Agency.objects.exists()


def test_the_phone_number_can_be_removed_from_a_gp_practice(alice, client_for):
    client = client_for(alice)
    client.post(reverse("agencies:create"), {**GP_PRACTICE, "phone": "01632 960111"})
    agency = Agency.objects.get()
    response = client.post(reverse("agencies:update", args=[agency.pk]), GP_PRACTICE, follow=True)
    assert response.status_code == 200
    agency.refresh_from_db()
    assert agency.phone == ""
