from django.conf import settings
from django.db import models

from audit.triggers import AuditTrigger


class PDFStatus(models.TextChoices):
    NOT_DUE = "", "Not approved"
    PENDING = "pending", "Waiting to be made"
    RENDERING = "rendering", "Being made"
    RENDERED = "rendered", "Made"
    FAILED = "failed", "The PDF could not be made"


def pdf_path(version: "MinutesVersion", filename: str) -> str:
    return f"minutes/{version.discussion.reference}/v{version.number}-{filename}"


class MinutesVersion(models.Model):
    """One version of a discussion's minutes. Approval freezes it; amendments make the next."""

    discussion = models.ForeignKey(
        "strategy.Discussion", on_delete=models.PROTECT, related_name="minutes_versions"
    )
    number = models.PositiveIntegerField()
    additional_notes = models.TextField(
        "Minute-taker's notes",
        blank=True,
        help_text="Anything said that the structured record does not capture.",
    )
    amendment_reason = models.TextField(blank=True)
    change_summary = models.TextField("Summary of what changed", blank=True)
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # The record as it stood at approval, so this version reads the same forever.
    snapshot = models.JSONField(null=True, blank=True)
    distributed_at = models.DateTimeField(
        null=True, blank=True, help_text="When the last of this version's deliveries was sent."
    )
    pdf = models.FileField(upload_to=pdf_path, blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    pdf_rendered_at = models.DateTimeField(null=True, blank=True)
    # Making the PDF is a step of its own, bounded in time and in tries (see lifecycle).
    pdf_status = models.CharField(max_length=10, choices=PDFStatus.choices, blank=True)
    pdf_attempts = models.PositiveSmallIntegerField(default=0)
    pdf_next_attempt_at = models.DateTimeField(null=True, blank=True)
    pdf_claimed_at = models.DateTimeField(null=True, blank=True)
    pdf_error = models.TextField(blank=True)

    class Meta:
        triggers = [AuditTrigger(discussion="discussion", exclude=["snapshot"])]
        ordering = ["discussion", "number"]
        constraints = [
            models.UniqueConstraint(fields=["discussion", "number"], name="one_version_number"),
            models.UniqueConstraint(
                fields=["discussion"],
                condition=models.Q(approved_at__isnull=True),
                name="one_draft_per_discussion",
            ),
        ]
        indexes = [
            models.Index(
                fields=["pdf_next_attempt_at"],
                condition=models.Q(pdf_status__in=["pending", "rendering"]),
                name="version_render_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.discussion.reference} minutes v{self.number}"

    @property
    def is_approved(self) -> bool:
        return self.approved_at is not None

    @property
    def pdf_failed(self) -> bool:
        return self.pdf_status == PDFStatus.FAILED
