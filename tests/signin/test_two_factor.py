"""A password and then a code from an authenticator app, or a backup code, for everyone who
must have a second factor; setting one up before anything else when they have none."""

import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from agencies.signin import second_factor
from tests.signin.conftest import give_code, give_password
from tests.signin.helpers import authenticator_for, code_from

REQUIRED_ROLES = ["alice", "bob", "mo", "ada"]  # manager, chair, minute-taker, administrator


def test_a_password_alone_does_not_sign_in_someone_with_an_app(bob):
    device = authenticator_for(bob)
    client = Client()
    response = give_password(client, "bob")
    assert response["Location"] == reverse("signin:code")
    assert client.get(reverse("home"))["Location"].startswith(reverse("login"))

    page = client.get(reverse("signin:code"))
    assert "Enter your security code" in page.text
    assert give_code(client, code_from(device))["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200


def test_a_wrong_code_is_explained_and_does_not_sign_in(bob):
    authenticator_for(bob)
    client = Client()
    give_password(client, "bob")
    page = give_code(client, "000000")
    assert page.status_code == 200
    assert "Enter a correct security code" in page.text
    assert "<title>Error: " in page.text
    assert client.get(reverse("home")).status_code == 302


def test_a_code_is_accepted_once(bob):
    device = authenticator_for(bob)
    code = code_from(device)
    first, second = Client(), Client()
    give_password(first, "bob")
    give_password(second, "bob")
    assert give_code(first, code).status_code == 302
    assert "Enter a correct security code" in give_code(second, code).text


def test_a_backup_code_works_once(bob):
    device = authenticator_for(bob)
    codes = second_factor.backup_codes_issue(user=bob)
    assert len(codes) == 10
    client = Client()
    give_password(client, "bob")
    # Typed with a space and in capitals, as people do.
    spaced = f"{codes[0][:4]} {codes[0][4:]}".upper()
    response = give_code(client, spaced)
    assert response["Location"] == reverse("home")
    assert "You signed in with a backup code. You have 9 left" in client.get(reverse("home")).text

    again = Client()
    give_password(again, "bob")
    assert "Enter a correct security code" in give_code(again, codes[0]).text
    assert StaticToken.objects.filter(device__user=bob).count() == 9
    assert device.confirmed


def test_the_code_step_expires(bob):
    authenticator_for(bob)
    client = Client()
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        give_password(client, "bob")
        traveller.shift(6 * 60)
        response = give_code(client, code_from(TOTPDevice.objects.get(user=bob)))
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("who", REQUIRED_ROLES)
def test_everyone_but_partners_must_set_up_an_app_before_anything_else(who, request):
    user = request.getfixturevalue(who)
    client = Client()
    response = give_password(client, who, next="/discussions/")
    assert response["Location"] == reverse("signin:setup") + "?next=%2Fdiscussions%2F"
    for url in ("/", "/discussions/", "/agencies/", "/admin/", reverse("signin:account")):
        refused = client.get(url)
        assert refused.status_code == 302, url
        assert refused["Location"].startswith(reverse("signin:setup")), url
    assert client.get(reverse("signin:setup")).status_code == 200
    assert not TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def test_a_partner_needs_an_app_unless_their_agency_is_exempt(charlie):
    client = Client()
    assert give_password(client, "charlie")["Location"].startswith(reverse("signin:setup"))

    agency = charlie.agency
    agency.two_factor_exempted_at = timezone.now()
    agency.two_factor_exempt_reason = "Staff use shared ward computers and may not carry phones."
    agency.save()
    exempt = Client()
    assert give_password(exempt, "charlie")["Location"] == reverse("home")
    assert exempt.get(reverse("minutes:partner")).status_code == 200


def test_an_exempt_partner_who_set_up_an_app_still_gives_a_code(charlie):
    charlie.agency.two_factor_exempted_at = timezone.now()
    charlie.agency.two_factor_exempt_reason = "Shared computers."
    charlie.agency.save()
    authenticator_for(charlie)
    assert give_password(Client(), "charlie")["Location"] == reverse("signin:code")


def test_setting_up_an_app_then_going_where_they_were_going(bob):
    client = Client()
    give_password(client, "bob", next="/discussions/")
    page = client.get(reverse("signin:setup") + "?next=/discussions/")
    assert "Set up an authenticator app" in page.text
    assert "<svg" in page.text  # the QR code, drawn inline
    device = TOTPDevice.objects.get(user=bob, confirmed=False)
    secret = re.search(r'id="secret-key">([A-Z2-7 ]+)<', page.text).group(1)
    assert secret.replace(" ", "") in device.config_url
    assert "otpauth://totp/" in page.text

    # Reloading keeps the same secret: the person may have scanned it already.
    assert secret in client.get(reverse("signin:setup")).text

    with time_machine.travel(timezone.now()) as traveller:
        wrong = client.post(reverse("signin:setup"), {"code": "123456", "next": "/discussions/"})
        assert "Enter the code your app shows now" in wrong.text
        traveller.shift(2)  # django-otp slows down guessing after a wrong code
        done = client.post(
            reverse("signin:setup"), {"code": code_from(device), "next": "/discussions/"}
        )
    assert done["Location"] == reverse("signin:backup_codes") + "?next=%2Fdiscussions%2F"
    codes_page = client.get(done["Location"])
    tokens = list(StaticToken.objects.filter(device__user=bob).values_list("token", flat=True))
    assert len(tokens) == 10
    assert all(token in codes_page.text for token in tokens)
    assert 'href="/discussions/"' in codes_page.text
    # Shown once only.
    assert client.get(reverse("signin:backup_codes"))["Location"] == reverse("signin:account")
    assert client.get("/discussions/").status_code == 200


def test_the_way_back_survives_every_step(bob):
    """The draft-restoring script relies on coming back to the same form."""
    device = authenticator_for(bob)
    client = Client()
    form_url = "/discussions/1/analysis/?tab=2"
    login_page = client.get(form_url)
    assert login_page["Location"] == "/sign-in/?next=/discussions/1/analysis/%3Ftab%3D2"
    response = give_password(client, "bob", next=form_url)
    assert response["Location"] == "/sign-in/code/?next=%2Fdiscussions%2F1%2Fanalysis%2F%3Ftab%3D2"
    assert f'value="{form_url}"' in client.get(response["Location"]).text
    assert give_code(client, code_from(device), next_to=form_url)["Location"] == form_url


def test_no_way_back_to_another_site(bob):
    device = authenticator_for(bob)
    client = Client()
    give_password(client, "bob", next="https://evil.example/")
    assert give_code(client, code_from(device), next_to="https://evil.example/")[
        "Location"
    ] == reverse("home")


def test_the_admin_needs_the_second_factor_too(ada):
    device = authenticator_for(ada)
    client = Client()
    response = client.get("/admin/")
    assert response["Location"].startswith(reverse("login"))
    give_password(client, "ada", next="/admin/")
    assert client.get("/admin/")["Location"].startswith(reverse("login"))
    assert give_code(client, code_from(device), next_to="/admin/")["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_demo_users_sign_in_with_their_printed_backup_codes(db, capsys):
    from django.core.management import call_command

    call_command("load_demo_data")
    printed = capsys.readouterr().out
    line = printed.split("  chair ")[1].split("backup codes: ")[1].splitlines()[0]
    codes = line.split()
    assert len(codes) == 10
    client = Client()
    give_password(client, "chair", password="eastmere-demo-2026")
    assert give_code(client, codes[0])["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200
