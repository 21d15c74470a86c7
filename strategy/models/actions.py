from django.db import models

from audit.triggers import AuditTrigger


class Action(models.Model):
    discussion = models.ForeignKey(
        "strategy.Discussion", on_delete=models.CASCADE, related_name="actions"
    )
    what = models.TextField("What needs to happen")
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    person = models.CharField("Named person", max_length=200)
    due_by = models.DateField("Due by")
    why = models.TextField("Why")
    # Operational tracking after the discussion, not part of the minutes: marking an action
    # done needs no amendment, and the minutes keep the action as agreed.
    completed_at = models.DateTimeField("Done on", null=True, blank=True)
    completed_by = models.ForeignKey(
        "agencies.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="Marked done by",
    )

    class Meta:
        triggers = [AuditTrigger(discussion="discussion")]
        ordering = ["due_by", "pk"]
        indexes = [
            models.Index(
                fields=["due_by"],
                condition=models.Q(completed_at__isnull=True),
                name="action_open_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.what[:60]
