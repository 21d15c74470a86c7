from django.apps import AppConfig


class MinutesConfig(AppConfig):
    name = "minutes"
    verbose_name = "Minutes"

    def ready(self) -> None:
        # Registers what minutes messages need from the outbox's one sender.
        from minutes.services import lifecycle  # noqa: F401
        from minutes.views.panels import open_disputes_panel
        from strategy.views.panels import discussion_panel_register

        discussion_panel_register(open_disputes_panel)

        from minutes.services.receipts import disputes_open_before_closing
        from strategy.services.recording import close_check_register

        close_check_register(disputes_open_before_closing)

        from minutes.services.transfers import transfer_minutes_copy
        from strategy.services.transfers import transfer_accepted_register

        transfer_accepted_register(transfer_minutes_copy)

        from audit.retention import retention_anonymiser_register
        from minutes.services.retention import discussion_minutes_anonymise

        retention_anonymiser_register("minutes", discussion_minutes_anonymise)

        from minutes import refusals  # noqa: F401 - which discussion a refused page aims at
        from minutes.metrics import MinutesCollector
        from operations.metrics import collector_register

        collector_register(MinutesCollector())
