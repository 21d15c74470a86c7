from django.apps import AppConfig


class OperationsConfig(AppConfig):
    name = "operations"
    verbose_name = "Operations"

    def ready(self) -> None:
        from operations import beat, metrics

        beat.connect()
        metrics.collector_register(metrics.HeartbeatCollector())
