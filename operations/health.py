"""Checks for django-health-check: the broker, and the worker and beat being alive.

Messages say what is wrong in the service's own terms and never carry personal data."""

import dataclasses
import datetime

from celery import current_app
from django.conf import settings
from health_check.base import HealthCheck
from health_check.exceptions import ServiceUnavailable

from operations.models import Heartbeat, Process


@dataclasses.dataclass
class Broker(HealthCheck):
    """The Celery broker accepts a connection (Redis, or the embedded default's folders)."""

    timeout: datetime.timedelta = dataclasses.field(
        default=datetime.timedelta(seconds=3), repr=False
    )

    def run(self) -> None:
        try:
            with current_app.connection_for_write() as connection:
                connection.ensure_connection(
                    max_retries=1, timeout=int(self.timeout.total_seconds())
                )
        except Exception as exc:
            raise ServiceUnavailable("The broker refused a connection") from exc


@dataclasses.dataclass
class ProcessSeen(HealthCheck):
    """The worker (or beat) was seen within its setting's number of seconds."""

    process: str = Process.WORKER

    def run(self) -> None:
        limit = _stale_after(self.process)
        ago = Heartbeat.seen_ago(self.process)
        label = Process(self.process).label
        if ago is None:
            raise ServiceUnavailable(f"{label} has never been seen")
        if ago > limit:
            raise ServiceUnavailable(f"{label} last seen {ago:.0f} s ago (limit {limit} s)")


def _stale_after(process: str) -> int:
    if process == Process.BEAT:
        return int(settings.HEALTH_BEAT_STALE_SECONDS)
    return int(settings.HEALTH_WORKER_STALE_SECONDS)
