"""When the background processes were last seen, for the health check and the metrics.

Kept in the database rather than a cache: the web, the worker and beat are separate
processes (often on separate machines), and the embedded default has no shared cache.
"""

from datetime import datetime

from django.db import models
from django.utils import timezone


class Process(models.TextChoices):
    WORKER = "worker", "Celery worker"
    BEAT = "beat", "Celery beat"


class Heartbeat(models.Model):
    """One row per kind of process: the last time one of them showed it was alive."""

    process = models.CharField(max_length=20, choices=Process.choices, unique=True)
    seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.get_process_display()} seen at {self.seen_at:%Y-%m-%d %H:%M:%S}"

    @classmethod
    def record(cls, process: str, at: datetime | None = None) -> None:
        cls.objects.update_or_create(process=process, defaults={"seen_at": at or timezone.now()})

    @classmethod
    def seen_ago(cls, process: str, now: datetime | None = None) -> float | None:
        """Seconds since the process was last seen, or None if it never was."""
        seen = cls.objects.filter(process=process).values_list("seen_at", flat=True).first()
        if seen is None:
            return None
        return ((now or timezone.now()) - seen).total_seconds()
