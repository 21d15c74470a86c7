from django.conf import settings
from django.db import models

from audit.triggers import AuditTrigger


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Replaced before it was sent"


class Delivery(models.Model):
    """One version of the minutes on its way to one invited agency, and its receipt.

    Sending is the outbox's work (one minutes message per delivery); the status, attempts
    and last_error here mirror it, written in the same transaction. A chase is due when
    next_chase_at has passed.
    """

    version = models.ForeignKey(
        "minutes.MinutesVersion", on_delete=models.PROTECT, related_name="deliveries"
    )
    invitee = models.ForeignKey("strategy.Invitee", on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    recipients = models.JSONField(default=list)

    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED
    )
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by_name = models.CharField(max_length=200, blank=True)
    confirmed_by_role = models.CharField(max_length=200, blank=True)
    confirmed_by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    next_chase_at = models.DateTimeField(null=True, blank=True)
    chases_sent = models.PositiveSmallIntegerField(default=0)
    escalated_at = models.DateTimeField(null=True, blank=True)

    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        triggers = [AuditTrigger(discussion="version__discussion")]
        ordering = ["agency__name"]
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(fields=["version", "agency"], name="one_delivery_per_agency"),
        ]
        indexes = [
            models.Index(
                fields=["next_chase_at"],
                condition=models.Q(
                    confirmed_at__isnull=True,
                    revoked_at__isnull=True,
                    next_chase_at__isnull=False,
                ),
                name="delivery_chase_due_idx",
            ),
            # What the dashboards list: receipts outstanding, failures, links sent in error.
            models.Index(
                fields=["sent_at"],
                condition=models.Q(
                    status="sent", confirmed_at__isnull=True, revoked_at__isnull=True
                ),
                name="delivery_unconfirmed_idx",
            ),
            models.Index(
                fields=["created_at"],
                condition=models.Q(status="failed", revoked_at__isnull=True),
                name="delivery_failed_idx",
            ),
            models.Index(
                fields=["revoked_at"],
                condition=models.Q(revoked_at__isnull=False),
                name="delivery_revoked_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.version} to {self.agency}"

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class ChaseKind(models.TextChoices):
    REMINDER = "reminder", "Reminder"
    ESCALATION = "escalation", "Escalation"


class Chase(models.Model):
    """A reminder or escalation sent because a delivery's receipt was not confirmed."""

    delivery = models.ForeignKey(Delivery, on_delete=models.PROTECT, related_name="chases")
    number = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=12, choices=ChaseKind.choices)
    recipients = models.JSONField(default=list)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        triggers = [AuditTrigger(discussion="delivery__version__discussion")]
        ordering = ["delivery", "number"]
        constraints = [
            models.UniqueConstraint(fields=["delivery", "number"], name="one_chase_per_number"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number} for {self.delivery}"
