"""Shared fixtures.

CI sets REQUIRE_SERVICES=1: a test that needs PostgreSQL, Redis or Chromium then fails
when the service is missing instead of skipping.
"""

import os
import shutil
from collections.abc import Iterator

import pytest
from django.test import Client

from tests.factories import AgencyFactory, UserFactory
from tests.mail_server import ScriptedSMTP
from tests.signin.helpers import verified_client

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES", "") in {"1", "true", "yes"}


def missing_service(reason: str) -> None:
    """Skip on a newcomer's machine; fail in CI."""
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason} (REQUIRE_SERVICES is set, so this fails instead of skipping)")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _mail_in_memory(settings):  # noqa: ANN001, PT004
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def alice(db):
    """Alice manages the directory."""
    return UserFactory(username="alice", role="manager")


@pytest.fixture
def bob(db):
    """Bob chairs discussions and does not keep the directory."""
    return UserFactory(username="bob", role="chair")


@pytest.fixture
def charlie(db):
    """Charlie is a partner agency user at a hospital trust."""
    return UserFactory(username="charlie", role="partner", agency=AgencyFactory())


@pytest.fixture
def client_for(db) -> Iterator:
    def make(user) -> Client:  # noqa: ANN001
        return verified_client(user)

    yield make


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        missing_service("Debian's chromium is not installed (apt-get install chromium)")
    assert path
    return path


@pytest.fixture(autouse=True)
def _celery_tasks_run_in_the_test(settings):  # noqa: ANN001, PT004
    """Tasks queued on commit run at once in tests, so their effects can be asserted."""
    from config.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = True
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


@pytest.fixture
def scripted(settings):  # noqa: ANN001, ANN201
    """The mail backend answers each send with the next reply a test scripts."""
    settings.EMAIL_BACKEND = "tests.mail_server.ScriptedSMTP"
    settings.OUTBOX_SMTP_SESSIONS = 1  # the script is answered in order: one session
    ScriptedSMTP.script = []
    ScriptedSMTP.accepted = []
    return ScriptedSMTP
