"""A fictional partnership frozen at noon on Wednesday 18 March 2026, with the people who
use the dashboards: Maya manages, Adam administers, Chris chairs for North, Nadia chairs
for South, Mina takes minutes and Pat works for a partner agency."""

from collections.abc import Iterator

import pytest
import time_machine

from tests.dashboards import builders as b
from tests.factories import UserFactory

NOW = b.at(18, 12)


@pytest.fixture(autouse=True)
def _quick_passwords(settings) -> None:  # noqa: ANN001, PT004
    """Six people a test: hashing their passwords properly would take most of its time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def p(db) -> b.Partnership:  # noqa: ANN001
    partnership = b.partnership()
    partnership.people = {
        "maya": UserFactory(username="maya", role="manager"),
        "adam": UserFactory(username="adam", role="administrator"),
        "chris": partnership.chris,
        "nadia": partnership.nadia,
        "mina": partnership.mina,
        "pat": UserFactory(username="pat", role="partner", agency=partnership.agencies["hospital"]),
    }
    return partnership


@pytest.fixture
def maya(p):  # noqa: ANN001
    return p.people["maya"]
