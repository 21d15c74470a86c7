from django.db import models


class FormDraft(models.Model):
    """What a recorder has typed into one section's form and not yet saved, kept on the
    server so it can be offered back on any device. Deleted when the section is saved, and
    with everything else of the discussion when its retention ends. Not on the audit trail:
    it is work in progress, and the trail records what is saved."""

    discussion = models.ForeignKey(
        "strategy.Discussion", on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey("agencies.User", on_delete=models.CASCADE, related_name="+")
    path = models.CharField(max_length=300)
    values = models.JSONField()
    saved_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "path"], name="one_draft_per_form_and_user")
        ]

    def __str__(self) -> str:
        return f"Draft of {self.path}"
