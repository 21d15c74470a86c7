import gc
import os
from typing import Any

from celery import Celery, bootsteps, signals

from config import broker  # noqa: F401  (the embedded broker writes messages whole)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("strategy_discussions")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


class StructuredTaskLogs(bootsteps.Step):
    """Each task's log lines carry its task id and the request id and user id that queued it.

    django-structlog's own DjangoStructLogInitStep also connects the publishing signals,
    which its app already connected (DJANGO_STRUCTLOG_CELERY_ENABLED), so every enqueue was
    logged twice in the worker; this connects only the worker's."""

    def __init__(self, parent: Any, **kwargs: Any) -> None:
        super().__init__(parent, **kwargs)
        from django_structlog.celery.receivers import CeleryReceiver

        self.receiver = receiver = CeleryReceiver()
        signals.task_prerun.connect(receiver.receiver_task_prerun)
        signals.task_retry.connect(receiver.receiver_task_retry)
        signals.task_success.connect(receiver.receiver_task_success)
        signals.task_failure.connect(receiver.receiver_task_failure)
        signals.task_revoked.connect(receiver.receiver_task_revoked)
        signals.task_unknown.connect(receiver.receiver_task_unknown)
        signals.task_rejected.connect(receiver.receiver_task_rejected)


app.steps["worker"].add(StructuredTaskLogs)


@signals.task_prerun.connect
@signals.task_postrun.connect
def connections_recycle(sender: Any = None, **_: Any) -> None:
    """Around each task, what Django does around each request: a connection past
    CONN_MAX_AGE, or left in a broken state, is closed, and the next use of a kept one checks
    it first (CONN_HEALTH_CHECKS), so a restarted database costs a reconnect, not a failed
    task. Celery's fixup no longer closes every connection every time (CELERY_DB_REUSE_MAX).
    A task run eagerly runs inside its caller (a request, a test), whose connection and
    transaction are the caller's: left alone, as the fixup leaves them."""
    from django.db import close_old_connections

    if getattr(getattr(sender, "request", None), "is_eager", False):
        return
    close_old_connections()


@signals.worker_init.connect
def heap_freeze_before_fork(**_: Any) -> None:
    """The worker's start-up objects (Django, the apps, WeasyPrint's modules) live as long as
    it does. Frozen before the pool forks, as Python's gc.freeze documentation advises, the
    pool processes' collections never walk them (nor write to the pages they share with the
    parent): a PDF render makes enough cyclic garbage for a full collection or two, and
    each one walked every one of them."""
    gc.freeze()


@signals.worker_process_init.connect
def urls_load(**_: Any) -> None:
    """Each pool process loads the URL configuration when it starts. Emails carry links made
    with reverse(); without this the first message a fresh process sends waits for every
    app's URLs (and what they import) to load: 0.7 s measured on the development machine.
    What that loads lives as long as the process, so it is frozen too (see above)."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - loading is the point
    gc.freeze()
