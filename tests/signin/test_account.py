"""Your account: changing the email address or the second factor asks for the password and a
current code first."""

import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from agencies.signin import second_factor
from tests.signin.conftest import give_code, give_password, sign_in
from tests.signin.helpers import code_from

CONFIRM = reverse("signin:reauthenticate")


def signed_in(user) -> Client:  # noqa: ANN001
    client = Client()
    sign_in(client, user)
    return client


def confirm(client: Client, user, *, password: str = "a-long-test-password", next_to: str = ""):  # noqa: ANN001, ANN201
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    return client.post(CONFIRM, {"password": password, "code": code_from(device), "next": next_to})


def test_the_account_page_shows_how_they_sign_in(bob):
    client = signed_in(bob)
    second_factor.backup_codes_issue(user=bob)
    page = client.get(reverse("signin:account"))
    assert "Your account" in page.text
    assert "bob@eastmere.gov.uk" in page.text
    assert "10 left" in page.text


def test_changing_email_needs_the_password_and_a_code_again(bob):
    client = signed_in(bob)
    response = client.get(reverse("signin:email"))
    assert response["Location"] == f"{CONFIRM}?next=%2Faccount%2Femail%2F"
    refused = client.post(reverse("signin:email"), {"email": "thief@evil.example"})
    assert refused["Location"].startswith(CONFIRM)
    bob.refresh_from_db()
    assert bob.email == "bob@eastmere.gov.uk"

    with time_machine.travel(timezone.now()) as traveller:
        wrong = confirm(client, bob, password="not-it", next_to="/account/email/")
        assert "Enter your correct password" in wrong.text
        traveller.shift(40)  # a new code, and past django-otp's slowing down
        assert confirm(client, bob, next_to="/account/email/")["Location"] == "/account/email/"
    saved = client.post(reverse("signin:email"), {"email": "bob.new@eastmere.gov.uk"})
    assert saved["Location"] == reverse("signin:account")
    bob.refresh_from_db()
    assert bob.email == "bob.new@eastmere.gov.uk"
    # One confirmation, one change.
    assert client.get(reverse("signin:email"))["Location"].startswith(CONFIRM)


def test_a_confirmation_lasts_ten_minutes(bob):
    client = signed_in(bob)
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        confirm(client, bob)
        traveller.shift(11 * 60)
        assert client.get(reverse("signin:email"))["Location"].startswith(CONFIRM)


def test_a_wrong_code_does_not_confirm(bob):
    client = signed_in(bob)
    with time_machine.travel(timezone.now()) as traveller:
        traveller.shift(40)
        response = client.post(CONFIRM, {"password": "a-long-test-password", "code": "000000"})
    assert "Enter a correct security code" in response.text
    assert client.get(reverse("signin:email"))["Location"].startswith(CONFIRM)


def test_replacing_the_app_needs_confirming_and_retires_the_old_one_and_old_codes(bob):
    client = signed_in(bob)
    old_device = TOTPDevice.objects.get(user=bob)
    old_codes = second_factor.backup_codes_issue(user=bob)
    assert client.get(reverse("signin:setup"))["Location"].startswith(CONFIRM)

    with time_machine.travel(timezone.now()) as traveller:
        traveller.shift(40)
        confirm(client, bob, next_to=reverse("signin:setup"))
        page = client.get(reverse("signin:setup"))
        assert "Set up a new authenticator app" in page.text
        new_device = TOTPDevice.objects.get(user=bob, confirmed=False)
        done = client.post(reverse("signin:setup"), {"code": code_from(new_device)})
        assert done["Location"] == reverse("signin:backup_codes")
        shown = client.get(done["Location"]).text
        new_codes = StaticToken.objects.filter(device__user=bob).values_list("token", flat=True)
        assert len(new_codes) == 10
        assert all(code in shown for code in new_codes)
        assert not TOTPDevice.objects.filter(pk=old_device.pk).exists()
        assert not StaticToken.objects.filter(token__in=old_codes).exists()

        # Signing in now takes a code from the new app.
        traveller.shift(40)
        again = Client()
        give_password(again, "bob")
        assert "Enter a correct security code" in give_code(again, old_codes[0]).text
        traveller.shift(40)
        assert give_code(again, code_from(new_device)).status_code == 302


def test_new_backup_codes_need_confirming(bob):
    client = signed_in(bob)
    old_codes = second_factor.backup_codes_issue(user=bob)
    assert client.post(reverse("signin:backup_codes_renew"))["Location"].startswith(CONFIRM)
    assert StaticToken.objects.filter(token__in=old_codes).count() == 10
    with time_machine.travel(timezone.now()) as traveller:
        traveller.shift(40)
        confirm(client, bob)
    assert "Get new backup codes" in client.get(reverse("signin:backup_codes_renew")).text
    shown = client.post(reverse("signin:backup_codes_renew"), follow=True)
    assert "Save your backup codes" in shown.text
    assert not StaticToken.objects.filter(token__in=old_codes).exists()


def test_a_person_without_a_second_factor_confirms_with_their_password(charlie):
    charlie.agency.two_factor_exempted_at = timezone.now()
    charlie.agency.two_factor_exempt_reason = "Shared computers."
    charlie.agency.save()
    client = Client()
    give_password(client, "charlie")
    page = client.get(CONFIRM)
    assert "Security code" not in page.text
    client.post(CONFIRM, {"password": "a-long-test-password"})
    saved = client.post(reverse("signin:email"), {"email": "charlie@nhs.net"})
    assert saved["Location"] == reverse("signin:account")
    # And may choose to set up an app without confirming again: they have none to replace.
    assert client.get(reverse("signin:setup")).status_code == 200
