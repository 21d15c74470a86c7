from django.apps import AppConfig


class StrategyConfig(AppConfig):
    name = "strategy"
    verbose_name = "Strategy discussions"

    def ready(self) -> None:
        from audit.retention import retention_anonymiser_register
        from strategy import (
            invitations,  # noqa: F401 - registers the invitation kinds
            refusals,  # noqa: F401 - which discussion a refused page aims at
        )
        from strategy.services.retention import discussion_records_anonymise

        retention_anonymiser_register("strategy", discussion_records_anonymise)
