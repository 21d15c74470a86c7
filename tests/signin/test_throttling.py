"""Failed sign-ins are throttled per account and per address, with a clear page, and an
administrator can unlock an account."""

import pytest
import time_machine
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from tests.factories import UserFactory
from tests.signin.conftest import give_code, give_password
from tests.signin.helpers import authenticator_for, code_from, verified_client

pytestmark = pytest.mark.django_db

LOCKED = "Too many failed attempts to sign in"


def from_address(address: str) -> Client:
    return Client(REMOTE_ADDR=address)


def test_an_account_is_locked_after_five_failures_from_anywhere(bob):
    device = authenticator_for(bob)
    for n in range(4):
        page = give_password(from_address(f"192.0.2.{n}"), "bob", password="wrong")
        assert "Enter a correct username and password" in page.text
    fifth = give_password(from_address("192.0.2.9"), "bob", password="wrong")
    assert fifth.status_code == 429
    assert LOCKED in fifth.text
    assert "Try again in 15 minutes, or ask an administrator to unlock your account" in fifth.text

    # Even the right password, from a fresh address, is refused until the cool-off ends.
    right = give_password(from_address("198.51.100.1"), "bob")
    assert right.status_code == 429
    assert LOCKED in right.text

    with time_machine.travel(timezone.now() + timezone.timedelta(minutes=16)):
        client = from_address("198.51.100.1")
        assert give_password(client, "bob")["Location"] == reverse("signin:code")
        assert give_code(client, code_from(device)).status_code == 302


def test_one_persons_failures_never_lock_a_colleague_at_the_same_address(bob, alice):
    for _ in range(5):
        last = give_password(from_address("203.0.113.7"), "bob", password="wrong")
    assert last.status_code == 429
    assert give_password(from_address("203.0.113.7"), "bob").status_code == 429
    assert give_password(from_address("203.0.113.7"), "alice").status_code == 302


def test_an_address_is_locked_only_after_many_failures_whoever_they_try(settings):
    settings.SIGNIN_ADDRESS_FAILURE_LIMIT = 12
    UserFactory(username="victim")
    for n in range(11):  # never more than 4 against one account
        page = give_password(from_address("203.0.113.7"), f"guess{n % 3}", password="wrong")
        assert page.status_code == 200
    assert give_password(from_address("203.0.113.7"), "victim").status_code == 302
    give_password(from_address("203.0.113.7"), "guess9", password="wrong")  # the twelfth
    locked = give_password(from_address("203.0.113.7"), "victim")
    assert locked.status_code == 429
    assert LOCKED in locked.text
    assert give_password(from_address("203.0.113.8"), "victim").status_code == 302


def test_the_address_limit_defaults_to_a_hundred_failures_in_fifteen_minutes(settings):
    assert settings.SIGNIN_ADDRESS_FAILURE_LIMIT == 100
    assert settings.SIGNIN_ADDRESS_WINDOW_MINUTES == 15
    assert settings.AXES_FAILURE_LIMIT == 5


def test_wrong_security_codes_count_too(bob):
    device = authenticator_for(bob)
    client = Client()
    give_password(client, "bob")
    with time_machine.travel(timezone.now()) as traveller:
        for _ in range(4):
            assert "Enter a correct security code" in give_code(client, "000000").text
            traveller.shift(20)  # past django-otp's own slowing down
        fifth = give_code(client, "000000")
        assert fifth.status_code == 429
        assert LOCKED in fifth.text
        traveller.shift(20)
        assert give_code(client, code_from(device)).status_code == 429
    assert client.get(reverse("home")).status_code == 302


def test_a_good_sign_in_clears_the_count(bob):
    authenticator_for(bob)
    for _ in range(4):
        give_password(Client(), "bob", password="wrong")
    from tests.signin.conftest import sign_in

    sign_in(Client(), bob)
    for _ in range(4):
        give_password(Client(), "bob", password="wrong")
    assert give_password(Client(), "bob")["Location"] == reverse("signin:code")


def test_an_administrator_unlocks_an_account(bob, ada):
    authenticator_for(bob)
    for _ in range(5):
        give_password(from_address("192.0.2.1"), "bob", password="wrong")
    assert give_password(from_address("192.0.2.2"), "bob").status_code == 429

    admin = verified_client(ada)
    response = admin.post(
        reverse("admin:agencies_user_changelist"),
        {"action": "unlock_sign_in", "_selected_action": [bob.pk]},
        follow=True,
    )
    assert "Unlocked sign-in for 1 person" in response.text
    assert give_password(from_address("192.0.2.2"), "bob")["Location"] == reverse("signin:code")


def test_the_axes_admin_lists_attempts_for_administrators_only(bob, ada, alice):
    for _ in range(5):
        give_password(Client(), "bob", password="wrong")
    assert AccessAttempt.objects.filter(username="bob").exists()
    attempt = AccessAttempt.objects.get(username="bob")
    assert "wrong" not in attempt.post_data  # passwords are never stored
    url = reverse("admin:axes_accessattempt_changelist")
    assert "bob" in verified_client(ada).get(url).text
    assert verified_client(alice).get(url).status_code == 404


@pytest.mark.parametrize("proxies", [1, 2])
def test_behind_proxies_the_visitor_address_is_counted_and_recorded(settings, proxies):
    settings.TRUSTED_PROXY_COUNT = proxies
    # The client wrote 6.6.6.6; the first proxy appended the client's address; a second proxy
    # appended the first proxy's.
    forwarded = ", ".join(["6.6.6.6", "203.0.113.50", "10.0.0.2"][: proxies + 1])
    client = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    give_password(client, "nobody", password="wrong")
    assert AccessAttempt.objects.get().ip_address == "203.0.113.50"
    assert AuditEvent.objects.get(action="signin.failed").ip == "203.0.113.50"


def test_a_forged_left_most_address_neither_hides_nor_frames_anyone(settings, alice):
    """Behind one proxy, the client writes whatever it likes on the left of X-Forwarded-For;
    only the address the proxy appended is counted and recorded."""
    settings.TRUSTED_PROXY_COUNT = 1
    settings.SIGNIN_ADDRESS_FAILURE_LIMIT = 6

    def through_proxy(real: str, forged: str) -> Client:
        return Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=f"{forged}, {real}")

    for n in range(6):  # a fresh forged address and account every time
        give_password(through_proxy("203.0.113.66", f"192.0.2.{n}"), f"guess{n}", password="x")
    assert {a.ip_address for a in AccessAttempt.objects.all()} == {"203.0.113.66"}
    assert set(AuditEvent.objects.filter(action="signin.failed").values_list("ip", flat=True)) == {
        "203.0.113.66"
    }
    assert give_password(through_proxy("203.0.113.66", "192.0.2.200"), "alice").status_code == 429
    # Someone elsewhere who forges the attacker's address is not locked out with them.
    assert give_password(through_proxy("198.51.100.4", "203.0.113.66"), "alice").status_code == 302
