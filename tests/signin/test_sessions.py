"""Sessions end after 30 minutes left alone and 12 hours after signing in, get a new key at
sign-in, and all end when the account is deactivated."""

from datetime import timedelta

import time_machine
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from agencies.models import UserSession
from tests.signin.conftest import give_code, give_password, sign_in
from tests.signin.helpers import authenticator_for, code_from, verified_client


def signed_out(response) -> bool:  # noqa: ANN001
    return response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_thirty_minutes_left_alone_signs_out_with_a_message(bob):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client = verified_client(bob)
        traveller.shift(timedelta(minutes=29))
        assert client.get(reverse("home")).status_code == 200
        traveller.shift(timedelta(minutes=29))  # still fine: the clock started again
        assert client.get(reverse("home")).status_code == 200
        traveller.shift(timedelta(minutes=31))
        response = client.get("/discussions/")
        assert signed_out(response)
        assert response["Location"] == "/sign-in/?next=/discussions/"
        page = client.get(response["Location"])
        assert "We signed you out because you had not used the service for 30 minutes" in (
            page.text
        )


def test_coming_back_hours_later_still_says_why(bob):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client = verified_client(bob)
        traveller.shift(timedelta(hours=3))
        page = client.get(reverse("login"))
        assert "We signed you out because you had not used the service" in page.text
        assert client.get(reverse("home"))["Location"].startswith(reverse("login"))


def test_the_idle_limit_comes_from_settings(bob, settings):
    settings.SIGNIN_IDLE_MINUTES = 10
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client = verified_client(bob)
        traveller.shift(timedelta(minutes=11))
        assert signed_out(client.get(reverse("home")))


def test_asking_how_long_is_left_is_not_activity_but_staying_signed_in_is(bob):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client = verified_client(bob)
        traveller.shift(timedelta(minutes=20))
        status = client.get(reverse("signin:keep_alive"), HTTP_ACCEPT="application/json")
        assert status.json() == {"seconds_left": 10 * 60}
        traveller.shift(timedelta(minutes=9))
        stay = client.post(reverse("signin:keep_alive"), HTTP_ACCEPT="application/json")
        assert stay.json() == {"seconds_left": 30 * 60}
        traveller.shift(timedelta(minutes=29))
        assert client.get(reverse("home")).status_code == 200


def test_pages_carry_the_time_left_for_the_warning(bob):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client = verified_client(bob)
        traveller.shift(timedelta(seconds=30))  # too soon to count as activity again
        page = client.get(reverse("home"))
    assert 'data-seconds-left="1770"' in page.text
    assert 'data-warning-seconds="120"' in page.text
    assert "<script>" not in page.text  # values go by data- attributes, never inline script
    assert "data-seconds-left" not in Client().get(reverse("login")).text


def test_twelve_hours_after_signing_in_even_a_busy_person_signs_in_again(bob):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client = verified_client(bob)
        for _ in range(11 * 3 + 2):  # a request every 20 minutes for 11h40m
            traveller.shift(timedelta(minutes=20))
            assert client.get(reverse("home")).status_code == 200
        traveller.shift(timedelta(minutes=21))
        response = client.get(reverse("home"))
        assert signed_out(response)
        page = client.get(response["Location"])
        assert "because you had been signed in for 12 hours" in page.text


def test_signing_in_gives_a_new_session_key(bob):
    device = authenticator_for(bob)
    client = Client()
    client.get(reverse("login"))
    client.session.save()
    before = client.session.session_key
    give_password(client, "bob")
    between = client.cookies["sessionid"].value
    give_code(client, code_from(device))
    after = client.cookies["sessionid"].value
    assert len({before, between, after}) == 3
    assert not Session.objects.filter(session_key__in=[before, between]).exists()
    assert UserSession.objects.get(user=bob).session_key == after


def test_deactivating_an_account_ends_all_its_sessions(bob, alice):
    laptop, phone = Client(), Client()
    sign_in(laptop, bob)
    sign_in(phone, bob)
    someone_else = verified_client(alice)
    keys = set(UserSession.objects.filter(user=bob).values_list("session_key", flat=True))
    assert len(keys) == 2

    bob.is_active = False
    bob.save()

    assert not Session.objects.filter(session_key__in=keys).exists()
    assert not UserSession.objects.filter(user=bob).exists()
    assert signed_out(laptop.get(reverse("home")))
    assert signed_out(phone.get(reverse("home")))
    assert someone_else.get(reverse("home")).status_code == 200


def test_an_administrator_resetting_a_second_factor_signs_the_person_out(bob, ada):
    laptop = Client()
    sign_in(laptop, bob)
    response = verified_client(ada).post(
        reverse("admin:agencies_user_changelist"),
        {"action": "reset_second_factor", "_selected_action": [bob.pk]},
        follow=True,
    )
    assert "Second factor reset and signed out everywhere for 1 person" in response.text
    assert signed_out(laptop.get(reverse("home")))
    # At the next sign-in, a password leads to setting up a new app.
    assert give_password(Client(), "bob")["Location"] == reverse("signin:setup")


def test_signing_out_forgets_the_session(bob):
    client = Client()
    sign_in(client, bob)
    assert UserSession.objects.filter(user=bob).count() == 1
    client.post(reverse("logout"))
    assert not UserSession.objects.filter(user=bob).exists()


def test_sign_out_is_a_link_in_the_header_and_its_page_signs_out_only_on_the_button(bob):
    client = Client()
    sign_in(client, bob)
    header = client.get(reverse("home"), follow=True).text.split("</nav>")[0]
    assert f'<a class="govuk-service-navigation__link" href="{reverse("logout")}"' in header
    assert "<button" not in header.split('id="navigation"')[1]

    page = client.get(reverse("logout"))
    assert page.status_code == 200
    assert 'form="sign-out"' in page.text and ">Sign out</button>" in page.text
    assert UserSession.objects.filter(user=bob).exists(), "opening the page signs nobody out"

    client.post(reverse("logout"))
    assert not UserSession.objects.filter(user=bob).exists()
    assert client.get(reverse("logout"))["Location"] == reverse("login")
