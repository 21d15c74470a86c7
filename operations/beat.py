"""Beat's last run: every task beat publishes (at least the heartbeat, every minute) records
that beat is alive. Connected in every process, it acts only in the one that started beat."""

from typing import Any

from celery.signals import beat_init, before_task_publish

_in_beat = False


def connect() -> None:
    beat_init.connect(beat_started, weak=False)
    before_task_publish.connect(beat_published, weak=False)


def beat_started(**kwargs: Any) -> None:
    global _in_beat
    _in_beat = True
    beat_published()


def beat_published(**kwargs: Any) -> None:
    if not _in_beat:
        return
    from django.db import close_old_connections, connection

    from operations.models import Heartbeat, Process

    # Beat runs no tasks, so nothing else drops its connection when the database restarts:
    # a broken or expired one is closed here, and the write opens a fresh one (never inside
    # a transaction, whose connection is not this code's to close).
    if not connection.in_atomic_block:
        close_old_connections()
    Heartbeat.record(Process.BEAT)
