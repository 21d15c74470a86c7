import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory
from tests.signin.helpers import PASSWORD, authenticator_for, code_from


@pytest.fixture
def mo(db):
    """Mo takes minutes."""
    return UserFactory(username="mo", role="minute_taker")


@pytest.fixture
def ada(db):
    """Ada administers the service, Django admin included."""
    return UserFactory(username="ada", role="administrator", is_staff=True, is_superuser=True)


def give_password(client: Client, username: str, *, password: str = PASSWORD, **extra):  # noqa: ANN003, ANN201
    return client.post(reverse("login"), {"username": username, "password": password, **extra})


def give_code(client: Client, code: str, *, next_to: str = ""):  # noqa: ANN201
    return client.post(reverse("signin:code"), {"code": code, "next": next_to})


def sign_in(client: Client, user) -> None:  # noqa: ANN001
    """The whole sign-in, as a person with an authenticator app does it."""
    device = authenticator_for(user)
    give_password(client, user.username)
    response = give_code(client, code_from(device))
    assert response.status_code == 302, response
