from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "outbox"
    verbose_name = "Outgoing messages"

    def ready(self) -> None:
        from audit.retention import retention_anonymiser_register
        from outbox.retention import discussion_messages_anonymise

        retention_anonymiser_register("outbox", discussion_messages_anonymise)

        from operations.metrics import collector_register
        from outbox.metrics import OutboxCollector

        collector_register(OutboxCollector())
