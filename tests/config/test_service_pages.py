"""Footer pages everyone can read, and an admin in plain words."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory
from tests.signin.helpers import verified_client


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "heading"),
    [
        ("accessibility", "Accessibility statement for"),
        ("privacy", "Privacy notice"),
        ("cookies", "Cookies"),
    ],
)
def test_footer_pages_are_linked_from_every_page_and_open_signed_out(name, heading):
    page = Client().get(reverse(name))
    assert page.status_code == 200
    assert heading in page.text
    sign_in = Client().get(reverse("login"))
    assert f'href="{reverse(name)}"' in sign_in.text


@pytest.mark.django_db
def test_the_admin_names_apps_in_plain_words():
    admin = UserFactory(username="ada", role="administrator", is_staff=True, is_superuser=True)
    page = verified_client(admin).get(reverse("admin:index"))
    assert page.status_code == 200
    for label in ("Failed sign-ins and lockouts", "Backup codes (second factor)"):
        assert label in page.text
    for raw in ("Otp_Static", "Otp_Totp", ">Axes<"):
        assert raw not in page.text
