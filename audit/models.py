import pgtrigger
from django.conf import settings
from django.db import models
from django.utils import timezone

LABEL_REMOVED = "[removed]"

# The one change PostgreSQL lets anyone make to a trail row: retention's redaction, which
# stamps redacted_at once, may blank the label and address and replace before and after with
# the names of the fields (arrays), and must leave when, what, whose and which row alone.
REDACTION_ONLY = pgtrigger.Condition(
    f"""NOT (
        OLD.redacted_at IS NULL AND NEW.redacted_at IS NOT NULL
        AND NEW.at = OLD.at AND NEW.action = OLD.action
        AND NEW.actor_id IS NOT DISTINCT FROM OLD.actor_id
        AND NEW.discussion_id IS NOT DISTINCT FROM OLD.discussion_id
        AND NEW.object_type = OLD.object_type AND NEW.object_id = OLD.object_id
        AND NEW.path = OLD.path
        AND NEW.ip IS NULL AND NEW.actor_label IN (OLD.actor_label, '{LABEL_REMOVED}')
        AND (NEW.before IS NULL OR jsonb_typeof(NEW.before) = 'array')
        AND (NEW.after IS NULL OR jsonb_typeof(NEW.after) = 'array')
    )"""
)


class AuditEvent(models.Model):
    """One thing that happened: a look, a download, a change, a sign-in, a refusal.

    Rows are only ever added. On PostgreSQL the table's triggers refuse DELETE, and refuse
    UPDATE except the redaction retention makes when a discussion's retention period ends
    (audit.retention). Every change to an audited model writes a row (audit.triggers).
    """

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_label = models.CharField(max_length=200, blank=True)
    action = models.CharField(max_length=60)
    discussion_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=40, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    path = models.CharField(max_length=500, blank=True)
    redacted_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When retention removed the values, the label and the address, keeping "
        "when, what and which fields.",
    )

    class Meta:
        ordering = ["at", "pk"]
        triggers = [
            pgtrigger.Protect(name="append_only_delete", operation=pgtrigger.Delete),
            pgtrigger.Protect(
                name="append_only_update", operation=pgtrigger.Update, condition=REDACTION_ONLY
            ),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_label or 'system'} {self.action}"
