"""Every message the service owes someone: one row each, with every attempt recorded.

The outbox sits at the bottom of the dependency graph: it knows no app's models. A message
says what it is about with plain identifiers (discussion, version, delivery, agency, and the
row that owes it), so that apps above can find their messages without the outbox finding them.
"""

from django.db import models
from django.utils import timezone


class MessageKind(models.TextChoices):
    INVITATION = "invitation", "Invitation"
    INVITATION_UPDATE = "invitation_update", "Invitation update"
    INVITATION_CANCELLATION = "invitation_cancellation", "Invitation cancellation"
    MINUTES = "minutes", "Minutes"
    REMINDER = "reminder", "Reminder"
    ESCALATION = "escalation", "Escalation"
    DISPUTE_ALERT = "dispute_alert", "Dispute alert"
    FRESH_LINK = "fresh_link", "Fresh receipt link"
    DIFFERENCE_ESCALATION = "difference_escalation", "Professional difference escalated"
    DIFFERENCE_OPENED = "difference_opened", "Professional difference raised"
    GOOD_PRACTICE_LETTER = "good_practice_letter", "Case audit letter: graded good"
    OTHER = "other", "Other"


class MessageState(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    RETRYING = "retrying", "Waiting to retry"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


# Still owed: the sweep and the dashboards read these.
OWED_STATES = (MessageState.QUEUED, MessageState.SENDING, MessageState.RETRYING)


class Message(models.Model):
    """One email owed to its recipients.

    A message is due when it is owed and its next_attempt_at has passed. A queued message with
    no next_attempt_at is held: owed and visible, waiting for something it needs (a minutes
    PDF). A send claims the row by a conditional UPDATE that moves next_attempt_at to the end
    of a lease; a send that outlives its lease is taken to have died with its worker.
    """

    kind = models.CharField(max_length=32, choices=MessageKind.choices)
    state = models.CharField(
        max_length=10, choices=MessageState.choices, default=MessageState.QUEUED
    )

    discussion_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    version_id = models.BigIntegerField(null=True, blank=True)
    delivery_id = models.BigIntegerField(null=True, blank=True)
    agency_id = models.BigIntegerField(null=True, blank=True)
    # The row that owes the message (an invitee, a chase, a dispute), named by kind.
    about_id = models.BigIntegerField(null=True, blank=True)

    recipients = models.JSONField(default=list)
    subject = models.CharField(max_length=300, blank=True)
    body = models.TextField(blank=True)
    reply_to = models.JSONField(default=list, blank=True)
    # Text attachments kept with the message: [{"filename", "content", "mimetype"}].
    attachments = models.JSONField(default=list, blank=True)

    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_reply = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(state__in=["queued", "retrying", "sending"]),
                # Covering: the sweep reads the index alone, in order, and stops at its limit.
                include=["id", "state"],
                name="outbox_due_idx",
            ),
            models.Index(
                fields=["created_at"],
                condition=models.Q(state__in=["queued", "retrying", "sending"]),
                name="outbox_owed_idx",
            ),
            models.Index(
                fields=["failed_at"],
                condition=models.Q(state="failed"),
                name="outbox_failed_idx",
            ),
            models.Index(fields=["delivery_id", "kind"], name="outbox_delivery_idx"),
            models.Index(fields=["version_id"], name="outbox_version_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.pk} ({self.get_state_display()})"

    @property
    def is_owed(self) -> bool:
        return self.state in OWED_STATES

    @property
    def is_held(self) -> bool:
        return self.state == MessageState.QUEUED and self.next_attempt_at is None


class AttemptOutcome(models.TextChoices):
    SENT = "sent", "Sent"
    RETRY = "retry", "Refused for now"
    FAILED = "failed", "Refused"
    LOST = "lost", "Did not finish"


class Attempt(models.Model):
    """One try at sending a message, with what the mail server said."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attempt_rows")
    number = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(default=timezone.now)
    outcome = models.CharField(max_length=10, choices=AttemptOutcome.choices)
    reply = models.TextField(blank=True)

    class Meta:
        ordering = ["message", "number", "pk"]

    def __str__(self) -> str:
        return f"Attempt {self.number} of {self.message_id}: {self.outcome}"
