from django.apps import AppConfig


class MinutesConfig(AppConfig):
    name = "minutes"
    verbose_name = "Minutes"

    def ready(self) -> None:
        from audit.retention import retention_anonymiser_register
        from minutes.services.retention import discussion_minutes_anonymise

        retention_anonymiser_register("minutes", discussion_minutes_anonymise)
