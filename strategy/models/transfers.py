from django.db import models

from audit.triggers import AuditTrigger


class CaseTransfer(models.Model):
    """The case moving to another local authority. Until the receiving authority accepts it
    in writing, the transfer is pending: the practice review's case fell between two
    authorities while each thought the other held it."""

    discussion = models.ForeignKey(
        "strategy.Discussion", on_delete=models.CASCADE, related_name="transfers"
    )
    receiving_authority = models.ForeignKey(
        "agencies.Agency",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="Receiving local authority",
    )
    proposed_on = models.DateField("Date proposed for the transfer")
    reason = models.TextField("Why the case is transferring", blank=True)
    recorded_by = models.ForeignKey("agencies.User", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    # The written acceptance.
    accepted_by = models.CharField("Accepted by (name and role)", max_length=200, blank=True)
    accepted_on = models.DateField("Date accepted", null=True, blank=True)
    acceptance = models.TextField("What the acceptance says", blank=True)
    transfer_on = models.DateField("Agreed date of transfer", null=True, blank=True)
    acceptance_recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        triggers = [AuditTrigger(discussion="discussion")]
        ordering = ["recorded_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["discussion"],
                condition=models.Q(acceptance_recorded_at__isnull=True),
                name="one_pending_transfer_per_discussion",
            )
        ]
        indexes = [
            models.Index(
                fields=["proposed_on"],
                condition=models.Q(acceptance_recorded_at__isnull=True),
                name="transfer_pending_idx",
            )
        ]

    def __str__(self) -> str:
        return f"Transfer to {self.receiving_authority}"

    @property
    def is_pending(self) -> bool:
        return self.acceptance_recorded_at is None
