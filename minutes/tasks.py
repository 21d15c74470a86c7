"""Celery entry points. They take primary keys and read everything else from the database."""

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from minutes.dashboards import trends
from minutes.services import lifecycle


@shared_task(
    soft_time_limit=settings.MINUTES_RENDER_SOFT_SECONDS,
    time_limit=settings.MINUTES_RENDER_HARD_SECONDS,
)
def render_version(version_id: int) -> str:
    """Makes a version's PDF once; on success its held minutes messages become due."""
    return lifecycle.version_render(version_id)


@shared_task
def sweep() -> dict[str, int]:
    """Beat runs this every minute: PDFs owed, and chases due. Sending is the outbox's sweep."""
    now = timezone.now()
    renders = lifecycle.versions_render_due(now)
    for version_id in renders:
        render_version.delay(version_id)
    chased = lifecycle.chases_owe_due(now)
    return {"renders": len(renders), "chases": chased}


@shared_task
def trends_rebuild() -> int:
    """Beat runs this every few hours: the trends' settled months, rewritten from the records."""
    return trends.monthly_summaries_rebuild(timezone.now())
