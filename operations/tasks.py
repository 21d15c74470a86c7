from celery import shared_task

from operations.models import Heartbeat, Process


@shared_task(ignore_result=True)
def heartbeat() -> None:
    """Beat sends this every OPERATIONS_HEARTBEAT_SECONDS; a worker running it is alive."""
    Heartbeat.record(Process.WORKER)
