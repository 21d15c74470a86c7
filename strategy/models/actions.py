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
    completed_at = models.DateTimeField(null=True, blank=True)

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
