from django.apps import AppConfig


class MinutesConfig(AppConfig):
    name = "minutes"
    verbose_name = "Minutes"

    def ready(self) -> None:
        from minutes import refusals  # noqa: F401 - which discussion a refused page aims at
