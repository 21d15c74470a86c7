"""A worker process keeps its database connection from one task to the next, as a web process
does from one request to the next, and a connection the database dropped costs a reconnect,
not a failed task.

Celery's Django fixup is what a real worker runs around each task; these drive it and the
task signals the way the worker does, against the test database."""

from collections.abc import Iterator

import pytest
from celery import signals
from celery.fixups.django import DjangoWorkerFixup
from django.db import connection, transaction

from config.celery import app
from outbox.tasks import send_messages
from tests.conftest import missing_service


@pytest.fixture
def postgres(transactional_db) -> Iterator[None]:  # noqa: ANN001
    if connection.vendor != "postgresql":
        missing_service("connection reuse is about PostgreSQL's connections")
    if not connection.settings_dict["CONN_MAX_AGE"]:
        pytest.fail("A server database must keep its connections (DATABASE_CONN_MAX_AGE)")
    yield
    connection.close()


def backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return int(cursor.fetchone()[0])


def around_a_task(fixup: DjangoWorkerFixup) -> None:
    """What the worker does before and after each task, with no work in between."""
    fixup.on_task_prerun(sender=send_messages)
    signals.task_prerun.send(sender=send_messages, task_id="t", task=send_messages)
    fixup.on_task_postrun(sender=send_messages)
    signals.task_postrun.send(sender=send_messages, task_id="t", task=send_messages)


def test_tasks_one_after_another_use_one_connection(postgres):
    fixup = DjangoWorkerFixup(app)
    first = backend_pid()
    for _ in range(5):
        around_a_task(fixup)
        assert backend_pid() == first


def test_a_connection_the_database_dropped_is_replaced_before_the_next_task(postgres):
    fixup = DjangoWorkerFixup(app)
    dropped = backend_pid()
    other = connection.copy()  # a second connection, with the test database's own settings
    try:
        with other.cursor() as cursor:  # as a database restart would
            cursor.execute("SELECT pg_terminate_backend(%s)", [dropped])
    finally:
        other.close()  # so it never holds the test database open
    around_a_task(fixup)
    now = backend_pid()  # the task's first query: no OperationalError
    assert now != dropped


def test_a_task_run_eagerly_leaves_its_callers_transaction_alone(postgres):
    with transaction.atomic():
        before = backend_pid()
        send_messages.apply(args=[[]])  # eagerly, as a test or CELERY_TASK_ALWAYS_EAGER runs it
        assert connection.in_atomic_block
        assert backend_pid() == before
