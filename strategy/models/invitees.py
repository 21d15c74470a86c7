from django.db import models

from audit.triggers import AuditTrigger


class Attendance(models.TextChoices):
    INVITED = "invited", "Invited, not yet recorded"
    ATTENDED = "attended", "Attended"
    APOLOGIES = "apologies", "Sent apologies"
    INFORMATION_ONLY = "information_only", "Sent information only"
    DID_NOT_ATTEND = "did_not_attend", "Did not attend"


class Invitee(models.Model):
    """An agency invited to the discussion, with the person who represents it."""

    discussion = models.ForeignKey(
        "strategy.Discussion", on_delete=models.CASCADE, related_name="invitees"
    )
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    contact = models.ForeignKey(
        "agencies.Contact", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    why_invited = models.CharField(max_length=300, blank=True)
    attendance = models.CharField(
        max_length=20, choices=Attendance.choices, default=Attendance.INVITED
    )
    representative = models.CharField("Who took part", max_length=200, blank=True)
    can_make_decisions = models.BooleanField(
        "Can make decisions for their agency", null=True, blank=True
    )
    information_shared = models.TextField("Information shared", blank=True)
    scaling = models.PositiveSmallIntegerField(
        "Scaling (0 to 10)",
        null=True,
        blank=True,
        help_text="0 means the child is certain to be harmed; 10 means the child is safe.",
    )
    invitation_queued_at = models.DateTimeField(null=True, blank=True)
    invitation_sent_at = models.DateTimeField(null=True, blank=True)
    invitation_error = models.TextField(blank=True)

    class Meta:
        triggers = [AuditTrigger(discussion="discussion")]
        ordering = ["agency__name"]
        constraints = [
            models.UniqueConstraint(fields=["discussion", "agency"], name="one_seat_per_agency"),
            models.CheckConstraint(
                condition=models.Q(scaling__isnull=True) | models.Q(scaling__lte=10),
                name="scaling_0_to_10",
            ),
        ]

    def __str__(self) -> str:
        return str(self.agency)

    @property
    def took_part(self) -> bool:
        return self.attendance == Attendance.ATTENDED

    @property
    def shares_information(self) -> bool:
        """Attended or sent information: the agencies whose information the recorder takes
        in turn. Any other may still have sent something, recorded the same way."""
        return self.attendance in (Attendance.ATTENDED, Attendance.INFORMATION_ONLY)

    @property
    def invitation_address(self) -> str:
        return self.contact.email if self.contact else self.agency.secure_email


class InvitationException(models.Model):
    """A reason, recorded by the chair, for not inviting someone the record says to invite."""

    discussion = models.ForeignKey(
        "strategy.Discussion", on_delete=models.CASCADE, related_name="invitation_exceptions"
    )
    requirement = models.CharField(max_length=60)
    description = models.CharField(max_length=300)
    agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.TextField()
    recorded_by = models.ForeignKey("agencies.User", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        triggers = [AuditTrigger(discussion="discussion")]
        ordering = ["recorded_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["discussion", "requirement"], name="one_exception_per_requirement"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.description}: {self.reason}"
