from django.apps import AppConfig


class AuditConfig(AppConfig):
    """The audit trail: shared machinery at the bottom of the dependency graph.

    It imports no app of this project; agencies, strategy and minutes declare their
    triggers with audit.triggers and register their retention anonymisers with
    audit.retention."""

    name = "audit"
    verbose_name = "Audit trail"

    def ready(self) -> None:
        from audit import trail  # noqa: F401 - connects the sign-in signal receivers
