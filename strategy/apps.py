from django.apps import AppConfig


class StrategyConfig(AppConfig):
    name = "strategy"
    verbose_name = "Strategy discussions"

    def ready(self) -> None:
        from strategy import audit, refusals  # noqa: F401 - signal receivers, refused pages
