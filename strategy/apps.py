from django.apps import AppConfig


class StrategyConfig(AppConfig):
    name = "strategy"
    verbose_name = "Strategy discussions"

    def ready(self) -> None:
        from strategy import (
            audit,  # noqa: F401 - connects the sign-in signal receivers
            invitations,  # noqa: F401 - registers the invitation kinds
        )
