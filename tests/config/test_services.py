"""CI runs on PostgreSQL and Redis; these make sure it really does."""

import os

import pytest
from django.conf import settings
from django.db import connection
from kombu import Connection

from tests.conftest import REQUIRE_SERVICES, missing_service


@pytest.mark.django_db
def test_database_is_postgresql_in_ci():
    if connection.vendor != "postgresql":
        missing_service("DATABASE_URL does not point at PostgreSQL")
    with connection.cursor() as cursor:
        cursor.execute("select version()")
        assert "PostgreSQL" in cursor.fetchone()[0]


def test_celery_broker_is_redis_and_answers_in_ci():
    url = settings.CELERY_BROKER_URL
    if not url.startswith("redis"):
        missing_service("REDIS_URL/CELERY_BROKER_URL does not point at Redis")
    with Connection(url, connect_timeout=3) as conn:
        conn.ensure_connection(max_retries=1)
        assert conn.connected


def test_ci_asks_for_services():
    if os.environ.get("CI") and not REQUIRE_SERVICES:
        pytest.fail("CI must set REQUIRE_SERVICES=1 so missing services fail")
