from django.apps import AppConfig


class OperationsConfig(AppConfig):
    name = "operations"
    verbose_name = "Operations"

    def ready(self) -> None:
        from config import logs
        from operations import beat, metrics

        beat.connect()
        logs.connect()
        metrics.collector_register(metrics.HeartbeatCollector())
