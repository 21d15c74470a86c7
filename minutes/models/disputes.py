from django.db import models

from audit.triggers import AuditTrigger


class Dispute(models.Model):
    """A recipient's statement that the minutes do not reflect the discussion."""

    delivery = models.ForeignKey(
        "minutes.Delivery", on_delete=models.PROTECT, related_name="disputes"
    )
    statement = models.TextField("The minutes do not reflect the discussion because")
    raised_by_name = models.CharField(max_length=200)
    raised_by_role = models.CharField(max_length=200)
    raised_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by_version = models.ForeignKey(
        "minutes.MinutesVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="resolved_disputes",
    )

    class Meta:
        triggers = [AuditTrigger(discussion="delivery__version__discussion")]
        ordering = ["raised_at"]
        indexes = [
            models.Index(
                fields=["raised_at"],
                condition=models.Q(resolved_at__isnull=True),
                name="dispute_open_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"Dispute by {self.delivery.agency} raised {self.raised_at:%d %b %Y}"
